/*
 * qr: a voucher's QR code as PNG and SVG files.
 *
 * Error correction level Q (a quarter of the code may be torn or smudged),
 * libqrencode's choice of mode (alphanumeric for voucher text), a quiet zone
 * of 4 modules. PNGs have 8 pixels a module: a version-8 voucher code is
 * 456 x 456 pixels, sharp on a phone screen and on paper.
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

/* Write q as a 1-bit greyscale PNG to path (replacing it). Thread-safe. */
err qr_write_png(const QRcode *q, const char *path);

/* Write q as an SVG (one path, a unit a module) to path. Thread-safe. */
err qr_write_svg(const QRcode *q, const char *path);

#endif
