/*
 * issue: a month's vouchers from the roster and the policy (the "issue" and
 * "reissue" commands of voucher-issuer).
 */
#ifndef ISSUE_H
#define ISSUE_H

#include <stdbool.h>
#include <stdint.h>

#include "period.h"

typedef struct issue_opts {
	const char *ledger, *keys, *roster, *policy, *out;
	period per;
	bool skip_invalid;
	int threads; /* signing and rendering threads, >= 1 */
} issue_opts;

/*
 * Issue: every bad roster or policy line is printed to stderr as
 * "FILE:LINE: what is wrong"; if any (and not skip_invalid), nothing is
 * issued and 1 is returned. Otherwise the new vouchers are recorded in the
 * ledger in one transaction, the period's outputs are written into out
 * (vouchers.csv, deductions.csv, qr/, sheets/) and a summary printed.
 * Returns the exit status.
 */
int issue_run(const issue_opts *o);

/*
 * Replace lost voucher serial with a new one for the same ASN, period and
 * amount, signed by the current key, and render it into out (may be NULL).
 * Returns the exit status.
 */
int issue_reissue(const char *ledger, const char *keys, const char *policy, uint64_t serial,
                  const char *reason, const char *out);

#endif
