/*
 * revlist: the signed revocation list an issuer hands its redeemers
 * (docs/FORMAT.md, "The revocation list").
 *
 *   UMKM-REVOCATIONS-v1
 *   issuer PROBOLINGGO
 *   kid K2
 *   version 3
 *   time 2026-12-14T10:00:00Z
 *   revoked 0123456789ABCDEF
 *   ...
 *   compromised K1 2026-12-14T09:30:00Z
 *   allowed 0000000000000007
 *   ...
 *   signature BASE64
 *
 * The signature is Ed25519 by the issuer key KID over every byte before the
 * "signature " line (the first line is the domain tag). `time` orders lists:
 * a redeemer takes no list older than one it has, nor one from the future.
 * `version` counts the ledger's revocations (it says, it does not order).
 * A compromised key's vouchers redeem only if their serial is allowed: the
 * vouchers the ledger holds, not a thief's.
 */
#ifndef REVLIST_H
#define REVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "sigtext.h"

#define REVLIST_MAGIC "UMKM-REVOCATIONS-v1"
#define REVLIST_SKEW  300 /* seconds a list's time may be ahead of the reader's clock */

typedef struct revlist_key {
	char kid[KEY_ID_MAX + 1];
	int64_t since; /* when it was found compromised, Unix seconds */
} revlist_key;

typedef struct revlist {
	char issuer[KEY_ID_MAX + 1];
	char kid[KEY_ID_MAX + 1];
	uint64_t version;
	int64_t time;      /* Unix seconds */
	uint64_t *serials; /* revoked, ascending */
	size_t n;
	revlist_key *compromised; /* by kid, ascending */
	size_t ncompromised;
	uint64_t *allowed; /* ascending */
	size_t nallowed;
	uint8_t digest[32]; /* of all the list says but its time, kid and version */
	char *text;         /* the file as loaded (NUL-terminated) */
	size_t text_len;
} revlist;

/*
 * Parse and verify the list in path against kr's issuer keys, at instant
 * now. Every refusal sets why to "FILE:LINE: what": ERR_INVALID for a
 * malformed file or a time more than REVLIST_SKEW ahead of now (line 5);
 * ERR_UNKNOWN_KEY (line 3) for a key that is not an issuer key of the
 * list's issuer in kr, that was retired before the list's time or made
 * after it, or that the list itself calls compromised; ERR_BAD_SIGNATURE
 * (the signature's line); ERR_IO and ERR_TOO_LARGE ("FILE: what"). On
 * success *out is filled; free with revlist_free.
 */
err revlist_load(const char *path, const keyring *kr, int64_t now, revlist *out, char *why,
                 size_t whylen);

/*
 * The first half of revlist_load, on the text buf (len bytes) named path in
 * messages: every line's form and order, up to and including the
 * signature line, whose place and signature go into *sig; not whether the
 * signature verifies, nor who signed, nor when. ERR_INVALID or ERR_NOMEM
 * with why as revlist_load. On success *out holds the list's fields (not
 * its text nor digest, which revlist_load sets); free with revlist_free.
 * (Reading without the key lets a fuzzer reach every line.)
 */
err revlist_parse(const char *path, const char *buf, size_t len, revlist *out, sigtext_sig *sig,
                  char *why, size_t whylen);

/* The body (everything the signature covers) for the fields of rl. Returns
 * a malloc'd string, or NULL when out of memory. */
char *revlist_body(const revlist *rl);

/* True if serial is on the list of revoked serials. */
bool revlist_has(const revlist *rl, uint64_t serial);

/* True if the list calls key kid compromised. */
bool revlist_compromised(const revlist *rl, const char *kid);

/* True unless kid is compromised and serial is not among the allowed. */
bool revlist_allows(const revlist *rl, const char *kid, uint64_t serial);

void revlist_free(revlist *rl);

#endif
