/*
 * The outputs: per_asn.csv, per_opd.csv, settlement.csv, payments.csv,
 * refunds.csv, offline.csv, anomalies.csv and report.html (recon_html.c),
 * each built in memory and put in place atomically (common/file.c), then
 * report.xlsx (recon_xlsx.c) and the letters (recon_letters.c), atomic
 * too, so that a reader never sees half a file. NIPs, serials and account
 * numbers are text fields (common/csvw.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvw.h"
#include "file.h"
#include "reconcile_impl.h"
#include "voucher.h"

static void per_asn_csv(FILE *f, void *ctx)
{
	const report *rp = ctx;
	const entitlements *E = rp->E;
	char sr[VOUCHER_SERIAL_LEN + 1];

	fputs("nip,name,opd,class,serial,issued,redeemed,unspent,met_minimum\n", f);
	for (size_t k = 0; k < E->ne; k++) {
		const ent *e = &E->e[E->order[k]];

		voucher_serial_format(e->serial, sr);
		csvw_str(f, e->nip, ',');
		csvw_str(f, e->name, ',');
		csvw_str(f, e->opd, ',');
		csvw_str(f, e->cls, ',');
		csvw_str(f, sr, ',');
		csvw_num(f, e->issued, ',');
		csvw_num(f, e->redeemed, ',');
		csvw_num(f, e->unspent, ',');
		csvw_str(f, e->redeemed >= e->issued ? "yes" : "no", '\n');
	}
}

static void per_opd_csv(FILE *f, void *ctx)
{
	const totals *t = ((const report *)ctx)->T;
	char pct[PCT_MAX];

	fputs("opd,asn,issued,redeemed,unspent,met_minimum,compliance_pct\n", f);
	for (size_t i = 0; i < t->nopd; i++) {
		const opd_sum *o = &t->opd[i];

		opd_pct(o, pct);
		csvw_str(f, o->opd, ',');
		csvw_num(f, (int64_t)o->n, ',');
		csvw_num(f, o->issued, ',');
		csvw_num(f, o->redeemed, ',');
		csvw_num(f, o->unspent, ',');
		csvw_num(f, (int64_t)o->met, ',');
		csvw_str(f, pct, '\n');
	}
}

/* The merchants file's columns of a payee (empty fields for none), then
 * end with end. */
static void payee_fields(FILE *f, const payee *p, char end)
{
	csvw_str(f, p ? p->name : "", ',');
	csvw_str(f, p ? p->owner : "", ',');
	csvw_str(f, p ? p->bank : "", ',');
	csvw_str(f, p ? p->account_number : "", ',');
	csvw_str(f, p ? p->account_name : "", end);
}

#define PAYEE_COLUMNS "name,owner,bank,account_number,account_name"

static void settlement_csv(FILE *f, void *ctx)
{
	const report *rp = ctx;
	const entries *J = rp->J;

	/* Without a merchants file, as it always was: scripts read it. */
	fputs(rp->P ? "merchant,gallery,redemptions,voids,amount," PAYEE_COLUMNS "\n"
	            : "merchant,gallery,redemptions,voids,amount\n",
	      f);
	for (size_t i = 0; i < J->sites.n; i++) {
		const site *s = &J->site[rp->by_merchant[i]];

		/* A site seen only in unknown-serial or refused entries owes nothing. */
		if (!s->redemptions && !s->voids)
			continue;
		csvw_str(f, s->merchant, ',');
		csvw_str(f, s->gallery, ',');
		csvw_num(f, (int64_t)s->redemptions, ',');
		csvw_num(f, (int64_t)s->voids, ',');
		csvw_num(f, s->amount, rp->P ? ',' : '\n');
		if (rp->P)
			payee_fields(f, payments_payee(rp->Y, s->merchant), '\n');
	}
}

/* For the bank: one line per payee owed something. */
static void payments_csv(FILE *f, void *ctx)
{
	const payments *Y = ((const report *)ctx)->Y;

	fputs("merchant," PAYEE_COLUMNS ",amount\n", f);
	for (size_t i = 0; i < Y->n; i++) {
		const payment *y = &Y->p[i];

		if (!y->to || y->amount <= 0)
			continue;
		csvw_str(f, y->merchant, ',');
		payee_fields(f, y->to, ',');
		csvw_num(f, y->amount, '\n');
	}
}

