/*
 * libFuzzer: the journal reader (issuer/recon_journal.c journal_read, over
 * common/journal.c's journal_parse and chain), what reconcile reads from a
 * file that travels between offices, on arbitrary journal files.
 *
 * Each input is read as reconcile reads a journal: the lines' form, their
 * chain links, the table of entries, every receipt against its line and
 * its tree's signature, the head against the file and its signature; then,
 * if it was taken, trust_check, settle and totals_check against the ledger
 * of recon_fixture.h. The ledger, the keyring and the receipt checker are
 * made once (the old harness, now fuzz_reconcile, ran the whole command
 * per input, outputs and all, and managed under a thousand inputs a
 * second; this one does the same parsing and checking ten times as
 * often). Receipts and heads seen before cost a look-up (sigmemo.c).
 *
 * Whatever the journal:
 *   - a refusal names the file;
 *   - a journal taken has a head, and each line after the header is an
 *     entry, a duplicate counted once or a conflict; each entry is found
 *     by its key, with a kind, an amount and a serial as journal_parse
 *     promises;
 *   - the books balance: per ASN, per OPD, in total, and the settlement
 *     is what was redeemed (only an anomaly may say the journals do not
 *     hold together).
 *
 * (A journal given twice counting once is fuzz_reconcile's to check: read
 * twice, every input cost twice as much.)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "recon_fixture.h"

static memfile in;

static void check_entries(const fx_run *r)
{
	const entries *J = &r->J;

	if (J->lines != J->n + J->dups + r->A.count[AN_CONFLICT] + 1 ||
	    r->acct[0].count != J->lines - 1 || !r->acct[0].head_line)
		fx_fail("lines are not entries, duplicates, conflicts and a head");
	for (size_t i = 0; i < J->n; i++) {
		const entry *en = &J->en[i];
		if (en->kind != JOURNAL_REDEEM && en->kind != JOURNAL_VOID &&
		    en->kind != JOURNAL_OFFLINE && en->kind != JOURNAL_CONFLICT)
			fx_fail("an entry of no kind");
		if (en->serial == 0 || en->amount == 0 || en->file != 0 || en->line < 2 ||
		    en->pfx >= J->pfx.n || en->site >= J->sites.n ||
		    entries_find(J, en->pfx, en->ridnum, en->kind) != i)
			fx_fail("an entry that is not as parsed");
	}
}

static void check_totals(const totals *t)
{
	if (!t->balanced || !balances(t->issued, t->redeemed, t->unspent) ||
	    t->settled != t->redeemed)
		fx_fail("the books do not balance");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *paths[1];
	size_t len;
	char *text;
	fx_run r;

	(void)argc, (void)argv;
	fx_init();
	/* The fixture's own journal is taken whole: no anomaly, the month balances. */
	text = fx_journal(&len, NULL, NULL);
	if (getenv("FUZZ_SEEDS")) { /* the one seed with an offline sale and a conflict */
		fx_seed("offline_conflict", text, len);
		exit(0);
	}
	paths[0] = memfile_put(&in, text, len);
	fx_hush();
	if (!fx_read(&r, paths, 1, NULL))
		fx_fail("the fixture's journal is refused");
	fx_settle(&r);
	fx_said();
	if (r.A.n || !r.T.ok || r.J.n != FX_LINES)
		fx_fail("the fixture's journal does not reconcile cleanly");
	fx_run_free(&r);
	free(text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = memfile_put(&in, data, size);
	fx_run r;

	fx_hush();
	if (!fx_read(&r, &path, 1, NULL)) {
		if (!strstr(fx_said(), path))
			fx_fail("a refusal that does not name the file");
		fx_run_free(&r);
		return 0;
	}
	check_entries(&r);
	fx_settle(&r);
	fx_said();
	check_totals(&r.T);
	fx_run_free(&r);
	return 0;
}
