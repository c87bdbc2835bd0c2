#include "voucher.h"

#include <string.h>

#include "base45.h"
#include "bytes.h"
#include "period.h"

/* The body layout of docs/FORMAT.md, in one place. */
static void pack_body(const voucher *v, uint8_t b[VOUCHER_BODY_LEN])
{
	b[0] = VOUCHER_VERSION;
	b[1] = v->flags;
	memcpy(b + 2, v->issuer_tag, TAG_LEN);
	memcpy(b + 6, v->kid_tag, TAG_LEN);
	put_be64(b + 10, v->serial);
	b[18] = (uint8_t)(v->year - 2000);
	b[19] = v->month;
	put_be32(b + 20, v->valid_from);
	put_be32(b + 24, v->valid_until);
	put_be32(b + 28, v->face_value);
	memcpy(b + 32, v->gallery_tag, TAG_LEN);
}

size_t voucher_message(const voucher *v, uint8_t out[VOUCHER_MSG_LEN])
{
	memcpy(out, VOUCHER_DOMAIN, sizeof VOUCHER_DOMAIN);
	pack_body(v, out + sizeof VOUCHER_DOMAIN);
	return VOUCHER_MSG_LEN;
}

/*
 * The window lies in its period: from no earlier than the period's first
 * midnight in the easternmost zone (WIT, UTC+9) until no later than the
 * midnight VOUCHER_GRACE_MAX days after its end in the westernmost (WIB,
 * UTC+7). So a key that signs only for some periods cannot make a voucher
 * that redeems in another.
 */
static bool window_in_period(const voucher *v)
{
	period p = {v->year, v->month}, next = period_next(p);
	int64_t first = date_to_days((date){p.year, p.month, 1}),
	        after = date_to_days((date){next.year, next.month, 1}) + VOUCHER_GRACE_MAX;

	return (int64_t)v->valid_from >= first * 86400 - 9 * 3600 &&
	       (int64_t)v->valid_until <= after * 86400 - 7 * 3600;
}

void voucher_pack(const voucher *v, uint8_t out[VOUCHER_LEN])
{
	pack_body(v, out);
	memcpy(out + VOUCHER_BODY_LEN, v->sig, SIG_LEN);
}

err voucher_unpack(const uint8_t *b, size_t len, voucher *out)
{
	voucher v;

	if (len < 1)
		return ERR_VOUCHER_TRUNCATED;
	if (b[0] != VOUCHER_VERSION)
		return ERR_VOUCHER_VERSION;
	if (len < VOUCHER_LEN)
		return ERR_VOUCHER_TRUNCATED;
	if (len > VOUCHER_LEN)
		return ERR_VOUCHER_TRAILING;
	v.flags = b[1];
	memcpy(v.issuer_tag, b + 2, TAG_LEN);
	memcpy(v.kid_tag, b + 6, TAG_LEN);
	v.serial = get_be64(b + 10);
	v.year = (uint16_t)(2000 + b[18]);
	v.month = b[19];
	v.valid_from = get_be32(b + 20);
	v.valid_until = get_be32(b + 24);
	v.face_value = get_be32(b + 28);
	memcpy(v.gallery_tag, b + 32, TAG_LEN);
	memcpy(v.sig, b + VOUCHER_BODY_LEN, SIG_LEN);
	if ((v.flags & ~VOUCHER_FLAG_MULTI) || v.month < 1 || v.month > 12 ||
	    v.valid_from >= v.valid_until || !window_in_period(&v) || v.serial == 0 ||
	    v.face_value == 0)
		return ERR_MALFORMED_VOUCHER;
	*out = v;
	return ERR_OK;
}

size_t voucher_encode(const voucher *v, char *out, size_t n)
{
	uint8_t raw[VOUCHER_LEN];
	size_t plen = sizeof VOUCHER_PREFIX - 1;

	if (n < VOUCHER_TEXT_LEN + 1)
		return 0;
	voucher_pack(v, raw);
	memcpy(out, VOUCHER_PREFIX, plen);
	return plen + base45_encode(raw, sizeof raw, out + plen, n - plen);
}

