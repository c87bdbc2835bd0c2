#include "shortcode.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The check symbol's value: the symbols' values weighted by their place
 * (1..11), modulo 31, a prime, so that one wrong symbol or two swapped
 * neighbours change it (unless they differ by 31: 0 and Z). */
static unsigned check_of(const unsigned v[SHORTCODE_LEN - 1])
{
	unsigned sum = 0;

	for (unsigned i = 0; i < SHORTCODE_LEN - 1; i++)
		sum += (i + 1) * v[i];
	return sum % 31;
}

static void sha256(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, a, alen) != 1 || EVP_DigestUpdate(c, b, blen) != 1 ||
	    EVP_DigestFinal_ex(c, out, NULL) != 1)
		memset(out, 0, 32); /* only out of memory: the code is then wrong, never a secret */
	EVP_MD_CTX_free(c);
}

void shortcode_of(const uint8_t token[VOUCHER_LEN], char out[SHORTCODE_LEN + 1])
{
	uint8_t h[32];
	unsigned v[SHORTCODE_LEN - 1];
	uint64_t bits;

	sha256(SHORTCODE_DOMAIN, sizeof SHORTCODE_DOMAIN, token, VOUCHER_LEN, h);
	bits = 0;
	for (int i = 0; i < 7; i++)
		bits = bits << 8 | h[i];
	bits >>= 1; /* the first 55 bits */
	for (int i = SHORTCODE_LEN - 2; i >= 0; i--, bits >>= 5)
		v[i] = bits & 31;
	for (int i = 0; i < SHORTCODE_LEN - 1; i++)
		out[i] = alphabet[v[i]];
	out[SHORTCODE_LEN - 1] = alphabet[check_of(v)];
	out[SHORTCODE_LEN] = '\0';
}

void shortcode_format(const char *code, char out[SHORTCODE_TEXT_LEN + 1])
{
	for (int g = 0, o = 0; g < 3; g++) {
		if (g)
			out[o++] = '-';
		memcpy(out + o, code + 4 * g, 4);
		o += 4;
	}
	out[SHORTCODE_TEXT_LEN] = '\0';
}

/* A typed character's value, or -1 (-2 for a separator to skip). */
static int value_of(char c)
{
	const char *p;

	if (c == '-' || c == ' ')
		return -2;
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'I' || c == 'L')
		c = '1';
	else if (c == 'O')
		c = '0';
	p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

err shortcode_parse(const char *text, size_t len, char out[SHORTCODE_LEN + 1])
{
	unsigned v[SHORTCODE_LEN], n = 0;

	for (size_t i = 0; i < len; i++) {
		int x = value_of(text[i]);
		if (x == -2)
			continue;
		if (x < 0 || n == SHORTCODE_LEN)
			return ERR_MALFORMED_CODE;
		v[n++] = (unsigned)x;
	}
	if (n != SHORTCODE_LEN || check_of(v) != v[SHORTCODE_LEN - 1])
		return ERR_MALFORMED_CODE;
	for (unsigned i = 0; i < n; i++)
		out[i] = alphabet[v[i]];
	out[n] = '\0';
	return ERR_OK;
}

err shortcode_derive(const char *code, const uint8_t salt[SHORTCODE_SALT_LEN], uint32_t iterations,
                     uint8_t lookup[SHORTCODE_LOOKUP_LEN], uint8_t key[SHORTCODE_KEY_LEN])
{
	static const char lookup_tag[] = "UMKM-CODE-LOOKUP", key_tag[] = "UMKM-CODE-KEY";
	uint8_t dk[32], h[32];

	if (PKCS5_PBKDF2_HMAC(code, SHORTCODE_LEN, salt, SHORTCODE_SALT_LEN, (int)iterations,
	                      EVP_sha256(), sizeof dk, dk) != 1)
		return ERR_CRYPTO;
	sha256(lookup_tag, sizeof lookup_tag, dk, sizeof dk, h);
	memcpy(lookup, h, SHORTCODE_LOOKUP_LEN);
	sha256(key_tag, sizeof key_tag, dk, sizeof dk, key);
	OPENSSL_cleanse(dk, sizeof dk);
	return ERR_OK;
}

/* AES-256-GCM with a zero nonce and no associated data, either way. */
static err gcm(bool seal, const uint8_t key[SHORTCODE_KEY_LEN], const uint8_t *in, uint8_t *out,
               uint8_t tag[16])
{
	static const uint8_t nonce[12];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;
	err rc = ERR_CRYPTO;

	if (!c || EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, seal) != 1 ||
	    EVP_CipherUpdate(c, out, &n, in, VOUCHER_LEN) != 1 || n != VOUCHER_LEN)
		goto cleanup;
	if (!seal && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
		goto cleanup;
	if (EVP_CipherFinal_ex(c, out + n, &m) != 1) {
		rc = seal ? ERR_CRYPTO : ERR_UNKNOWN_CODE;
		goto cleanup;
	}
	if (seal && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		goto cleanup;
	rc = ERR_OK;
cleanup:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

err shortcode_seal(const uint8_t key[SHORTCODE_KEY_LEN], const uint8_t token[VOUCHER_LEN],
                   uint8_t out[SHORTCODE_SEALED_LEN])
{
	return gcm(true, key, token, out, out + VOUCHER_LEN);
}

err shortcode_open(const uint8_t key[SHORTCODE_KEY_LEN], const uint8_t sealed[SHORTCODE_SEALED_LEN],
                   uint8_t token[VOUCHER_LEN])
{
	uint8_t tag[16];
	err rc;

	memcpy(tag, sealed + VOUCHER_LEN, sizeof tag);
	rc = gcm(false, key, sealed, token, tag);
	if (rc != ERR_OK)
		OPENSSL_cleanse(token, VOUCHER_LEN);
	return rc;
}
