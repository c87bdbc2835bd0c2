/*
 * diff_gen's keyrings and revocation lists: files of random lines, mostly
 * well formed and signed with the test keys, then changed; each printed
 * with what the C reader makes of it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "period.h"
#include "utf8.h"

/* ---- keyrings ---- */

static void random_id(buf *b, size_t n)
{
	static const char ch[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

	for (size_t i = 0; i < n; i++)
		buf_add(b, &ch[rnd(sizeof ch - 1)], 1);
}

/* A public key's text: of the test keys, random bytes or a point of small
 * order, sometimes with a character, its padding or its length changed. */
static void key_text(buf *b)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=";
	uint8_t p[32];
	char pub[64];
	size_t n;

	if (chance(75)) {
		snprintf(pub, sizeof pub, "%s", chance(70) ? pub_a64 : pub_b64);
	} else {
		if (chance(60))
			for (int i = 0; i < 32; i++)
				p[i] = (uint8_t)rnd(256);
		else
			unhex(PICK(small_order), p, 32);
		b64_of(p, 32, pub);
	}
	n = strlen(pub);
	if (chance(10)) {
		unsigned at =
		    chance(50) ? 42 : rnd(n); /* 42: the character with bits after the key */
		switch (rnd(4)) {
		case 0:
			pub[at] = b64[rnd(sizeof b64 - 1)];
			break;
		case 1:
			pub[n - 1] = chance(50) ? '\0' : 'A';
			break;
		case 2:
			memcpy(pub + n, chance(50) ? "=" : "A", 2);
			break;
		default:
			memmove(pub + at, pub + at + 1, n - at);
		}
	}
	buf_printf(b, "%s", pub);
}

/* A keyring line, mostly a well-formed key. */
static void key_line(buf *b)
{
	/* K13870 and K58315: two ids with one tag (FORMAT.md's vector) */
	static const char *const kids[] = {"K1",      "K2",     "K3",    "K4", "K5",
	                                   "K6",      "K7",     "K8",    "K9", "R-TEST0001",
	                                   "a.b_c-d", "K13870", "K58315"};
	static const char *const bad_ids[] = {"K/1", "K1!", "K\xc3\xa9",
	                                      "\xef\xbc\xab"
	                                      "1",
	                                      "*"};
	static const char *const seps[] = {" ", " ", " ", "\t", "  ", " \t "};
	static const char *const dates[] = {
	    "1899-12-31", "1900-01-01",  "1969-12-31", "1970-01-01", "2199-12-31", "2200-01-01",
	    "9999-12-31", "0000-01-01",  "2026-02-29", "2028-02-29", "2100-02-29", "2000-02-29",
	    "2026-13-01", "2026-00-10",  "2026-1-01",  "2026-01-1",  "26-01-01",   "2026/01/01",
	    "+026-01-01", "2026-01-01Z", "2026-11-31", "2026-12-32"};
	const char *sep = PICK(seps);
	int64_t from = date_to_days((date){2025, 1, 1}) + rnd(3 * 365);
	char day[11];

	if (chance(85)) /* KID */
		buf_printf(b, "%s", PICK(kids));
	else if (chance(65))
		random_id(b, chance(20) ? 32 + rnd(2) : 1 + rnd(8));
	else
		buf_printf(b, "%s", PICK(bad_ids));
	buf_printf(b, "%s%s%s", sep, /* ROLE */
	           chance(97) ? (chance(80) ? "issuer" : "receipt")
	                      : PICK(((const char *[]){"Issuer", "signer", "-", "receipts"})),
	           sep);
	if (chance(93)) /* ISSUER */
		buf_printf(b, "%s", chance(50) ? "-" : chance(70) ? "PROBOLINGGO" : "MALANG");
	else if (chance(60))
		random_id(b, 1 + rnd(chance(10) ? 34 : 12));
	else
		buf_printf(b, "%s", PICK(bad_ids));
	buf_printf(b, "%s", sep);
	/* VALID_FROM, RETIRED_AFTER (mostly after it), or days of no calendar */
	if (chance(20))
		from = date_to_days((date){1900, 1, 1}) + rnd(300 * 365);
	date_format(date_from_days(from), day, sizeof day);
	buf_printf(b, "%s%s", chance(92) ? day : PICK(dates), sep);
	date_format(date_from_days(from + (chance(5) ? -1 - (int64_t)rnd(30) : rnd(500))), day,
	            sizeof day);
	buf_printf(b, "%s%s", chance(50) ? "-" : chance(85) ? day : PICK(dates), sep);
	key_text(b);
	if (chance(10))
		buf_printf(b, "%s",
		           PICK(((const char *[]){"  # a comment", "#x", "\r", " ", "\t"})));
	buf_add(b, "\n", 1);
}

/* n bytes of p in a new allocation (strndup would stop at a NUL). */
static char *memdup(const char *p, size_t n)
{
	char *q = malloc(n + 1);

	if (!q)
		die("out of memory");
	memcpy(q, p, n);
	q[n] = '\0';
	return q;
}

