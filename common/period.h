/*
 * period: YYYY-MM periods, YYYY-MM-DD dates, and instants computed in the
 * scheme's time zone. Indonesia has three zones with fixed offsets and no
 * daylight saving: Asia/Jakarta (WIB, +07), Asia/Makassar (WITA, +08),
 * Asia/Jayapura (WIT, +09). No libc time zone database is consulted.
 *
 * Days are counted from 1970-01-01 (day 0) in the proleptic Gregorian
 * calendar; instants are Unix seconds (UTC).
 */
#ifndef PERIOD_H
#define PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct period {
	int year;  /* 2000..2099 */
	int month; /* 1..12 */
} period;

typedef struct date {
	int year, month, day;
} date;

/* A known zone: its IANA name, abbreviation and offset east of UTC. */
typedef struct tzone {
	const char *name; /* "Asia/Jakarta" */
	const char *abbr; /* "WIB" */
	int offset;       /* seconds east of UTC: 25200 */
} tzone;

/* Strict "YYYY-MM", year 2000..2099, month 01..12; ERR_INVALID otherwise. */
err period_parse(const char *s, period *out);

/* "YYYY-MM" into buf (at least 8 bytes). */
void period_format(period p, char *buf, size_t n);

/* The period after / before p (December 2099 is followed by 2100-01). */
period period_next(period p);
period period_prev(period p);

/* Strict "YYYY-MM-DD", a real calendar date, year 1900..2199; ERR_INVALID. */
err date_parse(const char *s, date *out);

/* "YYYY-MM-DD" into buf (at least 11 bytes). */
void date_format(date d, char *buf, size_t n);

/* Days since 1970-01-01 for d, and back (for days within +-10^11). */
int64_t date_to_days(date d);
date date_from_days(int64_t days);

/* Days in month m of year y. */
int date_days_in_month(int y, int m);

/* Look up a zone by IANA name or abbreviation ("Asia/Jakarta" or "WIB");
 * NULL if not one of the three. */
const tzone *tzone_find(const char *name);

/* Unix instant of local midnight starting date d in zone tz. */
int64_t date_start(date d, const tzone *tz);

/* The local date of instant t in zone tz. */
date date_at(int64_t t, const tzone *tz);

/*
 * Validity window of a period: from local midnight of its first day to
 * local midnight after the last day plus grace_days (0..366), half-open
 * [*from, *until).
 */
void period_window(period p, int grace_days, const tzone *tz, int64_t *from, int64_t *until);

/* "1 Desember 2026" into buf (at least 24 bytes); returns the length, as
 * snprintf does. */
size_t date_format_id(date d, char *buf, size_t n);

/*
 * An instant as UTC text, "YYYY-MM-DDTHH:MM:SSZ" (INSTANT_LEN characters),
 * as journals, receipts and revocation lists write it. instant_format writes
 * "?" for an instant before 1970 or after 9999; it returns the length.
 * instant_parse takes exactly that form of a real instant in 1970..9999 (no
 * 31 February, no 60th second), n characters of s with no NUL needed.
 */
#define INSTANT_LEN  20
#define INSTANT_LAST ((int64_t)253402300799) /* 9999-12-31T23:59:59Z */
size_t instant_format(int64_t t, char out[INSTANT_LEN + 1]);
bool instant_parse(const char *s, size_t n, int64_t *out);

/* Indonesian month name, "Januari".."Desember" for m in 1..12, else "?". */
const char *month_name_id(int m);

#endif
