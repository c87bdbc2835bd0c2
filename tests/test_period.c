/* Unit tests of common/period: strict parsing, day counts, zones, windows. */
#include <stdbool.h>

#include "testutil.h"

#include "period.h"

#define HOUR 3600
#define DAY  86400

/* 2026-12-01 00:00 WIB = 2026-11-30T17:00:00Z (also date +%s -d). */
#define DEC_2026_WIB 1796058000
/* 2027-01-04 00:00 WIB = 2027-01-03T17:00:00Z */
#define JAN_4_2027_WIB 1798995600

static void assert_date(date d, int y, int m, int day)
{
	assert_int_equal(d.year, y);
	assert_int_equal(d.month, m);
	assert_int_equal(d.day, day);
}

static void period_parse_strict(void **state)
{
	static const char *const bad[] = {
	    "",         "2026",       "2026-1",  "2026-13", "2026-00", "2026-012",
	    "2026-12 ", " 2026-12",   "2026/12", "26-12",   "+026-12", "2026-1a",
	    "2026-+1",  "2026-12-01", "1999-12", "2100-01", "20261-2", "2026--1",
	};
	period p = {0, 0};

	(void)state;
	assert_int_equal(period_parse("2026-12", &p), ERR_OK);
	assert_int_equal(p.year, 2026);
	assert_int_equal(p.month, 12);
	assert_int_equal(period_parse("2000-01", &p), ERR_OK);
	assert_int_equal(p.year, 2000);
	assert_int_equal(p.month, 1);
	assert_int_equal(period_parse("2099-12", &p), ERR_OK);
	assert_int_equal(p.year, 2099);

	p = (period){1, 1};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (period_parse(bad[i], &p) != ERR_INVALID)
			fail_msg("period \"%s\" was accepted", bad[i]);
	assert_int_equal(p.year, 1);
	assert_int_equal(p.month, 1);
}

static void period_format_next_prev(void **state)
{
	char buf[8];
	period p;

	(void)state;
	period_format((period){2026, 3}, buf, sizeof buf);
	assert_string_equal(buf, "2026-03");
	p = period_next((period){2026, 11});
	assert_true(p.year == 2026 && p.month == 12);
	p = period_next((period){2026, 12});
	assert_true(p.year == 2027 && p.month == 1);
	p = period_prev((period){2027, 1});
	assert_true(p.year == 2026 && p.month == 12);
	p = period_prev((period){2026, 12});
	assert_true(p.year == 2026 && p.month == 11);
	p = (period){2026, 5};
	for (int i = 0; i < 30; i++)
		p = period_next(p);
	assert_true(p.year == 2028 && p.month == 11);
	for (int i = 0; i < 30; i++)
		p = period_prev(p);
	assert_true(p.year == 2026 && p.month == 5);
}

static void date_parse_strict(void **state)
{
	static const char *const bad[] = {
	    "2026-02-30", "2026-02-29",       "2100-02-29", "1900-02-29",  "2026-04-31",
	    "2026-13-01", "2026-00-10",       "2026-01-00", "2026-01-32",  "1899-12-31",
	    "2200-01-01", "2026-1-01",        "2026-01-1",  "2026-01-01 ", "2026/01/01",
	    "20260101",   "2026-01-01T00:00", "",           "2026-0a-01",  "2026-01--1",
	};
	date d = {0, 0, 0};

	(void)state;
	assert_int_equal(date_parse("2024-02-29", &d), ERR_OK);
	assert_date(d, 2024, 2, 29);
	assert_int_equal(date_parse("2000-02-29", &d), ERR_OK);
	assert_date(d, 2000, 2, 29);
	assert_int_equal(date_parse("2026-12-31", &d), ERR_OK);
	assert_date(d, 2026, 12, 31);
	assert_int_equal(date_parse("1900-01-01", &d), ERR_OK);
	assert_date(d, 1900, 1, 1);
	assert_int_equal(date_parse("2199-12-31", &d), ERR_OK);
	assert_date(d, 2199, 12, 31);

	d = (date){1, 1, 1};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (date_parse(bad[i], &d) != ERR_INVALID)
			fail_msg("date \"%s\" was accepted", bad[i]);
	assert_date(d, 1, 1, 1);
}

