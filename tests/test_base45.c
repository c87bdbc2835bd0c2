/* Unit tests of common/base45: RFC 9285's examples, round trips, limits. */
#include "testutil.h"

#include "base45.h"

#define ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

static void check_encode(const char *bytes, const char *text)
{
	char out[64];
	size_t n = strlen(bytes);

	assert_int_equal(base45_encoded_len(n), strlen(text));
	assert_int_equal(base45_encode((const uint8_t *)bytes, n, out, sizeof out), strlen(text));
	assert_string_equal(out, text);
}

static void check_decode(const char *text, const char *bytes)
{
	uint8_t out[64];
	size_t outlen = 999;

	assert_int_equal(base45_decode(text, strlen(text), out, sizeof out, &outlen), ERR_OK);
	assert_int_equal(outlen, strlen(bytes));
	assert_memory_equal(out, bytes, outlen);
}

static err decode_text(const char *text)
{
	uint8_t out[64];
	size_t outlen = 0;

	return base45_decode(text, strlen(text), out, sizeof out, &outlen);
}

/* RFC 9285 sections 4.3 and 4.4. */
static void rfc_examples(void **state)
{
	(void)state;
	check_encode("AB", "BB8");
	check_encode("Hello!!", "%69 VD92EX0");
	check_encode("base-45", "UJCLQE7W581");
	check_encode("ietf!", "QED8WEX0");
	check_decode("BB8", "AB");
	check_decode("%69 VD92EX0", "Hello!!");
	check_decode("UJCLQE7W581", "base-45");
	check_decode("QED8WEX0", "ietf!");
}

static void lengths(void **state)
{
	(void)state;
	assert_int_equal(base45_encoded_len(0), 0);
	assert_int_equal(base45_encoded_len(1), 2);
	assert_int_equal(base45_encoded_len(2), 3);
	assert_int_equal(base45_encoded_len(3), 5);
	assert_int_equal(base45_encoded_len(100), 150);
	assert_int_equal(base45_encoded_len(101), 152);
}

