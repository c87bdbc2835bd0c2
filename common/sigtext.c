#include "sigtext.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "period.h"

bool sigtext_next_line(const char *buf, size_t len, size_t *pos, char *line, size_t max,
                       size_t *start)
{
	const char *nl;
	size_t n;

	if (*pos >= len || !(nl = memchr(buf + *pos, '\n', len - *pos)))
		return false;
	n = (size_t)(nl - buf) - *pos;
	if (n >= max || memchr(buf + *pos, '\0', n))
		return false;
	*start = *pos;
	memcpy(line, buf + *pos, n);
	line[n] = '\0';
	*pos += n + 1;
	return true;
}

bool sigtext_signature(const char *line, uint8_t sig[SIG_LEN])
{
	const char *v = line + 10;

	/* 64 bytes are 88 characters ending in "==". (OpenSSL's EVP_DecodeBlock
	 * would take a '=' anywhere as a zero, text after it, and any leftover
	 * bits: many texts for one signature.) */
	return strncmp(line, "signature ", 10) == 0 &&
	       b64url_decode_std(v, strlen(v), sig, SIG_LEN);
}

const char *sigtext_signature_at(const char *line, size_t start, unsigned lineno, size_t pos,
                                 size_t len, sigtext_sig *sig)
{
	sig->signed_len = start;
	sig->line = lineno;
	if (!sigtext_signature(line, sig->sig))
		return "bad signature encoding";
	return pos != len ? "text after the signature" : NULL;
}

const char *sigtext_unsigned(size_t pos, size_t len)
{
	return pos < len ? "line too long or not ended" : "no signature line";
}

size_t sigtext_signature_line(const uint8_t sig[SIG_LEN], char out[SIGTEXT_SIG_LINE_MAX + 1])
{
	memcpy(out, "signature ", 10);
	EVP_EncodeBlock((unsigned char *)out + 10, sig, SIG_LEN);
	memcpy(out + 10 + 88, "\n", 2);
	return SIGTEXT_SIG_LINE_MAX;
}

const char *sigtext_key_refusal(const key_entry *k, int64_t t, char *buf, size_t n)
{
	char day[11];

	if (k->retired_after != KEY_NEVER && t >= (k->retired_after + 1) * 86400) {
		date_format(date_from_days(k->retired_after), day, sizeof day);
		snprintf(buf, n, "key %s was retired after %s, before the file's time", k->kid,
		         day);
	} else if (t < k->valid_from * 86400) {
		date_format(date_from_days(k->valid_from), day, sizeof day);
		snprintf(buf, n, "key %s is valid only from %s, after the file's time", k->kid,
		         day);
	} else {
		return NULL;
	}
	return buf;
}

err sigtext_verify(const char *path, const char *buf, const sigtext_sig *sig, const keyring *kr,
                   const char *issuer, const char *kid, const key_entry **k, char *why,
                   size_t whylen)
{
	uint8_t issuer_tag[TAG_LEN], kid_tag[TAG_LEN];

	tag_of("issuer", issuer, issuer_tag);
	tag_of("kid", kid, kid_tag);
	if (!(*k = keyring_find(kr, KEY_ISSUER, issuer_tag, kid_tag))) {
		snprintf(why, whylen, "%s:3: signed by %s of %s, which is not in the keyring", path,
		         kid, issuer);
		return ERR_UNKNOWN_KEY;
	}
	if (!sig_verify((*k)->verifier, (const uint8_t *)buf, sig->signed_len, sig->sig)) {
		snprintf(why, whylen, "%s:%u: the signature does not verify", path, sig->line);
		return ERR_BAD_SIGNATURE;
	}
	return ERR_OK;
}
