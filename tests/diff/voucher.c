/*
 * diff_gen's tokens and short codes: made from random fields and signed,
 * then changed; each printed with what the redeemer answers for it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base45.h"
#include "diff.h"
#include "period.h"
#include "shortcode.h"
#include "utf8.h"
#include "voucher.h"

static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

static void sign_body(const uint8_t *raw, const sig_signer *key, uint8_t sig[SIG_LEN])
{
	uint8_t msg[VOUCHER_MSG_LEN];

	memcpy(msg, VOUCHER_DOMAIN, sizeof VOUCHER_DOMAIN);
	memcpy(msg + sizeof VOUCHER_DOMAIN, raw, VOUCHER_BODY_LEN);
	if (sig_sign(key, msg, sizeof msg, sig) != ERR_OK)
		die("cannot sign");
}

/*
 * The 100 bytes of a token of random fields for ring, mostly valid ones
 * (a key of the ring, a period about now, its window as an issuer computes
 * it), signed mostly as a valid token is; *now an instant to check it at,
 * mostly about its window. Returns how it was signed.
 */
static const char *make_token(int ring, uint8_t raw[VOUCHER_LEN], int64_t *now)
{
	static const char *const galleries[] = {"GALERI-1", "GALERI-2"};
	ring_key k = pick_key(ring, 80);
	voucher v = {0};
	period p, next;
	uint8_t msg[VOUCHER_MSG_LEN], r[32];
	int tz = 7 + (int)rnd(3), grace = chance(95) ? (int)rnd(32) : 32 + (int)rnd(20);
	int64_t from, until;
	unsigned how = k.key ? rnd(100) : 99; /* a key of small order: R of small order, S = 0 */

	v.flags = chance(97) ? (uint8_t)rnd(2) : (uint8_t)rnd(256);
	tag_of("issuer", k.issuer, v.issuer_tag);
	tag_of("kid", k.kid, v.kid_tag);
	v.serial = chance(50) ? PICK(serials) : chance(2) ? 0 : rnd64();
	if (chance(85)) /* the periods the rings' keys sign for, mostly */
		p = PICK(((const period[]){
		    {2026, 9}, {2026, 10}, {2026, 11}, {2026, 12}, {2026, 12}, {2027, 1}}));
	else if (chance(50))
		p = (period){2026, 1 + (int)rnd(12)};
	else
		p = (period){2000 + (int)rnd(256), 1 + (int)rnd(12)};
	if (chance(1))
		p.month = PICK(((const int[]){0, 13, 255}));
	v.year = (uint16_t)p.year;
	v.month = (uint8_t)p.month;
	next = period_next(p);
	from = date_to_days((date){p.year, p.month, 1}) * 86400 - tz * 3600;
	until = (date_to_days((date){next.year, next.month, 1}) + grace) * 86400 - tz * 3600;
	if (chance(5))
		from += chance(50) ? -1 : 1;
	if (chance(5))
		until += chance(50) ? -1 : 1;
	if (chance(1))
		until = from - rnd(2);
	if (chance(1))
		from = rnd64() & 0xFFFFFFFF, until = rnd64() & 0xFFFFFFFF;
	v.valid_from = (uint32_t)from;
	v.valid_until = (uint32_t)until;
	v.face_value = chance(90)   ? 1 + rnd(10000000)
	               : chance(50) ? PICK(((const uint32_t[]){0, 1, UINT32_MAX}))
	                            : (uint32_t)rnd64();
	if (chance(50))
		tag_of("gallery", PICK(galleries), v.gallery_tag);
	else if (chance(10))
		memcpy(v.gallery_tag, (uint32_t[]){(uint32_t)rnd64()}, TAG_LEN);
	voucher_pack(&v, raw);
	if (chance(2))
		raw[0] = PICK(((const uint8_t[]){0, 2, 0xff}));
	memcpy(msg, VOUCHER_DOMAIN, sizeof VOUCHER_DOMAIN);
	memcpy(msg + sizeof VOUCHER_DOMAIN, raw, VOUCHER_BODY_LEN);
	if (chance(30))
		*now = LIST_NOW;
	else if (chance(70))
		*now = PICK(
		    ((const int64_t[]){from - 1, from, until - 1, until,
		                       from + (int64_t)rnd((uint64_t)llabs(until - from) + 1)}));
	else
		*now = from - 40 * 86400 + (int64_t)rnd((uint64_t)llabs(until - from) + 80 * 86400);
	if (how < 85) {
		sign_body(raw, *k.key, raw + VOUCHER_BODY_LEN);
		return *k.key == key_a ? "A" : "B";
	}
	if (how < 88) {
		memset(raw + VOUCHER_BODY_LEN, 0, SIG_LEN);
		return "zero";
	}
	if (how < 90) {
		for (int i = 0; i < SIG_LEN; i++)
			raw[VOUCHER_BODY_LEN + i] = (uint8_t)rnd(256);
		return "random";
	}
	if (how < 93) {
		sign_body(raw, key_a, raw + VOUCHER_BODY_LEN);
		add_l(raw + VOUCHER_BODY_LEN);
		return "A, S+L";
	}
	if (how < 98) {
		bool plus_l = chance(10);
		unhex(PICK(small_order), r, 32);
		sign_with_r(r, msg, sizeof msg, plus_l, raw + VOUCHER_BODY_LEN);
		return plus_l ? "A, R of small order, S+L" : "A, R of small order";
	}
	unhex(PICK(small_order), raw + VOUCHER_BODY_LEN, 32);
	memset(raw + VOUCHER_BODY_LEN + 32, 0, 32);
	return "R of small order, S=0";
}

