/*
 * libFuzzer: the merchants file reader (issuer/merchants.c, over
 * issuer/csvread.c) on arbitrary files.
 *
 * Whatever the file, either it is refused with at least one problem and no
 * payees, or it is taken with no problem at all and every payee is one
 * reconcile can pay as it is: an id the redeemer could have registered,
 * unique, found by payees_find; names present, UTF-8 text, trimmed, blanks
 * collapsed; an account number of 5 to 34 digits. Problems name the file
 * and never quote a field: they are ASCII, and hold no run of digits an
 * account number could be.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../issuer/merchants.h"
#include "keyring.h"
#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "utf8.h"

static memfile in;

static bool trimmed_text(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && utf8_text(s, n) && s[0] != ' ' && s[n - 1] != ' ' && !strstr(s, "  ") &&
	       !(n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) &&
	       !(n >= 2 && memcmp(s + n - 2, "\xC2\xA0", 2) == 0);
}

static void check_payee(const payees *p, size_t i)
{
	const payee *e = payees_at(p, i);
	size_t digits;

	if (!e || !key_id_valid(e->id) || payees_find(p, e->id) != e)
		__builtin_trap();
	if (!trimmed_text(e->name) || !trimmed_text(e->owner) || !trimmed_text(e->bank) ||
	    !trimmed_text(e->account_name))
		__builtin_trap();
	digits = strspn(e->account_number, "0123456789");
	if (digits != strlen(e->account_number) || digits < PAYEE_ACCOUNT_MIN ||
	    digits > PAYEE_ACCOUNT_MAX)
		__builtin_trap();
	/* File order, so lines rise. */
	if (e->line < 2 || (i > 0 && payees_at(p, i - 1)->line >= e->line))
		__builtin_trap();
}

/* An id close to one of the file's, but not in it (one more character): never found. */
static void check_absent(const payees *p)
{
	char probe[KEY_ID_MAX + 2];

	for (size_t i = 0; i < payees_count(p); i++) {
		const payee *e = payees_at(p, i);
		size_t n = strlen(e->id);
		bool present = false;

		memcpy(probe, e->id, n);
		probe[n] = '~'; /* never in an id */
		probe[n + 1] = '\0';
		if (payees_find(p, probe))
			__builtin_trap();
		/* The id in the other case is found only if the file holds it as such. */
		for (size_t k = 0; k < n; k++)
			probe[k] =
			    (char)(probe[k] ^
			           ((probe[k] | 0x20) >= 'a' && (probe[k] | 0x20) <= 'z' ? 0x20
			                                                                 : 0));
		probe[n] = '\0';
		for (size_t j = 0; j < payees_count(p); j++)
			present = present || strcmp(payees_at(p, j)->id, probe) == 0;
		if ((payees_find(p, probe) != NULL) != present)
			__builtin_trap();
	}
}

/* Problems start "PATH:" and are ASCII without a run of 7 digits (a field's).
 * (strspn and strcspn scan them: a comparison per character, traced by the
 * fuzzer, cost more than the reading.) */
static void check_problems(const roster_problems *pr, const char *path)
{
	static const char digits[] = "0123456789";
	static char ascii[0x80 - 0x20 + 1]; /* 0x20 to 0x7F */

	if (!ascii[0])
		for (int c = 0x20; c < 0x80; c++)
			ascii[c - 0x20] = (char)c;
	for (size_t i = 0; i < roster_problems_count(pr); i++) {
		const char *t = roster_problems_text(pr, i);

		if (!t || strncmp(t, path, strlen(path)) != 0 || t[strlen(path)] != ':' ||
		    t[strspn(t, ascii)] != '\0')
			__builtin_trap();
		for (t += strcspn(t, digits); *t; t += strcspn(t, digits)) {
			size_t run = strspn(t, digits);
			if (run >= 7)
				__builtin_trap();
			t += run;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = memfile_put(&in, data, size);
	roster_problems *pr = NULL;
	payees *p = NULL;
	err rc;

	rc = payees_load(path, &p, &pr);
	if (!pr)
		__builtin_trap(); /* only when out of memory */
	check_problems(pr, path);
	if (rc != ERR_OK) {
		/* A refused file says why, and hands back no payees. */
		if (p || roster_problems_count(pr) == 0)
			__builtin_trap();
		goto out;
	}
	if (!p || roster_problems_count(pr) != 0)
		__builtin_trap();
	for (size_t i = 0; i < payees_count(p); i++)
		check_payee(p, i);
	check_absent(p);
	if (payees_at(p, payees_count(p)))
		__builtin_trap();
out:
	payees_free(p);
	roster_problems_free(pr);
	return 0;
}
