#include "ledger.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <lmdb.h>

#include "backup.h"
#include "bytes.h"
#include "log.h"

struct ledger {
	MDB_env *env;
	MDB_dbi vouchers;  /* serial (8 bytes BE) -> JSON record */
	MDB_dbi by_nip;    /* "YYYY-MM" NIP -> serial */
	MDB_dbi by_period; /* "YYYY-MM" serial -> "" */
	MDB_dbi revoked;   /* serial -> JSON {reason, at, replaced_by} */
	MDB_dbi meta;      /* "revocations" -> u64 version */
};

#define MAP_SIZE ((size_t)4 << 30)

static err db_err(int rc, const char *what)
{
	if (rc == MDB_MAP_FULL) {
		LOG(LOGL_ERROR, "ledger %s: %s", what, mdb_strerror(rc));
		return ERR_UNAVAILABLE;
	}
	LOG(LOGL_ERROR, "ledger %s: %s", what, mdb_strerror(rc));
	return ERR_DB;
}

err ledger_open(const char *dir, bool create, ledger **out)
{
	ledger *l = calloc(1, sizeof *l);
	MDB_txn *txn = NULL;
	unsigned flags = create ? MDB_CREATE : 0;
	int rc;

	if (!l)
		return ERR_NOMEM;
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		LOG(LOGL_ERROR, "cannot create ledger %s: %s", dir, strerror(errno));
		free(l);
		return ERR_IO;
	}
	if ((rc = mdb_env_create(&l->env)) != 0 || (rc = mdb_env_set_maxdbs(l->env, 8)) != 0 ||
	    (rc = mdb_env_set_mapsize(l->env, MAP_SIZE)) != 0)
		goto fail;
	rc = mdb_env_open(l->env, dir, create ? 0 : MDB_RDONLY, 0600);
	if (rc != 0) {
		LOG(LOGL_ERROR, "cannot open ledger %s: %s", dir, mdb_strerror(rc));
		mdb_env_close(l->env);
		free(l);
		return ERR_IO;
	}
	if ((rc = mdb_txn_begin(l->env, NULL, create ? 0 : MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "vouchers", flags, &l->vouchers)) != 0 ||
	    (rc = mdb_dbi_open(txn, "by_nip", flags, &l->by_nip)) != 0 ||
	    (rc = mdb_dbi_open(txn, "by_period", flags, &l->by_period)) != 0 ||
	    (rc = mdb_dbi_open(txn, "revoked", flags, &l->revoked)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", flags, &l->meta)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		if (txn && rc != 0)
			mdb_txn_abort(txn);
		if (rc == MDB_NOTFOUND) {
			LOG(LOGL_ERROR, "%s is not an issuance ledger", dir);
			mdb_env_close(l->env);
			free(l);
			return ERR_IO;
		}
		goto fail;
	}
	*out = l;
	return ERR_OK;
fail:
	mdb_env_close(l->env);
	free(l);
	return db_err(rc, "open");
}

void ledger_close(ledger *l)
{
	if (!l)
		return;
	mdb_env_close(l->env);
	free(l);
}

/* "YYYY-MM" followed by a suffix of n bytes: the index keys. */
static size_t index_key(period p, const void *suffix, size_t n, uint8_t *out)
{
	char per[8];

	period_format(p, per, sizeof per);
	memcpy(out, per, 7);
	memcpy(out + 7, suffix, n);
	return 7 + n;
}

static int find(ledger *l, MDB_txn *txn, period p, const char *nip, uint64_t *serial)
{
	uint8_t k[7 + NIP_LEN];
	MDB_val key = {index_key(p, nip, NIP_LEN, k), k}, val;
	int rc = mdb_get(txn, l->by_nip, &key, &val);

	if (rc == 0 && val.mv_size == 8)
		*serial = get_be64(val.mv_data);
	return rc;
}

