#include "keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "file.h"
#include "period.h"

struct keyring {
	key_entry *keys;
	size_t n, cap;
};

void tag_of(const char *kind, const char *id, uint8_t out[TAG_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	char buf[2 * KEY_ID_MAX + 2];
	int n = snprintf(buf, sizeof buf, "%s:%s", kind, id);

	EVP_Digest(buf,
	           n < 0                    ? 0
	           : (size_t)n < sizeof buf ? (size_t)n
	                                    : sizeof buf - 1,
	           md, NULL, EVP_sha256(), NULL);
	memcpy(out, md, TAG_LEN);
}

bool key_id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= KEY_ID_MAX;
}

keyring *keyring_new(void)
{
	return calloc(1, sizeof(keyring));
}

void keyring_free(keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++)
		sig_verifier_free(kr->keys[i].verifier);
	free(kr->keys);
	free(kr);
}

static bool parse_day(const char *s, int64_t *days)
{
	date d;

	if (strcmp(s, "-") == 0) {
		*days = KEY_NEVER;
		return true;
	}
	if (date_parse(s, &d) != ERR_OK)
		return false;
	*days = date_to_days(d);
	return true;
}

static void format_day(int64_t days, char out[11])
{
	if (days == KEY_NEVER)
		strcpy(out, "-");
	else
		date_format(date_from_days(days), out, 11);
}

err keyring_parse_line(const char *line, key_entry *e, const char **what)
{
	char f[7][64];
	uint8_t pub[SIG_PUBLEN];
	int nf = 0;
	const char *p = line;

	while (nf < 7) {
		size_t len;

		p += strspn(p, " \t\r");
		if (*p == '\0' || *p == '#')
			break;
		len = strcspn(p, " \t\r#");
		if (len >= sizeof f[0]) {
			*what = "field too long";
			return ERR_INVALID;
		}
		memcpy(f[nf], p, len);
		f[nf++][len] = '\0';
		p += len;
	}
	if (nf == 0)
		return ERR_NOT_FOUND;
	if (nf != 6) {
		*what = "expected 6 fields: KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY";
		return ERR_INVALID;
	}
	memset(e, 0, sizeof *e);
	if (!key_id_valid(f[0])) {
		*what = "key id must be 1-32 of A-Z a-z 0-9 . _ -";
		return ERR_INVALID;
	}
	strcpy(e->kid, f[0]);
	if (strcmp(f[1], "issuer") == 0)
		e->role = KEY_ISSUER;
	else if (strcmp(f[1], "receipt") == 0)
		e->role = KEY_RECEIPT;
	else {
		*what = "role must be issuer or receipt";
		return ERR_INVALID;
	}
	if (strcmp(f[2], "-") != 0) {
		if (!key_id_valid(f[2])) {
			*what = "issuer must be - or 1-32 of A-Z a-z 0-9 . _ -";
			return ERR_INVALID;
		}
		if (e->role == KEY_RECEIPT) {
			*what = "a receipt key has no issuer: -";
			return ERR_INVALID;
		}
		strcpy(e->issuer, f[2]);
	}
	if (!parse_day(f[3], &e->valid_from) || e->valid_from == KEY_NEVER) {
		*what = "valid-from must be a date YYYY-MM-DD";
		return ERR_INVALID;
	}
	if (!parse_day(f[4], &e->retired_after)) {
		*what = "retired-after must be - or a date YYYY-MM-DD";
		return ERR_INVALID;
	}
	if (e->retired_after < e->valid_from) {
		*what = "retired-after is before valid-from";
		return ERR_INVALID;
	}
	/* Exactly the 44 characters of 32 bytes, one '=' of padding: one text a key. */
	if (!b64url_decode_std(f[5], strlen(f[5]), pub, SIG_PUBLEN)) {
		*what = "public key must be the Base64 of 32 bytes";
		return ERR_INVALID;
	}
	memcpy(e->pub, pub, SIG_PUBLEN);
	return ERR_OK;
}

size_t keyring_format_line(const key_entry *e, char *out, size_t n)
{
	char from[11], retired[11], b64[45];
	int len;

	format_day(e->valid_from, from);
	format_day(e->retired_after, retired);
	EVP_EncodeBlock((unsigned char *)b64, e->pub, SIG_PUBLEN);
	len = snprintf(out, n, "%s %s %s %s %s %s\n", e->kid,
	               e->role == KEY_ISSUER ? "issuer" : "receipt", e->issuer[0] ? e->issuer : "-",
	               from, retired, b64);
	return len < 0 || (size_t)len >= n ? 0 : (size_t)len;
}

