/*
 * The fixture of the reconcile tests (tests/test_reconcile.c: totals and
 * journals; tests/test_reconcile_checks.c: receipts, anomalies,
 * refusals): a small ledger (two OPDs, a reissued and a revoked voucher)
 * and journals written here with the redeemer's own builders
 * (common/journal.c, common/receipt.c), with their receipts signed by
 * receipt keys in a keyring file, and reconcile run with its output
 * captured.
 */
#ifndef RECONCILE_FIXTURE_H
#define RECONCILE_FIXTURE_H

#include "testutil.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../issuer/ledger.h"
#include "../issuer/reconcile.h"
#include "journal.h"
#include "keyring.h"
#include "period.h"
#include "receipt.h"
#include "sig.h"
#include "sign/sign.h"
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

	snprintf(path, 4096, "%s/%s", test_dir, name);
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

	snprintf(path, 4096, "%s/keyring", test_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	keyline(f, "R-TEST0001", receipt1);
	keyline(f, "R-TEST0002", receipt2);
	fclose(f);
	return path;
}

/* ---- journals in the export format ---- */

#define T_EXPORT 1799193600 /* 2027-01-06T00:00:00Z: when the journals are exported */

/* A journal being written with the redeemer's own builder (common/journal.c),
 * and its head so far, signed at the end by key (the first entry's signer,
 * unless set). */
typedef struct jb {
	char *text;
	size_t len, cap;
	journal_chain c;
	journal_head h;
	const sig_signer *key;
	char kid[KEY_ID_MAX + 1];
	char last[RECEIPT_MAX + 1]; /* the receipt jb_add signed last */
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
	assert_int_equal(journal_chain_init(&j->c), ERR_OK);
	j->h = (journal_head){.per = PER, .first = 1, .time = T_EXPORT};
	memset(j->h.last_hash, '0', JOURNAL_HASH_HEX);
	jb_put(j, JOURNAL_HEADER "\n");
}

/* The key that signs the journal's head. */
static void jb_sign_with(jb *j, const sig_signer *key, const char *kid)
{
	j->key = key;
	snprintf(j->kid, sizeof j->kid, "%s", kid);
}

/* The kind a journal line names ("redeem", "void", "offline", "conflict"). */
static journal_kind kind_of(const char *name)
{
	for (int k = JOURNAL_REDEEM; k <= JOURNAL_CONFLICT; k++)
		if (strcmp(name, journal_kind_name[k]) == 0)
			return (journal_kind)k;
	fail_msg("no kind %s", name);
	return JOURNAL_REDEEM;
}

/* The body of an entry's receipt (a redemption's: UR2, a void's: URV2, ...),
 * into out (RECEIPT_MAX + 1 bytes). */
static void receipt_of_kind(char *out, journal_kind kind, const char *time, const char *rid,
                            uint64_t serial, int64_t amount, int64_t remaining,
                            const char *merchant, const char *gallery, unsigned terminal,
                            const char *kid)
{
	receipt_fields r = {.kind = kind,
	                    .rid = rid,
	                    .serial = serial,
	                    .amount = amount,
	                    .remaining = remaining,
	                    .merchant = merchant,
	                    .gallery = gallery,
	                    .terminal = terminal,
	                    .kid = kid};

	assert_true(instant_parse(time, strlen(time), &r.time));
	assert_true(receipt_body(&r, out, RECEIPT_MAX + 1) > 0);
}

/* Append an entry with the receipt given, chained on the previous line. */
static void jb_line(jb *j, const char *time, const char *kind, const char *rid, uint64_t serial,
                    int64_t amount, int64_t remaining, const char *merchant, const char *gallery,
                    unsigned terminal, const char *receipt)
{
	journal_entry e = {.kind = kind_of(kind),
	                   .rid = rid,
	                   .serial = serial,
	                   .per = PER,
	                   .amount = amount,
	                   .remaining = remaining,
	                   .merchant = merchant,
	                   .gallery = gallery,
	                   .terminal = terminal,
	                   .receipt = receipt};
	char line[JOURNAL_LINE_MAX + 2];
	size_t n;

	assert_true(instant_parse(time, strlen(time), &e.time));
	n = journal_chain_append(&j->c, &e, line, sizeof line - 1);
	assert_true(n > 0);
	journal_head_add(&j->h, &e, line + n - JOURNAL_HASH_HEX);
	memcpy(line + n, "\n", 2);
	jb_put(j, line);
}

/*
 * Append an entry with its receipt signed alone (a tree of one) by signer
 * naming kid (NULL: the journal's head key, for a void of its redeemer).
 */
static void jb_add(jb *j, const char *time, const char *kind, const char *rid, uint64_t serial,
                   int64_t amount, int64_t remaining, const char *merchant, const char *gallery,
                   unsigned terminal, const sig_signer *signer, const char *kid)
{
	char receipt[RECEIPT_MAX + 1], *text[1] = {receipt};

	if (!signer) {
		signer = j->key;
		kid = j->kid;
	}
	if (!j->key)
		jb_sign_with(j, signer, kid);
	receipt_of_kind(receipt, kind_of(kind), time, rid, serial, amount, remaining, merchant,
	                gallery, terminal, kid);
	assert_int_equal(receipt_sign_tree(signer, text, 1), ERR_OK);
	jb_line(j, time, kind, rid, serial, amount, remaining, merchant, gallery, terminal,
	        receipt);
	memcpy(j->last, receipt, sizeof j->last);
}

