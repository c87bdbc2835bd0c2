/*
 * roster: the HR office's list of ASN for a month, read from a CSV file.
 *
 * The file has a header row naming the columns nip, name, opd and class,
 * and optionally tpp and status, in any order (names matched without regard
 * to case or surrounding blanks; other columns are ignored). The delimiter is
 * ',' or ';', whichever the header line holds more of outside quotes
 * (Indonesian Excel writes ';'). UTF-8 with or without a BOM, CRLF, LF or CR
 * line ends, RFC 4180 quoting (parsed by libcsv). Every field is trimmed of
 * surrounding blanks.
 *
 * Rows: a row whose fields are all empty (a blank line, or ";;;;" as
 * spreadsheets write for an empty row) is ignored. With a status column,
 * only rows whose status is "aktif" (any case) are checked and kept; every
 * other status, an empty cell included, is skipped and counted per status.
 * A kept row has a plausible NIP (nip_check) not seen on an earlier checked
 * row (good or bad), a name, an OPD and a class, all valid UTF-8 without control
 * characters, and an empty or valid TPP (money_parse). Runs of blanks and
 * line breaks inside a name or OPD become one space; the class is
 * normalised with roster_class_normalize.
 *
 * Every rejected row gives one problem "FILE:LINE: what is wrong" (all that
 * is wrong with the row, joined by "; "), LINE being the physical line on
 * which the record starts, the header's being 1. The NIP and name are never
 * quoted in a problem: the line number locates the row.
 *
 * A row with another number of fields than the header is a bad row; its
 * problem says so, and where a quoted field ran over several lines (a closing
 * quote missing). A skipped row is not checked further; a duplicate NIP
 * refuses the later row and keeps the earlier one.
 *
 * A file-level problem makes the whole file refused: unreadable, empty,
 * UTF-16, a required column missing or repeated, more than ROSTER_MAX_COLS
 * columns, more than ROSTER_MAX_ROWS rows, a field longer than
 * ROSTER_FIELD_MAX bytes.
 */
#ifndef ROSTER_H
#define ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "nip.h"
#include "roster_problems.h"

#define ROSTER_MAX_ROWS  1000000 /* data rows, blank ones not counted */
#define ROSTER_FIELD_MAX 1024    /* bytes of one field, before trimming */
#define ROSTER_MAX_COLS  256     /* columns of the header */

/* One ASN to issue to. The strings belong to the roster that holds the row. */
typedef struct roster_row {
	unsigned long line;     /* physical line where the record starts; header = 1 */
	char nip[NIP_LEN + 1];  /* 18 digits, passed nip_check */
	nip_kind kind;          /* PNS or PPPK, from the NIP */
	const char *name;       /* non-empty, UTF-8, blanks collapsed */
	const char *opd;        /* non-empty, UTF-8, blanks collapsed */
	const char *class_name; /* non-empty, normalised: "eselon_iv" */
	int64_t tpp;            /* whole rupiah; -1 without a tpp column or with an empty cell */
} roster_row;

/* The kept rows of one file, in file order. Opaque; roster_free releases it. */
typedef struct roster roster;

/*
 * Read the roster CSV at path; this_year is the current year, for nip_check.
 *
 * *problems is always set to a new list (free it with roster_problems_free)
 * unless memory for the list itself ran out (then NULL and ERR_NOMEM).
 * Returns:
 *   ERR_OK       *out is a new roster (free it with roster_free) of the
 *                good rows; every bad row is in *problems. The caller
 *                decides whether any problem stops the run.
 *   ERR_INVALID  the file is refused (see above); *out is NULL and the
 *                reason is the last entry of *problems.
 *   ERR_IO       the file cannot be opened or read; *out is NULL, the
 *                reason is in *problems.
 *   ERR_NOMEM    *out is NULL.
 * Neither path nor this_year is kept; the roster holds its own copy of path.
 */
err roster_load(const char *path, int this_year, roster **out, roster_problems **problems);

/* Release r and every string of its rows. NULL is allowed. */
void roster_free(roster *r);

/* The path r was read from (its own copy). */
const char *roster_path(const roster *r);

/* Number of kept rows, and row i (0-based) of them; NULL when i is out of
 * range. The row lives as long as r. */
size_t roster_count(const roster *r);
const roster_row *roster_at(const roster *r, size_t i);

/* Rows skipped for their status, in total. */
size_t roster_skipped(const roster *r);

/*
 * The skipped rows per status: roster_statuses gives the number of distinct
 * statuses, roster_status_at the i-th one (lower-cased and trimmed; "" for
 * an empty cell, "(unreadable)" for one that is not valid UTF-8 or
 * holds control characters) and its row count in
 * *rows. Statuses appear in order of first occurrence; after 64 distinct
 * ones, the rest are counted under "(other)". NULL when i is out of range.
 */
size_t roster_statuses(const roster *r);
const char *roster_status_at(const roster *r, size_t i, size_t *rows);

/*
 * Normalise a class name in place, as both the roster and the policy do:
 * surrounding blanks removed, ASCII letters lower-cased, every run of
 * blanks, '-' and '_' turned into one '_'. "Eselon IV" and " eselon-iv "
 * both become "eselon_iv".
 */
void roster_class_normalize(char *s);

#endif
