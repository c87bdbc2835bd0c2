/*
 * policy: the policy INI, parsed by inih.
 *
 * Debian's inih is built with its defaults: inline comments only for ';',
 * continuation lines for indented text, 200-byte lines (a longer one is cut
 * and its rest read as a line of its own, which puts the line count off).
 * So the file is read into memory and handed to ini_parse_stream one line
 * at a time by our own reader, which counts the lines, removes comments
 * (';' and '#'), leading blanks and a BOM, refuses a line that does not fit,
 * and notes each section header as it passes. The handler then knows the
 * line and section of every key without inih's help.
 */
#include "policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "file.h"
#include "money.h"
#include "roster.h"
#include "utf8.h"

#define POLICY_FILE_MAX (1024 * 1024)
#define WHY_MAX         512

enum { S_ISSUER, S_TIMEZONE, S_GRACE, S_USE, S_UNSPENT, S_GALLERY, S_TITLE, S__COUNT };
static const char *const scheme_key[S__COUNT] = {"issuer",  "timezone", "grace_days", "use",
                                                 "unspent", "gallery",  "title"};

enum { K_AMOUNT, K_PERCENT, K_MIN, K_MAX, K__COUNT };
static const char *const class_key[K__COUNT] = {"amount", "percent_of_tpp", "min", "max"};

struct policy {
	policy_scheme scheme;
	policy_class *classes;
	size_t n, cap;
};

/* Where each key of a class was given (0: not given). */
typedef struct key_lines {
	unsigned long at[K__COUNT];
} key_lines;

enum sec { SEC_NONE, SEC_SCHEME, SEC_CLASS, SEC_BAD };

/* One load: the state the reader and the handler share. */
typedef struct loader {
	const char *path;
	const char *data;
	size_t len, pos;
	unsigned long line; /* the line last handed to inih */
	policy *p;
	key_lines *klines; /* parallel to p->classes */
	enum sec sec;      /* the section of the latest header */
	size_t cls;        /* its class, when SEC_CLASS */
	unsigned long scheme_line;
	unsigned long skey[S__COUNT];
	unsigned long bad_line; /* earliest problem, 0 if none */
	char bad[WHY_MAX];
	err rc; /* ERR_NOMEM */
} loader;

/* Note a problem at line; the earliest one is kept. */
__attribute__((format(printf, 3, 4))) static void problem(loader *ld, unsigned long line,
                                                          const char *fmt, ...)
{
	va_list ap;

	if (ld->bad_line && ld->bad_line <= line)
		return;
	ld->bad_line = line;
	va_start(ap, fmt);
	vsnprintf(ld->bad, sizeof ld->bad, fmt, ap);
	va_end(ap);
}

/* ---- sections ---- */

static err add_class(loader *ld, const char *name, unsigned long line)
{
	policy *p = ld->p;
	char *copy;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		policy_class *v = realloc(p->classes, cap * sizeof *v);
		key_lines *kl;
		if (!v)
			return ERR_NOMEM;
		p->classes = v;
		if (!(kl = realloc(ld->klines, cap * sizeof *kl)))
			return ERR_NOMEM;
		ld->klines = kl;
		p->cap = cap;
	}
	if (!(copy = strdup(name)))
		return ERR_NOMEM;
	memset(&p->classes[p->n], 0, sizeof p->classes[p->n]);
	memset(&ld->klines[p->n], 0, sizeof ld->klines[p->n]);
	p->classes[p->n].name = copy;
	p->classes[p->n].line = line;
	ld->cls = p->n++;
	return ERR_OK;
}

/* A section header [raw] (len bytes) on the current line. */
static void on_section(loader *ld, const char *raw, size_t len)
{
	char name[INI_MAX_LINE + 1];
	const char *s = raw;
	unsigned long line = ld->line;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= sizeof name)
		len = sizeof name - 1;
	memcpy(name, s, len);
	name[len] = '\0';
	ld->sec = SEC_BAD;
	if (strcasecmp(name, "scheme") == 0) {
		if (ld->scheme_line) {
			problem(ld, line, "section [scheme] given twice (first at line %lu)",
			        ld->scheme_line);
			return;
		}
		ld->scheme_line = line;
		ld->sec = SEC_SCHEME;
	} else if (strncasecmp(name, "class.", 6) == 0) {
		char *cname = name + 6;

		roster_class_normalize(cname);
		if (!cname[0] || !utf8_text(cname, strlen(cname))) {
			problem(ld, line, "a class section needs a name in UTF-8: [class.NAME]");
			return;
		}
		for (size_t i = 0; i < ld->p->n; i++) {
			if (strcmp(ld->p->classes[i].name, cname) == 0) {
				problem(ld, line, "class %s given twice (first at line %lu)", cname,
				        ld->p->classes[i].line);
				return;
			}
		}
		if ((ld->rc = add_class(ld, cname, line)) != ERR_OK)
			return;
		ld->sec = SEC_CLASS;
	} else {
		problem(ld, line, "unknown section [%.60s] (expected [scheme] or [class.NAME])",
		        name);
	}
}

