/*
 * cli: strict command-line handling shared by the three programs. These
 * functions exit: they are for main() and option parsing only, never for
 * code reachable from a request.
 */
#ifndef CLI_H
#define CLI_H

/* Remember the program name and its usage text (printed by cli_usage). */
void cli_init(const char *prog, const char *usage);

/* Usage text to stderr (stdout when asked for with --help), then exit. */
void cli_usage(int status) __attribute__((noreturn));

/* "PROG: message" and a pointer to --help on stderr, exit 2. */
void cli_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* "PROG: message" on stderr, exit status (1 for a refused operation). */
void cli_die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* *slot = val; a flag given twice is a usage error. */
void cli_once(const char **slot, const char *val, const char *flag);

/* A required flag that is missing is a usage error. */
void cli_require(const char *val, const char *flag);

/* val as a decimal integer in [lo, hi], or a usage error naming flag. */
long cli_long(const char *val, long lo, long hi, const char *flag);

#endif
