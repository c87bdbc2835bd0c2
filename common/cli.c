#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *prog_name = "voucher";
static const char *usage_text = "";

void cli_init(const char *prog, const char *usage)
{
	prog_name = prog;
	usage_text = usage;
}

void cli_usage(int status)
{
	fputs(usage_text, status == 0 ? stdout : stderr);
	exit(status);
}

void cli_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog_name);
	exit(2);
}

void cli_die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void cli_once(const char **slot, const char *val, const char *flag)
{
	if (*slot)
		cli_fail("%s given twice", flag);
	*slot = val;
}

void cli_require(const char *val, const char *flag)
{
	if (!val)
		cli_fail("%s is required", flag);
}

long cli_long(const char *val, long lo, long hi, const char *flag)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < lo || v > hi)
		cli_fail("%s must be a whole number from %ld to %ld", flag, lo, hi);
	return v;
}
