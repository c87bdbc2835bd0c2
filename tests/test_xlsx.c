#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "log.h"
#include "utf8.h"
#include "xlsx.h"

/* The name xlsx_sheet_name makes of want among taken (NULL-terminated). */
static const char *named(const char *want, const char *const *taken)
{
	static char out[XLSX_SHEET_NAME_SIZE];
	size_t n = 0;

	while (taken && taken[n])
		n++;
	memset(out, 0x55, sizeof out);
	xlsx_sheet_name(want, taken, n, out);
	return out;
}

/* UTF-16 units of s, as Excel counts a sheet name's length. */
static int units(const char *s)
{
	int u = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			u += *p >= 0xF0 ? 2 : 1;
	return u;
}

/* n times c, in one of four buffers used in turn (an assertion may
 * compare two). */
static char *repeat(char c, int n)
{
	static char buf[4][64];
	static int next;
	char *b = buf[next++ % 4];

	assert_true(n < 64);
	memset(b, c, (size_t)n);
	b[n] = '\0';
	return b;
}

static void plain_names_are_kept(void **state)
{
	(void)state;
	assert_string_equal(named("Dinas Kesehatan", NULL), "Dinas Kesehatan");
	assert_string_equal(named("Dinas Koperasi & UMKM", NULL), "Dinas Koperasi & UMKM");
	assert_string_equal(named("Bagian Umum (Setda)", NULL), "Bagian Umum (Setda)");
	assert_string_equal(named("Kecamatan Kraksaan's", NULL), "Kecamatan Kraksaan's");
}

static void forbidden_characters_are_replaced(void **state)
{
	(void)state;
	assert_string_equal(named("A/B\\C:D[E]F*G?H", NULL), "A-B-C-D(E)F_G_H");
	assert_string_equal(named("Dinas Koperasi/UMKM: Bidang", NULL),
	                    "Dinas Koperasi-UMKM- Bidang");
	/* Control characters become spaces, bytes that are not UTF-8 '_'. */
	assert_string_equal(named("A\tB\x7F"
	                          "C",
	                          NULL),
	                    "A B C");
	assert_string_equal(named("Dinas\xFF\xFEX", NULL), "Dinas__X");
	assert_string_equal(named("A\xC3", NULL), "A_");
	assert_string_equal(named("A\xED\xA0\x80Z", NULL), "A___Z"); /* a surrogate */
	assert_string_equal(named("A\xC0\xAFZ", NULL), "A__Z");      /* an overlong '/' */
}

static void ends_are_trimmed_and_empty_is_named(void **state)
{
	(void)state;
	assert_string_equal(named("  'Kantor Camat'  ", NULL), "Kantor Camat");
	assert_string_equal(named("''", NULL), "Lembar");
	assert_string_equal(named("", NULL), "Lembar");
	assert_string_equal(named(NULL, NULL), "Lembar");
	assert_string_equal(named(" \t ", NULL), "Lembar");
	assert_string_equal(named("///", NULL), "---");
}

static void long_names_are_cut_to_31(void **state)
{
	char want[128];

	(void)state;
	assert_string_equal(named(repeat('a', 40), NULL), repeat('a', 31));
	assert_string_equal(named(repeat('a', 31), NULL), repeat('a', 31));
	/* The 31st character ends in a space: trimmed, not kept as the last. */
	snprintf(want, sizeof want, "%s x", repeat('b', 30));
	assert_string_equal(named(want, NULL), repeat('b', 30));
	snprintf(want, sizeof want, "Dinas Koperasi/UMKM: Bidang Usaha Mikro");
	assert_string_equal(named(want, NULL), "Dinas Koperasi-UMKM- Bidang Usa");
}

static void long_names_are_cut_on_a_character_boundary(void **state)
{
	char want[128], expect[128];

	(void)state;
	/* 30 + a 2-byte character: 31 characters, 32 bytes, kept whole. */
	snprintf(want, sizeof want, "%s\xC3\xA9z", repeat('a', 30));
	snprintf(expect, sizeof expect, "%s\xC3\xA9", repeat('a', 30));
	assert_string_equal(named(want, NULL), expect);
	/* 29 + three 3-byte characters: the third is dropped whole. */
	snprintf(want, sizeof want, "%s\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", repeat('a', 29));
	snprintf(expect, sizeof expect, "%s\xE2\x82\xAC\xE2\x82\xAC", repeat('a', 29));
	assert_string_equal(named(want, NULL), expect);
	/* A character outside the BMP is two units for Excel: 30 + it is 32. */
	snprintf(want, sizeof want, "%s\xF0\x9F\x98\x80", repeat('a', 30));
	assert_string_equal(named(want, NULL), repeat('a', 30));
	snprintf(want, sizeof want, "%s\xF0\x9F\x98\x80", repeat('a', 29));
	assert_string_equal(named(want, NULL), want);
	/* 31 characters of 3 bytes: 93 bytes, the most a name takes. */
	want[0] = '\0';
	for (int i = 0; i < 35; i++)
		strcat(want, "\xE6\x97\xA5");
	assert_int_equal(strlen(named(want, NULL)), 93);
}

