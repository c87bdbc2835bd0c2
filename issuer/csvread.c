/*
 * csvread: a CSV file people edit, parsed by libcsv.
 *
 * libcsv reports fields and records but not where they are in the file, so
 * the file is fed to it one physical line at a time (a line ends at LF, CR
 * or CRLF) and the line being fed is counted here. A record can only start
 * at the start of a line: the first line with anything but blanks fed while
 * no record is open is where the next record starts (libcsv skips blank
 * lines), however many lines its quoted fields then run over.
 */
#include "csvread.h"

#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#define CHUNK     65536 /* bytes read at a time, on the stack */
#define NOTES_MAX 1024
#define NAMES_MAX 512

/* The findings about one row, joined by "; ". */
typedef struct notes {
	char s[NOTES_MAX];
	size_t n;
} notes;

/* One read: the state the libcsv callbacks share. */
struct csvread {
	const char *path;
	const csvread_spec *spec;
	roster_problems *pr;
	err rc;    /* ERR_INVALID for a refused file, ERR_NOMEM, the row function's */
	bool stop; /* a file-level problem or no memory: read no further */

	unsigned long line; /* physical line being fed, from 1 */
	bool prev_cr;       /* the last byte fed was a CR */

	bool have_header;
	unsigned char role[CSVREAD_MAX_COLS]; /* wanted column + 1, 0 for another */
	size_t ncols;
	size_t col_of[CSVREAD_MAX_WANTED]; /* column index + 1, 0 if absent */

	/* The record being read. */
	size_t nfields;
	bool open;           /* some of it has been fed */
	unsigned long start; /* the line it starts on, when open */
	bool nonempty;
	char field[CSVREAD_MAX_WANTED][CSVREAD_FIELD_MAX + 1];
	size_t len[CSVREAD_MAX_WANTED];
	notes notes;

	size_t rows_seen;
};

/* A problem of the read; running out of memory stops it. */
__attribute__((format(printf, 3, 4))) static void report(csvread *cr, unsigned long line,
                                                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (roster_problems_vadd(cr->pr, cr->path, line, fmt, ap) != ERR_OK) {
		cr->rc = ERR_NOMEM;
		cr->stop = true;
	}
	va_end(ap);
}

/* A problem that refuses the whole file. */
#define refuse(cr, line, ...)                                                                      \
	do {                                                                                       \
		report((cr), (line), __VA_ARGS__);                                                 \
		if ((cr)->rc == ERR_OK)                                                            \
			(cr)->rc = ERR_INVALID;                                                    \
		(cr)->stop = true;                                                                 \
	} while (0)

/* ---- text ---- */

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void csvread_trim(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t len = *n;

	for (;;) {
		if (len >= 1 && is_blank(p[0])) {
			p++;
			len--;
		} else if (len >= 2 && p[0] == 0xC2 && p[1] == 0xA0) {
			p += 2;
			len -= 2;
		} else
			break;
	}
	for (;;) {
		if (len >= 1 && is_blank(p[len - 1]))
			len--;
		else if (len >= 2 && p[len - 2] == 0xC2 && p[len - 1] == 0xA0)
			len -= 2;
		else
			break;
	}
	*s = (const char *)p;
	*n = len;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return true;
	return false;
}

/* Runs of ASCII blanks (line breaks of a multi-line cell too) become one space. */
static void collapse_blanks(char *s)
{
	char *w = s;

	for (const char *p = s; *p;) {
		if (is_blank((unsigned char)*p)) {
			while (is_blank((unsigned char)*p))
				p++;
			*w++ = ' ';
		} else
			*w++ = *p++;
	}
	*w = '\0';
}

/* The spec's required (or optional) column names as "a, b and c"; "" if none. */
static void column_names(const csvread_spec *spec, bool required, char *buf, size_t cap)
{
	size_t total = 0, k = 0, n = 0;

	for (size_t c = 0; c < spec->ncolumns; c++)
		total += spec->columns[c].required == required;
	buf[0] = '\0';
	for (size_t c = 0; c < spec->ncolumns; c++) {
		if (spec->columns[c].required != required)
			continue;
		k++;
		n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s",
		                      k == 1       ? ""
		                      : k == total ? " and "
		                                   : ", ",
		                      spec->columns[c].name);
		if (n >= cap)
			return;
	}
}

