/*
 * libFuzzer: the whole of voucher-issuer reconcile (issuer/reconcile.c
 * reconcile_run), outputs and all, on arbitrary journal files.
 *
 * fuzz_journal fuzzes the reading and the checks at ten thousand inputs a
 * second; this harness runs the command itself, a hundred times slower (it
 * opens the ledger, writes every CSV, report.html, report.xlsx and a PDF
 * letter per OPD), for what only the whole run does: the outputs, the
 * summary, the exit status, the history recorded in the ledger, the pinned
 * heads and merchants' receipts as the command takes them. Each input is
 * reconciled as a journal against the ledger of recon_fixture.h, with its
 * keyring of the receipt key R-TEST0001 (the seed journals' receipts and
 * heads are signed with it: tests/fuzz/journal_seeds.py writes them).
 *
 * An input may carry, after a line "#--pins--", a file of pinned heads and
 * merchants' receipts (reconcile's --head and --receipts read the same
 * file: each takes the tokens of its kind), so that their reader is fuzzed
 * too; the journal is what comes before that line.
 *
 * Whatever a journal says, the books balance: reconcile ends with 0 or 1;
 * no balance check FAILs (only the line that says the journals do not hold
 * together may, with the exit status 1 and the outputs written); it exits 0
 * exactly when it writes its outputs and the journals hold together. A
 * journal given twice counts once: the money lines of the summary are
 * those of the journal given once.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memfile.h"
#include "recon_fixture.h"

#define SUMMARY_MAX 65536

static char out_dir[96];
static memfile in, extra, out;
static const char *extra_path; /* the pins and receipts of this input, or NULL */
static char once[SUMMARY_MAX], twice[SUMMARY_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fx_init();
	snprintf(out_dir, sizeof out_dir, "%s/out", fx_dir);
	memfile_put(&out, "", 0);
	return 0;
}

/* Reconcile the journal n times over; its summary (stdout) into text. */
static int run(const char *path, size_t n, char text[SUMMARY_MAX])
{
	const char *journals[2] = {path, path};
	reconcile_opts o = {.ledger = fx_ledger,
	                    .per = FX_PER,
	                    .journals = journals,
	                    .njournals = n,
	                    .keyring = fx_keyring,
	                    .out = out_dir,
	                    .threads = 1,
	                    .heads = &extra_path,
	                    .nheads = extra_path != NULL,
	                    .receipts = &extra_path,
	                    .nreceipts = extra_path != NULL};
	int rc;

	quiet_begin(&out);
	rc = reconcile_run(&o);
	quiet_end();
	memfile_get(&out, text, SUMMARY_MAX);
	return rc;
}

/* The summary without the lines that count lines, entries and anomalies. */
static void money_lines(char *text)
{
	static const char *const skip[] = {"journals:",  "receipts:", "anomalies:", "  ",
	                                   "written to", "pinned",    "merchants'"};
	char *w = text;

	for (char *line = text, *nl; *line; line = nl) {
		bool keep = true;
		nl = strchr(line, '\n');
		nl = nl ? nl + 1 : line + strlen(line);
		for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
			keep = keep && strncmp(line, skip[i], strlen(skip[i])) != 0;
		if (keep) {
			memmove(w, line, (size_t)(nl - line));
			w += nl - line;
		}
	}
	*w = '\0';
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	bool written, broken;
	int rc;

	static const char marker[] = "\n#--pins--\n";
	const uint8_t *pins;

	pins = memmem(data, size, marker, sizeof marker - 1);
	extra_path = NULL;
	if (pins) {
		size_t at = (size_t)(pins - data) + 1;
		extra_path =
		    memfile_put(&extra, pins + sizeof marker - 1, size - at - (sizeof marker - 2));
		size = at;
	}
	path = memfile_put(&in, data, size);
	rc = run(path, 1, once);
	written = strstr(once, "written to") != NULL;
	broken = strstr(once, "journals: FAILED") != NULL;
	if ((rc != 0 && rc != 1) || count(once, "FAILED") != broken ||
	    (rc == 0) != (written && !broken))
		__builtin_trap();
	if (!strstr(once, "written to"))
		return 0; /* refused */
	if (run(path, 2, twice) != rc)
		__builtin_trap();
	money_lines(once);
	money_lines(twice);
	if (strcmp(once, twice) != 0)
		__builtin_trap();
	return 0;
}
