/*
 * report.xlsx: reconcile's outputs as one workbook for the finance office,
 * in Indonesian, with issuer/xlsx.h's conventions (NIPs and serials as
 * text, rupiah as numbers, a frozen and filtered header on every sheet).
 * Its sheets, in order:
 *
 *   Ringkasan          the figures of reconcile's summary
 *   Per OPD            per_opd.csv's rows
 *   Kepatuhan 12 bulan the OPDs ranked by this period's compliance, with
 *                      their compliance in each of the last twelve
 *   Per ASN            per_asn.csv's rows
 *   Belum memenuhi     the ASN of per_asn.csv who did not meet their
 *                      minimum, with the OPD as the first column, sorted
 *                      (per_asn.csv's order), so that a filter on it is one
 *                      OPD
 *   ASN berulang       who missed the minimum in two or more of the last
 *                      three months
 *   Pembayaran         settlement.csv's rows and their total (with the
 *                      payee's name and account, given --merchants)
 *   Transfer bank      payments.csv's rows and their total (--merchants only)
 *   Anomali            anomalies.csv's rows
 *
 * A sheet with more rows than Excel's 1,048,576 ends with a row saying how
 * many more are in its CSV. The CSVs stay what scripts read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "money.h"
#include "reconcile_impl.h"
#include "voucher.h"
#include "xlsx.h"

/*
 * Room on s for the next of left rows, keeping reserve rows (totals) after
 * them; if there is none, the row that was left says where the rest is,
 * and false.
 */
static bool room(xlsx_sheet *s, size_t left, size_t reserve, const char *csv)
{
	size_t rows = xlsx_rows_left(s);
	char note[128];

	if (left + reserve <= rows || rows > reserve + 1)
		return true;
	snprintf(note, sizeof note, "%zu baris lainnya ada di %s (Excel memuat 1.048.576 baris)",
	         left, csv);
	xlsx_text(s, note);
	xlsx_row_end(s);
	return false;
}

static const char *yes_no(bool b)
{
	return b ? "Ya" : "Tidak";
}

/* ---- Ringkasan ---- */

static void label(xlsx_sheet *s, const char *what)
{
	xlsx_text(s, what);
}

static err summary(xlsx *x, const report *rp, const char *when)
{
	static const char *const head[] = {"Uraian", "Nilai"};
	const entitlements *E = rp->E;
	const totals *t = rp->T;
	char title[128];
	xlsx_sheet *s;
	err rc;

	snprintf(title, sizeof title, "Rekonsiliasi voucher UMKM, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Ringkasan", title, head, 2, &s)) != ERR_OK)
		return rc;
	label(s, "Periode");
	xlsx_text(s, rp->pertext);
	xlsx_row_end(s);
	label(s, "Jumlah voucher");
	xlsx_count(s, (int64_t)E->nv);
	xlsx_row_end(s);
	label(s, "Jumlah ASN");
	xlsx_count(s, (int64_t)E->ne);
	xlsx_row_end(s);
	label(s, "Total diterbitkan");
	xlsx_rupiah(s, t->issued);
	xlsx_row_end(s);
	label(s, "Total ditukarkan");
	xlsx_rupiah(s, t->redeemed);
	xlsx_row_end(s);
	label(s, "Tidak terpakai");
	xlsx_rupiah(s, t->unspent);
	xlsx_row_end(s);
	label(s, "Dibayarkan ke pedagang");
	xlsx_rupiah(s, t->settled);
	xlsx_row_end(s);
	label(s, E->info.refund ? "Dikembalikan ke TPP bulan berikutnya"
	                        : "Hangus (tidak dikembalikan)");
	xlsx_rupiah(s, t->refund);
	xlsx_row_end(s);
	label(s, "ASN memenuhi minimum");
	xlsx_count(s, (int64_t)t->met);
	xlsx_row_end(s);
	label(s, "ASN belum memenuhi minimum");
	xlsx_count(s, (int64_t)(E->ne - t->met));
	xlsx_row_end(s);
	label(s, "Penukaran luring");
	xlsx_count(s, (int64_t)t->offline);
	xlsx_row_end(s);
	label(s, "Konflik luring (tidak dibayar)");
	xlsx_count(s, (int64_t)t->conflicts);
	xlsx_row_end(s);
	label(s, "Anomali");
	xlsx_count(s, (int64_t)rp->A->n);
	xlsx_row_end(s);
	label(s, "Entri jurnal ditahan (tidak dibayar)");
	xlsx_count(s, (int64_t)t->withheld);
	xlsx_row_end(s);
	label(s, "Nilai penukaran ditahan");
	xlsx_rupiah(s, t->withheld_rupiah);
	xlsx_row_end(s);
	label(s, "Tanda terima dan kepala jurnal");
	xlsx_text(s, rp->receipts_checked ? "diperiksa dengan keyring"
	                                  : "TIDAK diperiksa (tanpa --keyring)");
	xlsx_row_end(s);
	label(s, "Seimbang");
	xlsx_text(s, t->ok ? "Ya" : "TIDAK");
	return xlsx_row_end(s);
}

