/*
 * A database an older version wrote, brought to this layout when it is
 * first opened (meta "layout" says which it has: none, or 2).
 *
 * The older version kept in each redemption's record its receipt and a
 * copy of its journal line's fields, and each void's receipt in table
 * voids. Its journal lines stay as they are, lines of text with their
 * receipts and hashes, which the export writes as they are (store_journal.c);
 * each record becomes the seqs of its entry and its void's, read from
 * those lines, and table voids is emptied.
 *
 * UPGRADE_LINES lines a transaction, the journal key to go on from kept
 * in meta "upgrade:at" in the same transaction: killed, it resumes.
 */
#include "store_impl.h"

#include <string.h>

#include "bytes.h"
#include "log.h"

#define LAYOUT        2
#define UPGRADE_LINES 4096

static const MDB_val at_key = {10, "upgrade:at"};

/* Record line e (a line of text) in its redemption's record. */
static int upgrade_line(store *s, MDB_txn *txn, const jentry *e)
{
	MDB_val key = {strlen(e->rid), (void *)e->rid}, val;
	rrec r = {0};
	int rc = mdb_get(txn, s->redemptions, &key, &val);

	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if (rc == 0 && val.mv_size == sizeof r)
		memcpy(&r, val.mv_data, sizeof r); /* done before this run */
	if (e->kind == JOURNAL_VOID) {
		if (rc != 0 || val.mv_size != sizeof r) /* its redemption's line comes first */
			return MDB_CORRUPTED;
		r.void_seq = (uint32_t)e->seq;
	} else {
		r.seq = (uint32_t)e->seq;
	}
	val = (MDB_val){sizeof r, &r};
	return mdb_put(txn, s->redemptions, &key, &val, 0);
}

/* One transaction's worth of lines; *done once the journal is through. */
static int upgrade_some(store *s, bool *done, uint64_t *lines)
{
	uint8_t at[JKEY_LEN];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val key, val;
	jentry e;
	unsigned n = 0;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, s->journal, &cur)) != 0) {
		txn_abort(s, txn);
		return rc;
	}
	rc = mdb_get(txn, s->meta, (MDB_val *)&at_key, &val);
	if (rc == 0 && val.mv_size == JKEY_LEN) {
		key = (MDB_val){JKEY_LEN, memcpy(at, val.mv_data, JKEY_LEN)};
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	} else if (rc == MDB_NOTFOUND) {
		rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
	}
	for (; rc == 0 && n < UPGRADE_LINES; rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT), n++) {
		if (key.mv_size != JKEY_LEN)
			rc = MDB_CORRUPTED;
		e.seq = get_be64((uint8_t *)key.mv_data + 7);
		if (rc != 0 || (rc = jentry_parse(&val, &e)) != 0 ||
		    (rc = upgrade_line(s, txn, &e)))
			break;
	}
	*done = rc == MDB_NOTFOUND;
	if (rc == 0) { /* the key to go on from */
		memcpy(at, key.mv_data, JKEY_LEN);
		val = (MDB_val){JKEY_LEN, at};
		rc = mdb_put(txn, s->meta, (MDB_val *)&at_key, &val, 0);
	} else if (*done) {
		rc = mdb_drop(txn, s->voids, 0);
		if (rc == 0 &&
		    (rc = mdb_del(txn, s->meta, (MDB_val *)&at_key, NULL)) == MDB_NOTFOUND)
			rc = 0;
		if (rc == 0)
			rc = meta_put_u64(s, txn, "layout", LAYOUT);
	}
	mdb_cursor_close(cur);
	*lines += n;
	if (rc != 0) {
		txn_abort(s, txn);
		return rc;
	}
	return txn_commit(s, txn);
}

int store_upgrade(store *s)
{
	MDB_txn *txn;
	MDB_stat st;
	uint64_t layout = 0, lines = 0;
	bool done = false;
	int rc;

	if ((rc = txn_begin(s, 0, &txn)) != 0)
		return rc;
	/* A new database, or one that never redeemed, has this layout. */
	if ((rc = meta_get_u64(s, txn, "layout", &layout)) == 0 && layout == 0 &&
	    (rc = mdb_stat(txn, s->redemptions, &st)) == 0 && st.ms_entries == 0 &&
	    (rc = meta_put_u64(s, txn, "layout", LAYOUT)) == 0)
		layout = LAYOUT;
	if (rc != 0) {
		txn_abort(s, txn);
		return rc;
	}
	if ((rc = txn_commit(s, txn)) != 0 || layout == LAYOUT)
		return rc;
	if (layout != 0) {
		LOG(LOGL_ERROR, "the database has layout %llu, which this version does not know",
		    (unsigned long long)layout);
		return MDB_VERSION_MISMATCH;
	}
	LOG(LOGL_INFO, "upgrading the database to layout %d", LAYOUT);
	while (!done && (rc = upgrade_some(s, &done, &lines)) == 0)
		;
	if (rc == 0)
		LOG(LOGL_INFO, "database upgraded: %llu journal entries",
		    (unsigned long long)lines);
	return rc;
}
