#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>
#include <lmdb.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "backup.h"
#include "log.h"
#include "period.h"
#include "sig.h"

#define DEFAULT_MAP_SIZE ((size_t)1 << 30)
#define MAX_BATCH        1024
#define ZERO_HASH        "0000000000000000000000000000000000000000000000000000000000000000"

struct store {
	MDB_env *env;
	MDB_dbi vouchers, redemptions, requests, terminals, tokens, journal, meta;
	sig_signer *receipt_key;
	char receipt_kid[KEY_ID_MAX + 1];
	char receipt_line[256];

	/* writer thread */
	pthread_t writer;
	bool started, stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	op *queue, **queue_tail;
	op *done, **done_tail;
	struct event *notify;
	store_stats stats;
};

/* Records, stored as fixed little structs: the database is local to the
 * machine that writes it. */
typedef struct vrec {
	int64_t remaining;
	uint32_t face_value;
	uint32_t redemptions;
	uint16_t year;
	uint8_t month;
	uint8_t multi;
	uint8_t pad[4];
	uint32_t valid_from, valid_until;
} vrec;

typedef struct rrec {
	uint64_t serial;
	int64_t amount, remaining_after, time, void_time;
	uint32_t terminal;
	uint8_t voided;
	uint16_t year;
	uint8_t month;
	char merchant[KEY_ID_MAX + 1];
	char gallery[KEY_ID_MAX + 1];
} rrec;

/* A redemption is stored as the first RREC_HEAD bytes of an rrec, then
 * its receipt (no NUL), or NULs up to the end, as an older version wrote. */
#define RREC_HEAD (offsetof(rrec, gallery) + sizeof((rrec *)0)->gallery)

typedef struct head {
	uint64_t seq;
	char hash[HASH_HEX + 1];
} head;

static err db_err(int rc, const char *what)
{
	LOG(LOGL_ERROR, "store %s: %s", what, mdb_strerror(rc));
	return rc == MDB_MAP_FULL || rc == MDB_TXN_FULL ? ERR_UNAVAILABLE : ERR_DB;
}

static void be32(uint32_t v, uint8_t out[4])
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static void be64(uint64_t v, uint8_t out[8])
{
	be32((uint32_t)(v >> 32), out);
	be32((uint32_t)v, out + 4);
}

static void sha256(const void *data, size_t n, uint8_t out[32])
{
	EVP_Digest(data, n, out, NULL, EVP_sha256(), NULL);
}

static void hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The receipt key in dir: made on first start, loaded after. */
static err open_receipt_key(store *s, const char *dir)
{
	char path[4096], b64[45], day[11];
	uint8_t pub[SIG_PUBLEN], md[32];
	struct stat st;
	err rc;

	snprintf(path, sizeof path, "%s/receipt.key", dir);
	if (stat(path, &st) != 0 && errno == ENOENT) {
		sig_signer *k;
		if ((rc = sig_generate(&k)) != ERR_OK)
			return rc;
		rc = sig_save_private(k, path);
		sig_signer_free(k);
		if (rc != ERR_OK && rc != ERR_EXISTS)
			return rc;
		LOG(LOGL_INFO, "created receipt key %s", path);
	}
	if ((rc = sig_load_private(path, &s->receipt_key)) != ERR_OK)
		return rc;
	sig_public(s->receipt_key, pub);
	sha256(pub, sizeof pub, md);
	snprintf(s->receipt_kid, sizeof s->receipt_kid, "R-%02X%02X%02X%02X", md[0], md[1], md[2],
	         md[3]);
	EVP_EncodeBlock((unsigned char *)b64, pub, SIG_PUBLEN);
	snprintf(day, sizeof day, "1970-01-01");
	if (stat(path, &st) == 0)
		date_format(date_from_days(st.st_mtime / 86400), day, sizeof day);
	snprintf(s->receipt_line, sizeof s->receipt_line, "%s receipt - %s - %s\n", s->receipt_kid,
	         day, b64);
	return ERR_OK;
}

