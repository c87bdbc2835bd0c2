#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define FLAGS_MAX 64

uint64_t cli_parse(int argc, char **argv, int first, const cli_flag *flags)
{
	struct option longopts[FLAGS_MAX + 2];
	uint64_t given = 0;
	int nf = 0, c;

	for (; flags[nf].name; nf++) {
		if (nf == FLAGS_MAX)
			cli_die(2, "too many flags"); /* our bug */
		longopts[nf] = (struct option){
		    flags[nf].name, flags[nf].set ? no_argument : required_argument, 0, 256 + nf};
	}
	longopts[nf] = (struct option){"help", no_argument, 0, 'h'};
	longopts[nf + 1] = (struct option){0, 0, 0, 0};
	optind = first;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const cli_flag *f;
		int i = c - 256;

		if (c == 'h')
			cli_usage(0);
		if (i < 0 || i >= nf)
			cli_usage(2);
		f = &flags[i];
		if (f->list) {
			if (*f->n == f->max)
				cli_fail("--%s at most %zu times", f->name, f->max);
			f->list[(*f->n)++] = optarg;
		} else if (given & (UINT64_C(1) << i)) {
			cli_fail("--%s given twice", f->name);
		} else if (f->set) {
			*f->set = 1;
		} else {
			*f->value = optarg;
		}
		given |= UINT64_C(1) << i;
	}
	if (optind != argc)
		cli_fail("unexpected argument '%s'", argv[optind]);
	return given;
}

/* True if the blank-separated list of names holds name. */
static int named(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

size_t cli_command_parse(int argc, char **argv, const cli_command *cmds, size_t n,
                         const cli_flag *flags)
{
	const char *cmd = argc > 1 ? argv[1] : NULL, *sub = argc > 2 ? argv[2] : "";
	char subs[256] = "", what[96];
	size_t k;

	if (!cmd)
		cli_usage(2);
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cli_usage(0);
	for (k = 0; k < n; k++) {
		if (strcmp(cmd, cmds[k].name) != 0)
			continue;
		if (!cmds[k].sub || strcmp(sub, cmds[k].sub) == 0)
			break;
		snprintf(subs + strlen(subs), sizeof subs - strlen(subs), "%s%s",
		         subs[0] ? ", " : "", cmds[k].sub);
	}
	if (k == n && subs[0])
		cli_fail("%s takes %s", cmd, subs);
	if (k == n)
		cli_fail("unknown command '%s'", cmd);
	snprintf(what, sizeof what, "%s%s%s", cmd, cmds[k].sub ? " " : "",
	         cmds[k].sub ? cmds[k].sub : "");
	cli_takes(cli_parse(argc, argv, cmds[k].sub ? 3 : 2, flags), flags, what, cmds[k].takes);
	return k;
}

void cli_takes(uint64_t given, const cli_flag *flags, const char *cmd, const char *takes)
{
	for (int i = 0; flags[i].name; i++)
		if ((given & (UINT64_C(1) << i)) && !named(takes, flags[i].name))
			cli_fail("--%s is not an option of %s", flags[i].name, cmd);
}
