/*
 * libFuzzer: any request, through http_route itself, to whichever endpoint
 * its path names: the fixed paths (a redemption, a typed code, the offline
 * state and codes, the journal's head with its period, health, metrics),
 * GET /v1/vouchers/SERIAL[?voucher=TOKEN] (a voucher's status, with its
 * token checked when given), POST /v1/redemptions/ID/void (the ID comes
 * from the path), and the scanner page's files; with any method, and the
 * terminal's token, none, or one of the input's. (fuzz_request goes deeper
 * into a redemption's body.)
 *
 * An input is a byte of choices (the method: its low three bits; the
 * Authorization header: the next two, 0 the fixture terminal's token, 1
 * none, 2 the input's second line as it is, 3 "Bearer " and that line),
 * then the request's target up to a newline, then (with 2 and 3) the
 * header's line, then the body. The target is parsed as evhttp parses a
 * request line's (EVHTTP_URI_NONCONFORMANT); one it refuses never reaches
 * the redeemer (evhttp answers 400), so it is not tried. The rest is the
 * fixture's (service_fixture.h): the store holds no voucher, and the writer
 * stand-in knows one redemption, VOID_KNOWN; and a code manifest of three
 * vouchers (codes_init).
 *
 * Invariants, beyond the fixture's (one reply, never a 5xx, only the
 * fixture's terminal's sales and voids reach the store): a void reaches the
 * store exactly when the request is a POST with the terminal's token to
 * /v1/redemptions/ID/void, ID 1..RID_MAX bytes without a '/', and for that
 * ID; a voucher's status is a 2xx only for a GET whose token verifies and
 * is the path's serial (the store has seen no voucher); a typed code is
 * found (200) exactly for a POST with the terminal's token to /v1/codes
 * whose body's "code" is, once read as a cashier may type it, one the
 * manifest holds. (Each input starts with no unknown codes counted against
 * the terminal, so none waits for the limit; e2e_codes.sh tests the limit.)
 */
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "service_fixture.h"
#include "shortcode.h"

static const enum evhttp_cmd_type methods[8] = {
    EVHTTP_REQ_GET,    EVHTTP_REQ_POST,  EVHTTP_REQ_HEAD,    EVHTTP_REQ_PUT,
    EVHTTP_REQ_DELETE, EVHTTP_REQ_PATCH, EVHTTP_REQ_OPTIONS, EVHTTP_REQ_GET,
};

/*
 * The code manifest: two vouchers of docs/FORMAT.md's short-code vectors and
 * the redeem seed's, sealed under their codes as issuer/codes.c seals them,
 * but with one PBKDF2 iteration where the issuer runs 20,000, so that a
 * typed code costs microseconds: what a lookup finds is fuzzed here, not
 * what a guess costs. (The vectors' third voucher, HC36-5ETN-DF47, is left
 * out: a well-formed code no manifest holds.)
 */
static const char *const coded[] = {
    "UV1:W50VDLWG8/I6G-9L60$Y88IHO1Q8D30OD0VL0PD00G200SF9000000J$NFZCI77LUGWYLXKUE:5V AW40-"
    "0DAH0OE3C:J%/8WYD3NF*-NY%JX1OSE8*5VG*LSOS+JF+9NP:4J/5KYFGH1IQNF4GPXA",
    "UV1:W50VDLWG8/I6G-90000000001008D30OD06I3PD.U0FGWFGW000000U6DV:S$L4Y TT$HXKRU$NP-K.OVPKR:/"
    "RY-7J 0KLRI8NGEOO1S%Q2XIBI8U7A5 K9SXVX76.$UU0VCU3SG8.XD.S4*I7OBB",
    "UV1:W50VDLWG8/I6G-9L60$Y88IHO1Q8D30OD0VL0PD00G100*0H000000FHE.*0:ZBXUR K5*26MOD+NJWBI7CC:"
    "AFGUU%V5FSB+2S/%J%4S/U5AP7/-8*MEXKU.7W J8YBK$$NL0PSMP.U2:U1U-F8KH",
};
#define CODED (sizeof coded / sizeof coded[0])
static char codes[CODED][SHORTCODE_LEN + 1];
static manifest book;

static int by_lookup(const void *a, const void *b)
{
	return memcmp(((const manifest_entry *)a)->lookup, ((const manifest_entry *)b)->lookup,
	              SHORTCODE_LOOKUP_LEN);
}

static void codes_init(void)
{
	book.per = (period){2026, 12};
	book.iterations = 1;
	book.n = CODED;
	if (!(book.entries = calloc(CODED, sizeof *book.entries)) ||
	    !(sv.code_fails = calloc(CODE_SLOTS, sizeof *sv.code_fails)))
		abort();
	for (size_t i = 0; i < CODED; i++) {
		manifest_entry *e = &book.entries[i];
		uint8_t token[VOUCHER_LEN], key[SHORTCODE_KEY_LEN];
		voucher v;

		if (voucher_decode(coded[i], strlen(coded[i]), &v) != ERR_OK ||
		    v.year != book.per.year || v.month != book.per.month)
			abort();
		voucher_pack(&v, token);
		shortcode_of(token, codes[i]);
		if (shortcode_derive(codes[i], book.salt, book.iterations, e->lookup, key) !=
		        ERR_OK ||
		    shortcode_seal(key, token, e->sealed) != ERR_OK)
			abort();
		e->serial = v.serial;
		memcpy(e->gallery_tag, v.gallery_tag, TAG_LEN);
	}
	qsort(book.entries, book.n, sizeof *book.entries, by_lookup);
	sv.codes = (codebook){.m = &book, .n = 1};
}

