/*
 * Unit tests of common/receipt: receipts signed a Merkle tree at a time,
 * their body and parts (tests/test_b64url.c tests the Base64url).
 *
 * The known answers were computed independently in Python: hashlib.sha256,
 * base64.urlsafe_b64encode without '=', and the cryptography package's
 * Ed25519 for the signature.
 */
#include "testutil.h"

#include <openssl/evp.h>

#include "b64url.h"
#include "receipt.h"
#include "sig.h"

#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define HASH_B64 (RECEIPT_STEP_LEN - 1)

static int alpha_value(char c)
{
	const char *p = c ? strchr(ALPHABET, c) : NULL;
	return p ? (int)(p - ALPHABET) : -1;
}

/* ---- receipts: helpers ---- */

static const uint8_t seed_a[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t seed_b[32] = {0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                                   0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                                   0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x01};

typedef struct {
	sig_signer *key;
	sig_verifier *v;
} keypair;

static keypair keys_from_seed(const uint8_t seed[32])
{
	keypair k;
	uint8_t pub[SIG_PUBLEN];

	assert_int_equal(sig_from_seed(seed, &k.key), ERR_OK);
	sig_public(k.key, pub);
	assert_int_equal(sig_verifier_new(pub, &k.v), ERR_OK);
	return k;
}

static void keys_free(keypair k)
{
	sig_verifier_free(k.v);
	sig_signer_free(k.key);
}

/* n receipt buffers of RECEIPT_MAX + 1 bytes each, one malloc each (so that
 * AddressSanitizer sees a write past the end of one). */
static char **texts_new(size_t n)
{
	char **t = calloc(n ? n : 1, sizeof *t);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		t[i] = malloc(RECEIPT_MAX + 1);
		assert_non_null(t[i]);
	}
	return t;
}

