/*
 * Checking receipts. A new entry's receipt (a void's too) is compared with its
 * line (common/journal.c), climbed to its tree's root on the reading
 * thread, and the root's signature queued, unless it is the one queued
 * last (the receipts of a tree are consecutive lines): one verification a
 * tree. The signatures are verified by a pool of threads a batch at a time
 * while the next batch is read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "reconcile_impl.h"

#define BATCH         4096        /* signatures handed to the pool at once */
#define BATCH_ENTRIES (4 * BATCH) /* receipts under them, at most */

/* A tree's signature to verify, and the entries whose receipts lead to its
 * root: ents[first .. first + count) of its batch. */
typedef struct rjob {
	const key_entry *key;
	uint32_t first, count;
	bool ok;
	uint8_t sig[SIG_LEN];
	uint8_t msg[RECEIPT_MSG_LEN];
} rjob;

struct rcheck {
	const char *const *paths; /* the journals', for messages */
	keyring *kr;
	const key_entry *last_key;
	char last_kid[KEY_ID_MAX + 1];
	pool *workers;
	pool_for run; /* the batch on the pool, if inflight */
	rjob *batch[2];
	uint32_t *ents[2];
	size_t nbatch, nents, inflight;
	int cur; /* the batch being filled; the other is on the pool */
	uint64_t checked;
};

rcheck *rcheck_new(const char *path, int threads, const char *const *paths)
{
	rcheck *R = calloc(1, sizeof *R);
	char why[512];
	err e;

	if (!R) {
		fprintf(stderr, "reconcile: out of memory\n");
		return NULL;
	}
	R->paths = paths;
	if ((e = keyring_load(path, &R->kr, why, sizeof why)) != ERR_OK) {
		if (e == ERR_INVALID)
			fprintf(stderr, "%s\n", why);
		else
			fprintf(stderr, "%s: cannot load the keyring: %s\n", path, err_str(e));
		goto fail;
	}
	if (!(R->batch[0] = malloc(BATCH * sizeof(rjob))) ||
	    !(R->batch[1] = malloc(BATCH * sizeof(rjob))) ||
	    !(R->ents[0] = malloc(BATCH_ENTRIES * sizeof(uint32_t))) ||
	    !(R->ents[1] = malloc(BATCH_ENTRIES * sizeof(uint32_t)))) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto fail;
	}
	if (pool_start(threads > 0 ? threads : pool_cpus(), &R->workers) != ERR_OK) {
		fprintf(stderr, "reconcile: cannot start the verifying threads\n");
		goto fail;
	}
	return R;
fail:
	rcheck_free(R);
	return NULL;
}

void rcheck_free(rcheck *R)
{
	if (!R)
		return;
	if (R->inflight)
		pool_for_wait(&R->run);
	pool_stop(R->workers);
	pool_free(R->workers);
	keyring_free(R->kr);
	free(R->batch[0]);
	free(R->batch[1]);
	free(R->ents[0]);
	free(R->ents[1]);
	free(R);
}

uint64_t rcheck_count(const rcheck *R)
{
	return R->checked;
}

static err verify_one(void *ctx, size_t i)
{
	rjob *j = (rjob *)ctx + i;

	j->ok = sig_verify(j->key->verifier, j->msg, sizeof j->msg, j->sig);
	return ERR_OK;
}

/* The verdicts of a batch that has come back. */
static void harvest(const rcheck *R, entries *J, anomalies *A, const rjob *jobs, size_t n,
                    const uint32_t *ents)
{
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].ok)
			continue;
		for (uint32_t k = jobs[i].first; k < jobs[i].first + jobs[i].count; k++) {
			entry *en = &J->en[ents[k]];
			char rid[RID_TEXT_MAX];

			en->flags |= EF_RECEIPT_BAD;
			entry_rid(J, en, rid, sizeof rid);
			anomaly_add(A, AN_BAD_RECEIPT, en->serial, anomaly_ord(en->file, en->line),
			            "%s:%" PRIu32 ": %s: the receipt's signature by key %s does "
			            "not verify",
			            R->paths[en->file], en->line, rid, jobs[i].key->kid);
		}
	}
}

/* Hand the filled batch to the pool, after taking back the one it had. */
static void flush_batch(rcheck *R, entries *J, anomalies *A)
{
	if (R->inflight) {
		pool_for_wait(&R->run);
		harvest(R, J, A, R->batch[!R->cur], R->inflight, R->ents[!R->cur]);
		R->inflight = 0;
	}
	if (R->nbatch) {
		pool_for_start(R->workers, &R->run, R->nbatch, verify_one, R->batch[R->cur]);
		R->inflight = R->nbatch;
		R->nbatch = 0;
		R->nents = 0;
		R->cur = !R->cur;
	}
}

