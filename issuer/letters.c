#include "letters.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "money.h"
#include "pdf.h"
#include "utf8.h"

/* The page: margins of an Indonesian official letter (left 2.5 cm, right,
 * top and bottom 2 cm), the footer in the bottom margin. */
#define MM     PDF_MM
#define LEFT   (25 * MM)
#define WIDTH  (165 * MM)
#define TOP    (20 * MM)
#define BOTTOM (275 * MM) /* nothing but the footer below */
#define FOOT   (287 * MM) /* the footer's baseline */

#define BODY   10.0 /* points: the letter's text */
#define LEAD   (5.2 * MM)
#define SMALL  8.5 /* the tables */
#define ROW_H  (5.4 * MM)
#define ROW_LN (3.9 * MM) /* each further line of a wrapped name */
#define PAD    (1.6 * MM)
#define GAP    (4 * MM) /* between the parts */

#define SCHEME "Gerakan ASN Belanja Produk UMKM"
#define SIGN_H (GAP + 4 * LEAD + 20 * MM) /* place and date to NIP */

struct lt {
	pdf *p;
	const letter *l;
	double y; /* top of what comes next on the page */
	err rc;   /* ERR_NOMEM from building a text */
};

/* ---- text ---- */

static void gray(pdf *p, double v)
{
	pdf_color(p, v, v, v);
}

/* s with a baseline size points below t->y, in the box from x to x + w,
 * then t->y moves down by lead. */
static void line(struct lt *t, pdf_face f, double size, const char *s, double x, double w,
                 pdf_align a, double lead)
{
	pdf_font(t->p, f, size);
	pdf_text_fit(t->p, s, x, t->y + size, w, a);
	t->y += lead;
}

/* ---- pages ---- */

/* A further page: a running head naming the OPD and the period. */
static void next_page(struct lt *t)
{
	char s[160];

	pdf_page(t->p);
	t->y = TOP;
	gray(t->p, 0.3);
	snprintf(s, sizeof s, "Laporan Bulanan %s \xE2\x80\x94 Periode %s (lanjutan)", SCHEME,
	         t->l->period_text);
	pdf_font(t->p, PDF_SANS, 8);
	pdf_text_fit(t->p, s, LEFT, t->y + 8, WIDTH, PDF_LEFT);
	gray(t->p, 0);
	t->y += 4.4 * MM;
	line(t, PDF_SANS_BOLD, 9.5, t->l->opd, LEFT, WIDTH, PDF_LEFT, 5 * MM);
	pdf_pen(t->p, 0, 0, 0, 0.6);
	pdf_line(t->p, LEFT, t->y, LEFT + WIDTH, t->y);
	pdf_stroke(t->p);
	t->y += 5 * MM;
}

/* Make room for h points: a new page when this one has not. True when it
 * turned the page. */
static bool need(struct lt *t, double h)
{
	if (t->y + h <= BOTTOM)
		return false;
	next_page(t);
	return true;
}

/* A paragraph made with printf's fmt, wrapped into the box from x to
 * x + w, on this page when it fits with keep points more under it (what
 * must not be parted from it), on the next otherwise. */
static void para(struct lt *t, pdf_face f, double x, double w, double keep, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void para(struct lt *t, pdf_face f, double x, double w, double keep, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	size_t n;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0) {
		t->rc = ERR_NOMEM;
		return;
	}
	pdf_font(t->p, f, BODY);
	n = pdf_text_lines(t->p, s, w, SIZE_MAX);
	need(t, (double)n * LEAD + keep);
	pdf_font(t->p, f, BODY);
	pdf_text_box(t->p, s, x, t->y + BODY, w, LEAD, SIZE_MAX, PDF_LEFT);
	t->y += (double)n * LEAD;
	free(s);
}

static void count_text(int64_t v, const char *unit, char *out, size_t n)
{
	char num[MONEY_FMT_MAX];

	money_format_number(v, num, sizeof num);
	snprintf(out, n, "%s %s", num, unit);
}

/* "87,5%": tenths of a percent, with the Indonesian decimal comma. */
static void pct_text(int tenths, char *out, size_t n)
{
	snprintf(out, n, "%d,%d%%", tenths / 10, tenths % 10);
}

