/*
 * codebook: the code manifests a redeemer has loaded (common/manifest.h),
 * with which it finds a voucher by the short code printed under its QR.
 */
#ifndef CODEBOOK_H
#define CODEBOOK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "manifest.h"

#define CODEBOOK_MAX 16 /* manifests at once: each typed code costs a PBKDF2 in each */

typedef struct codebook {
	manifest *m; /* newest period first */
	size_t n;
	uint8_t version[32]; /* changes whenever what is loaded does: the page refetches */
} codebook;

/*
 * Load every "*.manifest" file of dir, verified against kr at instant now
 * (manifest_load). Of two manifests of one issuer and period the later
 * (by time) is kept; one whose vouchers cannot redeem any more (its period
 * ended more than VOUCHER_GRACE_MAX days before now) is left out. Any file
 * refused refuses them all (why: "FILE:LINE: what"), and so do more than
 * CODEBOOK_MAX: ERR_TOO_LARGE. Free with codebook_free.
 */
err codebook_load(const char *dir, const keyring *kr, int64_t now, codebook *out, char *why,
                  size_t whylen);

/* The token of a canonical code (shortcode_parse) from whichever manifest
 * holds it: ERR_UNKNOWN_CODE if none does. Thread-safe. */
err codebook_resolve(const codebook *cb, const char *code, uint8_t token[VOUCHER_LEN]);

void codebook_free(codebook *cb);

#endif
