/*
 * The journal in the database: table journal, an entry a redemption, void
 * or conflict (store_impl.h, jrec), in seq order within each period; table
 * trees, the signature of each tree of receipts once. An entry is stored
 * without its receipt or its hashes, which follow from it: the export
 * rebuilds each receipt from the bodies of its tree and its signature, and
 * the line's hashes by chaining the lines as the writer did.
 *
 * Each period's head (the seq of its last entry, the hash of the last one
 * linked into its chain, and the rupiah redeemed and voided) is in meta
 * under "head:YYYY-MM"; an export ends with it, signed by the receipt key,
 * and refuses to if the chain of its lines does not lead to that hash.
 *
 * A batch adds its entries as its operations take effect (journal_add),
 * then signs their receipts and links them into the chain in the same
 * order (journal_link): between two commits the two are level. Both work
 * on the batch's copy of each period's head, read from meta once and
 * written back once, when the batch is done (journal_flush).
 */
#include "store_impl.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "log.h"

#define HEAD_V1 (offsetof(head, hash) + JOURNAL_HASH_HEX + 1)

MDB_val journal_key(period p, uint64_t seq, uint8_t jk[JKEY_LEN])
{
	char per[8];

	period_format(p, per, sizeof per);
	memcpy(jk, per, 7);
	put_be64(jk + 7, seq);
	return (MDB_val){JKEY_LEN, jk};
}

/* Whether a key of table journal or trees belongs to period p. */
static bool key_in(const MDB_val *key, period p)
{
	uint8_t jk[JKEY_LEN];

	journal_key(p, 0, jk);
	return key->mv_size == JKEY_LEN && memcmp(key->mv_data, jk, 7) == 0;
}

/* Copy n bytes of s into out (m bytes), NUL-terminated; false if longer,
 * empty, or holding a NUL. */
