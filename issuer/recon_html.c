/*
 * report.html: one self-contained page in Indonesian for the head of the
 * region (no external asset, no script): totals, compliance per OPD and
 * over the last twelve periods (ranked), the ASN who miss again and again,
 * redemptions per gallery and merchant, redemptions per local day, as
 * inline SVG, and the anomalies.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "nip.h"
#include "reconcile_impl.h"
#include "voucher.h"

#define HTML_ANOMALIES 500 /* rows in report.html; anomalies.csv has them all */
#define CHART_SITES    60

static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* At most max bytes of s, cut on a UTF-8 boundary, with an ellipsis if cut. */
static void html_short(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t n = strlen(s);

	if (n <= max || max >= sizeof buf) {
		html(f, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	memcpy(buf, s, max);
	buf[max] = '\0';
	html(f, buf);
	fputs("\xE2\x80\xA6", f);
}

static void html_money(FILE *f, int64_t v)
{
	char m[MONEY_FMT_MAX];

	money_format(v, m, sizeof m);
	html(f, m);
}

static void html_totals(const report *rp, FILE *f)
{
	const entitlements *E = rp->E;
	const totals *t = rp->T;

	fputs("<h2>Ringkasan</h2>\n<table class=\"totals\">\n", f);
	fprintf(f, "<tr><th>Jumlah voucher</th><td>%zu</td></tr>\n", E->nv);
	fprintf(f, "<tr><th>Jumlah ASN</th><td>%zu</td></tr>\n", E->ne);
	fputs("<tr><th>Total diterbitkan</th><td>", f);
	html_money(f, t->issued);
	fputs("</td></tr>\n<tr><th>Total ditukarkan</th><td>", f);
	html_money(f, t->redeemed);
	fputs("</td></tr>\n<tr><th>Tidak terpakai</th><td>", f);
	html_money(f, t->unspent);
	fputs("</td></tr>\n<tr><th>Dibayarkan ke pedagang</th><td>", f);
	html_money(f, t->settled);
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>",
	        E->info.refund ? "Dikembalikan ke TPP bulan berikutnya"
	                       : "Hangus (tidak dikembalikan)");
	html_money(f, t->refund);
	fprintf(f,
	        "</td></tr>\n<tr><th>ASN memenuhi minimum</th><td>%" PRIu64 " dari %zu</td></tr>\n",
	        t->met, E->ne);
	fprintf(f,
	        "<tr><th>Entri jurnal</th><td>%zu (%" PRIu64
	        " duplikat dihitung sekali)</td></tr>\n",
	        rp->J->n, rp->J->dups);
	fprintf(f, "<tr><th>Tanda terima dan kepala jurnal</th><td>%s</td></tr>\n",
	        rp->receipts_checked ? "diperiksa dengan keyring"
	                             : "tidak diperiksa (tanpa --keyring)");
	if (t->failures) {
		fprintf(f,
		        "<tr><th>Ditahan, tidak dibayar</th><td class=\"fail\">%" PRIu64
		        " entri jurnal (",
		        t->withheld);
		html_money(f, t->withheld_rupiah);
		fprintf(f, " penukaran): %zu anomali menunjukkan jurnal tidak utuh</td></tr>\n",
		        t->failures);
	}
	fprintf(f, "<tr><th>Pemeriksaan saldo</th><td class=\"%s\">%s</td></tr>\n</table>\n",
	        t->ok ? "ok" : "fail", t->ok ? "Seimbang" : "TIDAK SEIMBANG");
}

static void html_opd(const totals *t, FILE *f)
{
	const int label = 300, bar = 380, row = 24;
	char pct[PCT_MAX];

	fputs("<h2>Kepatuhan per OPD</h2>\n", f);
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Kepatuhan per OPD\" width=\"%d\" height=\"%zu\" "
	        "viewBox=\"0 0 %d %zu\">\n",
	        label + bar + 70, t->nopd * row + 8, label + bar + 70, t->nopd * row + 8);
	for (size_t i = 0; i < t->nopd; i++) {
		const opd_sum *o = &t->opd[i];
		uint64_t tenths = o->n ? (o->met * 2000 + o->n) / (2 * o->n) : 0;
		size_t y = i * row + 4;

		opd_pct(o, pct);
		fputs("<g><title>", f);
		html(f, o->opd);
		fprintf(f, ": %s%%</title>", pct);
		fprintf(f, "<text x=\"0\" y=\"%zu\" class=\"lbl\">", y + 16);
		html_short(f, o->opd, 44);
		fprintf(f,
		        "</text><rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"18\" class=\"bg\"/>",
		        label, y + 2, bar);
		fprintf(f,
		        "<rect x=\"%d\" y=\"%zu\" width=\"%" PRIu64
		        "\" height=\"18\" class=\"bar\"/>",
		        label, y + 2, (uint64_t)bar * tenths / 1000);
		fprintf(f, "<text x=\"%d\" y=\"%zu\" class=\"val\">%s%%</text></g>\n",
		        label + bar + 6, y + 16, pct);
	}
	fputs("</svg>\n<table>\n<tr><th>OPD</th><th>ASN</th><th>Diterbitkan</th><th>Ditukarkan</th>"
	      "<th>Tidak terpakai</th><th>Memenuhi minimum</th><th>Kepatuhan</th></tr>\n",
	      f);
	for (size_t i = 0; i < t->nopd; i++) {
		const opd_sum *o = &t->opd[i];

		opd_pct(o, pct);
		fputs("<tr><td>", f);
		html(f, o->opd);
		fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">", o->n);
		html_money(f, o->issued);
		fputs("</td><td class=\"n\">", f);
		html_money(f, o->redeemed);
		fputs("</td><td class=\"n\">", f);
		html_money(f, o->unspent);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s%%</td></tr>\n",
		        o->met, pct);
	}
	fputs("</table>\n", f);
}

