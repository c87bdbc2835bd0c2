/* Unit tests of issuer/policy: the DESIGN.md example, comments, every problem with its line,
 * and the amount of a percentage class (rounding, min/max). */
#include "testutil.h"

#include <stdbool.h>

#include "../issuer/policy.h"

/* A policy as people write one (a BOM, CRLF, comments, blanks, odd case):
 * its scheme's first lines, then the rest of one with two classes, the
 * last one's amount left to each test. */
#define FULL_HEAD                                                                                  \
	"\xEF\xBB\xBF# Kebijakan voucher TPP\r\n"                                                  \
	"; Kabupaten Bojonegoro\r\n"                                                               \
	"[ scheme ]   # the scheme\r\n"                                                            \
	"  issuer = BOJONEGORO   # region\r\n"                                                     \
	"\ttimezone = WITA\r\n"                                                                    \
	"Grace_Days = 0\r\n"                                                                       \
	"use = Single ; one purchase\r\n"
#define FULL_REST                                                                                  \
	"unspent = refund # next month\r\n"                                                        \
	"gallery = DEKRANASDA-1\r\n"                                                               \
	"title = \"Gerakan ASN Belanja Produk UMKM\"   ; printed\r\n"                              \
	"\r\n"                                                                                     \
	"[class.Eselon IV]\r\n"                                                                    \
	"  percent_of_tpp = 2,5\r\n"                                                               \
	"  min = 100000\r\n"                                                                       \
	"  max = 100000\r\n"                                                                       \
	"[CLASS.pppk-paruh-waktu]\r\n"

/* The example of DESIGN.md, as it stands there. */
static const char design_example[] =
    "[scheme]\n"
    "issuer = PROBOLINGGO        ; region id, carried in every token\n"
    "timezone = Asia/Jakarta     ; WIB; Asia/Makassar (WITA), Asia/Jayapura (WIT)\n"
    "grace_days = 3              ; days after the period's end that vouchers still redeem\n"
    "use = multi                 ; multi: spend in several purchases; single: first purchase "
    "takes all\n"
    "unspent = forfeit           ; forfeit | refund (refund: listed for next month's TPP)\n"
    "\n"
    "[class.pelaksana]\n"
    "amount = 50000\n"
    "\n"
    "[class.fungsional]\n"
    "percent_of_tpp = 2\n"
    "min = 75000\n"
    "max = 150000\n";

static err load(const char *name, const char *text, char **path, policy **p, char *why,
                size_t whylen)
{
	*path = write_file(test_dir, name, text);
	why[0] = '\0';
	return policy_load(*path, p, why, whylen);
}

static void design_example_parses(void **state)
{
	char *path, why[512];
	policy *p = NULL;
	const policy_scheme *s;
	const policy_class *c;

	(void)state;
	assert_int_equal(load("design.ini", design_example, &path, &p, why, sizeof why), ERR_OK);
	s = policy_get_scheme(p);
	assert_string_equal(s->issuer, "PROBOLINGGO");
	assert_non_null(s->tz);
	assert_string_equal(s->tz->name, "Asia/Jakarta");
	assert_int_equal(s->tz->offset, 7 * 3600);
	assert_int_equal(s->grace_days, 3);
	assert_int_equal(s->use, POLICY_MULTI);
	assert_int_equal(s->unspent, POLICY_FORFEIT);
	assert_string_equal(s->gallery, "");
	assert_string_equal(s->title, POLICY_DEFAULT_TITLE);

	assert_int_equal(policy_class_count(p), 2);
	c = policy_class_at(p, 0);
	assert_string_equal(c->name, "pelaksana");
	assert_int_equal(c->line, 8);
	assert_false(c->percent);
	assert_int_equal(c->amount, 50000);
	c = policy_class_at(p, 1);
	assert_string_equal(c->name, "fungsional");
	assert_int_equal(c->line, 11);
	assert_true(c->percent);
	assert_int_equal(c->bp, 200);
	assert_int_equal(c->min, 75000);
	assert_int_equal(c->max, 150000);
	assert_null(policy_class_at(p, 2));
	assert_ptr_equal(policy_class_find(p, "Fungsional"), c);
	assert_null(policy_class_find(p, "struktural"));
	policy_free(p);
	free(path);
}

