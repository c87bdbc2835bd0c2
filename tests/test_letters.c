/*
 * The letters to the heads of OPDs, read back with the tools a person's
 * PDF viewer stands for (poppler-utils): pdftoppm renders every page,
 * pdfinfo counts them, pdftotext gives the text and, with -bbox, where each
 * word stands on its page.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "file.h"
#include "letters.h"
#include "log.h"

#define MM (72.0 / 25.4)

static const char *const utf8_names[] = {"Ni Luh Putu Ayu Sr\xC3\xAE Dew\xC3\xAE",
                                         "Muhammad \xE2\x80\x98"
                                         "Abdull\xC4\x81h"};

/* A name so long no column holds it: it wraps, then is cut. */
#define LONG_NAME                                                                                  \
	"Raden Roro Kusumawardhani Setyaningsih Purbaningrum Widyaningtyas Hadiningrat "           \
	"Sastrodiningrat Mangkunegaran Kartasura Pringgodigdo, S.Kom., M.Kom."

static letter_month trend[12] = {{"Jan 2026", 612}, {"Feb 2026", 655},  {"Mar 2026", -1},
                                 {"Apr 2026", 701}, {"Mei 2026", 744},  {"Jun 2026", 690},
                                 {"Jul 2026", 802}, {"Agu 2026", 815},  {"Sep 2026", 830},
                                 {"Okt 2026", 841}, {"Nov 2026", 1000}, {"Des 2026", 875}};

static letter_asn missed[4] = {
    {"Siti Rahmawati", "1985**********2001", 150000, 25000},
    {NULL, "1990**********1002", 75000, 0}, /* utf8_names[0] */
    {NULL, "1979**********2015", 100000, 60000},
    {NULL, "1968**********1004", 150000, 149999}, /* utf8_names[1] */
};

static letter_repeat repeat[2] = {
    {"Siti Rahmawati", "1985**********2001", 3},
    {NULL, "1968**********1004", 2}, /* utf8_names[1] */
};

/* A letter of Dinas Kesehatan for December 2026 with every part filled. */
static letter sample(void)
{
	missed[1].name = utf8_names[0];
	missed[2].name = LONG_NAME;
	missed[3].name = utf8_names[1];
	repeat[1].name = utf8_names[1];
	return (letter){.region = "KABUPATEN PROBOLINGGO",
	                .place = "Probolinggo",
	                .opd = "Dinas Kesehatan",
	                .period_text = "Desember 2026",
	                .made_on = "5 Januari 2027",
	                .basis = "Instruksi Bupati Probolinggo Nomor 9 Tahun 2024",
	                .asn = 1234,
	                .met = 1080,
	                .pct_tenths = 875,
	                .issued = 185100000,
	                .redeemed = 170000001,
	                .unspent = 15099999,
	                .rank = 3,
	                .of = 24,
	                .trend = trend,
	                .n_trend = 12,
	                .missed = missed,
	                .n_missed = 4,
	                .repeat = repeat,
	                .n_repeat = 2};
}

/* ---- the tools ---- */

/* The standard output of a shell command (its stderr dropped): a malloc'd
 * string. */