/* A month's label: "Des 26". */
/* Compliance in tenths of a percent as text: "87,5%", or "-" without data. */
static void pct_text(int tenths, char out[16])
{
	if (tenths < 0)
		snprintf(out, 16, "-");
	else
		snprintf(out, 16, "%d,%d%%", tenths / 10, tenths % 10);
}

/* An OPD's twelve months as a small bar chart, in a table cell. */
static void sparkline(const history *H, const char *opd, FILE *f)
{
	fputs("<svg width=\"122\" height=\"22\" viewBox=\"0 0 122 22\">", f);
	for (int m = 0; m < HISTORY_MONTHS; m++) {
		const hist_opd *h = history_opd(H, m, opd);
		int t = h ? history_pct10(h->met, h->asn) : -1;
		if (t < 0)
			fprintf(f,
			        "<rect x=\"%d\" y=\"20\" width=\"8\" height=\"2\" class=\"bg\"/>",
			        m * 10 + 1);
		else
			fprintf(f,
			        "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"%d\" class=\"bar\"/>",
			        m * 10 + 1, 22 - (t * 20 / 1000 + 2), t * 20 / 1000 + 2);
	}
	fputs("</svg>", f);
}

/* The last twelve periods: compliance in total (a chart) and per OPD,
 * ranked by this period's; the ASN who missed again and again. */
