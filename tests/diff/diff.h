/*
 * diff_gen's private header: what its parts share (tests/diff/gen.c the
 * command, the test keys and the contexts; voucher.c tokens and short
 * codes; files.c keyrings and revocation lists).
 *
 * diff_gen prints the inputs of the differential test of docs/FORMAT.md's
 * two verifiers, each with the C verifier's answer; tests/js/differential.mjs
 * runs the scanner page's voucher.js on them and compares.
 */
#ifndef DIFF_H
#define DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"
#include "revlist.h"
#include "sig.h"

#define N_ELEMS(a) (sizeof(a) / sizeof *(a))
#define PICK(a)    (a)[rnd(N_ELEMS(a))]

/* Ends the program: a failure of this generator, never of what it tests. */
void die(const char *what);

/* ---- randomness: the same sequence for the same --seed ---- */

uint64_t rnd64(void);
uint32_t rnd(uint64_t n); /* 0..n-1 */
bool chance(unsigned percent);

/* ---- text being built: bytes, NUL-terminated, NULs inside allowed ---- */

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

void buf_add(buf *b, const void *s, size_t n);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_set(buf *b, const void *s, size_t n);
/* Replace n bytes at i by the len bytes of s. */
void buf_splice(buf *b, size_t i, size_t n, const char *s, size_t len);
/* Line k (from 0) of b: its start and length with its newline; false if none. */
bool buf_line(const buf *b, unsigned k, size_t *start, size_t *len);
unsigned buf_lines(const buf *b);

/* Characters a reader may meet where it expects others: blanks that are
 * not, a NUL, letters that look like others. */
extern const char *const odd[20];
/* One of them into b at i, in place of n bytes. */
void put_odd(buf *b, size_t i, size_t n);

/* ---- output: one JSON object a line ---- */

void put_hex(const void *p, size_t n);
/* ,"name":"HEX of b" */
void put_text(const char *name, const buf *b);
/* ,"keys":[{kid, role, issuer, validFrom, retiredAfter, pub}...] */
void put_keys(const keyring *kr);

/* ---- the loaders take a path: one memory file ---- */

/* b's bytes in the memory file; its path. */
const char *mem_put(const buf *b);
/* The line a loader's "PATH:LINE: what" names; 0 for "PATH: what". */
unsigned why_line(const char *why);

/* ---- keys ---- */

extern sig_signer *key_a, *key_b; /* RFC 8032 TEST 1 (FORMAT.md's), and 32 bytes of 42 */
extern char pub_a64[45], pub_b64[45];
/* Points of small order, as hex, the last two in encodings that are not canonical. */
extern const char *const small_order[8];

void unhex(const char *h, uint8_t *out, size_t n);
void b64_of(const uint8_t *p, size_t n, char *out);
/* b followed by its signature line by key (sigtext.h). */
void sign_text(buf *b, const sig_signer *key);
/* S + L for a signature's S (its last 32 bytes, little-endian). */
void add_l(uint8_t sig[SIG_LEN]);
/* A signature of msg by key A with R in place of [r]B (voucher.c). */
void sign_with_r(const uint8_t r[32], const uint8_t *msg, size_t n, bool plus_l,
                 uint8_t sig[SIG_LEN]);

/* ---- the contexts vouchers and lists are checked in ---- */

#define N_RINGS 4
#define N_LISTS 3
extern keyring *rings[N_RINGS];
extern revlist lists[N_LISTS];
extern const int list_ring[N_LISTS];
#define LIST_NOW 1797310800 /* 2026-12-15T05:00:00Z, FORMAT.md's now */

/* An issuer key of a ring as a token or list names it: its issuer, its
 * kid, the key that signs for it (NULL: a point of small order's). */
typedef struct ring_key {
	int ring;
	const char *issuer, *kid;
	sig_signer **key;
} ring_key;

/* A key of ring (percent of the time), or names of any key. */
ring_key pick_key(int ring, unsigned percent);

/* Serials the contexts' lists name, and others. */
extern const uint64_t serials[5];

/* ---- the inputs: each prints one line ---- */

void gen_voucher(void); /* voucher.c */
void gen_code(void);
void gen_keyring(void); /* files.c */
void gen_revlist(void);

#endif
