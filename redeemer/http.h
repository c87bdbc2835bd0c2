/*
 * http: what the endpoints (redeemer/http_*.c) share: the service they
 * answer for, their replies, terminal authentication, request bodies, and
 * a request that waits on other threads. The event loop itself is
 * server.c's alone. Everything here runs on the loop's thread unless it
 * says otherwise.
 */
#ifndef HTTP_H
#define HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "codebook.h"
#include "err.h"
#include "keyring.h"
#include "offline.h"
#include "period.h"
#include "pool.h"
#include "revlist.h"
#include "store.h"

struct evhttp_request;
typedef struct json_t json_t;

#define BODY_MAX       8192
#define BODY_READ_MAX  65536 /* read to answer 413 in JSON; libevent's HTML 413 above */
#define AUTH_FAILS_MAX 10    /* failed terminal logins an address may make... */
#define AUTH_WINDOW    60    /* ...in this many seconds before it must wait */
#define AUTH_SLOTS     4096  /* addresses remembered (the oldest are forgotten) */
#define CODE_FAILS_MAX 5     /* unknown short codes a terminal may send... */
#define CODE_WINDOW    900   /* ...in this many seconds before it must wait */
#define CODE_SLOTS     1024  /* terminals remembered (by id; a colliding one takes over) */

typedef struct auth_slot {
	char addr[48];
	int64_t since;
	unsigned fails;
} auth_slot;

typedef struct code_slot {
	uint32_t term; /* 0: free */
	int64_t since;
	unsigned fails; /* unknown codes, and codes being looked up */
} code_slot;

/* Counters for /metrics. */
typedef struct metrics {
	uint64_t by_status[600];
	uint64_t redemptions, voids, rupiah_redeemed, rupiah_voided;
	uint64_t offline, conflicts; /* of the redemptions, those made offline; offline conflicts */
} metrics;

/* The service the endpoints answer for. */
typedef struct service {
	store *st;
	pool *verifiers; /* verify vouchers off the loop */
	const tzone *tz; /* the local day of voids */
	int64_t clock;   /* 0: the system's clock; a fixed instant, for the request fuzzer */
	const char *metrics_token; /* GET /metrics needs it; NULL: open */
	offline_config offline;    /* what terminals may do with their link down */
	auth_slot *auth;           /* failed logins per client address */
	code_slot *code_fails;     /* unknown short codes per terminal */
	metrics m;
	/* The keyring and revocation list: the loop replaces them (SIGHUP)
	 * under the write lock; the verifiers read them under the read lock;
	 * the loop itself reads them freely. */
	pthread_rwlock_t keys_lock;
	keyring *kr;
	revlist rl;
	bool have_rl;
	codebook codes; /* the code manifests (none: codes.n == 0) */
} service;

/* The instant a request is taken at (Unix seconds). */
int64_t service_now(const service *sv);

/* ---- replies: each request ends in exactly one of these ---- */

/* Send o (stolen) as JSON with status. */
void reply_json(service *sv, struct evhttp_request *req, int status, json_t *o);

/* Send {"error": CODE, "message": TEXT} for e; detail (may be NULL)
 * replaces the standard message. */
void reply_error(service *sv, struct evhttp_request *req, err e, const char *detail);

/* Whether req's method is one of methods (enum evhttp_cmd_type, or'ed);
 * if not, reply 405 with the Allow header and return false. */
bool method_or_reply(service *sv, struct evhttp_request *req, int methods);

/* The authenticated terminal of req, or reply 401 (429 for an address that
 * keeps guessing) and return false. A valid token always passes: a lockout
 * never shuts out the other devices behind one address. */
bool terminal_or_reply(service *sv, struct evhttp_request *req, terminal *t);

/* The request body (at most BODY_MAX bytes) as a NUL-terminated string in
 * buf, or reply 413 / 400 and return false. */
bool body_or_reply(service *sv, struct evhttp_request *req, char *buf, size_t *len);

/*
 * A request on its way through other threads: to a verify worker (verify,
 * for a redemption), then to the store's writer (o), whose o.done answers
 * it on the loop and frees it.
 */
typedef struct pending {
	service *sv;
	struct evhttp_request *req;
	op o;
	task verify;
	const char *why; /* an offline sale recorded as a conflict: why (static text) */
	char code[SHORTCODE_LEN + 1]; /* POST /v1/codes: the code looked up (wiped after) */
} pending;

/* On any thread: hand p->o to the writer, or back to the loop as it is
 * (p->o.rc says why). Either way p->o.done runs on the loop. */
void pending_submit(pending *p);
void pending_finish(pending *p);

/* ---- the endpoints, one file each ---- */
void http_redeem(struct evhttp_request *req, service *sv);
void http_voucher(struct evhttp_request *req, service *sv, const char *serial);
void http_void(struct evhttp_request *req, service *sv, const char *rid);
void http_healthz(struct evhttp_request *req, service *sv);
void http_journal_head(struct evhttp_request *req, service *sv);
void http_offline_state(struct evhttp_request *req, service *sv);
void http_offline_codes(struct evhttp_request *req, service *sv);
void http_codes(struct evhttp_request *req, service *sv);

/* On a verify worker: an offline sale (o->uploaded) whose voucher checked
 * as checked at its own time: whether to record it as a conflict
 * (o->conflict), and why (static text), against its terminal's limits. */
const char *offline_judge(const service *sv, op *o, err checked);
void http_metrics(struct evhttp_request *req, service *sv);
/* The scanner page and its files at their paths; 404 for any other path. */
void http_page(struct evhttp_request *req, service *sv);
/* Every request, to its endpoint by its path (http_route.c). */
void http_route(struct evhttp_request *req, service *sv);

#endif