/* ---- Per OPD, Per ASN, Belum memenuhi ---- */

static err per_opd(xlsx *x, const report *rp, const char *when)
{
	static const char *const head[] = {"OPD",        "Jumlah ASN",     "Diterbitkan",
	                                   "Ditukarkan", "Tidak terpakai", "Memenuhi minimum",
	                                   "Kepatuhan"};
	const totals *t = rp->T;
	char title[128];
	xlsx_sheet *s;
	err rc;

	snprintf(title, sizeof title, "Kepatuhan per OPD, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Per OPD", title, head, 7, &s)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < t->nopd && room(s, t->nopd - i, 0, "per_opd.csv"); i++) {
		const opd_sum *o = &t->opd[i];

		xlsx_text(s, o->opd);
		xlsx_count(s, (int64_t)o->n);
		xlsx_rupiah(s, o->issued);
		xlsx_rupiah(s, o->redeemed);
		xlsx_rupiah(s, o->unspent);
		xlsx_count(s, (int64_t)o->met);
		xlsx_percent(s, o->n ? (double)o->met / (double)o->n : 0);
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return xlsx_error(x);
}

static err per_asn(xlsx *x, const report *rp, const char *when)
{
	static const char *const head[] = {"NIP",        "Nama",           "OPD",
	                                   "Kelas",      "Serial",         "Diterbitkan",
	                                   "Ditukarkan", "Tidak terpakai", "Memenuhi minimum"};
	const entitlements *E = rp->E;
	char title[128], sr[VOUCHER_SERIAL_LEN + 1];
	xlsx_sheet *s;
	err rc;

	snprintf(title, sizeof title, "Voucher per ASN, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Per ASN", title, head, 9, &s)) != ERR_OK)
		return rc;
	for (size_t k = 0; k < E->ne && room(s, E->ne - k, 0, "per_asn.csv"); k++) {
		const ent *e = &E->e[E->order[k]];

		voucher_serial_format(e->serial, sr);
		xlsx_text(s, e->nip);
		xlsx_text(s, e->name);
		xlsx_text(s, e->opd);
		xlsx_text(s, e->cls);
		xlsx_text(s, sr);
		xlsx_rupiah(s, e->issued);
		xlsx_rupiah(s, e->redeemed);
		xlsx_rupiah(s, e->unspent);
		xlsx_text(s, yes_no(e->redeemed >= e->issued));
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return xlsx_error(x);
}

/* The ASN who did not meet their minimum, in per_asn.csv's order: by OPD. */
static err not_met(xlsx *x, const report *rp, const char *when)
{
	static const char *const head[] = {"OPD",    "NIP",         "Nama",       "Kelas",
	                                   "Serial", "Diterbitkan", "Ditukarkan", "Kekurangan"};
	const entitlements *E = rp->E;
	char title[128], sr[VOUCHER_SERIAL_LEN + 1];
	size_t left = E->ne - rp->T->met;
	xlsx_sheet *s;
	err rc;

	snprintf(title, sizeof title, "ASN yang belum memenuhi minimum belanja, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Belum memenuhi", title, head, 8, &s)) != ERR_OK)
		return rc;
	for (size_t k = 0; k < E->ne; k++) {
		const ent *e = &E->e[E->order[k]];

		if (e->redeemed >= e->issued)
			continue;
		if (!room(s, left--, 0, "per_asn.csv"))
			break;
		voucher_serial_format(e->serial, sr);
		xlsx_text(s, e->opd);
		xlsx_text(s, e->nip);
		xlsx_text(s, e->name);
		xlsx_text(s, e->cls);
		xlsx_text(s, sr);
		xlsx_rupiah(s, e->issued);
		xlsx_rupiah(s, e->redeemed);
		xlsx_rupiah(s, e->unspent);
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return xlsx_error(x);
}

/* ---- Pembayaran, Transfer bank ---- */

/*
 * A column of Pembayaran: its header and one of its cell's makers, text,
 * a count or rupiah (counts and rupiah are summed in the total row). The
 * payee's columns are there with a merchants file only.
 */
typedef struct pay_col {
	const char *head;
	const char *(*text)(const report *rp, const site *s);
	int64_t (*count)(const site *s);
	int64_t (*rupiah)(const site *s);
	bool payee;
} pay_col;

static const char *pay_merchant(const report *rp, const site *s)
{
	(void)rp;
	return s->merchant;
}

static const char *pay_gallery(const report *rp, const site *s)
{
	(void)rp;
	return s->gallery;
}

