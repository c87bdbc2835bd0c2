/* cli exits by design: each case runs in a child and checks its status and
 * what it wrote on stderr. */
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "cli.h"

/* Run fn in a child with stderr to a pipe; its exit status, its stderr. */
static int in_child(void (*fn)(void), char *errbuf, size_t n)
{
	int fds[2], status;
	size_t len = 0;
	ssize_t got;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		cli_init("prog", "usage: prog things\n");
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (len < n - 1 && (got = read(fds[0], errbuf + len, n - 1 - len)) > 0)
		len += (size_t)got;
	errbuf[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void twice(void)
{
	const char *slot = NULL;
	cli_once(&slot, "a", "--flag");
	cli_once(&slot, "b", "--flag");
}
static void missing(void)
{
	cli_require(NULL, "--db");
}
static void present(void)
{
	cli_require("x", "--db");
}
static void bad_number(void)
{
	cli_long("12x", 1, 100, "--id");
}
static void too_big(void)
{
	cli_long("101", 1, 100, "--id");
}
static void refused(void)
{
	cli_die(1, "%s: no key %s", "keyring", "K9");
}
static void usage_error(void)
{
	cli_usage(2);
}

static void exits(void **state)
{
	char errbuf[512];

	(void)state;
	assert_int_equal(in_child(twice, errbuf, sizeof errbuf), 2);
	assert_non_null(strstr(errbuf, "prog: --flag given twice"));
	assert_non_null(strstr(errbuf, "Try 'prog --help'."));
	assert_int_equal(in_child(missing, errbuf, sizeof errbuf), 2);
	assert_non_null(strstr(errbuf, "--db is required"));
	assert_int_equal(in_child(present, errbuf, sizeof errbuf), 0);
	assert_string_equal(errbuf, "");
	assert_int_equal(in_child(bad_number, errbuf, sizeof errbuf), 2);
	assert_non_null(strstr(errbuf, "--id must be a whole number from 1 to 100"));
	assert_int_equal(in_child(too_big, errbuf, sizeof errbuf), 2);
	assert_int_equal(in_child(refused, errbuf, sizeof errbuf), 1);
	assert_string_equal(errbuf, "prog: keyring: no key K9\n");
	assert_int_equal(in_child(usage_error, errbuf, sizeof errbuf), 2);
	assert_string_equal(errbuf, "usage: prog things\n");
}

static void numbers(void **state)
{
	(void)state;
	assert_int_equal(cli_long("42", 1, 100, "--n"), 42);
	assert_int_equal(cli_long("-3", -5, 5, "--n"), -3);
	assert_int_equal(cli_long("100", 1, 100, "--n"), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exits),
	    cmocka_unit_test(numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
