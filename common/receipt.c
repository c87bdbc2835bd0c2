#include "receipt.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "bytes.h"
#include "period.h"
#include "voucher.h"

#define HASH 32

/* SHA-256 fetched once: EVP_sha256() is looked up in the provider again
 * on each use, which costs more than hashing a tree's node. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md ? sha256_md : EVP_sha256();
}

/* body is at most RECEIPT_MAX bytes: callers check. */
static void leaf_hash(const char *body, size_t n, uint8_t out[HASH])
{
	static const uint8_t pre[] = "\0" RECEIPT_DOMAIN; /* 0x00, the domain, its NUL */
	uint8_t in[sizeof pre + RECEIPT_MAX];

	memcpy(in, pre, sizeof pre);
	memcpy(in + sizeof pre, body, n);
	EVP_Digest(in, sizeof pre + n, out, NULL, sha256(), NULL);
}

static void node_hash(const uint8_t left[HASH], const uint8_t right[HASH], uint8_t out[HASH])
{
	uint8_t in[1 + 2 * HASH] = {1};

	memcpy(in + 1, left, HASH);
	memcpy(in + 1 + HASH, right, HASH);
	EVP_Digest(in, sizeof in, out, NULL, sha256(), NULL);
}

void receipt_message(const uint8_t root[HASH], uint8_t msg[RECEIPT_MSG_LEN])
{
	memcpy(msg, RECEIPT_DOMAIN, sizeof RECEIPT_DOMAIN);
	memcpy(msg + sizeof RECEIPT_DOMAIN, root, HASH);
}

/* A tree over n (1..RECEIPT_TREE_MAX) bodies: level[0] the leaves,
 * level[d + 1] the parents of level[d], count[d] the nodes of level d. */
typedef struct tree {
	uint8_t level[RECEIPT_DEPTH_MAX + 1][RECEIPT_TREE_MAX][HASH];
	size_t count[RECEIPT_DEPTH_MAX + 1], len[RECEIPT_TREE_MAX], depth;
} tree;

static err tree_build(tree *t, char *const text[], size_t n)
{
	if (n < 1 || n > RECEIPT_TREE_MAX)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		t->len[i] = strlen(text[i]);
		if (t->len[i] > RECEIPT_MAX - RECEIPT_TAIL_MAX)
			return ERR_INTERNAL;
		leaf_hash(text[i], t->len[i], t->level[0][i]);
	}
	t->count[0] = n;
	for (t->depth = 0; t->count[t->depth] > 1; t->depth++) {
		size_t d = t->depth, m = t->count[d];
		for (size_t i = 0; i + 1 < m; i += 2)
			node_hash(t->level[d][i], t->level[d][i + 1], t->level[d + 1][i / 2]);
		if (m % 2)
			memcpy(t->level[d + 1][m / 2], t->level[d][m - 1], HASH);
		t->count[d + 1] = (m + 1) / 2;
	}
	return ERR_OK;
}

/* Append each leaf's "|path|sig" to its body. */
static void tree_attach(const tree *t, char *const text[], const uint8_t sig[SIG_LEN])
{
	char sigtext[RECEIPT_SIG_LEN + 1];

	b64url_encode(sig, SIG_LEN, sigtext);
	for (size_t i = 0; i < t->count[0]; i++) {
		char *p = text[i] + t->len[i];
		size_t at = i;
		*p++ = '|';
		for (size_t d = 0; d < t->depth; d++, at /= 2) {
			size_t sib = at ^ 1;
			if (sib >= t->count[d])
				continue; /* the last node of its level: up unchanged */
			*p++ = sib < at ? 'L' : 'R';
			p += b64url_encode(t->level[d][sib], HASH, p);
		}
		*p++ = '|';
		memcpy(p, sigtext, sizeof sigtext);
	}
}

err receipt_sign_tree(const sig_signer *key, char *const text[], size_t n)
{
	uint8_t msg[RECEIPT_MSG_LEN], sig[SIG_LEN];
	tree t;
	err rc;

	if ((rc = tree_build(&t, text, n)) != ERR_OK)
		return rc;
	receipt_message(t.level[t.depth][0], msg);
	if ((rc = sig_sign(key, msg, sizeof msg, sig)) != ERR_OK)
		return rc;
	tree_attach(&t, text, sig);
	return ERR_OK;
}

