/*
 * memfile: helpers the libFuzzer harnesses share (header only).
 *
 * The loaders under test take a path and open it themselves, as the
 * programs do. A harness puts its input in a file of /dev/shm (memory: no
 * disk is written; removed at exit) and hands them its path. An anonymous
 * memfd, named "/proc/self/fd/N", did the same, but opening that name walks
 * procfs and cost a fifth of a small input's time; where /dev/shm is
 * missing, that is still the fallback. (A crash leaves its file behind.)
 */
#ifndef FUZZ_MEMFILE_H
#define FUZZ_MEMFILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

typedef struct memfile {
	int fd;
	char path[48];
} memfile;

static char memfile_paths[8][48]; /* removed at exit */
static int memfile_n;

static inline void memfile_cleanup(void)
{
	for (int i = 0; i < memfile_n; i++)
		unlink(memfile_paths[i]);
}

/* Replace the contents of *m (created on first use) with data; returns its path. */
static inline const char *memfile_put(memfile *m, const void *data, size_t size)
{
	if (!m->path[0]) {
		strcpy(m->path, "/dev/shm/fuzz-XXXXXX");
		if (memfile_n < 8 && (m->fd = mkostemp(m->path, O_CLOEXEC)) >= 0) {
			if (memfile_n == 0)
				atexit(memfile_cleanup);
			strcpy(memfile_paths[memfile_n++], m->path);
		} else if ((m->fd = memfd_create("fuzz", MFD_CLOEXEC)) >= 0) {
			snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
		} else {
			abort();
		}
	}
	/* Written over, then cut: the pages stay, and are not freed and zeroed
	 * again for every input. */
	if ((size && pwrite(m->fd, data, size, 0) != (ssize_t)size) ||
	    ftruncate(m->fd, (off_t)size) != 0)
		abort();
	return m->path;
}

/* The contents of m (at most cap - 1 bytes, NUL-terminated); returns the length. */
static inline size_t memfile_get(const memfile *m, char *buf, size_t cap)
{
	ssize_t n = pread(m->fd, buf, cap - 1, 0);

	if (n < 0)
		abort();
	buf[n] = '\0';
	return (size_t)n;
}

/*
 * Code that reports on stdout and stderr (reconcile) would flood the
 * fuzzer's log. quiet_begin sends stdout into out (may be NULL: thrown away)
 * and stderr nowhere until quiet_end. Sanitizer reports go to a copy of the
 * real stderr, taken once, so a crash inside is still reported in full.
 */
static int quiet_saved[3] = {-1, -1, -1}, quiet_null = -1;

static inline void quiet_begin(const memfile *out)
{
	if (quiet_null < 0) {
		if ((quiet_null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0 ||
		    (quiet_saved[1] = dup(1)) < 0 || (quiet_saved[2] = dup(2)) < 0)
			abort();
		__sanitizer_set_report_fd((void *)(intptr_t)quiet_saved[2]);
	}
	fflush(stdout);
	fflush(stderr);
	if (out && (ftruncate(out->fd, 0) != 0 || lseek(out->fd, 0, SEEK_SET) != 0))
		abort();
	dup2(out ? out->fd : quiet_null, 1);
	dup2(quiet_null, 2);
}

static inline void quiet_end(void)
{
	fflush(stdout);
	fflush(stderr);
	dup2(quiet_saved[1], 1);
	dup2(quiet_saved[2], 2);
}

#endif