/* What became of an offline entry. */
static const char *offline_status(const entries *J, const entitlements *E, const entry *en)
{
	if (en->kind == JOURNAL_CONFLICT)
		return "conflict";
	if (en->flags & EF_NOT_PAID)
		return "withheld";
	if (entitlements_find(E, en->serial) == NONE)
		return "unknown_serial";
	return entries_find(J, en->pfx, en->ridnum, JOURNAL_VOID) != NONE ? "voided" : "paid";
}

/* Every sale made offline, in journal order within each merchant and
 * gallery: taken (paid, or voided, withheld) or a conflict (never paid,
 * the merchant's). */
static void offline_csv(FILE *f, void *ctx)
{
	const report *rp = ctx;
	const entries *J = rp->J;
	char sr[VOUCHER_SERIAL_LEN + 1], rid[RID_TEXT_MAX], ts[INSTANT_LEN + 1];

	fputs("merchant,gallery,kind,redemption_id,serial,time,amount,status\n", f);
	for (size_t k = 0; k < rp->noffline; k++) {
		const entry *en = &J->en[rp->offline[k]];
		const site *s = &J->site[en->site];

		entry_rid(J, en, rid, sizeof rid);
		voucher_serial_format(en->serial, sr);
		instant_format(en->time, ts);
		csvw_str(f, s->merchant, ',');
		csvw_str(f, s->gallery, ',');
		csvw_str(f, journal_kind_name[en->kind], ',');
		csvw_str(f, rid, ',');
		csvw_str(f, sr, ',');
		csvw_str(f, ts, ',');
		csvw_num(f, en->amount, ',');
		csvw_str(f, offline_status(J, rp->E, en), '\n');
	}
}

static void refunds_csv(FILE *f, void *ctx)
{
	const entitlements *E = ((const report *)ctx)->E;

	fputs("nip,name,opd,amount\n", f);
	for (size_t k = 0; k < E->ne; k++) {
		const ent *e = &E->e[E->order[k]];

		if (e->unspent <= 0)
			continue;
		csvw_str(f, e->nip, ',');
		csvw_str(f, e->name, ',');
		csvw_str(f, e->opd, ',');
		csvw_num(f, e->unspent, '\n');
	}
}

static void anomalies_csv(FILE *f, void *ctx)
{
	const anomalies *A = ((const report *)ctx)->A;
	char sr[VOUCHER_SERIAL_LEN + 1];

	fputs("kind,serial,detail\n", f);
	for (size_t i = 0; i < A->n; i++) {
		voucher_serial_format(A->an[i].serial, sr);
		csvw_str(f, anomaly_name[A->an[i].kind], ',');
		csvw_str(f, sr, ',');
		csvw_str(f, A->an[i].detail, '\n');
	}
}

/* Build one output in memory and replace out/name with it atomically;
 * with fill NULL, remove out/name, so that no file of an earlier run of
 * other options lingers. */
static bool write_output(const report *rp, const char *name, void (*fill)(FILE *f, void *ctx))
{
	char *path = NULL;
	err e;

	if (asprintf(&path, "%s/%s", rp->o->out, name) < 0) {
		fprintf(stderr, "reconcile: out of memory\n");
		return false;
	}
	if (!fill) {
		bool ok = unlink(path) == 0 || errno == ENOENT;
		if (!ok)
			fprintf(stderr, "%s: cannot remove: %s\n", path, strerror(errno));
		free(path);
		return ok;
	}
	e = file_write_atomic_with(path, 0600, fill, (void *)rp);
	if (e != ERR_OK)
		fprintf(stderr, "%s: cannot write: %s\n", path, err_str(e));
	free(path);
	return e == ERR_OK;
}

bool outputs_write(const report *rp)
{
	letters_job *letters;
	bool ok;

	if (file_mkdirs(rp->o->out, 0700) != ERR_OK) {
		fprintf(stderr, "%s: cannot create the output directory: %s\n", rp->o->out,
		        strerror(errno));
		return false;
	}
	/* The letters on the other cores while this thread writes the rest. */
	if (!(letters = letters_start(rp)))
		return false;
	ok = write_output(rp, "per_asn.csv", per_asn_csv) &&
	     write_output(rp, "per_opd.csv", per_opd_csv) &&
	     write_output(rp, "settlement.csv", settlement_csv) &&
	     write_output(rp, "payments.csv", rp->P ? payments_csv : NULL) &&
	     write_output(rp, "offline.csv", offline_csv) &&
	     write_output(rp, "anomalies.csv", anomalies_csv) &&
	     write_output(rp, "refunds.csv", rp->E->info.refund ? refunds_csv : NULL) &&
	     write_output(rp, "report.html", report_html) && report_xlsx(rp);
	return letters_finish(letters) && ok;
}
