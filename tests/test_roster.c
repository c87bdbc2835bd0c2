/* Unit tests of issuer/roster: the HR roster CSV, its variants, and every bad row with its line. */
#include "testutil.h"

#include <stdbool.h>

#include "../issuer/roster.h"

#define YEAR 2026

/* Write text (len bytes, so it may hold NULs) to dir/name and load it. */
static err load_n(const char *name, const char *text, size_t len, char **path, roster **r,
                  roster_problems **pr)
{
	FILE *f;

	*path = malloc(4096);
	snprintf(*path, 4096, "%s/%s", test_dir, name);
	f = fopen(*path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return roster_load(*path, YEAR, r, pr);
}

static err load(const char *name, const char *text, char **path, roster **r, roster_problems **pr)
{
	return load_n(name, text, strlen(text), path, r, pr);
}

/* True if some problem reads "PATH:LINE: ..." and contains what. */
static bool problem_at(const roster_problems *pr, const char *path, unsigned long line,
                       const char *what)
{
	char head[4200];

	snprintf(head, sizeof head, "%s:%lu: ", path, line);
	for (size_t i = 0; i < roster_problems_count(pr); i++) {
		const char *t = roster_problems_text(pr, i);
		if (strncmp(t, head, strlen(head)) == 0 && strstr(t, what) &&
		    roster_problems_line(pr, i) == line)
			return true;
	}
	return false;
}

static void dump(const roster_problems *pr)
{
	for (size_t i = 0; i < roster_problems_count(pr); i++)
		fprintf(stderr, "  problem: %s\n", roster_problems_text(pr, i));
}

/* Fail, showing every problem, unless one is at line and says what. */
static void expect_problem(const roster_problems *pr, const char *path, unsigned long line,
                           const char *what)
{
	if (!problem_at(pr, path, line, what)) {
		dump(pr);
		fail_msg("no problem at line %lu saying \"%s\"", line, what);
	}
}

static void header_any_order(void **state)
{
	char *path;
	roster *r = NULL;
	roster_problems *pr = NULL;
	const roster_row *row;

	(void)state;
	assert_int_equal(load("order.csv",
	                      " Class ;STATUS;Tpp;remark;NAME;Nip;OPD\n"
	                      "Eselon IV;Aktif;5.000.000;x;Budi Santoso;197203151998031001;Dinas "
	                      "Kesehatan\n"
	                      "fungsional;aktif;;;Siti;198505102023212001;BKAD\n",
	                      &path, &r, &pr),
	                 ERR_OK);
	dump(pr);
	assert_int_equal(roster_problems_count(pr), 0);
	assert_int_equal(roster_count(r), 2);
	row = roster_at(r, 0);
	assert_int_equal(row->line, 2);
	assert_string_equal(row->nip, "197203151998031001");
	assert_int_equal(row->kind, NIP_PNS);
	assert_string_equal(row->name, "Budi Santoso");
	assert_string_equal(row->opd, "Dinas Kesehatan");
	assert_string_equal(row->class_name, "eselon_iv");
	assert_int_equal(row->tpp, 5000000);
	row = roster_at(r, 1);
	assert_int_equal(row->line, 3);
	assert_int_equal(row->kind, NIP_PPPK);
	assert_int_equal(row->tpp, -1);
	assert_null(roster_at(r, 2));
	assert_string_equal(roster_path(r), path);
	roster_free(r);
	roster_problems_free(pr);
	free(path);
}

/* The same roster as Indonesian Excel writes it (';', BOM, CRLF) and as ',' with LF. */
static void variants_same_rows(void **state)
{
	static const char *lf =
	    "nip,name,opd,class,tpp,status\n"
	    "197203151998031001,\"Drs. H. Suparman, M.Si.\",Dinas Kesehatan,Eselon "
	    "IV,\"5.000.000,00\",aktif\n"
	    "197203151998031002,O'Neil,\"BKAD; Bidang Aset\",pelaksana,4100000,aktif\n"
	    "197203151998031003,\"Budi \"\"Bob\"\" Santoso\",Dinas PU,fungsional,,AKTIF\n";
	static const char *crlf =
	    "\xEF\xBB\xBFnip;name;opd;class;tpp;status\r\n"
	    "197203151998031001;Drs. H. Suparman, M.Si.;Dinas Kesehatan;Eselon "
	    "IV;5.000.000,00;aktif\r\n"
	    "197203151998031002;O'Neil;\"BKAD; Bidang Aset\";pelaksana;4100000;"
	    "aktif\r\n"
	    "197203151998031003;\"Budi \"\"Bob\"\" Santoso\";Dinas "
	    "PU;fungsional;;AKTIF\r\n";
	char *p1, *p2;
	roster *a = NULL, *b = NULL;
	roster_problems *pa = NULL, *pb = NULL;

	(void)state;
	assert_int_equal(load("lf.csv", lf, &p1, &a, &pa), ERR_OK);
	assert_int_equal(load("crlf.csv", crlf, &p2, &b, &pb), ERR_OK);
	dump(pa);
	dump(pb);
	assert_int_equal(roster_problems_count(pa), 0);
	assert_int_equal(roster_problems_count(pb), 0);
	assert_int_equal(roster_count(a), 3);
	assert_int_equal(roster_count(b), 3);
	for (size_t i = 0; i < 3; i++) {
		const roster_row *x = roster_at(a, i), *y = roster_at(b, i);
		assert_int_equal(x->line, i + 2);
		assert_int_equal(x->line, y->line);
		assert_string_equal(x->nip, y->nip);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->opd, y->opd);
		assert_string_equal(x->class_name, y->class_name);
		assert_int_equal(x->tpp, y->tpp);
	}
	assert_string_equal(roster_at(a, 0)->name, "Drs. H. Suparman, M.Si.");
	assert_int_equal(roster_at(a, 0)->tpp, 5000000);
	assert_string_equal(roster_at(a, 1)->name, "O'Neil");
	assert_string_equal(roster_at(a, 1)->opd, "BKAD; Bidang Aset");
	assert_string_equal(roster_at(a, 2)->name, "Budi \"Bob\" Santoso");
	assert_string_equal(roster_at(a, 2)->class_name, "fungsional");
	roster_free(a);
	roster_free(b);
	roster_problems_free(pa);
	roster_problems_free(pb);
	free(p1);
	free(p2);
}

