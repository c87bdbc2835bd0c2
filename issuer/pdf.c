#include "pdf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "file.h"
#include "log.h"

#ifndef FONT_DIR
#define FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif

#define ELLIPSIS "\xE2\x80\xA6"

static const char *const font_file[PDF_FACES] = {
    [PDF_SANS] = "DejaVuSans.ttf",
    [PDF_SANS_BOLD] = "DejaVuSans-Bold.ttf",
    [PDF_MONO_BOLD] = "DejaVuSansMono-Bold.ttf",
};

struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	size_t pages;
	HPDF_Font font[PDF_FACES];
	HPDF_Font cur;     /* the current font, */
	HPDF_REAL size;    /* and its size */
	HPDF_STATUS error; /* the first error libharu reported */
	bool winansi;      /* text goes to libharu in Windows-1252 (PDF_WINANSI) */
};

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
	pdf *p = arg;

	/* The end of the saved document, reached while it is read back. */
	if (code == HPDF_STREAM_EOF)
		return;
	if (!p->error) {
		p->error = code;
		LOG(LOGL_ERROR, "PDF library error 0x%04X (detail %u)", (unsigned)code,
		    (unsigned)detail);
	}
}

err pdf_new(unsigned fonts, pdf **out)
{
	pdf *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p)
		return ERR_NOMEM;
	if (!(p->doc = HPDF_New(on_error, p))) {
		free(p);
		return ERR_NOMEM;
	}
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(p->doc);
	p->winansi = fonts & PDF_WINANSI;
	for (int f = 0; f < PDF_FACES; f++) {
		char path[256];
		const char *name;
		if (!(fonts & PDF_FONT(f)))
			continue;
		snprintf(path, sizeof path, "%s/%s", FONT_DIR, font_file[f]);
		if (!(name = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE)) ||
		    !(p->font[f] = HPDF_GetFont(p->doc, name, p->winansi ? "CP1252" : "UTF-8"))) {
			LOG(LOGL_ERROR, "font %s not found in %s (Debian: fonts-dejavu-core)",
			    font_file[f], FONT_DIR);
			pdf_free(p);
			return ERR_IO;
		}
	}
	if (p->error) {
		pdf_free(p);
		return ERR_IO;
	}
	*out = p;
	return ERR_OK;
}

void pdf_free(pdf *p)
{
	if (!p)
		return;
	HPDF_Free(p->doc);
	free(p);
}

void pdf_page(pdf *p)
{
	if ((p->page = HPDF_AddPage(p->doc)))
		p->pages++;
	HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	p->cur = NULL;
}

size_t pdf_pages(const pdf *p)
{
	return p->pages;
}

void pdf_page_select(pdf *p, size_t i)
{
	if (i < p->pages)
		p->page = HPDF_GetPageByIndex(p->doc, (HPDF_UINT)i);
	p->cur = NULL;
}

void pdf_font(pdf *p, pdf_face f, double size)
{
	p->cur = p->font[f];
	p->size = (HPDF_REAL)size;
	HPDF_Page_SetFontAndSize(p->page, p->cur, p->size);
}

void pdf_color(pdf *p, double r, double g, double b)
{
	HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)r, (HPDF_REAL)g, (HPDF_REAL)b);
}

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const char *s)
{
	size_t k = 1;

	while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80)
		k++;
	return k;
}

/* The code point of the UTF-8 character at s, of *len bytes. */
static uint32_t code_point(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;

	*len = char_len(s);
	if (u[0] < 0x80)
		return u[0];
	if (*len < 2 || *len > 4 || u[0] < 0xC0)
		return 0xFFFD;
	c = u[0] & (0x7Fu >> *len);
	for (size_t i = 1; i < *len; i++)
		c = c << 6 | (u[i] & 0x3F);
	return c;
}