/* Every key, a BOM, CRLF, '#' comments inline and whole, indented keys, quotes, case. */
static void every_key_and_comment_style(void **state)
{
	char *path, why[512];
	policy *p = NULL;
	const policy_scheme *s;
	const policy_class *c;

	(void)state;
	assert_int_equal(
	    load("full.ini", FULL_HEAD "unspent = refund#not a comment? no: no blank before it\r\n",
	         &path, &p, why, sizeof why),
	    ERR_INVALID);
	/* '#' without a blank before it is part of the value. */
	assert_non_null(strstr(why, "full.ini:8: unspent must be forfeit or refund"));
	policy_free(p);
	free(path);

	assert_int_equal(load("full2.ini",
	                      FULL_HEAD FULL_REST
	                      "amount=25000;no blank: part of the value? no, digits only\r\n",
	                      &path, &p, why, sizeof why),
	                 ERR_INVALID);
	assert_non_null(strstr(why, "full2.ini:17: amount must be whole rupiah"));
	free(path);

	assert_int_equal(
	    load("full3.ini", FULL_HEAD FULL_REST "amount: 25000\r\n", &path, &p, why, sizeof why),
	    ERR_OK);
	s = policy_get_scheme(p);
	assert_string_equal(s->issuer, "BOJONEGORO");
	assert_string_equal(s->tz->name, "Asia/Makassar");
	assert_int_equal(s->grace_days, 0);
	assert_int_equal(s->use, POLICY_SINGLE);
	assert_int_equal(s->unspent, POLICY_REFUND);
	assert_string_equal(s->gallery, "DEKRANASDA-1");
	assert_string_equal(s->title, "Gerakan ASN Belanja Produk UMKM");
	assert_int_equal(policy_class_count(p), 2);
	c = policy_class_find(p, "eselon_iv");
	assert_non_null(c);
	assert_int_equal(c->line, 12);
	assert_int_equal(c->bp, 250);
	assert_ptr_equal(policy_class_find(p, " ESELON-IV "), c);
	c = policy_class_find(p, "PPPK paruh waktu");
	assert_non_null(c);
	assert_string_equal(c->name, "pppk_paruh_waktu");
	assert_int_equal(c->amount, 25000);
	policy_free(p);
	free(path);
}

