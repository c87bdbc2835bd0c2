/* Unit tests of issuer/merchants: the payees file, its variants, each refusal with its line,
 * and finding a payee by merchant id. */
#include "testutil.h"

#include <stdbool.h>

#include "../issuer/merchants.h"

#define PANDUAN "docs/PANDUAN.md"

/* Write text (len bytes, so it may hold NULs) to test_dir/name and load it. */
static err load_n(const char *name, const char *text, size_t len, char **path, payees **p,
                  roster_problems **pr)
{
	FILE *f;

	*path = malloc(4096);
	snprintf(*path, 4096, "%s/%s", test_dir, name);
	f = fopen(*path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return payees_load(*path, p, pr);
}

static err load(const char *name, const char *text, char **path, payees **p, roster_problems **pr)
{
	return load_n(name, text, strlen(text), path, p, pr);
}

static void show(const roster_problems *pr)
{
	for (size_t i = 0; i < roster_problems_count(pr); i++)
		fprintf(stderr, "  problem: %s\n", roster_problems_text(pr, i));
}

/* Fail, showing every problem, unless one reads "PATH:LINE: ..." with what in it
 * (line 0: "PATH: ..."). */
static void expect_problem(const roster_problems *pr, const char *path, unsigned long line,
                           const char *what)
{
	char head[4200];

	if (line)
		snprintf(head, sizeof head, "%s:%lu: ", path, line);
	else
		snprintf(head, sizeof head, "%s: ", path);
	for (size_t i = 0; i < roster_problems_count(pr); i++) {
		const char *t = roster_problems_text(pr, i);
		if (strncmp(t, head, strlen(head)) == 0 && strstr(t, what) &&
		    roster_problems_line(pr, i) == line)
			return;
	}
	show(pr);
	fail_msg("no problem at line %lu saying \"%s\"", line, what);
}

/* A file that must be refused: ERR_INVALID (or want), no payees, and the problem. */
static void expect_refused(const char *name, const char *text, size_t len, err want,
                           unsigned long line, const char *what)
{
	payees *p = (payees *)1;
	roster_problems *pr = NULL;
	char *path;

	assert_int_equal(load_n(name, text, len, &path, &p, &pr), want);
	assert_null(p);
	expect_problem(pr, path, line, what);
	roster_problems_free(pr);
	free(path);
}

/* A string literal and its length (it may hold NULs). */
#define LIT(s) s, sizeof s - 1

static void expect_payee(const payee *e, const char *id, const char *name, const char *owner,
                         const char *bank, const char *number, const char *account_name)
{
	assert_non_null(e);
	assert_string_equal(e->id, id);
	assert_string_equal(e->name, name);
	assert_string_equal(e->owner, owner);
	assert_string_equal(e->bank, bank);
	assert_string_equal(e->account_number, number);
	assert_string_equal(e->account_name, account_name);
}

/*
 * The same three payees as a ',' file with LF, as Indonesian Excel writes it (';', BOM, CRLF,
 * columns in another order, an extra column), and with old Mac CR line ends and blank rows:
 * quoted fields with the delimiter, a quote and a line break inside; account numbers as people
 * type them, leading zeros kept.
 */
static void good_file_variants(void **state)
{
	static const char *text[] = {
	    "id,name,owner,bank,account_number,account_name\n"
	    "M-001,\"Batik Sari, Kraksaan\",Siti Aminah,BRI,0123-01-000456-50-3,Siti Aminah\n"
	    "toko.rotan_2,\"Rotan \"\"Jaya\"\"\",Budi  Santoso,Bank Jatim,\"0 011 223 344\","
	    "CV Rotan Jaya\n"
	    "GALERI3,\"Kopi\nTengger\",Made,BNI,1234.5678.90,\"Made; Putu\"\n",

	    "\xEF\xBB\xBF"
	    "Keterangan; ACCOUNT_NAME ;Account_Number;bank;Owner;Name;ID\r\n"
	    "baru;Siti Aminah;0123-01-000456-50-3;BRI;Siti Aminah;Batik Sari, Kraksaan;M-001\r\n"
	    ";CV Rotan Jaya;0 011 223 344;Bank Jatim;Budi Santoso;\"Rotan \"\"Jaya\"\"\";"
	    "toko.rotan_2\r\n"
	    "lama;\"Made; Putu\";1234.5678.90;BNI;Made;\"Kopi\r\nTengger\";GALERI3\r\n",

	    "\r"
	    "id,name,owner,bank,account_number,account_name\r"
	    ",,,,,\r"
	    "M-001,\"Batik Sari, Kraksaan\",Siti Aminah,BRI,0123-01-000456-50-3,Siti Aminah\r"
	    "\r"
	    "toko.rotan_2,\"Rotan \"\"Jaya\"\"\",\tBudi Santoso ,Bank Jatim,0 011 223 344,"
	    "CV Rotan Jaya\r"
	    "GALERI3,\"Kopi\rTengger\",Made,BNI,1234.5678.90,\"Made; Putu\"\r"
	    ",,  ,,,\r",
	};
	static const unsigned long lines[][3] = {{2, 3, 4}, {2, 3, 4}, {4, 6, 7}};

	(void)state;
	for (size_t v = 0; v < sizeof text / sizeof text[0]; v++) {
		char name[32], *path;
		payees *p = NULL;
		roster_problems *pr = NULL;

		snprintf(name, sizeof name, "good%zu.csv", v);
		assert_int_equal(load(name, text[v], &path, &p, &pr), ERR_OK);
		show(pr);
		assert_int_equal(roster_problems_count(pr), 0);
		assert_int_equal(payees_count(p), 3);
		expect_payee(payees_at(p, 0), "M-001", "Batik Sari, Kraksaan", "Siti Aminah", "BRI",
		             "012301000456503", "Siti Aminah");
		expect_payee(payees_at(p, 1), "toko.rotan_2", "Rotan \"Jaya\"", "Budi Santoso",
		             "Bank Jatim", "0011223344", "CV Rotan Jaya");
		expect_payee(payees_at(p, 2), "GALERI3", "Kopi Tengger", "Made", "BNI",
		             "1234567890", "Made; Putu");
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(payees_at(p, i)->line, lines[v][i]);
		assert_null(payees_at(p, 3));
		payees_free(p);
		roster_problems_free(pr);
		free(path);
	}
}

/* The shortest and longest account number, the longest id, a 1 KiB name. */
static void boundaries(void **state)
{
	char *text = malloc(8192), *path, big[1025];
	payees *p = NULL;
	roster_problems *pr = NULL;

	(void)state;
	memset(big, 'n', 1024);
	big[1024] = '\0';
	snprintf(text, 8192,
	         "id,name,owner,bank,account_number,account_name\n"
	         "A,Toko,Ani,BRI,00001,Ani\n"
	         "abcdefghijklmnopqrstuvwxyz012345,%s,Ani,BRI,"
	         "1234567890-1234567890-1234567890-1234,Ani\n",
	         big);
	assert_int_equal(load("edges.csv", text, &path, &p, &pr), ERR_OK);
	show(pr);
	assert_int_equal(payees_count(p), 2);
	assert_string_equal(payees_at(p, 0)->account_number, "00001");
	assert_string_equal(payees_at(p, 1)->account_number, "1234567890123456789012345678901234");
	assert_string_equal(payees_at(p, 1)->id, "abcdefghijklmnopqrstuvwxyz012345");
	assert_int_equal(strlen(payees_at(p, 1)->name), 1024);
	payees_free(p);
	roster_problems_free(pr);
	free(path);
	free(text);
}

/* Thousands of payees: each is found by its id, and nothing else is found. */
static void find_each_and_no_other(void **state)
{
	size_t n = 5000, cap = n * 64 + 128, len = 0;
	char *text = malloc(cap), *path, id[64];
	payees *p = NULL;
	roster_problems *pr = NULL;
	static const char *absent[] = {"M05000",  "m00001", "M0000", "M000011",
	                               "M00001 ", "",       "X",     "M-0001"};

	(void)state;
	len += (size_t)snprintf(text + len, cap - len,
	                        "id;name;owner;bank;account_number;"
	                        "account_name\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		                        "M%05zu;Toko %zu;Pemilik;BRI;%010zu;"
		                        "Pemilik\n",
		                        i, i, i * 7919);
	assert_int_equal(load("many.csv", text, &path, &p, &pr), ERR_OK);
	assert_int_equal(payees_count(p), n);
	for (size_t i = 0; i < n; i++) {
		const payee *e;
		snprintf(id, sizeof id, "M%05zu", i);
		e = payees_find(p, id);
		assert_ptr_equal(e, payees_at(p, i));
		assert_string_equal(e->id, id);
		assert_int_equal(e->line, i + 2);
	}
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		assert_null(payees_find(p, absent[i]));
	memset(id, 'M', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	assert_null(payees_find(p, id));
	assert_null(payees_find(p, NULL));
	assert_null(payees_find(NULL, "M00001"));
	assert_int_equal(payees_count(NULL), 0);
	assert_null(payees_at(NULL, 0));
	payees_free(p);
	roster_problems_free(pr);
	free(path);
	free(text);
}

/* One bad row among good ones refuses the whole file: a payee list must be right. */
static void one_bad_row_refuses_all(void **state)
{
	char *path;
	payees *p = (payees *)1;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(load("one.csv",
	                      "id,name,owner,bank,account_number,account_name\n"
	                      "M1,Toko A,Ani,BRI,1234567,Ani\n"
	                      "M2,Toko B,Budi,BRI,12345x7,Budi\n"
	                      "M3,Toko C,Citra,BRI,7654321,Citra\n",
	                      &path, &p, &pr),
	                 ERR_INVALID);
	assert_null(p);
	assert_int_equal(roster_problems_count(pr), 1);
	expect_problem(pr, path, 3, "bad account_number: only digits");
	roster_problems_free(pr);
	free(path);
}

/* Every kind of bad row, each one problem at the line it starts on; none quotes a field. */
static void bad_rows_and_lines(void **state)
{
	static const char text[] =
	    "id,name,owner,bank,account_number,account_name\n"             /* 1 */
	    "M1,Toko Satu,Ani,BRI,1234567,Ani\n"                           /* 2 good */
	    "M1,Toko Dua,Budi,BRI,7654321,Budi\n"                          /* 3 */
	    "M 2,Toko Dua,Ani,BRI,1234567,Ani\n"                           /* 4 */
	    "abcdefghijklmnopqrstuvwxyz0123456,Toko,Ani,BRI,1234567,Ani\n" /* 5 */
	    ",Toko,Ani,BRI,1234567,Ani\n"                                  /* 6 */
	    "M6,,Ani,BRI,1234567,Ani\n"                                    /* 7 */
	    "M7,Toko,  ,BRI,1234567,Ani\n"                                 /* 8 */
	    "M8,Toko,Ani,,1234567,Ani\n"                                   /* 9 */
	    "M9,Toko,Ani,BRI,1234567,\n"                                   /* 10 */
	    "M10,Toko,Ani,BRI,,Ani\n"                                      /* 11 */
	    "M11,Toko,Ani,BRI,12345O7,Ani\n"                               /* 12 */
	    "M12,Toko,Ani,BRI,1234,Ani\n"                                  /* 13 */
	    "M13,Toko,Ani,BRI,12345678901234567890123456789012345,Ani\n"   /* 14 */
	    "M14,Toko,Ani,BRI,1.23457E+13,Ani\n"                           /* 15 */
	    "M15,Toko,Ani,BRI,1234567,Ani,lebih\n"                         /* 16 */
	    "M16,Toko,Ani,BRI,1234567\n"                                   /* 17 */
	    "M17,Sugi\xe9,Ani,BRI,1234567,Ani\n"                           /* 18 */
	    "M18,Toko,A\x01ni,BRI,1234567,Ani\n"                           /* 19 */
	    "M6,Toko,Ani,BRI,1234567,Ani\n"                                /* 20 */
	    "M20,,Ani,BRI,12a45,Ani\n"                                     /* 21 */
	    "M21,\"Toko,\nDua\",Ani,BRI,\"1234 567\",\"Ani\"\n"            /* 22-23 good */
	    "M22,Toko,Ani,BRI,\"12\x00"
	    "34567\",Ani\n"                                                             /* 24 */
	    "M23,\"Toko, \"\"Tiga,Ani,BRI,1234567,Ani\nM24,Toko,Ani,BRI,1234567,Ani\n"; /* 25 */
	char *path;
	payees *p = (payees *)1;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(load_n("bad.csv", text, sizeof text - 1, &path, &p, &pr), ERR_INVALID);
	assert_null(p);
	expect_problem(pr, path, 3, "duplicate id (first at line 2)");
	expect_problem(pr, path, 4, "bad id: it must be 1 to 32 of A-Z a-z 0-9 . _ -");
	expect_problem(pr, path, 5, "bad id");
	expect_problem(pr, path, 6, "missing id");
	expect_problem(pr, path, 7, "missing name");
	expect_problem(pr, path, 8, "missing owner");
	expect_problem(pr, path, 9, "missing bank");
	expect_problem(pr, path, 10, "missing account_name");
	expect_problem(pr, path, 11, "missing account_number");
	expect_problem(pr, path, 12,
	               "bad account_number: only digits, with spaces, dots or "
	               "hyphens between them");
	expect_problem(pr, path, 13, "bad account_number: 4 digits, not 5 to 34");
	expect_problem(pr, path, 14, "bad account_number: 35 digits, not 5 to 34");
	expect_problem(pr, path, 15, "a spreadsheet turned it into a number");
	expect_problem(pr, path, 16, "7 fields, but the header has 6");
	expect_problem(pr, path, 17, "5 fields, but the header has 6");
	expect_problem(pr, path, 18, "name is not valid UTF-8 (save the file as CSV UTF-8)");
	expect_problem(pr, path, 19, "owner contains a control character");
	/* The first row with the id was bad, and is still named. */
	expect_problem(pr, path, 20, "duplicate id (first at line 7)");
	expect_problem(pr, path, 21, "missing name; bad account_number");
	expect_problem(pr, path, 24, "bad account_number: only digits");
	expect_problem(pr, path, 25, "a quoted field runs on to the end of the file");
	/* One problem per bad row, and no name or account number in any. */
	if (roster_problems_count(pr) != 21)
		show(pr);
	assert_int_equal(roster_problems_count(pr), 21);
	for (size_t i = 0; i < roster_problems_count(pr); i++) {
		const char *t = roster_problems_text(pr, i);
		assert_null(strstr(t, "1234567"));
		assert_null(strstr(t, "7654321"));
		assert_null(strstr(t, "Toko"));
		assert_null(strstr(t, "Ani"));
		assert_null(strstr(t, "Budi"));
	}
	roster_problems_free(pr);
	free(path);
}

static void file_level_refusals(void **state)
{
	static const char utf16le[] = "\xFF\xFEi\0d\0,\0n\0";
	static const char utf16be[] = "\xFE\xFF\0i\0d\0,\0n";
	static const char *const hdr = "id,name,owner,bank,account_number,account_name\n";
	char *text;
	payees *p;
	roster_problems *pr = NULL;
	size_t n;

	(void)state;
	expect_refused("h1.csv", LIT("id;name;owner;bank\nM1;Toko;Ani;BRI\n"), ERR_INVALID, 1,
	               "the header row lacks the column(s) account_number, account_name (it must "
	               "name id, name, owner, bank, account_number and account_name)");
	expect_refused("h2.csv", LIT("M1,Toko,Ani,BRI,1234567,Ani\n"), ERR_INVALID, 1,
	               "is the header row missing?");
	expect_refused("h3.csv",
	               LIT("\nid,name,owner,bank,account_number,account_name, ID \n"
	                   "M1,Toko,Ani,BRI,1234567,Ani,M1\n"),
	               ERR_INVALID, 2, "the header names column id twice (columns 1 and 7)");
	expect_refused("utf16le.csv", LIT(utf16le), ERR_INVALID, 0,
	               "the file is UTF-16 text; save it as CSV UTF-8");
	expect_refused("utf16be.csv", LIT(utf16be), ERR_INVALID, 0, "UTF-16");
	expect_refused("empty.csv", LIT(""), ERR_INVALID, 0,
	               "the file is empty; it needs a header row naming id, name, owner, bank, "
	               "account_number and account_name");
	expect_refused("blank.csv", LIT("\xEF\xBB\xBF\r\n  \r\n"), ERR_INVALID, 0,
	               "the file is empty");

	/* A field over 1 KiB, and a quote never closed that would read on without end. */
	text = malloc(4096);
	n = (size_t)sprintf(text, "%sM1,", hdr);
	memset(text + n, 'a', 1025);
	strcpy(text + n + 1025, ",Ani,BRI,1234567,Ani\n");
	expect_refused("long.csv", text, strlen(text), ERR_INVALID, 2, "longer than 1024 bytes");
	n = (size_t)sprintf(text, "%sM1,\"", hdr);
	memset(text + n, '\n', 2000);
	text[n + 2000] = '\0';
	expect_refused("quote.csv", text, strlen(text), ERR_INVALID, 2, "longer than 1024 bytes");
	free(text);

	assert_int_equal(payees_load("/nonexistent/merchants.csv", &p, &pr), ERR_IO);
	assert_null(p);
	expect_problem(pr, "/nonexistent/merchants.csv", 0, "cannot open");
	roster_problems_free(pr);
}

/* PAYEES_MAX_ROWS payees load; one more refuses the file at its line. */
static void row_limit(void **state)
{
	size_t n = PAYEES_MAX_ROWS, cap = (n + 1) * 48 + 64, len = 0;
	char *text = malloc(cap), *path;
	payees *p = NULL;
	roster_problems *pr = NULL;

	(void)state;
	len += (size_t)snprintf(text, cap, "id,name,owner,bank,account_number,account_name\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "M%zu,T,O,B,%08zu,A\n", i, i);
	assert_int_equal(load("max.csv", text, &path, &p, &pr), ERR_OK);
	assert_int_equal(payees_count(p), PAYEES_MAX_ROWS);
	assert_ptr_equal(payees_find(p, "M99999"), payees_at(p, PAYEES_MAX_ROWS - 1));
	payees_free(p);
	roster_problems_free(pr);
	free(path);

	snprintf(text + len, cap - len, "M%zu,T,O,B,%08zu,A\n", n, n);
	expect_refused("over.csv", text, strlen(text), ERR_INVALID, (unsigned long)n + 2,
	               "more than 100000 rows");
	free(text);
}

/* The example in PANDUAN.md (Indonesian, for the finance office) is a good merchants file. */
static void panduan_example(void **state)
{
	char *doc = doc_block(PANDUAN, "merchants"), *path;
	payees *p = NULL;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(load("panduan.csv", doc, &path, &p, &pr), ERR_OK);
	show(pr);
	assert_true(payees_count(p) >= 2);
	for (size_t i = 0; i < payees_count(p); i++)
		assert_ptr_equal(payees_find(p, payees_at(p, i)->id), payees_at(p, i));
	payees_free(p);
	roster_problems_free(pr);
	free(path);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_file_variants),
	    cmocka_unit_test(boundaries),
	    cmocka_unit_test(find_each_and_no_other),
	    cmocka_unit_test(one_bad_row_refuses_all),
	    cmocka_unit_test(bad_rows_and_lines),
	    cmocka_unit_test(file_level_refusals),
	    cmocka_unit_test(row_limit),
	    cmocka_unit_test(panduan_example),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
