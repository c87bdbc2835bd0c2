/*
 * Compliance over the year: each reconcile keeps its period's results per
 * OPD and the ASN who missed their minimum in the ledger (ledger_history_*),
 * and reads the eleven periods before it, for the trend per OPD, the OPDs'
 * rank, and the ASN who missed in two or more of the last three months.
 *
 * The record is JSON, this file's alone:
 *   {"v": 1, "period": "2026-12", "asn": N, "met": M, "issued": I, "redeemed": R,
 *    "opd": [[OPD, asn, met, issued, redeemed], ...],
 *    "missed": [[NIP, name, OPD, issued, redeemed], ...]}
 * It lives in the ledger, so `voucher-issuer backup` keeps it.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reconcile_impl.h"

/* ---- this period's record ---- */

static json_t *record_of(period per, const entitlements *E, const totals *T)
{
	char pertext[8];
	json_t *r, *opd, *missed;

	period_format(per, pertext, sizeof pertext);
	r = json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:[], s:[]}", "v", 1, "period", pertext,
	              "asn", (json_int_t)E->ne, "met", (json_int_t)T->met, "issued",
	              (json_int_t)T->issued, "redeemed", (json_int_t)T->redeemed, "opd", "missed");
	opd = r ? json_object_get(r, "opd") : NULL;
	missed = r ? json_object_get(r, "missed") : NULL;
	for (size_t i = 0; opd && i < T->nopd; i++) {
		const opd_sum *o = &T->opd[i];
		if (json_array_append_new(opd,
		                          json_pack("[s, I, I, I, I]", o->opd, (json_int_t)o->n,
		                                    (json_int_t)o->met, (json_int_t)o->issued,
		                                    (json_int_t)o->redeemed)))
			opd = NULL;
	}
	for (size_t k = 0; opd && missed && k < E->ne; k++) {
		const ent *e = &E->e[E->order[k]];
		if (e->redeemed >= e->issued)
			continue;
		if (json_array_append_new(missed, json_pack("[s, s, s, I, I]", e->nip, e->name,
		                                            e->opd, (json_int_t)e->issued,
		                                            (json_int_t)e->redeemed)))
			missed = NULL;
	}
	if (!opd || !missed) {
		json_decref(r);
		return NULL;
	}
	return r;
}

err history_record(const char *ledger_dir, period per, const entitlements *E, const totals *T)
{
	json_t *r = record_of(per, E, T);
	char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
	ledger *l = NULL;
	err e = ERR_NOMEM;

	json_decref(r);
	if (text && (e = ledger_open(ledger_dir, true, &l)) == ERR_OK) {
		e = ledger_history_put(l, per, text, strlen(text));
		ledger_close(l);
	}
	free(text);
	return e;
}

/* ---- the year before it ---- */

/* One missed minimum, of month m (0: the oldest of the three). */
typedef struct miss {
	const char *nip, *name, *opd;
	int m;
} miss;

static int by_opd_name(const void *a, const void *b)
{
	const hist_opd *x = a, *y = b;

	return strcmp(x->opd, y->opd);
}

/* Month m of H from a stored record, its missed list appended to *ms when
 * it is one of the last HISTORY_REPEAT months. False: out of memory. */
static bool month_of(hist_month *m, json_t *r)
{
	json_t *opd = json_object_get(r, "opd"), *row;
	json_int_t asn, met, issued, redeemed;
	size_t i;

	m->have = json_unpack(r, "{s:I, s:I, s:I, s:I}", "asn", &asn, "met", &met, "issued",
	                      &issued, "redeemed", &redeemed) == 0 &&
	          json_is_array(opd) && asn >= 0 && met >= 0;
	if (!m->have)
		return true; /* a record of another shape: no data for that month */
	*m = (hist_month){m->per, true, (uint64_t)asn, (uint64_t)met, issued, redeemed, NULL, 0};
	if (!(m->opd = calloc(json_array_size(opd) + 1, sizeof *m->opd)))
		return false;
	json_array_foreach(opd, i, row)
	{
		const char *name;
		if (json_unpack(row, "[sIIII]", &name, &asn, &met, &issued, &redeemed) != 0 ||
		    asn < 0 || met < 0)
			continue;
		char *copy = strdup(name);
		if (!copy)
			return false;
		m->opd[m->nopd++] =
		    (hist_opd){copy, (uint64_t)asn, (uint64_t)met, issued, redeemed};
	}
	qsort(m->opd, m->nopd, sizeof *m->opd, by_opd_name);
	return true;
}

