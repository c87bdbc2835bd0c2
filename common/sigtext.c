#include "sigtext.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

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
	uint8_t b[SIG_LEN + 2];
	const char *v = line + 10;

	/* 64 bytes are 88 characters ending in one '=': EVP_DecodeBlock
	 * counts the padding's zero bytes in its length. */
	if (strncmp(line, "signature ", 10) != 0 || strlen(v) != 88 || v[86] != '=' ||
	    v[85] == '=' || EVP_DecodeBlock(b, (const unsigned char *)v, 88) != SIG_LEN + 2)
		return false;
	memcpy(sig, b, SIG_LEN);
	return true;
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
