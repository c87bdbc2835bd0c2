/*
 * The merchant's scanner page and the files it needs, built into the binary
 * (redeemer/page/, embedded by scripts/embed.sh): nothing is fetched from
 * anywhere but this service.
 */
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "http.h"

extern const unsigned char page_index[], page_app[], page_voucher[], page_noble[], page_offline[],
    page_sw[], page_manifest[], page_icon[], page_scanner[], page_zxing[], page_zxing_wasm[],
    page_zxing_license[], page_noble_ed25519[], page_noble_license[];
extern const unsigned int page_index_len, page_app_len, page_voucher_len, page_noble_len,
    page_offline_len, page_sw_len, page_manifest_len, page_icon_len, page_scanner_len,
    page_zxing_len, page_zxing_wasm_len, page_zxing_license_len, page_noble_ed25519_len,
    page_noble_license_len;

static const struct asset {
	const char *path, *type;
	const unsigned char *data;
	const unsigned int *len;
} assets[] = {
    {"/", "text/html; charset=utf-8", page_index, &page_index_len},
    {"/app.js", "text/javascript; charset=utf-8", page_app, &page_app_len},
    {"/voucher.js", "text/javascript; charset=utf-8", page_voucher, &page_voucher_len},
    {"/offline.js", "text/javascript; charset=utf-8", page_offline, &page_offline_len},
    {"/sw.js", "text/javascript; charset=utf-8", page_sw, &page_sw_len},
    {"/manifest.webmanifest", "application/manifest+json", page_manifest, &page_manifest_len},
    {"/icon.svg", "image/svg+xml", page_icon, &page_icon_len},
    {"/noble.mjs", "text/javascript; charset=utf-8", page_noble, &page_noble_len},
    {"/noble-ed25519.mjs", "text/javascript; charset=utf-8", page_noble_ed25519,
     &page_noble_ed25519_len},
    {"/licenses/noble-ed25519.txt", "text/plain; charset=utf-8", page_noble_license,
     &page_noble_license_len},
    {"/scanner.js", "text/javascript; charset=utf-8", page_scanner, &page_scanner_len},
    {"/zxing-reader.js", "text/javascript; charset=utf-8", page_zxing, &page_zxing_len},
    {"/zxing_reader.wasm", "application/wasm", page_zxing_wasm, &page_zxing_wasm_len},
    {"/licenses/zxing-wasm.txt", "text/plain; charset=utf-8", page_zxing_license,
     &page_zxing_license_len},
};

static void serve_asset(struct evhttp_request *req, service *sv, const struct asset *a)
{
	struct evbuffer *b;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (!method_or_reply(sv, req, EVHTTP_REQ_GET))
		return;
	if (!(b = evbuffer_new())) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return;
	}
	evbuffer_add_reference(b, a->data, *a->len, NULL, NULL);
	evhttp_add_header(h, "Content-Type", a->type);
	/* The page may talk to this service only, and run only its own code
	 * (and compile its own WebAssembly: the QR decoder). */
	evhttp_add_header(h, "Content-Security-Policy",
	                  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
	                  "style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; "
	                  "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	sv->m.by_status[200]++;
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

void http_page(struct evhttp_request *req, service *sv)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
		if (path && strcmp(path, assets[i].path) == 0) {
			serve_asset(req, sv, &assets[i]);
			return;
		}
	reply_error(sv, req, ERR_NOT_FOUND, "no such resource");
}
