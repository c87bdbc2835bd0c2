/*
 * manifest: the signed month manifest of short codes (docs/FORMAT.md, "The
 * code manifest"), with which a redeemer, or a scanner page offline, finds
 * the voucher a person typed the code of.
 *
 *   UMKM-MANIFEST-v1
 *   issuer PROBOLINGGO
 *   kid K2
 *   period 2026-12
 *   time 2026-12-01T10:00:00Z
 *   salt BASE64URL
 *   iterations 50000
 *   code 0123456789ABCDEF * LOOKUP SEALED
 *   code 0123456789ABCDF0 1a2b3c4d LOOKUP SEALED
 *   ...
 *   signature BASE64
 *
 * One "code" line per voucher of the period, by ascending serial: the
 * serial, the gallery tag of a gallery-bound voucher (8 hex digits) or "*",
 * the code's lookup value and the token sealed under the code's key
 * (shortcode.h), both unpadded Base64url. No NIP, no name, no amount: the
 * token says the rest once a code opens it, and is verified as any token.
 * The signature is Ed25519 by the issuer key KID over every byte before the
 * "signature " line.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "period.h"
#include "shortcode.h"
#include "sigtext.h"

#define MANIFEST_MAGIC          "UMKM-MANIFEST-v1"
#define MANIFEST_ITERATIONS     20000 /* what the issuer writes */
#define MANIFEST_ITERATIONS_MIN 10000
#define MANIFEST_ITERATIONS_MAX 1000000

typedef struct manifest_entry {
	uint8_t lookup[SHORTCODE_LOOKUP_LEN];
	uint64_t serial;
	uint8_t gallery_tag[TAG_LEN]; /* all zero: any gallery */
	uint8_t sealed[SHORTCODE_SEALED_LEN];
} manifest_entry;

typedef struct manifest {
	char issuer[KEY_ID_MAX + 1];
	char kid[KEY_ID_MAX + 1];
	period per;
	int64_t time; /* Unix seconds: the newer of two manifests of a period wins */
	uint8_t salt[SHORTCODE_SALT_LEN];
	uint32_t iterations;
	manifest_entry *entries; /* loaded: by lookup value (manifest_find) */
	size_t n;
} manifest;

/*
 * The body (everything the signature covers) of m's fields, its entries in
 * the order given (ascending serial). A malloc'd string, or NULL when out of
 * memory. (common/sign/sign.h's manifest_sign makes a whole manifest.)
 */
char *manifest_body(const manifest *m);

/*
 * Parse and verify the manifest in path against kr's issuer keys, at
 * instant now. Every refusal sets why to "FILE:LINE: what": ERR_INVALID for
 * a malformed file (lines out of order, a serial or lookup value twice, a
 * time more than REVLIST_SKEW ahead of now, iterations outside
 * MANIFEST_ITERATIONS_MIN..MAX), ERR_UNKNOWN_KEY for a key that is not an
 * issuer key of the manifest's issuer in kr or that may not sign at its
 * time, ERR_BAD_SIGNATURE; ERR_IO, ERR_TOO_LARGE, ERR_NOMEM ("FILE: what").
 * On success *out is filled; free with manifest_free.
 */
err manifest_load(const char *path, const keyring *kr, int64_t now, manifest *out, char *why,
                  size_t whylen);

/*
 * The first half of manifest_load, on the text buf (len bytes) named path
 * in messages: every line's form and order, up to and including the
 * signature line, whose place and signature go into *sig, and no lookup
 * value twice; not whether the signature verifies, nor who signed, nor
 * when. ERR_INVALID or ERR_NOMEM with why as manifest_load. On success *out
 * holds the manifest, its entries by lookup value; free with manifest_free.
 * (Reading without the key lets a fuzzer reach every line.)
 */
err manifest_parse(const char *path, const char *buf, size_t len, manifest *out, sigtext_sig *sig,
                   char *why, size_t whylen);

/* The entry with this lookup value, or NULL. */
const manifest_entry *manifest_find(const manifest *m, const uint8_t lookup[SHORTCODE_LOOKUP_LEN]);

/*
 * The token whose canonical code this is (shortcode_parse), if m holds it:
 * one PBKDF2 (m->iterations), a search, and the opening of its seal; the
 * token's serial is checked against its line. ERR_UNKNOWN_CODE, or
 * ERR_CRYPTO. Thread-safe on a manifest no one changes.
 */
err manifest_resolve(const manifest *m, const char *code, uint8_t token[VOUCHER_LEN]);

void manifest_free(manifest *m);

#endif
