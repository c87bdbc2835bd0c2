#include "server.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conns.h"
#include "http.h"
#include "log.h"

/* The service and the loop that serves it. */
typedef struct server {
	server_config cfg;
	service svc;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct ssl_ctx_st *tls;
	conns *conns; /* conns.h: caps and fair shares */
} server;

/* Load (or reload, on SIGHUP) the keyring, revocation list and code
 * manifests; on failure the old ones stay and the problem is logged. */
static err server_reload(server *srv)
{
	service *sv = &srv->svc;
	char why[512];
	keyring *kr = NULL;
	revlist rl = {0};
	codebook cb = {0};
	err e = keyring_load(srv->cfg.keyring, &kr, why, sizeof why);

	if (e != ERR_OK) {
		LOG(LOGL_ERROR, "keyring not loaded: %s", why);
		return e;
	}
	if (srv->cfg.revocations) {
		const char *path = srv->cfg.revocations;
		char when[INSTANT_LEN + 1], kid[KEY_ID_MAX + 1];
		int64_t newest = 0;
		e = revlist_load(path, kr, service_now(sv), &rl, why, sizeof why);
		if (e == ERR_OK && (e = store_take_revlist(sv->st, &rl, &newest, kid)) != ERR_OK) {
			instant_format(newest, when);
			if (e == ERR_INVALID)
				snprintf(why, sizeof why,
				         "%s:5: older than the list of %s taken before", path,
				         when);
			else if (e == ERR_EXISTS)
				snprintf(
				    why, sizeof why,
				    "%s:5: a list of this time that said other things was taken "
				    "before",
				    path);
			else if (e == ERR_UNKNOWN_KEY)
				snprintf(why, sizeof why,
				         "%s:3: key %s was called compromised before: this list is "
				         "signed by it or does not say so",
				         path, kid);
			else
				snprintf(why, sizeof why, "%s: %s", path, err_str(e));
			revlist_free(&rl);
		}
		if (e != ERR_OK) {
			LOG(LOGL_ERROR, "revocation list not loaded: %s", why);
			keyring_free(kr);
			return e;
		}
	}
	if (srv->cfg.manifests && (e = codebook_load(srv->cfg.manifests, kr, service_now(sv), &cb,
	                                             why, sizeof why)) != ERR_OK) {
		LOG(LOGL_ERROR, "code manifests not loaded: %s", why);
		keyring_free(kr);
		if (srv->cfg.revocations)
			revlist_free(&rl);
		return e;
	}
	pthread_rwlock_wrlock(&sv->keys_lock);
	keyring_free(sv->kr);
	sv->kr = kr;
	if (srv->cfg.revocations) {
		revlist_free(&sv->rl);
		sv->rl = rl;
		sv->have_rl = true;
	}
	if (srv->cfg.manifests) {
		codebook_free(&sv->codes);
		sv->codes = cb;
	}
	pthread_rwlock_unlock(&sv->keys_lock);
	LOG(LOGL_INFO, "loaded keyring keys=%zu revoked=%zu compromised_keys=%zu manifests=%zu",
	    keyring_count(kr), sv->have_rl ? sv->rl.n : (size_t)0,
	    sv->have_rl ? sv->rl.ncompromised : (size_t)0, sv->codes.n);
	return ERR_OK;
}

/* Every request: its connection counted, then http_route. */
static void route(struct evhttp_request *req, void *arg)
{
	conns_request(((server *)arg)->conns, req);
	http_route(req, &((server *)arg)->svc);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	LOG(LOGL_INFO, "SIGHUP: reloading keyring, revocation list and code manifests");
	server_reload(arg);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
	server *sv = arg;
	struct timeval grace = {1, 0};

	(void)what;
	LOG(LOGL_INFO, "signal %d: finishing committed work and stopping", (int)sig);
	/* Stop accepting; answer everything the writer holds; let the answers
	 * go out; then stop. */
	if (sv->bound) {
		conns_listen_on(sv->conns, NULL);
		evhttp_del_accept_socket(sv->http, sv->bound);
		sv->bound = NULL;
	}
	pool_stop(sv->svc.verifiers); /* what it verified goes on to the store... */
	store_stop(sv->svc.st);       /* ...which commits and answers all it holds */
	event_base_loopexit(sv->base, &grace);
}

/* A server context for the certificate chain and key, TLS 1.2 or later. */
static SSL_CTX *tls_context(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		char buf[256];
		ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
		LOG(LOGL_ERROR, "TLS certificate %s or key %s not usable: %s", cert, key, buf);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Split "HOST:PORT" ("[::1]:8080" for IPv6). */
static bool split_listen(const char *s, char *host, size_t hn, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p;
	size_t len;

	if (!colon)
		return false;
	len = (size_t)(colon - s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= hn)
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 0 || p > 65535)
		return false;
	*port = (int)p;
	return true;
}

