#include "sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "qr.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define COLS 2
#define ROWS 4
#define CARD_W (PAGE_W / COLS)
#define CARD_H (PAGE_H / ROWS)
#define PAD (6 * MM)
#define QR_SIDE (38 * MM) /* with its quiet zone: about 32 mm of code */

/* Show text at (x, y), cut with an ellipsis to fit width. */
static void text_fit(cairo_t *cr, const char *s, double x, double y, double width)
{
	char buf[512];
	cairo_text_extents_t ext;
	size_t n = strlen(s);

	if (n >= sizeof buf - 4)
		n = sizeof buf - 4;
	memcpy(buf, s, n);
	buf[n] = '\0';
	cairo_text_extents(cr, buf, &ext);
	while (ext.x_advance > width && n > 0) {
		/* Drop one UTF-8 character, keep the ellipsis. */
		do
			n--;
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
		memcpy(buf + n, "\xE2\x80\xA6", 4);
		cairo_text_extents(cr, buf, &ext);
	}
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, buf);
}

static void font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/*
 * The QR as filled rectangles in module units: each horizontal run of dark
 * modules, grown downwards while the rows below have the same run (fewer
 * and larger rectangles make a smaller, faster PDF).
 */
static err draw_qr(cairo_t *cr, const QRcode *q, double x, double y)
{
	unsigned char *done;
	int w = q->width;

	if (!(done = calloc((size_t)w * (size_t)w, 1)))
		return ERR_NOMEM;
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_scale(cr, QR_SIDE / (w + 2 * QR_QUIET), QR_SIDE / (w + 2 * QR_QUIET));
	cairo_set_source_rgb(cr, 0, 0, 0);
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
				if (k < run || (mx > 0 && qr_dark(q, mx - 1, yy) && !done[yy * w + mx - 1]) ||
				    (mx + run < w && qr_dark(q, mx + run, yy)))
					break;
			}
			for (int r = 0; r < rows; r++)
				memset(done + (my + r) * w + mx, 1, (size_t)run);
			cairo_rectangle(cr, mx + QR_QUIET, my + QR_QUIET, run, rows);
			mx += run - 1;
		}
	cairo_fill(cr);
	cairo_restore(cr);
	free(done);
	return ERR_OK;
}

static err draw_card(cairo_t *cr, const sheet_card *c, double x0, double y0)
{
	double tx = x0 + PAD, tw = CARD_W - 2 * PAD - QR_SIDE - 2 * MM, y = y0 + PAD + 3 * MM;
	double qx = x0 + CARD_W - PAD - QR_SIDE + 2 * MM, qy = y0 + PAD + 2 * MM;
	char line[256];

	cairo_set_source_rgb(cr, 0.55, 0.1, 0.1);
	font(cr, 8.5, 1);
	text_fit(cr, c->title, tx, y, tw);
	y += 4.2 * MM;
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	font(cr, 7, 0);
	snprintf(line, sizeof line, "%s \xC2\xB7 %s", c->issuer, c->period);
	text_fit(cr, line, tx, y, tw);

	y += 8 * MM;
	cairo_set_source_rgb(cr, 0, 0, 0);
	font(cr, 10.5, 1);
	text_fit(cr, c->name, tx, y, tw);
	y += 4.8 * MM;
	font(cr, 8, 0);
	snprintf(line, sizeof line, "NIP %s", c->nip_masked);
	text_fit(cr, line, tx, y, tw);
	y += 4.2 * MM;
	text_fit(cr, c->opd, tx, y, tw);
	y += 9.5 * MM;
	font(cr, 17, 1);
	text_fit(cr, c->amount, tx, y, tw);
	y += 6.5 * MM;
	font(cr, 7, 0);
	text_fit(cr, "Berlaku:", tx, y, tw);
	y += 3.6 * MM;
	text_fit(cr, c->validity, tx, y, tw);

	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	font(cr, 6.5, 0);
	snprintf(line, sizeof line, "Seri %s", c->serial);
	text_fit(cr, line, qx + 2 * MM, qy + QR_SIDE + 1 * MM, QR_SIDE);
	text_fit(cr, "Tunjukkan kode ini ke kasir galeri UMKM.", tx, y0 + CARD_H - PAD + 1 * MM,
		 CARD_W - 2 * PAD);
	if (c->qr)
		return draw_qr(cr, c->qr, qx, qy);
	else {
		QRcode *q = qr_encode(c->token);
		err rc = q ? draw_qr(cr, q, qx, qy) : ERR_NOMEM;
		QRcode_free(q);
		return rc;
	}
}

/* Cut marks: short lines where the cards meet, at the page's edges and the
 * inner crossings, so that a guillotine finds every cut. */
static void cut_marks(cairo_t *cr)
{
	double l = 4 * MM;

	cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(cr, 0.4);
	for (int c = 1; c < COLS; c++) {
		double x = c * CARD_W;
		cairo_move_to(cr, x, 0);
		cairo_line_to(cr, x, l);
		cairo_move_to(cr, x, PAGE_H - l);
		cairo_line_to(cr, x, PAGE_H);
		for (int r = 1; r < ROWS; r++) {
			cairo_move_to(cr, x - l / 2, r * CARD_H);
			cairo_line_to(cr, x + l / 2, r * CARD_H);
			cairo_move_to(cr, x, r * CARD_H - l / 2);
			cairo_line_to(cr, x, r * CARD_H + l / 2);
		}
	}
	for (int r = 1; r < ROWS; r++) {
		cairo_move_to(cr, 0, r * CARD_H);
		cairo_line_to(cr, l, r * CARD_H);
		cairo_move_to(cr, PAGE_W - l, r * CARD_H);
		cairo_line_to(cr, PAGE_W, r * CARD_H);
	}
	cairo_stroke(cr);
}

err sheet_write_pdf(const char *path, const sheet_card *cards, size_t n)
{
	cairo_surface_t *s = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
	cairo_t *cr = cairo_create(s);
	err rc = ERR_OK;

	for (size_t i = 0; i < n && rc == ERR_OK; i++) {
		size_t k = i % SHEET_CARDS_PER_PAGE;
		if (k == 0 && i > 0)
			cairo_show_page(cr);
		if (k == 0)
			cut_marks(cr);
		rc = draw_card(cr, &cards[i], (double)(k % COLS) * CARD_W,
			       (double)(k / COLS) * CARD_H);
	}
	if (n > 0)
		cairo_show_page(cr);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		rc = ERR_IO;
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		rc = ERR_IO;
	cairo_surface_destroy(s);
	if (rc != ERR_OK)
		remove(path);
	return rc;
}