static void html_history(const report *rp, FILE *f)
{
	const history *H = rp->H;
	const totals *t = rp->T;
	const int col = 56, height = 120, base = 140;
	char label[HISTORY_LABEL_MAX], pct[16], nip[NIP_LEN + 1];

	if (!H)
		return;
	fputs("<h2>Kepatuhan 12 bulan terakhir</h2>\n<p>Persentase ASN yang memenuhi minimum "
	      "belanja, "
	      "per periode yang sudah direkonsiliasi (\"-\": belum ada rekonsiliasinya).</p>\n",
	      f);
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Kepatuhan 12 bulan terakhir\" width=\"%d\" "
	        "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
	        col * HISTORY_MONTHS + 10, base + 20, col * HISTORY_MONTHS + 10, base + 20);
	for (int m = 0; m < HISTORY_MONTHS; m++) {
		const hist_month *hm = &H->m[m];
		int tenths = hm->have ? history_pct10(hm->met, hm->asn) : -1;
		int h = tenths > 0 ? height * tenths / 1000 : 0;

		history_label(hm->per, label);
		pct_text(tenths, pct);
		fprintf(
		    f,
		    "<g><title>%s: %s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "class=\"bar\"/><text x=\"%d\" y=\"%d\" class=\"day\">%s</text>"
		    "<text x=\"%d\" y=\"%d\" class=\"day\">%s</text></g>\n",
		    label, pct, m * col + 4, base - h, col - 8, h, m * col + col / 2, base + 14,
		    label, m * col + col / 2, base - h - 4, pct);
	}
	fputs("</svg>\n<table>\n<tr><th>Peringkat</th><th>OPD</th><th>Tren</th>", f);
	for (int m = 0; m < HISTORY_MONTHS; m++) {
		history_label(H->m[m].per, label);
		fprintf(f, "<th>%s</th>", label);
	}
	fputs("</tr>\n", f);
	for (size_t r = 0; r < t->nopd; r++) {
		const opd_sum *o = &t->opd[H->by_rank[r]];
		fprintf(f, "<tr><td class=\"n\">%zu</td><td>", r + 1);
		html(f, o->opd);
		fputs("</td><td>", f);
		sparkline(H, o->opd, f);
		fputs("</td>", f);
		for (int m = 0; m < HISTORY_MONTHS; m++) {
			const hist_opd *h = history_opd(H, m, o->opd);
			pct_text(h ? history_pct10(h->met, h->asn) : -1, pct);
			fprintf(f, "<td class=\"n\">%s</td>", pct);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	fprintf(f,
	        "<h2>ASN yang berulang tidak memenuhi minimum</h2>\n<p>Tidak memenuhi minimum dua "
	        "kali atau lebih dalam %d bulan terakhir: %zu ASN.</p>\n",
	        HISTORY_REPEAT, H->nrepeat);
	if (!H->nrepeat)
		return;
	fprintf(f,
	        "<table>\n<tr><th>OPD</th><th>Nama</th><th>NIP</th><th>Dari %d bulan</th>"
	        "<th>Bulan ini</th></tr>\n",
	        HISTORY_REPEAT);
	for (size_t i = 0; i < H->nrepeat; i++) {
		const hist_repeat *x = &H->repeat[i];
		nip_mask(x->nip, nip);
		fputs("<tr><td>", f);
		html(f, x->opd);
		fputs("</td><td>", f);
		html(f, x->name);
		fprintf(
		    f,
		    "</td><td><code>%s</code></td><td class=\"n\">%u kali</td><td>%s</td></tr>\n",
		    nip, x->times, x->this_month ? "tidak memenuhi" : "memenuhi");
	}
	fputs("</table>\n", f);
}

/* "</td><td>" and the payee: name, bank, account and its holder; or
 * that the merchants file does not name one (not paid). */
static void html_payee(FILE *f, const payee *p)
{
	fputs("</td><td>", f);
	if (!p) {
		fputs("<span class=\"fail\">tidak ada di daftar pedagang: tidak dibayar</span>", f);
		return;
	}
	html(f, p->name);
	fputs(", ", f);
	html(f, p->bank);
	fputs(" <code>", f);
	html(f, p->account_number);
	fputs("</code> a.n. ", f);
	html(f, p->account_name);
}

static void html_sites(const report *rp, FILE *f)
{
	const entries *J = rp->J;
	const uint32_t *by_gallery = rp->by_gallery;

	const int label = 300, bar = 380, row = 22;
	size_t shown = 0;
	int64_t max = 1;

	fputs("<h2>Penukaran per galeri dan pedagang</h2>\n", f);
	for (size_t i = 0; i < J->sites.n; i++) {
		const site *s = &J->site[by_gallery[i]];
		if (!s->redemptions && !s->voids)
			continue;
		if (s->amount > max)
			max = s->amount;
		shown++;
	}
	if (shown > CHART_SITES)
		shown = CHART_SITES;
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Penukaran per galeri dan pedagang\" width=\"%d\" "
	        "height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
	        label + bar + 110, shown * row + 8, label + bar + 110, shown * row + 8);
	for (size_t i = 0, k = 0; i < J->sites.n && k < shown; i++) {
		const site *s = &J->site[by_gallery[i]];
		size_t y = k * row + 4;
		int64_t w =
		    s->amount > 0 ? (int64_t)((double)bar * (double)s->amount / (double)max) : 0;

		if (!s->redemptions && !s->voids)
			continue;
		k++;
		fputs("<g><title>", f);
		html(f, s->gallery);
		fputs(" / ", f);
		html(f, s->merchant);
		fputs(": ", f);
		html_money(f, s->amount);
		fprintf(f, "</title><text x=\"0\" y=\"%zu\" class=\"lbl\">", y + 15);
		html(f, s->gallery);
		fputs(" / ", f);
		html(f, s->merchant);
		fprintf(f,
		        "</text><rect x=\"%d\" y=\"%zu\" width=\"%" PRId64
		        "\" height=\"16\" class=\"bar\"/>",
		        label, y + 2, w);
		fprintf(f, "<text x=\"%" PRId64 "\" y=\"%zu\" class=\"val\">", label + w + 6,
		        y + 15);
		html_money(f, s->amount);
		fputs("</text></g>\n", f);
	}
	fputs("</svg>\n<table>\n<tr><th>Galeri</th><th>Pedagang</th><th>Penukaran</th>"
	      "<th>Pembatalan</th><th>Jumlah dibayar</th>",
	      f);
	fputs(rp->P ? "<th>Penerima</th></tr>\n" : "</tr>\n", f);
	for (size_t i = 0; i < J->sites.n; i++) {
		const site *s = &J->site[by_gallery[i]];

		if (!s->redemptions && !s->voids)
			continue;
		fputs("<tr><td>", f);
		html(f, s->gallery);
		fputs("</td><td>", f);
		html(f, s->merchant);
		fprintf(f,
		        "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
		        "</td><td class=\"n\">",
		        s->redemptions, s->voids);
		html_money(f, s->amount);
		if (rp->P)
			html_payee(f, payments_payee(rp->Y, s->merchant));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The transfers of payments.csv, with the merchants file. */
static void html_payments(const report *rp, FILE *f)
{
	const payments *Y = rp->Y;

	if (!rp->P)
		return;
	fputs("<h2>Transfer ke rekening pedagang</h2>\n<table>\n<tr><th>Pedagang</th>"
	      "<th>Penerima</th><th>Jumlah</th></tr>\n",
	      f);
	for (size_t i = 0; i < Y->n; i++) {
		const payment *y = &Y->p[i];

		if (y->amount <= 0)
			continue;
		fputs("<tr><td>", f);
		html(f, y->merchant);
		html_payee(f, y->to);
		fputs("</td><td class=\"n\">", f);
		html_money(f, y->amount);
		fputs("</td></tr>\n", f);
	}
	fputs("<tr><th colspan=\"2\">Jumlah ditransfer (payments.csv)</th><th class=\"n\">", f);
	html_money(f, Y->paid);
	fputs("</th></tr>\n</table>\n", f);
}

/* Sales made offline: per gallery and merchant, and each conflict (never
 * paid: the merchant bears it). */
static void html_offline(const report *rp, FILE *f)
{
	const entries *J = rp->J;
	char sr[VOUCHER_SERIAL_LEN + 1], ts[INSTANT_LEN + 1];
	size_t shown = 0;

	if (!rp->noffline)
		return;
	fputs("<h2>Penjualan luring (tanpa jaringan)</h2>\n<table>\n<tr><th>Galeri</th>"
	      "<th>Pedagang</th><th>Penukaran luring</th><th>Konflik</th><th>Nilai konflik "
	      "(ditanggung pedagang)</th></tr>\n",
	      f);
	for (size_t i = 0; i < J->sites.n; i++) {
		const site *s = &J->site[rp->by_gallery[i]];
		if (!s->offline && !s->conflicts)
			continue;
		fputs("<tr><td>", f);
		html(f, s->gallery);
		fputs("</td><td>", f);
		html(f, s->merchant);
		fprintf(f,
		        "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
		        "</td><td class=\"n\">",
		        s->offline, s->conflicts);
		html_money(f, s->conflicted);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<table>\n<tr><th>Konflik</th><th>Galeri</th><th>Pedagang</th>"
	      "<th>Seri voucher</th><th>Waktu (UTC)</th><th>Nilai</th></tr>\n",
	      f);
	for (size_t k = 0; k < rp->noffline && shown < HTML_ANOMALIES; k++) {
		const entry *en = &J->en[rp->offline[k]];
		char rid[RID_TEXT_MAX];
		if (en->kind != JOURNAL_CONFLICT)
			continue;
		shown++;
		entry_rid(J, en, rid, sizeof rid);
		voucher_serial_format(en->serial, sr);
		instant_format(en->time, ts);
		fputs("<tr><td>", f);
		html(f, rid);
		fputs("</td><td>", f);
		html(f, J->site[en->site].gallery);
		fputs("</td><td>", f);
		html(f, J->site[en->site].merchant);
		fprintf(f, "</td><td>%s</td><td>%s</td><td class=\"n\">", sr, ts);
		html_money(f, en->amount);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p>Konflik: penjualan luring yang vouchernya sudah terpakai di tempat "
	      "lain, atau yang melewati batas luring. Tidak dibayar; lihat offline.csv.</p>\n",
	      f);
}

static void html_days(const report *rp, FILE *f)
{
	const days *D = rp->D;
	const tzone *tz = rp->E->tz;

	const int height = 160, width = 760, base = 180;
	int col = width / (D->n > 0 ? D->n : 1);
	int64_t max = 1;

	if (col < 4)
		col = 4;
	fprintf(f, "<h2>Penukaran per hari</h2>\n<p>Menurut tanggal setempat (%s, %s).</p>\n",
	        tz->name, tz->abbr);
	for (int d = 0; d < D->n; d++)
		if (D->d[d].amount > max)
			max = D->d[d].amount;
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Penukaran per hari\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\">\n",
	        col * D->n + 10, base + 20, col * D->n + 10, base + 20);
	for (int d = 0; d < D->n; d++) {
		date dt = date_from_days(D->first + d);
		int64_t h = D->d[d].amount > 0
		                ? (int64_t)((double)height * (double)D->d[d].amount / (double)max)
		                : 0;
		char when[24], m[MONEY_FMT_MAX];

		date_format_id(dt, when, sizeof when);
		money_format(D->d[d].amount, m, sizeof m);
		fprintf(f,
		        "<g><title>%s: %" PRIu64 " penukaran, %s</title><rect x=\"%d\" y=\"%" PRId64
		        "\" width=\"%d\" height=\"%" PRId64 "\" class=\"bar\"/>",
		        when, D->d[d].count, m, d * col + 1, base - h, col - 2, h);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"day\">%d</text></g>\n",
		        d * col + col / 2, base + 14, dt.day);
	}
	fputs("</svg>\n", f);
	if (D->outside)
		fprintf(f,
		        "<p>%" PRIu64 " penukaran di luar tanggal periode (lihat Anomali).</p>\n",
		        D->outside);
}