static void bad_rows_and_lines(void **state)
{
	static const char text[] =
	    "nip,name,opd,class,tpp,status\n"                                           /* 1 */
	    "197203151998031001,\"Drs. H. Suparman,\nM.Si.\",Dinkes,Eselon IV,,aktif\n" /* 2-3 */
	    "19720315199803100,Budi,Dinkes,pelaksana,,aktif\n"                          /* 4 */
	    "1.97203E+17,Budi,Dinkes,pelaksana,,aktif\n"                                /* 5 */
	    "197203151998031001,Ani,Dinkes,pelaksana,,aktif\n"                          /* 6 */
	    "197203151998031002,,Dinkes,pelaksana,,aktif\n"                             /* 7 */
	    "197203151998031003,Ani,  ,pelaksana,,aktif\n"                              /* 8 */
	    "197203151998031004,Ani,Dinkes,,,aktif\n"                                   /* 9 */
	    "197203151998031005,Ani,Dinkes,pelaksana,5.000.00,aktif\n"                  /* 10 */
	    "197203151998031006,Sugi\xe9,Dinkes,pelaksana,,aktif\n"                     /* 11 */
	    "197203151998031007,Ani,Dinkes,pelaksana,aktif\n"                           /* 12 */
	    "\"197203151998031008\",\"Multi\r\nline\n name\",Dinkes,\"pelaksana\",,aktif\n" /* 13-15
	                                                                                     */
	    "197213151998031009,Ani,Dinkes,pelaksana,,aktif\n"                              /* 16 */
	    "197203151998031000,Ani,Dinkes,pelaksana,,aktif\n"                              /* 17 */
	    "197203151998031010,Ani,Dinas \xe9,pelaksana,-5000,aktif\n"                     /* 18 */
	    "197203151998031011,Ani,Dinkes,pelaksana,99999999999999999999,aktif\n"          /* 19 */
	    "197203151998031012,Ani,Dinkes,pelaksana,\"1,5\",aktif\n"                       /* 20 */
	    "197203151998031013,Ani,Dinkes,pelaksana,,aktif,extra\n"                        /* 21 */
	    "197203151998031014,A\x01ni,Dinkes,pelaksana,,aktif\n";                         /* 22 */
	char *path;
	roster *r = NULL;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(load("bad.csv", text, &path, &r, &pr), ERR_OK);
	assert_int_equal(roster_count(r), 2);
	assert_int_equal(roster_at(r, 0)->line, 2);
	assert_string_equal(roster_at(r, 0)->name, "Drs. H. Suparman, M.Si.");
	assert_int_equal(roster_at(r, 1)->line, 13);
	assert_string_equal(roster_at(r, 1)->name, "Multi line name");
	assert_string_equal(roster_at(r, 1)->nip, "197203151998031008");

	expect_problem(pr, path, 4, "bad NIP: must be 18 digits, not 17");
	expect_problem(pr, path, 5, "bad NIP: a spreadsheet turned it into a number");
	expect_problem(pr, path, 6, "duplicate NIP (first at line 2)");
	expect_problem(pr, path, 7, "missing name");
	expect_problem(pr, path, 8, "missing OPD");
	expect_problem(pr, path, 9, "missing class");
	expect_problem(pr, path, 10, "bad TPP");
	expect_problem(pr, path, 11, "name is not valid UTF-8 (save the file as CSV UTF-8)");
	expect_problem(pr, path, 12, "5 fields, but the header has 6");
	expect_problem(pr, path, 16, "bad NIP: birth date is not a real date");
	expect_problem(pr, path, 17, "bad NIP: sequence number must not be 000");
	expect_problem(pr, path, 18, "OPD is not valid UTF-8");
	expect_problem(pr, path, 18, "bad TPP");
	expect_problem(pr, path, 19, "TPP is too large");
	expect_problem(pr, path, 20, "bad TPP");
	expect_problem(pr, path, 21, "7 fields, but the header has 6");
	expect_problem(pr, path, 22, "name contains a control character");
	/* One problem per bad row, and no NIP or name in any of them. */
	if (roster_problems_count(pr) != 16)
		dump(pr);
	assert_int_equal(roster_problems_count(pr), 16);
	for (size_t i = 0; i < roster_problems_count(pr); i++) {
		assert_null(strstr(roster_problems_text(pr, i), "19720315"));
		assert_null(strstr(roster_problems_text(pr, i), "Ani"));
	}
	roster_free(r);
	roster_problems_free(pr);
	free(path);
}