/* ---- the reader ---- */

/* Where a comment starts in [s, e): ';' or '#' first on the line or after a
 * blank. memchr finds the marks: most of a line is not one. */
static const char *comment_start(const char *s, const char *e)
{
	for (const char *mark = ";#"; *mark; mark++)
		for (const char *c = s; (c = memchr(c, *mark, (size_t)(e - c))) != NULL; c++)
			if (c == s || c[-1] == ' ' || c[-1] == '\t') {
				e = c; /* the next mark is looked for before it */
				break;
			}
	return e;
}

/* inih's ini_reader: the next line, cleaned, as "TEXT\n". */
static char *read_line(char *str, int num, void *stream)
{
	loader *ld = stream;
	const char *s, *e, *nl;
	size_t n;

	if (ld->pos >= ld->len || ld->rc != ERR_OK)
		return NULL;
	s = ld->data + ld->pos;
	nl = memchr(s, '\n', ld->len - ld->pos);
	e = nl ? nl : ld->data + ld->len;
	ld->pos = (size_t)(e - ld->data) + (nl ? 1 : 0);
	ld->line++;
	if (ld->line == 1 && e - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	/* No leading blanks: inih would take an indented line for a continuation. */
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	e = comment_start(s, e);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	n = (size_t)(e - s);
	if (memchr(s, '\0', n)) {
		problem(ld, ld->line, "a NUL byte; is this a text file?");
		n = 0;
	} else if (num < 2 || n > (size_t)num - 2) {
		problem(ld, ld->line, "line longer than %d characters", num - 2);
		n = 0;
	}
	memcpy(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close)
			on_section(ld, s + 1, (size_t)(close - s - 1));
	}
	return str;
}

/* ---- keys ---- */

static bool parse_amount(const char *v, int64_t *out)
{
	return money_parse_plain(v, out) == ERR_OK && *out >= 1 && *out <= POLICY_AMOUNT_MAX;
}

/* A key of [scheme]; false after noting a problem. */
static bool scheme_value(loader *ld, int k, const char *v)
{
	policy_scheme *s = &ld->p->scheme;
	unsigned long line = ld->line;
	int64_t n;

	switch (k) {
	case S_ISSUER:
		if (!key_id_valid(v))
			break;
		strcpy(s->issuer, v);
		return true;
	case S_TIMEZONE:
		if (!(s->tz = tzone_find(v)))
			break;
		return true;
	case S_GRACE:
		if (money_parse_plain(v, &n) != ERR_OK || n > POLICY_GRACE_MAX)
			break;
		s->grace_days = (int)n;
		return true;
	case S_USE:
		if (strcasecmp(v, "multi") == 0)
			s->use = POLICY_MULTI;
		else if (strcasecmp(v, "single") == 0)
			s->use = POLICY_SINGLE;
		else
			break;
		return true;
	case S_UNSPENT:
		if (strcasecmp(v, "forfeit") == 0)
			s->unspent = POLICY_FORFEIT;
		else if (strcasecmp(v, "refund") == 0)
			s->unspent = POLICY_REFUND;
		else
			break;
		return true;
	case S_GALLERY:
		if (!key_id_valid(v))
			break;
		strcpy(s->gallery, v);
		return true;
	case S_TITLE:
		if (!v[0] || strlen(v) > POLICY_TITLE_MAX || !utf8_text(v, strlen(v)))
			break;
		strcpy(s->title, v);
		return true;
	}
	switch (k) {
	case S_ISSUER:
	case S_GALLERY:
		problem(ld, line, "%s must be 1-32 of A-Z a-z 0-9 . _ -", scheme_key[k]);
		break;
	case S_TIMEZONE:
		problem(ld, line,
		        "timezone must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or "
		        "Asia/Jayapura (WIT)");
		break;
	case S_GRACE:
		problem(ld, line, "grace_days must be a whole number of days, 0 to %d",
		        POLICY_GRACE_MAX);
		break;
	case S_USE:
		problem(ld, line, "use must be multi or single");
		break;
	case S_UNSPENT:
		problem(ld, line, "unspent must be forfeit or refund");
		break;
	default:
		problem(ld, line, "title must be 1 to %d bytes of UTF-8 text", POLICY_TITLE_MAX);
	}
	return false;
}

