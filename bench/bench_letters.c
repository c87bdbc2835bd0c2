/*
 * What reconcile's letters cost: OPDS letters to heads of OPDs (issuer/letters)
 * of ASN names each in the list of those who missed their minimum (and a
 * tenth of them in the repeat list, a full year of trend), written one
 * after another on one core into DIR. reconcile writes one per OPD every
 * month; letter_write_pdf is thread-safe, so a pool could share them out.
 *
 *   bench_letters DIR [OPDS [ASN]]   (40 OPDs, 500 ASN)
 *
 * Prints "N letters of M ASN in S s (X ms a letter), B bytes in all" and a
 * last line "RESULT letters=N asn=M seconds=S ms_per_letter=X bytes=B".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../issuer/letters.h"
#include "file.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const first[] = {"Ahmad",    "Siti", "Budi", "Dewi",  "Ni Luh Putu Ayu",
	                                    "Muhammad", "Rina", "Agus", "Wahyu", "Yuliana"};
	static const char *const last[] = {"Santoso",
	                                   "Rahmawati",
	                                   "Prasetyo",
	                                   "Lestari",
	                                   "Sr\xC3\xAE Dew\xC3\xAE",
	                                   "\xE2\x80\x98"
	                                   "Abdull\xC4\x81h",
	                                   "Kurniawan",
	                                   "Wulandari",
	                                   "Saputra",
	                                   "Nugroho"};
	static const char *const month[] = {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun",
	                                    "Jul", "Agu", "Sep", "Okt", "Nov", "Des"};
	int opds = argc > 2 ? atoi(argv[2]) : 40, n = argc > 3 ? atoi(argv[3]) : 500;
	char(*names)[64], (*opd)[64], (*labels)[16], path[4096], file[FILE_NAME_MAX + 4];
	const char **opd_list;
	letter_asn *missed;
	letter_repeat *repeat;
	letter_month trend[12];
	long long bytes = 0;
	double t0, t;

	if (argc < 2 || opds < 1 || n < 0) {
		fprintf(stderr, "usage: bench_letters DIR [OPDS [ASN]]\n");
		return 2;
	}
	names = calloc((size_t)n + 1, sizeof *names);
	opd = calloc((size_t)opds, sizeof *opd);
	opd_list = calloc((size_t)opds, sizeof *opd_list);
	labels = calloc(12, sizeof *labels);
	missed = calloc((size_t)n + 1, sizeof *missed);
	repeat = calloc((size_t)n / 10 + 1, sizeof *repeat);
	if (!names || !opd || !opd_list || !labels || !missed || !repeat)
		return 1;
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "%s %s %d", first[i % 10], last[(i / 10) % 10],
		         i);
		missed[i] = (letter_asn){names[i], "1985**********2001", 150000, (i % 7) * 10000};
	}
	for (int i = 0; i < n / 10; i++)
		repeat[i] = (letter_repeat){names[i * 10], "1985**********2001", 2 + i % 2};
	for (int m = 0; m < 12; m++) {
		snprintf(labels[m], sizeof labels[m], "%s 2026", month[m]);
		trend[m] = (letter_month){labels[m], m == 2 ? -1 : 600 + 30 * m};
	}
	for (int o = 0; o < opds; o++) {
		snprintf(opd[o], sizeof opd[o], "Dinas Nomor %02d Kabupaten Probolinggo", o + 1);
		opd_list[o] = opd[o];
	}
	if (file_mkdirs(argv[1], 0700) != ERR_OK) {
		perror(argv[1]);
		return 1;
	}

	t0 = now();
	for (int o = 0; o < opds; o++) {
		letter l = {.region = "KABUPATEN PROBOLINGGO",
		            .place = "Probolinggo",
		            .opd = opd[o],
		            .period_text = "Desember 2026",
		            .made_on = "5 Januari 2027",
		            .asn = 4 * (int64_t)n,
		            .met = 3 * (int64_t)n,
		            .pct_tenths = 750,
		            .issued = 600000 * (int64_t)n,
		            .redeemed = 500000 * (int64_t)n,
		            .unspent = 100000 * (int64_t)n,
		            .rank = o + 1,
		            .of = opds,
		            .trend = trend,
		            .n_trend = 12,
		            .missed = missed,
		            .n_missed = (size_t)n,
		            .repeat = repeat,
		            .n_repeat = (size_t)n / 10};
		err rc;
		letter_file_name(opd_list, (size_t)o, file, sizeof file);
		snprintf(path, sizeof path, "%s/%s", argv[1], file);
		if ((rc = letter_write_pdf(path, &l)) != ERR_OK) {
			fprintf(stderr, "%s: error %d\n", path, (int)rc);
			return 1;
		}
	}
	t = now() - t0;
	for (int o = 0; o < opds; o++) {
		struct stat st;
		letter_file_name(opd_list, (size_t)o, file, sizeof file);
		snprintf(path, sizeof path, "%s/%s", argv[1], file);
		if (stat(path, &st) == 0)
			bytes += st.st_size;
	}
	printf("%d letters of %d ASN in %.2f s (%.0f ms a letter), %lld bytes in all\n", opds, n, t,
	       t * 1000 / opds, bytes);
	printf("RESULT letters=%d asn=%d seconds=%.3f ms_per_letter=%.1f bytes=%lld\n", opds, n, t,
	       t * 1000 / opds, bytes);
	free(names);
	free(opd);
	free(opd_list);
	free(labels);
	free(missed);
	free(repeat);
	return 0;
}
