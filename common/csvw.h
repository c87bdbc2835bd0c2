/*
 * csvw: CSV output (RFC 4180 quoting, comma-separated, "\n" line ends) that is safe
 * to open in a spreadsheet.
 *
 * A field is quoted when it holds a comma, a quote, a line break or
 * surrounding blanks. A field that a spreadsheet would take for a formula
 * (starting with = + - @, a tab or a carriage return) is defused with a
 * leading apostrophe; numbers go through csvw_num, which never defuses.
 * NIPs and serials are written as text fields, never as numbers.
 */
#ifndef CSVW_H
#define CSVW_H

#include <stdint.h>
#include <stdio.h>

/* One text field; sep is written after it (',' or '\n'). */
void csvw_str(FILE *f, const char *s, char sep);

/* One integer field. */
void csvw_num(FILE *f, int64_t v, char sep);

/* A whole row of n text fields. */
void csvw_row(FILE *f, int n, const char *const *fields);

#endif
