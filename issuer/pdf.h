/*
 * pdf: the A4 documents the issuer prints (voucher sheets, letters to the
 * heads of OPDs), over libharu: DejaVu fonts embedded for UTF-8 text (any
 * Indonesian name), text cut or wrapped to a width, filled rectangles and
 * lines, and the file replaced atomically.
 *
 * Positions are in points (PDF_MM a millimetre) from the page's top left,
 * and a text's y is its baseline. libharu reports errors through a
 * callback: the first is logged and kept, drawing goes on harmlessly, and
 * pdf_save refuses the document. So the drawing calls return nothing.
 */
#ifndef PDF_H
#define PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define PDF_MM   (72.0 / 25.4)
#define PDF_A4_W (210 * PDF_MM)
#define PDF_A4_H (297 * PDF_MM)

typedef struct pdf pdf;

/* The fonts, all from fonts-dejavu-core. */
typedef enum pdf_face {
	PDF_SANS,      /* DejaVu Sans */
	PDF_SANS_BOLD, /* DejaVu Sans Bold */
	PDF_MONO_BOLD, /* DejaVu Sans Mono Bold: the short code */
	PDF_FACES
} pdf_face;

#define PDF_FONT(f) (1u << (f))

/* With the fonts: the text is handed to libharu in Windows-1252, as
 * simple TrueType fonts of 256 glyphs, which cost half a letter's time
 * less to build than UTF-8's CID fonts (a map of 65,536 code points each).
 * Every text drawn must then be pdf_winansi_ok; one that is not prints its
 * missing characters as '?'. */
#define PDF_WINANSI (1u << 15)

/* Whether every character of the UTF-8 text s is in Windows-1252: ASCII,
 * Latin-1, and the likes of "…", "–", "—", "€", "Š", "œ". */
bool pdf_winansi_ok(const char *s);

typedef enum pdf_align { PDF_LEFT, PDF_CENTER, PDF_RIGHT } pdf_align;

/*
 * A new document with no page yet, embedding the fonts of the mask fonts
 * (PDF_FONT(PDF_SANS) | ...; each one embedded costs size and time).
 * ERR_NOMEM; ERR_IO when a font cannot be loaded (logged with the folder
 * where it was looked for). Free it with pdf_free.
 */
err pdf_new(unsigned fonts, pdf **out);
void pdf_free(pdf *p);

/* Add an A4 portrait page; what is drawn next goes on it. */
void pdf_page(pdf *p);

/* How many pages there are; draw on page i (0-based) again, for instance
 * to number the pages once all are made. The font and colours are to be
 * set again after. */
size_t pdf_pages(const pdf *p);
void pdf_page_select(pdf *p, size_t i);

/* The font for the text that follows (one loaded by pdf_new) and its size
 * in points; the colour of text and filled shapes (0..1 each). */
void pdf_font(pdf *p, pdf_face f, double size);
void pdf_color(pdf *p, double r, double g, double b);

/* Width in points of s (UTF-8) in the current font. */
double pdf_text_width(pdf *p, const char *s);

/* s at (x, y) as it is, however wide. */
void pdf_text(pdf *p, const char *s, double x, double y);

/* s in the box from x to x + width, aligned in it; when wider, cut at a
 * character with an ellipsis ("Sri Wahyu…"), never beyond the box. */
void pdf_text_fit(pdf *p, const char *s, double x, double y, double width, pdf_align a);

/* s in the box from x to x + width, aligned in it, in the current font or
 * in a smaller size of it if that is wider than the box: for text that
 * must never be cut (a short code, an amount). */
void pdf_text_shrink(pdf *p, const char *s, double x, double y, double width, pdf_align a);

/*
 * s wrapped into lines no wider than width, each aligned in the box from
 * x to x + width, the first baseline at y and the next each leading lower:
 * broken at spaces, inside a word only when one word is wider than a line;
 * at most max_lines, the last cut with an ellipsis when text remains.
 * Returns the lines drawn (0 for an empty s). pdf_text_lines counts them
 * the same way, drawing nothing, so a caller can make room first.
 */
size_t pdf_text_box(pdf *p, const char *s, double x, double y, double width, double leading,
                    size_t max_lines, pdf_align a);
size_t pdf_text_lines(pdf *p, const char *s, double width, size_t max_lines);

/* Shapes: rectangles (top left x, y) and lines are gathered, then filled
 * in the current colour (pdf_fill) or stroked with the pen (pdf_stroke). */
void pdf_rect(pdf *p, double x, double y, double w, double h);
void pdf_fill(pdf *p);
void pdf_line(pdf *p, double x1, double y1, double x2, double y2);
void pdf_pen(pdf *p, double r, double g, double b, double width);
void pdf_stroke(pdf *p);

/*
 * Write the document to path with mode, replacing it atomically (a reader
 * sees the old file or the whole new one; nothing is left on failure).
 * ERR_IO if libharu reported any error while it was made or saved, or the
 * file cannot be written; ERR_NOMEM.
 */
err pdf_save(pdf *p, const char *path, mode_t mode);

#endif