/* "UV1:" and the Base45 of n bytes into t. */
static void text_of(const uint8_t *raw, size_t n, buf *t)
{
	char s[2 * VOUCHER_LEN];

	buf_set(t, "UV1:", 4);
	buf_add(t, s, base45_encode(raw, n, s, sizeof s));
}

/* Base45 groups written as their value + 65536: above 65535 (if one is low enough). */
static void alias_group(buf *t)
{
	for (int tries = 0; tries < 20; tries++) {
		size_t g = 4 + 3 * rnd(50);
		unsigned v = (unsigned)(strchr(b45, t->p[g]) - b45) +
		             (unsigned)(strchr(b45, t->p[g + 1]) - b45) * 45 +
		             (unsigned)(strchr(b45, t->p[g + 2]) - b45) * 2025 + 65536;
		if (v < 45 * 45 * 45) {
			t->p[g] = b45[v % 45];
			t->p[g + 1] = b45[v / 45 % 45];
			t->p[g + 2] = b45[v / 2025];
			return;
		}
	}
}

/* Change the token (raw, then its text made again) or its text t. Returns what was done. */
static const char *mutate_token(uint8_t raw[VOUCHER_LEN], buf *t)
{
	static const char *const prefixes[] = {"UV2:",     "UV0:", "UV10:",   "UV:",   "UV1",
	                                       "uv1:",     "Uv1:", "UV1::",   " UV1:", "UV1: ",
	                                       "UV01:",    "UVA:", "VU1:",    "HC1:",  "",
	                                       "UV1:UV1:", "UV1;", "UV9999:", "U1:",   "UV1-"};
	size_t i = 4 + rnd(t->n - 4);
	unsigned how = rnd(82);

	if (chance(35))
		return "valid";
	if (how < 10) { /* a bit of a character (bit 7: a character that is not ASCII) */
		unsigned bit = rnd(8);
		if (bit == 7)
			buf_splice(t, i, 1, "\xc3\xa9", 2);
		else
			t->p[i] ^= (char)(1 << bit);
		return "flip";
	}
	if (how < 17) {
		t->n = rnd(t->n);
		return "truncate";
	}
	if (how < 24) {
		for (unsigned k = 1 + rnd(5); k > 0; k--)
			if (chance(70))
				buf_add(t, &b45[rnd(45)], 1);
			else
				put_odd(t, t->n, 0);
		return "extend";
	}
	if (how < 34) {
		for (unsigned k = 1 + rnd(3); k > 0; k--)
			t->p[4 + rnd(t->n - 4)] = b45[rnd(45)];
		return "subst";
	}
	if (how < 39) {
		for (size_t k = 0; k < t->n; k++)
			if (t->p[k] >= 'A' && t->p[k] <= 'Z' && chance(k < 4 ? 50 : 5))
				t->p[k] = (char)(t->p[k] - 'A' + 'a');
		return "case";
	}
	if (how < 46) {
		const char *p = PICK(prefixes);
		buf_splice(t, 0, 4, p, strlen(p));
		return "prefix";
	}
	if (how < 50) {
		alias_group(t);
		return "alias";
	}
	if (how < 54) { /* 99 or 101 bytes, or a last group of two characters above 255 */
		uint8_t more[VOUCHER_LEN + 1];
		memcpy(more, raw, VOUCHER_LEN);
		more[VOUCHER_LEN] = (uint8_t)rnd(256);
		text_of(more, chance(50) ? VOUCHER_LEN - 1 : VOUCHER_LEN + 1, t);
		if (chance(30)) {
			buf_add(t, "Z", 1);
			buf_add(t, &b45[rnd(45)], 1);
		}
		return "group";
	}
	if (how < 72) { /* the bytes: a bit, a byte, S + L or a tag; signed again (by A) or not */
		bool resign = how >= 64;
		unsigned at = resign ? rnd(VOUCHER_BODY_LEN) : rnd(VOUCHER_LEN);

		if (chance(60))
			raw[at] ^= (uint8_t)(1 << rnd(8));
		else if (chance(50))
			raw[at] = (uint8_t)rnd(256);
		else if (!resign)
			add_l(raw + VOUCHER_BODY_LEN);
		else
			memset(raw + 2 + 4 * rnd(2), (int)rnd(256),
			       TAG_LEN); /* an issuer or kid of no one */
		if (resign)
			sign_body(raw, key_a, raw + VOUCHER_BODY_LEN);
		text_of(raw, VOUCHER_LEN, t);
		return resign ? "resign" : "bytes";
	}
	if (how < 77) {
		put_odd(t, i, chance(50));
		return "nonascii";
	}
	if (chance(50)) {
		const char *s = PICK(((const char *[]){" ", "\n", "\t", "\xef\xbb\xbf"}));
		buf_splice(t, 0, 0, s, strlen(s));
	}
	if (chance(80)) {
		const char *s = PICK(((const char *[]){"\n", "\r\n", " ", "\t"}));
		buf_add(t, s, strlen(s));
	}
	return "space";
}

