/*
 * libFuzzer: the revocation list reader (common/revlist.c).
 *
 * A fuzzer cannot forge Ed25519, so an input without a "signature " line is
 * signed here with the keyring's key (RFC 8032 TEST 1, docs/FORMAT.md) and
 * the line appended: its body then reaches every check after the signature.
 * An input with one is read as it is. A list that loads holds valid ids,
 * serials in strictly ascending order that revlist_has finds, and the
 * version its text says; its canonical body (revlist_body), signed, loads
 * as the same list.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "memfile.h"
#include "revlist.h"
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

/* body followed by its signature line, in a new buffer of *len bytes. */
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

/* The version line's digits, leading zeros aside, are rl->version. */
static void check_version(const char *text, const revlist *rl)
{
	const char *v = strstr(text, "\nversion ");
	char want[24];

	if (!v)
		__builtin_trap();
	v += 9;
	while (*v == '0' && v[1] >= '0' && v[1] <= '9')
		v++;
	snprintf(want, sizeof want, "%" PRIu64 "\n", rl->version);
	if (strncmp(v, want, strlen(want)) != 0)
		__builtin_trap();
}

static void check_list(const revlist *rl)
{
	if (!key_id_valid(rl->issuer) || !key_id_valid(rl->kid) || (rl->n && !rl->serials) ||
	    revlist_has(rl, 0))
		__builtin_trap();
	for (size_t i = 0; i < rl->n; i++)
		if (rl->serials[i] == 0 || (i && rl->serials[i] <= rl->serials[i - 1]) ||
		    !revlist_has(rl, rl->serials[i]))
			__builtin_trap();
}

/* The canonical body of rl, signed, loads as rl, and is its own canonical body. */
static void round_trip(const revlist *rl)
{
	char *body = revlist_body(rl), *text, *body2, why[512];
	revlist back = {0};
	size_t len;

	if (!body)
		return;
	text = sign(body, strlen(body), &len);
	if (revlist_load(memfile_put(&again, text, len), kr, INT64_MAX / 2, &back, why,
	                 sizeof why) != ERR_OK)
		__builtin_trap();
	if (strcmp(back.issuer, rl->issuer) != 0 || strcmp(back.kid, rl->kid) != 0 ||
	    back.version != rl->version || back.time != rl->time || back.n != rl->n ||
	    (rl->n && memcmp(back.serials, rl->serials, rl->n * sizeof *rl->serials) != 0))
		__builtin_trap();
	if (!(body2 = revlist_body(&back)) || strcmp(body, body2) != 0)
		__builtin_trap();
	free(body2);
	revlist_free(&back);
	free(text);
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512] = "", *text = NULL;
	revlist rl = {0};
	size_t len;
	err rc;

	if (!kr)
		init();
	if ((size >= 10 && memcmp(data, "signature ", 10) == 0) ||
	    memmem(data, size, "\nsignature ", 11)) {
		text = malloc(size + 1);
		if (!text)
			return 0;
		memcpy(text, data, size);
		len = size;
	} else {
		text = sign(data, size, &len);
	}
	text[len] = '\0'; /* for check_version; not part of the file */
	rc = revlist_load(memfile_put(&in, text, len), kr, INT64_MAX / 2, &rl, why, sizeof why);
	if (rc == ERR_OK) {
		check_list(&rl);
		if (!memchr(text, '\0', len))
			check_version(text, &rl);
		round_trip(&rl);
		revlist_free(&rl);
	} else if (!why[0] || rl.serials) {
		__builtin_trap();
	}
	free(text);
	return 0;
}
