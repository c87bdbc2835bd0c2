/*
 * Archiving a closed period: its journal, as `export` writes it (the lines
 * and the signed head), goes to a file that reconcile reads as any export;
 * then every record of the period leaves the live database: its journal
 * entries and receipt trees, its redemptions, the request records
 * that point at them, and its vouchers' balances. Each of those is a field
 * of a journal line; a request record (terminal, request_id, what was
 * asked) is not, and after the period no request of it can be made again.
 *
 * Three steps, each recorded in meta under "archive:YYYY-MM" before the
 * next begins, so that a run killed at any point is finished by the next:
 *
 *   closed   no write for the period is taken from now on (an offline sale
 *            uploaded late is refused as expired: spend_redeem);
 *   written  the file is complete and on disk, its SHA-256 recorded; from
 *            here `export` reads the file, not the database;
 *   done     nothing of the period is left but its head and counter.
 *
 * The records leave in transactions of ARCHIVE_BATCH deletions, each
 * committed (and synced) on its own, so the service's writer waits for
 * one at most: a few milliseconds.
 */
#include "store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "file.h"
#include "log.h"

#define ARCHIVE_BATCH 256  /* deletions a transaction, */
#define ARCHIVE_SCAN  4096 /* or records looked at */

/* meta "archive:YYYY-MM": the step reached, then the file's path. */
typedef struct arec {
	uint8_t state;
	uint8_t pad[7];
	int64_t closed_at;
	uint64_t lines;
	uint8_t sha256[32];
} arec;

#define AKEY_MAX 24

static MDB_val archive_key(period p, char buf[AKEY_MAX])
{
	int n = snprintf(buf, AKEY_MAX, "archive:%04u-%02u", (unsigned)p.year % 10000,
	                 (unsigned)p.month % 100);

	return (MDB_val){(size_t)n, buf};
}

/* Period p's archive record in txn, and its path (ARCHIVE_PATH_MAX + 1
 * bytes, may be NULL). MDB_NOTFOUND if p was never archived. */
static int arec_get(MDB_txn *txn, MDB_dbi meta, period p, arec *a, char *path)
{
	char k[AKEY_MAX];
	MDB_val key = archive_key(p, k), val;
	int rc = mdb_get(txn, meta, &key, &val);

	if (rc != 0)
		return rc;
	if (val.mv_size < sizeof *a || val.mv_size > sizeof *a + ARCHIVE_PATH_MAX)
		return MDB_CORRUPTED;
	memcpy(a, val.mv_data, sizeof *a);
	if (path) {
		memcpy(path, (char *)val.mv_data + sizeof *a, val.mv_size - sizeof *a);
		path[val.mv_size - sizeof *a] = '\0';
	}
	return 0;
}

static int arec_put(MDB_txn *txn, MDB_dbi meta, period p, const arec *a, const char *path)
{
	char k[AKEY_MAX];
	size_t n = strlen(path);
	MDB_val key = archive_key(p, k), val = {sizeof *a + n, NULL};
	int rc = mdb_put(txn, meta, &key, &val, MDB_RESERVE);

	if (rc == 0) {
		memcpy(val.mv_data, a, sizeof *a);
		memcpy((char *)val.mv_data + sizeof *a, path, n);
	}
	return rc;
}

bool period_archived(store *s, MDB_txn *txn, period p)
{
	arec a;

	return arec_get(txn, s->meta, p, &a, NULL) == 0;
}

err store_archived(store *s, period p, archive_info *out)
{
	MDB_txn *txn;
	arec a;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = arec_get(txn, s->meta, p, &a, out->path);
	txn_abort(s, txn);
	if (rc == MDB_NOTFOUND)
		return ERR_NOT_FOUND;
	if (rc != 0)
		return db_err(rc, "archive record");
	out->state = a.state;
	out->closed_at = a.closed_at;
	out->lines = a.lines;
	hex_encode(a.sha256, 32, out->sha256);
	return ERR_OK;
}

/* ---- the file ---- */

/* The SHA-256 of the file at path, and whether it could be read. */
static bool file_sha256(const char *path, uint8_t md[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	bool ok = c && f && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = EVP_DigestUpdate(c, buf, n);
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, md, NULL);
	if (f)
		fclose(f);
	EVP_MD_CTX_free(c);
	return ok;
}

/* Period p's export into path, through a temporary beside it, synced and
 * renamed; its SHA-256 and lines in md and *lines. */
