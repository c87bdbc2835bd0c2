/*
 * Vouchers for the redemption benchmarks: N fresh tokens, one a line, signed
 * by the issuer key in KEYDIR (made by `voucher-keys generate`; opened as
 * `voucher-issuer issue` opens it, so an unbound key is bound to ISSUER in
 * KEYDIR/keyring, which is what the redeemer is then given). Single use,
 * face value 50,000, any gallery, distinct serials (a random start, then
 * consecutive), valid now: the current month in WIB plus 3 grace days.
 * Signed on every core.
 *
 *   bench_mint KEYDIR N OUTFILE [ISSUER]   (ISSUER: BENCH)
 *
 * Prints "minted N vouchers in S s: R/s (T threads)" on stderr.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "../issuer/signkey.h"
#include "period.h"
#include "sign/sign.h"
#include "voucher.h"

#define CHUNK 65536
#define LINE  (VOUCHER_TEXT_LEN + 1)

static signkey key;
static voucher proto;
static uint64_t first_serial;
static char *buf; /* CHUNK lines of the chunk being signed */
static long chunk_base, chunk_len;
static int nthreads;

static void *sign_part(void *arg)
{
	long t = (long)(intptr_t)arg;
	long from = chunk_len * t / nthreads, to = chunk_len * (t + 1) / nthreads;

	for (long i = from; i < to; i++) {
		voucher v = proto;
		v.serial = first_serial + (uint64_t)(chunk_base + i);
		if (voucher_sign(&v, key.signer) != ERR_OK ||
		    voucher_encode(&v, buf + i * LINE, LINE + 1) != VOUCHER_TEXT_LEN) {
			fprintf(stderr, "bench_mint: signing failed\n");
			exit(1);
		}
		buf[i * LINE + VOUCHER_TEXT_LEN] = '\n';
	}
	sig_thread_done();
	return NULL;
}

int main(int argc, char **argv)
{
	const char *issuer = argc > 4 ? argv[4] : "BENCH";
	const tzone *wib = tzone_find("Asia/Jakarta");
	char why[512];
	long n, cores = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t from, until;
	struct timespec a, b;
	pthread_t th[64];
	date today;
	period p;
	FILE *out;
	double s;

	if (argc < 4 || argc > 5 || (n = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_mint KEYDIR N OUTFILE [ISSUER]\n");
		return 2;
	}
	today = date_at(time(NULL), wib);
	p.year = today.year;
	p.month = today.month;
	if (signkey_open(argv[1], issuer, p, NULL, &key, why, sizeof why) != ERR_OK) {
		fprintf(stderr, "bench_mint: %s\n", why);
		return 1;
	}
	period_window(p, 3, wib, &from, &until);
	proto.flags = 0; /* single use */
	tag_of("issuer", key.issuer, proto.issuer_tag);
	tag_of("kid", key.kid, proto.kid_tag);
	proto.year = (uint16_t)p.year;
	proto.month = (uint8_t)p.month;
	proto.valid_from = (uint32_t)from;
	proto.valid_until = (uint32_t)until;
	proto.face_value = 50000;
	/* A random start below 2^63, so start + N neither wraps nor is 0. */
	if (RAND_bytes((unsigned char *)&first_serial, sizeof first_serial) != 1)
		return 1;
	first_serial = (first_serial >> 2) | 1;

	if (!(out = fopen(argv[3], "w")) || !(buf = malloc((size_t)CHUNK * LINE + 1))) {
		perror(argv[3]);
		return 1;
	}
	nthreads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (chunk_base = 0; chunk_base < n; chunk_base += chunk_len) {
		chunk_len = n - chunk_base < CHUNK ? n - chunk_base : CHUNK;
		for (long t = 0; t < nthreads; t++)
			pthread_create(&th[t], NULL, sign_part, (void *)(intptr_t)t);
		for (long t = 0; t < nthreads; t++)
			pthread_join(th[t], NULL);
		if (fwrite(buf, LINE, (size_t)chunk_len, out) != (size_t)chunk_len) {
			perror(argv[3]);
			return 1;
		}
	}
	if (fclose(out) != 0) {
		perror(argv[3]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	fprintf(stderr, "minted %ld vouchers in %.2f s: %.0f/s (%d threads)\n", n, s, n / s,
	        nthreads);
	free(buf);
	signkey_close(&key);
	return 0;
}
