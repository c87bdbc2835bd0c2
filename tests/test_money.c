/* Unit tests of common/money: overflow edges, formatting, parsing, percent. */
#include "testutil.h"

#include "money.h"

#define UNTOUCHED 0x5A5A5A5A

static void add_sub_mul(void **state)
{
	int64_t r;

	(void)state;
	assert_true(money_add(150000, 50000, &r));
	assert_int_equal(r, 200000);
	assert_true(money_sub(50000, 150000, &r));
	assert_int_equal(r, -100000);
	assert_true(money_mul(-3, 50000, &r));
	assert_int_equal(r, -150000);
}

static void overflow_edges(void **state)
{
	int64_t r;

	(void)state;
	assert_true(money_add(INT64_MAX, 0, &r));
	assert_int_equal(r, INT64_MAX);
	assert_true(money_add(INT64_MAX, INT64_MIN, &r));
	assert_int_equal(r, -1);
	assert_true(money_add(INT64_MIN + 1, -1, &r));
	assert_true(r == INT64_MIN);
	assert_true(money_sub(-1, INT64_MIN, &r));
	assert_int_equal(r, INT64_MAX);
	assert_true(money_mul(INT64_MAX, -1, &r));
	assert_int_equal(r, -INT64_MAX);
	assert_true(money_mul(INT64_MIN, 1, &r));
	assert_true(r == INT64_MIN);
	assert_true(money_mul(0, INT64_MIN, &r));
	assert_int_equal(r, 0);

	/* On overflow the result is left as it was. */
	r = UNTOUCHED;
	assert_false(money_add(INT64_MAX, 1, &r));
	assert_false(money_add(INT64_MIN, -1, &r));
	assert_false(money_add(INT64_MAX / 2 + 1, INT64_MAX / 2 + 1, &r));
	assert_false(money_sub(INT64_MIN, 1, &r));
	assert_false(money_sub(0, INT64_MIN, &r));
	assert_false(money_sub(INT64_MAX, -1, &r));
	assert_false(money_mul(INT64_MIN, -1, &r));
	assert_false(money_mul(INT64_MAX, 2, &r));
	assert_false(money_mul(INT64_MIN, 2, &r));
	assert_false(money_mul(3037000500, 3037000500, &r));
	assert_int_equal(r, UNTOUCHED);
	/* 3037000499^2 is the largest square that fits. */
	assert_true(money_mul(3037000499, 3037000499, &r));
	assert_int_equal(r, 9223372030926249001);
}

static void check_format(int64_t v, const char *text)
{
	char buf[MONEY_FMT_MAX];

	assert_int_equal(money_format(v, buf, sizeof buf), strlen(text));
	assert_string_equal(buf, text);
}

static void format(void **state)
{
	(void)state;
	check_format(0, "Rp0");
	check_format(1, "Rp1");
	check_format(999, "Rp999");
	check_format(1000, "Rp1.000");
	check_format(50000, "Rp50.000");
	check_format(150000, "Rp150.000");
	check_format(1234567, "Rp1.234.567");
	check_format(1000000000, "Rp1.000.000.000");
	check_format(-1, "-Rp1");
	check_format(-50000, "-Rp50.000");
	check_format(-1234567, "-Rp1.234.567");
	check_format(INT64_MAX, "Rp9.223.372.036.854.775.807");
	check_format(INT64_MIN, "-Rp9.223.372.036.854.775.808");
}

/* Counts: grouped as money is, without "Rp". */
static void format_number(void **state)
{
	char buf[MONEY_FMT_MAX];

	(void)state;
	assert_int_equal(money_format_number(0, buf, sizeof buf), 1);
	assert_string_equal(buf, "0");
	money_format_number(999, buf, sizeof buf);
	assert_string_equal(buf, "999");
	money_format_number(1234, buf, sizeof buf);
	assert_string_equal(buf, "1.234");
	money_format_number(-20000, buf, sizeof buf);
	assert_string_equal(buf, "-20.000");
	assert_int_equal(money_format_number(INT64_MIN, buf, sizeof buf), 26);
	assert_string_equal(buf, "-9.223.372.036.854.775.808");
}

static void format_small_buffer(void **state)
{
	char buf[MONEY_FMT_MAX];

	(void)state;
	memset(buf, '#', sizeof buf);
	assert_int_equal(money_format(50000, buf, 5), 8);
	assert_string_equal(buf, "Rp50");
	assert_int_equal(buf[5], '#');
	memset(buf, '#', sizeof buf);
	assert_int_equal(money_format(50000, buf, 0), 8);
	assert_int_equal(buf[0], '#');
}

static void check_parse(const char *s, int64_t v)
{
	int64_t r = UNTOUCHED;

	assert_int_equal(money_parse(s, &r), ERR_OK);
	assert_int_equal(r, v);
}

