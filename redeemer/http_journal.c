/*
 * GET /v1/journal/head[?period=YYYY-MM]: the journal's head as it stands,
 * signed by the receipt key, for the finance office to pin (by default the
 * period of today in the service's time zone). Any later export must
 * extend every head pinned: `voucher-issuer reconcile --head` checks it.
 */
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http.h"

void http_journal_head(struct evhttp_request *req, service *sv)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL, *asked = NULL;
	struct evkeyvalq params = {0};
	char text[JOURNAL_HEAD_MAX + 1], per[8];
	int64_t now = service_now(sv);
	journal_head h;
	const char *why;
	size_t body;
	period p;
	err e;

	if (query && evhttp_parse_query_str(query, &params) == 0)
		asked = evhttp_find_header(&params, "period");
	if (asked ? period_parse(asked, &p) != ERR_OK : query && *query && !asked) {
		evhttp_clear_headers(&params);
		reply_error(sv, req, ERR_MALFORMED_REQUEST, "period must be YYYY-MM");
		return;
	}
	evhttp_clear_headers(&params);
	if (!asked) {
		date d = date_at(now, sv->tz);
		p = (period){d.year, d.month};
	}
	if ((e = store_journal_head(sv->st, p, now, text)) != ERR_OK ||
	    !journal_head_parse(text, strlen(text), &h, &body, &why)) {
		reply_error(sv, req, e == ERR_OK ? ERR_INTERNAL : ERR_UNAVAILABLE, NULL);
		return;
	}
	period_format(p, per, sizeof per);
	reply_json(sv, req, 200,
	           json_pack("{s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:s, s:s}", "period", per,
	                     "first", (json_int_t)h.first, "last", (json_int_t)h.last, "count",
	                     (json_int_t)h.count, "last_hash", h.last_hash, "redeemed",
	                     (json_int_t)h.redeemed, "voided", (json_int_t)h.voided, "kid", h.kid,
	                     "head", text));
}