/* The Windows-1252 byte of code point c, or 0 if it has none. */
static unsigned char winansi_of(uint32_t c)
{
	/* 0x80-0x9F: what Windows-1252 puts where Latin-1 has controls. */
	static const uint16_t high[32] = {
	    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

	if (c < 0x80 || (c >= 0xA0 && c <= 0xFF))
		return (unsigned char)c;
	for (int i = 0; i < 32; i++)
		if (high[i] && high[i] == c)
			return (unsigned char)(0x80 + i);
	return 0;
}

bool pdf_winansi_ok(const char *s)
{
	size_t k;

	for (; s && *s; s += k)
		if (!winansi_of(code_point(s, &k)))
			return false;
	return true;
}

/*
 * s[0..n) as libharu is to get it: as it is (UTF-8), or in Windows-1252
 * (a character it lacks as '?') into buf (cap bytes) or, when longer, a
 * malloc'd copy in *heap; NUL-terminated, its length in *len. NULL when
 * out of memory (kept as the document's error).
 */
static const char *encoded(pdf *p, const char *s, size_t n, char *buf, size_t cap, char **heap,
                           size_t *len)
{
	char *out = buf;
	size_t k;

	*heap = NULL;
	*len = 0;
	if (!p->winansi) {
		*len = n;
		if (!s[n])
			return s;
	}
	if (n + 1 > cap && !(out = *heap = malloc(n + 1))) {
		if (!p->error)
			p->error = HPDF_FAILD_TO_ALLOC_MEM;
		return NULL;
	}
	if (!p->winansi) {
		memcpy(out, s, n);
		out[n] = 0;
		return out;
	}
	for (size_t i = 0; i < n; i += k) {
		unsigned char b = winansi_of(code_point(s + i, &k));
		out[(*len)++] = b ? (char)b : '?';
	}
	out[*len] = 0;
	return out;
}

/* Width of s[0..n) in thousandths of the font size: glyph widths add up
 * (libharu applies no kerning), so a line can be measured as it grows. */
static unsigned units(pdf *p, const char *s, size_t n)
{
	char buf[256], *heap = NULL;
	size_t len;
	const char *t = p->cur ? encoded(p, s, n, buf, sizeof buf, &heap, &len) : NULL;
	unsigned u =
	    t ? HPDF_Font_TextWidth(p->cur, (const HPDF_BYTE *)t, (HPDF_UINT)len).width : 0;

	free(heap);
	return u;
}

/* Points for u units, computed as HPDF_Page_TextWidth does. */
static double points(const pdf *p, unsigned u)
{
	return (HPDF_REAL)u * p->size / 1000;
}

double pdf_text_width(pdf *p, const char *s)
{
	return points(p, units(p, s, strlen(s)));
}

void pdf_text(pdf *p, const char *s, double x, double y)
{
	char buf[256], *heap = NULL;
	size_t len;
	const char *t = encoded(p, s, strlen(s), buf, sizeof buf, &heap, &len);

	if (!t)
		return;
	HPDF_Page_BeginText(p->page);
	HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)(PDF_A4_H - y), t);
	HPDF_Page_EndText(p->page);
	free(heap);
}

/* s[0..n) as a string of its own, then drawn at (x, y); suffix (may be "")
 * after it. */
static void text_n(pdf *p, const char *s, size_t n, const char *suffix, double x, double y)
{
	size_t k = strlen(suffix);
	char *t = malloc(n + k + 1);

	if (!t) {
		if (!p->error)
			p->error = HPDF_FAILD_TO_ALLOC_MEM;
		return;
	}
	memcpy(t, s, n);
	memcpy(t + n, suffix, k + 1);
	pdf_text(p, t, x, y);
	free(t);
}

/* The longest start of s, in whole characters, that fits width with an
 * ellipsis after it: its length in bytes, its width in *u. */
static size_t cut_len(pdf *p, const char *s, double width, unsigned *u)
{
	unsigned ell = units(p, ELLIPSIS, strlen(ELLIPSIS)), w = 0;
	size_t n = 0;

	for (;;) {
		size_t k = char_len(s + n);
		unsigned cw = units(p, s + n, k);
		if (!s[n] || points(p, w + cw + ell) > width)
			break;
		w += cw;
		n += k;
	}
	*u = w + ell;
	return n;
}

static double aligned(double x, double width, double w, pdf_align a)
{
	return a == PDF_RIGHT ? x + width - w : a == PDF_CENTER ? x + (width - w) / 2 : x;
}

