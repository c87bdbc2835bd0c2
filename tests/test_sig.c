#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "sig.h"

static const uint8_t seed[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void sign_verify(void **state)
{
	sig_signer *s;
	sig_verifier *v;
	uint8_t pub[SIG_PUBLEN], sig[SIG_LEN], msg[] = "pay Rp50.000";

	(void)state;
	assert_int_equal(sig_generate(&s), ERR_OK);
	sig_public(s, pub);
	assert_int_equal(sig_sign(s, msg, sizeof msg, sig), ERR_OK);
	assert_int_equal(sig_verifier_new(pub, &v), ERR_OK);
	assert_true(sig_verify(v, msg, sizeof msg, sig));
	msg[0] ^= 1;
	assert_false(sig_verify(v, msg, sizeof msg, sig));
	msg[0] ^= 1;
	sig[63] ^= 0x80;
	assert_false(sig_verify(v, msg, sizeof msg, sig));
	sig_verifier_free(v);
	sig_signer_free(s);
	sig_thread_done();
}

/*
 * A signature is not malleable: S + L (L the order of the group) is the
 * same signature to the curve's arithmetic, and must be refused (RFC 8032
 * 5.1.7: S < L), or anyone could make a second valid signature of a
 * voucher, a receipt or a head and pass it off as another.
 */
static void s_below_l(void **state)
{
	static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,       0xd6,
	                              0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10};
	sig_signer *s;
	sig_verifier *v;
	uint8_t pub[SIG_PUBLEN], sig[SIG_LEN], msg[] = "pay Rp50.000";
	unsigned carry = 0;

	(void)state;
	assert_int_equal(sig_from_seed(seed, &s), ERR_OK);
	sig_public(s, pub);
	assert_int_equal(sig_sign(s, msg, sizeof msg, sig), ERR_OK);
	assert_int_equal(sig_verifier_new(pub, &v), ERR_OK);
	assert_true(sig_verify(v, msg, sizeof msg, sig));
	for (int i = 0; i < 32; i++) { /* S, little-endian in sig[32..63], plus L */
		carry += sig[32 + i] + L[i];
		sig[32 + i] = (uint8_t)carry;
		carry >>= 8;
	}
	assert_int_equal(carry, 0);
	assert_false(sig_verify(v, msg, sizeof msg, sig));
	sig_verifier_free(v);
	sig_signer_free(s);
	sig_thread_done();
}

/* Ed25519 is deterministic: a seed gives one public key and one signature. */
static void seed_is_deterministic(void **state)
{
	sig_signer *a, *b;
	uint8_t pa[SIG_PUBLEN], pb[SIG_PUBLEN], sa[SIG_LEN], sb[SIG_LEN];

	(void)state;
	assert_int_equal(sig_from_seed(seed, &a), ERR_OK);
	assert_int_equal(sig_from_seed(seed, &b), ERR_OK);
	sig_public(a, pa);
	sig_public(b, pb);
	assert_memory_equal(pa, pb, SIG_PUBLEN);
	assert_int_equal(sig_sign(a, (const uint8_t *)"x", 1, sa), ERR_OK);
	assert_int_equal(sig_sign(b, (const uint8_t *)"x", 1, sb), ERR_OK);
	assert_memory_equal(sa, sb, SIG_LEN);
	sig_signer_free(a);
	sig_signer_free(b);
}

static void rfc8032_vector(void **state)
{
	/* RFC 8032 section 7.1, TEST 1: empty message. */
	static const uint8_t sk[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
	                               0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	                               0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
	                               0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
	static const uint8_t pk[32] = {0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7,
	                               0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
	                               0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25,
	                               0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
	sig_signer *s;
	uint8_t pub[32], sig[64];

	(void)state;
	assert_int_equal(sig_from_seed(sk, &s), ERR_OK);
	sig_public(s, pub);
	assert_memory_equal(pub, pk, 32);
	assert_int_equal(sig_sign(s, (const uint8_t *)"", 0, sig), ERR_OK);
	assert_int_equal(sig[0], 0xe5);
	assert_int_equal(sig[63], 0x0b);
	sig_signer_free(s);
}

static void private_key_file(void **state)
{
	char *dir = tmpdir_make(), path[4200];
	sig_signer *s, *t;
	uint8_t p1[SIG_PUBLEN], p2[SIG_PUBLEN];
	struct stat st;

	(void)state;
	snprintf(path, sizeof path, "%s/K1.key", dir);
	assert_int_equal(sig_generate(&s), ERR_OK);
	umask(022);
	assert_int_equal(sig_save_private(s, path), ERR_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(sig_save_private(s, path), ERR_EXISTS);
	assert_int_equal(sig_load_private(path, &t), ERR_OK);
	sig_public(s, p1);
	sig_public(t, p2);
	assert_memory_equal(p1, p2, SIG_PUBLEN);
	sig_signer_free(t);

	/* Readable by group or others: refused, as ssh does. */
	chmod(path, 0640);
	assert_int_equal(sig_load_private(path, &t), ERR_INSECURE);
	chmod(path, 0604);
	assert_int_equal(sig_load_private(path, &t), ERR_INSECURE);
	chmod(path, 0400);
	assert_int_equal(sig_load_private(path, &t), ERR_OK);
	sig_signer_free(t);

	free(write_file(dir, "junk.key",
	                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
	snprintf(path, sizeof path, "%s/junk.key", dir);
	chmod(path, 0600);
	assert_int_equal(sig_load_private(path, &t), ERR_CRYPTO);
	snprintf(path, sizeof path, "%s/missing.key", dir);
	assert_int_equal(sig_load_private(path, &t), ERR_IO);
	sig_signer_free(s);
	tmpdir_remove(dir);
}

static void bad_public_key(void **state)
{
	uint8_t pub[SIG_PUBLEN];
	sig_verifier *v = NULL;

	(void)state;
	/* Any 32 bytes make an EVP key; verification must still fail safely. */
	memset(pub, 0xff, sizeof pub);
	if (sig_verifier_new(pub, &v) == ERR_OK) {
		uint8_t sig[SIG_LEN] = {0};
		assert_false(sig_verify(v, (const uint8_t *)"m", 1, sig));
		sig_verifier_free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sign_verify),    cmocka_unit_test(seed_is_deterministic),
	    cmocka_unit_test(rfc8032_vector), cmocka_unit_test(private_key_file),
	    cmocka_unit_test(bad_public_key), cmocka_unit_test(s_below_l),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
