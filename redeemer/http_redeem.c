/*
 * POST /v1/redeem: verify a voucher and debit it, exactly once.
 *
 * The path of a redemption, in the order it runs:
 *   1. http_redeem, on the event loop: the terminal, the body, a replay,
 *      the token's decoding (a torn voucher is answered at once);
 *   2. verify, on a verify worker (common/pool.c): the signature, the key,
 *      the revocation list, the gallery, the clock;
 *   3. spend_redeem, in the writer's next transaction (store_spend.c,
 *      store_writer.c): the balance, the debit, the receipt, the journal;
 *   4. redeemed, on the event loop once that transaction is on disk: the
 *      201, or the refusal of any step.
 * A request carries one task to each next thread: p->verify to the worker,
 * p->o.done back from the writer.
 *
 * A sale made offline carries "offline_at", its time: it is checked as at
 * that time, and recorded as an offline redemption, or as a conflict
 * (offline.h) when it cannot be taken; either way exactly once.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "http.h"
#include "log.h"

static void verify(void *arg);
static void redeemed(void *arg);

/* A request_id: 1..128 printable ASCII characters. */
static bool request_id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (s[n] < 0x21 || s[n] > 0x7e)
			return false;
	return n >= 1 && n <= REQUEST_ID_MAX;
}

/* What a replay must repeat exactly: the voucher, the amount, and for an
 * offline sale its time. */
static void body_hash(const char *voucher_text, size_t len, int64_t amount, int64_t offline_at,
                      uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char num[48];
	int n = offline_at ? snprintf(num, sizeof num, "%lld@%lld", (long long)amount,
	                              (long long)offline_at)
	                   : snprintf(num, sizeof num, "%lld", (long long)amount);

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, voucher_text, len);
	EVP_DigestUpdate(c, "", 1);
	EVP_DigestUpdate(c, num, (size_t)n);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

/* "offline_at", if the body has it: an instant (YYYY-MM-DDTHH:MM:SSZ) not
 * ahead of now by more than the clocks may differ. 0: none; -1: bad. */
static int64_t offline_at(json_t *j, int64_t now)
{
	json_t *jo = json_object_get(j, "offline_at");
	int64_t at;

	if (!jo)
		return 0;
	if (!json_is_string(jo) ||
	    !instant_parse(json_string_value(jo), json_string_length(jo), &at) || at <= 0 ||
	    at > now + REVLIST_SKEW)
		return -1;
	return at;
}

/* 1. On the loop. */
void http_redeem(struct evhttp_request *req, service *sv)
{
	char body[BODY_MAX + 1];
	size_t len;
	json_error_t jerr;
	json_t *j = NULL, *jv, *ja, *jr;
	pending *p = NULL;
	terminal t;
	const char *text;
	json_int_t amount;
	int64_t at;
	err e;

	if (!terminal_or_reply(sv, req, &t) || !body_or_reply(sv, req, body, &len))
		return;
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		reply_error(sv, req, ERR_MALFORMED_REQUEST, "the body must be a JSON object");
		goto out;
	}
	jv = json_object_get(j, "voucher");
	ja = json_object_get(j, "amount");
	jr = json_object_get(j, "request_id");
	if (!json_is_string(jv) || !json_is_string(jr) || !json_is_integer(ja)) {
		reply_error(sv, req, ERR_MALFORMED_REQUEST,
		            "voucher (string), amount (whole rupiah) and request_id (string) are "
		            "required");
		goto out;
	}
	amount = json_integer_value(ja);
	if (amount < 1 || amount > UINT32_MAX) {
		reply_error(sv, req, ERR_MALFORMED_REQUEST,
		            "amount must be a whole number of rupiah, at least 1");
		goto out;
	}
	if (!request_id_ok(json_string_value(jr)) ||
	    strlen(json_string_value(jr)) != json_string_length(jr)) {
		reply_error(sv, req, ERR_MALFORMED_REQUEST,
		            "request_id must be 1-128 printable ASCII characters");
		goto out;
	}
	if ((at = offline_at(j, service_now(sv))) < 0) {
		reply_error(
		    sv, req, ERR_MALFORMED_REQUEST,
		    "offline_at must be the sale's time, YYYY-MM-DDTHH:MM:SSZ, not ahead of "
		    "the service's clock");
		goto out;
	}
	if (!(p = calloc(1, sizeof *p))) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		goto out;
	}
	p->sv = sv;
	p->req = req;
	p->verify = (task){verify, p, NULL};
	p->o.done = (task){redeemed, p, NULL};
	p->o.kind = OP_REDEEM;
	p->o.term = t;
	p->o.amount = amount;
	p->o.now = at ? at : service_now(sv);
	p->o.uploaded = at ? service_now(sv) : 0;
	strcpy(p->o.request_id, json_string_value(jr));
	text = json_string_value(jv);
	body_hash(text, json_string_length(jv), amount, at, p->o.body_hash);

	/* A retry gets the first answer, whatever has changed since. */
	e = store_request_get(sv->st, t.id, p->o.request_id, p->o.body_hash, &p->o);
	if (e != ERR_OK && e != ERR_NOT_FOUND && e != ERR_OFFLINE_CONFLICT) {
		reply_error(sv, req, e, NULL);
		goto out;
	}
	if (e == ERR_NOT_FOUND) {
		p->o.rc = voucher_decode(text, json_string_length(jv), &p->o.v);
		p->o.serial = p->o.v.serial;
	}
	if (e != ERR_NOT_FOUND || p->o.rc != ERR_OK)
		redeemed(p); /* a replay, or a token that does not decode */
	else
		pool_submit(sv->verifiers, &p->verify);
	p = NULL;
