/*
 * sigtext: what the issuer's signed text files share (the revocation list,
 * the code manifest): lines read one at a time, a last "signature " line
 * with the Ed25519 signature over every byte before it, and the rule of
 * which issuer key may sign at an instant.
 */
#ifndef SIGTEXT_H
#define SIGTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"
#include "sig.h"

/* "signature ", the standard Base64 of the signature, a newline. */
#define SIGTEXT_SIG_LINE_MAX (10 + 88 + 1)

/*
 * Copy the next line of buf from *pos into line (without its newline; at
 * most max - 1 bytes) and set *start to its offset. False at the end, or
 * for a line too long, holding a NUL or without a newline (every line ends
 * with one): *pos then stays put.
 */
bool sigtext_next_line(const char *buf, size_t len, size_t *pos, char *line, size_t max,
                       size_t *start);

/* Where a signed text's signature is: the bytes before its line (what it
 * covers), the line's number, and the signature it holds. */
typedef struct sigtext_sig {
	size_t signed_len;
	unsigned line;
	uint8_t sig[SIG_LEN];
} sigtext_sig;

/* The signature of a line "signature BASE64" (line without its newline):
 * false unless it is that, with exactly one encoding. */
bool sigtext_signature(const char *line, uint8_t sig[SIG_LEN]);

/*
 * The "signature " line of a text of len bytes: line (without its newline)
 * starts at byte start, is line number lineno, and the next would start at
 * pos. Its place and signature into *sig; NULL, or what is wrong with it
 * (its encoding, or text after it: the signature line is the last).
 */
const char *sigtext_signature_at(const char *line, size_t start, unsigned lineno, size_t pos,
                                 size_t len, sigtext_sig *sig);

/* Why a text's lines stopped, read to pos of len, before its signature. */
const char *sigtext_unsigned(size_t pos, size_t len);

/* The signature line for sig, NUL-terminated in out; returns its length. */
size_t sigtext_signature_line(const uint8_t sig[SIG_LEN], char out[SIGTEXT_SIG_LINE_MAX + 1]);

/* Why issuer key k may not sign a file of instant t (retired before it,
 * valid only after it), in buf, or NULL if it may. */
const char *sigtext_key_refusal(const key_entry *k, int64_t t, char *buf, size_t n);

/*
 * The issuer key of the keyring kr that signed buf (the file at path, its
 * signature sig, its issuer and kid as its lines say), its signature
 * verified, in *k. ERR_UNKNOWN_KEY (no such key: "path:3: ..." in why) or
 * ERR_BAD_SIGNATURE ("path:LINE: ..."). Which instants the key may sign
 * is the caller's rule (sigtext_key_refusal).
 */
err sigtext_verify(const char *path, const char *buf, const sigtext_sig *sig, const keyring *kr,
                   const char *issuer, const char *kid, const key_entry **k, char *why,
                   size_t whylen);

#endif
