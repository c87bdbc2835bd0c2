/*
 * letters: the monthly report to the head of one OPD, letters/OPD.pdf (A4,
 * in Indonesian): how many of its ASN spent their minimum at UMKM
 * galleries, the rupiah issued, redeemed and unspent, its compliance over
 * the last months as a bar chart, its rank among the OPDs, who did not
 * meet the minimum and who missed it again, and room for the head of the
 * finance office to sign (Instruksi Bupati Probolinggo 9/2024: reports per
 * OPD, reward and punishment).
 *
 * The caller fills plain data; nothing here knows reconcile. All text is
 * UTF-8 and printed as given (the period, the dates and the trend's labels
 * come formatted). Nothing is logged: the letter holds names.
 */
#ifndef LETTERS_H
#define LETTERS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define LETTER_TREND_MAX 12 /* months in the chart */
#define LETTER_REPEAT_OF 3  /* the repeat list looks at the last 3 months */

/* One month of the trend: "Jan 2026", compliance in tenths of a percent
 * (875 is 87,5%), or -1 when that month has no data. */
typedef struct letter_month {
	const char *label;
	int pct_tenths;
} letter_month;

/* An ASN who did not spend the minimum this period. nip_masked as nip_mask
 * makes it ("1972**********1039"): the letter refuses one that shows more
 * than 8 digits, so a whole NIP never reaches paper. */
typedef struct letter_asn {
	const char *name;
	const char *nip_masked;
	int64_t issued;   /* the voucher's face value, rupiah */
	int64_t redeemed; /* what was spent of it */
} letter_asn;

/* An ASN who missed the minimum in times (2 or 3) of the last
 * LETTER_REPEAT_OF months. */
typedef struct letter_repeat {
	const char *name;
	const char *nip_masked;
	int times;
} letter_repeat;

typedef struct letter {
	const char *region;      /* "KABUPATEN PROBOLINGGO", under the title */
	const char *place;       /* where it is signed: "Probolinggo"; NULL: dots */
	const char *opd;         /* the OPD's name as in the roster */
	const char *period_text; /* "Desember 2026" */
	const char *made_on;     /* "5 Januari 2027" */
	const char *basis;       /* the instruction it answers, or NULL:
	                            "Instruksi Bupati Probolinggo Nomor 9 Tahun 2024" */
	const char *signer;      /* "Kepala BPKAD" when NULL */

	int64_t asn;    /* ASN who had a voucher */
	int64_t met;    /* of them, those who spent the minimum */
	int pct_tenths; /* compliance, 0..1000 tenths of a percent */
	int64_t issued; /* rupiah: issued = redeemed + unspent */
	int64_t redeemed;
	int64_t unspent; /* negative when the OPD's ASN overspent (a finding) */
	int rank, of;    /* place rank among of OPDs by compliance; rank 0: unknown */

	const letter_month *trend; /* oldest first, the last drawn darker as the latest */
	size_t n_trend;            /* 0..LETTER_TREND_MAX */
	const letter_asn *missed;  /* in the order to print */
	size_t n_missed;
	const letter_repeat *repeat;
	size_t n_repeat;
} letter;

/*
 * Write l's letter to path (mode 0600, replaced atomically): one A4 page,
 * or more when the lists are long; each further page repeats a running
 * head and its table's header, and every page is numbered
 * ("Halaman 1 dari 3"). A name too long for its column wraps onto a second
 * line and is cut with an ellipsis beyond that.
 * ERR_INVALID, with nothing written, when a text is missing (region, opd,
 * period_text, made_on, each label, name and NIP) or not UTF-8 text, a NIP shows
 * more than 8 digits, an amount is negative, issued != redeemed + unspent,
 * met > asn, a percentage is out of 0..1000 (-1 allowed in the trend), a
 * rank is out of 0..of, times out of 1..LETTER_REPEAT_OF, or n_trend >
 * LETTER_TREND_MAX. ERR_IO when the fonts or the file fail (logged),
 * ERR_NOMEM. Thread-safe: letters of different OPDs can be written at once.
 */
err letter_write_pdf(const char *path, const letter *l);

/*
 * The file name (with ".pdf", no folder) of the letter of opds[i], i in a
 * list of every OPD of the run (only opds[0..i] are read): common/file's
 * file_name_in, so the same list in the same order (sorted by name, as
 * issue sorts them) names each OPD's letter as its sheets:
 * "Dinas_Kesehatan.pdf". out: n bytes, FILE_NAME_MAX + 4 is enough.
 */
void letter_file_name(const char *const *opds, size_t i, char *out, size_t n);

#endif
