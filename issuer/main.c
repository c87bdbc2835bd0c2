/*
 * voucher-issuer: the finance office's tool.
 *
 *   issue       --ledger DIR --keys KEYDIR --roster FILE.csv --policy FILE.ini
 *               --period YYYY-MM --out OUTDIR [--skip-invalid]
 *   revoke      --ledger DIR --keys KEYDIR --serial SERIAL --reason TEXT
 *   reissue     --ledger DIR --keys KEYDIR --policy FILE.ini --serial SERIAL
 *               [--reason TEXT] [--out OUTDIR]
 *   revocations --ledger DIR --keys KEYDIR --out FILE
 *   manifest    --ledger DIR --keys KEYDIR --period YYYY-MM --out FILE
 *   reconcile   --ledger DIR --period YYYY-MM --journal FILE [--journal FILE ...]
 *               [--keyring FILE] [--head FILE ...] [--receipts FILE ...]
 *               [--merchants FILE.csv] [--region TEXT] --out REPORTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "codes.h"
#include "issue.h"
#include "ledger.h"
#include "log.h"
#include "money.h"
#include "reconcile.h"
#include "revocations.h"
#include "signkey.h"
#include "utf8.h"

static const char usage[] =
    "usage: voucher-issuer issue --ledger DIR --keys KEYDIR --roster FILE.csv --policy FILE.ini\n"
    "                            --period YYYY-MM --out OUTDIR [--skip-invalid]\n"
    "       voucher-issuer revoke --ledger DIR --keys KEYDIR --serial SERIAL --reason TEXT\n"
    "       voucher-issuer reissue --ledger DIR --keys KEYDIR --policy FILE.ini --serial SERIAL\n"
    "                              [--reason TEXT] [--out OUTDIR]\n"
    "       voucher-issuer revocations --ledger DIR --keys KEYDIR --out FILE\n"
    "       voucher-issuer manifest --ledger DIR --keys KEYDIR --period YYYY-MM --out FILE\n"
    "       voucher-issuer compromise --ledger DIR --keys KEYDIR --kid KID\n"
    "       voucher-issuer status --ledger DIR --period YYYY-MM\n"
    "       voucher-issuer backup --ledger DIR --out FILE\n"
    "       voucher-issuer reconcile --ledger DIR --period YYYY-MM --journal FILE\n"
    "                                [--journal FILE ...] [--keyring FILE] --out REPORTDIR\n"
    "                                [--head FILE ...] [--receipts FILE ...]\n"
    "                                [--merchants FILE.csv] [--region TEXT]\n"
    "\n"
    "issue signs one voucher per active ASN of the roster for the period, records\n"
    "them in the ledger, and writes vouchers.csv, deductions.csv, qr/ and sheets/\n"
    "into OUTDIR. Issuing again for a period issues only to ASN who have none.\n"
    "reissue replaces a lost voucher: the old serial is revoked.\n"
    "revocations writes the signed revocation list that redeemers load.\n"
    "manifest writes the period's signed code manifest, with which redeemers find\n"
    "a voucher by the short code printed under its QR.\n"
    "compromise records that an issuer key was stolen: the next revocation list\n"
    "lets redeemers take only the vouchers of that key that the ledger holds.\n"
    "status prints the period's vouchers and totals per OPD; backup copies the\n"
    "ledger consistently (restore: the file as data.mdb in an empty folder).\n"
    "reconcile joins the ledger with the redeemers' exported journals and writes\n"
    "per_asn.csv, per_opd.csv, settlement.csv, anomalies.csv, refunds.csv (when the\n"
    "policy refunds), report.html, report.xlsx and letters/OPD.pdf into REPORTDIR;\n"
    "--merchants names each merchant's payee and bank account, for payments.csv;\n"
    "--region heads the letters (\"KABUPATEN PROBOLINGGO\"); --keyring holds the\n"
    "redeemers' receipt keys, against which every receipt and each journal's\n"
    "signed head are checked; --head FILE, the heads pinned during the month (GET\n"
    "/v1/journal/head), which the journals must extend; --receipts FILE, receipts\n"
    "merchants hold, which the journals must hold (both need --keyring). Lines\n"
    "that fail a check are withheld, not paid, and the exit status is 1.\n";

#define MAX_JOURNALS 256

struct opts {
	const char *ledger, *keys, *roster, *policy, *period, *out, *serial, *reason, *keyring,
	    *kid, *merchants, *region;
	const char *journals[MAX_JOURNALS], *heads[MAX_JOURNALS], *receipts[MAX_JOURNALS];
	size_t njournals, nheads, nreceipts;
	int skip_invalid;
};

static uint64_t serial_arg(const char *s)
{
	uint64_t v;

	if (voucher_serial_parse(s, &v) != ERR_OK)
		cli_fail("--serial must be 16 hexadecimal digits");
	return v;
}

static int cmd_revoke(const struct opts *o)
{
	ledger *l;
	ledger_voucher *v = malloc(sizeof *v);
	uint64_t serial;
	err rc;

	cli_require(o->serial, "--serial");
	cli_require(o->reason, "--reason");
	serial = serial_arg(o->serial);
	if (!o->reason[0] || strlen(o->reason) > LEDGER_TEXT_MAX)
		cli_fail("--reason must be 1-%d bytes", LEDGER_TEXT_MAX);
	if (!v)
		cli_die(1, "out of memory");
	if (ledger_open(o->ledger, false, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	rc = ledger_get(l, serial, v);
	if (rc == ERR_OK && v->revoked)
		rc = ERR_EXISTS;
	ledger_close(l);
	if (rc == ERR_OK && (rc = ledger_open(o->ledger, true, &l)) == ERR_OK) {
		rc = ledger_revoke(l, serial, o->reason, time(NULL));
		ledger_close(l);
	}
	free(v);
	if (rc == ERR_NOT_FOUND)
		cli_die(1, "%s: no voucher %s in the ledger", o->ledger, o->serial);
	if (rc == ERR_EXISTS)
		cli_die(1, "voucher %s is revoked already", o->serial);
	if (rc != ERR_OK)
		cli_die(1, "%s: %s", o->ledger, err_str(rc));
	printf("revoked %s; give redeemers a new list: voucher-issuer revocations\n", o->serial);
	return 0;
}

/* The issuer key that signs now (the current month's), for the lists and
 * manifests redeemers load; dies with the reason if there is none. */
