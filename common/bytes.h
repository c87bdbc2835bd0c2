/*
 * bytes: fixed-width integers in big-endian byte order (the token's fields,
 * LMDB keys that sort as numbers), and bytes as lower-case hex.
 */
#ifndef BYTES_H
#define BYTES_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void put_be16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof v);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof v);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof v);
}

static inline uint32_t get_be32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return be32toh(v);
}

static inline uint64_t get_be64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return be64toh(v);
}

/* n bytes of in as 2n lower-case hex digits into out, then a NUL. */
void hex_encode(const uint8_t *in, size_t n, char *out);

/* The 2n lower-case hex digits at in as n bytes into out; false for any
 * other character (out is then partly written). */
bool hex_decode(const char *in, uint8_t *out, size_t n);

/* The value of the n (at most 9) decimal digits at s, or -1 if one of them
 * is not a digit. */
static inline int dec_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* A 64-bit mix (splitmix64's finalizer): hash table slots from keys that
 * are not random, such as serials in a row. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A canonical decimal of n characters at s (digits only; no sign, blank or
 * leading zero but "0" itself) of at most max, into *out; false otherwise. */
bool dec_parse(const char *s, size_t n, uint64_t max, uint64_t *out);

/* Split the n bytes at s at each sep into part[] and len[] (not
 * NUL-terminated, pointing into s), at most max parts. Returns the number
 * of parts, or max + 1 if there are more. */
size_t split_at(const char *s, size_t n, char sep, const char **part, size_t *len, size_t max);

#endif
