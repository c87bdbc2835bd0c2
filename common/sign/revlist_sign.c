/* Revocation list signing: linked by the issuer, never by the redeemer. */
#include <stdlib.h>
#include <string.h>

#include "sign.h"

char *revlist_sign(const revlist *rl, const sig_signer *key, size_t *len, err *rc)
{
	uint8_t sig[SIG_LEN];
	char *body = revlist_body(rl), *all;
	size_t n;

	*rc = ERR_NOMEM;
	if (!body)
		return NULL;
	n = strlen(body);
	if ((*rc = sig_sign(key, (const uint8_t *)body, n, sig)) != ERR_OK ||
	    !(all = realloc(body, n + REVLIST_SIG_LINE_MAX + 1))) {
		if (*rc == ERR_OK)
			*rc = ERR_NOMEM;
		free(body);
		return NULL;
	}
	*len = n + revlist_signature_line(sig, all + n);
	return all;
}
