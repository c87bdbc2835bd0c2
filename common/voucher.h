/*
 * voucher: the signed voucher token (docs/FORMAT.md is the normative spec).
 *
 * 100 bytes: a 36-byte body of fixed layout, big-endian, then an Ed25519
 * signature over "UMKM-VOUCHER-v1\0" || body. Text form: "UV1:" followed
 * by the Base45 of the 100 bytes (154 characters, QR version 8 at ECC Q in
 * alphanumeric mode). No personal data: the serial -> NIP map stays in the
 * issuer's ledger.
 */
#ifndef VOUCHER_H
#define VOUCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "sig.h"

#define VOUCHER_VERSION    1
#define VOUCHER_BODY_LEN   36
#define VOUCHER_LEN        (VOUCHER_BODY_LEN + SIG_LEN)
#define VOUCHER_PREFIX     "UV1:"
#define VOUCHER_TEXT_LEN   154               /* prefix + Base45 of 100 bytes */
#define VOUCHER_DOMAIN     "UMKM-VOUCHER-v1" /* signed with its NUL */
#define VOUCHER_MSG_LEN    (sizeof VOUCHER_DOMAIN + VOUCHER_BODY_LEN)
#define VOUCHER_SERIAL_LEN 16 /* upper-case hex of the 64-bit serial */
#define VOUCHER_FLAG_MULTI 0x01
#define VOUCHER_GRACE_MAX  31 /* days a window may run past its period's end */

typedef struct voucher {
	uint8_t flags;               /* VOUCHER_FLAG_MULTI or 0 (single use) */
	uint8_t issuer_tag[TAG_LEN]; /* tag_of("issuer", ISSUER) */
	uint8_t kid_tag[TAG_LEN];    /* tag_of("kid", KID) */
	uint64_t serial;             /* random, never 0 */
	uint16_t year;               /* period */
	uint8_t month;
	uint32_t valid_from;          /* Unix seconds, first valid instant */
	uint32_t valid_until;         /* Unix seconds, first instant no longer valid */
	uint32_t face_value;          /* whole rupiah, >= 1 */
	uint8_t gallery_tag[TAG_LEN]; /* tag_of("gallery", ID), all zero = any */
	uint8_t sig[SIG_LEN];
} voucher;

/*
 * The signed message: domain tag with its NUL, then the body. The one place
 * where signing and verifying get their bytes. Returns VOUCHER_MSG_LEN.
 */
size_t voucher_message(const voucher *v, uint8_t out[VOUCHER_MSG_LEN]);

/* The 100 token bytes (body, then signature). */
void voucher_pack(const voucher *v, uint8_t out[VOUCHER_LEN]);

/*
 * Parse the 100 token bytes. Checks the layout only, not the signature:
 * ERR_VOUCHER_TRUNCATED / ERR_VOUCHER_TRAILING for a wrong length,
 * ERR_VOUCHER_VERSION, or ERR_MALFORMED_VOUCHER for unknown flags, a month
 * out of range, an empty window or one outside its period (voucher_window_ok),
 * a zero serial or face value.
 */
err voucher_unpack(const uint8_t *buf, size_t len, voucher *out);

/* Text form into out (at least VOUCHER_TEXT_LEN + 1 bytes); returns length. */
size_t voucher_encode(const voucher *v, char *out, size_t n);

/*
 * Parse the text form (exactly len bytes, no NUL needed). Distinct errors:
 * ERR_VOUCHER_PREFIX, ERR_VOUCHER_VERSION (another "UVn:"),
 * ERR_VOUCHER_BASE45, then those of voucher_unpack. Never reads past len.
 */
err voucher_decode(const char *text, size_t len, voucher *out);

/*
 * Verify v against the keyring's issuer keys: ERR_WRONG_ISSUER if no issuer
 * key belongs to v's issuer, ERR_UNKNOWN_KEY if none of that issuer has v's
 * key id, ERR_BAD_SIGNATURE, ERR_KEY_RETIRED if the key was retired before
 * the first day of v's period, ERR_KEY_TOO_NEW if it is valid only from
 * after its last day. *key (may be NULL) gets the key on success.
 */
err voucher_verify(const voucher *v, const keyring *kr, const key_entry **key);

/* ERR_NOT_YET_VALID, ERR_EXPIRED or ERR_OK for instant now (Unix seconds). */
err voucher_check_time(const voucher *v, int64_t now);

/* Serial as 16 upper-case hex digits into out (17 bytes). */
void voucher_serial_format(uint64_t serial, char out[VOUCHER_SERIAL_LEN + 1]);

/* Parse 16 hex digits (either case), as people type them; ERR_INVALID
 * otherwise or for 0. */
err voucher_serial_parse(const char *s, uint64_t *serial);

/* The serial as files write it: exactly n = 16 upper-case hex digits, not
 * all zero; false otherwise. */
bool voucher_serial_canonical(const char *s, size_t n, uint64_t *serial);

/* Signing is in common/sign/sign.h: the issuer only; the redeemer never
 * links it. */

#endif
