/*
 * offline: what a terminal may do while its link is down, and how its
 * offline sales are taken when they are uploaded.
 *
 * The scanner page decides offline with what GET /v1/offline/state gave it
 * while online (the issuer keys, the signed revocation list, the server's
 * clock, these limits), and uploads each sale later with its own time
 * (POST /v1/redeem with "offline_at"). On upload the redeemer checks it as
 * at that time; a sale it cannot take (the voucher spent meanwhile, a
 * limit passed, revoked since) is recorded as a conflict: a journal entry
 * of its own, never paid, borne by the merchant. The region never pays for
 * an offline sale the voucher could not give; the most a merchant can lose
 * in an outage is device_max on each of its devices.
 */
#ifndef OFFLINE_H
#define OFFLINE_H

#include <stddef.h>
#include <stdint.h>

#include "keyring.h"

typedef struct offline_limits {
	int64_t sale_max;        /* rupiah one offline sale may take; 0: no offline sales */
	int64_t device_max;      /* rupiah a device may take offline before it uploads */
	int64_t session_seconds; /* how long after a sale it may still be uploaded */
} offline_limits;

/* The limits of a gallery, where the configuration sets them apart. */
typedef struct gallery_limits {
	char gallery[KEY_ID_MAX + 1];
	offline_limits l;
} gallery_limits;

typedef struct offline_config {
	offline_limits dflt;
	const gallery_limits *galleries;
	size_t ngalleries;
} offline_config;

/* The limits of gallery's terminals. */
const offline_limits *offline_limits_of(const offline_config *c, const char *gallery);

#endif
