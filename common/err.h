/*
 * err: the one error enum of the domain.
 *
 * Every module returns an err. Each value has a human message (err_str),
 * a stable machine code from DESIGN.md (err_code) and the HTTP status the
 * redeemer answers with (err_http_status). Library errors (LMDB, OpenSSL,
 * libevent) are translated into these at the module boundary and their own
 * text is logged there.
 */
#ifndef ERR_H
#define ERR_H

typedef enum err {
	ERR_OK = 0,

	/* HTTP contract codes (DESIGN.md). */
	ERR_MALFORMED_REQUEST,
	ERR_UNAUTHORIZED,
	ERR_NOT_FOUND,
	ERR_METHOD,            /* an HTTP method the resource does not take */
	ERR_MALFORMED_VOUCHER, /* a field of a well-formed token is out of range */
	ERR_VOUCHER_PREFIX,    /* not our text prefix */
	ERR_VOUCHER_VERSION,   /* our prefix or body, but another format version */
	ERR_VOUCHER_BASE45,    /* not valid Base45 */
	ERR_VOUCHER_TRUNCATED, /* fewer bytes than the layout */
	ERR_VOUCHER_TRAILING,  /* more bytes than the layout */
	ERR_BAD_SIGNATURE,
	ERR_UNKNOWN_KEY,
	ERR_KEY_RETIRED,
	ERR_KEY_TOO_NEW, /* a key valid only after the voucher's period */
	ERR_WRONG_ISSUER,
	ERR_NOT_YET_VALID,
	ERR_EXPIRED,
	ERR_REVOKED,
	ERR_NOT_VALID_HERE,
	ERR_ALREADY_SPENT,
	ERR_INSUFFICIENT_BALANCE,
	ERR_REQUEST_CONFLICT,
	ERR_VOID_TOO_LATE,    /* a void after the local day of the redemption */
	ERR_OFFLINE_CONFLICT, /* an offline sale that could not be: recorded, never paid */
	ERR_MALFORMED_CODE,   /* not a short code as printed, or one with a typo */
	ERR_UNKNOWN_CODE,     /* a well-formed short code no loaded manifest holds */
	ERR_TOO_LARGE,
	ERR_TOO_MANY,       /* too many failed terminal logins from one address */
	ERR_TOO_MANY_CODES, /* too many unknown short codes from one terminal */
	ERR_UNAVAILABLE,

	/* Local failures, for CLIs and logs. One that reaches HTTP answers as
	 * err.c's table says: ERR_INVALID and ERR_OVERFLOW 400, ERR_EXISTS 409,
	 * ERR_NOMEM 503 (nothing done, try later), the others 500. */
	ERR_INVALID,  /* bad input to a command or a file */
	ERR_EXISTS,   /* would overwrite something that must stay */
	ERR_OVERFLOW, /* arithmetic out of range */
	ERR_IO,
	ERR_NOMEM,
	ERR_CRYPTO,
	ERR_DB,
	ERR_INSECURE, /* a private key readable by group or others */
	ERR_ARCHIVED, /* a redeemer's period moved to its archive file */
	ERR_INTERNAL,

	ERR__COUNT
} err;

/* Human sentence for e; never NULL. */
const char *err_str(err e);

/* Stable code of DESIGN.md ("malformed_voucher", ...); never NULL. */
const char *err_code(err e);

/* HTTP status the redeemer answers e with (200 for ERR_OK). */
int err_http_status(err e);

#endif