err store_open(const char *dir, size_t map_size, store **out)
{
	store *s = calloc(1, sizeof *s);
	MDB_txn *txn = NULL;
	int rc;
	err e;

	if (!s)
		return ERR_NOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	s->queue_tail = &s->queue;
	s->done_tail = &s->done;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		LOG(LOGL_ERROR, "cannot create %s: %s", dir, strerror(errno));
		free(s);
		return ERR_IO;
	}
	/* Without a size, the one the database was last used with (LMDB keeps
	 * it), and at least the default: a maintenance command run beside a
	 * service with a larger map must not find the database full. */
	if ((rc = mdb_env_create(&s->env)) != 0 || (rc = mdb_env_set_maxdbs(s->env, 8)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, map_size)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, 256)) != 0 ||
	    (rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != 0) {
		e = rc == ENOENT || rc == EACCES ? ERR_IO : db_err(rc, "open");
		goto fail;
	}
	if (!map_size) {
		MDB_envinfo info;
		if ((rc = mdb_env_info(s->env, &info)) != 0 ||
		    (info.me_mapsize < DEFAULT_MAP_SIZE &&
		     (rc = mdb_env_set_mapsize(s->env, DEFAULT_MAP_SIZE)) != 0)) {
			e = db_err(rc, "map size");
			goto fail;
		}
	}
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "vouchers", MDB_CREATE, &s->vouchers)) != 0 ||
	    (rc = mdb_dbi_open(txn, "redemptions", MDB_CREATE, &s->redemptions)) != 0 ||
	    (rc = mdb_dbi_open(txn, "requests", MDB_CREATE, &s->requests)) != 0 ||
	    (rc = mdb_dbi_open(txn, "terminals", MDB_CREATE, &s->terminals)) != 0 ||
	    (rc = mdb_dbi_open(txn, "tokens", MDB_CREATE, &s->tokens)) != 0 ||
	    (rc = mdb_dbi_open(txn, "journal", MDB_CREATE, &s->journal)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		if (txn)
			mdb_txn_abort(txn);
		e = db_err(rc, "open tables");
		goto fail;
	}
	if ((e = open_receipt_key(s, dir)) != ERR_OK)
		goto fail;
	*out = s;
	return ERR_OK;
fail:
	mdb_env_close(s->env);
	sig_signer_free(s->receipt_key);
	free(s);
	return e;
}

void store_close(store *s)
{
	if (!s)
		return;
	if (s->started)
		store_stop(s);
	mdb_env_close(s->env);
	sig_signer_free(s->receipt_key);
	if (s->notify)
		event_free(s->notify);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}

void store_receipt_keyline(const store *s, char *out, size_t n)
{
	snprintf(out, n, "%s", s->receipt_line);
}

/* ---- counters in meta ---- */

/* The number under name in meta, 0 if there is none. */
static int meta_get_u64(store *s, MDB_txn *txn, const char *name, uint64_t *out)
{
	MDB_val key = {strlen(name), (void *)name}, val;
	int rc = mdb_get(txn, s->meta, &key, &val);

	*out = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc == 0 && val.mv_size != sizeof *out)
		rc = MDB_CORRUPTED;
	if (rc == 0)
		memcpy(out, val.mv_data, sizeof *out);
	return rc;
}

static int meta_put_u64(store *s, MDB_txn *txn, const char *name, uint64_t v)
{
	MDB_val key = {strlen(name), (void *)name}, val = {sizeof v, &v};

	return mdb_put(txn, s->meta, &key, &val, 0);
}

static int next_counter(store *s, MDB_txn *txn, const char *name, uint64_t *out)
{
	int rc = meta_get_u64(s, txn, name, out);

	return rc ? rc : meta_put_u64(s, txn, name, ++*out);
}

err store_note_revlist(store *s, uint64_t version, uint64_t *seen)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return db_err(rc, "begin");
	if ((rc = meta_get_u64(s, txn, "revlist_version", seen)) == 0 && version < *seen) {
		mdb_txn_abort(txn);
		return ERR_INVALID;
	}
	if (rc == 0 && version > *seen)
		rc = meta_put_u64(s, txn, "revlist_version", version);
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	return rc ? db_err(rc, "revocation list version") : ERR_OK;
}

