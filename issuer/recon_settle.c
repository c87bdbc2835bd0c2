/*
 * Settling: each unique entry against the entitlements, in the order the
 * entries were first seen; the findings (anomalies); and the balances,
 * per ASN, per OPD and in total.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "reconcile_impl.h"
#include "voucher.h"

/* ---- anomalies ---- */

const char *const anomaly_name[AN__COUNT] = {
    [AN_CHAIN_BREAK] = "chain_break",
    [AN_BAD_HEAD] = "bad_head",
    [AN_NOT_EXTENDED] = "head_not_extended",
    [AN_BAD_RECEIPT] = "bad_receipt",
    [AN_CONFLICT] = "conflicting_duplicate",
    [AN_MISSING] = "missing_redemption",
    [AN_REMAINING] = "remaining_mismatch",
    [AN_NOT_IN_JOURNAL] = "receipt_not_in_journal",
    [AN_UNKNOWN_SERIAL] = "unknown_serial",
    [AN_VOID_WITHOUT] = "void_without_redemption",
    [AN_AFTER_REVOCATION] = "redeemed_after_revocation",
    [AN_OUTSIDE_VALIDITY] = "outside_validity",
    [AN_OVERSPENT] = "overspent",
    [AN_FORGED_RECEIPT] = "forged_receipt",
    [AN_NO_PAYEE] = "no_payee",
};

void anomaly_add(anomalies *a, int kind, uint64_t serial, uint64_t ord, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		anomaly *an = realloc(a->an, cap * sizeof *an);
		if (!an) {
			a->fatal = ERR_NOMEM;
			return;
		}
		a->an = an;
		a->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text) {
		a->fatal = ERR_NOMEM;
		return;
	}
	a->an[a->n] = (anomaly){(uint8_t)kind, serial, ord, a->n, text};
	a->n++;
	a->count[kind]++;
}

static int anomaly_cmp(const void *a, const void *b)
{
	const anomaly *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void anomalies_sort(anomalies *a)
{
	if (a->n)
		qsort(a->an, a->n, sizeof *a->an, anomaly_cmp);
}

void anomalies_free(anomalies *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->an[i].detail);
	free(a->an);
	memset(a, 0, sizeof *a);
}

/* ---- settling the entries ---- */

static const char *rp(int64_t v, char buf[MONEY_FMT_MAX])
{
	money_format(v, buf, MONEY_FMT_MAX);
	return buf;
}

/*
 * Count a redemption made at t on its local day, or take back a voided one
 * (voided: the redemption's own day). Days outside the period's (with its
 * grace days) are only counted, for the report.
 */
static void add_day(days *D, const tzone *tz, int64_t t, bool voided, int64_t amount)
{
	int64_t local = t + tz->offset;
	int64_t d = local / 86400 - (local % 86400 < 0) - D->first;

	if (d < 0 || d >= D->n) {
		if (voided)
			D->outside--;
		else
			D->outside++;
		return;
	}
	if (voided) {
		D->d[d].count--;
		D->d[d].amount -= amount;
	} else {
		D->d[d].count++;
		D->d[d].amount += amount;
	}
}