static void texts_free(char **t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

/* A tree of n bodies "UR2|<tag>-<i>|...", signed with key. */
static char **tree_new(const sig_signer *key, const char *tag, size_t n)
{
	char **t = texts_new(n);

	for (size_t i = 0; i < n; i++)
		snprintf(
		    t[i], RECEIPT_MAX + 1,
		    "UR2|%s-%zu|0123456789ABCDEF|%zu|125000|M1|G1|3|2026-12-05T03:04:05Z|R-TEST",
		    tag, i, 1000 + i);
	assert_int_equal(receipt_sign_tree(key, t, n), ERR_OK);
	return t;
}

static bool verify_str(const sig_verifier *v, const char *r)
{
	return receipt_verify(v, r, strlen(r));
}

/* The parts of a signed text: body, path and signature at its last two
 * bars, as a tree's leaves need not be receipts (the tests below build
 * trees of short bodies too). */
typedef struct {
	size_t body, plen, slen;
	const char *path, *sig;
} parts;

static parts split_str(const char *r)
{
	const char *bar2 = strrchr(r, '|'), *bar1;

	assert_non_null(bar2);
	bar1 = memrchr(r, '|', (size_t)(bar2 - r));
	assert_non_null(bar1);
	return (parts){(size_t)(bar1 - r), (size_t)(bar2 - bar1 - 1), strlen(bar2 + 1), bar1 + 1,
	               bar2 + 1};
}

/* The proof of r alone, whatever its body: its path leads to a root whose
 * signature verifies with v. */
static bool proof_ok(const sig_verifier *v, const char *r)
{
	parts p = split_str(r);
	uint8_t root[32], msg[RECEIPT_MSG_LEN], sig[SIG_LEN];

	if (!receipt_root(r, p.body, p.path, p.plen, root) ||
	    !b64url_decode(p.sig, p.slen, sig, SIG_LEN))
		return false;
	receipt_message(root, msg);
	return sig_verify(v, msg, sizeof msg, sig);
}

/* The root receipt r's path leads to. */
static void root_of(const char *r, uint8_t root[32])
{
	parts p = split_str(r);
	assert_true(receipt_root(r, p.body, p.path, p.plen, root));
}

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(strlen(hex), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

/* ---- receipts: known answers ---- */

static const char *const kat_body[3] = {
    "UR2|R-TEST-1|0123456789ABCDEF|25000|125000|M1|G1|3|2026-12-05T03:04:05Z|R-TEST",
    "UR2|R-TEST-2|0123456789ABCDEG|50000|0|M1|G1|3|2026-12-05T03:04:06Z|R-TEST",
    "UR2|R-TEST-3|FEDCBA9876543210|150000|50000|M2|G1|4|2026-12-05T03:04:07Z|R-TEST",
};
/* leaf0: R l1, R l2; leaf1: L l0, R l2; leaf2: L node(l0, l1) */
static const char *const kat_path[3] = {
    "RGlx9ZrVTpw6XnFCdb81Fn7MIEXHgVckJpBzOK8qgWAA"
    "RUF_0wL0d-E-fUbAp29TSSPSSSKCWRTkxPsSPZ4WS5aY",
    "Lo-BE5n_Ito9UdcY4uf1wK6se_BCERYDKck1qCIGZzwc"
    "RUF_0wL0d-E-fUbAp29TSSPSSSKCWRTkxPsSPZ4WS5aY",
    "LDXnoZQQRJaiYjUtIYvFAllyCBRcl3TKGJdNN1t9qDHA",
};
/* node(node(l0, l1), l2) */
static const char kat_root_hex[] =
    "302e30696b4741f77091a40b3ab66e47a44419d796ddf7e383fd1945d7d817e7";
/* The public key of seed_a, and its Ed25519 signature over
 * "UMKM-RECEIPT-v2" 0x00 root. */
static const char kat_pub_hex[] =
    "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";
static const char kat_sig[] =
    "NI23bguh4AYw0GHCcJMrVP9VR8Q8Ymxxczw6sdJqfHpuKJCUxal9XeE719IPR9bBtDm6dfpPmmOj0h2sygt_Bw";

static void receipt_known_answer(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t = texts_new(3);
	uint8_t pub[SIG_PUBLEN], want_pub[SIG_PUBLEN], want_root[32], root[32];
	uint8_t msg[RECEIPT_MSG_LEN], sig[SIG_LEN];
	char want[RECEIPT_MAX + 1];

	(void)state;
	assert_int_equal(strlen(kat_sig), RECEIPT_SIG_LEN);
	sig_public(k.key, pub);
	hex_to_bytes(kat_pub_hex, want_pub, SIG_PUBLEN);
	assert_memory_equal(pub, want_pub, SIG_PUBLEN);
	hex_to_bytes(kat_root_hex, want_root, 32);

	for (size_t i = 0; i < 3; i++)
		strcpy(t[i], kat_body[i]);
	assert_int_equal(receipt_sign_tree(k.key, t, 3), ERR_OK);

	for (size_t i = 0; i < 3; i++) {
		size_t blen = strlen(kat_body[i]), plen = strlen(kat_path[i]);
		parts p = split_str(t[i]);

		/* body "|" path "|" signature, the path as computed in Python */
		snprintf(want, sizeof want, "%s|%s|%s", kat_body[i], kat_path[i], kat_sig);
		assert_string_equal(t[i], want);
		assert_int_equal(plen, (i == 2 ? 1 : 2) * RECEIPT_STEP_LEN);
		assert_int_equal(strlen(t[i]), blen + 1 + plen + 1 + RECEIPT_SIG_LEN);
		assert_int_equal(p.body, blen);
		assert_int_equal(p.plen, plen);
		assert_int_equal(p.slen, RECEIPT_SIG_LEN);
		/* all three carry the same signature */
		assert_memory_equal(p.sig, t[0] + strlen(t[0]) - RECEIPT_SIG_LEN, RECEIPT_SIG_LEN);

		assert_true(receipt_root(t[i], p.body, p.path, p.plen, root));
		assert_memory_equal(root, want_root, 32);

		assert_true(b64url_decode(p.sig, p.slen, sig, SIG_LEN));
		receipt_message(root, msg);
		assert_int_equal(sizeof msg, 16 + 32);
		assert_memory_equal(msg, "UMKM-RECEIPT-v2\0", 16);
		assert_memory_equal(msg + 16, want_root, 32);
		assert_true(sig_verify(k.v, msg, sizeof msg, sig));
		assert_true(verify_str(k.v, t[i]));
	}
	texts_free(t, 3);
	keys_free(k);
}

/* A tree rebuilt from its bodies and its signature (as the redeemer keeps
 * them) is the tree signed, receipt for receipt, for every size; a
 * signature taken from a receipt that does not end with one is refused. */
static void receipt_tree_rebuilt(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t = texts_new(RECEIPT_TREE_MAX), **r = texts_new(RECEIPT_TREE_MAX);
	uint8_t sig[SIG_LEN];

	(void)state;
	for (size_t n = 1; n <= RECEIPT_TREE_MAX; n++) {
		for (size_t i = 0; i < n; i++) {
			snprintf(t[i], RECEIPT_MAX + 1, "UR2|R-1-202611-%zu|%zu|x", i + 1, n);
			strcpy(r[i], t[i]);
		}
		assert_int_equal(receipt_sign_tree(k.key, t, n), ERR_OK);
		assert_true(receipt_tree_sig(t[n - 1], strlen(t[n - 1]), sig));
		assert_int_equal(receipt_tree_attach(r, n, sig), ERR_OK);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(r[i], t[i]);
	}
	assert_false(receipt_tree_sig("UR2|x|y", 7, sig));
	strcpy(r[0], t[0]);
	r[0][strlen(r[0]) - RECEIPT_SIG_LEN - 1] = 'L';
	assert_false(receipt_tree_sig(r[0], strlen(r[0]), sig));
	strcpy(r[0], "UR2|x");
	assert_int_equal(receipt_tree_attach(r, 0, sig), ERR_INTERNAL);
	texts_free(t, RECEIPT_TREE_MAX);
	texts_free(r, RECEIPT_TREE_MAX);
	keys_free(k);
}

/* A tree of 5: the last leaf goes up unchanged twice, then pairs. */
static void receipt_known_answer_five(void **state)
{
	static const char root5_hex[] =
	    "58e3ab9fc8b6513b74ff9fdd487ca2599893ca93d9a723dfde5595693977417c";
	static const char path2[] = "R6P3oJQlAhoPIIG2oB22t6RUCjuZx9xWCXu-x89e9eLk"
	                            "LD4TRbVag3MiHXWc0tgK7sulYY8thyeuYq0MckzRRfsk"
	                            "RGl5XG8LvAP9U2XVd1WSz-ssCaIbQa7jgygGCqCvE6Ns";
	static const char path4[] = "L_Gn4OaDzsdHDrPeP1q-K-xnUMLY51c_R66jcMikrSEE";
	keypair k = keys_from_seed(seed_a);
	char **t = texts_new(5);
	uint8_t want_root[32], root[32];

	(void)state;
	hex_to_bytes(root5_hex, want_root, 32);
	for (size_t i = 0; i < 5; i++)
		snprintf(t[i], RECEIPT_MAX + 1, "UR2|K5-%zu|x", i);
	assert_int_equal(receipt_sign_tree(k.key, t, 5), ERR_OK);
	for (size_t i = 0; i < 5; i++) {
		root_of(t[i], root);
		assert_memory_equal(root, want_root, 32);
		assert_true(proof_ok(k.v, t[i]));
	}
	parts p2 = split_str(t[2]), p4 = split_str(t[4]);
	assert_int_equal(p2.plen, strlen(path2));
	assert_memory_equal(p2.path, path2, p2.plen);
	assert_int_equal(p4.plen, strlen(path4));
	assert_memory_equal(p4.path, path4, p4.plen);
	texts_free(t, 5);
	keys_free(k);
}

/* ---- receipts: trees of every shape verify ---- */

static void check_tree(size_t n, const size_t *steps)
{
	keypair k = keys_from_seed(seed_a);
	char tag[16];
	char **t;
	uint8_t root0[32], root[32];

	snprintf(tag, sizeof tag, "N%zu", n);
	t = tree_new(k.key, tag, n);
	for (size_t i = 0; i < n; i++) {
		parts p = split_str(t[i]);
		assert_int_equal(p.plen, steps[i] * RECEIPT_STEP_LEN);
		for (size_t s = 0; s < steps[i]; s++) {
			char side = p.path[s * RECEIPT_STEP_LEN];
			assert_true(side == 'L' || side == 'R');
			for (size_t c = 1; c < RECEIPT_STEP_LEN; c++)
				assert_true(alpha_value(p.path[s * RECEIPT_STEP_LEN + c]) >= 0);
		}
		/* step 0's side is the parity of the leaf's index, if it has a sibling */
		if (steps[i] && !(n % 2 && i == n - 1))
			assert_int_equal(p.path[0], i % 2 ? 'L' : 'R');
		assert_int_equal(p.slen, RECEIPT_SIG_LEN);
		assert_memory_equal(p.sig, split_str(t[0]).sig, RECEIPT_SIG_LEN);
		assert_true(verify_str(k.v, t[i]));
		root_of(t[i], root);
		if (i == 0)
			memcpy(root0, root, 32);
		assert_memory_equal(root, root0, 32);
	}
	texts_free(t, n);
	keys_free(k);
}

static void receipt_tree_of_one(void **state)
{
	static const size_t steps[1] = {0};
	keypair k = keys_from_seed(seed_a);
	char **t = texts_new(1);
	const char *body = "UR2|ONE|0123456789ABCDEF|1000|0|M1|G1|3|2026-12-05T03:04:05Z|R-TEST";
	uint8_t leaf_root[32], msg[RECEIPT_MSG_LEN], sig[SIG_LEN];

	(void)state;
	strcpy(t[0], body);
	assert_int_equal(receipt_sign_tree(k.key, t, 1), ERR_OK);
	/* "body||sig": an empty path, the root is the leaf */
	assert_int_equal(strlen(t[0]), strlen(body) + 2 + RECEIPT_SIG_LEN);
	assert_memory_equal(t[0], body, strlen(body));
	assert_memory_equal(t[0] + strlen(body), "||", 2);
	assert_true(verify_str(k.v, t[0]));
	assert_true(receipt_root(body, strlen(body), "", 0, leaf_root));
	receipt_message(leaf_root, msg);
	assert_true(b64url_decode(t[0] + strlen(body) + 2, RECEIPT_SIG_LEN, sig, SIG_LEN));
	assert_true(sig_verify(k.v, msg, sizeof msg, sig));
	texts_free(t, 1);
	keys_free(k);
	check_tree(1, steps);
}

static void receipt_trees_verify(void **state)
{
	static const size_t s2[] = {1, 1}, s3[] = {2, 2, 1}, s5[] = {3, 3, 3, 3, 1};
	size_t s17[17], s31[31], s32[32];

	(void)state;
	for (size_t i = 0; i < 32; i++) {
		if (i < 17)
			s17[i] = i < 16 ? 5 : 1; /* 17, 9, 5, 3, 2: leaf 16 pairs only at the top */
		if (i < 31)
			s31[i] = i < 30 ? 5 : 4; /* 31, 16, ...: leaf 30 goes up once unchanged */
		s32[i] = 5;
	}
	check_tree(2, s2);
	check_tree(3, s3);
	check_tree(5, s5);
	check_tree(17, s17);
	check_tree(31, s31);
	check_tree(32, s32);
}

/* ---- receipts: what signing refuses ---- */

static void receipt_sign_refuses(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t = texts_new(RECEIPT_TREE_MAX + 1);
	const size_t max = RECEIPT_MAX - RECEIPT_TAIL_MAX;

	(void)state;
	assert_int_equal(RECEIPT_TAIL_MAX, 2 + 5 * 44 + 86);
	for (size_t i = 0; i <= RECEIPT_TREE_MAX; i++)
		snprintf(t[i], RECEIPT_MAX + 1, "UR2|R-%zu|x", i);

	assert_int_equal(receipt_sign_tree(k.key, t, 0), ERR_INTERNAL);
	assert_string_equal(t[0], "UR2|R-0|x");
	assert_int_equal(receipt_sign_tree(k.key, t, RECEIPT_TREE_MAX + 1), ERR_INTERNAL);
	for (size_t i = 0; i <= RECEIPT_TREE_MAX; i++) {
		char want[32];
		snprintf(want, sizeof want, "UR2|R-%zu|x", i);
		assert_string_equal(t[i], want);
	}

	/* A body one byte too long, last in a tree of 32: nothing appended to any. */
	memset(t[31], 'a', max + 1);
	memcpy(t[31], "UR2|", 4);
	t[31][max + 1] = '\0';
	assert_int_equal(receipt_sign_tree(k.key, t, RECEIPT_TREE_MAX), ERR_INTERNAL);
	for (size_t i = 0; i < 31; i++) {
		char want[32];
		snprintf(want, sizeof want, "UR2|R-%zu|x", i);
		assert_string_equal(t[i], want);
	}
	assert_int_equal(strlen(t[31]), max + 1);
	assert_int_equal(strspn(t[31] + 4, "a"), max + 1 - 4);

	/* The longest body in the deepest tree: the receipt is RECEIPT_MAX exactly. */
	t[31][max] = '\0';
	assert_int_equal(receipt_sign_tree(k.key, t, RECEIPT_TREE_MAX), ERR_OK);
	assert_int_equal(strlen(t[31]), RECEIPT_MAX);
	assert_true(proof_ok(k.v, t[31]));
	assert_true(proof_ok(k.v, t[0]));
	texts_free(t, RECEIPT_TREE_MAX + 1);
	keys_free(k);
}

/* ---- receipts: what verifying refuses ---- */

static void receipt_verify_refuses_tampering(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t = tree_new(k.key, "TAMPER", 5); /* leaf 0: 3 steps */
	char r[2 * RECEIPT_MAX], orig[RECEIPT_MAX + 1];
	parts p;
	size_t n, ps;

	(void)state;
	strcpy(orig, t[0]);
	p = split_str(orig);
	ps = (size_t)(p.path - orig); /* where the path starts */
	n = strlen(orig);
	assert_int_equal(p.plen, 3 * RECEIPT_STEP_LEN);
	assert_true(verify_str(k.v, orig));

	/* a changed body character: each of them */
	for (size_t i = 4; i < p.body; i++) {
		strcpy(r, orig);
		r[i] = r[i] == 'X' ? 'Y' : 'X';
		assert_false(verify_str(k.v, r));
	}
	/* a changed amount: 1000 -> 1001, and 1000 -> 10000 */
	strcpy(r, orig);
	char *amount = strstr(r, "|1000|");
	assert_non_null(amount);
	amount[4] = '1';
	assert_false(verify_str(k.v, r));
	snprintf(r, sizeof r, "%.*s0%s", (int)(amount + 5 - r), orig, orig + (amount + 5 - r));
	assert_non_null(strstr(r, "|10000|"));
	assert_false(verify_str(k.v, r));

	/* each step's side flipped */
	for (size_t s = 0; s < 3; s++) {
		strcpy(r, orig);
		char *side = r + ps + s * RECEIPT_STEP_LEN;
		*side = *side == 'L' ? 'R' : 'L';
		assert_false(verify_str(k.v, r));
		*side = 'l'; /* neither side */
		assert_false(verify_str(k.v, r));
	}
	/* two steps swapped */
	for (size_t a = 0; a < 3; a++) {
		for (size_t b = a + 1; b < 3; b++) {
			char tmp[RECEIPT_STEP_LEN];
			strcpy(r, orig);
			memcpy(tmp, r + ps + a * RECEIPT_STEP_LEN, RECEIPT_STEP_LEN);
			memcpy(r + ps + a * RECEIPT_STEP_LEN, r + ps + b * RECEIPT_STEP_LEN,
			       RECEIPT_STEP_LEN);
			memcpy(r + ps + b * RECEIPT_STEP_LEN, tmp, RECEIPT_STEP_LEN);
			assert_false(verify_str(k.v, r));
		}
	}
	/* a step removed: each one; and a step cut short by a character */
	for (size_t s = 0; s < 3; s++) {
		strcpy(r, orig);
		memmove(r + ps + s * RECEIPT_STEP_LEN, r + ps + (s + 1) * RECEIPT_STEP_LEN,
		        n - (ps + (s + 1) * RECEIPT_STEP_LEN) + 1);
		assert_int_equal(strlen(r), n - RECEIPT_STEP_LEN);
		assert_false(verify_str(k.v, r));
	}
	strcpy(r, orig);
	memmove(r + ps + p.plen - 1, r + ps + p.plen, n - (ps + p.plen) + 1);
	assert_false(verify_str(k.v, r));
	/* the path emptied */
	snprintf(r, sizeof r, "%.*s||%s", (int)p.body, orig, p.sig);
	assert_false(verify_str(k.v, r));
	/* a step duplicated */
	snprintf(r, sizeof r, "%.*s%.*s%s", (int)(ps + RECEIPT_STEP_LEN), orig, RECEIPT_STEP_LEN,
	         orig + ps, orig + ps + RECEIPT_STEP_LEN);
	assert_false(verify_str(k.v, r));

	/* a hash character changed in each step */
	for (size_t s = 0; s < 3; s++) {
		strcpy(r, orig);
		char *c = r + ps + s * RECEIPT_STEP_LEN + 10;
		*c = *c == 'A' ? 'B' : 'A';
		assert_false(verify_str(k.v, r));
	}

	/* a non-canonical Base64url hash: the same 32 bytes, leftover bits set */
	for (size_t s = 0; s < 3; s++) {
		uint8_t root[32];
		for (int extra = 1; extra < 4; extra++) {
			strcpy(r, orig);
			char *last = r + ps + (s + 1) * RECEIPT_STEP_LEN - 1;
			int v = alpha_value(*last);
			assert_true(v >= 0 && v % 4 == 0);
			*last = ALPHABET[v | extra];
			assert_false(receipt_root(r, p.body, r + ps, p.plen, root));
			assert_false(verify_str(k.v, r));
		}
		/* a '=' or a standard-alphabet character in the hash */
		strcpy(r, orig);
		r[ps + s * RECEIPT_STEP_LEN + 5] = '+';
		assert_false(verify_str(k.v, r));
		strcpy(r, orig);
		r[ps + (s + 1) * RECEIPT_STEP_LEN - 1] = '=';
		assert_false(verify_str(k.v, r));
	}

	/* the signature changed in one character: at several places */
	for (size_t i = 0; i < RECEIPT_SIG_LEN; i += 5) {
		strcpy(r, orig);
		char *c = r + n - RECEIPT_SIG_LEN + i;
		*c = *c == 'A' ? 'B' : 'A';
		assert_false(verify_str(k.v, r));
	}
	/* a non-canonical signature: same 64 bytes, leftover bits set */
	for (int extra = 1; extra < 16; extra++) {
		strcpy(r, orig);
		int v = alpha_value(r[n - 1]);
		assert_true(v >= 0 && v % 16 == 0);
		r[n - 1] = ALPHABET[v | extra];
		assert_false(verify_str(k.v, r));
	}
	/* the signature a character short, a character long, padded, empty */
	strcpy(r, orig);
	assert_false(receipt_verify(k.v, r, n - 1));
	r[n] = 'A';
	r[n + 1] = '\0';
	assert_false(verify_str(k.v, r));
	r[n] = '=';
	r[n + 1] = '=';
	r[n + 2] = '\0';
	assert_false(verify_str(k.v, r));
	r[n] = '\n';
	r[n + 1] = '\0';
	assert_false(verify_str(k.v, r));
	snprintf(r, sizeof r, "%.*s|", (int)(ps + p.plen), orig);
	assert_false(verify_str(k.v, r));

	/* another leaf's path and signature under this body */
	for (size_t i = 1; i < 5; i++) {
		parts q = split_str(t[i]);
		snprintf(r, sizeof r, "%.*s|%.*s|%.*s", (int)p.body, orig, (int)q.plen, q.path,
		         (int)q.slen, q.sig);
		assert_false(verify_str(k.v, r));
	}

	texts_free(t, 5);
	keys_free(k);
}

static void receipt_verify_refuses_other_key(void **state)
{
	keypair a = keys_from_seed(seed_a), b = keys_from_seed(seed_b);
	char **ta = tree_new(a.key, "SAME", 3), **tb = tree_new(b.key, "SAME", 3);

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		parts pa = split_str(ta[i]), pb = split_str(tb[i]);
		/* same bodies, same paths; the signatures differ */
		assert_int_equal(pa.body, pb.body);
		assert_memory_equal(ta[i], tb[i], pa.body + 1 + pa.plen + 1);
		assert_memory_not_equal(pa.sig, pb.sig, RECEIPT_SIG_LEN);
		assert_true(verify_str(a.v, ta[i]));
		assert_true(verify_str(b.v, tb[i]));
		assert_false(verify_str(a.v, tb[i]));
		assert_false(verify_str(b.v, ta[i]));
	}
	texts_free(ta, 3);
	texts_free(tb, 3);
	keys_free(a);
	keys_free(b);
}

/* Another tree's path and signature, signed by the same key, with this body. */
static void receipt_verify_refuses_other_tree(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t1 = tree_new(k.key, "ONE", 4), **t2 = tree_new(k.key, "TWO", 4);
	char r[2 * RECEIPT_MAX];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			parts p1 = split_str(t1[i]), p2 = split_str(t2[j]);
			assert_true(verify_str(k.v, t2[j]));
			snprintf(r, sizeof r, "%.*s|%.*s|%.*s", (int)p1.body, t1[i], (int)p2.plen,
			         p2.path, (int)p2.slen, p2.sig);
			assert_false(verify_str(k.v, r));
			/* its own path with the other tree's signature */
			snprintf(r, sizeof r, "%.*s|%.*s|%.*s", (int)p1.body, t1[i], (int)p1.plen,
			         p1.path, (int)p2.slen, p2.sig);
			assert_false(verify_str(k.v, r));
		}
	}
	texts_free(t1, 4);
	texts_free(t2, 4);
	keys_free(k);
}

