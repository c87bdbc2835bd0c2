/*
 * store: the environment and its tables, the counters in meta, the receipt
 * key, and the reads that need no writer. The rest is in the files named
 * in store_impl.h.
 */
#include "store_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "backup.h"
#include "bytes.h"
#include "log.h"
#include "period.h"

#define DEFAULT_MAP_SIZE ((size_t)1 << 30)
#define HEALTH_ROOM      ((size_t)1 << 20) /* less room than this to write: not healthy */

bool db_full(int rc)
{
	return rc == MDB_MAP_FULL || rc == MDB_TXN_FULL || rc == ENOSPC || rc == EDQUOT ||
	       rc == EFBIG;
}

err db_err(int rc, const char *what)
{
	LOG(LOGL_ERROR, "store %s: %s", what, mdb_strerror(rc));
	return db_full(rc) ? ERR_UNAVAILABLE : ERR_DB;
}

/* Writer-preferring, so that a stream of readers cannot hold off a growth. */
static void map_lock_init(pthread_rwlock_t *l)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(l, &a);
	pthread_rwlockattr_destroy(&a);
}

int txn_begin(store *s, unsigned flags, MDB_txn **txn)
{
	int rc;

	pthread_rwlock_rdlock(&s->map);
	rc = mdb_txn_begin(s->env, NULL, flags, txn);
	if (rc == MDB_MAP_RESIZED) {
		pthread_rwlock_unlock(&s->map);
		pthread_rwlock_wrlock(&s->map);
		rc = mdb_env_set_mapsize(s->env, 0); /* the size the other process set */
		pthread_rwlock_unlock(&s->map);
		pthread_rwlock_rdlock(&s->map);
		if (rc == 0)
			rc = mdb_txn_begin(s->env, NULL, flags, txn);
	}
	if (rc != 0) {
		*txn = NULL;
		pthread_rwlock_unlock(&s->map);
	}
	return rc;
}

void txn_abort(store *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&s->map);
}

int txn_commit(store *s, MDB_txn *txn)
{
	int rc = mdb_txn_commit(txn);

	pthread_rwlock_unlock(&s->map);
	return rc;
}

/* The bytes the database's file has, and the free bytes beside it; false
 * if they cannot be known. */
static bool file_space(store *s, size_t *size, size_t *free)
{
	struct statvfs vfs;
	struct stat st;
	mdb_filehandle_t fd;

	if (mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0 || fstatvfs(fd, &vfs) != 0)
		return false;
	*size = (size_t)st.st_size;
	*free = (size_t)vfs.f_bavail * vfs.f_frsize;
	return true;
}

