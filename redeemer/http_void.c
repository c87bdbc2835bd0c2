/*
 * POST /v1/redemptions/ID/void: the same merchant, on the same local day,
 * takes a redemption back and the voucher's balance is restored.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <jansson.h>

#include "http.h"
#include "log.h"

/* On the loop, once the void is on disk (or refused): the answer. */
static void voided(void *arg)
{
	pending *p = arg;
	op *o = &p->o;
	char serial[VOUCHER_SERIAL_LEN + 1];

	voucher_serial_format(o->serial, serial);
	if (o->rc != ERR_OK) {
		reply_error(p->sv, p->req, o->rc, NULL);
	} else {
		if (!o->replay) {
			p->sv->m.voids++;
			p->sv->m.rupiah_voided += (uint64_t)o->debited;
		}
		LOG(LOGL_INFO, "voided id=%s serial=%s terminal=%u amount=%lld", o->rid, serial,
		    o->term.id, (long long)o->debited);
		reply_json(p->sv, p->req, 200,
		           json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "redemption_id", o->rid,
		                     "serial", serial, "amount", (json_int_t)o->debited,
		                     "remaining", (json_int_t)o->remaining, "status", "voided",
		                     "receipt", o->receipt));
	}
	free(p);
}

void http_void(struct evhttp_request *req, service *sv, const char *rid)
{
	pending *p;
	terminal t;

	if (!terminal_or_reply(sv, req, &t))
		return;
	if (strlen(rid) == 0 || strlen(rid) > RID_MAX) {
		reply_error(sv, req, ERR_NOT_FOUND, "no such redemption");
		return;
	}
	if (!(p = calloc(1, sizeof *p))) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return;
	}
	p->sv = sv;
	p->req = req;
	p->o.done = (task){voided, p, NULL};
	p->o.kind = OP_VOID;
	p->o.term = t;
	p->o.now = service_now(sv);
	p->o.tz_offset = sv->tz->offset;
	strcpy(p->o.rid, rid);
	pending_submit(p);
}
