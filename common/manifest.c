#include "manifest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "b64url.h"
#include "bytes.h"
#include "file.h"
#include "revlist.h"
#include "sigtext.h"

#define MANIFEST_MAX ((size_t)256 << 20)
#define HEADER_LINES 7 /* the magic, then issuer .. iterations */
#define LOOKUP_CHARS B64URL_LEN(SHORTCODE_LOOKUP_LEN)
#define SEALED_CHARS B64URL_LEN(SHORTCODE_SEALED_LEN)
#define CODE_LINE_MAX                                                                              \
	(5 + VOUCHER_SERIAL_LEN + 1 + 2 * TAG_LEN + 1 + LOOKUP_CHARS + 1 + SEALED_CHARS)

static const uint8_t any_gallery[TAG_LEN];

/* "code SERIAL GALLERY LOOKUP SEALED\n" of e into out; returns its length. */
static size_t code_line(const manifest_entry *e, char *out)
{
	char serial[VOUCHER_SERIAL_LEN + 1], gallery[2 * TAG_LEN + 1], lookup[LOOKUP_CHARS + 1],
	    sealed[SEALED_CHARS + 1];

	voucher_serial_format(e->serial, serial);
	if (memcmp(e->gallery_tag, any_gallery, TAG_LEN) == 0)
		strcpy(gallery, "*");
	else
		hex_encode(e->gallery_tag, TAG_LEN, gallery);
	b64url_encode(e->lookup, sizeof e->lookup, lookup);
	b64url_encode(e->sealed, sizeof e->sealed, sealed);
	return (size_t)sprintf(out, "code %s %s %s %s\n", serial, gallery, lookup, sealed);
}

char *manifest_body(const manifest *m)
{
	size_t cap = 512 + m->n * (CODE_LINE_MAX + 1), len;
	char *s = malloc(cap), ts[INSTANT_LEN + 1], per[8],
	     salt[B64URL_LEN(SHORTCODE_SALT_LEN) + 1];

	if (!s)
		return NULL;
	instant_format(m->time, ts);
	period_format(m->per, per, sizeof per);
	b64url_encode(m->salt, sizeof m->salt, salt);
	len = (size_t)snprintf(s, cap,
	                       "%s\nissuer %s\nkid %s\nperiod %s\ntime %s\nsalt %s\niterations "
	                       "%" PRIu32 "\n",
	                       MANIFEST_MAGIC, m->issuer, m->kid, per, ts, salt, m->iterations);
	for (size_t i = 0; i < m->n; i++)
		len += code_line(&m->entries[i], s + len);
	return s;
}

/* The header's line lineno (2..7). */
static const char *header_line(unsigned lineno, const char *line, manifest *m)
{
	static const char *const keys[] = {"issuer ", "kid ",  "period ",
	                                   "time ",   "salt ", "iterations "};
	const char *key = keys[lineno - 2], *v = line + strlen(key);
	uint64_t it;

	if (strncmp(line, key, strlen(key)) != 0)
		return "expected issuer, kid, period, time, salt and iterations lines in order";
	switch (lineno) {
	case 2:
	case 3:
		if (!key_id_valid(v))
			return "bad key id";
		strcpy(lineno == 2 ? m->issuer : m->kid, v);
		return NULL;
	case 4:
		return period_parse(v, &m->per) == ERR_OK ? NULL : "bad period (YYYY-MM)";
	case 5:
		return instant_parse(v, strlen(v), &m->time) ? NULL : "bad time";
	case 6:
		return b64url_decode(v, strlen(v), m->salt, sizeof m->salt)
		           ? NULL
		           : "bad salt (16 bytes, unpadded Base64url)";
	default:
		if (!dec_parse(v, strlen(v), MANIFEST_ITERATIONS_MAX, &it) ||
		    it < MANIFEST_ITERATIONS_MIN)
			return "bad iterations (10000..1000000)";
		m->iterations = (uint32_t)it;
		return NULL;
	}
}

/* A "code" line's fields into e, after the last line's serial. */
static const char *entry_line(const char *v, const manifest *m, manifest_entry *e)
{
	const char *part[4];
	size_t len[4];

	if (split_at(v, strlen(v), ' ', part, len, 4) != 4)
		return "bad code line (SERIAL GALLERY LOOKUP SEALED)";
	if (!voucher_serial_canonical(part[0], len[0], &e->serial))
		return "bad serial (16 upper-case hex digits)";
	if (m->n && e->serial <= m->entries[m->n - 1].serial)
		return "serials must be in strictly ascending order";
	if (len[1] == 1 && part[1][0] == '*')
		memset(e->gallery_tag, 0, TAG_LEN);
	else if (len[1] != 2 * TAG_LEN || !hex_decode(part[1], e->gallery_tag, TAG_LEN) ||
	         memcmp(e->gallery_tag, any_gallery, TAG_LEN) == 0)
		return "bad gallery (8 lower-case hex digits, or *)";
	if (!b64url_decode(part[2], len[2], e->lookup, sizeof e->lookup))
		return "bad lookup value (16 bytes, unpadded Base64url)";
	if (!b64url_decode(part[3], len[3], e->sealed, sizeof e->sealed))
		return "bad sealed token (116 bytes, unpadded Base64url)";
	return NULL;
}