static char *run(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0, k;
	char *out = malloc(cap);

	assert_non_null(f);
	assert_non_null(out);
	while ((k = fread(out + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (cap - n - 1 == 0) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
	}
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	return out;
}

static char *path_in_test_dir(const char *name)
{
	char *p = malloc(4096);

	snprintf(p, 4096, "%s/%s", test_dir, name);
	return p;
}

/* Page page's text (0: the whole document), as pdftotext gives it. */
static char *text_of(const char *pdf, int page)
{
	char cmd[4400];

	if (page)
		snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -f %d -l %d '%s' - 2>/dev/null",
		         page, page, pdf);
	else
		snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", pdf);
	return run(cmd);
}

static int pages_of(const char *pdf)
{
	char cmd[4400], *out, *p;
	int n = -1;

	snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", pdf);
	out = run(cmd);
	p = strstr(out, "\nPages:");
	assert_non_null(p);
	n = atoi(p + 7);
	free(out);
	return n;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("'%s' is not in the letter's text", needle);
}

/* A run of n digits or more: a whole NIP. */
static bool digit_run(const char *s, int n)
{
	int run_len = 0;

	for (; *s; s++) {
		run_len = *s >= '0' && *s <= '9' ? run_len + 1 : 0;
		if (run_len >= n)
			return true;
	}
	return false;
}

/* Every page renders: pdftoppm makes a PNG of each. */
static void assert_renders(const char *pdf, int pages)
{
	char cmd[4400], png[4400];
	FILE *f;
	unsigned char sig[8];

	snprintf(cmd, sizeof cmd, "pdftoppm -r 40 -png '%s' '%s/page' 2>/dev/null", pdf, test_dir);
	assert_int_equal(system(cmd), 0);
	for (int i = 1; i <= pages; i++) {
		/* pdftoppm pads the page number to the width of the last. */
		snprintf(png, sizeof png, "%s/page-%0*d.png", test_dir, pages >= 10 ? 2 : 1, i);
		f = fopen(png, "rb");
		if (!f)
			fail_msg("no rendering of page %d", i);
		assert_int_equal(fread(sig, 1, 8, f), 8);
		assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
		fclose(f);
		remove(png);
	}
}

/* ---- words and where they stand (pdftotext -bbox) ---- */

struct word {
	int page;
	double x0, y0, x1, y1;
	char text[128];
};

/* The words of pdf, *n of them: a malloc'd array. */
static struct word *words_of(const char *pdf, size_t *n)
{
	char cmd[4400], *out, *p;
	struct word *w = NULL;
	size_t cap = 0;
	int page = 0;

	snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -bbox '%s' - 2>/dev/null", pdf);
	out = run(cmd);
	*n = 0;
	for (p = out; (p = strpbrk(p, "<")); p++) {
		const char *end;
		size_t len;
		if (strncmp(p, "<page ", 6) == 0) {
			page++;
			continue;
		}
		if (strncmp(p, "<word ", 6) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			w = realloc(w, cap * sizeof *w);
			assert_non_null(w);
		}
		assert_int_equal(
		    sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">",
		           &w[*n].x0, &w[*n].y0, &w[*n].x1, &w[*n].y1),
		    4);
		p = strchr(p, '>') + 1;
		end = strstr(p, "</word>");
		assert_non_null(end);
		len = (size_t)(end - p) < sizeof w[*n].text ? (size_t)(end - p)
		                                            : sizeof w[*n].text - 1;
		memcpy(w[*n].text, p, len);
		w[*n].text[len] = '\0';
		w[*n].page = page;
		(*n)++;
	}
	free(out);
	return w;
}

/* No two words of a page cover each other (0.3 points of slack for the
 * glyphs' side bearings), and all lie on the page inside its margins. */
static void assert_nothing_overlaps(const struct word *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w[i].x0 < 20 * MM || w[i].x1 > 192 * MM || w[i].y0 < 15 * MM ||
		    w[i].y1 > 292 * MM)
			fail_msg(
			    "'%s' on page %d stands outside the margins (%.1f,%.1f)-(%.1f,%.1f)",
			    w[i].text, w[i].page, w[i].x0, w[i].y0, w[i].x1, w[i].y1);
		for (size_t j = i + 1; j < n && w[j].page == w[i].page; j++)
			if (w[i].x0 < w[j].x1 - 0.3 && w[j].x0 < w[i].x1 - 0.3 &&
			    w[i].y0 < w[j].y1 - 0.3 && w[j].y0 < w[i].y1 - 0.3)
				fail_msg("'%s' and '%s' overlap on page %d", w[i].text, w[j].text,
				         w[i].page);
	}
}

/* ---- the tests ---- */

/* The letter renders and says what it must: the OPD, the period, every
 * figure as formatted, the rank, the trend's months, each listed ASN with
 * a masked NIP, and the place to sign. */
