/*
 * Unit tests of issuer/reconcile: a small ledger (two OPDs, a reissued and
 * a revoked voucher) and journals written here in the redeemer's export
 * format, with their hash chains and receipts signed by a receipt key in a
 * keyring file; every number of the outputs is checked against what the
 * journals say, then each anomaly and each refusal.
 */
#include "testutil.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../issuer/ledger.h"
#include "../issuer/reconcile.h"
#include "keyring.h"
#include "period.h"
#include "receipt.h"
#include "sig.h"
#include "voucher.h"

#define S1        0x1000000000000001ULL /* Ani, OPD Dinas */
#define S2        0x1000000000000002ULL /* Budi, lost: reissued as S3 */
#define S3        0x1000000000000003ULL
#define S4        0x1000000000000004ULL /* Citra, OPD Badan, revoked */
#define S5        0x1000000000000005ULL /* Dedi, OPD Badan, never redeemed in the base case */
#define S_UNKNOWN 0x2000000000000009ULL

#define OPD_DINAS "Dinas A & <B>"
#define OPD_BADAN "Badan 'C' \"D\""

#define T_REISSUE 1796860800 /* 2026-12-10T00:00:00Z */
#define T_REVOKE  1797724800 /* 2026-12-20T00:00:00Z */

static char *dir;
static sig_signer *issuer_key, *receipt1, *receipt2, *rogue;
static const period PER = {2026, 12};

/* ---- fixtures ---- */

static void make_token(uint64_t serial, int64_t amount, char out[VOUCHER_TEXT_LEN + 1])
{
	const tzone *tz = tzone_find("Asia/Jakarta");
	int64_t from, until;
	voucher v = {.flags = VOUCHER_FLAG_MULTI, .serial = serial, .year = 2026, .month = 12};

	period_window(PER, 3, tz, &from, &until);
	v.valid_from = (uint32_t)from;
	v.valid_until = (uint32_t)until;
	v.face_value = (uint32_t)amount;
	tag_of("issuer", "TEST", v.issuer_tag);
	tag_of("kid", "K1", v.kid_tag);
	assert_int_equal(voucher_sign(&v, issuer_key), ERR_OK);
	assert_int_equal(voucher_encode(&v, out, VOUCHER_TEXT_LEN + 1), VOUCHER_TEXT_LEN);
}

static ledger_voucher make_voucher(uint64_t serial, const char *nip, const char *name,
                                   const char *opd, const char *cls, int64_t amount)
{
	ledger_voucher v;

	memset(&v, 0, sizeof v);
	v.serial = serial;
	snprintf(v.nip, sizeof v.nip, "%s", nip);
	snprintf(v.name, sizeof v.name, "%s", name);
	snprintf(v.opd, sizeof v.opd, "%s", opd);
	snprintf(v.cls, sizeof v.cls, "%s", cls);
	v.amount = amount;
	v.per = PER;
	strcpy(v.kid, "K1");
	make_token(serial, amount, v.token);
	v.issued_at = 1796083200; /* 2026-12-01T00:00:00Z */
	return v;
}

/* The ledger of every test; refund chooses the period's policy. */
static char *make_ledger(const char *name, bool refund)
{
	char *path = malloc(4096);
	ledger *l;
	ledger_voucher v[4], repl;
	ledger_period_info info = {refund, "Asia/Jakarta", 3};

	snprintf(path, 4096, "%s/%s", dir, name);
	assert_int_equal(ledger_open(path, true, &l), ERR_OK);
	v[0] = make_voucher(S1, "198001012005011001", "Ani", OPD_DINAS, "pelaksana", 100000);
	v[1] = make_voucher(S2, "198002022005011002", "Budi", OPD_DINAS, "pelaksana", 100000);
	v[2] = make_voucher(S4, "198003032005012003", "Citra", OPD_BADAN, "pelaksana", 50000);
	v[3] = make_voucher(S5, "198004042005011004", "Dedi", OPD_BADAN, "fungsional", 75000);
	assert_int_equal(ledger_issue(l, "TEST", v, 4), ERR_OK);
	assert_int_equal(ledger_set_period_info(l, PER, &info), ERR_OK);
	repl = make_voucher(S3, "198002022005011002", "Budi", OPD_DINAS, "pelaksana", 100000);
	repl.replaces = S2;
	repl.issued_at = T_REISSUE;
	assert_int_equal(ledger_reissue(l, S2, &repl, "hilang"), ERR_OK);
	assert_int_equal(ledger_revoke(l, S4, "pensiun", T_REVOKE), ERR_OK);
	ledger_close(l);
	return path;
}