static void put_fields(const voucher *v)
{
	char serial[VOUCHER_SERIAL_LEN + 1];

	voucher_serial_format(v->serial, serial);
	printf(",\"fields\":{\"multi\":%s,\"issuerTag\":\"", v->flags & 1 ? "true" : "false");
	put_hex(v->issuer_tag, TAG_LEN);
	printf("\",\"kidTag\":\"");
	put_hex(v->kid_tag, TAG_LEN);
	printf("\",\"serial\":\"%s\",\"year\":%u,\"month\":%u,\"validFrom\":%" PRIu32
	       ",\"validUntil\":%" PRIu32 ",\"face\":%" PRIu32 ",\"galleryTag\":\"",
	       serial, v->year, v->month, v->valid_from, v->valid_until, v->face_value);
	put_hex(v->gallery_tag, TAG_LEN);
	printf("\"}");
}

/* What the redeemer answers for a decoded token (redeemer/http_redeem.c,
 * check_voucher) at a terminal of gallery; NULL: no gallery checked. */
static err redeemer_check(const voucher *v, int ring, int list, const char *gallery, int64_t now)
{
	static const uint8_t any[TAG_LEN];
	const key_entry *k;
	uint8_t g[TAG_LEN];
	err e = voucher_verify(v, rings[ring], &k);

	if (e != ERR_OK)
		return e;
	if (list >= 0 && (revlist_has(&lists[list], v->serial) ||
	                  !revlist_allows(&lists[list], k->kid, v->serial)))
		return ERR_REVOKED;
	if (gallery) {
		tag_of("gallery", gallery, g);
		if (memcmp(v->gallery_tag, any, TAG_LEN) && memcmp(v->gallery_tag, g, TAG_LEN))
			return ERR_NOT_VALID_HERE;
	}
	return voucher_check_time(v, now);
}

