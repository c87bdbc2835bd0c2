/*
 * policy: the scheme and the amount per class, from the policy INI file.
 *
 *   [scheme]
 *   issuer = PROBOLINGGO        ; required, 1-32 of A-Z a-z 0-9 . _ -
 *   timezone = Asia/Jakarta     ; required: Asia/Jakarta, Asia/Makassar, Asia/Jayapura (or WIB...)
 *   grace_days = 3              ; 0..31, default 0
 *   use = multi                 ; multi | single, default multi
 *   unspent = forfeit           ; forfeit | refund, default forfeit
 *   gallery = DEKRANASDA        ; optional: vouchers redeem only at this gallery
 *   title = Gerakan ASN Belanja Produk UMKM   ; optional, printed on the sheets
 *
 *   [class.pelaksana]           ; one section per class
 *   amount = 50000              ; a fixed amount, 1..4294967295 rupiah
 *
 *   [class.fungsional]
 *   percent_of_tpp = 2          ; or a percentage of the row's TPP ("2.5" or "2,5")
 *   min = 75000                 ; with bounds, both 1..4294967295, min <= max
 *   max = 150000
 *
 * Read with inih. A comment starts at ';' or '#' at the start of a line or
 * after a blank, anywhere on the line (so a value cannot hold " ;" or " #").
 * Indented lines are ordinary lines (no continuation lines). A value may be
 * wrapped in double quotes, which are removed. Keys and the words of use and
 * unspent are matched without regard to case. Class names are normalised as
 * the roster's are (roster_class_normalize): [class.Eselon IV] is class
 * "eselon_iv".
 *
 * Refused, with "FILE:LINE: what is wrong": an unknown section, a section
 * given twice, a key outside a section, an unknown key, a key given twice, a
 * bad value, a class with both amount and percent_of_tpp, min or max without
 * percent_of_tpp, a line that is not [section] or key = value, a line longer
 * than inih takes. Problems found after reading name the line of their
 * section header: a [scheme] without issuer or timezone (or no [scheme] at
 * all: line 1), a class with neither amount nor percent_of_tpp, a percentage
 * without min or max, no class at all (line 1).
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "period.h"
#include "voucher.h"

#define POLICY_TITLE_MAX     120 /* bytes of UTF-8 */
#define POLICY_DEFAULT_TITLE "Voucher Belanja Produk UMKM"
#define POLICY_AMOUNT_MAX    4294967295LL /* a token carries the face value in 32 bits */
#define POLICY_GRACE_MAX     VOUCHER_GRACE_MAX

typedef enum policy_use {
	POLICY_MULTI = 0, /* spend in several purchases */
	POLICY_SINGLE = 1 /* the first purchase takes all */
} policy_use;

typedef enum policy_unspent {
	POLICY_FORFEIT = 0, /* what is not spent is kept by the region */
	POLICY_REFUND = 1   /* listed for next month's TPP */
} policy_unspent;

/* The [scheme] section. */
typedef struct policy_scheme {
	char issuer[KEY_ID_MAX + 1]; /* region id, key_id_valid */
	const tzone *tz;             /* static, from tzone_find */
	int grace_days;              /* 0..POLICY_GRACE_MAX */
	policy_use use;
	policy_unspent unspent;
	char gallery[KEY_ID_MAX + 1];     /* "" when vouchers redeem at any gallery */
	char title[POLICY_TITLE_MAX + 1]; /* UTF-8, POLICY_DEFAULT_TITLE if not given */
} policy_scheme;

/* One [class.NAME] section: a fixed amount, or a percentage of TPP. */
typedef struct policy_class {
	const char *name;   /* normalised; owned by the policy */
	unsigned long line; /* line of the section header */
	bool percent;       /* true: bp of TPP within [min, max]; false: amount */
	int64_t amount;     /* 1..POLICY_AMOUNT_MAX when !percent, else 0 */
	int64_t bp;         /* basis points (2% = 200), 1..10000, when percent */
	int64_t min, max;   /* 1..POLICY_AMOUNT_MAX, min <= max, when percent */
} policy_class;

/* A loaded policy. Opaque; policy_free releases it. */
typedef struct policy policy;

/*
 * Read the policy INI at path into a new *out (policy_free it).
 * ERR_OK, or *out NULL and:
 *   ERR_IO       path cannot be read ("FILE: reason" in why),
 *   ERR_INVALID  the first problem (by line) as "FILE:LINE: what is wrong";
 *                problems found while reading come before those found
 *                after it (a missing key), which are often their effect,
 *   ERR_TOO_LARGE a file over 1 MiB,
 *   ERR_NOMEM.
 * why (whylen bytes, may be NULL) gets the message on failure.
 */
err policy_load(const char *path, policy **out, char *why, size_t whylen);

/* Release p. NULL is allowed. */
void policy_free(policy *p);

/* The scheme; lives as long as p. */
const policy_scheme *policy_get_scheme(const policy *p);

/* The classes in file order: count, and class i (NULL when out of range). */
size_t policy_class_count(const policy *p);
const policy_class *policy_class_at(const policy *p, size_t i);

/* The class of this name (normalised here with roster_class_normalize, so
 * "Eselon IV" finds [class.eselon_iv]), or NULL if the policy has none. */
const policy_class *policy_class_find(const policy *p, const char *name);

/*
 * The face value of a voucher of class c for a row whose TPP is tpp
 * (whole rupiah, -1 when the row has none): the fixed amount, or bp of tpp
 * rounded half up to whole rupiah and clamped to [min, max] (a TPP so large
 * that the product overflows gives max).
 * ERR_OK with *amount set, or ERR_INVALID when the class is a percentage and
 * tpp < 0, with *why (may be NULL) a static English phrase.
 */
err policy_amount(const policy_class *c, int64_t tpp, int64_t *amount, const char **why);

#endif
