/*
 * conns: the service's open connections, and their fair share.
 *
 * libevent 2.1's evhttp has no connection limit and no callback when a
 * connection ends; this module makes every connection's bufferevent (TLS
 * with a certificate) and keeps a reference to it, so that it can:
 *   - cap open connections (max): at the cap the listener pauses, after
 *     closing the connection that has idled longest between requests, so
 *     that idle keep-alive connections give way to new clients first;
 *   - cap connections from one client address (per_address): one more is
 *     closed as soon as it is accepted;
 *   - close a connection after `requests` requests or `seconds` seconds
 *     (the answer that ends it says Connection: close), so no client holds
 *     a place for ever by keeping it busy;
 *   - cut off a client that takes more than twice `timeout` to finish a
 *     request (libevent's own timeout restarts with every byte: a slowloris
 *     sending one byte a second would otherwise hold its place for ever).
 * Everything here runs on the event loop's thread.
 */
#ifndef CONNS_H
#define CONNS_H

struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct ssl_ctx_st;

typedef struct conns_limits {
	int max, per_address, requests, seconds, timeout;
} conns_limits;

typedef struct conns conns;

/* Take over http's new connections (TLS with tls, if not NULL). NULL if
 * out of memory. */
conns *conns_new(struct event_base *base, struct evhttp *http, struct ssl_ctx_st *tls,
                 const conns_limits *lim);

/* The socket whose listener pauses at the cap (NULL: none, as when stopping). */
void conns_listen_on(conns *c, struct evhttp_bound_socket *bound);

/* req has just arrived whole on its connection: every route calls this first. */
void conns_request(conns *c, struct evhttp_request *req);

void conns_free(conns *c);

#endif
