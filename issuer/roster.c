/*
 * roster: the HR roster CSV, parsed by libcsv.
 *
 * libcsv reports fields and records but not where they are in the file, so
 * the file is fed to it one physical line at a time (a line ends at LF, CR
 * or CRLF) and the line being fed is counted here. A record can only start
 * at the start of a line: the first line with anything but blanks fed while
 * no record is open is where the next record starts (libcsv skips blank
 * lines), however many lines its quoted fields then run over.
 */
#include "roster.h"

#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "money.h"

#define CHUNK        65536
#define MAX_STATUSES 64
#define MSG_MAX      1024

enum col { COL_NONE, COL_NIP, COL_NAME, COL_OPD, COL_CLASS, COL_TPP, COL_STATUS, COL__COUNT };

static const char *const col_name[COL__COUNT] = {NULL,    "nip", "name",  "opd",
                                                 "class", "tpp", "status"};

typedef struct status_count {
	char *status;
	size_t rows;
} status_count;

struct roster {
	char *path;
	roster_row *rows;
	size_t n, cap;
	status_count statuses[MAX_STATUSES + 1];
	size_t nstatuses;
	size_t skipped;
};

/* Open addressing on the NIP as a number (never 0: a valid NIP starts with 19..20). */
typedef struct nip_slot {
	uint64_t key;
	unsigned long line;
} nip_slot;

/* One load: the state the libcsv callbacks share. */
typedef struct loader {
	const char *path;
	int this_year;
	roster *r;
	roster_problems *pr;
	err rc;    /* ERR_INVALID for a refused file, ERR_NOMEM */
	bool stop; /* a file-level problem or no memory: read no further */

	unsigned long line; /* physical line being fed, from 1 */
	bool prev_cr;       /* the last byte fed was a CR */

	bool have_header;
	unsigned char role[ROSTER_MAX_COLS];
	size_t ncols;
	size_t col_of[COL__COUNT]; /* column index + 1, 0 if absent */

	/* The record being read. */
	size_t nfields;
	bool open;           /* some of it has been fed */
	unsigned long start; /* the line it starts on, when open */
	bool nonempty;
	char field[COL__COUNT][ROSTER_FIELD_MAX + 1];
	size_t len[COL__COUNT];

	size_t rows_seen;
	nip_slot *nips;
	size_t nips_n, nips_cap;
} loader;

/* A problem of the load; running out of memory stops it. */
__attribute__((format(printf, 3, 4))) static void report(loader *ld, unsigned long line,
                                                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (roster_problems_vadd(ld->pr, ld->path, line, fmt, ap) != ERR_OK) {
		ld->rc = ERR_NOMEM;
		ld->stop = true;
	}
	va_end(ap);
}

/* A problem that refuses the whole file. */
#define refuse(ld, line, ...)                                                                      \
	do {                                                                                       \
		report((ld), (line), __VA_ARGS__);                                                 \
		if ((ld)->rc == ERR_OK)                                                            \
			(ld)->rc = ERR_INVALID;                                                    \
		(ld)->stop = true;                                                                 \
	} while (0)

/* ---- text ---- */

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trim blanks and no-break spaces (U+00A0, as pasted from documents). */
static void trim(const char **s, size_t *n)
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

void roster_class_normalize(char *s)
{
	const char *p = s;
	size_t n = strlen(s);
	char *w = s;

	trim(&p, &n);
	for (size_t i = 0; i < n;) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '-' || c == '_' || c == '\r' || c == '\n') {
			while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '-' ||
			                 p[i] == '_' || p[i] == '\r' || p[i] == '\n'))
				i++;
			*w++ = '_';
		} else {
			*w++ = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
			i++;
		}
	}
	*w = '\0';
}

/* ---- the roster ---- */

void roster_free(roster *r)
{
	if (!r)
		return;
	/* Each row's strings are one allocation starting at its name. */
	for (size_t i = 0; i < r->n; i++)
		free((char *)r->rows[i].name);
	for (size_t i = 0; i < r->nstatuses; i++)
		free(r->statuses[i].status);
	free(r->rows);
	free(r->path);
	free(r);
}

const char *roster_path(const roster *r)
{
	return r->path;
}

