#include "testutil.h"

#include "base45.h"
#include "keyring.h"
#include "period.h"
#include "sign/sign.h"
#include "voucher.h"

static const uint8_t seed[32] = {42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42,
                                 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42};

struct fixture {
	sig_signer *key;
	keyring *kr;
	voucher v;
	char text[VOUCHER_TEXT_LEN + 1];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_int_equal(sig_from_seed(seed, &f->key), ERR_OK);
	f->kr = keyring_new();
	add_key(f->kr, f->key, KEY_ISSUER, "K1", "PROBOLINGGO");
	f->v.flags = VOUCHER_FLAG_MULTI;
	tag_of("issuer", "PROBOLINGGO", f->v.issuer_tag);
	tag_of("kid", "K1", f->v.kid_tag);
	f->v.serial = 0x0123456789ABCDEFULL;
	f->v.year = 2026;
	f->v.month = 12;
	f->v.valid_from = 1796058000;  /* 2026-12-01 00:00 WIB */
	f->v.valid_until = 1798995600; /* 2027-01-04 00:00 WIB */
	f->v.face_value = 150000;
	assert_int_equal(voucher_sign(&f->v, f->key), ERR_OK);
	assert_int_equal(voucher_encode(&f->v, f->text, sizeof f->text), VOUCHER_TEXT_LEN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sig_signer_free(f->key);
	keyring_free(f->kr);
	free(f);
	sig_thread_done();
	return 0;
}

static void round_trip(void **state)
{
	struct fixture *f = *state;
	voucher d;
	const key_entry *k = NULL;

	assert_int_equal(strlen(f->text), VOUCHER_TEXT_LEN);
	assert_memory_equal(f->text, "UV1:", 4);
	/* Only QR alphanumeric characters, so the QR can use that mode. */
	assert_int_equal(strspn(f->text, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"),
	                 VOUCHER_TEXT_LEN);
	assert_int_equal(voucher_decode(f->text, strlen(f->text), &d), ERR_OK);
	assert_memory_equal(&d.serial, &f->v.serial, sizeof d.serial);
	assert_int_equal(d.face_value, 150000);
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.month, 12);
	assert_int_equal(d.flags, VOUCHER_FLAG_MULTI);
	assert_int_equal(d.valid_from, f->v.valid_from);
	assert_int_equal(d.valid_until, f->v.valid_until);
	assert_int_equal(voucher_verify(&d, f->kr, &k), ERR_OK);
	assert_string_equal(k->kid, "K1");
}

static void hostile_text(void **state)
{
	struct fixture *f = *state;
	char buf[512];
	voucher d;
	size_t n = strlen(f->text);

	/* Every truncation is refused, and never reads past the given length. */
	for (size_t len = 0; len < n; len++) {
		char *exact = malloc(len ? len : 1);
		memcpy(exact, f->text, len);
		err rc = voucher_decode(exact, len, &d);
		free(exact);
		assert_true(rc == ERR_VOUCHER_PREFIX || rc == ERR_VOUCHER_TRUNCATED ||
		            rc == ERR_VOUCHER_BASE45);
		if (len >= 4 && (len - 4) % 3 == 0)
			assert_int_equal(rc, ERR_VOUCHER_TRUNCATED);
	}
	/* Extra bytes, one or many. */
	snprintf(buf, sizeof buf, "%s00", f->text);
	assert_int_equal(voucher_decode(buf, strlen(buf), &d), ERR_VOUCHER_TRAILING);
	snprintf(buf, sizeof buf, "%s%s", f->text, "000000000000000000000000000000");
	assert_int_equal(voucher_decode(buf, strlen(buf), &d), ERR_VOUCHER_TRAILING);
	/* Bad Base45: a character outside the alphabet, a value out of range. */
	memcpy(buf, f->text, n + 1);
	buf[10] = 'a';
	assert_int_equal(voucher_decode(buf, n, &d), ERR_VOUCHER_BASE45);
	memcpy(buf + 7, "GGW", 3);
	assert_int_equal(voucher_decode(buf, n, &d), ERR_VOUCHER_BASE45);
	/* Wrong prefix, other version. */
	memcpy(buf, f->text, n + 1);
	buf[0] = 'X';
	assert_int_equal(voucher_decode(buf, n, &d), ERR_VOUCHER_PREFIX);
	assert_int_equal(voucher_decode("https://example.com/", 20, &d), ERR_VOUCHER_PREFIX);
	buf[0] = 'U';
	buf[2] = '2';
	assert_int_equal(voucher_decode(buf, n, &d), ERR_VOUCHER_VERSION);
	assert_int_equal(voucher_decode("UV17:AAA", 8, &d), ERR_VOUCHER_VERSION);
	assert_int_equal(voucher_decode("", 0, &d), ERR_VOUCHER_PREFIX);
	assert_int_equal(voucher_decode("UV1:", 4, &d), ERR_VOUCHER_TRUNCATED);
}

/* Re-encode raw bytes as text, as a forger would. */
static err decode_raw(const uint8_t raw[VOUCHER_LEN], voucher *d)
{
	char text[VOUCHER_TEXT_LEN + 1] = "UV1:";

	base45_encode(raw, VOUCHER_LEN, text + 4, sizeof text - 4);
	return voucher_decode(text, strlen(text), d);
}

static void every_bit_matters(void **state)
{
	struct fixture *f = *state;
	uint8_t raw[VOUCHER_LEN];
	voucher d;

	voucher_pack(&f->v, raw);
	for (size_t bit = 0; bit < VOUCHER_LEN * 8; bit++) {
		err rc;
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = decode_raw(raw, &d);
		if (rc == ERR_OK)
			rc = voucher_verify(&d, f->kr, NULL);
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(rc, ERR_OK);
		if (bit < 8)
			assert_int_equal(rc, ERR_VOUCHER_VERSION);
		else if (bit >= 2 * 8 && bit < 6 * 8)
			assert_int_equal(rc, ERR_WRONG_ISSUER);
		else if (bit >= 6 * 8 && bit < 10 * 8)
			assert_int_equal(rc, ERR_UNKNOWN_KEY);
		else if (bit >= VOUCHER_BODY_LEN * 8)
			assert_int_equal(rc, ERR_BAD_SIGNATURE);
		else
			assert_true(rc == ERR_BAD_SIGNATURE || rc == ERR_MALFORMED_VOUCHER);
	}
}

static void field_checks(void **state)
{
	struct fixture *f = *state;
	uint8_t raw[VOUCHER_LEN];
	voucher d;

	voucher_pack(&f->v, raw);
	raw[1] = 0x02; /* unknown flag */
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
	voucher_pack(&f->v, raw);
	raw[19] = 13; /* month */
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
	voucher_pack(&f->v, raw);
	memset(raw + 28, 0, 4); /* face value 0 */
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
	voucher_pack(&f->v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw - 1, &d), ERR_VOUCHER_TRUNCATED);
	assert_int_equal(voucher_unpack(raw, 0, &d), ERR_VOUCHER_TRUNCATED);
}

