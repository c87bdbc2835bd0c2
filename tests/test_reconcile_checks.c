/*
 * Unit tests of issuer/reconcile: receipts checked against their line and
 * their tree, each anomaly, what is withheld, and each refusal of a
 * journal.
 */
#include "reconcile_fixture.h"

static void test_bad_receipt(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an;
	jb j3;
	const char *journals[1];
	result r, r2;

	(void)state;
	jb_init(&j3);
	jb_sign_with(&j3, receipt2, "R-TEST0002"); /* the head: an honest key */
	/* A key the keyring does not hold. */
	jb_add(&j3, "2026-12-03T03:00:00Z", "redeem", "R-TEST0003-202612-1", S5, 5000, 70000, "M1",
	       "G1", 1, rogue, "R-TEST0003");
	/* A key that claims to be redeemer 1's. */
	jb_add(&j3, "2026-12-03T04:00:00Z", "redeem", "R-TEST0003-202612-2", S5, 5000, 65000, "M1",
	       "G1", 1, rogue, "R-TEST0001");
	/* An honest one in between. */
	jb_add(&j3, "2026-12-03T05:00:00Z", "redeem", "R-TEST0003-202612-3", S5, 5000, 60000, "M1",
	       "G1", 1, receipt2, "R-TEST0002");
	journals[0] = jb_write(&j3, "j3.csv");
	r = run(lpath, journals, 1, kr, "out");
	assert_int_equal(r.rc, 1);
	an = output(&r, "anomalies.csv");
	assert_int_equal(count_of(an, "bad_receipt,1000000000000005,"), 2);
	assert_contains(
	    an, "/j3.csv:2: R-TEST0003-202612-1: receipt key R-TEST0003 is not in the keyring");
	assert_contains(an,
	                "/j3.csv:3: R-TEST0003-202612-2: the receipt's signature by key R-TEST0001 "
	                "does not verify");
	assert_int_equal(count_of(an, "\n"), 3);
	assert_contains(r.out, "receipts: 3 checked");
	assert_contains(r.out, ", 2 bad");
	/* What no known key signed is withheld: only the honest one is paid. */
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\nM1,G1,1,0,5000\n");
	assert_contains(r.out, "2 entries withheld (Rp10.000 of redemptions)");

	/* Without the keyring, nothing is checked, and everything is paid. */
	r2 = run(lpath, journals, 1, NULL, "out2");
	assert_int_equal(r2.rc, 0);
	assert_output(&r2, "anomalies.csv", NO_ANOMALIES);
	assert_output(&r2, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\nM1,G1,3,0,15000\n");

	free(an);
	result_free(&r);
	result_free(&r2);
	free((char *)journals[0]);
	free(kr);
	free(lpath);
}

/*
 * Receipts signed a tree at a time, as the redeemer writes them: the five
 * of one tree verify; a receipt whose path was changed, or that carries
 * the signature of another tree, is bad alone, though its neighbours share
 * its signature.
 */
static void test_receipt_trees(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an;
	char rc[6][RECEIPT_MAX + 1], *text[6], rid[6][32], when[6][32];
	const char *journals[1];
	jb j;
	result r;

	(void)state;
	for (int i = 0; i < 6; i++) {
		text[i] = rc[i];
		snprintf(rid[i], sizeof rid[i], "R-TEST0001-202612-%d", i + 1);
		snprintf(when[i], sizeof when[i], "2026-12-03T0%d:00:00Z", i + 1);
		receipt_of_kind(rc[i], JOURNAL_REDEEM, when[i], rid[i], S5, 1000, 74000 - 1000 * i,
		                "M1", "G1", 1, "R-TEST0001");
	}
	assert_int_equal(receipt_sign_tree(receipt1, text, 5), ERR_OK);
	assert_int_equal(receipt_sign_tree(receipt1, text + 5, 1), ERR_OK);
	for (int bad = -1; bad < 2; bad++) {
		char out[8], mine[6][RECEIPT_MAX + 1];

		memcpy(mine, rc, sizeof mine);
		if (bad == 0) {
			/* The third receipt's first step on the other side. */
			char *step = mine[2] + strlen(mine[2]) - 86 - 1 - 3 * RECEIPT_STEP_LEN;
			assert_int_equal(step[-1], '|');
			assert_int_equal(*step, 'R');
			*step = 'L';
		} else if (bad == 1) {
			/* The fourth with the sixth's (valid) signature. */
			memcpy(mine[3] + strlen(mine[3]) - 86, mine[5] + strlen(mine[5]) - 86, 86);
		}
		jb_init(&j);
		for (int i = 0; i < 5; i++)
			jb_line(&j, when[i], "redeem", rid[i], S5, 1000, 74000 - 1000 * i, "M1",
			        "G1", 1, mine[i]);
		jb_sign_with(&j, receipt1, "R-TEST0001");
		journals[0] = jb_write(&j, "trees.csv");
		snprintf(out, sizeof out, "out%d", bad + 1);
		r = run(lpath, journals, 1, kr, out);
		assert_int_equal(r.rc, bad < 0 ? 0 : 1);
		assert_contains(r.out, "receipts: 5 checked");
		an = output(&r, "anomalies.csv");
		if (bad < 0) {
			assert_output(&r, "anomalies.csv", NO_ANOMALIES);
		} else {
			assert_int_equal(count_of(an, "bad_receipt,"), 1);
			assert_contains(
			    an, bad == 0 ? "/trees.csv:4: R-TEST0001-202612-3: the receipt's "
			                   "signature by key R-TEST0001 does not verify"
			                 : "/trees.csv:5: R-TEST0001-202612-4: the receipt's "
			                   "signature by key R-TEST0001 does not verify");
		}
		free(an);
		result_free(&r);
		free((char *)journals[0]);
	}
	free(kr);
	free(lpath);
}

/* The other anomalies, each in a journal of its own beside the base case. */
static void test_anomalies(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an, *per_asn;
	jb j1, j2, j3, j4;
	const char *journals[4];
	result r;

	(void)state;
	journal1(&j1);
	journal2(&j2);
	/* Redeemer 2's own later export, which goes on from its first
	 * redemption (journal2), each balance following from the one before. */
	jb_init(&j3);
	/* A serial the ledger never issued, validly receipted. */
	jb_add(&j3, "2026-12-04T03:00:00Z", "redeem", "R-TEST0002-202612-2", S_UNKNOWN, 50000, 0,
	       "M9", "G9", 9, receipt2, "R-TEST0002");
	/* After the revocation of S4, and after the reissue revoked S2. */
	jb_add(&j3, "2026-12-21T03:00:00Z", "redeem", "R-TEST0002-202612-3", S4, 5000, 45000, "M3",
	       "G1", 1, receipt2, "R-TEST0002");
	jb_add(&j3, "2026-12-11T03:00:00Z", "redeem", "R-TEST0002-202612-4", S2, 5000, 95000, "M3",
	       "G1", 1, receipt2, "R-TEST0002");
	/* Outside the validity window: after it, and before it (30 Nov 23:59:59 WIB). */
	jb_add(&j3, "2027-01-03T17:00:00Z", "redeem", "R-TEST0002-202612-5", S5, 1000, 74000, "M3",
	       "G1", 1, receipt2, "R-TEST0002");
	jb_add(&j3, "2026-11-30T16:59:59Z", "redeem", "R-TEST0002-202612-6", S5, 1000, 73000, "M3",
	       "G1", 1, receipt2, "R-TEST0002");
	/* A void of nothing, and a void that does not match its redemption. */
	jb_add(&j3, "2026-12-22T03:00:00Z", "void", "R-TEST0002-202612-99", S5, 1000, 74000, "M3",
	       "G1", 1, NULL, NULL);
	jb_add(&j3, "2026-12-22T04:00:00Z", "void", "R-TEST0002-202612-5", S5, 999, 74999, "M3",
	       "G1", 1, NULL, NULL);
	/* Overspent: redeemer 1 takes Dedi's whole voucher once more. */
	jb_init(&j4);
	jb_add(&j4, "2026-12-23T03:00:00Z", "redeem", "R-TEST0001-202612-7", S5, 75000, 0, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	journals[2] = jb_write(&j3, "j3.csv");
	journals[3] = jb_write(&j4, "j4.csv");
	r = run(lpath, journals, 4, kr, "out");
	/* An unknown serial and voids of nothing: the journals do not hold together. */
	assert_int_equal(r.rc, 1);
	an = output(&r, "anomalies.csv");
	assert_contains(an, "unknown_serial,2000000000000009,");
	assert_contains(
	    an, "/j3.csv:2: R-TEST0002-202612-2: Rp50.000 redeemed at M9/G9 on a serial the "
	        "ledger did not issue for 2026-12; its receipt verifies: the redeemer "
	        "accepted a validly signed voucher, the issuer key may be compromised");
	assert_int_equal(count_of(an, "redeemed_after_revocation,"), 2);
	assert_contains(an, "redeemed_after_revocation,1000000000000004,");
	assert_contains(an, "/j3.csv:3: R-TEST0002-202612-3 at 2026-12-21T03:00:00Z, revoked at "
	                    "2026-12-20T00:00:00Z");
	assert_contains(an, "redeemed_after_revocation,1000000000000002,");
	assert_contains(an, "revoked at 2026-12-10T00:00:00Z (replaced)");
	assert_int_equal(count_of(an, "outside_validity,1000000000000005,"), 2);
	assert_contains(an, "/j3.csv:5: R-TEST0002-202612-5 at 2027-01-03T17:00:00Z, valid from "
	                    "2026-11-30T17:00:00Z until 2027-01-03T17:00:00Z");
	assert_contains(an, "/j3.csv:6: R-TEST0002-202612-6 at 2026-11-30T16:59:59Z");
	assert_int_equal(count_of(an, "void_without_redemption,1000000000000005,"), 2);
	assert_contains(an, "/j3.csv:7: void of R-TEST0002-202612-99: no such redemption");
	assert_contains(an, "/j3.csv:8: void of R-TEST0002-202612-5: its amount differs");
	assert_contains(an, "overspent,1000000000000005,Rp77.000 redeemed of Rp75.000 issued");
	assert_int_equal(count_of(an, "\n"), 1 + 1 + 2 + 2 + 2 + 1);
	assert_null(strstr(an, "198004042005011004")); /* no NIP */
	assert_null(strstr(an, "Dedi"));               /* no name */
	/* Anomalies are grouped by kind in a fixed order. */
	assert_true(strstr(an, "unknown_serial") < strstr(an, "void_without_redemption"));
	assert_true(strstr(an, "void_without_redemption") <
	            strstr(an, "redeemed_after_revocation"));
	assert_true(strstr(an, "outside_validity") < strstr(an, "overspent"));

	/* The unknown serial is not paid; the rest is. */
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\n"
	              "M1,G1,3,0,165000\n"
	              "M1,G2,1,0,50000\n"
	              "M2,G2,3,1,50000\n"
	              "M3,G1,5,0,22000\n");
	per_asn = output(&r, "per_asn.csv");
	assert_contains(per_asn, "Citra,\"Badan 'C' \"\"D\"\"\",pelaksana,1000000000000004,50000,"
	                         "15000,35000,no\n");
	assert_contains(per_asn, "Dedi,\"Badan 'C' \"\"D\"\"\",fungsional,1000000000000005,75000,"
	                         "77000,-2000,yes\n");
	assert_contains(per_asn, "Budi,Dinas A & <B>,pelaksana,1000000000000003,100000,95000,5000,"
	                         "no\n");
	assert_contains(r.out,
	                "balance: issued Rp325.000 = redeemed Rp287.000 + unspent Rp38.000: OK");
	assert_contains(r.out, "settlement: Rp287.000 = redeemed Rp287.000: OK");
	assert_contains(r.out, "forfeit:    Rp40.000"); /* Citra 35.000 + Budi 5.000 */
	assert_contains(r.out, "journals: FAILED: 3 anomalies say the journals do not hold "
	                       "together; 0 entries withheld");

	free(per_asn);
	free(an);
	result_free(&r);
	for (int i = 0; i < 4; i++)
		free((char *)journals[i]);
	free(kr);
	free(lpath);
}

/* A refused journal: its file and line on stderr, exit 1, no output at all. */
static void assert_refused(const char *lpath, const char *text, const char *line_suffix,
                           const char *what)
{
	jb j1;
	const char *journals[2];
	char want[4200], *bad = write_file(test_dir, "bad.csv", text);
	result r;

	journal1(&j1);
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = bad;
	r = run(lpath, journals, 2, NULL, "refused-out");
	assert_int_equal(r.rc, 1);
	snprintf(want, sizeof want, "%s%s", bad, line_suffix);
	assert_contains(r.err, want);
	assert_contains(r.err, what);
	assert_false(exists(r.outdir));
	assert_string_equal(r.out, "");
	result_free(&r);
	free((char *)journals[0]);
	free(bad);
}

static void test_refused(void **state)
{
	char *lpath = make_ledger("ledger", false), *ok_line, *p;
	jb j;
	char text[8192];

	(void)state;
	assert_refused(lpath, "seq,time,kind\n1,2,3\n", ":1: ", "not a journal");
	assert_refused(lpath, "", ":1: ", "empty");
	assert_refused(lpath, "serial,nip\n", ":1: ", "not a journal");

	/* A well-formed line to break. */
	jb_init(&j);
	jb_add(&j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-202612-1", S1, 60000, 40000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	ok_line = strchr(j.text, '\n') + 1;

	/* A short line (the hash cut off) after a good one. */
	snprintf(text, sizeof text, "%s%s", j.text, ok_line);
	p = strrchr(text, ',');
	*p = '\n';
	p[1] = '\0';
	assert_refused(lpath, text, ":3: ", "13 fields, a journal line has 14");

	/* A lower-case serial. */
	snprintf(text, sizeof text, "%s", j.text);
	p = strstr(text, "1000000000000001");
	p[0] = 'a';
	assert_refused(lpath, text, ":2: ", "bad serial");

	/* A bad amount, a bad kind, another period, a broken quote. */
	snprintf(text, sizeof text, "%s", j.text);
	p = strstr(text, ",60000,");
	memcpy(p, ",6x000,", 7);
	assert_refused(lpath, text, ":2: ", "bad amount");
	snprintf(text, sizeof text, "%s", j.text);
	p = strstr(text, ",redeem,");
	memcpy(p, ",REDEEM,", 8);
	assert_refused(lpath, text, ":2: ", "bad kind");
	snprintf(text, sizeof text, "%s", j.text);
	p = strstr(text, ",2026-12,");
	memcpy(p, ",2026-11,", 9);
	assert_refused(lpath, text,
	               ":2: ", "bad redemption_id (its YYYYMM is not the line's period)");
	p = strstr(text, "-202612-1,");
	memcpy(p, "-202611-1,", 10);
	assert_refused(lpath, text, ":2: ", "period 2026-11, but 2026-12 is reconciled");
	snprintf(text, sizeof text, "%s1,\"2026-12-02T03:00:00Z,x\n", j.text);
	assert_refused(lpath, text, ":3: ", "unterminated quoted field");

	/* A receipt with a byte it cannot hold, at either end and on either
	 * side of each 8-byte boundary the check reads by. */
	{
		static const char bytes[] = {'\x01', '\x1f', ' ', '\x7f', '\x80', '\xc3', '\xff'};
		size_t len = strcspn(strstr(j.text, "UR2|"), ",");
		size_t at[] = {0,  1,       7,       8,       9,       15,     16,
		               17, len / 2, len - 9, len - 8, len - 2, len - 1};

		for (size_t b = 0; b < sizeof bytes; b++)
			for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
				snprintf(text, sizeof text, "%s", j.text);
				strstr(text, "UR2|")[at[k]] = bytes[b];
				assert_refused(lpath, text, ":2: ", "bad receipt");
			}
		/* A comma or a quote (doubled), in a quoted field. */
		for (int q = 0; q < 2; q++) {
			const char *r = strstr(j.text, "UR2|");
			snprintf(text, sizeof text, "%.*s\"%.*s%s%.*s\"%s", (int)(r - j.text),
			         j.text, (int)(len / 2), r, q ? "\"\"" : ",",
			         (int)(len - len / 2 - 1), r + len / 2 + 1, r + len);
			assert_refused(lpath, text, ":2: ", "bad receipt");
		}
	}

	/* The journal must end with its head; nothing may follow it. */
	{
		char head[JOURNAL_HEAD_MAX + 64];

		jb_head_line(&j, head);
		assert_refused(lpath, j.text, ": ", "no head line");
		snprintf(text, sizeof text, "%s%s%s", j.text, head, ok_line);
		assert_refused(lpath, text, ":4: ", "a line after the head (line 3)");
		/* A redemption id: a head line has none. */
		p = strstr(head, ",head,,,");
		snprintf(text, sizeof text, "%s%.*s,head,7,,%s", j.text, (int)(p - head), head,
		         p + 8);
		assert_refused(lpath, text, ":3: ", "a head line has only a time, a period");
	}

	/* Quoted fields are read as any CSV reader would: this one is fine. */
	{
		const char *nl = strchr(j.text, '\n'), *journals[1];
		char head[JOURNAL_HEAD_MAX + 64];
		result r;

		jb_head_line(&j, head);
		snprintf(text, sizeof text, "%.*s\"1\"%s%s", (int)(nl + 1 - j.text), j.text, nl + 2,
		         head);
		journals[0] = write_file(test_dir, "quoted.csv", text);
		r = run(lpath, journals, 1, NULL, "quoted-out");
		assert_int_equal(r.rc, 0);
		assert_contains(r.out, "anomalies: none");
		assert_contains(r.out, "1 entries");
		result_free(&r);
		free((char *)journals[0]);
	}

	/* A period the ledger never issued. */
	{
		const char *journals[1] = {NULL};
		reconcile_opts o = {.ledger = lpath,
		                    .per = {2026, 11},
		                    .njournals = 1,
		                    .out = "/nonexistent/never"};
		char *jp = jb_write(&j, "j.csv");
		int save = dup(2), fd = open("/dev/null", O_WRONLY);

		journals[0] = jp;
		o.journals = journals;
		fflush(stderr);
		dup2(fd, 2);
		assert_int_equal(reconcile_run(&o), 1);
		fflush(stderr);
		dup2(save, 2);
		close(save);
		close(fd);
		free(jp);
	}
	free(lpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_bad_receipt, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_receipt_trees, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_anomalies, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_refused, test_dir_setup, test_dir_teardown),
	};

	return run_with_keys(tests, sizeof tests / sizeof tests[0]);
}
