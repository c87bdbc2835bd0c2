/* libFuzzer: the voucher decoder and verifier on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_keys.h"
#include "voucher.h"

static keyring *kr;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	voucher v;
	uint8_t raw[VOUCHER_LEN];
	char text[VOUCHER_TEXT_LEN + 1];

	if (!kr)
		kr = fuzz_keyring();
	if (voucher_decode((const char *)data, size, &v) != ERR_OK)
		return 0;
	/* What decodes must re-encode to the same text, and verify safely. */
	voucher_pack(&v, raw);
	if (voucher_encode(&v, text, sizeof text) != size || memcmp(text, data, size) != 0)
		__builtin_trap();
	voucher_verify(&v, kr, NULL);
	voucher_check_time(&v, 1797310800);
	return 0;
}
