/*
 * roster_problems: the problems found in a file people edit (the HR roster,
 * the merchants file), each "FILE:LINE: what is wrong", in the order found.
 * The loaders fill one (roster_load, payees_load, through csvread); the
 * command prints them before it refuses.
 */
#ifndef ROSTER_PROBLEMS_H
#define ROSTER_PROBLEMS_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

/* A list of problems, each "FILE:LINE: what is wrong" (or "FILE: what is
 * wrong" for a file-level problem without a line). Opaque. */
typedef struct roster_problems roster_problems;

/* An empty list; NULL when out of memory. */
roster_problems *roster_problems_new(void);

/* Number of problems in p (0 for NULL). */
size_t roster_problems_count(const roster_problems *p);

/* Problem i as "FILE:LINE: what is wrong"; NULL when i is out of range. The
 * text lives as long as p. */
const char *roster_problems_text(const roster_problems *p, size_t i);

/* The line problem i is about; 0 for a problem about the whole file. */
unsigned long roster_problems_line(const roster_problems *p, size_t i);

/*
 * Append a problem "FILE:LINE: what" (line 0: "FILE: what") built from the
 * printf-style fmt, for a caller that finds more wrong with a row (a class
 * the policy does not know). ERR_NOMEM if it cannot be stored.
 */
err roster_problems_add(roster_problems *p, const char *file, unsigned long line, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

/* The same with a va_list. */
err roster_problems_vadd(roster_problems *p, const char *file, unsigned long line, const char *fmt,
                         va_list ap);

/* Release p and its texts. NULL is allowed. */
void roster_problems_free(roster_problems *p);

#endif
