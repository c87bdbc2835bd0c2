#include "sheet.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "log.h"

#ifndef FONT_DIR
#define FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif

#define MM      (72.0 / 25.4)
#define PAGE_W  (210 * MM)
#define PAGE_H  (297 * MM)
#define COLS    2
#define ROWS    4
#define CARD_W  (PAGE_W / COLS)
#define CARD_H  (PAGE_H / ROWS)
#define PAD     (6 * MM)
#define QR_SIDE (38 * MM) /* with its quiet zone: about 32 mm of code */

/* libharu reports errors through a callback; remember the first. */
struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font regular, bold, mono; /* mono: DejaVu Sans Mono Bold, for the code */
	HPDF_STATUS error;
};

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
	struct pdf *p = arg;

	if (!p->error) {
		p->error = code;
		LOG(LOGL_ERROR, "PDF library error 0x%04X (detail %u)", (unsigned)code,
		    (unsigned)detail);
	}
}

static void font(struct pdf *p, double size, bool bold)
{
	HPDF_Page_SetFontAndSize(p->page, bold ? p->bold : p->regular, (HPDF_REAL)size);
}

/* Show text with its baseline at (x, y) from the card's top left, cut with
 * an ellipsis to fit width. */
static void text_fit(struct pdf *p, const char *s, double x, double y, double width)
{
	char buf[512];
	size_t n = strlen(s);

	if (n >= sizeof buf - 4)
		n = sizeof buf - 4;
	memcpy(buf, s, n);
	buf[n] = '\0';
	while (HPDF_Page_TextWidth(p->page, buf) > width && n > 0) {
		/* Drop one UTF-8 character, keep the ellipsis. */
		do
			n--;
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
		memcpy(buf + n, "\xE2\x80\xA6", 4);
	}
	HPDF_Page_BeginText(p->page);
	HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)(PAGE_H - y), buf);
	HPDF_Page_EndText(p->page);
}

/* The short code with its baseline at (x, y), in bold monospace of size
 * points, or smaller if that would be wider than width: a code is never
 * cut short. */
static void code_fit(struct pdf *p, const char *code, double x, double y, double width, double size)
{
	double w;

	HPDF_Page_SetFontAndSize(p->page, p->mono, (HPDF_REAL)size);
	w = HPDF_Page_TextWidth(p->page, code);
	if (w > width)
		HPDF_Page_SetFontAndSize(p->page, p->mono, (HPDF_REAL)(size * width / w));
	HPDF_Page_BeginText(p->page);
	HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)(PAGE_H - y), code);
	HPDF_Page_EndText(p->page);
}

static void color(struct pdf *p, double r, double g, double b)
{
	HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)r, (HPDF_REAL)g, (HPDF_REAL)b);
}

/*
 * The QR as filled rectangles: each horizontal run of dark modules, grown
 * downwards while the rows below have the same run (fewer, larger
 * rectangles make a smaller PDF). (x, y) is the top left of the quiet zone.
 */
static err draw_qr(struct pdf *p, const QRcode *q, double x, double y)
{
	int w = q->width;
	double m = QR_SIDE / (w + 2 * QR_QUIET);
	unsigned char *done = calloc((size_t)w * (size_t)w, 1);

	if (!done)
		return ERR_NOMEM;
	color(p, 0, 0, 0);
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
			HPDF_Page_Rectangle(p->page, (HPDF_REAL)(x + (mx + QR_QUIET) * m),
			                    (HPDF_REAL)(PAGE_H - y - (my + QR_QUIET + rows) * m),
			                    (HPDF_REAL)(run * m), (HPDF_REAL)(rows * m));
			mx += run - 1;
		}
	HPDF_Page_Fill(p->page);
	free(done);
	return ERR_OK;
}

