#include "revlist.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "file.h"
#include "period.h"
#include "voucher.h"

#define REVLIST_MAX ((size_t)64 << 20)

char *revlist_body(const revlist *rl)
{
	size_t cap = 256 + rl->n * 26, len;
	char *s = malloc(cap), ts[INSTANT_LEN + 1];

	if (!s)
		return NULL;
	instant_format(rl->time, ts);
	len = (size_t)snprintf(s, cap, "%s\nissuer %s\nkid %s\nversion %" PRIu64 "\ntime %s\n",
	                       REVLIST_MAGIC, rl->issuer, rl->kid, rl->version, ts);
	for (size_t i = 0; i < rl->n; i++) {
		char serial[VOUCHER_SERIAL_LEN + 1];
		voucher_serial_format(rl->serials[i], serial);
		len += (size_t)snprintf(s + len, cap - len, "revoked %s\n", serial);
	}
	return s;
}

size_t revlist_signature_line(const uint8_t sig[SIG_LEN], char out[REVLIST_SIG_LINE_MAX + 1])
{
	memcpy(out, "signature ", 10);
	EVP_EncodeBlock((unsigned char *)out + 10, sig, SIG_LEN);
	memcpy(out + 10 + 88, "\n", 2);
	return REVLIST_SIG_LINE_MAX;
}

bool revlist_has(const revlist *rl, uint64_t serial)
{
	size_t lo = 0, hi = rl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rl->serials[mid] == serial)
			return true;
		if (rl->serials[mid] < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void revlist_free(revlist *rl)
{
	free(rl->serials);
	rl->serials = NULL;
	rl->n = 0;
}

/*
 * Copy the next line of buf from *pos into line (without its newline) and
 * set *start to its offset. False at the end, or for a line too long or
 * without a newline (every line ends with one): *pos then stays put.
 */
static bool next_line(const char *buf, size_t len, size_t *pos, char line[128], size_t *start)
{
	const char *nl;

	if (*pos >= len || !(nl = memchr(buf + *pos, '\n', len - *pos)) ||
	    (size_t)(nl - buf) - *pos >= 128 || memchr(buf + *pos, '\0', (size_t)(nl - buf) - *pos))
		return false;
	*start = *pos;
	memcpy(line, buf + *pos, (size_t)(nl - buf) - *pos);
	line[(size_t)(nl - buf) - *pos] = '\0';
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

/* rl->digest: SHA-256 of the issuer, a NUL, and the serials as 8 bytes
 * big-endian each. */
static bool serials_digest(revlist *rl)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	          EVP_DigestUpdate(c, rl->issuer, strlen(rl->issuer) + 1) == 1;

	for (size_t i = 0; ok && i < rl->n; i++) {
		uint8_t b[8];
		put_be64(b, rl->serials[i]);
		ok = EVP_DigestUpdate(c, b, sizeof b) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(c, rl->digest, NULL) == 1;
	EVP_MD_CTX_free(c);
	return ok;
}

err revlist_load(const char *path, const keyring *kr, revlist *out, char *why, size_t whylen)
{
	char *buf = NULL, line[128];
	size_t len = 0, pos = 0, start = 0, signed_len = 0, cap = 0;
	unsigned lineno = 0, sig_line = 0;
	revlist rl = {0};
	const char *what = NULL;
	uint8_t sig[SIG_LEN + 2], issuer_tag[TAG_LEN], kid_tag[TAG_LEN];
	const key_entry *k;
	err rc = file_read_all(path, REVLIST_MAX, &buf, &len);

	if (rc != ERR_OK) {
		snprintf(why, whylen, "%s: cannot read (%s)", path, err_str(rc));
		return rc;
	}
	rc = ERR_INVALID;
	while (next_line(buf, len, &pos, line, &start)) {
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, REVLIST_MAGIC) != 0) {
				what = "not a revocation list (first line)";
				goto bad;
			}
		} else if (lineno <= 5) {
			static const char *keys[] = {"issuer ", "kid ", "version ", "time "};
			const char *v = line + strlen(keys[lineno - 2]);
			if (strncmp(line, keys[lineno - 2], strlen(keys[lineno - 2])) != 0) {
				what = "expected issuer, kid, version and time lines in order";
				goto bad;
			}
			if (lineno == 2 && key_id_valid(v))
				strcpy(rl.issuer, v);
			else if (lineno == 3 && key_id_valid(v))
				strcpy(rl.kid, v);
			else if (lineno == 4)
				what = dec_parse(v, strlen(v), UINT64_MAX, &rl.version)
				           ? NULL
				           : "bad version (a decimal with no leading zero)";
			else if (lineno == 5 && instant_parse(v, strlen(v), &rl.time))
				what = NULL;
			else
				what = "bad value";
			if (what)
				goto bad;
		} else if (strncmp(line, "revoked ", 8) == 0) {
			uint64_t s;
			if (!voucher_serial_canonical(line + 8, strlen(line + 8), &s)) {
				what = "bad serial (16 upper-case hex digits)";
				goto bad;
			}
			if (rl.n && s <= rl.serials[rl.n - 1]) {
				what = "serials must be in strictly ascending order";
				goto bad;
			}
			if (rl.n == cap) {
				uint64_t *ns;
				cap = cap ? cap * 2 : 64;
				if (!(ns = realloc(rl.serials, cap * sizeof *ns))) {
					rc = ERR_NOMEM;
					what = "out of memory";
					goto bad;
				}
				rl.serials = ns;
			}
			rl.serials[rl.n++] = s;
		} else if (strncmp(line, "signature ", 10) == 0 && lineno > 5) {
			signed_len = start;
			sig_line = lineno;
			if (strlen(line + 10) != 88 ||
			    EVP_DecodeBlock(sig, (unsigned char *)line + 10, 88) != SIG_LEN + 2 ||
			    line[10 + 86] != '=' || line[10 + 85] == '=') {
				what = "bad signature encoding";
				goto bad;
			}
			if (pos != len) {
				what = "text after the signature";
				goto bad;
			}
			break;
		} else {
			what = "unexpected line";
			goto bad;
		}
	}
	if (!signed_len) {
		lineno++;
		what = pos < len ? "line too long or not ended" : "no signature line";
		goto bad;
	}
	tag_of("issuer", rl.issuer, issuer_tag);
	tag_of("kid", rl.kid, kid_tag);
	k = keyring_find(kr, KEY_ISSUER, issuer_tag, kid_tag);
	if (!k) {
		snprintf(why, whylen, "%s:3: signed by %s of %s, which is not in the keyring", path,
		         rl.kid, rl.issuer);
		rc = ERR_UNKNOWN_KEY;
		goto out;
	}
	if (!sig_verify(k->verifier, (uint8_t *)buf, signed_len, sig)) {
		snprintf(why, whylen, "%s:%u: the signature does not verify", path, sig_line);
		rc = ERR_BAD_SIGNATURE;
		goto out;
	}
	if (!serials_digest(&rl)) {
		snprintf(why, whylen, "%s: out of memory", path);
		rc = ERR_NOMEM;
		goto out;
	}
	free(buf);
	*out = rl;
	return ERR_OK;
bad:
	snprintf(why, whylen, "%s:%u: %s", path, lineno ? lineno : 1, what);
out:
	free(buf);
	revlist_free(&rl);
	return rc;
}
