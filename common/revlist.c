#include "revlist.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "file.h"
#include "period.h"
#include "sigtext.h"
#include "voucher.h"

#define REVLIST_MAX ((size_t)64 << 20)

char *revlist_body(const revlist *rl)
{
	size_t cap = 256 + (rl->n + rl->nallowed) * 26 + rl->ncompromised * 80, len;
	char *s = malloc(cap), ts[INSTANT_LEN + 1], serial[VOUCHER_SERIAL_LEN + 1];

	if (!s)
		return NULL;
	instant_format(rl->time, ts);
	len = (size_t)snprintf(s, cap, "%s\nissuer %s\nkid %s\nversion %" PRIu64 "\ntime %s\n",
	                       REVLIST_MAGIC, rl->issuer, rl->kid, rl->version, ts);
	for (size_t i = 0; i < rl->n; i++) {
		voucher_serial_format(rl->serials[i], serial);
		len += (size_t)snprintf(s + len, cap - len, "revoked %s\n", serial);
	}
	for (size_t i = 0; i < rl->ncompromised; i++) {
		instant_format(rl->compromised[i].since, ts);
		len += (size_t)snprintf(s + len, cap - len, "compromised %s %s\n",
		                        rl->compromised[i].kid, ts);
	}
	for (size_t i = 0; i < rl->nallowed; i++) {
		voucher_serial_format(rl->allowed[i], serial);
		len += (size_t)snprintf(s + len, cap - len, "allowed %s\n", serial);
	}
	return s;
}