void gen_voucher(void)
{
	static const char *const galleries[] = {NULL, "GALERI-1", "GALERI-1", "GALERI-1",
	                                        "GALERI-2"};
	uint8_t raw[VOUCHER_LEN + 1];
	int64_t now;
	buf t = {0};
	const char *what, *sig, *gallery = PICK(galleries);
	int ring = PICK(((const int[]){0, 0, 0, 0, 1, 1, 1, 2, 2, 3})), list = -1;
	voucher v;
	err rc;
	size_t rawlen = 0;

	do {
		sig = make_token(ring, raw, &now);
		text_of(raw, VOUCHER_LEN, &t);
		what = mutate_token(raw, &t);
	} while (!utf8_valid(t.p, t.n));
	for (int i = 0; i < N_LISTS; i++)
		if (list_ring[i] == ring && chance(60))
			list = i;
	printf("{\"kind\":\"voucher\",\"what\":\"%s\",\"sig\":\"%s\",\"ring\":%d,\"list\":%d", what,
	       sig, ring, list);
	if (gallery)
		printf(",\"gallery\":\"%s\"", gallery);
	else
		printf(",\"gallery\":null");
	printf(",\"now\":%" PRId64, now);
	put_text("input", &t);
	rc = voucher_decode(t.p, t.n, &v);
	if (rc == ERR_OK) {
		put_fields(&v);
		rc = redeemer_check(&v, ring, list, gallery, now);
	}
	printf(",\"verdict\":\"%s\"", rc == ERR_OK ? "ok" : err_code(rc));
	/* The short code of any text that is the prefix and 100 bytes of Base45. */
	if (t.n > 4 && memcmp(t.p, "UV1:", 4) == 0 &&
	    base45_decode(t.p + 4, t.n - 4, raw, sizeof raw, &rawlen) == ERR_OK &&
	    rawlen == VOUCHER_LEN) {
		char code[SHORTCODE_LEN + 1], printed[SHORTCODE_TEXT_LEN + 1];
		shortcode_of(raw, code);
		shortcode_format(code, printed);
		printf(",\"code\":\"%s\"", printed);
	}
	printf("}\n");
	free(t.p);
}

/* A code as a person might type it: of a random token, then changed. */
static const char *typed_code(buf *b)
{
	static const char syms[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZILOUabcdefghijklmnopqrstuvwxyz";
	static const char *const seps[] = {" ", "", "  ", "_", ".", "\t", "--"};
	uint8_t token[VOUCHER_LEN];
	char code[SHORTCODE_LEN + 1], printed[SHORTCODE_TEXT_LEN + 1];
	unsigned how = rnd(100);
	size_t i;

	for (int k = 0; k < VOUCHER_LEN; k++)
		token[k] = (uint8_t)rnd(256);
	shortcode_of(token, code);
	shortcode_format(code, printed);
	if (chance(80))
		buf_set(b, printed, strlen(printed));
	else
		buf_set(b, code, strlen(code));
	i = rnd(b->n);
	if (how < 20)
		return "valid";
	if (how < 30) {
		for (size_t k = 0; k < b->n; k++)
			if (b->p[k] >= 'A' && b->p[k] <= 'Z' && chance(50))
				b->p[k] = (char)(b->p[k] - 'A' + 'a');
		return "case";
	}
	if (how < 40) {
		const char *sep = PICK(seps);
		for (size_t k = 0; k < b->n; k++)
			if (b->p[k] == '-') {
				buf_splice(b, k, 1, sep, strlen(sep));
				k += strlen(sep) - (*sep != 0);
			}
		if (chance(50))
			buf_splice(b, 0, 0, " ", 1);
		return "separators";
	}
	if (how < 50) {
		for (size_t k = 0; k < b->n; k++)
			if (b->p[k] == '1')
				b->p[k] = "IiLl"[rnd(4)];
			else if (b->p[k] == '0')
				b->p[k] = "Oo"[rnd(2)];
		return "misread";
	}
	if (how < 65) {
		b->p[i] = syms[rnd(sizeof syms - 1)];
		return "typo";
	}
	if (how < 72) {
		if (i + 1 < b->n) {
			char x = b->p[i];
			b->p[i] = b->p[i + 1];
			b->p[i + 1] = x;
		}
		return "swap";
	}
	if (how < 82) {
		if (chance(50))
			buf_splice(b, i, 1, "", 0);
		else
			buf_splice(b, i, 0, &syms[rnd(sizeof syms - 1)], 1);
		return "length";
	}
	if (how < 90) {
		put_odd(b, i, chance(50));
		return "nonascii";
	}
	b->n = 0;
	for (unsigned n = rnd(20); n > 0; n--)
		if (chance(80))
			buf_add(b, &syms[rnd(sizeof syms - 1)], 1);
		else
			buf_add(b, &" -\t"[rnd(4)], 1); /* or its NUL */
	return "junk";
}

void gen_code(void)
{
	char out[SHORTCODE_LEN + 1];
	buf b = {0};
	const char *what;

	do
		what = typed_code(&b);
	while (!utf8_valid(b.p, b.n));
	printf("{\"kind\":\"code\",\"what\":\"%s\"", what);
	put_text("input", &b);
	printf(",\"verdict\":\"%s\"}\n",
	       shortcode_parse(b.p, b.n, out) == ERR_OK ? out : "malformed_code");
	free(b.p);
}
