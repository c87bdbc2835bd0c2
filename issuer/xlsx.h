/*
 * xlsx: the workbook conventions of this project (libxlsxwriter), which
 * every workbook the issuer writes (deductions.xlsx, report.xlsx) follows.
 *
 * - A workbook is written to a temporary file beside its path and renamed
 *   over it once complete, so a reader never sees half a workbook; on any
 *   failure nothing is left behind.
 * - Sheets are tables: an optional bold title row, a bold header row that
 *   is frozen, repeated on every printed page and carries an autofilter
 *   over the data; columns sized to their content (bounded); A4, fit to
 *   one page wide, pages numbered in the footer.
 * - Cells are typed: text (NIPs and serials are always text, never a
 *   number Excel would show as 1.98909E+17), rupiah (a number shown as
 *   Rp50.000 in an Indonesian Excel), counts, percentages.
 * - Sheet names are made valid for Excel (xlsx_sheet_name).
 *
 * Rows are written in order, one at a time (libxlsxwriter's constant_memory
 * mode: a big sheet costs a row of memory, not the sheet). Every error of
 * the library is checked here and translated to an err; the first one is
 * kept, makes every later call do nothing, and makes xlsx_close fail.
 * Nothing here logs cell contents (NIPs, names): only paths and the
 * library's error text.
 */
#ifndef XLSX_H
#define XLSX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

typedef struct xlsx xlsx;
typedef struct xlsx_sheet xlsx_sheet;

/* Excel's limit on a sheet name, in UTF-16 code units (what Excel counts),
 * and the bytes of UTF-8 a name of that length can take, with its NUL. */
#define XLSX_SHEET_NAME_MAX  31
#define XLSX_SHEET_NAME_SIZE (XLSX_SHEET_NAME_MAX * 3 + 1)

/* Columns of a sheet, at most. */
#define XLSX_COLS_MAX 32

/*
 * Rupiah: Excel's Indonesian currency ([$Rp-421] is "Rp" of locale 0x0421,
 * id-ID, as Excel itself writes it when one picks Rp in Format Cells), whole
 * rupiah, grouped, the minus before the symbol as money_format writes it.
 * Excel takes the grouping mark from the machine's locale: "Rp50.000" in an
 * Indonesian Excel, "Rp50,000" in an English one; the cell holds 50000.
 */
#define XLSX_RUPIAH_FORMAT "[$Rp-421]#,##0;-[$Rp-421]#,##0"
#define XLSX_COUNT_FORMAT  "#,##0"
#define XLSX_PCT_FORMAT    "0.0%"
#define XLSX_TEXT_FORMAT   "@"

/*
 * Start a workbook for path: a temporary file beside it is created now
 * with mode (so that no other user can read it meanwhile), path itself is
 * untouched until xlsx_close. ERR_IO if the temporary cannot be created
 * (logged), ERR_NOMEM. *out is freed by xlsx_close or xlsx_discard.
 */
err xlsx_open(const char *path, mode_t mode, xlsx **out);

/*
 * Finish every sheet (autofilter, column widths, orientation), write the
 * workbook, sync it and rename it over the path given to xlsx_open, then
 * sync the directory. Frees x (NULL: ERR_INTERNAL). Returns the first error
 * of any earlier call, or of writing: then the temporary is removed and
 * path is untouched. ERR_IO, ERR_NOMEM, ERR_TOO_LARGE (a cell or a sheet
 * beyond Excel's limits), ERR_INTERNAL (a misuse, logged).
 */
err xlsx_close(xlsx *x);

/* Abandon the workbook: nothing is written, the temporary is removed, x
 * is freed. NULL is ignored. */
void xlsx_discard(xlsx *x);

/* The first error so far (ERR_OK if none). */
err xlsx_error(const xlsx *x);

/*
 * A new sheet at the end of the workbook, named from name (made valid and
 * unique with xlsx_sheet_name), with title (NULL: none) in bold in its first
 * row and the ncols (1..XLSX_COLS_MAX) headers in the row after it. The
 * rows written next are the data. *out belongs to x. ERR_INVALID for a bad
 * ncols, ERR_NOMEM; or the workbook's earlier error.
 */
err xlsx_sheet_add(xlsx *x, const char *name, const char *title, const char *const *headers,
                   int ncols, xlsx_sheet **out);

/* The sheet's name as written (valid for Excel, unique in the workbook). */
const char *xlsx_sheet_title(const xlsx_sheet *s);

/*
 * The next cell of the current row, left to right. A cell past the
 * sheet's ncols is ERR_INTERNAL; text beyond Excel's 32,767 characters is
 * ERR_TOO_LARGE. Errors are kept (xlsx_error) and end the workbook.
 */
void xlsx_text(xlsx_sheet *s, const char *text); /* NULL: an empty cell */
void xlsx_rupiah(xlsx_sheet *s, int64_t rupiah); /* exact up to 2^53 rupiah */
void xlsx_count(xlsx_sheet *s, int64_t n);
void xlsx_percent(xlsx_sheet *s, double fraction); /* 0.125 shows as 12.5% */
void xlsx_blank(xlsx_sheet *s);

/* End the current row; the next cell starts a new one. Returns the
 * workbook's first error so far: ERR_TOO_LARGE once the sheet is full. */
err xlsx_row_end(xlsx_sheet *s);

/* Rows that can still be written on the sheet, the current one included
 * (Excel has 1,048,576): a caller with more to write makes its last row a
 * note that the rest is in the CSV. */
size_t xlsx_rows_left(const xlsx_sheet *s);

/* The data ends here: the rows written after this (totals) are in bold and
 * outside the autofilter, so that sorting the data leaves them last. */
void xlsx_totals(xlsx_sheet *s);

/*
 * Make a valid sheet name from want into out, unique among the ntaken
 * names in taken. Excel's rules: at most 31 UTF-16 units (a character
 * outside the BMP counts 2), none of [ ] : * ? / \, not empty, no
 * apostrophe first or last, not "History" (reserved), unique ignoring
 * case. So: / \ : become '-', [ ] become ( ), * ? become '_', control
 * characters and bytes that are not UTF-8 become ' ' and '_', apostrophes
 * and spaces are trimmed from both ends, the name is cut on a character
 * boundary, an empty one is "Lembar", and a taken one gets " (2)", " (3)"
 * ... within the 31. Case is compared as Excel does for ASCII, Latin-1 and
 * Latin Extended-A (what Indonesian names use), not for other scripts.
 */
void xlsx_sheet_name(const char *want, const char *const *taken, size_t ntaken,
                     char out[XLSX_SHEET_NAME_SIZE]);

#endif
