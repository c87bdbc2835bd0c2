#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

err file_sync_dir(const char *path)
{
	char copy[4096];
	int fd;
	err rc = ERR_OK;

	if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
		return ERR_INVALID;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ERR_IO;
	if (fsync(fd) != 0)
		rc = ERR_IO;
	close(fd);
	return rc;
}

err file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[4096];
	const char *p = data;
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
		return ERR_INVALID;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		LOG(LOGL_ERROR, "cannot create %s: %s", tmp, strerror(errno));
		return ERR_IO;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return file_sync_dir(path);
fail:
	LOG(LOGL_ERROR, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ERR_IO;
}

err file_read_all(const char *path, size_t max, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	err rc = ERR_IO;

	if (!f)
		return ERR_IO;
	for (;;) {
		size_t got;
		if (n == cap) {
			char *nb;
			if (cap > max) {
				rc = ERR_TOO_LARGE;
				goto cleanup;
			}
			cap = cap ? cap * 2 : 4096;
			if (!(nb = realloc(buf, cap + 1))) {
				rc = ERR_NOMEM;
				goto cleanup;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto cleanup;
	if (n > max) {
		rc = ERR_TOO_LARGE;
		goto cleanup;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
	rc = ERR_OK;
cleanup:
	free(buf);
	fclose(f);
	return rc;
}

err file_write_atomic_with(const char *path, mode_t mode, void (*fill)(FILE *f, void *ctx),
                           void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	err rc;

	if (!f)
		return ERR_NOMEM;
	fill(f, ctx);
	if (fclose(f) != 0) {
		free(buf);
		return ERR_NOMEM;
	}
	rc = file_write_atomic(path, buf, len, mode);
	free(buf);
	return rc;
}

err file_mkdirs(const char *path, mode_t mode)
{
	char *p = strdup(path);
	struct stat st;
	err rc = ERR_OK;

	if (!p)
		return ERR_NOMEM;
	for (char *s = p + 1; *s && rc == ERR_OK; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = ERR_IO;
		*s = '/';
	}
	if (rc == ERR_OK && mkdir(path, mode) != 0 && errno != EEXIST)
		rc = ERR_IO;
	free(p);
	if (rc == ERR_OK && stat(path, &st) != 0) {
		rc = ERR_IO;
	} else if (rc == ERR_OK && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		rc = ERR_IO;
	}
	return rc;
}

void file_name_of(const char *text, char *out, size_t n)
{
	size_t k = 0;

	/* Room for the 'x' below and the NUL. */
	for (const char *p = text; *p && k + 2 < n && k < 80; p++) {
		char ch = *p;
		bool keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		            (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
		if (!keep && k > 0 && out[k - 1] == '_')
			continue;
		out[k++] = keep ? ch : '_';
	}
	while (k > 0 && out[k - 1] == '_')
		k--;
	if (k == 0 || out[0] == '.') {
		memmove(out + 1, out, k++);
		out[0] = 'x';
	}
	out[k] = '\0';
}

void file_name_in(const char *(*text)(void *ctx, size_t k), void *ctx, size_t i, char *out,
                  size_t n)
{
	file_name_of(text(ctx, i), out, n);
	for (size_t h = 0; h < i; h++) {
		char other[FILE_NAME_MAX];
		file_name_of(text(ctx, h), other, sizeof other);
		if (strcmp(other, out) == 0) {
			size_t len = strlen(out);
			snprintf(out + len, n - len, "-%zu", i + 1);
			break;
		}
	}
}