out:
	free(p);
	json_decref(j);
}

/* Everything a decoded voucher must pass, in the order of docs/FORMAT.md. */
static err check_voucher(service *sv, const terminal *t, const voucher *v, int64_t now)
{
	static const uint8_t any[TAG_LEN];
	const key_entry *k;
	err e;

	if ((e = voucher_verify(v, sv->kr, &k)) != ERR_OK)
		return e;
	/* Revoked, or of a compromised key and not one the issuer made. */
	if (sv->have_rl &&
	    (revlist_has(&sv->rl, v->serial) || !revlist_allows(&sv->rl, k->kid, v->serial)))
		return ERR_REVOKED;
	if (memcmp(v->gallery_tag, any, TAG_LEN) != 0 &&
	    memcmp(v->gallery_tag, t->gallery_tag, TAG_LEN) != 0)
		return ERR_NOT_VALID_HERE;
	return voucher_check_time(v, now);
}

/* 2. On a worker: if the voucher passes, on to the writer; if not, back to
 * the loop with the reason. */
static void verify(void *arg)
{
	pending *p = arg;
	service *sv = p->sv;

	pthread_rwlock_rdlock(&sv->keys_lock);
	p->o.rc = check_voucher(sv, &p->o.term, &p->o.v, p->o.now);
	pthread_rwlock_unlock(&sv->keys_lock);
	/* An offline sale is recorded, as a conflict if it cannot be taken:
	 * the cashier has handed the goods over. */
	if (p->o.uploaded) {
		p->why = offline_judge(sv, &p->o, p->o.rc);
		p->o.rc = ERR_OK;
	}
	if (p->o.rc == ERR_OK)
		pending_submit(p);
	else
		pending_finish(p);
}

/* The answer's fields: the redemption (or conflict) and its receipt; an
 * offline one says so. */
static json_t *answer(const op *o)
{
	char serial[VOUCHER_SERIAL_LEN + 1];
	json_t *j;

	voucher_serial_format(o->serial, serial);
	j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "redemption_id", o->rid, "serial", serial,
	              "amount", (json_int_t)o->debited, "remaining", (json_int_t)o->remaining,
	              "receipt", o->receipt);
	if (j && (o->uploaded || strncmp(o->receipt, "URO2|", 5) == 0 ||
	          strncmp(o->receipt, "URC2|", 5) == 0))
		json_object_set_new(j, "offline", json_true());
	return j;
}

/* 4. On the loop: the answer, then the request is done with. */
static void redeemed(void *arg)
{
	pending *p = arg;
	op *o = &p->o;
	char serial[VOUCHER_SERIAL_LEN + 1];

	voucher_serial_format(o->serial, serial);
	if (o->rc == ERR_OFFLINE_CONFLICT) {
		json_t *j = answer(o);
		if (!o->replay)
			p->sv->m.conflicts++;
		LOG(LOGL_INFO, "offline conflict serial=%s terminal=%u amount=%lld id=%s%s", serial,
		    o->term.id, (long long)o->debited, o->rid, o->replay ? " replay=1" : "");
		if (j) {
			json_object_set_new(j, "error", json_string(err_code(o->rc)));
			json_object_set_new(j, "message",
			                    json_string(p->why ? p->why : err_str(o->rc)));
		}
		reply_json(p->sv, p->req, err_http_status(o->rc), j);
	} else if (o->rc != ERR_OK) {
		LOG(LOGL_INFO, "redeem refused serial=%s terminal=%u error=%s", serial, o->term.id,
		    err_code(o->rc));
		reply_error(p->sv, p->req, o->rc, NULL);
	} else {
		if (!o->replay) {
			p->sv->m.redemptions++;
			p->sv->m.offline += o->uploaded != 0;
			p->sv->m.rupiah_redeemed += (uint64_t)o->debited;
		}
		LOG(LOGL_INFO, "redeemed serial=%s terminal=%u amount=%lld remaining=%lld id=%s%s",
		    serial, o->term.id, (long long)o->debited, (long long)o->remaining, o->rid,
		    o->replay ? " replay=1" : "");
		reply_json(p->sv, p->req, 201, answer(o));
	}
	free(p);
}
