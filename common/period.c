/*
 * period: calendar arithmetic with Howard Hinnant's days_from_civil and
 * civil_from_days (http://howardhinnant.github.io/date_algorithms.html),
 * which count in 400-year eras of 146097 days with years starting on
 * 1 March, so that the leap day is the last day of a year.
 */
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "period.h"

#define DAY_SECONDS 86400

static const tzone zones[] = {
    {"Asia/Jakarta", "WIB", 7 * 3600},
    {"Asia/Makassar", "WITA", 8 * 3600},
    {"Asia/Jayapura", "WIT", 9 * 3600},
};

static const char *const months_id[12] = {
    "Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
    "Juli",    "Agustus",  "September", "Oktober", "November", "Desember",
};

err period_parse(const char *s, period *out)
{
	int y, m;

	if (strlen(s) != 7 || s[4] != '-')
		return ERR_INVALID;
	y = dec_digits(s, 4);
	m = dec_digits(s + 5, 2);
	if (y < 2000 || y > 2099 || m < 1 || m > 12)
		return ERR_INVALID;
	out->year = y;
	out->month = m;
	return ERR_OK;
}

void period_format(period p, char *buf, size_t n)
{
	snprintf(buf, n, "%04d-%02d", p.year, p.month);
}

period period_next(period p)
{
	if (p.month == 12)
		return (period){p.year + 1, 1};
	return (period){p.year, p.month + 1};
}

period period_prev(period p)
{
	if (p.month == 1)
		return (period){p.year - 1, 12};
	return (period){p.year, p.month - 1};
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return m == 2 ? 28 + leap : days[m - 1];
}

err date_parse(const char *s, date *out)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return ERR_INVALID;
	y = dec_digits(s, 4);
	m = dec_digits(s + 5, 2);
	d = dec_digits(s + 8, 2);
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
		return ERR_INVALID;
	*out = (date){y, m, d};
	return ERR_OK;
}

void date_format(date d, char *buf, size_t n)
{
	snprintf(buf, n, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* days_from_civil. */
int64_t date_to_days(date d)
{
	int64_t y = (int64_t)d.year - (d.month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                          /* [0, 399] */
	int64_t mp = d.month > 2 ? d.month - 3 : d.month + 9; /* [0, 11], March is 0 */
	int64_t doy = (153 * mp + 2) / 5 + d.day - 1;         /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */

	return era * 146097 + doe - 719468;
}

/* civil_from_days. */
date date_from_days(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	return (date){(int)(yoe + era * 400 + (m <= 2)), m, d};
}

const tzone *tzone_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (strcmp(name, zones[i].name) == 0 || strcmp(name, zones[i].abbr) == 0)
			return &zones[i];
	return NULL;
}

int64_t date_start(date d, const tzone *tz)
{
	return date_to_days(d) * DAY_SECONDS - tz->offset;
}

date date_at(int64_t t, const tzone *tz)
{
	int64_t local = t + tz->offset;
	/* Floor division: an instant before 1970 is still in the day it starts. */
	int64_t days = local / DAY_SECONDS - (local % DAY_SECONDS < 0);

	return date_from_days(days);
}

void period_window(period p, int grace_days, const tzone *tz, int64_t *from, int64_t *until)
{
	period next = period_next(p);
	int64_t first = date_to_days((date){p.year, p.month, 1});
	int64_t after = date_to_days((date){next.year, next.month, 1}) + grace_days;

	*from = first * DAY_SECONDS - tz->offset;
	*until = after * DAY_SECONDS - tz->offset;
}

size_t date_format_id(date d, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%d %s %d", d.day, month_name_id(d.month), d.year);

	return len < 0 ? 0 : (size_t)len;
}

const char *month_name_id(int m)
{
	if (m < 1 || m > 12)
		return "?";
	return months_id[m - 1];
}

/* n decimal digits of v into s. */
static void put_digits(char *s, int n, int64_t v)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		s[i] = (char)('0' + v % 10);
}

size_t instant_format(int64_t t, char out[INSTANT_LEN + 1])
{
	int64_t days, s;
	date d;

	if (t < 0 || t > INSTANT_LAST) {
		memcpy(out, "?", 2);
		return 1;
	}
	days = t / DAY_SECONDS;
	s = t - days * DAY_SECONDS;
	d = date_from_days(days);
	memcpy(out, "0000-00-00T00:00:00Z", INSTANT_LEN + 1);
	put_digits(out, 4, d.year);
	put_digits(out + 5, 2, d.month);
	put_digits(out + 8, 2, d.day);
	put_digits(out + 11, 2, s / 3600);
	put_digits(out + 14, 2, s / 60 % 60);
	put_digits(out + 17, 2, s % 60);
	return INSTANT_LEN;
}

bool instant_parse(const char *s, size_t n, int64_t *out)
{
	int y, mo, d, h, mi, se;

	if (n != INSTANT_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return false;
	y = dec_digits(s, 4);
	mo = dec_digits(s + 5, 2);
	d = dec_digits(s + 8, 2);
	h = dec_digits(s + 11, 2);
	mi = dec_digits(s + 14, 2);
	se = dec_digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > date_days_in_month(y, mo) || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
		return false;
	*out = date_to_days((date){y, mo, d}) * DAY_SECONDS + h * 3600 + mi * 60 + se;
	return true;
}
