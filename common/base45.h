/*
 * base45: RFC 9285 encoding, so a QR code can use alphanumeric mode.
 */
#ifndef BASE45_H
#define BASE45_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Characters needed to encode n bytes (without the NUL). */
size_t base45_encoded_len(size_t n);

/*
 * Encode n bytes of in into out, NUL-terminated. out must hold
 * base45_encoded_len(n) + 1 bytes; returns the length written (without
 * the NUL), or 0 with out untouched if outsz is too small (and n > 0).
 */
size_t base45_encode(const uint8_t *in, size_t n, char *out, size_t outsz);

/*
 * Decode len characters of in into out (capacity outsz), set *outlen.
 * ERR_VOUCHER_BASE45 for a character outside the alphabet, a dangling single
 * character, or a group whose value is out of range (RFC 9285 section 4.2,
 * e.g. "GGW" = 65536). ERR_VOUCHER_TRAILING if the result would not fit in
 * outsz. Never reads in past len, never writes out past outsz. *outlen is
 * set only on success; after a failure out may hold part of the result.
 */
err base45_decode(const char *in, size_t len, uint8_t *out, size_t outsz, size_t *outlen);

#endif
