/* The harnesses' keyring: RFC 8032 TEST 1's public key as K1 of PROBOLINGGO
 * (docs/FORMAT.md's vectors and the signed seeds use its secret key). */
#ifndef FUZZ_KEYS_H
#define FUZZ_KEYS_H

#include <stdlib.h>

#include "keyring.h"

#define FUZZ_K1_LINE                                                                               \
	"K1 issuer PROBOLINGGO 2026-11-01 - 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

/* A new keyring holding K1; aborts if it cannot be made. */
static inline keyring *fuzz_keyring(void)
{
	keyring *kr = keyring_new();
	key_entry e;
	const char *what;

	if (!kr || keyring_parse_line(FUZZ_K1_LINE, &e, &what) != ERR_OK ||
	    keyring_add(kr, &e) != ERR_OK)
		abort();
	return kr;
}

#endif