static void date_format_and_days_in_month(void **state)
{
	char buf[11];

	(void)state;
	date_format((date){2026, 3, 7}, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-07");
	assert_int_equal(date_days_in_month(2026, 1), 31);
	assert_int_equal(date_days_in_month(2026, 2), 28);
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2000, 2), 29);
	assert_int_equal(date_days_in_month(2100, 2), 28);
	assert_int_equal(date_days_in_month(2026, 4), 30);
	assert_int_equal(date_days_in_month(2026, 12), 31);
	assert_int_equal(date_days_in_month(2026, 0), 0);
	assert_int_equal(date_days_in_month(2026, 13), 0);
}

/* Known day numbers (from Python's datetime.date.toordinal() - 719163). */
static void days_known(void **state)
{
	(void)state;
	assert_int_equal(date_to_days((date){1970, 1, 1}), 0);
	assert_int_equal(date_to_days((date){1969, 12, 31}), -1);
	assert_int_equal(date_to_days((date){2000, 3, 1}), 11017);
	assert_int_equal(date_to_days((date){2024, 2, 29}), 19782);
	assert_int_equal(date_to_days((date){2026, 12, 1}), 20788);
	assert_int_equal(date_to_days((date){1900, 1, 1}), -25567);
	assert_int_equal(date_to_days((date){2199, 12, 31}), 84005);
	assert_int_equal(date_to_days((date){1, 1, 1}), -719162);
	assert_int_equal(date_to_days((date){9999, 12, 31}), 2932896);
	assert_date(date_from_days(0), 1970, 1, 1);
	assert_date(date_from_days(-1), 1969, 12, 31);
	assert_date(date_from_days(19782), 2024, 2, 29);
	assert_date(date_from_days(-719162), 1, 1, 1);
	assert_date(date_from_days(2932896), 9999, 12, 31);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Walk a calendar day by day with the Gregorian rules written out here,
 * independently of the module, from 1600-01-01 to 2400-12-31.
 */
static void days_walk(void **state)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	date d = {1600, 1, 1};
	int64_t z = date_to_days(d);

	(void)state;
	assert_int_equal(z, -135140);
	while (d.year <= 2400) {
		date back = date_from_days(z);

		if (date_to_days(d) != z || back.year != d.year || back.month != d.month ||
		    back.day != d.day)
			fail_msg("%04d-%02d-%02d is not day %lld", d.year, d.month, d.day,
			         (long long)z);
		z++;
		if (++d.day > mdays[d.month - 1] + (d.month == 2 && leap(d.year))) {
			d.day = 1;
			if (++d.month > 12) {
				d.month = 1;
				d.year++;
			}
		}
	}
}

/* Round trips over a wide range: every day of +-1,000,000, then sparse. */
static void days_round_trip(void **state)
{
	(void)state;
	for (int64_t z = -1000000; z <= 1000000; z++)
		if (date_to_days(date_from_days(z)) != z)
			fail_msg("day %lld does not round-trip", (long long)z);
	for (int64_t z = -100000000000; z <= 100000000000; z += 99999989) {
		date d = date_from_days(z);

		if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31 || date_to_days(d) != z)
			fail_msg("day %lld does not round-trip", (long long)z);
	}
}