static void check_parse_refused(const char *s, err e)
{
	int64_t r = UNTOUCHED;

	assert_int_equal(money_parse(s, &r), e);
	assert_int_equal(r, UNTOUCHED);
}

static void parse_accepted(void **state)
{
	(void)state;
	check_parse("0", 0);
	check_parse("7", 7);
	check_parse("50000", 50000);
	check_parse("50.000", 50000);
	check_parse("Rp50.000", 50000);
	check_parse("Rp 50.000", 50000);
	check_parse("Rp50000", 50000);
	check_parse("  Rp  50.000  ", 50000);
	check_parse("\t50000\t", 50000);
	check_parse("1.000", 1000);
	check_parse("999", 999);
	check_parse("5.000.000,00", 5000000);
	check_parse("5.000.000,0", 5000000);
	check_parse("5000000,00", 5000000);
	check_parse("Rp 1.234.567,00 ", 1234567);
	check_parse("0,00", 0);
	check_parse("9223372036854775807", INT64_MAX);
	check_parse("9.223.372.036.854.775.807", INT64_MAX);
}

static void parse_refused(void **state)
{
	(void)state;
	check_parse_refused("", ERR_INVALID);
	check_parse_refused("   ", ERR_INVALID);
	check_parse_refused("Rp", ERR_INVALID);
	check_parse_refused("Rp ", ERR_INVALID);
	/* Dots that do not group thousands. */
	check_parse_refused("5.00.000", ERR_INVALID);
	check_parse_refused("50.00", ERR_INVALID);
	check_parse_refused("50.0000", ERR_INVALID);
	check_parse_refused("5000.000", ERR_INVALID);
	check_parse_refused("50..000", ERR_INVALID);
	check_parse_refused(".500", ERR_INVALID);
	check_parse_refused("500.", ERR_INVALID);
	check_parse_refused("Rp.50.000", ERR_INVALID);
	/* Fractions other than zero, and ambiguous ones. */
	check_parse_refused("50.000,50", ERR_INVALID);
	check_parse_refused("50.000,05", ERR_INVALID);
	check_parse_refused("50,000", ERR_INVALID);
	check_parse_refused("50.000,", ERR_INVALID);
	check_parse_refused("50.000,-", ERR_INVALID);
	check_parse_refused(",00", ERR_INVALID);
	/* Signs. */
	check_parse_refused("-5", ERR_INVALID);
	check_parse_refused("+5", ERR_INVALID);
	check_parse_refused("Rp-5", ERR_INVALID);
	check_parse_refused("-Rp5", ERR_INVALID);
	/* Leading zeros. */
	check_parse_refused("050000", ERR_INVALID);
	check_parse_refused("050.000", ERR_INVALID);
	check_parse_refused("0.050", ERR_INVALID);
	check_parse_refused("00", ERR_INVALID);
	/* Anything else. */
	check_parse_refused("50 000", ERR_INVALID);
	check_parse_refused("50000x", ERR_INVALID);
	check_parse_refused("50.000 Rp", ERR_INVALID);
	check_parse_refused("RP50.000", ERR_INVALID);
	check_parse_refused("1e6", ERR_INVALID);
	check_parse_refused("0x10", ERR_INVALID);
	/* Too large. */
	check_parse_refused("99999999999999999999", ERR_OVERFLOW);
	check_parse_refused("9223372036854775808", ERR_OVERFLOW);
	check_parse_refused("9.223.372.036.854.775.808", ERR_OVERFLOW);
	check_parse_refused("Rp 99.999.999.999.999.999.999.999,00", ERR_OVERFLOW);
	/* A long number that is also malformed is malformed. */
	check_parse_refused("99999999999999999999x", ERR_INVALID);
	check_parse_refused("99.999.999.999.999.999.999.99", ERR_INVALID);
}

static void parse_plain(void **state)
{
	static const char *const invalid[] = {
	    "", "00", "01", "+1", "-1", " 1", "1 ", "1.000", "1,00", "Rp1", "1e3", "x",
	};
	int64_t r = UNTOUCHED;

	(void)state;
	assert_int_equal(money_parse_plain("0", &r), ERR_OK);
	assert_int_equal(r, 0);
	assert_int_equal(money_parse_plain("150000", &r), ERR_OK);
	assert_int_equal(r, 150000);
	assert_int_equal(money_parse_plain("9223372036854775807", &r), ERR_OK);
	assert_int_equal(r, INT64_MAX);

	r = UNTOUCHED;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
		assert_int_equal(money_parse_plain(invalid[i], &r), ERR_INVALID);
	assert_int_equal(money_parse_plain("9223372036854775808", &r), ERR_OVERFLOW);
	assert_int_equal(money_parse_plain("99999999999999999999", &r), ERR_OVERFLOW);
	assert_int_equal(money_parse_plain("99999999999999999999999999999999999999", &r),
	                 ERR_OVERFLOW);
	assert_int_equal(r, UNTOUCHED);
}