static err settle_redeem(const settle_ctx *c, entitlements *E, entries *J, anomalies *A, days *D,
                         entry *en)
{
	const char *path = c->paths[en->file];
	uint32_t vi = entitlements_find(E, en->serial);
	char rid[RID_TEXT_MAX], t1[INSTANT_LEN + 1], t2[INSTANT_LEN + 1], t3[INSTANT_LEN + 1],
	    m[MONEY_FMT_MAX];
	site *s = &J->site[en->site];
	const char *why;
	vch *v;
	ent *e;

	if (en->flags & EF_NOT_PAID)
		return ERR_OK; /* withheld: its anomaly says why */
	if (vi == NONE) {
		entry_rid(J, en, rid, sizeof rid);
		why = !c->receipts_checked ? "receipt not checked"
		      : en->flags & EF_RECEIPT_BAD
		          ? "its receipt does not verify"
		          : "its receipt verifies: the redeemer accepted a validly signed voucher, "
		            "the issuer key may be compromised";
		anomaly_add(A, AN_UNKNOWN_SERIAL, en->serial, anomaly_ord(en->file, en->line),
		            "%s:%" PRIu32 ": %s: %s redeemed at %s/%s on a serial the ledger did "
		            "not issue for %s%s; %s",
		            path, en->line, rid, rp(en->amount, m), s->merchant, s->gallery,
		            c->pertext,
		            ledger_has_serial(E->l, en->serial) ? " (another period's)" : "", why);
		return ERR_OK;
	}
	v = &E->v[vi];
	e = &E->e[v->ent];
	if (!money_add(e->redeemed, en->amount, &e->redeemed) ||
	    !money_add(s->redeemed, en->amount, &s->redeemed))
		return ERR_OVERFLOW;
	s->redemptions++;
	s->offline += en->kind == JOURNAL_OFFLINE;
	add_day(D, E->tz, en->time, false, en->amount);
	if (v->revoked && en->time >= v->revoked_at) {
		entry_rid(J, en, rid, sizeof rid);
		instant_format(en->time, t1);
		instant_format(v->revoked_at, t2);
		anomaly_add(A, AN_AFTER_REVOCATION, en->serial, anomaly_ord(en->file, en->line),
		            "%s:%" PRIu32 ": %s at %s, revoked at %s%s", path, en->line, rid, t1,
		            t2, v->replaced_by ? " (replaced)" : "");
	}
	if (en->time < v->valid_from || en->time >= v->valid_until) {
		entry_rid(J, en, rid, sizeof rid);
		instant_format(en->time, t1);
		instant_format(v->valid_from, t2);
		instant_format(v->valid_until, t3);
		anomaly_add(A, AN_OUTSIDE_VALIDITY, en->serial, anomaly_ord(en->file, en->line),
		            "%s:%" PRIu32 ": %s at %s, valid from %s until %s", path, en->line, rid,
		            t1, t2, t3);
	}
	return ERR_OK;
}

static err settle_void(const settle_ctx *c, entitlements *E, entries *J, anomalies *A, days *D,
                       const entry *en)
{
	const char *path = c->paths[en->file];
	char rid[RID_TEXT_MAX];
	uint32_t ri = entries_find(J, en->pfx, en->ridnum, JOURNAL_REDEEM), vi;

	if (ri == NONE) /* a redemption made offline is voided as any other */
		ri = entries_find(J, en->pfx, en->ridnum, JOURNAL_OFFLINE);
	const entry *red;
	site *s;
	ent *e;

	entry_rid(J, en, rid, sizeof rid);
	if (en->flags & EF_NOT_PAID)
		return ERR_OK;
	if (ri == NONE) {
		anomaly_add(A, AN_VOID_WITHOUT, en->serial, anomaly_ord(en->file, en->line),
		            "%s:%" PRIu32 ": void of %s: no such redemption in the journals", path,
		            en->line, rid);
		return ERR_OK;
	}
	red = &J->en[ri];
	if (red->flags & EF_NOT_PAID) /* what was never counted is not taken back */
		return ERR_OK;
	if (red->serial != en->serial || red->amount != en->amount ||
	    strcmp(J->site[red->site].merchant, J->site[en->site].merchant) != 0) {
		anomaly_add(A, AN_VOID_WITHOUT, en->serial, anomaly_ord(en->file, en->line),
		            "%s:%" PRIu32 ": void of %s: its %s differs from the redemption's",
		            path, en->line, rid,
		            red->serial != en->serial   ? "serial"
		            : red->amount != en->amount ? "amount"
		                                        : "merchant");
		return ERR_OK;
	}
	/* The redemption of a serial never issued was not counted: nor is its void. */
	if ((vi = entitlements_find(E, red->serial)) == NONE)
		return ERR_OK;
	e = &E->e[E->v[vi].ent];
	s = &J->site[red->site];
	if (!money_sub(e->redeemed, en->amount, &e->redeemed) ||
	    !money_add(s->voided, en->amount, &s->voided))
		return ERR_OVERFLOW;
	s->voids++;
	add_day(D, E->tz, red->time, true, en->amount);
	return ERR_OK;
}