static int64_t pay_redemptions(const site *s)
{
	return (int64_t)s->redemptions;
}

static int64_t pay_voids(const site *s)
{
	return (int64_t)s->voids;
}

static int64_t pay_amount(const site *s)
{
	return s->amount;
}

#define PAYEE_TEXT(field)                                                                          \
	static const char *pay_##field(const report *rp, const site *s)                            \
	{                                                                                          \
		const payee *p = payments_payee(rp->Y, s->merchant);                               \
		return p ? p->field : "(tidak ada di daftar pedagang)";                            \
	}
PAYEE_TEXT(name)
PAYEE_TEXT(bank)
PAYEE_TEXT(account_number)
PAYEE_TEXT(account_name)

static const pay_col pay_cols[] = {
    {"Pedagang", pay_merchant, NULL, NULL, false},
    {"Galeri", pay_gallery, NULL, NULL, false},
    {"Penukaran", NULL, pay_redemptions, NULL, false},
    {"Pembatalan", NULL, pay_voids, NULL, false},
    {"Jumlah dibayar", NULL, NULL, pay_amount, false},
    {"Nama usaha", pay_name, NULL, NULL, true},
    {"Bank", pay_bank, NULL, NULL, true},
    {"Nomor rekening", pay_account_number, NULL, NULL, true},
    {"Atas nama", pay_account_name, NULL, NULL, true},
};
#define PAY_COLS ((int)(sizeof pay_cols / sizeof *pay_cols))

static err payments_sheet(xlsx *x, const report *rp, const char *when)
{
	const entries *J = rp->J;
	const char *head[PAY_COLS];
	const pay_col *cols[PAY_COLS];
	int64_t sum[PAY_COLS] = {0};
	int ncols = 0;
	size_t left = 0;
	char title[128];
	xlsx_sheet *s;
	err rc;

	for (int c = 0; c < PAY_COLS; c++)
		if (!pay_cols[c].payee || rp->P) {
			cols[ncols] = &pay_cols[c];
			head[ncols++] = pay_cols[c].head;
		}
	snprintf(title, sizeof title, "Pembayaran ke pedagang, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Pembayaran", title, head, ncols, &s)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < J->sites.n; i++)
		left += J->site[i].redemptions || J->site[i].voids;
	for (size_t i = 0; i < J->sites.n; i++) {
		const site *st = &J->site[rp->by_merchant[i]];

		/* As settlement.csv: a site of refused entries only owes nothing. */
		if (!st->redemptions && !st->voids)
			continue;
		if (!room(s, left--, 1, "settlement.csv"))
			break;
		for (int c = 0; c < ncols; c++) {
			const pay_col *pc = cols[c];
			if (pc->text) {
				xlsx_text(s, pc->text(rp, st));
				continue;
			}
			int64_t v = pc->count ? pc->count(st) : pc->rupiah(st);
			if (!money_add(sum[c], v, &sum[c]))
				return ERR_OVERFLOW;
			if (pc->count)
				xlsx_count(s, v);
			else
				xlsx_rupiah(s, v);
		}
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	xlsx_totals(s);
	for (int c = 0; c < ncols; c++) {
		if (c == 0)
			xlsx_text(s, "Jumlah");
		else if (cols[c]->count)
			xlsx_count(s, sum[c]);
		else if (cols[c]->rupiah)
			xlsx_rupiah(s, sum[c]);
		else
			xlsx_blank(s);
	}
	return xlsx_row_end(s);
}

/* payments.csv's rows, for the bank: one per payee owed something. */
static err transfers_sheet(xlsx *x, const report *rp, const char *when)
{
	static const char *const head[] = {"Pedagang",       "Nama usaha", "Pemilik", "Bank",
	                                   "Nomor rekening", "Atas nama",  "Jumlah"};
	const payments *Y = rp->Y;
	char title[128];
	xlsx_sheet *s;
	err rc;

	if (!rp->P)
		return ERR_OK;
	snprintf(title, sizeof title, "Transfer ke rekening pedagang, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Transfer bank", title, head, 7, &s)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < Y->n; i++) {
		const payment *y = &Y->p[i];

		if (!y->to || y->amount <= 0)
			continue;
		xlsx_text(s, y->merchant);
		xlsx_text(s, y->to->name);
		xlsx_text(s, y->to->owner);
		xlsx_text(s, y->to->bank);
		xlsx_text(s, y->to->account_number);
		xlsx_text(s, y->to->account_name);
		xlsx_rupiah(s, y->amount);
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	xlsx_totals(s);
	xlsx_text(s, "Jumlah");
	for (int c = 1; c < 6; c++)
		xlsx_blank(s);
	xlsx_rupiah(s, Y->paid);
	return xlsx_row_end(s);
}

