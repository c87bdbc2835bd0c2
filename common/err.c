#include "err.h"

static const struct {
	const char *code;
	int status;
	const char *text;
} table[ERR__COUNT] = {
    [ERR_OK] = {"ok", 200, "success"},
    [ERR_MALFORMED_REQUEST] = {"malformed_request", 400, "the request is not valid"},
    [ERR_UNAUTHORIZED] = {"unauthorized", 401, "missing, wrong or disabled terminal token"},
    [ERR_NOT_FOUND] = {"not_found", 404, "no such resource"},
    [ERR_METHOD] = {"method_not_allowed", 405, "this resource does not take that method"},
    [ERR_MALFORMED_VOUCHER] = {"malformed_voucher", 422, "the voucher has a field out of range"},
    [ERR_VOUCHER_PREFIX] = {"malformed_voucher", 422, "the text is not a voucher (wrong prefix)"},
    [ERR_VOUCHER_VERSION] = {"malformed_voucher", 422, "the voucher has an unknown format version"},
    [ERR_VOUCHER_BASE45] = {"malformed_voucher", 422, "the voucher is not valid Base45"},
    [ERR_VOUCHER_TRUNCATED] = {"malformed_voucher", 422, "the voucher is truncated"},
    [ERR_VOUCHER_TRAILING] = {"malformed_voucher", 422, "the voucher has extra bytes"},
    [ERR_BAD_SIGNATURE] = {"bad_signature", 422, "the voucher's signature does not verify"},
    [ERR_UNKNOWN_KEY] = {"unknown_key", 422, "the voucher's key is not in the keyring"},
    [ERR_KEY_RETIRED] = {"unknown_key", 422, "the voucher's key was retired before its period"},
    [ERR_KEY_TOO_NEW] = {"unknown_key", 422, "the voucher's key is valid only after its period"},
    [ERR_WRONG_ISSUER] = {"wrong_issuer", 422, "the voucher is from another issuer"},
    [ERR_NOT_YET_VALID] = {"not_yet_valid", 422, "the voucher is not valid yet"},
    [ERR_EXPIRED] = {"expired", 422, "the voucher has expired"},
    [ERR_REVOKED] = {"revoked", 422, "the voucher has been revoked"},
    [ERR_NOT_VALID_HERE] = {"not_valid_here", 422, "the voucher is not valid at this gallery"},
    [ERR_ALREADY_SPENT] = {"already_spent", 409, "the voucher has already been spent"},
    [ERR_INSUFFICIENT_BALANCE] = {"insufficient_balance", 409,
                                  "the amount exceeds the voucher's balance"},
    [ERR_REQUEST_CONFLICT] = {"request_conflict", 409,
                              "request_id reused with a different request"},
    [ERR_VOID_TOO_LATE] = {"void_too_late", 409, "a redemption can be voided only on its own day"},
    [ERR_OFFLINE_CONFLICT] = {"offline_conflict", 409,
                              "the offline sale could not be taken: it is recorded as a conflict, "
                              "which the merchant bears"},
    [ERR_MALFORMED_CODE] = {"malformed_code", 400,
                            "a code is 12 characters (0-9 and A-Z without I, L, O, U); this one "
                            "has a typo"},
    [ERR_UNKNOWN_CODE] = {"unknown_code", 404, "no voucher has this code"},
    [ERR_TOO_LARGE] = {"too_large", 413, "the request is too large"},
    [ERR_TOO_MANY] = {"too_many_attempts", 429,
                      "too many failed attempts from this address; wait a minute"},
    [ERR_TOO_MANY_CODES] = {"too_many_attempts", 429,
                            "too many unknown codes from this terminal; wait 15 minutes"},
    [ERR_UNAVAILABLE] = {"unavailable", 503, "the service cannot take this now"},
    [ERR_INVALID] = {"invalid", 400, "invalid input"},
    [ERR_EXISTS] = {"exists", 409, "already exists"},
    [ERR_OVERFLOW] = {"overflow", 400, "number out of range"},
    [ERR_IO] = {"io_error", 500, "input/output error"},
    [ERR_NOMEM] = {"out_of_memory", 503, "out of memory"},
    [ERR_CRYPTO] = {"crypto_error", 500, "cryptographic library failure"},
    [ERR_DB] = {"database_error", 500, "database failure"},
    [ERR_INSECURE] = {"insecure_key", 500, "private key file is readable by group or others"},
    [ERR_ARCHIVED] = {"archived", 410,
                      "the period is archived: its journal is in the archive file"},
    [ERR_INTERNAL] = {"internal", 500, "internal error"},
};

static int valid(err e)
{
	return (int)e >= 0 && e < ERR__COUNT;
}

const char *err_str(err e)
{
	return valid(e) ? table[e].text : table[ERR_INTERNAL].text;
}

const char *err_code(err e)
{
	return valid(e) ? table[e].code : table[ERR_INTERNAL].code;
}

int err_http_status(err e)
{
	return valid(e) ? table[e].status : 500;
}
