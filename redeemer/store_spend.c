/*
 * The money: a redemption debits a voucher and a void gives it back, each
 * inside the writer's transaction (store_writer.c), so that one voucher's
 * operations, from any number of terminals, take effect one after another.
 *
 * A sale made offline (o->uploaded) is recorded at its own time: as a
 * redemption (kind offline) when the voucher still has the amount, else as
 * a conflict, which takes nothing from the voucher and is never paid.
 *
 * Tables: vouchers (serial -> vrec), redemptions (id -> rrec: its journal
 * entry and its void's; a conflict's too, which no void can touch),
 * requests (terminal and request_id -> hash of what was asked, and the
 * redemption it made), so that a retry gets the first answer; and the
 * journal (store_journal.c), which holds what each of them was.
 */
#include "store_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "period.h"

static int put_vrec(store *s, MDB_txn *txn, uint64_t serial, const vrec *v)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val = {sizeof *v, (void *)v};

	put_be64(k, serial);
	return mdb_put(txn, s->vouchers, &key, &val, 0);
}

/* The period a redemption id names ("<kid>-YYYYMM-<n>"). */
static bool rid_period(const char *rid, period *p)
{
	size_t n = strlen(rid), plen;
	uint64_t num, ym;

	if (!journal_rid_split(rid, n, &plen, &num) || plen < 7 ||
	    !dec_parse(rid + plen - 6, 6, 999999, &ym))
		return false;
	*p = (period){(uint16_t)(ym / 100), (uint8_t)(ym % 100)};
	return true;
}

int get_redemption(store *s, MDB_txn *txn, const char *rid, rrec *r, jentry *e)
{
	MDB_val key = {strlen(rid), (void *)rid}, val;
	period p;
	int rc = mdb_get(txn, s->redemptions, &key, &val);

	if (rc != 0)
		return rc;
	if (val.mv_size != sizeof *r || !rid_period(rid, &p))
		return MDB_CORRUPTED;
	memcpy(r, val.mv_data, sizeof *r);
	if ((rc = journal_get(s, txn, p, r->seq, e)) != 0)
		return rc;
	return e->kind == JOURNAL_VOID || strcmp(e->rid, rid) != 0 ? MDB_CORRUPTED : 0;
}

static int put_rrec(store *s, MDB_txn *txn, const char *rid, const rrec *r)
{
	MDB_val key = {strlen(rid), (void *)rid}, val = {sizeof *r, (void *)r};

	return mdb_put(txn, s->redemptions, &key, &val, 0);
}

/* The requests table's key: the terminal (big-endian), then the request_id. */
static MDB_val request_key(uint32_t term_id, const char *request_id,
                           uint8_t buf[4 + REQUEST_ID_MAX])
{
	size_t n = strlen(request_id);

	put_be32(buf, term_id);
	memcpy(buf + 4, request_id, n);
	return (MDB_val){4 + n, buf};
}

int spend_lookup_request(store *s, MDB_txn *txn, uint32_t term_id, const char *request_id,
                         const uint8_t body_hash[32], op *o)
{
	uint8_t rk[4 + REQUEST_ID_MAX];
	MDB_val rkey = request_key(term_id, request_id, rk), rval;
	rrec r;
	jentry e;
	int rc;

	if ((rc = mdb_get(txn, s->requests, &rkey, &rval)) != 0)
		return rc;
	if (rval.mv_size < 32 || rval.mv_size > 32 + RID_MAX ||
	    memcmp(rval.mv_data, body_hash, 32) != 0) {
		o->rc = ERR_REQUEST_CONFLICT;
		return 0;
	}
	memcpy(o->rid, (char *)rval.mv_data + 32, rval.mv_size - 32);
	o->rid[rval.mv_size - 32] = '\0';
	/* Its receipt: "" while its batch is written (spend_finish_batch). */
	if ((rc = get_redemption(s, txn, o->rid, &r, &e)) != 0 ||
	    (rc = journal_receipt(s, txn, e.per, e.seq, o->receipt)) != 0)
		return rc;
	o->replay = true;
	o->serial = e.serial;
	o->debited = e.amount;
	o->remaining = e.remaining;
	o->rc = e.kind == JOURNAL_CONFLICT ? ERR_OFFLINE_CONFLICT : ERR_OK;
	return 0;
}

