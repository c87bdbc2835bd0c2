/*
 * libFuzzer: receipt checking (common/receipt.c, common/b64url.c) on
 * arbitrary text, as reconcile meets receipts in journals and in the files
 * merchants hand in. The key is RFC 8032 TEST 1's, as a receipt key: the
 * seeds are docs/FORMAT.md's receipt vectors (a void's among them). The
 * journal's signed head, which this harness read too, has its own:
 * fuzz_head.
 *
 * Whatever the text: no crash; canonical Base64url only (what decodes
 * re-encodes to the same text); a receipt that verifies no longer does
 * with its last character changed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "receipt.h"
#include "sig.h"

static const uint8_t test1_pub[SIG_PUBLEN] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
static sig_verifier *ver;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	uint8_t raw[RECEIPT_MAX];
	char again[RECEIPT_MAX + 2], *copy; /* the encoding of n bytes is at most size + 1 */
	receipt_parts p;
	size_t n = size * 3 / 4;

	if (!ver && sig_verifier_new(test1_pub, &ver) != ERR_OK)
		abort();
	if (size > RECEIPT_MAX)
		return 0;
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
