#include "revocations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "revlist.h"
#include "sign/sign.h"

/* The periods whose vouchers may still redeem at an instant: from two
 * before its month (a window runs at most 31 days past its period) to a
 * year after (vouchers issued ahead). */
#define PERIODS_BEFORE 2
#define PERIODS_AFTER  12

struct allowed {
	const revlist *rl;
	uint64_t *serials;
	size_t n, cap;
	err rc;
};

/* Collect v if a compromised key signed it and it is not revoked. */
static int collect_allowed(const ledger_voucher *v, void *ctx)
{
	struct allowed *a = ctx;

	if (v->revoked || !revlist_compromised(a->rl, v->kid))
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		uint64_t *s = realloc(a->serials, cap * sizeof *s);
		if (!s) {
			a->rc = ERR_NOMEM;
			return 1;
		}
		a->serials = s;
		a->cap = cap;
	}
	a->serials[a->n++] = v->serial;
	return 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The vouchers of rl's compromised keys that the ledger holds and that may
 * still redeem at now: the ones redeemers go on taking. */
static err allowed_serials(ledger *l, revlist *rl, int64_t now)
{
	struct allowed a = {rl, NULL, 0, 0, ERR_OK};
	date today = date_from_days(now / 86400);
	period p = {today.year, today.month};
	err rc = ERR_OK;

	for (int i = 0; i < PERIODS_BEFORE; i++)
		p = period_prev(p);
	for (int i = 0; i <= PERIODS_BEFORE + PERIODS_AFTER && rc == ERR_OK && a.rc == ERR_OK;
	     i++) {
		rc = ledger_each(l, p, collect_allowed, &a);
		p = period_next(p);
	}
	if (rc == ERR_OK)
		rc = a.rc;
	if (rc != ERR_OK) {
		free(a.serials);
		return rc;
	}
	if (a.n > 1) /* none: a.serials is NULL, which qsort may not take */
		qsort(a.serials, a.n, sizeof *a.serials, cmp_u64);
	rl->allowed = a.serials;
	rl->nallowed = a.n;
	return ERR_OK;
}

err revocations_write(ledger *l, const signkey *key, int64_t now, const char *path)
{
	revlist rl = {0};
	char *text = NULL;
	size_t len;
	err rc = ledger_revoked(l, &rl.serials, &rl.n, &rl.version);

	if (rc == ERR_OK)
		rc = ledger_compromised(l, &rl.compromised, &rl.ncompromised);
	if (rc == ERR_OK && rl.ncompromised)
		rc = allowed_serials(l, &rl, now);
	if (rc != ERR_OK)
		goto cleanup;
	snprintf(rl.issuer, sizeof rl.issuer, "%s", key->issuer);
	snprintf(rl.kid, sizeof rl.kid, "%s", key->kid);
	if ((rc = ledger_next_list_time(l, now, &rl.time)) != ERR_OK)
		goto cleanup;
	if ((text = revlist_sign(&rl, key->signer, &len, &rc)) != NULL)
		rc = file_write_atomic(path, text, len, 0644);
cleanup:
	free(text);
	revlist_free(&rl);
	return rc;
}