/* ---- terminals ---- */

static json_t *terminal_json(const terminal *t)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:I}", "merchant", t->merchant, "gallery",
	                 t->gallery, "name", t->name, "disabled", t->disabled, "created",
	                 (json_int_t)t->created);
}

static err terminal_parse(uint32_t id, const MDB_val *val, terminal *t)
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
	be32(t->id, k);
	val.mv_size = strlen(j);
	val.mv_data = j;
	rc = mdb_put(txn, s->terminals, &key, &val, 0);
	free(j);
	return rc;
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
	sha256(token, TERMINAL_TOKEN_LEN, md);
	snprintf(t.merchant, sizeof t.merchant, "%s", merchant);
	snprintf(t.gallery, sizeof t.gallery, "%s", gallery);
	snprintf(t.name, sizeof t.name, "%s", name);
	t.created = time(NULL);
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return db_err(rc, "begin");
	if ((rc = next_counter(s, txn, "next_terminal", &n)) == 0) {
		t.id = (uint32_t)n;
		be32(t.id, k);
		if ((rc = put_terminal(s, txn, &t)) == 0)
			rc = mdb_put(txn, s->tokens, &tkey, &tval, MDB_NOOVERWRITE);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return db_err(rc, "add terminal");
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return db_err(rc, "commit");
	*id = t.id;
	return ERR_OK;
}

static err get_terminal(store *s, MDB_txn *txn, uint32_t id, terminal *out)
{
	uint8_t k[4];
	MDB_val key = {4, k}, val;
	int rc;

	be32(id, k);
	rc = mdb_get(txn, s->terminals, &key, &val);
	if (rc == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	if (rc != 0)
		return db_err(rc, "get terminal");
	return terminal_parse(id, &val, out);
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
	sha256(token, len, md);
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = mdb_get(txn, s->tokens, &key, &val);
	if (rc == 0 && val.mv_size == 4) {
		const uint8_t *p = val.mv_data;
		uint32_t id =
		    (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		e = get_terminal(s, txn, id, out);
		if (e == ERR_OK && out->disabled)
			e = ERR_UNAUTHORIZED;
		else if (e == ERR_NOT_FOUND)
			e = ERR_UNAUTHORIZED;
	} else if (rc != MDB_NOTFOUND) {
		e = db_err(rc, "auth");
	}
	mdb_txn_abort(txn);
	return e;
}

err store_terminal_disable(store *s, uint32_t id)
{
	terminal t;
	MDB_txn *txn;
	err e;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return db_err(rc, "begin");
	if ((e = get_terminal(s, txn, id, &t)) == ERR_OK) {
		t.disabled = true;
		if ((rc = put_terminal(s, txn, &t)) != 0)
			e = db_err(rc, "disable");
	}
	if (e != ERR_OK) {
		mdb_txn_abort(txn);
		return e;
	}
	return (rc = mdb_txn_commit(txn)) == 0 ? ERR_OK : db_err(rc, "commit");
}

err store_terminal_each(store *s, void (*fn)(const terminal *t, void *ctx), void *ctx)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val key, val;
	err e = ERR_OK;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	if ((rc = mdb_cursor_open(txn, s->terminals, &cur)) != 0) {
		mdb_txn_abort(txn);
		return db_err(rc, "cursor");
	}
	while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		const uint8_t *p = key.mv_data;
		terminal t;
		if (key.mv_size != 4)
			continue;
		if ((e = terminal_parse((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		                            (uint32_t)p[2] << 8 | p[3],
		                        &val, &t)) != ERR_OK)
			break;
		fn(&t, ctx);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return e;
}

/* ---- vouchers ---- */

static int get_vrec(store *s, MDB_txn *txn, uint64_t serial, vrec *out)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	int rc;

	be64(serial, k);
	rc = mdb_get(txn, s->vouchers, &key, &val);
	if (rc == 0 && val.mv_size == sizeof *out)
		memcpy(out, val.mv_data, sizeof *out);
	else if (rc == 0)
		rc = MDB_CORRUPTED;
	return rc;
}

static int put_vrec(store *s, MDB_txn *txn, uint64_t serial, const vrec *v)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val = {sizeof *v, (void *)v};

	be64(serial, k);
	return mdb_put(txn, s->vouchers, &key, &val, 0);
}

