/*
 * libFuzzer: the body of POST /v1/redeem, through http_redeem itself, as
 * a terminal sends it online and as the scanner page uploads a sale it
 * made offline (the same request with "offline_at", one per sale, oldest
 * first: there is no batch upload).
 *
 * The JSON is read inside the endpoint (there is no separate parser), so
 * each input is the body of a request from the fixture's terminal, built
 * with libevent's own calls and handed to http_redeem as evhttp would
 * (service_fixture.h, which also says what may reach the store). The seeds
 * carry vouchers of the fixture's key for 2026-12; the terminal's gallery
 * has offline limits of its own (a sale of at most Rp 50.000, uploaded
 * within a day).
 */
#include "service_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evhttp_request *req;

	if (!sv.st)
		init();
	if (!(req = evhttp_request_new(NULL, NULL)))
		return 0;
	req->type = EVHTTP_REQ_POST;
	if (evhttp_add_header(evhttp_request_get_input_headers(req), "Authorization", bearer) !=
	        0 ||
	    evbuffer_add(evhttp_request_get_input_buffer(req), data, size) != 0)
		abort();
	fixture_serve(req, http_redeem);
	return 0;
}