static void statuses_and_blank_lines(void **state)
{
	static const char text[] = "\n"
	                           "  \n"
	                           "nip;name;opd;class;status\n" /* 3 */
	                           "\n"
	                           "197203151998031001;A;X;pelaksana;aktif\n" /* 5 */
	                           "197203151998031002;B;X;pelaksana;Pensiun\n"
	                           ";;;;\n"
	                           "   ;  ; ;;\n"
	                           "197203151998031003;C;X;pelaksana;\n"
	                           "bad;;;;cuti\n" /* skipped rows are not checked */
	                           "197203151998031004;D;X;pelaksana;pensiun\n"
	                           "\r\n"
	                           "197203151998031005;E;X;pelaksana; AKTIF \n" /* 13 */
	                           "197203151998031001;A again;X;pelaksana;mutasi\n"
	                           "\n";
	char *path;
	roster *r = NULL;
	roster_problems *pr = NULL;
	size_t rows = 0;

	(void)state;
	assert_int_equal(load("status.csv", text, &path, &r, &pr), ERR_OK);
	dump(pr);
	assert_int_equal(roster_problems_count(pr), 0);
	assert_int_equal(roster_count(r), 2);
	assert_int_equal(roster_at(r, 0)->line, 5);
	assert_int_equal(roster_at(r, 0)->tpp, -1);
	assert_int_equal(roster_at(r, 1)->line, 13);
	assert_string_equal(roster_at(r, 1)->name, "E");
	assert_int_equal(roster_skipped(r), 5);
	assert_int_equal(roster_statuses(r), 4);
	assert_string_equal(roster_status_at(r, 0, &rows), "pensiun");
	assert_int_equal(rows, 2);
	assert_string_equal(roster_status_at(r, 1, &rows), "");
	assert_int_equal(rows, 1);
	assert_string_equal(roster_status_at(r, 2, &rows), "cuti");
	assert_int_equal(rows, 1);
	assert_string_equal(roster_status_at(r, 3, &rows), "mutasi");
	assert_int_equal(rows, 1);
	assert_null(roster_status_at(r, 4, &rows));
	roster_free(r);
	roster_problems_free(pr);
	free(path);
}