err store_voucher_get(store *s, uint64_t serial, vstate *out)
{
	MDB_txn *txn;
	vrec v;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = get_vrec(s, txn, serial, &v);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	if (rc != 0)
		return db_err(rc, "get voucher");
	out->face_value = v.face_value;
	out->remaining = v.remaining;
	out->multi = v.multi;
	out->year = v.year;
	out->month = v.month;
	out->redemptions = v.redemptions;
	out->valid_from = v.valid_from;
	out->valid_until = v.valid_until;
	return ERR_OK;
}

/* ---- journal ---- */

static void iso_time(int64_t t, char out[21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Append o's entry to the hash chain of its period: the line's fields up
 * to the receipt, then the previous entry's hash and this one's, which is
 * SHA-256 over the previous hash, a comma and the fields.
 */
static int journal_append(store *s, MDB_txn *txn, const op *o)
{
	char hkey[5 + 8], line[2048], ts[21], sr[VOUCHER_SERIAL_LEN + 1];
	uint8_t jk[7 + 8], md[32];
	MDB_val key = {sizeof hkey, hkey}, val, jkey = {sizeof jk, jk};
	head h = {0, ZERO_HASH};
	size_t len, core;
	int rc;

	memcpy(hkey, "head:", 5);
	memcpy(hkey + 5, o->period, 7);
	hkey[12] = '\0';
	key.mv_size = 12;
	rc = mdb_get(txn, s->meta, &key, &val);
	if (rc == 0 && val.mv_size == sizeof h)
		memcpy(&h, val.mv_data, sizeof h);
	else if (rc != MDB_NOTFOUND)
		return rc ? rc : MDB_CORRUPTED;
	h.seq++;
	iso_time(o->now, ts);
	voucher_serial_format(o->serial, sr);
	core = (size_t)snprintf(
	    line, sizeof line,
	    "%" PRIu64 ",%s,%s,%s,%s,%s,%" PRId64 ",%" PRId64 ",%s,%s,%" PRIu32 ",%s", h.seq, ts,
	    o->kind == OP_REDEEM ? "redeem" : "void", o->rid, sr, o->period, o->debited,
	    o->remaining, o->term.merchant, o->term.gallery, o->term.id,
	    o->kind == OP_REDEEM ? o->receipt : "");
	{
		char pre[HASH_HEX + 1 + sizeof line];
		int n = snprintf(pre, sizeof pre, "%s,%s", h.hash, line);
		sha256(pre, (size_t)n, md);
	}
	len = core + (size_t)snprintf(line + core, sizeof line - core, ",%s,", h.hash);
	hex(md, 32, line + len);
	len += HASH_HEX;
	memcpy(h.hash, line + len - HASH_HEX, HASH_HEX + 1);

	memcpy(jk, o->period, 7);
	be64(h.seq, jk + 7);
	val.mv_size = len;
	val.mv_data = line;
	if ((rc = mdb_put(txn, s->journal, &jkey, &val, MDB_NOOVERWRITE)) != 0)
		return rc;
	val.mv_size = sizeof h;
	val.mv_data = &h;
	return mdb_put(txn, s->meta, &key, &val, 0);
}

err store_export(store *s, const char *per, void *file)
{
	FILE *f = file;
	uint8_t jk[7];
	MDB_val key = {7, jk}, val;
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc;

	memcpy(jk, per, 7);
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	if ((rc = mdb_cursor_open(txn, s->journal, &cur)) != 0) {
		mdb_txn_abort(txn);
		return db_err(rc, "cursor");
	}
	fputs("seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,"
	      "terminal,receipt,prev_hash,hash\n",
	      f);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (key.mv_size != 15 || memcmp(key.mv_data, per, 7) != 0)
			break;
		fwrite(val.mv_data, 1, val.mv_size, f);
		fputc('\n', f);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (fflush(f) != 0 || ferror(f))
		return ERR_IO;
	return rc == 0 || rc == MDB_NOTFOUND ? ERR_OK : db_err(rc, "export");
}

/* ---- redemption and void, inside the writer's transaction ---- */

/* The body of o's receipt, into o->receipt: the writer signs it with the
 * rest of its batch (receipt_sign_tree). */
static err receipt_body(store *s, op *o)
{
	char ts[21], sr[VOUCHER_SERIAL_LEN + 1];
	int n;

	iso_time(o->now, ts);
	voucher_serial_format(o->serial, sr);
	n = snprintf(o->receipt, sizeof o->receipt,
	             "UR2|%s|%s|%" PRId64 "|%" PRId64 "|%s|%s|%" PRIu32 "|%s|%s", o->rid, sr,
	             o->debited, o->remaining, o->term.merchant, o->term.gallery, o->term.id, ts,
	             s->receipt_kid);
	return n < 0 || n > RECEIPT_MAX - RECEIPT_TAIL_MAX ? ERR_INTERNAL : ERR_OK;
}

/* The redemption rid, and its receipt if receipt is not NULL ("" while its
 * batch is being written). */
static int get_rrec(store *s, MDB_txn *txn, const char *rid, rrec *out,
                    char receipt[RECEIPT_MAX + 1])
{
	MDB_val key = {strlen(rid), (void *)rid}, val;
	int rc = mdb_get(txn, s->redemptions, &key, &val);

	if (rc != 0)
		return rc;
	if (val.mv_size < RREC_HEAD || val.mv_size > RREC_HEAD + RECEIPT_MAX + 1)
		return MDB_CORRUPTED;
	memset(out, 0, sizeof *out);
	memcpy(out, val.mv_data, RREC_HEAD);
	if (receipt) {
		size_t n = strnlen((char *)val.mv_data + RREC_HEAD, val.mv_size - RREC_HEAD);
		memcpy(receipt, (char *)val.mv_data + RREC_HEAD, n);
		receipt[n] = '\0';
	}
	return 0;
}

static int put_rrec(store *s, MDB_txn *txn, const char *rid, const rrec *r, const char *receipt)
{
	size_t n = strlen(receipt);
	MDB_val key = {strlen(rid), (void *)rid}, val = {RREC_HEAD + n, NULL};
	int rc = mdb_put(txn, s->redemptions, &key, &val, MDB_RESERVE);

	if (rc == 0) {
		memcpy(val.mv_data, r, RREC_HEAD);
		memcpy((char *)val.mv_data + RREC_HEAD, receipt, n);
	}
	return rc;
}

static void period_text(uint16_t year, uint8_t month, char out[8])
{
	snprintf(out, 8, "%04u-%02u", (unsigned)year % 10000, (unsigned)month % 100);
}

static int lookup_request(store *s, MDB_txn *txn, uint32_t term_id, const char *request_id,
                          const uint8_t body_hash[32], op *o);

/* Returns an LMDB error (the batch fails), or 0 with o->rc the answer. */
static int do_redeem(store *s, MDB_txn *txn, op *o)
{
	uint8_t rk[4 + REQUEST_ID_MAX];
	size_t idlen = strlen(o->request_id);
	MDB_val rkey = {4 + idlen, rk}, rval;
	char rv[32 + RID_MAX + 1];
	rrec r;
	vrec v;
	uint64_t n;
	int rc;

	/* A request seen before: the same answer, or a conflict. */
	rc = lookup_request(s, txn, o->term.id, o->request_id, o->body_hash, o);
	if (rc != MDB_NOTFOUND)
		return rc;
	be32(o->term.id, rk);
	memcpy(rk + 4, o->request_id, idlen);

	o->serial = o->v.serial;
	if (o->amount < 1) {
		o->rc = ERR_MALFORMED_REQUEST;
		return 0;
	}
	rc = get_vrec(s, txn, o->v.serial, &v);
	if (rc == MDB_NOTFOUND) {
		memset(&v, 0, sizeof v);
		v.face_value = o->v.face_value;
		v.remaining = o->v.face_value;
		v.multi = (o->v.flags & VOUCHER_FLAG_MULTI) != 0;
		v.year = o->v.year;
		v.month = o->v.month;
		v.valid_from = o->v.valid_from;
		v.valid_until = o->v.valid_until;
	} else if (rc != 0) {
		return rc;
	}
	o->remaining = v.remaining;
	if (v.remaining == 0) {
		o->rc = ERR_ALREADY_SPENT;
		return 0;
	}
	if (o->amount > v.remaining) {
		o->rc = ERR_INSUFFICIENT_BALANCE;
		return 0;
	}
	/* A single-use voucher is spent whole by its first purchase. */
	o->debited = v.multi ? o->amount : v.remaining;
	v.remaining -= o->debited;
	v.redemptions++;
	o->remaining = v.remaining;

	if ((rc = next_counter(s, txn, "next_rid", &n)) != 0)
		return rc;
	snprintf(o->rid, sizeof o->rid, "%s-%" PRIu64, s->receipt_kid, n);
	if ((o->rc = receipt_body(s, o)) != ERR_OK)
		return 0;
	memset(&r, 0, sizeof r);
	r.serial = o->serial;
	r.amount = o->debited;
	r.remaining_after = v.remaining;
	r.time = o->now;
	r.terminal = o->term.id;
	r.year = v.year;
	r.month = v.month;
	memcpy(r.merchant, o->term.merchant, sizeof r.merchant);
	memcpy(r.gallery, o->term.gallery, sizeof r.gallery);
	memcpy(rv, o->body_hash, 32);
	memcpy(rv + 32, o->rid, strlen(o->rid));
	rval.mv_size = 32 + strlen(o->rid);
	rval.mv_data = rv;
	period_text(v.year, v.month, o->period);
	/* The receipt and the journal entry follow once the batch is signed. */
	if ((rc = put_vrec(s, txn, o->serial, &v)) != 0 ||
	    (rc = put_rrec(s, txn, o->rid, &r, "")) != 0 ||
	    (rc = mdb_put(txn, s->requests, &rkey, &rval, 0)) != 0)
		return rc;
	o->rc = ERR_OK;
	return 0;
}

static int do_void(store *s, MDB_txn *txn, op *o)
{
	const tzone tz = {"", "", o->tz_offset};
	char receipt[RECEIPT_MAX + 1];
	rrec r;
	vrec v;
	int rc = get_rrec(s, txn, o->rid, &r, receipt);

	if (rc == MDB_NOTFOUND || (rc == 0 && strcmp(r.merchant, o->term.merchant) != 0)) {
		o->rc = ERR_NOT_FOUND;
		return 0;
	}
	if (rc != 0)
		return rc;
	if ((rc = get_vrec(s, txn, r.serial, &v)) != 0)
		return rc;
	o->serial = r.serial;
	o->debited = r.amount;
	if (r.voided) {
		o->replay = true;
		o->remaining = v.remaining;
		o->rc = ERR_OK;
		return 0;
	}
	if (date_to_days(date_at(r.time, &tz)) != date_to_days(date_at(o->now, &tz))) {
		o->rc = ERR_VOID_TOO_LATE;
		return 0;
	}
	v.remaining += r.amount;
	r.voided = 1;
	r.void_time = o->now;
	o->remaining = v.remaining;
	period_text(r.year, r.month, o->period);
	if ((rc = put_vrec(s, txn, r.serial, &v)) != 0 ||
	    (rc = put_rrec(s, txn, o->rid, &r, receipt)) != 0)
		return rc;
	o->rc = ERR_OK;
	return 0;
}

/* An operation that changed the database, not a refusal or a replay. */
static bool recorded(const op *o)
{
	return o->rc == ERR_OK && !o->replay;
}

/*
 * After the batch's operations: sign the new redemptions' receipts, one
 * signature per tree of up to RECEIPT_TREE_MAX, and store them; append
 * the journal entries in the order of the operations; and give a replay of
 * a request made earlier in the same batch its receipt. Returns an LMDB
 * error, or -1 if signing failed; either fails the whole batch.
 */
static int finish_batch(store *s, MDB_txn *txn, op *batch)
{
	char *text[RECEIPT_TREE_MAX];
	op *o;
	size_t n = 0;
	rrec r;
	int rc;

	for (o = batch; o; o = o->next) {
		if (o->kind == OP_REDEEM && recorded(o))
			text[n++] = o->receipt;
		if (n == RECEIPT_TREE_MAX || (n && !o->next)) {
			if (receipt_sign_tree(s->receipt_key, text, n) != ERR_OK)
				return -1;
			n = 0;
		}
	}
	for (o = batch; o; o = o->next) {
		/* A replay of a redemption earlier in this batch: its receipt is
		 * stored by now, the original coming first. */
		if (o->kind == OP_REDEEM && o->replay && o->rc == ERR_OK && !o->receipt[0] &&
		    (rc = get_rrec(s, txn, o->rid, &r, o->receipt)) != 0)
			return rc;
		if (!recorded(o))
			continue;
		if (o->kind == OP_REDEEM && ((rc = get_rrec(s, txn, o->rid, &r, NULL)) != 0 ||
		                             (rc = put_rrec(s, txn, o->rid, &r, o->receipt)) != 0))
			return rc;
		if ((rc = journal_append(s, txn, o)) != 0)
			return rc;
	}
	return 0;
}

/* ---- the writer thread ---- */

static unsigned bucket(uint64_t v, uint64_t first)
{
	unsigned b = 0;

	while (b < 7 && v >= first) {
		v >>= 1;
		b++;
	}
	return b;
}

static void *writer_main(void *arg)
{
	store *s = arg;

	for (;;) {
		op *batch, *o, **tail;
		MDB_txn *txn = NULL;
		struct timespec t0, t1;
		uint64_t n = 0, us;
		int rc;

		pthread_mutex_lock(&s->lock);
		while (!s->queue && !s->stopping)
			pthread_cond_wait(&s->wake, &s->lock);
		if (!s->queue) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		/* Take what is queued, up to MAX_BATCH: never wait for more. */
		batch = s->queue;
		for (o = batch, tail = &s->queue; o && n < MAX_BATCH; o = o->next, n++)
			tail = &o->next;
		s->queue = *tail;
		*tail = NULL;
		if (!s->queue)
			s->queue_tail = &s->queue;
		pthread_mutex_unlock(&s->lock);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		for (o = batch; o && rc == 0; o = o->next)
			rc = o->kind == OP_REDEEM ? do_redeem(s, txn, o) : do_void(s, txn, o);
		if (rc == 0)
			rc = finish_batch(s, txn, batch);
		if (rc == 0)
			rc = mdb_txn_commit(txn); /* durable: fsync before return */
		else if (txn)
			mdb_txn_abort(txn);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc != 0) {
			err e = rc == -1 ? ERR_CRYPTO : db_err(rc, "commit");
			/* Nothing of the batch was recorded: nothing is acknowledged. */
			for (o = batch; o; o = o->next) {
				o->rc = e;
				o->replay = false;
			}
		}
		us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
		                (t1.tv_nsec - t0.tv_nsec) / 1000);

		pthread_mutex_lock(&s->lock);
		s->stats.batches++;
		s->stats.ops += n;
		s->stats.commit_us_total += us;
		if (us > s->stats.commit_us_max)
			s->stats.commit_us_max = us;
		s->stats.batch_hist[bucket(n, 2)]++;
		s->stats.commit_hist[bucket(us, 500)]++;
		*s->done_tail = batch;
		s->done_tail = tail;
		pthread_mutex_unlock(&s->lock);
		event_active(s->notify, EV_READ, 0);
	}
	sig_thread_done(); /* the receipt signing context */
	return NULL;
}

