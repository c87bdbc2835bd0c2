/*
 * cli: strict command-line handling shared by the three programs. These
 * functions exit: they are for main() and option parsing only, never for
 * code reachable from a request.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdint.h>

/* Remember the program name and its usage text (printed by cli_usage). */
void cli_init(const char *prog, const char *usage);

/* Usage text to stderr (stdout when asked for with --help), then exit. */
void cli_usage(int status) __attribute__((noreturn));

/* "PROG: message" and a pointer to --help on stderr, exit 2. */
void cli_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* "PROG: message" on stderr, exit status (1 for a refused operation). */
void cli_die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/*
 * A --flag of a command: one of
 * - value: it takes an argument, kept in *value;
 * - set:   it takes none, *set becomes 1;
 * - list:  it takes an argument and may repeat, up to max times, the
 *          arguments in list[0 .. *n).
 */
typedef struct cli_flag {
	const char *name; /* without its dashes */
	const char **value;
	int *set;
	const char **list;
	size_t *n, max;
} cli_flag;

/*
 * Parse argv[first .. argc) against flags (ended by one whose name is
 * NULL; at most 64): --help prints the usage; an unknown flag, a missing
 * argument, a flag given twice (a list one more than max times) or a stray
 * argument is a usage error. Returns the flags given: bit i for flags[i].
 */
uint64_t cli_parse(int argc, char **argv, int first, const cli_flag *flags);

/* A usage error for the first flag in given (as cli_parse returns) that cmd
 * does not take; takes names those it does, blank-separated ("ledger out"). */
void cli_takes(uint64_t given, const cli_flag *flags, const char *cmd, const char *takes);

/* A command of a program: its name, its subcommand or NULL, and the flags it
 * takes (as cli_takes). */
typedef struct cli_command {
	const char *name, *sub, *takes;
} cli_command;

/*
 * The command of the command line among the n of cmds: argv[1], and
 * argv[2] too for a command with subcommands. "--help" or "-h" in its place
 * prints the usage; an unknown command, or a missing or unknown subcommand,
 * is a usage error. Then its flags (from the next argument on) are parsed
 * into flags (cli_parse) and any it does not take refused. Returns its
 * index.
 */
size_t cli_command_parse(int argc, char **argv, const cli_command *cmds, size_t n,
                         const cli_flag *flags);

/* *slot = val; a flag given twice is a usage error. */
void cli_once(const char **slot, const char *val, const char *flag);

/* A required flag that is missing is a usage error. */
void cli_require(const char *val, const char *flag);

/* val as a decimal integer in [lo, hi], or a usage error naming flag. */
long cli_long(const char *val, long lo, long hi, const char *flag);

#endif