err ledger_find(ledger *l, period p, const char *nip, uint64_t *serial)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);

	if (rc != 0)
		return db_err(rc, "read");
	rc = find(l, txn, p, nip, serial);
	mdb_txn_abort(txn);
	return rc == 0 ? ERR_OK : rc == MDB_NOTFOUND ? ERR_NOT_FOUND : db_err(rc, "find");
}

bool ledger_has_serial(ledger *l, uint64_t serial)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	MDB_txn *txn;
	int rc;

	put_be64(k, serial);
	if (mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn) != 0)
		return true; /* the caller then picks another serial */
	rc = mdb_get(txn, l->vouchers, &key, &val);
	mdb_txn_abort(txn);
	return rc != MDB_NOTFOUND;
}

static char *encode(const ledger_voucher *v)
{
	char per[8], serial[VOUCHER_SERIAL_LEN + 1], repl[VOUCHER_SERIAL_LEN + 1];
	json_t *o;
	char *s;

	period_format(v->per, per, sizeof per);
	voucher_serial_format(v->serial, serial);
	voucher_serial_format(v->replaces, repl);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:s*}", "serial", serial,
	              "nip", v->nip, "name", v->name, "opd", v->opd, "class", v->cls, "amount",
	              (json_int_t)v->amount, "period", per, "kid", v->kid, "token", v->token,
	              "issued_at", (json_int_t)v->issued_at, "replaces", v->replaces ? repl : NULL);
	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static err decode(const MDB_val *val, ledger_voucher *v)
{
	json_error_t e;
	json_t *o = json_loadb(val->mv_data, val->mv_size, 0, &e);
	const char *serial, *nip, *name, *opd, *cls, *per, *kid, *token, *repl = NULL;
	json_int_t amount, issued;
	err rc = ERR_DB;

	if (!o)
		return ERR_DB;
	if (json_unpack(o, "{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s?s}", "serial",
	                &serial, "nip", &nip, "name", &name, "opd", &opd, "class", &cls, "amount",
	                &amount, "period", &per, "kid", &kid, "token", &token, "issued_at", &issued,
	                "replaces", &repl) != 0)
		goto cleanup;
	memset(v, 0, sizeof *v);
	if (voucher_serial_parse(serial, &v->serial) != ERR_OK ||
	    period_parse(per, &v->per) != ERR_OK)
		goto cleanup;
	if (repl && voucher_serial_parse(repl, &v->replaces) != ERR_OK)
		goto cleanup;
	copy_str(v->nip, sizeof v->nip, nip);
	copy_str(v->name, sizeof v->name, name);
	copy_str(v->opd, sizeof v->opd, opd);
	copy_str(v->cls, sizeof v->cls, cls);
	copy_str(v->kid, sizeof v->kid, kid);
	copy_str(v->token, sizeof v->token, token);
	v->amount = amount;
	v->issued_at = issued;
	rc = ERR_OK;
cleanup:
	json_decref(o);
	return rc;
}

/* Fill in the revocation of v, if any, within txn. */
static err read_revocation(ledger *l, MDB_txn *txn, ledger_voucher *v)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	json_t *o;
	const char *reason = "", *by = NULL;
	json_int_t at = 0;
	int rc;

	put_be64(k, v->serial);
	rc = mdb_get(txn, l->revoked, &key, &val);
	if (rc == MDB_NOTFOUND)
		return ERR_OK;
	if (rc != 0)
		return db_err(rc, "read revocation");
	o = json_loadb(val.mv_data, val.mv_size, 0, NULL);
	if (!o || json_unpack(o, "{s:s, s:I, s?s}", "reason", &reason, "at", &at, "replaced_by",
	                      &by) != 0) {
		json_decref(o);
		return ERR_DB;
	}
	v->revoked = true;
	v->revoked_at = at;
	copy_str(v->reason, sizeof v->reason, reason);
	if (by)
		voucher_serial_parse(by, &v->replaced_by);
	json_decref(o);
	return ERR_OK;
}