/* ---- the row function's view ---- */

char *csvread_field(csvread *cr, size_t col, size_t *len)
{
	if (len)
		*len = cr->len[col];
	return cr->field[col];
}

bool csvread_has(const csvread *cr, size_t col)
{
	return cr->col_of[col] != 0;
}

void csvread_note(csvread *cr, const char *fmt, ...)
{
	notes *m = &cr->notes;
	va_list ap;
	int k;

	if (m->n + 3 >= sizeof m->s)
		return;
	if (m->n) {
		memcpy(m->s + m->n, "; ", 3);
		m->n += 2;
	}
	va_start(ap, fmt);
	k = vsnprintf(m->s + m->n, sizeof m->s - m->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		m->n = m->n + (size_t)k < sizeof m->s ? m->n + (size_t)k : sizeof m->s - 1;
}

bool csvread_noted(const csvread *cr)
{
	return cr->notes.n != 0;
}

char *csvread_text(csvread *cr, size_t col, const char *what)
{
	char *s = cr->field[col];
	size_t n = cr->len[col];

	if (n == 0) {
		csvread_note(cr, "missing %s", what);
	} else if (!utf8_valid(s, n)) {
		csvread_note(cr, "%s is not valid UTF-8 (save the file as CSV UTF-8)", what);
	} else if (strlen(s) != n) {
		csvread_note(cr, "%s contains a control character", what);
	} else {
		collapse_blanks(s);
		if (!has_control(s, strlen(s)))
			return s;
		csvread_note(cr, "%s contains a control character", what);
	}
	return NULL;
}

/* ---- records ---- */

static void header_record(csvread *cr, unsigned long line)
{
	char missing[NAMES_MAX] = "", need[NAMES_MAX], optional[NAMES_MAX];
	size_t n = 0, nopt = 0;
	bool any = false;

	if (!cr->nonempty)
		return; /* blank lines before the header */
	cr->ncols = cr->nfields;
	for (size_t c = 0; c < cr->spec->ncolumns; c++) {
		any = any || cr->col_of[c];
		nopt += !cr->spec->columns[c].required;
		if (cr->col_of[c] || !cr->spec->columns[c].required || n >= sizeof missing)
			continue;
		n += (size_t)snprintf(missing + n, sizeof missing - n, "%s%s", n ? ", " : "",
		                      cr->spec->columns[c].name);
	}
	if (missing[0]) {
		column_names(cr->spec, true, need, sizeof need);
		column_names(cr->spec, false, optional, sizeof optional);
		refuse(cr, line, "the header row lacks the column(s) %s (it must name %s%s%s%s)%s",
		       missing, need, nopt ? "; " : "", optional,
		       nopt == 0   ? ""
		       : nopt == 1 ? " is optional"
		                   : " are optional",
		       any ? "" : "; is the header row missing?");
		return;
	}
	cr->have_header = true;
}

static void data_record(csvread *cr, unsigned long line, bool at_eof)
{
	err rc;

	if (!cr->nonempty)
		return; /* a blank line, or only delimiters */
	if (++cr->rows_seen > cr->spec->max_rows) {
		refuse(cr, line, "more than %zu rows%s%s", cr->spec->max_rows,
		       cr->spec->too_many ? "; " : "",
		       cr->spec->too_many ? cr->spec->too_many : "");
		return;
	}
	if (cr->nfields != cr->ncols) {
		if (cr->line > line && at_eof)
			report(cr, line,
			       "%zu fields, but the header has %zu; a quoted field runs on to the "
			       "end of the file (is a closing quote missing?)",
			       cr->nfields, cr->ncols);
		else if (cr->line > line)
			report(cr, line,
			       "%zu fields, but the header has %zu; a quoted field runs on to line "
			       "%lu (is a closing quote missing?)",
			       cr->nfields, cr->ncols, cr->line);
		else
			report(cr, line,
			       "%zu fields, but the header has %zu (a comma or semicolon in a name "
			       "must be inside quotes)",
			       cr->nfields, cr->ncols);
		return;
	}
	cr->notes.n = 0;
	cr->notes.s[0] = '\0';
	if ((rc = cr->spec->row(cr, line, cr->spec->arg)) != ERR_OK) {
		cr->rc = rc;
		cr->stop = true;
		return;
	}
	if (cr->notes.n)
		report(cr, line, "%s", cr->notes.s);
}

/* The header's field idx, trimmed: which wanted column it names. */
static void header_field(csvread *cr, size_t idx, const char *s, size_t n)
{
	size_t c;

	if (idx >= CSVREAD_MAX_COLS) {
		refuse(cr, cr->start, "the header row has more than %d columns", CSVREAD_MAX_COLS);
		return;
	}
	for (c = 0; c < cr->spec->ncolumns; c++) {
		const char *name = cr->spec->columns[c].name;
		if (strlen(name) == n && strncasecmp(s, name, n) == 0)
			break;
	}
	if (c == cr->spec->ncolumns) {
		cr->role[idx] = 0;
		return;
	}
	if (cr->col_of[c]) {
		refuse(cr, cr->start, "the header names column %s twice (columns %zu and %zu)",
		       cr->spec->columns[c].name, cr->col_of[c], idx + 1);
		return;
	}
	cr->col_of[c] = idx + 1;
	cr->role[idx] = (unsigned char)(c + 1);
}

/* libcsv: one field of the current record. */
static void on_field(void *data, size_t n, void *arg)
{
	csvread *cr = arg;
	const char *s = data ? data : "";
	size_t idx = cr->nfields++;

	if (cr->stop)
		return;
	if (n > CSVREAD_FIELD_MAX) {
		refuse(cr, cr->start, "a field is longer than %d bytes", CSVREAD_FIELD_MAX);
		return;
	}
	csvread_trim(&s, &n);
	if (n)
		cr->nonempty = true;
	if (!cr->have_header) {
		header_field(cr, idx, s, n);
		return;
	}
	if (idx < cr->ncols && cr->role[idx]) {
		size_t c = cr->role[idx] - 1u;
		memcpy(cr->field[c], s, n);
		cr->field[c][n] = '\0';
		cr->len[c] = n;
	}
}

/* libcsv: the end of a record; term is -1 at the end of the file. */
static void on_record(int term, void *arg)
{
	csvread *cr = arg;
	unsigned long line = cr->open ? cr->start : cr->line;

	if (!cr->stop) {
		if (cr->have_header)
			data_record(cr, line, term == -1);
		else
			header_record(cr, line);
	}
	cr->nfields = 0;
	cr->open = false;
	cr->nonempty = false;
	memset(cr->len, 0, sizeof cr->len);
	for (size_t c = 0; c < cr->spec->ncolumns; c++)
		cr->field[c][0] = '\0';
}

/* libcsv grows a field's buffer through this: a field may not outgrow the limit. */
static void *capped_realloc(void *p, size_t n)
{
	/* libcsv asks for room for one more byte before it sees what the byte is. */
	return n > CSVREAD_FIELD_MAX + 1 ? NULL : realloc(p, n);
}

/* ---- reading ---- */

/* ';' if the first non-blank line holds more semicolons than commas outside quotes. */
static unsigned char detect_delim(const char *b, size_t n)
{
	size_t commas = 0, semis = 0;
	bool inq = false, seen = false;

	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (c == '"')
			inq = !inq;
		else if (!inq && (c == '\n' || c == '\r')) {
			if (seen)
				break;
			continue;
		} else if (!inq && c == ',')
			commas++;
		else if (!inq && c == ';')
			semis++;
		if (c != ' ' && c != '\t')
			seen = true;
	}
	return semis > commas ? ';' : ',';
}