/* Old Mac line ends (CR only) count as lines too. */
static void cr_line_ends(void **state)
{
	char *path;
	roster *r = NULL;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(load("cr.csv",
	                      "nip,name,opd,class\r\r"
	                      "197203151998031001,\"Two\rlines\",X,a\r"
	                      "197203151998031002,,X,a\r",
	                      &path, &r, &pr),
	                 ERR_OK);
	assert_int_equal(roster_count(r), 1);
	assert_int_equal(roster_at(r, 0)->line, 3);
	assert_string_equal(roster_at(r, 0)->name, "Two lines");
	expect_problem(pr, path, 5, "missing name");
	roster_free(r);
	roster_problems_free(pr);
	free(path);
}

/* A quote never closed swallows the rest: the row says where it starts and where it runs to. */
static void unclosed_quote(void **state)
{
	char *path;
	roster *r = NULL;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(load("quote.csv",
	                      "nip,name,opd,class\n"
	                      "197203151998031001,A,X,a\n"
	                      "197203151998031002,\"B,X,a\n"
	                      "197203151998031003,C,X,a\n",
	                      &path, &r, &pr),
	                 ERR_OK);
	assert_int_equal(roster_count(r), 1);
	expect_problem(pr, path, 3, "runs on to the end of the file (is a closing quote missing?)");
	roster_free(r);
	roster_problems_free(pr);
	free(path);
}

/* Thousands of rows across read chunks, CRLF, some names over two or three lines: every
 * row keeps the line it starts on. */
static void lines_across_chunks(void **state)
{
	size_t nrows = 6000, cap = nrows * 120 + 64, n = 0;
	char *text = malloc(cap), *path;
	unsigned long *want = malloc(nrows * sizeof *want), line = 1;
	roster *r = NULL;
	roster_problems *pr = NULL;

	(void)state;
	n += (size_t)snprintf(text + n, cap - n, "nip;name;opd;class;tpp\r\n");
	for (size_t i = 0; i < nrows; i++) {
		line++;
		want[i] = line;
		n += (size_t)snprintf(text + n, cap - n, "%d%02d%02d1998031%03zu;",
		                      1960 + (int)(i % 20), 1 + (int)(i % 12), 1 + (int)(i % 28),
		                      i % 999 + 1);
		if (i % 7 == 3) {
			n += (size_t)snprintf(
			    text + n, cap - n,
			    "\"Name %zu\r\nline two\r\nthree\";Dinas %zu;Eselon IV;"
			    "5.000.000\r\n",
			    i, i % 17);
			line += 2;
		} else {
			n += (size_t)snprintf(text + n, cap - n,
			                      "Name %zu;Dinas %zu;pelaksana;\r\n", i, i % 17);
		}
		if (i % 11 == 5) {
			n += (size_t)snprintf(text + n, cap - n, "\r\n;;;;\r\n");
			line += 2;
		}
	}
	assert_int_equal(load("many.csv", text, &path, &r, &pr), ERR_OK);
	dump(pr);
	assert_true(n > 2 * 65536);
	assert_int_equal(roster_problems_count(pr), 0);
	assert_int_equal(roster_count(r), nrows);
	for (size_t i = 0; i < nrows; i++) {
		const roster_row *row = roster_at(r, i);
		if (row->line != want[i])
			fail_msg("row %zu: line %lu, want %lu", i, row->line, want[i]);
		if (i % 7 == 3) {
			assert_string_equal(row->class_name, "eselon_iv");
			assert_non_null(strstr(row->name, " line two three"));
		}
	}
	roster_free(r);
	roster_problems_free(pr);
	free(path);
	free(text);
	free(want);
}

