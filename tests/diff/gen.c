/*
 * diff_gen: the inputs of the differential test of docs/FORMAT.md's two
 * verifiers, the C one (common/) and the scanner page's
 * (redeemer/page/voucher.js), each with what the C one answers for it.
 * tests/js/differential.mjs runs the page's code on the same inputs and
 * compares; tests/e2e_differential.sh runs the two.
 *
 *   diff_gen [--seed N] COUNT
 *
 * prints the contexts, then COUNT inputs, one JSON object a line, every
 * text as the hex of its bytes (always well-formed UTF-8: the page gets
 * text):
 *
 *   ring     a keyring the vouchers are checked against (C loads it)
 *   list     a revocation list over a ring (C loads it)
 *   voucher  a token's text in a context (ring, list or none, the terminal's
 *            gallery or none, now): the redeemer's answer ("ok" or the API's
 *            error code), the decoded fields, the token's short code
 *   keyring  a keyring file: "ok" and its keys, or "refused [at line N]";
 *            when ok, "served" is its issuer keys as GET /v1/offline/state
 *            gives them to the page
 *   revlist  a revocation list file, against a ring at now: "ok" and what
 *            it says, or "refused at line N (code)"
 *   code     what a person typed as a short code: its 12 canonical symbols,
 *            or "malformed_code"
 *
 * Inputs are made valid with the test keys (RFC 8032 TEST 1, FORMAT.md's),
 * from random fields, then most are changed ("what" says how; a voucher's
 * "sig" how it was signed). The same seed gives the same stream.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "diff.h"
#include "sigtext.h"

void die(const char *what)
{
	fprintf(stderr, "diff_gen: %s\n", what);
	exit(1);
}

/* ---- randomness: xorshift64 ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

uint32_t rnd(uint64_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

bool chance(unsigned percent)
{
	return rnd(100) < percent;
}

/* ---- text being built ---- */

void buf_add(buf *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		if (!(b->p = realloc(b->p, b->cap)))
			die("out of memory");
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
	char s[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof s)
		die("line too long");
	buf_add(b, s, (size_t)n);
}

void buf_set(buf *b, const void *s, size_t n)
{
	b->n = 0;
	buf_add(b, s, n);
}

void buf_splice(buf *b, size_t i, size_t n, const char *s, size_t len)
{
	buf t = {0};

	buf_add(&t, b->p, i);
	buf_add(&t, s, len);
	buf_add(&t, b->p + i + n, b->n - i - n);
	buf_set(b, t.p, t.n);
	free(t.p);
}

bool buf_line(const buf *b, unsigned k, size_t *start, size_t *len)
{
	size_t i = 0;
	const char *nl;

	for (; k > 0; k--) {
		if (!(nl = memchr(b->p + i, '\n', b->n - i)))
			return false;
		i = (size_t)(nl - b->p) + 1;
	}
	if (i >= b->n)
		return false;
	*start = i;
	nl = memchr(b->p + i, '\n', b->n - i);
	*len = nl ? (size_t)(nl - b->p) + 1 - i : b->n - i;
	return true;
}

unsigned buf_lines(const buf *b)
{
	unsigned n = 0;
	size_t s, l;

	while (buf_line(b, n, &s, &l))
		n++;
	return n;
}

/* "" stands for one NUL byte. */
const char *const odd[20] = {" ",
                             "\t",
                             "\r",
                             "\n",
                             "\v",
                             "\f",
                             "",
                             "#",
                             "=",
                             "-",
                             ":",
                             "\xc2\xa0",
                             "\xc3\xa9",
                             "\xef\xbb\xbf",
                             "\xe2\x80\xa8",
                             "\xe3\x80\x80",
                             "\xc4\xb1",
                             "\xc5\xbf",
                             "\xef\xbc\x91",
                             "\xf0\x9f\x99\x82"};

void put_odd(buf *b, size_t i, size_t n)
{
	const char *s = PICK(odd);

	buf_splice(b, i, n, s, *s ? strlen(s) : 1);
}

/* ---- output ---- */

void put_hex(const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char s[512];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		s[k++] = digits[((const uint8_t *)p)[i] >> 4];
		s[k++] = digits[((const uint8_t *)p)[i] & 15];
		if (k == sizeof s || i == n - 1) {
			fwrite(s, 1, k, stdout);
			k = 0;
		}
	}
}