/* True if s (n bytes) holds more than blanks: libcsv makes a record of it. */
static bool has_content(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return true;
	return false;
}

/* Where the line that starts at b[i] ends: its first CR or LF, or n. */
static size_t line_end(const char *b, size_t i, size_t n)
{
	const char *lf = memchr(b + i, '\n', n - i);
	size_t end = lf ? (size_t)(lf - b) : n;
	const char *cr = end > i ? memchr(b + i, '\r', end - i) : NULL;

	return cr ? (size_t)(cr - b) : end;
}

/* Feed b to libcsv one physical line at a time, counting lines. */
static void feed(csvread *cr, struct csv_parser *p, const char *b, size_t n)
{
	size_t i = 0;

	while (i < n && !cr->stop) {
		size_t j = line_end(b, i, n), seg;

		seg = j < n ? j - i + 1 : j - i;
		if (!cr->open && has_content(b + i, j - i)) {
			cr->open = true;
			cr->start = cr->line;
		}
		if (csv_parse(p, b + i, seg, on_field, on_record, cr) != seg && !cr->stop) {
			if (csv_error(p) == CSV_ENOMEM &&
			    csv_get_buffer_size(p) > CSVREAD_FIELD_MAX) {
				refuse(
				    cr, cr->start,
				    "a field is longer than %d bytes (is a closing quote missing?)",
				    CSVREAD_FIELD_MAX);
			} else {
				cr->rc = ERR_NOMEM;
				cr->stop = true;
			}
			return;
		}
		if (j > i)
			cr->prev_cr = false;
		if (j < n) {
			if (b[j] == '\r' || !cr->prev_cr)
				cr->line++;
			cr->prev_cr = b[j] == '\r';
		}
		i += seg;
	}
}