/* Change a file's text: a character, a line, its ends. */
static void mutate_lines(buf *b)
{
	size_t s, l, i = b->n ? rnd(b->n) : 0;
	unsigned n = buf_lines(b);

	switch (rnd(9)) {
	case 0: /* a character inserted, as readers might skip it or not */
	case 1:
		put_odd(b, i, 0);
		break;
	case 2: /* a character replaced */
		put_odd(b, i, b->n > 0);
		break;
	case 3: /* a character removed */
		if (b->n)
			buf_splice(b, i, 1, "", 0);
		break;
	case 4: /* a line twice */
		if (n && buf_line(b, rnd(n), &s, &l)) {
			char *dup = memdup(b->p + s, l); /* it may hold a NUL */
			buf_splice(b, s, 0, dup, l);
			free(dup);
		}
		break;
	case 5: /* a line removed */
		if (n && buf_line(b, rnd(n), &s, &l))
			buf_splice(b, s, l, "", 0);
		break;
	case 6: /* the last newline removed, or one more */
		if (b->n && b->p[b->n - 1] == '\n' && chance(70))
			b->n--;
		else
			buf_add(b, "\n", 1);
		break;
	case 7: /* CRLF */
		for (size_t k = 0; k < b->n; k++)
			if (b->p[k] == '\n' && (k == 0 || b->p[k - 1] != '\r'))
				buf_splice(b, k++, 0, "\r", 1);
		break;
	default: /* two neighbouring lines swapped */
		if (n >= 2) {
			size_t s2, l2;
			unsigned k = rnd(n - 1);
			char *first;

			if (!buf_line(b, k, &s, &l) || !buf_line(b, k + 1, &s2, &l2))
				break; /* fewer lines than buf_lines counts: an empty last one */
			first = memdup(b->p + s, l); /* it may hold a NUL */
			buf_splice(b, s, l, "", 0);
			buf_splice(b, s + l2, 0, first, l);
			free(first);
		}
	}
}

void gen_keyring(void)
{
	buf b = {0};
	const char *what;
	keyring *kr = NULL;
	char why[512];

	do {
		b.n = 0;
		for (unsigned n = 1 + rnd(4); n > 0; n--)
			if (chance(10))
				buf_printf(&b, "%s\n",
				           PICK(((const char *[]){"# KID ROLE ISSUER", "", "   ",
				                                  "\t", "#", " # K1 issuer -"})));
			else
				key_line(&b);
		what = "valid";
		if (chance(40)) {
			for (unsigned k = 1 + rnd(2); k > 0; k--)
				mutate_lines(&b);
			what = "edited";
		}
	} while (!utf8_valid(b.p, b.n));
	printf("{\"kind\":\"keyring\",\"what\":\"%s\"", what);
	put_text("input", &b);
	if (keyring_load(mem_put(&b), &kr, why, sizeof why) != ERR_OK) {
		unsigned line = why_line(why);
		if (line)
			printf(",\"verdict\":\"refused at line %u\"}\n", line);
		else
			printf(",\"verdict\":\"refused\"}\n");
		free(b.p);
		return;
	}
	printf(",\"verdict\":\"ok\"");
	put_keys(kr);
	/* Its issuer keys as GET /v1/offline/state serves them (redeemer/http_offline.c). */
	b.n = 0;
	for (size_t i = 0; i < keyring_count(kr); i++) {
		const key_entry *k = keyring_at(kr, i);
		char line[256];
		if (k->role == KEY_ISSUER)
			buf_add(&b, line, keyring_format_line(k, line, sizeof line));
	}
	put_text("served", &b);
	printf("}\n");
	keyring_free(kr);
	free(b.p);
}

/* ---- revocation lists ---- */

static void list_serials(buf *b, const char *kind, unsigned n)
{
	uint64_t s[8];

	for (unsigned i = 0; i < n; i++)
		s[i] = chance(50) ? PICK(serials) : chance(3) ? 0 : rnd64();
	if (chance(95)) /* ascending, as a list is written */
		for (unsigned i = 1; i < n; i++)
			for (unsigned j = i; j > 0 && s[j - 1] > s[j]; j--) {
				uint64_t x = s[j];
				s[j] = s[j - 1];
				s[j - 1] = x;
			}
	for (unsigned i = 0; i < n; i++)
		if (chance(97))
			buf_printf(b, "%s %016" PRIX64 "\n", kind, s[i]);
		else
			buf_printf(b, "%s %015" PRIx64 "\n", kind, s[i]);
}

/* A list's time: mostly one its key may sign at and not ahead of the reader. */
static void list_time(buf *b)
{
	static const char *const times[] = {
	    "2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z", "2026-12-15T05:05:00Z",
	    "2026-12-15T05:05:01Z", "2026-11-15T00:00:00Z", "2026-11-14T23:59:59Z",
	    "2026-12-15T23:59:59Z", "2026-12-16T00:00:00Z", "2026-02-30T00:00:00Z",
	    "2026-12-01 00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T00:00:60Z",
	    "2026-12-01t00:00:00z", "1969-12-31T23:59:59Z", "2026-12-01T00:00:00",
	    "2027-01-01T00:00:00Z"};
	const int64_t first = 1793491200; /* 2026-11-01T00:00:00Z */
	char s[INSTANT_LEN + 1];

	if (chance(80)) {
		instant_format(first + (int64_t)rnd(LIST_NOW + 301 - first), s);
		buf_printf(b, "%s", s);
	} else {
		buf_printf(b, "%s", PICK(times));
	}
}