/* Put one new voucher and its index entries. */
static int put(ledger *l, MDB_txn *txn, const ledger_voucher *v)
{
	uint8_t sk[8], nk[7 + NIP_LEN], pk[7 + 8];
	MDB_val skey = {8, sk}, val, nkey, pkey, empty = {0, ""};
	char *rec = encode(v);
	int rc;

	if (!rec)
		return ENOMEM;
	put_be64(sk, v->serial);
	val.mv_size = strlen(rec);
	val.mv_data = rec;
	nkey.mv_size = index_key(v->per, v->nip, NIP_LEN, nk);
	nkey.mv_data = nk;
	pkey.mv_size = index_key(v->per, sk, 8, pk);
	pkey.mv_data = pk;
	rc = mdb_put(txn, l->vouchers, &skey, &val, MDB_NOOVERWRITE);
	free(rec);
	if (rc == 0) {
		MDB_val sval = {8, sk};
		rc = mdb_put(txn, l->by_nip, &nkey, &sval, v->replaces ? 0 : MDB_NOOVERWRITE);
	}
	if (rc == 0)
		rc = mdb_put(txn, l->by_period, &pkey, &empty, MDB_NOOVERWRITE);
	return rc;
}

err ledger_issuer(ledger *l, char out[KEY_ID_MAX + 1])
{
	MDB_val key = {6, "issuer"}, val;
	MDB_txn *txn;
	int rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);

	if (rc != 0)
		return db_err(rc, "read");
	rc = mdb_get(txn, l->meta, &key, &val);
	if (rc == 0 && val.mv_size <= KEY_ID_MAX) {
		memcpy(out, val.mv_data, val.mv_size);
		out[val.mv_size] = '\0';
	}
	mdb_txn_abort(txn);
	return rc == 0 ? ERR_OK : rc == MDB_NOTFOUND ? ERR_NOT_FOUND : db_err(rc, "read issuer");
}

err ledger_issue(ledger *l, const char *issuer, const ledger_voucher *v, size_t n)
{
	MDB_val key = {6, "issuer"}, val;
	MDB_txn *txn;
	int rc = mdb_txn_begin(l->env, NULL, 0, &txn);

	if (rc != 0)
		return db_err(rc, "begin");
	rc = mdb_get(txn, l->meta, &key, &val);
	if (rc == 0 &&
	    (val.mv_size != strlen(issuer) || memcmp(val.mv_data, issuer, val.mv_size))) {
		mdb_txn_abort(txn);
		return ERR_WRONG_ISSUER;
	}
	if (rc == MDB_NOTFOUND) {
		val.mv_size = strlen(issuer);
		val.mv_data = (void *)issuer;
		rc = mdb_put(txn, l->meta, &key, &val, 0);
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = put(l, txn, &v[i]);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc == MDB_KEYEXIST ? ERR_EXISTS
		       : rc == ENOMEM     ? ERR_NOMEM
		                          : db_err(rc, "issue");
	}
	rc = mdb_txn_commit(txn);
	return rc == 0 ? ERR_OK : db_err(rc, "commit");
}

err ledger_get(ledger *l, uint64_t serial, ledger_voucher *out)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	MDB_txn *txn;
	err e;
	int rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);

	if (rc != 0)
		return db_err(rc, "read");
	put_be64(k, serial);
	rc = mdb_get(txn, l->vouchers, &key, &val);
	if (rc == 0) {
		e = decode(&val, out);
		if (e == ERR_OK)
			e = read_revocation(l, txn, out);
	} else {
		e = rc == MDB_NOTFOUND ? ERR_NOT_FOUND : db_err(rc, "get");
	}
	mdb_txn_abort(txn);
	return e;
}