static err write_file(store *s, period p, int64_t now, const char *path, uint8_t md[32],
                      uint64_t *lines)
{
	char *tmp = NULL, *dir = NULL, *slash;
	FILE *f = NULL;
	int fd = -1, c;
	err e = ERR_IO;

	if (asprintf(&tmp, "%s.tmp", path) < 0 || !(dir = strdup(path))) {
		free(tmp);
		return ERR_NOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    !(f = fdopen(fd, "w"))) {
		LOG(LOGL_ERROR, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	e = export_live(s, p, now, f);
	if (e == ERR_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		e = ERR_IO;
	if (e != ERR_OK) {
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0 || file_sync_dir(dir) != ERR_OK) {
		LOG(LOGL_ERROR, "%s: %s", path, strerror(errno));
		e = ERR_IO;
		goto out;
	}
	e = ERR_IO;
	if (!file_sha256(path, md) || !(f = fopen(path, "r")))
		goto out;
	/* The entries: every line but the header and the head. */
	for (*lines = 0; (c = getc(f)) != EOF;)
		*lines += c == '\n';
	fclose(f);
	*lines = *lines >= 2 ? *lines - 2 : 0;
	e = ERR_OK;
out:
	if (e != ERR_OK)
		unlink(tmp);
	free(tmp);
	free(dir);
	return e;
}

/* ---- the records ---- */

/* Whether a redemption id names a redemption of period p ("-YYYYMM-"). */
static bool rid_of(const void *rid, size_t n, period p)
{
	char want[16];
	size_t plen;
	uint64_t num;

	snprintf(want, sizeof want, "%04u%02u", (unsigned)p.year % 10000, (unsigned)p.month % 100);
	return n <= RID_MAX && journal_rid_split(rid, n, &plen, &num) && plen > 6 &&
	       memcmp((const char *)rid + plen - 6, want, 6) == 0;
}

/* Whether a table's record belongs to period p. */
typedef bool (*belongs_fn)(const MDB_val *key, const MDB_val *val, period p);

static bool voucher_of(const MDB_val *key, const MDB_val *val, period p)
{
	vrec v;

	(void)key;
	if (val->mv_size != sizeof v)
		return false;
	memcpy(&v, val->mv_data, sizeof v);
	return v.year == p.year && v.month == p.month;
}

static bool redemption_of(const MDB_val *key, const MDB_val *val, period p)
{
	(void)val;
	return rid_of(key->mv_data, key->mv_size, p);
}

static bool request_of(const MDB_val *key, const MDB_val *val, period p)
{
	(void)key;
	return val->mv_size > 32 && rid_of((char *)val->mv_data + 32, val->mv_size - 32, p);
}

static bool journal_of(const MDB_val *key, const MDB_val *val, period p)
{
	char per[8];

	(void)val;
	period_format(p, per, sizeof per);
	return key->mv_size >= 7 && memcmp(key->mv_data, per, 7) == 0;
}

/*
 * Remove table dbi's records of period p, ARCHIVE_BATCH a transaction,
 * resuming after the last key each transaction saw; the number removed is
 * added to *removed.
 */
static int remove_records(store *s, MDB_dbi dbi, belongs_fn belongs, period p, uint64_t *removed)
{
	uint8_t resume[512];
	size_t rlen = 0;
	bool more = true;
	int rc = 0;

	while (more && rc == 0) {
		MDB_txn *txn;
		MDB_cursor *cur;
		MDB_val key = {rlen, resume}, val;
		unsigned n = 0;

		if ((rc = txn_begin(s, 0, &txn)) != 0)
			break;
		if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0) {
			txn_abort(s, txn);
			break;
		}
		rc = mdb_cursor_get(cur, &key, &val, rlen ? MDB_SET_RANGE : MDB_FIRST);
		for (unsigned seen = 0; rc == 0;
		     seen++, rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
			if (n == ARCHIVE_BATCH || seen == ARCHIVE_SCAN) {
				/* The next transaction starts at this key. */
				rlen = key.mv_size < sizeof resume ? key.mv_size : sizeof resume;
				memcpy(resume, key.mv_data, rlen);
				break;
			}
			if (!belongs(&key, &val, p))
				continue;
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
			n++;
		}
		more = rc == 0;
		mdb_cursor_close(cur);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			txn_abort(s, txn);
			break;
		}
		if ((rc = txn_commit(s, txn)) != 0)
			break;
		*removed += n;
		/* Room for the service's writer between two of ours. */
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return rc;
}

/* ---- the run ---- */

/* The last instant any voucher of p presented here is valid until, and
 * whether p has anything in the database. */
static int period_extent(store *s, period p, int64_t *until, bool *any)
{
	char per[8];
	uint8_t jk[7];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc;

	*until = 0;
	*any = false;
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, s->vouchers, &cur)) == 0) {
		for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
			vrec v;
			if (!voucher_of(&key, &val, p))
				continue;
			memcpy(&v, val.mv_data, sizeof v);
			*any = true;
			if ((int64_t)v.valid_until > *until)
				*until = v.valid_until;
		}
		mdb_cursor_close(cur);
	}
	if (rc == MDB_NOTFOUND && (rc = mdb_cursor_open(txn, s->journal, &cur)) == 0) {
		period_format(p, per, sizeof per);
		memcpy(jk, per, 7);
		key = (MDB_val){7, jk};
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
		if (rc == 0 && journal_of(&key, &val, p))
			*any = true;
		mdb_cursor_close(cur);
		rc = rc == MDB_NOTFOUND ? 0 : rc;
	}
	txn_abort(s, txn);
	return rc;
}