size_t roster_count(const roster *r)
{
	return r->n;
}

const roster_row *roster_at(const roster *r, size_t i)
{
	return i < r->n ? &r->rows[i] : NULL;
}

size_t roster_skipped(const roster *r)
{
	return r->skipped;
}

size_t roster_statuses(const roster *r)
{
	return r->nstatuses;
}

const char *roster_status_at(const roster *r, size_t i, size_t *rows)
{
	if (i >= r->nstatuses)
		return NULL;
	if (rows)
		*rows = r->statuses[i].rows;
	return r->statuses[i].status;
}

static err count_status(roster *r, const char *s, size_t n)
{
	char key[ROSTER_FIELD_MAX + 1];
	size_t i;

	if (!utf8_text(s, n)) {
		strcpy(key, "(unreadable)");
	} else {
		for (i = 0; i < n; i++)
			key[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		key[n] = '\0';
	}
	r->skipped++;
	for (i = 0; i < r->nstatuses; i++)
		if (strcmp(r->statuses[i].status, key) == 0)
			break;
	if (i == r->nstatuses && r->nstatuses == MAX_STATUSES) {
		for (i = 0; i < r->nstatuses; i++)
			if (strcmp(r->statuses[i].status, "(other)") == 0)
				break;
		strcpy(key, "(other)");
	}
	if (i == r->nstatuses) {
		if (!(r->statuses[i].status = strdup(key)))
			return ERR_NOMEM;
		r->statuses[i].rows = 0;
		r->nstatuses++;
	}
	r->statuses[i].rows++;
	return ERR_OK;
}

static err add_row(roster *r, const roster_row *row, const char *name, const char *opd,
                   const char *cls)
{
	size_t ln = strlen(name) + 1, lo = strlen(opd) + 1, lc = strlen(cls) + 1;
	roster_row *dst;
	char *text;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		roster_row *rows = realloc(r->rows, cap * sizeof *rows);
		if (!rows)
			return ERR_NOMEM;
		r->rows = rows;
		r->cap = cap;
	}
	if (!(text = malloc(ln + lo + lc)))
		return ERR_NOMEM;
	memcpy(text, name, ln);
	memcpy(text + ln, opd, lo);
	memcpy(text + ln + lo, cls, lc);
	dst = &r->rows[r->n++];
	*dst = *row;
	dst->name = text;
	dst->opd = text + ln;
	dst->class_name = text + ln + lo;
	return ERR_OK;
}

/* ---- NIP index ---- */

static uint64_t nip_key(const char *nip)
{
	uint64_t k = 0;

	for (int i = 0; i < NIP_LEN; i++)
		k = k * 10 + (uint64_t)(nip[i] - '0');
	return k;
}

static size_t nip_slot_of(const nip_slot *t, size_t cap, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);

	while (t[i].key != 0 && t[i].key != key)
		i = (i + 1) & (cap - 1);
	return i;
}

/* The line of an earlier row with this NIP, or 0 after recording this one. */
static unsigned long nip_seen(loader *ld, const char *nip, unsigned long line)
{
	uint64_t key = nip_key(nip);
	size_t i;

	if (2 * (ld->nips_n + 1) > ld->nips_cap) {
		size_t cap = ld->nips_cap ? ld->nips_cap * 2 : 1024;
		nip_slot *t = calloc(cap, sizeof *t);
		if (!t) {
			ld->rc = ERR_NOMEM;
			ld->stop = true;
			return 0;
		}
		for (size_t j = 0; j < ld->nips_cap; j++)
			if (ld->nips[j].key)
				t[nip_slot_of(t, cap, ld->nips[j].key)] = ld->nips[j];
		free(ld->nips);
		ld->nips = t;
		ld->nips_cap = cap;
	}
	i = nip_slot_of(ld->nips, ld->nips_cap, key);
	if (ld->nips[i].key)
		return ld->nips[i].line;
	ld->nips[i].key = key;
	ld->nips[i].line = line;
	ld->nips_n++;
	return 0;
}

/* ---- records ---- */

/* A message of "; "-joined findings about one row. */
typedef struct msg {
	char s[MSG_MAX];
	size_t n;
} msg;

