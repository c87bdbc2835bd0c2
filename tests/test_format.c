/*
 * The test vectors of docs/FORMAT.md, checked in the document itself.
 *
 * The document's "vectors" block gives a fixed seed, the instant at which
 * the vectors are judged, and for each vector its fields, its token and
 * the expected result. This test rebuilds every token from its fields and
 * the seed (so the layout cannot drift from the text), then decodes and
 * verifies each against a keyring holding the seed's key and compares the
 * result code. Its "receipt-vectors" block gives three receipts signed as
 * one tree by the same seed as a receipt key, and the tree's root: rebuilt
 * here from their bodies and verified. `test_format --print` prints both
 * blocks afresh.
 */
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "testutil.h"

#include "journal.h"
#include "keyring.h"
#include "period.h"
#include "receipt.h"
#include "sign/sign.h"
#include "voucher.h"

#define DOC "docs/FORMAT.md"

static const char seed_hex[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char now_text[] = "2026-12-15 12:00 WIB";
static const int64_t now = 1797310800; /* 2026-12-15T05:00:00Z */

/* A vector: how to build the token, and what checking it must say. */
struct vec {
	const char *name, *issuer, *kid, *period, *tz, *gallery;
	uint64_t serial;
	int grace;
	uint32_t face;
	int multi;
	const char
	    *mutate; /* NULL, "tamper-face", "truncate", "prefix", "s-plus-l", "small-order-r" */
	const char *expect;
};

static const struct vec vecs[] = {
    {"valid-multi", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "", 0x0123456789ABCDEFULL, 3,
     150000, 1, NULL, "ok"},
    {"valid-single-gallery", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "DEKRANASDA-1",
     0x8BADF00DDEADBEEFULL, 0, 50000, 0, NULL, "ok"},
    {"valid-wit", "PROBOLINGGO", "K1", "2026-12", "Asia/Jayapura", "", 0x0000000000000001ULL, 5,
     4294967295u, 1, NULL, "ok"},
    {"tampered-face-value", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "",
     0x0123456789ABCDEFULL, 3, 150000, 1, "tamper-face", "bad_signature"},
    {"expired", "PROBOLINGGO", "K1", "2026-10", "Asia/Jakarta", "", 0x1111111111111111ULL, 3, 75000,
     1, NULL, "expired"},
    {"not-yet-valid", "PROBOLINGGO", "K1", "2027-01", "Asia/Jakarta", "", 0x2222222222222222ULL, 3,
     75000, 1, NULL, "not_yet_valid"},
    {"wrong-issuer", "MALANG", "K1", "2026-12", "Asia/Jakarta", "", 0x3333333333333333ULL, 3, 50000,
     1, NULL, "wrong_issuer"},
    {"unknown-key", "PROBOLINGGO", "K2", "2026-12", "Asia/Jakarta", "", 0x4444444444444444ULL, 3,
     50000, 1, NULL, "unknown_key"},
    {"truncated", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "", 0x0123456789ABCDEFULL, 3,
     150000, 1, "truncate", "malformed_voucher"},
    {"wrong-prefix", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "", 0x0123456789ABCDEFULL, 3,
     150000, 1, "prefix", "malformed_voucher"},
    {"key-not-yet-valid", "PROBOLINGGO", "K1", "2026-09", "Asia/Jakarta", "", 0x5555555555555555ULL,
     3, 50000, 1, NULL, "unknown_key"},
    {"window-past-its-period", "PROBOLINGGO", "K1", "2026-11", "Asia/Jakarta", "",
     0x7777777777777777ULL, 45, 50000, 1, NULL, "malformed_voucher"},
    {"retired-key", "PROBOLINGGO", "K3", "2026-12", "Asia/Jakarta", "", 0x6666666666666666ULL, 3,
     50000, 1, NULL, "unknown_key"},
    {"s-at-least-l", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "", 0x0123456789ABCDEFULL, 3,
     150000, 1, "s-plus-l", "bad_signature"},
    {"r-of-small-order", "PROBOLINGGO", "K1", "2026-12", "Asia/Jakarta", "", 0x0123456789ABCDEFULL,
     3, 150000, 1, "small-order-r", "bad_signature"},
};
#define NVEC (sizeof vecs / sizeof vecs[0])

static sig_signer *seed_key(void)
{
	uint8_t seed[32];
	sig_signer *s;

	for (int i = 0; i < 32; i++)
		sscanf(seed_hex + 2 * i, "%2hhx", &seed[i]);
	assert_int_equal(sig_from_seed(seed, &s), ERR_OK);
	return s;
}

/* L, the order of Ed25519's base point. */
#define L_HEX "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed"

/* then=s-plus-l: S (the signature's last 32 bytes, little-endian) + L. */
static void s_plus_l(uint8_t sig[SIG_LEN])
{
	BIGNUM *s = BN_lebin2bn(sig + 32, 32, NULL), *l = NULL;

	assert_true(s && BN_hex2bn(&l, L_HEX) && BN_add(s, s, l));
	assert_int_equal(BN_bn2lebinpad(s, sig + 32, 32), 32);
	BN_free(s);
	BN_free(l);
}

/*
 * then=small-order-r: v signed again by the seed's holder with R the point
 * of order 2 and nonce 0: S = k * a mod L, k = SHA-512(R || A || message).
 * [8][S]B = [8]R + [8][k]A holds (a cofactored check accepts it); [S]B =
 * R + [k]A does not.
 */
static void small_order_r(voucher *v, const sig_signer *key)
{
	uint8_t seed[32], h[64], pub[SIG_PUBLEN], msg[VOUCHER_MSG_LEN];
	BIGNUM *a, *k, *l = NULL, *s = BN_new();
	BN_CTX *c = BN_CTX_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	for (int i = 0; i < 32; i++)
		sscanf(seed_hex + 2 * i, "%2hhx", &seed[i]);
	EVP_Digest(seed, 32, h, NULL, EVP_sha512(), NULL);
	h[0] &= 248; /* the secret scalar a, clamped (RFC 8032 5.1.5) */
	h[31] = (uint8_t)((h[31] & 127) | 64);
	a = BN_lebin2bn(h, 32, NULL);
	memset(v->sig, 0xff, 32);
	v->sig[0] = 0xec;
	v->sig[31] = 0x7f;
	sig_public(key, pub);
	voucher_message(v, msg);
	assert_true(md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) &&
	            EVP_DigestUpdate(md, v->sig, 32) && EVP_DigestUpdate(md, pub, sizeof pub) &&
	            EVP_DigestUpdate(md, msg, sizeof msg) && EVP_DigestFinal_ex(md, h, NULL));
	k = BN_lebin2bn(h, 64, NULL);
	assert_true(a && k && s && c && BN_hex2bn(&l, L_HEX) && BN_mod_mul(s, k, a, l, c));
	assert_int_equal(BN_bn2lebinpad(s, v->sig + 32, 32), 32);
	OPENSSL_cleanse(seed, sizeof seed);
	BN_clear_free(a);
	BN_free(k);
	BN_free(l);
	BN_free(s);
	BN_CTX_free(c);
	EVP_MD_CTX_free(md);
}

