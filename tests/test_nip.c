/*
 * Unit tests of common/nip. The NIPs are made up, field by field:
 * YYYYMMDD birth, YYYYMM appointment (MM = 21 for PPPK), G gender, NNN.
 */
#include "testutil.h"

#include "nip.h"

#define THIS_YEAR 2026

/* 1972-03-15, appointed 1998-03, gender 1, sequence 039. */
#define PNS "197203151998031039"
/* 1985-05-12, PPPK appointed 2022, gender 2, sequence 001. */
#define PPPK "198505122022212001"

static void check_ok(const char *s, int this_year, nip_kind want)
{
	nip_kind kind = 0;
	const char *why = NULL;

	if (nip_check(s, this_year, &kind, &why) != ERR_OK)
		fail_msg("%s refused: %s", s, why ? why : "(no reason)");
	assert_int_equal(kind, want);
}

static void check_refused(const char *s, int this_year, const char *want_why)
{
	nip_kind kind = 0;
	const char *why = NULL;

	if (nip_check(s, this_year, &kind, &why) != ERR_INVALID)
		fail_msg("%s accepted", s);
	assert_non_null(why);
	assert_string_equal(why, want_why);
	assert_int_equal(kind, 0);
}

static void valid(void **state)
{
	(void)state;
	check_ok(PNS, THIS_YEAR, NIP_PNS);
	check_ok(PPPK, THIS_YEAR, NIP_PPPK);
	/* Appointment months at both ends, gender 2, sequence 999. */
	check_ok("197203151998011999", THIS_YEAR, NIP_PNS);
	check_ok("197203151998122001", THIS_YEAR, NIP_PNS);
	/* A leap-day birth. */
	check_ok("200002292020011001", THIS_YEAR, NIP_PNS);
	/* Limits of the years: born 1940, appointed 1960. */
	check_ok("194001011960011001", THIS_YEAR, NIP_PNS);
	/* Born this_year - 15 and appointed at 15 (this year). */
	check_ok("201101012026011001", THIS_YEAR, NIP_PNS);
	/* Appointed at exactly 15, and appointed next year. */
	check_ok("199001012005011001", THIS_YEAR, NIP_PNS);
	check_ok("199001012027011001", THIS_YEAR, NIP_PNS);
	check_ok("199001012027211001", THIS_YEAR, NIP_PPPK);
}

static void wrong_length_or_characters(void **state)
{
	static const char *const bad[] = {
	    "",
	    "19720315199803103",   /* 17 digits */
	    "1972031519980310390", /* 19 digits */
	    "19720315199803103X",
	    " 97203151998031039",
	    "1972031519980310 9",
	    "1972-03-15-1998031039",
	    "19720315199803103\n",
	    "197203151998031039 ",
	    "+97203151998031039",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_refused(bad[i], THIS_YEAR, "must be 18 digits");
}

static void birth_date(void **state)
{
	(void)state;
	/* 30 February, 29 February 1971, 31 April, month 13, month 0, day 0. */
	check_refused("197202301998031039", THIS_YEAR, "birth date is not a real date");
	check_refused("197102291998031039", THIS_YEAR, "birth date is not a real date");
	check_refused("197204311998031039", THIS_YEAR, "birth date is not a real date");
	check_refused("197213151998031039", THIS_YEAR, "birth date is not a real date");
	check_refused("197200151998031039", THIS_YEAR, "birth date is not a real date");
	check_refused("197203001998031039", THIS_YEAR, "birth date is not a real date");
	check_refused("193912311960011001", THIS_YEAR, "birth year out of range");
	/* Born this_year - 14: too young to be an ASN at all. */
	check_refused("201201012027011001", THIS_YEAR, "birth year out of range");
	check_refused("201101012026011001", 2025, "birth year out of range");
}

static void appointment(void **state)
{
	(void)state;
	check_refused("197203151998131039", THIS_YEAR, "appointment month must be 01..12 or 21");
	check_refused("197203151998001039", THIS_YEAR, "appointment month must be 01..12 or 21");
	check_refused("197203151998201039", THIS_YEAR, "appointment month must be 01..12 or 21");
	check_refused("197203151998221039", THIS_YEAR, "appointment month must be 01..12 or 21");
	check_refused("197203151998991039", THIS_YEAR, "appointment month must be 01..12 or 21");
	/* Appointed before the age of 15. */
	check_refused("199001012004011001", THIS_YEAR, "appointment year out of range");
	check_refused("199001011980011001", THIS_YEAR, "appointment year out of range");
	/* Appointed later than next year. */
	check_refused("199001012028011001", THIS_YEAR, "appointment year out of range");
	check_refused("199001012027011001", 2025, "appointment year out of range");
	/* Before 1960, even though the ASN was old enough. */
	check_refused("194001011959011001", THIS_YEAR, "appointment year out of range");
}

static void gender_and_sequence(void **state)
{
	(void)state;
	check_refused("197203151998033039", THIS_YEAR, "gender digit must be 1 or 2");
	check_refused("197203151998030039", THIS_YEAR, "gender digit must be 1 or 2");
	check_refused("197203151998039039", THIS_YEAR, "gender digit must be 1 or 2");
	check_refused("197203151998031000", THIS_YEAR, "sequence number must not be 000");
	check_refused("198505122022212000", THIS_YEAR, "sequence number must not be 000");
}

static void optional_outputs(void **state)
{
	(void)state;
	assert_int_equal(nip_check(PNS, THIS_YEAR, NULL, NULL), ERR_OK);
	assert_int_equal(nip_check("197203151998031000", THIS_YEAR, NULL, NULL), ERR_INVALID);
}

static void mask(void **state)
{
	char out[NIP_LEN + 1];

	(void)state;
	nip_mask(PNS, out);
	assert_string_equal(out, "1972**********1039");
	nip_mask(PPPK, out);
	assert_string_equal(out, "1985**********2001");
	/* Anything else does not leak a digit. */
	nip_mask("12345", out);
	assert_string_equal(out, "******************");
	nip_mask("1972031519980310390", out);
	assert_string_equal(out, "******************");
	nip_mask("", out);
	assert_string_equal(out, "******************");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid),
	    cmocka_unit_test(wrong_length_or_characters),
	    cmocka_unit_test(birth_date),
	    cmocka_unit_test(appointment),
	    cmocka_unit_test(gender_and_sequence),
	    cmocka_unit_test(optional_outputs),
	    cmocka_unit_test(mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
