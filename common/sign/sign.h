/*
 * sign: what the issuer signs with its issuer key. This library
 * (build/libsign.a) is linked by voucher-issuer and the tests, never by
 * voucher-redeemer, which verifies vouchers and revocation lists but
 * cannot make one (tests/e2e_redeemer.sh checks its symbols).
 */
#ifndef SIGN_H
#define SIGN_H

#include <stddef.h>

#include "err.h"
#include "manifest.h"
#include "revlist.h"
#include "sig.h"
#include "voucher.h"

/* Fill v->sig by signing voucher_message(v) with key. */
err voucher_sign(voucher *v, const sig_signer *key);

/*
 * A signed text file (sigtext.h): body (malloc'd; taken, freed on failure)
 * and its signature line by key. Returns a malloc'd text of *len bytes, or
 * NULL with *rc ERR_NOMEM (body NULL too) or ERR_CRYPTO.
 */
char *sigtext_sign(char *body, const sig_signer *key, size_t *len, err *rc);

/*
 * The signed revocation list of rl's fields (issuer, kid, version, time,
 * serials): its body (revlist_body), then its signature line by key.
 * Returns a malloc'd text of *len bytes, or NULL with *rc ERR_NOMEM or
 * ERR_CRYPTO.
 */
char *revlist_sign(const revlist *rl, const sig_signer *key, size_t *len, err *rc);

/* The signed code manifest of m (manifest_body), as revlist_sign. */
char *manifest_sign(const manifest *m, const sig_signer *key, size_t *len, err *rc);

#endif