static void build(const struct vec *x, const sig_signer *key, char out[VOUCHER_TEXT_LEN + 1])
{
	voucher v = {0};
	period p;
	int64_t from, until;

	assert_int_equal(period_parse(x->period, &p), ERR_OK);
	period_window(p, x->grace, tzone_find(x->tz), &from, &until);
	v.flags = x->multi ? VOUCHER_FLAG_MULTI : 0;
	tag_of("issuer", x->issuer, v.issuer_tag);
	tag_of("kid", x->kid, v.kid_tag);
	if (x->gallery[0])
		tag_of("gallery", x->gallery, v.gallery_tag);
	v.serial = x->serial;
	v.year = (uint16_t)p.year;
	v.month = (uint8_t)p.month;
	v.valid_from = (uint32_t)from;
	v.valid_until = (uint32_t)until;
	v.face_value = x->face;
	assert_int_equal(voucher_sign(&v, key), ERR_OK);
	if (x->mutate && strcmp(x->mutate, "tamper-face") == 0)
		v.face_value = 900000;
	if (x->mutate && strcmp(x->mutate, "s-plus-l") == 0)
		s_plus_l(v.sig);
	if (x->mutate && strcmp(x->mutate, "small-order-r") == 0)
		small_order_r(&v, key);
	assert_int_equal(voucher_encode(&v, out, VOUCHER_TEXT_LEN + 1), VOUCHER_TEXT_LEN);
	if (x->mutate && strcmp(x->mutate, "truncate") == 0)
		out[VOUCHER_TEXT_LEN - 3] = '\0';
	if (x->mutate && strcmp(x->mutate, "prefix") == 0)
		memcpy(out, "VU1:", 4);
}

