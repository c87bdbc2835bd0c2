#include "qr.h"

#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GLYPH_W       5
#define GLYPH_H       7
#define CAPTION_SCALE (QR_PIXELS / 2) /* pixels a dot: 28-pixel capitals */
#define CAPTION_MAX   64              /* characters, far more than a short code */

/*
 * The caption's font: 5 x 7 dots a character, a column of space between
 * two, each row 5 bits with the leftmost dot the highest (0x10). Drawn by
 * hand for a phone screen: the zero is slashed, and 8 and B, 5 and S, 2 and
 * Z keep their own shapes. The short code uses Crockford's Base32 (no I, L,
 * O or U); the whole alphabet is here for other captions.
 */
static const uint8_t font[37][GLYPH_H] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, /* 0 */
    {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 1 */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, /* 2 */
    {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, /* 3 */
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, /* 4 */
    {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, /* 5 */
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, /* 6 */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* 7 */
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, /* 8 */
    {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, /* 9 */
    {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11}, /* A */
    {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}, /* B */
    {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}, /* C */
    {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}, /* D */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}, /* E */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}, /* F */
    {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}, /* G */
    {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, /* H */
    {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* I */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, /* J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, /* K */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}, /* L */
    {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}, /* M */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* N */
    {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, /* O */
    {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}, /* P */
    {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}, /* Q */
    {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}, /* R */
    {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}, /* S */
    {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, /* U */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}, /* W */
    {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}, /* X */
    {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}, /* Y */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}, /* Z */
    {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}, /* - */
};

/* The glyph of ch, or NULL if the font has none. */
static const uint8_t *glyph(char ch)
{
	if (ch >= '0' && ch <= '9')
		return font[ch - '0'];
	if (ch >= 'A' && ch <= 'Z')
		return font[10 + ch - 'A'];
	return ch == '-' ? font[36] : NULL;
}

/* Where a picture's parts go, in pixels of the PNG: the square of the code
 * and its quiet zone (side), then the caption's band (scale pixels a dot,
 * its first dot at x0, y0); height is the whole picture's. */
struct layout {
	const char *caption; /* NULL: none, and height is side */
	size_t n;
	int side, scale, x0, y0, height;
};

/* The layout of q with caption (may be NULL); ERR_INVALID for a caption
 * the font cannot draw or the code is too narrow for. */
static err layout_of(const QRcode *q, const char *caption, struct layout *o)
{
	int inner = q->width * QR_PIXELS, cols;

	*o = (struct layout){caption, 0, (q->width + 2 * QR_QUIET) * QR_PIXELS, 0, 0, 0, 0};
	o->height = o->side;
	if (!caption)
		return ERR_OK;
	o->n = strlen(caption);
	if (o->n == 0 || o->n > CAPTION_MAX)
		return ERR_INVALID;
	for (size_t i = 0; i < o->n; i++)
		if (!glyph(caption[i]))
			return ERR_INVALID;
	cols = (int)o->n * (GLYPH_W + 1) - 1;
	o->scale = inner / cols < CAPTION_SCALE ? inner / cols : CAPTION_SCALE;
	if (o->scale < 1)
		return ERR_INVALID;
	o->x0 = (o->side - cols * o->scale) / 2;
	o->y0 = o->side; /* below the quiet zone, which stays white */
	o->height = o->y0 + GLYPH_H * o->scale + QR_QUIET * QR_PIXELS;
	return ERR_OK;
}

QRcode *qr_encode(const char *text)
{
	return QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
}

static void dark(unsigned char *row, int x)
{
	row[x / 8] &= (unsigned char)~(0x80 >> (x % 8));
}

/* Row y of the picture (white, 1 bit a pixel) into row. */
static void draw_row(const QRcode *q, const struct layout *lo, int y, unsigned char *row)
{
	int my = y / QR_PIXELS - QR_QUIET, gy;

	if (my >= 0 && my < q->width)
		for (int x = 0; x < lo->side; x++) {
			int mx = x / QR_PIXELS - QR_QUIET;
			if (mx >= 0 && mx < q->width && qr_dark(q, mx, my))
				dark(row, x);
		}
	if (!lo->caption || y < lo->y0 || (gy = (y - lo->y0) / lo->scale) >= GLYPH_H)
		return;
	for (size_t i = 0; i < lo->n; i++) {
		uint8_t bits = glyph(lo->caption[i])[gy];
		for (int gx = 0; gx < GLYPH_W; gx++) {
			int x = lo->x0 + ((int)i * (GLYPH_W + 1) + gx) * lo->scale;
			if (bits & (0x10 >> gx))
				for (int k = 0; k < lo->scale; k++)
					dark(row, x + k);
		}
	}
}

err qr_write_png(const QRcode *q, const char *caption, const char *path)
{
	struct layout lo;
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *row = NULL;
	FILE *f = NULL;
	err rc = layout_of(q, caption, &lo);
	int stride = (lo.side + 7) / 8;

	if (rc != ERR_OK)
		return rc;
	if (!(row = malloc((size_t)stride)))
		return ERR_NOMEM;
	rc = ERR_IO;
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
	png_set_IHDR(png, info, (png_uint_32)lo.side, (png_uint_32)lo.height, 1,
	             PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	             PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < lo.height; y++) {
		memset(row, 0xff, (size_t)stride);
		draw_row(q, &lo, y, row);
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

err qr_write_svg(const QRcode *q, const char *caption, const char *path)
{
	struct layout lo;
	double px = QR_PIXELS; /* the PNG's pixels a module: its layout in modules */
	FILE *f;
	int bad;
	err rc = layout_of(q, caption, &lo);

	if (rc != ERR_OK)
		return rc;
	if (!(f = fopen(path, "w")))
		return ERR_IO;
	fprintf(
	    f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %g %g\" "
	    "shape-rendering=\"crispEdges\">\n<rect width=\"%g\" height=\"%g\" fill=\"#fff\"/>\n"
	    "<path fill=\"#000\" d=\"",
	    lo.side / px, lo.height / px, lo.side / px, lo.height / px);
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
	fputs("\"/>\n", f);
	/* The PNG's capitals are 7 dots high: a font of 10 has capitals of
	 * about 7, and a monospace advance of 6, its 5 dots and the space.
	 * The caption is of the font's characters: nothing to escape. */
	if (caption)
		fprintf(f,
		        "<text x=\"%g\" y=\"%g\" font-family=\"monospace\" font-size=\"%g\" "
		        "font-weight=\"bold\" text-anchor=\"middle\" fill=\"#000\">%s</text>\n",
		        lo.side / px / 2, (lo.y0 + GLYPH_H * lo.scale) / px, 10 * lo.scale / px,
		        caption);
	fputs("</svg>\n", f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		remove(path);
		return ERR_IO;
	}
	return ERR_OK;
}
