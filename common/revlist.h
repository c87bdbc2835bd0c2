/*
 * revlist: the signed revocation list an issuer hands its redeemers.
 *
 *   UMKM-REVOCATIONS-v1
 *   issuer PROBOLINGGO
 *   kid K1
 *   version 3
 *   time 2026-11-22T10:00:00Z
 *   revoked 0123456789ABCDEF
 *   ...
 *   signature BASE64
 *
 * The signature is Ed25519 by the issuer key KID over every byte before the
 * "signature " line (the first line is the domain tag). Serials are in
 * ascending order; version grows with every revocation, so a redeemer can
 * refuse to go back to an older list.
 */
#ifndef REVLIST_H
#define REVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"

#define REVLIST_MAGIC "UMKM-REVOCATIONS-v1"

typedef struct revlist {
	char issuer[KEY_ID_MAX + 1];
	char kid[KEY_ID_MAX + 1];
	uint64_t version;
	int64_t time;      /* Unix seconds */
	uint64_t *serials; /* ascending */
	size_t n;
	uint8_t digest[32]; /* of the issuer and the serials: what a version must keep */
} revlist;

/*
 * Parse and verify the list in path against kr's issuer keys. Every
 * refusal sets why to "FILE:LINE: what": ERR_INVALID for a malformed file,
 * ERR_UNKNOWN_KEY (line 3, the kid), ERR_BAD_SIGNATURE (the signature's
 * line); ERR_IO and ERR_TOO_LARGE ("FILE: what"). On success *out is
 * filled; free with revlist_free.
 */
err revlist_load(const char *path, const keyring *kr, revlist *out, char *why, size_t whylen);

/* The body (everything the signature covers) for the fields of rl. Returns
 * a malloc'd string, or NULL when out of memory. */
char *revlist_body(const revlist *rl);

/* The line that follows the body: "signature " and the standard Base64 of
 * sig, then a newline, NUL-terminated in out; returns its length.
 * (common/sign/sign.h's revlist_sign makes a whole list.) */
#define REVLIST_SIG_LINE_MAX (10 + 88 + 1)
size_t revlist_signature_line(const uint8_t sig[SIG_LEN], char out[REVLIST_SIG_LINE_MAX + 1]);

/* True if serial is on the list (binary search). */
bool revlist_has(const revlist *rl, uint64_t serial);

void revlist_free(revlist *rl);

#endif
