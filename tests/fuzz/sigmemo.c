/*
 * sigmemo: Ed25519 verdicts remembered, for the libFuzzer harnesses.
 *
 * Every harness is linked with --wrap=sig_verify (and sig_verifier_new,
 * sig_verifier_free): the code under test calls sig_verify as always and
 * reaches __wrap_sig_verify here. A verification is a pure function of the
 * public key, the message and the signature, and OpenSSL spends 75-150 us
 * on one on this machine, more than a whole parse of most inputs; a fuzzer
 * that mutates one line of a signed journal verifies the others' signatures
 * again on every input. So each verdict is kept in a table of 2^14 slots,
 * by the key, the signature, the message's length and its SHA-256, and only
 * a triple not seen lately reaches OpenSSL. The answers are OpenSSL's own
 * and every branch of the code under test runs as before; what is skipped
 * is OpenSSL repeating its arithmetic. AddressSanitizer checks here every
 * byte the caller hands over, which it cannot inside OpenSSL. The SHA-256
 * is fetched once and its one context reused: EVP_Digest with
 * EVP_sha256() looks the algorithm up in OpenSSL's provider store on every
 * call, which was a tenth of a receipts file's time.
 *
 * A verifier is known by its public key (noted when it is made), not by
 * its address, which the next one made after a free may reuse.
 *
 * Nothing in the programs is changed: without the wrap (the programs, the
 * unit tests) sig_verify is OpenSSL's every time.
 */
#include "sigmemo.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sanitizer/asan_interface.h>

#define SLOTS     (1u << 14)
#define KNOWN_MAX 256 /* live verifiers: a harness's keyrings hold a few */

bool __real_sig_verify(const sig_verifier *v, const uint8_t *msg, size_t n,
                       const uint8_t sig[SIG_LEN]);
err __real_sig_verifier_new(const uint8_t pub[SIG_PUBLEN], sig_verifier **out);
void __real_sig_verifier_free(sig_verifier *v);

typedef struct slot {
	bool used, ok;
	size_t n;
	uint8_t pub[SIG_PUBLEN], sig[SIG_LEN], md[32];
} slot;

typedef struct known {
	const sig_verifier *v;
	uint8_t pub[SIG_PUBLEN];
} known;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot table[SLOTS];
static known verifiers[KNOWN_MAX];
static size_t nverifiers;

err __wrap_sig_verifier_new(const uint8_t pub[SIG_PUBLEN], sig_verifier **out)
{
	err e = __real_sig_verifier_new(pub, out);

	if (e != ERR_OK)
		return e;
	pthread_mutex_lock(&lock);
	if (nverifiers == KNOWN_MAX)
		abort(); /* a harness leaks keyrings */
	verifiers[nverifiers].v = *out;
	memcpy(verifiers[nverifiers].pub, pub, SIG_PUBLEN);
	nverifiers++;
	pthread_mutex_unlock(&lock);
	return ERR_OK;
}

void __wrap_sig_verifier_free(sig_verifier *v)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; v && i < nverifiers; i++)
		if (verifiers[i].v == v) {
			verifiers[i] = verifiers[--nverifiers];
			break;
		}
	pthread_mutex_unlock(&lock);
	__real_sig_verifier_free(v);
}

/* The public key of v; false if it was not made through sig_verifier_new. */
static bool public_of(const sig_verifier *v, uint8_t pub[SIG_PUBLEN])
{
	for (size_t i = 0; i < nverifiers; i++)
		if (verifiers[i].v == v) {
			memcpy(pub, verifiers[i].pub, SIG_PUBLEN);
			return true;
		}
	return false;
}

/* The slot of (pub, sig, n, md): where it is, or where it would go. */
static slot *slot_of(const slot *want)
{
	uint32_t h;

	memcpy(&h, want->md, sizeof h);
	h ^= (uint32_t)want->sig[0] | (uint32_t)want->sig[1] << 8 | (uint32_t)want->pub[0] << 16;
	return &table[h & (SLOTS - 1)];
}

static bool same(const slot *a, const slot *b)
{
	return a->used && a->n == b->n && memcmp(a->md, b->md, sizeof a->md) == 0 &&
	       memcmp(a->sig, b->sig, SIG_LEN) == 0 && memcmp(a->pub, b->pub, SIG_PUBLEN) == 0;
}

/* want's key from its parts; false if the message cannot be hashed. */
static bool key_of(slot *want, const uint8_t pub[SIG_PUBLEN], const uint8_t *msg, size_t n,
                   const uint8_t sig[SIG_LEN])
{
	static EVP_MD *sha256;
	static EVP_MD_CTX *ctx;
	bool ok;

	if (n && __asan_region_is_poisoned((void *)msg, n))
		__builtin_trap(); /* the caller hands over bytes it does not own */
	memset(want, 0, sizeof *want);
	want->used = true;
	want->n = n;
	memcpy(want->pub, pub, SIG_PUBLEN);
	memcpy(want->sig, sig, SIG_LEN);
	pthread_mutex_lock(&lock);
	if ((!sha256 && !(sha256 = EVP_MD_fetch(NULL, "SHA256", NULL))) ||
	    (!ctx && !(ctx = EVP_MD_CTX_new())))
		abort();
	ok = EVP_DigestInit_ex(ctx, sha256, NULL) == 1 && EVP_DigestUpdate(ctx, msg, n) == 1 &&
	     EVP_DigestFinal_ex(ctx, want->md, NULL) == 1;
	pthread_mutex_unlock(&lock);
	return ok;
}

bool __wrap_sig_verify(const sig_verifier *v, const uint8_t *msg, size_t n,
                       const uint8_t sig[SIG_LEN])
{
	uint8_t pub[SIG_PUBLEN];
	slot want, *s;
	bool known_key, ok;

	pthread_mutex_lock(&lock);
	known_key = public_of(v, pub);
	pthread_mutex_unlock(&lock);
	if (!known_key || !key_of(&want, pub, msg, n, sig))
		return __real_sig_verify(v, msg, n, sig);
	pthread_mutex_lock(&lock);
	s = slot_of(&want);
	if (same(s, &want)) {
		ok = s->ok;
		pthread_mutex_unlock(&lock);
		return ok;
	}
	pthread_mutex_unlock(&lock);
	ok = __real_sig_verify(v, msg, n, sig);
	want.ok = ok;
	pthread_mutex_lock(&lock);
	*slot_of(&want) = want;
	pthread_mutex_unlock(&lock);
	return ok;
}

void sigmemo_signed(const sig_signer *key, const uint8_t *msg, size_t n, const uint8_t sig[SIG_LEN])
{
	uint8_t pub[SIG_PUBLEN];
	slot want;

	sig_public(key, pub);
	if (!key_of(&want, pub, msg, n, sig))
		return;
	want.ok = true;
	pthread_mutex_lock(&lock);
	*slot_of(&want) = want;
	pthread_mutex_unlock(&lock);
}