/* Every page's footer, once the pages are all made: the letter it belongs
 * to and "Halaman i dari n". */
static void footers(struct lt *t)
{
	size_t n = pdf_pages(t->p);
	char s[200], num[64];

	snprintf(s, sizeof s, "Laporan Bulanan %s \xC2\xB7 Periode %s", SCHEME, t->l->period_text);
	for (size_t i = 0; i < n; i++) {
		pdf_page_select(t->p, i);
		pdf_pen(t->p, 0.6, 0.6, 0.6, 0.4);
		pdf_line(t->p, LEFT, FOOT - 4 * MM, LEFT + WIDTH, FOOT - 4 * MM);
		pdf_stroke(t->p);
		gray(t->p, 0.35);
		pdf_font(t->p, PDF_SANS, 7.5);
		snprintf(num, sizeof num, "Halaman %zu dari %zu", i + 1, n);
		pdf_text_fit(t->p, s, LEFT, FOOT, WIDTH - 35 * MM, PDF_LEFT);
		pdf_text_fit(t->p, num, LEFT + WIDTH - 33 * MM, FOOT, 33 * MM, PDF_RIGHT);
	}
}

/* ---- tables ---- */

struct col {
	const char *head;
	double w;
	pdf_align align;
	bool wrap; /* a name: two lines, then cut; anything else shrinks to fit */
};

#define COLS_MAX 5

/* One row's texts; num holds the ones made for it. */
struct cells {
	const char *v[COLS_MAX];
	char num[COLS_MAX][64];
};

static double table_width(const struct col *c, size_t nc)
{
	double w = 0;

	for (size_t i = 0; i < nc; i++)
		w += c[i].w;
	return w;
}

static double row_height(struct lt *t, const struct col *c, size_t nc, const struct cells *x)
{
	size_t lines = 1;

	pdf_font(t->p, PDF_SANS, SMALL);
	for (size_t i = 0; i < nc; i++) {
		size_t k = c[i].wrap ? pdf_text_lines(t->p, x->v[i], c[i].w - 2 * PAD, 2) : 1;
		if (k > lines)
			lines = k;
	}
	return ROW_H + (double)(lines - 1) * ROW_LN;
}

/* A row h high at t->y: the header (bold, shaded) or a row of cells, the
 * odd ones lightly shaded, with its grid. */
static void row(struct lt *t, const struct col *c, size_t nc, const struct cells *x, double h,
                bool head, bool shade)
{
	double x0 = LEFT, w = table_width(c, nc), base = t->y + ROW_H / 2 + SMALL * 0.36;

	if (head || shade) {
		gray(t->p, head ? 0.86 : 0.955);
		pdf_rect(t->p, LEFT, t->y, w, h);
		pdf_fill(t->p);
	}
	gray(t->p, 0);
	pdf_font(t->p, head ? PDF_SANS_BOLD : PDF_SANS, SMALL);
	for (size_t i = 0; i < nc; i++) {
		const char *s = head ? c[i].head : x->v[i];
		if (c[i].wrap && !head)
			pdf_text_box(t->p, s, x0 + PAD, base, c[i].w - 2 * PAD, ROW_LN, 2,
			             PDF_LEFT);
		else /* a figure is never cut short */
			pdf_text_shrink(t->p, s, x0 + PAD, base, c[i].w - 2 * PAD, c[i].align);
		x0 += c[i].w;
	}
	pdf_pen(t->p, 0.45, 0.45, 0.45, 0.4);
	x0 = LEFT;
	for (size_t i = 0; i <= nc; i++) {
		pdf_line(t->p, x0, t->y, x0, t->y + h);
		if (i < nc)
			x0 += c[i].w;
	}
	pdf_line(t->p, LEFT, t->y, LEFT + w, t->y);
	pdf_line(t->p, LEFT, t->y + h, LEFT + w, t->y + h);
	pdf_stroke(t->p);
	t->y += h;
}

/* A part's title, bold, wrapped: its height, and drawing it. */
static double section_height(struct lt *t, const char *title)
{
	pdf_font(t->p, PDF_SANS_BOLD, BODY);
	return (double)pdf_text_lines(t->p, title, WIDTH, 3) * LEAD + 1.5 * MM;
}