int server_run(const server_config *cfg)
{
	server *sv = calloc(1, sizeof *sv);
	struct evhttp_bound_socket *bound;
	struct event *hup = NULL, *term = NULL, *intr = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[256], shown[INET6_ADDRSTRLEN];
	char line[256];
	int port, status = 1;
	err e;

	if (!sv)
		return 1;
	sv->cfg = *cfg;
	if (!split_listen(cfg->listen, host, sizeof host, &port)) {
		LOG(LOGL_ERROR, "--listen must be HOST:PORT, not %s", cfg->listen);
		free(sv);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	sv->svc.tz = cfg->tz;
	sv->svc.metrics_token = cfg->metrics_token;
	sv->svc.offline = cfg->offline;
	pthread_rwlock_init(&sv->svc.keys_lock, NULL);
	if ((e = store_open(cfg->db, cfg->map_size, &sv->svc.st)) != ERR_OK) {
		LOG(LOGL_ERROR, "cannot open the store in %s: %s", cfg->db, err_str(e));
		goto out;
	}
	store_limit_map(sv->svc.st, cfg->map_size_max);
	if (server_reload(sv) != ERR_OK)
		goto out;
	if (!(sv->base = event_base_new()) || !(sv->http = evhttp_new(sv->base)))
		goto out;
	evhttp_set_max_body_size(sv->http, BODY_READ_MAX);
	evhttp_set_max_headers_size(sv->http, 8192);
	evhttp_set_timeout(sv->http, cfg->timeout);
	evhttp_set_allowed_methods(sv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	if (cfg->tls_cert && !(sv->tls = tls_context(cfg->tls_cert, cfg->tls_key)))
		goto out;
	if (!(sv->svc.auth = calloc(AUTH_SLOTS, sizeof *sv->svc.auth)) ||
	    !(sv->svc.code_fails = calloc(CODE_SLOTS, sizeof *sv->svc.code_fails)))
		goto out;
	if (!(sv->conns =
	          conns_new(sv->base, sv->http, sv->tls,
	                    &(conns_limits){cfg->max_connections, cfg->max_per_address,
	                                    cfg->conn_requests, cfg->conn_seconds, cfg->timeout})))
		goto out;
	evhttp_set_gencb(sv->http, route, sv);
	if (!(bound = sv->bound =
	          evhttp_bind_socket_with_handle(sv->http, host, (ev_uint16_t)port))) {
		LOG(LOGL_ERROR, "cannot listen on %s", cfg->listen);
		goto out;
	}
	conns_listen_on(sv->conns, bound);
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, shown, sizeof shown);
			port = ntohs(a->sin6_port);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, shown, sizeof shown);
			port = ntohs(a->sin_port);
		}
	}
	if ((e = store_start(sv->svc.st, sv->base)) != ERR_OK ||
	    (e = pool_start(cfg->verify_threads ? cfg->verify_threads : pool_cpus(),
	                    &sv->svc.verifiers)) != ERR_OK)
		goto out;
	hup = evsignal_new(sv->base, SIGHUP, on_hup, sv);
	term = evsignal_new(sv->base, SIGTERM, on_term, sv);
	intr = evsignal_new(sv->base, SIGINT, on_term, sv);
	if (!hup || !term || !intr || evsignal_add(hup, NULL) || evsignal_add(term, NULL) ||
	    evsignal_add(intr, NULL))
		goto out;
	store_receipt_keyline(sv->svc.st, line, sizeof line);
	LOG(LOGL_INFO, "listening on %s:%d receipt_key=%.10s", shown, port, line);
	printf("listening on %s:%d%s\n", shown, port, sv->tls ? " (https)" : "");
	fflush(stdout);
	event_base_dispatch(sv->base);
	status = 0;
out:
	pool_stop(sv->svc.verifiers); /* none left after on_term; this is for the failures */
	if (hup)
		event_free(hup);
	if (term)
		event_free(term);
	if (intr)
		event_free(intr);
	if (sv->http)
		evhttp_free(sv->http);
	conns_free(sv->conns);
	free(sv->svc.auth);
	free(sv->svc.code_fails);
	store_close(sv->svc.st);
	pool_free(sv->svc.verifiers);
	if (sv->base)
		event_base_free(sv->base);
	SSL_CTX_free(sv->tls);
	keyring_free(sv->svc.kr);
	revlist_free(&sv->svc.rl);
	codebook_free(&sv->svc.codes);
	pthread_rwlock_destroy(&sv->svc.keys_lock);
	free(sv);
	sig_thread_done();
	return status;
}