/* On the event loop: hand every finished operation back. */
static void deliver(evutil_socket_t fd, short what, void *arg)
{
	store *s = arg;
	op *o;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&s->lock);
	o = s->done;
	s->done = NULL;
	s->done_tail = &s->done;
	pthread_mutex_unlock(&s->lock);
	while (o) {
		op *next = o->next;
		o->next = NULL;
		o->done(o);
		o = next;
	}
}

err store_start(store *s, struct event_base *base)
{
	if (!(s->notify = event_new(base, -1, 0, deliver, s)))
		return ERR_NOMEM;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
		return ERR_INTERNAL;
	s->started = true;
	return ERR_OK;
}

void store_submit(store *s, op *o)
{
	o->next = NULL;
	pthread_mutex_lock(&s->lock);
	*s->queue_tail = o;
	s->queue_tail = &o->next;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void store_finish(store *s, op *o)
{
	o->next = NULL;
	pthread_mutex_lock(&s->lock);
	*s->done_tail = o;
	s->done_tail = &o->next;
	pthread_mutex_unlock(&s->lock);
	event_active(s->notify, EV_READ, 0);
}

void store_stop(store *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	s->started = false;
	deliver(-1, 0, s);
}

void store_get_stats(store *s, store_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->lock);
}

/* The answer recorded for (terminal, request_id) in txn, as do_redeem gives it. */
static int lookup_request(store *s, MDB_txn *txn, uint32_t term_id, const char *request_id,
                          const uint8_t body_hash[32], op *o)
{
	uint8_t rk[4 + REQUEST_ID_MAX];
	size_t idlen = strlen(request_id);
	MDB_val rkey = {4 + idlen, rk}, rval;
	rrec r;
	int rc;

	be32(term_id, rk);
	memcpy(rk + 4, request_id, idlen);
	if ((rc = mdb_get(txn, s->requests, &rkey, &rval)) != 0)
		return rc;
	if (rval.mv_size < 32 || rval.mv_size > 32 + RID_MAX ||
	    memcmp(rval.mv_data, body_hash, 32) != 0) {
		o->rc = ERR_REQUEST_CONFLICT;
		return 0;
	}
	memcpy(o->rid, (char *)rval.mv_data + 32, rval.mv_size - 32);
	o->rid[rval.mv_size - 32] = '\0';
	if ((rc = get_rrec(s, txn, o->rid, &r, o->receipt)) != 0)
		return rc;
	o->replay = true;
	o->serial = r.serial;
	o->debited = r.amount;
	o->remaining = r.remaining_after;
	o->rc = ERR_OK;
	return 0;
}

