/*
 * libFuzzer: a journal's lines one at a time, through what journal_read
 * does with each once the file is split into lines and fields
 * (common/journal.c: journal_parse, journal_chain_check,
 * journal_receipt_mismatch) and what the redeemer's export writes
 * (journal_chain_append, journal_head_line). fuzz_journal reads whole
 * files, and settles them, at a fraction of the rate; this one gives the
 * line's forms and its link in the chain the fuzzer's time.
 *
 * The input is lines (LF, a CR before it dropped), each split at its
 * commas into fields as the reader's plain path splits them; a line
 * holding a quote (the reader hands it to libcsv: fuzz_journal's), another
 * CR, a NUL, a field longer than the reader takes (the receipt
 * RECEIPT_MAX, the others JOURNAL_FIELD_MAX) or other than 14 fields is
 * skipped, as the reader refuses it. Lines chain as in one file: the
 * chain starts at seq 0 and 64 zeros, and each line journal_parse takes
 * as an entry moves it on.
 *
 * Whatever the line:
 *   - journal_parse takes it or says why;
 *   - an entry it takes is as journal.h promises (a kind, seq from 1, a
 *     serial, amounts in range, a redemption id of its period), and the
 *     writer writes it back, from a chain at its seq - 1 and its
 *     prev_hash, byte for byte but for the hash: the reader takes only
 *     what the writer writes, in its one form;
 *   - journal_chain_check breaks its link with the line before exactly
 *     where it should: seq not one more, prev_hash not that line's hash,
 *     hash not the writer's; and computes the writer's hash;
 *   - its receipt, if one, repeats the line (journal_receipt_mismatch says
 *     so) exactly when its body is the one journal_entry_receipt_body
 *     makes of the entry;
 *   - a head line taken is what journal_head_line writes for its signed
 *     head (fuzz_head checks the signed head itself).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "journal.h"
#include "receipt.h"

static journal_chain chain, writer; /* the lines' chain; the writer's, set per line */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (journal_chain_init(&chain) != ERR_OK || journal_chain_init(&writer) != ERR_OK)
		abort();
	return 0;
}

/* The receipt repeats the line exactly when its body is the entry's. */
static void check_receipt(const char *const f[JOURNAL_FIELDS], const size_t len[JOURNAL_FIELDS],
                          const journal_entry *e)
{
	char kid[RECEIPT_MAX + 1], body[RECEIPT_MAX + 1];
	receipt_parts p;
	size_t n;
	bool same;

	if (!receipt_parse(f[J_RECEIPT], len[J_RECEIPT], &p))
		return;
	memcpy(kid, p.part[RP_KID], p.len[RP_KID]);
	kid[p.len[RP_KID]] = '\0';
	n = journal_entry_receipt_body(e, kid, body, sizeof body);
	if (!n)
		return; /* no room for it: the redeemer signs no such receipt */
	same = n == p.body_len && memcmp(body, f[J_RECEIPT], n) == 0;
	if ((journal_receipt_mismatch(f, len, &p) == -1) != same)
		__builtin_trap();
}