static void taken_names_get_a_number(void **state)
{
	const char *one[] = {"Dinas", NULL};
	const char *two[] = {"Dinas", "DINAS (2)", NULL};
	const char *ring[] = {"Ringkasan", NULL};

	(void)state;
	assert_string_equal(named("Dinas", one), "Dinas (2)");
	assert_string_equal(named("dinas", one), "dinas (2)");
	assert_string_equal(named("DINAS", two), "DINAS (3)");
	assert_string_equal(named("Dinasx", one), "Dinasx");
	assert_string_equal(named("ringkasan", ring), "ringkasan (2)");
	/* Excel reserves History, whatever its case. */
	assert_string_equal(named("History", NULL), "History (2)");
	assert_string_equal(named("HISTORY", NULL), "HISTORY (2)");
	assert_string_equal(named("Historyx", NULL), "Historyx");
}

static void numbered_names_stay_within_31(void **state)
{
	char want[128], expect[128], ten[12][XLSX_SHEET_NAME_SIZE];
	const char *taken[13] = {0};

	(void)state;
	snprintf(want, sizeof want, "Dinas Koperasi/UMKM: Bidang Usaha Kecil");
	taken[0] = "Dinas Koperasi-UMKM- Bidang Usa";
	assert_string_equal(named(want, taken), "Dinas Koperasi-UMKM- Bidang (2)");
	/* The cut before the number is on a character boundary too: 28
	 * characters, the last three of 2 bytes, and " (2)" leave 27. */
	snprintf(want, sizeof want, "%s\xC3\xA9\xC3\xA9\xC3\xA9", repeat('a', 25));
	assert_string_equal(named(want, NULL), want);
	taken[0] = want;
	snprintf(expect, sizeof expect, "%s\xC3\xA9\xC3\xA9 (2)", repeat('a', 25));
	assert_string_equal(named(want, taken), expect);
	assert_int_equal(units(expect), 31);
	taken[0] = NULL;
	/* Ten and more: " (10)" takes one more unit. */
	for (int i = 0; i < 12; i++) {
		snprintf(ten[i], sizeof ten[i], "%s", named(repeat('z', 40), taken + 1));
		taken[1 + i] = ten[i];
	}
	assert_string_equal(ten[0], repeat('z', 31));
	assert_string_equal(ten[1], "zzzzzzzzzzzzzzzzzzzzzzzzzzz (2)");
	assert_string_equal(ten[9], "zzzzzzzzzzzzzzzzzzzzzzzzzz (10)");
	for (int i = 0; i < 12; i++)
		assert_int_equal(units(ten[i]), 31);
}

static void case_is_compared_beyond_ascii(void **state)
{
	const char *cafe[] = {"CAF\xC3\x89", NULL}; /* CAFÉ */
	const char *lodz[] = {"\xC5\x81\xC3\x93"
	                      "D\xC5\xB9",
	                      NULL}; /* ŁÓDŹ */

	(void)state;
	assert_string_equal(named("caf\xC3\xA9", cafe), "caf\xC3\xA9 (2)");
	assert_string_equal(named("\xC5\x82\xC3\xB3"
	                          "d\xC5\xBA",
	                          lodz),
	                    "\xC5\x82\xC3\xB3"
	                    "d\xC5\xBA (2)");
	assert_string_equal(named("cafe", cafe), "cafe");
}

/* Random names, many alike, through the rules and into a real workbook:
 * libxlsxwriter's own check (length, characters, apostrophes, uniqueness)
 * takes every one, and they are unique among themselves. */