static int by_lookup(const void *a, const void *b)
{
	return memcmp(((const manifest_entry *)a)->lookup, ((const manifest_entry *)b)->lookup,
	              SHORTCODE_LOOKUP_LEN);
}

/* Append e to m's entries. */
static bool push(manifest *m, size_t *cap, const manifest_entry *e)
{
	if (m->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		manifest_entry *ne = realloc(m->entries, ncap * sizeof *ne);
		if (!ne)
			return false;
		m->entries = ne;
		*cap = ncap;
	}
	m->entries[m->n++] = *e;
	return true;
}

err manifest_parse(const char *path, const char *buf, size_t len, manifest *out, sigtext_sig *sig,
                   char *why, size_t whylen)
{
	char line[CODE_LINE_MAX + 2];
	size_t pos = 0, start = 0, cap = 0;
	unsigned lineno = 0;
	manifest m = {0};
	manifest_entry e;
	const char *what = NULL;
	err rc = ERR_INVALID;

	memset(sig, 0, sizeof *sig);
	while (sigtext_next_line(buf, len, &pos, line, sizeof line, &start)) {
		lineno++;
		if (lineno == 1) {
			what = strcmp(line, MANIFEST_MAGIC) ? "not a code manifest (first line)"
			                                    : NULL;
		} else if (lineno <= HEADER_LINES) {
			what = header_line(lineno, line, &m);
		} else if (strncmp(line, "code ", 5) == 0) {
			if (!(what = entry_line(line + 5, &m, &e)) && !push(&m, &cap, &e)) {
				rc = ERR_NOMEM;
				what = "out of memory";
			}
		} else if (strncmp(line, "signature ", 10) == 0) {
			if (!(what = sigtext_signature_at(line, start, lineno, pos, len, sig)))
				break;
		} else {
			what = "unexpected line";
		}
		if (what)
			goto bad;
	}
	if (!sig->line) {
		lineno++;
		what = sigtext_unsigned(pos, len);
		goto bad;
	}
	if (m.n > 1) /* no codes: entries is NULL, which qsort may not be given */
		qsort(m.entries, m.n, sizeof *m.entries, by_lookup);
	for (size_t i = 1; i < m.n; i++)
		if (by_lookup(&m.entries[i - 1], &m.entries[i]) == 0) {
			snprintf(why, whylen, "%s: two codes have one lookup value", path);
			goto out;
		}
	*out = m;
	return ERR_OK;
bad:
	snprintf(why, whylen, "%s:%u: %s", path, lineno ? lineno : 1, what);
out:
	manifest_free(&m);
	return rc;
}

err manifest_load(const char *path, const keyring *kr, int64_t now, manifest *out, char *why,
                  size_t whylen)
{
	char *buf = NULL, refusal[128];
	size_t len = 0;
	manifest m = {0};
	sigtext_sig sig;
	const key_entry *k;
	err rc = file_read_all(path, MANIFEST_MAX, &buf, &len);

	if (rc != ERR_OK) {
		snprintf(why, whylen, "%s: cannot read (%s)", path, err_str(rc));
		return rc;
	}
	if ((rc = manifest_parse(path, buf, len, &m, &sig, why, whylen)) != ERR_OK)
		goto out;
	if ((rc = sigtext_verify(path, buf, &sig, kr, m.issuer, m.kid, &k, why, whylen)) != ERR_OK)
		goto out;
	rc = ERR_INVALID;
	if (sigtext_key_refusal(k, m.time, refusal, sizeof refusal)) {
		snprintf(why, whylen, "%s:3: %s", path, refusal);
		rc = ERR_UNKNOWN_KEY;
		goto out;
	}
	if (m.time > now + REVLIST_SKEW) {
		snprintf(why, whylen, "%s:5: the manifest's time is in the future", path);
		goto out;
	}
	free(buf);
	*out = m;
	return ERR_OK;
out:
	free(buf);
	manifest_free(&m);
	return rc;
}

const manifest_entry *manifest_find(const manifest *m, const uint8_t lookup[SHORTCODE_LOOKUP_LEN])
{
	manifest_entry key;

	memcpy(key.lookup, lookup, SHORTCODE_LOOKUP_LEN);
	return m->n ? bsearch(&key, m->entries, m->n, sizeof *m->entries, by_lookup) : NULL;
}

err manifest_resolve(const manifest *m, const char *code, uint8_t token[VOUCHER_LEN])
{
	uint8_t lookup[SHORTCODE_LOOKUP_LEN], key[SHORTCODE_KEY_LEN];
	const manifest_entry *e;
	voucher v;
	err rc = shortcode_derive(code, m->salt, m->iterations, lookup, key);

	if (rc != ERR_OK)
		return rc;
	if (!(e = manifest_find(m, lookup)))
		rc = ERR_UNKNOWN_CODE;
	else if ((rc = shortcode_open(key, e->sealed, token)) == ERR_OK &&
	         (voucher_unpack(token, VOUCHER_LEN, &v) != ERR_OK || v.serial != e->serial ||
	          v.year != m->per.year || v.month != m->per.month ||
	          memcmp(v.gallery_tag, e->gallery_tag, TAG_LEN) != 0))
		rc = ERR_UNKNOWN_CODE; /* a seal the issuer's line does not describe */
	OPENSSL_cleanse(key, sizeof key);
	return rc;
}

void manifest_free(manifest *m)
{
	free(m->entries);
	m->entries = NULL;
	m->n = 0;
}
