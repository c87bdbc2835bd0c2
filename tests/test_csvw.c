#include "testutil.h"

#include <csv.h>

#include "csvw.h"

/* Everything written to f so far, as a malloc'd string. */
static char *contents(FILE *f)
{
	long n;
	char *s;

	assert_int_equal(fflush(f), 0);
	n = ftell(f);
	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	return s;
}

/* The text csvw_str writes for s followed by sep. */
static void check_str(const char *s, char sep, const char *want)
{
	FILE *f = tmpfile();
	char *got;

	assert_non_null(f);
	csvw_str(f, s, sep);
	got = contents(f);
	assert_string_equal(got, want);
	free(got);
	fclose(f);
}

static void quoting(void **state)
{
	(void)state;
	check_str("plain", ',', "plain,");
	check_str("plain", '\n', "plain\n");
	check_str("", ',', ",");
	check_str("Toko Batik", ',', "Toko Batik,");
	check_str("a,b", ',', "\"a,b\",");
	check_str("say \"hi\"", ',', "\"say \"\"hi\"\"\",");
	check_str("\"", ',', "\"\"\"\",");
	check_str("line1\nline2", '\n', "\"line1\nline2\"\n");
	check_str("cr\rhere", ',', "\"cr\rhere\",");
	check_str(" lead", ',', "\" lead\",");
	check_str("trail ", ',', "\"trail \",");
	check_str("in side", ',', "in side,");
	/* UTF-8 passes through untouched. */
	check_str("Dinas Pendidikan – Kab. Probolinggo", ',',
	          "Dinas Pendidikan – Kab. Probolinggo,");
}

static void formulas_defused(void **state)
{
	(void)state;
	check_str("=1+1", ',', "'=1+1,");
	check_str("+6281234", ',', "'+6281234,");
	check_str("-5", ',', "'-5,");
	check_str("@SUM(A1:A9)", ',', "'@SUM(A1:A9),");
	check_str("\tcmd", ',', "'\tcmd,");
	/* A carriage return both defuses and quotes. */
	check_str("\rcmd", ',', "\"'\rcmd\",");
	/* Defused and quoted: the apostrophe goes inside the quotes. */
	check_str("=HYPERLINK(\"http://x\",\"y\")", '\n',
	          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n");
	check_str("-1,5", ',', "\"'-1,5\",");
	/* Only the first character counts. */
	check_str("a=b", ',', "a=b,");
	check_str("1-2", ',', "1-2,");
}

static void numbers_plain(void **state)
{
	FILE *f = tmpfile();
	char *got;

	(void)state;
	assert_non_null(f);
	csvw_num(f, -5, ',');
	csvw_num(f, 0, ',');
	csvw_num(f, 150000, ',');
	csvw_num(f, INT64_MIN, ',');
	csvw_num(f, INT64_MAX, '\n');
	got = contents(f);
	assert_string_equal(got, "-5,0,150000,-9223372036854775808,9223372036854775807\n");
	free(got);
	fclose(f);
}

static void nip_as_text(void **state)
{
	(void)state;
	/* 18 digits stay exactly as given: no quoting, no apostrophe, no exponent. */
	check_str("197203151998031039", ',', "197203151998031039,");
	check_str("000000000000000001", '\n', "000000000000000001\n");
	check_str("0123456789ABCDEF", ',', "0123456789ABCDEF,");
}

static void row(void **state)
{
	const char *fields[] = {"197203151998031039", "Siti \"Ani\"", "-", "50000"};
	FILE *f = tmpfile();
	char *got;

	(void)state;
	assert_non_null(f);
	csvw_row(f, 4, fields);
	csvw_row(f, 1, fields);
	got = contents(f);
	assert_string_equal(got, "197203151998031039,\"Siti \"\"Ani\"\"\",'-,50000\n"
	                         "197203151998031039\n");
	free(got);
	fclose(f);
}

/* ---- round trip through libcsv ---- */

#define MAXF 64

struct parsed {
	char *field[MAXF];
	size_t nfield;
	int rows;
	size_t row_len[16];
};

static void on_field(void *s, size_t len, void *data)
{
	struct parsed *p = data;
	char *c = malloc(len + 1);

	memcpy(c, s ? s : "", len);
	c[len] = '\0';
	assert_true(p->nfield < MAXF);
	p->field[p->nfield++] = c;
}

static void on_row(int c, void *data)
{
	struct parsed *p = data;

	(void)c;
	assert_true(p->rows < 16);
	p->row_len[p->rows++] = p->nfield;
}

static int risky(const char *s)
{
	return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

static void round_trip(void **state)
{
	static const char *const rows[][6] = {
	    {"serial", "nip", "name", "opd", "amount", "note"},
	    {"0123456789ABCDEF", "197203151998031039", "Siti \"Ani\" Rahayu",
	     "Dinas Kesehatan, Kab.", "150000", " spaced "},
	    {"00000000000000FF", "199001012020122001", "Budi\nSantoso", "=cmd|' /C calc'!A0",
	     "-150000", "+1"},
	    {"0000000000000100", "198505052010011002", "@admin", "\tTab", "\rCR", ""},
	    {"0000000000000101", "198505052010011003", "Ölçü ñ", "'already", "a\"\"b", "x,y\nz"},
	};
	const size_t nrows = sizeof rows / sizeof rows[0];
	struct parsed p = {0};
	struct csv_parser csv;
	FILE *f = tmpfile();
	char *text;
	size_t k = 0;

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < nrows; i++)
		csvw_row(f, 6, rows[i]);
	text = contents(f);
	fclose(f);

	assert_int_equal(csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
	assert_int_equal(csv_parse(&csv, text, strlen(text), on_field, on_row, &p), strlen(text));
	assert_int_equal(csv_fini(&csv, on_field, on_row, &p), 0);
	csv_free(&csv);

	assert_int_equal(p.rows, (int)nrows);
	assert_int_equal(p.nfield, nrows * 6);
	for (size_t i = 0; i < nrows; i++) {
		assert_int_equal(p.row_len[i], (i + 1) * 6);
		for (size_t j = 0; j < 6; j++, k++) {
			const char *want = rows[i][j], *got = p.field[k];
			if (risky(want)) {
				/* Defused: one apostrophe in front, nothing else changed. */
				assert_int_equal(got[0], '\'');
				got++;
			}
			assert_string_equal(got, want);
		}
	}
	for (size_t i = 0; i < p.nfield; i++)
		free(p.field[i]);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quoting),       cmocka_unit_test(formulas_defused),
	    cmocka_unit_test(numbers_plain), cmocka_unit_test(nip_as_text),
	    cmocka_unit_test(row),           cmocka_unit_test(round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