static void letter_says_it_all(void **state)
{
	letter l = sample();
	char *pdf = path_in_test_dir("Dinas_Kesehatan.pdf"), *text, num[32];
	int pages;

	(void)state;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	pages = pages_of(pdf);
	assert_in_range(pages, 1, 2);
	assert_renders(pdf, pages);
	text = text_of(pdf, 0);
	assert_has(text, "LAPORAN BULANAN");
	assert_has(text, "GERAKAN ASN BELANJA PRODUK UMKM");
	assert_has(text, "KABUPATEN PROBOLINGGO");
	assert_has(text, "Kepala Dinas Kesehatan");
	assert_has(text, "Periode Desember 2026");
	assert_has(text, "Instruksi Bupati Probolinggo Nomor 9 Tahun 2024");
	assert_has(text, "1.234 orang");
	assert_has(text, "1.080 orang");
	assert_has(text, "154 orang");
	assert_has(text, "87,5%");
	assert_has(text, "Rp185.100.000");
	assert_has(text, "Rp170.000.001");
	assert_has(text, "Rp15.099.999");
	assert_has(text, "3 dari 24 OPD");
	for (size_t i = 0; i < 12; i++)
		assert_has(text, trend[i].label);
	assert_has(text, "100,0%"); /* November's bar */
	assert_has(text, "61,2%");
	assert_has(text, "(4 orang)");
	for (size_t i = 0; i < 4; i++) {
		if (i != 2) /* the long name: its own test */
			assert_has(text, missed[i].name);
		assert_has(text, missed[i].nip_masked);
	}
	assert_has(text, "Rp149.999"); /* spent, a rupiah short */
	assert_has(text, "3 dari 3 bulan");
	assert_has(text, "2 dari 3 bulan");
	assert_has(text, "Probolinggo, 5 Januari 2027");
	assert_has(text, "Kepala BPKAD");
	assert_has(text, "NIP ....");
	snprintf(num, sizeof num, "Halaman %d dari %d", pages, pages);
	assert_has(text, num);
	assert_false(digit_run(text, 18));
	free(text);
	free(pdf);
}

/* Names in any script of Indonesia's people come out as they went in. */
static void utf8_names_come_out(void **state)
{
	letter l = sample();
	char *pdf = path_in_test_dir("letter.pdf"), *text;

	(void)state;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	text = text_of(pdf, 0);
	assert_has(text, "Ni Luh Putu Ayu Sr\xC3\xAE Dew\xC3\xAE");
	assert_has(text, "Muhammad \xE2\x80\x98"
	                 "Abdull\xC4\x81h");
	/* Twice: in both lists. */
	assert_int_equal(count(text, utf8_names[1]), 2);
	free(text);
	free(pdf);
}

/* The PDF's bytes contain needle (font dictionaries are not compressed). */
static bool pdf_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, k;
	bool found;

	assert_non_null(f);
	do {
		if (n + 65536 > cap)
			assert_non_null(buf = realloc(buf, cap = (n + 65536) * 2));
		k = fread(buf + n, 1, 65536, f);
		n += k;
	} while (k > 0);
	fclose(f);
	found = memmem(buf, n, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

/* A letter whose every text is in Windows-1252 is made with the cheaper
 * simple fonts, and says the same: accents, curly quotes, dashes, the
 * ellipsis of a cut name. One name outside it makes the letter UTF-8. */
static void winansi_letters(void **state)
{
	static const char *const latin[] = {
	    "Chlo\xC3\xA9 D\xE2\x80\x99Souza",
	    "Fran\xC3\xA7ois \xC5\xA0ime \xE2\x80\x93 M\xC3\xBCller"};
	letter l = sample();
	char *pdf = path_in_test_dir("latin.pdf"), *text;

	(void)state;
	missed[1].name = latin[0];
	missed[3].name = latin[1];
	repeat[1].name = latin[1];
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	assert_false(pdf_has(pdf, "/Type0"));
	assert_true(pdf_has(pdf, "/TrueType"));
	text = text_of(pdf, 0);
	assert_has(text, latin[0]);
	assert_int_equal(count(text, latin[1]), 2);
	assert_has(text, "Periode Desember 2026");
	assert_has(text, "\xE2\x80\x93 : belum ada data");
	assert_has(text, "\xE2\x80\xA6"); /* the long name, cut */
	free(text);
	/* Back to the sample's names: Abdull\xC4\x81h's a-macron is not in it. */
	l = sample();
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	assert_true(pdf_has(pdf, "/Type0"));
	free(pdf);
}

/* A long list: several pages, each numbered, each page of the list under
 * its title "(lanjutan)" and the table's header, every name exactly once,
 * and nothing printed over anything else. */
static void long_list_pages(void **state)
{
	enum { N = 200 };
	letter l = sample();
	letter_asn *many = calloc(N, sizeof *many);
	char(*names)[48] = calloc(N, sizeof *names);
	char *pdf = path_in_test_dir("long.pdf"), *text, head[64];
	struct word *w;
	size_t nw, seen = 0;
	int pages;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "Pegawai %03d Santoso", i + 1);
		many[i] = (letter_asn){names[i], "1972**********1039", 150000, i * 100};
	}
	l.missed = many;
	l.n_missed = N;
	l.n_repeat = 0;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	pages = pages_of(pdf);
	assert_true(pages >= 3);
	assert_renders(pdf, pages);

	for (int p = 1; p <= pages; p++) {
		size_t rows = 0;
		text = text_of(pdf, p);
		snprintf(head, sizeof head, "Halaman %d dari %d", p, pages);
		assert_has(text, head);
		for (int i = 0; i < N; i++)
			rows += count(text, names[i]);
		if (rows) {
			assert_has(text, "Nama");
			assert_has(text, "NIP");
			assert_has(text, "Nilai Voucher");
			assert_has(text, "Dibelanjakan");
		}
		if (rows && p > 1) {
			assert_has(text, "(lanjutan)");
			assert_has(text, "Dinas Kesehatan"); /* the running head */
		}
		seen += rows;
		free(text);
	}
	assert_int_equal(seen, N);
	text = text_of(pdf, 0);
	for (int i = 0; i < N; i++)
		if (count(text, names[i]) != 1)
			fail_msg("'%s' is in the letter %zu times", names[i],
			         count(text, names[i]));
	assert_has(text, "(200 orang)");
	assert_false(digit_run(text, 18));
	free(text);

	w = words_of(pdf, &nw);
	assert_true(nw > 1000);
	assert_nothing_overlaps(w, nw);
	free(w);
	free(many);
	free(names);
	free(pdf);
}

