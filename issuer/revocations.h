/*
 * revocations: write the signed revocation list (common/revlist.h) from the
 * ledger, for redeemers to load.
 */
#ifndef REVOCATIONS_H
#define REVOCATIONS_H

#include "err.h"
#include "ledger.h"
#include "signkey.h"

/* Sign every revoked serial of the ledger with key and write the list to
 * path atomically; now is the list's time. */
err revocations_write(ledger *l, const signkey *key, int64_t now, const char *path);

#endif