/* ---- Kepatuhan 12 bulan, ASN berulang ---- */

static err history_sheet(xlsx *x, const report *rp)
{
	const history *H = rp->H;
	const totals *t = rp->T;
	const char *head[2 + HISTORY_MONTHS];
	char labels[HISTORY_MONTHS][HISTORY_LABEL_MAX], title[128];
	xlsx_sheet *s;
	err rc;

	head[0] = "Peringkat";
	head[1] = "OPD";
	for (int m = 0; m < HISTORY_MONTHS; m++) {
		history_label(H->m[m].per, labels[m]);
		head[2 + m] = labels[m];
	}
	snprintf(title, sizeof title,
	         "Kepatuhan per OPD, 12 periode terakhir (kosong: belum direkonsiliasi)");
	if ((rc = xlsx_sheet_add(x, "Kepatuhan 12 bulan", title, head, 2 + HISTORY_MONTHS, &s)) !=
	    ERR_OK)
		return rc;
	for (size_t r = 0; r < t->nopd; r++) {
		const char *opd = t->opd[H->by_rank[r]].opd;

		xlsx_count(s, (int64_t)r + 1);
		xlsx_text(s, opd);
		for (int m = 0; m < HISTORY_MONTHS; m++) {
			const hist_opd *h = history_opd(H, m, opd);
			if (h && h->asn)
				xlsx_percent(s, (double)h->met / (double)h->asn);
			else
				xlsx_blank(s);
		}
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return xlsx_error(x);
}

static err repeat_sheet(xlsx *x, const report *rp)
{
	static const char *const head[] = {"OPD", "NIP", "Nama", "Tidak memenuhi", "Bulan ini"};
	const history *H = rp->H;
	char title[128], times[32];
	xlsx_sheet *s;
	err rc;

	snprintf(title, sizeof title,
	         "ASN yang tidak memenuhi minimum dua kali atau lebih dalam %d bulan terakhir",
	         HISTORY_REPEAT);
	if ((rc = xlsx_sheet_add(x, "ASN berulang", title, head, 5, &s)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < H->nrepeat; i++) {
		const hist_repeat *r = &H->repeat[i];

		snprintf(times, sizeof times, "%u dari %d bulan", r->times, HISTORY_REPEAT);
		xlsx_text(s, r->opd);
		xlsx_text(s, r->nip);
		xlsx_text(s, r->name);
		xlsx_text(s, times);
		xlsx_text(s, r->this_month ? "Tidak memenuhi" : "Memenuhi");
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return xlsx_error(x);
}

/* ---- Anomali ---- */

static err anomalies_sheet(xlsx *x, const report *rp, const char *when)
{
	static const char *const head[] = {"Jenis", "Serial", "Keterangan"};
	const anomalies *A = rp->A;
	char title[128], sr[VOUCHER_SERIAL_LEN + 1];
	xlsx_sheet *s;
	err rc;

	snprintf(title, sizeof title, "Anomali, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Anomali", title, head, 3, &s)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < A->n && room(s, A->n - i, 0, "anomalies.csv"); i++) {
		voucher_serial_format(A->an[i].serial, sr);
		xlsx_text(s, anomaly_name[A->an[i].kind]);
		xlsx_text(s, sr);
		xlsx_text(s, A->an[i].detail);
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return xlsx_error(x);
}

bool report_xlsx(const report *rp)
{
	char *path = NULL, when[48];
	xlsx *x = NULL;
	err rc;

	snprintf(when, sizeof when, "%s %d (%s)", month_name_id(rp->o->per.month), rp->o->per.year,
	         rp->pertext);
	if (asprintf(&path, "%s/report.xlsx", rp->o->out) < 0) {
		fprintf(stderr, "reconcile: out of memory\n");
		return false;
	}
	if ((rc = xlsx_open(path, 0600, &x)) == ERR_OK) {
		if ((rc = summary(x, rp, when)) == ERR_OK &&
		    (rc = per_opd(x, rp, when)) == ERR_OK &&
		    (rc = history_sheet(x, rp)) == ERR_OK &&
		    (rc = per_asn(x, rp, when)) == ERR_OK &&
		    (rc = not_met(x, rp, when)) == ERR_OK && (rc = repeat_sheet(x, rp)) == ERR_OK &&
		    (rc = payments_sheet(x, rp, when)) == ERR_OK &&
		    (rc = transfers_sheet(x, rp, when)) == ERR_OK &&
		    (rc = anomalies_sheet(x, rp, when)) == ERR_OK)
			rc = xlsx_close(x);
		else
			xlsx_discard(x);
	}
	if (rc != ERR_OK)
		fprintf(stderr, "%s: cannot write: %s\n", path, err_str(rc));
	free(path);
	return rc == ERR_OK;
}