static void zones(void **state)
{
	const tzone *z;

	(void)state;
	z = tzone_find("Asia/Jakarta");
	assert_non_null(z);
	assert_string_equal(z->abbr, "WIB");
	assert_int_equal(z->offset, 7 * HOUR);
	assert_ptr_equal(tzone_find("WIB"), z);
	z = tzone_find("Asia/Makassar");
	assert_non_null(z);
	assert_string_equal(z->abbr, "WITA");
	assert_int_equal(z->offset, 8 * HOUR);
	assert_ptr_equal(tzone_find("WITA"), z);
	z = tzone_find("Asia/Jayapura");
	assert_non_null(z);
	assert_string_equal(z->abbr, "WIT");
	assert_int_equal(z->offset, 9 * HOUR);
	assert_ptr_equal(tzone_find("WIT"), z);
	assert_null(tzone_find("UTC"));
	assert_null(tzone_find("Asia/Bangkok"));
	assert_null(tzone_find("wib"));
	assert_null(tzone_find("WI"));
	assert_null(tzone_find(""));
	assert_null(tzone_find(NULL));
}

static void window_2026_12(void **state)
{
	const tzone *wib = tzone_find("WIB"), *wita = tzone_find("WITA"), *wit = tzone_find("WIT");
	period p = {2026, 12};
	int64_t from, until, from2, until2;

	(void)state;
	period_window(p, 3, wib, &from, &until);
	assert_int_equal(from, DEC_2026_WIB);
	assert_int_equal(until, JAN_4_2027_WIB);
	assert_int_equal(until - from, (31 + 3) * DAY);
	assert_int_equal(from, date_start((date){2026, 12, 1}, wib));
	assert_int_equal(until, date_start((date){2027, 1, 4}, wib));

	/* Further east, local midnight comes an hour earlier per zone. */
	period_window(p, 3, wita, &from2, &until2);
	assert_int_equal(from2, DEC_2026_WIB - HOUR);
	assert_int_equal(until2, JAN_4_2027_WIB - HOUR);
	period_window(p, 3, wit, &from2, &until2);
	assert_int_equal(from2, DEC_2026_WIB - 2 * HOUR);
	assert_int_equal(until2, JAN_4_2027_WIB - 2 * HOUR);

	/* Without grace the window ends where the next period's begins. */
	period_window(p, 0, wib, &from, &until);
	period_window((period){2027, 1}, 0, wib, &from2, &until2);
	assert_int_equal(until, from2);
	assert_int_equal(until - from, 31 * DAY);
}

static void window_lengths(void **state)
{
	const tzone *wib = tzone_find("Asia/Jakarta");
	int64_t from, until;

	(void)state;
	period_window((period){2026, 2}, 0, wib, &from, &until);
	assert_int_equal(until - from, 28 * DAY);
	period_window((period){2024, 2}, 0, wib, &from, &until);
	assert_int_equal(until - from, 29 * DAY);
	period_window((period){2026, 4}, 366, wib, &from, &until);
	assert_int_equal(until - from, (30 + 366) * DAY);
	/* Every window starts at a local midnight: 17:00 UTC for WIB. */
	for (period p = {2000, 1}; p.year < 2100; p = period_next(p)) {
		period_window(p, 0, wib, &from, &until);
		assert_int_equal((from + 7 * HOUR) % DAY, 0);
		assert_int_equal(until - from, date_days_in_month(p.year, p.month) * DAY);
	}
}