static const char *check(const char *text, const keyring *kr)
{
	voucher v;
	err rc = voucher_decode(text, strlen(text), &v);

	if (rc == ERR_OK)
		rc = voucher_verify(&v, kr, NULL);
	if (rc == ERR_OK)
		rc = voucher_check_time(&v, now);
	return err_code(rc);
}

/* K1, and K3 retired after 2026-11-30: the seed's key under two ids, both
 * of PROBOLINGGO from 2026-10-01. lines gets their keyring lines. */
static keyring *seed_keyring(const sig_signer *s, char lines[512])
{
	keyring *kr = keyring_new();
	key_entry e = {0};
	size_t n;

	strcpy(e.kid, "K1");
	strcpy(e.issuer, "PROBOLINGGO");
	e.role = KEY_ISSUER;
	e.valid_from = date_to_days((date){2026, 10, 1});
	e.retired_after = KEY_NEVER;
	sig_public(s, e.pub);
	assert_int_equal(keyring_add(kr, &e), ERR_OK);
	n = keyring_format_line(&e, lines, 256);
	strcpy(e.kid, "K3");
	e.retired_after = date_to_days((date){2026, 11, 30});
	assert_int_equal(keyring_add(kr, &e), ERR_OK);
	keyring_format_line(&e, lines + n, 256);
	return kr;
}

static void print_block(void)
{
	sig_signer *s = seed_key();
	char line[512], text[VOUCHER_TEXT_LEN + 1], *second;
	keyring *kr = seed_keyring(s, line);

	second = strchr(line, '\n') + 1;
	printf("seed %s\nnow %s\nkeyring %.*skeyring %s", seed_hex, now_text, (int)(second - line),
	       line, second);
	for (size_t i = 0; i < NVEC; i++) {
		const struct vec *x = &vecs[i];
		build(x, s, text);
		printf("\nvector %s\n", x->name);
		printf("fields issuer=%s kid=%s serial=%016llX period=%s timezone=%s grace_days=%d "
		       "face_value=%u use=%s gallery=%s%s%s\n",
		       x->issuer, x->kid, (unsigned long long)x->serial, x->period, x->tz, x->grace,
		       x->face, x->multi ? "multi" : "single", x->gallery[0] ? x->gallery : "-",
		       x->mutate ? " then=" : "", x->mutate ? x->mutate : "");
		printf("token %s\nexpect %s\n", text, check(text, kr));
	}
	keyring_free(kr);
	sig_signer_free(s);
}

/* ---- receipts ---- */

#define RKID "R-TEST0001"
#define RID  RKID "-202612-"
/* Three redemptions of one commit (one tree), then a void an hour later,
 * and two sales made offline at 02:30 and 02:40, uploaded later: one taken,
 * one a conflict (its voucher spent meanwhile); each a tree of its own. */
