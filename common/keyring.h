/*
 * keyring: the public keys a verifier trusts, in a text file.
 *
 * One key a line, fields separated by blanks, '#' starts a comment:
 *
 *   KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY
 *   K1  issuer PROBOLINGGO 2026-11-22 - 8bnY...Q=
 *
 * KID and ISSUER are 1..32 of [A-Za-z0-9._-]; ROLE is "issuer" (signs
 * vouchers) or "receipt" (a redeemer's receipt key); ISSUER is "-" for an
 * issuer key not yet bound to a region (the issuer binds it on first use);
 * dates are YYYY-MM-DD, RETIRED_AFTER "-" for never; PUBLIC_KEY is the
 * standard Base64 of the 32-byte Ed25519 public key.
 */
#ifndef KEYRING_H
#define KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sig.h"

#define KEY_ID_MAX 32
#define KEY_NEVER  INT64_MAX
#define TAG_LEN    4

typedef enum key_role { KEY_ISSUER = 1, KEY_RECEIPT = 2 } key_role;

typedef struct key_entry {
	char kid[KEY_ID_MAX + 1];
	key_role role;
	char issuer[KEY_ID_MAX + 1]; /* "" when unbound */
	int64_t valid_from;          /* days since 1970-01-01 */
	int64_t retired_after;       /* days since 1970-01-01, or KEY_NEVER */
	uint8_t pub[SIG_PUBLEN];
	uint8_t kid_tag[TAG_LEN];
	uint8_t issuer_tag[TAG_LEN];
	sig_verifier *verifier; /* owned by the keyring */
} key_entry;

typedef struct keyring keyring;

/*
 * The 4-byte tag of an identifier: the first 4 bytes of
 * SHA-256(kind || ":" || id), e.g. tag_of("issuer", "PROBOLINGGO", t).
 */
void tag_of(const char *kind, const char *id, uint8_t out[TAG_LEN]);

/* True if s is 1..32 characters of [A-Za-z0-9._-]. */
bool key_id_valid(const char *s);

/* An empty keyring; NULL when out of memory. */
keyring *keyring_new(void);
void keyring_free(keyring *kr);

/*
 * Load path. A missing file is ERR_IO. A malformed line (keyring_parse_line),
 * a key id on two lines (whatever their issuer or role) or two whose tags
 * are equal, or a bad key is ERR_INVALID, with why (if not NULL) set to
 * "FILE:LINE: what is wrong"; a file with no key is ERR_INVALID too.
 */
err keyring_load(const char *path, keyring **out, char *why, size_t whylen);

/* Parse one line (no newline) into e; blank or comment lines give
 * ERR_NOT_FOUND. On ERR_INVALID, *what names the problem: among them a
 * receipt key bound to an issuer, or RETIRED_AFTER before VALID_FROM. */
err keyring_parse_line(const char *line, key_entry *e, const char **what);

/* Format e as a keyring line with a trailing newline; returns length. */
size_t keyring_format_line(const key_entry *e, char *out, size_t n);

/*
 * Add a copy of e (tags and verifier are computed here). ERR_EXISTS if a key
 * with the same KID, or the same KID tag, is there already; ERR_INVALID for
 * a receipt key with an issuer.
 */
err keyring_add(keyring *kr, const key_entry *e);

/* Write the keyring atomically (temporary file, fsync, rename), mode 0644. */
err keyring_save(const keyring *kr, const char *path);

size_t keyring_count(const keyring *kr);
const key_entry *keyring_at(const keyring *kr, size_t i);

/* The same, to change (retire, bind) before keyring_save. */
key_entry *keyring_at_mut(keyring *kr, size_t i);

/* The key with this KID (first of any issuer), or NULL. */
key_entry *keyring_by_kid(keyring *kr, const char *kid);

/* Bind an unbound issuer key to issuer (recomputes its tag). */
void keyring_bind(key_entry *e, const char *issuer);

/*
 * The key of role whose issuer tag and kid tag match; unbound issuer keys
 * match any issuer tag. NULL if none.
 */
const key_entry *keyring_find(const keyring *kr, key_role role, const uint8_t issuer_tag[TAG_LEN],
                              const uint8_t kid_tag[TAG_LEN]);

/* True if some key of role belongs to the issuer with this tag, or is unbound. */
bool keyring_has_issuer(const keyring *kr, key_role role, const uint8_t issuer_tag[TAG_LEN]);

#endif
