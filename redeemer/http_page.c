/* GET /: the merchant's scanner page, built into the binary. */
#include <event2/buffer.h>
#include <event2/http.h>

#include "server.h"

extern const unsigned char page_index[];
extern const unsigned int page_index_len;

void http_page(struct evhttp_request *req, void *arg)
{
	server *sv = arg;
	struct evbuffer *b;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	conn_seen(sv, req);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		reply_error(sv, req, ERR_METHOD, "use GET");
		return;
	}
	if (!(b = evbuffer_new())) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return;
	}
	evbuffer_add_reference(b, page_index, page_index_len, NULL, NULL);
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(h, "Content-Security-Policy",
			  "default-src 'self'; script-src 'self' 'unsafe-inline'; "
			  "style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; "
			  "media-src 'self' blob:; connect-src 'self'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	sv->by_status[200]++;
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}