static int by_nip_month(const void *a, const void *b)
{
	const miss *x = a, *y = b;
	int c = strcmp(x->nip, y->nip);

	return c ? c : x->m - y->m;
}

static int by_repeat_opd_name(const void *a, const void *b)
{
	const hist_repeat *x = a, *y = b;
	int c = strcmp(x->opd, y->opd);

	return c ? c : strcmp(x->name, y->name);
}

/* The ASN who missed in at least two of the last HISTORY_REPEAT months:
 * this period's misses (E) and those of the records in recs. */
static bool repeats_of(history *H, const entitlements *E, json_t *recs[HISTORY_REPEAT - 1])
{
	size_t n = 0, cap = E->ne + 1;
	miss *ms;
	bool ok = true;

	for (int k = 0; k < HISTORY_REPEAT - 1; k++)
		cap += recs[k] ? json_array_size(json_object_get(recs[k], "missed")) : 0;
	if (!(ms = malloc(cap * sizeof *ms)))
		return false;
	for (int k = 0; k < HISTORY_REPEAT - 1; k++) {
		json_t *row;
		size_t i;
		if (!recs[k])
			continue;
		json_array_foreach(json_object_get(recs[k], "missed"), i, row)
		{
			miss *x = &ms[n];
			if (json_unpack(row, "[sss*]", &x->nip, &x->name, &x->opd) == 0) {
				x->m = k;
				n++;
			}
		}
	}
	for (size_t k = 0; k < E->ne; k++) {
		const ent *e = &E->e[E->order[k]];
		if (e->redeemed < e->issued)
			ms[n++] = (miss){e->nip, e->name, e->opd, HISTORY_REPEAT - 1};
	}
	qsort(ms, n, sizeof *ms, by_nip_month);
	for (size_t i = 0; ok && i < n;) {
		size_t j = i + 1;
		unsigned times = 1;
		for (; j < n && strcmp(ms[j].nip, ms[i].nip) == 0; j++)
			times += ms[j].m != ms[j - 1].m;
		if (times >= 2) {
			const miss *last = &ms[j - 1]; /* the newest month's name and OPD */
			hist_repeat *nr = realloc(H->repeat, (H->nrepeat + 1) * sizeof *nr);
			if (!nr || !(nr[H->nrepeat].nip = strdup(last->nip)) ||
			    !(nr[H->nrepeat].name = strdup(last->name)) ||
			    !(nr[H->nrepeat].opd = strdup(last->opd))) {
				if (nr)
					H->repeat = nr;
				ok = false;
				break;
			}
			H->repeat = nr;
			nr[H->nrepeat].times = times;
			nr[H->nrepeat].this_month = last->m == HISTORY_REPEAT - 1;
			H->nrepeat++;
		}
		i = j;
	}
	free(ms);
	if (ok && H->nrepeat)
		qsort(H->repeat, H->nrepeat, sizeof *H->repeat, by_repeat_opd_name);
	return ok;
}

/* Each OPD's place by this month's compliance, best first (ties: by name). */
static int by_compliance(const void *a, const void *b, void *ctx)
{
	const totals *T = ctx;
	const opd_sum *x = &T->opd[*(const uint32_t *)a], *y = &T->opd[*(const uint32_t *)b];
	/* met/n compared without division: x.met * y.n against y.met * x.n */
	unsigned __int128 l = (unsigned __int128)x->met * (y->n ? y->n : 1),
	                  r = (unsigned __int128)y->met * (x->n ? x->n : 1);

	if (l != r)
		return l > r ? -1 : 1;
	return strcmp(x->opd, y->opd);
}

