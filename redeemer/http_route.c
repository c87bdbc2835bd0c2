/*
 * The paths that carry a value: /v1/vouchers/SERIAL and
 * /v1/redemptions/ID/void; any other path is the scanner page's (or 404).
 * The path is as the client sent it: no percent-decoding, so an ID with a
 * '/' in it is no ID (none the redeemer makes has one).
 */
#include <string.h>

#include <event2/http.h>

#include "http.h"

void http_route(struct evhttp_request *req, service *sv)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	char rid[RID_MAX + 1];

	if (path && strncmp(path, "/v1/vouchers/", 13) == 0) {
		http_voucher(req, sv, path + 13);
		return;
	}
	if (path && strncmp(path, "/v1/redemptions/", 16) == 0) {
		const char *id = path + 16, *slash = strchr(id, '/');
		size_t n = slash ? (size_t)(slash - id) : 0;

		if (slash && strcmp(slash, "/void") == 0 && n > 0 && n <= RID_MAX) {
			memcpy(rid, id, n);
			rid[n] = '\0';
			http_void(req, sv, rid);
			return;
		}
		reply_error(sv, req, ERR_NOT_FOUND, "no such resource");
		return;
	}
	http_page(req, sv);
}
