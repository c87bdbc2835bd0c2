/*
 * Offline selling (offline.h): GET /v1/offline/state, what the scanner
 * page keeps to decide while its link is down, and the judgement of an
 * offline sale when it is uploaded (http_redeem.c).
 */
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

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

void http_offline_state(struct evhttp_request *req, service *sv)
{
	const offline_limits *l;
	terminal t;
	json_t *o;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		reply_error(sv, req, ERR_METHOD, "use GET");
		return;
	}
	if (!terminal_or_reply(sv, req, &t))
		return;
	l = offline_limits_of(&sv->offline, t.gallery);
	/* The loop alone replaces the keyring and the list: no lock here. */
	o = json_pack("{s:I, s:{s:I, s:s, s:s}, s:{s:I, s:I, s:I}, s:o, s:o}", "time",
	              (json_int_t)service_now(sv), "terminal", "id", (json_int_t)t.id, "merchant",
	              t.merchant, "gallery", t.gallery, "limits", "sale_max",
	              (json_int_t)l->sale_max, "device_max", (json_int_t)l->device_max,
	              "session_seconds", (json_int_t)l->session_seconds, "keyring",
	              issuer_keys(sv->kr), "revocations",
	              sv->have_rl ? json_stringn(sv->rl.text, sv->rl.text_len) : json_null());
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
