#include "xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "file.h"
#include "log.h"

/* Column widths in characters: at least, at most (a long OPD name wraps
 * nothing, it is cut off on screen and shown whole in the cell). */
#define WIDTH_MIN 8
#define WIDTH_MAX 60
/* Columns wider than this in all print on a landscape page. */
#define PORTRAIT_MAX 100

enum kind { K_TEXT, K_RUPIAH, K_COUNT, K_PCT, K__COUNT };

struct xlsx_sheet {
	xlsx *x;
	lxw_worksheet *ws;
	char name[XLSX_SHEET_NAME_SIZE];
	lxw_row_t header; /* the header row */
	lxw_row_t row;    /* the row being written */
	bool totals;      /* the rows from here on are totals */
	lxw_col_t col, ncols;
	unsigned width[XLSX_COLS_MAX];
};

struct xlsx {
	lxw_workbook *wb;
	lxw_format *title, *header;
	lxw_format *cell[K__COUNT][2]; /* by kind, plain and bold */
	char *path, *tmp;
	xlsx_sheet **sheet;
	const char **names;
	size_t nsheets, cap;
	err failed;
};

/* ---- errors ---- */

/* A library error as ours, logged here with the library's own text. */
static err from_lxw(const xlsx *x, lxw_error e, const char *what)
{
	err rc;

	switch (e) {
	case LXW_NO_ERROR:
		return ERR_OK;
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		rc = ERR_NOMEM;
		break;
	case LXW_ERROR_CREATING_XLSX_FILE:
	case LXW_ERROR_CREATING_TMPFILE:
	case LXW_ERROR_READING_TMPFILE:
	case LXW_ERROR_ZIP_FILE_OPERATION:
	case LXW_ERROR_ZIP_PARAMETER_ERROR:
	case LXW_ERROR_ZIP_BAD_ZIP_FILE:
	case LXW_ERROR_ZIP_INTERNAL_ERROR:
	case LXW_ERROR_ZIP_FILE_ADD:
	case LXW_ERROR_ZIP_CLOSE:
		rc = ERR_IO;
		break;
	case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
		rc = ERR_TOO_LARGE;
		break;
	default:
		rc = ERR_INTERNAL;
	}
	LOG(LOGL_ERROR, "%s: %s: %s", x->path, what, lxw_strerror(e));
	return rc;
}

/* Keep the first failure; true if there is none. */
static bool keep(xlsx *x, err rc)
{
	if (x->failed == ERR_OK)
		x->failed = rc;
	return x->failed == ERR_OK;
}

static bool lxw_ok(xlsx *x, lxw_error e, const char *what)
{
	return e == LXW_NO_ERROR ? x->failed == ERR_OK : keep(x, from_lxw(x, e, what));
}

err xlsx_error(const xlsx *x)
{
	return x ? x->failed : ERR_INTERNAL;
}

/* ---- sheet names ---- */

/*
 * The code point at s (NUL-terminated) into *cp and its length in bytes;
 * 0 if s does not start a well-formed UTF-8 sequence (overlong, surrogate,
 * beyond U+10FFFF, cut short).
 */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2, c &= 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, c &= 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* What a character of a wanted name becomes in a sheet name. */
static uint32_t sheet_char(uint32_t c)
{
	switch (c) {
	case '/':
	case '\\':
	case ':':
		return '-';
	case '[':
		return '(';
	case ']':
		return ')';
	case '*':
	case '?':
		return '_';
	}
	if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
		return ' ';
	if (c == 0xFFFE || c == 0xFFFF) /* not characters: XML refuses them */
		return '_';
	return c;
}

/* Lower case for comparing names: ASCII, Latin-1, Latin Extended-A. */
static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c == 0x178)
		return 0xFF;
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) && !(c & 1))
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && (c & 1))
		return c + 1;
	return c;
}

/* a and b the same name, case aside. A byte that is not UTF-8 compares as
 * itself. */
static bool same_name(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && *q) {
		uint32_t c, d;
		size_t n = utf8_next(p, &c), m = utf8_next(q, &d);
		if (!n)
			c = 0x80000000u | *p, n = 1;
		if (!m)
			d = 0x80000000u | *q, m = 1;
		if (fold(c) != fold(d))
			return false;
		p += n;
		q += m;
	}
	return !*p && !*q;
}

static bool taken_by(const char *name, const char *const *taken, size_t ntaken)
{
	if (same_name(name, "History"))
		return true;
	for (size_t i = 0; i < ntaken; i++)
		if (same_name(name, taken[i]))
			return true;
	return false;
}

/* Cut s (well-formed UTF-8) to at most max UTF-16 units on a character
 * boundary, then drop trailing spaces and apostrophes. */
