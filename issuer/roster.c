/*
 * roster: the HR roster CSV, read by csvread; here are its columns and what
 * a row must hold.
 */
#include "roster.h"

#include "utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvread.h"
#include "money.h"

#define MAX_STATUSES 64

_Static_assert(ROSTER_FIELD_MAX == CSVREAD_FIELD_MAX, "the roster's field limit is csvread's");
_Static_assert(ROSTER_MAX_COLS == CSVREAD_MAX_COLS, "the roster's column limit is csvread's");

enum col { COL_NIP, COL_NAME, COL_OPD, COL_CLASS, COL_TPP, COL_STATUS, COL__COUNT };

static const csvread_column columns[COL__COUNT] = {
    [COL_NIP] = {"nip", true},     [COL_NAME] = {"name", true}, [COL_OPD] = {"opd", true},
    [COL_CLASS] = {"class", true}, [COL_TPP] = {"tpp", false},  [COL_STATUS] = {"status", false},
};

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

/* One load: what the row function needs besides the row. */
typedef struct loader {
	int this_year;
	roster *r;
	nip_slot *nips;
	size_t nips_n, nips_cap;
} loader;

void roster_class_normalize(char *s)
{
	const char *p = s;
	size_t n = strlen(s);
	char *w = s;

	csvread_trim(&p, &n);
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

/* *first = the line of an earlier row with this NIP, or 0 after recording this one. */
static err nip_seen(loader *ld, const char *nip, unsigned long line, unsigned long *first)
{
	uint64_t key = nip_key(nip);
	size_t i;

	*first = 0;
	if (2 * (ld->nips_n + 1) > ld->nips_cap) {
		size_t cap = ld->nips_cap ? ld->nips_cap * 2 : 1024;
		nip_slot *t = calloc(cap, sizeof *t);
		if (!t)
			return ERR_NOMEM;
		for (size_t j = 0; j < ld->nips_cap; j++)
			if (ld->nips[j].key)
				t[nip_slot_of(t, cap, ld->nips[j].key)] = ld->nips[j];
		free(ld->nips);
		ld->nips = t;
		ld->nips_cap = cap;
	}
	i = nip_slot_of(ld->nips, ld->nips_cap, key);
	if (ld->nips[i].key) {
		*first = ld->nips[i].line;
		return ERR_OK;
	}
	ld->nips[i].key = key;
	ld->nips[i].line = line;
	ld->nips_n++;
	return ERR_OK;
}

/* ---- rows ---- */

static void check_nip(csvread *cr, int this_year, roster_row *row)
{
	const char *why = "must be 18 digits";
	size_t n;
	const char *s = csvread_field(cr, COL_NIP, &n);
	bool digits = strspn(s, "0123456789") == n;

	if (n == 0) {
		csvread_note(cr, "missing NIP");
		return;
	}
	if (strchr(s, '+') && (strchr(s, 'E') || strchr(s, 'e'))) {
		csvread_note(cr,
		             "bad NIP: a spreadsheet turned it into a number (like 1.97203E+17); "
		             "format the nip column as Text and export again");
		return;
	}
	if (strlen(s) != n || nip_check(s, this_year, &row->kind, &why) != ERR_OK) {
		if (digits && n != NIP_LEN)
			csvread_note(cr, "bad NIP: %s, not %zu", why, n);
		else if (digits && strcmp(s + NIP_LEN - 3, "000") == 0)
			csvread_note(cr,
			             "bad NIP: %s (a spreadsheet that stored it as a number "
			             "rounds the last digits to 000)",
			             why);
		else
			csvread_note(cr, "bad NIP: %s", why);
		return;
	}
	memcpy(row->nip, s, NIP_LEN + 1);
}

static void check_tpp(csvread *cr, roster_row *row)
{
	size_t n;
	const char *s = csvread_field(cr, COL_TPP, &n);
	err rc;

	row->tpp = -1;
	if (n == 0)
		return;
	rc = strlen(s) == n ? money_parse(s, &row->tpp) : ERR_INVALID;
	if (rc == ERR_OVERFLOW)
		csvread_note(cr, "TPP is too large");
	else if (rc != ERR_OK)
		csvread_note(cr,
		             "bad TPP (write whole rupiah: 5000000, 5.000.000 or 5.000.000,00)");
	if (rc != ERR_OK)
		row->tpp = -1;
}

/* csvread: one data row. */
static err on_row(csvread *cr, unsigned long line, void *arg)
{
	loader *ld = arg;
	roster_row row = {.line = line, .tpp = -1};
	const char *name, *opd;
	char *cls;
	unsigned long first;
	size_t n;

	if (csvread_has(cr, COL_STATUS)) {
		const char *status = csvread_field(cr, COL_STATUS, &n);
		if (strlen(status) != n || strcasecmp(status, "aktif") != 0)
			return count_status(ld->r, status, n);
	}
	check_nip(cr, ld->this_year, &row);
	if (row.nip[0]) {
		if (nip_seen(ld, row.nip, line, &first) != ERR_OK)
			return ERR_NOMEM;
		if (first)
			csvread_note(cr, "duplicate NIP (first at line %lu)", first);
	}
	name = csvread_text(cr, COL_NAME, "name");
	opd = csvread_text(cr, COL_OPD, "OPD");
	cls = csvread_text(cr, COL_CLASS, "class");
	if (csvread_has(cr, COL_TPP))
		check_tpp(cr, &row);
	if (csvread_noted(cr))
		return ERR_OK;
	roster_class_normalize(cls);
	return add_row(ld->r, &row, name, opd, cls);
}

err roster_load(const char *path, int this_year, roster **out, roster_problems **problems)
{
	loader ld = {.this_year = this_year};
	csvread_spec spec = {.columns = columns,
	                     .ncolumns = COL__COUNT,
	                     .max_rows = ROSTER_MAX_ROWS,
	                     .too_many = "split the roster",
	                     .row = on_row,
	                     .arg = &ld};
	err rc = ERR_NOMEM;

	*out = NULL;
	if (!(*problems = roster_problems_new()))
		return ERR_NOMEM;
	if (!(ld.r = calloc(1, sizeof *ld.r)) || !(ld.r->path = strdup(path)))
		goto cleanup;
	rc = csvread_file(path, &spec, *problems);
	if (rc == ERR_OK) {
		*out = ld.r;
		ld.r = NULL;
	}
cleanup:
	roster_free(ld.r);
	free(ld.nips);
	return rc;
}
