/*
 * qr: a voucher's QR code as PNG and SVG files, with a caption under it.
 *
 * Error correction level Q (a quarter of the code may be torn or smudged),
 * libqrencode's choice of mode (alphanumeric for voucher text), a quiet zone
 * of 4 modules. PNGs have 8 pixels a module: a version-8 voucher code is
 * 456 pixels wide, sharp on a phone screen and on paper.
 *
 * The caption (the voucher's short code) goes in a band below the quiet
 * zone, centred, so that the code's own margin stays white and scanners
 * find the code as before: in the PNG drawn with a built-in 5 x 7 font at
 * 4 pixels a dot (a version-8 PNG is then 456 x 516), in the SVG as text in
 * a monospace font of the same size.
 */
#ifndef QR_H
#define QR_H

#include <qrencode.h>

#include "err.h"

#define QR_QUIET  4
#define QR_PIXELS 8

/* The QR code of text, or NULL (ERR_NOMEM or text too long). Free it with
 * QRcode_free. Thread-safe. */
QRcode *qr_encode(const char *text);

/* True if module (x, y) of q is dark. */
static inline int qr_dark(const QRcode *q, int x, int y)
{
	return q->data[y * q->width + x] & 1;
}

/*
 * Write q as a 1-bit greyscale PNG to path (replacing it), caption under it
 * unless caption is NULL. A caption is made of 0-9, A-Z and '-' and is no
 * wider than the code at one pixel a dot (ERR_INVALID, nothing written).
 * ERR_IO or ERR_NOMEM otherwise. Thread-safe.
 */
err qr_write_png(const QRcode *q, const char *caption, const char *path);

/* Write q as an SVG (one path, a unit a module) to path, caption as
 * qr_write_png takes it, as text under the code. Thread-safe. */
err qr_write_svg(const QRcode *q, const char *caption, const char *path);

#endif
