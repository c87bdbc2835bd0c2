/* Replies of the redeemer: JSON bodies, errors, authentication, bodies (http.h). */
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "http.h"
#include "log.h"

int64_t service_now(const service *sv)
{
	return sv->clock ? sv->clock : (int64_t)time(NULL);
}

static void count(service *sv, int status)
{
	if (status >= 100 && status < 600)
		sv->m.by_status[status]++;
}

void reply_json(service *sv, struct evhttp_request *req, int status, json_t *o)
{
	struct evbuffer *buf = evbuffer_new();
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	if (buf && s) {
		evbuffer_add(buf, s, strlen(s));
		evbuffer_add(buf, "\n", 1);
	} else {
		status = 500;
	}
	count(sv, status);
	evhttp_send_reply(req, status, status == 500 ? "Internal Server Error" : NULL, buf);
	free(s);
	if (buf)
		evbuffer_free(buf);
}

void reply_error(service *sv, struct evhttp_request *req, err e, const char *detail)
{
	reply_json(
	    sv, req, err_http_status(e),
	    json_pack("{s:s, s:s}", "error", err_code(e), "message", detail ? detail : err_str(e)));
}

/* The failed-login record of req's client address (a slot by hash; a
 * colliding address takes the slot over, which only forgets). */
static auth_slot *auth_slot_of(service *sv, struct evhttp_request *req, int64_t now)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	const char *addr = "?";
	ev_uint16_t port;
	uint32_t h = 2166136261u;
	auth_slot *s;

	if (c)
		evhttp_connection_get_peer(c, (char **)&addr, &port);
	for (const char *p = addr; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	s = &sv->auth[h % AUTH_SLOTS];
	if (strcmp(s->addr, addr) != 0 || now - s->since >= AUTH_WINDOW) {
		snprintf(s->addr, sizeof s->addr, "%s", addr);
		s->since = now;
		s->fails = 0;
	}
	return s;
}

bool method_or_reply(service *sv, struct evhttp_request *req, int methods)
{
	static const struct {
		int method;
		const char *name;
	} names[] = {{EVHTTP_REQ_GET, "GET"}, {EVHTTP_REQ_HEAD, "HEAD"}, {EVHTTP_REQ_POST, "POST"}};
	char allow[16] = "";

	if (evhttp_request_get_command(req) & methods)
		return true;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (methods & names[i].method)
			snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
			         allow[0] ? ", " : "", names[i].name);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
	reply_error(sv, req, ERR_METHOD, methods & EVHTTP_REQ_POST ? "use POST" : "use GET");
	return false;
}

bool terminal_or_reply(service *sv, struct evhttp_request *req, terminal *t)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	auth_slot *slot;
	err e;

	if (!h || strncmp(h, "Bearer ", 7) != 0) {
		reply_error(sv, req, ERR_UNAUTHORIZED, "send Authorization: Bearer TERMINAL_TOKEN");
		return false;
	}
	h += 7;
	if ((e = store_terminal_auth(sv->st, h, strlen(h), t)) == ERR_OK)
		return true;
	if (e != ERR_UNAUTHORIZED) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return false;
	}
	/* Guessing tokens from one address: after AUTH_FAILS_MAX misses, its
	 * misses are 429 until the window ends. */
	slot = auth_slot_of(sv, req, time(NULL));
	if (slot->fails >= AUTH_FAILS_MAX) {
		reply_error(sv, req, ERR_TOO_MANY, NULL);
		return false;
	}
	if (++slot->fails == AUTH_FAILS_MAX)
		LOG(LOGL_WARN, "too many failed terminal logins from %s; misses refused for %d s",
		    slot->addr, AUTH_WINDOW);
	reply_error(sv, req, ERR_UNAUTHORIZED, NULL);
	return false;
}

bool body_or_reply(service *sv, struct evhttp_request *req, char *buf, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);

	if (n > BODY_MAX) {
		reply_error(sv, req, ERR_TOO_LARGE, "the body may be at most 8192 bytes");
		return false;
	}
	if (evbuffer_copyout(in, buf, n) != (ev_ssize_t)n) {
		reply_error(sv, req, ERR_MALFORMED_REQUEST, NULL);
		return false;
	}
	buf[n] = '\0';
	*len = n;
	return true;
}