__attribute__((format(printf, 2, 3))) static void msg_add(msg *m, const char *fmt, ...)
{
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

static void check_nip(loader *ld, msg *m, roster_row *row)
{
	const char *s = ld->field[COL_NIP], *why = "must be 18 digits";
	size_t n = ld->len[COL_NIP];
	bool digits = strspn(s, "0123456789") == n;

	if (n == 0) {
		msg_add(m, "missing NIP");
		return;
	}
	if (strchr(s, '+') && (strchr(s, 'E') || strchr(s, 'e'))) {
		msg_add(m, "bad NIP: a spreadsheet turned it into a number (like 1.97203E+17); "
		           "format the nip column as Text and export again");
		return;
	}
	if (strlen(s) != n || nip_check(s, ld->this_year, &row->kind, &why) != ERR_OK) {
		if (digits && n != NIP_LEN)
			msg_add(m, "bad NIP: %s, not %zu", why, n);
		else if (digits && strcmp(s + NIP_LEN - 3, "000") == 0)
			msg_add(m,
			        "bad NIP: %s (a spreadsheet that stored it as a number "
			        "rounds the last digits to 000)",
			        why);
		else
			msg_add(m, "bad NIP: %s", why);
		return;
	}
	memcpy(row->nip, s, NIP_LEN + 1);
}

/* Name, OPD, class: present, UTF-8, no control characters; blanks collapsed. */
static void check_text(loader *ld, msg *m, int col, const char *what)
{
	char *s = ld->field[col];
	size_t n = ld->len[col];

	if (n == 0) {
		msg_add(m, "missing %s", what);
	} else if (!utf8_valid(s, n)) {
		msg_add(m, "%s is not valid UTF-8 (save the file as CSV UTF-8)", what);
	} else if (strlen(s) != n) {
		msg_add(m, "%s contains a control character", what);
	} else {
		collapse_blanks(s);
		if (has_control(s, strlen(s)))
			msg_add(m, "%s contains a control character", what);
	}
}

static void check_tpp(loader *ld, msg *m, roster_row *row)
{
	const char *s = ld->field[COL_TPP];
	size_t n = ld->len[COL_TPP];
	err rc;

	row->tpp = -1;
	if (n == 0)
		return;
	rc = strlen(s) == n ? money_parse(s, &row->tpp) : ERR_INVALID;
	if (rc == ERR_OVERFLOW)
		msg_add(m, "TPP is too large");
	else if (rc != ERR_OK)
		msg_add(m, "bad TPP (write whole rupiah: 5000000, 5.000.000 or 5.000.000,00)");
	if (rc != ERR_OK)
		row->tpp = -1;
}

static void header_record(loader *ld, unsigned long line)
{
	static const int required[] = {COL_NIP, COL_NAME, COL_OPD, COL_CLASS};
	char missing[64] = "";
	bool any = false;

	if (!ld->nonempty)
		return; /* blank lines before the header */
	ld->ncols = ld->nfields;
	for (int c = 1; c < COL__COUNT; c++)
		any = any || ld->col_of[c];
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (ld->col_of[required[i]])
			continue;
		if (missing[0])
			strcat(missing, ", ");
		strcat(missing, col_name[required[i]]);
	}
	if (missing[0]) {
		refuse(ld, line,
		       "the header row lacks the column(s) %s (it must name nip, name, opd and "
		       "class; tpp and status are optional)%s",
		       missing, any ? "" : "; is the header row missing?");
		return;
	}
	ld->have_header = true;
}

