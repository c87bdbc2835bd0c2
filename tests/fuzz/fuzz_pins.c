/*
 * libFuzzer: the file of heads pinned during the month (reconcile --head;
 * pins_load and pins_check in issuer/recon_trust.c) on arbitrary files.
 * Every "UH2|..." token in it is a head (one per line, alone or inside the
 * JSON of GET /v1/journal/head).
 *
 * Each input is loaded as a pins file, then the journal of recon_fixture.h
 * (made once, its receipt key in the keyring) is read against it as
 * reconcile reads it, and the pins checked and the month settled. A file
 * refused names itself; a file taken holds at least one head, each one
 * that journal_head_parse reads, in line order. The journal is taken
 * whatever the pins; the heads the redeemer signed for it (seeds: the head
 * after each of its lines) raise no anomaly; the pins raise only bad_head
 * and not_extended, a withheld entry only with a not_extended; the books
 * balance.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "recon_fixture.h"

static memfile in, journal_file;
static const char *journal_path;
static char heads[FX_LINES][JOURNAL_HEAD_MAX + 1]; /* the last: the file's own head */

static void write_seeds(void)
{
	char text[FX_LINES * (JOURNAL_HEAD_MAX + 64)], name[32];
	size_t n = 0;

	for (size_t i = 0; i < FX_LINES; i++) {
		snprintf(name, sizeof name, "head_%zu", i);
		fx_seed(name, heads[i], strlen(heads[i]));
		n += (size_t)sprintf(text + n, "%s\n", heads[i]);
	}
	fx_seed("all", text, n);
	n = (size_t)sprintf(text, "{\"period\":\"2026-12\",\"head\":\"%s\"}\n", heads[2]);
	fx_seed("json", text, n);
	/* Not this journal's: a digit of the totals changed, and another month's. */
	n = (size_t)sprintf(text, "%s\n%s\n", heads[3], heads[4]);
	text[strlen(heads[3]) - 120] ^= 1;
	memcpy(strstr(text + strlen(heads[3]), "2026-12"), "2026-11", 7);
	fx_seed("forged_other_month", text, n);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t len;
	char *text;

	(void)argc, (void)argv;
	fx_init();
	text = fx_journal(&len, heads, NULL);
	if (!strstr(text, heads[FX_LINES - 1]))
		abort(); /* the export ends with the head after its last line */
	if (getenv("FUZZ_SEEDS"))
		write_seeds();
	journal_path = memfile_put(&journal_file, text, len);
	free(text);
	return 0;
}

static bool genuine(const char *text)
{
	for (size_t i = 0; i < FX_LINES; i++)
		if (strcmp(text, heads[i]) == 0)
			return true;
	return false;
}

static void check_loaded(const pins *P, const char *path)
{
	const char *why;
	journal_head h;
	size_t body;

	if (P->n == 0)
		fx_fail("a pins file taken without a head");
	for (size_t i = 0; i < P->n; i++) {
		const pinned *p = &P->p[i];
		if (!journal_head_parse(p->text, strlen(p->text), &h, &body, &why) ||
		    memcmp(&h, &p->h, sizeof h) != 0 || p->src != path || p->line < 1 ||
		    (i && p->line < P->p[i - 1].line) || !p->agrees || !p->at)
			fx_fail("a pinned head that is not as read");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = memfile_put(&in, data, size);
	bool all_genuine = true, withheld = false;
	pins P = {0};
	fx_run r;

	fx_hush();
	if (!pins_load(&P, path, 1)) {
		if (!strstr(fx_said(), path))
			fx_fail("a refusal that does not name the file");
		pins_free(&P);
		return 0;
	}
	check_loaded(&P, path);
	for (size_t i = 0; i < P.n; i++)
		all_genuine = all_genuine && genuine(P.p[i].text);

	if (!fx_read(&r, &journal_path, 1, &P))
		fx_fail("the journal is refused");
	for (size_t i = 0; i < r.J.n; i++)
		withheld = withheld || (r.J.en[i].flags & EF_WITHHELD);
	if ((all_genuine && r.A.n) ||
	    r.A.n != r.A.count[AN_BAD_HEAD] + r.A.count[AN_NOT_EXTENDED] ||
	    (withheld && !r.A.count[AN_NOT_EXTENDED]))
		fx_fail("pins that do not say what they should");
	fx_settle(&r);
	fx_said();
	if (!r.T.balanced || !balances(r.T.issued, r.T.redeemed, r.T.unspent) ||
	    r.T.settled != r.T.redeemed)
		fx_fail("the books do not balance");
	fx_run_free(&r);
	pins_free(&P);
	return 0;
}