/* Each kind of problem, and the line it must name. */
static const struct bad_case {
	const char *text;
	unsigned long line;
	const char *what;
} bad_cases[] = {
    {"[scheme]\nissuer = X\ntimezone = WIB\n[clas.a]\namount = 1\n", 4, "unknown section [clas.a]"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namout = 1\n", 5, "unknown key amout"},
    {"[scheme]\nissuer = X\ntimzone = WIB\n[class.a]\namount = 1\n", 3, "unknown key timzone"},
    {"[scheme]\nissuer = X\ntimezone = WIB\nissuer = Y\n[class.a]\namount = 1\n", 4,
     "issuer given twice in this section (first at line 2)"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 1\n\namount = 2\n", 7,
     "amount given twice"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 1\n[scheme]\n", 6,
     "section [scheme] given twice (first at line 1)"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 1\n[class.A]\namount = 2\n", 6,
     "class a given twice (first at line 4)"},
    {"issuer = X\n[scheme]\n", 1, "key issuer before any section"},
    {"[scheme]\nissuer = PROBO LINGGO\ntimezone = WIB\n", 2, "issuer must be 1-32"},
    {"[scheme]\nissuer = X\ntimezone = Europe/Berlin\n", 3, "timezone must be Asia/Jakarta"},
    {"[scheme]\nissuer = X\ntimezone = WIB\ngrace_days = 32\n", 4, "grace_days must be"},
    {"[scheme]\nissuer = X\ntimezone = WIB\ngrace_days = -1\n", 4, "grace_days must be"},
    {"[scheme]\nissuer = X\ntimezone = WIB\nuse = twice\n", 4, "use must be multi or single"},
    {"[scheme]\nissuer = X\ntimezone = WIB\nunspent = keep\n", 4, "unspent must be forfeit"},
    {"[scheme]\nissuer = X\ntimezone = WIB\ngallery = a b\n", 4, "gallery must be 1-32"},
    {"[scheme]\nissuer = X\ntimezone = WIB\ntitle = \"\"\n", 4, "title must be 1 to 120"},
    {"[scheme]\nissuer = X\ntimezone = WIB\ntitle = Caf\xe9\n", 4, "title must be"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 0\n", 5,
     "amount must be whole rupiah, 1 to 4294967295"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 4294967296\n", 5,
     "amount must be whole rupiah"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 50.000\n", 5,
     "amount must be whole rupiah"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\npercent_of_tpp = 2%\n", 5,
     "percent_of_tpp must be a percentage"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\npercent_of_tpp = 0\n", 5,
     "percent_of_tpp must be"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\npercent_of_tpp = 2\nmin = 0\nmax = 5\n", 6,
     "min must be whole rupiah"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\nmax = 5\npercent_of_tpp = 2\nmin = 6\n", 7,
     "min (line 7) is more than max (line 5)"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 5\n# x\npercent_of_tpp = 2\n", 7,
     "class a has both amount (line 5) and percent_of_tpp (line 7)"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\npercent_of_tpp = 2\namount = 5\n", 6,
     "has both amount"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\nmin = 5\namount = 5\n", 6,
     "min and max go with percent_of_tpp, not with amount"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 5\n\n[class.b]\n; none\n", 7,
     "class b needs amount, or percent_of_tpp with min and max"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount = 5\n[class.b]\npercent_of_tpp = "
     "2\nmax = 9\n",
     6, "class b: percent_of_tpp needs both min and max"},
    {"\n[scheme]\nissuer = X\n[class.a]\namount = 5\n", 2, "[scheme] lacks timezone"},
    {"; c\n[scheme]\n[class.a]\namount = 5\n", 2, "[scheme] lacks issuer and timezone"},
    {"[class.a]\namount = 5\n", 1, "no [scheme] section"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n", 1, "no [class.NAME] section"},
    {"", 1, "no [scheme] section"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namount 5\n", 5,
     "expected [section] or key = value"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a\namount = 5\n", 4,
     "expected [section] or key = value"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.]\namount = 5\n", 4,
     "a class section needs a name"},
    /* A problem while reading comes before the missing key it causes. */
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\namout = 5\n", 5, "unknown key amout"},
    {"[scheme]\nissuer = X\ntimezone = WIB\n[class.a]\nmin = 1\n[class.b]\namount = x\n", 7,
     "amount must be whole rupiah"},
};

static void problems_name_their_line(void **state)
{
	char name[32], *path, why[512], want[4200];
	policy *p;

	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *b = &bad_cases[i];
		err rc;

		snprintf(name, sizeof name, "bad%zu.ini", i);
		p = (policy *)1;
		rc = load(name, b->text, &path, &p, why, sizeof why);
		snprintf(want, sizeof want, "%s:%lu: ", path, b->line);
		if (rc != ERR_INVALID || p != NULL || strncmp(why, want, strlen(want)) != 0 ||
		    !strstr(why, b->what))
			fail_msg("case %zu: rc %d, why \"%s\"; want \"%s%s\"", i, rc, why, want,
			         b->what);
		free(path);
	}
}

/* A line too long for inih is refused at its own line, and lines after it keep their
 * numbers (inih alone would count its rest as another line). */
