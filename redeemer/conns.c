/* The service's open connections and their fair share (conns.h). */
#include "conns.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "log.h"

#define SWEEP_US 50000 /* how often finished connections are released */

struct conn {
	struct bufferevent *bev; /* one reference of ours */
	int64_t opened, seen;    /* monotonic seconds: made; last began or ended a request */
	unsigned requests;       /* requests it has begun */
	bool busy;               /* a request of it is being answered */
	bool admitted;           /* its address is known and within per_address */
	bool cut;                /* shut down by us: evhttp is letting it go */
	uint8_t addr[16];        /* its client (IPv4 as IPv4-mapped IPv6) */
};

struct conns {
	conns_limits lim;
	struct ssl_ctx_st *tls;
	struct evconnlistener *listener;
	bool paused;
	struct conn *c;
	size_t n;
	struct event *sweep, *admit;
};

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static struct conn *find(conns *cs, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;

	for (size_t i = 0; bev && i < cs->n; i++)
		if (cs->c[i].bev == bev)
			return &cs->c[i];
	return NULL;
}

/* Whether evhttp has let c go (it clears a bufferevent's callbacks then):
 * sweep releases it. */
static bool released(const struct conn *c)
{
	bufferevent_data_cb r, w;
	bufferevent_event_cb e;

	bufferevent_getcb(c->bev, &r, &w, &e, NULL);
	return !r && !w && !e;
}

/* Close c: evhttp sees the end of its input and lets it go. */
static void cut(struct conn *c)
{
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (fd >= 0 && !c->cut)
		shutdown(fd, SHUT_RDWR);
	c->cut = true;
}

static void listening(conns *cs, bool on)
{
	if (!cs->listener || cs->paused == !on)
		return;
	if (on)
		evconnlistener_enable(cs->listener);
	else
		evconnlistener_disable(cs->listener);
	cs->paused = !on;
}

/* Close the connection that has idled longest between requests, if any. */
static void evict_idle(conns *cs)
{
	struct conn *victim = NULL;

	for (size_t i = 0; i < cs->n; i++) {
		struct conn *c = &cs->c[i];
		if (c->requests && !c->busy && !c->cut && !released(c) &&
		    (!victim || c->seen < victim->seen))
			victim = c;
	}
	if (victim)
		cut(victim);
}

/* c's client address, 16 bytes; false if it has no socket yet. */
static bool peer(const struct conn *c, uint8_t addr[16])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	if (ss.ss_family == AF_INET6) {
		memcpy(addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	} else {
		static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
		memcpy(addr, mapped, 12);
		memcpy(addr + 12, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	}
	return true;
}

/* Learn new connections' addresses; close those over per_address. Runs
 * just after each is accepted (evhttp gives it its socket after making it). */
static void admit(evutil_socket_t fd, short what, void *arg)
{
	conns *cs = arg;
	char shown[INET6_ADDRSTRLEN];

	(void)fd;
	(void)what;
	for (size_t i = 0; i < cs->n; i++) {
		struct conn *c = &cs->c[i];
		int same = 0;
		if (c->admitted || c->cut || !peer(c, c->addr))
			continue;
		for (size_t j = 0; j < cs->n; j++)
			same += cs->c[j].admitted && !cs->c[j].cut && !released(&cs->c[j]) &&
			        memcmp(cs->c[j].addr, c->addr, 16) == 0;
		if (same < cs->lim.per_address) {
			c->admitted = true;
			continue;
		}
		inet_ntop(AF_INET6, c->addr, shown, sizeof shown);
		LOG(LOGL_WARN, "closed a connection from %s: it has %d open", shown, same);
		cut(c);
	}
}

/* Each new connection's bufferevent; at the cap, make room and pause. */
static struct bufferevent *new_conn(struct event_base *base, void *arg)
{
	conns *cs = arg;
	struct bufferevent *bev;
	struct conn *c;

	if (cs->tls) {
		SSL *ssl = SSL_new(cs->tls);
		if (!ssl)
			return NULL;
		bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
		                                     BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (!bev)
		return NULL;
	bufferevent_incref(bev);
	c = &cs->c[cs->n++];
	*c = (struct conn){.bev = bev, .opened = now_s()};
	c->seen = c->opened;
	if (cs->n >= (size_t)cs->lim.max) {
		evict_idle(cs);
		listening(cs, false);
	}
	event_active(cs->admit, EV_TIMEOUT, 0);
	return bev;
}

/*
 * Release the connections evhttp has let go of (it clears a bufferevent's
 * callbacks then), cut off the slow, and resume accepting below the cap.
 */
static void sweep(evutil_socket_t fd, short what, void *arg)
{
	conns *cs = arg;
	int64_t now = now_s();
	size_t k = 0;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < cs->n; i++) {
		struct conn *c = &cs->c[i];
		if (released(c)) {
			bufferevent_decref(c->bev);
			continue;
		}
		if (!c->busy && now - c->seen > 2 * (int64_t)cs->lim.timeout)
			cut(c);
		cs->c[k++] = *c;
	}
	cs->n = k;
	admit(-1, 0, cs);
	if (cs->n < (size_t)cs->lim.max)
		listening(cs, true);
}

static void request_done(struct evhttp_request *req, void *arg)
{
	struct conn *c = find(arg, req);

	if (c) {
		c->busy = false;
		c->seen = now_s();
	}
}

void conns_request(conns *cs, struct evhttp_request *req)
{
	struct conn *c = find(cs, req);
	int64_t now = now_s();

	if (!c)
		return;
	c->seen = now;
	c->busy = true;
	c->requests++;
	evhttp_request_set_on_complete_cb(req, request_done, cs);
	if (c->requests >= (unsigned)cs->lim.requests || now - c->opened >= cs->lim.seconds)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
}

conns *conns_new(struct event_base *base, struct evhttp *http, struct ssl_ctx_st *tls,
                 const conns_limits *lim)
{
	struct timeval every = {0, SWEEP_US};
	conns *cs = calloc(1, sizeof *cs);

	if (!cs)
		return NULL;
	cs->lim = *lim;
	cs->tls = tls;
	if (!(cs->c = calloc((size_t)lim->max, sizeof *cs->c)) ||
	    !(cs->sweep = event_new(base, -1, EV_PERSIST, sweep, cs)) ||
	    !(cs->admit = event_new(base, -1, 0, admit, cs)) || event_add(cs->sweep, &every) != 0) {
		conns_free(cs);
		return NULL;
	}
	evhttp_set_bevcb(http, new_conn, cs);
	return cs;
}

void conns_listen_on(conns *cs, struct evhttp_bound_socket *bound)
{
	cs->listener = bound ? evhttp_bound_socket_get_listener(bound) : NULL;
}

void conns_free(conns *cs)
{
	if (!cs)
		return;
	if (cs->sweep)
		event_free(cs->sweep);
	if (cs->admit)
		event_free(cs->admit);
	for (size_t i = 0; i < cs->n; i++)
		bufferevent_decref(cs->c[i].bev);
	free(cs->c);
	free(cs);
}
