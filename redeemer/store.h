/*
 * store: the redeemer's LMDB spend store, terminal registry and journal.
 *
 * Reads (terminal lookup, voucher state, export) run in read transactions
 * on any thread. Writes from the service go through one writer thread that
 * batches queued operations into one transaction and one fsync (group
 * commit), then hands each operation back to the event loop: nothing is
 * acknowledged before the commit that records it is on disk. The CLI
 * commands write directly (store_terminal_add and friends).
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "journal.h"
#include "keyring.h"
#include "period.h"
#include "pool.h"
#include "receipt.h"
#include "revlist.h"
#include "voucher.h"

#define TERMINAL_TOKEN_LEN 46 /* "vt_" + Base64url of 32 random bytes */
#define TERMINAL_NAME_MAX  128
#define REQUEST_ID_MAX     128
#define RID_MAX            (KEY_ID_MAX + 28) /* redemption id: "R-XXXXXXXX-YYYYMM-N" */
#define HASH_HEX           64

typedef struct store store;
typedef struct op op;
struct event_base;

typedef struct terminal {
	uint32_t id;
	char merchant[KEY_ID_MAX + 1];
	char gallery[KEY_ID_MAX + 1];
	char name[TERMINAL_NAME_MAX + 1];
	bool disabled;
	int64_t created;
	uint8_t gallery_tag[TAG_LEN];
} terminal;

/* What the redeemer knows of a voucher once it has been presented. */
typedef struct vstate {
	uint32_t face_value;
	int64_t remaining;
	bool multi;
	uint16_t year;
	uint8_t month;
	uint32_t redemptions; /* including voided ones */
	uint32_t valid_from, valid_until;
} vstate;

/*
 * Open (creating if needed) the store in dir, and its receipt key
 * (DIR/receipt.key, created with mode 0600 on first open). map_size is the
 * LMDB map size in bytes (0: the default, 1 GiB). ERR_IO / ERR_DB / ERR_INSECURE.
 */
err store_open(const char *dir, size_t map_size, store **out);
void store_close(store *s);

/* Let the map grow, when full, up to max bytes (and the disk's free
 * space); without this call it grows as far as the disk allows. */
void store_limit_map(store *s, size_t max);

/* ERR_OK if the store can record now; else ERR_UNAVAILABLE (the map cannot
 * grow or the disk is full) or ERR_DB, with *why saying which. */
err store_health(store *s, const char **why);

/* The receipt key's keyring line ("R-XXXXXXXX receipt - DATE - PUB\n"). */
void store_receipt_keyline(const store *s, char *out, size_t n);

/*
 * A consistent copy of the database (LMDB's compacting copy, taken inside a
 * read transaction, so the service may go on writing) to a new file path
 * (mode 0600; ERR_EXISTS if it exists). Restore: put it as data.mdb in an
 * empty folder. The receipt key is not in it: keep DIR/receipt.key too.
 */
err store_backup(store *s, const char *path);

/* What the store holds, for an operator. */
typedef struct store_summary {
	uint64_t vouchers, redemptions, voided, conflicts, terminals, terminals_disabled,
	    journal_entries;
	int64_t redeemed, remaining; /* rupiah: net of voids; left on vouchers seen */
} store_summary;
err store_summarize(store *s, store_summary *out);

/* ---- terminals ---- */

/*
 * Register a terminal; the bearer token (NUL-terminated, TERMINAL_TOKEN_LEN
 * characters) is written to token and only its SHA-256 is stored.
 */
err store_terminal_add(store *s, const char *merchant, const char *name, const char *gallery,
                       char token[TERMINAL_TOKEN_LEN + 1], uint32_t *id);

/* The enabled terminal holding this bearer token, else ERR_UNAUTHORIZED. */
err store_terminal_auth(store *s, const char *token, size_t len, terminal *out);

/* Disable terminal id: ERR_NOT_FOUND. */
err store_terminal_disable(store *s, uint32_t id);

/* Call fn for each terminal in id order. */
err store_terminal_each(store *s, void (*fn)(const terminal *t, void *ctx), void *ctx);

/* ---- reads ---- */

/* State of a voucher that has been redeemed at least once: ERR_NOT_FOUND. */
err store_voucher_get(store *s, uint64_t serial, vstate *out);

/* Write the journal of period p as CSV to f: its header, its entries, and
 * its head signed at now (common/journal.h). ERR_IO if f cannot be written;
 * ERR_ARCHIVED if p is archived (store_archived says where). */
err store_export(store *s, period p, int64_t now, FILE *f);

/* ---- archiving a closed period (store_archive.c) ---- */

#define ARCHIVE_AFTER_DAYS 7    /* after the last of the period's vouchers expired */
#define ARCHIVE_PATH_MAX   1024 /* bytes of the archive's path, as recorded */

enum archive_state { ARCHIVE_CLOSED = 1, ARCHIVE_WRITTEN = 2, ARCHIVE_DONE = 3 };

