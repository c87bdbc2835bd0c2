#include "testutil.h"

#include "keyring.h"
#include "revlist.h"
#include "sig.h"
#include "sign/sign.h"

#define LIST_TIME 1795000000          /* 2026-11-18T11:06:40Z */
#define NOW       (LIST_TIME + 86400) /* the reader's clock, a day later */

struct fixture {
	char *dir;
	sig_signer *key;   /* K1 of PROBOLINGGO */
	sig_signer *other; /* M1 of MALANG */
	sig_signer *rcpt;  /* R1, a receipt key */
	keyring *kr;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = tmpdir_make();
	assert_int_equal(sig_generate(&f->key), ERR_OK);
	assert_int_equal(sig_generate(&f->other), ERR_OK);
	assert_int_equal(sig_generate(&f->rcpt), ERR_OK);
	f->kr = keyring_new();
	add_key(f->kr, f->key, KEY_ISSUER, "K1", "PROBOLINGGO");
	add_key(f->kr, f->other, KEY_ISSUER, "M1", "MALANG");
	add_key(f->kr, f->rcpt, KEY_RECEIPT, "R1", "");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sig_signer_free(f->key);
	sig_signer_free(f->other);
	sig_signer_free(f->rcpt);
	keyring_free(f->kr);
	tmpdir_remove(f->dir);
	free(f);
	sig_thread_done();
	return 0;
}

/* The whole signed list text for these fields (malloc'd), as the issuer
 * writes it. */
static char *list_text(const char *issuer, const char *kid, uint64_t version,
                       const uint64_t *serials, size_t n, const sig_signer *key)
{
	revlist rl = {0};
	size_t len;
	char *all;
	err rc;

	snprintf(rl.issuer, sizeof rl.issuer, "%s", issuer);
	snprintf(rl.kid, sizeof rl.kid, "%s", kid);
	rl.version = version;
	rl.time = LIST_TIME;
	rl.serials = (uint64_t *)serials;
	rl.n = n;
	all = revlist_sign(&rl, key, &len, &rc);
	assert_non_null(all);
	assert_int_equal(strlen(all), len);
	return all;
}

/* Replace the first occurrence of from in s, which has room for the change. */
static void replace(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from);
	size_t fl = strlen(from), tl = strlen(to);

	assert_non_null(p);
	memmove(p + tl, p + fl, strlen(p + fl) + 1);
	memcpy(p, to, tl);
}

static const uint64_t three[] = {0x0123456789ABCDEFULL, 0x1111111111111111ULL,
                                 0xFEDCBA9876543210ULL};

static void load_and_find(void **state)
{
	struct fixture *f = *state;
	uint64_t serials[200];
	char *text, *path, why[512] = "";
	revlist rl = {0};

	/* Ascending, with gaps, so neighbours are not on the list. */
	for (size_t i = 0; i < 200; i++)
		serials[i] = 1000 + 7 * (uint64_t)i * (uint64_t)i;
	text = list_text("PROBOLINGGO", "K1", 42, serials, 200, f->key);
	assert_non_null(strstr(text, "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K1\nversion 42\n"
	                             "time 2026-11-18T11:06:40Z\nrevoked 00000000000003E8\n"));
	path = write_file(f->dir, "rev", text);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_OK);
	assert_string_equal(rl.issuer, "PROBOLINGGO");
	assert_string_equal(rl.kid, "K1");
	assert_int_equal(rl.version, 42);
	assert_int_equal(rl.time, LIST_TIME);
	assert_int_equal(rl.n, 200);
	for (size_t i = 0; i < 200; i++) {
		assert_true(revlist_has(&rl, serials[i]));
		assert_false(revlist_has(&rl, serials[i] + 1));
		assert_false(revlist_has(&rl, serials[i] - 1));
	}
	assert_false(revlist_has(&rl, 0));
	assert_false(revlist_has(&rl, 1));
	assert_false(revlist_has(&rl, UINT64_MAX));
	revlist_free(&rl);
	assert_null(rl.serials);
	free(text);
	free(path);

	text = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key);
	path = write_file(f->dir, "rev3", text);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_OK);
	assert_int_equal(rl.n, 3);
	assert_true(revlist_has(&rl, 0x0123456789ABCDEFULL));
	assert_true(revlist_has(&rl, 0x1111111111111111ULL));
	assert_true(revlist_has(&rl, 0xFEDCBA9876543210ULL));
	assert_false(revlist_has(&rl, 0x2222222222222222ULL));
	revlist_free(&rl);
	free(text);
	free(path);
}

