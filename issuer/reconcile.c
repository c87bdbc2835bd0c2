/*
 * reconcile: the ledger's vouchers of a period against the redeemers'
 * journals, in four steps, each in its own file (reconcile_impl.h): the
 * entitlements are loaded; every journal is read and its receipts checked;
 * the unique entries are settled and the balances checked; the outputs are
 * written. Nothing is written unless every journal could be read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "money.h"
#include "reconcile_impl.h"

static const char *rp_money(int64_t v, char buf[MONEY_FMT_MAX])
{
	money_format(v, buf, MONEY_FMT_MAX);
	return buf;
}

static void print_summary(const report *rp, const rcheck *R)
{
	const entitlements *E = rp->E;
	const entries *J = rp->J;
	const anomalies *A = rp->A;
	const totals *t = rp->T;
	char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX], c[MONEY_FMT_MAX];

	printf("reconcile %s (%s): %zu vouchers, %zu entitlements\n", rp->pertext, E->tz->name,
	       E->nv, E->ne);
	printf("journals: %zu files, %" PRIu64 " lines, %zu entries (%" PRIu64
	       " duplicates counted once)\n",
	       rp->o->njournals, J->lines, J->n, J->dups);
	if (R)
		printf("receipts: %" PRIu64 " checked against %s, %zu bad; heads: %zu of %zu "
		       "journals bad\n",
		       rcheck_count(R), rp->o->keyring, A->count[AN_BAD_RECEIPT], rp->bad_heads,
		       rp->o->njournals);
	else
		printf("receipts and heads: NOT checked (no --keyring): an edited journal would "
		       "not be seen\n");
	if (rp->o->nheads)
		printf("pinned heads: %zu read, %zu not extended\n", rp->npins,
		       A->count[AN_NOT_EXTENDED]);
	if (rp->o->nreceipts)
		printf("merchants' receipts: %" PRIu64 " read (%" PRIu64
		       " of other periods), %zu not in the journals, %zu forged\n",
		       rp->receipts_read, rp->receipts_other, A->count[AN_NOT_IN_JOURNAL],
		       A->count[AN_FORGED_RECEIPT]);
	printf("issued:     %s\n", rp_money(t->issued, a));
	printf("redeemed:   %s\n", rp_money(t->redeemed, a));
	printf("unspent:    %s\n", rp_money(t->unspent, a));
	printf("settlement: %s to %zu merchant-gallery pairs\n", rp_money(t->settled, a),
	       J->sites.n);
	if (rp->P) {
		size_t n = 0, without = 0;
		int64_t owed = 0;
		/* Each amount is part of the settlement total, which fits. */
		for (size_t i = 0; i < rp->Y->n; i++) {
			const payment *y = &rp->Y->p[i];
			if (y->amount > 0 && y->to)
				n++;
			else if (y->amount > 0) {
				without++;
				owed += y->amount;
			}
		}
		printf("payments:   %s to %zu payees (payments.csv)", rp_money(rp->Y->paid, a), n);
		if (without)
			printf("; %zu merchants owed %s are not in %s: not paid (no_payee)",
			       without, rp_money(owed, b), rp->o->merchants);
		printf("\n");
	}
	printf("%s %s (unspent = %s)\n",
	       E->info.refund ? "refund:    " : "forfeit:   ", rp_money(t->refund, a),
	       E->info.refund ? "refund" : "forfeit");
	printf("met minimum: %" PRIu64 " of %zu\n", t->met, E->ne);
	if (rp->H)
		printf("history: %s %s; %zu ASN missed the minimum in 2 or more of the last %d "
		       "months\n",
		       rp->pertext,
		       t->ok ? "recorded" : "NOT recorded (the month does not balance)",
		       rp->H->nrepeat, HISTORY_REPEAT);
	if (t->offline || t->conflicts)
		printf("offline:    %" PRIu64 " redemptions made offline (%s); %" PRIu64
		       " conflicts (%s), not paid: the merchants bear them (offline.csv)\n",
		       t->offline, rp_money(t->offline_rupiah, a), t->conflicts,
		       rp_money(t->conflict_rupiah, b));
	if (!A->n) {
		printf("anomalies: none\n");
	} else {
		printf("anomalies: %zu\n", A->n);
		for (int k = 0; k < AN__COUNT; k++)
			if (A->count[k])
				printf("  %-26s %zu\n", anomaly_name[k], A->count[k]);
	}
	printf("balance: issued %s = redeemed %s + unspent %s: %s\n", rp_money(t->issued, a),
	       rp_money(t->redeemed, b), rp_money(t->unspent, c),
	       balances(t->issued, t->redeemed, t->unspent) ? "OK" : "FAILED");
	printf("balance per ASN (%zu) and per OPD (%zu): %s\n", E->ne, t->nopd,
	       t->balanced ? "OK" : "FAILED");
	printf("settlement: %s = redeemed %s: %s\n", rp_money(t->settled, a),
	       rp_money(t->redeemed, b), t->settled == t->redeemed ? "OK" : "FAILED");
	if (t->failures)
		printf("journals: FAILED: %zu anomalies say the journals do not hold together; "
		       "%" PRIu64 " entries withheld (%s of redemptions), not paid: the month does "
		       "not balance\n",
		       t->failures, t->withheld, rp_money(t->withheld_rupiah, a));
}

