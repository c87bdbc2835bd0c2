/* The journal's signed head (journal.h, docs/FORMAT.md "The journal"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "b64url.h"
#include "bytes.h"
#include "journal.h"

#define HEAD_PARTS 11 /* UH2 and ten values, the signature last */

void journal_head_add(journal_head *h, const journal_entry *e, const char hash[JOURNAL_HASH_HEX])
{
	if (h->count == 0)
		h->first = e->seq;
	h->last = e->seq;
	h->count++;
	memcpy(h->last_hash, hash, JOURNAL_HASH_HEX);
	h->last_hash[JOURNAL_HASH_HEX] = '\0';
	if (e->kind == JOURNAL_REDEEM || e->kind == JOURNAL_OFFLINE)
		h->redeemed += e->amount;
	else if (e->kind == JOURNAL_VOID)
		h->voided += e->amount;
	/* a conflict moves no money */
}

/* The body: everything the signature covers. */
static size_t head_body(const journal_head *h, char *out, size_t n)
{
	char per[8], ts[INSTANT_LEN + 1];
	int len;

	period_format(h->per, per, sizeof per);
	instant_format(h->time, ts);
	len = snprintf(
	    out, n, "UH2|%s|%" PRIu64 "|%" PRIu64 "|%" PRIu64 "|%s|%" PRId64 "|%" PRId64 "|%s|%s",
	    per, h->first, h->last, h->count, h->last_hash, h->redeemed, h->voided, ts, h->kid);
	return len < 0 || (size_t)len >= n ? 0 : (size_t)len;
}

/* What the key signs: the domain, a zero byte, the body. */
static size_t head_message(const char *body, size_t n, uint8_t *msg)
{
	memcpy(msg, JOURNAL_HEAD_DOMAIN, sizeof JOURNAL_HEAD_DOMAIN);
	memcpy(msg + sizeof JOURNAL_HEAD_DOMAIN, body, n);
	return sizeof JOURNAL_HEAD_DOMAIN + n;
}

size_t journal_head_sign(const journal_head *h, const sig_signer *key, char *out, size_t n)
{
	uint8_t msg[sizeof JOURNAL_HEAD_DOMAIN + JOURNAL_HEAD_MAX], sig[SIG_LEN];
	size_t len = head_body(h, out, n);

	if (!len || len + 2 + RECEIPT_SIG_LEN > n || len + 1 + RECEIPT_SIG_LEN > JOURNAL_HEAD_MAX ||
	    sig_sign(key, msg, head_message(out, len, msg), sig) != ERR_OK)
		return 0;
	out[len++] = '|';
	len += b64url_encode(sig, SIG_LEN, out + len);
	out[len] = '\0';
	return len;
}

size_t journal_head_line(const journal_head *h, const char *signed_head, char *out, size_t n)
{
	char per[8], ts[INSTANT_LEN + 1];
	int len;

	period_format(h->per, per, sizeof per);
	instant_format(h->time, ts);
	len = snprintf(out, n, ",%s,head,,,%s,,,,,,%s,,", ts, per, signed_head);
	return len < 0 || (size_t)len >= n ? 0 : (size_t)len;
}

bool journal_head_parse(const char *text, size_t n, journal_head *h, size_t *body_len,
                        const char **why)
{
	const char *part[HEAD_PARTS];
	size_t len[HEAD_PARTS];
	uint64_t redeemed, voided;
	char per[8];

	*why = "not a signed head (UH2|period|first|last|count|last_hash|redeemed|voided|time|kid|"
	       "sig)";
	if (n > JOURNAL_HEAD_MAX || split_at(text, n, '|', part, len, HEAD_PARTS) != HEAD_PARTS ||
	    len[0] != 3 || memcmp(part[0], "UH2", 3) != 0)
		return false;
	memset(h, 0, sizeof *h);
	snprintf(per, sizeof per, "%.*s", (int)(len[1] < 7 ? len[1] : 7), part[1]);
	if (len[1] != 7 || period_parse(per, &h->per) != ERR_OK)
		*why = "bad head period (YYYY-MM)";
	else if (!dec_parse(part[2], len[2], UINT64_MAX, &h->first) ||
	         !dec_parse(part[3], len[3], UINT64_MAX, &h->last) ||
	         !dec_parse(part[4], len[4], UINT64_MAX, &h->count))
		*why = "bad head seq or count (numbers)";
	else if (h->first == 0 ||
	         (h->count ? h->last - h->first + 1 != h->count || h->last < h->first
	                   : h->last + 1 != h->first))
		*why = "bad head: its count is not last - first + 1";
	else if (!journal_hash_valid(part[5], len[5]))
		*why = "bad head last_hash (64 lower-case hex digits)";
	else if (!dec_parse(part[6], len[6], INT64_MAX, &redeemed) ||
	         !dec_parse(part[7], len[7], INT64_MAX, &voided))
		*why = "bad head totals (whole rupiah)";
	else if (!instant_parse(part[8], len[8], &h->time))
		*why = "bad head time (YYYY-MM-DDTHH:MM:SSZ)";
	else if (len[9] < 1 || len[9] > KEY_ID_MAX)
		*why = "bad head kid";
	else if (len[10] != RECEIPT_SIG_LEN)
		*why = "bad head signature (86 Base64url characters)";
	else
		*why = NULL;
	if (*why)
		return false;
	memcpy(h->kid, part[9], len[9]);
	if (!key_id_valid(h->kid) || strlen(h->kid) != len[9]) { /* no NUL inside either */
		*why = "bad head kid";
		return false;
	}
	memcpy(h->last_hash, part[5], JOURNAL_HASH_HEX);
	h->redeemed = (int64_t)redeemed;
	h->voided = (int64_t)voided;
	*body_len = (size_t)(part[10] - 1 - text);
	return true;
}

bool journal_head_verify(const sig_verifier *v, const char *text, size_t n)
{
	uint8_t msg[sizeof JOURNAL_HEAD_DOMAIN + JOURNAL_HEAD_MAX], sig[SIG_LEN];
	journal_head h;
	size_t body;
	const char *why;

	return journal_head_parse(text, n, &h, &body, &why) &&
	       b64url_decode(text + body + 1, RECEIPT_SIG_LEN, sig, SIG_LEN) &&
	       sig_verify(v, msg, head_message(text, body, msg), sig);
}
