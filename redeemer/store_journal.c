/*
 * The journal in the database: table journal, key the period ("YYYY-MM")
 * then seq (big-endian), so that a period's entries are one range in seq
 * order; each value is the entry's line as common/journal.c builds it.
 * Each period's head (seq and hash of its last entry) is in meta under
 * "head:YYYY-MM".
 */
#include "store_impl.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"

#define JKEY_LEN (7 + 8)

typedef struct head {
	uint64_t seq;
	char hash[JOURNAL_HASH_HEX + 1];
} head;

int journal_put(store *s, MDB_txn *txn, const op *o)
{
	char hkey[5 + 8], line[JOURNAL_LINE_MAX + 1], per[8];
	uint8_t jk[JKEY_LEN];
	MDB_val key = {12, hkey}, val, jkey = {sizeof jk, jk};
	journal_entry e = {
	    .time = o->now,
	    .kind = o->kind == OP_REDEEM ? JOURNAL_REDEEM : JOURNAL_VOID,
	    .rid = o->rid,
	    .serial = o->serial,
	    .per = o->per,
	    .amount = o->debited,
	    .remaining = o->remaining,
	    .merchant = o->term.merchant,
	    .gallery = o->term.gallery,
	    .terminal = o->term.id,
	    .receipt = o->kind == OP_REDEEM ? o->receipt : "",
	};
	head h;
	size_t len;
	int rc;

	period_format(o->per, per, sizeof per);
	snprintf(hkey, sizeof hkey, "head:%s", per);
	rc = mdb_get(txn, s->meta, &key, &val);
	if (rc == 0 && val.mv_size == sizeof h) {
		memcpy(&h, val.mv_data, sizeof h);
		s->chain.seq = h.seq;
		memcpy(s->chain.hash, h.hash, sizeof s->chain.hash);
	} else if (rc == MDB_NOTFOUND) {
		s->chain.seq = 0;
		memset(s->chain.hash, '0', JOURNAL_HASH_HEX);
		s->chain.hash[JOURNAL_HASH_HEX] = '\0';
	} else {
		return rc ? rc : MDB_CORRUPTED;
	}
	if (!(len = journal_chain_append(&s->chain, &e, line, sizeof line)))
		return MDB_BAD_VALSIZE;
	memcpy(jk, per, 7);
	put_be64(jk + 7, e.seq);
	val = (MDB_val){len, line};
	if ((rc = mdb_put(txn, s->journal, &jkey, &val, MDB_NOOVERWRITE)) != 0)
		return rc;
	h.seq = s->chain.seq;
	memcpy(h.hash, s->chain.hash, sizeof h.hash);
	val = (MDB_val){sizeof h, &h};
	return mdb_put(txn, s->meta, &key, &val, 0);
}

err store_export(store *s, period p, FILE *f)
{
	char per[8];
	MDB_val key = {7, per}, val;
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc;

	period_format(p, per, sizeof per);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	if ((rc = mdb_cursor_open(txn, s->journal, &cur)) != 0) {
		txn_abort(s, txn);
		return db_err(rc, "cursor");
	}
	fputs(JOURNAL_HEADER "\n", f);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (key.mv_size != JKEY_LEN || memcmp(key.mv_data, per, 7) != 0)
			break;
		fwrite(val.mv_data, 1, val.mv_size, f);
		fputc('\n', f);
	}
	mdb_cursor_close(cur);
	txn_abort(s, txn);
	if (fflush(f) != 0 || ferror(f))
		return ERR_IO;
	return rc == 0 || rc == MDB_NOTFOUND ? ERR_OK : db_err(rc, "export");
}
