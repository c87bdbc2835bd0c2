/*
 * shortcode: the code printed under a voucher's QR, to type or read out
 * (docs/FORMAT.md, "The short code").
 *
 * Twelve symbols of Crockford's Base32, shown in groups of four
 * (XQC5-S345-MHE9): eleven from SHA-256("UMKM-CODE-v1\0" || the 100 token
 * bytes), 55 bits, then a check symbol that catches a mistyped or swapped
 * symbol. Anyone with the token can make the code, and no one without it:
 * it is the token's secret in a form a person can type.
 *
 * A manifest (manifest.h) finds a voucher by its code without holding
 * either in the clear: PBKDF2-HMAC-SHA256 of the code with the manifest's
 * salt gives a lookup value and a key, and the key opens the token sealed
 * with AES-256-GCM.
 */
#ifndef SHORTCODE_H
#define SHORTCODE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "voucher.h"

#define SHORTCODE_DOMAIN     "UMKM-CODE-v1" /* hashed with its NUL */
#define SHORTCODE_LEN        12             /* symbols, the check's included */
#define SHORTCODE_TEXT_LEN   14             /* with its two hyphens */
#define SHORTCODE_SALT_LEN   16
#define SHORTCODE_LOOKUP_LEN 16
#define SHORTCODE_KEY_LEN    32
#define SHORTCODE_SEALED_LEN (VOUCHER_LEN + 16) /* the token, then GCM's tag */

/* The canonical code of the 100 token bytes: 12 symbols and a NUL. */
void shortcode_of(const uint8_t token[VOUCHER_LEN], char out[SHORTCODE_LEN + 1]);

/* The printed form of a canonical code, "XXXX-XXXX-XXXX" and a NUL. */
void shortcode_format(const char *code, char out[SHORTCODE_TEXT_LEN + 1]);

/*
 * What a person typed, as the canonical code: case, spaces and hyphens do
 * not matter, and I and L read as 1, O as 0. ERR_MALFORMED_CODE for any
 * other character, a length other than 12 symbols, or a wrong check
 * symbol (a typo). Never reads past len.
 */
err shortcode_parse(const char *text, size_t len, char out[SHORTCODE_LEN + 1]);

/*
 * The lookup value and the sealing key of a canonical code under a
 * manifest's salt and iteration count: from one PBKDF2-HMAC-SHA256 of the
 * code, SHA-256("UMKM-CODE-LOOKUP\0" || it) cut to 16 bytes and
 * SHA-256("UMKM-CODE-KEY\0" || it). ERR_CRYPTO if OpenSSL fails.
 */
err shortcode_derive(const char *code, const uint8_t salt[SHORTCODE_SALT_LEN], uint32_t iterations,
                     uint8_t lookup[SHORTCODE_LOOKUP_LEN], uint8_t key[SHORTCODE_KEY_LEN]);

/* The token sealed with AES-256-GCM under key (each key seals one token,
 * so the nonce is zero). ERR_CRYPTO if OpenSSL fails. */
err shortcode_seal(const uint8_t key[SHORTCODE_KEY_LEN], const uint8_t token[VOUCHER_LEN],
                   uint8_t out[SHORTCODE_SEALED_LEN]);

/* Open what shortcode_seal made: ERR_UNKNOWN_CODE if key is not the one
 * that sealed it or the bytes were changed. */
err shortcode_open(const uint8_t key[SHORTCODE_KEY_LEN], const uint8_t sealed[SHORTCODE_SEALED_LEN],
                   uint8_t token[VOUCHER_LEN]);

#endif
