/*
 * The money: a redemption debits a voucher and a void gives it back, each
 * inside the writer's transaction (store_writer.c), so that one voucher's
 * operations, from any number of terminals, take effect one after another.
 *
 * A sale made offline (o->uploaded) is recorded at its own time: as a
 * redemption (kind offline) when the voucher still has the amount, else as
 * a conflict, which takes nothing from the voucher and is never paid.
 *
 * Tables: vouchers (serial -> vrec), redemptions (id -> rrec and receipt;
 * a conflict's too, voided RREC_CONFLICT, which no void can touch), voids
 * (id -> the void's receipt), requests (terminal and request_id -> hash of
 * what was asked, and the redemption it made), so that a retry gets the
 * first answer.
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

int get_rrec(store *s, MDB_txn *txn, const char *rid, rrec *out, char receipt[RECEIPT_MAX + 1])
{
	MDB_val key = {strlen(rid), (void *)rid}, val;
	int rc = mdb_get(txn, s->redemptions, &key, &val);

	if (rc != 0)
		return rc;
	if (val.mv_size < RREC_HEAD || val.mv_size > RREC_HEAD + RECEIPT_MAX)
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

/* A void's receipt, in table voids under its redemption's id. */
static int put_void_receipt(store *s, MDB_txn *txn, const op *o)
{
	MDB_val key = {strlen(o->rid), (void *)o->rid},
	        val = {strlen(o->receipt), (void *)o->receipt};

	return mdb_put(txn, s->voids, &key, &val, 0);
}

static int get_void_receipt(store *s, MDB_txn *txn, op *o)
{
	MDB_val key = {strlen(o->rid), o->rid}, val;
	int rc = mdb_get(txn, s->voids, &key, &val);

	if (rc == 0 && val.mv_size > RECEIPT_MAX)
		return MDB_CORRUPTED;
	if (rc == 0) {
		memcpy(o->receipt, val.mv_data, val.mv_size);
		o->receipt[val.mv_size] = '\0';
	}
	return rc;
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
	if ((rc = get_rrec(s, txn, o->rid, &r, o->receipt)) != 0)
		return rc;
	o->replay = true;
	o->serial = r.serial;
	o->debited = r.amount;
	o->remaining = r.remaining_after;
	o->rc = r.voided == RREC_CONFLICT ? ERR_OFFLINE_CONFLICT : ERR_OK;
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
 * its voucher as it is after o: its receipt's body (signed with the rest
 * of the batch), its record, its request. */
static int record(store *s, MDB_txn *txn, op *o, const vrec *v, journal_kind kind)
{
	uint8_t rk[4 + REQUEST_ID_MAX];
	MDB_val rkey, rval;
	char rv[32 + RID_MAX + 1];
	rrec r;
	int rc;

	o->per = (period){v->year, v->month};
	if ((rc = next_rid(s, txn, o->per, o)) != 0)
		return rc;
	if (!receipt_body_of(s, o, kind)) {
		o->rc = ERR_INTERNAL;
		return 0;
	}
	memset(&r, 0, sizeof r);
	r.serial = o->serial;
	r.amount = o->debited;
	r.remaining_after = o->remaining;
	r.time = o->now;
	r.terminal = o->term.id;
	r.voided = kind == JOURNAL_CONFLICT ? RREC_CONFLICT : 0;
	r.year = v->year;
	r.month = v->month;
	memcpy(r.merchant, o->term.merchant, sizeof r.merchant);
	memcpy(r.gallery, o->term.gallery, sizeof r.gallery);
	memcpy(rv, o->body_hash, 32);
	memcpy(rv + 32, o->rid, strlen(o->rid));
	rkey = request_key(o->term.id, o->request_id, rk);
	rval = (MDB_val){32 + strlen(o->rid), rv};
	/* The receipt and the journal entry follow once the batch is signed. */
	if ((rc = put_rrec(s, txn, o->rid, &r, "")) != 0 ||
	    (rc = mdb_put(txn, s->requests, &rkey, &rval, 0)) != 0)
		return rc;
	o->rc = kind == JOURNAL_CONFLICT ? ERR_OFFLINE_CONFLICT : ERR_OK;
	o->recorded = kind;
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
	char receipt[RECEIPT_MAX + 1];
	rrec r;
	vrec v;
	int rc = get_rrec(s, txn, o->rid, &r, receipt);

	if (rc == MDB_NOTFOUND ||
	    (rc == 0 && (strcmp(r.merchant, o->term.merchant) != 0 || r.voided == RREC_CONFLICT))) {
		o->rc = ERR_NOT_FOUND; /* nor is a conflict a redemption to void */
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
		/* The void's receipt: "" while the batch voiding it is written
		 * (spend_finish_batch fills it in). */
		o->receipt[0] = '\0';
		if ((rc = get_void_receipt(s, txn, o)) != 0 && rc != MDB_NOTFOUND)
			return rc;
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
	o->per = (period){r.year, r.month};
	if (!receipt_body_of(s, o, JOURNAL_VOID)) {
		o->rc = ERR_INTERNAL;
		return 0;
	}
	if ((rc = put_vrec(s, txn, r.serial, &v)) != 0 ||
	    (rc = put_rrec(s, txn, o->rid, &r, receipt)) != 0)
		return rc;
	o->rc = ERR_OK;
	o->recorded = JOURNAL_VOID;
	return 0;
}

/* An operation that changed the database, not a refusal or a replay. */
static bool recorded(const op *o)
{
	return o->recorded && !o->replay;
}

int spend_finish_batch(store *s, MDB_txn *txn, op *batch)
{
	char *text[RECEIPT_TREE_MAX];
	op *o;
	size_t n = 0;
	rrec r;
	int rc;

	/* Every receipt of the batch, a redemption's or a void's, in trees. */
	for (o = batch; o; o = o->next) {
		if (recorded(o))
			text[n++] = o->receipt;
		if (n == RECEIPT_TREE_MAX || (n && !o->next)) {
			if (receipt_sign_tree(s->receipt_key, text, n) != ERR_OK)
				return -1;
			n = 0;
		}
	}
	for (o = batch; o; o = o->next) {
		/* A replay of an operation earlier in this batch: its receipt is
		 * stored by now, the original coming first. */
		if (o->replay && (o->rc == ERR_OK || o->rc == ERR_OFFLINE_CONFLICT) &&
		    !o->receipt[0] &&
		    (rc = o->kind == OP_REDEEM ? get_rrec(s, txn, o->rid, &r, o->receipt)
		                               : get_void_receipt(s, txn, o)) != 0)
			return rc;
		if (!recorded(o))
			continue;
		if (o->kind == OP_REDEEM && ((rc = get_rrec(s, txn, o->rid, &r, NULL)) != 0 ||
		                             (rc = put_rrec(s, txn, o->rid, &r, o->receipt)) != 0))
			return rc;
		if (o->kind == OP_VOID && (rc = put_void_receipt(s, txn, o)) != 0)
			return rc;
		if ((rc = journal_put(s, txn, o)) != 0)
			return rc;
	}
	return 0;
}