/* A key of a class; false after noting a problem. */
static bool class_value(loader *ld, int k, const char *v)
{
	policy_class *c = &ld->p->classes[ld->cls];
	key_lines *kl = &ld->klines[ld->cls];
	unsigned long line = ld->line;
	int64_t n;

	if (k == K_PERCENT) {
		if (money_parse_percent(v, &n) != ERR_OK || n < 1) {
			problem(ld, line,
			        "percent_of_tpp must be a percentage above 0 and at most 100, "
			        "such as 2 or 2.5");
			return false;
		}
		c->bp = n;
		c->percent = true;
	} else if (!parse_amount(v, &n)) {
		problem(ld, line, "%s must be whole rupiah, 1 to %lld, digits only", class_key[k],
		        POLICY_AMOUNT_MAX);
		return false;
	} else if (k == K_AMOUNT) {
		c->amount = n;
	} else if (k == K_MIN) {
		c->min = n;
	} else {
		c->max = n;
	}
	if (kl->at[K_AMOUNT] && kl->at[K_PERCENT]) {
		problem(ld, line,
		        "class %s has both amount (line %lu) and percent_of_tpp (line %lu)",
		        c->name, kl->at[K_AMOUNT], kl->at[K_PERCENT]);
		return false;
	}
	if (kl->at[K_AMOUNT] && (kl->at[K_MIN] || kl->at[K_MAX])) {
		problem(ld, line, "class %s: min and max go with percent_of_tpp, not with amount",
		        c->name);
		return false;
	}
	if (kl->at[K_MIN] && kl->at[K_MAX] && c->min > c->max) {
		problem(ld, line, "class %s: min (line %lu) is more than max (line %lu)", c->name,
		        kl->at[K_MIN], kl->at[K_MAX]);
		return false;
	}
	return true;
}

/* Find name among n keys; -1 if it is none of them. */
static int key_index(const char *const *keys, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(keys[i], name) == 0)
			return i;
	return -1;
}

/* inih's handler: one key = value of the current line. 0 after a problem. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	loader *ld = user;
	unsigned long line = ld->line, *at;
	char v[INI_MAX_LINE + 1];
	size_t vn = strlen(value);
	int k;

	(void)section; /* the reader tracked it, normalised */
	if (ld->sec == SEC_NONE) {
		problem(ld, line, "key %.40s before any section; start with [scheme]", name);
		return 0;
	}
	if (ld->sec == SEC_BAD)
		return 1; /* its header is the problem */
	if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
		value++;
		vn -= 2;
	}
	if (vn >= sizeof v)
		vn = sizeof v - 1;
	memcpy(v, value, vn);
	v[vn] = '\0';
	if (ld->sec == SEC_SCHEME) {
		if ((k = key_index(scheme_key, S__COUNT, name)) < 0) {
			problem(ld, line,
			        "unknown key %.40s in [scheme] (expected issuer, timezone, "
			        "grace_days, use, unspent, gallery, title)",
			        name);
			return 0;
		}
		at = &ld->skey[k];
	} else {
		if ((k = key_index(class_key, K__COUNT, name)) < 0) {
			problem(ld, line,
			        "unknown key %.40s in [class.%s] (expected amount, or "
			        "percent_of_tpp with min and max)",
			        name, ld->p->classes[ld->cls].name);
			return 0;
		}
		at = &ld->klines[ld->cls].at[k];
	}
	if (*at) {
		problem(ld, line, "%s given twice in this section (first at line %lu)", name, *at);
		return 0;
	}
	*at = line;
	if (ld->sec == SEC_SCHEME)
		return scheme_value(ld, k, v);
	return class_value(ld, k, v);
}

/* ---- after reading ---- */

