/*
 * revocations: write the signed revocation list (common/revlist.h) from the
 * ledger, for redeemers to load.
 */
#ifndef REVOCATIONS_H
#define REVOCATIONS_H

#include "err.h"
#include "ledger.h"
#include "signkey.h"

/* Sign every revoked serial of the ledger, and its compromised keys with
 * the serials of theirs it holds that may still redeem, with key, and write
 * the list to path atomically. Its time is now, or later than the last
 * list's (ledger_next_list_time): l must be open for writing. */
err revocations_write(ledger *l, const signkey *key, int64_t now, const char *path);

#endif
