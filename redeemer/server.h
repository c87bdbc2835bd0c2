/*
 * server: the redeemer's HTTP service, its shared state and its replies.
 * Everything here runs on the event loop's thread.
 */
#ifndef SERVER_H
#define SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "keyring.h"
#include "period.h"
#include "revlist.h"
#include "store.h"
#include "vpool.h"

struct evhttp_request;
struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct bufferevent;
struct ssl_ctx_st;
typedef struct json_t json_t;

#define BODY_MAX       8192
#define AUTH_FAILS_MAX 10   /* failed terminal logins an address may make... */
#define AUTH_WINDOW    60   /* ...in this many seconds before it must wait */
#define AUTH_SLOTS     4096 /* addresses remembered (the oldest are forgotten) */

typedef struct auth_slot {
	char addr[48];
	int64_t since;
	unsigned fails;
} auth_slot;

typedef struct server_config {
	const char *db, *keyring, *revocations, *listen;
	const char *tls_cert, *tls_key; /* HTTPS when both are given */
	const tzone *tz;                /* the local day of voids: Asia/Jakarta by default */
	size_t map_size;                /* LMDB map size in bytes, 0 for the default */
	int timeout;                    /* seconds a connection may idle or dawdle */
	int max_connections;            /* open connections at most; more wait to be accepted */
	int verify_threads;             /* voucher verify workers; 0: one per core */
} server_config;

typedef struct server {
	server_config cfg;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct ssl_ctx_st *tls;
	/* Every open connection's bufferevent, held by one reference of ours
	 * so that its end (evhttp drops it) can be seen, and the time of its
	 * last request (or its opening); see conn_sweep. */
	struct conn {
		struct bufferevent *bev;
		int64_t seen;
	} * conns;
	size_t nconns;
	bool paused;
	struct event *sweep;
	store *st;
	vpool *vp; /* verifies vouchers off the loop */
	/* The keyring and revocation list: the loop replaces them (SIGHUP)
	 * under the write lock; the verify workers read them under the read
	 * lock; the loop itself reads them freely. */
	pthread_rwlock_t keys_lock;
	keyring *kr;
	revlist rl;
	bool have_rl;
	auth_slot *auth; /* failed logins per client address */
	/* metrics */
	uint64_t by_status[600];
	uint64_t redemptions, voids, rupiah_redeemed, rupiah_voided;
} server;

/* Run the service until SIGTERM or SIGINT; returns the exit status. */
int server_run(const server_config *cfg);

/* Load (or reload, on SIGHUP) the keyring and revocation list; on failure
 * the old ones stay and the problem is logged. */
err server_reload(server *sv);

/* ---- replies: each request ends in exactly one of these ---- */

/* Send o (stolen) as JSON with status. */
void reply_json(server *sv, struct evhttp_request *req, int status, json_t *o);

/* Send {"error": CODE, "message": TEXT} for e; detail (may be NULL)
 * replaces the standard message. */
void reply_error(server *sv, struct evhttp_request *req, err e, const char *detail);

/* Note that req's connection has just delivered a whole request. Every
 * endpoint calls it first: a client that takes longer than twice the
 * timeout to finish a request (a slowloris) is cut off. */
void conn_seen(server *sv, struct evhttp_request *req);

/* The authenticated terminal of req, or reply 401 and return false. */
bool terminal_or_reply(server *sv, struct evhttp_request *req, terminal *t);

/* The request body (at most BODY_MAX bytes) as a NUL-terminated string in
 * buf, or reply 413 / 400 and return false. */
bool body_or_reply(server *sv, struct evhttp_request *req, char *buf, size_t *len);

/* ---- endpoints (redeemer/http_*.c) ---- */
void http_redeem(struct evhttp_request *req, void *sv);
void http_voucher(struct evhttp_request *req, server *sv, const char *rest);
void http_void(struct evhttp_request *req, server *sv, const char *rid);
void http_healthz(struct evhttp_request *req, void *sv);
void http_metrics(struct evhttp_request *req, void *sv);
void http_page_register(struct evhttp *http, server *sv);

#endif