/* A name longer than its column wraps onto a second line and is cut with
 * an ellipsis there: every word of it stays inside the column, and
 * nothing on the page overlaps, the OPD's long name neither. */
static void long_names_stay_in_their_column(void **state)
{
	letter l = sample();
	char *pdf = path_in_test_dir("names.pdf"), *text;
	/* The list's name column: from 25 + 12 mm to 25 + 74 mm of the page. */
	double left = 37 * MM, right = 99 * MM;
	struct word *w;
	size_t nw, inside = 0;
	double first_line = -1;
	bool second_line = false;

	(void)state;
	l.opd = "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah "
	        "(Bappelitbangda) Kabupaten Probolinggo";
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	text = text_of(pdf, 0);
	assert_has(text, "Raden Roro Kusumawardhani");
	assert_null(strstr(text, "Pringgodigdo, S.Kom., M.Kom.")); /* cut, */
	assert_has(text, "\xE2\x80\xA6");                          /* with an ellipsis */
	free(text);

	w = words_of(pdf, &nw);
	for (size_t i = 0; i < nw; i++) {
		bool ours = strstr(LONG_NAME, w[i].text) && strlen(w[i].text) > 3;
		if (!ours && strstr(w[i].text, "\xE2\x80\xA6") && w[i].x0 > left && w[i].x0 < right)
			ours = true;
		if (!ours || w[i].y0 < 100 * MM) /* the list, not the paragraph */
			continue;
		if (w[i].x0 < left || w[i].x1 > right)
			fail_msg("'%s' stands outside the name column (%.1f to %.1f)", w[i].text,
			         w[i].x0, w[i].x1);
		if (first_line < 0)
			first_line = w[i].y0;
		second_line = second_line || w[i].y0 > first_line + 5;
		inside++;
	}
	assert_true(inside >= 5);
	assert_true(second_line); /* it wrapped */
	assert_nothing_overlaps(w, nw);
	free(w);
	free(pdf);
}

/* No one missed, no history, no rank: the letter says so, still has
 * every part, and is one page. */
static void empty_parts(void **state)
{
	letter l = sample();
	char *pdf = path_in_test_dir("empty.pdf"), *text;

	(void)state;
	l.met = l.asn;
	l.pct_tenths = 1000;
	l.n_missed = 0;
	l.n_repeat = 0;
	l.n_trend = 0;
	l.rank = 0;
	l.basis = NULL;
	l.place = NULL;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	assert_int_equal(pages_of(pdf), 1);
	text = text_of(pdf, 0);
	assert_has(text, "100,0%");
	assert_has(text, "Seluruh ASN telah memenuhi belanja minimum");
	assert_has(text, "Tidak ada.");
	assert_has(text, "Belum ada data");
	assert_null(strstr(text, "Peringkat"));
	assert_has(text, "...., 5 Januari 2027"); /* a place left to write in */
	free(text);
	free(pdf);
}

