/*
 * The problems of a file people edit (a roster, a merchants file), each
 * with its file and line, in the order found: what `issue` prints before it
 * refuses, or issues the rest with --skip-invalid.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roster_problems.h"

typedef struct problem {
	unsigned long line;
	char *text;
} problem;

struct roster_problems {
	problem *v;
	size_t n, cap;
};

roster_problems *roster_problems_new(void)
{
	return calloc(1, sizeof(roster_problems));
}

err roster_problems_vadd(roster_problems *p, const char *file, unsigned long line, const char *fmt,
                         va_list ap)
{
	char head[64], *text = NULL;
	va_list ap2;
	int hn, mn;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		problem *v = realloc(p->v, cap * sizeof *v);
		if (!v)
			return ERR_NOMEM;
		p->v = v;
		p->cap = cap;
	}
	if (line)
		snprintf(head, sizeof head, ":%lu: ", line);
	else
		snprintf(head, sizeof head, ": ");
	va_copy(ap2, ap);
	mn = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (mn < 0)
		return ERR_INTERNAL;
	hn = (int)strlen(head);
	if (!(text = malloc(strlen(file) + (size_t)hn + (size_t)mn + 1)))
		return ERR_NOMEM;
	strcpy(text, file);
	strcat(text, head);
	vsnprintf(text + strlen(text), (size_t)mn + 1, fmt, ap);
	p->v[p->n].line = line;
	p->v[p->n++].text = text;
	return ERR_OK;
}

err roster_problems_add(roster_problems *p, const char *file, unsigned long line, const char *fmt,
                        ...)
{
	va_list ap;
	err rc;

	va_start(ap, fmt);
	rc = roster_problems_vadd(p, file, line, fmt, ap);
	va_end(ap);
	return rc;
}

size_t roster_problems_count(const roster_problems *p)
{
	return p ? p->n : 0;
}

const char *roster_problems_text(const roster_problems *p, size_t i)
{
	return p && i < p->n ? p->v[i].text : NULL;
}

unsigned long roster_problems_line(const roster_problems *p, size_t i)
{
	return p && i < p->n ? p->v[i].line : 0;
}

void roster_problems_free(roster_problems *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].text);
	free(p->v);
	free(p);
}
