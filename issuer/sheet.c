#include "sheet.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf.h"

#define MM      PDF_MM
#define PAGE_W  PDF_A4_W
#define PAGE_H  PDF_A4_H
#define COLS    2
#define ROWS    4
#define CARD_W  (PAGE_W / COLS)
#define CARD_H  (PAGE_H / ROWS)
#define PAD     (6 * MM)
#define QR_SIDE (38 * MM) /* with its quiet zone: about 32 mm of code */

static void font(pdf *p, double size, bool bold)
{
	pdf_font(p, bold ? PDF_SANS_BOLD : PDF_SANS, size);
}

/* Show text with its baseline at (x, y), cut with an ellipsis to fit
 * width. */
static void text_fit(pdf *p, const char *s, double x, double y, double width)
{
	pdf_text_fit(p, s, x, y, width, PDF_LEFT);
}

/*
 * The QR as filled rectangles: each horizontal run of dark modules, grown
 * downwards while the rows below have the same run (fewer, larger
 * rectangles make a smaller PDF). (x, y) is the top left of the quiet zone.
 */
static err draw_qr(pdf *p, const QRcode *q, double x, double y)
{
	int w = q->width;
	double m = QR_SIDE / (w + 2 * QR_QUIET);
	unsigned char *done = calloc((size_t)w * (size_t)w, 1);

	if (!done)
		return ERR_NOMEM;
	pdf_color(p, 0, 0, 0);
	for (int my = 0; my < w; my++)
		for (int mx = 0; mx < w; mx++) {
			int run = 0, rows = 1;
			if (!qr_dark(q, mx, my) || done[my * w + mx])
				continue;
			while (mx + run < w && qr_dark(q, mx + run, my) && !done[my * w + mx + run])
				run++;
			for (;; rows++) {
				int yy = my + rows, k;
				if (yy >= w)
					break;
				for (k = 0; k < run; k++)
					if (!qr_dark(q, mx + k, yy) || done[yy * w + mx + k])
						break;
				/* The same run exactly: not longer on either side. */
				if (k < run ||
				    (mx > 0 && qr_dark(q, mx - 1, yy) && !done[yy * w + mx - 1]) ||
				    (mx + run < w && qr_dark(q, mx + run, yy)))
					break;
			}
			for (int r = 0; r < rows; r++)
				memset(done + (my + r) * w + mx, 1, (size_t)run);
			pdf_rect(p, x + (mx + QR_QUIET) * m, y + (my + QR_QUIET) * m, run * m,
			         rows * m);
			mx += run - 1;
		}
	pdf_fill(p);
	free(done);
	return ERR_OK;
}

static err draw_card(pdf *p, const sheet_card *c, double x0, double y0)
{
	double tx = x0 + PAD, tw = CARD_W - 2 * PAD - QR_SIDE - 2 * MM, y = y0 + PAD + 3 * MM;
	double qx = x0 + CARD_W - PAD - QR_SIDE + 2 * MM, qy = y0 + PAD + 2 * MM;
	char line[256];
	QRcode *own = NULL;
	err rc;

	pdf_color(p, 0.55, 0.1, 0.1);
	font(p, 8.5, true);
	text_fit(p, c->title, tx, y, tw);
	y += 4.2 * MM;
	pdf_color(p, 0.3, 0.3, 0.3);
	font(p, 7, false);
	snprintf(line, sizeof line, "%s \xC2\xB7 %s", c->issuer, c->period);
	text_fit(p, line, tx, y, tw);

	y += 8 * MM;
	pdf_color(p, 0, 0, 0);
	font(p, 10.5, true);
	text_fit(p, c->name, tx, y, tw);
	y += 4.8 * MM;
	font(p, 8, false);
	snprintf(line, sizeof line, "NIP %s", c->nip_masked);
	text_fit(p, line, tx, y, tw);
	y += 4.2 * MM;
	text_fit(p, c->opd, tx, y, tw);
	y += 9.5 * MM;
	font(p, 17, true);
	text_fit(p, c->amount, tx, y, tw);
	y += 6.5 * MM;
	font(p, 7, false);
	text_fit(p, "Berlaku:", tx, y, tw);
	y += 3.6 * MM;
	text_fit(p, c->validity, tx, y, tw);

	/* Under the QR: the code to type or read out, as wide as the QR's
	 * modules at 11 points, then the serial. */
	pdf_color(p, 0.3, 0.3, 0.3);
	font(p, 6.5, false);
	text_fit(p, "Kode voucher", qx + 2 * MM, qy + QR_SIDE + 1 * MM, QR_SIDE - 2 * MM);
	pdf_color(p, 0, 0, 0);
	pdf_font(p, PDF_MONO_BOLD, 11);
	pdf_text_shrink(p, c->code, qx + 2 * MM, qy + QR_SIDE + 5.6 * MM, QR_SIDE - 2 * MM,
	                PDF_LEFT);
	pdf_color(p, 0.3, 0.3, 0.3);
	font(p, 6.5, false);
	snprintf(line, sizeof line, "Seri %s", c->serial);
	text_fit(p, line, qx + 2 * MM, qy + QR_SIDE + 9.8 * MM, QR_SIDE - 2 * MM);
	text_fit(p, "Tunjukkan kode ini ke kasir galeri UMKM.", tx, y0 + CARD_H - PAD + 1 * MM,
	         CARD_W - 2 * PAD);

	if (!c->qr && !(own = qr_encode(c->token)))
		return ERR_NOMEM;
	rc = draw_qr(p, c->qr ? c->qr : own, qx, qy);
	QRcode_free(own);
	return rc;
}

/* Cut marks: short lines where the cards meet, at the page's edges and the
 * inner crossings, so that a guillotine finds every cut. */
static void cut_marks(pdf *p)
{
	double l = 4 * MM;

	pdf_pen(p, 0.4, 0.4, 0.4, 0.4);
	for (int c = 1; c < COLS; c++) {
		double x = c * CARD_W;
		pdf_line(p, x, PAGE_H, x, PAGE_H - l);
		pdf_line(p, x, l, x, 0);
		for (int r = 1; r < ROWS; r++) {
			double y = r * CARD_H;
			pdf_line(p, x - l / 2, y, x + l / 2, y);
			pdf_line(p, x, y - l / 2, x, y + l / 2);
		}
	}
	for (int r = 1; r < ROWS; r++) {
		double y = r * CARD_H;
		pdf_line(p, 0, y, l, y);
		pdf_line(p, PAGE_W - l, y, PAGE_W, y);
	}
	pdf_stroke(p);
}

err sheet_write_pdf(const char *path, const sheet_card *cards, size_t n)
{
	pdf *p = NULL;
	err rc =
	    pdf_new(PDF_FONT(PDF_SANS) | PDF_FONT(PDF_SANS_BOLD) | PDF_FONT(PDF_MONO_BOLD), &p);

	for (size_t i = 0; i < n && rc == ERR_OK; i++) {
		size_t k = i % SHEET_CARDS_PER_PAGE;
		if (k == 0) {
			pdf_page(p);
			cut_marks(p);
		}
		rc = draw_card(p, &cards[i], (double)(k % COLS) * CARD_W,
		               (double)(k / COLS) * CARD_H);
	}
	if (rc == ERR_OK)
		rc = pdf_save(p, path, 0644);
	pdf_free(p);
	return rc;
}
