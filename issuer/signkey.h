/*
 * signkey: the issuer key that signs, chosen from a key directory.
 */
#ifndef SIGNKEY_H
#define SIGNKEY_H

#include <stddef.h>

#include "err.h"
#include "keyring.h"
#include "ledger.h"
#include "period.h"
#include "sig.h"

typedef struct signkey {
	sig_signer *signer;
	char kid[KEY_ID_MAX + 1];
	char issuer[KEY_ID_MAX + 1];
} signkey;

/*
 * Open the newest issuer key in keydir (KEYDIR/keyring, KEYDIR/KID.key) that
 * may sign for issuer in period p: bound to issuer or not bound yet, valid
 * in p (VALID_FROM..RETIRED_AFTER), and not recorded compromised in ledger
 * l (NULL: not asked). An unbound key is bound to issuer in the keyring
 * file. The private key must match its keyring entry. On failure, why says
 * what is wrong and which file.
 */
err signkey_open(const char *keydir, const char *issuer, period p, ledger *l, signkey *out,
                 char *why, size_t whylen);

/* Free the private key (wiped by OpenSSL). */
void signkey_close(signkey *k);

#endif