static int set_state(store *s, period p, const arec *a, const char *path)
{
	MDB_txn *txn;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)) != 0)
		return rc;
	if ((rc = arec_put(txn, s->meta, p, a, path)) != 0) {
		txn_abort(s, txn);
		return rc;
	}
	return txn_commit(s, txn);
}

err store_archive(store *s, period p, int64_t now, const char *path, archive_result *out, char *why,
                  size_t whylen)
{
	char rec_path[ARCHIVE_PATH_MAX + 1], when[INSTANT_LEN + 1];
	uint8_t md[32];
	MDB_txn *txn;
	arec a;
	int64_t until;
	bool any;
	int rc;

	memset(out, 0, sizeof *out);
	if (strlen(path) > ARCHIVE_PATH_MAX) {
		snprintf(why, whylen, "the archive's path is longer than %d bytes",
		         ARCHIVE_PATH_MAX);
		return ERR_INVALID;
	}
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = arec_get(txn, s->meta, p, &a, rec_path);
	txn_abort(s, txn);
	if (rc == MDB_NOTFOUND) {
		/* A first run: the period must be over, its vouchers long expired. */
		if ((rc = period_extent(s, p, &until, &any)) != 0)
			return db_err(rc, "read");
		if (!any) {
			snprintf(why, whylen, "nothing of the period is in the database");
			return ERR_NOT_FOUND;
		}
		if (now < until + ARCHIVE_AFTER_DAYS * 86400) {
			instant_format(until + ARCHIVE_AFTER_DAYS * 86400, when);
			snprintf(why, whylen,
			         "the period is not closed: its vouchers are valid or were until "
			         "less than %d days ago; archive it from %s",
			         ARCHIVE_AFTER_DAYS, when);
			return ERR_INVALID;
		}
		if (access(path, F_OK) == 0) {
			snprintf(why, whylen, "%s exists already", path);
			return ERR_EXISTS;
		}
		a = (arec){.state = ARCHIVE_CLOSED, .closed_at = now};
		snprintf(rec_path, sizeof rec_path, "%s", path);
		if ((rc = set_state(s, p, &a, rec_path)) != 0)
			return db_err(rc, "archive record");
	} else if (rc != 0) {
		return db_err(rc, "archive record");
	} else {
		out->resumed = a.state != ARCHIVE_DONE;
		if (strcmp(rec_path, path) != 0) {
			snprintf(why, whylen, "the period is being archived to %s, not %s",
			         rec_path, path);
			return ERR_EXISTS;
		}
	}
	if (a.state == ARCHIVE_CLOSED) {
		err e = write_file(s, p, now, path, md, &a.lines);
		if (e != ERR_OK) {
			snprintf(why, whylen, "cannot write %s", path);
			return e;
		}
		memcpy(a.sha256, md, 32);
		a.state = ARCHIVE_WRITTEN;
		if ((rc = set_state(s, p, &a, rec_path)) != 0)
			return db_err(rc, "archive record");
	} else if (!file_sha256(path, md) || memcmp(md, a.sha256, 32) != 0) {
		/* Its records may be gone already: the file is the one copy. */
		snprintf(why, whylen, "%s is not the archive that was written (missing or changed)",
		         path);
		return ERR_INVALID;
	}
	if (a.state == ARCHIVE_WRITTEN) {
		if ((rc = remove_records(s, s->journal, journal_of, p, &out->removed)) != 0 ||
		    (rc = remove_records(s, s->trees, journal_of, p, &out->removed)) != 0 ||
		    (rc = remove_records(s, s->redemptions, redemption_of, p, &out->removed)) !=
		        0 ||
		    (rc = remove_records(s, s->requests, request_of, p, &out->removed)) != 0 ||
		    (rc = remove_records(s, s->vouchers, voucher_of, p, &out->removed)) != 0)
			return db_err(rc, "archive");
		a.state = ARCHIVE_DONE;
		if ((rc = set_state(s, p, &a, rec_path)) != 0)
			return db_err(rc, "archive record");
	}
	out->lines = a.lines;
	hex_encode(a.sha256, 32, out->sha256);
	return ERR_OK;
}
