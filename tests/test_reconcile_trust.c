/*
 * Unit tests of issuer/recon_trust.c: the journals checked as evidence
 * against the redeemer's operator, who holds the receipt key and can sign
 * a consistent journal: heads pinned during the month, the receipts
 * merchants hold, balances that follow line to line.
 */
#include "reconcile_fixture.h"

/* Redeemer 1's first three entries of journal1, and the rest. */
static void first_three(jb *j, int64_t second_amount)
{
	jb_init(j);
	jb_add(j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-202612-1", S1, 60000, 40000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-02T04:00:00Z", "redeem", "R-TEST0001-202612-2", S1, second_amount,
	       40000 - second_amount, "M2", "G2", 2, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-05T02:00:00Z", "redeem", "R-TEST0001-202612-3", S2, 30000, 70000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
}

static void the_rest(jb *j)
{
	jb_add(j, "2026-12-11T02:00:00Z", "redeem", "R-TEST0001-202612-4", S3, 50000, 50000, "M1",
	       "G2", 3, receipt1, "R-TEST0001");
}

/* The head of j as it stands, alone in a file (a line of the export, as
 * the finance office might keep it). */
static char *pin(jb *j, const char *name)
{
	char line[JOURNAL_HEAD_MAX + 64];

	jb_head_line(j, line);
	return write_file(test_dir, name, line);
}

static void test_pinned_heads(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an, *p3, *rogue_pin,
	     *other;
	const char *journals[2];
	char line[JOURNAL_HEAD_MAX + 64];
	jb j, r, x, j2;
	result res;

	(void)state;
	/* Pinned after three entries; the export extends it. Another
	 * redeemer's journal beside it is not bound by it. */
	first_three(&j, 40000);
	p3 = pin(&j, "pin3.txt");
	the_rest(&j);
	journal2(&j2);
	journals[0] = jb_write(&j, "j.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	res = run_with(lpath, journals, 2, kr, "ok", p3, NULL);
	assert_int_equal(res.rc, 0);
	assert_output(&res, "anomalies.csv", NO_ANOMALIES);
	assert_contains(res.out, "pinned heads: 1 read, 0 not extended");
	result_free(&res);
	free((char *)journals[0]);
	free((char *)journals[1]);

	/* The operator rewrites the pinned part (the second purchase smaller,
	 * every receipt and the head signed again): whole and signed, but not
	 * what was pinned. Nothing of it is paid. */
	first_three(&r, 30000);
	the_rest(&r);
	journals[0] = jb_write(&r, "rewritten.csv");
	res = run(lpath, journals, 1, kr, "alone");
	assert_int_equal(res.rc, 0); /* alone, it holds together */
	result_free(&res);
	res = run_with(lpath, journals, 1, kr, "rewritten", p3, NULL);
	assert_int_equal(res.rc, 1);
	an = output(&res, "anomalies.csv");
	assert_int_equal(count_of(an, "head_not_extended,"), 2);
	assert_contains(an, "/rewritten.csv:4: the journal does not extend the head pinned in ");
	assert_contains(an, "no journal of redeemer R-TEST0001 extends this head (seq 3)");
	assert_output(&res, "settlement.csv", "merchant,gallery,redemptions,voids,amount\n");
	free(an);
	result_free(&res);
	free((char *)journals[0]);

	/* A pinned head that the redeemer's key did not sign is itself a finding. */
	first_three(&x, 40000);
	jb_sign_with(&x, rogue, "R-TEST0001");
	rogue_pin = pin(&x, "rogue-pin.txt");
	free(x.text);
	journal_chain_free(&x.c);
	first_three(&j, 40000);
	the_rest(&j);
	journals[0] = jb_write(&j, "j.csv");
	res = run_with(lpath, journals, 1, kr, "rogue", rogue_pin, NULL);
	assert_int_equal(res.rc, 1);
	an = output(&res, "anomalies.csv");
	assert_contains(an, "bad_head,0000000000000000,");
	assert_contains(an, "the pinned head of seq 3 does not verify");
	free(an);
	result_free(&res);

	/* A head of another period is not this month's business. */
	first_three(&x, 40000);
	x.h.per = (period){2026, 11};
	jb_head_line(&x, line);
	other = write_file(test_dir, "other.txt", line);
	free(x.text);
	journal_chain_free(&x.c);
	res = run_with(lpath, journals, 1, kr, "other", other, NULL);
	assert_int_equal(res.rc, 0);
	result_free(&res);

	/* A file with no head in it is refused. */
	free(other);
	other = write_file(test_dir, "none.txt", "nothing pinned here\n");
	res = run_with(lpath, journals, 1, kr, "none", other, NULL);
	assert_int_equal(res.rc, 1);
	assert_contains(res.err, "none.txt: no signed head (UH2|...) in it");
	assert_false(exists(res.outdir));
	result_free(&res);

	free((char *)journals[0]);
	free(other);
	free(rogue_pin);
	free(p3);
	free(kr);
	free(lpath);
}

/* A receipt signed alone by key for kid, as the redeemer gives it. */
static void signed_receipt(char *out, const char *time, const char *rid, uint64_t serial,
                           int64_t amount, int64_t remaining, const sig_signer *key,
                           const char *kid)
{
	char *text[1] = {out};

	receipt_of_kind(out, JOURNAL_REDEEM, time, rid, serial, amount, remaining, "M1", "G1", 1,
	                kid);
	assert_int_equal(receipt_sign_tree(key, text, 1), ERR_OK);
}

static void test_merchant_receipts(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an, *rpath;
	char all[8 * (RECEIPT_MAX + 2)], r[5][RECEIPT_MAX + 1];
	const char *journals[1];
	jb j;
	result res;

	(void)state;
	journal1(&j);
	/* What merchants hand in: one of the journal's own receipts... */
	snprintf(r[0], sizeof r[0], "%s", j.last);
	/* ...one the redeemer signed that the journal lacks... */
	signed_receipt(r[1], "2026-12-06T02:00:00Z", "R-TEST0001-202612-9", S5, 1000, 74000,
	               receipt1, "R-TEST0001");
	/* ...another version of the first redemption, also signed... */
	signed_receipt(r[2], "2026-12-02T03:00:00Z", "R-TEST0001-202612-1", S1, 6000, 94000,
	               receipt1, "R-TEST0001");
	/* ...one of November's, and one nobody's key signed. */
	signed_receipt(r[3], "2026-11-20T02:00:00Z", "R-TEST0001-202611-1", S5, 1000, 74000,
	               receipt1, "R-TEST0001");
	signed_receipt(r[4], "2026-12-07T02:00:00Z", "R-TEST0001-202612-2", S1, 40000, 0, rogue,
	               "R-TEST0001");
	journals[0] = jb_write(&j, "j.csv");
	/* As a file may come: comments, blanks, one in a CSV row. */
	snprintf(all, sizeof all, "# kasir 1\n%s\n\n%s\n%s\nrow,\"%s\",x\n%s\n", r[0], r[1], r[2],
	         r[3], r[4]);
	rpath = write_file(test_dir, "receipts.txt", all);
	res = run_with(lpath, journals, 1, kr, "out", NULL, rpath);
	assert_int_equal(res.rc, 1);
	an = output(&res, "anomalies.csv");
	assert_contains(an, "receipt_not_in_journal,0000000000000000,");
	assert_contains(an, "R-TEST0001-202612-9: the redeemer signed this redemption, and no "
	                    "journal holds it");
	assert_contains(an, "receipt_not_in_journal,1000000000000001,");
	assert_contains(an, "R-TEST0001-202612-1: the journal's entry (");
	assert_contains(an, "is not what the redeemer signed for the merchant; it is withheld");
	assert_contains(an, "forged_receipt,0000000000000000,");
	assert_contains(an, "R-TEST0001-202612-2: the receipt does not verify");
	assert_int_equal(count_of(an, "\n"), 4);
	assert_contains(res.out, "merchants' receipts: 5 read (1 of other periods), 2 not in the "
	                         "journals, 1 forged");
	/* The redemption signed twice is not paid. */
	assert_output(&res, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\n"
	              "M1,G1,1,0,30000\n"
	              "M1,G2,1,0,50000\n"
	              "M2,G2,3,1,50000\n");
	free(an);
	result_free(&res);
	free(rpath);
	free((char *)journals[0]);
	free(kr);
	free(lpath);
}

/* A receipt of kind signed alone by the first redeemer's key, at M1's gallery G2. */
static void signed_of_kind(char *out, journal_kind kind, const char *time, const char *rid,
                           uint64_t serial, int64_t amount, int64_t remaining)
{
	char *text[1] = {out};

	receipt_of_kind(out, kind, time, rid, serial, amount, remaining, "M1", "G2", 3,
	                "R-TEST0001");
	assert_int_equal(receipt_sign_tree(receipt1, text, 1), ERR_OK);
}

/*
 * The receipts of offline sales (URO2) and of conflicts (URC2) are checked
 * as a redemption's are: each must be its entry, of its own kind, as signed.
 * A conflict's receipt is the redeemer's signed word that the sale was
 * refused on upload: an offline sale of that number does not answer it.
 */
static void test_offline_and_conflict_receipts(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an, *rpath;
	char all[8 * (RECEIPT_MAX + 2)], offline[RECEIPT_MAX + 1], conflict[RECEIPT_MAX + 1];
	char r[3][RECEIPT_MAX + 1];
	const char *journals[1];
	jb j;
	result res;

	(void)state;
	jb_init(&j);
	jb_add(&j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-202612-1", S1, 60000, 40000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	/* Sold offline at G2 and uploaded: one taken, one refused (S1 had 40,000 left). */
	jb_add(&j, "2026-12-11T08:00:00Z", "offline", "R-TEST0001-202612-2", S3, 50000, 50000, "M1",
	       "G2", 3, receipt1, "R-TEST0001");
	snprintf(offline, sizeof offline, "%s", j.last);
	jb_add(&j, "2026-12-11T08:00:00Z", "conflict", "R-TEST0001-202612-3", S1, 50000, 40000,
	       "M1", "G2", 3, receipt1, "R-TEST0001");
	snprintf(conflict, sizeof conflict, "%s", j.last);
	journals[0] = jb_write(&j, "j.csv");

	/* The merchant's own two: taken as they are. */
	snprintf(all, sizeof all, "%s\n%s\n", offline, conflict);
	rpath = write_file(test_dir, "genuine.txt", all);
	res = run_with(lpath, journals, 1, kr, "genuine", NULL, rpath);
	assert_int_equal(res.rc, 0);
	assert_output(&res, "anomalies.csv", NO_ANOMALIES);
	assert_contains(res.out, "merchants' receipts: 2 read (0 of other periods), 0 not in the "
	                         "journals, 0 forged");
	result_free(&res);
	free(rpath);

	/* An offline sale the journal lacks; the sale it took, signed as refused; and
	 * the same sale signed for another amount. */
	signed_of_kind(r[0], JOURNAL_OFFLINE, "2026-12-11T09:00:00Z", "R-TEST0001-202612-9", S5,
	               1000, 74000);
	signed_of_kind(r[1], JOURNAL_CONFLICT, "2026-12-11T08:00:00Z", "R-TEST0001-202612-2", S3,
	               50000, 100000);
	signed_of_kind(r[2], JOURNAL_OFFLINE, "2026-12-11T08:00:00Z", "R-TEST0001-202612-2", S3,
	               5000, 95000);
	snprintf(all, sizeof all, "%s\n%s\n%s\n%s\n", conflict, r[0], r[1], r[2]);
	rpath = write_file(test_dir, "receipts.txt", all);
	res = run_with(lpath, journals, 1, kr, "out", NULL, rpath);
	assert_int_equal(res.rc, 1);
	an = output(&res, "anomalies.csv");
	assert_contains(an, "R-TEST0001-202612-9: the redeemer signed this offline, and no journal "
	                    "holds it");
	assert_contains(an, "R-TEST0001-202612-2: the redeemer signed this conflict, and no "
	                    "journal holds it");
	assert_contains(an, "receipt_not_in_journal,1000000000000003,");
	assert_contains(an, "R-TEST0001-202612-2: the journal's entry (");
	assert_int_equal(count_of(an, "receipt_not_in_journal,"), 3);
	assert_int_equal(count_of(an, "\n"), 4);
	assert_contains(res.out, "merchants' receipts: 4 read (0 of other periods), 3 not in the "
	                         "journals, 0 forged");
	/* The offline sale signed twice is not paid. */
	assert_output(&res, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\nM1,G1,1,0,60000\n");
	free(an);
	result_free(&res);
	free(rpath);
	free((char *)journals[0]);
	free(kr);
	free(lpath);
}

/* A signed, whole journal in which one balance does not follow. */
static void test_balances_follow(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an;
	const char *journals[1];
	jb j;
	result res;

	(void)state;
	jb_init(&j);
	jb_add(&j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-202612-1", S1, 60000, 40000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	/* 10000 taken from 40000 does not leave 35000. */
	jb_add(&j, "2026-12-02T04:00:00Z", "redeem", "R-TEST0001-202612-2", S1, 10000, 35000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	/* From what the line before says, the next follows again. */
	jb_add(&j, "2026-12-02T05:00:00Z", "redeem", "R-TEST0001-202612-3", S1, 5000, 30000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	/* A void gives back: 30000 + 5000. */
	jb_add(&j, "2026-12-02T06:00:00Z", "void", "R-TEST0001-202612-3", S1, 5000, 35000, "M1",
	       "G1", 1, NULL, NULL);
	journals[0] = jb_write(&j, "j.csv");
	res = run(lpath, journals, 1, kr, "out");
	assert_int_equal(res.rc, 1);
	an = output(&res, "anomalies.csv");
	assert_int_equal(count_of(an, "remaining_mismatch,"), 1);
	assert_contains(an,
	                "/j.csv:3: R-TEST0001-202612-2 taking Rp10.000 leaves Rp35.000, but the "
	                "lines before leave Rp40.000: withheld");
	assert_int_equal(count_of(an, "\n"), 2);
	assert_output(&res, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\nM1,G1,2,1,60000\n");
	free(an);
	result_free(&res);
	free((char *)journals[0]);
	free(kr);
	free(lpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pinned_heads, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_merchant_receipts, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_offline_and_conflict_receipts, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_balances_follow, test_dir_setup,
	                                    test_dir_teardown),
	};

	return run_with_keys(tests, sizeof tests / sizeof tests[0]);
}