/* An offline conflict: never paid, the merchant's to bear; counted for
 * offline.csv and the report. */
static err settle_conflict(entries *J, const entry *en)
{
	site *s = &J->site[en->site];

	if (en->flags & EF_NOT_PAID)
		return ERR_OK;
	s->conflicts++;
	return money_add(s->conflicted, en->amount, &s->conflicted) ? ERR_OK : ERR_OVERFLOW;
}

err settle(const settle_ctx *c, entitlements *E, entries *J, anomalies *A, days *D)
{
	err rc = ERR_OK;

	for (size_t i = 0; i < J->n && rc == ERR_OK && A->fatal == ERR_OK; i++) {
		entry *en = &J->en[i];
		if (en->kind == JOURNAL_REDEEM || en->kind == JOURNAL_OFFLINE)
			rc = settle_redeem(c, E, J, A, D, en);
		else if (en->kind == JOURNAL_VOID)
			rc = settle_void(c, E, J, A, D, en);
		else
			rc = settle_conflict(J, en);
	}
	for (size_t k = 0; k < E->ne && rc == ERR_OK; k++) {
		ent *e = &E->e[E->order[k]];
		char m1[MONEY_FMT_MAX], m2[MONEY_FMT_MAX];

		if (!money_sub(e->issued, e->redeemed, &e->unspent))
			return ERR_OVERFLOW;
		if (e->redeemed > e->issued)
			anomaly_add(A, AN_OVERSPENT, e->serial, k, "%s redeemed of %s issued",
			            rp(e->redeemed, m1), rp(e->issued, m2));
	}
	for (size_t i = 0; i < J->sites.n && rc == ERR_OK; i++)
		if (!money_sub(J->site[i].redeemed, J->site[i].voided, &J->site[i].amount))
			rc = ERR_OVERFLOW;
	return rc != ERR_OK ? rc : A->fatal;
}

/* ---- balances ---- */

bool balances(int64_t issued, int64_t redeemed, int64_t unspent)
{
	int64_t sum;

	return money_add(redeemed, unspent, &sum) && sum == issued;
}

