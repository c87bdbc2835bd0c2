/*
 * Unit tests of issuer/reconcile: every number of the outputs checked
 * against what the journals say; duplicates, conflicts and chain breaks,
 * and what they withhold.
 */
#include "reconcile_fixture.h"

/* The base case's numbers, whatever else was fed alongside without effect. */
static void assert_base_totals(const result *r)
{
	assert_output(r, "per_asn.csv", PER_ASN);
	assert_output(r, "per_opd.csv", PER_OPD);
	assert_output(r, "settlement.csv", SETTLEMENT);
	assert_contains(r->out,
	                "balance: issued Rp325.000 = redeemed Rp200.000 + unspent Rp125.000: OK");
	assert_contains(r->out, "settlement: Rp200.000 = redeemed Rp200.000: OK");
}

/* What the ledger holds of the period's vouchers, as text. */
static int voucher_text(const ledger_voucher *v, void *ctx)
{
	char **s = ctx, *n;

	assert_true(asprintf(&n, "%s%016llx %s %s %d %lld %016llx\n", *s,
	                     (unsigned long long)v->serial, v->nip, v->token, v->revoked,
	                     (long long)v->revoked_at, (unsigned long long)v->replaced_by) > 0);
	free(*s);
	*s = n;
	return 0;
}

static char *ledger_text(const char *lpath)
{
	ledger *l;
	char *s = strdup("");

	assert_int_equal(ledger_open(lpath, false, &l), ERR_OK);
	assert_int_equal(ledger_each(l, PER, voucher_text, &s), ERR_OK);
	ledger_close(l);
	return s;
}

static void test_totals(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *data_before, *data_after;
	char *html, path[4200], *hist = NULL;
	size_t hlen;
	ledger *l;
	jb j1, j2;
	const char *journals[2];
	result r;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	data_before = ledger_text(lpath);
	{
		char *j1_before = slurp(journals[0]);
		r = run(lpath, journals, 2, kr, "out");
		char *j1_after = slurp(journals[0]);
		assert_string_equal(j1_before, j1_after); /* read only */
		free(j1_before);
		free(j1_after);
	}
	assert_int_equal(r.rc, 0);
	assert_base_totals(&r);
	assert_output(&r, "anomalies.csv", NO_ANOMALIES);
	snprintf(path, sizeof path, "%s/refunds.csv", r.outdir);
	assert_false(exists(path)); /* forfeit */
	assert_contains(r.out, "5 vouchers, 4 entitlements");
	assert_contains(r.out, "receipts: 8 checked"); /* the void's too */
	assert_contains(r.out, ", 0 bad; heads: 0 of 2 journals bad");
	assert_null(strstr(r.out, "FAILED"));
	assert_contains(r.out, "forfeit:    Rp125.000");
	assert_contains(r.out, "anomalies: none");
	assert_string_equal(r.err, "");

	/* The ledger's vouchers are untouched; the period's results are kept. */
	data_after = ledger_text(lpath);
	assert_string_equal(data_before, data_after);
	assert_int_equal(ledger_open(lpath, false, &l), ERR_OK);
	assert_int_equal(ledger_history_get(l, PER, &hist, &hlen), ERR_OK);
	ledger_close(l);
	assert_contains(hist, "\"period\":\"2026-12\"");
	assert_contains(hist, "\"asn\":4");
	free(hist);

	/* The report: self-contained, Indonesian, every text escaped. */
	html = output(&r, "report.html");
	assert_non_null(html);
	assert_contains(html, "<html lang=\"id\">");
	assert_contains(html, "Rekonsiliasi Voucher UMKM");
	assert_contains(html, "Total diterbitkan");
	assert_contains(html, "Total ditukarkan");
	assert_contains(html, "Tidak terpakai");
	assert_contains(html, "Kepatuhan per OPD");
	assert_contains(html, "Penukaran per galeri dan pedagang");
	assert_contains(html, "Penukaran per hari");
	assert_contains(html, "Anomali");
	assert_contains(html, "Rp325.000");
	assert_contains(html, "Rp200.000");
	assert_contains(html, "Rp125.000");
	assert_contains(html, "Dinas A &amp; &lt;B&gt;");
	assert_contains(html, "Badan &#39;C&#39; &quot;D&quot;");
	assert_true(count_of(html, "<svg") >= 3);
	assert_null(strstr(html, "Dinas A & <B>"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "<script"));
	/* Never the NIPs in the report's anomalies or anywhere but per_asn / refunds. */
	assert_null(strstr(html, "198001012005011001"));
	/* 2 December (WIB): R1 and R2, 100.000. */
	assert_contains(html, "2 Desember 2026: 2 penukaran, Rp100.000");
	/* 12 December: R5 voided, so nothing. */
	assert_contains(html, "12 Desember 2026: 0 penukaran, Rp0");

	free(html);
	free(data_before);
	free(data_after);
	result_free(&r);
	free((char *)journals[0]);
	free((char *)journals[1]);
	free(kr);
	free(lpath);
}