static void section(struct lt *t, const char *title)
{
	double h = section_height(t, title);

	pdf_text_box(t->p, title, LEFT, t->y + BODY, WIDTH, LEAD, 3, PDF_LEFT);
	t->y += h;
}

/*
 * A section of n rows, get(ctx, i, cells) giving row i: its title, the
 * header and the rows, page after page, each page's part under the title
 * "(lanjutan)" and the header again. The title and the header never stand
 * without a row under them.
 */
static void table(struct lt *t, const char *title, const struct col *c, size_t nc, size_t n,
                  void (*get)(const void *ctx, size_t i, struct cells *x), const void *ctx)
{
	struct cells x;
	char cont[200];

	snprintf(cont, sizeof cont, "%s (lanjutan)", title);
	for (size_t i = 0; i < n; i++) {
		double h;
		memset(&x, 0, sizeof x);
		get(ctx, i, &x);
		h = row_height(t, c, nc, &x);
		bool top = i == 0;
		if (top)
			need(t, section_height(t, title) + ROW_H + h);
		else
			top = need(t, h);
		if (top) {
			section(t, i == 0 ? title : cont);
			row(t, c, nc, &x, ROW_H, true, false);
		}
		row(t, c, nc, &x, h, false, i % 2 == 1);
	}
	t->y += GAP;
}

/* ---- the parts ---- */

static void heading(struct lt *t)
{
	const letter *l = t->l;
	char s[160];

	pdf_page(t->p);
	t->y = TOP;
	gray(t->p, 0);
	line(t, PDF_SANS_BOLD, 12.5, "LAPORAN BULANAN", LEFT, WIDTH, PDF_CENTER, 5.6 * MM);
	line(t, PDF_SANS_BOLD, 12.5, "GERAKAN ASN BELANJA PRODUK UMKM", LEFT, WIDTH, PDF_CENTER,
	     5.6 * MM);
	line(t, PDF_SANS_BOLD, 10.5, l->region, LEFT, WIDTH, PDF_CENTER, 5 * MM);
	snprintf(s, sizeof s, "Periode %s", l->period_text);
	line(t, PDF_SANS, 9.5, s, LEFT, WIDTH, PDF_CENTER, 5 * MM);
	/* The double rule under an Indonesian letterhead. */
	pdf_pen(t->p, 0, 0, 0, 1.6);
	pdf_line(t->p, LEFT, t->y, LEFT + WIDTH, t->y);
	pdf_stroke(t->p);
	pdf_pen(t->p, 0, 0, 0, 0.5);
	pdf_line(t->p, LEFT, t->y + 1.1 * MM, LEFT + WIDTH, t->y + 1.1 * MM);
	pdf_stroke(t->p);
	t->y += 6 * MM;
}

/* Number and subject on the left, the addressee on the right, then the
 * opening paragraph. */
static void opening(struct lt *t)
{
	const letter *l = t->l;
	double label = 18 * MM, col = 90 * MM, rx = LEFT + 100 * MM, y0 = t->y, left_end;

	pdf_font(t->p, PDF_SANS, BODY);
	pdf_text(t->p, "Nomor", LEFT, t->y + BODY);
	pdf_text(t->p, ":", LEFT + label - 3 * MM, t->y + BODY);
	pdf_text_fit(t->p, "..............................................", LEFT + label,
	             t->y + BODY, col - label, PDF_LEFT);
	t->y += LEAD;
	pdf_text(t->p, "Perihal", LEFT, t->y + BODY);
	pdf_text(t->p, ":", LEFT + label - 3 * MM, t->y + BODY);
	para(t, PDF_SANS, LEFT + label, col - label, 0, "Laporan Bulanan %s Periode %s", SCHEME,
	     l->period_text);
	left_end = t->y;

	t->y = y0;
	line(t, PDF_SANS, BODY, "Kepada Yth.", rx, LEFT + WIDTH - rx, PDF_LEFT, LEAD);
	para(t, PDF_SANS_BOLD, rx, LEFT + WIDTH - rx, 0, "Kepala %s", l->opd);
	line(t, PDF_SANS, BODY, "di Tempat", rx, LEFT + WIDTH - rx, PDF_LEFT, LEAD);
	if (t->y < left_end)
		t->y = left_end;
	t->y += GAP;

	line(t, PDF_SANS, BODY, "Dengan hormat,", LEFT, WIDTH, PDF_LEFT, LEAD + 1 * MM);
	if (l->basis && *l->basis)
		para(t, PDF_SANS, LEFT, WIDTH, 0,
		     "Menindaklanjuti %s, bersama ini kami sampaikan laporan pelaksanaan %s di "
		     "lingkungan %s untuk periode %s sebagai berikut.",
		     l->basis, SCHEME, l->opd, l->period_text);
	else
		para(t, PDF_SANS, LEFT, WIDTH, 0,
		     "Bersama ini kami sampaikan laporan pelaksanaan %s di lingkungan %s untuk "
		     "periode %s sebagai berikut.",
		     SCHEME, l->opd, l->period_text);
	t->y += GAP;
}

