/*
 * codes: the signed manifest of a period's short codes (common/manifest.h),
 * from the ledger, for redeemers to load.
 */
#ifndef CODES_H
#define CODES_H

#include <stddef.h>

#include "err.h"
#include "ledger.h"
#include "signkey.h"

/*
 * Write the manifest of every voucher of period p in the ledger, revoked
 * ones included, signed with key at instant now, to path atomically; a
 * fresh random salt each time. The PBKDF2 of each code runs on threads
 * workers (and this thread). *n gets the number of vouchers. ERR_NOT_FOUND
 * if the period has none; ERR_EXISTS if two codes would share a lookup
 * value (never seen: a new salt cures it).
 */
err codes_write(ledger *l, const signkey *key, period p, int64_t now, int threads, const char *path,
                size_t *n);

#endif
