/* Small helpers for the cmocka unit tests. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keyring.h"

/* xorshift64: random-looking bytes, the same sequence in every run of a
 * test program. */
static inline uint8_t rng_byte(void)
{
	static uint64_t state = 0x9E3779B97F4A7C15ULL;

	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint8_t)(state >> 32);
}

/* A fresh temporary directory (mkdtemp); rm -rf it with tmpdir_remove. */
static inline char *tmpdir_make(void)
{
	const char *base = getenv("TMPDIR");
	char *d = malloc(4096);
	snprintf(d, 4096, "%s/vtest.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static inline void tmpdir_remove(char *d)
{
	char cmd[4200];
	if (!d)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d);
	free(d);
}

/* The temporary directory of the test being run, made by test_dir_setup
 * and removed by test_dir_teardown (cmocka's setup and teardown). */
static char *test_dir __attribute__((unused));

static inline int test_dir_setup(void **state)
{
	(void)state;
	test_dir = tmpdir_make();
	return test_dir ? 0 : -1;
}

static inline int test_dir_teardown(void **state)
{
	(void)state;
	tmpdir_remove(test_dir);
	test_dir = NULL;
	return 0;
}

/* Write text to dir/name; returns the malloc'd path. */
static inline char *write_file(const char *dir, const char *name, const char *text)
{
	char *p = malloc(4096);
	FILE *f;
	snprintf(p, 4096, "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* The whole text file at path, NUL-terminated; free() it. */
static inline char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The lines of the block after "<!-- name -->" and a "```" line in the
 * document at path, up to the closing "```": a malloc'd string. */
static inline char *doc_block(const char *path, const char *name)
{
	char *doc = read_text(path), *start, *end, mark[64];

	snprintf(mark, sizeof mark, "<!-- %s -->\n```\n", name);
	start = strstr(doc, mark);
	assert_non_null(start);
	start += strlen(mark);
	end = strstr(start, "```");
	assert_non_null(end);
	*end = '\0';
	memmove(doc, start, strlen(start) + 1);
	return doc;
}

/* Add s's public key to kr as key kid of role for issuer ("" for none),
 * valid from 1970 and never retired. */
static inline void add_key(keyring *kr, const sig_signer *s, key_role role, const char *kid,
                           const char *issuer)
{
	key_entry e = {0};

	snprintf(e.kid, sizeof e.kid, "%s", kid);
	snprintf(e.issuer, sizeof e.issuer, "%s", issuer);
	e.role = role;
	e.valid_from = 0;
	e.retired_after = KEY_NEVER;
	sig_public(s, e.pub);
	assert_int_equal(keyring_add(kr, &e), ERR_OK);
}

#endif
