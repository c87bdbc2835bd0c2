/*
 * libFuzzer: the file of heads pinned during the month (reconcile --head;
 * pins_load and pins_check in issuer/recon_trust.c) on arbitrary files.
 * Every "UH2|..." token in it is a head (one per line, alone or inside the
 * JSON of GET /v1/journal/head).
 *
 * Each input is loaded as a pins file, then checked against the journal of
 * recon_fixture.h as reconcile checks it, and the month settled. A file
 * refused names itself; a file taken holds at least one head, each one
 * that journal_head_parse reads, in line order. The heads the redeemer
 * signed for the journal (seeds: the head after each of its lines) raise
 * no anomaly; the pins raise only bad_head and not_extended, a withheld
 * entry only with a not_extended; the books balance.
 *
 * The journal is read once, at start (it is the same for every input, and
 * reading it again cost half of each input's time): what the pins meet of
 * it is what journal_read tells them of each line, pins_note(seq, line,
 * hash, totals so far). Those calls are recorded then (the harness is
 * linked with --wrap=pins_note, the Makefile's) and made again on each
 * input's pins, then pins_check runs on the journal as read, as after
 * reading; fx_again undoes what it and settling changed, and the month is
 * settled once for each set of entries the pins withhold (fx_balances).
 * Nothing else of the reading depends on the pins: it takes the journal
 * whatever they say.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MEMFILE_IN_MEMORY
#include "memfile.h"
#include "recon_fixture.h"

static memfile in, journal_file, own_head;
static const char *journal_path;
static char heads[FX_LINES][JOURNAL_HEAD_MAX + 1]; /* the last: the file's own head */
static fx_run base;                                /* the journal, read once */

/* What journal_read told the pins of each line, when the journal was read. */
typedef struct note {
	uint32_t file;
	uint64_t seq;
	unsigned long line;
	char hash[JOURNAL_HASH_HEX];
	int64_t redeemed, voided;
} note;

static note notes[FX_LINES];
static size_t nnotes;
static bool recording;

void __real_pins_note(pins *P, uint32_t file, uint64_t seq, unsigned long line, const char *hash,
                      int64_t redeemed, int64_t voided);

void __wrap_pins_note(pins *P, uint32_t file, uint64_t seq, unsigned long line, const char *hash,
                      int64_t redeemed, int64_t voided)
{
	if (recording) {
		if (nnotes == FX_LINES)
			fx_fail("more notes than the journal has lines");
		notes[nnotes] = (note){file, seq, line, "", redeemed, voided};
		memcpy(notes[nnotes++].hash, hash, JOURNAL_HASH_HEX);
	}
	__real_pins_note(P, file, seq, line, hash, redeemed, voided);
}

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
	const char *own_path;
	pins P = {0};
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

	/* Read once, with the file's own head pinned: every line is noted. */
	own_path = memfile_put(&own_head, heads[FX_LINES - 1], strlen(heads[FX_LINES - 1]));
	fx_hush();
	recording = true;
	if (!pins_load(&P, own_path, 1) || !fx_read(&base, &journal_path, 1, &P) || base.A.n)
		fx_fail("the fixture's journal and its own head do not read cleanly");
	recording = false;
	fx_said();
	if (nnotes != FX_LINES)
		fx_fail("a line of the journal was not noted");
	base.jr.P = NULL;
	pins_free(&P);
	fx_keep(&base);
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
	anomalies *A = &base.A;
	pins P = {0};

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

	/* As journal_read tells them of each line, then as after reading. */
	for (size_t i = 0; i < nnotes; i++)
		__real_pins_note(&P, notes[i].file, notes[i].seq, notes[i].line, notes[i].hash,
		                 notes[i].redeemed, notes[i].voided);
	base.jr.P = &P;
	pins_check(&base.jr);
	base.jr.P = NULL;
	for (size_t i = 0; i < base.J.n; i++)
		withheld = withheld || (base.J.en[i].flags & EF_WITHHELD);
	if ((all_genuine && A->n) || A->n != A->count[AN_BAD_HEAD] + A->count[AN_NOT_EXTENDED] ||
	    (withheld && !A->count[AN_NOT_EXTENDED]))
		fx_fail("pins that do not say what they should");
	if (!fx_balances(&base))
		fx_fail("the books do not balance");
	fx_said();
	fx_again(&base);
	pins_free(&P);
	return 0;
}