/* The body of o's receipt (a void's, or a redemption's), in o->receipt:
 * the writer signs it with the rest of its batch (spend_finish_batch). */
static bool receipt_body_of(const store *s, op *o, journal_kind kind)
{
	return receipt_body(&(receipt_fields){.kind = kind,
	                                      .rid = o->rid,
	                                      .serial = o->serial,
	                                      .amount = o->debited,
	                                      .remaining = o->remaining,
	                                      .merchant = o->term.merchant,
	                                      .gallery = o->term.gallery,
	                                      .terminal = o->term.id,
	                                      .time = o->now,
	                                      .kid = s->receipt_kid},
	                    o->receipt, sizeof o->receipt) != 0;
}

/* The next redemption id of period p: numbered from 1 in each period of
 * vouchers, so that a period's journal shows one missing (journal.h). */
static int next_rid(store *s, MDB_txn *txn, period p, op *o)
{
	char counter[24];
	uint64_t n;
	int rc;

	snprintf(counter, sizeof counter, "next_rid:%04u-%02u", (unsigned)p.year % 10000,
	         (unsigned)p.month % 100);
	if ((rc = meta_next(s, txn, counter, &n)) != 0)
		return rc;
	snprintf(o->rid, sizeof o->rid, "%s-%04u%02u-%" PRIu64, s->receipt_kid,
	         (unsigned)p.year % 10000, (unsigned)p.month % 100, n);
	return 0;
}

/* Record o as a redemption (kind redeem or offline) or a conflict, with v
 * its voucher as it is after o: its journal entry (its receipt signed
 * with the rest of the batch), its record, its request. */
static int record(store *s, MDB_txn *txn, op *o, const vrec *v, journal_kind kind)
{
	uint8_t rk[4 + REQUEST_ID_MAX];
	MDB_val rkey, rval;
	char rv[32 + RID_MAX + 1];
	rrec r = {0};
	int rc;

	o->per = (period){v->year, v->month};
	if ((rc = next_rid(s, txn, o->per, o)) != 0)
		return rc;
	if (!receipt_body_of(s, o, kind)) {
		o->rc = ERR_INTERNAL;
		return 0;
	}
	o->recorded = kind;
	if ((rc = journal_add(s, txn, o)) != 0)
		return rc;
	r.seq = (uint32_t)o->seq;
	memcpy(rv, o->body_hash, 32);
	memcpy(rv + 32, o->rid, strlen(o->rid));
	rkey = request_key(o->term.id, o->request_id, rk);
	rval = (MDB_val){32 + strlen(o->rid), rv};
	if ((rc = put_rrec(s, txn, o->rid, &r)) != 0 ||
	    (rc = mdb_put(txn, s->requests, &rkey, &rval, 0)) != 0)
		return rc;
	o->rc = kind == JOURNAL_CONFLICT ? ERR_OFFLINE_CONFLICT : ERR_OK;
	return 0;
}

int spend_redeem(store *s, MDB_txn *txn, op *o)
{
	vrec v;
	int rc;

	/* A request seen before: the same answer, or a conflict. */
	rc = spend_lookup_request(s, txn, o->term.id, o->request_id, o->body_hash, o);
	if (rc != MDB_NOTFOUND)
		return rc;
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
	/* Its period archived (store_archive.c): closed, whatever the clock
	 * says; only a late upload of an offline sale gets this far. */
	if (period_archived(s, txn, (period){v.year, v.month})) {
		o->rc = ERR_EXPIRED;
		return 0;
	}
	o->remaining = v.remaining;
	/* An offline sale the voucher cannot give (spent meanwhile, or refused
	 * on its upload): a conflict, the voucher untouched. */
	if (o->uploaded && (o->conflict || v.remaining == 0 || o->amount > v.remaining)) {
		o->debited = o->amount;
		return record(s, txn, o, &v, JOURNAL_CONFLICT);
	}
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
	if ((rc = put_vrec(s, txn, o->serial, &v)) != 0)
		return rc;
	return record(s, txn, o, &v, o->uploaded ? JOURNAL_OFFLINE : JOURNAL_REDEEM);
}

