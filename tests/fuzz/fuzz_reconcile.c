/*
 * libFuzzer: the journal reader and verifier, on arbitrary journal files.
 *
 * The redeemer's store only writes the journal (store_export copies its
 * lines out of LMDB); what reads and verifies one is reconcile
 * (issuer/reconcile.c): the CSV form of every line, the hash chain, the
 * receipts against the redeemers' keys, the deduplication. So each input is
 * reconciled as a journal against a small ledger made once in a temporary
 * directory under /tmp (the vouchers of tests/test_reconcile.c: a reissue
 * and a revocation), with a keyring holding the receipt key R-TEST0001 (the
 * seed journals' receipts and heads are signed with RFC 8032 TEST 2's key:
 * tests/fuzz/journal_seeds.py writes them).
 *
 * An input may carry, after a line "#--pins--", a file of pinned heads and
 * merchants' receipts (reconcile's --head and --receipts read the same
 * file: each takes the tokens of its kind), so that their reader is fuzzed
 * too; the journal is what comes before that line.
 *
 * Whatever a journal says, the books balance: reconcile ends with 0 or 1;
 * no balance check FAILs (only the line that says the journals do not hold
 * together may, with the exit status 1 and the outputs written); it exits 0
 * exactly when it writes its outputs and the journals hold together. A
 * journal given twice counts once: the money lines of the summary are
 * those of the journal given once.
 */
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../issuer/ledger.h"
#include "../../issuer/reconcile.h"
#include "keyring.h"
#include "memfile.h"
#include "period.h"
#include "sig.h"
#include "sign/sign.h"
#include "voucher.h"

#define S1          0x1000000000000001ULL
#define S2          0x1000000000000002ULL /* reissued as S3 */
#define S3          0x1000000000000003ULL
#define S4          0x1000000000000004ULL /* revoked */
#define SUMMARY_MAX 65536

