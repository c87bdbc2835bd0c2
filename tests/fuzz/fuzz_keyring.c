/*
 * libFuzzer: the keyring text reader (common/keyring.c) on arbitrary files.
 *
 * The first line goes through keyring_parse_line, the whole input through
 * keyring_load. What parses must come back unchanged from its own
 * formatting (keyring_format_line), line by line and as a whole keyring,
 * and hold only valid ids, dates and roles.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyring.h"
#include "memfile.h"

static memfile in, again;

static void check_entry(const key_entry *e)
{
	if (!key_id_valid(e->kid) || (e->issuer[0] && !key_id_valid(e->issuer)) ||
	    (e->role != KEY_ISSUER && e->role != KEY_RECEIPT) || e->valid_from == KEY_NEVER)
		__builtin_trap();
}

static bool same_entry(const key_entry *a, const key_entry *b)
{
	return strcmp(a->kid, b->kid) == 0 && a->role == b->role &&
	       strcmp(a->issuer, b->issuer) == 0 && a->valid_from == b->valid_from &&
	       a->retired_after == b->retired_after && memcmp(a->pub, b->pub, SIG_PUBLEN) == 0;
}

/* e formatted and parsed again is e. */
static void round_trip(const key_entry *e)
{
	char line[256];
	size_t n = keyring_format_line(e, line, sizeof line);
	key_entry back;
	const char *what;

	if (n == 0 || line[n - 1] != '\n')
		__builtin_trap();
	line[n - 1] = '\0';
	if (keyring_parse_line(line, &back, &what) != ERR_OK || !same_entry(e, &back))
		__builtin_trap();
}

static void one_line(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	char *line = malloc(n + 1);
	const char *what = NULL;
	key_entry e;
	err rc;

	if (!line)
		return;
	memcpy(line, data, n);
	line[n] = '\0';
	rc = keyring_parse_line(line, &e, &what);
	if (rc == ERR_OK) {
		check_entry(&e);
		round_trip(&e);
	} else if (rc == ERR_INVALID && !what) {
		__builtin_trap();
	} else if (rc != ERR_INVALID && rc != ERR_NOT_FOUND) {
		__builtin_trap();
	}
	free(line);
}

/* The loaded keyring, formatted, loads as the same keyring. */
static void whole_file(const uint8_t *data, size_t size)
{
	const char *path = memfile_put(&in, data, size);
	keyring *kr = NULL, *back = NULL;
	char why[512] = "", *text;
	size_t len = 0;

	if (keyring_load(path, &kr, why, sizeof why) != ERR_OK) {
		if (kr || strncmp(why, path, strlen(path)) != 0)
			__builtin_trap();
		return;
	}
	if (!(text = malloc(keyring_count(kr) * 256 + 1)))
		goto out;
	for (size_t i = 0; i < keyring_count(kr); i++) {
		const key_entry *e = keyring_at(kr, i);
		uint8_t tag[TAG_LEN];

		check_entry(e);
		round_trip(e);
		/* Lookups by tag find a key of that id and role. */
		tag_of("kid", e->kid, tag);
		if (memcmp(tag, e->kid_tag, TAG_LEN) != 0 || !e->verifier ||
		    !keyring_find(kr, e->role, e->issuer_tag, e->kid_tag) ||
		    !keyring_has_issuer(kr, e->role, e->issuer_tag))
			__builtin_trap();
		len += keyring_format_line(e, text + len, 256);
	}
	if (keyring_load(memfile_put(&again, text, len), &back, why, sizeof why) != ERR_OK ||
	    keyring_count(back) != keyring_count(kr))
		__builtin_trap();
	for (size_t i = 0; i < keyring_count(kr); i++)
		if (!same_entry(keyring_at(kr, i), keyring_at(back, i)))
			__builtin_trap();
	free(text);
out:
	keyring_free(back);
	keyring_free(kr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_line(data, size);
	whole_file(data, size);
	return 0;
}
