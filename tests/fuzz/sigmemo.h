/*
 * sigmemo: Ed25519 verdicts remembered in the libFuzzer harnesses
 * (sigmemo.c says how and why). Linked into every harness, with
 * -Wl,--wrap=sig_verify,--wrap=sig_verifier_new,--wrap=sig_verifier_free.
 */
#ifndef FUZZ_SIGMEMO_H
#define FUZZ_SIGMEMO_H

#include <stddef.h>
#include <stdint.h>

#include "sig.h"

/*
 * Note that sig, which the harness has just made with sig_sign(key, msg,
 * n), verifies: OpenSSL made it, so the code under test verifying it costs
 * a look-up. A harness that signs what it then loads calls this after
 * sig_sign.
 */
void sigmemo_signed(const sig_signer *key, const uint8_t *msg, size_t n,
                    const uint8_t sig[SIG_LEN]);

#endif
