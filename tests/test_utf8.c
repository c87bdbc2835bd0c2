#include "testutil.h"

#include "utf8.h"

static void valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("Suparman", 8));
	assert_true(utf8_valid("Ni Luh Putu Ayu \xC3\x89", 18)); /* É */
	assert_true(utf8_valid("\xE2\x80\xA6", 3));              /* … */
	assert_true(utf8_valid("\xF0\x9F\x98\x80", 4));          /* U+1F600 */
	assert_true(utf8_valid("a\0b", 3));                      /* NUL is UTF-8 */
}

static void invalid(void **state)
{
	(void)state;
	assert_false(utf8_valid("\xE9t\xE9", 3)); /* Latin-1, as Excel saves */
	assert_false(utf8_valid("\xC3", 1));      /* cut short */
	assert_false(utf8_valid("\xE2\x80", 2));
	assert_false(utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
	assert_false(utf8_valid("\xE0\x80\xAF", 3));     /* overlong */
	assert_false(utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(utf8_valid("\x80", 1));             /* lone continuation */
	assert_false(utf8_valid("\xFF", 1));
	/* The length bounds the check: a valid prefix of a bad string passes. */
	assert_true(utf8_valid("ab\xFF", 2));
}

static void text(void **state)
{
	(void)state;
	assert_true(utf8_text("Drs. H. Suparman, M.Si.", 23));
	assert_false(utf8_text("tab\there", 8));
	assert_false(utf8_text("line\nbreak", 10));
	assert_false(utf8_text("del\x7f", 4));
	assert_false(utf8_text("a\0b", 3));
	assert_false(utf8_text("\xC3", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid),
	    cmocka_unit_test(invalid),
	    cmocka_unit_test(text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
