/* Signing a text file: linked by the issuer, never by the redeemer. */
#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "sigtext.h"

char *sigtext_sign(char *body, const sig_signer *key, size_t *len, err *rc)
{
	uint8_t sig[SIG_LEN];
	char *all;
	size_t n;

	*rc = ERR_NOMEM;
	if (!body)
		return NULL;
	n = strlen(body);
	if ((*rc = sig_sign(key, (const uint8_t *)body, n, sig)) != ERR_OK ||
	    !(all = realloc(body, n + SIGTEXT_SIG_LINE_MAX + 1))) {
		if (*rc == ERR_OK)
			*rc = ERR_NOMEM;
		free(body);
		return NULL;
	}
	*len = n + sigtext_signature_line(sig, all + n);
	return all;
}