/* The figures, two to a row: the ASN on the left, the rupiah on the
 * right. */
struct figures {
	const char *label[4][2];
	char value[4][2][64];
};

static void figure_row(const void *ctx, size_t i, struct cells *x)
{
	const struct figures *f = ctx;

	x->v[0] = f->label[i][0];
	x->v[1] = f->value[i][0];
	x->v[2] = f->label[i][1];
	x->v[3] = f->value[i][1];
}

static void figures(struct lt *t)
{
	static const struct col c[] = {{"Uraian", 55 * MM, PDF_LEFT, false},
	                               {"Jumlah", 27 * MM, PDF_RIGHT, false},
	                               {"Uraian", 48 * MM, PDF_LEFT, false},
	                               {"Jumlah", 35 * MM, PDF_RIGHT, false}};
	const letter *l = t->l;
	struct figures f = {{{"ASN penerima voucher", "Voucher diterbitkan"},
	                     {"Memenuhi belanja minimum", "Dibelanjakan di UMKM"},
	                     {"Belum memenuhi", "Tidak dibelanjakan"},
	                     {"Persentase kepatuhan", "Peringkat antar-OPD"}}};

	count_text(l->asn, "orang", f.value[0][0], sizeof f.value[0][0]);
	count_text(l->met, "orang", f.value[1][0], sizeof f.value[1][0]);
	count_text(l->asn - l->met, "orang", f.value[2][0], sizeof f.value[2][0]);
	pct_text(l->pct_tenths, f.value[3][0], sizeof f.value[3][0]);
	money_format(l->issued, f.value[0][1], sizeof f.value[0][1]);
	money_format(l->redeemed, f.value[1][1], sizeof f.value[1][1]);
	money_format(l->unspent, f.value[2][1], sizeof f.value[2][1]);
	if (l->rank > 0)
		snprintf(f.value[3][1], sizeof f.value[3][1], "%d dari %d OPD", l->rank, l->of);
	else
		f.label[3][1] = "";
	table(t, "A. Ringkasan", c, 4, 4, figure_row, &f);
}

/* A month's label under its bar, centred in the box from x to x + w: as
 * one line, or broken at its first space ("Agu" over "2026") when split,
 * so that all labels break alike. */
static void month_label(pdf *p, const char *s, double x, double y, double w, bool split)
{
	const char *sp = split ? strchr(s, ' ') : NULL;
	char first[64];

	if (!sp || (size_t)(sp - s) >= sizeof first) {
		pdf_text_box(p, s, x, y, w, 3 * MM, 2, PDF_CENTER);
		return;
	}
	memcpy(first, s, (size_t)(sp - s));
	first[sp - s] = '\0';
	pdf_text_fit(p, first, x, y, w, PDF_CENTER);
	pdf_text_fit(p, sp + 1, x, y + 3 * MM, w, PDF_CENTER);
}

/* The trend as bars over a 0-100% scale, each month's value above its bar
 * and its label below; a month without data has a dash. */
