/* Revocation list signing: linked by the issuer, never by the redeemer. */
#include "sign.h"

char *revlist_sign(const revlist *rl, const sig_signer *key, size_t *len, err *rc)
{
	return sigtext_sign(revlist_body(rl), key, len, rc);
}
