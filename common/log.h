/*
 * log: one macro, levels, a logfmt line on stderr with time, level and
 * component. Never pass keys, tokens, NIPs or names to it.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOGL_DEBUG, LOGL_INFO, LOGL_WARN, LOGL_ERROR, LOGL_OFF };

extern int log_min_level;

/* Name the component (copied, at most 31 bytes) and the lowest level shown. */
void log_init(const char *component, int min_level);

/* Parse "debug", "info", "warn", "error", "off"; -1 if none of these. */
int log_level_parse(const char *s);

void log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats nothing when the level is below the threshold. */
#define LOG(level, ...)                                                                            \
	do {                                                                                       \
		if ((level) >= log_min_level)                                                      \
			log_write((level), __VA_ARGS__);                                           \
	} while (0)

#endif