static void chart(struct lt *t)
{
	const letter *l = t->l;
	double ax = LEFT + 12 * MM, aw = WIDTH - 12 * MM, top, h = 26 * MM, slot, bw;
	bool missing = false, split = false;
	char s[64];

	snprintf(s, sizeof s, "B. Tren kepatuhan %zu bulan terakhir", l->n_trend);
	need(t, section_height(t, s) + 6 * MM + h + 17 * MM);
	section(t, s);
	if (l->n_trend == 0) {
		line(t, PDF_SANS, BODY, "Belum ada data bulan-bulan sebelumnya.", LEFT, WIDTH,
		     PDF_LEFT, LEAD + GAP);
		return;
	}
	top = t->y + 6 * MM;
	slot = aw / (double)l->n_trend;
	bw = slot * 0.55 < 12 * MM ? slot * 0.55 : 12 * MM;
	pdf_font(t->p, PDF_SANS, 6.5);
	for (size_t i = 0; i < l->n_trend; i++)
		split = split || pdf_text_width(t->p, l->trend[i].label) > slot - 1 * MM;

	/* The scale: lines at each quarter, labelled. */
	pdf_font(t->p, PDF_SANS, 7);
	for (int q = 0; q <= 4; q++) {
		double y = top + h - h * q / 4;
		gray(t->p, 0.3);
		snprintf(s, sizeof s, "%d%%", q * 25);
		pdf_text_fit(t->p, s, LEFT, y + 2.4, 10.5 * MM, PDF_RIGHT);
		if (q == 0)
			pdf_pen(t->p, 0, 0, 0, 0.7);
		else
			pdf_pen(t->p, 0.75, 0.75, 0.75, 0.3);
		pdf_line(t->p, ax, y, ax + aw, y);
		pdf_stroke(t->p);
	}
	for (size_t i = 0; i < l->n_trend; i++) {
		const letter_month *m = &l->trend[i];
		double cx = ax + slot * ((double)i + 0.5), bh;
		bool last = i + 1 == l->n_trend;
		pdf_font(t->p, PDF_SANS, 6.5);
		gray(t->p, 0);
		month_label(t->p, m->label, cx - slot / 2 + 0.5 * MM, top + h + 3.6 * MM,
		            slot - 1 * MM, split);
		if (m->pct_tenths < 0) {
			missing = true;
			gray(t->p, 0.4);
			pdf_font(t->p, PDF_SANS, 9);
			pdf_text_fit(t->p, "\xE2\x80\x93", cx - slot / 2, top + h - 1.5 * MM, slot,
			             PDF_CENTER);
			continue;
		}
		bh = h * m->pct_tenths / 1000;
		if (last)
			pdf_color(t->p, 0.11, 0.27, 0.53);
		else
			pdf_color(t->p, 0.55, 0.68, 0.85);
		pdf_rect(t->p, cx - bw / 2, top + h - bh, bw, bh);
		pdf_fill(t->p);
		gray(t->p, 0);
		pdf_font(t->p, last ? PDF_SANS_BOLD : PDF_SANS, 6.5);
		pct_text(m->pct_tenths, s, sizeof s);
		pdf_text_fit(t->p, s, cx - slot / 2, top + h - bh - 1.2 * MM, slot, PDF_CENTER);
	}
	t->y = top + h + (split ? 8.5 : 5.5) * MM;
	if (missing) {
		gray(t->p, 0.3);
		line(t, PDF_SANS, 7, "\xE2\x80\x93 : belum ada data", ax, aw, PDF_LEFT, 4 * MM);
		gray(t->p, 0);
	}
	t->y += GAP;
}

static const struct col missed_cols[] = {{"No", 12 * MM, PDF_CENTER, false},
                                         {"Nama", 62 * MM, PDF_LEFT, true},
                                         {"NIP", 37 * MM, PDF_CENTER, false},
                                         {"Nilai Voucher", 27 * MM, PDF_RIGHT, false},
                                         {"Dibelanjakan", 27 * MM, PDF_RIGHT, false}};