static bool copy_id(char *out, size_t m, const void *s, size_t n)
{
	if (n == 0 || n >= m || memchr(s, '\0', n))
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* A line of text, as an older version stored it. */
static int parse_line(const MDB_val *val, jentry *e)
{
	char buf[JOURNAL_LINE_MAX + 1];
	const char *f[JOURNAL_FIELDS], *why;
	size_t len[JOURNAL_FIELDS];
	journal_entry je;

	if (val->mv_size > JOURNAL_LINE_MAX)
		return MDB_CORRUPTED;
	memcpy(buf, val->mv_data, val->mv_size);
	if (split_at(buf, val->mv_size, ',', f, len, JOURNAL_FIELDS) != JOURNAL_FIELDS)
		return MDB_CORRUPTED;
	for (int i = 0; i < JOURNAL_FIELDS; i++)
		((char *)f[i])[len[i]] = '\0';
	if (!journal_parse(f, len, &je, &why) || je.kind == JOURNAL_HEAD || je.seq != e->seq ||
	    !copy_id(e->merchant, sizeof e->merchant, je.merchant, len[J_MERCHANT]) ||
	    !copy_id(e->gallery, sizeof e->gallery, je.gallery, len[J_GALLERY]) ||
	    !copy_id(e->rid, sizeof e->rid, je.rid, len[J_RID]))
		return MDB_CORRUPTED;
	e->kind = je.kind;
	e->serial = je.serial;
	e->amount = je.amount;
	e->remaining = je.remaining;
	e->time = je.time;
	e->terminal = je.terminal;
	e->line = val->mv_data;
	e->line_len = val->mv_size;
	e->receipt = (const char *)val->mv_data + (f[J_RECEIPT] - buf);
	e->receipt_len = len[J_RECEIPT];
	return 0;
}

int jentry_parse(const MDB_val *val, jentry *e)
{
	const char *v = val->mv_data;
	size_t rid_len, prefix;
	uint64_t num;
	jrec j;

	e->line = e->receipt = NULL;
	e->line_len = e->receipt_len = 0;
	if (val->mv_size > 0 && v[0] >= '1' && v[0] <= '9')
		return parse_line(val, e);
	if (val->mv_size < sizeof j)
		return MDB_CORRUPTED;
	memcpy(&j, v, sizeof j);
	rid_len = val->mv_size - sizeof j - j.merchant_len - j.gallery_len;
	if (j.version != JREC_VERSION || !receipt_tag(j.kind) ||
	    sizeof j + j.merchant_len + j.gallery_len >= val->mv_size ||
	    !copy_id(e->merchant, sizeof e->merchant, v + sizeof j, j.merchant_len) ||
	    !copy_id(e->gallery, sizeof e->gallery, v + sizeof j + j.merchant_len, j.gallery_len) ||
	    !copy_id(e->rid, sizeof e->rid, v + sizeof j + j.merchant_len + j.gallery_len, rid_len))
		return MDB_CORRUPTED;
	/* What the export and the receipts would write of them: ids, no
	 * separators. */
	if (!key_id_valid(e->merchant) || !key_id_valid(e->gallery) ||
	    !journal_rid_split(e->rid, rid_len, &prefix, &num) || j.amount < 1 || j.time < 0 ||
	    j.time > INSTANT_LAST)
		return MDB_CORRUPTED;
	e->kind = j.kind;
	e->serial = j.serial;
	e->amount = j.amount;
	e->remaining = j.remaining;
	e->time = j.time;
	e->terminal = j.terminal;
	return 0;
}

journal_entry jentry_entry(const jentry *e)
{
	return (journal_entry){.seq = e->seq,
	                       .time = e->time,
	                       .kind = e->kind,
	                       .rid = e->rid,
	                       .serial = e->serial,
	                       .per = e->per,
	                       .amount = e->amount,
	                       .remaining = e->remaining,
	                       .merchant = e->merchant,
	                       .gallery = e->gallery,
	                       .terminal = e->terminal};
}

int journal_get(store *s, MDB_txn *txn, period p, uint64_t seq, jentry *e)
{
	uint8_t jk[JKEY_LEN];
	MDB_val key = journal_key(p, seq, jk), val;
	int rc = mdb_get(txn, s->journal, &key, &val);

	if (rc != 0)
		return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc; /* a record points at it */
	e->per = p;
	e->seq = seq;
	return jentry_parse(&val, e);
}

/* Period p's head, in txn: none yet is seq 0 and 64 zeros. */
static int head_get(store *s, MDB_txn *txn, period p, head *h)
{
	char hkey[5 + 8];
	uint8_t jk[JKEY_LEN];
	MDB_val key = {12, hkey}, val, jkey;
	MDB_cursor *cur;
	jentry e = {.per = p};
	int rc;

	snprintf(hkey, sizeof hkey, "head:");
	period_format(p, hkey + 5, sizeof hkey - 5);
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
	jkey = journal_key(p, 1, jk);
	for (rc = mdb_cursor_get(cur, &jkey, &val, MDB_SET_RANGE); rc == 0 && key_in(&jkey, p);
	     rc = mdb_cursor_get(cur, &jkey, &val, MDB_NEXT)) {
		e.seq = get_be64((uint8_t *)jkey.mv_data + 7);
		if ((rc = jentry_parse(&val, &e)) != 0)
			break;
		if (e.kind == JOURNAL_REDEEM || e.kind == JOURNAL_OFFLINE)
			h->redeemed += e.amount;
		else if (e.kind == JOURNAL_VOID)
			h->voided += e.amount;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

static int head_put(store *s, MDB_txn *txn, period p, const head *h)
{
	char hkey[5 + 8];
	MDB_val key = {12, hkey}, val = {sizeof *h, (void *)h};

	snprintf(hkey, sizeof hkey, "head:");
	period_format(p, hkey + 5, sizeof hkey - 5);
	return mdb_put(txn, s->meta, &key, &val, 0);
}

/* Period p's head as the writer's batch has it so far: from meta the
 * first time the batch asks. */
static int batch_head(store *s, MDB_txn *txn, period p, head **out)
{
	int rc;

	for (int i = 0; i < s->nheads; i++)
		if (s->heads[i].per.year == p.year && s->heads[i].per.month == p.month) {
			*out = &s->heads[i].h;
			return 0;
		}
	if (s->nheads == BATCH_HEADS && (rc = journal_flush(s, txn)) != 0)
		return rc;
	if ((rc = head_get(s, txn, p, &s->heads[s->nheads].h)) != 0)
		return rc;
	s->heads[s->nheads].per = p;
	*out = &s->heads[s->nheads++].h;
	return 0;
}

int journal_add(store *s, MDB_txn *txn, op *o)
{
	uint8_t jk[JKEY_LEN], buf[sizeof(jrec) + 2 * KEY_ID_MAX + RID_MAX];
	size_t m = strlen(o->term.merchant), g = strlen(o->term.gallery), r = strlen(o->rid);
	jrec j = {.version = JREC_VERSION,
	          .kind = (uint8_t)o->recorded,
	          .merchant_len = (uint8_t)m,
	          .gallery_len = (uint8_t)g,
	          .terminal = o->term.id,
	          .amount = (uint32_t)o->debited,
	          .remaining = (uint32_t)o->remaining,
	          .serial = o->serial,
	          .time = o->now};
	MDB_val key, val = {sizeof j + m + g + r, buf};
	head *h;
	int rc;

	if (m > KEY_ID_MAX || g > KEY_ID_MAX || r > RID_MAX)
		return MDB_BAD_VALSIZE;
	memcpy(buf, &j, sizeof j);
	memcpy(buf + sizeof j, o->term.merchant, m);
	memcpy(buf + sizeof j + m, o->term.gallery, g);
	memcpy(buf + sizeof j + m + g, o->rid, r);
	if ((rc = batch_head(s, txn, o->per, &h)) != 0)
		return rc;
	key = journal_key(o->per, h->seq + 1, jk);
	if ((rc = mdb_put(txn, s->journal, &key, &val, MDB_NOOVERWRITE)) != 0)
		return rc;
	o->seq = ++h->seq;
	if (o->recorded == JOURNAL_REDEEM || o->recorded == JOURNAL_OFFLINE)
		h->redeemed += o->debited;
	else if (o->recorded == JOURNAL_VOID)
		h->voided += o->debited;
	return 0;
}

int journal_link(store *s, MDB_txn *txn, const op *o)
{
	char line[JOURNAL_LINE_MAX + 1];
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
	head *h;
	int rc;

	if ((rc = batch_head(s, txn, o->per, &h)) != 0)
		return rc;
	s->chain.seq = o->seq - 1;
	memcpy(s->chain.hash, h->hash, sizeof s->chain.hash);
	if (!journal_chain_append(&s->chain, &e, line, sizeof line))
		return MDB_BAD_VALSIZE;
	memcpy(h->hash, s->chain.hash, sizeof h->hash);
	return 0;
}

int journal_flush(store *s, MDB_txn *txn)
{
	int rc = 0;

	for (int i = 0; i < s->nheads && rc == 0; i++)
		rc = head_put(s, txn, s->heads[i].per, &s->heads[i].h);
	s->nheads = 0;
	return rc;
}

int tree_put(store *s, MDB_txn *txn, period p, uint64_t first, uint64_t last,
             const uint8_t sig[SIG_LEN])
{
	uint8_t jk[JKEY_LEN], buf[sizeof(trec) + KEY_ID_MAX];
	size_t k = strlen(s->receipt_kid);
	trec t = {.first = first};
	MDB_val key = journal_key(p, last, jk), val = {sizeof t + k, buf};

	memcpy(t.sig, sig, SIG_LEN);
	memcpy(buf, &t, sizeof t);
	memcpy(buf + sizeof t, s->receipt_kid, k);
	return mdb_put(txn, s->trees, &key, &val, MDB_NOOVERWRITE);
}

/* The receipts of one tree, rebuilt: entries first..last of a period. */
typedef struct tree_receipts {
	uint64_t first, last; /* last 0: none loaded */
	char text[RECEIPT_TREE_MAX][RECEIPT_MAX + 1];
} tree_receipts;

/* The tree holding entry seq of period p, into t; t->last 0 if there is
 * none (not signed yet). */
static int tree_load(store *s, MDB_txn *txn, period p, uint64_t seq, tree_receipts *t)
{
	char kid[KEY_ID_MAX + 1];
	char *text[RECEIPT_TREE_MAX];
	uint8_t jk[JKEY_LEN];
	MDB_val key = journal_key(p, seq, jk), val;
	MDB_cursor *cur;
	journal_entry je;
	trec tr;
	jentry e;
	int rc;

	t->last = 0;
	if ((rc = mdb_cursor_open(txn, s->trees, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	if (rc == 0 && key_in(&key, p) && val.mv_size > sizeof tr) {
		memcpy(&tr, val.mv_data, sizeof tr);
		t->first = tr.first;
		t->last = get_be64((uint8_t *)key.mv_data + 7);
		if (!copy_id(kid, sizeof kid, (char *)val.mv_data + sizeof tr,
		             val.mv_size - sizeof tr) ||
		    t->first < 1 || t->first > t->last || t->last - t->first >= RECEIPT_TREE_MAX)
			rc = MDB_CORRUPTED;
	} else if (rc == 0 && key_in(&key, p)) {
		rc = MDB_CORRUPTED;
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND || (rc == 0 && (!t->last || t->first > seq))) {
		t->last = 0;
		return 0;
	}
	for (uint64_t i = t->first; rc == 0 && i <= t->last; i++) {
		text[i - t->first] = t->text[i - t->first];
		if ((rc = journal_get(s, txn, p, i, &e)) != 0)
			break;
		je = jentry_entry(&e);
		if (e.line ||
		    !journal_entry_receipt_body(&je, kid, text[i - t->first], RECEIPT_MAX + 1))
			rc = MDB_CORRUPTED;
	}
	if (rc == 0 && receipt_tree_attach(text, t->last - t->first + 1, tr.sig) != ERR_OK)
		rc = MDB_CORRUPTED;
	if (rc != 0)
		t->last = 0;
	return rc;
}

int journal_receipt(store *s, MDB_txn *txn, period p, uint64_t seq, char out[RECEIPT_MAX + 1])
{
	tree_receipts t;
	jentry e;
	int rc = journal_get(s, txn, p, seq, &e);

	out[0] = '\0';
	if (rc != 0)
		return rc;
	if (e.line) {
		memcpy(out, e.receipt, e.receipt_len);
		out[e.receipt_len] = '\0';
		return 0;
	}
	if ((rc = tree_load(s, txn, p, seq, &t)) == 0 && t.last)
		strcpy(out, t.text[seq - t.first]);
	return rc;
}

/* Period p's signed head, as of txn, at now, into out. */
static int head_sign(store *s, MDB_txn *txn, period p, int64_t now, char out[JOURNAL_HEAD_MAX + 1],
                     journal_head *jh)
{
	head h;
	int rc;

	if ((rc = head_get(s, txn, p, &h)) != 0)
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

/* Write the line of entry e (its value val) to f, chained by c: an older
 * version's line as it was stored, the chain going on from its hash. */
static int export_line(store *s, MDB_txn *txn, const jentry *e, tree_receipts *t, journal_chain *c,
                       FILE *f)
{
	char line[JOURNAL_LINE_MAX + 1];
	journal_entry je = jentry_entry(e);
	size_t n;
	int rc;

	if (e->line) {
		if (e->line_len < JOURNAL_HASH_HEX)
			return MDB_CORRUPTED;
		c->seq = e->seq;
		memcpy(c->hash, e->line + e->line_len - JOURNAL_HASH_HEX, JOURNAL_HASH_HEX);
		fwrite(e->line, 1, e->line_len, f);
		fputc('\n', f);
		return 0;
	}
	if (!t->last || e->seq > t->last || e->seq < t->first) {
		if ((rc = tree_load(s, txn, e->per, e->seq, t)) != 0)
			return rc;
		if (!t->last)
			return MDB_CORRUPTED; /* committed, so signed */
	}
	je.receipt = t->text[e->seq - t->first];
	if (c->seq + 1 != e->seq || !(n = journal_chain_append(c, &je, line, sizeof line)))
		return MDB_CORRUPTED;
	line[n++] = '\n';
	fwrite(line, 1, n, f);
	return 0;
}

err export_live(store *s, period p, int64_t now, FILE *f)
{
	tree_receipts t;
	char signed_head[JOURNAL_HEAD_MAX + 1], line[JOURNAL_HEAD_MAX + 64];
	uint8_t jk[JKEY_LEN];
	MDB_val key, val;
	MDB_txn *txn;
	MDB_cursor *cur;
	journal_head jh;
	journal_chain c;
	jentry e = {.per = p};
	err er;
	int rc;

	if ((er = journal_chain_init(&c)) != ERR_OK)
		return er;
	if ((rc = txn_begin(s, MDB_RDONLY, &txn)) != 0) {
		journal_chain_free(&c);
		return db_err(rc, "read");
	}
	/* The head of the same snapshot as the lines. */
	if ((rc = head_sign(s, txn, p, now, signed_head, &jh)) != 0 ||
	    (rc = mdb_cursor_open(txn, s->journal, &cur)) != 0) {
		txn_abort(s, txn);
		journal_chain_free(&c);
		return rc == -1 ? ERR_CRYPTO : db_err(rc, "export");
	}
	fputs(JOURNAL_HEADER "\n", f);
	t.last = 0;
	key = journal_key(p, 1, jk);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0 && key_in(&key, p);
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		e.seq = get_be64((uint8_t *)key.mv_data + 7);
		if ((rc = jentry_parse(&val, &e)) != 0 ||
		    (rc = export_line(s, txn, &e, &t, &c, f)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	txn_abort(s, txn);
	/* The lines must lead where the head says: else the database was
	 * changed under the journal, or this code rebuilt a line wrong. */
	if ((rc == 0 || rc == MDB_NOTFOUND) &&
	    (c.seq != jh.last || memcmp(c.hash, jh.last_hash, JOURNAL_HASH_HEX) != 0)) {
		char per[8];
		period_format(p, per, sizeof per);
		LOG(LOGL_ERROR,
		    "export %s: its %llu entries do not lead to the hash its head holds (%llu "
		    "entries): the database was changed under the journal",
		    per, (unsigned long long)c.seq, (unsigned long long)jh.last);
		rc = MDB_CORRUPTED;
	}
	journal_chain_free(&c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return db_err(rc, "export");
	if (!journal_head_line(&jh, signed_head, line, sizeof line))
		return ERR_INTERNAL;
	fprintf(f, "%s\n", line);
	return fflush(f) != 0 || ferror(f) ? ERR_IO : ERR_OK;
}
