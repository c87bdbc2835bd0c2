#include "signkey.h"

#include <stdio.h>
#include <string.h>

err signkey_open(const char *keydir, const char *issuer, period p, ledger *l, signkey *out,
                 char *why, size_t whylen)
{
	char ring[4096], keyfile[4096];
	uint8_t pub[SIG_PUBLEN];
	keyring *kr = NULL;
	key_entry *best = NULL;
	period next = period_next(p);
	int64_t first = date_to_days((date){p.year, p.month, 1}),
	        last = date_to_days((date){next.year, next.month, 1}) - 1;
	err rc;

	memset(out, 0, sizeof *out);
	snprintf(ring, sizeof ring, "%s/keyring", keydir);
	if ((rc = keyring_load(ring, &kr, why, whylen)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < keyring_count(kr); i++) {
		key_entry *k = keyring_at_mut(kr, i);
		if (k->role != KEY_ISSUER || (k->issuer[0] && strcmp(k->issuer, issuer) != 0) ||
		    (k->retired_after != KEY_NEVER && k->retired_after < first) ||
		    k->valid_from > last || (l && ledger_is_compromised(l, k->kid)))
			continue;
		if (!best || k->valid_from >= best->valid_from)
			best = k;
	}
	rc = ERR_UNKNOWN_KEY;
	if (!best) {
		snprintf(why, whylen,
		         "%s: no issuer key for %s valid in the period (VALID_FROM .. "
		         "RETIRED_AFTER) and not compromised; make one with voucher-keys "
		         "generate",
		         ring, issuer);
		goto cleanup;
	}
	snprintf(keyfile, sizeof keyfile, "%s/%s.key", keydir, best->kid);
	if ((rc = sig_load_private(keyfile, &out->signer)) != ERR_OK) {
		snprintf(why, whylen, "%s: %s", keyfile, err_str(rc));
		goto cleanup;
	}
	sig_public(out->signer, pub);
	if (memcmp(pub, best->pub, SIG_PUBLEN) != 0) {
		snprintf(why, whylen, "%s does not match key %s in %s", keyfile, best->kid, ring);
		rc = ERR_BAD_SIGNATURE;
		goto cleanup;
	}
	if (!best->issuer[0]) {
		keyring_bind(best, issuer);
		if ((rc = keyring_save(kr, ring)) != ERR_OK) {
			snprintf(why, whylen, "%s: cannot bind key %s to %s", ring, best->kid,
			         issuer);
			goto cleanup;
		}
	}
	snprintf(out->kid, sizeof out->kid, "%s", best->kid);
	snprintf(out->issuer, sizeof out->issuer, "%s", issuer);
	rc = ERR_OK;
cleanup:
	if (rc != ERR_OK)
		signkey_close(out);
	keyring_free(kr);
	return rc;
}

void signkey_close(signkey *k)
{
	sig_signer_free(k->signer);
	k->signer = NULL;
}