static void cut(char *s, int max)
{
	size_t at = 0, len;
	int units = 0;

	while (s[at]) {
		uint32_t c;
		size_t n = utf8_next((const unsigned char *)s + at, &c);
		int u = c > 0xFFFF ? 2 : 1;
		if (!n || units + u > max)
			break;
		units += u;
		at += n;
	}
	s[at] = '\0';
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\''))
		s[--len] = '\0';
}

void xlsx_sheet_name(const char *want, const char *const *taken, size_t ntaken,
                     char out[XLSX_SHEET_NAME_SIZE])
{
	const unsigned char *p = (const unsigned char *)(want ? want : "");
	char base[XLSX_SHEET_NAME_SIZE];
	size_t len = 0;
	int units = 0;

	while (*p) {
		uint32_t c;
		size_t n = utf8_next(p, &c);
		int u;
		if (!n)
			c = '_', n = 1;
		c = sheet_char(c);
		p += n;
		if (len == 0 && (c == ' ' || c == '\''))
			continue;
		u = c > 0xFFFF ? 2 : 1;
		if (units + u > XLSX_SHEET_NAME_MAX)
			break;
		units += u;
		len += utf8_put(c, base + len);
	}
	base[len] = '\0';
	cut(base, XLSX_SHEET_NAME_MAX);
	if (!base[0])
		snprintf(base, sizeof base, "Lembar");
	snprintf(out, XLSX_SHEET_NAME_SIZE, "%s", base);
	/* At most ntaken + 1 numbers are taken: the loop ends. */
	for (unsigned k = 2; taken_by(out, taken, ntaken); k++) {
		char suffix[16];
		int slen = snprintf(suffix, sizeof suffix, " (%u)", k);
		snprintf(out, XLSX_SHEET_NAME_SIZE, "%s", base);
		cut(out, XLSX_SHEET_NAME_MAX - slen);
		len = strlen(out);
		snprintf(out + len, XLSX_SHEET_NAME_SIZE - len, "%s", suffix);
	}
}

/* ---- the workbook ---- */

static lxw_format *format(lxw_workbook *wb, const char *num, bool bold)
{
	lxw_format *f = workbook_add_format(wb);

	if (!f)
		return NULL;
	if (num)
		format_set_num_format(f, num);
	if (bold)
		format_set_bold(f);
	return f;
}

static bool make_formats(xlsx *x)
{
	static const char *const num[K__COUNT] = {XLSX_TEXT_FORMAT, XLSX_RUPIAH_FORMAT,
	                                          XLSX_COUNT_FORMAT, XLSX_PCT_FORMAT};

	for (int k = 0; k < K__COUNT; k++)
		for (int b = 0; b < 2; b++)
			if (!(x->cell[k][b] = format(x->wb, num[k], b)))
				return false;
	if (!(x->title = format(x->wb, NULL, true)) || !(x->header = format(x->wb, NULL, true)))
		return false;
	format_set_font_size(x->title, 12);
	format_set_bottom(x->header, LXW_BORDER_THIN);
	format_set_pattern(x->header, LXW_PATTERN_SOLID);
	format_set_bg_color(x->header, 0xD9E1F2);
	return true;
}

static void xlsx_free(xlsx *x)
{
	for (size_t i = 0; i < x->nsheets; i++)
		free(x->sheet[i]);
	free(x->sheet);
	free(x->names);
	free(x->path);
	free(x->tmp);
	free(x);
}