static void empty_list(void **state)
{
	struct fixture *f = *state;
	char *text = list_text("PROBOLINGGO", "K1", 0, NULL, 0, f->key), *path, why[512] = "";
	revlist rl = {0};

	path = write_file(f->dir, "empty", text);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_OK);
	assert_int_equal(rl.n, 0);
	assert_int_equal(rl.version, 0);
	assert_false(revlist_has(&rl, 0x0123456789ABCDEFULL));
	assert_false(revlist_has(&rl, 1));
	revlist_free(&rl);
	free(text);
	free(path);
}

/* Loading text must fail with ERR_INVALID and why "PATH:LINE: what...". */
static void refuse(struct fixture *f, const char *name, const char *text, unsigned line,
                   const char *what)
{
	char *path = write_file(f->dir, name, text), why[1024] = "", want[4300];
	revlist rl = {0};

	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_INVALID);
	snprintf(want, sizeof want, "%s:%u: %s", path, line, what);
	if (strncmp(why, want, strlen(want)) != 0)
		fail_msg("%s: why \"%s\", want \"%s...\"", name, why, want);
	assert_null(rl.serials);
	free(path);
}

/* The digest names the issuer's serials: a list signed again (another
 * time, another version line) keeps it; other serials change it. */
static void digest_of_serials(void **state)
{
	struct fixture *f = *state;
	const uint64_t two[] = {0x0123456789ABCDEFULL, 0x1111111111111111ULL};
	char *a = list_text("PROBOLINGGO", "K1", UINT64_MAX, three, 3, f->key),
	     *b = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key),
	     *c = list_text("PROBOLINGGO", "K1", 3, two, 2, f->key), *pa, *pb, *pc, why[512];
	revlist ra = {0}, rb = {0}, rc = {0};

	pa = write_file(f->dir, "a", a);
	pb = write_file(f->dir, "b", b);
	pc = write_file(f->dir, "c", c);
	assert_int_equal(revlist_load(pa, f->kr, NOW, &ra, why, sizeof why), ERR_OK);
	assert_int_equal(ra.version, UINT64_MAX); /* the largest version is one */
	assert_int_equal(revlist_load(pb, f->kr, NOW, &rb, why, sizeof why), ERR_OK);
	assert_int_equal(revlist_load(pc, f->kr, NOW, &rc, why, sizeof why), ERR_OK);
	assert_memory_equal(ra.digest, rb.digest, 32);
	assert_memory_not_equal(rb.digest, rc.digest, 32);
	revlist_free(&ra);
	revlist_free(&rb);
	revlist_free(&rc);
	free(a);
	free(b);
	free(c);
	free(pa);
	free(pb);
	free(pc);
}