static bool has_serial(const uint64_t *v, size_t n, uint64_t serial)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == serial)
			return true;
		if (v[mid] < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool revlist_has(const revlist *rl, uint64_t serial)
{
	return has_serial(rl->serials, rl->n, serial);
}

bool revlist_compromised(const revlist *rl, const char *kid)
{
	for (size_t i = 0; i < rl->ncompromised; i++)
		if (strcmp(rl->compromised[i].kid, kid) == 0)
			return true;
	return false;
}

bool revlist_allows(const revlist *rl, const char *kid, uint64_t serial)
{
	return !revlist_compromised(rl, kid) || has_serial(rl->allowed, rl->nallowed, serial);
}

void revlist_free(revlist *rl)
{
	free(rl->serials);
	free(rl->compromised);
	free(rl->allowed);
	free(rl->text);
	rl->text = NULL;
	rl->text_len = 0;
	rl->serials = rl->allowed = NULL;
	rl->compromised = NULL;
	rl->n = rl->nallowed = rl->ncompromised = 0;
}

/* rl->digest: SHA-256 of the issuer, a NUL, then 'R' and the revoked
 * serials, 'C' and each compromised key (its kid, a NUL, its time), 'A'
 * and the allowed serials; numbers as 8 bytes big-endian. */
static bool list_digest(revlist *rl)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t b[8];
	bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	          EVP_DigestUpdate(c, rl->issuer, strlen(rl->issuer) + 1) == 1 &&
	          EVP_DigestUpdate(c, "R", 1) == 1;

	for (size_t i = 0; ok && i < rl->n; i++) {
		put_be64(b, rl->serials[i]);
		ok = EVP_DigestUpdate(c, b, sizeof b) == 1;
	}
	ok = ok && EVP_DigestUpdate(c, "C", 1) == 1;
	for (size_t i = 0; ok && i < rl->ncompromised; i++) {
		put_be64(b, (uint64_t)rl->compromised[i].since);
		ok = EVP_DigestUpdate(c, rl->compromised[i].kid,
		                      strlen(rl->compromised[i].kid) + 1) == 1 &&
		     EVP_DigestUpdate(c, b, sizeof b) == 1;
	}
	ok = ok && EVP_DigestUpdate(c, "A", 1) == 1;
	for (size_t i = 0; ok && i < rl->nallowed; i++) {
		put_be64(b, rl->allowed[i]);
		ok = EVP_DigestUpdate(c, b, sizeof b) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(c, rl->digest, NULL) == 1;
	EVP_MD_CTX_free(c);
	return ok;
}

/* Append v to the growing array *a of *n elements of size sz. */
static bool push(void **a, size_t *n, size_t sz, const void *v)
{
	if (*n == 0 || (*n >= 16 && (*n & (*n - 1)) == 0)) { /* full: 0, 16, 32, 64, ... */
		void *na = realloc(*a, (*n ? *n * 2 : 16) * sz);
		if (!na)
			return false;
		*a = na;
	}
	memcpy((char *)*a + *n * sz, v, sz);
	(*n)++;
	return true;
}

/* A "revoked" or "allowed" line's serial, after the last of its kind. */
static const char *serial_line(const char *v, uint64_t *list, size_t n, uint64_t *s)
{
	if (!voucher_serial_canonical(v, strlen(v), s))
		return "bad serial (16 upper-case hex digits)";
	if (n && *s <= list[n - 1])
		return "serials must be in strictly ascending order";
	return NULL;
}

/* A "compromised KID TIME" line, after the last of its kind. */
static const char *compromised_line(const char *v, const revlist *rl, revlist_key *k)
{
	const char *sp = strchr(v, ' ');

	if (!sp || (size_t)(sp - v) > KEY_ID_MAX)
		return "bad compromised line (KID TIME)";
	memcpy(k->kid, v, (size_t)(sp - v));
	k->kid[sp - v] = '\0';
	if (!key_id_valid(k->kid) || !instant_parse(sp + 1, strlen(sp + 1), &k->since))
		return "bad compromised line (KID TIME)";
	if (rl->ncompromised && strcmp(k->kid, rl->compromised[rl->ncompromised - 1].kid) <= 0)
		return "compromised keys must be in strictly ascending order";
	return NULL;
}

/* The header's line lineno (2..5): issuer, kid, version, time. */
static const char *header_line(unsigned lineno, const char *line, revlist *rl)
{
	static const char *const keys[] = {"issuer ", "kid ", "version ", "time "};
	const char *key = keys[lineno - 2], *v = line + strlen(key);

	if (strncmp(line, key, strlen(key)) != 0)
		return "expected issuer, kid, version and time lines in order";
	if (lineno == 2 && key_id_valid(v))
		strcpy(rl->issuer, v);
	else if (lineno == 3 && key_id_valid(v))
		strcpy(rl->kid, v);
	else if (lineno == 4)
		return dec_parse(v, strlen(v), UINT64_MAX, &rl->version)
		           ? NULL
		           : "bad version (a decimal with no leading zero)";
	else if (lineno != 5 || !instant_parse(v, strlen(v), &rl->time))
		return "bad value";
	return NULL;
}

/* Why k may not sign rl, or NULL. */
static const char *key_refusal(const key_entry *k, const revlist *rl, char *buf, size_t n)
{
	if (sigtext_key_refusal(k, rl->time, buf, n))
		return buf;
	if (revlist_compromised(rl, k->kid)) {
		snprintf(buf, n, "key %s signs a list that calls it compromised", k->kid);
		return buf;
	}
	return NULL;
}

err revlist_parse(const char *path, const char *buf, size_t len, revlist *out, sigtext_sig *sig,
                  char *why, size_t whylen)
{
	char line[128];
	size_t pos = 0, start = 0;
	unsigned lineno = 0;
	int part = 0; /* 0 revoked, 1 compromised, 2 allowed lines */
	revlist rl = {0};
	const char *what = NULL;
	err rc = ERR_INVALID;

	memset(sig, 0, sizeof *sig);
	while (sigtext_next_line(buf, len, &pos, line, sizeof line, &start)) {
		uint64_t s;
		revlist_key ck;
		bool ok = true;

		lineno++;
		if (lineno == 1) {
			what = strcmp(line, REVLIST_MAGIC) ? "not a revocation list (first line)"
			                                   : NULL;
		} else if (lineno <= 5) {
			what = header_line(lineno, line, &rl);
		} else if (strncmp(line, "revoked ", 8) == 0 && part == 0) {
			if (!(what = serial_line(line + 8, rl.serials, rl.n, &s)))
				ok = push((void **)&rl.serials, &rl.n, sizeof s, &s);
		} else if (strncmp(line, "compromised ", 12) == 0 && part <= 1) {
			part = 1;
			if (!(what = compromised_line(line + 12, &rl, &ck)))
				ok = push((void **)&rl.compromised, &rl.ncompromised, sizeof ck,
				          &ck);
		} else if (strncmp(line, "allowed ", 8) == 0 && part >= 1) {
			part = 2;
			if (!(what = serial_line(line + 8, rl.allowed, rl.nallowed, &s)))
				ok = push((void **)&rl.allowed, &rl.nallowed, sizeof s, &s);
		} else if (strncmp(line, "signature ", 10) == 0 && lineno > 5) {
			if (!(what = sigtext_signature_at(line, start, lineno, pos, len, sig)))
				break;
		} else {
			what = strncmp(line, "revoked ", 8) == 0 ||
			               strncmp(line, "allowed ", 8) == 0 ||
			               strncmp(line, "compromised ", 12) == 0
			           ? "lines out of order: revoked, then compromised, then allowed"
			           : "unexpected line";
		}
		if (!ok) {
			rc = ERR_NOMEM;
			what = "out of memory";
		}
		if (what)
			goto bad;
	}
	if (!sig->line) {
		lineno++;
		what = sigtext_unsigned(pos, len);
		goto bad;
	}
	*out = rl;
	return ERR_OK;
bad:
	snprintf(why, whylen, "%s:%u: %s", path, lineno ? lineno : 1, what);
	revlist_free(&rl);
	return rc;
}

err revlist_load(const char *path, const keyring *kr, int64_t now, revlist *out, char *why,
                 size_t whylen)
{
	char *buf = NULL, refusal[128];
	size_t len = 0;
	revlist rl = {0};
	sigtext_sig sig;
	const key_entry *k;
	err rc = file_read_all(path, REVLIST_MAX, &buf, &len);

	if (rc != ERR_OK) {
		snprintf(why, whylen, "%s: cannot read (%s)", path, err_str(rc));
		return rc;
	}
	if ((rc = revlist_parse(path, buf, len, &rl, &sig, why, whylen)) != ERR_OK)
		goto out;
	if ((rc = sigtext_verify(path, buf, &sig, kr, rl.issuer, rl.kid, &k, why, whylen)) !=
	    ERR_OK)
		goto out;
	rc = ERR_INVALID;
	if (key_refusal(k, &rl, refusal, sizeof refusal)) {
		snprintf(why, whylen, "%s:3: %s", path, refusal);
		rc = ERR_UNKNOWN_KEY;
		goto out;
	}
	if (rl.time > now + REVLIST_SKEW) {
		snprintf(why, whylen, "%s:5: the list's time is in the future", path);
		goto out;
	}
	if (!list_digest(&rl)) {
		snprintf(why, whylen, "%s: out of memory", path);
		rc = ERR_NOMEM;
		goto out;
	}
	rl.text = buf; /* as it was verified, for those who check it again (the scanner page) */
	rl.text_len = len;
	*out = rl;
	return ERR_OK;
out:
	free(buf);
	revlist_free(&rl);
	return rc;
}