err xlsx_open(const char *path, mode_t mode, xlsx **out)
{
	lxw_workbook_options opts = {.constant_memory = LXW_TRUE};
	xlsx *x = calloc(1, sizeof *x);
	char *tmp = NULL;
	int fd = -1;
	err rc = ERR_NOMEM;

	*out = NULL;
	if (!x || !(x->path = strdup(path)) ||
	    asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		goto cleanup;
	}
	/* Made here, with its mode, before the library opens it ("wb" keeps
	 * the mode): a list of NIPs is never readable by others, not even
	 * while it is written. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) != 0) {
		LOG(LOGL_ERROR, "cannot create %s: %s", tmp, strerror(errno));
		rc = ERR_IO;
		goto cleanup;
	}
	x->tmp = tmp;
	if (!(x->wb = workbook_new_opt(tmp, &opts)) || !make_formats(x))
		goto cleanup;
	*out = x;
	x = NULL;
	rc = ERR_OK;
cleanup:
	if (fd >= 0)
		close(fd);
	if (x) {
		if (x->wb)
			lxw_workbook_free(x->wb);
		if (fd >= 0)
			unlink(tmp);
		free(x->path);
		free(x);
		free(tmp);
	}
	return rc;
}

void xlsx_discard(xlsx *x)
{
	if (!x)
		return;
	if (x->wb)
		lxw_workbook_free(x->wb);
	unlink(x->tmp);
	xlsx_free(x);
}

/* The last row holding anything. */
static lxw_row_t last_row(const xlsx_sheet *s)
{
	return s->col > 0 ? s->row : s->row - 1;
}

/*
 * The autofilter over the header and the data, whose last row is the row
 * being written or the one before: in constant_memory mode the library
 * refuses a range that ends in a row it has written out already, so this
 * is set at the end of the data, not of the sheet.
 */
static void filter(xlsx_sheet *s, lxw_row_t data_last)
{
	lxw_ok(s->x, worksheet_autofilter(s->ws, s->header, 0, data_last, s->ncols - 1),
	       "autofilter");
}

/* What is known only at the end: the widths, the orientation, the cells
 * where text of digits is meant. */
static void sheet_finish(xlsx_sheet *s)
{
	xlsx *x = s->x;
	char range[64];
	unsigned total = 0;

	if (!s->totals)
		filter(s, last_row(s));
	for (lxw_col_t c = 0; c < s->ncols && x->failed == ERR_OK; c++) {
		unsigned w = s->width[c] + 2;
		w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
		total += w;
		lxw_ok(x, worksheet_set_column(s->ws, c, c, w, NULL), "column width");
	}
	if (total > PORTRAIT_MAX)
		worksheet_set_landscape(s->ws);
	/* NIPs and serials are text on purpose: no green triangle on each. */
	lxw_rowcol_to_range(range, 0, 0, last_row(s), s->ncols - 1);
	lxw_ok(x, worksheet_ignore_errors(s->ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, range),
	       "ignore errors");
}

/* fsync the file at path. */
static err sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	err rc = ERR_OK;

	if (fd < 0)
		return ERR_IO;
	if (fsync(fd) != 0)
		rc = ERR_IO;
	if (close(fd) != 0)
		rc = ERR_IO;
	return rc;
}

err xlsx_close(xlsx *x)
{
	lxw_error e;
	err rc;

	if (!x)
		return ERR_INTERNAL;
	for (size_t i = 0; i < x->nsheets && x->failed == ERR_OK; i++)
		sheet_finish(x->sheet[i]);
	if (x->failed == ERR_OK && x->nsheets == 0)
		keep(x, ERR_INTERNAL); /* Excel refuses a workbook without a sheet */
	if ((rc = x->failed) != ERR_OK) {
		xlsx_discard(x);
		return rc;
	}
	e = workbook_close(x->wb); /* frees the workbook, whatever it returns */
	x->wb = NULL;
	if ((rc = from_lxw(x, e, "cannot write")) == ERR_OK && (rc = sync_file(x->tmp)) == ERR_OK) {
		if (rename(x->tmp, x->path) == 0)
			rc = file_sync_dir(x->path);
		else
			rc = ERR_IO;
		if (rc != ERR_OK)
			LOG(LOGL_ERROR, "cannot write %s: %s", x->path, strerror(errno));
	}
	if (rc != ERR_OK)
		unlink(x->tmp);
	xlsx_free(x);
	return rc;
}

/* ---- sheets ---- */

static bool grow(xlsx *x)
{
	size_t cap = x->cap ? x->cap * 2 : 8;
	xlsx_sheet **s = realloc(x->sheet, cap * sizeof *s);
	const char **n;

	if (!s)
		return false;
	x->sheet = s;
	if (!(n = realloc(x->names, cap * sizeof *n)))
		return false;
	x->names = n;
	x->cap = cap;
	return true;
}

