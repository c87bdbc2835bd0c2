#include "sig.h"

#include <stdlib.h>

#include <openssl/evp.h>

struct sig_verifier {
	EVP_PKEY *pkey;
};

err sig_verifier_new(const uint8_t pub[SIG_PUBLEN], sig_verifier **out)
{
	sig_verifier *v = malloc(sizeof *v);

	if (!v)
		return ERR_NOMEM;
	v->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, SIG_PUBLEN);
	if (!v->pkey) {
		free(v);
		return ERR_CRYPTO;
	}
	*out = v;
	return ERR_OK;
}

void sig_verifier_free(sig_verifier *v)
{
	if (!v)
		return;
	EVP_PKEY_free(v->pkey);
	free(v);
}

/*
 * One context per thread for each direction, reset between uses: Ed25519
 * needs a fresh DigestVerifyInit (DigestSignInit) per message, but not a
 * fresh allocation.
 */
static _Thread_local EVP_MD_CTX *verify_ctx, *sign_ctx;

EVP_MD_CTX *sig_thread_sign_ctx(void)
{
	if (sign_ctx)
		EVP_MD_CTX_reset(sign_ctx);
	else
		sign_ctx = EVP_MD_CTX_new();
	return sign_ctx;
}

bool sig_verify(const sig_verifier *v, const uint8_t *msg, size_t n, const uint8_t sig[SIG_LEN])
{
	if (!verify_ctx && !(verify_ctx = EVP_MD_CTX_new()))
		return false;
	EVP_MD_CTX_reset(verify_ctx);
	if (EVP_DigestVerifyInit(verify_ctx, NULL, NULL, NULL, v->pkey) != 1)
		return false;
	return EVP_DigestVerify(verify_ctx, sig, SIG_LEN, msg, n) == 1;
}

void sig_thread_done(void)
{
	EVP_MD_CTX_free(verify_ctx);
	EVP_MD_CTX_free(sign_ctx);
	verify_ctx = sign_ctx = NULL;
}