static err read_file(csvread *cr, FILE *f)
{
	struct csv_parser p;
	char buf[CHUNK], need[NAMES_MAX];
	bool first = true;
	size_t n;

	if (csv_init(&p, 0) != 0) {
		cr->rc = ERR_NOMEM;
		return cr->rc;
	}
	/* Whole chunks are read into buf: stdio's own buffer would only copy them again. */
	setvbuf(f, NULL, _IONBF, 0);
	csv_set_realloc_func(&p, capped_realloc);
	csv_set_blk_size(&p, CSVREAD_FIELD_MAX + 1); /* one buffer for any field in the limit */
	while (!cr->stop && (n = fread(buf, 1, CHUNK, f)) > 0) {
		const char *b = buf;

		if (first) {
			const unsigned char *u = (const unsigned char *)buf;
			first = false;
			if (n >= 2 &&
			    ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
				refuse(cr, 0, "the file is UTF-16 text; save it as CSV UTF-8");
				break;
			}
			if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
				b += 3;
				n -= 3;
			}
			csv_set_delim(&p, detect_delim(b, n));
		}
		feed(cr, &p, b, n);
	}
	if (!cr->stop && ferror(f)) {
		report(cr, 0, "cannot read the file: %s", strerror(errno));
		if (cr->rc == ERR_OK)
			cr->rc = ERR_IO;
		cr->stop = true;
	}
	if (!cr->stop)
		csv_fini(&p, on_field, on_record, cr);
	if (!cr->stop && !cr->have_header) {
		column_names(cr->spec, true, need, sizeof need);
		refuse(cr, 0, "the file is empty; it needs a header row naming %s", need);
	}
	csv_free(&p);
	return cr->rc;
}

err csvread_file(const char *path, const csvread_spec *spec, roster_problems *pr)
{
	/* On the stack: a load is short, and the programs read one file at a time. */
	csvread cr = {.path = path, .spec = spec, .pr = pr, .line = 1};
	FILE *f;
	err rc;

	if (spec->ncolumns < 1 || spec->ncolumns > CSVREAD_MAX_WANTED)
		return ERR_INTERNAL;
	if (!(f = fopen(path, "rb"))) {
		rc = ERR_IO;
		if (roster_problems_add(pr, path, 0, "cannot open: %s", strerror(errno)) != ERR_OK)
			rc = ERR_NOMEM;
		return rc;
	}
	rc = read_file(&cr, f);
	fclose(f);
	return rc;
}