static const char *const receipt_bodies[] = {
    "UR2|" RID "17|0123456789ABCDEF|25000|125000|M1|GALERI-A|3|2026-12-05T03:04:05Z|" RKID,
    "UR2|" RID "18|8BADF00DDEADBEEF|50000|0|M1|GALERI-A|3|2026-12-05T03:04:05Z|" RKID,
    "UR2|" RID "19|0000000000000001|10000|4294957295|M2|GALERI-B|7|2026-12-05T03:04:06Z|" RKID,
    "URV2|" RID "17|0123456789ABCDEF|25000|150000|M1|GALERI-A|4|2026-12-05T04:04:05Z|" RKID,
    "URO2|" RID "20|0000000000000001|5000|4294952295|M2|GALERI-B|7|2026-12-05T02:30:00Z|" RKID,
    "URC2|" RID "21|8BADF00DDEADBEEF|20000|0|M2|GALERI-B|7|2026-12-05T02:40:00Z|" RKID,
};
#define NRECEIPT (sizeof receipt_bodies / sizeof receipt_bodies[0])
#define NTREE    3 /* the first three are one tree */

/* The receipt key's keyring line, the receipts and the root of the
 * first three in hex. */
static void receipt_block(char line[256], char rc[NRECEIPT][RECEIPT_MAX + 1], char root[65])
{
	sig_signer *s = seed_key();
	key_entry e = {0};
	char *text[NRECEIPT];
	receipt_parts p;
	uint8_t r[32];

	strcpy(e.kid, RKID);
	e.role = KEY_RECEIPT;
	e.valid_from = date_to_days((date){2026, 11, 1});
	e.retired_after = KEY_NEVER;
	sig_public(s, e.pub);
	keyring_format_line(&e, line, 256);
	for (size_t i = 0; i < NRECEIPT; i++) {
		strcpy(rc[i], receipt_bodies[i]);
		text[i] = rc[i];
	}
	assert_int_equal(receipt_sign_tree(s, text, NTREE), ERR_OK);
	for (size_t i = NTREE; i < NRECEIPT; i++)
		assert_int_equal(receipt_sign_tree(s, text + i, 1), ERR_OK);
	assert_true(receipt_parse(rc[0], strlen(rc[0]), &p));
	assert_true(receipt_root(rc[0], p.body_len, p.part[RP_PATH], p.len[RP_PATH], r));
	for (int i = 0; i < 32; i++)
		sprintf(root + 2 * i, "%02x", r[i]);
	sig_signer_free(s);
}

static void print_receipt_block(void)
{
	char line[256], rc[NRECEIPT][RECEIPT_MAX + 1], root[65];

	receipt_block(line, rc, root);
	printf("seed %s\nkeyring %s", seed_hex, line);
	for (size_t i = 0; i < NTREE; i++)
		printf("receipt %s\n", rc[i]);
	printf("root %s\n", root);
	for (size_t i = NTREE; i < NRECEIPT; i++)
		printf("receipt %s\n", rc[i]);
}

#define HEAD_TIME 1796446800 /* 2026-12-05T05:00:00Z: when the vector is exported */

/*
 * The journal of the receipt vectors: their three redemptions, then the
 * first one voided an hour later from another terminal of its merchant,
 * then its head, signed by the receipt key. Into out (one line each after
 * the header); returns its length.
 */