static void refuse_file(const char *name, const char *text, size_t len, err want,
                        unsigned long line, const char *what)
{
	char *path;
	roster *r = (roster *)1;
	roster_problems *pr = NULL;
	size_t n;

	assert_int_equal(load_n(name, text, len, &path, &r, &pr), want);
	assert_null(r);
	n = roster_problems_count(pr);
	assert_true(n >= 1);
	if (!problem_at(pr, path, line, what) &&
	    !(line == 0 && strstr(roster_problems_text(pr, n - 1), what))) {
		dump(pr);
		fail_msg("no problem at line %lu with \"%s\"", line, what);
	}
	roster_problems_free(pr);
	free(path);
}

/* A string literal and its length (it may hold NULs). */
#define LIT(s) s, sizeof s - 1

static void file_level_problems(void **state)
{
	static const char utf16[] = "\xFF\xFEn\0i\0p\0";
	static const char nul[] = "nip,name,opd,class\n197203151998031001,A\0B,X,a\n";
	char *path;
	roster *r;
	roster_problems *pr = NULL;

	(void)state;
	refuse_file("h1.csv", LIT("nip,name,class,tpp\n197203151998031001,A,a,1\n"), ERR_INVALID, 1,
	            "lacks the column(s) opd");
	refuse_file("h2.csv", LIT("\"NIP\";Nama;Unit;Kelas\n"), ERR_INVALID, 1,
	            "lacks the column(s) name, opd, class");
	refuse_file("h3.csv", LIT("197203151998031001,A,X,a\n"), ERR_INVALID, 1,
	            "is the header row missing?");
	refuse_file("h4.csv", LIT("\n\nnip,name,opd,class,NIP\n"), ERR_INVALID, 3,
	            "names column nip twice (columns 1 and 5)");
	refuse_file("empty.csv", LIT(""), ERR_INVALID, 0, "the file is empty");
	refuse_file("bom.csv", LIT("\xEF\xBB\xBF\r\n"), ERR_INVALID, 0, "the file is empty");
	refuse_file("utf16.csv", LIT(utf16), ERR_INVALID, 0, "UTF-16");

	/* A NUL inside a field is a bad row, not a crash. */
	assert_int_equal(load_n("nul.csv", nul, sizeof nul - 1, &path, &r, &pr), ERR_OK);
	assert_int_equal(roster_count(r), 0);
	expect_problem(pr, path, 2, "name contains a control character");
	roster_free(r);
	roster_problems_free(pr);
	free(path);

	assert_int_equal(roster_load("/nonexistent/roster.csv", YEAR, &r, &pr), ERR_IO);
	assert_null(r);
	assert_int_equal(roster_problems_count(pr), 1);
	assert_non_null(
	    strstr(roster_problems_text(pr, 0), "/nonexistent/roster.csv: cannot open"));
	roster_problems_free(pr);
}