typedef struct archive_result {
	uint64_t lines;   /* journal entries in the archive */
	uint64_t removed; /* records removed from the database by this run */
	char sha256[65];  /* of the archive, hex */
	bool resumed;     /* this run finished one cut short */
} archive_result;

/*
 * Archive period p to a new file at path: the period's journal and its
 * head signed at now, exactly as `export` writes them (reconcile reads it
 * as any export); then the period's records leave the database, in small
 * transactions, so the service may run meanwhile. From the first step on,
 * the service takes no write for p. Killed at any point, the same call
 * finishes the job; called again once done, it only says so.
 * ERR_NOT_FOUND nothing of p here; ERR_INVALID p not closed (a voucher of
 * it valid until less than ARCHIVE_AFTER_DAYS before now), or the file of
 * a run cut short missing or changed; ERR_EXISTS path exists, or p is
 * archived to another path; ERR_IO, ERR_DB. *why says what, in words.
 */
err store_archive(store *s, period p, int64_t now, const char *path, archive_result *out, char *why,
                  size_t whylen);

/* Where period p was archived: ERR_NOT_FOUND if it never was. */
typedef struct archive_info {
	enum archive_state state;
	int64_t closed_at;
	uint64_t lines;
	char sha256[65];
	char path[ARCHIVE_PATH_MAX + 1];
} archive_info;
err store_archived(store *s, period p, archive_info *out);

/* Period p's journal head as it stands, signed at now, into out. */
err store_journal_head(store *s, period p, int64_t now, char out[JOURNAL_HEAD_MAX + 1]);

/*
 * An earlier request of this terminal with this request_id: ERR_NOT_FOUND
 * if none, ERR_REQUEST_CONFLICT if it asked something else (body_hash
 * differs), else ERR_OK with o's answer fields filled from the redemption
 * it made (o->replay set).
 */
err store_request_get(store *s, uint32_t term_id, const char *request_id,
                      const uint8_t body_hash[32], op *o);

/*
 * Take revocation list rl as the newest, and remember it: refuse, even
 * after a restart, a list older (by its time) than the newest taken, which
 * would bring revoked vouchers back (ERR_INVALID, *newest that one's time);
 * one of the same time that says other things (ERR_EXISTS); and one that
 * no longer calls compromised a key that a list taken before did, or that
 * such a key signed (ERR_UNKNOWN_KEY, kid names the key). A key once called
 * compromised stays so.
 */
err store_take_revlist(store *s, const revlist *rl, int64_t *newest, char kid[KEY_ID_MAX + 1]);

/* ---- writes through the writer thread ---- */

enum op_kind { OP_REDEEM = 1, OP_VOID = 2 };

struct op {
	enum op_kind kind;
	/* in */
	terminal term;
	voucher v;      /* OP_REDEEM: decoded and verified */
	int64_t amount; /* OP_REDEEM: the purchase, >= 1 (ERR_MALFORMED_REQUEST) */
	char request_id[REQUEST_ID_MAX + 1];
	uint8_t body_hash[32]; /* of what the request asks, for replays */
	char rid[RID_MAX + 1]; /* OP_VOID: the redemption; OP_REDEEM: out */
	int64_t now;           /* Unix seconds: when the sale was made */
	int tz_offset;         /* seconds east of UTC: "the same local day" */
	int64_t uploaded;      /* OP_REDEEM made offline: when it reached the service; 0: online */
	bool conflict; /* OP_REDEEM made offline: record it as a conflict, whatever the balance */
	/* out */
	err rc;
	bool replay;     /* an earlier answer to the same request */
	int64_t debited; /* amount actually taken (or restored) */
	int64_t remaining;
	uint64_t serial;
	char receipt[RECEIPT_MAX + 1];
	period per;            /* of the journal the operation goes to */
	journal_kind recorded; /* what o wrote to the journal; 0: nothing (a refusal, a replay) */
	uint64_t seq;          /* its journal entry, if recorded */
	bool in_tree;          /* the writer's: its receipt is in a tree being signed */
	/* run on the event loop's thread once o is committed or refused */
	task done;
	op *next; /* the writer's queue */
};

/*
 * Start the writer thread; completions are delivered on base's thread.
 * Call evthread_use_pthreads() before creating base.
 */
err store_start(store *s, struct event_base *base);

/* Queue o; o->done runs later on the event loop's thread. Thread-safe. */
void store_submit(store *s, op *o);

/* Hand o back as it is (o->rc says why), without writing anything: its
 * done runs on the event loop's thread like any other's. Thread-safe. */
void store_finish(store *s, op *o);

/* Stop taking operations, let the writer finish and commit what it holds,
 * deliver their completions, and join it. */
void store_stop(store *s);

/* Counters for /metrics. */
typedef struct store_stats {
	uint64_t batches, ops, commit_us_total, commit_us_max;
	uint64_t batch_hist[8];  /* batch sizes: 1, 2-3, 4-7, ..., 128+ */
	uint64_t commit_hist[8]; /* commit latency: <0.5ms, <1, <2, <4, <8, <16, <32, more */
} store_stats;
void store_get_stats(store *s, store_stats *out);

#endif