/* A period's record, as recon_history.c writes it, put in the ledger. */
static void put_history(const char *lpath, period p, const char *json)
{
	ledger *l;

	assert_int_equal(ledger_open(lpath, true, &l), ERR_OK);
	assert_int_equal(ledger_history_put(l, p, json, strlen(json)), ERR_OK);
	ledger_close(l);
}

static char *get_history(const char *lpath, period p)
{
	ledger *l;
	char *text = NULL;
	size_t len;

	assert_int_equal(ledger_open(lpath, false, &l), ERR_OK);
	assert_int_equal(ledger_history_get(l, p, &text, &len), ERR_OK);
	ledger_close(l);
	return text;
}

/* The part of report.html from its heading h2 to the next h2. */
static char *section(const char *html, const char *h2)
{
	const char *a = strstr(html, h2), *b;

	assert_non_null(a);
	b = strstr(a + 1, "<h2>");
	return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

/* Compliance over the year: the eleven periods before are read from the
 * ledger's history; an ASN who missed in two of the last three months is
 * listed, one who missed once is not; each reconcile records its own
 * period, and reconciling it again replaces only that record. */
static void test_history(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *html, *trend, *repeat,
	     *nov, *nov2, *dec1, *dec2;
	const char *journals[2];
	jb j1, j2;
	result r;

	(void)state;
	/* October: Dedi missed; November: Ani and Citra missed; 2025-12 is too old to show. */
	put_history(
	    lpath, (period){2026, 10},
	    "{\"v\":1,\"period\":\"2026-10\",\"asn\":4,\"met\":3,\"issued\":1,\"redeemed\":1,"
	    "\"opd\":[[\"" OPD_DINAS "\",2,2,1,1],[\"Badan 'C' \\\"D\\\"\",2,1,1,1]],"
	    "\"missed\":[[\"198004042005011004\",\"Dedi\",\"x\",75000,0]]}");
	put_history(
	    lpath, (period){2026, 11},
	    "{\"v\":1,\"period\":\"2026-11\",\"asn\":4,\"met\":2,\"issued\":1,\"redeemed\":1,"
	    "\"opd\":[[\"" OPD_DINAS "\",2,1,1,1],[\"Badan 'C' \\\"D\\\"\",2,1,1,1]],"
	    "\"missed\":[[\"198001012005011001\",\"Ani\",\"x\",1,0],"
	    "[\"198003032005012003\",\"Citra\",\"x\",1,0]]}");
	put_history(
	    lpath, (period){2025, 12},
	    "{\"v\":1,\"period\":\"2025-12\",\"asn\":4,\"met\":1,\"issued\":1,\"redeemed\":1,"
	    "\"opd\":[],\"missed\":[]}");
	nov = get_history(lpath, (period){2026, 11});
	journal1(&j1);
	journals[0] = jb_write(&j1, "j1.csv");
	r = run(lpath, journals, 1, kr, "out1");
	dec1 = get_history(lpath, PER);
	result_free(&r);

	journal2(&j2);
	journals[1] = jb_write(&j2, "j2.csv");
	r = run(lpath, journals, 2, kr, "out2");
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "history: 2026-12 recorded; 2 ASN missed the minimum in 2 or more");
	dec2 = get_history(lpath, PER);
	/* Reconciled again with more entries: the record is replaced, November's is not touched. */
	assert_string_not_equal(dec1, dec2);
	assert_contains(dec2, "\"redeemed\":200000");
	nov2 = get_history(lpath, (period){2026, 11});
	assert_string_equal(nov2, nov);
	free(nov2);

	html = output(&r, "report.html");
	trend = section(html, "<h2>Kepatuhan 12 bulan terakhir</h2>");
	/* Twelve months, January to December 2026; Dinas 100% in October, 50% in November and
	 * December (Ani met, Budi did not); nothing before October. */
	assert_contains(trend, "<th>Jan 26</th>");
	assert_contains(trend, "<th>Des 26</th>");
	assert_null(strstr(trend, "Des 25"));
	assert_contains(trend, "Okt 26: 75,0%");
	assert_contains(trend, "Nov 26: 50,0%");
	assert_contains(trend, "Des 26: 25,0%");
	assert_contains(trend, "<td class=\"n\">1</td><td>Dinas A &amp; &lt;B&gt;</td>");
	assert_contains(trend, "<td class=\"n\">100,0%</td><td class=\"n\">50,0%</td>"
	                       "<td class=\"n\">50,0%</td></tr>");
	repeat = section(html, "<h2>ASN yang berulang tidak memenuhi minimum</h2>");
	assert_contains(repeat, "2 ASN");
	assert_contains(repeat, "<td>Citra</td>");
	assert_contains(repeat, "<td>Dedi</td>");
	assert_null(strstr(repeat, "Ani"));                /* missed once */
	assert_null(strstr(repeat, "Budi"));               /* missed once */
	assert_null(strstr(repeat, "198003032005012003")); /* NIPs masked */
	free(repeat);
	free(trend);
	free(html);
	free(nov);
	free(dec1);
	free(dec2);
	result_free(&r);
	free((char *)journals[0]);
	free((char *)journals[1]);
	free(kr);
	free(lpath);
}

