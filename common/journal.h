/*
 * journal: the redeemer's hash-chained journal of a period, as
 * `voucher-redeemer export` writes it and `voucher-issuer reconcile` reads
 * it (docs/FORMAT.md, "The journal"). One CSV line an entry, after the
 * header JOURNAL_HEADER:
 *
 *   seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,
 *   gallery,terminal,receipt,prev_hash,hash
 *
 * No field holds a comma, a quote or a line break, so the writer never
 * quotes. hash = SHA-256(prev_hash "," the first twelve fields joined by
 * ","), in lower-case hex; prev_hash is the previous entry's hash, 64 zeros
 * for the first, and seq counts from 1.
 *
 * The writer and the reader share the one chain: journal_chain_append
 * builds a line and journal_chain_check checks one. Every entry carries a
 * receipt signed by the redeemer (a void's too). The last line is the
 * export's signed head (kind "head", outside the chain): the period, the
 * seqs and count of the entries, the last hash and the totals, signed by
 * the receipt key, so that no line can be added, removed or changed and
 * the chain recomputed without the key.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "period.h"
#include "receipt.h"
#include "sig.h"

#define JOURNAL_FIELDS    14
#define JOURNAL_HASH_HEX  64
#define JOURNAL_FIELD_MAX 64 /* any field but the receipt */
/* A whole line, its newline not counted. */
#define JOURNAL_LINE_MAX (11 * (JOURNAL_FIELD_MAX + 1) + RECEIPT_MAX + 1 + 2 * JOURNAL_HASH_HEX + 1)
#define JOURNAL_HEADER                                                                             \
	"seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,terminal,"    \
	"receipt,prev_hash,hash"

enum journal_col {
	J_SEQ,
	J_TIME,
	J_KIND,
	J_RID,
	J_SERIAL,
	J_PERIOD,
	J_AMOUNT,
	J_REMAINING,
	J_MERCHANT,
	J_GALLERY,
	J_TERMINAL,
	J_RECEIPT,
	J_PREV,
	J_HASH
};

/* The header's names of the columns, "seq" to "hash". */
extern const char *const journal_col_name[JOURNAL_FIELDS];

/* The kinds' names in the journal's kind column ("redeem", ...). */
extern const char *const journal_kind_name[JOURNAL_CONFLICT + 1];

/* An entry's values; the strings are not owned. */
typedef struct journal_entry {
	uint64_t seq; /* from 1 */
	int64_t time; /* Unix seconds */
	journal_kind kind;
	const char *rid; /* "<receipt kid>-<YYYYMM>-<n>"; "" for a head */
	uint64_t serial;
	period per;
	int64_t amount;    /* 1..4294967295: taken, or for a void given back */
	int64_t remaining; /* 0..4294967295: the voucher's balance after it */
	const char *merchant, *gallery;
	uint32_t terminal;
	const char *receipt; /* the entry's receipt; a head line's signed head */
} journal_entry;

/*
 * The values of a line split into its JOURNAL_FIELDS fields (f[i] holds
 * len[i] bytes and a NUL), each in its form: canonical decimals, the time
 * as "YYYY-MM-DDTHH:MM:SSZ", kind "redeem" or "void", a redemption id
 * "<kid>-<YYYYMM>-<n>" of the line's period, 16 upper-case hex digits of a
 * serial that is not 0, a period, amounts in range (amount from 1),
 * merchant and gallery ids of 1-32 of A-Z a-z 0-9 . _ -, the receipt of
 * printable ASCII with no blank, comma or quote (never empty), and the
 * hashes as 64 lower-case hex digits. A head line (kind "head") has only
 * its time, period and signed head (in the receipt column), which
 * journal_head_parse reads; e->kind says which. False with *why (static
 * text) naming the first field that is not; e's strings point into f.
 */
bool journal_parse(const char *const f[JOURNAL_FIELDS], const size_t len[JOURNAL_FIELDS],
                   journal_entry *e, const char **why);

/* Whether s (n bytes) is a hash as the journal writes it: 64 lower-case hex digits. */
bool journal_hash_valid(const char *s, size_t n);

/* Split a redemption id "<kid>-<YYYYMM>-<n>" (n bytes) at its last '-':
 * the length of "<kid>-<YYYYMM>" (the redeemer and period it numbers in)
 * and n. False unless it is a kid of 1-32 id characters, '-', six digits,
 * '-', and a canonical decimal from 1. */
bool journal_rid_split(const char *rid, size_t n, size_t *prefix_len, uint64_t *num);

/*
 * The first of an entry's fields that its receipt does not repeat byte
 * for byte (kind: UR2 for a redeem, URV2 for a void; rid, serial, amount,
 * remaining, merchant, gallery, terminal, time), as its column, or -1 if
 * they all agree.
 */
