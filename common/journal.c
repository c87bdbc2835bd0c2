#include "journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "keyring.h"
#include "voucher.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

const char *const journal_kind_name[JOURNAL_CONFLICT + 1] = {
    [JOURNAL_REDEEM] = "redeem",   [JOURNAL_VOID] = "void",         [JOURNAL_HEAD] = "head",
    [JOURNAL_OFFLINE] = "offline", [JOURNAL_CONFLICT] = "conflict",
};

/* The kind named s, or 0. */
static journal_kind kind_named(const char *s)
{
	for (int k = JOURNAL_REDEEM; k <= JOURNAL_CONFLICT; k++)
		if (strcmp(s, journal_kind_name[k]) == 0)
			return (journal_kind)k;
	return 0;
}

const char *const journal_col_name[JOURNAL_FIELDS] = {
    "seq",       "time",     "kind",    "redemption_id", "serial",  "period",    "amount",
    "remaining", "merchant", "gallery", "terminal",      "receipt", "prev_hash", "hash"};

/* ---- the fields' forms ---- */

/* Lower-case hex digits, by table: random digits defeat branch prediction. */
static const uint8_t lower_hex[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};

bool journal_hash_valid(const char *s, size_t n)
{
	unsigned ok = 1;

	if (n != JOURNAL_HASH_HEX)
		return false;
	for (size_t i = 0; i < JOURNAL_HASH_HEX; i++)
		ok &= lower_hex[(unsigned char)s[i]];
	return ok;
}

static bool id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

bool journal_rid_split(const char *s, size_t n, size_t *prefix_len, uint64_t *num)
{
	const char *dash = NULL;
	size_t kid;

	for (size_t i = 0; i < n; i++) {
		if (!id_char(s[i]))
			return false;
		if (s[i] == '-')
			dash = s + i;
	}
	if (!dash || dash - s < 8 || (size_t)(dash - s) > KEY_ID_MAX + 7)
		return false;
	*prefix_len = (size_t)(dash - s);
	kid = *prefix_len - 7;
	if (s[kid] != '-')
		return false;
	for (size_t i = kid + 1; i < *prefix_len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return dec_parse(dash + 1, n - *prefix_len - 1, UINT64_MAX, num) && *num > 0;
}

/* Whether the redemption id's "YYYYMM" (before its number) is period p. */
static bool rid_of_period(const char *rid, size_t prefix_len, period p)
{
	char six[16];

	snprintf(six, sizeof six, "%04u%02u", (unsigned)p.year % 10000, (unsigned)p.month % 100);
	return memcmp(rid + prefix_len - 6, six, 6) == 0;
}

/* A head line: only its time, kind, period and signed head are filled. */
static bool parse_head_line(const char *const f[JOURNAL_FIELDS], const size_t len[JOURNAL_FIELDS],
                            journal_entry *e, const char **why)
{
	journal_head h;
	size_t body;

	for (int i = 0; i < JOURNAL_FIELDS; i++)
		if (len[i] && i != J_TIME && i != J_KIND && i != J_PERIOD && i != J_RECEIPT) {
			*why = "a head line has only a time, a period and the signed head";
			return false;
		}
	if (!instant_parse(f[J_TIME], len[J_TIME], &e->time))
		*why = "bad time (YYYY-MM-DDTHH:MM:SSZ)";
	else if (period_parse(f[J_PERIOD], &e->per) != ERR_OK)
		*why = "bad period (YYYY-MM)";
	else if (!journal_head_parse(f[J_RECEIPT], len[J_RECEIPT], &h, &body, why))
		;
	else if (h.per.year != e->per.year || h.per.month != e->per.month || h.time != e->time)
		*why = "the head line's time or period differs from its signed head's";
	if (*why)
		return false;
	*e = (journal_entry){.time = e->time,
	                     .kind = JOURNAL_HEAD,
	                     .rid = "",
	                     .per = e->per,
	                     .merchant = "",
	                     .gallery = "",
	                     .receipt = f[J_RECEIPT]};
	return true;
}

/* Printable ASCII, no blank, comma or quote: what a receipt is made of. */
static const uint8_t receipt_char[256] = {['!'] = 1, ['#' ... '+'] = 1, ['-' ... '~'] = 1};

/*
 * Eight bytes at a time (the bit tricks of "Bit Twiddling Hacks": a byte
 * below '!', above '~', or equal to '"' or ','), the tail one by one.
 */
static bool receipt_chars(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	unsigned ok = 1;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, q, c;

		memcpy(&w, s + i, 8);
		q = w ^ ones * '"';
		c = w ^ ones * ',';
		if ((((w - ones * '!') & ~w) | ((w + ones * (127 - '~')) | w) | ((q - ones) & ~q) |
		     ((c - ones) & ~c)) &
		    highs)
			return false;
	}
	for (; i < n; i++)
		ok &= receipt_char[(unsigned char)s[i]];
	return ok;
}

