/*
 * libFuzzer: a journal entry as the redeemer's database holds it
 * (redeemer/store_journal.c, jentry_parse), on arbitrary bytes: what
 * `export` and `archive` rebuild lines and receipts from. The database is
 * the redeemer's own; a value of it that was changed on disk must be
 * refused, not rebuilt into a line that the export would sign.
 *
 * A binary entry that reads is exactly what journal_add writes for its
 * values, byte for byte, and its receipt body builds; a line of text (an
 * older version's) reads as the journal reader reads it, its receipt a
 * field inside it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "store_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[sizeof(jrec) + 2 * KEY_ID_MAX + RID_MAX];
	char body[RECEIPT_MAX + 1];
	MDB_val val = {size, (void *)data};
	jentry e = {0};
	journal_entry je;
	size_t m, g, r, i;
	jrec j;

	/* A line's seq is its key's: the first field here. */
	for (i = 0; i < size && i < 20 && data[i] >= '0' && data[i] <= '9'; i++)
		e.seq = e.seq * 10 + (data[i] - '0');
	if (jentry_parse(&val, &e) != 0)
		return 0;
	if (e.line) {
		if (e.line != (const char *)data || e.line_len != size || e.receipt < e.line ||
		    e.receipt + e.receipt_len > e.line + size || !e.receipt_len ||
		    !receipt_tag(e.kind))
			__builtin_trap();
		return 0;
	}
	m = strlen(e.merchant), g = strlen(e.gallery), r = strlen(e.rid);
	j = (jrec){.version = JREC_VERSION,
	           .kind = (uint8_t)e.kind,
	           .merchant_len = (uint8_t)m,
	           .gallery_len = (uint8_t)g,
	           .terminal = e.terminal,
	           .amount = (uint32_t)e.amount,
	           .remaining = (uint32_t)e.remaining,
	           .serial = e.serial,
	           .time = e.time};
	memcpy(buf, &j, sizeof j);
	memcpy(buf + sizeof j, e.merchant, m);
	memcpy(buf + sizeof j + m, e.gallery, g);
	memcpy(buf + sizeof j + m + g, e.rid, r);
	if (sizeof j + m + g + r != size || memcmp(buf, data, size) != 0)
		__builtin_trap();
	je = jentry_entry(&e);
	if (!journal_entry_receipt_body(&je, "R-00000000", body, sizeof body))
		__builtin_trap();
	return 0;
}