/* An entry: its promises, the writer's line, its link. */
static void check_entry(const char *line, size_t n, const char *const f[JOURNAL_FIELDS],
                        const size_t len[JOURNAL_FIELDS], const journal_entry *e)
{
	char out[JOURNAL_LINE_MAX + 1], hex[JOURNAL_HASH_HEX + 1];
	journal_entry again = *e;
	uint8_t md[32];
	size_t prefix, m;
	uint64_t num;
	int expect, broken;

	if ((e->kind != JOURNAL_REDEEM && e->kind != JOURNAL_VOID && e->kind != JOURNAL_OFFLINE &&
	     e->kind != JOURNAL_CONFLICT) ||
	    e->seq == 0 || e->serial == 0 || e->amount < 1 || e->amount > UINT32_MAX ||
	    e->remaining < 0 || e->remaining > UINT32_MAX || e->rid != f[J_RID] ||
	    !journal_rid_split(e->rid, len[J_RID], &prefix, &num) || e->receipt != f[J_RECEIPT] ||
	    e->merchant != f[J_MERCHANT] || e->gallery != f[J_GALLERY])
		__builtin_trap();

	/* Written again from where the line says the chain was. */
	writer.seq = e->seq - 1;
	memcpy(writer.hash, f[J_PREV], JOURNAL_HASH_HEX);
	writer.hash[JOURNAL_HASH_HEX] = '\0';
	m = journal_chain_append(&writer, &again, out, sizeof out);
	if (m != n || memcmp(out, line, n - JOURNAL_HASH_HEX) != 0 || again.seq != e->seq)
		__builtin_trap();

	expect = (e->seq != chain.seq + 1 ? JOURNAL_SEQ_BREAK : 0) |
	         (memcmp(f[J_PREV], chain.hash, JOURNAL_HASH_HEX) != 0 ? JOURNAL_PREV_BREAK : 0) |
	         (memcmp(f[J_HASH], out + m - JOURNAL_HASH_HEX, JOURNAL_HASH_HEX) != 0
	              ? JOURNAL_HASH_BREAK
	              : 0);
	broken = journal_chain_check(&chain, f, len, e->seq, md);
	hex_encode(md, sizeof md, hex);
	if (broken != expect || memcmp(hex, out + m - JOURNAL_HASH_HEX, JOURNAL_HASH_HEX) != 0 ||
	    chain.seq != e->seq || memcmp(chain.hash, f[J_HASH], JOURNAL_HASH_HEX) != 0)
		__builtin_trap();
	check_receipt(f, len, e);
}

/* A head line: as journal_head_line writes it for its signed head. */
static void check_head(const char *line, size_t n, const char *const f[JOURNAL_FIELDS],
                       const size_t len[JOURNAL_FIELDS], const journal_entry *e)
{
	char out[JOURNAL_HEAD_MAX + 64];
	const char *why;
	journal_head h;
	size_t body, m;

	if (e->receipt != f[J_RECEIPT] ||
	    !journal_head_parse(f[J_RECEIPT], len[J_RECEIPT], &h, &body, &why))
		__builtin_trap();
	m = journal_head_line(&h, f[J_RECEIPT], out, sizeof out);
	if (m != n || memcmp(out, line, n) != 0)
		__builtin_trap();
}

/* One line (n bytes, no LF): as the reader splits it, then as above. */
static void check_line(const char *line, size_t n)
{
	static char field[JOURNAL_FIELDS][RECEIPT_MAX + 1];
	const char *part[JOURNAL_FIELDS + 1], *f[JOURNAL_FIELDS], *why;
	size_t len[JOURNAL_FIELDS + 1];
	journal_entry e;

	if (n && line[n - 1] == '\r')
		n--;
	if (n == 0 || memchr(line, '"', n) || memchr(line, '\r', n) || memchr(line, '\0', n) ||
	    split_at(line, n, ',', part, len, JOURNAL_FIELDS) != JOURNAL_FIELDS)
		return;
	for (int i = 0; i < JOURNAL_FIELDS; i++) {
		if (len[i] > (i == J_RECEIPT ? RECEIPT_MAX : JOURNAL_FIELD_MAX))
			return;
		memcpy(field[i], part[i], len[i]);
		field[i][len[i]] = '\0';
		f[i] = field[i];
	}
	if (!journal_parse(f, len, &e, &why)) {
		if (!why || !why[0])
			__builtin_trap();
		return;
	}
	if (e.kind == JOURNAL_HEAD)
		check_head(line, n, f, len, &e);
	else
		check_entry(line, n, f, len, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;

	chain.seq = 0;
	memset(chain.hash, '0', JOURNAL_HASH_HEX);
	for (;;) {
		const char *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;

		check_line(s, (size_t)((nl ? nl : end) - s));
		if (!nl)
			return 0;
		s = nl + 1;
	}
}