err ledger_each(ledger *l, period p, int (*fn)(const ledger_voucher *v, void *ctx), void *ctx)
{
	uint8_t pk[7];
	MDB_val key, val;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	ledger_voucher *v = malloc(sizeof *v);
	err e = ERR_OK;
	int rc;

	if (!v)
		return ERR_NOMEM;
	index_key(p, "", 0, pk);
	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_cursor_open(txn, l->by_period, &cur)) != 0) {
		e = db_err(rc, "read");
		goto cleanup;
	}
	key.mv_size = sizeof pk;
	key.mv_data = pk;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		MDB_val skey, rec;
		if (key.mv_size != 15 || memcmp(key.mv_data, pk, 7) != 0)
			break;
		skey.mv_size = 8;
		skey.mv_data = (uint8_t *)key.mv_data + 7;
		if ((rc = mdb_get(txn, l->vouchers, &skey, &rec)) != 0) {
			e = db_err(rc, "index without voucher");
			goto cleanup;
		}
		if ((e = decode(&rec, v)) != ERR_OK || (e = read_revocation(l, txn, v)) != ERR_OK)
			goto cleanup;
		if (fn(v, ctx))
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		e = db_err(rc, "scan");
cleanup:
	mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	free(v);
	return e;
}

/* Record the revocation of serial and bump the list's version, in txn. */
static int revoke_in(ledger *l, MDB_txn *txn, uint64_t serial, const char *reason, int64_t at,
                     uint64_t replaced_by)
{
	uint8_t k[8], ver[8];
	MDB_val key = {8, k}, val, mkey = {11, "revocations"}, mval;
	char by[VOUCHER_SERIAL_LEN + 1];
	uint64_t version = 0;
	json_t *o;
	char *s;
	int rc;

	put_be64(k, serial);
	if ((rc = mdb_get(txn, l->vouchers, &key, &val)) != 0)
		return rc;
	voucher_serial_format(replaced_by, by);
	o = json_pack("{s:s, s:I, s:s*}", "reason", reason, "at", (json_int_t)at, "replaced_by",
	              replaced_by ? by : NULL);
	if (!o || !(s = json_dumps(o, JSON_COMPACT))) {
		json_decref(o);
		return ENOMEM;
	}
	json_decref(o);
	val.mv_size = strlen(s);
	val.mv_data = s;
	rc = mdb_put(txn, l->revoked, &key, &val, MDB_NOOVERWRITE);
	free(s);
	if (rc != 0)
		return rc;
	rc = mdb_get(txn, l->meta, &mkey, &mval);
	if (rc == 0 && mval.mv_size == 8)
		version = get_be64(mval.mv_data);
	else if (rc != MDB_NOTFOUND)
		return rc ? rc : MDB_CORRUPTED;
	put_be64(ver, version + 1);
	mval.mv_size = 8;
	mval.mv_data = ver;
	return mdb_put(txn, l->meta, &mkey, &mval, 0);
}

static err finish(MDB_txn *txn, int rc, const char *what)
{
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc == MDB_NOTFOUND   ? ERR_NOT_FOUND
		       : rc == MDB_KEYEXIST ? ERR_EXISTS
		       : rc == ENOMEM       ? ERR_NOMEM
		                            : db_err(rc, what);
	}
	rc = mdb_txn_commit(txn);
	return rc == 0 ? ERR_OK : db_err(rc, what);
}

err ledger_revoke(ledger *l, uint64_t serial, const char *reason, int64_t at)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(l->env, NULL, 0, &txn);

	if (rc != 0)
		return db_err(rc, "begin");
	return finish(txn, revoke_in(l, txn, serial, reason, at, 0), "revoke");
}

err ledger_reissue(ledger *l, uint64_t old, const ledger_voucher *repl, const char *reason)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(l->env, NULL, 0, &txn);

	if (rc != 0)
		return db_err(rc, "begin");
	rc = revoke_in(l, txn, old, reason, repl->issued_at, repl->serial);
	if (rc == 0)
		rc = put(l, txn, repl);
	return finish(txn, rc, "reissue");
}