void pdf_text_fit(pdf *p, const char *s, double x, double y, double width, pdf_align a)
{
	unsigned u = units(p, s, strlen(s));
	size_t n;

	if (points(p, u) <= width) {
		pdf_text(p, s, aligned(x, width, points(p, u), a), y);
		return;
	}
	n = cut_len(p, s, width, &u);
	text_n(p, s, n, ELLIPSIS, aligned(x, width, points(p, u), a), y);
}

void pdf_text_shrink(pdf *p, const char *s, double x, double y, double width, pdf_align a)
{
	double w = pdf_text_width(p, s);

	if (w > width) {
		HPDF_Page_SetFontAndSize(p->page, p->cur, (HPDF_REAL)(p->size * width / w));
		w = width;
	}
	pdf_text(p, s, aligned(x, width, w, a), y);
	HPDF_Page_SetFontAndSize(p->page, p->cur, p->size);
}

/*
 * The first line of s that fits width: its length in bytes; *next is
 * where the line after it starts (its spaces skipped). Broken after the
 * last word that fits, or inside a word wider than width, with at least
 * one character on the line.
 */
static size_t line_len(pdf *p, const char *s, double width, const char **next)
{
	size_t n = 0, brk = 0;
	unsigned w = 0;

	while (s[n]) {
		size_t k = char_len(s + n);
		if (s[n] == ' ')
			brk = n;
		w += units(p, s + n, k);
		if (points(p, w) > width && n > 0) {
			if (brk > 0)
				n = brk;
			break;
		}
		n += k;
	}
	*next = s + n;
	while (**next == ' ')
		(*next)++;
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n;
}

static size_t wrap(pdf *p, const char *s, double x, double y, double width, double leading,
                   size_t max_lines, pdf_align a, bool draw)
{
	size_t lines = 0;

	while (*s == ' ')
		s++;
	while (*s && lines < max_lines) {
		const char *next;
		size_t n = line_len(p, s, width, &next);
		if (draw && *next && lines + 1 == max_lines)
			pdf_text_fit(p, s, x, y, width, a);
		else if (draw)
			text_n(p, s, n, "", aligned(x, width, points(p, units(p, s, n)), a), y);
		lines++;
		y += leading;
		s = next;
	}
	return lines;
}

size_t pdf_text_box(pdf *p, const char *s, double x, double y, double width, double leading,
                    size_t max_lines, pdf_align a)
{
	return wrap(p, s, x, y, width, leading, max_lines, a, true);
}

size_t pdf_text_lines(pdf *p, const char *s, double width, size_t max_lines)
{
	return wrap(p, s, 0, 0, width, 0, max_lines, PDF_LEFT, false);
}

void pdf_rect(pdf *p, double x, double y, double w, double h)
{
	HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)(PDF_A4_H - y - h), (HPDF_REAL)w,
	                    (HPDF_REAL)h);
}

void pdf_fill(pdf *p)
{
	HPDF_Page_Fill(p->page);
}

void pdf_line(pdf *p, double x1, double y1, double x2, double y2)
{
	HPDF_Page_MoveTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)(PDF_A4_H - y1));
	HPDF_Page_LineTo(p->page, (HPDF_REAL)x2, (HPDF_REAL)(PDF_A4_H - y2));
}

void pdf_pen(pdf *p, double r, double g, double b, double width)
{
	HPDF_Page_SetRGBStroke(p->page, (HPDF_REAL)r, (HPDF_REAL)g, (HPDF_REAL)b);
	HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)width);
}

void pdf_stroke(pdf *p)
{
	HPDF_Page_Stroke(p->page);
}

err pdf_save(pdf *p, const char *path, mode_t mode)
{
	unsigned char *buf = NULL;
	HPDF_UINT32 size, got = 0;
	err rc = ERR_IO;

	if (p->error || HPDF_SaveToStream(p->doc) != HPDF_OK || HPDF_ResetStream(p->doc) != HPDF_OK)
		goto out;
	size = HPDF_GetStreamSize(p->doc);
	if (!(buf = malloc(size ? size : 1))) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (got < size) {
		HPDF_UINT32 k = size - got;
		HPDF_STATUS st = HPDF_ReadFromStream(p->doc, buf + got, &k);
		got += k;
		if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || k == 0)
			break;
	}
	if (got != size || p->error || size == 0)
		goto out;
	rc = file_write_atomic(path, buf, size, mode);
out:
	free(buf);
	return rc;
}
