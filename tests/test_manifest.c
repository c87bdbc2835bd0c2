/*
 * The code manifest (common/manifest.c): what the issuer signs loads and
 * finds each voucher by its code; every change, reorder or foreign key is
 * refused with its line; a seal its line does not describe finds nothing.
 */
#include "testutil.h"

#include "keyring.h"
#include "manifest.h"
#include "sig.h"
#include "sign/sign.h"

#define MTIME 1796100000     /* 2026-12-01T04:40:00Z */
#define NOW   (MTIME + 3600) /* the reader's clock */
#define NV    5              /* vouchers */
#define ITER  MANIFEST_ITERATIONS_MIN

struct fixture {
	char *dir;
	sig_signer *key, *other;
	keyring *kr;
	uint8_t tokens[NV][VOUCHER_LEN];
	char codes[NV][SHORTCODE_LEN + 1];
	manifest m; /* as the issuer builds it: entries by serial */
};

static void make_token(struct fixture *f, int i, const char *gallery)
{
	voucher v = {0};

	tag_of("issuer", "PROBOLINGGO", v.issuer_tag);
	tag_of("kid", "K1", v.kid_tag);
	if (gallery)
		tag_of("gallery", gallery, v.gallery_tag);
	v.serial = 0x1000 + (uint64_t)i;
	v.year = 2026;
	v.month = 12;
	v.valid_from = 1796058000;
	v.valid_until = 1798995600;
	v.face_value = 50000;
	assert_int_equal(voucher_sign(&v, f->key), ERR_OK);
	voucher_pack(&v, f->tokens[i]);
	shortcode_of(f->tokens[i], f->codes[i]);
	f->m.entries[i].serial = v.serial;
	memcpy(f->m.entries[i].gallery_tag, v.gallery_tag, TAG_LEN);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	uint8_t key[SHORTCODE_KEY_LEN];

	f->dir = tmpdir_make();
	assert_int_equal(sig_generate(&f->key), ERR_OK);
	assert_int_equal(sig_generate(&f->other), ERR_OK);
	f->kr = keyring_new();
	add_key(f->kr, f->key, KEY_ISSUER, "K1", "PROBOLINGGO");
	add_key(f->kr, f->other, KEY_ISSUER, "M1", "MALANG");
	strcpy(f->m.issuer, "PROBOLINGGO");
	strcpy(f->m.kid, "K1");
	f->m.per = (period){2026, 12};
	f->m.time = MTIME;
	f->m.iterations = ITER;
	for (int i = 0; i < SHORTCODE_SALT_LEN; i++)
		f->m.salt[i] = (uint8_t)(i * 7);
	f->m.entries = calloc(NV, sizeof *f->m.entries);
	f->m.n = NV;
	for (int i = 0; i < NV; i++) {
		make_token(f, i, i == 3 ? "G2" : NULL);
		assert_int_equal(
		    shortcode_derive(f->codes[i], f->m.salt, ITER, f->m.entries[i].lookup, key),
		    ERR_OK);
		assert_int_equal(shortcode_seal(key, f->tokens[i], f->m.entries[i].sealed), ERR_OK);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sig_signer_free(f->key);
	sig_signer_free(f->other);
	keyring_free(f->kr);
	free(f->m.entries);
	tmpdir_remove(f->dir);
	free(f);
	sig_thread_done();
	return 0;
}

/* The signed text of f->m (malloc'd) by key. */
static char *signed_text(struct fixture *f, const sig_signer *key)
{
	size_t len;
	err rc;
	char *t = manifest_sign(&f->m, key, &len, &rc);

	assert_non_null(t);
	return t;
}

/* Load text; *why gets the reason. */
static err load(struct fixture *f, const char *text, manifest *out, char *why)
{
	char *path = write_file(f->dir, "m.manifest", text);
	err rc = manifest_load(path, f->kr, NOW, out, why, 512);

	free(path);
	return rc;
}

static void loads_and_finds_every_code(void **state)
{
	struct fixture *f = *state;
	char *t = signed_text(f, f->key), why[512];
	manifest m = {0};
	uint8_t tok[VOUCHER_LEN];

	assert_null(strstr(t, f->codes[0]));
	assert_int_equal(load(f, t, &m, why), ERR_OK);
	assert_int_equal(m.n, NV);
	assert_string_equal(m.issuer, "PROBOLINGGO");
	assert_int_equal(m.iterations, ITER);
	for (int i = 0; i < NV; i++) {
		assert_int_equal(manifest_resolve(&m, f->codes[i], tok), ERR_OK);
		assert_memory_equal(tok, f->tokens[i], VOUCHER_LEN);
	}
	/* a code of no voucher here */
	f->tokens[0][0] ^= 1;
	shortcode_of(f->tokens[0], f->codes[0]);
	assert_int_equal(manifest_resolve(&m, f->codes[0], tok), ERR_UNKNOWN_CODE);
	manifest_free(&m);
	free(t);
}

/* Replace the first occurrence of from in t (malloc'd) with to. */
static char *edit(char *t, const char *from, const char *to)
{
	char *p = strstr(t, from), *out;

	assert_non_null(p);
	out = malloc(strlen(t) + strlen(to) + 1);
	sprintf(out, "%.*s%s%s", (int)(p - t), t, to, p + strlen(from));
	free(t);
	return out;
}

/* Each change of a signed manifest, and the refusal it gets. */
static void refuses_what_was_changed(void **state)
{
	struct fixture *f = *state;
	char why[512];
	manifest m = {0};
	struct {
		const char *from, *to, *at;
		err rc;
	} cases[] = {
	    {"UMKM-MANIFEST-v1", "UMKM-MANIFEST-v2", "m.manifest:1:", ERR_INVALID},
	    {"period 2026-12", "period 2026-13", "m.manifest:4:", ERR_INVALID},
	    {"iterations 10000", "iterations 9999", "m.manifest:7:", ERR_INVALID},
	    {"iterations 10000", "iterations 010000", "m.manifest:7:", ERR_INVALID},
	    {"code 0000000000001000 *", "code 0000000000001000 00000000",
	     "m.manifest:8:", ERR_INVALID},
	    {"code 0000000000001000 *", "code 0000000000001000 ABCDEF01",
	     "m.manifest:8:", ERR_INVALID},
	    {"code 0000000000001000", "code 0000000000001002", "m.manifest:9:", ERR_INVALID},
	    {"code 0000000000001000", "code 0000000000000FFF", "m.manifest:", ERR_BAD_SIGNATURE},
	    {"kid K1", "kid M1", "m.manifest:3:", ERR_UNKNOWN_KEY},
	    {"issuer PROBOLINGGO", "issuer MALANG", "m.manifest:3:", ERR_UNKNOWN_KEY},
	    {"time 2026-12-01T04:40:00Z", "time 2026-12-02T04:40:00Z",
	     "m.manifest:", ERR_BAD_SIGNATURE},
	    {"\nsignature ", "\nsignature  ", "m.manifest:", ERR_INVALID},
	};
	char *t;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t = edit(signed_text(f, f->key), cases[i].from, cases[i].to);
		err rc = load(f, t, &m, why);
		if (rc != cases[i].rc || !strstr(why, cases[i].at))
			fail_msg("%s -> %s: %s (%s)", cases[i].from, cases[i].to, why,
			         err_code(rc));
		free(t);
	}
	/* text after the signature, and none at all */
	t = signed_text(f, f->key);
	t = realloc(t, strlen(t) + 8);
	strcat(t, "code x\n");
	assert_int_equal(load(f, t, &m, why), ERR_INVALID);
	assert_non_null(strstr(why, "text after the signature"));
	*strstr(t, "signature ") = '\0';
	assert_int_equal(load(f, t, &m, why), ERR_INVALID);
	assert_non_null(strstr(why, "no signature line"));
	free(t);
	/* signed by another issuer's key */
	t = signed_text(f, f->other);
	assert_int_equal(load(f, t, &m, why), ERR_BAD_SIGNATURE);
	free(t);
}