/* A list's text before its signature line, for ring; *key signs it. */
static void list_body(buf *b, int ring, const sig_signer **key)
{
	static const char *const versions[] = {
	    "0",  "1",  "18446744073709551615", "18446744073709551616", "01", "-1", "",
	    " 1", "1 ", "99999999999999999999"};
	ring_key k = pick_key(ring, 85);

	buf_printf(b, "%s\n",
	           chance(97) ? REVLIST_MAGIC
	                      : PICK(((const char *[]){"UMKM-REVOCATIONS-v2", "umkm-revocations-v1",
	                                               "UMKM-REVOCATIONS-v1 ", ""})));
	buf_printf(b, "issuer %s\n",
	           chance(97)
	               ? k.issuer
	               : PICK(((const char *[]){"SURABAYA", "-", "PROBOLINGGO ", "", "K 1"})));
	buf_printf(b, "kid %s\n", chance(98) ? k.kid : PICK(((const char *[]){"K 1", "", "K1 "})));
	if (chance(95))
		buf_printf(b, "version %" PRIu64 "\n", chance(50) ? rnd(10) : rnd64());
	else
		buf_printf(b, "version %s\n", PICK(versions));
	buf_printf(b, "time ");
	list_time(b);
	buf_printf(b, "\n");
	if (chance(70))
		list_serials(b, "revoked", rnd(5));
	if (chance(25)) {
		const char *ck[2] = {PICK(((const char *[]){"K0", "K1", "K3"})),
		                     PICK(((const char *[]){"K4", "K9", "K2", "K1"}))};
		for (unsigned i = 0, n = 1 + rnd(2); i < n; i++) {
			buf_printf(b, "compromised %s ", ck[i]);
			list_time(b);
			buf_printf(b, "\n");
		}
		list_serials(b, "allowed", rnd(4));
	} else if (chance(3)) {
		list_serials(b, "allowed", 1 + rnd(2));
	}
	*key = k.key ? *k.key : key_a;
}

static void put_list(const revlist *rl)
{
	printf(",\"list\":{\"issuer\":\"%s\",\"kid\":\"%s\",\"time\":%" PRId64 ",\"revoked\":[",
	       rl->issuer, rl->kid, rl->time);
	for (size_t i = 0; i < rl->n; i++)
		printf("%s\"%016" PRIX64 "\"", i ? "," : "", rl->serials[i]);
	printf("],\"compromised\":[");
	for (size_t i = 0; i < rl->ncompromised; i++)
		printf("%s[\"%s\",%" PRId64 "]", i ? "," : "", rl->compromised[i].kid,
		       rl->compromised[i].since);
	printf("],\"allowed\":[");
	for (size_t i = 0; i < rl->nallowed; i++)
		printf("%s\"%016" PRIX64 "\"", i ? "," : "", rl->allowed[i]);
	printf("]}");
}

void gen_revlist(void)
{
	buf b = {0};
	const sig_signer *key;
	const char *what, *t;
	int ring = (int)rnd(3);
	int64_t now = LIST_NOW, at;
	revlist rl = {0};
	char why[512];
	unsigned how = rnd(100);
	err rc;

	do {
		b.n = 0;
		list_body(&b, ring, &key);
		what = "valid";
		if (how < 20) { /* the body changed, then signed: the checks after the signature */
			mutate_lines(&b);
			what = "resign";
		}
		sign_text(&b, key);
		if (how >= 60 &&
		    how < 72) { /* the signature's Base64, its last characters mostly */
			size_t i = b.n - 89 + (chance(50) ? 85 + rnd(3) : rnd(88));
			b.p[i] =
			    chance(50) ? (char)(b.p[i] ^ (1 << rnd(3))) : "AQgw+/=-_ A"[rnd(11)];
			what = "signature";
		} else if (how >= 72) {
			mutate_lines(&b);
			what = "edited";
		}
	} while (!utf8_valid(b.p, b.n));
	/* The reader's clock: FORMAT.md's now, or about the list's time. */
	if (chance(30) && (t = strstr(b.p, "\ntime ")) && instant_parse(t + 6, INSTANT_LEN, &at))
		now = at + PICK(((const int64_t[]){-301, -300, -299, 0, 86400}));
	printf("{\"kind\":\"revlist\",\"what\":\"%s\",\"ring\":%d,\"now\":%" PRId64, what, ring,
	       now);
	put_text("input", &b);
	rc = revlist_load(mem_put(&b), rings[ring], now, &rl, why, sizeof why);
	if (rc != ERR_OK) {
		printf(",\"verdict\":\"refused at line %u (%s)\"}\n", why_line(why), err_code(rc));
	} else {
		printf(",\"verdict\":\"ok\"");
		put_list(&rl);
		printf("}\n");
		revlist_free(&rl);
	}
	free(b.p);
}