static void node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t in[65] = {1};
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	assert_int_equal(EVP_Digest(in, sizeof in, out, NULL, EVP_sha256(), NULL), 1);
}

/* A path of 6 steps is refused even when its root carries a good signature. */
static void receipt_verify_refuses_deep_path(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t = tree_new(k.key, "DEEP", 32);
	char r[2 * RECEIPT_MAX], step[RECEIPT_STEP_LEN + 1], sigtext[RECEIPT_SIG_LEN + 1];
	uint8_t root5[32], extra[32], root6[32], msg[RECEIPT_MSG_LEN], sig[SIG_LEN];
	parts p;

	(void)state;
	p = split_str(t[7]);
	assert_int_equal(p.plen, 5 * RECEIPT_STEP_LEN);
	assert_true(receipt_root(t[7], p.body, p.path, p.plen, root5));
	memset(extra, 0x5a, sizeof extra);
	node_hash(root5, extra, root6);
	step[0] = 'R';
	assert_int_equal(b64url_encode(extra, 32, step + 1), HASH_B64);
	receipt_message(root6, msg);
	assert_int_equal(sig_sign(k.key, msg, sizeof msg, sig), ERR_OK);
	b64url_encode(sig, SIG_LEN, sigtext);
	snprintf(r, sizeof r, "%.*s|%.*s%s|%s", (int)p.body, t[7], (int)p.plen, p.path, step,
	         sigtext);
	p = split_str(r);
	assert_int_equal(p.plen, 6 * RECEIPT_STEP_LEN);
	assert_false(receipt_root(r, p.body, p.path, p.plen, root6));
	assert_false(verify_str(k.v, r));

	/* The same with 5 steps (a tree of 32 extended by nothing) still verifies. */
	assert_true(verify_str(k.v, t[7]));
	texts_free(t, 32);
	keys_free(k);
}