void rcheck_flush(rcheck *R, entries *J, anomalies *A)
{
	flush_batch(R, J, A);
	flush_batch(R, J, A);
}

static const key_entry *receipt_key(rcheck *R, const char *kid)
{
	if (R->last_key && strcmp(R->last_kid, kid) == 0)
		return R->last_key;
	for (size_t i = 0; i < keyring_count(R->kr); i++) {
		const key_entry *k = keyring_at(R->kr, i);
		if (k->role == KEY_RECEIPT && strcmp(k->kid, kid) == 0) {
			R->last_key = k;
			snprintf(R->last_kid, sizeof R->last_kid, "%s", kid);
			return k;
		}
	}
	return NULL;
}

const sig_verifier *rcheck_key(rcheck *R, const char *kid)
{
	const key_entry *k = receipt_key(R, kid);

	return k ? k->verifier : NULL;
}

void rcheck_receipt(rcheck *R, entries *J, anomalies *A, const char *const f[JOURNAL_FIELDS],
                    const size_t len[JOURNAL_FIELDS], unsigned long line, uint32_t idx)
{
	const char *path = R->paths[J->en[idx].file];
	const char *s = f[J_RECEIPT], *what;
	uint64_t serial = J->en[idx].serial, ord = anomaly_ord(J->en[idx].file, (uint32_t)line);
	char kid[KEY_ID_MAX + 1];
	uint8_t root[32], sig[SIG_LEN], msg[RECEIPT_MSG_LEN];
	receipt_parts p;
	const key_entry *key;
	rjob *job;
	int col;

	R->checked++;
	if (!receipt_parse(s, len[J_RECEIPT], &p)) {
		what = "is not a receipt (UR2, URV2, URO2 or URC2)";
		goto bad;
	}
	if ((col = journal_receipt_mismatch(f, len, &p)) >= 0) {
		anomaly_add(A, AN_BAD_RECEIPT, serial, ord,
		            "%s:%lu: %s: the receipt's %s does not match the line", path, line,
		            f[J_RID], journal_col_name[col]);
		goto flag;
	}
	if (p.len[RP_KID] < 1 || p.len[RP_KID] > KEY_ID_MAX) {
		what = "names no valid receipt key";
		goto bad;
	}
	memcpy(kid, p.part[RP_KID], p.len[RP_KID]);
	kid[p.len[RP_KID]] = '\0';
	if (!key_id_valid(kid)) {
		what = "names no valid receipt key";
		goto bad;
	}
	if (!(key = receipt_key(R, kid))) {
		anomaly_add(A, AN_BAD_RECEIPT, serial, ord,
		            "%s:%lu: %s: receipt key %s is not in the keyring", path, line,
		            f[J_RID], kid);
		goto flag;
	}
	if (!receipt_root(s, p.body_len, p.part[RP_PATH], p.len[RP_PATH], root)) {
		what = "holds a malformed path";
		goto bad;
	}
	if (!b64url_decode(p.part[RP_SIG], p.len[RP_SIG], sig, SIG_LEN)) {
		what = "holds a malformed signature";
		goto bad;
	}
	receipt_message(root, msg);
	job = R->nbatch ? &R->batch[R->cur][R->nbatch - 1] : NULL;
	if (job && (job->key != key || memcmp(job->msg, msg, sizeof msg) != 0 ||
	            memcmp(job->sig, sig, SIG_LEN) != 0))
		job = NULL;
	if (R->nents == BATCH_ENTRIES || (!job && R->nbatch == BATCH)) {
		flush_batch(R, J, A); /* a tree cut here gets a job in each batch */
		job = NULL;
	}
	if (!job) {
		job = &R->batch[R->cur][R->nbatch++];
		job->key = key;
		job->first = (uint32_t)R->nents;
		job->count = 0;
		job->ok = false;
		memcpy(job->sig, sig, SIG_LEN);
		memcpy(job->msg, msg, sizeof msg);
	}
	R->ents[R->cur][R->nents++] = idx;
	job->count++;
	return;
bad:
	anomaly_add(A, AN_BAD_RECEIPT, serial, ord, "%s:%lu: %s: the receipt %s", path, line,
	            f[J_RID], what);
flag:
	J->en[idx].flags |= EF_RECEIPT_BAD;
}