/*
 * Room for the entries at once (a redeem line with its receipt is about
 * 600 bytes, a void 200), so the table is seldom rebuilt as it fills; only
 * a hint, and a table larger than needed costs time too.
 */
static size_t entries_hint(const reconcile_opts *o)
{
	size_t bytes = 0;
	struct stat st;

	for (size_t i = 0; i < o->njournals; i++)
		if (stat(o->journals[i], &st) == 0 && st.st_size > 0)
			bytes += (size_t)st.st_size;
	return bytes / 512 < NONE / 4 ? bytes / 512 : NONE / 4;
}

/* The merchants file, or false (its problems printed, nothing written). */
static bool merchants_load(const char *path, payees **out)
{
	roster_problems *problems = NULL;
	err e = payees_load(path, out, &problems);

	for (size_t i = 0; i < roster_problems_count(problems); i++)
		fprintf(stderr, "%s\n", roster_problems_text(problems, i));
	roster_problems_free(problems);
	if (e == ERR_NOMEM)
		fprintf(stderr, "reconcile: out of memory\n");
	if (e != ERR_OK)
		fprintf(stderr, "reconcile: %s refused, nothing written\n", path);
	return e == ERR_OK;
}

int reconcile_run(const reconcile_opts *o)
{
	entitlements E = {0};
	entries J;
	anomalies A = {0};
	days D = {0};
	totals T = {0};
	rcheck *R = NULL;
	journal_run jr = {0};
	pins P = {0};
	account *acct = NULL;
	report rp = {0};
	history H = {0};
	payees *payee_list = NULL;
	payments Y = {0};
	char region[KEY_ID_MAX + 1] = "";
	uint64_t receipts_read = 0, receipts_other = 0;
	bool refused = false;
	int rc = 1;
	err e;

	entries_init(&J);
	period_format(o->per, jr.pertext, sizeof jr.pertext);
	if (!o->ledger || !o->out || !o->journals || o->njournals == 0 ||
	    o->njournals > UINT32_MAX) {
		fprintf(stderr,
		        "reconcile: a ledger, journals and an output directory are needed\n");
		goto cleanup;
	}
	if (o->merchants && !merchants_load(o->merchants, &payee_list))
		goto cleanup;
	if (o->keyring && !(R = rcheck_new(o->keyring, o->threads, o->journals)))
		goto cleanup;
	if (!entitlements_load(&E, o->ledger, o->per))
		goto cleanup;
	D.first = date_to_days((date){o->per.year, o->per.month, 1});
	D.n = date_days_in_month(o->per.year, o->per.month) + E.info.grace_days;
	for (size_t i = 0; i < o->nheads; i++)
		if (!pins_load(&P, o->heads[i], o->njournals))
			goto cleanup;
	if (!(D.d = calloc((size_t)D.n, sizeof *D.d)) ||
	    !(acct = calloc(o->njournals, sizeof *acct)) ||
	    entries_reserve(&J, entries_hint(o)) != ERR_OK) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}

	/* Every journal is read, so every refused one is named, before anything is written. */
	jr = (journal_run){.paths = o->journals,
	                   .nfiles = o->njournals,
	                   .J = &J,
	                   .A = &A,
	                   .R = R,
	                   .P = P.n ? &P : NULL,
	                   .acct = acct};
	period_format(o->per, jr.pertext, sizeof jr.pertext);
	for (size_t i = 0; i < o->njournals && jr.fatal == ERR_OK; i++)
		if (!journal_read(&jr, (uint32_t)i))
			refused = true;
	if (R)
		rcheck_flush(R, &J, &A);
	if ((e = jr.fatal != ERR_OK ? jr.fatal : A.fatal) != ERR_OK) {
		fprintf(stderr, "reconcile: %s\n", err_str(e));
		goto cleanup;
	}
	if (refused) {
		fprintf(stderr, "reconcile: refused, nothing written\n");
		goto cleanup;
	}
	if (P.n)
		pins_check(&jr);
	for (size_t i = 0; i < o->nreceipts; i++)
		if (!receipts_check(&jr, o->receipts[i], &receipts_read, &receipts_other)) {
			fprintf(stderr, "reconcile: refused, nothing written\n");
			goto cleanup;
		}

	e = trust_check(&E, &J, &A, o->journals);
	if (e == ERR_OK)
		e = settle(&(settle_ctx){o->journals, jr.pertext, R != NULL}, &E, &J, &A, &D);
	if (e == ERR_OK)
		e = totals_check(&E, &J, &A, &T);
	if (e == ERR_OK && !(rp.by_merchant = sites_by_merchant(&J)))
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = payments_build(&J, rp.by_merchant, payee_list, &A, &Y);
	if (e != ERR_OK) {
		fprintf(stderr, "reconcile: %s\n", err_str(e));
		goto cleanup;
	}
	anomalies_sort(&A);
	if (!history_build(&H, o->per, &E, &T)) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}
	if (!o->region)
		ledger_issuer(E.l, region);
	rp = (report){.o = o,
	              .pertext = jr.pertext,
	              .E = &E,
	              .J = &J,
	              .A = &A,
	              .D = &D,
	              .T = &T,
	              .receipts_checked = R != NULL,
	              .by_merchant = rp.by_merchant,
	              .by_gallery = sites_by_gallery(&J),
	              .npins = P.n,
	              .receipts_read = receipts_read,
	              .receipts_other = receipts_other,
	              .bad_heads = A.count[AN_BAD_HEAD],
	              .H = &H,
	              .P = payee_list,
	              .Y = &Y,
	              .region = o->region   ? o->region
	                        : region[0] ? region
	                                    : "-"};
	rp.offline = offline_entries(&J, &rp.noffline);
	if (!rp.by_merchant || !rp.by_gallery || !rp.offline) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}
	if (!outputs_write(&rp))
		goto cleanup;
	/* The period's results join the history, if the month balances (a
	 * failed run's outputs are for inspection): the ledger, read-only
	 * until now, is opened for writing. */
	ledger_close(E.l);
	E.l = NULL;
	if (T.ok && (e = history_record(o->ledger, o->per, &E, &T)) != ERR_OK) {
		fprintf(stderr, "%s: cannot record the period's results: %s\n", o->ledger,
		        err_str(e));
		goto cleanup;
	}
	print_summary(&rp, R);
	printf("written to %s\n", o->out);
	rc = T.ok ? 0 : 1;
cleanup:
	fflush(stdout);
	free((void *)rp.by_merchant);
	free((void *)rp.by_gallery);
	free((void *)rp.offline);
	history_free(&H);
	payments_free(&Y);
	payees_free(payee_list);
	free(T.opd);
	free(D.d);
	free(jr.chunk);
	free(acct);
	pins_free(&P);
	rcheck_free(R);
	anomalies_free(&A);
	entries_free(&J);
	entitlements_free(&E);
	return rc;
}