static void missed_row(const void *ctx, size_t i, struct cells *x)
{
	const letter_asn *a = &((const letter_asn *)ctx)[i];

	snprintf(x->num[0], sizeof x->num[0], "%zu", i + 1);
	money_format(a->issued, x->num[3], sizeof x->num[3]);
	money_format(a->redeemed, x->num[4], sizeof x->num[4]);
	x->v[0] = x->num[0];
	x->v[1] = a->name;
	x->v[2] = a->nip_masked;
	x->v[3] = x->num[3];
	x->v[4] = x->num[4];
}

static const struct col repeat_cols[] = {{"No", 12 * MM, PDF_CENTER, false},
                                         {"Nama", 84 * MM, PDF_LEFT, true},
                                         {"NIP", 37 * MM, PDF_CENTER, false},
                                         {"Tidak memenuhi", 32 * MM, PDF_CENTER, false}};

static void repeat_row(const void *ctx, size_t i, struct cells *x)
{
	const letter_repeat *r = &((const letter_repeat *)ctx)[i];

	snprintf(x->num[0], sizeof x->num[0], "%zu", i + 1);
	snprintf(x->num[3], sizeof x->num[3], "%d dari %d bulan", r->times, LETTER_REPEAT_OF);
	x->v[0] = x->num[0];
	x->v[1] = r->name;
	x->v[2] = r->nip_masked;
	x->v[3] = x->num[3];
}

static void lists(struct lt *t)
{
	const letter *l = t->l;
	char title[160];

	snprintf(title, sizeof title, "C. ASN yang belum memenuhi belanja minimum (%zu orang)",
	         l->n_missed);
	if (l->n_missed)
		table(t, title, missed_cols, 5, l->n_missed, missed_row, l->missed);
	else {
		need(t, section_height(t, title) + LEAD + GAP);
		section(t, title);
		para(t, PDF_SANS, LEFT, WIDTH, 0,
		     "Seluruh ASN telah memenuhi belanja minimum pada periode ini.");
		t->y += GAP;
	}
	snprintf(title, sizeof title,
	         "D. ASN yang tidak memenuhi belanja minimum 2 kali atau lebih dalam %d bulan "
	         "terakhir (%zu orang)",
	         LETTER_REPEAT_OF, l->n_repeat);
	if (l->n_repeat)
		table(t, title, repeat_cols, 4, l->n_repeat, repeat_row, l->repeat);
	else {
		need(t, section_height(t, title) + LEAD + GAP);
		section(t, title);
		para(t, PDF_SANS, LEFT, WIDTH, 0, "Tidak ada.");
		t->y += GAP;
	}
}

/* The closing paragraph and the place to sign, kept together. */
static void closing(struct lt *t)
{
	const letter *l = t->l;
	double x = LEFT + 95 * MM, w = WIDTH - 95 * MM;
	char s[200];

	para(t, PDF_SANS, LEFT, WIDTH, SIGN_H,
	     "Mohon kiranya Bapak/Ibu mendorong ASN di lingkungan unit kerja Bapak/Ibu untuk "
	     "membelanjakan voucher di UMKM sekurang-kurangnya sebesar belanja minimum setiap "
	     "bulan. Demikian laporan ini kami sampaikan; atas perhatian Bapak/Ibu, kami ucapkan "
	     "terima kasih.");
	t->y += GAP;
	snprintf(s, sizeof s, "%s, %s", l->place && *l->place ? l->place : "....................",
	         l->made_on);
	line(t, PDF_SANS, BODY, s, x, w, PDF_LEFT, LEAD);
	snprintf(s, sizeof s, "%s,", l->signer && *l->signer ? l->signer : "Kepala BPKAD");
	line(t, PDF_SANS_BOLD, BODY, s, x, w, PDF_LEFT, LEAD);
	t->y += 20 * MM;
	line(t, PDF_SANS, BODY, "(.............................................)", x, w, PDF_LEFT,
	     LEAD);
	line(t, PDF_SANS, BODY, "NIP .........................................", x, w, PDF_LEFT,
	     LEAD);
}

/* ---- the contract ---- */

static bool text_ok(const char *s)
{
	return s && *s && utf8_text(s, strlen(s));
}

static bool optional_ok(const char *s)
{
	return !s || !*s || utf8_text(s, strlen(s));
}

/* A masked NIP shows at most 8 digits (nip_mask: the first 4 and the last
 * 4). */