/* The window lies in its period: from 2026-12-01 00:00 WIT (UTC+9) at the
 * earliest to 31 days after the period, 2027-02-01 00:00 WIB (UTC+7), at
 * the latest. One second beyond either is no voucher. */
static void window_bound_to_period(void **state)
{
	struct fixture *f = *state;
	const uint32_t earliest = 1796050800, latest = 1801414800;
	uint8_t raw[VOUCHER_LEN];
	voucher v = f->v, d;

	v.valid_from = earliest;
	v.valid_until = latest;
	voucher_pack(&v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_OK);
	v.valid_from = earliest - 1;
	voucher_pack(&v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
	v.valid_from = earliest;
	v.valid_until = latest + 1;
	voucher_pack(&v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
	/* A November voucher valid in December, as a retired key would make one. */
	v = f->v;
	v.month = 11;
	voucher_pack(&v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
	v.valid_until = 1796317200; /* 2026-12-04 00:00 WIB: within November's 31 days */
	voucher_pack(&v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_OK);
	v.year = 2000;
	v.month = 1;
	voucher_pack(&v, raw);
	assert_int_equal(voucher_unpack(raw, sizeof raw, &d), ERR_MALFORMED_VOUCHER);
}

static void keys_and_issuers(void **state)
{
	struct fixture *f = *state;
	keyring *kr = keyring_new();
	sig_signer *other;
	voucher d = f->v;
	uint8_t s2[32] = {7};

	assert_int_equal(sig_from_seed(s2, &other), ERR_OK);
	/* Another region's keyring: wrong issuer. */
	add_key(kr, other, KEY_ISSUER, "K1", "MALANG");
	assert_int_equal(voucher_verify(&d, kr, NULL), ERR_WRONG_ISSUER);
	/* A receipt key (issuer "-") is no issuer key: still wrong issuer. */
	{
		key_entry e = {.kid = "R1", .role = KEY_RECEIPT, .retired_after = KEY_NEVER};
		sig_public(other, e.pub);
		assert_int_equal(keyring_add(kr, &e), ERR_OK);
		assert_int_equal(voucher_verify(&d, kr, NULL), ERR_WRONG_ISSUER);
	}
	keyring_free(kr);
	/* Our region, but only another key id. */
	kr = keyring_new();
	add_key(kr, other, KEY_ISSUER, "K2", "PROBOLINGGO");
	assert_int_equal(voucher_verify(&d, kr, NULL), ERR_UNKNOWN_KEY);
	/* Our region and key id, but the wrong public key. */
	add_key(kr, other, KEY_ISSUER, "K1", "PROBOLINGGO");
	assert_int_equal(voucher_verify(&d, kr, NULL), ERR_BAD_SIGNATURE);
	keyring_free(kr);

	/* Retired after 2026-11-30: a December voucher no longer verifies. */
	kr = keyring_new();
	add_key(kr, f->key, KEY_ISSUER, "K1", "PROBOLINGGO");
	assert_int_equal(voucher_verify(&d, kr, NULL), ERR_OK);
	keyring_by_kid(kr, "K1")->retired_after = date_to_days((date){2026, 11, 30});
	assert_int_equal(voucher_verify(&d, kr, NULL), ERR_KEY_RETIRED);
	keyring_by_kid(kr, "K1")->retired_after = date_to_days((date){2026, 12, 1});
	assert_int_equal(voucher_verify(&d, kr, NULL), ERR_OK);
	keyring_free(kr);
	sig_signer_free(other);
}

static void validity_window(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(voucher_check_time(&f->v, 1796058000 - 1), ERR_NOT_YET_VALID);
	assert_int_equal(voucher_check_time(&f->v, 1796058000), ERR_OK);
	assert_int_equal(voucher_check_time(&f->v, 1798995600 - 1), ERR_OK);
	assert_int_equal(voucher_check_time(&f->v, 1798995600), ERR_EXPIRED);
}

static void serials(void **state)
{
	char s[VOUCHER_SERIAL_LEN + 1];
	uint64_t v;

	(void)state;
	voucher_serial_format(0x0123456789ABCDEFULL, s);
	assert_string_equal(s, "0123456789ABCDEF");
	assert_int_equal(voucher_serial_parse("0123456789abcdef", &v), ERR_OK);
	assert_true(v == 0x0123456789ABCDEFULL);
	assert_int_equal(voucher_serial_parse("0123456789ABCDE", &v), ERR_INVALID);
	assert_int_equal(voucher_serial_parse("0123456789ABCDEF0", &v), ERR_INVALID);
	assert_int_equal(voucher_serial_parse("0123456789ABCDEG", &v), ERR_INVALID);
	assert_int_equal(voucher_serial_parse("0000000000000000", &v), ERR_INVALID);
	assert_int_equal(voucher_serial_parse("", &v), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(hostile_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(every_bit_matters, setup, teardown),
	    cmocka_unit_test_setup_teardown(field_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(window_bound_to_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(keys_and_issuers, setup, teardown),
	    cmocka_unit_test_setup_teardown(validity_window, setup, teardown),
	    cmocka_unit_test(serials),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