static void malformed(void **state)
{
	struct fixture *f = *state;
	char *good = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key);
	char *t = malloc(strlen(good) + 200);
	const uint64_t down[] = {0x1111111111111111ULL, 0x0123456789ABCDEFULL};
	const uint64_t dup[] = {0x1111111111111111ULL, 0x1111111111111111ULL};
	const char *sigline;
	char *p;

	/* The good one loads, so each change below is what breaks it. */
	{
		revlist rl = {0};
		char *path = write_file(f->dir, "good", good), why[512];
		assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_OK);
		revlist_free(&rl);
		free(path);
	}

	strcpy(t, good);
	replace(t, "UMKM-REVOCATIONS-v1", "UMKM-REVOCATIONS-v2");
	refuse(f, "magic", t, 1, "not a revocation list");

	strcpy(t, good);
	replace(t, "issuer PROBOLINGGO\nkid K1\n", "kid K1\nissuer PROBOLINGGO\n");
	refuse(f, "order", t, 2, "expected issuer, kid, version and time lines in order");

	strcpy(t, good);
	replace(t, "version 3\ntime 2026-11-18T11:06:40Z\n",
	        "time 2026-11-18T11:06:40Z\nversion 3\n");
	refuse(f, "order2", t, 4, "expected issuer, kid, version and time lines in order");

	strcpy(t, good);
	replace(t, "version 3\n", "version 3x\n");
	refuse(f, "version", t, 4, "bad version");

	/* One way to write a version: no leading zero, no sign, no blank, and
	 * no more than 2^64-1. */
	strcpy(t, good);
	replace(t, "version 3\n", "version 03\n");
	refuse(f, "version03", t, 4, "bad version");
	strcpy(t, good);
	replace(t, "version 3\n", "version +3\n");
	refuse(f, "version+3", t, 4, "bad version");
	strcpy(t, good);
	replace(t, "version 3\n", "version  3\n");
	refuse(f, "version_3", t, 4, "bad version");
	strcpy(t, good);
	replace(t, "version 3\n", "version 18446744073709551616\n");
	refuse(f, "version2^64", t, 4, "bad version");

	/* One way to write a serial: 16 upper-case hex digits. */
	strcpy(t, good);
	replace(t, "revoked 0123456789ABCDEF\n", "revoked 0123456789abcdef\n");
	refuse(f, "serial_lower", t, 6, "bad serial");

	strcpy(t, good);
	replace(t, "issuer PROBOLINGGO\n", "issuer PROBO LINGGO\n");
	refuse(f, "issuer", t, 2, "bad value");

	strcpy(t, good);
	replace(t, "time 2026-11-18T11:06:40Z\n", "time 2026-11-18 11:06:40\n");
	refuse(f, "time", t, 5, "bad value");

	strcpy(t, good);
	replace(t, "revoked 1111111111111111\n", "revoked 11111111111111X1\n");
	refuse(f, "serial", t, 7, "bad serial");

	strcpy(t, good);
	replace(t, "revoked 1111111111111111\n", "revoked 111111111111111\n");
	refuse(f, "serial15", t, 7, "bad serial");

	strcpy(t, good);
	replace(t, "revoked 1111111111111111\n", "revoked 0000000000000000\n");
	refuse(f, "serial0", t, 7, "bad serial");

	free(good);
	good = list_text("PROBOLINGGO", "K1", 3, down, 2, f->key);
	refuse(f, "descending", good, 7, "serials must be in strictly ascending order");
	free(good);
	good = list_text("PROBOLINGGO", "K1", 3, dup, 2, f->key);
	refuse(f, "duplicate", good, 7, "serials must be in strictly ascending order");
	free(good);

	good = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key);
	/* The signature is line 9. */
	strcpy(t, good);
	strcat(t, "revoked FFFFFFFFFFFFFFFF\n");
	refuse(f, "after", t, 9, "text after the signature");

	strcpy(t, good);
	strcat(t, "\n");
	refuse(f, "after_blank", t, 9, "text after the signature");

	strcpy(t, good);
	p = strstr(t, "signature ");
	*p = '\0';
	refuse(f, "nosig", t, 9, "no signature line");

	/* Unended last line. */
	strcpy(t, good);
	t[strlen(t) - 1] = '\0';
	refuse(f, "unended", t, 9, "line too long or not ended");

	strcpy(t, good);
	sigline = strstr(t, "signature ");
	p = (char *)sigline + 10 + 20;
	*p = *p == '!' ? '?' : '!';
	refuse(f, "b64char", t, 9, "bad signature encoding");

	strcpy(t, good);
	p = strstr(t, "signature ") + 10;
	memmove(p, p + 1, strlen(p)); /* 87 characters */
	refuse(f, "b64short", t, 9, "bad signature encoding");

	strcpy(t, good);
	p = strstr(t, "signature ") + 10 + 86;
	p[0] = 'A'; /* no padding */
	refuse(f, "b64pad", t, 9, "bad signature encoding");

	strcpy(t, good);
	replace(t, "revoked 1111111111111111\n", "revokd 1111111111111111\n");
	refuse(f, "unexpected", t, 7, "unexpected line");

	/* A signature line may not stand in for a header line. */
	strcpy(t, good);
	replace(t, "time 2026-11-18T11:06:40Z\n", "signature x\n");
	refuse(f, "early_sig", t, 5, "expected issuer, kid, version and time lines in order");

	free(good);
	free(t);
}

static void bad_signature(void **state)
{
	struct fixture *f = *state;
	char *t = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key), *path, why[1024] = "";
	revlist rl = {0};

	/* Every replacement here is no longer than what it replaces. */
	/* Still well formed and ascending, but not what was signed. */
	replace(t, "revoked 1111111111111111\n", "revoked 1111111111111112\n");
	path = write_file(f->dir, "changed", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_BAD_SIGNATURE);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "/changed:9: the signature does not verify"));
	assert_null(rl.serials);
	free(path);
	free(t);

	/* A serial dropped from the list. */
	t = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key);
	replace(t, "revoked 1111111111111111\n", "");
	path = write_file(f->dir, "dropped", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_BAD_SIGNATURE);
	free(path);
	free(t);

	/* An older version passed off as newer. */
	t = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key);
	replace(t, "version 3\n", "version 9\n");
	path = write_file(f->dir, "version", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_BAD_SIGNATURE);
	free(path);
	free(t);

	/* Naming PROBOLINGGO's K1 but signed with MALANG's key. */
	t = list_text("PROBOLINGGO", "K1", 3, three, 3, f->other);
	path = write_file(f->dir, "forged", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_BAD_SIGNATURE);
	free(path);
	free(t);
}