static void random_names_are_valid_for_libxlsxwriter(void **state)
{
	static const char *const parts[] = {"Dinas",
	                                    " ",
	                                    "/",
	                                    ":",
	                                    "[",
	                                    "]",
	                                    "*",
	                                    "?",
	                                    "\\",
	                                    "'",
	                                    "\xC3\xA9",
	                                    "\xC3\x89",
	                                    "\xE2\x82\xAC",
	                                    "\xF0\x9F\x98\x80",
	                                    "\xFF",
	                                    "\t",
	                                    "UMKM",
	                                    "Kecamatan Kraksaan",
	                                    "a",
	                                    "A"};
	enum { N = 600 };
	char(*names)[XLSX_SHEET_NAME_SIZE] = calloc(N, sizeof *names);
	const char **taken = calloc(N, sizeof *taken);
	lxw_workbook *wb = workbook_new("/nonexistent/never-written.xlsx");

	(void)state;
	assert_non_null(names);
	assert_non_null(taken);
	assert_non_null(wb);
	for (int i = 0; i < N; i++) {
		char want[512] = "";
		int k = rng_byte() % 16;
		for (int j = 0; j < k; j++)
			strcat(want, parts[rng_byte() % (sizeof parts / sizeof *parts)]);
		xlsx_sheet_name(want, taken, (size_t)i, names[i]);
		taken[i] = names[i];
		assert_true(utf8_valid(names[i], strlen(names[i])));
		assert_true(units(names[i]) >= 1 && units(names[i]) <= XLSX_SHEET_NAME_MAX);
		assert_null(strpbrk(names[i], "[]:*?/\\"));
		assert_true(names[i][0] != '\'' && names[i][strlen(names[i]) - 1] != '\'');
		assert_int_equal(workbook_validate_sheet_name(wb, names[i]), LXW_NO_ERROR);
		assert_non_null(workbook_add_worksheet(wb, names[i]));
	}
	lxw_workbook_free(wb);
	free(names);
	free(taken);
}

/* ---- the workbook as a file ---- */

static int setup(void **state)
{
	*state = tmpdir_make();
	/* The failures below log on purpose; keep the output to the results. */
	log_init("test", LOGL_OFF);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	tmpdir_remove(*state);
	return 0;
}

/* The names in dir, sorted, joined by '/'. */
static void list_dir(const char *dir, char *out, size_t n)
{
	struct dirent **e;
	int k = scandir(dir, &e, NULL, alphasort);

	assert_true(k >= 0);
	out[0] = '\0';
	for (int i = 0; i < k; i++) {
		if (strcmp(e[i]->d_name, ".") != 0 && strcmp(e[i]->d_name, "..") != 0) {
			if (out[0])
				strncat(out, "/", n - strlen(out) - 1);
			strncat(out, e[i]->d_name, n - strlen(out) - 1);
		}
		free(e[i]);
	}
	free(e);
}

static void write_table(xlsx *x, const char *name)
{
	static const char *const head[] = {"NIP", "Nama", "Potongan"};
	xlsx_sheet *s;

	assert_int_equal(xlsx_sheet_add(x, name, "Judul", head, 3, &s), ERR_OK);
	for (int i = 0; i < 100; i++) {
		xlsx_text(s, "198909012015031001");
		xlsx_text(s, "Siti Rahayu");
		xlsx_rupiah(s, 50000);
		assert_int_equal(xlsx_row_end(s), ERR_OK);
	}
	xlsx_totals(s);
	xlsx_text(s, "Jumlah");
	xlsx_blank(s);
	xlsx_rupiah(s, 5000000);
	assert_int_equal(xlsx_row_end(s), ERR_OK);
}

static void a_workbook_replaces_its_path_atomically(void **state)
{
	const char *dir = *state;
	char path[4200], names[1024], *data;
	struct stat st;
	xlsx *x;

	snprintf(path, sizeof path, "%s/out.xlsx", dir);
	free(write_file(dir, "out.xlsx", "the old one"));
	assert_int_equal(xlsx_open(path, 0600, &x), ERR_OK);
	write_table(x, "Ringkasan");
	write_table(x, "ringkasan");
	/* Until it is closed, the old file is whole. */
	data = read_text(path);
	assert_string_equal(data, "the old one");
	free(data);
	assert_int_equal(xlsx_close(x), ERR_OK);
	list_dir(dir, names, sizeof names);
	assert_string_equal(names, "out.xlsx");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	data = read_text(path);
	assert_memory_equal(data, "PK\x03\x04", 4);
	free(data);
}

