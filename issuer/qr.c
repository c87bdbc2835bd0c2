#include "qr.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QRcode *qr_encode(const char *text)
{
	return QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
}

err qr_write_png(const QRcode *q, const char *path)
{
	int side = (q->width + 2 * QR_QUIET) * QR_PIXELS, stride = (side + 7) / 8;
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *row = malloc((size_t)stride);
	FILE *f = NULL;
	err rc = ERR_IO;

	if (!row)
		return ERR_NOMEM;
	if (!(f = fopen(path, "wb")))
		goto out;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png || !(info = png_create_info_struct(png)))
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	/* Two-level pictures compress to almost nothing even at speed. */
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1, PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < side; y++) {
		int my = y / QR_PIXELS - QR_QUIET;
		memset(row, 0xff, (size_t)stride);
		if (my >= 0 && my < q->width)
			for (int x = 0; x < side; x++) {
				int mx = x / QR_PIXELS - QR_QUIET;
				if (mx >= 0 && mx < q->width && qr_dark(q, mx, my))
					row[x / 8] &= (unsigned char)~(0x80 >> (x % 8));
			}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	rc = ERR_OK;
out:
	png_destroy_write_struct(&png, &info);
	if (f && fclose(f) != 0)
		rc = ERR_IO;
	if (rc != ERR_OK)
		remove(path);
	free(row);
	return rc;
}

err qr_write_svg(const QRcode *q, const char *path)
{
	int side = q->width + 2 * QR_QUIET;
	FILE *f = fopen(path, "w");

	if (!f)
		return ERR_IO;
	fprintf(
	    f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	    "<path fill=\"#000\" d=\"",
	    side, side, side, side);
	/* A run of dark modules in a row is one rectangle. */
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++) {
			int run = 0;
			while (x + run < q->width && qr_dark(q, x + run, y))
				run++;
			if (run) {
				fprintf(f, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run,
				        run);
				x += run;
			}
		}
	fputs("\"/>\n</svg>\n", f);
	if (fclose(f) != 0) {
		remove(path);
		return ERR_IO;
	}
	return ERR_OK;
}