static err draw_card(struct pdf *p, const sheet_card *c, double x0, double y0)
{
	double tx = x0 + PAD, tw = CARD_W - 2 * PAD - QR_SIDE - 2 * MM, y = y0 + PAD + 3 * MM;
	double qx = x0 + CARD_W - PAD - QR_SIDE + 2 * MM, qy = y0 + PAD + 2 * MM;
	char line[256];
	QRcode *own = NULL;
	err rc;

	color(p, 0.55, 0.1, 0.1);
	font(p, 8.5, true);
	text_fit(p, c->title, tx, y, tw);
	y += 4.2 * MM;
	color(p, 0.3, 0.3, 0.3);
	font(p, 7, false);
	snprintf(line, sizeof line, "%s \xC2\xB7 %s", c->issuer, c->period);
	text_fit(p, line, tx, y, tw);

	y += 8 * MM;
	color(p, 0, 0, 0);
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
	color(p, 0.3, 0.3, 0.3);
	font(p, 6.5, false);
	text_fit(p, "Kode voucher", qx + 2 * MM, qy + QR_SIDE + 1 * MM, QR_SIDE - 2 * MM);
	color(p, 0, 0, 0);
	code_fit(p, c->code, qx + 2 * MM, qy + QR_SIDE + 5.6 * MM, QR_SIDE - 2 * MM, 11);
	color(p, 0.3, 0.3, 0.3);
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
static void cut_marks(struct pdf *p)
{
	double l = 4 * MM;
	HPDF_Page g = p->page;

	HPDF_Page_SetRGBStroke(g, 0.4f, 0.4f, 0.4f);
	HPDF_Page_SetLineWidth(g, 0.4f);
	for (int c = 1; c < COLS; c++) {
		double x = c * CARD_W;
		HPDF_Page_MoveTo(g, (HPDF_REAL)x, 0);
		HPDF_Page_LineTo(g, (HPDF_REAL)x, (HPDF_REAL)l);
		HPDF_Page_MoveTo(g, (HPDF_REAL)x, (HPDF_REAL)(PAGE_H - l));
		HPDF_Page_LineTo(g, (HPDF_REAL)x, (HPDF_REAL)PAGE_H);
		for (int r = 1; r < ROWS; r++) {
			double y = r * CARD_H;
			HPDF_Page_MoveTo(g, (HPDF_REAL)(x - l / 2), (HPDF_REAL)y);
			HPDF_Page_LineTo(g, (HPDF_REAL)(x + l / 2), (HPDF_REAL)y);
			HPDF_Page_MoveTo(g, (HPDF_REAL)x, (HPDF_REAL)(y - l / 2));
			HPDF_Page_LineTo(g, (HPDF_REAL)x, (HPDF_REAL)(y + l / 2));
		}
	}
	for (int r = 1; r < ROWS; r++) {
		double y = r * CARD_H;
		HPDF_Page_MoveTo(g, 0, (HPDF_REAL)y);
		HPDF_Page_LineTo(g, (HPDF_REAL)l, (HPDF_REAL)y);
		HPDF_Page_MoveTo(g, (HPDF_REAL)(PAGE_W - l), (HPDF_REAL)y);
		HPDF_Page_LineTo(g, (HPDF_REAL)PAGE_W, (HPDF_REAL)y);
	}
	HPDF_Page_Stroke(g);
}

/* The document, with DejaVu Sans (regular and bold) and DejaVu Sans Mono
 * Bold embedded for UTF-8. */
static err open_pdf(struct pdf *p)
{
	const char *regular, *bold, *mono;

	if (!(p->doc = HPDF_New(on_error, p)))
		return ERR_NOMEM;
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(p->doc);
	regular = HPDF_LoadTTFontFromFile(p->doc, FONT_DIR "/DejaVuSans.ttf", HPDF_TRUE);
	bold = HPDF_LoadTTFontFromFile(p->doc, FONT_DIR "/DejaVuSans-Bold.ttf", HPDF_TRUE);
	mono = HPDF_LoadTTFontFromFile(p->doc, FONT_DIR "/DejaVuSansMono-Bold.ttf", HPDF_TRUE);
	if (!regular || !bold || !mono) {
		LOG(LOGL_ERROR, "fonts not found in %s (Debian: fonts-dejavu-core)", FONT_DIR);
		return ERR_IO;
	}
	p->regular = HPDF_GetFont(p->doc, regular, "UTF-8");
	p->bold = HPDF_GetFont(p->doc, bold, "UTF-8");
	p->mono = HPDF_GetFont(p->doc, mono, "UTF-8");
	return p->error ? ERR_IO : ERR_OK;
}

err sheet_write_pdf(const char *path, const sheet_card *cards, size_t n)
{
	struct pdf p = {0};
	err rc = open_pdf(&p);

	for (size_t i = 0; i < n && rc == ERR_OK && !p.error; i++) {
		size_t k = i % SHEET_CARDS_PER_PAGE;
		if (k == 0) {
			p.page = HPDF_AddPage(p.doc);
			HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
			cut_marks(&p);
		}
		rc = draw_card(&p, &cards[i], (double)(k % COLS) * CARD_W,
		               (double)(k / COLS) * CARD_H);
	}
	if (rc == ERR_OK && !p.error && HPDF_SaveToFile(p.doc, path) != HPDF_OK)
		rc = ERR_IO;
	if (rc == ERR_OK && p.error)
		rc = ERR_IO;
	HPDF_Free(p.doc);
	if (rc != ERR_OK)
		remove(path);
	return rc;
}