static void data_record(loader *ld, unsigned long line, bool at_eof)
{
	roster_row row = {.line = line, .tpp = -1};
	msg m = {.n = 0};
	unsigned long first;
	err rc;

	if (!ld->nonempty)
		return; /* a blank line, or only delimiters */
	if (++ld->rows_seen > ROSTER_MAX_ROWS) {
		refuse(ld, line, "more than %d rows; split the roster", ROSTER_MAX_ROWS);
		return;
	}
	if (ld->nfields != ld->ncols) {
		if (ld->line > line && at_eof)
			report(ld, line,
			       "%zu fields, but the header has %zu; a quoted field runs on to the "
			       "end of the file (is a closing quote missing?)",
			       ld->nfields, ld->ncols);
		else if (ld->line > line)
			report(ld, line,
			       "%zu fields, but the header has %zu; a quoted field runs on to line "
			       "%lu (is a closing quote missing?)",
			       ld->nfields, ld->ncols, ld->line);
		else
			report(ld, line,
			       "%zu fields, but the header has %zu (a comma or semicolon in a name "
			       "must be inside quotes)",
			       ld->nfields, ld->ncols);
		return;
	}
	if (ld->col_of[COL_STATUS] && (strlen(ld->field[COL_STATUS]) != ld->len[COL_STATUS] ||
	                               strcasecmp(ld->field[COL_STATUS], "aktif") != 0)) {
		if (count_status(ld->r, ld->field[COL_STATUS], ld->len[COL_STATUS]) != ERR_OK) {
			ld->rc = ERR_NOMEM;
			ld->stop = true;
		}
		return;
	}
	check_nip(ld, &m, &row);
	if (row.nip[0] && (first = nip_seen(ld, row.nip, line)) != 0)
		msg_add(&m, "duplicate NIP (first at line %lu)", first);
	check_text(ld, &m, COL_NAME, "name");
	check_text(ld, &m, COL_OPD, "OPD");
	check_text(ld, &m, COL_CLASS, "class");
	if (ld->col_of[COL_TPP])
		check_tpp(ld, &m, &row);
	if (ld->stop)
		return;
	if (m.n) {
		report(ld, line, "%s", m.s);
		return;
	}
	roster_class_normalize(ld->field[COL_CLASS]);
	rc = add_row(ld->r, &row, ld->field[COL_NAME], ld->field[COL_OPD], ld->field[COL_CLASS]);
	if (rc != ERR_OK) {
		ld->rc = rc;
		ld->stop = true;
	}
}

/* libcsv: one field of the current record. */
static void on_field(void *data, size_t n, void *arg)
{
	loader *ld = arg;
	const char *s = data ? data : "";
	size_t idx = ld->nfields++;

	if (ld->stop)
		return;
	if (n > ROSTER_FIELD_MAX) {
		refuse(ld, ld->start, "a field is longer than %d bytes", ROSTER_FIELD_MAX);
		return;
	}
	trim(&s, &n);
	if (n)
		ld->nonempty = true;
	if (!ld->have_header) {
		int c;

		if (idx >= ROSTER_MAX_COLS) {
			refuse(ld, ld->start, "the header row has more than %d columns",
			       ROSTER_MAX_COLS);
			return;
		}
		for (c = 1; c < COL__COUNT; c++)
			if (strlen(col_name[c]) == n && strncasecmp(s, col_name[c], n) == 0)
				break;
		if (c == COL__COUNT)
			c = COL_NONE;
		else if (ld->col_of[c]) {
			refuse(ld, ld->start,
			       "the header names column %s twice (columns %zu and %zu)",
			       col_name[c], ld->col_of[c], idx + 1);
			return;
		} else
			ld->col_of[c] = idx + 1;
		ld->role[idx] = (unsigned char)c;
		return;
	}
	if (idx < ld->ncols && ld->role[idx] != COL_NONE) {
		int c = ld->role[idx];
		memcpy(ld->field[c], s, n);
		ld->field[c][n] = '\0';
		ld->len[c] = n;
	}
}

/* libcsv: the end of a record; term is -1 at the end of the file. */
static void on_record(int term, void *arg)
{
	loader *ld = arg;
	unsigned long line = ld->open ? ld->start : ld->line;

	if (!ld->stop) {
		if (ld->have_header)
			data_record(ld, line, term == -1);
		else
			header_record(ld, line);
	}
	ld->nfields = 0;
	ld->open = false;
	ld->nonempty = false;
	memset(ld->len, 0, sizeof ld->len);
	for (int c = 0; c < COL__COUNT; c++)
		ld->field[c][0] = '\0';
}

