/*
 * sig: Ed25519 through OpenSSL's EVP interface.
 *
 * Verifying (sig_verifier) and signing (sig_signer) are separate handles;
 * signing code lives in sig_sign.c. Private keys are PKCS#8 PEM files of
 * mode 0600; one that group or others may read is refused, as ssh does.
 */
#ifndef SIG_H
#define SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SIG_PUBLEN 32
#define SIG_LEN    64

typedef struct sig_verifier sig_verifier;
typedef struct sig_signer sig_signer;

/* A verifier for a raw 32-byte public key; ERR_CRYPTO if it is not one. */
err sig_verifier_new(const uint8_t pub[SIG_PUBLEN], sig_verifier **out);
void sig_verifier_free(sig_verifier *v);

/* True if sig is a valid signature by v over msg. Thread-safe. */
bool sig_verify(const sig_verifier *v, const uint8_t *msg, size_t n, const uint8_t sig[SIG_LEN]);

/* Free this thread's cached verify and sign contexts; call before a thread
 * that verified or signed ends (the main thread may skip it). */
void sig_thread_done(void);

/* For sig_sign(): this thread's signing context, reset for a new message. */
struct evp_md_ctx_st *sig_thread_sign_ctx(void);

/* ---- sig_sign.c ---- */

/* A fresh key pair from the system's randomness. */
err sig_generate(sig_signer **out);

/* The key pair whose private half is the 32-byte seed (test vectors). */
err sig_from_seed(const uint8_t seed[32], sig_signer **out);

/*
 * Load a PKCS#8 PEM private key. ERR_INSECURE if the file's mode lets group
 * or others read or write it, ERR_IO if it cannot be read, ERR_CRYPTO if it
 * is not an Ed25519 key. The file's bytes are wiped after parsing.
 */
err sig_load_private(const char *path, sig_signer **out);

/* Write the private key as PKCS#8 PEM to a new file of mode 0600; ERR_EXISTS
 * if path exists. */
err sig_save_private(const sig_signer *s, const char *path);

/* The signer's raw public key. */
void sig_public(const sig_signer *s, uint8_t pub[SIG_PUBLEN]);

/* Sign msg; ERR_CRYPTO on library failure. Thread-safe. */
err sig_sign(const sig_signer *s, const uint8_t *msg, size_t n, uint8_t sig[SIG_LEN]);

/* Free the key; OpenSSL wipes the key material. NULL is allowed. */
void sig_signer_free(sig_signer *s);

#endif
