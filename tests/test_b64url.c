/*
 * Unit tests of common/b64url: unpadded Base64url (RFC 4648 section 5),
 * one encoding per byte string, as receipts and terminal tokens use it;
 * and the standard Base64 with its padding, one text per byte string too,
 * as keyrings and signed text files hold keys and signatures.
 */
#include "testutil.h"

#include "b64url.h"

#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static int alpha_value(char c)
{
	const char *p = c ? strchr(ALPHABET, c) : NULL;
	return p ? (int)(p - ALPHABET) : -1;
}

static void check_encode(const uint8_t *in, size_t n, const char *text)
{
	char out[64];

	memset(out, 'x', sizeof out);
	assert_int_equal(B64URL_LEN(n), strlen(text));
	assert_int_equal(b64url_encode(in, n, out), strlen(text));
	assert_string_equal(out, text);
}

static void b64url_rfc4648_vectors(void **state)
{
	static const char *const vec[][2] = {
	    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
	    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
	};
	static const uint8_t dash_underscore[] = {0xfb, 0xff};
	static const uint8_t ff3[] = {0xff, 0xff, 0xff};
	static const uint8_t f8[] = {0xf8};
	uint8_t out[8];

	(void)state;
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		size_t n = strlen(vec[i][0]);
		check_encode((const uint8_t *)vec[i][0], n, vec[i][1]);
		memset(out, 0xAA, sizeof out);
		assert_true(b64url_decode(vec[i][1], strlen(vec[i][1]), out, n));
		assert_memory_equal(out, vec[i][0], n);
	}
	/* The two characters that differ from standard Base64. */
	check_encode(dash_underscore, 2, "-_8");
	assert_true(b64url_decode("-_8", 3, out, 2));
	assert_memory_equal(out, dash_underscore, 2);
	check_encode(ff3, 3, "____");
	check_encode(f8, 1, "-A");
}

static void b64url_round_trips(void **state)
{
	uint8_t in[70], out[70 + 1];
	char text[B64URL_LEN(70) + 1];

	(void)state;
	for (int pattern = 0; pattern < 4; pattern++) {
		for (size_t n = 0; n <= 70; n++) {
			for (size_t i = 0; i < n; i++)
				in[i] = pattern == 0   ? rng_byte()
				        : pattern == 1 ? 0x00
				        : pattern == 2 ? 0xff
				                       : (uint8_t)(i * 37 + n);
			assert_int_equal(b64url_encode(in, n, text), B64URL_LEN(n));
			assert_int_equal(strlen(text), B64URL_LEN(n));
			assert_int_equal(strspn(text, ALPHABET), B64URL_LEN(n));
			memset(out, 0xAA, sizeof out);
			assert_true(b64url_decode(text, strlen(text), out, n));
			assert_memory_equal(out, in, n);
			assert_int_equal(out[n], 0xAA); /* nothing written past n bytes */
		}
	}
}

static void b64url_refuses_wrong_length(void **state)
{
	char text[B64URL_LEN(40) + 8];
	uint8_t in[40], out[48];

	(void)state;
	for (size_t n = 0; n <= 40; n++) {
		for (size_t i = 0; i < n; i++)
			in[i] = rng_byte();
		size_t len = b64url_encode(in, n, text);
		strcpy(text + len, "AAAA");
		assert_true(b64url_decode(text, len, out, n));
		for (size_t l = 0; l <= len + 4; l++)
			if (l != len)
				assert_false(b64url_decode(text, l, out, n));
	}
	/* One character can never be whole bytes. */
	assert_false(b64url_decode("A", 1, out, 0));
	assert_false(b64url_decode("A", 1, out, 1));
	assert_false(b64url_decode("", 0, out, 1));
}

static void b64url_refuses_padding_and_standard_alphabet(void **state)
{
	uint8_t out[8];

	(void)state;
	/* Padding: as extra length, and in place of a character. */
	assert_false(b64url_decode("Zg==", 4, out, 1));
	assert_false(b64url_decode("Zg=", 3, out, 1));
	assert_false(b64url_decode("Zm8=", 4, out, 2));
	assert_false(b64url_decode("Z=", 2, out, 1));
	assert_false(b64url_decode("Zm=", 3, out, 2));
	assert_false(b64url_decode("Zm9=", 4, out, 3));
	/* Standard Base64's '+' and '/' for '-' and '_'. */
	assert_false(b64url_decode("+/8", 3, out, 2));
	assert_false(b64url_decode("+_8", 3, out, 2));
	assert_false(b64url_decode("-/8", 3, out, 2));
	assert_false(b64url_decode("////", 4, out, 3));
	assert_false(b64url_decode("++++", 4, out, 3));
	assert_true(b64url_decode("____", 4, out, 3));
}

