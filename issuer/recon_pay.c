/*
 * What each merchant is owed, and whom to pay it to: settlement.csv's rows
 * (a merchant at a gallery) summed per merchant id, each matched with its
 * payee in the merchants file (--merchants). A merchant owed money that
 * the file does not name is the finding no_payee: payments.csv leaves it
 * out, so nobody is paid into an account the office has not given.
 */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "reconcile_impl.h"

/* A site settlement.csv lists: one with redemptions or voids counted. */
static bool settled(const site *s)
{
	return s->redemptions || s->voids;
}

err payments_build(const entries *J, const uint32_t *by_merchant, const payees *P, anomalies *A,
                   payments *out)
{
	payments Y = {0};
	char owed[MONEY_FMT_MAX];

	if (!(Y.p = calloc(J->sites.n + 1, sizeof *Y.p)))
		return ERR_NOMEM;
	/* Sites by merchant then gallery: a merchant's rows are together. */
	for (size_t i = 0; i < J->sites.n; i++) {
		const site *s = &J->site[by_merchant[i]];
		payment *y = Y.n ? &Y.p[Y.n - 1] : NULL;

		if (!settled(s))
			continue;
		if (!y || strcmp(y->merchant, s->merchant) != 0) {
			y = &Y.p[Y.n++];
			y->merchant = s->merchant;
			y->to = P ? payees_find(P, s->merchant) : NULL;
		}
		if (!money_add(y->amount, s->amount, &y->amount)) {
			payments_free(&Y);
			return ERR_OVERFLOW;
		}
	}
	for (size_t i = 0; i < Y.n; i++) {
		const payment *y = &Y.p[i];

		if (y->amount <= 0)
			continue;
		if (y->to) {
			if (!money_add(Y.paid, y->amount, &Y.paid)) {
				payments_free(&Y);
				return ERR_OVERFLOW;
			}
		} else if (P) {
			money_format(y->amount, owed, sizeof owed);
			anomaly_add(
			    A, AN_NO_PAYEE, 0, anomaly_ord(UINT32_MAX, (uint32_t)i),
			    "merchant %s is owed %s but is not in the merchants file: not in "
			    "payments.csv",
			    y->merchant, owed);
		}
	}
	*out = Y;
	return A->fatal;
}

void payments_free(payments *Y)
{
	free(Y->p);
	memset(Y, 0, sizeof *Y);
}

static int by_merchant_id(const void *key, const void *elem)
{
	return strcmp(key, ((const payment *)elem)->merchant);
}

const payee *payments_payee(const payments *Y, const char *merchant)
{
	const payment *y =
	    Y && Y->n ? bsearch(merchant, Y->p, Y->n, sizeof *Y->p, by_merchant_id) : NULL;

	return y ? y->to : NULL;
}