static void current_key(const struct opts *o, ledger *l, signkey *key)
{
	char why[512], issuer[KEY_ID_MAX + 1];
	time_t now = time(NULL);
	struct tm tm;
	period p;

	gmtime_r(&now, &tm);
	p.year = tm.tm_year + 1900;
	p.month = tm.tm_mon + 1;
	if (ledger_issuer(l, issuer) != ERR_OK) {
		ledger_close(l);
		cli_die(1, "%s: nothing issued yet", o->ledger);
	}
	if (signkey_open(o->keys, issuer, p, l, key, why, sizeof why) != ERR_OK) {
		ledger_close(l);
		cli_die(1, "%s", why);
	}
}

static int cmd_revocations(const struct opts *o)
{
	ledger *l;
	signkey key;
	err rc;

	cli_require(o->out, "--out");
	/* Read-only first, so that a wrong --ledger makes no ledger. */
	if (ledger_open(o->ledger, false, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	ledger_close(l);
	if (ledger_open(o->ledger, true, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	current_key(o, l, &key);
	rc = revocations_write(l, &key, time(NULL), o->out);
	signkey_close(&key);
	ledger_close(l);
	if (rc != ERR_OK)
		cli_die(1, "%s: %s", o->out, err_str(rc));
	printf("%s: revocation list written\n", o->out);
	return 0;
}

/* The period's code manifest, for redeemers to find vouchers by their
 * short code. */
static int cmd_manifest(const struct opts *o)
{
	char per[8];
	ledger *l;
	signkey key;
	period p;
	size_t n = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	err rc;

	cli_require(o->period, "--period");
	cli_require(o->out, "--out");
	if (period_parse(o->period, &p) != ERR_OK)
		cli_fail("--period must be YYYY-MM");
	if (ledger_open(o->ledger, false, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	current_key(o, l, &key);
	rc = codes_write(l, &key, p, time(NULL),
	                 cpus < 2    ? 0
	                 : cpus > 16 ? 15
	                             : (int)cpus - 1,
	                 o->out, &n);
	signkey_close(&key);
	ledger_close(l);
	period_format(p, per, sizeof per);
	if (rc == ERR_NOT_FOUND)
		cli_die(1, "%s: no vouchers for %s", o->ledger, per);
	if (rc != ERR_OK)
		cli_die(1, "%s: %s", o->out, err_str(rc));
	printf("%s: code manifest of %s, %zu vouchers; give it to the redeemers (manifests =)\n",
	       o->out, per, n);
	return 0;
}

/* Record that an issuer key was stolen or leaked: from the next revocation
 * list on, redeemers take its vouchers only if the ledger holds them. */
static int cmd_compromise(const struct opts *o)
{
	char ring[4096], why[512], when[INSTANT_LEN + 1];
	keyring *kr = NULL;
	key_entry *k;
	ledger *l;
	int64_t now = time(NULL);
	err rc;

	cli_require(o->kid, "--kid");
	snprintf(ring, sizeof ring, "%s/keyring", o->keys);
	if (keyring_load(ring, &kr, why, sizeof why) != ERR_OK)
		cli_die(1, "%s", why);
	k = keyring_by_kid(kr, o->kid);
	if (!k || k->role != KEY_ISSUER) {
		keyring_free(kr);
		cli_die(1, "%s: no issuer key %s", ring, o->kid);
	}
	keyring_free(kr);
	/* Read-only first, so that a wrong --ledger makes no ledger. */
	if (ledger_open(o->ledger, false, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	ledger_close(l);
	if (ledger_open(o->ledger, true, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	rc = ledger_compromise(l, o->kid, now);
	ledger_close(l);
	if (rc == ERR_EXISTS)
		cli_die(1, "key %s is recorded compromised already", o->kid);
	if (rc != ERR_OK)
		cli_die(1, "%s: %s", o->ledger, err_str(rc));
	instant_format(now, when);
	printf("key %s recorded compromised at %s: it signs nothing more, and redeemers take its\n"
	       "vouchers only if this ledger holds them once they have a new revocation list:\n"
	       "voucher-issuer revocations (signed by another key: voucher-keys generate)\n",
	       o->kid, when);
	return 0;
}

struct status {
	size_t n, revoked, replacements;
	int64_t total;
	struct {
		char opd[LEDGER_TEXT_MAX + 1];
		size_t n;
		int64_t total;
	} * opd;
	size_t nopd;
};

static int count(const ledger_voucher *v, void *ctx)
{
	struct status *st = ctx;
	size_t k;

	if (v->revoked) {
		st->revoked++;
		return 0;
	}
	st->n++;
	st->replacements += v->replaces != 0;
	money_add(st->total, v->amount, &st->total);
	for (k = 0; k < st->nopd && strcmp(st->opd[k].opd, v->opd) != 0; k++)
		;
	if (k == st->nopd) {
		void *p = realloc(st->opd, (k + 1) * sizeof *st->opd);
		if (!p)
			return 1;
		st->opd = p;
		snprintf(st->opd[k].opd, sizeof st->opd[k].opd, "%s", v->opd);
		st->opd[k].n = 0;
		st->opd[k].total = 0;
		st->nopd++;
	}
	st->opd[k].n++;
	money_add(st->opd[k].total, v->amount, &st->opd[k].total);
	return 0;
}

static int cmd_status(const struct opts *o)
{
	struct status st = {0};
	char money[MONEY_FMT_MAX], issuer[KEY_ID_MAX + 1] = "?";
	ledger *l;
	period p;
	err rc;

	cli_require(o->period, "--period");
	if (period_parse(o->period, &p) != ERR_OK)
		cli_fail("--period must be YYYY-MM");
	if (ledger_open(o->ledger, false, &l) != ERR_OK)
		cli_die(1, "%s: cannot open the ledger", o->ledger);
	ledger_issuer(l, issuer);
	rc = ledger_each(l, p, count, &st);
	ledger_close(l);
	if (rc != ERR_OK)
		cli_die(1, "%s: %s", o->ledger, err_str(rc));
	money_format(st.total, money, sizeof money);
	printf("issuer %s, period %s: %zu vouchers, %s", issuer, o->period, st.n, money);
	printf(" (%zu revoked, %zu of them replaced)\n", st.revoked, st.replacements);
	for (size_t k = 0; k < st.nopd; k++) {
		money_format(st.opd[k].total, money, sizeof money);
		printf("  %-40s %6zu  %s\n", st.opd[k].opd, st.opd[k].n, money);
	}
	free(st.opd);
	return 0;
}

int main(int argc, char **argv)
{
	/* Which flags each command takes: any other is a usage error. */
	static const cli_command commands[] = {
	    {"issue", NULL, "ledger keys roster policy period out skip-invalid"},
	    {"revoke", NULL, "ledger keys serial reason"},
	    {"reissue", NULL, "ledger keys policy serial reason out"},
	    {"revocations", NULL, "ledger keys out"},
	    {"manifest", NULL, "ledger keys period out"},
	    {"status", NULL, "ledger period"},
	    {"backup", NULL, "ledger out"},
	    {"reconcile", NULL, "ledger period journal keyring out head receipts merchants region"},
	    {"compromise", NULL, "ledger keys kid"},
	};
	struct opts o = {0};
	const cli_flag flags[] = {
	    {"ledger", &o.ledger},
	    {"keys", &o.keys},
	    {"roster", &o.roster},
	    {"policy", &o.policy},
	    {"period", &o.period},
	    {"out", &o.out},
	    {"serial", &o.serial},
	    {"reason", &o.reason},
	    {"skip-invalid", NULL, &o.skip_invalid},
	    {"journal", NULL, NULL, o.journals, &o.njournals, MAX_JOURNALS},
	    {"head", NULL, NULL, o.heads, &o.nheads, MAX_JOURNALS},
	    {"receipts", NULL, NULL, o.receipts, &o.nreceipts, MAX_JOURNALS},
	    {"keyring", &o.keyring},
	    {"kid", &o.kid},
	    {"merchants", &o.merchants},
	    {"region", &o.region},
	    {NULL},
	};
	const char *cmd;

	cli_init("voucher-issuer", usage);
	log_init("issuer", LOGL_WARN);
	cmd = commands[cli_command_parse(argc, argv, commands, sizeof commands / sizeof *commands,
	                                 flags)]
	          .name;
	cli_require(o.ledger, "--ledger");
	if (strcmp(cmd, "reconcile") == 0) {
		reconcile_opts ro = {.ledger = o.ledger,
		                     .journals = o.journals,
		                     .njournals = o.njournals,
		                     .keyring = o.keyring,
		                     .out = o.out,
		                     .heads = o.heads,
		                     .nheads = o.nheads,
		                     .receipts = o.receipts,
		                     .nreceipts = o.nreceipts,
		                     .merchants = o.merchants,
		                     .region = o.region};
		cli_require(o.period, "--period");
		cli_require(o.out, "--out");
		if (!o.njournals)
			cli_fail("--journal is required (once per journal file)");
		if ((o.nheads || o.nreceipts) && !o.keyring)
			cli_fail("--head and --receipts need --keyring, to check their signatures");
		if (period_parse(o.period, &ro.per) != ERR_OK)
			cli_fail("--period must be YYYY-MM");
		if (o.region && (!*o.region || strlen(o.region) > 120 ||
		                 !utf8_text(o.region, strlen(o.region))))
			cli_fail("--region must be 1 to 120 bytes of UTF-8 text, such as "
			         "\"KABUPATEN PROBOLINGGO\"");
		return reconcile_run(&ro);
	}
	if (strcmp(cmd, "status") == 0)
		return cmd_status(&o);
	if (strcmp(cmd, "backup") == 0) {
		ledger *l;
		err rc;
		cli_require(o.out, "--out");
		if (ledger_open(o.ledger, false, &l) != ERR_OK)
			cli_die(1, "%s: cannot open the ledger", o.ledger);
		rc = ledger_backup(l, o.out);
		ledger_close(l);
		if (rc != ERR_OK)
			cli_die(1, "%s: %s", o.out,
			        rc == ERR_EXISTS ? "exists already" : err_str(rc));
		printf("%s: consistent copy of the ledger %s\n", o.out, o.ledger);
		return 0;
	}
	cli_require(o.keys, "--keys");
	if (strcmp(cmd, "issue") == 0) {
		issue_opts io = {o.ledger, o.keys, o.roster,       o.policy,
		                 o.out,    {0, 0}, o.skip_invalid, 2};
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		cli_require(o.roster, "--roster");
		cli_require(o.policy, "--policy");
		cli_require(o.period, "--period");
		cli_require(o.out, "--out");
		if (period_parse(o.period, &io.per) != ERR_OK)
			cli_fail("--period must be YYYY-MM");
		io.threads = n < 1 ? 1 : n > 16 ? 16 : (int)n;
		return issue_run(&io);
	}
	if (strcmp(cmd, "revoke") == 0)
		return cmd_revoke(&o);
	if (strcmp(cmd, "compromise") == 0)
		return cmd_compromise(&o);
	if (strcmp(cmd, "manifest") == 0)
		return cmd_manifest(&o);
	if (strcmp(cmd, "reissue") == 0) {
		cli_require(o.policy, "--policy");
		cli_require(o.serial, "--serial");
		return issue_reissue(o.ledger, o.keys, o.policy, serial_arg(o.serial),
		                     o.reason ? o.reason : "lost", o.out);
	}
	return cmd_revocations(&o);
}
