#include "csvw.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

static bool risky_start(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	       s[0] == '\r';
}

void csvw_str(FILE *f, const char *s, char sep)
{
	size_t n = strlen(s);
	bool quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));

	if (quote)
		fputc('"', f);
	if (risky_start(s))
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
	fputc(sep, f);
}

void csvw_num(FILE *f, int64_t v, char sep)
{
	fprintf(f, "%" PRId64 "%c", v, sep);
}

void csvw_row(FILE *f, int n, const char *const *fields)
{
	for (int i = 0; i < n; i++)
		csvw_str(f, fields[i], i == n - 1 ? '\n' : ',');
}
