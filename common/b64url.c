#include "b64url.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64url_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		out[o++] = alphabet[in[i] >> 2];
		out[o++] = alphabet[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
		out[o++] = alphabet[v >> 10];
		out[o++] = alphabet[(v >> 4) & 63];
		out[o++] = alphabet[(v & 15) << 2];
	}
	out[o] = '\0';
	return o;
}

/* The value of c in the alphabet whose last two characters are c62 and c63, or -1. */
static int value(char c, char c62, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == c62 ? 62 : c == c63 ? 63 : -1;
}

static bool decode(const char *in, size_t len, uint8_t *out, size_t n, char c62, char c63)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (len != B64URL_LEN(n))
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = value(in[i], c62, c63);
		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return acc == 0; /* the bits left over */
}

bool b64url_decode(const char *in, size_t len, uint8_t *out, size_t n)
{
	return decode(in, len, out, n, '-', '_');
}

bool b64url_decode_std(const char *in, size_t len, uint8_t *out, size_t n)
{
	size_t body = B64URL_LEN(n), padded = (body + 3) / 4 * 4;

	if (len != padded)
		return false;
	for (size_t i = body; i < padded; i++)
		if (in[i] != '=')
			return false;
	return decode(in, body, out, n, '+', '/');
}
