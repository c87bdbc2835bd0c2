/*
 * merchants: the payees file, read by csvread; here are its columns, what a
 * row must hold, and the index that finds a payee by merchant id.
 */
#include "merchants.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

enum col {
	COL_ID,
	COL_NAME,
	COL_OWNER,
	COL_BANK,
	COL_ACCOUNT_NUMBER,
	COL_ACCOUNT_NAME,
	COL__COUNT
};

static const csvread_column columns[COL__COUNT] = {
    [COL_ID] = {"id", true},
    [COL_NAME] = {"name", true},
    [COL_OWNER] = {"owner", true},
    [COL_BANK] = {"bank", true},
    [COL_ACCOUNT_NUMBER] = {"account_number", true},
    [COL_ACCOUNT_NAME] = {"account_name", true},
};

/*
 * The rows in file order, and an open-addressing table of them by id: a
 * slot holds a row's index + 1, 0 when empty; nslots is a power of two, at
 * least twice the rows. While loading, a row with a problem is kept by its
 * id and line alone (its strings NULL), so that a later row with the same
 * id names it; such a list is never handed out.
 */
struct payees {
	payee *rows;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
};

_Static_assert(PAYEES_MAX_ROWS < UINT32_MAX, "a slot holds a row index + 1");

/* FNV-1a, 64 bits. */
static uint64_t id_hash(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 0x100000001b3ull;
	return h;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t slot_of(const payees *p, const char *id)
{
	size_t mask = p->nslots - 1, i = (size_t)id_hash(id) & mask;

	while (p->slots[i] && strcmp(p->rows[p->slots[i] - 1].id, id) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Room in the table for one more row: a table twice as large, refilled from the rows. */
static err index_reserve(payees *p)
{
	size_t nslots = p->nslots ? p->nslots * 2 : 256;
	uint32_t *slots;

	if (2 * (p->n + 1) <= p->nslots)
		return ERR_OK;
	if (!(slots = calloc(nslots, sizeof *slots)))
		return ERR_NOMEM;
	free(p->slots);
	p->slots = slots;
	p->nslots = nslots;
	for (size_t r = 0; r < p->n; r++)
		p->slots[slot_of(p, p->rows[r].id)] = (uint32_t)(r + 1);
	return ERR_OK;
}

/* Append row at table slot, its four texts (name, owner, bank, account name;
 * NULL for a bad row) copied into one allocation. */
static err add_payee(payees *p, size_t slot, const payee *row, const char *const *text)
{
	size_t len[4], total = 0;
	char *buf = NULL;
	payee *dst;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		payee *rows = realloc(p->rows, cap * sizeof *rows);
		if (!rows)
			return ERR_NOMEM;
		p->rows = rows;
		p->cap = cap;
	}
	if (text) {
		for (int i = 0; i < 4; i++)
			total += len[i] = strlen(text[i]) + 1;
		if (!(buf = malloc(total)))
			return ERR_NOMEM;
	}
	dst = &p->rows[p->n];
	*dst = *row;
	if (buf) {
		const char **field[4] = {&dst->name, &dst->owner, &dst->bank, &dst->account_name};
		for (int i = 0; i < 4; buf += len[i], i++) {
			memcpy(buf, text[i], len[i]);
			*field[i] = buf;
		}
	}
	p->slots[slot] = (uint32_t)++p->n;
	return ERR_OK;
}

/* ---- rows ---- */

static void check_id(csvread *cr, payee *row)
{
	size_t n;
	const char *s = csvread_field(cr, COL_ID, &n);

	if (n == 0)
		csvread_note(cr, "missing id");
	else if (strlen(s) != n || !key_id_valid(s))
		csvread_note(cr, "bad id: it must be 1 to 32 of A-Z a-z 0-9 . _ - (the merchant id "
		                 "the terminals were registered with)");
	else
		memcpy(row->id, s, n + 1);
}

/* The digits of the account number into row->account_number, the spaces,
 * dots and hyphens between them dropped. */
static void check_account(csvread *cr, payee *row)
{
	size_t n, digits = 0;
	const char *s = csvread_field(cr, COL_ACCOUNT_NUMBER, &n);
	bool other = false;

	if (n == 0) {
		csvread_note(cr, "missing account_number");
		return;
	}
	if (strchr(s, '+') && (strchr(s, 'E') || strchr(s, 'e'))) {
		csvread_note(cr, "bad account_number: a spreadsheet turned it into a number (like "
		                 "1.23457E+13); format the column as Text and export again");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (digits < PAYEE_ACCOUNT_MAX)
				row->account_number[digits] = s[i];
			digits++;
		} else if (s[i] != ' ' && s[i] != '.' && s[i] != '-') {
			other = true;
		}
	}
	if (other)
		csvread_note(cr, "bad account_number: only digits, with spaces, dots or hyphens "
		                 "between them");
	else if (digits < PAYEE_ACCOUNT_MIN || digits > PAYEE_ACCOUNT_MAX)
		csvread_note(cr, "bad account_number: %zu digits, not %d to %d", digits,
		             PAYEE_ACCOUNT_MIN, PAYEE_ACCOUNT_MAX);
	else
		row->account_number[digits] = '\0';
}

/* csvread: one data row. */
static err on_row(csvread *cr, unsigned long line, void *arg)
{
	payees *p = arg;
	payee row = {.line = line};
	const char *text[4];
	size_t slot = 0;

	check_id(cr, &row);
	if (row.id[0]) {
		if (index_reserve(p) != ERR_OK)
			return ERR_NOMEM;
		slot = slot_of(p, row.id);
		if (p->slots[slot])
			csvread_note(cr, "duplicate id (first at line %lu)",
			             p->rows[p->slots[slot] - 1].line);
	}
	text[0] = csvread_text(cr, COL_NAME, "name");
	text[1] = csvread_text(cr, COL_OWNER, "owner");
	text[2] = csvread_text(cr, COL_BANK, "bank");
	text[3] = csvread_text(cr, COL_ACCOUNT_NAME, "account_name");
	check_account(cr, &row);
	if (!row.id[0] || p->slots[slot])
		return ERR_OK;
	if (csvread_noted(cr)) {
		memset(row.account_number, 0, sizeof row.account_number);
		return add_payee(p, slot, &row, NULL);
	}
	return add_payee(p, slot, &row, text);
}

/* ---- the payees ---- */

err payees_load(const char *path, payees **out, roster_problems **problems)
{
	csvread_spec spec = {
	    .columns = columns, .ncolumns = COL__COUNT, .max_rows = PAYEES_MAX_ROWS, .row = on_row};
	payees *p = NULL;
	err rc = ERR_NOMEM;

	*out = NULL;
	if (!(*problems = roster_problems_new()))
		return ERR_NOMEM;
	if (!(p = calloc(1, sizeof *p)))
		goto cleanup;
	spec.arg = p;
	rc = csvread_file(path, &spec, *problems);
	if (rc == ERR_OK && roster_problems_count(*problems) > 0)
		rc = ERR_INVALID;
	if (rc == ERR_OK) {
		*out = p;
		p = NULL;
	}
cleanup:
	payees_free(p);
	return rc;
}

const payee *payees_find(const payees *p, const char *merchant_id)
{
	size_t slot;

	if (!p || !merchant_id || p->nslots == 0)
		return NULL;
	slot = slot_of(p, merchant_id);
	return p->slots[slot] ? &p->rows[p->slots[slot] - 1] : NULL;
}

size_t payees_count(const payees *p)
{
	return p ? p->n : 0;
}

const payee *payees_at(const payees *p, size_t i)
{
	return p && i < p->n ? &p->rows[i] : NULL;
}

void payees_free(payees *p)
{
	if (!p)
		return;
	/* Each row's strings are one allocation starting at its name. */
	for (size_t i = 0; i < p->n; i++)
		free((char *)p->rows[i].name);
	free(p->rows);
	free(p->slots);
	free(p);
}
