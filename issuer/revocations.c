#include "revocations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "file.h"
#include "revlist.h"

err revocations_write(ledger *l, const signkey *key, int64_t now, const char *path)
{
	revlist rl = {0};
	uint8_t sig[SIG_LEN];
	char *body = NULL, *all = NULL, b64[89];
	size_t len;
	err rc = ledger_revoked(l, &rl.serials, &rl.n, &rl.version);

	if (rc != ERR_OK)
		return rc;
	snprintf(rl.issuer, sizeof rl.issuer, "%s", key->issuer);
	snprintf(rl.kid, sizeof rl.kid, "%s", key->kid);
	rl.time = now;
	rc = ERR_NOMEM;
	if (!(body = revlist_body(&rl)))
		goto cleanup;
	len = strlen(body);
	if ((rc = sig_sign(key->signer, (uint8_t *)body, len, sig)) != ERR_OK)
		goto cleanup;
	EVP_EncodeBlock((unsigned char *)b64, sig, SIG_LEN);
	rc = ERR_NOMEM;
	if (!(all = malloc(len + 10 + 88 + 2)))
		goto cleanup;
	len = (size_t)sprintf(all, "%ssignature %s\n", body, b64);
	rc = file_write_atomic(path, all, len, 0644);
cleanup:
	free(body);
	free(all);
	revlist_free(&rl);
	return rc;
}