static void keyline(FILE *f, const char *kid, const sig_signer *s)
{
	key_entry e = {.role = KEY_RECEIPT, .valid_from = 20000, .retired_after = KEY_NEVER};
	char line[256];

	snprintf(e.kid, sizeof e.kid, "%s", kid);
	sig_public(s, e.pub);
	assert_true(keyring_format_line(&e, line, sizeof line) > 0);
	fputs(line, f);
}

/* The keyring of the two honest redeemers (not the rogue key). */
static char *make_keyring(void)
{
	char *path = malloc(4096);
	FILE *f;

	snprintf(path, 4096, "%s/keyring", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	keyline(f, "R-TEST0001", receipt1);
	keyline(f, "R-TEST0002", receipt2);
	fclose(f);
	return path;
}

/* ---- journals in the export format ---- */

typedef struct jb {
	char *text;
	size_t len, cap;
	uint64_t seq;
	char prev[65];
} jb;

static void jb_put(jb *j, const char *s)
{
	size_t n = strlen(s);

	if (j->len + n + 1 > j->cap) {
		j->cap = (j->len + n + 1) * 2;
		j->text = realloc(j->text, j->cap);
		assert_non_null(j->text);
	}
	memcpy(j->text + j->len, s, n + 1);
	j->len += n;
}

static void jb_init(jb *j)
{
	memset(j, 0, sizeof *j);
	memset(j->prev, '0', 64);
	jb_put(j, "seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,"
	          "terminal,receipt,prev_hash,hash\n");
}

static void hex(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

/* The body of a redeem's receipt, into out (RECEIPT_MAX + 1 bytes). */
static void receipt_of(char *out, const char *time, const char *rid, uint64_t serial,
                       int64_t amount, int64_t remaining, const char *merchant, const char *gallery,
                       unsigned terminal, const char *kid)
{
	char sr[17];

	voucher_serial_format(serial, sr);
	snprintf(out, RECEIPT_MAX + 1, "UR2|%s|%s|%" PRId64 "|%" PRId64 "|%s|%s|%u|%s|%s", rid, sr,
	         amount, remaining, merchant, gallery, terminal, time, kid);
}

/* Append an entry with the receipt given ("" for a void); the line's hash
 * chains on the previous line's. */
static void jb_line(jb *j, const char *time, const char *kind, const char *rid, uint64_t serial,
                    int64_t amount, int64_t remaining, const char *merchant, const char *gallery,
                    unsigned terminal, const char *receipt)
{
	char sr[17], core[1024], pre[1200], line[1400];
	uint8_t md[32];
	int n;

	voucher_serial_format(serial, sr);
	j->seq++;
	snprintf(core, sizeof core,
	         "%" PRIu64 ",%s,%s,%s,%s,2026-12,%" PRId64 ",%" PRId64 ",%s,%s,%u,%s", j->seq,
	         time, kind, rid, sr, amount, remaining, merchant, gallery, terminal, receipt);
	n = snprintf(pre, sizeof pre, "%s,%s", j->prev, core);
	EVP_Digest(pre, (size_t)n, md, NULL, EVP_sha256(), NULL);
	snprintf(line, sizeof line, "%s,%s,", core, j->prev);
	hex(md, 32, j->prev);
	strcat(line, j->prev);
	strcat(line, "\n");
	jb_put(j, line);
}

/*
 * Append an entry. A redeem gets a receipt signed alone (a tree of one) by
 * signer naming kid.
 */
static void jb_add(jb *j, const char *time, const char *kind, const char *rid, uint64_t serial,
                   int64_t amount, int64_t remaining, const char *merchant, const char *gallery,
                   unsigned terminal, const sig_signer *signer, const char *kid)
{
	char receipt[RECEIPT_MAX + 1] = "", *text[1] = {receipt};

	if (strcmp(kind, "redeem") == 0) {
		receipt_of(receipt, time, rid, serial, amount, remaining, merchant, gallery,
		           terminal, kid);
		assert_int_equal(receipt_sign_tree(signer, text, 1), ERR_OK);
	}
	jb_line(j, time, kind, rid, serial, amount, remaining, merchant, gallery, terminal,
	        receipt);
}

static char *jb_write(jb *j, const char *name)
{
	char *p = write_file(dir, name, j->text);
	free(j->text);
	j->text = NULL;
	return p;
}

/* Redeemer 1: partial, full, the lost voucher and its replacement, a void. */
static void journal1(jb *j)
{
	jb_init(j);
	jb_add(j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-1", S1, 60000, 40000, "M1", "G1", 1,
	       receipt1, "R-TEST0001");
	jb_add(j, "2026-12-02T04:00:00Z", "redeem", "R-TEST0001-2", S1, 40000, 0, "M2", "G2", 2,
	       receipt1, "R-TEST0001");
	jb_add(j, "2026-12-05T02:00:00Z", "redeem", "R-TEST0001-3", S2, 30000, 70000, "M1", "G1", 1,
	       receipt1, "R-TEST0001");
	jb_add(j, "2026-12-11T02:00:00Z", "redeem", "R-TEST0001-4", S3, 50000, 50000, "M1", "G2", 3,
	       receipt1, "R-TEST0001");
	jb_add(j, "2026-12-12T02:00:00Z", "redeem", "R-TEST0001-5", S4, 20000, 30000, "M2", "G2", 2,
	       receipt1, "R-TEST0001");
	jb_add(j, "2026-12-12T03:00:00Z", "void", "R-TEST0001-5", S4, 20000, 50000, "M2", "G2", 2,
	       NULL, NULL);
	jb_add(j, "2026-12-15T02:00:00Z", "redeem", "R-TEST0001-6", S4, 10000, 40000, "M2", "G2", 2,
	       receipt1, "R-TEST0001");
}

/* Redeemer 2: one more purchase with the replacement voucher. */
static void journal2(jb *j)
{
	jb_init(j);
	jb_add(j, "2026-12-16T05:00:00Z", "redeem", "R-TEST0002-1", S3, 10000, 40000, "M3", "G1", 1,
	       receipt2, "R-TEST0002");
}

/* ---- running ---- */

/* The whole of path, NUL-terminated, its length in *len (if not NULL); NULL if missing. */
static char *slurp_n(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static char *slurp(const char *path)
{
	return slurp_n(path, NULL);
}

typedef struct result {
	int rc;
	char *out, *err; /* stdout and stderr of the run */
	char *outdir;
} result;

static void result_free(result *r)
{
	free(r->out);
	free(r->err);
	free(r->outdir);
}

/* Run reconcile with stdout and stderr captured. */
static result run(const char *lpath, const char *const *journals, size_t n, const char *krpath,
                  const char *outname)
{
	char so[4200], se[4200];
	int fo, fe, save_o, save_e;
	result r;
	reconcile_opts o = {.ledger = lpath,
	                    .per = PER,
	                    .journals = journals,
	                    .njournals = n,
	                    .keyring = krpath,
	                    .threads = 2};

	r.outdir = malloc(4096);
	snprintf(r.outdir, 4096, "%s/%s", dir, outname);
	o.out = r.outdir;
	snprintf(so, sizeof so, "%s/stdout.txt", dir);
	snprintf(se, sizeof se, "%s/stderr.txt", dir);
	fflush(stdout);
	fflush(stderr);
	fo = open(so, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fe = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fo >= 0 && fe >= 0);
	save_o = dup(1);
	save_e = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	r.rc = reconcile_run(&o);
	fflush(stdout);
	fflush(stderr);
	dup2(save_o, 1);
	dup2(save_e, 2);
	close(save_o);
	close(save_e);
	close(fo);
	close(fe);
	r.out = slurp(so);
	r.err = slurp(se);
	return r;
}

static char *output(const result *r, const char *name)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/%s", r->outdir, name);
	return slurp(path);
}

static void assert_output(const result *r, const char *name, const char *want)
{
	char *got = output(r, name);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not in:\n%s", needle, text);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static const char *const PER_ASN =
    "nip,name,opd,class,serial,issued,redeemed,unspent,met_minimum\n"
    "198003032005012003,Citra,\"Badan 'C' \"\"D\"\"\",pelaksana,1000000000000004,50000,10000,"
    "40000,no\n"
    "198004042005011004,Dedi,\"Badan 'C' \"\"D\"\"\",fungsional,1000000000000005,75000,0,75000,"
    "no\n"
    "198001012005011001,Ani,Dinas A & <B>,pelaksana,1000000000000001,100000,100000,0,yes\n"
    "198002022005011002,Budi,Dinas A & <B>,pelaksana,1000000000000003,100000,90000,10000,no\n";

static const char *const PER_OPD = "opd,asn,issued,redeemed,unspent,met_minimum,compliance_pct\n"
                                   "\"Badan 'C' \"\"D\"\"\",2,125000,10000,115000,0,0.0\n"
                                   "Dinas A & <B>,2,200000,190000,10000,1,50.0\n";

static const char *const SETTLEMENT = "merchant,gallery,redemptions,voids,amount\n"
                                      "M1,G1,2,0,90000\n"
                                      "M1,G2,1,0,50000\n"
                                      "M2,G2,3,1,50000\n"
                                      "M3,G1,1,0,10000\n";

static const char *const NO_ANOMALIES = "kind,serial,detail\n";

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

/* ---- setup ---- */

static int setup(void **state)
{
	(void)state;
	dir = tmpdir_make();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tmpdir_remove(dir);
	dir = NULL;
	return 0;
}

/* ---- the tests ---- */

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
	assert_contains(r.out, "receipts: 7 checked");
	assert_contains(r.out, ", 0 bad");
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
	assert_contains(r.out, "receipts: NOT checked (no --keyring)");

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
	jb_add(&jc, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-1", S1, 65000, 35000, "M1", "G1",
	       1, receipt1, "R-TEST0001");
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	journals[2] = jb_write(&jc, "jc.csv");
	r = run(lpath, journals, 3, kr, "out");
	assert_int_equal(r.rc, 0);
	assert_base_totals(&r); /* the first one seen counts */
	an = output(&r, "anomalies.csv");
	assert_int_equal(count_of(an, "\n"), 2);
	assert_contains(an, "conflicting_duplicate,1000000000000001,");
	assert_contains(an, "/jc.csv:2: redeem R-TEST0001-1 differs from ");
	assert_contains(an, "/j1.csv:2, which is counted");
	assert_contains(r.out, "conflicting_duplicate      1");

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
	/* Edit line 4 (R-TEST0001-3): 30000 becomes 35000 in the line, not in its receipt. */
	p = strstr(j1.text, ",R-TEST0001-3,1000000000000002,2026-12,30000,");
	assert_non_null(p);
	p[strlen(",R-TEST0001-3,1000000000000002,2026-12,3")] = '5';
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	r = run(lpath, journals, 2, kr, "out");
	assert_int_equal(r.rc, 0);
	an = output(&r, "anomalies.csv");
	assert_int_equal(count_of(an, "chain_break,"), 1);
	assert_contains(an, "chain_break,1000000000000002,");
	assert_contains(an, "/j1.csv:4: seq 3; hash does not verify");
	/* The receipt says 30000: it no longer matches the line. */
	assert_contains(an, "bad_receipt,1000000000000002,");
	assert_contains(an,
	                "/j1.csv:4: R-TEST0001-3: the receipt's amount does not match the line");
	assert_int_equal(count_of(an, "\n"), 3);
	/* The entry is still counted as written, and later lines still chain. */
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\n"
	              "M1,G1,2,0,95000\n"
	              "M1,G2,1,0,50000\n"
	              "M2,G2,3,1,50000\n"
	              "M3,G1,1,0,10000\n");
	assert_contains(r.out, "balance: issued Rp325.000 = redeemed Rp205.000 + unspent "
	                       "Rp120.000: OK");

	free(an);
	result_free(&r);
	free((char *)journals[0]);
	free((char *)journals[1]);
	free(kr);
	free(lpath);
}

static void test_bad_receipt(void **state)
{
	char *lpath = make_ledger("ledger", false), *kr = make_keyring(), *an;
	jb j3;
	const char *journals[1];
	result r, r2;

	(void)state;
	jb_init(&j3);
	/* A key the keyring does not hold. */
	jb_add(&j3, "2026-12-03T03:00:00Z", "redeem", "R-TEST0003-1", S5, 5000, 70000, "M1", "G1",
	       1, rogue, "R-TEST0003");
	/* A key that claims to be redeemer 1's. */
	jb_add(&j3, "2026-12-03T04:00:00Z", "redeem", "R-TEST0003-2", S5, 5000, 65000, "M1", "G1",
	       1, rogue, "R-TEST0001");
	/* An honest one in between. */
	jb_add(&j3, "2026-12-03T05:00:00Z", "redeem", "R-TEST0003-3", S5, 5000, 60000, "M1", "G1",
	       1, receipt2, "R-TEST0002");
	journals[0] = jb_write(&j3, "j3.csv");
	r = run(lpath, journals, 1, kr, "out");
	assert_int_equal(r.rc, 0);
	an = output(&r, "anomalies.csv");
	assert_int_equal(count_of(an, "bad_receipt,1000000000000005,"), 2);
	assert_contains(an,
	                "/j3.csv:2: R-TEST0003-1: receipt key R-TEST0003 is not in the keyring");
	assert_contains(an, "/j3.csv:3: R-TEST0003-2: the receipt's signature by key R-TEST0001 "
	                    "does not verify");
	assert_int_equal(count_of(an, "\n"), 3);
	assert_contains(r.out, "receipts: 3 checked");
	assert_contains(r.out, ", 2 bad");
	/* Counted all the same: the merchant handed over the goods. */
	assert_output(&r, "settlement.csv",
	              "merchant,gallery,redemptions,voids,amount\nM1,G1,3,0,15000\n");

	/* Without the keyring, nothing is reported. */
	r2 = run(lpath, journals, 1, NULL, "out2");
	assert_int_equal(r2.rc, 0);
	assert_output(&r2, "anomalies.csv", NO_ANOMALIES);

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
		snprintf(rid[i], sizeof rid[i], "R-TEST0001-%d", i + 1);
		snprintf(when[i], sizeof when[i], "2026-12-03T0%d:00:00Z", i + 1);
		receipt_of(rc[i], when[i], rid[i], S5, 1000, 74000 - 1000 * i, "M1", "G1", 1,
		           "R-TEST0001");
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
		journals[0] = jb_write(&j, "trees.csv");
		snprintf(out, sizeof out, "out%d", bad + 1);
		r = run(lpath, journals, 1, kr, out);
		assert_int_equal(r.rc, 0);
		assert_contains(r.out, "receipts: 5 checked");
		an = output(&r, "anomalies.csv");
		if (bad < 0) {
			assert_output(&r, "anomalies.csv", NO_ANOMALIES);
		} else {
			assert_int_equal(count_of(an, "bad_receipt,"), 1);
			assert_contains(an, bad == 0
			                        ? "/trees.csv:4: R-TEST0001-3: the receipt's "
			                          "signature by key R-TEST0001 does not verify"
			                        : "/trees.csv:5: R-TEST0001-4: the receipt's "
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
	jb_init(&j3);
	/* A serial the ledger never issued, validly receipted. */
	jb_add(&j3, "2026-12-04T03:00:00Z", "redeem", "R-TEST0002-10", S_UNKNOWN, 50000, 0, "M9",
	       "G9", 9, receipt2, "R-TEST0002");
	/* After the revocation of S4, and after the reissue revoked S2. */
	jb_add(&j3, "2026-12-21T03:00:00Z", "redeem", "R-TEST0002-11", S4, 5000, 35000, "M3", "G1",
	       1, receipt2, "R-TEST0002");
	jb_add(&j3, "2026-12-11T03:00:00Z", "redeem", "R-TEST0002-12", S2, 5000, 65000, "M3", "G1",
	       1, receipt2, "R-TEST0002");
	/* Outside the validity window: after it, and before it (30 Nov 23:59:59 WIB). */
	jb_add(&j3, "2027-01-03T17:00:00Z", "redeem", "R-TEST0002-13", S5, 1000, 74000, "M3", "G1",
	       1, receipt2, "R-TEST0002");
	jb_add(&j3, "2026-11-30T16:59:59Z", "redeem", "R-TEST0002-14", S5, 1000, 73000, "M3", "G1",
	       1, receipt2, "R-TEST0002");
	/* A void of nothing, and a void that does not match its redemption. */
	jb_add(&j3, "2026-12-22T03:00:00Z", "void", "R-TEST0002-99", S5, 1000, 74000, "M3", "G1", 1,
	       NULL, NULL);
	jb_add(&j3, "2026-12-22T04:00:00Z", "void", "R-TEST0002-13", S5, 999, 73999, "M3", "G1", 1,
	       NULL, NULL);
	/* Overspent: another redeemer takes Dedi's whole voucher once more. */
	jb_init(&j4);
	jb_add(&j4, "2026-12-23T03:00:00Z", "redeem", "R-TEST0001-50", S5, 75000, 0, "M1", "G1", 1,
	       receipt1, "R-TEST0001");
	journals[0] = jb_write(&j1, "j1.csv");
	journals[1] = jb_write(&j2, "j2.csv");
	journals[2] = jb_write(&j3, "j3.csv");
	journals[3] = jb_write(&j4, "j4.csv");
	r = run(lpath, journals, 4, kr, "out");
	assert_int_equal(r.rc, 0);
	an = output(&r, "anomalies.csv");
	assert_contains(an, "unknown_serial,2000000000000009,");
	assert_contains(an, "/j3.csv:2: R-TEST0002-10: Rp50.000 redeemed at M9/G9 on a serial the "
	                    "ledger did not issue for 2026-12; its receipt verifies: the redeemer "
	                    "accepted a validly signed voucher, the issuer key may be compromised");
	assert_int_equal(count_of(an, "redeemed_after_revocation,"), 2);
	assert_contains(an, "redeemed_after_revocation,1000000000000004,");
	assert_contains(an, "/j3.csv:3: R-TEST0002-11 at 2026-12-21T03:00:00Z, revoked at "
	                    "2026-12-20T00:00:00Z");
	assert_contains(an, "redeemed_after_revocation,1000000000000002,");
	assert_contains(an, "revoked at 2026-12-10T00:00:00Z (replaced)");
	assert_int_equal(count_of(an, "outside_validity,1000000000000005,"), 2);
	assert_contains(an, "/j3.csv:5: R-TEST0002-13 at 2027-01-03T17:00:00Z, valid from "
	                    "2026-11-30T17:00:00Z until 2027-01-03T17:00:00Z");
	assert_contains(an, "/j3.csv:6: R-TEST0002-14 at 2026-11-30T16:59:59Z");
	assert_int_equal(count_of(an, "void_without_redemption,1000000000000005,"), 2);
	assert_contains(an, "/j3.csv:7: void of R-TEST0002-99: no such redemption");
	assert_contains(an, "/j3.csv:8: void of R-TEST0002-13: its amount differs");
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
	char want[4200], *bad = write_file(dir, "bad.csv", text);
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
	jb_add(&j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-1", S1, 60000, 40000, "M1", "G1",
	       1, receipt1, "R-TEST0001");
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

	/* Quoted fields are read as any CSV reader would: this one is fine. */
	{
		const char *nl = strchr(j.text, '\n'), *journals[1];
		result r;

		snprintf(text, sizeof text, "%.*s\"1\"%s", (int)(nl + 1 - j.text), j.text, nl + 2);
		journals[0] = write_file(dir, "quoted.csv", text);
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
	    cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refund, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicates_count_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_conflicting_duplicate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_break, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_receipt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receipt_trees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_anomalies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};
	int rc;

	assert_int_equal(sig_generate(&issuer_key), ERR_OK);
	assert_int_equal(sig_generate(&receipt1), ERR_OK);
	assert_int_equal(sig_generate(&receipt2), ERR_OK);
	assert_int_equal(sig_generate(&rogue), ERR_OK);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	sig_signer_free(issuer_key);
	sig_signer_free(receipt1);
	sig_signer_free(receipt2);
	sig_signer_free(rogue);
	return rc;
}
