/*
 * merchants: the merchants file, `voucher-issuer reconcile --merchants
 * FILE.csv`: for each merchant id the journals carry, who is paid and into
 * which bank account (the payee).
 *
 * The CSV rules are the roster's (csvread.h): a header row naming the
 * columns id, name, owner, bank, account_number and account_name, in any
 * order (names matched without regard to case or surrounding blanks; other
 * columns are ignored); ',' or ';' delimited, whichever the header holds
 * more of; UTF-8 with or without a BOM (UTF-16 refused); CRLF, LF or CR line
 * ends; RFC 4180 quoting; every field trimmed; blank rows ignored.
 *
 * A row is one payee:
 *   id              the merchant id as the redeemer registers it
 *                   (`voucher-redeemer terminal add --merchant ID`,
 *                   key_id_valid: 1 to 32 of A-Z a-z 0-9 . _ -) and as the
 *                   journal carries it, compared exactly (case matters);
 *                   no two rows have the same id.
 *   name            the merchant's (shop's) name,
 *   owner           the owner's name,
 *   bank            the bank's name,
 *   account_name    the name the account is held in: each non-empty,
 *                   valid UTF-8 without control characters; every run of
 *                   blanks and line breaks becomes one space.
 *   account_number  digits once the spaces, dots and hyphens people type
 *                   between them are dropped: PAYEE_ACCOUNT_MIN to
 *                   PAYEE_ACCOUNT_MAX of them, kept as text (leading zeros
 *                   count; it is never a number).
 *
 * Unlike the roster, a payee list must be right as a whole: any problem,
 * with a file or with one row, refuses the whole file. Every problem is
 * "FILE:LINE: what is wrong" (all that is wrong with one row joined by
 * "; "), LINE being the line the row starts on, the header's being 1; a
 * repeated id names the line of its first row too. No problem quotes a
 * field: names and account numbers are personal data, the line locates the
 * row. The file-level problems are csvread's, with PAYEES_MAX_ROWS rows at
 * the most.
 */
#ifndef MERCHANTS_H
#define MERCHANTS_H

#include <stddef.h>

#include "err.h"
#include "keyring.h"
#include "roster_problems.h"

#define PAYEES_MAX_ROWS   100000 /* payees in one file, blank rows not counted */
#define PAYEE_ACCOUNT_MIN 5      /* digits of an account number */
#define PAYEE_ACCOUNT_MAX 34     /* the most an IBAN holds; Indonesian banks use 10 to 16 */

/* One merchant to pay. The strings belong to the payees that hold the row. */
typedef struct payee {
	unsigned long line;                         /* where the row starts; header = 1 */
	char id[KEY_ID_MAX + 1];                    /* key_id_valid, unique in the file */
	const char *name;                           /* non-empty, UTF-8, blanks collapsed */
	const char *owner;                          /* likewise */
	const char *bank;                           /* likewise */
	char account_number[PAYEE_ACCOUNT_MAX + 1]; /* 5 to 34 digits, as text */
	const char *account_name;                   /* non-empty, UTF-8, blanks collapsed */
} payee;

/* The payees of one file, in file order, indexed by id. Opaque;
 * payees_free releases it. */
typedef struct payees payees;

/*
 * Read the merchants file at path.
 *
 * *problems is always set to a new list (free it with roster_problems_free)
 * unless memory for the list itself ran out (then NULL and ERR_NOMEM).
 * Returns:
 *   ERR_OK       *out is a new payees (free it with payees_free) holding
 *                every row of the file; *problems is empty.
 *   ERR_INVALID  the file is refused: a file-level problem (the last entry
 *                of *problems) or one or more bad rows (each an entry of
 *                *problems, in file order); *out is NULL.
 *   ERR_IO       the file cannot be opened or read; *out is NULL, the
 *                reason is in *problems.
 *   ERR_NOMEM    *out is NULL.
 * path is not kept.
 */
err payees_load(const char *path, payees **out, roster_problems **problems);

/*
 * The payee of a merchant id (compared exactly, as the journal's merchant
 * column), or NULL if the file has none. O(1): a hash of the ids. The row
 * lives as long as p.
 */
const payee *payees_find(const payees *p, const char *merchant_id);

/* Number of payees, and payee i (0-based, in file order); NULL when i is
 * out of range. The row lives as long as p. */
size_t payees_count(const payees *p);
const payee *payees_at(const payees *p, size_t i);

/* Release p and every string of its rows. NULL is allowed. */
void payees_free(payees *p);

#endif
