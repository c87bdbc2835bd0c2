#include "testutil.h"

#include <regex.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* stderr redirected into a temporary file while a test logs. */
struct capture {
	FILE *tmp;
	int saved;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->tmp), STDERR_FILENO) >= 0);
}

/* Restore stderr; returns what was written (malloc'd). */
static char *capture_end(struct capture *c)
{
	long n;
	char *s;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	assert_int_equal(fseek(c->tmp, 0, SEEK_END), 0);
	n = ftell(c->tmp);
	s = malloc((size_t)n + 1);
	rewind(c->tmp);
	assert_int_equal(fread(s, 1, (size_t)n, c->tmp), (size_t)n);
	s[n] = '\0';
	fclose(c->tmp);
	return s;
}

static int teardown(void **state)
{
	(void)state;
	log_init("voucher", LOGL_INFO);
	return 0;
}

static void match(const char *text, const char *pattern)
{
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, text, 0, NULL, 0) != 0)
		fail_msg("\"%s\" does not match /%s/", text, pattern);
	regfree(&re);
}

static void line_format(void **state)
{
	struct capture c;
	char *out;
	struct tm tm = {0};
	time_t before = time(NULL), at;

	(void)state;
	log_init("redeemer", LOGL_INFO);
	capture_start(&c);
	LOG(LOGL_INFO, "listening on %s:%d", "127.0.0.1", 8080);
	out = capture_end(&c);
	match(out, "^ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
	           "level=info comp=redeemer msg=\"listening on 127\\.0\\.0\\.1:8080\"\n$");
	/* The time is now, in UTC. */
	assert_non_null(strptime(out + 3, "%Y-%m-%dT%H:%M:%S", &tm));
	at = timegm(&tm);
	assert_true(at >= before - 1 && at <= time(NULL) + 1);
	free(out);
}

static void escaping(void **state)
{
	struct capture c;
	char *out;

	(void)state;
	log_init("issuer", LOGL_DEBUG);
	capture_start(&c);
	LOG(LOGL_WARN, "say \"%s\" at C:\\dir\\f\nsecond line\r\nthird", "hi");
	out = capture_end(&c);
	assert_non_null(strstr(out,
	                       " level=warn comp=issuer "
	                       "msg=\"say \\\"hi\\\" at C:\\\\dir\\\\f second line  third\"\n"));
	/* One line: the only newline is the last byte. */
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	assert_null(strchr(out, '\r'));
	free(out);
}

static void levels_named(void **state)
{
	struct capture c;
	char *out;

	(void)state;
	log_init("k", LOGL_DEBUG);
	capture_start(&c);
	LOG(LOGL_DEBUG, "a");
	LOG(LOGL_INFO, "b");
	LOG(LOGL_WARN, "c");
	LOG(LOGL_ERROR, "d");
	out = capture_end(&c);
	match(out, "^ts=[^ ]+Z level=debug comp=k msg=\"a\"\n"
	           "ts=[^ ]+Z level=info comp=k msg=\"b\"\n"
	           "ts=[^ ]+Z level=warn comp=k msg=\"c\"\n"
	           "ts=[^ ]+Z level=error comp=k msg=\"d\"\n$");
	free(out);
}

static int evaluated;

static int count(void)
{
	return ++evaluated;
}

static void below_threshold(void **state)
{
	struct capture c;
	char *out;

	(void)state;
	evaluated = 0;
	log_init("t", LOGL_WARN);
	capture_start(&c);
	LOG(LOGL_DEBUG, "skipped %d", count());
	LOG(LOGL_INFO, "skipped %d", ++evaluated);
	out = capture_end(&c);
	assert_string_equal(out, "");
	assert_int_equal(evaluated, 0);
	free(out);

	capture_start(&c);
	LOG(LOGL_WARN, "shown %d", count());
	LOG(LOGL_ERROR, "shown %d", count());
	out = capture_end(&c);
	assert_int_equal(evaluated, 2);
	match(out, "level=warn comp=t msg=\"shown 1\"\n.*level=error comp=t msg=\"shown 2\"\n$");
	free(out);

	/* off: not even errors. */
	log_init("t", LOGL_OFF);
	capture_start(&c);
	LOG(LOGL_ERROR, "hidden %d", count());
	out = capture_end(&c);
	assert_string_equal(out, "");
	assert_int_equal(evaluated, 2);
	free(out);
}

static void long_input(void **state)
{
	struct capture c;
	char *out, comp[64], msg[3000];
	size_t n;

	(void)state;
	/* The component is cut at 31 bytes. */
	memset(comp, 'c', 40);
	comp[40] = '\0';
	log_init(comp, LOGL_INFO);
	memset(msg, '"', sizeof msg - 1);
	msg[sizeof msg - 1] = '\0';
	capture_start(&c);
	LOG(LOGL_INFO, "%s", msg);
	out = capture_end(&c);
	n = strlen(out);
	assert_non_null(strstr(out, " comp=ccccccccccccccccccccccccccccccc msg=\""));
	assert_null(strstr(out, "cccccccccccccccccccccccccccccccc"));
	/* Cut, but still one closed line, and no quote left unescaped. */
	assert_true(n <= 1024);
	assert_int_equal(out[n - 1], '\n');
	assert_int_equal(out[n - 2], '"');
	{
		const char *p = strstr(out, "msg=\"") + 5;
		size_t body = (size_t)(out + n - 2 - p);
		assert_true(body > 100);
		assert_int_equal(body % 2, 0);
		for (size_t i = 0; i < body; i += 2) {
			assert_int_equal(p[i], '\\');
			assert_int_equal(p[i + 1], '"');
		}
	}
	free(out);
}

static void parse_levels(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("debug"), LOGL_DEBUG);
	assert_int_equal(log_level_parse("info"), LOGL_INFO);
	assert_int_equal(log_level_parse("warn"), LOGL_WARN);
	assert_int_equal(log_level_parse("error"), LOGL_ERROR);
	assert_int_equal(log_level_parse("off"), LOGL_OFF);
	assert_int_equal(log_level_parse("INFO"), -1);
	assert_int_equal(log_level_parse("warning"), -1);
	assert_int_equal(log_level_parse(""), -1);
	assert_int_equal(log_level_parse("info "), -1);
	assert_int_equal(log_level_parse("1"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(line_format, teardown),
	    cmocka_unit_test_teardown(escaping, teardown),
	    cmocka_unit_test_teardown(levels_named, teardown),
	    cmocka_unit_test_teardown(below_threshold, teardown),
	    cmocka_unit_test_teardown(long_input, teardown),
	    cmocka_unit_test_teardown(parse_levels, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
