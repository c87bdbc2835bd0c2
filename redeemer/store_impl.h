/*
 * The store's insides, shared by its files and no one else:
 *
 *   store.c           the environment, its tables, counters, the receipt key
 *   store_terminal.c  the terminal registry
 *   store_spend.c     the redeem and void transactions, replays, receipts
 *   store_writer.c    the group-commit writer thread
 *   store_journal.c   the journal: entries, receipt trees, exporting a period
 *   store_upgrade.c   bringing an older version's database to this layout
 *   store_archive.c   archiving a closed period
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

/* A period's head in meta ("head:YYYY-MM"): its last entry and the
 * totals so far. An older version kept only seq and hash (HEAD_V1 bytes);
 * their totals are counted from the journal once. */
typedef struct head {
	uint64_t seq;
	char hash[JOURNAL_HASH_HEX + 1];
	int64_t redeemed, voided;
} head;

#define BATCH_HEADS 4 /* periods a batch writes to, mostly one or two */

struct store {
	MDB_env *env;
	/* LMDB changes the map's size only with no transaction open in the
	 * process: every transaction holds `map` shared (txn_begin), the writer
	 * takes it alone to grow the map (store_writer.c), up to map_max. */
	pthread_rwlock_t map;
	size_t map_max;
	bool space_short; /* the last commit failed for want of space: map or disk */
	MDB_dbi vouchers, redemptions, voids, requests, terminals, tokens, journal, trees, meta;
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
	/* the heads of the periods the writer's open batch wrote to, as it
	 * left them (store_journal.c); meta has them once it is done */
	struct {
		period per;
		head h;
	} heads[BATCH_HEADS];
	int nheads;
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

/*
 * A redemption (or a conflict): table redemptions, key its id, which names
 * its period. What it was is its journal entry, seq of that period; a void
 * is the entry void_seq (0: not voided). An older version stored more
 * here, and a void's receipt in table voids (store_upgrade.c).
 */
typedef struct rrec {
	uint32_t seq, void_seq;
} rrec;

/*
 * A journal entry: table journal, key the period ("YYYY-MM") then seq
 * (big-endian). The value is a jrec, then the merchant, gallery and
 * redemption id (no NULs); its receipt is rebuilt from these and its
 * tree (table trees), its hashes by the export, which chains the lines.
 * An older version stored the export's line of text (from a digit).
 */
typedef struct jrec {
	uint8_t version; /* JREC_VERSION */
	uint8_t kind;    /* journal_kind */
	uint8_t merchant_len, gallery_len;
	uint32_t terminal;
	uint32_t amount, remaining;
	uint64_t serial;
	int64_t time;
} jrec;

#define JREC_VERSION 2
#define JKEY_LEN     (7 + 8)

/* An entry as read: the journal line's values. */
typedef struct jentry {
	period per;
	uint64_t seq;
	journal_kind kind;
	uint64_t serial;
	int64_t amount, remaining, time;
	uint32_t terminal;
	char merchant[KEY_ID_MAX + 1], gallery[KEY_ID_MAX + 1], rid[RID_MAX + 1];
	const char *line; /* a line of text (an older version's), in the database */
	size_t line_len;
	const char *receipt; /* the line's receipt, in it */
	size_t receipt_len;
} jentry;

/*
 * A tree of receipts: table trees, key the period and the last seq of its
 * entries (big-endian), which are that period's entries first..last, all
 * of one commit; its signature once for them all, and the kid of the key.
 */
typedef struct trec {
	uint64_t first;
	uint8_t sig[SIG_LEN];
} trec; /* then the kid */

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

/* The redemption rid: its record and its journal entry. */
int get_redemption(store *s, MDB_txn *txn, const char *rid, rrec *r, jentry *e);

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

/* The journal's key of period p's entry seq. */
MDB_val journal_key(period p, uint64_t seq, uint8_t jk[JKEY_LEN]);

/* Entry seq of period p. MDB_CORRUPTED if it is not one. */
int journal_get(store *s, MDB_txn *txn, period p, uint64_t seq, jentry *e);

/* Read an entry's value (either version) into e, its key's period and seq
 * already in e. MDB_CORRUPTED if it is not one. */
int jentry_parse(const MDB_val *val, jentry *e);

/* Entry e as the journal's entry: its strings e's, no receipt. */
journal_entry jentry_entry(const jentry *e);

/* Add o's entry to the journal of its period (o->per), as the next seq
 * (into o->seq); its receipt is signed later, and only then does it join
 * the hash chain (journal_link). */
int journal_add(store *s, MDB_txn *txn, op *o);

/* Link o's entry, its receipt signed, into its period's hash chain. In
 * the order the entries were added. */
int journal_link(store *s, MDB_txn *txn, const op *o);

/* Write the heads the batch changed to meta: at its end, after the last
 * journal_link. A batch starts with none (commit_batch sets nheads 0). */
int journal_flush(store *s, MDB_txn *txn);

/* Record the tree whose signature sig covers period p's entries
 * first..last. */
int tree_put(store *s, MDB_txn *txn, period p, uint64_t first, uint64_t last,
             const uint8_t sig[SIG_LEN]);

/* The receipt of entry seq of period p, into out: "" if its tree is not
 * signed yet (its batch is being written). */
int journal_receipt(store *s, MDB_txn *txn, period p, uint64_t seq, char out[RECEIPT_MAX + 1]);

/* Period p's journal and signed head as an export, from the database
 * whatever its archive's state (store_export refuses an archived one). */
err export_live(store *s, period p, int64_t now, FILE *f);

/* ---- store_upgrade.c ---- */

/* Bring a database an older version wrote to this layout; nothing to do
 * for one of this version. In transactions of its own, resumed if cut
 * short. */
int store_upgrade(store *s);

/* ---- store_archive.c ---- */

/* Whether period p is archived, or being archived: no write for it. */
bool period_archived(store *s, MDB_txn *txn, period p);

/* ---- store_terminal.c ---- */

/* Parse a terminal record (JSON) with its id. ERR_DB if it is not one. */
err terminal_parse(uint32_t id, const MDB_val *val, terminal *t);

#endif