/* Two vouchers' lines swapped: refused as out of order. */
static void refuses_lines_out_of_order(void **state)
{
	struct fixture *f = *state;
	manifest_entry e = f->m.entries[1];
	char why[512], *t;
	manifest m = {0};

	f->m.entries[1] = f->m.entries[2];
	f->m.entries[2] = e;
	t = signed_text(f, f->key);
	assert_int_equal(load(f, t, &m, why), ERR_INVALID);
	assert_non_null(strstr(why, "m.manifest:10: serials must be in strictly ascending order"));
	free(t);
}

/* Two lines with one lookup value, even signed: refused. */
static void refuses_a_lookup_twice(void **state)
{
	struct fixture *f = *state;
	char why[512], *t;
	manifest m = {0};

	memcpy(f->m.entries[4].lookup, f->m.entries[0].lookup, SHORTCODE_LOOKUP_LEN);
	t = signed_text(f, f->key);
	assert_int_equal(load(f, t, &m, why), ERR_INVALID);
	assert_non_null(strstr(why, "two codes have one lookup value"));
	free(t);
}

/* A retired key, a key not yet valid, a time ahead of the clock. */
static void refuses_keys_and_times(void **state)
{
	struct fixture *f = *state;
	char why[512], *t;
	manifest m = {0};
	key_entry *k = keyring_by_kid(f->kr, "K1");

	k->retired_after = MTIME / 86400 - 1;
	t = signed_text(f, f->key);
	assert_int_equal(load(f, t, &m, why), ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "m.manifest:3: key K1 was retired"));
	k->retired_after = KEY_NEVER;
	k->valid_from = MTIME / 86400 + 1;
	assert_int_equal(load(f, t, &m, why), ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "valid only from"));
	k->valid_from = 0;
	free(t);
	f->m.time = NOW + 301;
	t = signed_text(f, f->key);
	assert_int_equal(load(f, t, &m, why), ERR_INVALID);
	assert_non_null(strstr(why, "m.manifest:5: the manifest's time is in the future"));
	free(t);
}