/* Whether a body's "code" is one the manifest holds, as typed (written
 * apart from http_codes, with the same JSON reader). */
static bool code_known(const uint8_t *body, size_t n)
{
	json_t *j = json_loadb((const char *)body, n, JSON_REJECT_DUPLICATES, NULL);
	json_t *c = json_object_get(j, "code");
	char code[SHORTCODE_LEN + 1];
	bool known = false;

	if (json_is_string(c) &&
	    shortcode_parse(json_string_value(c), json_string_length(c), code) == ERR_OK)
		for (size_t i = 0; i < CODED && !known; i++)
			known = strcmp(code, codes[i]) == 0;
	json_decref(j);
	return known;
}

/* The next line of *data (to a newline or the end), as a new string; NULL
 * when it holds a NUL, as no request line or header can. */
static char *line_of(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *s = memchr(*data, '\0', n) ? NULL : strndup((const char *)*data, n);

	*data += n + (nl != NULL);
	*size -= n + (nl != NULL);
	return s;
}

/* The void this request must reach the store as, by the rules above
 * (written apart from http_route's): its ID in rid, or false. */
static bool void_of(enum evhttp_cmd_type m, bool good_token, const char *path, char *rid)
{
	static const char pre[] = "/v1/redemptions/", suf[] = "/void";
	size_t n = path ? strlen(path) : 0, id = n - (sizeof pre - 1) - (sizeof suf - 1);

	if (m != EVHTTP_REQ_POST || !good_token || n < sizeof pre + sizeof suf - 1 ||
	    memcmp(path, pre, sizeof pre - 1) != 0 ||
	    strcmp(path + n - (sizeof suf - 1), suf) != 0 || id > RID_MAX ||
	    memchr(path + sizeof pre - 1, '/', id))
		return false;
	memcpy(rid, path + sizeof pre - 1, id);
	rid[id] = '\0';
	return true;
}

/* Whether GET /v1/vouchers/SERIAL?voucher=TOKEN names a voucher that
 * verifies and has that serial (serial_text: what follows the prefix). */
static bool voucher_ok(const struct evhttp_uri *uri, const char *serial_text)
{
	const char *query = evhttp_uri_get_query(uri), *text;
	struct evkeyvalq params = {0};
	uint64_t serial;
	voucher v;
	bool ok = false;

	if (voucher_serial_parse(serial_text, &serial) != ERR_OK || !query ||
	    evhttp_parse_query_str(query, &params) != 0)
		return false;
	if ((text = evhttp_find_header(&params, "voucher")))
		ok = voucher_decode(text, strlen(text), &v) == ERR_OK &&
		     voucher_verify(&v, sv.kr, NULL) == ERR_OK && v.serial == serial;
	evhttp_clear_headers(&params);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evhttp_request *req;
	struct evhttp_uri *uri;
	enum evhttp_cmd_type m;
	char *target, *line = NULL, *header = NULL, rid[RID_MAX + 1];
	const char *path;
	unsigned auth;
	bool good_token, must_void, may_2xx, status, codes_path, must_find;
	uint64_t voids_before, ok_before;

	if (!sv.st) {
		init();
		codes_init();
	}
	if (size < 1)
		return 0;
	memset(sv.code_fails, 0, CODE_SLOTS * sizeof *sv.code_fails); /* no input waits (429) */
	voids_before = voids;
	ok_before = replies(200, 300);
	m = methods[data[0] & 7];
	auth = (data[0] >> 3) & 3;
	data++, size--;
	if (!(target = line_of(&data, &size)))
		return 0;
	if (auth >= 2 && !(line = line_of(&data, &size)))
		goto out;
	if (auth == 0 || auth == 3) {
		const char *token = auth ? line : bearer + 7;

		if (!(header = malloc(strlen(token) + 8)))
			abort();
		strcpy(stpcpy(header, "Bearer "), token);
	} else if (auth == 2) {
		header = line; /* as it is */
		line = NULL;
	}
	if (!(uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT)))
		goto out;
	if (!(req = evhttp_request_new(NULL, NULL)))
		abort();
	req->type = m;
	req->uri = target; /* req's now, as uri is */
	req->uri_elems = uri;
	target = NULL;
	if (header && evhttp_add_header(evhttp_request_get_input_headers(req), "Authorization",
	                                header) != 0) {
		/* a CR in the line: evhttp would not have read such a header */
		evhttp_request_free(req);
		goto out;
	}
	if (evbuffer_add(evhttp_request_get_input_buffer(req), data, size) != 0)
		abort();
	path = evhttp_uri_get_path(uri);
	good_token = header && strcmp(header, bearer) == 0;
	must_void = void_of(m, good_token, path, rid);
	status = path && strncmp(path, "/v1/vouchers/", 13) == 0;
	may_2xx = status && m == EVHTTP_REQ_GET && voucher_ok(uri, path + 13);
	codes_path = path && strcmp(path, "/v1/codes") == 0;
	must_find = codes_path && m == EVHTTP_REQ_POST && good_token && size <= BODY_MAX &&
	            code_known(data, size);
	void_expected = must_void ? rid : NULL;
	code_expected = must_find;
	fixture_serve(req, http_route); /* frees req, uri and path with it */
	void_expected = NULL;
	code_expected = false;
	if (voids != voids_before + must_void ||
	    (status && !may_2xx && replies(200, 300) != ok_before) ||
	    (codes_path && replies(200, 300) != ok_before + must_find))
		__builtin_trap();
out:
	free(target);
	free(line);
	free(header);
	return 0;
}
