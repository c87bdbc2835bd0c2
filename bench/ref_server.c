/*
 * The reference for redemption over HTTP (issue 7): a minimal evhttp server
 * on one event loop thread doing one Ed25519 verify per POST, and no
 * database. POST /v1/redeem with the redeemer's JSON body: it reads the
 * body, pulls "voucher" out with jansson, decodes and verifies it against
 * the keyring (common/voucher.h, as the redeemer does), checks its validity
 * window, and answers 201 {"serial", "amount"}; anything else is 4xx. The
 * Authorization header is not checked.
 *
 *   ref_server --keyring FILE --listen HOST:PORT
 *
 * Prints "listening on HOST:PORT" (the port it got for port 0) on stdout
 * and serves until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "keyring.h"
#include "voucher.h"

static keyring *kr;

static void reply(struct evhttp_request *req, int code, const char *reason, const char *body)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, body, strlen(body));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "application/json");
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void redeem(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char body[8193], out[128], serial[VOUCHER_SERIAL_LEN + 1];
	size_t len = evbuffer_get_length(in);
	json_t *j, *jv, *ja;
	voucher v;

	(void)arg;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST || len >= sizeof body) {
		reply(req, 400, "Bad Request", "{\"error\": \"malformed_request\"}");
		return;
	}
	evbuffer_remove(in, body, len);
	j = json_loadb(body, len, 0, NULL);
	jv = json_object_get(j, "voucher");
	ja = json_object_get(j, "amount");
	if (!json_is_string(jv) || !json_is_integer(ja)) {
		reply(req, 400, "Bad Request", "{\"error\": \"malformed_request\"}");
	} else if (voucher_decode(json_string_value(jv), json_string_length(jv), &v) != ERR_OK ||
	           voucher_verify(&v, kr, NULL) != ERR_OK ||
	           voucher_check_time(&v, time(NULL)) != ERR_OK) {
		reply(req, 422, "Unprocessable Entity", "{\"error\": \"bad_signature\"}");
	} else {
		voucher_serial_format(v.serial, serial);
		snprintf(out, sizeof out, "{\"serial\": \"%s\", \"amount\": %lld}", serial,
		         (long long)json_integer_value(ja));
		reply(req, 201, "Created", out);
	}
	json_decref(j);
}

static void other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	reply(req, 404, "Not Found", "{\"error\": \"not_found\"}");
}

static void stop(evutil_socket_t sig, short what, void *base)
{
	(void)sig;
	(void)what;
	event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
	const char *ring = NULL, *listen = NULL;
	char why[512], host[256], shown[INET_ADDRSTRLEN];
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *term, *intr;
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	const char *colon;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--keyring") == 0)
			ring = argv[i + 1];
		else if (strcmp(argv[i], "--listen") == 0)
			listen = argv[i + 1];
	}
	if (!ring || !listen || !(colon = strrchr(listen, ':')) ||
	    (size_t)(colon - listen) >= sizeof host) {
		fprintf(stderr, "usage: ref_server --keyring FILE --listen HOST:PORT\n");
		return 2;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (keyring_load(ring, &kr, why, sizeof why) != ERR_OK) {
		fprintf(stderr, "ref_server: %s\n", why);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_max_body_size(http, 8192);
	evhttp_set_timeout(http, 10);
	evhttp_set_cb(http, "/v1/redeem", redeem, NULL);
	evhttp_set_gencb(http, other, NULL);
	if (!(bound = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)atoi(colon + 1))) ||
	    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sa, &sl) != 0 ||
	    sa.sin_family != AF_INET) {
		fprintf(stderr, "ref_server: cannot listen on %s (IPv4 only)\n", listen);
		return 1;
	}
	inet_ntop(AF_INET, &sa.sin_addr, shown, sizeof shown);
	printf("listening on %s:%d\n", shown, ntohs(sa.sin_port));
	fflush(stdout);
	term = evsignal_new(base, SIGTERM, stop, base);
	intr = evsignal_new(base, SIGINT, stop, base);
	evsignal_add(term, NULL);
	evsignal_add(intr, NULL);
	event_base_dispatch(base);
	event_free(term);
	event_free(intr);
	evhttp_free(http);
	event_base_free(base);
	keyring_free(kr);
	return 0;
}
