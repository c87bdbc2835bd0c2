/*
 * Entitlements: the ledger's vouchers of the period, indexed by serial, and
 * grouped into entitlements, one per ASN: a voucher and the replacements
 * reissued for it (the replaces / replaced_by chain) count once, issued at
 * the original's amount, reported under the last serial of the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "reconcile_impl.h"
#include "voucher.h"

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;

	while (c < n)
		c *= 2;
	return c;
}

uint32_t entitlements_find(const entitlements *E, uint64_t serial)
{
	if (!E->scap || !serial)
		return NONE;
	for (size_t j = mix64(serial) & (E->scap - 1); E->skey[j]; j = (j + 1) & (E->scap - 1))
		if (E->skey[j] == serial)
			return E->sval[j];
	return NONE;
}

/* What collect_voucher needs besides the entitlements. */
struct collect {
	entitlements *E;
	const char *ledger_dir;
	err fatal;
};

static int collect_voucher(const ledger_voucher *lv, void *ctx)
{
	struct collect *c = ctx;
	entitlements *E = c->E;
	voucher tok;
	vch *v;
	size_t a = strlen(lv->nip) + 1, b = strlen(lv->name) + 1, d = strlen(lv->opd) + 1,
	       k = strlen(lv->cls) + 1;
	char sr[VOUCHER_SERIAL_LEN + 1];

	if (E->nv == E->vcap) {
		size_t cap = E->vcap ? E->vcap * 2 : 256;
		vch *nv = realloc(E->v, cap * sizeof *nv);
		if (!nv) {
			c->fatal = ERR_NOMEM;
			return 1;
		}
		E->v = nv;
		E->vcap = cap;
	}
	if (voucher_decode(lv->token, strlen(lv->token), &tok) != ERR_OK) {
		voucher_serial_format(lv->serial, sr);
		fprintf(stderr, "%s: voucher %s holds a malformed token\n", c->ledger_dir, sr);
		c->fatal = ERR_INVALID;
		return 1;
	}
	v = &E->v[E->nv];
	*v = (vch){lv->serial,     lv->replaces,    lv->replaced_by, lv->amount, lv->revoked_at,
	           tok.valid_from, tok.valid_until, lv->revoked,     NONE,       NULL};
	if (!(v->text = malloc(a + b + d + k))) {
		c->fatal = ERR_NOMEM;
		return 1;
	}
	memcpy(v->text, lv->nip, a);
	memcpy(v->text + a, lv->name, b);
	memcpy(v->text + a + b, lv->opd, d);
	memcpy(v->text + a + b + d, lv->cls, k);
	E->nv++;
	return 0;
}

static int ent_cmp_r(const void *a, const void *b, void *ctx)
{
	const entitlements *E = ctx;
	const ent *x = &E->e[*(const uint32_t *)a], *y = &E->e[*(const uint32_t *)b];
	int c;

	if ((c = strcmp(x->opd, y->opd)) != 0 || (c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->nip, y->nip)) != 0)
		return c;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* The serial index, then each voucher's entitlement: the one of the first
 * voucher of its replaces chain. */
static bool group(entitlements *E)
{
	uint32_t *root_ent = NULL;
	bool ok = false;

	E->scap = pow2_at_least(E->nv * 2 + 1);
	if (!(E->skey = calloc(E->scap, sizeof *E->skey)) ||
	    !(E->sval = calloc(E->scap, sizeof *E->sval)))
		goto cleanup;
	for (size_t i = 0; i < E->nv; i++) {
		size_t j = mix64(E->v[i].serial) & (E->scap - 1);
		while (E->skey[j])
			j = (j + 1) & (E->scap - 1);
		E->skey[j] = E->v[i].serial;
		E->sval[j] = (uint32_t)i;
	}
	if (!(root_ent = malloc((E->nv + 1) * sizeof *root_ent)) ||
	    !(E->e = calloc(E->nv + 1, sizeof *E->e)) ||
	    !(E->order = malloc((E->nv + 1) * sizeof *E->order)))
		goto cleanup;
	for (size_t i = 0; i < E->nv; i++)
		root_ent[i] = NONE;
	for (size_t i = 0; i < E->nv; i++) {
		uint32_t root = (uint32_t)i, j;
		size_t steps = 0;

		/* The steps bound a cycle a damaged ledger might hold. */
		while ((j = entitlements_find(E, E->v[root].replaces)) != NONE && steps++ < E->nv)
			root = j;
		if (root_ent[root] == NONE) {
			const vch *rv = &E->v[root];
			ent *en = &E->e[E->ne];
			uint32_t cur = root;

			steps = 0;
			while ((j = entitlements_find(E, E->v[cur].replaced_by)) != NONE &&
			       steps++ < E->nv)
				cur = j;
			en->serial = E->v[cur].serial;
			en->issued = rv->amount;
			en->nip = rv->text;
			en->name = en->nip + strlen(en->nip) + 1;
			en->opd = en->name + strlen(en->name) + 1;
			en->cls = en->opd + strlen(en->opd) + 1;
			root_ent[root] = (uint32_t)E->ne++;
		}
		E->v[i].ent = root_ent[root];
	}
	for (size_t i = 0; i < E->ne; i++)
		E->order[i] = (uint32_t)i;
	qsort_r(E->order, E->ne, sizeof *E->order, ent_cmp_r, E);
	ok = true;
cleanup:
	free(root_ent);
	return ok;
}

bool entitlements_load(entitlements *E, const char *ledger_dir, period per)
{
	struct collect c = {E, ledger_dir, ERR_OK};
	char pertext[8];
	err e;

	period_format(per, pertext, sizeof pertext);
	if ((e = ledger_open(ledger_dir, false, &E->l)) != ERR_OK) {
		fprintf(stderr, "%s: cannot open the ledger: %s\n", ledger_dir, err_str(e));
		return false;
	}
	e = ledger_period_info_get(E->l, per, &E->info);
	if (e == ERR_NOT_FOUND) {
		fprintf(stderr, "%s: no vouchers were issued for %s\n", ledger_dir, pertext);
		return false;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "%s: %s\n", ledger_dir, err_str(e));
		return false;
	}
	if (!(E->tz = tzone_find(E->info.timezone)) || E->info.grace_days < 0 ||
	    E->info.grace_days > 366) {
		fprintf(stderr, "%s: period %s has an unknown time zone or grace days\n",
		        ledger_dir, pertext);
		return false;
	}
	e = ledger_each(E->l, per, collect_voucher, &c);
	if (c.fatal == ERR_NOMEM)
		goto nomem;
	if (c.fatal != ERR_OK)
		return false;
	if (e != ERR_OK) {
		fprintf(stderr, "%s: %s\n", ledger_dir, err_str(e));
		return false;
	}
	if (group(E))
		return true;
nomem:
	fprintf(stderr, "reconcile: out of memory\n");
	return false;
}

void entitlements_free(entitlements *E)
{
	for (size_t i = 0; i < E->nv; i++)
		free(E->v[i].text);
	free(E->v);
	free(E->skey);
	free(E->sval);
	free(E->e);
	free(E->order);
	if (E->l)
		ledger_close(E->l);
	memset(E, 0, sizeof *E);
}
