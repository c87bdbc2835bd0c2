/*
 * money: whole rupiah in int64_t.
 *
 * The parsers read digits into an unsigned 64-bit value that stops growing
 * once above INT64_MAX, so a long run of digits is still checked for syntax
 * to its end, and only then reported as ERR_OVERFLOW rather than ERR_INVALID.
 */
#include <stdio.h>
#include <string.h>

#include "money.h"

#define AMOUNT_MAX ((uint64_t)INT64_MAX)

bool money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* *v = *v * 10 + digit c; once above AMOUNT_MAX, *v stays where it is. */
static void push_digit(uint64_t *v, char c)
{
	if (*v > AMOUNT_MAX)
		return;
	*v = *v * 10 + (uint64_t)(c - '0');
}

/*
 * Read n digits from *p into *v; false if fewer than n digits are there.
 * The caller has checked that a longer run stops where it should.
 */
static bool take_digits(const char **p, size_t n, uint64_t *v)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		push_digit(v, (*p)[i]);
	}
	*p += n;
	return true;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static err finish(uint64_t v, int64_t *out)
{
	if (v > AMOUNT_MAX)
		return ERR_OVERFLOW;
	*out = (int64_t)v;
	return ERR_OK;
}

/*
 * The number is either a plain run of digits or groups of three after a
 * first group of one to three digits, "5.000.000". Neither may start with
 * a zero unless it is the number 0: "050.000" is more likely a typo or a
 * code than an amount. A fraction is a comma and one or two zeros (sen);
 * three digits after a comma are refused as "50,000" is ambiguous.
 */
err money_parse(const char *s, int64_t *out)
{
	const char *p = skip_spaces(s);
	size_t run = 0;
	uint64_t v = 0;

	if (strncmp(p, "Rp", 2) == 0)
		p = skip_spaces(p + 2);
	while (is_digit(p[run]))
		run++;
	if (run == 0 || (p[0] == '0' && (run > 1 || p[1] == '.')))
		return ERR_INVALID; /* "", "050000", "0.050" */
	if (p[run] == '.' && run > 3)
		return ERR_INVALID; /* "5000.000" */
	take_digits(&p, run, &v);
	while (*p == '.') {
		p++;
		if (!take_digits(&p, 3, &v) || is_digit(*p))
			return ERR_INVALID;
	}
	if (*p == ',') {
		size_t zeros = strspn(p + 1, "0");

		if (zeros < 1 || zeros > 2 || is_digit(p[1 + zeros]))
			return ERR_INVALID;
		p += 1 + zeros;
	}
	if (*skip_spaces(p) != '\0')
		return ERR_INVALID;
	return finish(v, out);
}

err money_parse_plain(const char *s, int64_t *out)
{
	size_t run = strspn(s, "0123456789");
	uint64_t v = 0;

	if (run == 0 || s[run] != '\0' || (s[0] == '0' && run > 1))
		return ERR_INVALID;
	take_digits(&s, run, &v);
	return finish(v, out);
}

/* v as text with thousands grouped by dots, after prefix when v >= 0 and
 * "-" + prefix when below: the rest as money_format says. */
static size_t format_grouped(int64_t v, const char *prefix, char *buf, size_t n)
{
	char digits[24], text[MONEY_FMT_MAX];
	/* The magnitude in unsigned arithmetic, so INT64_MIN has one too. */
	uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t nd = 0, len = 0;

	do {
		digits[nd++] = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0);
	if (v < 0)
		text[len++] = '-';
	while (*prefix)
		text[len++] = *prefix++;
	while (nd > 0) {
		text[len++] = digits[--nd];
		if (nd > 0 && nd % 3 == 0)
			text[len++] = '.';
	}
	text[len] = '\0';
	if (n > 0)
		snprintf(buf, n, "%s", text);
	return len;
}

size_t money_format(int64_t v, char *buf, size_t n)
{
	return format_grouped(v, "Rp", buf, n);
}

size_t money_format_number(int64_t v, char *buf, size_t n)
{
	return format_grouped(v, "", buf, n);
}

/*
 * base * bp / 10000 without the product overflowing on the way: with
 * base = q * 10000 + r it is q * bp + r * bp / 10000, where q * bp is
 * exact and only the second term needs rounding (r * bp < 10^10).
 */
err money_percent(int64_t base, int64_t bp, int64_t *out)
{
	int64_t q = base / 10000, r = base % 10000, whole;

	if (base < 0 || bp < 0 || bp > 1000000)
		return ERR_INVALID;
	if (!money_mul(q, bp, &whole) || !money_add(whole, (r * bp + 5000) / 10000, out))
		return ERR_OVERFLOW;
	return ERR_OK;
}

/* At most 100 before the separator, so the value never grows large. */
err money_parse_percent(const char *s, int64_t *bp)
{
	const char *p = s;
	int64_t whole = 0, frac = 0;
	int nfrac = 0;

	if (!is_digit(*p) || (p[0] == '0' && is_digit(p[1])))
		return ERR_INVALID;
	while (is_digit(*p)) {
		whole = whole * 10 + (*p++ - '0');
		if (whole > 100)
			return ERR_INVALID;
	}
	if (*p == '.' || *p == ',') {
		p++;
		while (is_digit(*p) && nfrac < 2) {
			frac = frac * 10 + (*p++ - '0');
			nfrac++;
		}
		if (nfrac == 0)
			return ERR_INVALID;
		if (nfrac == 1)
			frac *= 10;
	}
	if (*p != '\0' || whole * 100 + frac > 10000)
		return ERR_INVALID;
	*bp = whole * 100 + frac;
	return ERR_OK;
}
