/*
 * Data for the reconciliation benchmark: a 20,000-voucher ledger (period
 * 2026-12, issuer BENCH) and 1,000,000 journal entries from two redeemers
 * (j1.csv, j2.csv: as the redeemer exports them, hash-chained and ending
 * with a signed head; receipts signed a tree of twenty entries at a time
 * as the redeemer's commits sign them, one void in fifty), and
 * the redeemers' receipt keyring, and the payees of 19 of its 20 merchants
 * (merchants.csv), all in DIR.
 *
 *   bench_reconcile_gen DIR
 */
#include "../issuer/ledger.h"
#include "journal.h"
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
	journal_entry e;
	char rid[80], merchant[16], gallery[16];
	char receipt[RECEIPT_MAX + 1];
} ent;

/*
 * Redeemer r's journal, written as the redeemer's export writes it
 * (common/journal: the chained lines, then its signed head): PER_J
 * entries, a commit of GROUP at a time, each with its receipt, the
 * commit's receipts one signed tree.
 */
static void *journal(void *arg)
{
	int r = (int)(intptr_t)arg;
	char path[512], kid[32], line[JOURNAL_LINE_MAX + 2], head[JOURNAL_HEAD_MAX + 1];
	int64_t *remaining = malloc(NV * sizeof *remaining), amount = 900;
	uint64_t lastrid = 0, redemptions = 0;
	journal_chain c;
	journal_head h = {.per = PER, .first = 1, .time = 1799193600 /* 2027-01-06 */};
	ent g[GROUP];
	FILE *f;

	snprintf(path, sizeof path, "%s/j%d.csv", dir, r + 1);
	snprintf(kid, sizeof kid, "R-BENCH%04d", r + 1);
	snprintf(h.kid, sizeof h.kid, "%s", kid);
	memset(h.last_hash, '0', JOURNAL_HASH_HEX);
	if (!remaining || !(f = fopen(path, "w")) || journal_chain_init(&c) != ERR_OK)
		abort();
	for (int i = 0; i < NV; i++)
		remaining[i] = 100000; /* each redeemer keeps its own balance from face value */
	fputs(JOURNAL_HEADER "\n", f);
	for (uint64_t n0 = 1; n0 <= PER_J; n0 += GROUP) {
		char *text[GROUP];
		size_t ng = 0;
		/* A group is one commit of the redeemer: its receipts one tree. */
		for (uint64_t n = n0; n < n0 + GROUP && n <= PER_J; n++) {
			ent *x = &g[ng];
			bool isvoid = n % 50 == 0;
			int v = (int)(((isvoid ? n - 1 : n) * 7919) % NV);
			unsigned term = (unsigned)((isvoid ? n - 1 : n) % 40) + 1;

			if (!isvoid)
				lastrid = ++redemptions; /* numbered from 1, voids aside */
			snprintf(x->rid, sizeof x->rid, "%s-202612-%" PRIu64, kid, lastrid);
			remaining[v] += isvoid ? amount : -amount;
			snprintf(x->merchant, sizeof x->merchant, "M%u", term % 20);
			snprintf(x->gallery, sizeof x->gallery, "G%u", term % 4);
			x->e = (journal_entry){.time = 1796140800 + (int64_t)(n * 2400000 / PER_J),
			                       .kind = isvoid ? JOURNAL_VOID : JOURNAL_REDEEM,
			                       .rid = x->rid,
			                       .serial = 0x1000000000000000ULL + (uint64_t)v + 1,
			                       .per = PER,
			                       .amount = amount,
			                       .remaining = remaining[v],
			                       .merchant = x->merchant,
			                       .gallery = x->gallery,
			                       .terminal = term,
			                       .receipt = x->receipt};
			if (!receipt_body(&(receipt_fields){.kind = x->e.kind,
			                                    .rid = x->rid,
			                                    .serial = x->e.serial,
			                                    .amount = amount,
			                                    .remaining = x->e.remaining,
			                                    .merchant = x->merchant,
			                                    .gallery = x->gallery,
			                                    .terminal = term,
			                                    .time = x->e.time,
			                                    .kid = kid},
			                  x->receipt, sizeof x->receipt))
				abort();
			text[ng++] = x->receipt;
		}
		if (receipt_sign_tree(rk[r], text, ng) != ERR_OK)
			abort();
		for (size_t i = 0; i < ng; i++) {
			size_t len = journal_chain_append(&c, &g[i].e, line, sizeof line - 1);
			if (!len)
				abort();
			journal_head_add(&h, &g[i].e, line + len - JOURNAL_HASH_HEX);
			line[len] = '\n';
			fwrite(line, 1, len + 1, f);
		}
	}
	if (!journal_head_sign(&h, rk[r], head, sizeof head) ||
	    !journal_head_line(&h, head, line, sizeof line))
		abort();
	fprintf(f, "%s\n", line);
	fclose(f);
	journal_chain_free(&c);
	free(remaining);
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
	/* The payees of all but the last merchant (reconcile --merchants). */
	snprintf(path, sizeof path, "%s/merchants.csv", dir);
	f = fopen(path, "w");
	fputs("id;name;owner;bank;account_number;account_name\n", f);
	for (int m = 0; m < 19; m++)
		fprintf(f, "M%d;Usaha Nomor %d;Pemilik %d;Bank Jatim;0011-%04d-55;Pemilik %d\n", m,
		        m, m, m, m);
	fclose(f);
	for (int r = 0; r < 2; r++)
		pthread_create(&th[r], NULL, journal, (void *)(intptr_t)r);
	for (int r = 0; r < 2; r++)
		pthread_join(th[r], NULL);
	return 0;
}