static void unknown_key(void **state)
{
	struct fixture *f = *state;
	char *t, *path, why[1024] = "";
	revlist rl = {0};

	/* Signed by M1, a key of another issuer (MALANG), for PROBOLINGGO. */
	t = list_text("PROBOLINGGO", "M1", 3, three, 3, f->other);
	path = write_file(f->dir, "m1", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "M1"));
	assert_non_null(strstr(why, "/m1:3: signed by M1 of PROBOLINGGO"));
	assert_null(rl.serials);
	free(path);
	free(t);

	/* K1 exists, but not for MALANG. */
	t = list_text("MALANG", "K1", 3, three, 3, f->key);
	path = write_file(f->dir, "malang_k1", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_UNKNOWN_KEY);
	free(path);
	free(t);

	/* A receipt key is not an issuer key. */
	t = list_text("PROBOLINGGO", "R1", 3, three, 3, f->rcpt);
	path = write_file(f->dir, "receipt", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_UNKNOWN_KEY);
	free(path);
	free(t);

	/* Yet MALANG's list, signed by M1, is fine. */
	t = list_text("MALANG", "M1", 1, three, 3, f->other);
	path = write_file(f->dir, "malang", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_OK);
	assert_string_equal(rl.issuer, "MALANG");
	assert_true(revlist_has(&rl, three[1]));
	revlist_free(&rl);
	free(path);
	free(t);
}

/* Load text signed with f->key at the reader's clock now: its error, why. */
static err load_at(struct fixture *f, const char *name, const char *text, int64_t now, char *why,
                   size_t n)
{
	char *path = write_file(f->dir, name, text);
	revlist rl = {0};
	err rc = revlist_load(path, f->kr, now, &rl, why, n);

	revlist_free(&rl);
	free(path);
	return rc;
}

/* A list is no newer than the reader's clock allows, and its key signed it
 * within its days: a list from the future, or from a retired key, would
 * pin the redeemer or outlive the key. */
static void time_and_key(void **state)
{
	struct fixture *f = *state;
	char *t = list_text("PROBOLINGGO", "K1", 3, three, 3, f->key), why[1024];
	key_entry *k1 = keyring_by_kid(f->kr, "K1");

	assert_int_equal(load_at(f, "ok", t, LIST_TIME - REVLIST_SKEW, why, sizeof why), ERR_OK);
	assert_int_equal(load_at(f, "future", t, LIST_TIME - REVLIST_SKEW - 1, why, sizeof why),
	                 ERR_INVALID);
	assert_non_null(strstr(why, "/future:5: the list's time is in the future"));
	/* Retired after 2026-11-17: its list of 2026-11-18 is refused. */
	k1->retired_after = LIST_TIME / 86400 - 1;
	assert_int_equal(load_at(f, "retired", t, NOW, why, sizeof why), ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "/retired:3: key K1 was retired after 2026-11-17"));
	k1->retired_after = LIST_TIME / 86400; /* the list's own day: still its */
	assert_int_equal(load_at(f, "retiring", t, NOW, why, sizeof why), ERR_OK);
	k1->retired_after = KEY_NEVER;
	k1->valid_from = LIST_TIME / 86400 + 1;
	assert_int_equal(load_at(f, "early", t, NOW, why, sizeof why), ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "/early:3: key K1 is valid only from 2026-11-19"));
	k1->valid_from = 0;
	free(t);
}

/* A compromised key's vouchers redeem only if allowed; the key itself
 * signs no list that names it. */
