#include "revocations.h"

#include <stdio.h>
#include <stdlib.h>

#include "file.h"
#include "revlist.h"
#include "sign/sign.h"

err revocations_write(ledger *l, const signkey *key, int64_t now, const char *path)
{
	revlist rl = {0};
	char *text = NULL;
	size_t len;
	err rc = ledger_revoked(l, &rl.serials, &rl.n, &rl.version);

	if (rc != ERR_OK)
		return rc;
	snprintf(rl.issuer, sizeof rl.issuer, "%s", key->issuer);
	snprintf(rl.kid, sizeof rl.kid, "%s", key->kid);
	rl.time = now;
	if ((text = revlist_sign(&rl, key->signer, &len, &rc)) != NULL)
		rc = file_write_atomic(path, text, len, 0644);
	free(text);
	revlist_free(&rl);
	return rc;
}
