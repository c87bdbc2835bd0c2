/*
 * The short code (common/shortcode.c): the check symbol catches every
 * single wrong symbol and every swap of neighbours that it can; typed input
 * is read as people type; a seal opens only with its own key and bytes.
 * And the code vectors of docs/FORMAT.md, checked in the document itself
 * (`test_shortcode --print` makes the block afresh from its token vectors).
 */
#include "testutil.h"

#include "b64url.h"
#include "shortcode.h"

#define DOC   "docs/FORMAT.md"
#define ALPHA "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* The tokens of FORMAT.md's token vectors that are valid ("expect ok"). */
static size_t doc_tokens(char tokens[][VOUCHER_TEXT_LEN + 1], size_t max)
{
	char *doc = doc_block(DOC, "vectors"), *save = NULL, *last = NULL;
	size_t n = 0;

	for (char *l = strtok_r(doc, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "token ", 6) == 0)
			last = l + 6;
		else if (strcmp(l, "expect ok") == 0 && last && n < max)
			snprintf(tokens[n++], VOUCHER_TEXT_LEN + 1, "%s", last);
	}
	free(doc);
	return n;
}

static void token_bytes(const char *text, uint8_t out[VOUCHER_LEN])
{
	voucher v;

	assert_int_equal(voucher_decode(text, strlen(text), &v), ERR_OK);
	voucher_pack(&v, out);
}

static void printed_of(const char *text, char out[SHORTCODE_TEXT_LEN + 1])
{
	uint8_t b[VOUCHER_LEN];
	char code[SHORTCODE_LEN + 1];

	token_bytes(text, b);
	shortcode_of(b, code);
	shortcode_format(code, out);
}

/* The vectors' fixed salt: bytes 0..15. */
static void doc_salt(uint8_t salt[SHORTCODE_SALT_LEN])
{
	for (int i = 0; i < SHORTCODE_SALT_LEN; i++)
		salt[i] = (uint8_t)i;
}

#define DOC_ITERATIONS 10000

/* Typed inputs and what a reader makes of them ("_" for a space). */
static const struct {
	const char *input, *result; /* result NULL: the first token's code itself */
} parses[] = {
    {"{code}", NULL},
    {"{lower}", NULL},
    {"{spaced}", NULL},
    {"{typo}", "malformed_code"},
    {"{swapped}", "malformed_code"},
    {"{short}", "malformed_code"},
    {"{long}", "malformed_code"},
    {"{with-u}", "malformed_code"},
    {"0I1L-OOOO-0000", "malformed_code"},
    {"78yq_s23f_oqgn", "78YQ-S23F-0QGN"}, /* the third token's code, typed loosely */
};

/* Input i of parses for code (printed): the forms above, spelled out. */
static void parse_input(size_t i, const char *printed, char *out, size_t n)
{
	const char *in = parses[i].input;
	char c[SHORTCODE_TEXT_LEN + 1];

	snprintf(c, sizeof c, "%s", printed);
	if (strcmp(in, "{code}") == 0) {
		snprintf(out, n, "%s", c);
	} else if (strcmp(in, "{lower}") == 0) {
		for (size_t k = 0; k <= strlen(c); k++)
			out[k] = (char)(c[k] >= 'A' && c[k] <= 'Z' ? c[k] - 'A' + 'a' : c[k]);
		for (char *p = out; *p; p++) /* people's 0 and 1 */
			*p = *p == '0' ? 'o' : *p == '1' ? 'l' : *p;
	} else if (strcmp(in, "{spaced}") == 0) {
		snprintf(out, n, "_%.4s__%.4s_%.4s_", c, c + 5, c + 10);
	} else if (strcmp(in, "{typo}") == 0) {
		c[6] = ALPHA[(strchr(ALPHA, c[6]) - ALPHA + 3) % 32];
		snprintf(out, n, "%s", c);
	} else if (strcmp(in, "{swapped}") == 0) {
		/* two neighbours that differ, swapped */
		int k = 0;
		while (c[k] == c[k + 1] || c[k + 1] == '-')
			k++;
		char t = c[k];
		c[k] = c[k + 1];
		c[k + 1] = t;
		snprintf(out, n, "%s", c);
	} else if (strcmp(in, "{short}") == 0) {
		snprintf(out, n, "%.13s", c);
	} else if (strcmp(in, "{long}") == 0) {
		snprintf(out, n, "%sA", c);
	} else if (strcmp(in, "{with-u}") == 0) {
		c[0] = 'U';
		snprintf(out, n, "%s", c);
	} else {
		snprintf(out, n, "%s", in);
	}
}

