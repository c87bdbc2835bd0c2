#include "deductions.h"

#include <stdio.h>
#include <string.h>

#include "money.h"
#include "xlsx.h"

/* "Desember 2026 (2026-12)" */
static void period_text(period per, char *out, size_t n)
{
	char p[8];

	period_format(per, p, sizeof p);
	snprintf(out, n, "%s %d (%s)", month_name_id(per.month), per.year, p);
}

/* The length of the run of v's first OPD. */
static size_t run(const ledger_voucher *v, size_t n)
{
	size_t k = 1;

	while (k < n && strcmp(v[k].opd, v[0].opd) == 0)
		k++;
	return n ? k : 0;
}

static err summary(xlsx *x, period per, const ledger_voucher *v, size_t n)
{
	static const char *const head[] = {"OPD", "Jumlah ASN", "Jumlah potongan"};
	char when[48], title[128];
	int64_t total = 0;
	xlsx_sheet *s;
	err rc;

	period_text(per, when, sizeof when);
	snprintf(title, sizeof title, "Potongan TPP untuk voucher UMKM, periode %s", when);
	if ((rc = xlsx_sheet_add(x, "Ringkasan", title, head, 3, &s)) != ERR_OK)
		return rc;
	for (size_t from = 0, k; from < n; from += k) {
		int64_t sum = 0;
		k = run(v + from, n - from);
		for (size_t i = from; i < from + k; i++)
			if (!money_add(sum, v[i].amount, &sum))
				return ERR_OVERFLOW;
		if (!money_add(total, sum, &total))
			return ERR_OVERFLOW;
		xlsx_text(s, v[from].opd);
		xlsx_count(s, (int64_t)k);
		xlsx_rupiah(s, sum);
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	xlsx_totals(s);
	xlsx_text(s, "Jumlah seluruh OPD");
	xlsx_count(s, (int64_t)n);
	xlsx_rupiah(s, total);
	return xlsx_row_end(s);
}

/* The sheet of one OPD: its k vouchers v. */
static err opd_sheet(xlsx *x, period per, const ledger_voucher *v, size_t k)
{
	static const char *const head[] = {"NIP",     "Nama",     "OPD",
	                                   "Periode", "Potongan", "Serial voucher"};
	char when[48], title[LEDGER_TEXT_MAX + 96], p[8], serial[VOUCHER_SERIAL_LEN + 1];
	xlsx_sheet *s;
	err rc;

	period_text(per, when, sizeof when);
	period_format(per, p, sizeof p);
	snprintf(title, sizeof title, "Potongan TPP periode %s: %s", when, v[0].opd);
	if ((rc = xlsx_sheet_add(x, v[0].opd, title, head, 6, &s)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < k; i++) {
		voucher_serial_format(v[i].serial, serial);
		xlsx_text(s, v[i].nip);
		xlsx_text(s, v[i].name);
		xlsx_text(s, v[i].opd);
		xlsx_text(s, p);
		xlsx_rupiah(s, v[i].amount);
		xlsx_text(s, serial);
		if ((rc = xlsx_row_end(s)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

err deductions_write_xlsx(const char *path, mode_t mode, period per, const ledger_voucher *v,
                          size_t n)
{
	xlsx *x = NULL;
	err rc;

	if ((rc = xlsx_open(path, mode, &x)) != ERR_OK)
		return rc;
	rc = summary(x, per, v, n);
	for (size_t from = 0, k; rc == ERR_OK && from < n; from += k) {
		k = run(v + from, n - from);
		rc = opd_sheet(x, per, v + from, k);
	}
	if (rc != ERR_OK) {
		xlsx_discard(x);
		return rc;
	}
	return xlsx_close(x);
}