/* Fields up to 1 KiB are taken; a longer one refuses the file. */
static void field_limit(void **state)
{
	char *text = malloc(4096), *path;
	roster *r = NULL;
	roster_problems *pr = NULL;
	size_t n;

	(void)state;
	n = (size_t)sprintf(text, "nip,name,opd,class\n197203151998031001,");
	memset(text + n, 'a', ROSTER_FIELD_MAX);
	strcpy(text + n + ROSTER_FIELD_MAX, ",X,a\n");
	assert_int_equal(load("f1024.csv", text, &path, &r, &pr), ERR_OK);
	assert_int_equal(roster_count(r), 1);
	assert_int_equal(strlen(roster_at(r, 0)->name), ROSTER_FIELD_MAX);
	roster_free(r);
	roster_problems_free(pr);
	free(path);

	memset(text + n, 'a', ROSTER_FIELD_MAX + 1);
	strcpy(text + n + ROSTER_FIELD_MAX + 1, ",X,a\n");
	refuse_file("f1025.csv", text, strlen(text), ERR_INVALID, 2, "longer than 1024 bytes");

	/* An unclosed quote near the end of a big file does not read on without end. */
	n = (size_t)sprintf(text, "nip,name,opd,class\n\"");
	memset(text + n, '\n', 2000);
	text[n + 2000] = '\0';
	refuse_file("fq.csv", text, strlen(text), ERR_INVALID, 2, "longer than 1024 bytes");
	free(text);
}

static void row_limit(void **state)
{
	static const char row[] = "1,a,b,c,pensiun\n";
	size_t rl = sizeof row - 1, n = (size_t)ROSTER_MAX_ROWS + 1;
	char *text = malloc(64 + n * rl), *p = text, *path;
	roster *r = NULL;
	roster_problems *pr = NULL;

	(void)state;
	p += sprintf(p, "nip,name,opd,class,status\n");
	for (size_t i = 0; i < n - 1; i++, p += rl)
		memcpy(p, row, rl);
	*p = '\0';
	assert_int_equal(load("max.csv", text, &path, &r, &pr), ERR_OK);
	assert_int_equal(roster_skipped(r), ROSTER_MAX_ROWS);
	roster_free(r);
	roster_problems_free(pr);
	free(path);

	memcpy(p, row, rl);
	p[rl] = '\0';
	refuse_file("over.csv", text, strlen(text), ERR_INVALID, (unsigned long)n + 1,
	            "more than 1000000 rows");
	free(text);
}

static void class_names(void **state)
{
	char a[] = " Eselon IV ", b[] = "eselon-iv", c[] = "ESELON  -_ IV", d[] = "Fungsional",
	     e[] = "eselon_iv";

	(void)state;
	roster_class_normalize(a);
	roster_class_normalize(b);
	roster_class_normalize(c);
	roster_class_normalize(d);
	roster_class_normalize(e);
	assert_string_equal(a, "eselon_iv");
	assert_string_equal(b, "eselon_iv");
	assert_string_equal(c, "eselon_iv");
	assert_string_equal(d, "fungsional");
	assert_string_equal(e, "eselon_iv");
}

static void problems_add(void **state)
{
	char *path;
	roster *r = NULL;
	roster_problems *pr = NULL;

	(void)state;
	assert_int_equal(
	    load("add.csv", "nip,name,opd,class\n197203151998031001,A,X,guru\n", &path, &r, &pr),
	    ERR_OK);
	assert_int_equal(roster_problems_count(pr), 0);
	assert_int_equal(roster_problems_add(pr, roster_path(r), roster_at(r, 0)->line,
	                                     "unknown class %s", roster_at(r, 0)->class_name),
	                 ERR_OK);
	assert_int_equal(roster_problems_count(pr), 1);
	expect_problem(pr, path, 2, "unknown class guru");
	assert_null(roster_problems_text(pr, 1));
	assert_int_equal(roster_problems_count(NULL), 0);
	roster_free(r);
	roster_problems_free(pr);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_any_order),    cmocka_unit_test(variants_same_rows),
	    cmocka_unit_test(bad_rows_and_lines),  cmocka_unit_test(statuses_and_blank_lines),
	    cmocka_unit_test(cr_line_ends),        cmocka_unit_test(unclosed_quote),
	    cmocka_unit_test(lines_across_chunks), cmocka_unit_test(file_level_problems),
	    cmocka_unit_test(field_limit),         cmocka_unit_test(row_limit),
	    cmocka_unit_test(class_names),         cmocka_unit_test(problems_add),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