err keyring_add(keyring *kr, const key_entry *e)
{
	key_entry k = *e;
	err rc;

	if (k.role == KEY_RECEIPT && k.issuer[0])
		return ERR_INVALID; /* a receipt key has no issuer */
	tag_of("kid", k.kid, k.kid_tag);
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->keys[i].kid, e->kid) == 0 ||
		    memcmp(kr->keys[i].kid_tag, k.kid_tag, TAG_LEN) == 0)
			return ERR_EXISTS;
	if (kr->n == kr->cap) {
		size_t cap = kr->cap ? kr->cap * 2 : 8;
		key_entry *keys = realloc(kr->keys, cap * sizeof *keys);
		if (!keys)
			return ERR_NOMEM;
		kr->keys = keys;
		kr->cap = cap;
	}
	keyring_bind(&k, k.issuer);
	rc = sig_verifier_new(k.pub, &k.verifier);
	if (rc != ERR_OK)
		return rc;
	kr->keys[kr->n++] = k;
	return ERR_OK;
}

void keyring_bind(key_entry *e, const char *issuer)
{
	if (e->issuer != issuer)
		snprintf(e->issuer, sizeof e->issuer, "%s", issuer);
	if (issuer[0])
		tag_of("issuer", issuer, e->issuer_tag);
	else
		memset(e->issuer_tag, 0, TAG_LEN);
}

err keyring_load(const char *path, keyring **out, char *why, size_t whylen)
{
	keyring *kr = NULL;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t n;
	const char *what = NULL;
	err rc = ERR_IO;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (why)
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	rc = ERR_NOMEM;
	if (!(kr = keyring_new()))
		goto cleanup;
	while ((n = getline(&line, &cap, f)) != -1) {
		size_t len = (size_t)n - (line[n - 1] == '\n');
		key_entry e;

		lineno++;
		line[len] = '\0';
		/* A NUL would end the line there and hide the rest of it, even in a comment. */
		if (memchr(line, '\0', len)) {
			rc = ERR_INVALID;
			what = "a NUL byte";
		} else {
			rc = keyring_parse_line(line, &e, &what);
		}
		if (rc == ERR_NOT_FOUND)
			continue;
		if (rc == ERR_OK) {
			rc = keyring_add(kr, &e);
			what = rc == ERR_EXISTS ? "duplicate key id (or one whose tag is another's)"
			       : rc != ERR_OK   ? "not a valid Ed25519 public key"
			                        : NULL;
		}
		if (rc != ERR_OK) {
			if (why)
				snprintf(why, whylen, "%s:%u: %s", path, lineno, what);
			rc = rc == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID;
			goto cleanup;
		}
	}
	rc = ferror(f) ? ERR_IO : ERR_OK;
	if (rc != ERR_OK && why)
		snprintf(why, whylen, "%s: read error", path);
	if (rc == ERR_OK && kr->n == 0) {
		if (why)
			snprintf(why, whylen, "%s: no key: an empty keyring trusts nothing", path);
		rc = ERR_INVALID;
	}
cleanup:
	free(line);
	fclose(f);
	if (rc != ERR_OK) {
		keyring_free(kr);
		return rc;
	}
	*out = kr;
	return ERR_OK;
}

err keyring_save(const keyring *kr, const char *path)
{
	static const char head[] = "# KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY\n";
	size_t cap = sizeof head + kr->n * 160, len = sizeof head - 1;
	char *buf = malloc(cap);
	err rc;

	if (!buf)
		return ERR_NOMEM;
	memcpy(buf, head, len);
	for (size_t i = 0; i < kr->n; i++)
		len += keyring_format_line(&kr->keys[i], buf + len, cap - len);
	rc = file_write_atomic(path, buf, len, 0644);
	free(buf);
	return rc;
}

size_t keyring_count(const keyring *kr)
{
	return kr->n;
}

const key_entry *keyring_at(const keyring *kr, size_t i)
{
	return i < kr->n ? &kr->keys[i] : NULL;
}

key_entry *keyring_at_mut(keyring *kr, size_t i)
{
	return i < kr->n ? &kr->keys[i] : NULL;
}

key_entry *keyring_by_kid(keyring *kr, const char *kid)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->keys[i].kid, kid) == 0)
			return &kr->keys[i];
	return NULL;
}

static bool issuer_matches(const key_entry *k, const uint8_t tag[TAG_LEN])
{
	return k->issuer[0] == '\0' || memcmp(k->issuer_tag, tag, TAG_LEN) == 0;
}

const key_entry *keyring_find(const keyring *kr, key_role role, const uint8_t issuer_tag[TAG_LEN],
                              const uint8_t kid_tag[TAG_LEN])
{
	for (size_t i = 0; i < kr->n; i++) {
		const key_entry *k = &kr->keys[i];
		if (k->role == role && memcmp(k->kid_tag, kid_tag, TAG_LEN) == 0 &&
		    issuer_matches(k, issuer_tag))
			return k;
	}
	return NULL;
}

bool keyring_has_issuer(const keyring *kr, key_role role, const uint8_t issuer_tag[TAG_LEN])
{
	for (size_t i = 0; i < kr->n; i++)
		if (kr->keys[i].role == role && issuer_matches(&kr->keys[i], issuer_tag))
			return true;
	return false;
}
