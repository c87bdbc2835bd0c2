#include "testutil.h"

#include <png.h>
#include <sys/stat.h>

#include "qr.h"

/* A voucher's text is 154 characters: its prefix, then 150 of Base45
 * (QR version 8, 49 modules wide). */
static char text[155];

#define CAPTION "JMVN-R0G7-D0E7"
#define SIDE    ((49 + 2 * QR_QUIET) * QR_PIXELS) /* 456 */
#define SCALE   4                                 /* pixels a dot of the caption */
#define CELL    (6 * SCALE)                       /* a character and its space */
#define TEXT_W  (14 * CELL - SCALE)               /* 14 characters, no space after the last */

/* A PNG read back as 8-bit grey, one byte a pixel (0 dark, 255 white). */
typedef struct picture {
	int w, h;
	unsigned char *px;
} picture;

static picture read_png(const char *path)
{
	png_image im = {.version = PNG_IMAGE_VERSION};
	picture p;

	assert_true(png_image_begin_read_from_file(&im, path));
	im.format = PNG_FORMAT_GRAY;
	p.w = (int)im.width;
	p.h = (int)im.height;
	p.px = malloc(PNG_IMAGE_SIZE(im));
	assert_non_null(p.px);
	assert_true(png_image_finish_read(&im, NULL, p.px, 0, NULL));
	return p;
}

static bool is_dark(const picture *p, int x, int y)
{
	return p->px[y * p->w + x] < 128;
}

static QRcode *encode(void)
{
	static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	QRcode *q;

	memcpy(text, "UV1:", 4);
	for (int i = 4; i < 154; i++)
		text[i] = b45[(i * 7) % 45];
	text[154] = '\0';
	q = qr_encode(text);

	assert_non_null(q);
	assert_int_equal(q->width, 49);
	return q;
}

static char *path_of(const char *name)
{
	char *p = malloc(4096);

	snprintf(p, 4096, "%s/%s", test_dir, name);
	return p;
}

/* Without a caption the picture is the square code; with one, the same
 * square on top (the code and its quiet zone untouched) and the band
 * below it. */
static void png_caption_below_the_code(void **state)
{
	QRcode *q = encode();
	char *plain = path_of("plain.png"), *cap = path_of("cap.png");
	picture a, b;

	(void)state;
	assert_int_equal(qr_write_png(q, NULL, plain), ERR_OK);
	assert_int_equal(qr_write_png(q, CAPTION, cap), ERR_OK);
	a = read_png(plain);
	b = read_png(cap);
	assert_int_equal(a.w, SIDE);
	assert_int_equal(a.h, SIDE);
	assert_int_equal(b.w, SIDE);
	assert_int_equal(b.h, SIDE + 7 * SCALE + QR_QUIET * QR_PIXELS);
	assert_memory_equal(a.px, b.px, (size_t)SIDE * SIDE);
	/* Every module where the code says, 8 pixels square. */
	for (int y = 0; y < SIDE; y++)
		for (int x = 0; x < SIDE; x++) {
			int mx = x / QR_PIXELS - QR_QUIET, my = y / QR_PIXELS - QR_QUIET;
			bool want = mx >= 0 && my >= 0 && mx < 49 && my < 49 && qr_dark(q, mx, my);
			assert_int_equal(is_dark(&a, x, y), want);
		}
	free(a.px);
	free(b.px);
	free(plain);
	free(cap);
	QRcode_free(q);
}

/*
 * The caption's band: dark dots only in a box of 14 characters, centred,
 * the first of its rows, then a margin as wide as the quiet zone. Each
 * character's cell read back as a 5 x 7 grid of dots: a column of space
 * after each, the hyphens a bar across the middle, and two cells alike
 * exactly when their characters are.
 */
