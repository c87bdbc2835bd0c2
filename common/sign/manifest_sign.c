/* Code manifest signing: linked by the issuer, never by the redeemer. */
#include "sign.h"

char *manifest_sign(const manifest *m, const sig_signer *key, size_t *len, err *rc)
{
	return sigtext_sign(manifest_body(m), key, len, rc);
}