int journal_receipt_mismatch(const char *const f[JOURNAL_FIELDS], const size_t len[JOURNAL_FIELDS],
                             const receipt_parts *p);

/* The body of entry e's receipt, signed by key kid (everything before
 * "|path"), into out (n bytes; RECEIPT_MAX + 1 hold any): its length, or
 * 0 if it does not fit. The redeemer signs it; a line's receipt must
 * begin with it. */
size_t journal_entry_receipt_body(const journal_entry *e, const char *kid, char *out, size_t n);

/* A period's chain: where the last entry left it. */
typedef struct journal_chain {
	uint64_t seq;                    /* the last entry's; 0 before the first */
	char hash[JOURNAL_HASH_HEX + 1]; /* the last entry's; 64 zeros before the first */
	struct evp_md_ctx_st *md;        /* SHA-256, reused entry after entry */
	struct evp_md_st *sha;
} journal_chain;

/* A chain before its first entry. ERR_CRYPTO if SHA-256 cannot be had. */
err journal_chain_init(journal_chain *c);
void journal_chain_free(journal_chain *c);

/*
 * Append e: its seq becomes c->seq + 1, its line (no newline) goes into
 * out (n bytes, JOURNAL_LINE_MAX + 1 hold any), and c moves on to it.
 * Returns the line's length, or 0 (c unchanged) if a field does not fit.
 */
size_t journal_chain_append(journal_chain *c, journal_entry *e, char *out, size_t n);

/* What journal_chain_check finds wrong with a line's link. */
enum journal_link {
	JOURNAL_SEQ_BREAK = 1,  /* seq is not one more than the previous line's */
	JOURNAL_PREV_BREAK = 2, /* prev_hash is not the previous line's hash */
	JOURNAL_HASH_BREAK = 4, /* hash is not the hash of the line */
};

/*
 * Check the link of a line that journal_parse took (seq e->seq): returns
 * 0 or JOURNAL_*_BREAK flags; -1 if SHA-256 fails or a field is longer
 * than JOURNAL_FIELD_MAX (the receipt: RECEIPT_MAX). c then moves on to
 * the line as written, so that one edited line is one break. md gets the
 * hash computed from the line (what it should hold).
 */
int journal_chain_check(journal_chain *c, const char *const f[JOURNAL_FIELDS],
                        const size_t len[JOURNAL_FIELDS], uint64_t seq, uint8_t md[32]);

/* ---- the signed head ---- */

/*
 * What a head says of a period's journal at its time: the entries seq
 * first..last (count of them; first 1 and last 0 for none), the last
 * one's hash (64 zeros for none), and the rupiah redeemed (online and
 * offline) and given back by voids; conflicts move none. As text, signed by the receipt key kid:
 *
 *   UH2|period|first|last|count|last_hash|redeemed|voided|time|kid|sig
 *
 * sig: unpadded Base64url of Ed25519 over JOURNAL_HEAD_DOMAIN, a zero
 * byte, and the text before "|sig" (the body).
 */
#define JOURNAL_HEAD_DOMAIN "UMKM-JOURNAL-HEAD-v2"
#define JOURNAL_HEAD_MAX    320

typedef struct journal_head {
	period per;
	uint64_t first, last, count;
	char last_hash[JOURNAL_HASH_HEX + 1];
	int64_t redeemed, voided;
	int64_t time;
	char kid[KEY_ID_MAX + 1];
} journal_head;

/* Add entry e to h (the head of e's period so far): seq, hash, totals. */
void journal_head_add(journal_head *h, const journal_entry *e, const char hash[JOURNAL_HASH_HEX]);

/* h signed by key, as text, into out (n bytes; JOURNAL_HEAD_MAX + 1 hold
 * any). Its length, or 0 if signing fails or it does not fit. */
size_t journal_head_sign(const journal_head *h, const sig_signer *key, char *out, size_t n);

/* The head line of an export for a signed head: its CSV line, no newline,
 * into out (n bytes; JOURNAL_HEAD_MAX + 64 hold any). Its length, or 0. */
size_t journal_head_line(const journal_head *h, const char *signed_head, char *out, size_t n);

/* Read a signed head's fields (not its signature) from text (n bytes).
 * False with *why (static text) if it is not one. *body_len gets the
 * length of its signed part. */
bool journal_head_parse(const char *text, size_t n, journal_head *h, size_t *body_len,
                        const char **why);

/* True if text (n bytes) is a signed head whose signature verifies with v. */
bool journal_head_verify(const sig_verifier *v, const char *text, size_t n);

#endif
