/*
 * libFuzzer: the roster CSV reader (issuer/roster.c) on arbitrary files.
 *
 * Whatever the file, a kept row must be one issue can use as it is: a NIP
 * that passes nip_check, unique in the roster; name, OPD and class present,
 * UTF-8 text, trimmed, blanks collapsed; the class normalised; a TPP that is
 * -1 or a sum of rupiah. Problems name the file, never a NIP.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../issuer/roster.h"
#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "nip.h"
#include "utf8.h"

#define THIS_YEAR 2026

static memfile in;

static bool trimmed_text(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && utf8_text(s, n) && s[0] != ' ' && s[n - 1] != ' ' && !strstr(s, "  ") &&
	       !(n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) &&
	       !(n >= 2 && memcmp(s + n - 2, "\xC2\xA0", 2) == 0);
}

static void check_row(const roster *r, size_t i)
{
	const roster_row *row = roster_at(r, i);
	char cls[ROSTER_FIELD_MAX + 1];
	nip_kind kind;

	if (!row || strlen(row->nip) != NIP_LEN ||
	    nip_check(row->nip, THIS_YEAR, &kind, NULL) != ERR_OK || kind != row->kind)
		__builtin_trap();
	if (!trimmed_text(row->name) || !trimmed_text(row->opd) ||
	    !utf8_text(row->class_name, strlen(row->class_name)) || !row->class_name[0])
		__builtin_trap();
	/* Normalising is idempotent: the policy finds the class by the same rule. */
	if (strlen(row->class_name) > ROSTER_FIELD_MAX)
		__builtin_trap();
	strcpy(cls, row->class_name);
	roster_class_normalize(cls);
	if (strcmp(cls, row->class_name) != 0)
		__builtin_trap();
	if (row->tpp < -1 || row->line < 2)
		__builtin_trap();
	/* File order, and no NIP twice (a quadratic check: inputs are small). */
	if (i > 0 && roster_at(r, i - 1)->line >= row->line)
		__builtin_trap();
	for (size_t j = 0; j < i; j++)
		if (strcmp(roster_at(r, j)->nip, row->nip) == 0)
			__builtin_trap();
}

/* A NIP is personal data: no problem may quote one (no run of 18 digits).
 * (strcspn and strspn find the runs: a comparison per character, traced
 * by the fuzzer, cost more than the reading.) */
static void check_problems(const roster_problems *pr, const char *path)
{
	static const char digits[] = "0123456789";

	for (size_t i = 0; i < roster_problems_count(pr); i++) {
		const char *t = roster_problems_text(pr, i);

		if (!t || strncmp(t, path, strlen(path)) != 0 || t[strlen(path)] != ':')
			__builtin_trap();
		for (t += strcspn(t, digits); *t; t += strcspn(t, digits)) {
			size_t run = strspn(t, digits);
			if (run >= NIP_LEN)
				__builtin_trap();
			t += run;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = memfile_put(&in, data, size);
	roster_problems *pr = NULL;
	roster *r = NULL;
	size_t skipped = 0;
	err rc;

	rc = roster_load(path, THIS_YEAR, &r, &pr);
	if (!pr)
		__builtin_trap(); /* only when out of memory */
	check_problems(pr, path);
	if (rc != ERR_OK) {
		/* A refused file says why, and hands back no roster. */
		if (r || roster_problems_count(pr) == 0)
			__builtin_trap();
		goto out;
	}
	if (!r || strcmp(roster_path(r), path) != 0)
		__builtin_trap();
	for (size_t i = 0; i < roster_count(r); i++)
		check_row(r, i);
	for (size_t i = 0; i < roster_statuses(r); i++) {
		size_t rows = 0;
		if (!roster_status_at(r, i, &rows) || rows == 0)
			__builtin_trap();
		skipped += rows;
	}
	if (skipped != roster_skipped(r) || roster_statuses(r) > 65 ||
	    roster_at(r, roster_count(r)))
		__builtin_trap();
out:
	roster_free(r);
	roster_problems_free(pr);
	return 0;
}
