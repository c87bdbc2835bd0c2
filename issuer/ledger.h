/*
 * ledger: the issuer's LMDB issuance ledger.
 *
 * Holds every voucher issued (serial -> record with the NIP, name, OPD,
 * class, amount, period, key id and token), the index (period, NIP) ->
 * serial that keeps one voucher per ASN per period, the index period ->
 * serials, and revocations. Only the finance office's machine holds it:
 * it is where serials meet personal data.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "nip.h"
#include "period.h"
#include "revlist.h"
#include "voucher.h"

#define LEDGER_TEXT_MAX 255 /* name, OPD, class, reason: bytes of UTF-8 */

typedef struct ledger ledger;

typedef struct ledger_voucher {
	uint64_t serial;
	char nip[NIP_LEN + 1];
	char name[LEDGER_TEXT_MAX + 1];
	char opd[LEDGER_TEXT_MAX + 1];
	char cls[LEDGER_TEXT_MAX + 1];
	int64_t amount;
	period per;
	char kid[KEY_ID_MAX + 1];
	char token[VOUCHER_TEXT_LEN + 1];
	int64_t issued_at; /* Unix seconds */
	uint64_t replaces; /* the lost voucher this one replaces, or 0 */
	/* Filled in by reads only: */
	bool revoked;
	int64_t revoked_at;
	char reason[LEDGER_TEXT_MAX + 1];
	uint64_t replaced_by;
} ledger_voucher;

/*
 * Open the ledger in dir. With create, make dir (0700) and the database if
 * missing; read-only otherwise (nothing is ever written). ERR_IO if dir
 * is not a ledger, ERR_DB on an LMDB failure (logged).
 */
err ledger_open(const char *dir, bool create, ledger **out);
void ledger_close(ledger *l);

/* A consistent copy of the ledger to a new file (common/backup.h). */
err ledger_backup(ledger *l, const char *path);

/* The serial of the voucher nip holds for period p: ERR_NOT_FOUND if none. */
err ledger_find(ledger *l, period p, const char *nip, uint64_t *serial);

/* True if a voucher with this serial exists. */
bool ledger_has_serial(ledger *l, uint64_t serial);

/*
 * Record n new vouchers of issuer (region id) in one transaction: all or
 * none. A ledger belongs to one issuer: ERR_WRONG_ISSUER if it holds
 * another's. ERR_EXISTS if a serial exists or a (period, NIP) already has
 * a voucher; ERR_UNAVAILABLE if the database is full.
 */
err ledger_issue(ledger *l, const char *issuer, const ledger_voucher *v, size_t n);

/* What reconciliation needs to know of a period's policy. */
typedef struct ledger_period_info {
	bool refund;       /* unspent = refund (else forfeit) */
	char timezone[32]; /* "Asia/Jakarta" */
	int grace_days;
} ledger_period_info;

/* Record (at every issue) and read the period's policy facts; the read
 * gives ERR_NOT_FOUND for a period never issued. */
err ledger_set_period_info(ledger *l, period p, const ledger_period_info *info);
err ledger_period_info_get(ledger *l, period p, ledger_period_info *out);

/* The record reconcile keeps of a reconciled period (its text is
 * recon_history.c's): replaced whole by each reconcile of the period. The
 * get gives a malloc'd NUL-terminated copy, or ERR_NOT_FOUND. */
err ledger_history_put(ledger *l, period p, const char *text, size_t len);
err ledger_history_get(ledger *l, period p, char **text, size_t *len);

/* The issuer the ledger belongs to into out; ERR_NOT_FOUND if it is new. */
err ledger_issuer(ledger *l, char out[KEY_ID_MAX + 1]);

/* The voucher with this serial, with its revocation; ERR_NOT_FOUND. */
err ledger_get(ledger *l, uint64_t serial, ledger_voucher *out);

/*
 * Call fn for every voucher of period p in serial order, revoked and
 * replaced ones included, until fn returns non-zero. One read transaction.
 */
err ledger_each(ledger *l, period p, int (*fn)(const ledger_voucher *v, void *ctx), void *ctx);

/* Revoke serial for reason at instant at: ERR_NOT_FOUND, or ERR_EXISTS if
 * it is revoked already. */
err ledger_revoke(ledger *l, uint64_t serial, const char *reason, int64_t at);

/*
 * Replace lost voucher old with repl (same NIP, period and amount) in one
 * transaction: old is revoked, repl recorded with replaces = old, and the
 * (period, NIP) index points at repl.
 */
err ledger_reissue(ledger *l, uint64_t old, const ledger_voucher *repl, const char *reason);

/*
 * Every revoked serial, in serial order, and the version of the list (it
 * grows with every revocation).
 */
err ledger_revoked(ledger *l, uint64_t **serials, size_t *n, uint64_t *version);

/* The time of a new revocation list made at now: now, or one second after
 * the last list's if that is not earlier, so that every list is newer than
 * the one before it (redeemers order lists by time). Recorded. */
err ledger_next_list_time(ledger *l, int64_t now, int64_t *out);

/* Record that key kid was found compromised at instant at: ERR_EXISTS if it
 * was recorded before (the first record stays). */
err ledger_compromise(ledger *l, const char *kid, int64_t at);

/* The keys recorded compromised, in kid order (*out malloc'd, *n of them). */
err ledger_compromised(ledger *l, revlist_key **out, size_t *n);

/* True if kid is recorded compromised, or the ledger cannot say. */
bool ledger_is_compromised(ledger *l, const char *kid);

#endif