static void html_anomalies(const anomalies *A, FILE *f)
{
	char sr[VOUCHER_SERIAL_LEN + 1];
	size_t n = A->n < HTML_ANOMALIES ? A->n : HTML_ANOMALIES;

	fputs("<h2>Anomali</h2>\n", f);
	if (!A->n) {
		fputs("<p>Tidak ada anomali.</p>\n", f);
		return;
	}
	fputs("<ul>\n", f);
	for (int k = 0; k < AN__COUNT; k++)
		if (A->count[k])
			fprintf(f, "<li><code>%s</code>: %zu</li>\n", anomaly_name[k], A->count[k]);
	fputs("</ul>\n<table>\n<tr><th>Jenis</th><th>Serial</th><th>Keterangan</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		voucher_serial_format(A->an[i].serial, sr);
		fprintf(f, "<tr><td><code>%s</code></td><td><code>%s</code></td><td>",
		        anomaly_name[A->an[i].kind], sr);
		html(f, A->an[i].detail);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (n < A->n)
		fprintf(f, "<p>%zu anomali lainnya ada di anomalies.csv.</p>\n", A->n - n);
}

void report_html(FILE *f, void *ctx)
{
	const report *rp = ctx;
	const reconcile_opts *o = rp->o;

	fprintf(f,
	        "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<title>Rekonsiliasi Voucher UMKM %s %d</title>\n<style>\n"
	        "body{font-family:sans-serif;margin:2em;color:#222}\n"
	        "table{border-collapse:collapse;margin:1em 0}\n"
	        "th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}\n"
	        "td.n{text-align:right}\n.ok{color:#060;font-weight:bold}\n"
	        ".fail{color:#b00;font-weight:bold}\n"
	        "svg text{font-size:12px;font-family:sans-serif}\n"
	        ".bar{fill:#2a7ab0}\n.bg{fill:#e6e6e6}\n.day{text-anchor:middle;font-size:9px}\n"
	        "</style>\n</head>\n<body>\n<h1>Rekonsiliasi Voucher UMKM</h1>\n"
	        "<p>Periode %s %d (%s). Kebijakan sisa: %s.</p>\n",
	        month_name_id(o->per.month), o->per.year, month_name_id(o->per.month), o->per.year,
	        rp->pertext, rp->E->info.refund ? "dikembalikan" : "hangus");
	html_totals(rp, f);
	html_opd(rp->T, f);
	html_history(rp, f);
	html_sites(rp, f);
	html_payments(rp, f);
	html_offline(rp, f);
	html_days(rp, f);
	html_anomalies(rp->A, f);
	fputs("</body>\n</html>\n", f);
}