/* libcsv grows a field's buffer through this: a field may not outgrow the limit. */
static void *capped_realloc(void *p, size_t n)
{
	/* libcsv asks for room for one more byte before it sees what the byte is. */
	return n > ROSTER_FIELD_MAX + 1 ? NULL : realloc(p, n);
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

/* Feed b to libcsv one physical line at a time, counting lines. */
static void feed(loader *ld, struct csv_parser *p, const char *b, size_t n)
{
	size_t i = 0;

	while (i < n && !ld->stop) {
		size_t j = i, seg;

		while (j < n && b[j] != '\r' && b[j] != '\n')
			j++;
		seg = j < n ? j - i + 1 : j - i;
		if (!ld->open && has_content(b + i, j - i)) {
			ld->open = true;
			ld->start = ld->line;
		}
		if (csv_parse(p, b + i, seg, on_field, on_record, ld) != seg && !ld->stop) {
			if (csv_error(p) == CSV_ENOMEM &&
			    csv_get_buffer_size(p) > ROSTER_FIELD_MAX) {
				refuse(
				    ld, ld->start,
				    "a field is longer than %d bytes (is a closing quote missing?)",
				    ROSTER_FIELD_MAX);
			} else {
				ld->rc = ERR_NOMEM;
				ld->stop = true;
			}
			return;
		}
		if (j > i)
			ld->prev_cr = false;
		if (j < n) {
			if (b[j] == '\r' || !ld->prev_cr)
				ld->line++;
			ld->prev_cr = b[j] == '\r';
		}
		i += seg;
	}
}

static err read_file(loader *ld, FILE *f)
{
	struct csv_parser p;
	char *buf = NULL;
	bool first = true, parser = false;
	size_t n;

	if (!(buf = malloc(CHUNK))) {
		ld->rc = ERR_NOMEM;
		goto cleanup;
	}
	if (csv_init(&p, 0) != 0) {
		ld->rc = ERR_NOMEM;
		goto cleanup;
	}
	parser = true;
	csv_set_realloc_func(&p, capped_realloc);
	while (!ld->stop && (n = fread(buf, 1, CHUNK, f)) > 0) {
		const char *b = buf;

		if (first) {
			const unsigned char *u = (const unsigned char *)buf;
			first = false;
			if (n >= 2 &&
			    ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
				refuse(ld, 0, "the file is UTF-16 text; save it as CSV UTF-8");
				break;
			}
			if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
				b += 3;
				n -= 3;
			}
			csv_set_delim(&p, detect_delim(b, n));
		}
		feed(ld, &p, b, n);
	}
	if (!ld->stop && ferror(f)) {
		report(ld, 0, "cannot read the file: %s", strerror(errno));
		if (ld->rc == ERR_OK)
			ld->rc = ERR_IO;
		ld->stop = true;
	}
	if (!ld->stop)
		csv_fini(&p, on_field, on_record, ld);
	if (!ld->stop && !ld->have_header)
		refuse(ld, 0,
		       "the file is empty; it needs a header row naming nip, name, opd and "
		       "class");
cleanup:
	if (parser)
		csv_free(&p);
	free(buf);
	return ld->rc;
}

err roster_load(const char *path, int this_year, roster **out, roster_problems **problems)
{
	loader *ld = NULL;
	FILE *f = NULL;
	err rc = ERR_NOMEM;

	*out = NULL;
	if (!(*problems = roster_problems_new()))
		return ERR_NOMEM;
	if (!(ld = calloc(1, sizeof *ld)))
		goto cleanup;
	ld->path = path;
	ld->this_year = this_year;
	ld->pr = *problems;
	ld->line = 1;
	if (!(ld->r = calloc(1, sizeof *ld->r)) || !(ld->r->path = strdup(path)))
		goto cleanup;
	if (!(f = fopen(path, "rb"))) {
		rc = ERR_IO;
		if (roster_problems_add(*problems, path, 0, "cannot open: %s", strerror(errno)) !=
		    ERR_OK)
			rc = ERR_NOMEM;
		goto cleanup;
	}
	rc = read_file(ld, f);
	if (rc == ERR_OK) {
		*out = ld->r;
		ld->r = NULL;
	}
cleanup:
	if (f)
		fclose(f);
	if (ld) {
		roster_free(ld->r);
		free(ld->nips);
		free(ld);
	}
	return rc;
}