err store_request_get(store *s, uint32_t term_id, const char *request_id,
                      const uint8_t body_hash[32], op *o)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = lookup_request(s, txn, term_id, request_id, body_hash, o);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	return rc == 0 ? o->rc : db_err(rc, "request");
}

err store_backup(store *s, const char *path)
{
	return backup_lmdb(s->env, path);
}

err store_summarize(store *s, store_summary *out)
{
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	MDB_stat st;
	err e = ERR_OK;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	if ((rc = mdb_stat(txn, s->journal, &st)) == 0)
		out->journal_entries = st.ms_entries;
	if (rc == 0 && (rc = mdb_cursor_open(txn, s->vouchers, &cur)) == 0) {
		while (mdb_cursor_get(cur, &key, &val, MDB_NEXT) == 0)
			if (val.mv_size == sizeof(vrec)) {
				vrec v;
				memcpy(&v, val.mv_data, sizeof v);
				out->vouchers++;
				out->remaining += v.remaining;
			}
		mdb_cursor_close(cur);
		rc = mdb_cursor_open(txn, s->redemptions, &cur);
	}
	if (rc == 0) {
		while (mdb_cursor_get(cur, &key, &val, MDB_NEXT) == 0)
			if (val.mv_size >= RREC_HEAD) {
				rrec r; /* LMDB values need not be aligned */
				memcpy(&r, val.mv_data, RREC_HEAD);
				out->redemptions++;
				if (r.voided)
					out->voided++;
				else
					out->redeemed += r.amount;
			}
		mdb_cursor_close(cur);
		rc = mdb_cursor_open(txn, s->terminals, &cur);
	}
	if (rc == 0) {
		while (mdb_cursor_get(cur, &key, &val, MDB_NEXT) == 0) {
			terminal t;
			out->terminals++;
			if (key.mv_size == 4 && terminal_parse(0, &val, &t) == ERR_OK && t.disabled)
				out->terminals_disabled++;
		}
		mdb_cursor_close(cur);
	}
	if (rc != 0)
		e = db_err(rc, "summary");
	mdb_txn_abort(txn);
	return e;
}