size_t map_room(store *s, size_t *now)
{
	MDB_envinfo info;
	size_t want, size, free, page = (size_t)sysconf(_SC_PAGESIZE);

	if (mdb_env_info(s->env, &info) != 0 || !file_space(s, &size, &free))
		return *now = 0;
	*now = info.me_mapsize;
	want = info.me_mapsize > s->map_max / 2 ? s->map_max : 2 * info.me_mapsize;
	/* The file grows into the map as it is written: no more than it can. */
	if (want > size + free)
		want = size + free;
	want -= want % page;
	return want > *now ? want : *now;
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
	EVP_Digest(pub, sizeof pub, md, NULL, EVP_sha256(), NULL);
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
	map_lock_init(&s->map);
	s->map_max = SIZE_MAX;
	s->queue_tail = &s->queue;
	s->done_tail = &s->done;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		LOG(LOGL_ERROR, "cannot create %s: %s", dir, strerror(errno));
		e = ERR_IO;
		goto fail;
	}
	if ((e = journal_chain_init(&s->chain)) != ERR_OK)
		goto fail;
	/* Without a size, the one the database was last used with (LMDB keeps
	 * it), and at least the default: a maintenance command run beside a
	 * service with a larger map must not find the database full. */
	if ((rc = mdb_env_create(&s->env)) != 0 || (rc = mdb_env_set_maxdbs(s->env, 16)) != 0 ||
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
	if ((rc = txn_begin(s, 0, &txn)) == 0) {
		if ((rc = mdb_dbi_open(txn, "vouchers", MDB_CREATE, &s->vouchers)) != 0 ||
		    (rc = mdb_dbi_open(txn, "redemptions", MDB_CREATE, &s->redemptions)) != 0 ||
		    (rc = mdb_dbi_open(txn, "voids", MDB_CREATE, &s->voids)) != 0 ||
		    (rc = mdb_dbi_open(txn, "requests", MDB_CREATE, &s->requests)) != 0 ||
		    (rc = mdb_dbi_open(txn, "terminals", MDB_CREATE, &s->terminals)) != 0 ||
		    (rc = mdb_dbi_open(txn, "tokens", MDB_CREATE, &s->tokens)) != 0 ||
		    (rc = mdb_dbi_open(txn, "journal", MDB_CREATE, &s->journal)) != 0 ||
		    (rc = mdb_dbi_open(txn, "trees", MDB_CREATE, &s->trees)) != 0 ||
		    (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) != 0)
			txn_abort(s, txn);
		else
			rc = txn_commit(s, txn);
	}
	if (rc == 0)
		rc = store_upgrade(s);
	if (rc != 0) {
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
	journal_chain_free(&s->chain);
	pthread_rwlock_destroy(&s->map);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
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
	journal_chain_free(&s->chain);
	if (s->notify)
		event_free(s->notify);
	pthread_rwlock_destroy(&s->map);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}

void store_limit_map(store *s, size_t max)
{
	s->map_max = max;
}

err store_health(store *s, const char **why)
{
	MDB_envinfo info;
	MDB_stat st;
	size_t size, free, used;
	int rc;

	pthread_rwlock_rdlock(&s->map); /* the writer may be growing the map */
	rc = mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0 ||
	     !file_space(s, &size, &free);
	pthread_rwlock_unlock(&s->map);
	if (rc) {
		*why = "the database cannot be read";
		return ERR_DB;
	}
	used = (info.me_last_pgno + 1) * st.ms_psize;
	*why = NULL;
	if (free < HEALTH_ROOM)
		*why = "the disk is full";
	else if (used + HEALTH_ROOM > (info.me_mapsize > s->map_max ? info.me_mapsize : s->map_max))
		*why = "the database has reached map_size_max_mb";
	pthread_mutex_lock(&s->lock);
	if (!*why && s->space_short)
		*why = "the last commit found no room: the database or the disk is full";
	pthread_mutex_unlock(&s->lock);
	return *why ? ERR_UNAVAILABLE : ERR_OK;
}

void store_receipt_keyline(const store *s, char *out, size_t n)
{
	snprintf(out, n, "%s", s->receipt_line);
}

err store_backup(store *s, const char *path)
{
	return backup_lmdb(s->env, path);
}

/* ---- counters in meta ---- */

int meta_get_u64(store *s, MDB_txn *txn, const char *name, uint64_t *out)
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

int meta_put_u64(store *s, MDB_txn *txn, const char *name, uint64_t v)
{
	MDB_val key = {strlen(name), (void *)name}, val = {sizeof v, &v};

	return mdb_put(txn, s->meta, &key, &val, 0);
}

int meta_next(store *s, MDB_txn *txn, const char *name, uint64_t *out)
{
	int rc = meta_get_u64(s, txn, name, out);

	return rc ? rc : meta_put_u64(s, txn, name, ++*out);
}

/* ERR_UNKNOWN_KEY with kid set if a key meta calls compromised is not
 * compromised in rl, or signed it; an LMDB error as -(rc) otherwise. */
static err check_compromised(store *s, MDB_txn *txn, const revlist *rl, char kid[KEY_ID_MAX + 1])
{
	static const char pre[] = "compromised:";
	MDB_cursor *cur;
	MDB_val key = {sizeof pre - 1, (void *)pre}, val;
	err e = ERR_OK;
	int rc = mdb_cursor_open(txn, s->meta, &cur);

	for (rc = rc ? rc : mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0 && e == ERR_OK;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		size_t n = key.mv_size - (sizeof pre - 1);
		if (key.mv_size < sizeof pre || memcmp(key.mv_data, pre, sizeof pre - 1) != 0 ||
		    n > KEY_ID_MAX)
			break;
		memcpy(kid, (char *)key.mv_data + sizeof pre - 1, n);
		kid[n] = '\0';
		if (!revlist_compromised(rl, kid) || strcmp(rl->kid, kid) == 0)
			e = ERR_UNKNOWN_KEY;
	}
	if (rc == 0 || rc == MDB_NOTFOUND)
		mdb_cursor_close(cur);
	return e != ERR_OK ? e : rc && rc != MDB_NOTFOUND ? db_err(rc, "revocation list") : ERR_OK;
}

err store_take_revlist(store *s, const revlist *rl, int64_t *newest, char kid[KEY_ID_MAX + 1])
{
	MDB_val dkey = {sizeof "revlist_digest" - 1, "revlist_digest"}, val;
	MDB_txn *txn;
	uint64_t t;
	err e = ERR_OK;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)) != 0)
		return db_err(rc, "begin");
	if ((e = check_compromised(s, txn, rl, kid)) != ERR_OK)
		goto out;
	if ((rc = meta_get_u64(s, txn, "revlist_time", &t)) != 0)
		goto out;
	*newest = (int64_t)t;
	if (rl->time < *newest) {
		e = ERR_INVALID;
		goto out;
	}
	rc = mdb_get(txn, s->meta, &dkey, &val);
	if (rc == 0 && rl->time == *newest &&
	    (val.mv_size != 32 || memcmp(val.mv_data, rl->digest, 32) != 0)) {
		e = ERR_EXISTS;
		goto out;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	val = (MDB_val){32, (void *)rl->digest};
	if ((rc = meta_put_u64(s, txn, "revlist_time", (uint64_t)rl->time)) != 0 ||
	    (rc = mdb_put(txn, s->meta, &dkey, &val, 0)) != 0)
		goto out;
	for (size_t i = 0; i < rl->ncompromised && rc == 0; i++) {
		char name[12 + KEY_ID_MAX + 1];
		snprintf(name, sizeof name, "compromised:%s", rl->compromised[i].kid);
		rc = meta_put_u64(s, txn, name, (uint64_t)rl->compromised[i].since);
	}
	if (rc == 0)
		rc = txn_commit(s, txn);
	txn = NULL;
out:
	if (txn)
		txn_abort(s, txn);
	return e != ERR_OK ? e : rc ? db_err(rc, "revocation list") : ERR_OK;
}

