/*
 * libFuzzer: the code manifest reader (common/manifest.c).
 *
 * As fuzz_revlist: an input without a "signature " line is signed here
 * with the keyring's key (RFC 8032 TEST 1) and the line appended, so its
 * body reaches every check after the signature. A manifest that loads has
 * valid ids, iterations in range, distinct non-zero serials and lookup
 * values in the order manifest_find searches, each found by its lookup;
 * its canonical body (manifest_body, lines by serial), signed, loads as the
 * same manifest and is its own canonical body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "manifest.h"
#include "memfile.h"
#include "sig.h"
#include "sigtext.h"

static const uint8_t seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

static keyring *kr;
static sig_signer *signer;
static memfile in, again;

static void init(void)
{
	kr = fuzz_keyring();
	if (sig_from_seed(seed, &signer) != ERR_OK)
		abort();
}

static char *sign(const void *body, size_t n, size_t *len)
{
	uint8_t sig[SIG_LEN];
	char *out = malloc(n + SIGTEXT_SIG_LINE_MAX + 1);

	if (!out || sig_sign(signer, body, n, sig) != ERR_OK)
		abort();
	memcpy(out, body, n);
	*len = n + sigtext_signature_line(sig, out + n);
	return out;
}

static int by_serial(const void *a, const void *b)
{
	uint64_t x = ((const manifest_entry *)a)->serial, y = ((const manifest_entry *)b)->serial;

	return x < y ? -1 : x > y;
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

/* Lines by serial, as the issuer writes them: loads as m, and canonical. */
static void round_trip(const manifest *m)
{
	manifest w = *m, back = {0};
	char *body, *text, *body2, why[512];
	size_t len;

	if (!(w.entries = malloc((m->n ? m->n : 1) * sizeof *w.entries)))
		return;
	memcpy(w.entries, m->entries, m->n * sizeof *w.entries);
	qsort(w.entries, w.n, sizeof *w.entries, by_serial);
	if (!(body = manifest_body(&w))) {
		free(w.entries);
		return;
	}
	text = sign(body, strlen(body), &len);
	if (manifest_load(memfile_put(&again, text, len), kr, INT64_MAX / 2, &back, why,
	                  sizeof why) != ERR_OK)
		__builtin_trap();
	if (strcmp(back.issuer, m->issuer) || strcmp(back.kid, m->kid) || back.time != m->time ||
	    back.per.year != m->per.year || back.per.month != m->per.month ||
	    back.iterations != m->iterations || memcmp(back.salt, m->salt, sizeof m->salt) ||
	    back.n != m->n || (m->n && memcmp(back.entries, m->entries, m->n * sizeof *m->entries)))
		__builtin_trap();
	qsort(back.entries, back.n, sizeof *back.entries, by_serial);
	if (!(body2 = manifest_body(&back)) || strcmp(body, body2) != 0)
		__builtin_trap();
	free(body2);
	manifest_free(&back);
	free(text);
	free(body);
	free(w.entries);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512] = "", *text;
	manifest m = {0};
	size_t len;
	err rc;

	if (!kr)
		init();
	if ((size >= 10 && memcmp(data, "signature ", 10) == 0) ||
	    memmem(data, size, "\nsignature ", 11)) {
		if (!(text = malloc(size + 1)))
			return 0;
		memcpy(text, data, size);
		len = size;
	} else {
		text = sign(data, size, &len);
	}
	rc = manifest_load(memfile_put(&in, text, len), kr, INT64_MAX / 2, &m, why, sizeof why);
	if (rc == ERR_OK) {
		check(&m);
		round_trip(&m);
		manifest_free(&m);
	} else if (!why[0] || m.entries) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