void put_text(const char *name, const buf *b)
{
	printf(",\"%s\":\"", name);
	put_hex(b->p, b->n);
	putchar('"');
}

void put_keys(const keyring *kr)
{
	printf(",\"keys\":[");
	for (size_t i = 0; i < keyring_count(kr); i++) {
		const key_entry *k = keyring_at(kr, i);

		printf("%s{\"kid\":\"%s\",\"role\":\"%s\",\"issuer\":\"%s\",\"validFrom\":%" PRId64
		       ",\"retiredAfter\":",
		       i ? "," : "", k->kid, k->role == KEY_ISSUER ? "issuer" : "receipt",
		       k->issuer[0] ? k->issuer : "-", k->valid_from);
		if (k->retired_after == KEY_NEVER)
			printf("null");
		else
			printf("%" PRId64, k->retired_after);
		printf(",\"pub\":\"");
		put_hex(k->pub, SIG_PUBLEN);
		printf("\"}");
	}
	printf("]");
}

/* ---- the memory file ---- */

static int mem_fd = -1;
static char mem_path[32];

const char *mem_put(const buf *b)
{
	if (mem_fd < 0) {
		if ((mem_fd = memfd_create("diff_gen", MFD_CLOEXEC)) < 0)
			die("memfd_create");
		snprintf(mem_path, sizeof mem_path, "/proc/self/fd/%d", mem_fd);
	}
	if (ftruncate(mem_fd, 0) != 0 || (b->n && pwrite(mem_fd, b->p, b->n, 0) != (ssize_t)b->n))
		die("cannot write the memory file");
	return mem_path;
}

unsigned why_line(const char *why)
{
	size_t n = strlen(mem_path);

	return strncmp(why, mem_path, n) == 0 && why[n] == ':' ? (unsigned)atoi(why + n + 1) : 0;
}

/* ---- keys ---- */

static const uint8_t seed_a[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                   0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                   0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static const uint8_t seed_b[32] = {42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42,
                                   42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42};
sig_signer *key_a, *key_b;
char pub_a64[45], pub_b64[45];
static uint8_t pub_a[SIG_PUBLEN];

const char *const small_order[8] = {
    "0100000000000000000000000000000000000000000000000000000000000000", /* the identity */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* order 2 */
    "0000000000000000000000000000000000000000000000000000000000000000", /* order 4 */
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* order 8 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = p + 1 */
    "0100000000000000000000000000000000000000000000000000000000000080", /* x = -0 */
};
#define L_HEX "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed"

void unhex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(h + 2 * i, "%2hhx", &out[i]);
}