bool journal_parse(const char *const f[JOURNAL_FIELDS], const size_t len[JOURNAL_FIELDS],
                   journal_entry *e, const char **why)
{
	uint64_t amount, remaining, terminal;
	size_t prefix_len;
	uint64_t num;

	*why = NULL;
	e->kind = kind_named(f[J_KIND]);
	if (e->kind == JOURNAL_HEAD)
		return parse_head_line(f, len, e, why);
	if (!dec_parse(f[J_SEQ], len[J_SEQ], UINT64_MAX, &e->seq) || e->seq == 0)
		*why = "bad seq (a number from 1)";
	else if (!instant_parse(f[J_TIME], len[J_TIME], &e->time))
		*why = "bad time (YYYY-MM-DDTHH:MM:SSZ)";
	else if (!e->kind)
		*why = "bad kind (redeem, void, offline, conflict or head)";
	else if (!journal_rid_split(f[J_RID], len[J_RID], &prefix_len, &num))
		*why = "bad redemption_id (KEYID-YYYYMM-NUMBER)";
	else if (!voucher_serial_canonical(f[J_SERIAL], len[J_SERIAL], &e->serial))
		*why = "bad serial (16 upper-case hex digits)";
	else if (period_parse(f[J_PERIOD], &e->per) != ERR_OK)
		*why = "bad period (YYYY-MM)";
	else if (!rid_of_period(f[J_RID], prefix_len, e->per))
		*why = "bad redemption_id (its YYYYMM is not the line's period)";
	else if (!dec_parse(f[J_AMOUNT], len[J_AMOUNT], UINT32_MAX, &amount) || amount == 0)
		*why = "bad amount (whole rupiah, 1 to 4294967295)";
	else if (!dec_parse(f[J_REMAINING], len[J_REMAINING], UINT32_MAX, &remaining))
		*why = "bad remaining (whole rupiah, 0 to 4294967295)";
	else if (!key_id_valid(f[J_MERCHANT]))
		*why = "bad merchant (1-32 of A-Z a-z 0-9 . _ -)";
	else if (!key_id_valid(f[J_GALLERY]))
		*why = "bad gallery (1-32 of A-Z a-z 0-9 . _ -)";
	else if (!dec_parse(f[J_TERMINAL], len[J_TERMINAL], UINT32_MAX, &terminal))
		*why = "bad terminal (a number)";
	else if (len[J_RECEIPT] == 0 || !receipt_chars(f[J_RECEIPT], len[J_RECEIPT]))
		*why = "bad receipt (signed: printable ASCII, no comma, quote or blank)";
	else if (!journal_hash_valid(f[J_PREV], len[J_PREV]))
		*why = "bad prev_hash (64 lower-case hex digits)";
	else if (!journal_hash_valid(f[J_HASH], len[J_HASH]))
		*why = "bad hash (64 lower-case hex digits)";
	if (*why)
		return false;
	e->rid = f[J_RID];
	e->amount = (int64_t)amount;
	e->remaining = (int64_t)remaining;
	e->merchant = f[J_MERCHANT];
	e->gallery = f[J_GALLERY];
	e->terminal = (uint32_t)terminal;
	e->receipt = f[J_RECEIPT];
	return true;
}

int journal_receipt_mismatch(const char *const f[JOURNAL_FIELDS], const size_t len[JOURNAL_FIELDS],
                             const receipt_parts *p)
{
	static const struct {
		enum journal_col col;
		enum receipt_part part;
	} same[] = {{J_RID, RP_RID},           {J_SERIAL, RP_SERIAL},
	            {J_AMOUNT, RP_AMOUNT},     {J_REMAINING, RP_REMAINING},
	            {J_MERCHANT, RP_MERCHANT}, {J_GALLERY, RP_GALLERY},
	            {J_TERMINAL, RP_TERMINAL}, {J_TIME, RP_TIME}};

	if (strcmp(f[J_KIND], journal_kind_name[p->kind]) != 0)
		return J_KIND;
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		if (p->len[same[i].part] != len[same[i].col] ||
		    memcmp(p->part[same[i].part], f[same[i].col], len[same[i].col]) != 0)
			return (int)same[i].col;
	return -1;
}