static void png_caption_glyphs(void **state)
{
	QRcode *q = encode();
	char *path = path_of("cap.png");
	int left = SIDE, right = -1, top = -1, bottom = -1;
	uint8_t cells[14][7] = {{0}};
	picture p;

	(void)state;
	assert_int_equal(qr_write_png(q, CAPTION, path), ERR_OK);
	p = read_png(path);
	for (int y = SIDE; y < p.h; y++)
		for (int x = 0; x < p.w; x++)
			if (is_dark(&p, x, y)) {
				left = x < left ? x : left;
				right = x > right ? x : right;
				top = top < 0 ? y : top;
				bottom = y;
			}
	assert_int_equal(top, SIDE);
	assert_int_equal(bottom, SIDE + 7 * SCALE - 1);
	assert_true(left >= (SIDE - TEXT_W) / 2 && right < (SIDE + TEXT_W) / 2);
	assert_true(abs(left - (SIDE - 1 - right)) <= SCALE); /* centred */
	assert_true(right - left + 1 > SIDE / 2);             /* a wide caption */

	for (int c = 0; c < 14; c++)
		for (int gy = 0; gy < 7; gy++)
			for (int gx = 0; gx < 6; gx++) {
				/* Every pixel of a dot alike: drawn at SCALE pixels a dot. */
				int x0 = (SIDE - TEXT_W) / 2 + c * CELL + gx * SCALE,
				    y0 = SIDE + gy * SCALE;
				bool d = is_dark(&p, x0, y0);
				for (int k = 0; k < SCALE * SCALE; k++)
					assert_int_equal(
					    is_dark(&p, x0 + k % SCALE, y0 + k / SCALE), d);
				if (gx == 5)
					assert_false(d); /* the space between characters */
				else if (d)
					cells[c][gy] |= (uint8_t)(0x10 >> gx);
			}
	for (int c = 0; c < 14; c++) {
		const uint8_t bar[7] = {0, 0, 0, 0x1F, 0, 0, 0};
		if (CAPTION[c] == '-')
			assert_memory_equal(cells[c], bar, 7);
		for (int d = 0; d < 14; d++)
			assert_int_equal(memcmp(cells[c], cells[d], 7) == 0,
			                 CAPTION[c] == CAPTION[d]);
	}
	free(p.px);
	free(path);
	QRcode_free(q);
}

/* A caption the font cannot draw, or too long for the code, is refused and
 * nothing is written. */
static void bad_captions(void **state)
{
	QRcode *q = encode();
	char *png = path_of("bad.png"), *svg = path_of("bad.svg"), long_ok[61], too_long[66];
	const char *bad[] = {"", "jmvn-r0g7-d0e7", "JMVN R0G7", "A<B", "KODE\xC3\x89"};
	struct stat st;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(qr_write_png(q, bad[i], png), ERR_INVALID);
		assert_int_equal(qr_write_svg(q, bad[i], svg), ERR_INVALID);
		assert_int_not_equal(stat(png, &st), 0);
		assert_int_not_equal(stat(svg, &st), 0);
	}
	memset(too_long, 'W', sizeof too_long - 1);
	too_long[sizeof too_long - 1] = '\0';
	assert_int_equal(qr_write_png(q, too_long, png), ERR_INVALID);
	/* 60 characters at one pixel a dot: 359 pixels, within the code's 392. */
	memset(long_ok, 'W', sizeof long_ok - 1);
	long_ok[sizeof long_ok - 1] = '\0';
	assert_int_equal(qr_write_png(q, long_ok, png), ERR_OK);
	free(png);
	free(svg);
	QRcode_free(q);
}

/* The SVG: the same code, the caption as monospace text under it, centred,
 * the view grown by the PNG's band (7.5 modules). */
static void svg_caption(void **state)
{
	QRcode *q = encode();
	char *plain = path_of("plain.svg"), *cap = path_of("cap.svg"), *a, *b, *pa, *pb;

	(void)state;
	assert_int_equal(qr_write_svg(q, NULL, plain), ERR_OK);
	assert_int_equal(qr_write_svg(q, CAPTION, cap), ERR_OK);
	a = read_text(plain);
	b = read_text(cap);
	assert_non_null(strstr(a, "viewBox=\"0 0 57 57\""));
	assert_null(strstr(a, "<text"));
	assert_non_null(strstr(b, "viewBox=\"0 0 57 64.5\""));
	assert_non_null(strstr(b, "<rect width=\"57\" height=\"64.5\""));
	assert_non_null(strstr(b, "<text x=\"28.5\" y=\"60.5\" font-family=\"monospace\""));
	assert_non_null(strstr(b, "text-anchor=\"middle\""));
	assert_non_null(strstr(b, ">" CAPTION "</text>\n</svg>\n"));
	/* The code's path is the same with a caption or without. */
	pa = strstr(a, "<path");
	pb = strstr(b, "<path");
	assert_non_null(pa);
	assert_non_null(pb);
	assert_memory_equal(pa, pb, (size_t)(strstr(pa, "/>") - pa));
	free(a);
	free(b);
	free(plain);
	free(cap);
	QRcode_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(png_caption_below_the_code, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(png_caption_glyphs, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(bad_captions, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(svg_caption, test_dir_setup, test_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
