/*
 * memfile: helpers the libFuzzer harnesses share (header only).
 *
 * The loaders under test take a path and open it themselves, as the
 * programs do. A harness puts its input in a file of /dev/shm (memory: no
 * disk is written; removed at exit) and hands them its path. An anonymous
 * memfd, named "/proc/self/fd/N", did the same, but opening that name walks
 * procfs and cost a fifth of a small input's time; where /dev/shm is
 * missing, that is still the fallback. (A crash leaves its file behind.)
 *
 * In memory: a harness whose readers open their file with fopen and
 * nothing else (csvread, journal_read, file_read_all) defines
 * MEMFILE_IN_MEMORY before including this, and is linked with
 * -Wl,--wrap=fopen,--wrap=setvbuf (the Makefile's FUZZ_MEMORY; either
 * without the other fails to link). Its memfiles are then never written: a memfile's path
 * names no file, and fopen of it for reading is fmemopen over the bytes of
 * the last memfile_put, without a system call (writing the file, then
 * opening and reading it, cost a fifth of the time of a roster's or
 * journal's input). Any other fopen is the real one; anything that opened
 * the path otherwise would find no file. setvbuf is wrapped too: csvread
 * makes its stream unbuffered (it reads whole chunks), which on a memory
 * stream would deliver the bytes one call at a time; a memory stream keeps
 * its buffer.
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

/* A memfile lives as long as the harness (a static): its path is used, and
 * removed or served, until exit. */
typedef struct memfile {
	int fd;
	char path[48];
#ifdef MEMFILE_IN_MEMORY
	char *bytes; /* what memfile_put put, size bytes of cap */
	size_t size, cap;
#endif
} memfile;

static int memfile_n; /* memfiles made */

#ifdef MEMFILE_IN_MEMORY

static memfile *memfile_all[8];
static FILE *memfile_streams[8]; /* the last stream opened on each */

/* Replace the contents of *m (named on first use) with data; returns its path. */
static inline const char *memfile_put(memfile *m, const void *data, size_t size)
{
	if (!m->path[0]) {
		if (memfile_n == 8)
			abort();
		memfile_all[memfile_n] = m;
		snprintf(m->path, sizeof m->path, "/memfile/input-%d", memfile_n++);
	}
	if (!m->bytes || size > m->cap) {
		free(m->bytes);
		m->cap = size ? size : 1; /* fmemopen takes no NULL for reading */
		if (!(m->bytes = malloc(m->cap)))
			abort();
	}
	if (size)
		memcpy(m->bytes, data, size);
	m->size = size;
	return m->path;
}

FILE *__real_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
	for (int i = 0; i < memfile_n; i++) {
		memfile *m = memfile_all[i];
		if (path == m->path || strcmp(path, m->path) == 0) {
			if (mode[0] != 'r' || strchr(mode, '+'))
				abort(); /* the readers under test never write their input */
			return memfile_streams[i] = fmemopen(m->bytes, m->size, "r");
		}
	}
	return __real_fopen(path, mode);
}

int __real_setvbuf(FILE *f, char *buf, int mode, size_t size);

int __wrap_setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	for (int i = 0; i < memfile_n; i++)
		if (f == memfile_streams[i])
			return 0;
	return __real_setvbuf(f, buf, mode, size);
}

#else

static char memfile_paths[8][48]; /* removed at exit */

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

#endif

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