static size_t journal_block(char *out, size_t n)
{
	char line[256], rc[NRECEIPT][RECEIPT_MAX + 1], root[65];
	static const struct {
		int64_t time;
		journal_kind kind;
		const char *rid;
		uint64_t serial;
		int64_t amount, remaining;
		const char *merchant, *gallery;
		uint32_t terminal;
		int receipt; /* index into rc, or -1 */
	} e[] = {
	    {1796439845, JOURNAL_REDEEM, RID "17", 0x0123456789ABCDEFULL, 25000, 125000, "M1",
	     "GALERI-A", 3, 0},
	    {1796439845, JOURNAL_REDEEM, RID "18", 0x8BADF00DDEADBEEFULL, 50000, 0, "M1",
	     "GALERI-A", 3, 1},
	    {1796439846, JOURNAL_REDEEM, RID "19", 0x0000000000000001ULL, 10000, 4294957295, "M2",
	     "GALERI-B", 7, 2},
	    {1796443445, JOURNAL_VOID, RID "17", 0x0123456789ABCDEFULL, 25000, 150000, "M1",
	     "GALERI-A", 4, 3},
	    {1796437800, JOURNAL_OFFLINE, RID "20", 0x0000000000000001ULL, 5000, 4294952295, "M2",
	     "GALERI-B", 7, 4},
	    {1796438400, JOURNAL_CONFLICT, RID "21", 0x8BADF00DDEADBEEFULL, 20000, 0, "M2",
	     "GALERI-B", 7, 5},
	};
	journal_chain c;
	journal_head h = {.per = {2026, 12}, .time = HEAD_TIME, .kid = RKID};
	char head[JOURNAL_HEAD_MAX + 1];
	sig_signer *key = seed_key();
	size_t len;

	receipt_block(line, rc, root);
	assert_int_equal(journal_chain_init(&c), ERR_OK);
	len = (size_t)snprintf(out, n, "%s\n", JOURNAL_HEADER);
	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
		journal_entry je = {0,
		                    e[i].time,
		                    e[i].kind,
		                    e[i].rid,
		                    e[i].serial,
		                    {2026, 12},
		                    e[i].amount,
		                    e[i].remaining,
		                    e[i].merchant,
		                    e[i].gallery,
		                    e[i].terminal,
		                    rc[e[i].receipt]};
		size_t k = journal_chain_append(&c, &je, out + len, n - len);

		assert_true(k > 0);
		journal_head_add(&h, &je, out + len + k - JOURNAL_HASH_HEX);
		len += k;
		out[len++] = '\n';
		out[len] = '\0';
	}
	assert_true(journal_head_sign(&h, key, head, sizeof head) > 0);
	len += journal_head_line(&h, head, out + len, n - len);
	out[len++] = '\n';
	out[len] = '\0';
	journal_chain_free(&c);
	sig_signer_free(key);
	return len;
}

static void document_matches_code(void **state)
{
	sig_signer *s = seed_key();
	char line[512], text[VOUCHER_TEXT_LEN + 1], want[1024], *doc = doc_block(DOC, "vectors"),
	                                                        *p, *second;
	keyring *kr = seed_keyring(s, line);
	size_t checked = 0;

	(void)state;
	second = strchr(line, '\n') + 1;
	snprintf(want, sizeof want, "seed %s\nnow %s\nkeyring %.*skeyring %s", seed_hex, now_text,
	         (int)(second - line), line, second);
	assert_memory_equal(doc, want, strlen(want));
	for (size_t i = 0; i < NVEC; i++) {
		build(&vecs[i], s, text);
		snprintf(want, sizeof want, "\nvector %s\n", vecs[i].name);
		p = strstr(doc, want);
		assert_non_null(p);
		p = strstr(p, "\ntoken ");
		assert_non_null(p);
		p += strlen("\ntoken ");
		/* The document's token is exactly what the code builds... */
		assert_int_equal(strcspn(p, "\n"), strlen(text));
		assert_memory_equal(p, text, strlen(text));
		/* ...and checks to the document's expected result. */
		p = strstr(p, "\nexpect ");
		assert_non_null(p);
		p += strlen("\nexpect ");
		assert_int_equal(strcspn(p, "\n"), strlen(vecs[i].expect));
		assert_memory_equal(p, vecs[i].expect, strlen(vecs[i].expect));
		assert_string_equal(check(text, kr), vecs[i].expect);
		checked++;
	}
	assert_int_equal(checked, NVEC);
	free(doc);
	keyring_free(kr);
	sig_signer_free(s);
}

/* The document's receipts are what the code signs, and verify with the
 * document's keyring line; one changed character does not. */