static void print_block(void)
{
	char tokens[8][VOUCHER_TEXT_LEN + 1], printed[SHORTCODE_TEXT_LEN + 1], code[13], input[64],
	    salt[32], lookup[32], sealed[200];
	uint8_t s[SHORTCODE_SALT_LEN], lk[SHORTCODE_LOOKUP_LEN], key[SHORTCODE_KEY_LEN],
	    b[VOUCHER_LEN], sl[SHORTCODE_SEALED_LEN];
	size_t n = doc_tokens(tokens, 8);

	printf("<!-- code-vectors -->\n```\n");
	for (size_t i = 0; i < n; i++) {
		printed_of(tokens[i], printed);
		printf("code %s %s\n", tokens[i], printed);
	}
	printed_of(tokens[0], printed);
	for (size_t i = 0; i < sizeof parses / sizeof parses[0]; i++) {
		parse_input(i, printed, input, sizeof input);
		printf("parse %s %s\n", input, parses[i].result ? parses[i].result : printed);
	}
	doc_salt(s);
	b64url_encode(s, sizeof s, salt);
	for (size_t i = 0; i < n && i < 2; i++) {
		token_bytes(tokens[i], b);
		shortcode_of(b, code);
		shortcode_format(code, printed);
		assert_int_equal(shortcode_derive(code, s, DOC_ITERATIONS, lk, key), ERR_OK);
		assert_int_equal(shortcode_seal(key, b, sl), ERR_OK);
		b64url_encode(lk, sizeof lk, lookup);
		b64url_encode(sl, sizeof sl, sealed);
		printf("open %s %s %d %s %s %s\n", printed, salt, DOC_ITERATIONS, lookup, sealed,
		       tokens[i]);
	}
	printf("```\n");
}

/* Every line of the document's block, checked. */
static void code_vectors(void **state)
{
	char *doc = doc_block(DOC, "code-vectors"), *save = NULL;
	size_t codes = 0, parsed = 0, opened = 0;

	(void)state;
	for (char *l = strtok_r(doc, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char a[256], b[256], d[256], e[256], f[256], got[SHORTCODE_TEXT_LEN + 1],
		    code[SHORTCODE_LEN + 1];
		int it;

		if (sscanf(l, "code %255s %255s", a, b) == 2) {
			/* the token's text has spaces: it runs to the last space */
			char *sp = strrchr(l, ' ');
			snprintf(a, sizeof a, "%.*s", (int)(sp - l - 5), l + 5);
			printed_of(a, got);
			assert_string_equal(got, sp + 1);
			codes++;
		} else if (sscanf(l, "parse %255s %255s", a, b) == 2) {
			for (char *p = a; *p; p++)
				*p = *p == '_' ? ' ' : *p;
			err rc = shortcode_parse(a, strlen(a), code);
			if (strcmp(b, "malformed_code") == 0) {
				assert_int_equal(rc, ERR_MALFORMED_CODE);
			} else {
				assert_int_equal(rc, ERR_OK);
				shortcode_format(code, got);
				assert_string_equal(got, b);
			}
			parsed++;
		} else if (sscanf(l, "open %255s %255s %d %255s %255s %255[^\n]", a, b, &it, d, e,
		                  f) == 6) {
			uint8_t s[SHORTCODE_SALT_LEN], lk[SHORTCODE_LOOKUP_LEN],
			    want[SHORTCODE_LOOKUP_LEN], key[SHORTCODE_KEY_LEN],
			    sl[SHORTCODE_SEALED_LEN], tok[VOUCHER_LEN], wtok[VOUCHER_LEN],
			    again[SHORTCODE_SEALED_LEN];
			assert_int_equal(shortcode_parse(a, strlen(a), code), ERR_OK);
			assert_true(b64url_decode(b, strlen(b), s, sizeof s));
			assert_true(b64url_decode(d, strlen(d), want, sizeof want));
			assert_true(b64url_decode(e, strlen(e), sl, sizeof sl));
			assert_int_equal(shortcode_derive(code, s, (uint32_t)it, lk, key), ERR_OK);
			assert_memory_equal(lk, want, sizeof lk);
			assert_int_equal(shortcode_open(key, sl, tok), ERR_OK);
			token_bytes(f, wtok);
			assert_memory_equal(tok, wtok, sizeof tok);
			/* and sealing it again gives the same bytes */
			assert_int_equal(shortcode_seal(key, tok, again), ERR_OK);
			assert_memory_equal(again, sl, sizeof sl);
			opened++;
		} else {
			fail_msg("a line the block should not have: %s", l);
		}
	}
	free(doc);
	assert_true(codes >= 3);
	assert_int_equal(parsed, sizeof parses / sizeof parses[0]);
	assert_int_equal(opened, 2);
}

/* Random codes: every one-symbol change, and every swap of two different
 * neighbours, is refused; the code itself is taken. */
static void check_symbol_catches_typos(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		uint8_t b[VOUCHER_LEN];
		char code[SHORTCODE_LEN + 1], typed[SHORTCODE_LEN + 1], out[SHORTCODE_LEN + 1];

		for (size_t i = 0; i < sizeof b; i++)
			b[i] = rng_byte();
		shortcode_of(b, code);
		assert_int_equal(strlen(code), SHORTCODE_LEN);
		assert_int_equal(strspn(code, ALPHA), SHORTCODE_LEN);
		assert_int_equal(shortcode_parse(code, SHORTCODE_LEN, out), ERR_OK);
		assert_string_equal(out, code);
		for (int k = 0; k < SHORTCODE_LEN; k++)
			for (const char *a = ALPHA; *a; a++) {
				if (*a == code[k])
					continue;
				memcpy(typed, code, sizeof typed);
				typed[k] = *a;
				/* 0 for Z (values 31 apart) in a data place is the
				 * one change mod 31 cannot see */
				bool blind =
				    k < SHORTCODE_LEN - 1 && ((*a == '0' && code[k] == 'Z') ||
				                              (*a == 'Z' && code[k] == '0'));
				if (!blind)
					assert_int_equal(shortcode_parse(typed, SHORTCODE_LEN, out),
					                 ERR_MALFORMED_CODE);
			}
		for (int k = 0; k + 1 < SHORTCODE_LEN; k++) {
			int d = (int)(strchr(ALPHA, code[k]) - ALPHA) -
			        (int)(strchr(ALPHA, code[k + 1]) - ALPHA);
			if (d == 0 || d == 31 || d == -31 || k + 1 == SHORTCODE_LEN - 1)
				continue; /* the check symbol's own place is checked above */
			memcpy(typed, code, sizeof typed);
			typed[k] = code[k + 1];
			typed[k + 1] = code[k];
			assert_int_equal(shortcode_parse(typed, SHORTCODE_LEN, out),
			                 ERR_MALFORMED_CODE);
		}
	}
}