err ledger_revoked(ledger *l, uint64_t **serials, size_t *n, uint64_t *version)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key, val, mkey = {11, "revocations"};
	MDB_stat st;
	uint64_t *out = NULL;
	size_t count = 0;
	err e = ERR_OK;
	int rc;

	*version = 0;
	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_stat(txn, l->revoked, &st)) != 0 ||
	    (rc = mdb_cursor_open(txn, l->revoked, &cur)) != 0) {
		e = db_err(rc, "read");
		goto cleanup;
	}
	if (!(out = malloc((st.ms_entries + 1) * sizeof *out))) {
		e = ERR_NOMEM;
		goto cleanup;
	}
	while ((rc = mdb_cursor_get(cur, &key, &val, count ? MDB_NEXT : MDB_FIRST)) == 0 &&
	       count < st.ms_entries)
		out[count++] = get_be64(key.mv_data);
	if (mdb_get(txn, l->meta, &mkey, &val) == 0 && val.mv_size == 8)
		*version = get_be64(val.mv_data);
cleanup:
	mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (e != ERR_OK) {
		free(out);
		return e;
	}
	*serials = out;
	*n = count;
	return ERR_OK;
}

err ledger_set_period_info(ledger *l, period p, const ledger_period_info *info)
{
	char k[16];
	MDB_val key = {0, k}, val;
	MDB_txn *txn;
	json_t *o;
	char *j;
	int rc;

	memcpy(k, "policy:", 7);
	period_format(p, k + 7, sizeof k - 7);
	key.mv_size = 14;
	o = json_pack("{s:b, s:s, s:i}", "refund", info->refund, "timezone", info->timezone,
	              "grace_days", info->grace_days);
	j = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!j)
		return ERR_NOMEM;
	val.mv_size = strlen(j);
	val.mv_data = j;
	if ((rc = mdb_txn_begin(l->env, NULL, 0, &txn)) != 0) {
		free(j);
		return db_err(rc, "begin");
	}
	rc = mdb_put(txn, l->meta, &key, &val, 0);
	free(j);
	return finish(txn, rc, "period info");
}

err ledger_period_info_get(ledger *l, period p, ledger_period_info *out)
{
	char k[16];
	MDB_val key = {0, k}, val;
	MDB_txn *txn;
	json_t *o;
	const char *tz;
	int refund, grace, rc;
	err e = ERR_DB;

	memcpy(k, "policy:", 7);
	period_format(p, k + 7, sizeof k - 7);
	key.mv_size = 14;
	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = mdb_get(txn, l->meta, &key, &val);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return ERR_NOT_FOUND;
	}
	o = rc == 0 ? json_loadb(val.mv_data, val.mv_size, 0, NULL) : NULL;
	if (o && json_unpack(o, "{s:b, s:s, s:i}", "refund", &refund, "timezone", &tz, "grace_days",
	                     &grace) == 0) {
		out->refund = refund;
		snprintf(out->timezone, sizeof out->timezone, "%s", tz);
		out->grace_days = grace;
		e = ERR_OK;
	}
	json_decref(o);
	mdb_txn_abort(txn);
	return e;
}

/* ---- reconciled periods: meta "history:YYYY-MM" -> the record's text ---- */

static void history_key(period p, char k[16], MDB_val *key)
{
	memcpy(k, "history:", 8);
	period_format(p, k + 8, 16 - 8);
	key->mv_size = 15;
	key->mv_data = k;
}

err ledger_history_put(ledger *l, period p, const char *text, size_t len)
{
	char k[16];
	MDB_val key, val = {len, (void *)text};
	MDB_txn *txn;
	int rc;

	history_key(p, k, &key);
	if ((rc = mdb_txn_begin(l->env, NULL, 0, &txn)) != 0)
		return db_err(rc, "begin");
	return finish(txn, mdb_put(txn, l->meta, &key, &val, 0), "history");
}

