/*
 * receipt: the redeemer's receipts, signed a tree at a time
 * (docs/FORMAT.md, "Receipts").
 *
 *   UR2|rid|serial|amount|remaining|merchant|gallery|terminal|time|kid|path|sig
 *
 * for a redemption; a void's receipt is the same with the tag URV2 (the
 * amount given back, the balance after, the voiding terminal and time).
 * The body is everything before "|path": receipt_body builds it, and
 * receipt_parse splits a whole receipt. The redeemer's writer gathers the
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

/* What a journal entry records, and so its receipt (its tag): a redemption
 * (UR2), a void (URV2), a redemption made offline and accepted on upload
 * (URO2), an offline sale that could not be (URC2: a conflict, never
 * paid); a head ends an export and has no receipt. */
typedef enum journal_kind {
	JOURNAL_REDEEM = 1,
	JOURNAL_VOID = 2,
	JOURNAL_HEAD = 3,
	JOURNAL_OFFLINE = 4,
	JOURNAL_CONFLICT = 5
} journal_kind;

/* A kind's receipt tag ("UR2", ...), or NULL for a head. */
const char *receipt_tag(journal_kind k);

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
 * The receipts of a tree signed before, rebuilt from their bodies: text[i]
 * (as for receipt_sign_tree, the bodies in the order they were signed)
 * gets "|path|sig" appended, sig the tree's signature (receipt_tree_sig).
 * No signing: a store keeps a tree's signature once, not its receipts.
 */
err receipt_tree_attach(char *const text[], size_t n, const uint8_t sig[SIG_LEN]);

/* The tree's signature that receipt r (n bytes) ends with. False if it
 * does not end with "|" and one in canonical Base64url. */
bool receipt_tree_sig(const char *r, size_t n, uint8_t sig[SIG_LEN]);

/*
 * The root that a receipt's path leads to from its body (n bytes) and path
 * (len characters). False if the path is not well formed: whole steps, at
 * most RECEIPT_DEPTH_MAX, each a side and a canonical Base64url hash; or
 * a body longer than RECEIPT_MAX.
 */
bool receipt_root(const char *body, size_t n, const char *path, size_t len, uint8_t root[32]);

/* The message the receipt key signs for a root. */
void receipt_message(const uint8_t root[32], uint8_t msg[RECEIPT_MSG_LEN]);

/* The values a receipt's body records; the strings are not owned. */
typedef struct receipt_fields {
	journal_kind kind; /* its tag */
	const char *rid;   /* "<kid>-<YYYYMM>-<n>", the redemption id */
	uint64_t serial;
	int64_t amount, remaining;
	const char *merchant, *gallery;
	uint32_t terminal;
	int64_t time; /* Unix seconds */
	const char *kid;
} receipt_fields;

/*
 * The body of r into out (n bytes; RECEIPT_MAX + 1 hold any), as the
 * redeemer signs it: "UR2|rid|serial|amount|remaining|merchant|gallery|
 * terminal|time|kid" (the tag of its kind), with no '|' at its end. Returns its length, or 0 if
 * it would be longer than RECEIPT_MAX - RECEIPT_TAIL_MAX (no room for its
 * path and signature) or than n - 1.
 */
size_t receipt_body(const receipt_fields *r, char *out, size_t n);

/* The parts of a receipt, in the order it holds them. */
enum receipt_part {
	RP_TAG, /* "UR2", or "URV2" for a void */
	RP_RID,
	RP_SERIAL,
	RP_AMOUNT,
	RP_REMAINING,
	RP_MERCHANT,
	RP_GALLERY,
	RP_TERMINAL,
	RP_TIME,
	RP_KID,
	RP_PATH,
	RP_SIG,
	RECEIPT_PARTS
};

typedef struct receipt_parts {
	const char *part[RECEIPT_PARTS]; /* into the receipt, not NUL-terminated */
	size_t len[RECEIPT_PARTS];
	size_t body_len;   /* the body: everything before "|path" */
	journal_kind kind; /* as its tag says */
} receipt_parts;

/*
 * Split receipt r (n bytes, at most RECEIPT_MAX) at its '|' into exactly
 * RECEIPT_PARTS parts, the first a receipt's tag. False otherwise. The parts' values
 * are not checked: receipt_root and the signature check the proof, and the
 * reader compares the fields with what it knows.
 */
bool receipt_parse(const char *r, size_t n, receipt_parts *p);

/* True if receipt r (n bytes) parses (receipt_parse) and its path and
 * signature verify with v. The fields' values are not looked at. */
bool receipt_verify(const sig_verifier *v, const char *r, size_t n);

#endif