static void date_at_midnight(void **state)
{
	static const tzone utc = {"UTC", "UTC", 0};
	const tzone *wib = tzone_find("WIB"), *wita = tzone_find("WITA"), *wit = tzone_find("WIT");

	(void)state;
	assert_int_equal(date_start((date){2026, 12, 1}, wib), DEC_2026_WIB);
	assert_date(date_at(DEC_2026_WIB, wib), 2026, 12, 1);
	assert_date(date_at(DEC_2026_WIB - 1, wib), 2026, 11, 30);
	assert_date(date_at(DEC_2026_WIB + DAY - 1, wib), 2026, 12, 1);
	assert_date(date_at(DEC_2026_WIB + DAY, wib), 2026, 12, 2);
	/* The same instant is 01:00 in WITA and 02:00 in WIT. */
	assert_date(date_at(DEC_2026_WIB, wita), 2026, 12, 1);
	assert_date(date_at(DEC_2026_WIB - HOUR, wita), 2026, 12, 1);
	assert_date(date_at(DEC_2026_WIB - HOUR - 1, wita), 2026, 11, 30);
	assert_date(date_at(DEC_2026_WIB - 2 * HOUR, wit), 2026, 12, 1);
	assert_date(date_at(DEC_2026_WIB - 2 * HOUR - 1, wit), 2026, 11, 30);
	/* 17:00 UTC on 30 November is still the 30th there. */
	assert_date(date_at(DEC_2026_WIB, &utc), 2026, 11, 30);
	/* Before 1970 the day is found by rounding down, not towards zero. */
	assert_date(date_at(-1, wib), 1970, 1, 1);
	assert_date(date_at(-7 * HOUR, wib), 1970, 1, 1);
	assert_date(date_at(-7 * HOUR - 1, wib), 1969, 12, 31);
	assert_date(date_at(-7 * HOUR - DAY, wib), 1969, 12, 31);
	assert_date(date_at(-7 * HOUR - DAY - 1, wib), 1969, 12, 30);
	/* date_start and date_at agree for every day of a few years. */
	for (int64_t z = date_to_days((date){2023, 1, 1}); z < date_to_days((date){2031, 1, 1});
	     z++) {
		date d = date_from_days(z);
		int64_t t = date_start(d, wit);
		date a = date_at(t, wit), b = date_at(t - 1, wit);

		assert_int_equal(date_to_days(a), z);
		assert_int_equal(date_to_days(b), z - 1);
	}
}

static void indonesian_names(void **state)
{
	static const char *const names[12] = {
	    "Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
	    "Juli",    "Agustus",  "September", "Oktober", "November", "Desember",
	};
	char buf[24];

	(void)state;
	for (int m = 1; m <= 12; m++)
		assert_string_equal(month_name_id(m), names[m - 1]);
	assert_string_equal(month_name_id(0), "?");
	assert_string_equal(month_name_id(13), "?");
	assert_int_equal(date_format_id((date){2026, 12, 1}, buf, sizeof buf), 15);
	assert_string_equal(buf, "1 Desember 2026");
	assert_int_equal(date_format_id((date){1945, 8, 17}, buf, sizeof buf), 15);
	assert_string_equal(buf, "17 Agustus 1945");
	assert_int_equal(date_format_id((date){2026, 9, 30}, buf, sizeof buf), 17);
	assert_string_equal(buf, "30 September 2026");
	/* A short buffer is cut, the full length still returned. */
	assert_int_equal(date_format_id((date){2026, 12, 1}, buf, 6), 15);
	assert_string_equal(buf, "1 Des");
}

/* An instant as text: 1970..9999, else "?" and nothing computed on the
 * way (fuzz_jentry found INT64_MIN overflowing there, under UBSan). */
static void instant_range(void **state)
{
	char out[INSTANT_LEN + 1];

	(void)state;
	assert_int_equal(instant_format(0, out), INSTANT_LEN);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	assert_int_equal(instant_format(INSTANT_LAST, out), INSTANT_LEN);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	assert_int_equal(instant_format(INSTANT_LAST + 1, out), 1);
	assert_string_equal(out, "?");
	assert_int_equal(instant_format(-1, out), 1);
	assert_int_equal(instant_format(INT64_MIN, out), 1);
	assert_int_equal(instant_format(INT64_MAX, out), 1);
	assert_string_equal(out, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(instant_range),
	    cmocka_unit_test(period_parse_strict),
	    cmocka_unit_test(period_format_next_prev),
	    cmocka_unit_test(date_parse_strict),
	    cmocka_unit_test(date_format_and_days_in_month),
	    cmocka_unit_test(days_known),
	    cmocka_unit_test(days_walk),
	    cmocka_unit_test(days_round_trip),
	    cmocka_unit_test(zones),
	    cmocka_unit_test(window_2026_12),
	    cmocka_unit_test(window_lengths),
	    cmocka_unit_test(date_at_midnight),
	    cmocka_unit_test(indonesian_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
