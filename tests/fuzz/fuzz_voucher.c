/* libFuzzer: the voucher decoder and verifier on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "keyring.h"
#include "voucher.h"

static keyring *kr;

static void init(void)
{
	/* RFC 8032 TEST 1's public key as PROBOLINGGO's K1 (docs/FORMAT.md). */
	static const char line[] =
		"K1 issuer PROBOLINGGO 2026-11-01 - 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
	key_entry e;
	const char *what;

	kr = keyring_new();
	if (keyring_parse_line(line, &e, &what) == ERR_OK)
		keyring_add(kr, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	voucher v;
	uint8_t raw[VOUCHER_LEN];
	char text[VOUCHER_TEXT_LEN + 1];

	if (!kr)
		init();
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