/* What people type: case, spaces, hyphens, I/L/O; never past len. */
static void typed_forms(void **state)
{
	uint8_t b[VOUCHER_LEN] = {1, 2, 3};
	char code[SHORTCODE_LEN + 1], printed[SHORTCODE_TEXT_LEN + 1], out[SHORTCODE_LEN + 1],
	    buf[64];

	(void)state;
	shortcode_of(b, code);
	shortcode_format(code, printed);
	assert_int_equal(strlen(printed), SHORTCODE_TEXT_LEN);
	assert_true(printed[4] == '-' && printed[9] == '-');
	assert_int_equal(shortcode_parse(printed, strlen(printed), out), ERR_OK);
	assert_string_equal(out, code);
	/* a NUL inside is not skipped */
	memcpy(buf, printed, sizeof printed);
	buf[4] = '\0';
	assert_int_equal(shortcode_parse(buf, strlen(printed), out), ERR_MALFORMED_CODE);
	/* the length given is the input: a code cut short is refused */
	assert_int_equal(shortcode_parse(printed, strlen(printed) - 1, out), ERR_MALFORMED_CODE);
	assert_int_equal(shortcode_parse("", 0, out), ERR_MALFORMED_CODE);
	assert_int_equal(shortcode_parse("------------", 12, out), ERR_MALFORMED_CODE);
	/* a non-ASCII byte */
	snprintf(buf, sizeof buf, "%s\xc3\xa9", printed);
	assert_int_equal(shortcode_parse(buf, strlen(buf), out), ERR_MALFORMED_CODE);
}

/* A seal opens with its key only, and not once a byte changed. */
static void seal_and_open(void **state)
{
	uint8_t tok[VOUCHER_LEN], back[VOUCHER_LEN], sealed[SHORTCODE_SEALED_LEN],
	    salt[SHORTCODE_SALT_LEN] = {9}, lk[SHORTCODE_LOOKUP_LEN], lk2[SHORTCODE_LOOKUP_LEN],
	    key[SHORTCODE_KEY_LEN], key2[SHORTCODE_KEY_LEN];
	char code[SHORTCODE_LEN + 1], other[SHORTCODE_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof tok; i++)
		tok[i] = rng_byte();
	shortcode_of(tok, code);
	tok[0] ^= 1;
	shortcode_of(tok, other);
	tok[0] ^= 1;
	assert_int_equal(shortcode_derive(code, salt, 10000, lk, key), ERR_OK);
	assert_int_equal(shortcode_derive(other, salt, 10000, lk2, key2), ERR_OK);
	assert_memory_not_equal(lk, lk2, sizeof lk);
	assert_memory_not_equal(lk, key, sizeof lk); /* the lookup is not the key */
	assert_int_equal(shortcode_seal(key, tok, sealed), ERR_OK);
	assert_memory_not_equal(sealed, tok, VOUCHER_LEN);
	assert_int_equal(shortcode_open(key, sealed, back), ERR_OK);
	assert_memory_equal(back, tok, sizeof tok);
	assert_int_equal(shortcode_open(key2, sealed, back), ERR_UNKNOWN_CODE);
	for (size_t i = 0; i < sizeof sealed; i += 7) {
		sealed[i] ^= 0x40;
		assert_int_equal(shortcode_open(key, sealed, back), ERR_UNKNOWN_CODE);
		sealed[i] ^= 0x40;
	}
	/* another salt, another lookup and key */
	salt[0] ^= 1;
	assert_int_equal(shortcode_derive(code, salt, 10000, lk2, key2), ERR_OK);
	assert_memory_not_equal(lk, lk2, sizeof lk);
	assert_memory_not_equal(key, key2, sizeof key);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(code_vectors),
	    cmocka_unit_test(check_symbol_catches_typos),
	    cmocka_unit_test(typed_forms),
	    cmocka_unit_test(seal_and_open),
	};

	if (argc > 1 && strcmp(argv[1], "--print") == 0) {
		print_block();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
