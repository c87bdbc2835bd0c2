/*
 * Every request's path: the endpoints of fixed paths, then the paths that
 * carry a value (/v1/vouchers/SERIAL and /v1/redemptions/ID/void), then the
 * scanner page's files (or 404). The path is as the client sent it, without
 * its query and not percent-decoded: an ID with a '/' in it is no ID (none
 * the redeemer makes has one), and "/v1/re%64eem" is no endpoint. An
 * endpoint is reached only with a method it takes (else 405, before
 * anything else is looked at); the page checks its own, once it has found
 * the file.
 */
#include <string.h>

#include <event2/http.h>

#include "http.h"

#define GET  EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define HEAD EVHTTP_REQ_HEAD

static const struct endpoint {
	const char *path;
	int methods; /* enum evhttp_cmd_type, or'ed */
	void (*serve)(struct evhttp_request *req, service *sv);
} endpoints[] = {
    {"/v1/redeem", POST, http_redeem},
    {"/v1/codes", POST, http_codes},
    {"/v1/offline/state", GET, http_offline_state},
    {"/v1/offline/codes", GET, http_offline_codes},
    {"/v1/journal/head", GET | HEAD, http_journal_head},
    {"/healthz", GET | HEAD | POST, http_healthz},
    {"/metrics", GET | HEAD | POST, http_metrics},
};

void http_route(struct evhttp_request *req, service *sv)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	char rid[RID_MAX + 1];

	if (!path) {
		http_page(req, sv); /* 404 */
		return;
	}
	for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++)
		if (strcmp(path, endpoints[i].path) == 0) {
			if (method_or_reply(sv, req, endpoints[i].methods))
				endpoints[i].serve(req, sv);
			return;
		}
	if (strncmp(path, "/v1/vouchers/", 13) == 0) {
		if (method_or_reply(sv, req, GET))
			http_voucher(req, sv, path + 13);
		return;
	}
	if (strncmp(path, "/v1/redemptions/", 16) == 0) {
		const char *id = path + 16, *slash = strchr(id, '/');
		size_t n = slash ? (size_t)(slash - id) : 0;

		if (slash && strcmp(slash, "/void") == 0 && n > 0 && n <= RID_MAX) {
			memcpy(rid, id, n);
			rid[n] = '\0';
			if (method_or_reply(sv, req, POST))
				http_void(req, sv, rid);
			return;
		}
		reply_error(sv, req, ERR_NOT_FOUND, "no such resource");
		return;
	}
	http_page(req, sv);
}