/* RFC 8032 TEST 1 and TEST 2 */
static const uint8_t issuer_seed[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static const uint8_t receipt_seed[32] = {
    0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f,
    0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};
static const period PER = {2026, 12};

static char dir[64], ledger_dir[96], keyring_path[96], out_dir[96];
static memfile in, extra, out;
static const char *extra_path; /* the pins and receipts of this input, or NULL */
static char once[SUMMARY_MAX], twice[SUMMARY_MAX];

/*
 * Durability is not under test, and an fsync costs milliseconds on this
 * disk: the outputs reconcile writes atomically are only synced in name.
 */
int fsync(int fd)
{
	(void)fd;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static ledger_voucher make_voucher(const sig_signer *key, uint64_t serial, const char *nip,
                                   const char *name, const char *opd, int64_t amount)
{
	ledger_voucher lv;
	voucher v = {.flags = VOUCHER_FLAG_MULTI, .serial = serial, .year = 2026, .month = 12};
	int64_t from, until;

	period_window(PER, 3, tzone_find("Asia/Jakarta"), &from, &until);
	v.valid_from = (uint32_t)from;
	v.valid_until = (uint32_t)until;
	v.face_value = (uint32_t)amount;
	tag_of("issuer", "TEST", v.issuer_tag);
	tag_of("kid", "K1", v.kid_tag);
	memset(&lv, 0, sizeof lv);
	if (voucher_sign(&v, key) != ERR_OK ||
	    voucher_encode(&v, lv.token, sizeof lv.token) != VOUCHER_TEXT_LEN)
		abort();
	lv.serial = serial;
	snprintf(lv.nip, sizeof lv.nip, "%s", nip);
	snprintf(lv.name, sizeof lv.name, "%s", name);
	snprintf(lv.opd, sizeof lv.opd, "%s", opd);
	snprintf(lv.cls, sizeof lv.cls, "pelaksana");
	lv.amount = amount;
	lv.per = PER;
	strcpy(lv.kid, "K1");
	lv.issued_at = 1796083200; /* 2026-12-01T00:00:00Z */
	return lv;
}

static void make_ledger(void)
{
	ledger_period_info info = {false, "Asia/Jakarta", 3};
	sig_signer *key;
	ledger_voucher v[3], repl;
	ledger *l;

	if (sig_from_seed(issuer_seed, &key) != ERR_OK ||
	    ledger_open(ledger_dir, true, &l) != ERR_OK)
		abort();
	v[0] = make_voucher(key, S1, "198001012005011001", "Ani", "Dinas A", 100000);
	v[1] = make_voucher(key, S2, "198002022005011002", "Budi", "Dinas A", 100000);
	v[2] = make_voucher(key, S4, "198003032005012003", "Citra", "Badan C", 50000);
	repl = make_voucher(key, S3, "198002022005011002", "Budi", "Dinas A", 100000);
	repl.replaces = S2;
	repl.issued_at = 1796860800; /* 2026-12-10T00:00:00Z */
	if (ledger_issue(l, "TEST", v, 3) != ERR_OK ||
	    ledger_set_period_info(l, PER, &info) != ERR_OK ||
	    ledger_reissue(l, S2, &repl, "hilang") != ERR_OK ||
	    ledger_revoke(l, S4, "pensiun", 1797724800) != ERR_OK)
		abort();
	ledger_close(l);
	sig_signer_free(key);
}

static void make_keyring(void)
{
	key_entry e = {.role = KEY_RECEIPT, .valid_from = 20000, .retired_after = KEY_NEVER};
	sig_signer *key;
	char line[256];
	FILE *f;

	strcpy(e.kid, "R-TEST0001");
	if (sig_from_seed(receipt_seed, &key) != ERR_OK)
		abort();
	sig_public(key, e.pub);
	sig_signer_free(key);
	if (!keyring_format_line(&e, line, sizeof line) || !(f = fopen(keyring_path, "w")) ||
	    fputs(line, f) < 0 || fclose(f) != 0)
		abort();
}

static void init(void)
{
	strcpy(dir, "/tmp/fuzz-journal.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(ledger_dir, sizeof ledger_dir, "%s/ledger", dir);
	snprintf(keyring_path, sizeof keyring_path, "%s/keyring", dir);
	snprintf(out_dir, sizeof out_dir, "%s/out", dir);
	make_ledger();
	make_keyring();
	memfile_put(&out, "", 0);
}

/* Reconcile the journal n times over; its summary (stdout) into text. */
static int run(const char *path, size_t n, char text[SUMMARY_MAX])
{
	const char *journals[2] = {path, path};
	reconcile_opts o = {.ledger = ledger_dir,
	                    .per = PER,
	                    .journals = journals,
	                    .njournals = n,
	                    .keyring = keyring_path,
	                    .out = out_dir,
	                    .threads = 1,
	                    .heads = &extra_path,
	                    .nheads = extra_path != NULL,
	                    .receipts = &extra_path,
	                    .nreceipts = extra_path != NULL};
	int rc;

	quiet_begin(&out);
	rc = reconcile_run(&o);
	quiet_end();
	memfile_get(&out, text, SUMMARY_MAX);
	return rc;
}

/* The summary without the lines that count lines, entries and anomalies. */
static void money_lines(char *text)
{
	static const char *const skip[] = {"journals:",  "receipts:", "anomalies:", "  ",
	                                   "written to", "pinned",    "merchants'"};
	char *w = text;

	for (char *line = text, *nl; *line; line = nl) {
		bool keep = true;
		nl = strchr(line, '\n');
		nl = nl ? nl + 1 : line + strlen(line);
		for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
			keep = keep && strncmp(line, skip[i], strlen(skip[i])) != 0;
		if (keep) {
			memmove(w, line, (size_t)(nl - line));
			w += nl - line;
		}
	}
	*w = '\0';
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	bool written, broken;
	int rc;

	static const char marker[] = "\n#--pins--\n";
	const uint8_t *pins;

	if (!dir[0])
		init();
	pins = memmem(data, size, marker, sizeof marker - 1);
	extra_path = NULL;
	if (pins) {
		size_t at = (size_t)(pins - data) + 1;
		extra_path =
		    memfile_put(&extra, pins + sizeof marker - 1, size - at - (sizeof marker - 2));
		size = at;
	}
	path = memfile_put(&in, data, size);
	rc = run(path, 1, once);
	written = strstr(once, "written to") != NULL;
	broken = strstr(once, "journals: FAILED") != NULL;
	if ((rc != 0 && rc != 1) || count(once, "FAILED") != broken ||
	    (rc == 0) != (written && !broken))
		__builtin_trap();
	if (!strstr(once, "written to"))
		return 0; /* refused */
	if (run(path, 2, twice) != rc)
		__builtin_trap();
	money_lines(once);
	money_lines(twice);
	if (strcmp(once, twice) != 0)
		__builtin_trap();
	return 0;
}
