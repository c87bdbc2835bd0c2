/*
 * libFuzzer: the revocation list reader (common/revlist.c).
 *
 * Every input is read by revlist_parse, the lines without the key: an
 * input without a "signature " line gets one (of zeros) appended, so that
 * any body reaches every line's check, at no cost in cryptography. A list
 * that parses holds valid ids, serials in strictly ascending order that
 * revlist_has finds, and the version its text says; its canonical body
 * (revlist_body) parses as the same list and is its own canonical body.
 *
 * Then revlist_load, the whole of it: an input with its own signature line
 * is loaded as it is; a body that parses is signed here with the keyring's
 * key (RFC 8032 TEST 1, docs/FORMAT.md), when it names that key, and then
 * loads as the list it parsed to (sigmemo.h: the verdict on what was just
 * signed is known); one naming another key is refused as unknown. The
 * signing is the costly part, paid only for a body that parses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "memfile.h"
#include "revlist.h"
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

static bool same_list(const revlist *a, const revlist *b)
{
	bool same =
	    strcmp(a->issuer, b->issuer) == 0 && strcmp(a->kid, b->kid) == 0 &&
	    a->version == b->version && a->time == b->time && a->n == b->n &&
	    a->ncompromised == b->ncompromised && a->nallowed == b->nallowed &&
	    (!a->n || memcmp(a->serials, b->serials, a->n * sizeof *a->serials) == 0) &&
	    (!a->nallowed || memcmp(a->allowed, b->allowed, a->nallowed * sizeof *a->allowed) == 0);

	/* Field by field: a kid's bytes after its NUL are no part of it. */
	for (size_t i = 0; same && i < a->ncompromised; i++)
		same = strcmp(a->compromised[i].kid, b->compromised[i].kid) == 0 &&
		       a->compromised[i].since == b->compromised[i].since;
	return same;
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
	for (size_t i = 1; i < rl->nallowed; i++)
		if (rl->allowed[i] <= rl->allowed[i - 1])
			__builtin_trap();
	for (size_t i = 0; i < rl->ncompromised; i++)
		if (!key_id_valid(rl->compromised[i].kid) ||
		    !revlist_compromised(rl, rl->compromised[i].kid) ||
		    (i && strcmp(rl->compromised[i - 1].kid, rl->compromised[i].kid) >= 0))
			__builtin_trap();
}

/* The canonical body of rl parses as rl, and is its own canonical body. */
static void round_trip(const revlist *rl)
{
	char *body = revlist_body(rl), *text, *body2, why[512];
	revlist back = {0};
	sigtext_sig sig;
	size_t len;

	if (!body)
		return;
	text = with_signature(body, strlen(body), false, &len);
	if (revlist_parse("again", text, len, &back, &sig, why, sizeof why) != ERR_OK ||
	    !same_list(rl, &back) || sig.signed_len != strlen(body))
		__builtin_trap();
	if (!(body2 = revlist_body(&back)) || strcmp(body, body2) != 0)
		__builtin_trap();
	free(body2);
	revlist_free(&back);
	free(text);
	free(body);
}

/* The whole load of text, which parsed as rl: as rl, or refused for the key,
 * the time or the signature, never for its form. */
static void load(const char *text, size_t len, const revlist *rl, bool harness_signed)
{
	revlist back = {0};
	char why[512] = "";
	err rc = revlist_load(memfile_put(&in, text, len), kr, NOW, &back, why, sizeof why);

	if (rc == ERR_OK) {
		if (!same_list(rl, &back) || back.text_len != len ||
		    memcmp(back.text, text, len) != 0)
			__builtin_trap();
	} else if (rc == ERR_INVALID || !why[0] || back.serials ||
	           (harness_signed && rc == ERR_BAD_SIGNATURE)) {
		__builtin_trap();
	}
	revlist_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512] = "", *text;
	revlist rl = {0};
	sigtext_sig sig;
	size_t len;
	bool own;
	uint8_t issuer_tag[TAG_LEN], kid_tag[TAG_LEN];
	err rc;

	text = fuzz_signed_text(signer, data, size, &len, &own);
	text[len] = '\0'; /* for check_version; not part of the file */
	rc = revlist_parse("fuzz", text, len, &rl, &sig, why, sizeof why);
	if (rc != ERR_OK) {
		if (strncmp(why, "fuzz:", 5) != 0 || rl.serials)
			__builtin_trap();
		free(text);
		return 0;
	}
	if (sig.signed_len >= len || sig.line < 6)
		__builtin_trap();
	check_list(&rl);
	if (!memchr(text, '\0', len))
		check_version(text, &rl);
	round_trip(&rl);

	tag_of("issuer", rl.issuer, issuer_tag);
	tag_of("kid", rl.kid, kid_tag);
	if (own) {
		load(text, len, &rl, false);
	} else if (keyring_find(kr, KEY_ISSUER, issuer_tag, kid_tag)) {
		free(text);
		text = with_signature(data, size, true, &len);
		load(text, len, &rl, true);
	} else if (revlist_load(memfile_put(&in, text, len), kr, NOW, &(revlist){0}, why,
	                        sizeof why) != ERR_UNKNOWN_KEY) {
		__builtin_trap();
	}
	revlist_free(&rl);
	free(text);
	return 0;
}
