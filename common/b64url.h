/*
 * b64url: unpadded Base64url (RFC 4648 section 5), as receipts and
 * terminal tokens use it; and reading the standard Base64 with its padding
 * (section 4), as keyrings and signed text files write keys and signatures.
 */
#ifndef B64URL_H
#define B64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters that n bytes encode to: no padding. */
#define B64URL_LEN(n) (((n)*4 + 2) / 3)

/* Encode n bytes into out, which must hold B64URL_LEN(n) + 1 bytes;
 * NUL-terminated. Returns the length. */
size_t b64url_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decode exactly B64URL_LEN(n) characters of in into n bytes of out. False
 * for any other length, a character outside the alphabet, or leftover bits
 * that are not zero: every byte string has one encoding only.
 */
bool b64url_decode(const char *in, size_t len, uint8_t *out, size_t n);

/*
 * Decode exactly the len characters of in as the standard Base64 of n
 * bytes: '+' and '/', then '=' to a multiple of 4 characters. False for
 * anything but that one text, as b64url_decode: a '=' elsewhere or missing,
 * a character after it, leftover bits that are not zero.
 */
bool b64url_decode_std(const char *in, size_t len, uint8_t *out, size_t n);

#endif