/* ---- reads ---- */

int get_vrec(store *s, MDB_txn *txn, uint64_t serial, vrec *out)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	int rc;

	put_be64(k, serial);
	rc = mdb_get(txn, s->vouchers, &key, &val);
	if (rc == 0 && val.mv_size == sizeof *out)
		memcpy(out, val.mv_data, sizeof *out);
	else if (rc == 0)
		rc = MDB_CORRUPTED;
	return rc;
}

err store_voucher_get(store *s, uint64_t serial, vstate *out)
{
	MDB_txn *txn;
	vrec v;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = get_vrec(s, txn, serial, &v);
	txn_abort(s, txn);
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

err store_request_get(store *s, uint32_t term_id, const char *request_id,
                      const uint8_t body_hash[32], op *o)
{
	MDB_txn *txn;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = spend_lookup_request(s, txn, term_id, request_id, body_hash, o);
	txn_abort(s, txn);
	if (rc == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	return rc == 0 ? o->rc : db_err(rc, "request");
}

err store_summarize(store *s, store_summary *out)
{
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	jentry e;
	err er = ERR_OK;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	if ((rc = mdb_cursor_open(txn, s->vouchers, &cur)) == 0) {
		while (mdb_cursor_get(cur, &key, &val, MDB_NEXT) == 0)
			if (val.mv_size == sizeof(vrec)) {
				vrec v;
				memcpy(&v, val.mv_data, sizeof v);
				out->vouchers++;
				out->remaining += v.remaining;
			}
		mdb_cursor_close(cur);
		rc = mdb_cursor_open(txn, s->journal, &cur);
	}
	/* What was redeemed and voided: the journal's entries. */
	if (rc == 0) {
		while (mdb_cursor_get(cur, &key, &val, MDB_NEXT) == 0) {
			out->journal_entries++;
			e.seq = key.mv_size == JKEY_LEN ? get_be64((uint8_t *)key.mv_data + 7) : 0;
			if (jentry_parse(&val, &e) != 0)
				continue;
			if (e.kind == JOURNAL_CONFLICT) {
				out->conflicts++;
			} else if (e.kind == JOURNAL_VOID) {
				out->voided++;
				out->redeemed -= e.amount;
			} else {
				out->redemptions++;
				out->redeemed += e.amount;
			}
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
		er = db_err(rc, "summary");
	txn_abort(s, txn);
	return er;
}
