/*
 * Token signing and verification per second through the project's code,
 * beside a bare OpenSSL EVP Ed25519 sign/verify of the same message in the
 * same run, and the ratio of costs (project / bare; 1.00 = no overhead).
 * The project's verify is the whole path a redeemer runs: Base45 decode,
 * layout checks, key lookup, signature.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "keyring.h"
#include "period.h"
#include "sign/sign.h"
#include "voucher.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define SECONDS 2.0

int main(void)
{
	static const uint8_t seed[32] = {1};
	sig_signer *s;
	keyring *kr = keyring_new();
	key_entry e = {.role = KEY_ISSUER, .retired_after = KEY_NEVER};
	voucher v = {.flags = 1,
	             .serial = 42,
	             .year = 2026,
	             .month = 12,
	             .valid_from = 1,
	             .valid_until = 2,
	             .face_value = 50000};
	char text[VOUCHER_TEXT_LEN + 1];
	uint8_t msg[VOUCHER_MSG_LEN], sig[SIG_LEN];
	EVP_PKEY *priv, *pub;
	double t0, rate[4];
	long n;
	size_t siglen;
	volatile int sink = 0;

	sig_from_seed(seed, &s);
	strcpy(e.kid, "K1");
	strcpy(e.issuer, "BENCH");
	sig_public(s, e.pub);
	keyring_add(kr, &e);
	tag_of("issuer", "BENCH", v.issuer_tag);
	tag_of("kid", "K1", v.kid_tag);
	voucher_sign(&v, s);
	voucher_encode(&v, text, sizeof text);
	voucher_message(&v, msg);
	priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, e.pub, 32);

	/* Bare EVP, as `openssl speed ed25519` does it: a context a call. */
	for (n = 0, t0 = now(); now() - t0 < SECONDS; n++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		siglen = SIG_LEN;
		EVP_DigestSignInit(c, NULL, NULL, NULL, priv);
		sink += EVP_DigestSign(c, sig, &siglen, msg, sizeof msg);
		EVP_MD_CTX_free(c);
	}
	rate[0] = n / (now() - t0);
	for (n = 0, t0 = now(); now() - t0 < SECONDS; n++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		EVP_DigestVerifyInit(c, NULL, NULL, NULL, pub);
		sink += EVP_DigestVerify(c, v.sig, SIG_LEN, msg, sizeof msg);
		EVP_MD_CTX_free(c);
	}
	rate[1] = n / (now() - t0);

	/* The project: sign and encode a token; decode and verify one. */
	for (n = 0, t0 = now(); now() - t0 < SECONDS; n++) {
		v.serial++;
		sink += voucher_sign(&v, s) == ERR_OK;
		sink += (int)voucher_encode(&v, text, sizeof text);
	}
	rate[2] = n / (now() - t0);
	for (n = 0, t0 = now(); now() - t0 < SECONDS; n++) {
		voucher d;
		sink += voucher_decode(text, VOUCHER_TEXT_LEN, &d) == ERR_OK &&
		        voucher_verify(&d, kr, NULL) == ERR_OK;
	}
	rate[3] = n / (now() - t0);

	printf("%-28s %12s %12s %8s\n", "operation (1 core)", "project/s", "bare EVP/s", "cost x");
	printf("%-28s %12.0f %12.0f %8.2f\n", "token sign + encode", rate[2], rate[0],
	       rate[0] / rate[2]);
	printf("%-28s %12.0f %12.0f %8.2f\n", "token decode + verify", rate[3], rate[1],
	       rate[1] / rate[3]);
	printf("goal: verify cost x <= 1.10: %s\n", rate[1] / rate[3] <= 1.10 ? "met" : "NOT met");
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	keyring_free(kr);
	sig_signer_free(s);
	return sink == -1;
}