/* The head line of the journal as it stands, signed by its key, into out
 * (JOURNAL_HEAD_MAX + 64 bytes), newline included. */
static void jb_head_line(jb *j, char *out)
{
	char head[JOURNAL_HEAD_MAX + 1];
	size_t n;

	assert_non_null(j->key);
	snprintf(j->h.kid, sizeof j->h.kid, "%s", j->kid);
	assert_true(journal_head_sign(&j->h, j->key, head, sizeof head) > 0);
	n = journal_head_line(&j->h, head, out, JOURNAL_HEAD_MAX + 62);
	assert_true(n > 0);
	memcpy(out + n, "\n", 2);
}

/* Write the journal, its head last, as name in the test directory. */
static char *jb_write(jb *j, const char *name)
{
	char line[JOURNAL_HEAD_MAX + 64], *p;

	jb_head_line(j, line);
	jb_put(j, line);
	p = write_file(test_dir, name, j->text);
	free(j->text);
	j->text = NULL;
	journal_chain_free(&j->c);
	return p;
}

/* Redeemer 1: partial, full, the lost voucher and its replacement, a void. */
static void journal1(jb *j)
{
	jb_init(j);
	jb_add(j, "2026-12-02T03:00:00Z", "redeem", "R-TEST0001-202612-1", S1, 60000, 40000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-02T04:00:00Z", "redeem", "R-TEST0001-202612-2", S1, 40000, 0, "M2", "G2",
	       2, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-05T02:00:00Z", "redeem", "R-TEST0001-202612-3", S2, 30000, 70000, "M1",
	       "G1", 1, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-11T02:00:00Z", "redeem", "R-TEST0001-202612-4", S3, 50000, 50000, "M1",
	       "G2", 3, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-12T02:00:00Z", "redeem", "R-TEST0001-202612-5", S4, 20000, 30000, "M2",
	       "G2", 2, receipt1, "R-TEST0001");
	jb_add(j, "2026-12-12T03:00:00Z", "void", "R-TEST0001-202612-5", S4, 20000, 50000, "M2",
	       "G2", 2, NULL, NULL);
	jb_add(j, "2026-12-15T02:00:00Z", "redeem", "R-TEST0001-202612-6", S4, 10000, 40000, "M2",
	       "G2", 2, receipt1, "R-TEST0001");
}

/* Redeemer 2: one more purchase with the replacement voucher (its own
 * store: the first it has seen of it). */
static void journal2(jb *j)
{
	jb_init(j);
	jb_add(j, "2026-12-16T05:00:00Z", "redeem", "R-TEST0002-202612-1", S3, 10000, 90000, "M3",
	       "G1", 1, receipt2, "R-TEST0002");
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

/* The merchants file (--merchants) of the next run only; NULL: none. */
static const char *merchants_file;

/* Run reconcile with stdout and stderr captured, with a file of pinned
 * heads and one of merchants' receipts (NULL: none). */
static result run_with(const char *lpath, const char *const *journals, size_t n, const char *krpath,
                       const char *outname, const char *heads, const char *receipts)
{
	char so[4200], se[4200];
	int fo, fe, save_o, save_e;
	result r;
	reconcile_opts o = {.ledger = lpath,
	                    .per = PER,
	                    .journals = journals,
	                    .njournals = n,
	                    .keyring = krpath,
	                    .threads = 2,
	                    .heads = &heads,
	                    .nheads = heads != NULL,
	                    .receipts = &receipts,
	                    .nreceipts = receipts != NULL,
	                    .merchants = merchants_file};

	merchants_file = NULL;
	r.outdir = malloc(4096);
	snprintf(r.outdir, 4096, "%s/%s", test_dir, outname);
	o.out = r.outdir;
	snprintf(so, sizeof so, "%s/stdout.txt", test_dir);
	snprintf(se, sizeof se, "%s/stderr.txt", test_dir);
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

/* Run reconcile with stdout and stderr captured. */
static result run(const char *lpath, const char *const *journals, size_t n, const char *krpath,
                  const char *outname)
{
	return run_with(lpath, journals, n, krpath, outname, NULL, NULL);
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

/* ---- setup ---- */

/* Run the tests with fresh keys: the issuer's, two redeemers' receipt keys
 * and a rogue one. */
static int run_with_keys(const struct CMUnitTest *tests, size_t n)
{
	int rc;

	assert_int_equal(sig_generate(&issuer_key), ERR_OK);
	assert_int_equal(sig_generate(&receipt1), ERR_OK);
	assert_int_equal(sig_generate(&receipt2), ERR_OK);
	assert_int_equal(sig_generate(&rogue), ERR_OK);
	rc = _cmocka_run_group_tests("reconcile", tests, n, NULL, NULL);
	sig_signer_free(issuer_key);
	sig_signer_free(receipt1);
	sig_signer_free(receipt2);
	sig_signer_free(rogue);
	return rc;
}

#endif