/* Characters a text takes on screen, about: one a code point. */
static unsigned text_width(const char *s)
{
	unsigned w = 0;

	for (; *s && w < WIDTH_MAX; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void widen(xlsx_sheet *s, lxw_col_t c, unsigned w)
{
	if (w > s->width[c])
		s->width[c] = w;
}

err xlsx_sheet_add(xlsx *x, const char *name, const char *title, const char *const *headers,
                   int ncols, xlsx_sheet **out)
{
	xlsx_sheet *s;

	*out = NULL;
	if (x->failed != ERR_OK)
		return x->failed;
	if (ncols < 1 || ncols > XLSX_COLS_MAX) {
		keep(x, ERR_INVALID);
		return ERR_INVALID;
	}
	if ((x->nsheets == x->cap && !grow(x)) || !(s = calloc(1, sizeof *s))) {
		keep(x, ERR_NOMEM);
		return ERR_NOMEM;
	}
	x->sheet[x->nsheets] = s;
	s->x = x;
	s->ncols = (lxw_col_t)ncols;
	xlsx_sheet_name(name, x->names, x->nsheets, s->name);
	x->names[x->nsheets++] = s->name;
	if (!lxw_ok(x, workbook_validate_sheet_name(x->wb, s->name), "sheet name"))
		return x->failed; /* our bug: xlsx_sheet_name makes valid names */
	if (!(s->ws = workbook_add_worksheet(x->wb, s->name))) {
		/* Out of memory, or no temporary file for the rows (constant_memory). */
		LOG(LOGL_ERROR, "%s: cannot add a sheet: out of memory or no temporary file",
		    x->path);
		keep(x, ERR_IO);
		return x->failed;
	}
	if (title) {
		if (!lxw_ok(x, worksheet_write_string(s->ws, 0, 0, title, x->title), "title"))
			return x->failed;
		s->header = 1;
	}
	for (int c = 0; c < ncols; c++) {
		const char *h = headers[c] ? headers[c] : "";
		if (!lxw_ok(x, worksheet_write_string(s->ws, s->header, (lxw_col_t)c, h, x->header),
		            "header"))
			return x->failed;
		widen(s, (lxw_col_t)c, text_width(h) + 1);
	}
	s->row = s->header + 1;
	worksheet_freeze_panes(s->ws, s->row, 0);
	worksheet_set_paper(s->ws, 9); /* A4 */
	worksheet_fit_to_pages(s->ws, 1, 0);
	if (!lxw_ok(x, worksheet_repeat_rows(s->ws, 0, s->header), "repeated rows") ||
	    !lxw_ok(x, worksheet_set_footer(s->ws, "&C&A, halaman &P dari &N"), "footer"))
		return x->failed;
	*out = s;
	return ERR_OK;
}

const char *xlsx_sheet_title(const xlsx_sheet *s)
{
	return s->name;
}

/* The cell to write next, or false (and why kept) if it cannot be. */
static bool next_cell(xlsx_sheet *s)
{
	if (s->x->failed != ERR_OK)
		return false;
	if (s->col >= s->ncols) {
		LOG(LOGL_ERROR, "%s: sheet %s: more cells in a row than columns", s->x->path,
		    s->name);
		return keep(s->x, ERR_INTERNAL);
	}
	if (s->row >= LXW_ROW_MAX)
		return keep(s->x, ERR_TOO_LARGE);
	return true;
}

static lxw_format *fmt(const xlsx_sheet *s, enum kind k)
{
	return s->x->cell[k][s->totals];
}

void xlsx_text(xlsx_sheet *s, const char *text)
{
	if (!next_cell(s))
		return;
	if (!text || !*text) {
		xlsx_blank(s);
		return;
	}
	/* A string cell: "=..." stays text, never a formula. */
	if (lxw_ok(s->x, worksheet_write_string(s->ws, s->row, s->col, text, fmt(s, K_TEXT)),
	           "text"))
		widen(s, s->col, text_width(text));
	s->col++;
}

static void number(xlsx_sheet *s, double v, enum kind k, unsigned width)
{
	if (!next_cell(s))
		return;
	if (lxw_ok(s->x, worksheet_write_number(s->ws, s->row, s->col, v, fmt(s, k)), "number"))
		widen(s, s->col, width);
	s->col++;
}

/* Characters of n grouped by thousands ("1.234.567"). */
static unsigned grouped_width(int64_t n)
{
	unsigned digits = 1;
	uint64_t u = n < 0 ? -(uint64_t)n : (uint64_t)n;

	while (u >= 10) {
		u /= 10;
		digits++;
	}
	return digits + (digits - 1) / 3 + (n < 0);
}

void xlsx_rupiah(xlsx_sheet *s, int64_t rupiah)
{
	number(s, (double)rupiah, K_RUPIAH, grouped_width(rupiah) + 2);
}

void xlsx_count(xlsx_sheet *s, int64_t n)
{
	number(s, (double)n, K_COUNT, grouped_width(n));
}

void xlsx_percent(xlsx_sheet *s, double fraction)
{
	number(s, fraction, K_PCT, 6);
}

void xlsx_blank(xlsx_sheet *s)
{
	if (!next_cell(s))
		return;
	lxw_ok(s->x, worksheet_write_blank(s->ws, s->row, s->col, fmt(s, K_TEXT)), "blank");
	s->col++;
}

err xlsx_row_end(xlsx_sheet *s)
{
	if (s->x->failed == ERR_OK && s->row >= LXW_ROW_MAX)
		keep(s->x, ERR_TOO_LARGE);
	if (s->x->failed == ERR_OK) {
		s->row++;
		s->col = 0;
	}
	return s->x->failed;
}

size_t xlsx_rows_left(const xlsx_sheet *s)
{
	return s->row < LXW_ROW_MAX ? LXW_ROW_MAX - s->row : 0;
}

void xlsx_totals(xlsx_sheet *s)
{
	if (s->totals)
		return;
	if (s->col > 0)
		xlsx_row_end(s);
	filter(s, s->row - 1);
	s->totals = true;
}
