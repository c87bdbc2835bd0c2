#include "testutil.h"

#include "keyring.h"
#include "period.h"

#define PUB_B64 "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="

static void parse_line(void **state)
{
	key_entry e;
	const char *what = NULL;
	char out[256];

	(void)state;
	assert_int_equal(
	    keyring_parse_line("K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64, &e, &what), ERR_OK);
	assert_string_equal(e.kid, "K1");
	assert_int_equal(e.role, KEY_ISSUER);
	assert_string_equal(e.issuer, "PROBOLINGGO");
	assert_int_equal(e.retired_after, KEY_NEVER);
	assert_int_equal(e.valid_from, date_to_days((date){2026, 11, 22}));
	keyring_format_line(&e, out, sizeof out);
	assert_string_equal(out, "K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 "\n");

	assert_int_equal(
	    keyring_parse_line("  R1\treceipt - 2026-01-01 2026-12-31 " PUB_B64 " # c", &e, &what),
	    ERR_OK);
	assert_int_equal(e.role, KEY_RECEIPT);
	assert_string_equal(e.issuer, "");
	assert_int_equal(e.retired_after, date_to_days((date){2026, 12, 31}));

	assert_int_equal(keyring_parse_line("", &e, &what), ERR_NOT_FOUND);
	assert_int_equal(keyring_parse_line("   # comment", &e, &what), ERR_NOT_FOUND);
}

static void refuse(const char *line)
{
	key_entry e;
	const char *what = NULL;

	assert_int_equal(keyring_parse_line(line, &e, &what), ERR_INVALID);
	assert_non_null(what);
}

static void bad_lines(void **state)
{
	(void)state;
	refuse("K1 issuer PROBOLINGGO 2026-11-22 -");
	refuse("K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 " extra");
	refuse("K/1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64);
	refuse("K1 signer PROBOLINGGO 2026-11-22 - " PUB_B64);
	refuse("K1 issuer PROBO*LINGGO 2026-11-22 - " PUB_B64);
	refuse("K1 issuer PROBOLINGGO 2026-02-30 - " PUB_B64);
	refuse("K1 issuer PROBOLINGGO - - " PUB_B64);
	refuse("K1 issuer PROBOLINGGO 2026-11-22 never " PUB_B64);
	refuse("K1 issuer PROBOLINGGO 2026-11-22 - A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMb==");
	refuse("K1 issuer PROBOLINGGO 2026-11-22 - A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg");
	refuse("K1 issuer PROBOLINGGO 2026-11-22 - A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJV!bg=");
	refuse("K123456789012345678901234567890123 issuer X 2026-11-22 - " PUB_B64);
	/* A receipt key belongs to a redeemer, not to an issuer. */
	refuse("R1 receipt PROBOLINGGO 2026-11-22 - " PUB_B64);
	/* Retired before it was valid. */
	refuse("K1 issuer PROBOLINGGO 2026-11-22 2026-11-21 " PUB_B64);
}

/* Retired the day it was made: allowed (it signs for that day's period). */
static void retired_same_day(void **state)
{
	key_entry e;
	const char *what = NULL;

	(void)state;
	assert_int_equal(
	    keyring_parse_line("K1 issuer X 2026-11-22 2026-11-22 " PUB_B64, &e, &what), ERR_OK);
	assert_int_equal(e.retired_after, e.valid_from);
}

static void load_reports_file_and_line(void **state)
{
	static const char *const refused[][3] = {
	    {"dup",
	     "K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64
	     "\nK1 issuer MALANG 2026-11-22 - " PUB_B64 "\n",
	     "/dup:2: duplicate"},
	    {"dup2",
	     "K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 "\nK1 issuer - 2026-11-22 - " PUB_B64
	     "\n",
	     "/dup2:2: duplicate"},
	    {"dup3",
	     "K1 receipt - 2026-11-22 - " PUB_B64 "\nK1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64
	     "\n",
	     "/dup3:2: duplicate"},
	    {"tags",
	     "K13870 issuer PROBOLINGGO 2026-11-22 - " PUB_B64
	     "\nK58315 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 "\n",
	     "/tags:2: duplicate"},
	    {"empty", "# KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY\n\n",
	     "/empty: no key"},
	};
	char *dir = tmpdir_make(), *path, why[512];
	keyring *kr = NULL;

	(void)state;
	path = write_file(dir, "keyring",
	                  "# KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY\n"
	                  "K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 "\n"
	                  "\n"
	                  "K2 issuer PROBOLINGGO 2026-11-22 -\n");
	assert_int_equal(keyring_load(path, &kr, why, sizeof why), ERR_INVALID);
	assert_null(kr);
	assert_non_null(strstr(why, "/keyring:4: "));
	free(path);

	/* One KID is one key, whatever the issuer or role of its other line
	 * (otherwise which key answers would depend on the order of the lines);
	 * two key ids whose 4-byte tags are equal (SHA-256("kid:K13870") and
	 * SHA-256("kid:K58315") both start 4bc077a4) could not be told apart by
	 * a token; a keyring with no key trusts nothing. */
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		path = write_file(dir, refused[i][0], refused[i][1]);
		assert_int_equal(keyring_load(path, &kr, why, sizeof why), ERR_INVALID);
		assert_null(kr);
		if (!strstr(why, refused[i][2]))
			fail_msg("%s: %s", refused[i][0], why);
		free(path);
	}

	/* A NUL byte anywhere in a line refuses it, even after a valid key or in
	 * a comment: it would end the line and hide the rest. */
#define KEY0 "K0 issuer - 2026-11-22 - " PUB_B64 "\n"
	static const struct {
		const char *s;
		size_t n;
	} nul[] = {
	    {KEY0 "K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 "\0x\n",
	     sizeof KEY0 "K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64 "\0x\n" - 1},
	    {KEY0 "# a comment \0 K2\n", sizeof KEY0 "# a comment \0 K2\n" - 1},
	    {KEY0 "\0\n", sizeof KEY0 "\0\n" - 1},
	};
	for (size_t i = 0; i < sizeof nul / sizeof nul[0]; i++) {
		FILE *f;

		path = write_file(dir, "nul", "");
		assert_non_null(f = fopen(path, "wb"));
		assert_int_equal(fwrite(nul[i].s, 1, nul[i].n, f), nul[i].n);
		fclose(f);
		assert_int_equal(keyring_load(path, &kr, why, sizeof why), ERR_INVALID);
		assert_null(kr);
		if (!strstr(why, "/nul:2: a NUL byte"))
			fail_msg("NUL %zu: %s", i, why);
		free(path);
	}

	assert_int_equal(keyring_load("/nonexistent/keyring", &kr, why, sizeof why), ERR_IO);
	tmpdir_remove(dir);
}

static void save_load_find(void **state)
{
	char *dir = tmpdir_make(), path[4200], why[256];
	keyring *kr = keyring_new(), *back = NULL;
	key_entry e;
	const char *what;
	uint8_t itag[TAG_LEN], ktag[TAG_LEN], other[TAG_LEN];

	(void)state;
	snprintf(path, sizeof path, "%s/keyring", dir);
	assert_int_equal(
	    keyring_parse_line("K1 issuer PROBOLINGGO 2026-11-22 - " PUB_B64, &e, &what), ERR_OK);
	assert_int_equal(keyring_add(kr, &e), ERR_OK);
	assert_int_equal(keyring_add(kr, &e), ERR_EXISTS);
	assert_int_equal(keyring_parse_line("K9 issuer - 2026-11-22 - " PUB_B64, &e, &what),
	                 ERR_OK);
	assert_int_equal(keyring_add(kr, &e), ERR_OK);
	assert_int_equal(keyring_save(kr, path), ERR_OK);
	assert_int_equal(keyring_load(path, &back, why, sizeof why), ERR_OK);
	assert_int_equal(keyring_count(back), 2);

	tag_of("issuer", "PROBOLINGGO", itag);
	tag_of("issuer", "MALANG", other);
	tag_of("kid", "K1", ktag);
	assert_non_null(keyring_find(back, KEY_ISSUER, itag, ktag));
	assert_null(keyring_find(back, KEY_ISSUER, other, ktag));
	assert_null(keyring_find(back, KEY_RECEIPT, itag, ktag));
	/* The unbound K9 answers for any issuer until it is bound. */
	tag_of("kid", "K9", ktag);
	assert_non_null(keyring_find(back, KEY_ISSUER, other, ktag));
	assert_true(keyring_has_issuer(back, KEY_ISSUER, other));
	keyring_bind(keyring_by_kid(back, "K9"), "PROBOLINGGO");
	assert_null(keyring_find(back, KEY_ISSUER, other, ktag));
	assert_false(keyring_has_issuer(back, KEY_ISSUER, other));
	assert_non_null(keyring_find(back, KEY_ISSUER, itag, ktag));

	keyring_free(kr);
	keyring_free(back);
	tmpdir_remove(dir);
}

static void tags(void **state)
{
	uint8_t a[TAG_LEN], b[TAG_LEN];

	(void)state;
	/* SHA-256("issuer:PROBOLINGGO"), first four bytes (see docs/FORMAT.md). */
	tag_of("issuer", "PROBOLINGGO", a);
	tag_of("kid", "PROBOLINGGO", b);
	assert_memory_not_equal(a, b, TAG_LEN);
	assert_true(key_id_valid("a"));
	assert_true(key_id_valid("2026-A_k.1"));
	assert_false(key_id_valid(""));
	assert_false(key_id_valid("a b"));
	assert_false(key_id_valid("ä"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_line),       cmocka_unit_test(bad_lines),
	    cmocka_unit_test(retired_same_day), cmocka_unit_test(load_reports_file_and_line),
	    cmocka_unit_test(save_load_find),   cmocka_unit_test(tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
