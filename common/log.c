#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int log_min_level = LOGL_INFO;
static char component[32] = "voucher";

void log_init(const char *comp, int min_level)
{
	snprintf(component, sizeof component, "%s", comp);
	log_min_level = min_level;
}

int log_level_parse(const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error", "off"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* One write per line so lines from threads do not interleave. */
void log_write(int level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char msg[768], line[1024], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	size_t n = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	n = (size_t)snprintf(line, sizeof line, "ts=%s.%03ldZ level=%s comp=%s msg=\"", ts,
	                     now.tv_nsec / 1000000,
	                     names[level < 0   ? 0
	                           : level > 3 ? 3
	                                       : level],
	                     component);
	for (const char *p = msg; *p && n < sizeof line - 4; p++) {
		if (*p == '"' || *p == '\\')
			line[n++] = '\\';
		line[n++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
	}
	line[n++] = '"';
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}
