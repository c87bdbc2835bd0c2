/* The harnesses' keyring: RFC 8032 TEST 1's public key as K1 of PROBOLINGGO
 * (docs/FORMAT.md's vectors and the signed seeds use its secret key). */
#ifndef FUZZ_KEYS_H
#define FUZZ_KEYS_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "keyring.h"
#include "sig.h"
#include "sigmemo.h"
#include "sigtext.h"

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

/* K1's secret key: RFC 8032 TEST 1's seed. */
static inline sig_signer *fuzz_signer(void)
{
	static const uint8_t seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
	                                 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	                                 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
	                                 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
	sig_signer *s;

	if (sig_from_seed(seed, &s) != ERR_OK)
		abort();
	return s;
}

/* A signed text file's body followed by its signature line, in a new
 * buffer of *len bytes (and a NUL): signed by signer if sign, zeros if
 * not; a signature made is remembered (sigmemo). */
static inline char *fuzz_with_signature(const sig_signer *signer, const void *body, size_t n,
                                        bool sign, size_t *len)
{
	uint8_t sig[SIG_LEN] = {0};
	char *out = malloc(n + SIGTEXT_SIG_LINE_MAX + 1);

	if (!out || (sign && sig_sign(signer, body, n, sig) != ERR_OK))
		abort();
	if (sign)
		sigmemo_signed(signer, body, n, sig);
	memcpy(out, body, n);
	*len = n + sigtext_signature_line(sig, out + n);
	return out;
}

/* An input as a signed text file: as it is if it has a signature line of
 * its own (*own), or with a zero signature line after it, so that every
 * line of it is parsed; in a new buffer of *len bytes and one more. */
static inline char *fuzz_signed_text(const sig_signer *signer, const uint8_t *data, size_t size,
                                     size_t *len, bool *own)
{
	char *text;

	*own = (size >= 10 && memcmp(data, "signature ", 10) == 0) ||
	       memmem(data, size, "\nsignature ", 11);
	if (!*own)
		return fuzz_with_signature(signer, data, size, false, len);
	if (!(text = malloc(size + 1)))
		abort();
	memcpy(text, data, size);
	*len = size;
	return text;
}

#endif