int spend_void(store *s, MDB_txn *txn, op *o)
{
	const tzone tz = {"", "", o->tz_offset};
	rrec r;
	vrec v;
	jentry e;
	int rc = get_redemption(s, txn, o->rid, &r, &e);

	if (rc == MDB_NOTFOUND || (rc == 0 && (strcmp(e.merchant, o->term.merchant) != 0 ||
	                                       e.kind == JOURNAL_CONFLICT))) {
		o->rc = ERR_NOT_FOUND; /* nor is a conflict a redemption to void */
		return 0;
	}
	if (rc != 0)
		return rc;
	if ((rc = get_vrec(s, txn, e.serial, &v)) != 0)
		return rc;
	o->serial = e.serial;
	o->debited = e.amount;
	if (r.void_seq) {
		/* Voided before: its receipt, "" while the batch voiding it is
		 * written (spend_finish_batch fills it in). */
		o->replay = true;
		o->remaining = v.remaining;
		o->rc = ERR_OK;
		return journal_receipt(s, txn, e.per, r.void_seq, o->receipt);
	}
	if (date_to_days(date_at(e.time, &tz)) != date_to_days(date_at(o->now, &tz))) {
		o->rc = ERR_VOID_TOO_LATE;
		return 0;
	}
	v.remaining += e.amount;
	o->remaining = v.remaining;
	o->per = e.per;
	if (!receipt_body_of(s, o, JOURNAL_VOID)) {
		o->rc = ERR_INTERNAL;
		return 0;
	}
	o->recorded = JOURNAL_VOID;
	if ((rc = put_vrec(s, txn, e.serial, &v)) != 0 || (rc = journal_add(s, txn, o)) != 0)
		return rc;
	r.void_seq = (uint32_t)o->seq;
	if ((rc = put_rrec(s, txn, o->rid, &r)) != 0)
		return rc;
	o->rc = ERR_OK;
	return 0;
}

/* An operation that changed the database, not a refusal or a replay. */
static bool recorded(const op *o)
{
	return o->recorded && !o->replay;
}

/* The receipt of a replay: of the redemption or of its void. */
static int replay_receipt(store *s, MDB_txn *txn, op *o)
{
	rrec r;
	jentry e;
	int rc = get_redemption(s, txn, o->rid, &r, &e);

	if (rc == 0)
		rc = journal_receipt(s, txn, e.per, o->kind == OP_VOID ? r.void_seq : r.seq,
		                     o->receipt);
	return rc;
}

/* Sign the receipts of first's period in the batch, from first on, up to
 * RECEIPT_TREE_MAX of them: entries of one period that follow each other,
 * since the batch added them in its order. */
static int sign_tree(store *s, MDB_txn *txn, op *first)
{
	char *text[RECEIPT_TREE_MAX];
	uint8_t sig[SIG_LEN];
	op *o, *last = first;
	size_t n = 0;

	for (o = first; o && n < RECEIPT_TREE_MAX; o = o->next)
		if (recorded(o) && !o->in_tree && o->per.year == first->per.year &&
		    o->per.month == first->per.month) {
			text[n++] = o->receipt;
			o->in_tree = true;
			last = o;
		}
	if (receipt_sign_tree(s->receipt_key, text, n) != ERR_OK ||
	    !receipt_tree_sig(first->receipt, strlen(first->receipt), sig))
		return -1;
	return tree_put(s, txn, first->per, first->seq, last->seq, sig);
}

int spend_finish_batch(store *s, MDB_txn *txn, op *batch)
{
	op *o;
	int rc;

	for (o = batch; o; o = o->next)
		if (recorded(o) && !o->in_tree && (rc = sign_tree(s, txn, o)) != 0)
			return rc;
	for (o = batch; o; o = o->next) {
		/* A replay of an operation earlier in this batch: its receipt is
		 * signed by now, the original coming first. */
		if (o->replay && (o->rc == ERR_OK || o->rc == ERR_OFFLINE_CONFLICT) &&
		    !o->receipt[0] && (rc = replay_receipt(s, txn, o)) != 0)
			return rc;
		if (recorded(o) && (rc = journal_link(s, txn, o)) != 0)
			return rc;
	}
	return journal_flush(s, txn);
}