void b64_of(const uint8_t *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

void sign_text(buf *b, const sig_signer *key)
{
	uint8_t sig[SIG_LEN];
	char line[SIGTEXT_SIG_LINE_MAX + 1];

	if (sig_sign(key, (const uint8_t *)b->p, b->n, sig) != ERR_OK)
		die("cannot sign");
	buf_add(b, line, sigtext_signature_line(sig, line));
}

/*
 * The signature key A's holder makes with R in place of [r]B, nonce r = 0:
 * S = k * a mod L, k = SHA-512(R || A || msg). With R the identity it is an
 * ordinary valid signature; with R of small order a verifier that checks
 * [S]B = R + [k]A (OpenSSL) refuses it and one that checks [8][S]B =
 * [8]R + [8][k]A accepts it. plus_l: S + L (S >= L).
 */
void sign_with_r(const uint8_t r[32], const uint8_t *msg, size_t n, bool plus_l,
                 uint8_t sig[SIG_LEN])
{
	uint8_t h[64], a[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *bl = NULL, *ba = NULL, *bk = NULL, *bs = BN_new();

	EVP_Digest(seed_a, 32, h, NULL, EVP_sha512(), NULL);
	memcpy(a, h, 32); /* the secret scalar, clamped (RFC 8032 5.1.5) */
	a[0] &= 248;
	a[31] = (uint8_t)((a[31] & 127) | 64);
	if (!c || !bc || !bs || EVP_DigestInit_ex(c, EVP_sha512(), NULL) != 1 ||
	    EVP_DigestUpdate(c, r, 32) != 1 || EVP_DigestUpdate(c, pub_a, 32) != 1 ||
	    EVP_DigestUpdate(c, msg, n) != 1 || EVP_DigestFinal_ex(c, h, NULL) != 1 ||
	    !BN_hex2bn(&bl, L_HEX) || !(ba = BN_lebin2bn(a, 32, NULL)) ||
	    !(bk = BN_lebin2bn(h, 64, NULL)) || !BN_mod_mul(bs, bk, ba, bl, bc) ||
	    (plus_l && !BN_add(bs, bs, bl)))
		die("OpenSSL");
	memcpy(sig, r, 32);
	BN_bn2lebinpad(bs, sig + 32, 32);
	BN_free(bl);
	BN_free(ba);
	BN_free(bk);
	BN_free(bs);
	BN_CTX_free(bc);
	EVP_MD_CTX_free(c);
}

void add_l(uint8_t sig[SIG_LEN])
{
	BIGNUM *s = BN_lebin2bn(sig + 32, 32, NULL), *l = NULL;

	if (!s || !BN_hex2bn(&l, L_HEX) || !BN_add(s, s, l))
		die("OpenSSL");
	BN_bn2lebinpad(s, sig + 32, 32);
	BN_free(s);
	BN_free(l);
}

/* ---- contexts ---- */

keyring *rings[N_RINGS];
revlist lists[N_LISTS];
const int list_ring[N_LISTS] = {0, 1, 2};
const uint64_t serials[5] = {0x0123456789ABCDEFULL, 0x8BADF00DDEADBEEFULL, 7, 1,
                             0x1A2B3C4D5E6F7081ULL};

static const ring_key ring_keys[] = {{0, "PROBOLINGGO", "K1", &key_a},
                                     {0, "PROBOLINGGO", "K3", &key_a},
                                     {1, NULL, "K1", &key_a},
                                     {1, "MALANG", "K2", &key_b},
                                     {2, "PROBOLINGGO", "K4", &key_a},
                                     {2, "PROBOLINGGO", "K5", &key_a},
                                     {3, "PROBOLINGGO", "K1", NULL},
                                     {3, "PROBOLINGGO", "K6", NULL},
                                     {3, NULL, "K7", NULL},
                                     {3, "MALANG", "K2", NULL}};

/* Ring 0 is FORMAT.md's vectors'; 1 has an unbound key, a receipt key and
 * key B; 2 keys valid for some periods only; 3 keys of small order (the
 * identity, order 2, order 4, and the identity written with y = p + 1). */
static void make_rings(void)
{
	buf text[N_RINGS] = {0};
	char so[4][45];
	uint8_t p[32];

	for (int i = 0; i < 4; i++) {
		unhex(small_order[i == 3 ? 6 : i * 2], p, 32);
		b64_of(p, 32, so[i]);
	}
	buf_printf(&text[0], "K1 issuer PROBOLINGGO 2026-10-01 - %s\n", pub_a64);
	buf_printf(&text[0], "K3 issuer PROBOLINGGO 2026-10-01 2026-11-30 %s\n", pub_a64);
	buf_printf(&text[1], "K1 issuer - 2026-11-01 - %s\n", pub_a64);
	buf_printf(&text[1], "R1 receipt - 2026-11-01 - %s\n", pub_a64);
	buf_printf(&text[1], "K2 issuer MALANG 2026-11-01 2027-01-31 %s\n", pub_b64);
	buf_printf(&text[2], "K4 issuer PROBOLINGGO 2027-01-01 - %s\n", pub_a64);
	buf_printf(&text[2], "K5 issuer PROBOLINGGO 2026-11-15 2026-12-15 %s\n", pub_a64);
	buf_printf(&text[2], "K1 receipt - 2026-01-01 - %s\n", pub_a64);
	buf_printf(&text[3], "K1 issuer PROBOLINGGO 2026-01-01 - %s\n", so[0]);
	buf_printf(&text[3], "K6 issuer PROBOLINGGO 2026-01-01 - %s\n", so[1]);
	buf_printf(&text[3], "K7 issuer - 2026-01-01 - %s\n", so[2]);
	buf_printf(&text[3], "K2 issuer MALANG 2026-01-01 - %s\n", so[3]);
	for (int i = 0; i < N_RINGS; i++) {
		char why[256];
		if (keyring_load(mem_put(&text[i]), &rings[i], why, sizeof why) != ERR_OK)
			die(why);
		printf("{\"kind\":\"ring\",\"id\":%d", i);
		put_text("text", &text[i]);
		put_keys(rings[i]);
		printf("}\n");
		free(text[i].p);
	}
}

/* A list of revoked serials; one that calls ring 1's K1 compromised, some
 * of its vouchers allowed; one that calls ring 2's K4 compromised. */
static void make_lists(void)
{
	static const char *const bodies[N_LISTS] = {
	    "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K1\nversion 2\ntime "
	    "2026-12-01T00:00:00Z\nrevoked 0123456789ABCDEF\nrevoked 1A2B3C4D5E6F7081\n",
	    "UMKM-REVOCATIONS-v1\nissuer MALANG\nkid K2\nversion 1\ntime "
	    "2026-12-02T00:00:00Z\nrevoked 0000000000000007\ncompromised K1 "
	    "2026-12-01T08:00:00Z\nallowed 0000000000000001\nallowed 8BADF00DDEADBEEF\n",
	    "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K5\nversion 0\ntime "
	    "2026-12-10T00:00:00Z\ncompromised K4 2026-12-09T00:00:00Z\nallowed "
	    "0123456789ABCDEF\n",
	};

	for (int i = 0; i < N_LISTS; i++) {
		buf b = {0};
		char why[256];

		buf_add(&b, bodies[i], strlen(bodies[i]));
		sign_text(&b, i == 1 ? key_b : key_a);
		if (revlist_load(mem_put(&b), rings[list_ring[i]], LIST_NOW, &lists[i], why,
		                 sizeof why) != ERR_OK)
			die(why);
		printf("{\"kind\":\"list\",\"id\":%d,\"ring\":%d,\"now\":%d", i, list_ring[i],
		       LIST_NOW);
		put_text("text", &b);
		printf("}\n");
		free(b.p);
	}
}

ring_key pick_key(int ring, unsigned percent)
{
	static const char *const issuers[] = {"PROBOLINGGO", "MALANG", "SURABAYA"};
	static const char *const kids[] = {"K1", "K2", "K3", "K4", "K5", "K6", "K7", "R1", "K9"};
	ring_key k = {ring, PICK(issuers), PICK(kids), NULL};
	size_t n = 0;

	k.key = strcmp(k.kid, "K2") == 0 ? &key_b : &key_a; /* as the rings have them */
	for (size_t i = 0; i < N_ELEMS(ring_keys); i++)
		n += ring_keys[i].ring == ring;
	if (chance(percent))
		for (size_t i = 0, at = rnd(n); i < N_ELEMS(ring_keys); i++)
			if (ring_keys[i].ring == ring && at-- == 0)
				k = ring_keys[i];
	if (!k.issuer)
		k.issuer = PICK(issuers);
	if (k.key && chance(5)) /* the other key */
		k.key = k.key == &key_a ? &key_b : &key_a;
	return k;
}

/* ---- the command ---- */

static void usage(void)
{
	fprintf(stderr, "usage: diff_gen [--seed N] COUNT\n");
	exit(2);
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-')
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"seed", required_argument, NULL, 's'}, {0}};
	uint64_t count, seed = 1;
	uint8_t pub_b[SIG_PUBLEN];
	bool seen = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's' || seen)
			usage();
		seed = number(optarg);
		seen = true;
	}
	if (optind != argc - 1)
		usage();
	count = number(argv[optind]);
	rng ^= seed * 0x2545F4914F6CDD1DULL;
	if (!rng)
		rng = 1; /* xorshift's one state it never leaves */
	if (sig_from_seed(seed_a, &key_a) != ERR_OK || sig_from_seed(seed_b, &key_b) != ERR_OK)
		die("cannot make the test keys");
	sig_public(key_a, pub_a);
	sig_public(key_b, pub_b);
	b64_of(pub_a, 32, pub_a64);
	b64_of(pub_b, 32, pub_b64);
	make_rings();
	make_lists();
	for (uint64_t i = 0; i < count; i++) {
		unsigned k = rnd(100);
		if (k < 60)
			gen_voucher();
		else if (k < 75)
			gen_keyring();
		else if (k < 90)
			gen_revlist();
		else
			gen_code();
	}
	for (int i = 0; i < N_RINGS; i++)
		keyring_free(rings[i]);
	for (int i = 0; i < N_LISTS; i++)
		revlist_free(&lists[i]);
	sig_signer_free(key_a);
	sig_signer_free(key_b);
	sig_thread_done();
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