/* A figure too wide for its cell is printed smaller, never cut. */
static void figures_never_cut(void **state)
{
	letter l = sample();
	char *pdf = path_in_test_dir("big.pdf"), *text;

	(void)state;
	l.issued = 12345678901234;
	l.redeemed = 12345678901233;
	l.unspent = 1;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	text = text_of(pdf, 0);
	assert_has(text, "Rp12.345.678.901.234");
	assert_has(text, "Rp12.345.678.901.233");
	free(text);
	/* Overspent (a finding of reconcile): what is left is negative. */
	l.issued = 150000;
	l.redeemed = 175000;
	l.unspent = -25000;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	text = text_of(pdf, 0);
	assert_has(text, "-Rp25.000");
	free(text);
	free(pdf);
}

/* What would print a whole NIP, or figures that do not add up, writes
 * nothing. */
static void refused(void **state)
{
	letter l;
	letter_asn a[1] = {{"Budi", "197201011995031039", 150000, 0}};
	letter_repeat r[1] = {{"Budi", "1972**********1039", 4}};
	letter_month m[13];
	char *pdf = path_in_test_dir("refused.pdf");
	struct stat st;

	(void)state;
	l = sample();
	l.missed = a;
	l.n_missed = 1;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	a[0].nip_masked = "19720101 199503 1 039"; /* spaced, still whole */
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.unspent++;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.met = l.asn + 1;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.pct_tenths = 1001;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.rank = 25;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.repeat = r;
	l.n_repeat = 1;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	for (int i = 0; i < 13; i++)
		m[i] = (letter_month){"Jan 2026", 500};
	l.trend = m;
	l.n_trend = 13;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.opd = "Dinas\nKesehatan";
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	l.opd = "Dinas \xC3";
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	l = sample();
	missed[0].name = NULL;
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_INVALID);
	missed[0].name = "Siti Rahmawati";
	assert_int_not_equal(stat(pdf, &st), 0);
	free(pdf);
}

/* Written again, the letter replaces the old one whole, readable by its
 * owner only, and leaves nothing else in the folder. */
static void replaced_atomically(void **state)
{
	letter l = sample();
	char *pdf = path_in_test_dir("Dinas_Kesehatan.pdf"), *text;
	struct stat st;
	DIR *d;
	struct dirent *e;
	int files = 0;

	(void)state;
	free(write_file(test_dir, "Dinas_Kesehatan.pdf", "an older letter"));
	assert_int_equal(letter_write_pdf(pdf, &l), ERR_OK);
	assert_int_equal(stat(pdf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = text_of(pdf, 0);
	assert_has(text, "Dinas Kesehatan");
	free(text);
	assert_non_null(d = opendir(test_dir));
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);
	free(pdf);
}

/* Letters are named as the sheets are: safe, and two OPDs that make the
 * same name get one each. */
static void file_names(void **state)
{
	const char *opds[] = {"Dinas Kesehatan", "Kecamatan Kraksaan", "Dinas/Kesehatan",
	                      "../Sekretariat Daerah"};
	char out[FILE_NAME_MAX + 4];

	(void)state;
	letter_file_name(opds, 0, out, sizeof out);
	assert_string_equal(out, "Dinas_Kesehatan.pdf");
	letter_file_name(opds, 1, out, sizeof out);
	assert_string_equal(out, "Kecamatan_Kraksaan.pdf");
	letter_file_name(opds, 2, out, sizeof out);
	assert_string_equal(out, "Dinas_Kesehatan-3.pdf");
	letter_file_name(opds, 3, out, sizeof out);
	assert_string_equal(out, "x.._Sekretariat_Daerah.pdf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(letter_says_it_all, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(utf8_names_come_out, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(winansi_letters, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(long_list_pages, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(long_names_stay_in_their_column, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(empty_parts, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(figures_never_cut, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(refused, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(replaced_atomically, test_dir_setup, test_dir_teardown),
	    cmocka_unit_test(file_names),
	};

	log_init("test", LOGL_OFF);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