static void document_receipts(void **state)
{
	char line[256], rc[NRECEIPT][RECEIPT_MAX + 1], root[65], want[4096], *doc;
	const char *what;
	key_entry e;
	sig_verifier *v;
	size_t n = 0;

	(void)state;
	receipt_block(line, rc, root);
	n += (size_t)snprintf(want + n, sizeof want - n, "seed %s\nkeyring %s", seed_hex, line);
	for (size_t i = 0; i < NTREE; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "receipt %s\n", rc[i]);
	n += (size_t)snprintf(want + n, sizeof want - n, "root %s\n", root);
	for (size_t i = NTREE; i < NRECEIPT; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "receipt %s\n", rc[i]);
	doc = doc_block(DOC, "receipt-vectors");
	assert_string_equal(doc, want);
	free(doc);

	line[strcspn(line, "\n")] = '\0';
	assert_int_equal(keyring_parse_line(line, &e, &what), ERR_OK);
	assert_int_equal(sig_verifier_new(e.pub, &v), ERR_OK);
	for (size_t i = 0; i < NRECEIPT; i++) {
		assert_true(receipt_verify(v, rc[i], strlen(rc[i])));
		rc[i][7] ^= 1; /* a letter of the redemption id */
		assert_false(receipt_verify(v, rc[i], strlen(rc[i])));
	}
	sig_verifier_free(v);
}

/* The fields of one journal line (no newline), split at its commas. */
static int split_line(char *line, const char *fp[JOURNAL_FIELDS], size_t len[JOURNAL_FIELDS])
{
	int nf = 0;

	for (char *p = line;; p++) {
		char *c = strchr(p, ',');
		if (nf == JOURNAL_FIELDS)
			return -1;
		fp[nf] = p;
		len[nf] = c ? (size_t)(c - p) : strlen(p);
		nf++;
		if (!c)
			break;
		*c = '\0';
		p = c;
	}
	return nf;
}

/*
 * The document's journal is what the code writes; read back, every line
 * parses, links and holds a receipt that agrees with it, and the head says
 * what the lines are and verifies with the receipt key; an amount edited,
 * a line deleted or a void added each break the chain, and each makes the
 * head's count, hash or totals disagree.
 */
