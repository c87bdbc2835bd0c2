/*
 * libFuzzer: the policy INI reader (issuer/policy.c) on arbitrary files.
 *
 * A policy that loads must hold only values in range (the header's
 * contract), give face values within its bounds, and survive a round trip:
 * written back out as INI and read again, it is the same policy. A refused
 * one says where, as "FILE:LINE: ...".
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../issuer/policy.h"
#include "../../issuer/roster.h"
#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "utf8.h"

static memfile in, again;

static void check_class(const policy *p, const policy_class *c)
{
	static const int64_t tpps[] = {0, 1, 3750000, 5000000, INT64_MAX};
	char name[256];
	int64_t amount;

	if (!c->name[0] || strlen(c->name) >= sizeof name || c->line < 1)
		__builtin_trap();
	strcpy(name, c->name);
	roster_class_normalize(name);
	if (strcmp(name, c->name) != 0 || policy_class_find(p, c->name) != c)
		__builtin_trap();
	if (!c->percent) {
		if (c->amount < 1 || c->amount > POLICY_AMOUNT_MAX || c->bp || c->min || c->max)
			__builtin_trap();
		if (policy_amount(c, -1, &amount, NULL) != ERR_OK || amount != c->amount)
			__builtin_trap();
		return;
	}
	if (c->amount || c->bp < 1 || c->bp > 10000 || c->min < 1 || c->min > c->max ||
	    c->max > POLICY_AMOUNT_MAX)
		__builtin_trap();
	if (policy_amount(c, -1, &amount, NULL) != ERR_INVALID)
		__builtin_trap();
	for (size_t i = 0; i < sizeof tpps / sizeof tpps[0]; i++)
		if (policy_amount(c, tpps[i], &amount, NULL) != ERR_OK || amount < c->min ||
		    amount > c->max)
			__builtin_trap();
}

static void check_scheme(const policy_scheme *s)
{
	if (!key_id_valid(s->issuer) || !s->tz || s->grace_days < 0 ||
	    s->grace_days > POLICY_GRACE_MAX ||
	    (s->use != POLICY_MULTI && s->use != POLICY_SINGLE) ||
	    (s->unspent != POLICY_FORFEIT && s->unspent != POLICY_REFUND))
		__builtin_trap();
	if ((s->gallery[0] && !key_id_valid(s->gallery)) || !s->title[0] ||
	    strlen(s->title) > POLICY_TITLE_MAX || !utf8_text(s->title, strlen(s->title)))
		__builtin_trap();
}

/* p as a policy INI file (the title quoted, so its blanks stay). */
static size_t format(const policy *p, char *buf, size_t cap)
{
	const policy_scheme *s = policy_get_scheme(p);
	FILE *f = fmemopen(buf, cap, "w");
	long n;

	if (!f)
		__builtin_trap();
	fprintf(f,
	        "[scheme]\nissuer = %s\ntimezone = %s\ngrace_days = %d\nuse = %s\nunspent = %s\n",
	        s->issuer, s->tz->name, s->grace_days, s->use == POLICY_SINGLE ? "single" : "multi",
	        s->unspent == POLICY_REFUND ? "refund" : "forfeit");
	if (s->gallery[0])
		fprintf(f, "gallery = %s\n", s->gallery);
	fprintf(f, "title = \"%s\"\n", s->title);
	for (size_t i = 0; i < policy_class_count(p); i++) {
		const policy_class *c = policy_class_at(p, i);
		fprintf(f, "[class.%s]\n", c->name);
		if (c->percent)
			fprintf(f,
			        "percent_of_tpp = %" PRId64 ".%02" PRId64 "\nmin = %" PRId64
			        "\nmax = %" PRId64 "\n",
			        c->bp / 100, c->bp % 100, c->min, c->max);
		else
			fprintf(f, "amount = %" PRId64 "\n", c->amount);
	}
	n = ftell(f);
	if (ferror(f) || fclose(f) != 0 || n < 0 || (size_t)n >= cap)
		__builtin_trap();
	return (size_t)n;
}

static void same_policy(const policy *a, const policy *b)
{
	const policy_scheme *s = policy_get_scheme(a), *t = policy_get_scheme(b);

	if (strcmp(s->issuer, t->issuer) != 0 || s->tz != t->tz || s->grace_days != t->grace_days ||
	    s->use != t->use || s->unspent != t->unspent || strcmp(s->gallery, t->gallery) != 0 ||
	    strcmp(s->title, t->title) != 0 || policy_class_count(a) != policy_class_count(b))
		__builtin_trap();
	for (size_t i = 0; i < policy_class_count(a); i++) {
		const policy_class *c = policy_class_at(a, i), *d = policy_class_at(b, i);
		if (strcmp(c->name, d->name) != 0 || c->percent != d->percent ||
		    c->amount != d->amount || c->bp != d->bp || c->min != d->min ||
		    c->max != d->max)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[1 << 20];
	const char *path = memfile_put(&in, data, size);
	policy *p = NULL, *q = NULL;
	char why[512] = "";
	size_t n;
	err rc;

	rc = policy_load(path, &p, why, sizeof why);
	if (rc != ERR_OK) {
		if (p || strncmp(why, path, strlen(path)) != 0 || why[strlen(path)] != ':')
			__builtin_trap();
		return 0;
	}
	check_scheme(policy_get_scheme(p));
	if (policy_class_count(p) == 0 || policy_class_at(p, policy_class_count(p)))
		__builtin_trap();
	for (size_t i = 0; i < policy_class_count(p); i++)
		check_class(p, policy_class_at(p, i));

	n = format(p, text, sizeof text);
	if (policy_load(memfile_put(&again, text, n), &q, why, sizeof why) != ERR_OK)
		__builtin_trap();
	same_policy(p, q);
	policy_free(q);
	policy_free(p);
	return 0;
}