static void receipt_verify_refuses_not_ur2(void **state)
{
	keypair k = keys_from_seed(seed_a);
	char **t = texts_new(2);
	char r[RECEIPT_MAX + 1];
	uint8_t root[32], msg[RECEIPT_MSG_LEN], sig[SIG_LEN];
	parts p;

	(void)state;
	/* Signed correctly, but "UR1|": only the prefix is wrong. */
	strcpy(t[0], "UR1|R-OLD|0123456789ABCDEF|1000|0|M1|G1|3|2026-12-05T03:04:05Z|R-TEST");
	strcpy(t[1], "ur2|R-OLD|0123456789ABCDEF|1000|0|M1|G1|3|2026-12-05T03:04:05Z|R-TEST");
	assert_int_equal(receipt_sign_tree(k.key, t, 2), ERR_OK);
	for (size_t i = 0; i < 2; i++) {
		p = split_str(t[i]);
		assert_true(receipt_root(t[i], p.body, p.path, p.plen, root));
		receipt_message(root, msg);
		assert_true(b64url_decode(p.sig, p.slen, sig, SIG_LEN));
		assert_true(sig_verify(k.v, msg, sizeof msg, sig));
		assert_false(verify_str(k.v, t[i]));
	}

	/* no '|' at all, one '|', an empty string, prefixes alone */
	assert_false(verify_str(k.v, "UR2"));
	assert_false(verify_str(k.v, "nobarsatall"));
	assert_false(verify_str(k.v, "UR2|onlyonebar"));
	assert_false(verify_str(k.v, "UR2|"));
	assert_false(verify_str(k.v, "UR2||"));
	assert_false(verify_str(k.v, "UR2|||"));
	assert_false(receipt_verify(k.v, "", 0));
	assert_false(receipt_verify(k.v, "UR2|", 3));

	/* A signed text whose body is not a receipt's ten fields: its proof
	 * holds, but it is no receipt. */
	strcpy(r, "UR2|R-OK|x");
	char *one[1] = {r};
	assert_int_equal(receipt_sign_tree(k.key, one, 1), ERR_OK);
	assert_true(proof_ok(k.v, r));
	assert_false(verify_str(k.v, r));

	/* A good receipt cut at its bars */
	strcpy(r, "UR2|R-OK-1|0123456789ABCDEF|1000|0|M1|G1|3|2026-12-05T03:04:05Z|R-OK");
	assert_int_equal(receipt_sign_tree(k.key, one, 1), ERR_OK);
	assert_true(verify_str(k.v, r));
	p = split_str(r);
	assert_false(receipt_verify(k.v, r, p.body + 1));
	assert_false(receipt_verify(k.v, r, p.body + 2));
	texts_free(t, 2);
	keys_free(k);
}

