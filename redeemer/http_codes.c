/*
 * POST /v1/codes {"code": "XQC5-S345-MHE9"}: the voucher whose short code
 * a cashier typed, found in the loaded code manifests (codebook.h).
 *
 * The answer is the voucher's token, which the page then looks up and
 * redeems as if it had scanned the QR: a code is the same voucher, spent
 * once. A code with a typo is refused at once (400, no guess). A code no
 * manifest holds is a guess: a terminal may make CODE_FAILS_MAX of them in
 * CODE_WINDOW seconds, then waits (429). The PBKDF2 of a lookup runs on a
 * verify worker, off the loop.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "http.h"
#include "log.h"
#include "shortcode.h"

static void resolve(void *arg);
static void resolved(void *arg);

/* The terminal's record of unknown codes (a colliding terminal takes the
 * slot over, which only forgets). */
static code_slot *slot_of(service *sv, uint32_t term, int64_t now)
{
	code_slot *s = &sv->code_fails[term % CODE_SLOTS];

	if (s->term != term || now - s->since >= CODE_WINDOW) {
		s->term = term;
		s->since = now;
		s->fails = 0;
	}
	return s;
}

/* 1. On the loop. */
void http_codes(struct evhttp_request *req, service *sv)
{
	char body[BODY_MAX + 1], code[SHORTCODE_LEN + 1];
	size_t len;
	json_error_t jerr;
	json_t *j = NULL, *jc;
	pending *p = NULL;
	code_slot *slot;
	terminal t;

	if (!terminal_or_reply(sv, req, &t) || !body_or_reply(sv, req, body, &len))
		return;
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	jc = j ? json_object_get(j, "code") : NULL;
	if (!json_is_string(jc)) {
		reply_error(sv, req, ERR_MALFORMED_REQUEST,
		            "the body must be a JSON object with code (string)");
		goto out;
	}
	if (shortcode_parse(json_string_value(jc), json_string_length(jc), code) != ERR_OK) {
		reply_error(sv, req, ERR_MALFORMED_CODE, NULL);
		goto out;
	}
	if (sv->codes.n == 0) {
		reply_error(sv, req, ERR_UNKNOWN_CODE,
		            "this service has no code manifest loaded: scan the QR instead");
		goto out;
	}
	slot = slot_of(sv, t.id, service_now(sv));
	if (slot->fails >= CODE_FAILS_MAX) {
		reply_error(sv, req, ERR_TOO_MANY_CODES, NULL);
		goto out;
	}
	if (!(p = calloc(1, sizeof *p))) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		goto out;
	}
	/* Counted as a miss until it is found: a burst of lookups at once
	 * cannot pass the limit. */
	slot->fails++;
	p->sv = sv;
	p->req = req;
	p->o.term = t;
	memcpy(p->code, code, sizeof code);
	p->verify = (task){resolve, p, NULL};
	p->o.done = (task){resolved, p, NULL};
	pool_submit(sv->verifiers, &p->verify);
out:
	OPENSSL_cleanse(code, sizeof code);
	json_decref(j);
}

/* 2. On a worker: the manifests' PBKDF2s and the seal. */
static void resolve(void *arg)
{
	pending *p = arg;
	service *sv = p->sv;
	uint8_t token[VOUCHER_LEN];

	pthread_rwlock_rdlock(&sv->keys_lock);
	p->o.rc = codebook_resolve(&sv->codes, p->code, token);
	pthread_rwlock_unlock(&sv->keys_lock);
	OPENSSL_cleanse(p->code, sizeof p->code);
	if (p->o.rc == ERR_OK)
		p->o.rc = voucher_unpack(token, sizeof token, &p->o.v);
	OPENSSL_cleanse(token, sizeof token);
	pending_finish(p);
}

/* 3. On the loop: the token, or why not. */
static void resolved(void *arg)
{
	pending *p = arg;
	service *sv = p->sv;
	code_slot *slot = slot_of(sv, p->o.term.id, service_now(sv));
	char text[VOUCHER_TEXT_LEN + 1], serial[VOUCHER_SERIAL_LEN + 1];

	if (p->o.rc == ERR_OK || p->o.rc != ERR_UNKNOWN_CODE) {
		if (slot->fails)
			slot->fails--; /* not a miss */
	} else if (slot->fails == CODE_FAILS_MAX) {
		LOG(LOGL_WARN, "terminal %u sent %d unknown codes; its codes refused for %d s",
		    p->o.term.id, CODE_FAILS_MAX, CODE_WINDOW);
	}
	if (p->o.rc != ERR_OK) {
		LOG(LOGL_INFO, "code refused terminal=%u error=%s", p->o.term.id,
		    err_code(p->o.rc));
		reply_error(sv, p->req, p->o.rc, NULL);
	} else {
		voucher_encode(&p->o.v, text, sizeof text);
		voucher_serial_format(p->o.v.serial, serial);
		LOG(LOGL_INFO, "code found serial=%s terminal=%u", serial, p->o.term.id);
		reply_json(sv, p->req, 200,
		           json_pack("{s:s, s:s}", "voucher", text, "serial", serial));
		OPENSSL_cleanse(text, sizeof text);
	}
	free(p);
}