/* Every formatted amount parses back to itself. */
static void format_parses_back(void **state)
{
	static const int64_t values[] = {0,     1,       12,          999,           1000,
	                                 50000, 1234567, 10000000000, INT64_MAX - 1, INT64_MAX};
	char buf[MONEY_FMT_MAX];
	int64_t r;

	(void)state;
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		money_format(values[i], buf, sizeof buf);
		assert_int_equal(money_parse(buf, &r), ERR_OK);
		assert_int_equal(r, values[i]);
	}
}

static int64_t percent(int64_t base, int64_t bp)
{
	int64_t r = UNTOUCHED;

	assert_int_equal(money_percent(base, bp, &r), ERR_OK);
	return r;
}

static void percent_rounding(void **state)
{
	int64_t r = UNTOUCHED;

	(void)state;
	assert_int_equal(percent(3750000, 250), 93750);
	assert_int_equal(percent(3750000, 200), 75000);
	assert_int_equal(percent(0, 250), 0);
	assert_int_equal(percent(3750000, 0), 0);
	assert_int_equal(percent(12345, 10000), 12345);
	/* Half up: 0.5 -> 1, 0.4999 -> 0, 4.5 -> 5, 4.475 -> 4, 4.975 -> 5. */
	assert_int_equal(percent(1, 5000), 1);
	assert_int_equal(percent(1, 4999), 0);
	assert_int_equal(percent(2, 2500), 1);
	assert_int_equal(percent(3, 5000), 2);
	assert_int_equal(percent(180, 250), 5);
	assert_int_equal(percent(179, 250), 4);
	assert_int_equal(percent(199, 250), 5);
	/* 2.5% of 1.234.567 = 30864.175 */
	assert_int_equal(percent(1234567, 250), 30864);
	/* 33.33% of 1.000.001 = 333300.3333 */
	assert_int_equal(percent(1000001, 3333), 333300);
	/* 10000x of 1.234.567.891 (bp at its maximum). */
	assert_int_equal(percent(1234567891, 1000000), 123456789100);
	/* The whole range of base without overflow on the way. */
	assert_int_equal(percent(INT64_MAX, 10000), INT64_MAX);
	assert_int_equal(percent(INT64_MAX, 5000), INT64_MAX / 2 + 1);
	assert_int_equal(percent(INT64_MAX, 1), 922337203685478);

	assert_int_equal(money_percent(INT64_MAX, 10001, &r), ERR_OVERFLOW);
	assert_int_equal(money_percent(INT64_MAX / 50, 1000000, &r), ERR_OVERFLOW);
	assert_int_equal(money_percent(-1, 250, &r), ERR_INVALID);
	assert_int_equal(money_percent(INT64_MIN, 250, &r), ERR_INVALID);
	assert_int_equal(money_percent(100, -1, &r), ERR_INVALID);
	assert_int_equal(money_percent(100, 1000001, &r), ERR_INVALID);
	assert_int_equal(r, UNTOUCHED);
}

static void parse_percent(void **state)
{
	static const struct {
		const char *s;
		int64_t bp;
	} ok[] = {
	    {"2", 200},       {"2.5", 250},      {"2,5", 250},    {"0.25", 25},    {"0,25", 25},
	    {"0", 0},         {"0.01", 1},       {"2.50", 250},   {"12.34", 1234}, {"100", 10000},
	    {"100.0", 10000}, {"100,00", 10000}, {"99.99", 9999},
	};
	static const char *const bad[] = {
	    "",      "2.",    ".5",  ",5", "2.555", "0.001", "100.01",
	    "101",   "1000",  "-1",  "+1", " 2",    "2 ",    "2%",
	    "1,2,3", "1.2.3", "abc", "02", "00.5",  "2..5",  "99999999999999999999",
	};
	int64_t bp;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		bp = UNTOUCHED;
		assert_int_equal(money_parse_percent(ok[i].s, &bp), ERR_OK);
		assert_int_equal(bp, ok[i].bp);
	}
	bp = UNTOUCHED;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (money_parse_percent(bad[i], &bp) != ERR_INVALID)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
	assert_int_equal(bp, UNTOUCHED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(add_sub_mul),
	    cmocka_unit_test(overflow_edges),
	    cmocka_unit_test(format),
	    cmocka_unit_test(format_small_buffer),
	    cmocka_unit_test(format_number),
	    cmocka_unit_test(parse_accepted),
	    cmocka_unit_test(parse_refused),
	    cmocka_unit_test(parse_plain),
	    cmocka_unit_test(format_parses_back),
	    cmocka_unit_test(percent_rounding),
	    cmocka_unit_test(parse_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