static void long_lines(void **state)
{
	char text[1024], *path, why[512];
	policy *p;
	int n;

	(void)state;
	n = snprintf(text, sizeof text, "[scheme]\nissuer = X\ntimezone = WIB\ntitle = ");
	memset(text + n, 'T', 300);
	strcpy(text + n + 300, "\n[class.a]\namount = 5\n");
	assert_int_equal(load("long.ini", text, &path, &p, why, sizeof why), ERR_INVALID);
	assert_non_null(strstr(why, "long.ini:4: line longer than"));
	free(path);

	/* A long comment is no problem: it is gone before inih sees the line. */
	n = snprintf(text, sizeof text, "[scheme]\nissuer = X ; ");
	memset(text + n, 'c', 300);
	strcpy(text + n + 300, "\ntimezone = WIB\n[class.a]\namount = x\n");
	assert_int_equal(load("long2.ini", text, &path, &p, why, sizeof why), ERR_INVALID);
	assert_non_null(strstr(why, "long2.ini:5: amount must be"));
	free(path);
}

static void io_errors(void **state)
{
	char why[512];
	policy *p = (policy *)1;

	(void)state;
	assert_int_equal(policy_load("/nonexistent/policy.ini", &p, why, sizeof why), ERR_IO);
	assert_null(p);
	assert_non_null(strstr(why, "/nonexistent/policy.ini: cannot read"));
}

static const policy_class *example_class(policy **p, const char *name)
{
	char *path, why[512];

	assert_int_equal(load("amounts.ini", design_example, &path, p, why, sizeof why), ERR_OK);
	free(path);
	return policy_class_find(*p, name);
}

static int64_t amount_of(const policy_class *c, int64_t tpp)
{
	int64_t v = -7;
	const char *why = NULL;

	assert_int_equal(policy_amount(c, tpp, &v, &why), ERR_OK);
	return v;
}

static void amounts(void **state)
{
	policy *p = NULL;
	const policy_class *fixed, *pct;
	policy_class c;
	int64_t v = -7;
	const char *why = NULL;

	(void)state;
	fixed = example_class(&p, "pelaksana");
	pct = policy_class_find(p, "fungsional");
	assert_int_equal(amount_of(fixed, -1), 50000);
	assert_int_equal(amount_of(fixed, 9000000), 50000);

	/* 2% of 3,000,000 = 60,000, below the minimum. */
	assert_int_equal(amount_of(pct, 3000000), 75000);
	assert_int_equal(amount_of(pct, 0), 75000);
	/* 2% of 5,000,000 = 100,000, within; of 10,000,000 = 200,000, capped. */
	assert_int_equal(amount_of(pct, 5000000), 100000);
	assert_int_equal(amount_of(pct, 10000000), 150000);
	assert_int_equal(amount_of(pct, INT64_MAX), 150000);

	assert_int_equal(policy_amount(pct, -1, &v, &why), ERR_INVALID);
	assert_int_equal(v, -7);
	assert_non_null(why);
	assert_non_null(strstr(why, "no TPP"));

	/* 2.5% of 4,100,000 = 102,500; rounding half up at the rupiah. */
	c = *pct;
	c.bp = 250;
	c.min = 1;
	c.max = 1000000;
	assert_int_equal(amount_of(&c, 4100000), 102500);
	assert_int_equal(amount_of(&c, 1000020), 25001); /* 25,000.5 */
	assert_int_equal(amount_of(&c, 1000019), 25000); /* 25,000.475 */
	assert_int_equal(amount_of(&c, 1000039), 25001); /* 25,000.975 */
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(design_example_parses),
	    cmocka_unit_test(every_key_and_comment_style),
	    cmocka_unit_test(problems_name_their_line),
	    cmocka_unit_test(long_lines),
	    cmocka_unit_test(io_errors),
	    cmocka_unit_test(amounts),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