err ledger_history_get(ledger *l, period p, char **text, size_t *len)
{
	char k[16];
	MDB_val key, val;
	MDB_txn *txn;
	err e = ERR_OK;
	int rc;

	history_key(p, k, &key);
	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = mdb_get(txn, l->meta, &key, &val);
	if (rc == MDB_NOTFOUND)
		e = ERR_NOT_FOUND;
	else if (rc != 0)
		e = db_err(rc, "history");
	else if (!(*text = malloc(val.mv_size + 1)))
		e = ERR_NOMEM;
	else {
		memcpy(*text, val.mv_data, val.mv_size);
		(*text)[val.mv_size] = '\0';
		*len = val.mv_size;
	}
	mdb_txn_abort(txn);
	return e;
}

err ledger_backup(ledger *l, const char *path)
{
	return backup_lmdb(l->env, path);
}

/* ---- the revocation lists' times: meta "revlist_time" -> u64 ---- */

err ledger_next_list_time(ledger *l, int64_t now, int64_t *out)
{
	MDB_val key = {12, "revlist_time"}, val;
	uint8_t v[8];
	uint64_t last = 0;
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(l->env, NULL, 0, &txn)) != 0)
		return db_err(rc, "begin");
	rc = mdb_get(txn, l->meta, &key, &val);
	if (rc == 0 && val.mv_size == 8)
		last = get_be64(val.mv_data);
	else if (rc != MDB_NOTFOUND)
		return finish(txn, rc ? rc : MDB_CORRUPTED, "list time");
	*out = now > (int64_t)last ? now : (int64_t)last + 1;
	put_be64(v, (uint64_t)*out);
	val = (MDB_val){8, v};
	return finish(txn, mdb_put(txn, l->meta, &key, &val, 0), "list time");
}

/* ---- compromised keys: meta "compromised:KID" -> u64 instant ---- */

#define COMPROMISED "compromised:"

err ledger_compromise(ledger *l, const char *kid, int64_t at)
{
	char name[sizeof COMPROMISED + KEY_ID_MAX];
	uint8_t v[8];
	MDB_val key = {0, name}, val = {8, v};
	MDB_txn *txn;
	int rc;

	key.mv_size = (size_t)snprintf(name, sizeof name, COMPROMISED "%s", kid);
	put_be64(v, (uint64_t)at);
	if ((rc = mdb_txn_begin(l->env, NULL, 0, &txn)) != 0)
		return db_err(rc, "begin");
	rc = mdb_put(txn, l->meta, &key, &val, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		mdb_txn_abort(txn);
		return ERR_EXISTS;
	}
	return finish(txn, rc, "compromise");
}

err ledger_compromised(ledger *l, revlist_key **out, size_t *n)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key = {sizeof COMPROMISED - 1, COMPROMISED}, val;
	revlist_key *keys = NULL;
	size_t count = 0;
	err e = ERR_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_cursor_open(txn, l->meta, &cur)) != 0) {
		e = db_err(rc, "read");
		goto cleanup;
	}
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		size_t len = key.mv_size - (sizeof COMPROMISED - 1);
		revlist_key *nk;

		if (key.mv_size < sizeof COMPROMISED ||
		    memcmp(key.mv_data, COMPROMISED, sizeof COMPROMISED - 1) != 0)
			break;
		if (len > KEY_ID_MAX || val.mv_size != 8)
			continue;
		if (!(nk = realloc(keys, (count + 1) * sizeof *nk))) {
			e = ERR_NOMEM;
			goto cleanup;
		}
		keys = nk;
		memcpy(keys[count].kid, (char *)key.mv_data + sizeof COMPROMISED - 1, len);
		keys[count].kid[len] = '\0';
		keys[count++].since = (int64_t)get_be64(val.mv_data);
	}
cleanup:
	mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (e != ERR_OK) {
		free(keys);
		return e;
	}
	*out = keys;
	*n = count;
	return ERR_OK;
}

bool ledger_is_compromised(ledger *l, const char *kid)
{
	revlist_key *keys;
	size_t n;
	bool found = false;

	if (ledger_compromised(l, &keys, &n) != ERR_OK)
		return true; /* cannot tell: do not sign with it */
	for (size_t i = 0; i < n && !found; i++)
		found = strcmp(keys[i].kid, kid) == 0;
	free(keys);
	return found;
}
