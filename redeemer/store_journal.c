/*
 * The journal in the database: table journal, key the period ("YYYY-MM")
 * then seq (big-endian), so that a period's entries are one range in seq
 * order; each value is the entry's line as common/journal.c builds it.
 * Each period's head (seq and hash of its last entry, and the rupiah
 * redeemed and voided) is in meta under "head:YYYY-MM"; an export ends
 * with it, signed by the receipt key.
 */
#include "store_impl.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

#define JKEY_LEN (7 + 8)

/* A period's head in meta: its last entry and the totals so far. An
 * older version kept only seq and hash (HEAD_V1 bytes); their totals are
 * counted from the journal once (head_get). */
typedef struct head {
	uint64_t seq;
	char hash[JOURNAL_HASH_HEX + 1];
	int64_t redeemed, voided;
} head;

#define HEAD_V1 (offsetof(head, hash) + JOURNAL_HASH_HEX + 1)

/* The journal's key of period per's entry seq. */
static MDB_val journal_key(const char per[8], uint64_t seq, uint8_t jk[JKEY_LEN])
{
	memcpy(jk, per, 7);
	put_be64(jk + 7, seq);
	return (MDB_val){JKEY_LEN, jk};
}

/* The rupiah of a stored line (kind and amount, its 3rd and 7th fields)
 * added to h's totals. */
static int count_line(head *h, const MDB_val *line)
{
	const char *f[JOURNAL_FIELDS];
	size_t len[JOURNAL_FIELDS];
	uint64_t amount;

	if (split_at(line->mv_data, line->mv_size, ',', f, len, JOURNAL_FIELDS) != JOURNAL_FIELDS ||
	    !dec_parse(f[J_AMOUNT], len[J_AMOUNT], UINT32_MAX, &amount))
		return MDB_CORRUPTED;
#define KIND_IS(name) (len[J_KIND] == sizeof name - 1 && memcmp(f[J_KIND], name, len[J_KIND]) == 0)
	if (KIND_IS("redeem") || KIND_IS("offline"))
		h->redeemed += (int64_t)amount;
	else if (KIND_IS("void"))
		h->voided += (int64_t)amount;
#undef KIND_IS
	return 0;
}

/* Period per's head, in txn: none yet is seq 0 and 64 zeros. */
static int head_get(store *s, MDB_txn *txn, const char per[8], head *h)
{
	char hkey[5 + 8];
	uint8_t jk[JKEY_LEN];
	MDB_val key = {12, hkey}, val, jkey;
	MDB_cursor *cur;
	int rc;

	snprintf(hkey, sizeof hkey, "head:%s", per);
	memset(h, 0, sizeof *h);
	rc = mdb_get(txn, s->meta, &key, &val);
	if (rc == MDB_NOTFOUND) {
		memset(h->hash, '0', JOURNAL_HASH_HEX);
		return 0;
	}
	if (rc != 0)
		return rc;
	if (val.mv_size == sizeof *h) {
		memcpy(h, val.mv_data, sizeof *h);
		return 0;
	}
	if (val.mv_size != HEAD_V1)
		return MDB_CORRUPTED;
	memcpy(h, val.mv_data, HEAD_V1);
	if ((rc = mdb_cursor_open(txn, s->journal, &cur)) != 0)
		return rc;
	jkey = journal_key(per, 1, jk);
	for (rc = mdb_cursor_get(cur, &jkey, &val, MDB_SET_RANGE);
	     rc == 0 && jkey.mv_size == JKEY_LEN && memcmp(jkey.mv_data, per, 7) == 0;
	     rc = mdb_cursor_get(cur, &jkey, &val, MDB_NEXT))
		if ((rc = count_line(h, &val)) != 0)
			break;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND || (rc == 0) ? 0 : rc;
}