static void document_journal(void **state)
{
	char text[12288], *doc = doc_block(DOC, "journal-vectors"), *lines[10], *save = NULL;
	char keyline[256], rcpt[NRECEIPT][RECEIPT_MAX + 1], root[65], head[JOURNAL_HEAD_MAX + 1];
	int nlines = 0;
	journal_chain c;
	journal_head h;
	key_entry ke;
	sig_verifier *v;
	const char *what;
	size_t body;

	(void)state;
	journal_block(text, sizeof text);
	assert_string_equal(doc, text);
	for (char *l = strtok_r(text, "\n", &save); l && nlines < 10;
	     l = strtok_r(NULL, "\n", &save))
		lines[nlines++] = l;
	assert_int_equal(nlines, 8);
	assert_string_equal(lines[0], JOURNAL_HEADER);

	/* The head line, last: only its time, period and signed head. */
	{
		char copy[2048];
		const char *fp[JOURNAL_FIELDS], *why;
		size_t len[JOURNAL_FIELDS];
		journal_entry e;

		strcpy(copy, lines[7]);
		assert_int_equal(split_line(copy, fp, len), JOURNAL_FIELDS);
		if (!journal_parse(fp, len, &e, &why))
			fail_msg("the head line: %s", why);
		assert_int_equal(e.kind, JOURNAL_HEAD);
		strcpy(head, fp[J_RECEIPT]);
		assert_true(journal_head_parse(head, strlen(head), &h, &body, &why));
		assert_int_equal(h.first, 1);
		assert_int_equal(h.last, 6);
		assert_int_equal(h.count, 6);
		assert_int_equal(h.redeemed, 90000); /* the offline one's, not the conflict's */
		assert_int_equal(h.voided, 25000);
		assert_int_equal(h.time, HEAD_TIME);
		assert_string_equal(h.kid, RKID);
		assert_memory_equal(h.last_hash, lines[6] + strlen(lines[6]) - 64, 64);
	}
	receipt_block(keyline, rcpt, root);
	keyline[strcspn(keyline, "\n")] = '\0';
	assert_int_equal(keyring_parse_line(keyline, &ke, &what), ERR_OK);
	assert_int_equal(sig_verifier_new(ke.pub, &v), ERR_OK);
	assert_true(journal_head_verify(v, head, strlen(head)));
	head[body - 20] ^= 1; /* a digit of its hash */
	assert_false(journal_head_verify(v, head, strlen(head)));
	sig_verifier_free(v);

	/* As written: every line well formed and linked; then edited. */
	for (int pass = 0; pass < 4; pass++) {
		int breaks = 0, skip = pass == 2 ? 2 : 0, count = 0;
		int64_t redeemed = 0, voided = 0;

		assert_int_equal(journal_chain_init(&c), ERR_OK);
		for (int i = 1; i < 7; i++) {
			char copy[2048], amount[16];
			const char *fp[JOURNAL_FIELDS], *why;
			size_t len[JOURNAL_FIELDS];
			journal_entry e;
			receipt_parts p;
			uint8_t md[32];
			int rc;

			if (i == skip)
				continue; /* pass 2: the second line deleted */
			strcpy(copy, lines[i]);
			assert_int_equal(split_line(copy, fp, len), JOURNAL_FIELDS);
			if (pass == 1 && i == 1) { /* the first amount edited */
				strcpy(amount, "2500");
				fp[J_AMOUNT] = amount;
				len[J_AMOUNT] = 4;
			}
			if (!journal_parse(fp, len, &e, &why))
				fail_msg("line %d: %s", i + 1, why);
			assert_true(receipt_parse(fp[J_RECEIPT], len[J_RECEIPT], &p));
			assert_int_equal(p.kind, e.kind);
			assert_int_equal(journal_receipt_mismatch(fp, len, &p),
			                 pass == 1 && i == 1 ? J_AMOUNT : -1);
			rc = journal_chain_check(&c, fp, len, e.seq, md);
			assert_true(rc >= 0);
			breaks += rc != 0;
			count++;
			if (e.kind == JOURNAL_REDEEM || e.kind == JOURNAL_OFFLINE)
				redeemed += e.amount;
			else if (e.kind == JOURNAL_VOID)
				voided += e.amount;
		}
		if (pass == 3) { /* a void appended with a chain of its own making */
			char copy[2048];
			const char *fp[JOURNAL_FIELDS];
			size_t len[JOURNAL_FIELDS];
			uint8_t md[32];

			strcpy(copy, lines[4]);
			assert_int_equal(split_line(copy, fp, len), JOURNAL_FIELDS);
			fp[J_SEQ] = "7";
			assert_int_equal(journal_chain_check(&c, fp, len, 7, md),
			                 JOURNAL_PREV_BREAK | JOURNAL_HASH_BREAK);
			count++;
			voided += 25000;
		}
		journal_chain_free(&c);
		assert_int_equal(breaks, pass == 0 || pass == 3 ? 0 : 1);
		/* Whatever the chain says, the signed head tells each edit. */
		assert_int_equal(pass == 0, (uint64_t)count == h.count && redeemed == h.redeemed &&
		                                voided == h.voided);
	}
	free(doc);
}

/* The worked example's body bytes in the document match voucher_message. */
static void document_body_hex(void **state)
{
	sig_signer *s = seed_key();
	char *doc, *p, hex[2 * VOUCHER_MSG_LEN + 1];
	uint8_t msg[VOUCHER_MSG_LEN], tok[VOUCHER_TEXT_LEN + 1];
	voucher v;

	(void)state;
	build(&vecs[0], s, (char *)tok);
	assert_int_equal(voucher_decode((char *)tok, strlen((char *)tok), &v), ERR_OK);
	voucher_message(&v, msg);
	for (size_t i = 0; i < sizeof msg; i++)
		sprintf(hex + 2 * i, "%02x", msg[i]);
	doc = read_text(DOC);
	p = strstr(doc, "signed message (hex): ");
	assert_non_null(p);
	p += strlen("signed message (hex): ");
	assert_memory_equal(p, hex, strlen(hex));
	free(doc);
	sig_signer_free(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(document_matches_code),
	    cmocka_unit_test(document_body_hex),
	    cmocka_unit_test(document_receipts),
	    cmocka_unit_test(document_journal),
	};

	if (argc > 1 && strcmp(argv[1], "--print") == 0) {
		print_block();
		printf("\n");
		print_receipt_block();
		{
			char text[8192];
			journal_block(text, sizeof text);
			printf("\n%s", text);
		}
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