/* The extremes of each group size, so the digit order is pinned down. */
static void group_edges(void **state)
{
	static const uint8_t zero2[2] = {0, 0}, ff2[2] = {0xFF, 0xFF}, ff1[1] = {0xFF};
	char out[8];
	uint8_t b[4];
	size_t n = 0;

	(void)state;
	assert_int_equal(base45_encode(zero2, 2, out, sizeof out), 3);
	assert_string_equal(out, "000");
	/* 65535 = 15 + 16 * 45 + 32 * 45 * 45 */
	assert_int_equal(base45_encode(ff2, 2, out, sizeof out), 3);
	assert_string_equal(out, "FGW");
	/* 255 = 30 + 5 * 45 */
	assert_int_equal(base45_encode(ff1, 1, out, sizeof out), 2);
	assert_string_equal(out, "U5");
	assert_int_equal(base45_decode("FGW", 3, b, sizeof b, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(b, ff2, 2);
	assert_int_equal(base45_decode("U5", 2, b, sizeof b, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(b[0], 0xFF);
}

static void decode_refused(void **state)
{
	(void)state;
	/* RFC 9285 section 4.2: 65536 does not fit in two bytes. */
	assert_int_equal(decode_text("GGW"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text(":::"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("BB8GGW"), ERR_VOUCHER_BASE45);
	/* A final pair above 255: 31 + 5 * 45 = 256. */
	assert_int_equal(decode_text("V5"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("::"), ERR_VOUCHER_BASE45);
	/* Characters outside the alphabet, lower case included. */
	assert_int_equal(decode_text("bb8"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("BB#"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("B_8"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("BB\n"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("QED8WEX="), ERR_VOUCHER_BASE45);
	/* A dangling single character. */
	assert_int_equal(decode_text("A"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("BB8A"), ERR_VOUCHER_BASE45);
	assert_int_equal(decode_text("%69 VD92EX"), ERR_VOUCHER_BASE45);
}

static void decode_empty(void **state)
{
	uint8_t out[1] = {0xAA};
	size_t n = 7;

	(void)state;
	assert_int_equal(base45_decode("", 0, out, sizeof out, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(out[0], 0xAA);
	assert_int_equal(base45_decode("", 0, NULL, 0, &n), ERR_OK);
}

/* len bounds the read: what follows it is never looked at. */
static void decode_reads_only_len(void **state)
{
	uint8_t out[8];
	size_t n = 0;

	(void)state;
	assert_int_equal(base45_decode("BB8#xyz", 3, out, sizeof out, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "AB", 2);
	assert_int_equal(base45_decode("BB8", 2, out, sizeof out, &n), ERR_VOUCHER_BASE45);
	/* A dangling character is not completed by the one after len. */
	assert_int_equal(base45_decode("BB8A0", 4, out, sizeof out, &n), ERR_VOUCHER_BASE45);
	assert_int_equal(base45_decode("A0", 1, out, sizeof out, &n), ERR_VOUCHER_BASE45);
}

/* Input without a NUL in a buffer of its exact size (for AddressSanitizer). */
static void decode_exact_buffer(void **state)
{
	static const char text[] = "000000000"; /* every prefix is valid */
	uint8_t out[8];
	size_t n = 0;

	(void)state;
	for (size_t len = 0; len <= sizeof text - 1; len++) {
		char *in = malloc(len ? len : 1);
		err want = len % 3 == 1 ? ERR_VOUCHER_BASE45 : ERR_OK;

		assert_non_null(in);
		memcpy(in, text, len);
		assert_int_equal(base45_decode(in, len, out, sizeof out, &n), want);
		free(in);
	}
}

static void round_trips(void **state)
{
	uint8_t in[64], back[64 + 8];
	char text[3 * 32 + 1];

	(void)state;
	for (size_t n = 0; n <= 64; n++) {
		size_t len, outlen = 999;

		for (size_t i = 0; i < n; i++)
			in[i] = rng_byte();
		len = base45_encode(in, n, text, sizeof text);
		assert_int_equal(len, base45_encoded_len(n));
		assert_int_equal(strlen(text), len);
		assert_int_equal(strspn(text, ALPHABET), len);
		assert_int_equal(base45_decode(text, len, back, sizeof back, &outlen), ERR_OK);
		assert_int_equal(outlen, n);
		assert_memory_equal(back, in, n);
	}
}

/* Every byte value in both positions of a group. */
static void round_trip_all_pairs(void **state)
{
	uint8_t in[2], back[2];
	char text[4];
	size_t n;

	(void)state;
	for (unsigned v = 0; v < 65536; v++) {
		in[0] = (uint8_t)(v >> 8);
		in[1] = (uint8_t)v;
		assert_int_equal(base45_encode(in, 2, text, sizeof text), 3);
		assert_int_equal(base45_decode(text, 3, back, sizeof back, &n), ERR_OK);
		assert_int_equal(n, 2);
		assert_memory_equal(back, in, 2);
	}
}

static void encode_no_room(void **state)
{
	static const uint8_t in[5] = {'i', 'e', 't', 'f', '!'};
	char out[16];

	(void)state;
	/* "QED8WEX0" is 8 characters: 9 bytes with the NUL. */
	memset(out, '#', sizeof out);
	assert_int_equal(base45_encode(in, 5, out, 8), 0);
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], '#');
	assert_int_equal(base45_encode(in, 5, out, 0), 0);
	assert_int_equal(out[0], '#');
	assert_int_equal(base45_encode(in, 5, out, 9), 8);
	assert_string_equal(out, "QED8WEX0");
	assert_int_equal(out[9], '#');
	/* Nothing to encode still needs room for the NUL. */
	memset(out, '#', sizeof out);
	assert_int_equal(base45_encode(in, 0, out, 0), 0);
	assert_int_equal(out[0], '#');
	assert_int_equal(base45_encode(in, 0, out, 1), 0);
	assert_int_equal(out[0], '\0');
}

static void decode_no_room(void **state)
{
	uint8_t out[16];
	size_t n = 999;

	(void)state;
	/* "Hello!!" is 7 bytes: 6 bytes of room are too few, whichever group overflows. */
	for (size_t room = 0; room < 7; room++) {
		memset(out, 0xAA, sizeof out);
		n = 999;
		assert_int_equal(base45_decode("%69 VD92EX0", 11, out, room, &n),
		                 ERR_VOUCHER_TRAILING);
		assert_int_equal(n, 999);
		for (size_t i = room; i < sizeof out; i++)
			assert_int_equal(out[i], 0xAA);
	}
	assert_int_equal(base45_decode("%69 VD92EX0", 11, out, 7, &n), ERR_OK);
	assert_int_equal(n, 7);
	assert_memory_equal(out, "Hello!!", 7);
	assert_int_equal(out[7], 0xAA);
	/* Bad Base45 is reported as such even when it would not fit either. */
	assert_int_equal(base45_decode("%69 VD92EGGW", 12, out, 2, &n), ERR_VOUCHER_BASE45);
	assert_int_equal(base45_decode("%69 VD92E#0", 11, out, 2, &n), ERR_VOUCHER_BASE45);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc_examples),         cmocka_unit_test(lengths),
	    cmocka_unit_test(group_edges),          cmocka_unit_test(decode_refused),
	    cmocka_unit_test(decode_empty),         cmocka_unit_test(decode_reads_only_len),
	    cmocka_unit_test(decode_exact_buffer),  cmocka_unit_test(round_trips),
	    cmocka_unit_test(round_trip_all_pairs), cmocka_unit_test(encode_no_room),
	    cmocka_unit_test(decode_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
