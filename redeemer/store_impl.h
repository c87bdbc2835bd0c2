/*
 * The store's insides, shared by its files and no one else:
 *
 *   store.c           the environment, its tables, counters, the receipt key
 *   store_terminal.c  the terminal registry
 *   store_spend.c     the redeem and void transactions, replays, receipts
 *   store_writer.c    the group-commit writer thread
 *   store_journal.c   the journal: appending entries, exporting a period
 */
#ifndef STORE_IMPL_H
#define STORE_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include <lmdb.h>

#include "journal.h"
#include "sig.h"
#include "store.h"

struct store {
	MDB_env *env;
	/* LMDB changes the map's size only with no transaction open in the
	 * process: every transaction holds `map` shared (txn_begin), the writer
	 * takes it alone to grow the map (store_writer.c), up to map_max. */
	pthread_rwlock_t map;
	size_t map_max;
	bool space_short; /* the last commit failed for want of space: map or disk */
	MDB_dbi vouchers, redemptions, voids, requests, terminals, tokens, journal, meta;
	sig_signer *receipt_key;
	char receipt_kid[KEY_ID_MAX + 1];
	char receipt_line[256];

	/* the writer thread (store_writer.c) */
	pthread_t writer;
	bool started, stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	op *queue, **queue_tail;
	op *done, **done_tail;
	struct event *notify;
	store_stats stats;
	journal_chain chain; /* the writer's: one period's head at a time */
};

/*
 * Records, stored as fixed little structs: the database is local to the
 * machine that writes it. LMDB values need not be aligned: copy them out.
 */

/* A voucher once presented: table vouchers, key its serial (big-endian). */
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

/* A redemption: table redemptions, key its id. Stored as the first
 * RREC_HEAD bytes, then its receipt (no NUL), or NULs up to the end, as an
 * older version wrote. */
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

#define RREC_HEAD (offsetof(rrec, gallery) + sizeof((rrec *)0)->gallery)

/* rrec.voided: 0, 1 (voided), or this: an offline conflict, not a redemption. */
#define RREC_CONFLICT 2

/* Log an LMDB failure and translate it: a full map or disk is
 * ERR_UNAVAILABLE (nothing recorded, try later), anything else ERR_DB. */
err db_err(int rc, const char *what);

/* Whether rc says the map or the disk is full. */
bool db_full(int rc);

/* Begin a transaction (adopting a map another process grew) and end it:
 * each holds the map lock shared from begin to end. */
int txn_begin(store *s, unsigned flags, MDB_txn **txn);
void txn_abort(store *s, MDB_txn *txn);
int txn_commit(store *s, MDB_txn *txn);

/* The size the map may grow to now: twice its size, within map_max and the
 * disk's free space; at most its size if it cannot grow. */
size_t map_room(store *s, size_t *now);

/* The number under name in meta (0 if none); set it; add one and return it. */
int meta_get_u64(store *s, MDB_txn *txn, const char *name, uint64_t *out);
int meta_put_u64(store *s, MDB_txn *txn, const char *name, uint64_t v);
int meta_next(store *s, MDB_txn *txn, const char *name, uint64_t *out);

int get_vrec(store *s, MDB_txn *txn, uint64_t serial, vrec *out);

/* The redemption rid, and its receipt if receipt is not NULL ("" while its
 * batch is being written). */
int get_rrec(store *s, MDB_txn *txn, const char *rid, rrec *out, char receipt[RECEIPT_MAX + 1]);

/* ---- store_spend.c, inside the writer's transaction ---- */

/* o's transaction: an LMDB error fails the batch; 0 with o->rc the answer. */
int spend_redeem(store *s, MDB_txn *txn, op *o);
int spend_void(store *s, MDB_txn *txn, op *o);

/*
 * After the batch's operations: sign the new redemptions' receipts, one
 * signature a tree, store them, and append the journal entries in the
 * order of the operations. An LMDB error, or -1 if signing failed; either
 * fails the whole batch.
 */
int spend_finish_batch(store *s, MDB_txn *txn, op *batch);

/* The answer recorded for (terminal, request_id) in txn, as spend_redeem
 * gives it: MDB_NOTFOUND if none. */
int spend_lookup_request(store *s, MDB_txn *txn, uint32_t term_id, const char *request_id,
                         const uint8_t body_hash[32], op *o);

/* ---- store_journal.c ---- */

/* Append o's entry to the hash chain of its period (o->period). */
int journal_put(store *s, MDB_txn *txn, const op *o);

/* Period p's journal and signed head as an export, from the database
 * whatever its archive's state (store_export refuses an archived one). */
err export_live(store *s, period p, int64_t now, FILE *f);

/* ---- store_archive.c ---- */

/* Whether period p is archived, or being archived: no write for it. */
bool period_archived(store *s, MDB_txn *txn, period p);

/* ---- store_terminal.c ---- */

/* Parse a terminal record (JSON) with its id. ERR_DB if it is not one. */
err terminal_parse(uint32_t id, const MDB_val *val, terminal *t);

#endif