err receipt_tree_attach(char *const text[], size_t n, const uint8_t sig[SIG_LEN])
{
	tree t;
	err rc = tree_build(&t, text, n);

	if (rc == ERR_OK)
		tree_attach(&t, text, sig);
	return rc;
}

bool receipt_tree_sig(const char *r, size_t n, uint8_t sig[SIG_LEN])
{
	return n > RECEIPT_SIG_LEN && r[n - RECEIPT_SIG_LEN - 1] == '|' &&
	       b64url_decode(r + n - RECEIPT_SIG_LEN, RECEIPT_SIG_LEN, sig, SIG_LEN);
}

bool receipt_root(const char *body, size_t n, const char *path, size_t len, uint8_t root[HASH])
{
	uint8_t sib[HASH];

	if (n > RECEIPT_MAX || len % RECEIPT_STEP_LEN || len / RECEIPT_STEP_LEN > RECEIPT_DEPTH_MAX)
		return false;
	leaf_hash(body, n, root);
	for (size_t i = 0; i < len; i += RECEIPT_STEP_LEN) {
		char side = path[i];
		if ((side != 'L' && side != 'R') ||
		    !b64url_decode(path + i + 1, RECEIPT_STEP_LEN - 1, sib, HASH))
			return false;
		if (side == 'L')
			node_hash(sib, root, root);
		else
			node_hash(root, sib, root);
	}
	return true;
}

const char *receipt_tag(journal_kind k)
{
	static const char *const tags[] = {[JOURNAL_REDEEM] = "UR2",
	                                   [JOURNAL_VOID] = "URV2",
	                                   [JOURNAL_OFFLINE] = "URO2",
	                                   [JOURNAL_CONFLICT] = "URC2"};

	return k > 0 && k < sizeof tags / sizeof tags[0] ? tags[k] : NULL;
}

size_t receipt_body(const receipt_fields *r, char *out, size_t n)
{
	char ts[INSTANT_LEN + 1], sr[VOUCHER_SERIAL_LEN + 1];
	int len;

	if (!receipt_tag(r->kind))
		return 0;
	instant_format(r->time, ts);
	voucher_serial_format(r->serial, sr);
	len = snprintf(out, n, "%s|%s|%s|%" PRId64 "|%" PRId64 "|%s|%s|%" PRIu32 "|%s|%s",
	               receipt_tag(r->kind), r->rid, sr, r->amount, r->remaining, r->merchant,
	               r->gallery, r->terminal, ts, r->kid);
	if (len < 0 || (size_t)len >= n || len > RECEIPT_MAX - RECEIPT_TAIL_MAX)
		return 0;
	return (size_t)len;
}

bool receipt_parse(const char *r, size_t n, receipt_parts *p)
{
	if (n > RECEIPT_MAX || split_at(r, n, '|', p->part, p->len, RECEIPT_PARTS) != RECEIPT_PARTS)
		return false;
	for (p->kind = JOURNAL_REDEEM; p->kind <= JOURNAL_CONFLICT; p->kind++) {
		const char *tag = receipt_tag(p->kind);
		if (tag && p->len[RP_TAG] == strlen(tag) && memcmp(r, tag, p->len[RP_TAG]) == 0)
			break;
	}
	if (p->kind > JOURNAL_CONFLICT)
		return false;
	p->body_len = (size_t)(p->part[RP_PATH] - 1 - r);
	return true;
}

bool receipt_verify(const sig_verifier *v, const char *r, size_t n)
{
	receipt_parts p;
	uint8_t root[HASH], msg[RECEIPT_MSG_LEN], sig[SIG_LEN];

	if (!receipt_parse(r, n, &p) ||
	    !b64url_decode(p.part[RP_SIG], p.len[RP_SIG], sig, SIG_LEN) ||
	    !receipt_root(r, p.body_len, p.part[RP_PATH], p.len[RP_PATH], root))
		return false;
	receipt_message(root, msg);
	return sig_verify(v, msg, sizeof msg, sig);
}
