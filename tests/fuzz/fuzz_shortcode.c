/*
 * libFuzzer: what a person types as a short code (common/shortcode.c). A
 * code that parses is twelve symbols of the alphabet whose printed form
 * parses to itself; parsing never reads past the input.
 */
#include <stdlib.h>
#include <string.h>

#include "shortcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char code[SHORTCODE_LEN + 1], printed[SHORTCODE_TEXT_LEN + 1], back[SHORTCODE_LEN + 1];
	char *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any overread */

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (shortcode_parse(copy, size, code) == ERR_OK) {
		if (strlen(code) != SHORTCODE_LEN ||
		    strspn(code, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != SHORTCODE_LEN)
			__builtin_trap();
		shortcode_format(code, printed);
		if (shortcode_parse(printed, strlen(printed), back) != ERR_OK || strcmp(back, code))
			__builtin_trap();
	}
	free(copy);
	return 0;
}