size_t journal_entry_receipt_body(const journal_entry *e, const char *kid, char *out, size_t n)
{
	return receipt_body(&(receipt_fields){.kind = e->kind,
	                                      .rid = e->rid,
	                                      .serial = e->serial,
	                                      .amount = e->amount,
	                                      .remaining = e->remaining,
	                                      .merchant = e->merchant,
	                                      .gallery = e->gallery,
	                                      .terminal = e->terminal,
	                                      .time = e->time,
	                                      .kid = kid},
	                    out, n);
}

/* ---- the chain ---- */

err journal_chain_init(journal_chain *c)
{
	c->seq = 0;
	memcpy(c->hash, ZERO_HASH, sizeof c->hash);
	c->md = EVP_MD_CTX_new();
	c->sha = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!c->md || !c->sha) {
		journal_chain_free(c);
		return ERR_CRYPTO;
	}
	return ERR_OK;
}

void journal_chain_free(journal_chain *c)
{
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha);
	c->md = NULL;
	c->sha = NULL;
}

/* SHA-256 of prev "," text. */
static bool link_hash(journal_chain *c, const char *prev, const char *text, size_t n,
                      uint8_t md[32])
{
	return EVP_DigestInit_ex(c->md, c->sha, NULL) == 1 &&
	       EVP_DigestUpdate(c->md, prev, JOURNAL_HASH_HEX) == 1 &&
	       EVP_DigestUpdate(c->md, ",", 1) == 1 && EVP_DigestUpdate(c->md, text, n) == 1 &&
	       EVP_DigestFinal_ex(c->md, md, NULL) == 1;
}

size_t journal_chain_append(journal_chain *c, journal_entry *e, char *out, size_t n)
{
	char ts[INSTANT_LEN + 1], sr[VOUCHER_SERIAL_LEN + 1], per[8];
	uint8_t md[32];
	int core, all;

	e->seq = c->seq + 1;
	instant_format(e->time, ts);
	voucher_serial_format(e->serial, sr);
	period_format(e->per, per, sizeof per);
	core = snprintf(out, n,
	                "%" PRIu64 ",%s,%s,%s,%s,%s,%" PRId64 ",%" PRId64 ",%s,%s,%" PRIu32 ",%s",
	                e->seq, ts, journal_kind_name[e->kind], e->rid, sr, per, e->amount,
	                e->remaining, e->merchant, e->gallery, e->terminal, e->receipt);
	if (core < 0 || (size_t)core + 2 + 2 * JOURNAL_HASH_HEX >= n ||
	    !link_hash(c, c->hash, out, (size_t)core, md))
		return 0;
	all = core + snprintf(out + core, n - (size_t)core, ",%s,", c->hash);
	hex_encode(md, sizeof md, out + all);
	c->seq = e->seq;
	memcpy(c->hash, out + all, JOURNAL_HASH_HEX + 1);
	return (size_t)all + JOURNAL_HASH_HEX;
}

int journal_chain_check(journal_chain *c, const char *const f[JOURNAL_FIELDS],
                        const size_t len[JOURNAL_FIELDS], uint64_t seq, uint8_t md[32])
{
	char text[JOURNAL_LINE_MAX], hex[JOURNAL_HASH_HEX + 1];
	size_t n = 0;
	int broken = 0;

	for (int i = J_SEQ; i <= J_RECEIPT; i++) {
		if (len[i] > (i == J_RECEIPT ? RECEIPT_MAX : JOURNAL_FIELD_MAX))
			return -1;
		if (i > J_SEQ)
			text[n++] = ',';
		memcpy(text + n, f[i], len[i]);
		n += len[i];
	}
	if (!link_hash(c, f[J_PREV], text, n, md))
		return -1;
	hex_encode(md, 32, hex);
	if (seq != c->seq + 1)
		broken |= JOURNAL_SEQ_BREAK;
	if (memcmp(f[J_PREV], c->hash, JOURNAL_HASH_HEX) != 0)
		broken |= JOURNAL_PREV_BREAK;
	if (memcmp(hex, f[J_HASH], JOURNAL_HASH_HEX) != 0)
		broken |= JOURNAL_HASH_BREAK;
	c->seq = seq;
	memcpy(c->hash, f[J_HASH], JOURNAL_HASH_HEX);
	c->hash[JOURNAL_HASH_HEX] = '\0';
	return broken;
}