static void b64url_refuses_noncanonical(void **state)
{
	uint8_t out[4];
	char t[4];

	(void)state;
	assert_true(b64url_decode("Zg", 2, out, 1));
	assert_int_equal(out[0], 'f');
	assert_false(b64url_decode("Zh", 2, out, 1));  /* 'f' with leftover bits 0001 */
	assert_false(b64url_decode("Zm9", 3, out, 2)); /* "fo" is "Zm8" */
	assert_false(b64url_decode("-_9", 3, out, 2)); /* 0xfb 0xff is "-_8" */
	assert_false(b64url_decode("__", 2, out, 1));
	assert_false(b64url_decode("___", 3, out, 2));

	/* Every last character: accepted exactly when its leftover bits are 0. */
	for (int v = 0; v < 64; v++) {
		t[0] = 'Z';
		t[1] = ALPHABET[v];
		assert_int_equal(b64url_decode(t, 2, out, 1), v % 16 == 0);
		t[0] = 'Z';
		t[1] = 'm';
		t[2] = ALPHABET[v];
		assert_int_equal(b64url_decode(t, 3, out, 2), v % 4 == 0);
		t[3] = ALPHABET[v];
		t[2] = '9';
		assert_true(b64url_decode(t, 4, out, 3)); /* no leftover bits */
	}
}

static void b64url_refuses_outside_alphabet(void **state)
{
	uint8_t out[4];
	char t[4];

	(void)state;
	assert_false(b64url_decode("Zm9 ", 4, out, 3));
	assert_false(b64url_decode("Zm9.", 4, out, 3));
	assert_false(b64url_decode("Zm9~", 4, out, 3));
	assert_false(b64url_decode("Z\0"
	                           "9v",
	                           4, out, 3));
	assert_false(b64url_decode("Zm9v\n", 5, out, 3));
	/* Every byte value, in each position of a 3-byte group. */
	for (int c = 0; c < 256; c++) {
		bool in = alpha_value((char)c) >= 0;
		for (int pos = 0; pos < 4; pos++) {
			memcpy(t, "AAAA", 4);
			t[pos] = (char)c;
			assert_int_equal(b64url_decode(t, 4, out, 3), in);
		}
	}
}

/* The standard Base64 with its padding: RFC 4648's vectors, and only them. */
static void b64url_std_vectors(void **state)
{
	static const char *const vec[][2] = {
	    {"", ""},
	    {"f", "Zg=="},
	    {"fo", "Zm8="},
	    {"foo", "Zm9v"},
	    {"foob", "Zm9vYg=="},
	    {"fooba", "Zm9vYmE="},
	    {"foobar", "Zm9vYmFy"},
	};
	static const uint8_t fb_ff[] = {0xfb, 0xff};
	uint8_t out[8];

	(void)state;
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		size_t n = strlen(vec[i][0]);
		memset(out, 0xAA, sizeof out);
		assert_true(b64url_decode_std(vec[i][1], strlen(vec[i][1]), out, n));
		assert_memory_equal(out, vec[i][0], n);
		assert_int_equal(out[n], 0xAA);
	}
	assert_true(b64url_decode_std("+/8=", 4, out, 2));
	assert_memory_equal(out, fb_ff, 2);
	assert_false(b64url_decode_std("-_8=", 4, out, 2)); /* Base64url's characters */
	/* The padding: missing, short, long, elsewhere, followed by a character. */
	assert_false(b64url_decode_std("Zg", 2, out, 1));
	assert_false(b64url_decode_std("Zg=", 3, out, 1));
	assert_false(b64url_decode_std("Zg===", 5, out, 1));
	assert_false(b64url_decode_std("Zm8", 3, out, 2));
	assert_false(b64url_decode_std("Zm8==", 5, out, 2));
	assert_false(b64url_decode_std("Zg=A", 4, out, 1));
	assert_false(b64url_decode_std("Z=g=", 4, out, 1));
	assert_false(b64url_decode_std("Zm9v====", 8, out, 3));
	assert_false(b64url_decode_std("Zm=v", 4, out, 3));
	assert_false(b64url_decode_std(" Zm8=", 5, out, 2));
	assert_false(b64url_decode_std("Zm8= ", 5, out, 2));
	/* Leftover bits that are not zero: "Zg==" is the one text of "f". */
	for (int v = 0; v < 64; v++) {
		char t[5] = {'Z', ALPHABET[v], '=', '=', 0};
		if (t[1] == '-' || t[1] == '_')
			t[1] = t[1] == '-' ? '+' : '/';
		assert_int_equal(b64url_decode_std(t, 4, out, 1), v % 16 == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(b64url_rfc4648_vectors),
	    cmocka_unit_test(b64url_round_trips),
	    cmocka_unit_test(b64url_refuses_wrong_length),
	    cmocka_unit_test(b64url_refuses_padding_and_standard_alphabet),
	    cmocka_unit_test(b64url_refuses_noncanonical),
	    cmocka_unit_test(b64url_refuses_outside_alphabet),
	    cmocka_unit_test(b64url_std_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