static void test_refund(void **state)
{
	char *lpath = make_ledger("ledger", true), *forfeit_ledger = make_ledger("ledger2", false);
	jb j1, j2;
	const char *journals[2];
	char path[4200];
	result r, r2;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	r = run(lpath, journals, 2, NULL, "out");
	assert_int_equal(r.rc, 0);
	assert_base_totals(&r);
	assert_output(&r, "refunds.csv",
	              "nip,name,opd,amount\n"
	              "198003032005012003,Citra,\"Badan 'C' \"\"D\"\"\",40000\n"
	              "198004042005011004,Dedi,\"Badan 'C' \"\"D\"\"\",75000\n"
	              "198002022005011002,Budi,Dinas A & <B>,10000\n");
	assert_contains(r.out, "refund:     Rp125.000 (unspent = refund)");
	/* Without a keyring nothing is checked, and the summary says so. */
	assert_contains(r.out, "receipts and heads: NOT checked (no --keyring)");

	/* Reconciled again into the same place under a forfeit policy: no refunds.csv. */
	r2 = run(forfeit_ledger, journals, 2, NULL, "out");
	assert_int_equal(r2.rc, 0);
	snprintf(path, sizeof path, "%s/refunds.csv", r2.outdir);
	assert_false(exists(path));

	result_free(&r);
	result_free(&r2);
	free((char *)journals[0]);
	free((char *)journals[1]);
	free(lpath);
	free(forfeit_ledger);
}

/* --merchants: the payee beside each merchant, payments.csv for the bank,
 * a merchant the file lacks a finding and unpaid, a bad file refused. */
