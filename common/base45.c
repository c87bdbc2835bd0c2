/*
 * base45: RFC 9285. Two bytes [a, b] are the number n = a * 256 + b,
 * written as three characters c d e with n = c + d * 45 + e * 45 * 45,
 * least significant first; a last single byte becomes two characters.
 */
#include "base45.h"

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* Value of character c in the alphabet, or -1. */
static int digit(char c)
{
	for (int i = 0; i < 45; i++)
		if (alphabet[i] == c)
			return i;
	return -1;
}

size_t base45_encoded_len(size_t n)
{
	return n / 2 * 3 + n % 2 * 2;
}

size_t base45_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	size_t len, i, o = 0;

	/* A length that does not fit in size_t cannot fit in out either. */
	if (n / 2 > (SIZE_MAX - 3) / 3)
		return 0;
	len = base45_encoded_len(n);
	if (outsz < len + 1)
		return 0;
	for (i = 0; i + 1 < n; i += 2) {
		unsigned v = (unsigned)in[i] << 8 | in[i + 1];

		out[o++] = alphabet[v % 45];
		out[o++] = alphabet[v / 45 % 45];
		out[o++] = alphabet[v / (45 * 45)];
	}
	if (i < n) {
		out[o++] = alphabet[in[i] % 45];
		out[o++] = alphabet[in[i] / 45];
	}
	out[o] = '\0';
	return o;
}

/* Store byte at out[*o] if there is room; count it either way. */
static void put(uint8_t *out, size_t outsz, size_t *o, unsigned byte)
{
	if (*o < outsz)
		out[*o] = (uint8_t)byte;
	(*o)++;
}

/*
 * Bad Base45 anywhere is reported as such even when the input is also too
 * long for out: o counts every byte the input decodes to, and only those
 * that fit are stored.
 */
err base45_decode(const char *in, size_t len, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t i, o = 0;

	if (len % 3 == 1)
		return ERR_VOUCHER_BASE45;
	for (i = 0; i < len; i += 3) {
		size_t chars = len - i >= 3 ? 3 : 2;
		unsigned v = 0;

		for (size_t j = chars; j-- > 0;) {
			int d = digit(in[i + j]);

			if (d < 0)
				return ERR_VOUCHER_BASE45;
			v = v * 45 + (unsigned)d;
		}
		if (v > (chars == 3 ? 0xFFFFu : 0xFFu))
			return ERR_VOUCHER_BASE45;
		if (chars == 3)
			put(out, outsz, &o, v >> 8);
		put(out, outsz, &o, v & 0xFF);
	}
	if (o > outsz)
		return ERR_VOUCHER_TRAILING;
	*outlen = o;
	return ERR_OK;
}
