/*
 * libFuzzer: the code manifest reader (common/manifest.c).
 *
 * As fuzz_revlist: every input is read by manifest_parse, the lines
 * without the key (an input without a "signature " line gets one of zeros
 * appended); then by manifest_load, whole, an input with its own signature
 * line as it is, a body that parses and names the keyring's key signed
 * here (RFC 8032 TEST 1), one naming another key refused as unknown. A
 * manifest that parses has valid ids, iterations in range, distinct
 * non-zero serials and lookup values in the order manifest_find searches,
 * each found by its lookup; its canonical body (manifest_body, lines by
 * serial) parses as the same manifest and is its own canonical body; it
 * loads as what it parsed to, or is refused for its key, time or
 * signature, never its form.
 *
 * No input pays a PBKDF2: what derives keys (manifest_resolve, 20,000
 * iterations of HMAC-SHA-256 per code) is not called here; the derivation
 * is shortcode's, whose typed codes fuzz_shortcode reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "manifest.h"
#include "memfile.h"
#include "sig.h"
#include "sigmemo.h"
#include "sigtext.h"

#define NOW (INT64_MAX / 2)

static keyring *kr;
static sig_signer *signer;
static memfile in;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	kr = fuzz_keyring();
	signer = fuzz_signer();
	return 0;
}

static char *with_signature(const void *body, size_t n, bool sign, size_t *len)
{
	return fuzz_with_signature(signer, body, n, sign, len);
}

static int by_serial(const void *a, const void *b)
{
	uint64_t x = ((const manifest_entry *)a)->serial, y = ((const manifest_entry *)b)->serial;

	return x < y ? -1 : x > y;
}

static bool same_manifest(const manifest *a, const manifest *b)
{
	return strcmp(a->issuer, b->issuer) == 0 && strcmp(a->kid, b->kid) == 0 &&
	       a->time == b->time && a->per.year == b->per.year && a->per.month == b->per.month &&
	       a->iterations == b->iterations && memcmp(a->salt, b->salt, sizeof a->salt) == 0 &&
	       a->n == b->n &&
	       (!a->n || memcmp(a->entries, b->entries, a->n * sizeof *a->entries) == 0);
}

static void check(const manifest *m)
{
	if (!key_id_valid(m->issuer) || !key_id_valid(m->kid) ||
	    m->iterations < MANIFEST_ITERATIONS_MIN || m->iterations > MANIFEST_ITERATIONS_MAX ||
	    (m->n && !m->entries))
		__builtin_trap();
	for (size_t i = 0; i < m->n; i++) {
		const manifest_entry *e = &m->entries[i];
		if (e->serial == 0 || manifest_find(m, e->lookup) != e ||
		    (i && memcmp(m->entries[i - 1].lookup, e->lookup, SHORTCODE_LOOKUP_LEN) >= 0))
			__builtin_trap();
	}
}

/* Lines by serial, as the issuer writes them: parses as m, and canonical. */
static void round_trip(const manifest *m)
{
	manifest w = *m, back = {0};
	char *body, *text, *body2, why[512];
	sigtext_sig sig;
	size_t len;

	if (!(w.entries = malloc((m->n ? m->n : 1) * sizeof *w.entries)))
		return;
	if (m->n) /* no codes: m->entries is NULL, which memcpy may not be given */
		memcpy(w.entries, m->entries, m->n * sizeof *w.entries);
	qsort(w.entries, w.n, sizeof *w.entries, by_serial);
	if (!(body = manifest_body(&w))) {
		free(w.entries);
		return;
	}
	text = with_signature(body, strlen(body), false, &len);
	if (manifest_parse("again", text, len, &back, &sig, why, sizeof why) != ERR_OK ||
	    !same_manifest(m, &back) || sig.signed_len != strlen(body))
		__builtin_trap();
	if (back.n)
		qsort(back.entries, back.n, sizeof *back.entries, by_serial);
	if (!(body2 = manifest_body(&back)) || strcmp(body, body2) != 0)
		__builtin_trap();
	free(body2);
	manifest_free(&back);
	free(text);
	free(body);
	free(w.entries);
}

/* The whole load of text, which parsed as m: as m, or refused for the key,
 * the time or the signature, never for its form. */
static void load(const char *text, size_t len, const manifest *m, bool harness_signed)
{
	manifest back = {0};
	char why[512] = "";
	err rc = manifest_load(memfile_put(&in, text, len), kr, NOW, &back, why, sizeof why);

	if (rc == ERR_OK) {
		if (!same_manifest(m, &back))
			__builtin_trap();
	} else if (rc == ERR_INVALID || !why[0] || back.entries ||
	           (harness_signed && rc == ERR_BAD_SIGNATURE)) {
		__builtin_trap();
	}
	manifest_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512] = "", *text;
	manifest m = {0};
	sigtext_sig sig;
	size_t len;
	bool own;
	uint8_t issuer_tag[TAG_LEN], kid_tag[TAG_LEN];
	err rc;

	text = fuzz_signed_text(signer, data, size, &len, &own);
	rc = manifest_parse("fuzz", text, len, &m, &sig, why, sizeof why);
	if (rc != ERR_OK) {
		if (strncmp(why, "fuzz:", 5) != 0 || m.entries)
			__builtin_trap();
		free(text);
		return 0;
	}
	if (sig.signed_len >= len || sig.line < 2)
		__builtin_trap();
	check(&m);
	round_trip(&m);

	tag_of("issuer", m.issuer, issuer_tag);
	tag_of("kid", m.kid, kid_tag);
	if (own) {
		load(text, len, &m, false);
	} else if (keyring_find(kr, KEY_ISSUER, issuer_tag, kid_tag)) {
		free(text);
		text = with_signature(data, size, true, &len);
		load(text, len, &m, true);
	} else if (manifest_load(memfile_put(&in, text, len), kr, NOW, &(manifest){0}, why,
	                         sizeof why) != ERR_UNKNOWN_KEY) {
		__builtin_trap();
	}
	manifest_free(&m);
	free(text);
	return 0;
}