static void test_payees(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *html, path[4200];
	char *good = write_file(test_dir, "merchants.csv",
	                        "\xEF\xBB\xBFid;name;owner;bank;account_number;account_name\r\n"
	                        "M1;Batik Sari;Siti;Bank Jatim;0011-2233-44;CV Batik Sari\r\n"
	                        "M2;Kopi Tengger;Budi;BRI;0123 0100 0456 503;Budi\r\n");
	char *bad = write_file(test_dir, "bad.csv",
	                       "id,name,owner,bank,account_number,account_name\n"
	                       "M1,Batik Sari,Siti,Bank Jatim,0011223344,CV Batik Sari\n"
	                       "M2,Kopi Tengger,Budi,BRI,1.23457E+13,Budi\n");
	jb j1, j2;
	const char *journals[2];
	result r, r2, r3;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	merchants_file = good;
	r = run(lpath, journals, 2, kr, "out");
	assert_int_equal(r.rc, 0); /* a merchant without a payee is a finding */
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount,name,owner,bank,account_number,"
	              "account_name\n"
	              "M1,G1,2,0,90000,Batik Sari,Siti,Bank Jatim,0011223344,CV Batik Sari\n"
	              "M1,G2,1,0,50000,Batik Sari,Siti,Bank Jatim,0011223344,CV Batik Sari\n"
	              "M2,G2,3,1,50000,Kopi Tengger,Budi,BRI,012301000456503,Budi\n"
	              "M3,G1,1,0,10000,,,,,\n");
	assert_output(&r, "payments.csv",
	              "merchant,name,owner,bank,account_number,account_name,amount\n"
	              "M1,Batik Sari,Siti,Bank Jatim,0011223344,CV Batik Sari,140000\n"
	              "M2,Kopi Tengger,Budi,BRI,012301000456503,Budi,50000\n");
	assert_output(&r, "anomalies.csv",
	              "kind,serial,detail\n"
	              "no_payee,0000000000000000,merchant M3 is owed Rp10.000 but is not in the "
	              "merchants file: not in payments.csv\n");
	assert_contains(r.out, "payments:   Rp190.000 to 2 payees (payments.csv); 1 merchants "
	                       "owed Rp10.000 are not in");
	html = output(&r, "report.html");
	assert_contains(html, "Transfer ke rekening pedagang");
	assert_contains(html, "Kopi Tengger, BRI <code>012301000456503</code> a.n. Budi");
	assert_contains(html, "tidak ada di daftar pedagang");
	free(html);

	/* A bad row refuses the file by its line; nothing is written. */
	merchants_file = bad;
	r2 = run(lpath, journals, 2, kr, "refused");
	assert_int_equal(r2.rc, 1);
	assert_contains(r2.err, "bad.csv:3: ");
	assert_contains(r2.err, "nothing written");
	assert_false(exists(r2.outdir));

	/* Without the file, as before: no payee columns, no payments.csv left. */
	r3 = run(lpath, journals, 2, kr, "out");
	assert_int_equal(r3.rc, 0);
	assert_output(&r3, "settlement.csv", SETTLEMENT);
	assert_output(&r3, "anomalies.csv", NO_ANOMALIES);
	snprintf(path, sizeof path, "%s/payments.csv", r3.outdir);
	assert_false(exists(path));

	result_free(&r);
	result_free(&r2);
	result_free(&r3);
	free((char *)journals[0]);
	free((char *)journals[1]);
	free(good);
	free(bad);
	free(kr);
	free(lpath);
}

static void test_duplicates_count_once(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring();
	jb j1, j2, j1b;
	const char *journals[4];
	result r;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	journal1(&j1b);
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	journals[2] = jb_write(&j1b, "j1-again.csv"); /* a second export of redeemer 1 */
	journals[3] = journals[0];                    /* the same file twice */
	r = run(lpath, journals, 4, kr, "out");
	assert_int_equal(r.rc, 0);
	assert_base_totals(&r);
	assert_output(&r, "anomalies.csv", NO_ANOMALIES);
	assert_contains(r.out, "8 entries (14 duplicates counted once)");

	result_free(&r);
	for (int i = 0; i < 3; i++)
		free((char *)journals[i]);
	free(kr);
	free(lpath);
}

