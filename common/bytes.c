#include "bytes.h"

bool dec_parse(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool hex_decode(const char *in, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(in[2 * i]), lo = hi < 0 ? -1 : hex_digit(in[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* memchr finds each separator: a receipt's or a head's hundreds of bytes
 * are not compared one by one here. */
size_t split_at(const char *s, size_t n, char sep, const char **part, size_t *len, size_t max)
{
	const char *p = s, *end = s + n, *c;
	size_t np = 0;

	for (;;) {
		c = p < end ? memchr(p, sep, (size_t)(end - p)) : NULL;
		if (np == max)
			return max + 1;
		part[np] = p;
		len[np++] = (size_t)((c ? c : end) - p);
		if (!c)
			return np;
		p = c + 1;
	}
}
