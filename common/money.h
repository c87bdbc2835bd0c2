/*
 * money: whole rupiah in int64_t, with overflow-checked arithmetic and
 * Indonesian formatting ("Rp50.000", thousands separated by dots).
 */
#ifndef MONEY_H
#define MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* a + b, a - b, a * b into *out; false (and *out untouched) on overflow. */
bool money_add(int64_t a, int64_t b, int64_t *out);
bool money_sub(int64_t a, int64_t b, int64_t *out);
bool money_mul(int64_t a, int64_t b, int64_t *out);

/*
 * Parse a non-negative whole-rupiah amount as people type it: "50000",
 * "50.000", "Rp50.000", "Rp 50.000", "5.000.000,00" (an Indonesian decimal
 * comma with a zero fraction of one or two digits), surrounding spaces
 * allowed. Dots must group thousands correctly when used. A non-zero
 * fraction, a sign, a leading zero ("050.000"), anything else, or a value
 * above INT64_MAX is refused: ERR_INVALID or ERR_OVERFLOW (*out untouched).
 */
err money_parse(const char *s, int64_t *out);

/*
 * Strict form for contracts (JSON, INI, CLI): ASCII digits only, no
 * leading '+', no leading zeros except "0"; ERR_INVALID / ERR_OVERFLOW.
 */
err money_parse_plain(const char *s, int64_t *out);

/*
 * Write "Rp50.000" (negative: "-Rp50.000") into buf, NUL-terminated.
 * Returns the length; buf of 32 bytes always suffices (MONEY_FMT_MAX).
 * A smaller buf gets the text cut short, as snprintf does, and the full
 * length is still returned.
 */
#define MONEY_FMT_MAX 32
size_t money_format(int64_t v, char *buf, size_t n);

/* The same without "Rp", for counts: "1.234" (Indonesian grouping). */
size_t money_format_number(int64_t v, char *buf, size_t n);

/*
 * Percentage given in basis points (1% = 100) of base, rounded half up to
 * whole rupiah: money_percent(3750000, 250) = 93750. base >= 0,
 * 0 <= bp <= 1000000; ERR_INVALID / ERR_OVERFLOW otherwise.
 */
err money_percent(int64_t base, int64_t bp, int64_t *out);

/*
 * Parse a percentage such as "2", "2.5", "2,5", "0.25" into basis points
 * (at most two decimals, 0..10000; no sign, leading zero, space or '%').
 * ERR_INVALID otherwise.
 */
err money_parse_percent(const char *s, int64_t *bp);

#endif