static void compromised_keys(void **state)
{
	struct fixture *f = *state;
	revlist_key comp[2] = {{"K0", LIST_TIME - 60}, {"K9", LIST_TIME - 30}};
	uint64_t allowed[2] = {0x0000000000000007ULL, 0x0000000000000100ULL};
	revlist rl = {.version = 3,
	              .time = LIST_TIME,
	              .serials = (uint64_t *)three,
	              .n = 3,
	              .compromised = comp,
	              .ncompromised = 2,
	              .allowed = allowed,
	              .nallowed = 2},
	        back = {0};
	char *t, *path, why[1024], *p;
	size_t len;
	err rc;

	strcpy(rl.issuer, "PROBOLINGGO");
	strcpy(rl.kid, "K1");
	t = revlist_sign(&rl, f->key, &len, &rc);
	assert_non_null(t);
	assert_non_null(strstr(t, "revoked FEDCBA9876543210\ncompromised K0 2026-11-18T11:05:40Z\n"
	                          "compromised K9 2026-11-18T11:06:10Z\nallowed 0000000000000007\n"
	                          "allowed 0000000000000100\nsignature "));
	path = write_file(f->dir, "comp", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &back, why, sizeof why), ERR_OK);
	assert_int_equal(back.ncompromised, 2);
	assert_string_equal(back.compromised[1].kid, "K9");
	assert_int_equal(back.compromised[1].since, LIST_TIME - 30);
	assert_true(revlist_compromised(&back, "K0"));
	assert_false(revlist_compromised(&back, "K1"));
	assert_true(revlist_allows(&back, "K9", 0x0000000000000100ULL));
	assert_false(revlist_allows(&back, "K9", 0x0000000000000101ULL)); /* a thief's */
	assert_true(revlist_allows(&back, "K1", 0x0000000000000101ULL));  /* a sound key's */
	revlist_free(&back);
	free(path);

	/* Out of order, or the signer among the compromised: refused. */
	p = strstr(t, "compromised K0");
	memcpy(p, "allowed 00000000000000000", 25); /* an allowed line first */
	refuse(f, "comp_order", t, 9, "lines out of order");
	free(t);
	comp[1] = (revlist_key){"K1", LIST_TIME};
	t = revlist_sign(&rl, f->key, &len, &rc);
	path = write_file(f->dir, "self", t);
	assert_int_equal(revlist_load(path, f->kr, NOW, &back, why, sizeof why), ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "/self:3: key K1 signs a list that calls it compromised"));
	free(path);
	free(t);
}

static void missing_file(void **state)
{
	struct fixture *f = *state;
	char path[4200], why[4400] = "";
	revlist rl = {0};

	snprintf(path, sizeof path, "%s/none", f->dir);
	assert_int_equal(revlist_load(path, f->kr, NOW, &rl, why, sizeof why), ERR_IO);
	assert_non_null(strstr(why, path));
}

/* revlist_parse reads the lines without the key: a list signed by another
 * key parses to what load would give, and says where its signature is. */
static void parse_without_the_key(void **state)
{
	struct fixture *f = *state;
	char *good = list_text("PROBOLINGGO", "K1", 7, three, 3, f->key), *path, why[512] = "";
	char *forged = list_text("PROBOLINGGO", "K1", 7, three, 3, f->other);
	revlist a = {0}, b = {0};
	sigtext_sig sa, sb;

	assert_int_equal(revlist_parse("good", good, strlen(good), &a, &sa, why, sizeof why),
	                 ERR_OK);
	assert_int_equal(revlist_parse("forged", forged, strlen(forged), &b, &sb, why, sizeof why),
	                 ERR_OK);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.version, 7);
	assert_int_equal(b.n, 3);
	assert_int_equal(sa.signed_len, sb.signed_len);
	assert_int_equal(sa.line, 9);
	assert_memory_not_equal(sa.sig, sb.sig, SIG_LEN);
	assert_memory_equal(good, forged, sa.signed_len);
	assert_null(a.text);
	revlist_free(&a);
	revlist_free(&b);
	path = write_file(f->dir, "forged", forged);
	assert_int_equal(revlist_load(path, f->kr, NOW, &b, why, sizeof why), ERR_BAD_SIGNATURE);
	free(path);

	/* A line out of place is refused by the parse, with its line. */
	replace(good, "revoked 1111111111111111\n", "");
	replace(good, "version 7\n", "version 7\nrevoked 1111111111111111\n");
	assert_int_equal(revlist_parse("moved", good, strlen(good), &a, &sa, why, sizeof why),
	                 ERR_INVALID);
	assert_string_equal(why, "moved:5: expected issuer, kid, version and time lines in order");
	assert_null(a.serials);
	free(good);
	free(forged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(load_and_find, setup, teardown),
	    cmocka_unit_test_setup_teardown(empty_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(digest_of_serials, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_signature, setup, teardown),
	    cmocka_unit_test_setup_teardown(unknown_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(time_and_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(compromised_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(parse_without_the_key, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
