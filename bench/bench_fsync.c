/*
 * The disk's floor for an acknowledged redemption: how long writing a few
 * pages and fdatasync take in DIR (where the redeemer's database is). An
 * LMDB commit (no MDB_NOSYNC) writes its dirty pages and syncs them, then
 * writes the meta page through an O_DSYNC descriptor: two syncs, so about
 * twice this per commit.
 *
 *   bench_fsync DIR [SECONDS]   (SECONDS: 2)
 *
 * Prints "fdatasync of 4 pages: N in S s, p50 X ms, p99 X ms, max X ms" and
 * a last line "RESULT n=N p50_ms=X p99_ms=X max_ms=X".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static char page[4 * 4096];
	char path[4096];
	double seconds = argc > 2 ? atof(argv[2]) : 2, t0, *lat;
	long n = 0, cap = 100000;
	int fd;

	if (argc < 2 || argc > 3 || seconds <= 0) {
		fprintf(stderr, "usage: bench_fsync DIR [SECONDS]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/bench_fsync.tmp", argv[1]);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(path);
		return 1;
	}
	lat = malloc((size_t)cap * sizeof *lat);
	memset(page, 'x', sizeof page);
	for (t0 = now(); now() - t0 < seconds && n < cap; n++) {
		double a = now();
		/* Another place each time, as LMDB writes new pages (copy on write). */
		if (pwrite(fd, page, sizeof page, (off_t)(n % 256) * (off_t)sizeof page) !=
		        (ssize_t)sizeof page ||
		    fdatasync(fd) != 0) {
			perror(path);
			return 1;
		}
		lat[n] = now() - a;
	}
	close(fd);
	unlink(path);
	qsort(lat, (size_t)n, sizeof *lat, cmp);
	printf(
	    "pwrite of 4 pages + fdatasync: %ld in %.1f s, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	    n, seconds, lat[n / 2] * 1e3, lat[n * 99 / 100] * 1e3, lat[n - 1] * 1e3);
	printf("RESULT n=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", n, lat[n / 2] * 1e3,
	       lat[n * 99 / 100] * 1e3, lat[n - 1] * 1e3);
	free(lat);
	return 0;
}