static void the_second_sheet_of_a_name_is_numbered(void **state)
{
	const char *dir = *state;
	static const char *const head[] = {"A"};
	char path[4200];
	xlsx_sheet *a, *b, *c;
	xlsx *x;

	snprintf(path, sizeof path, "%s/names.xlsx", dir);
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_OK);
	assert_int_equal(xlsx_sheet_add(x, "Ringkasan", NULL, head, 1, &a), ERR_OK);
	assert_int_equal(xlsx_sheet_add(x, "RINGKASAN", NULL, head, 1, &b), ERR_OK);
	assert_int_equal(xlsx_sheet_add(x, "Dinas/Badan: Umum", NULL, head, 1, &c), ERR_OK);
	assert_string_equal(xlsx_sheet_title(a), "Ringkasan");
	assert_string_equal(xlsx_sheet_title(b), "RINGKASAN (2)");
	assert_string_equal(xlsx_sheet_title(c), "Dinas-Badan- Umum");
	assert_int_equal(xlsx_close(x), ERR_OK);
}

static void a_failure_leaves_nothing(void **state)
{
	const char *dir = *state;
	static const char *const head[] = {"A", "B"};
	char path[4200], names[1024], *data;
	xlsx_sheet *s;
	xlsx *x;

	/* A row with more cells than columns: our bug, kept, and the end. */
	snprintf(path, sizeof path, "%s/bad.xlsx", dir);
	free(write_file(dir, "bad.xlsx", "the old one"));
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_OK);
	assert_int_equal(xlsx_sheet_add(x, "S", NULL, head, 2, &s), ERR_OK);
	xlsx_text(s, "1");
	xlsx_text(s, "2");
	xlsx_text(s, "3");
	assert_int_equal(xlsx_error(x), ERR_INTERNAL);
	assert_int_equal(xlsx_row_end(s), ERR_INTERNAL);
	xlsx_count(s, 4); /* nothing happens */
	assert_int_equal(xlsx_close(x), ERR_INTERNAL);
	data = read_text(path);
	assert_string_equal(data, "the old one");
	free(data);

	/* Too many columns; then a workbook without a sheet. */
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_OK);
	assert_int_equal(xlsx_sheet_add(x, "S", NULL, head, XLSX_COLS_MAX + 1, &s), ERR_INVALID);
	assert_null(s);
	assert_int_equal(xlsx_close(x), ERR_INVALID);
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_OK);
	assert_int_equal(xlsx_close(x), ERR_INTERNAL);

	/* Discarded. */
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_OK);
	write_table(x, "S");
	xlsx_discard(x);
	list_dir(dir, names, sizeof names);
	assert_string_equal(names, "bad.xlsx");
	data = read_text(path);
	assert_string_equal(data, "the old one");
	free(data);

	/* A folder that does not exist. */
	snprintf(path, sizeof path, "%s/none/x.xlsx", dir);
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_IO);
	assert_null(x);
	list_dir(dir, names, sizeof names);
	assert_string_equal(names, "bad.xlsx");
}

static void rows_left_count_down(void **state)
{
	const char *dir = *state;
	static const char *const head[] = {"A"};
	char path[4200];
	xlsx_sheet *s;
	xlsx *x;

	snprintf(path, sizeof path, "%s/rows.xlsx", dir);
	assert_int_equal(xlsx_open(path, 0644, &x), ERR_OK);
	assert_int_equal(xlsx_sheet_add(x, "S", "T", head, 1, &s), ERR_OK);
	assert_int_equal(xlsx_rows_left(s), LXW_ROW_MAX - 2); /* the title and the header */
	xlsx_count(s, 1);
	assert_int_equal(xlsx_row_end(s), ERR_OK);
	assert_int_equal(xlsx_rows_left(s), LXW_ROW_MAX - 3);
	assert_int_equal(xlsx_close(x), ERR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_names_are_kept),
	    cmocka_unit_test(forbidden_characters_are_replaced),
	    cmocka_unit_test(ends_are_trimmed_and_empty_is_named),
	    cmocka_unit_test(long_names_are_cut_to_31),
	    cmocka_unit_test(long_names_are_cut_on_a_character_boundary),
	    cmocka_unit_test(taken_names_get_a_number),
	    cmocka_unit_test(numbered_names_stay_within_31),
	    cmocka_unit_test(case_is_compared_beyond_ascii),
	    cmocka_unit_test(random_names_are_valid_for_libxlsxwriter),
	    cmocka_unit_test_setup_teardown(a_workbook_replaces_its_path_atomically, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(the_second_sheet_of_a_name_is_numbered, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_failure_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(rows_left_count_down, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
