/*
 * Data for the reconciliation benchmark: a 20,000-voucher ledger (period
 * 2026-12, issuer BENCH) and 1,000,000 journal entries from two redeemers
 * (j1.csv, j2.csv: hash-chained, receipts signed, one void in fifty), and
 * the redeemers' receipt keyring, all in DIR.
 *
 *   bench_reconcile_gen DIR
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "../issuer/ledger.h"
#include "keyring.h"
#include "sig.h"
#include "voucher.h"

#define NV 20000
#define PER_J 500000
static const period PER = {2026, 12};
static sig_signer *rk[2];
static const char *dir;

static void b64url(const uint8_t *in, char *out)
{
	char b[100];
	EVP_EncodeBlock((unsigned char *)b, in, 64);
	b[86] = 0;
	for (char *c = b; *c; c++) *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	strcpy(out, b);
}

static void *journal(void *arg)
{
	int r = (int)(intptr_t)arg;
	char path[512], kid[32], prev[65], line[2048], core[1024], receipt[512], pre[1200], sig64[100];
	uint8_t msg[600], sig[64], md[32];
	int64_t remaining[NV];
	uint64_t seq = 0, lastrid = 0;
	FILE *f;
	snprintf(path, sizeof path, "%s/j%d.csv", dir, r + 1);
	snprintf(kid, sizeof kid, "R-BENCH%04d", r + 1);
	f = fopen(path, "w");
	memset(prev, '0', 64); prev[64] = 0;
	for (int i = 0; i < NV; i++) remaining[i] = 50000; /* each redeemer owns half of face value */
	fputs("seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,terminal,receipt,prev_hash,hash\n", f);
	for (uint64_t n = 1; n <= PER_J; n++) {
		bool isvoid = n % 50 == 0;
		int v = (int)((n * 7919) % NV);
		char sr[17], ts[21], rid[80], merchant[16], gallery[16];
		int64_t amount = 900, t = 1796140800 + (int64_t)(n * 2400000 / PER_J); /* Dec 1 .. Dec 28 */
		int term = (int)(n % 40) + 1;
		struct tm tm; time_t tt = t;
		if (isvoid) {
			v = (int)(((n - 1) * 7919) % NV);
			snprintf(rid, sizeof rid, "%s-%" PRIu64, kid, lastrid);
			remaining[v] += amount;
			term = (int)((n - 1) % 40) + 1;
		} else {
			snprintf(rid, sizeof rid, "%s-%" PRIu64, kid, n);
			lastrid = n;
			remaining[v] -= amount;
		}
		snprintf(merchant, sizeof merchant, "M%d", term % 20);
		snprintf(gallery, sizeof gallery, "G%d", term % 4);
		gmtime_r(&tt, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		voucher_serial_format(0x1000000000000000ULL + (uint64_t)v + 1, sr);
		receipt[0] = 0;
		if (!isvoid) {
			int k = snprintf(receipt, sizeof receipt, "UR1|%s|%s|%" PRId64 "|%" PRId64 "|%s|%s|%d|%s|%s",
					 rid, sr, amount, remaining[v], merchant, gallery, term, ts, kid);
			memcpy(msg, "UMKM-RECEIPT-v1", 16);
			memcpy(msg + 16, receipt, (size_t)k);
			sig_sign(rk[r], msg, 16 + (size_t)k, sig);
			b64url(sig, sig64);
			strcat(receipt, "|");
			strcat(receipt, sig64);
		}
		seq++;
		snprintf(core, sizeof core, "%" PRIu64 ",%s,%s,%s,%s,2026-12,%" PRId64 ",%" PRId64 ",%s,%s,%d,%s",
			 seq, ts, isvoid ? "void" : "redeem", rid, sr, amount, remaining[v], merchant, gallery, term, receipt);
		int m = snprintf(pre, sizeof pre, "%s,%s", prev, core);
		EVP_Digest(pre, (size_t)m, md, NULL, EVP_sha256(), NULL);
		snprintf(line, sizeof line, "%s,%s,", core, prev);
		for (int i = 0; i < 32; i++) sprintf(prev + 2 * i, "%02x", md[i]);
		fprintf(f, "%s%s\n", line, prev);
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
		voucher v = {.flags = 1, .serial = 0x1000000000000000ULL + (uint64_t)i + 1, .year = 2026, .month = 12,
			     .valid_from = (uint32_t)from, .valid_until = (uint32_t)until, .face_value = 100000};
		ledger_voucher *lv = &vs[i];
		tag_of("issuer", "BENCH", v.issuer_tag);
		tag_of("kid", "K1", v.kid_tag);
		voucher_sign(&v, ik);
		voucher_encode(&v, lv->token, sizeof lv->token);
		lv->serial = v.serial;
		snprintf(lv->nip, sizeof lv->nip, "1980%02d%02d2005%06d", 1 + i % 12, 1 + i % 28, i);
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
		key_entry e = {.role = KEY_RECEIPT, .valid_from = 20000, .retired_after = KEY_NEVER};
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
