/*
 * sheet: printable A4 voucher sheets as PDF (libharu), eight cards a page (two
 * columns, four rows) with cut marks, the QR code drawn as vectors and the
 * voucher's short code printed under it.
 */
#ifndef SHEET_H
#define SHEET_H

#include <stddef.h>

#include "err.h"
#include "qr.h"

/* One card. All text is UTF-8, preformatted by the caller; nothing here is
 * logged (the code is as secret as the token). The NIP must come masked
 * already. */
typedef struct sheet_card {
	const char *title;  /* the scheme: "Gerakan ASN Belanja Produk UMKM" */
	const char *issuer; /* the region id */
	const char *name;
	const char *nip_masked; /* "1972**********1039" */
	const char *opd;
	const char *amount;   /* "Rp150.000" */
	const char *period;   /* "Desember 2026" */
	const char *validity; /* "1 Desember 2026 - 3 Januari 2027" */
	const char *serial;
	const char *code;  /* the short code as printed: "XQC5-S345-MHE9" */
	const QRcode *qr;  /* the token's QR code (qr_encode), or NULL */
	const char *token; /* the QR text, encoded here when qr is NULL */
} sheet_card;

#define SHEET_CARDS_PER_PAGE 8

/* Write n cards to a new PDF at path (replacing it). Thread-safe. */
err sheet_write_pdf(const char *path, const sheet_card *cards, size_t n);

#endif
