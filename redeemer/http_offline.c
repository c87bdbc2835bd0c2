/*
 * Offline selling (offline.h): GET /v1/offline/state, what the scanner
 * page keeps to decide while its link is down, and the judgement of an
 * offline sale when it is uploaded (http_redeem.c).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "b64url.h"
#include "bytes.h"
#include "http.h"

const offline_limits *offline_limits_of(const offline_config *c, const char *gallery)
{
	for (size_t i = 0; i < c->ngalleries; i++)
		if (strcmp(c->galleries[i].gallery, gallery) == 0)
			return &c->galleries[i].l;
	return &c->dflt;
}

/* The issuer keys of kr as keyring lines (docs/FORMAT.md), one string. */
static json_t *issuer_keys(const keyring *kr)
{
	size_t n = keyring_count(kr), len = 0;
	char *text = malloc(n * 256 + 1), line[256];
	json_t *j;

	if (!text)
		return NULL;
	text[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const key_entry *k = keyring_at(kr, i);
		size_t m;
		if (k->role != KEY_ISSUER || !(m = keyring_format_line(k, line, sizeof line)))
			continue;
		memcpy(text + len, line, m + 1);
		len += m;
	}
	j = json_stringn(text, len);
	free(text);
	return j;
}

/* What /v1/offline/codes would answer now, as hex (null: no manifest):
 * the page fetches the codes again when it changes. */
static json_t *codes_version(const service *sv)
{
	char hex[2 * sizeof sv->codes.version + 1];

	if (!sv->codes.n)
		return json_null();
	hex_encode(sv->codes.version, sizeof sv->codes.version, hex);
	return json_string(hex);
}

/* The "LOOKUP SEALED" lines of m's entries that a terminal of gallery tag
 * g may redeem: its gallery's and any gallery's. */
static json_t *gallery_codes(const manifest *m, const uint8_t g[TAG_LEN])
{
	static const uint8_t any[TAG_LEN];
	enum { LINE = B64URL_LEN(SHORTCODE_LOOKUP_LEN) + 1 + B64URL_LEN(SHORTCODE_SEALED_LEN) + 1 };
	char *text = malloc(m->n * LINE + 1);
	size_t len = 0;
	json_t *j;

	if (!text)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		const manifest_entry *e = &m->entries[i];
		if (memcmp(e->gallery_tag, any, TAG_LEN) && memcmp(e->gallery_tag, g, TAG_LEN))
			continue;
		len += b64url_encode(e->lookup, sizeof e->lookup, text + len);
		text[len++] = ' ';
		len += b64url_encode(e->sealed, sizeof e->sealed, text + len);
		text[len++] = '\n';
	}
	j = json_stringn(text, len);
	free(text);
	return j;
}

void http_offline_codes(struct evhttp_request *req, service *sv)
{
	char salt[B64URL_LEN(SHORTCODE_SALT_LEN) + 1], per[8];
	terminal t;
	json_t *o, *list;

	if (!terminal_or_reply(sv, req, &t))
		return;
	/* The loop alone replaces the manifests: no lock here. */
	o = json_pack("{s:o, s:[]}", "version", codes_version(sv), "manifests");
	list = o ? json_object_get(o, "manifests") : NULL;
	for (size_t i = 0; list && i < sv->codes.n; i++) {
		const manifest *m = &sv->codes.m[i];
		b64url_encode(m->salt, sizeof m->salt, salt);
		period_format(m->per, per, sizeof per);
		if (json_array_append_new(
		        list, json_pack("{s:s, s:s, s:s, s:I, s:o}", "issuer", m->issuer, "period",
		                        per, "salt", salt, "iterations", (json_int_t)m->iterations,
		                        "codes", gallery_codes(m, t.gallery_tag))))
			list = NULL;
	}
	if (!list) {
		json_decref(o);
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	reply_json(sv, req, 200, o);
}

void http_offline_state(struct evhttp_request *req, service *sv)
{
	const offline_limits *l;
	terminal t;
	json_t *o;

	if (!terminal_or_reply(sv, req, &t))
		return;
	l = offline_limits_of(&sv->offline, t.gallery);
	/* The loop alone replaces the keyring and the list: no lock here. */
	o = json_pack("{s:I, s:{s:I, s:s, s:s}, s:{s:I, s:I, s:I}, s:o, s:o, s:o}", "time",
	              (json_int_t)service_now(sv), "terminal", "id", (json_int_t)t.id, "merchant",
	              t.merchant, "gallery", t.gallery, "limits", "sale_max",
	              (json_int_t)l->sale_max, "device_max", (json_int_t)l->device_max,
	              "session_seconds", (json_int_t)l->session_seconds, "keyring",
	              issuer_keys(sv->kr), "revocations",
	              sv->have_rl ? json_stringn(sv->rl.text, sv->rl.text_len) : json_null(),
	              "codes", codes_version(sv));
	if (!o) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	reply_json(sv, req, 200, o);
}

const char *offline_judge(const service *sv, op *o, err checked)
{
	const offline_limits *l = offline_limits_of(&sv->offline, o->term.gallery);
	const char *why = NULL;

	if (checked != ERR_OK)
		why =
		    err_str(checked); /* revoked since, or a voucher the page should have refused */
	else if (l->sale_max == 0)
		why = "this terminal may not sell offline";
	else if (o->amount > l->sale_max)
		why = "more than one offline sale may take";
	else if (o->uploaded - o->now > l->session_seconds)
		why = "uploaded after the offline session's limit";
	o->conflict = why != NULL;
	return why;
}