static bool rank_of(history *H, const totals *T)
{
	uint32_t *order = malloc((T->nopd + 1) * sizeof *order);

	if (!order || !(H->rank = malloc((T->nopd + 1) * sizeof *H->rank))) {
		free(order);
		return false;
	}
	for (size_t i = 0; i < T->nopd; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, T->nopd, sizeof *order, by_compliance, (void *)T);
	for (size_t i = 0; i < T->nopd; i++)
		H->rank[order[i]] = (uint32_t)i + 1;
	H->by_rank = order;
	return true;
}

bool history_build(history *H, period per, const entitlements *E, const totals *T)
{
	json_t *recs[HISTORY_REPEAT - 1] = {0};
	period p = per;
	bool ok = true;

	memset(H, 0, sizeof *H);
	/* This period, from the run itself. */
	H->m[HISTORY_MONTHS - 1] = (hist_month){.per = per,
	                                        .have = true,
	                                        .asn = E->ne,
	                                        .met = T->met,
	                                        .issued = T->issued,
	                                        .redeemed = T->redeemed};
	if (!(H->m[HISTORY_MONTHS - 1].opd = calloc(T->nopd + 1, sizeof(hist_opd))))
		return false;
	for (size_t i = 0; i < T->nopd; i++) {
		const opd_sum *o = &T->opd[i];
		hist_opd *h = &H->m[HISTORY_MONTHS - 1].opd[i];
		if (!(h->opd = strdup(o->opd)))
			return false;
		h->asn = o->n;
		h->met = o->met;
		h->issued = o->issued;
		h->redeemed = o->redeemed;
		H->m[HISTORY_MONTHS - 1].nopd++;
	}
	qsort(H->m[HISTORY_MONTHS - 1].opd, T->nopd, sizeof(hist_opd), by_opd_name);
	/* The eleven before it, as recorded. */
	for (int i = HISTORY_MONTHS - 2; ok && i >= 0; i--) {
		char *text = NULL;
		size_t len;
		json_t *r = NULL;
		p = period_prev(p);
		H->m[i].per = p;
		if (E->l && ledger_history_get(E->l, p, &text, &len) == ERR_OK)
			r = json_loadb(text, len, 0, NULL);
		free(text);
		if (r)
			ok = month_of(&H->m[i], r);
		if (r && i >= HISTORY_MONTHS - HISTORY_REPEAT)
			recs[i - (HISTORY_MONTHS - HISTORY_REPEAT)] = r;
		else
			json_decref(r);
	}
	ok = ok && repeats_of(H, E, recs) && rank_of(H, T);
	for (int k = 0; k < HISTORY_REPEAT - 1; k++)
		json_decref(recs[k]);
	return ok;
}

const hist_opd *history_opd(const history *H, int month, const char *opd)
{
	const hist_month *m = &H->m[month];
	hist_opd key = {.opd = (char *)opd};

	return m->have && m->nopd ? bsearch(&key, m->opd, m->nopd, sizeof *m->opd, by_opd_name)
	                          : NULL;
}

int history_pct10(uint64_t met, uint64_t asn)
{
	return asn ? (int)((met * 1000 + asn / 2) / asn) : -1;
}

void history_label(period p, char out[HISTORY_LABEL_MAX])
{
	snprintf(out, HISTORY_LABEL_MAX, "%.3s %02d", month_name_id(p.month), p.year % 100);
}

void history_free(history *H)
{
	for (int i = 0; i < HISTORY_MONTHS; i++) {
		for (size_t k = 0; k < H->m[i].nopd; k++)
			free(H->m[i].opd[k].opd);
		free(H->m[i].opd);
	}
	for (size_t i = 0; i < H->nrepeat; i++) {
		free(H->repeat[i].nip);
		free(H->repeat[i].name);
		free(H->repeat[i].opd);
	}
	free(H->repeat);
	free(H->rank);
	free(H->by_rank);
	memset(H, 0, sizeof *H);
}