/* receipt_root refuses paths that are not whole, well-formed steps. */
static void receipt_root_shapes(void **state)
{
	char path[7 * RECEIPT_STEP_LEN + 1];
	uint8_t root[32];
	const char *body = "UR2|x";

	(void)state;
	memset(path, 'A', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	for (size_t s = 0; s < 7; s++)
		path[s * RECEIPT_STEP_LEN] = 'R';
	for (size_t len = 0; len <= 7 * RECEIPT_STEP_LEN; len++) {
		bool ok =
		    len % RECEIPT_STEP_LEN == 0 && len / RECEIPT_STEP_LEN <= RECEIPT_DEPTH_MAX;
		assert_int_equal(receipt_root(body, strlen(body), path, len, root), ok);
	}
	/* sides other than 'L' and 'R' */
	const char bad_sides[] = "lrXA-_|= ";
	for (size_t i = 0; i < sizeof bad_sides - 1; i++) {
		path[0] = bad_sides[i];
		assert_false(receipt_root(body, strlen(body), path, RECEIPT_STEP_LEN, root));
	}
	path[0] = 'L';
	assert_true(receipt_root(body, strlen(body), path, RECEIPT_STEP_LEN, root));
}

/* receipt_parse on the first n bytes of s: the parts, as offsets and lengths. */
static void parse_is(const char *s, size_t n, const size_t at[RECEIPT_PARTS],
                     const size_t len[RECEIPT_PARTS], size_t body)
{
	receipt_parts p;

	assert_true(receipt_parse(s, n, &p));
	for (int i = 0; i < RECEIPT_PARTS; i++) {
		assert_ptr_equal(p.part[i], s + at[i]);
		assert_int_equal(p.len[i], len[i]);
	}
	assert_int_equal(p.body_len, body);
}

static void receipt_parse_cases(void **state)
{
	static const char *const refused[] = {
	    "",
	    "UR2",
	    "UR2|a|b|c|d|e|f|g|h|i|j",     /* 11 parts */
	    "UR2|a|b|c|d|e|f|g|h|i|j|k|l", /* 13 parts */
	    "UR1|a|b|c|d|e|f|g|h|i|j|k",   /* another tag */
	    "ur2|a|b|c|d|e|f|g|h|i|j|k",   /* the tag's case */
	    "UR22|a|b|c|d|e|f|g|h|i|j|k",  /* a longer tag */
	    "|UR2|a|b|c|d|e|f|g|h|i|j|k",  /* the tag not first */
	    "UR2|a|b|c|d|e|f|g|h|i|j|k|",  /* a trailing bar */
	};
	static const size_t at1[] = {0, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24},
	                    len1[] = {3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2},
	                    at0[] = {0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
	                    len0[] = {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	char big[RECEIPT_MAX + 2];
	receipt_parts p;

	(void)state;
	parse_is("UR2|a|b|c|d|e|f|g|h|i|j|kk", 26, at1, len1, 21);
	parse_is("UR2|||||||||||", 14, at0, len0, 12);               /* empty parts */
	parse_is("UR2|a|b|c|d|e|f|g|h|i|j|kk|x", 26, at1, len1, 21); /* only n bytes */
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		assert_false(receipt_parse(refused[i], strlen(refused[i]), &p));
	/* At most RECEIPT_MAX bytes. */
	memset(big, 'a', sizeof big);
	memcpy(big, "UR2|||||||||||", 14);
	assert_true(receipt_parse(big, RECEIPT_MAX, &p));
	assert_false(receipt_parse(big, RECEIPT_MAX + 1, &p));
}

/* receipt_body builds what receipt_parse splits, and no more than fits. */
static void receipt_body_round_trip(void **state)
{
	receipt_fields r = {.kind = JOURNAL_REDEEM,
	                    .rid = "R-TEST0001-202612-17",
	                    .serial = 0x0123456789ABCDEFULL,
	                    .amount = 25000,
	                    .remaining = 125000,
	                    .merchant = "M1",
	                    .gallery = "GALERI-A",
	                    .terminal = 3,
	                    .time = 1796439845, /* 2026-12-05T03:04:05Z */
	                    .kid = "R-TEST0001"};
	char body[RECEIPT_MAX + 1], whole[RECEIPT_MAX + 16], longid[RECEIPT_MAX];
	receipt_parts p;
	size_t n;

	(void)state;
	n = receipt_body(&r, body, sizeof body);
	assert_string_equal(body, "UR2|R-TEST0001-202612-17|0123456789ABCDEF|25000|125000|M1|"
	                          "GALERI-A|3|2026-12-05T03:04:05Z|R-TEST0001");
	assert_int_equal(n, strlen(body));
	snprintf(whole, sizeof whole, "%s|path|sig", body);
	assert_true(receipt_parse(whole, strlen(whole), &p));
	assert_int_equal(p.body_len, n);
	assert_memory_equal(p.part[RP_TIME], "2026-12-05T03:04:05Z", p.len[RP_TIME]);
	/* A body with no room for its proof is not made. */
	memset(longid, 'M', sizeof longid - 1);
	longid[RECEIPT_MAX - RECEIPT_TAIL_MAX - 60] = '\0';
	r.merchant = longid;
	assert_int_equal(receipt_body(&r, body, sizeof body), 0);
	r.merchant = "M1";
	assert_int_equal(receipt_body(&r, body, 20), 0); /* nor one longer than out */
	/* A void's receipt: the same fields under its own tag. */
	r.kind = JOURNAL_VOID;
	n = receipt_body(&r, body, sizeof body);
	assert_memory_equal(body, "URV2|R-TEST0001-202612-17|", 26);
	snprintf(whole, sizeof whole, "%s|path|sig", body);
	assert_true(receipt_parse(whole, strlen(whole), &p));
	assert_int_equal(p.kind, JOURNAL_VOID);
	assert_int_equal(p.body_len, n);
	whole[3] = '3'; /* URV3 */
	assert_false(receipt_parse(whole, strlen(whole), &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(receipt_known_answer),
	    cmocka_unit_test(receipt_known_answer_five),
	    cmocka_unit_test(receipt_tree_rebuilt),
	    cmocka_unit_test(receipt_tree_of_one),
	    cmocka_unit_test(receipt_trees_verify),
	    cmocka_unit_test(receipt_sign_refuses),
	    cmocka_unit_test(receipt_verify_refuses_tampering),
	    cmocka_unit_test(receipt_verify_refuses_other_key),
	    cmocka_unit_test(receipt_verify_refuses_other_tree),
	    cmocka_unit_test(receipt_verify_refuses_deep_path),
	    cmocka_unit_test(receipt_verify_refuses_not_ur2),
	    cmocka_unit_test(receipt_root_shapes),
	    cmocka_unit_test(receipt_parse_cases),
	    cmocka_unit_test(receipt_body_round_trip),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sig_thread_done();
	return rc;
}