err totals_check(const entitlements *E, const entries *J, const anomalies *A, totals *t)
{
	char sr[VOUCHER_SERIAL_LEN + 1];
	bool sums = true;

	t->balanced = true;
	for (int k = 0; k < AN__FAILS; k++)
		t->failures += A->count[k];
	for (size_t i = 0; i < J->n; i++)
		if (J->en[i].flags & EF_NOT_PAID) {
			t->withheld++;
			if (J->en[i].kind == JOURNAL_REDEEM)
				t->withheld_rupiah += J->en[i].amount;
		}
	if (!(t->opd = calloc(E->ne + 1, sizeof *t->opd)))
		return ERR_NOMEM;
	for (size_t k = 0; k < E->ne; k++) {
		const ent *e = &E->e[E->order[k]];
		opd_sum *o;

		if (!balances(e->issued, e->redeemed, e->unspent)) {
			voucher_serial_format(e->serial, sr);
			printf("balance: FAILED for the entitlement of serial %s\n", sr);
			t->balanced = false;
		}
		if (t->nopd == 0 || strcmp(t->opd[t->nopd - 1].opd, e->opd) != 0)
			t->opd[t->nopd++] = (opd_sum){e->opd, k, 0, 0, 0, 0, 0};
		o = &t->opd[t->nopd - 1];
		o->n++;
		o->met += e->redeemed >= e->issued;
		sums = sums && money_add(o->issued, e->issued, &o->issued) &&
		       money_add(o->redeemed, e->redeemed, &o->redeemed) &&
		       money_add(o->unspent, e->unspent, &o->unspent) &&
		       money_add(t->issued, e->issued, &t->issued) &&
		       money_add(t->redeemed, e->redeemed, &t->redeemed) &&
		       money_add(t->unspent, e->unspent, &t->unspent) &&
		       (e->unspent <= 0 || money_add(t->refund, e->unspent, &t->refund));
		t->met += e->redeemed >= e->issued;
	}
	for (size_t i = 0; i < J->sites.n; i++) {
		sums = sums && money_add(t->settled, J->site[i].amount, &t->settled) &&
		       money_add(t->conflict_rupiah, J->site[i].conflicted, &t->conflict_rupiah);
		t->conflicts += J->site[i].conflicts;
	}
	for (size_t i = 0; i < J->n; i++)
		if (J->en[i].kind == JOURNAL_OFFLINE && !(J->en[i].flags & EF_NOT_PAID) &&
		    entitlements_find(E, J->en[i].serial) != NONE) {
			t->offline++;
			sums = sums &&
			       money_add(t->offline_rupiah, J->en[i].amount, &t->offline_rupiah);
		}
	if (!sums) {
		printf("balance: FAILED: a sum overflows\n");
		t->balanced = t->ok = false;
		return ERR_OK;
	}
	for (size_t i = 0; i < t->nopd; i++) {
		if (!balances(t->opd[i].issued, t->opd[i].redeemed, t->opd[i].unspent)) {
			printf("balance: FAILED for OPD %s\n", t->opd[i].opd);
			t->balanced = false;
		}
	}
	t->ok = t->balanced && !t->failures && t->settled == t->redeemed &&
	        balances(t->issued, t->redeemed, t->unspent);
	return ERR_OK;
}

void opd_pct(const opd_sum *o, char out[PCT_MAX])
{
	/* One decimal, half up, in integers. */
	uint64_t tenths = o->n ? (o->met * 2000 + o->n) / (2 * o->n) : 0;

	snprintf(out, PCT_MAX, "%" PRIu64 ".%" PRIu64, tenths / 10, tenths % 10);
}

/* ---- sites in order ---- */

static int site_cmp_r(const void *a, const void *b, void *ctx)
{
	const site *s = ctx, *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	int c = strcmp(x->merchant, y->merchant);

	return c ? c : strcmp(x->gallery, y->gallery);
}

static int site_by_gallery_r(const void *a, const void *b, void *ctx)
{
	const site *s = ctx, *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	int c = strcmp(x->gallery, y->gallery);

	return c ? c : strcmp(x->merchant, y->merchant);
}

static uint32_t *sites_sorted(const entries *J, int (*cmp)(const void *, const void *, void *))
{
	uint32_t *idx = malloc((J->sites.n + 1) * sizeof *idx);

	if (!idx)
		return NULL;
	for (size_t i = 0; i < J->sites.n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, J->sites.n, sizeof *idx, cmp, J->site);
	return idx;
}

uint32_t *sites_by_merchant(const entries *J)
{
	return sites_sorted(J, site_cmp_r);
}

static int offline_cmp_r(const void *a, const void *b, void *ctx)
{
	const entries *J = ctx;
	uint32_t i = *(const uint32_t *)a, k = *(const uint32_t *)b;
	int c = site_cmp_r(&J->en[i].site, &J->en[k].site, J->site);

	return c ? c : (i > k) - (i < k);
}

uint32_t *offline_entries(const entries *J, size_t *n)
{
	uint32_t *idx = malloc((J->n + 1) * sizeof *idx);

	*n = 0;
	if (!idx)
		return NULL;
	for (size_t i = 0; i < J->n; i++)
		if (J->en[i].kind == JOURNAL_OFFLINE || J->en[i].kind == JOURNAL_CONFLICT)
			idx[(*n)++] = (uint32_t)i;
	qsort_r(idx, *n, sizeof *idx, offline_cmp_r, (void *)J);
	return idx;
}

uint32_t *sites_by_gallery(const entries *J)
{
	return sites_sorted(J, site_by_gallery_r);
}