static void check_complete(loader *ld)
{
	if (!ld->scheme_line) {
		problem(ld, 1, "no [scheme] section; it needs at least issuer and timezone");
	} else if (!ld->skey[S_ISSUER] || !ld->skey[S_TIMEZONE]) {
		problem(ld, ld->scheme_line, "[scheme] lacks %s",
		        !ld->skey[S_ISSUER] && !ld->skey[S_TIMEZONE] ? "issuer and timezone"
		        : !ld->skey[S_ISSUER]                        ? "issuer"
		                                                     : "timezone");
	}
	if (ld->p->n == 0)
		problem(ld, 1, "no [class.NAME] section; the policy must name at least one class");
	for (size_t i = 0; i < ld->p->n; i++) {
		const policy_class *c = &ld->p->classes[i];
		const key_lines *kl = &ld->klines[i];

		if (!kl->at[K_AMOUNT] && !kl->at[K_PERCENT])
			problem(ld, c->line,
			        "class %s needs amount, or percent_of_tpp with min and max",
			        c->name);
		else if (kl->at[K_PERCENT] && (!kl->at[K_MIN] || !kl->at[K_MAX]))
			problem(ld, c->line, "class %s: percent_of_tpp needs both min and max",
			        c->name);
	}
}

void policy_free(policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free((char *)p->classes[i].name);
	free(p->classes);
	free(p);
}

err policy_load(const char *path, policy **out, char *why, size_t whylen)
{
	loader ld = {.path = path};
	char *data = NULL;
	size_t len = 0;
	int r;
	err rc;

	*out = NULL;
	rc = file_read_all(path, POLICY_FILE_MAX, &data, &len);
	if (rc != ERR_OK) {
		if (why && rc == ERR_TOO_LARGE)
			snprintf(why, whylen, "%s: larger than %d bytes; is this the policy?", path,
			         POLICY_FILE_MAX);
		else if (why && rc == ERR_IO)
			snprintf(why, whylen, "%s: cannot read: %s", path, strerror(errno));
		else if (why)
			snprintf(why, whylen, "%s: %s", path, err_str(rc));
		return rc;
	}
	rc = ERR_NOMEM;
	if (!(ld.p = calloc(1, sizeof *ld.p)))
		goto cleanup;
	snprintf(ld.p->scheme.title, sizeof ld.p->scheme.title, "%s", POLICY_DEFAULT_TITLE);
	ld.data = data;
	ld.len = len;
	r = ini_parse_stream(read_line, &ld, on_key, &ld);
	if (ld.rc != ERR_OK || r == -2) {
		rc = ERR_NOMEM;
		goto cleanup;
	}
	/* The handler returns 0 only with a problem noted on its line; an earlier
	 * line inih returns is one it could not parse. */
	if (r > 0 && (!ld.bad_line || (unsigned long)r < ld.bad_line))
		problem(&ld, (unsigned long)r,
		        "expected [section] or key = value (a comment starts with ; or #)");
	if (!ld.bad_line)
		check_complete(&ld);
	rc = ld.bad_line ? ERR_INVALID : ERR_OK;
	if (rc != ERR_OK && why)
		snprintf(why, whylen, "%s:%lu: %s", path, ld.bad_line, ld.bad);
cleanup:
	free(data);
	free(ld.klines);
	if (rc != ERR_OK) {
		policy_free(ld.p);
		return rc;
	}
	*out = ld.p;
	return ERR_OK;
}

const policy_scheme *policy_get_scheme(const policy *p)
{
	return &p->scheme;
}

size_t policy_class_count(const policy *p)
{
	return p->n;
}

const policy_class *policy_class_at(const policy *p, size_t i)
{
	return i < p->n ? &p->classes[i] : NULL;
}

const policy_class *policy_class_find(const policy *p, const char *name)
{
	char key[INI_MAX_LINE + 1];

	if (strlen(name) >= sizeof key)
		return NULL;
	strcpy(key, name);
	roster_class_normalize(key);
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->classes[i].name, key) == 0)
			return &p->classes[i];
	return NULL;
}

err policy_amount(const policy_class *c, int64_t tpp, int64_t *amount, const char **why)
{
	int64_t v;
	err rc;

	if (!c->percent) {
		*amount = c->amount;
		return ERR_OK;
	}
	if (tpp < 0) {
		if (why)
			*why = "the class pays a percentage of TPP, but the row has no TPP";
		return ERR_INVALID;
	}
	rc = money_percent(tpp, c->bp, &v);
	if (rc == ERR_OVERFLOW)
		v = c->max;
	else if (rc != ERR_OK) {
		if (why)
			*why = "percentage out of range";
		return rc;
	}
	*amount = v < c->min ? c->min : v > c->max ? c->max : v;
	return ERR_OK;
}
