/*
 * csvread: a CSV file people edit in a spreadsheet (the HR roster, the
 * merchants file), read record by record, each with the line it starts on.
 *
 * The rules every such file follows: a header row names the columns, in any
 * order (names matched without regard to case or surrounding blanks; other
 * columns are ignored). The delimiter is ',' or ';', whichever the first
 * non-blank line holds more of outside quotes (Indonesian Excel writes ';').
 * UTF-8 with or without a BOM, CRLF, LF or CR line ends, RFC 4180 quoting
 * (parsed by libcsv). Every field is trimmed of blanks and no-break spaces.
 * A row whose fields are all empty (a blank line, or ";;;;" as spreadsheets
 * write an empty row) is ignored.
 *
 * A row's LINE is the physical line on which its record starts, the
 * header's being 1, however many lines its quoted fields run over.
 *
 * A row with another number of fields than the header is a problem of that
 * row (it says where a quoted field ran on to: a closing quote missing); the
 * caller never sees it. Every other row goes to the caller's row function,
 * which checks it, notes what is wrong (csvread_note), and keeps it or not;
 * the notes of a row become one problem "FILE:LINE: note; note".
 *
 * A file-level problem refuses the whole file and stops the read: cannot
 * be read, empty, UTF-16, a required column missing or a column named twice,
 * more than CSVREAD_MAX_COLS columns, more than the spec's max_rows rows, a
 * field longer than CSVREAD_FIELD_MAX bytes.
 *
 * No problem quotes a field: the line locates the row, and a field may
 * hold personal data (a NIP, a name, an account number).
 */
#ifndef CSVREAD_H
#define CSVREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "roster_problems.h"

#define CSVREAD_FIELD_MAX  1024 /* bytes of one field, before trimming */
#define CSVREAD_MAX_COLS   256  /* columns of the header */
#define CSVREAD_MAX_WANTED 16   /* columns a spec may name */

/* A read in progress, as the row function sees it. Opaque. */
typedef struct csvread csvread;

/* A column the caller wants, by its header name (lower case). */
typedef struct csvread_column {
	const char *name;
	bool required; /* a header without it refuses the file */
} csvread_column;

/*
 * Called for each data row that has as many fields as the header. It reads
 * the fields (csvread_field, csvread_text), notes what is wrong with the row
 * (csvread_note) and keeps it or not. ERR_OK goes on to the next row; any
 * other value (ERR_NOMEM) stops the read, and csvread_file returns it.
 */
typedef err csvread_row_fn(csvread *cr, unsigned long line, void *arg);

/* What a file holds and who takes its rows. */
typedef struct csvread_spec {
	const csvread_column *columns; /* the columns wanted; column i is read as i */
	size_t ncolumns;               /* 1..CSVREAD_MAX_WANTED */
	size_t max_rows;               /* data rows, blank ones not counted */
	const char *too_many;          /* advice after "more than N rows", or NULL */
	csvread_row_fn *row;
	void *arg; /* handed to row */
} csvread_spec;

/*
 * Read the CSV file at path, handing each data row to spec->row; every
 * problem goes into pr (which must not be NULL).
 * Returns:
 *   ERR_OK       read to the end; rows' problems, if any, are in pr.
 *   ERR_INVALID  the file is refused (see above); the reason is the last
 *                entry of pr.
 *   ERR_IO       the file cannot be opened or read; the reason is in pr.
 *   ERR_NOMEM    out of memory (a problem may be missing from pr).
 *   ERR_INTERNAL spec->ncolumns is 0 or more than CSVREAD_MAX_WANTED.
 *   whatever spec->row returned other than ERR_OK.
 * Neither path nor spec is kept.
 */
err csvread_file(const char *path, const csvread_spec *spec, roster_problems *pr);

/*
 * In the row function: the trimmed field of wanted column col (an index
 * into spec->columns), NUL-terminated, and its length in *len (may be
 * NULL). A field may hold a NUL byte: strlen shorter than *len. "" (length
 * 0) when the header has no such column. The text may be changed in place
 * and lives until the row function returns.
 */
char *csvread_field(csvread *cr, size_t col, size_t *len);

/* In the row function: true if the header names wanted column col. */
bool csvread_has(const csvread *cr, size_t col);

/*
 * In the row function: the field of column col as text for people (a
 * name): present, valid UTF-8, no control character, every run of blanks
 * and line breaks made one space. NULL, with a note "missing WHAT", "WHAT
 * is not valid UTF-8 ..." or "WHAT contains a control character", when it
 * is not.
 */
char *csvread_text(csvread *cr, size_t col, const char *what);

/*
 * In the row function: note one thing wrong with the row (printf-style;
 * never quote a field). A row's notes are joined by "; " into one problem
 * at its line once the row function returns; past about 1 KiB, the rest
 * are dropped.
 */
void csvread_note(csvread *cr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* In the row function: true if something was noted about this row. */
bool csvread_noted(const csvread *cr);

/* Trim blanks (space, tab, line breaks, VT, FF) and no-break spaces
 * (U+00A0, as pasted from documents) from both ends of s[0..*n). */
void csvread_trim(const char **s, size_t *n);

#endif
