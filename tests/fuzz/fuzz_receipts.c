/*
 * libFuzzer: the file of receipts merchants hand in (reconcile --receipts;
 * receipts_check in issuer/recon_trust.c) on arbitrary files. Every
 * "UR2|...", "URV2|...", "URO2|..." or "URC2|..." token in it is a receipt
 * (a redemption's, a void's, an offline sale's, a conflict's), wherever it
 * stands (a list, a CSV, JSON).
 *
 * The journal of recon_fixture.h is read once, at start, as reconcile
 * reads it; each input is then checked against its entries, as reconcile
 * does after the journals, and what it changed (the anomalies, the entries
 * it withheld) is undone for the next (fx_again); the month is settled
 * once for each set of entries the inputs withhold (fx_balances). The file is always taken (it can
 * be read); it counts at least as many receipts as are of other months; the redeemer's own receipts
 * for the journal's lines (the seeds) raise no anomaly; receipts raise only forged_receipt and
 * not_in_journal, and an entry is withheld only with a not_in_journal. The books balance after.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "recon_fixture.h"

static memfile in, journal_file;
static fx_run base; /* the journal, read once */
static char receipts[FX_LINES][RECEIPT_MAX + 1];

static void write_seeds(void)
{
	char text[FX_LINES * (RECEIPT_MAX + 8)], name[32];
	size_t n = 0;

	for (size_t i = 0; i < FX_LINES; i++) {
		snprintf(name, sizeof name, "receipt_%zu", i);
		fx_seed(name, receipts[i], strlen(receipts[i]));
		n += (size_t)sprintf(text + n, "\"%s\",\n", receipts[i]);
	}
	fx_seed("all_quoted", text, n);
	/* One changed after signing (its amount), one of another month. */
	n = (size_t)sprintf(text, "%s\n%s\n", receipts[0], receipts[5]);
	strstr(text, "|60000|")[1] = '5';
	memcpy(strstr(text + strlen(receipts[0]), "202612"), "202611", 6);
	fx_seed("changed_other_month", text, n);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *journal_path;
	size_t len;
	char *text;

	(void)argc, (void)argv;
	fx_init();
	text = fx_journal(&len, NULL, receipts);
	if (getenv("FUZZ_SEEDS"))
		write_seeds();
	journal_path = memfile_put(&journal_file, text, len);
	free(text);
	fx_hush();
	if (!fx_read(&base, &journal_path, 1, NULL) || base.A.n)
		fx_fail("the fixture's journal does not read cleanly");
	fx_said();
	fx_keep(&base);
	return 0;
}

static bool genuine(const char *s, size_t n)
{
	for (size_t i = 0; i < FX_LINES; i++)
		if (strlen(receipts[i]) == n && memcmp(s, receipts[i], n) == 0)
			return true;
	return false;
}

/* Whether data (size bytes) at i starts with one of the four receipt tags. */
static bool at_tag(const uint8_t *data, size_t size, size_t i)
{
	static const char *const tags[] = {"UR2|", "URV2|", "URO2|", "URC2|"};

	for (size_t t = 0; t < 4; t++)
		if (size - i >= strlen(tags[t]) && memcmp(data + i, tags[t], strlen(tags[t])) == 0)
			return true;
	return false;
}

/* Whether every receipt token of data is one of the journal's (a rough
 * tokenizer of its own: a token starts with a tag and runs to a blank,
 * comma or quote). */
static bool all_genuine(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		size_t n = 0;
		if (data[i] != 'U' || !at_tag(data, size, i))
			continue;
		while (i + n < size && data[i + n] > ' ' && data[i + n] <= '~' &&
		       !strchr("\"',", data[i + n]))
			n++;
		if (!genuine((const char *)data + i, n))
			return false;
		i += n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = memfile_put(&in, data, size);
	uint64_t read = 0, other = 0;
	bool withheld = false;
	anomalies *A = &base.A;

	fx_hush();
	if (!receipts_check(&base.jr, path, &read, &other) || other > read)
		fx_fail("a receipts file refused, or miscounted");
	for (size_t i = 0; i < base.J.n; i++)
		withheld = withheld || (base.J.en[i].flags & EF_WITHHELD);
	if ((A->n && all_genuine(data, size)) ||
	    A->n != A->count[AN_FORGED_RECEIPT] + A->count[AN_NOT_IN_JOURNAL] ||
	    (withheld && !A->count[AN_NOT_IN_JOURNAL]))
		fx_fail("receipts that do not say what they should");
	/* Settled as they stand, the books balance. */
	if (!fx_balances(&base))
		fx_fail("the books do not balance");
	fx_said();

	fx_again(&base);
	return 0;
}
