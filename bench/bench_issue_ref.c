/*
 * The reference for issuance: per voucher, a bare Ed25519 signature, a QR
 * encode and a PNG write (libqrencode; libpng at its default compression, the
 * same 1-bit picture of 8 pixels a module and a quiet zone of 4), on every
 * core. What a minimal issuer costs, against
 * which `voucher-issuer issue` (with SVG and PDF too) is compared.
 *
 *   bench_issue_ref N OUTDIR   prints "N vouchers in S seconds: R/s"
 */
#include <png.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base45.h"

static long total;
static long next;
static const char *outdir;
static EVP_PKEY *key;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void png(const QRcode *q, const char *path)
{
	int side = (q->width + 8) * 8, stride = (side + 7) / 8;
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(p);
	unsigned char *row = malloc((size_t)stride);
	FILE *f = fopen(path, "wb");

	if (!f || setjmp(png_jmpbuf(p)))
		abort();
	png_init_io(p, f);
	png_set_IHDR(p, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(p, info);
	for (int y = 0; y < side; y++) {
		int my = y / 8 - 4;
		memset(row, 0xff, (size_t)stride);
		for (int x = 0; x < side; x++) {
			int mx = x / 8 - 4;
			if (mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
			    (q->data[my * q->width + mx] & 1))
				row[x / 8] &= (unsigned char)~(0x80 >> (x % 8));
		}
		png_write_row(p, row);
	}
	png_write_end(p, NULL);
	png_destroy_write_struct(&p, &info);
	fclose(f);
	free(row);
}

static void *work(void *arg)
{
	uint8_t msg[52] = "UMKM-VOUCHER-v1", sig[64], tok[100];
	char text[200] = "UV1:", path[4096];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	(void)arg;
	for (;;) {
		long i;
		size_t siglen = 64;
		QRcode *q;

		pthread_mutex_lock(&lock);
		i = next < total ? next++ : -1;
		pthread_mutex_unlock(&lock);
		if (i < 0)
			break;
		memcpy(msg + 16, &i, sizeof i);
		EVP_DigestSignInit(ctx, NULL, NULL, NULL, key);
		EVP_DigestSign(ctx, sig, &siglen, msg, sizeof msg);
		memcpy(tok, msg + 16, 36);
		memcpy(tok + 36, sig, 64);
		base45_encode(tok, sizeof tok, text + 4, sizeof text - 4);
		q = QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
		snprintf(path, sizeof path, "%s/%ld.png", outdir, i);
		png(q, path);
		QRcode_free(q);
	}
	EVP_MD_CTX_free(ctx);
	return NULL;
}

int main(int argc, char **argv)
{
	static const uint8_t seed[32] = {9};
	struct timespec a, b;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t t[64];
	double s;

	if (argc != 3)
		return 2;
	total = atol(argv[1]);
	outdir = argv[2];
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (cores < 1 || cores > 64)
		cores = cores < 1 ? 1 : 64;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < cores; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (long i = 0; i < cores; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld vouchers in %.2f s: %.0f/s (%ld threads)\n", total, s, total / s, cores);
	EVP_PKEY_free(key);
	return 0;
}