int journal_put(store *s, MDB_txn *txn, const op *o)
{
	char hkey[5 + 8], line[JOURNAL_LINE_MAX + 1], per[8];
	uint8_t jk[JKEY_LEN];
	MDB_val key = {12, hkey}, val, jkey;
	journal_entry e = {
	    .time = o->now,
	    .kind = o->recorded,
	    .rid = o->rid,
	    .serial = o->serial,
	    .per = o->per,
	    .amount = o->debited,
	    .remaining = o->remaining,
	    .merchant = o->term.merchant,
	    .gallery = o->term.gallery,
	    .terminal = o->term.id,
	    .receipt = o->receipt,
	};
	head h;
	size_t len;
	int rc;

	period_format(o->per, per, sizeof per);
	snprintf(hkey, sizeof hkey, "head:%s", per);
	if ((rc = head_get(s, txn, per, &h)) != 0)
		return rc;
	s->chain.seq = h.seq;
	memcpy(s->chain.hash, h.hash, sizeof s->chain.hash);
	if (!(len = journal_chain_append(&s->chain, &e, line, sizeof line)))
		return MDB_BAD_VALSIZE;
	jkey = journal_key(per, e.seq, jk);
	val = (MDB_val){len, line};
	if ((rc = mdb_put(txn, s->journal, &jkey, &val, MDB_NOOVERWRITE)) != 0)
		return rc;
	h.seq = s->chain.seq;
	memcpy(h.hash, s->chain.hash, sizeof h.hash);
	if (e.kind == JOURNAL_REDEEM || e.kind == JOURNAL_OFFLINE)
		h.redeemed += e.amount;
	else if (e.kind == JOURNAL_VOID)
		h.voided += e.amount;
	val = (MDB_val){sizeof h, &h};
	return mdb_put(txn, s->meta, &key, &val, 0);
}

/* Period per's signed head, as of txn, at now, into out. */
static int head_sign(store *s, MDB_txn *txn, period p, int64_t now, char out[JOURNAL_HEAD_MAX + 1],
                     journal_head *jh)
{
	char per[8];
	head h;
	int rc;

	period_format(p, per, sizeof per);
	if ((rc = head_get(s, txn, per, &h)) != 0)
		return rc;
	*jh = (journal_head){.per = p,
	                     .first = 1,
	                     .last = h.seq,
	                     .count = h.seq,
	                     .redeemed = h.redeemed,
	                     .voided = h.voided,
	                     .time = now};
	memcpy(jh->last_hash, h.hash, sizeof jh->last_hash);
	snprintf(jh->kid, sizeof jh->kid, "%s", s->receipt_kid);
	return journal_head_sign(jh, s->receipt_key, out, JOURNAL_HEAD_MAX + 1) ? 0 : -1;
}

err store_journal_head(store *s, period p, int64_t now, char out[JOURNAL_HEAD_MAX + 1])
{
	journal_head jh;
	MDB_txn *txn;
	int rc;

	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	rc = head_sign(s, txn, p, now, out, &jh);
	txn_abort(s, txn);
	return rc == 0 ? ERR_OK : rc == -1 ? ERR_CRYPTO : db_err(rc, "journal head");
}

err store_export(store *s, period p, int64_t now, FILE *f)
{
	archive_info a;
	err e = store_archived(s, p, &a);

	/* From its file once it is written: the database may lack lines. */
	if (e == ERR_OK && a.state != ARCHIVE_CLOSED)
		return ERR_ARCHIVED;
	if (e != ERR_OK && e != ERR_NOT_FOUND)
		return e;
	return export_live(s, p, now, f);
}

err export_live(store *s, period p, int64_t now, FILE *f)
{
	char per[8], signed_head[JOURNAL_HEAD_MAX + 1], line[JOURNAL_HEAD_MAX + 64];
	uint8_t jk[JKEY_LEN];
	MDB_val key, val;
	MDB_txn *txn;
	MDB_cursor *cur;
	journal_head jh;
	int rc;

	period_format(p, per, sizeof per);
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0)
		return db_err(rc, "read");
	/* The head of the same snapshot as the lines. */
	if ((rc = head_sign(s, txn, p, now, signed_head, &jh)) != 0 ||
	    (rc = mdb_cursor_open(txn, s->journal, &cur)) != 0) {
		txn_abort(s, txn);
		return rc == -1 ? ERR_CRYPTO : db_err(rc, "export");
	}
	fputs(JOURNAL_HEADER "\n", f);
	key = journal_key(per, 1, jk);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (key.mv_size != JKEY_LEN || memcmp(key.mv_data, per, 7) != 0)
			break;
		fwrite(val.mv_data, 1, val.mv_size, f);
		fputc('\n', f);
	}
	mdb_cursor_close(cur);
	txn_abort(s, txn);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_err(rc, "export");
	if (!journal_head_line(&jh, signed_head, line, sizeof line))
		return ERR_INTERNAL;
	fprintf(f, "%s\n", line);
	return fflush(f) != 0 || ferror(f) ? ERR_IO : ERR_OK;
}
