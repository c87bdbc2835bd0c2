/*
 * libFuzzer: receipt and journal head checking (common/receipt.c,
 * common/journal_head.c, common/b64url.c) on arbitrary text, as reconcile
 * meets them in journals and in the files merchants and the finance office
 * hand in. The key is RFC 8032 TEST 1's, as a receipt key: the seeds are
 * docs/FORMAT.md's receipt vectors (a void's among them) and its journal's
 * head.
 *
 * Whatever the text: no crash; canonical Base64url only (what decodes
 * re-encodes to the same text); a receipt that verifies no longer does
 * with its last character changed; a head that reads is read canonically
 * (signed again, its fields give back the same body), and one that
 * verifies is exactly what the key signs for its fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "journal.h"
#include "receipt.h"
#include "sig.h"

static const uint8_t test1_pub[SIG_PUBLEN] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
static const uint8_t test1_seed[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static sig_verifier *ver;
static sig_signer *key;

static void check_head(const char *text, size_t size)
{
	char again[JOURNAL_HEAD_MAX + 1];
	journal_head h;
	const char *why;
	size_t body, n;

	if (!journal_head_parse(text, size, &h, &body, &why)) {
		if (journal_head_verify(ver, text, size))
			__builtin_trap();
		return;
	}
	n = journal_head_sign(&h, key, again, sizeof again);
	if (!n || n <= body || again[body] != '|' || memcmp(again, text, body) != 0)
		__builtin_trap();
	if (journal_head_verify(ver, text, size) != (n == size && memcmp(again, text, n) == 0))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	uint8_t raw[RECEIPT_MAX];
	char again[RECEIPT_MAX + 2], *copy; /* the encoding of n bytes is at most size + 1 */
	receipt_parts p;
	size_t n = size * 3 / 4;

	if (!ver && (sig_verifier_new(test1_pub, &ver) != ERR_OK ||
	             sig_from_seed(test1_seed, &key) != ERR_OK))
		abort();
	if (size > RECEIPT_MAX)
		return 0;
	check_head(text, size);
	if (b64url_decode(text, size, raw, n) &&
	    (b64url_encode(raw, n, again) != size || memcmp(again, text, size) != 0))
		__builtin_trap();
	if (!receipt_verify(ver, text, size))
		return 0;
	if (!receipt_parse(text, size, &p) || !receipt_tag(p.kind) ||
	    memcmp(text, receipt_tag(p.kind), strlen(receipt_tag(p.kind))) != 0 ||
	    !(copy = malloc(size)))
		__builtin_trap();
	memcpy(copy, text, size);
	copy[size - 1] = copy[size - 1] == 'A' ? 'B' : 'A';
	if (receipt_verify(ver, copy, size))
		__builtin_trap();
	free(copy);
	return 0;
}
