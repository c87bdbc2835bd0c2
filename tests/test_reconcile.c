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

static void test_totals(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *data_before, *data_after;
	char *html, path[4200];
	size_t len_before, len_after;
	jb j1, j2;
	const char *journals[2];
	result r;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	snprintf(path, sizeof path, "%s/data.mdb", lpath);
	data_before = slurp_n(path, &len_before);
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

	/* The ledger is untouched. */
	snprintf(path, sizeof path, "%s/data.mdb", lpath);
	data_after = slurp_n(path, &len_after);
	assert_non_null(data_before);
	assert_non_null(data_after);
	assert_int_equal(len_before, len_after);
	assert_memory_equal(data_before, data_after, len_before);

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
	    cmocka_unit_test_setup_teardown(test_totals, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_refund, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_duplicates_count_once, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_conflicting_duplicate, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_chain_break, test_dir_setup, test_dir_teardown),
	};

	return run_with_keys(tests, sizeof tests / sizeof tests[0]);
}
