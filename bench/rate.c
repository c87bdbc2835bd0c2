/*
 * An open-loop load generator for POST /v1/redeem at a fixed rate (Debian's
 * wrk has none). Requests go out on a fixed timetable, one every 1/RATE s,
 * whether or not earlier ones have been answered, over a few keep-alive
 * connections (libevent's evhttp client; each request goes to the
 * connection with the fewest outstanding, and waits behind them if all are
 * busy). Latency is measured from the scheduled send time, not the actual
 * one, so a stalled server is not hidden by the generator waiting for it
 * (no coordinated omission). Every request carries the next voucher of
 * TOKENS (one a line), so each is a fresh redemption, and a request_id
 * made of the time, the process id and a count.
 *
 *   rate --target HOST:PORT --tokens FILE --bearer TOKEN
 *        [--rate 1000] [--seconds 10] [--connections 16]
 *
 * Prints a summary and a last line "RESULT sent=N ok=N other=N failed=N
 * late=N p50_ms=X p99_ms=X p999_ms=X max_ms=X" (ok: 201s; other: other
 * statuses; failed: no answer; late: sends more than 2 ms behind the
 * timetable, the generator's own lag).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

struct conn {
	struct evhttp_connection *c;
	int outstanding;
};

struct sent {
	double sched;
	struct conn *conn;
};

static struct event_base *base;
static struct conn *conns;
static int nconns = 16;
static double rate = 1000, seconds = 10, start;
static long total, nsent, nanswered, ok, other, failed, late;
static double *lat;
static char **tokens;
static long ntokens;
static const char *bearer, *hostport;
static char host[256];
static struct event *tick;
static char run_id[40]; /* request_ids must be new for every run on a terminal */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void finish_if_done(void)
{
	if (nsent == total && nanswered == total)
		event_base_loopbreak(base);
}

static void answered(struct evhttp_request *req, void *arg)
{
	struct sent *s = arg;
	int code = req ? evhttp_request_get_response_code(req) : 0;

	lat[nanswered++] = now() - s->sched;
	s->conn->outstanding--;
	if (code == 201)
		ok++;
	else if (code > 0)
		other++;
	else
		failed++;
	free(s);
	finish_if_done();
}

static void send_one(double sched)
{
	struct conn *c = &conns[0];
	struct sent *s = malloc(sizeof *s);
	struct evhttp_request *req;
	struct evkeyvalq *h;
	char auth[256];
	long i = nsent++;

	for (int k = 1; k < nconns; k++)
		if (conns[k].outstanding < c->outstanding)
			c = &conns[k];
	s->sched = sched;
	s->conn = c;
	req = evhttp_request_new(answered, s);
	h = evhttp_request_get_output_headers(req);
	snprintf(auth, sizeof auth, "Bearer %s", bearer);
	evhttp_add_header(h, "Host", hostport);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Authorization", auth);
	evbuffer_add_printf(
	    evhttp_request_get_output_buffer(req),
	    "{\"voucher\": \"%s\", \"amount\": 25000, \"request_id\": \"rate-%s-%ld\"}",
	    tokens[i % ntokens], run_id, i);
	c->outstanding++;
	if (evhttp_make_request(c->c, req, EVHTTP_REQ_POST, "/v1/redeem") != 0) {
		fprintf(stderr, "rate: cannot send\n");
		exit(1);
	}
}

/* Every millisecond: send all the requests whose time has come. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	double t = now();
	long due = (long)((t - start) * rate) + 1;

	(void)fd;
	(void)what;
	(void)arg;
	if (due > total)
		due = total;
	while (nsent < due) {
		double sched = start + nsent / rate;
		if (t - sched > 0.002)
			late++;
		send_one(sched);
	}
	if (nsent == total) {
		event_del(tick);
		finish_if_done();
	}
}

static void give_up(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	long i = (long)(p * nanswered);

	if (nanswered == 0)
		return 0;
	return lat[i >= nanswered ? nanswered - 1 : i] * 1e3;
}

static void read_tokens(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long cap = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (ntokens == cap) {
			cap = cap ? 2 * cap : 4096;
			tokens = realloc(tokens, (size_t)cap * sizeof *tokens);
		}
		tokens[ntokens++] = strdup(line);
	}
	fclose(f);
	if (!ntokens) {
		fprintf(stderr, "rate: %s holds no tokens\n", path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *tokfile = NULL;
	struct timeval every = {0, 1000}, grace;
	struct event_config *cfg;
	struct event *stop;
	char *colon;
	int port;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--target") == 0)
			hostport = argv[i + 1];
		else if (strcmp(argv[i], "--tokens") == 0)
			tokfile = argv[i + 1];
		else if (strcmp(argv[i], "--bearer") == 0)
			bearer = argv[i + 1];
		else if (strcmp(argv[i], "--rate") == 0)
			rate = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--connections") == 0)
			nconns = atoi(argv[i + 1]);
	}
	if (!hostport || !tokfile || !bearer || rate <= 0 || seconds <= 0 || nconns < 1 ||
	    !(colon = strrchr(hostport, ':')) || (size_t)(colon - hostport) >= sizeof host) {
		fprintf(stderr, "usage: rate --target HOST:PORT --tokens FILE --bearer TOKEN "
		                "[--rate 1000] [--seconds 10] [--connections 16]\n");
		return 2;
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	port = atoi(colon + 1);
	snprintf(run_id, sizeof run_id, "%lx-%x", (long)time(NULL), (unsigned)getpid());
	read_tokens(tokfile);
	total = (long)(rate * seconds);
	if (total > ntokens)
		fprintf(stderr, "rate: warning: %ld requests but %ld tokens; some repeat\n", total,
		        ntokens);
	lat = calloc((size_t)total, sizeof *lat);
	/* Without a precise timer (timerfd), epoll's millisecond timeouts are
	 * rounded up to the kernel's tick: a 1 ms timer fired every 4 ms here. */
	cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	conns = calloc((size_t)nconns, sizeof *conns);
	for (int k = 0; k < nconns; k++) {
		conns[k].c = evhttp_connection_base_new(base, NULL, host, (ev_uint16_t)port);
		evhttp_connection_set_timeout(conns[k].c, 10);
	}
	tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
	grace.tv_sec = (long)seconds + 10;
	grace.tv_usec = 0;
	stop = evtimer_new(base, give_up, NULL);
	evtimer_add(stop, &grace);
	start = now();
	event_add(tick, &every);
	event_base_dispatch(base);

	failed += nsent - nanswered; /* unanswered at the end */
	qsort(lat, (size_t)nanswered, sizeof *lat, cmp);
	printf("%.0f/s for %.0f s on %d connections: sent %ld (%ld late by > 2 ms), 201: %ld, "
	       "other: %ld, no answer: %ld\n",
	       rate, seconds, nconns, nsent, late, ok, other, failed);
	printf("latency from the scheduled send: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max "
	       "%.2f ms\n",
	       pct(0.50), pct(0.99), pct(0.999), pct(1.0));
	printf("RESULT sent=%ld ok=%ld other=%ld failed=%ld late=%ld p50_ms=%.3f p99_ms=%.3f "
	       "p999_ms=%.3f max_ms=%.3f\n",
	       nsent, ok, other, failed, late, pct(0.50), pct(0.99), pct(0.999), pct(1.0));
	for (int k = 0; k < nconns; k++)
		evhttp_connection_free(conns[k].c);
	event_free(tick);
	event_free(stop);
	event_base_free(base);
	return 0;
}