/* A sealed token put on another voucher's line, or on a line naming
 * another gallery, finds nothing: the line and the token must agree. */
static void a_seal_on_the_wrong_line_finds_nothing(void **state)
{
	struct fixture *f = *state;
	char why[512], *t;
	manifest m = {0};
	uint8_t tok[VOUCHER_LEN];

	memcpy(f->m.entries[1].sealed, f->m.entries[0].sealed, SHORTCODE_SEALED_LEN);
	memcpy(f->m.entries[1].lookup, f->m.entries[0].lookup, SHORTCODE_LOOKUP_LEN);
	memset(f->m.entries[0].lookup, 0xAA, SHORTCODE_LOOKUP_LEN);
	memset(f->m.entries[2].gallery_tag, 0x11, TAG_LEN); /* a gallery its token does not name */
	t = signed_text(f, f->key);
	assert_int_equal(load(f, t, &m, why), ERR_OK);
	assert_int_equal(manifest_resolve(&m, f->codes[0], tok), ERR_UNKNOWN_CODE);
	assert_int_equal(manifest_resolve(&m, f->codes[2], tok), ERR_UNKNOWN_CODE);
	assert_int_equal(manifest_resolve(&m, f->codes[3], tok), ERR_OK);
	manifest_free(&m);
	free(t);
}

/* manifest_parse reads the lines without the key: a manifest signed by
 * another key parses to what load would give, and says where its
 * signature is. */
static void parses_without_the_key(void **state)
{
	struct fixture *f = *state;
	char *good = signed_text(f, f->key), *forged = signed_text(f, f->other), why[512] = "";
	manifest a = {0}, b = {0};
	sigtext_sig sa, sb;

	assert_int_equal(manifest_parse("good", good, strlen(good), &a, &sa, why, sizeof why),
	                 ERR_OK);
	assert_int_equal(manifest_parse("forged", forged, strlen(forged), &b, &sb, why, sizeof why),
	                 ERR_OK);
	assert_int_equal(a.n, NV);
	assert_int_equal(b.n, NV);
	assert_memory_equal(a.entries, b.entries, NV * sizeof *a.entries);
	assert_int_equal(sa.signed_len, sb.signed_len);
	assert_int_equal(sa.line, 8 + NV);
	assert_memory_not_equal(sa.sig, sb.sig, SIG_LEN);
	manifest_free(&a);
	manifest_free(&b);
	assert_int_equal(load(f, forged, &b, why), ERR_BAD_SIGNATURE);

	/* No signature line: refused by the parse, at the line after the last. */
	*strstr(good, "signature ") = '\0';
	assert_int_equal(manifest_parse("cut", good, strlen(good), &a, &sa, why, sizeof why),
	                 ERR_INVALID);
	assert_non_null(strstr(why, "no signature line"));
	assert_null(a.entries);
	free(good);
	free(forged);
}

/* A month without codes is signed and read back as such (found by
 * fuzz_manifest once UBSan stopped it: qsort was handed NULL). */
static void a_month_without_codes(void **state)
{
	struct fixture *f = *state;
	char *text, why[512] = "";
	manifest a = {0};
	sigtext_sig sa;

	f->m.n = 0;
	text = signed_text(f, f->key);
	assert_int_equal(manifest_parse("empty", text, strlen(text), &a, &sa, why, sizeof why),
	                 ERR_OK);
	assert_int_equal(a.n, 0);
	manifest_free(&a);
	assert_int_equal(load(f, text, &a, why), ERR_OK);
	assert_int_equal(a.n, 0);
	manifest_free(&a);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(loads_and_finds_every_code, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_what_was_changed, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_lines_out_of_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_a_lookup_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_month_without_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(parses_without_the_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_keys_and_times, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_seal_on_the_wrong_line_finds_nothing, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
