#include "codes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "file.h"
#include "pool.h"
#include "shortcode.h"
#include "sign/sign.h"

/* The period's tokens, then their entries. */
struct collect {
	manifest *m;
	uint8_t (*tokens)[VOUCHER_LEN];
	size_t cap;
	err rc;
};

static int collect(const ledger_voucher *lv, void *ctx)
{
	struct collect *c = ctx;
	manifest_entry *e;
	voucher v;

	if (c->m->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		manifest_entry *ne = realloc(c->m->entries, cap * sizeof *ne);
		uint8_t(*nt)[VOUCHER_LEN] = ne ? realloc(c->tokens, cap * sizeof *nt) : NULL;
		if (ne)
			c->m->entries = ne;
		if (!nt) {
			c->rc = ERR_NOMEM;
			return 1;
		}
		c->tokens = nt;
		c->cap = cap;
	}
	if ((c->rc = voucher_decode(lv->token, strlen(lv->token), &v)) != ERR_OK)
		return 1;
	e = &c->m->entries[c->m->n];
	e->serial = v.serial;
	memcpy(e->gallery_tag, v.gallery_tag, TAG_LEN);
	voucher_pack(&v, c->tokens[c->m->n++]);
	return 0;
}

/* Entry i's lookup value and sealed token: one PBKDF2, on a worker. */
static err seal_one(void *ctx, size_t i)
{
	struct collect *c = ctx;
	manifest_entry *e = &c->m->entries[i];
	char code[SHORTCODE_LEN + 1];
	uint8_t key[SHORTCODE_KEY_LEN];
	err rc;

	shortcode_of(c->tokens[i], code);
	rc = shortcode_derive(code, c->m->salt, c->m->iterations, e->lookup, key);
	if (rc == ERR_OK)
		rc = shortcode_seal(key, c->tokens[i], e->sealed);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(code, sizeof code);
	return rc;
}

static int by_lookup(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, SHORTCODE_LOOKUP_LEN);
}

/* True if two entries share a lookup value. */
static bool lookups_collide(const manifest *m, err *rc)
{
	const uint8_t **p = malloc((m->n ? m->n : 1) * sizeof *p);
	bool same = false;

	if (!p) {
		*rc = ERR_NOMEM;
		return true;
	}
	for (size_t i = 0; i < m->n; i++)
		p[i] = m->entries[i].lookup;
	qsort(p, m->n, sizeof *p, by_lookup);
	for (size_t i = 1; i < m->n && !same; i++)
		same = memcmp(p[i - 1], p[i], SHORTCODE_LOOKUP_LEN) == 0;
	free(p);
	if (same)
		*rc = ERR_EXISTS;
	return same;
}

err codes_write(ledger *l, const signkey *key, period p, int64_t now, int threads, const char *path,
                size_t *n)
{
	manifest m = {0};
	struct collect c = {&m, NULL, 0, ERR_OK};
	pool *workers = NULL;
	char *text = NULL;
	size_t len;
	err rc;

	snprintf(m.issuer, sizeof m.issuer, "%s", key->issuer);
	snprintf(m.kid, sizeof m.kid, "%s", key->kid);
	m.per = p;
	m.time = now;
	m.iterations = MANIFEST_ITERATIONS;
	if (RAND_bytes(m.salt, sizeof m.salt) != 1) {
		rc = ERR_CRYPTO;
		goto cleanup;
	}
	if ((rc = ledger_each(l, p, collect, &c)) == ERR_OK)
		rc = c.rc;
	if (rc == ERR_OK && m.n == 0)
		rc = ERR_NOT_FOUND;
	if (rc != ERR_OK)
		goto cleanup;
	if ((rc = pool_start(threads, &workers)) != ERR_OK ||
	    (rc = pool_for_all(workers, m.n, seal_one, &c)) != ERR_OK || lookups_collide(&m, &rc))
		goto cleanup;
	if ((text = manifest_sign(&m, key->signer, &len, &rc)) != NULL)
		rc = file_write_atomic(path, text, len, 0644);
	*n = m.n;
cleanup:
	pool_stop(workers);
	pool_free(workers);
	if (c.tokens)
		OPENSSL_cleanse(c.tokens, c.cap * VOUCHER_LEN);
	free(c.tokens);
	free(text);
	manifest_free(&m);
	return rc;
}
