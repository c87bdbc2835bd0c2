/*
 * GET /v1/vouchers/SERIAL[?voucher=TOKEN]: what the redeemer knows of a
 * voucher. With the token (URL-encoded), a voucher never presented before
 * is described too, after its signature is checked.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http.h"

static const char *status_of(service *sv, uint64_t serial, const key_entry *k, int64_t face,
                             int64_t remaining, uint32_t valid_from, uint32_t valid_until,
                             int64_t now)
{
	if (sv->have_rl &&
	    (revlist_has(&sv->rl, serial) || (k && !revlist_allows(&sv->rl, k->kid, serial))))
		return "revoked";
	if (remaining == 0)
		return "spent";
	if (valid_until && now >= valid_until)
		return "expired";
	if (valid_until && now < valid_from)
		return "not_yet_valid";
	return remaining == face ? "unused" : "partially_spent";
}

void http_voucher(struct evhttp_request *req, service *sv, const char *rest)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq params = {0};
	const char *text = NULL;
	char serial_text[VOUCHER_SERIAL_LEN + 1], day_from[11], day_until[11], per[8];
	uint64_t serial;
	vstate st;
	voucher v = {0};
	const key_entry *k = NULL;
	bool known;
	int64_t now = service_now(sv);
	err e;

	if (voucher_serial_parse(rest, &serial) != ERR_OK) {
		reply_error(sv, req, ERR_NOT_FOUND, "no such voucher");
		return;
	}
	if (query && evhttp_parse_query_str(query, &params) == 0)
		text = evhttp_find_header(&params, "voucher");
	if (text) {
		e = voucher_decode(text, strlen(text), &v);
		if (e == ERR_OK)
			e = voucher_verify(&v, sv->kr, &k);
		if (e == ERR_OK && v.serial != serial)
			e = ERR_MALFORMED_VOUCHER;
		if (e != ERR_OK) {
			evhttp_clear_headers(&params);
			reply_error(sv, req, e, NULL);
			return;
		}
	}
	evhttp_clear_headers(&params);
	e = store_voucher_get(sv->st, serial, &st);
	known = e == ERR_OK;
	if (e != ERR_OK && e != ERR_NOT_FOUND) {
		reply_error(sv, req, e, NULL);
		return;
	}
	if (!known && !text) {
		reply_error(sv, req, ERR_NOT_FOUND, "this voucher has not been presented here yet");
		return;
	}
	if (!known) {
		st.face_value = v.face_value;
		st.remaining = v.face_value;
		st.multi = v.flags & VOUCHER_FLAG_MULTI;
		st.valid_from = v.valid_from;
		st.valid_until = v.valid_until;
		st.year = v.year;
		st.month = v.month;
	}
	voucher_serial_format(serial, serial_text);
	period_format((period){st.year, st.month}, per, sizeof per);
	{
		/* The last valid day, in the gallery's zone. */
		date a = date_at(st.valid_from, sv->tz), b = date_at(st.valid_until - 1, sv->tz);
		date_format(a, day_from, sizeof day_from);
		date_format(b, day_until, sizeof day_until);
	}
	reply_json(sv, req, 200,
	           json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "serial",
	                     serial_text, "face_value", (json_int_t)st.face_value, "remaining",
	                     (json_int_t)st.remaining, "status",
	                     status_of(sv, serial, k, st.face_value, st.remaining, st.valid_from,
	                               st.valid_until, now),
	                     "use", st.multi ? "multi" : "single", "period", per, "valid_from",
	                     (json_int_t)st.valid_from, "valid_until", (json_int_t)st.valid_until,
	                     "first_day", day_from, "last_day", day_until));
}
