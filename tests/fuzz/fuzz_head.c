/*
 * libFuzzer: the journal's signed head (common/journal_head.c), the line
 * that ends every export and what the finance office pins during the month
 * (GET /v1/journal/head, reconcile --head), on arbitrary text. The key is
 * RFC 8032 TEST 1's, as a receipt key; the seeds are docs/FORMAT.md's head
 * and heads of the journals fuzz_journal reads.
 *
 * A head that reads is read canonically: signed again, its fields give
 * back the same body; it verifies exactly when it is what the key signs
 * for its fields; as a journal line (journal_head_line), journal_parse
 * reads it back as a head of the same period and time holding the same
 * signed head. One that does not read does not verify.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "bytes.h"
#include "journal.h"
#include "sig.h"
#include "sigmemo.h"

static const uint8_t test1_pub[SIG_PUBLEN] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
static const uint8_t test1_seed[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static sig_verifier *ver;
static sig_signer *key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (sig_verifier_new(test1_pub, &ver) != ERR_OK ||
	    sig_from_seed(test1_seed, &key) != ERR_OK)
		abort();
	return 0;
}

/* The signed head again, as a line of the export, read back by journal_parse. */
static void check_line(const journal_head *h, const char *signed_head, size_t n)
{
	char line[JOURNAL_HEAD_MAX + 64], per[8], ts[INSTANT_LEN + 1];
	const char *f[JOURNAL_FIELDS], *why;
	size_t len[JOURNAL_FIELDS], m = journal_head_line(h, signed_head, line, sizeof line);
	journal_entry e;

	if (!m || split_at(line, m, ',', f, len, JOURNAL_FIELDS) != JOURNAL_FIELDS)
		__builtin_trap();
	for (int i = 0; i < JOURNAL_FIELDS; i++)
		line[f[i] - line + len[i]] =
		    '\0'; /* each field NUL-terminated, as the reader has them */
	if (!journal_parse(f, len, &e, &why) || e.kind != JOURNAL_HEAD || e.time != h->time ||
	    e.per.year != h->per.year || e.per.month != h->per.month || strlen(e.receipt) != n ||
	    memcmp(e.receipt, signed_head, n) != 0)
		__builtin_trap();
	period_format(h->per, per, sizeof per);
	instant_format(h->time, ts);
	if (strcmp(f[J_PERIOD], per) != 0 || strcmp(f[J_TIME], ts) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *why;
	char again[JOURNAL_HEAD_MAX + 1];
	uint8_t msg[sizeof JOURNAL_HEAD_DOMAIN + JOURNAL_HEAD_MAX], sig[SIG_LEN];
	journal_head h;
	size_t body, n;
	bool genuine;

	if (!journal_head_parse(text, size, &h, &body, &why)) {
		if (!why || journal_head_verify(ver, text, size))
			__builtin_trap();
		return 0;
	}
	if (body >= size || text[body] != '|')
		__builtin_trap();
	n = journal_head_sign(&h, key, again, sizeof again);
	if (!n || n <= body || again[body] != '|' || memcmp(again, text, body) != 0)
		__builtin_trap();
	/* What the key signed, noted as verifying (sigmemo.h). */
	memcpy(msg, JOURNAL_HEAD_DOMAIN, sizeof JOURNAL_HEAD_DOMAIN);
	memcpy(msg + sizeof JOURNAL_HEAD_DOMAIN, again, body);
	if (!b64url_decode(again + body + 1, n - body - 1, sig, SIG_LEN))
		__builtin_trap();
	sigmemo_signed(key, msg, sizeof JOURNAL_HEAD_DOMAIN + body, sig);
	genuine = n == size && memcmp(again, text, n) == 0;
	if (journal_head_verify(ver, text, size) != genuine || !journal_head_verify(ver, again, n))
		__builtin_trap();
	check_line(&h, again, n);
	return 0;
}