static void test_conflicting_duplicate(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an;
	jb j1, j2, jc;
	const char *journals[3];
	result r;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	/* The same redemption id with another amount, in a well-formed journal. */
	jb_init(&jc);
	jb_add(&jc, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-202612-1", S1, 65000, 35000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	journals[2] = jb_write(&jc, "jc.csv");
	r = run(lpath, journals, 3, kr, "out");
	/* Two signed versions of one redemption: neither is paid. */
	assert_int_equal(r.rc, 1);
	an = output(&r, "anomalies.csv");
	assert_int_equal(count_of(an, "\n"), 2);
	assert_contains(an, "conflicting_duplicate,1000000000000001,");
	assert_contains(an, "/jc.csv:2: redeem R-TEST0001-202612-1 differs from ");
	assert_contains(an, "/j1.csv:2, which is withheld");
	assert_contains(r.out, "conflicting_duplicate      1");
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\n"
	              "M1,G1,1,0,30000\n"
	              "M1,G2,1,0,50000\n"
	              "M2,G2,3,1,50000\n"
	              "M3,G1,1,0,10000\n");
	assert_contains(r.out, "journals: FAILED: 1 anomalies say the journals do not hold "
	                       "together; 1 entries withheld (Rp60.000 of redemptions), not paid");

	free(an);
	result_free(&r);
	for (int i = 0; i < 3; i++)
		free((char *)journals[i]);
	free(kr);
	free(lpath);
}

static void test_chain_break(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an, *p;
	jb j1, j2;
	const char *journals[2];
	result r;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	/* Edit line 4 (R-TEST0001-202612-3): 30000 becomes 35000 in the line, not in its receipt.
	 */
	p = strstr(j1.text, ",R-TEST0001-202612-3,1000000000000002,2026-12,30000,");
	assert_non_null(p);
	p[strlen(",R-TEST0001-202612-3,1000000000000002,2026-12,3")] = '5';
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	r = run(lpath, journals, 2, kr, "out");
	assert_int_equal(r.rc, 1);
	an = output(&r, "anomalies.csv");
	assert_int_equal(count_of(an, "chain_break,"), 1);
	assert_contains(an, "chain_break,1000000000000002,");
	assert_contains(an, "/j1.csv:4: seq 3; hash does not verify");
	/* The receipt says 30000: it no longer matches the line. */
	assert_contains(an, "bad_receipt,1000000000000002,");
	assert_contains(an, "/j1.csv:4: R-TEST0001-202612-3: the receipt's amount does not match "
	                    "the line");
	/* 35000 from 100000 does not leave the 70000 the line says. */
	assert_contains(an, "remaining_mismatch,1000000000000002,");
	/* Nor does the head signed at export say so much was redeemed. */
	assert_contains(an, "bad_head,0000000000000000,");
	assert_contains(an, "/j1.csv:9: the head says 7 entries");
	assert_contains(an, "every entry of the file is withheld");
	assert_int_equal(count_of(an, "\n"), 5);
	/* Nothing of the edited journal is paid; the other redeemer's is. */
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\n"
	              "M3,G1,1,0,10000\n");
	assert_contains(r.out, "balance: issued Rp325.000 = redeemed Rp10.000 + unspent "
	                       "Rp315.000: OK");
	assert_contains(r.out, "7 entries withheld (Rp215.000 of redemptions)");
	assert_contains(r.out, "balance per ASN (4) and per OPD (2): OK");
	assert_contains(r.out, "the month does not balance");

	free(an);
	result_free(&r);
	free((char *)journals[0]);
	free((char *)journals[1]);
	free(kr);
	free(lpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_history, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_totals, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_refund, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_payees, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_duplicates_count_once, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_conflicting_duplicate, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_chain_break, test_dir_setup, test_dir_teardown),
	};

	return run_with_keys(tests, sizeof tests / sizeof tests[0]);
}
