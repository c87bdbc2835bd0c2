/*
 * The terminal registry: table terminals (id, big-endian, -> JSON record)
 * and table tokens (SHA-256 of a bearer token -> id). Only a token's hash
 * is kept: a copy of the database logs no cashier in.
 */
#include "store_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "bytes.h"

static json_t *terminal_json(const terminal *t)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:I}", "merchant", t->merchant, "gallery",
	                 t->gallery, "name", t->name, "disabled", t->disabled, "created",
	                 (json_int_t)t->created);
}

err terminal_parse(uint32_t id, const MDB_val *val, terminal *t)
{
	json_t *o = json_loadb(val->mv_data, val->mv_size, 0, NULL);
	const char *m, *g, *n;
	int disabled;
	json_int_t created;
	err rc = ERR_DB;

	if (o && json_unpack(o, "{s:s, s:s, s:s, s:b, s:I}", "merchant", &m, "gallery", &g, "name",
	                     &n, "disabled", &disabled, "created", &created) == 0) {
		memset(t, 0, sizeof *t);
		t->id = id;
		snprintf(t->merchant, sizeof t->merchant, "%s", m);
		snprintf(t->gallery, sizeof t->gallery, "%s", g);
		snprintf(t->name, sizeof t->name, "%s", n);
		t->disabled = disabled;
		t->created = created;
		tag_of("gallery", t->gallery, t->gallery_tag);
		rc = ERR_OK;
	}
	json_decref(o);
	return rc;
}

static int put_terminal(store *s, MDB_txn *txn, const terminal *t)
{
	uint8_t k[4];
	MDB_val key = {4, k}, val;
	json_t *o = terminal_json(t);
	char *j = o ? json_dumps(o, JSON_COMPACT) : NULL;
	int rc;

	json_decref(o);
	if (!j)
		return ENOMEM;
	put_be32(k, t->id);
	val.mv_size = strlen(j);
	val.mv_data = j;
	rc = mdb_put(txn, s->terminals, &key, &val, 0);
	free(j);
	return rc;
}

static err get_terminal(store *s, MDB_txn *txn, uint32_t id, terminal *out)
{
	uint8_t k[4];
	MDB_val key = {4, k}, val;
	int rc;

	put_be32(k, id);
	rc = mdb_get(txn, s->terminals, &key, &val);
	if (rc == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	if (rc != 0)
		return db_err(rc, "get terminal");
	return terminal_parse(id, &val, out);
}

err store_terminal_add(store *s, const char *merchant, const char *name, const char *gallery,
                       char token[TERMINAL_TOKEN_LEN + 1], uint32_t *id)
{
	uint8_t raw[32], md[32], k[4];
	MDB_val tkey = {32, md}, tval = {4, k};
	terminal t = {0};
	MDB_txn *txn;
	uint64_t n;
	int rc;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return ERR_CRYPTO;
	memcpy(token, "vt_", 3);
	b64url_encode(raw, sizeof raw, token + 3);
	OPENSSL_cleanse(raw, sizeof raw);
	EVP_Digest(token, TERMINAL_TOKEN_LEN, md, NULL, EVP_sha256(), NULL);
	snprintf(t.merchant, sizeof t.merchant, "%s", merchant);
	snprintf(t.gallery, sizeof t.gallery, "%s", gallery);
	snprintf(t.name, sizeof t.name, "%s", name);
	t.created = time(NULL);
	if ((rc = txn_begin(s, 0, &txn)) != 0)
		return db_err(rc, "begin");
	if ((rc = meta_next(s, txn, "next_terminal", &n)) == 0) {
		t.id = (uint32_t)n;
		put_be32(k, t.id);
		if ((rc = put_terminal(s, txn, &t)) == 0)
			rc = mdb_put(txn, s->tokens, &tkey, &tval, MDB_NOOVERWRITE);
	}
	if (rc != 0) {
		txn_abort(s, txn);
		return db_err(rc, "add terminal");
	}
	if ((rc = txn_commit(s, txn)) != 0)
		return db_err(rc, "commit");
	*id = t.id;
	return ERR_OK;
}

err store_terminal_auth(store *s, const char *token, size_t len, terminal *out)
{
	uint8_t md[32];
	MDB_val key = {32, md}, val;
	MDB_txn *txn;
	err e = ERR_UNAUTHORIZED;
	int rc;

	if (len != TERMINAL_TOKEN_LEN)
		return ERR_UNAUTHORIZED;
	EVP_Digest(token, len, md, NULL, EVP_sha256(), NULL);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = mdb_get(txn, s->tokens, &key, &val);
	if (rc == 0 && val.mv_size == 4) {
		e = get_terminal(s, txn, get_be32(val.mv_data), out);
		if (e == ERR_OK && out->disabled)
			e = ERR_UNAUTHORIZED;
		else if (e == ERR_NOT_FOUND)
			e = ERR_UNAUTHORIZED;
	} else if (rc != MDB_NOTFOUND) {
		e = db_err(rc, "auth");
	}
	txn_abort(s, txn);
	return e;
}

err store_terminal_disable(store *s, uint32_t id)
{
	terminal t;
	MDB_txn *txn;
	err e;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)) != 0)
		return db_err(rc, "begin");
	if ((e = get_terminal(s, txn, id, &t)) == ERR_OK) {
		t.disabled = true;
		if ((rc = put_terminal(s, txn, &t)) != 0)
			e = db_err(rc, "disable");
	}
	if (e != ERR_OK) {
		txn_abort(s, txn);
		return e;
	}
	return (rc = txn_commit(s, txn)) == 0 ? ERR_OK : db_err(rc, "commit");
}

err store_terminal_each(store *s, void (*fn)(const terminal *t, void *ctx), void *ctx)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val key, val;
	err e = ERR_OK;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	if ((rc = mdb_cursor_open(txn, s->terminals, &cur)) != 0) {
		txn_abort(s, txn);
		return db_err(rc, "cursor");
	}
	while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		terminal t;
		if (key.mv_size != 4)
			continue;
		if ((e = terminal_parse(get_be32(key.mv_data), &val, &t)) != ERR_OK)
			break;
		fn(&t, ctx);
	}
	mdb_cursor_close(cur);
	txn_abort(s, txn);
	return e;
}