/* "UV" digits ":" with other digits than ours: a format we do not know. */
static bool other_version(const char *t, size_t len)
{
	size_t i = 2;

	if (len < 4 || t[0] != 'U' || t[1] != 'V')
		return false;
	while (i < len && i < 6 && t[i] >= '0' && t[i] <= '9')
		i++;
	return i > 2 && i < len && t[i] == ':';
}

err voucher_decode(const char *text, size_t len, voucher *out)
{
	uint8_t raw[VOUCHER_LEN + 1];
	size_t plen = sizeof VOUCHER_PREFIX - 1, rawlen = 0;
	err rc;

	if (len < plen || memcmp(text, VOUCHER_PREFIX, plen) != 0)
		return other_version(text, len) ? ERR_VOUCHER_VERSION : ERR_VOUCHER_PREFIX;
	/* One byte of room beyond the layout tells "extra bytes" from "bad". */
	rc = base45_decode(text + plen, len - plen, raw, sizeof raw, &rawlen);
	if (rc == ERR_VOUCHER_TRAILING)
		return ERR_VOUCHER_TRAILING;
	if (rc != ERR_OK)
		return ERR_VOUCHER_BASE45;
	return voucher_unpack(raw, rawlen, out);
}

err voucher_verify(const voucher *v, const keyring *kr, const key_entry **key)
{
	uint8_t msg[VOUCHER_MSG_LEN];
	const key_entry *k;
	period next = period_next((period){v->year, v->month});
	int64_t first = date_to_days((date){v->year, v->month, 1}),
	        last = date_to_days((date){next.year, next.month, 1}) - 1;

	if (!keyring_has_issuer(kr, KEY_ISSUER, v->issuer_tag))
		return ERR_WRONG_ISSUER;
	k = keyring_find(kr, KEY_ISSUER, v->issuer_tag, v->kid_tag);
	if (!k)
		return ERR_UNKNOWN_KEY;
	voucher_message(v, msg);
	if (!sig_verify(k->verifier, msg, sizeof msg, v->sig))
		return ERR_BAD_SIGNATURE;
	/* A key signs only for the periods that meet its VALID_FROM..RETIRED_AFTER. */
	if (k->retired_after != KEY_NEVER && first > k->retired_after)
		return ERR_KEY_RETIRED;
	if (last < k->valid_from)
		return ERR_KEY_TOO_NEW;
	if (key)
		*key = k;
	return ERR_OK;
}

err voucher_check_time(const voucher *v, int64_t now)
{
	if (now < (int64_t)v->valid_from)
		return ERR_NOT_YET_VALID;
	if (now >= (int64_t)v->valid_until)
		return ERR_EXPIRED;
	return ERR_OK;
}

void voucher_serial_format(uint64_t serial, char out[VOUCHER_SERIAL_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";

	for (int i = VOUCHER_SERIAL_LEN - 1; i >= 0; i--, serial >>= 4)
		out[i] = hex[serial & 0xf];
	out[VOUCHER_SERIAL_LEN] = '\0';
}

bool voucher_serial_canonical(const char *s, size_t n, uint64_t *serial)
{
	uint64_t v = 0;

	if (n != VOUCHER_SERIAL_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16;
		if (d == 16)
			return false;
		v = v << 4 | d;
	}
	*serial = v;
	return v != 0;
}

err voucher_serial_parse(const char *s, uint64_t *serial)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < VOUCHER_SERIAL_LEN; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		                               : -1;
		if (d < 0)
			return ERR_INVALID;
		v = v << 4 | (uint64_t)d;
	}
	if (s[i] != '\0' || v == 0)
		return ERR_INVALID;
	*serial = v;
	return ERR_OK;
}