static bool masked(const char *s)
{
	int digits = 0;

	if (!text_ok(s))
		return false;
	for (; *s; s++)
		digits += *s >= '0' && *s <= '9';
	return digits <= 8;
}

static err check(const letter *l)
{
	int64_t sum;

	if (!text_ok(l->region) || !text_ok(l->opd) || !text_ok(l->period_text) ||
	    !text_ok(l->made_on) || !optional_ok(l->place) || !optional_ok(l->basis) ||
	    !optional_ok(l->signer))
		return ERR_INVALID;
	if (l->asn < 0 || l->met < 0 || l->met > l->asn || l->pct_tenths < 0 ||
	    l->pct_tenths > 1000 || l->issued < 0 || l->redeemed < 0 ||
	    !money_add(l->redeemed, l->unspent, &sum) || sum != l->issued || l->rank < 0 ||
	    l->rank > l->of)
		return ERR_INVALID;
	if (l->n_trend > LETTER_TREND_MAX || (l->n_trend && !l->trend) ||
	    (l->n_missed && !l->missed) || (l->n_repeat && !l->repeat))
		return ERR_INVALID;
	for (size_t i = 0; i < l->n_trend; i++)
		if (!text_ok(l->trend[i].label) || l->trend[i].pct_tenths < -1 ||
		    l->trend[i].pct_tenths > 1000)
			return ERR_INVALID;
	for (size_t i = 0; i < l->n_missed; i++)
		if (!text_ok(l->missed[i].name) || !masked(l->missed[i].nip_masked) ||
		    l->missed[i].issued < 0 || l->missed[i].redeemed < 0)
			return ERR_INVALID;
	for (size_t i = 0; i < l->n_repeat; i++)
		if (!text_ok(l->repeat[i].name) || !masked(l->repeat[i].nip_masked) ||
		    l->repeat[i].times < 1 || l->repeat[i].times > LETTER_REPEAT_OF)
			return ERR_INVALID;
	return ERR_OK;
}

/* Whether all of l's text is in Windows-1252, as nearly every Indonesian
 * letter's is: then the PDF's fonts cost half as much to make. */
static bool winansi(const letter *l)
{
	const char *const texts[] = {l->region,  l->place, l->opd,   l->period_text,
	                             l->made_on, l->basis, l->signer};
	bool ok = true;

	for (size_t i = 0; ok && i < sizeof texts / sizeof *texts; i++)
		ok = pdf_winansi_ok(texts[i]);
	for (size_t i = 0; ok && i < l->n_trend; i++)
		ok = pdf_winansi_ok(l->trend[i].label);
	for (size_t i = 0; ok && i < l->n_missed; i++)
		ok = pdf_winansi_ok(l->missed[i].name) && pdf_winansi_ok(l->missed[i].nip_masked);
	for (size_t i = 0; ok && i < l->n_repeat; i++)
		ok = pdf_winansi_ok(l->repeat[i].name) && pdf_winansi_ok(l->repeat[i].nip_masked);
	return ok;
}

err letter_write_pdf(const char *path, const letter *l)
{
	struct lt t = {.l = l, .rc = ERR_OK};
	err rc;

	if ((rc = check(l)) != ERR_OK)
		return rc;
	if ((rc = pdf_new(PDF_FONT(PDF_SANS) | PDF_FONT(PDF_SANS_BOLD) |
	                      (winansi(l) ? PDF_WINANSI : 0),
	                  &t.p)) != ERR_OK)
		return rc;
	heading(&t);
	opening(&t);
	figures(&t);
	chart(&t);
	lists(&t);
	closing(&t);
	footers(&t);
	rc = t.rc != ERR_OK ? t.rc : pdf_save(t.p, path, 0600);
	pdf_free(t.p);
	return rc;
}

static const char *nth(void *ctx, size_t k)
{
	return ((const char *const *)ctx)[k];
}

void letter_file_name(const char *const *opds, size_t i, char *out, size_t n)
{
	size_t len;

	file_name_in(nth, (void *)opds, i, out, n);
	len = strlen(out);
	snprintf(out + len, n - len, ".pdf");
}
