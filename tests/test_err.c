#include "testutil.h"

#include "err.h"

static void every_value_described(void **state)
{
	(void)state;
	for (int i = ERR_OK; i < ERR__COUNT; i++) {
		err e = (err)i;
		const char *code = err_code(e), *text = err_str(e);
		int status = err_http_status(e);

		assert_non_null(code);
		assert_non_null(text);
		if (code[0] == '\0' || text[0] == '\0')
			fail_msg("error %d has an empty code or message", i);
		if (status < 200 || status > 599)
			fail_msg("error %d (%s) has status %d", i, code, status);
	}
	assert_string_equal(err_code(ERR_OK), "ok");
	assert_int_equal(err_http_status(ERR_OK), 200);
}

/* Each error of the HTTP contract has its stable code and status. */
static void http_contract(void **state)
{
	static const struct {
		err e;
		const char *code;
		int status;
	} want[] = {
	    {ERR_MALFORMED_REQUEST, "malformed_request", 400},
	    {ERR_UNAUTHORIZED, "unauthorized", 401},
	    {ERR_MALFORMED_VOUCHER, "malformed_voucher", 422},
	    {ERR_VOUCHER_PREFIX, "malformed_voucher", 422},
	    {ERR_VOUCHER_VERSION, "malformed_voucher", 422},
	    {ERR_VOUCHER_BASE45, "malformed_voucher", 422},
	    {ERR_VOUCHER_TRUNCATED, "malformed_voucher", 422},
	    {ERR_VOUCHER_TRAILING, "malformed_voucher", 422},
	    {ERR_BAD_SIGNATURE, "bad_signature", 422},
	    {ERR_UNKNOWN_KEY, "unknown_key", 422},
	    {ERR_KEY_RETIRED, "unknown_key", 422},
	    {ERR_WRONG_ISSUER, "wrong_issuer", 422},
	    {ERR_NOT_YET_VALID, "not_yet_valid", 422},
	    {ERR_EXPIRED, "expired", 422},
	    {ERR_REVOKED, "revoked", 422},
	    {ERR_NOT_VALID_HERE, "not_valid_here", 422},
	    {ERR_ALREADY_SPENT, "already_spent", 409},
	    {ERR_INSUFFICIENT_BALANCE, "insufficient_balance", 409},
	    {ERR_REQUEST_CONFLICT, "request_conflict", 409},
	    {ERR_TOO_LARGE, "too_large", 413},
	    {ERR_UNAVAILABLE, "unavailable", 503},
	};

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (strcmp(err_code(want[i].e), want[i].code) != 0)
			fail_msg("error %d: code %s, want %s", (int)want[i].e, err_code(want[i].e),
			         want[i].code);
		if (err_http_status(want[i].e) != want[i].status)
			fail_msg("error %d (%s): status %d, want %d", (int)want[i].e, want[i].code,
			         err_http_status(want[i].e), want[i].status);
	}
	/* The malformed-voucher family is told apart by its message only. */
	assert_string_not_equal(err_str(ERR_VOUCHER_PREFIX), err_str(ERR_VOUCHER_BASE45));
	assert_string_not_equal(err_str(ERR_UNKNOWN_KEY), err_str(ERR_KEY_RETIRED));
}

/* Stable codes are unique among the contract's distinct errors. */
static void codes_distinct(void **state)
{
	(void)state;
	assert_string_not_equal(err_code(ERR_ALREADY_SPENT), err_code(ERR_INSUFFICIENT_BALANCE));
	assert_string_not_equal(err_code(ERR_EXPIRED), err_code(ERR_NOT_YET_VALID));
	assert_string_not_equal(err_code(ERR_INTERNAL), err_code(ERR_OK));
}

static void out_of_range(void **state)
{
	const err bad[] = {ERR__COUNT, (err)(ERR__COUNT + 1), (err)1000, (err)-1};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_string_equal(err_code(bad[i]), "internal");
		assert_int_equal(err_http_status(bad[i]), 500);
		assert_string_equal(err_str(bad[i]), err_str(ERR_INTERNAL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_value_described),
	    cmocka_unit_test(http_contract),
	    cmocka_unit_test(codes_distinct),
	    cmocka_unit_test(out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
