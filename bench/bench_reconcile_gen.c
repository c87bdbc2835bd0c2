/*
 * Data for the reconciliation benchmark: a 20,000-voucher ledger (period
 * 2026-12, issuer BENCH) and 1,000,000 journal entries from two redeemers
 * (j1.csv, j2.csv: hash-chained, receipts signed a tree of twenty entries
 * at a time as the redeemer's commits sign them, one void in fifty), and
 * the redeemers' receipt keyring, all in DIR.
 *
 *   bench_reconcile_gen DIR
 */
#include "../issuer/ledger.h"
#include "keyring.h"
#include "receipt.h"
#include "sig.h"
#include "sign/sign.h"
#include "voucher.h"
#include <inttypes.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NV    20000
#define PER_J 500000
#define GROUP 20 /* entries a commit, as under load */
static const period PER = {2026, 12};
static sig_signer *rk[2];
static const char *dir;

/* One entry of a journal, before its line is written. */
typedef struct ent {
	bool isvoid;
	int v, term;
	int64_t remaining;
	char ts[21], rid[80], sr[17], merchant[16], gallery[16];
	char receipt[RECEIPT_MAX + 1];
} ent;

static void *journal(void *arg)
{
	int r = (int)(intptr_t)arg;
	char path[512], kid[32], prev[65], line[2048], core[1024], pre[1200];
	uint8_t md[32];
	int64_t remaining[NV], amount = 900;
	uint64_t seq = 0, lastrid = 0;
	ent g[GROUP];
	FILE *f;
	snprintf(path, sizeof path, "%s/j%d.csv", dir, r + 1);
	snprintf(kid, sizeof kid, "R-BENCH%04d", r + 1);
	f = fopen(path, "w");
	memset(prev, '0', 64);
	prev[64] = 0;
	for (int i = 0; i < NV; i++)
		remaining[i] = 50000; /* each redeemer owns half of face value */
	fputs("seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,"
	      "terminal,receipt,prev_hash,hash\n",
	      f);
	for (uint64_t n0 = 1; n0 <= PER_J; n0 += GROUP) {
		char *text[GROUP];
		size_t nt = 0, ng = 0;
		/* A group is one commit of the redeemer: its receipts one tree. */
		for (uint64_t n = n0; n < n0 + GROUP && n <= PER_J; n++) {
			ent *e = &g[ng++];
			int64_t t =
			    1796140800 + (int64_t)(n * 2400000 / PER_J); /* Dec 1 .. Dec 28 */
			struct tm tm;
			time_t tt = t;
			e->isvoid = n % 50 == 0;
			e->v = (int)((n * 7919) % NV);
			e->term = (int)(n % 40) + 1;
			if (e->isvoid) {
				e->v = (int)(((n - 1) * 7919) % NV);
				snprintf(e->rid, sizeof e->rid, "%s-%" PRIu64, kid, lastrid);
				remaining[e->v] += amount;
				e->term = (int)((n - 1) % 40) + 1;
			} else {
				snprintf(e->rid, sizeof e->rid, "%s-%" PRIu64, kid, n);
				lastrid = n;
				remaining[e->v] -= amount;
			}
			e->remaining = remaining[e->v];
			snprintf(e->merchant, sizeof e->merchant, "M%d", e->term % 20);
			snprintf(e->gallery, sizeof e->gallery, "G%d", e->term % 4);
			gmtime_r(&tt, &tm);
			strftime(e->ts, sizeof e->ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
			voucher_serial_format(0x1000000000000000ULL + (uint64_t)e->v + 1, e->sr);
			e->receipt[0] = 0;
			if (!e->isvoid) {
				snprintf(e->receipt, sizeof e->receipt,
				         "UR2|%s|%s|%" PRId64 "|%" PRId64 "|%s|%s|%d|%s|%s", e->rid,
				         e->sr, amount, e->remaining, e->merchant, e->gallery,
				         e->term, e->ts, kid);
				text[nt++] = e->receipt;
			}
		}
		if (nt && receipt_sign_tree(rk[r], text, nt) != ERR_OK)
			abort();
		for (size_t i = 0; i < ng; i++) {
			ent *e = &g[i];
			seq++;
			snprintf(core, sizeof core,
			         "%" PRIu64 ",%s,%s,%s,%s,2026-12,%" PRId64 ",%" PRId64
			         ",%s,%s,%d,%s",
			         seq, e->ts, e->isvoid ? "void" : "redeem", e->rid, e->sr, amount,
			         e->remaining, e->merchant, e->gallery, e->term, e->receipt);
			int m = snprintf(pre, sizeof pre, "%s,%s", prev, core);
			EVP_Digest(pre, (size_t)m, md, NULL, EVP_sha256(), NULL);
			snprintf(line, sizeof line, "%s,%s,", core, prev);
			for (int k = 0; k < 32; k++)
				sprintf(prev + 2 * k, "%02x", md[k]);
			fprintf(f, "%s%s\n", line, prev);
		}
	}
	fclose(f);
	sig_thread_done();
	return NULL;
}

int main(int argc, char **argv)
{
	char path[512], line[256];
	ledger *l;
	sig_signer *ik;
	ledger_voucher *vs = calloc(NV, sizeof *vs);
	ledger_period_info info = {false, "Asia/Jakarta", 3};
	const tzone *tz = tzone_find("WIB");
	int64_t from, until;
	pthread_t th[2];
	FILE *f;

	if (argc != 2)
		return 2;
	dir = argv[1];
	mkdir(dir, 0700);
	sig_generate(&ik);
	period_window(PER, 3, tz, &from, &until);
	for (int i = 0; i < NV; i++) {
		voucher v = {.flags = 1,
		             .serial = 0x1000000000000000ULL + (uint64_t)i + 1,
		             .year = 2026,
		             .month = 12,
		             .valid_from = (uint32_t)from,
		             .valid_until = (uint32_t)until,
		             .face_value = 100000};
		ledger_voucher *lv = &vs[i];
		tag_of("issuer", "BENCH", v.issuer_tag);
		tag_of("kid", "K1", v.kid_tag);
		voucher_sign(&v, ik);
		voucher_encode(&v, lv->token, sizeof lv->token);
		lv->serial = v.serial;
		snprintf(lv->nip, sizeof lv->nip, "1980%02d%02d2005%06d", 1 + i % 12, 1 + i % 28,
		         i);
		snprintf(lv->name, sizeof lv->name, "ASN Nomor %d", i);
		snprintf(lv->opd, sizeof lv->opd, "Dinas Nomor %d & Co", i % 40);
		strcpy(lv->cls, "pelaksana");
		lv->amount = 100000;
		lv->per = PER;
		strcpy(lv->kid, "K1");
		lv->issued_at = from;
	}
	snprintf(path, sizeof path, "%s/ledger", dir);
	if (ledger_open(path, true, &l) != ERR_OK || ledger_issue(l, "BENCH", vs, NV) != ERR_OK ||
	    ledger_set_period_info(l, PER, &info) != ERR_OK) {
		fprintf(stderr, "ledger failed\n");
		return 1;
	}
	ledger_close(l);
	snprintf(path, sizeof path, "%s/keyring", dir);
	f = fopen(path, "w");
	for (int r = 0; r < 2; r++) {
		key_entry e = {
		    .role = KEY_RECEIPT, .valid_from = 20000, .retired_after = KEY_NEVER};
		sig_generate(&rk[r]);
		snprintf(e.kid, sizeof e.kid, "R-BENCH%04d", r + 1);
		sig_public(rk[r], e.pub);
		keyring_format_line(&e, line, sizeof line);
		fputs(line, f);
	}
	fclose(f);
	for (int r = 0; r < 2; r++)
		pthread_create(&th[r], NULL, journal, (void *)(intptr_t)r);
	for (int r = 0; r < 2; r++)
		pthread_join(th[r], NULL);
	return 0;
}
