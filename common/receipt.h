/*
 * receipt: the redeemer's receipts, signed a tree at a time
 * (docs/FORMAT.md, "Receipts").
 *
 *   UR2|rid|serial|amount|remaining|merchant|gallery|terminal|time|kid|path|sig
 *
 * The body is everything before "|path". The redeemer's writer gathers the
 * bodies of a commit into Merkle trees of up to RECEIPT_TREE_MAX leaves and
 * signs each tree's root once; each receipt carries the path from its leaf
 * to that root:
 *
 *   leaf = SHA-256(0x00 "UMKM-RECEIPT-v2" 0x00 body)
 *   node = SHA-256(0x01 left right)
 *   path = from the leaf up, a step per level: 'L' or 'R', the side its
 *          sibling is on, then the sibling in unpadded Base64url (43
 *          characters); empty for a tree of one
 *   sig  = Ed25519, unpadded Base64url, over "UMKM-RECEIPT-v2" 0x00 root
 *
 * A level's last node without a sibling goes up unchanged (no step).
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sig.h"

#define RECEIPT_DOMAIN    "UMKM-RECEIPT-v2"
#define RECEIPT_TREE_MAX  32  /* leaves under one signature */
#define RECEIPT_DEPTH_MAX 5   /* steps of a path: log2(RECEIPT_TREE_MAX) */
#define RECEIPT_STEP_LEN  44  /* 'L' or 'R' and 43 Base64url characters */
#define RECEIPT_SIG_LEN   86  /* a signature in unpadded Base64url */
#define RECEIPT_MAX       640 /* the whole receipt, at most */
#define RECEIPT_MSG_LEN   (sizeof RECEIPT_DOMAIN + 32)
/* What signing appends to a body, at most: "|path|sig". */
#define RECEIPT_TAIL_MAX (2 + RECEIPT_DEPTH_MAX * RECEIPT_STEP_LEN + RECEIPT_SIG_LEN)

/*
 * Sign n (1..RECEIPT_TREE_MAX) receipts as one tree: text[i] holds a body
 * ("UR2|...|kid", NUL-terminated, at most RECEIPT_MAX - RECEIPT_TAIL_MAX
 * long, in a buffer of RECEIPT_MAX + 1 bytes), and gets "|path|sig"
 * appended. ERR_INTERNAL for a bad n or a body too long (nothing appended),
 * ERR_CRYPTO if signing fails.
 */
err receipt_sign_tree(const sig_signer *key, char *const text[], size_t n);

/*
 * The root that a receipt's path leads to from its body (n bytes) and path
 * (len characters). False if the path is not well formed: whole steps, at
 * most RECEIPT_DEPTH_MAX, each a side and a canonical Base64url hash; or
 * a body longer than RECEIPT_MAX.
 */
bool receipt_root(const char *body, size_t n, const char *path, size_t len, uint8_t root[32]);

/* The message the receipt key signs for a root. */
void receipt_message(const uint8_t root[32], uint8_t msg[RECEIPT_MSG_LEN]);

/*
 * Split a receipt (n bytes) at its last two '|': the body's length, and
 * where its path and signature start. False if it has no two '|'.
 */
bool receipt_split(const char *r, size_t n, size_t *body_len, const char **path, size_t *path_len,
                   const char **sig, size_t *sig_len);

/* True if receipt r (n bytes) is a UR2 receipt whose path and signature
 * verify with v. The fields are not looked at beyond "UR2|". */
bool receipt_verify(const sig_verifier *v, const char *r, size_t n);

#endif
