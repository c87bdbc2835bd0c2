/*
 * The service the request harnesses (fuzz_request, fuzz_route) drive: a
 * store made once in a temporary directory under /tmp with one terminal
 * (merchant M1 at gallery DEKRANASDA, which sets offline limits of its
 * own), the keyring of fuzz_keys.h, a revocation list of one serial, and
 * the clock held at 2026-12-15 12:00 WIB, so that the seeds' vouchers of
 * 2026-12 redeem whatever the date the harness runs.
 *
 * The voucher's checks run on the caller's thread: a harness is linked with
 * --wrap=pool_submit (the Makefile), and __wrap_pool_submit runs the task at
 * once instead of handing it to a worker; a hand-over to another thread and
 * back for every input cost more than the input while the other core was
 * busy, and which thread runs the checks is not what is fuzzed. The store's
 * writer thread is not started: this file defines pending_submit and
 * pending_finish, which the linker then takes instead of
 * redeemer/pending.o's; they check what reaches the store, and hand the
 * request to the event loop, where it is answered as the writer would (a
 * sale, an offline sale, a conflict, a void, or the refusal of the checks)
 * through the request's own continuation (p->o.done), which frees it.
 *
 * A sale reaches the store only when its voucher verifies, is in date, not
 * revoked, valid at the terminal's gallery, with an amount of 1..2^32-1 and
 * a good request_id; an offline one only within its gallery's limits, at a
 * time not ahead of the clock, and otherwise as a conflict, with the
 * reason. A void reaches it only from the terminal, for the redemption id
 * the harness expects (void_expected); the writer stand-in knows one
 * redemption, VOID_KNOWN, and answers any other as not found.
 *
 * fixture_serve hands a request to an endpoint as evhttp would after
 * reading it, and runs the loop until its reply: a request without a
 * connection is freed by evhttp_send_reply, so a missing reply is a leak
 * and a second one a use after free. Every request gets exactly one reply,
 * never a 5xx (nothing a client sends is a server error).
 */
#ifndef SERVICE_FIXTURE_H
#define SERVICE_FIXTURE_H
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/thread.h>
#include <sanitizer/lsan_interface.h>

#include "../../redeemer/http.h"
#include "fuzz_keys.h"
#include "log.h"

#define REVOKED_SERIAL 0x00000000DEADBEEFULL

static service sv;
static char dir[64], bearer[8 + TERMINAL_TOKEN_LEN + 1];
static uint32_t term_id;
static uint8_t gallery_tag[TAG_LEN];
static uint64_t revoked[1] = {REVOKED_SERIAL};
/* Offline: the terminal's gallery sets its own limits. */
static const gallery_limits galleries[] = {{"DEKRANASDA", {50000, 200000, 86400}}};
static uint64_t submitted;
/* The redemption the writer stand-in knows (any other is not found), and the
 * one void the harness expects to reach the store (NULL: none). */
#define VOID_KNOWN "R-FUZZ0001-202612-1"
static const char *void_expected;
static uint64_t voids;
/* Whether the request is a typed code the harness expects found. */
static bool code_expected;
static struct event_base *base;
static struct event *handoff, *watchdog;
static pthread_mutex_t handed_lock = PTHREAD_MUTEX_INITIALIZER;
static pending *handed;   /* from the worker to the loop */
static bool handed_write; /* to be written, or refused */
static bool timed_out, warm;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	pool_stop(sv.verifiers);
	pool_free(sv.verifiers);
	if (handoff)
		event_free(handoff);
	if (watchdog)
		event_free(watchdog);
	if (base)
		event_base_free(base);
	store_close(sv.st);
	keyring_free(sv.kr);
	free(sv.auth);
	free(sv.code_fails);
	if (dir[0])
		nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static bool request_id_ok(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return n >= 1 && n <= REQUEST_ID_MAX;
}

static void hand(pending *p, bool write)
{
	pthread_mutex_lock(&handed_lock);
	if (handed)
		__builtin_trap(); /* one request at a time */
	handed = p;
	handed_write = write;
	pthread_mutex_unlock(&handed_lock);
	event_active(handoff, EV_READ, 0);
}

void __real_pool_submit(pool *p, task *t);

/* The verify pool's task, run at once on the caller's thread. */
void __wrap_pool_submit(pool *p, task *t)
{
	(void)p;
	t->fn(t->arg);
}

/* Instead of the writer thread, after the checks: check what reaches it, and
 * hand it to the loop to be answered. An offline sale reaches it either
 * way: as a sale, or judged a conflict, with the reason. */
void pending_submit(pending *p)
{
	static const uint8_t any[TAG_LEN];
	const offline_limits *l = offline_limits_of(&sv.offline, "DEKRANASDA");
	op *o = &p->o;

	if (o->kind == OP_VOID) {
		if (!void_expected || strcmp(o->rid, void_expected) != 0 || o->term.id != term_id)
			__builtin_trap();
		voids++;
		hand(p, true);
		return;
	}
	if (o->kind != OP_REDEEM || o->term.id != term_id || o->amount < 1 ||
	    o->amount > UINT32_MAX || !request_id_ok(o->request_id))
		__builtin_trap();
	if (o->uploaded && (o->uploaded != sv.clock || o->now < 1 ||
	                    o->now > sv.clock + REVLIST_SKEW || o->conflict != (p->why != NULL)))
		__builtin_trap();
	if (o->uploaded && o->conflict) {
		hand(p, true);
		return;
	}
	if (voucher_verify(&o->v, sv.kr, NULL) != ERR_OK ||
	    voucher_check_time(&o->v, o->now) != ERR_OK || revlist_has(&sv.rl, o->v.serial) ||
	    (memcmp(o->v.gallery_tag, any, TAG_LEN) != 0 &&
	     memcmp(o->v.gallery_tag, gallery_tag, TAG_LEN) != 0))
		__builtin_trap();
	if (o->uploaded && (o->amount > l->sale_max || o->uploaded - o->now > l->session_seconds))
		__builtin_trap();
	hand(p, true);
}

/* Instead of the store's store_finish: a refusal, or a typed code found,
 * back to the loop. */
void pending_finish(pending *p)
{
	if (p->o.rc == ERR_OK && !code_expected)
		__builtin_trap();
	hand(p, false);
}

/* On the loop: answer the handed request as the writer would. */
static void answer(evutil_socket_t fd, short what, void *arg)
{
	pending *p;
	op *o;
	bool write;

	(void)fd, (void)what, (void)arg;
	pthread_mutex_lock(&handed_lock);
	p = handed;
	write = handed_write;
	handed = NULL;
	pthread_mutex_unlock(&handed_lock);
	if (!p)
		__builtin_trap();
	if (!write) {
		p->o.done.fn(p->o.done.arg);
		return;
	}
	o = &p->o;
	if (o->kind == OP_VOID) {
		o->rc = strcmp(o->rid, VOID_KNOWN) == 0 ? ERR_OK : ERR_NOT_FOUND;
		o->serial = 0x0123456789ABCDEFULL;
		o->debited = 25000;
		o->remaining = 50000;
		snprintf(o->receipt, sizeof o->receipt, "UV2|%s", o->rid);
		o->done.fn(o->done.arg);
		return;
	}
	submitted++;
	o->serial = o->v.serial;
	o->remaining = o->v.face_value;
	if (o->uploaded && (o->conflict || o->amount > o->v.face_value)) {
		/* An offline sale the voucher cannot give: a conflict, recorded. */
		o->rc = ERR_OFFLINE_CONFLICT;
		o->debited = o->amount;
	} else if (o->amount > o->v.face_value) {
		o->rc = ERR_INSUFFICIENT_BALANCE;
		o->done.fn(o->done.arg);
		return;
	} else {
		o->rc = ERR_OK;
		o->debited = o->amount;
		o->remaining = o->v.face_value - o->amount;
	}
	snprintf(o->rid, sizeof o->rid, "R-FUZZ0001-%llu", (unsigned long long)submitted);
	snprintf(o->receipt, sizeof o->receipt, "%s|%s",
	         o->rc == ERR_OFFLINE_CONFLICT ? "URC2"
	         : o->uploaded                 ? "URO2"
	                                       : "UR2",
	         o->rid);
	o->done.fn(o->done.arg);
}

static void too_slow(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	timed_out = true;
}

/*
 * OpenSSL keeps per-thread state (its error stack) that a thread allocates
 * on its first verify and frees when the thread ends. LeakSanitizer cannot
 * see where it is kept, and the thread outlives every input: a verify made
 * here first, with leak detection off, keeps it out of the per-input leak
 * checks.
 */
static void warm_up(void *arg)
{
	static const uint8_t sig[SIG_LEN];

	(void)arg;
	__lsan_disable();
	sig_verify(keyring_at(sv.kr, 0)->verifier, sig, 1, sig);
	__lsan_enable();
	__atomic_store_n(&warm, true, __ATOMIC_RELEASE);
}

static void init(void)
{
	static task first = {warm_up, NULL, NULL};
	char token[TERMINAL_TOKEN_LEN + 1];

	log_init("fuzz", LOGL_OFF);
	evthread_use_pthreads();
	pthread_rwlock_init(&sv.keys_lock, NULL);
	strcpy(dir, "/tmp/fuzz-service.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	sv.tz = tzone_find("Asia/Jakarta");
	sv.clock = 1797310800; /* 2026-12-15T05:00:00Z */
	if (store_open(dir, (size_t)16 << 20, &sv.st) != ERR_OK ||
	    store_terminal_add(sv.st, "M1", "Kasir 1", "DEKRANASDA", token, &term_id) != ERR_OK)
		abort();
	snprintf(bearer, sizeof bearer, "Bearer %s", token);
	tag_of("gallery", "DEKRANASDA", gallery_tag);
	sv.kr = fuzz_keyring();
	if (!(sv.auth = calloc(AUTH_SLOTS, sizeof *sv.auth)))
		abort();
	sv.offline = (offline_config){{100000, 300000, 3 * 86400}, galleries, 1};
	sv.rl.serials = revoked;
	sv.rl.n = 1;
	sv.rl.text =
	    (char *)"the list's text, as served to the page"; /* as revlist_load keeps it */
	sv.rl.text_len = strlen(sv.rl.text);
	sv.have_rl = true;
	if (!(base = event_base_new()) || !(handoff = event_new(base, -1, 0, answer, NULL)) ||
	    !(watchdog = evtimer_new(base, too_slow, NULL)) ||
	    pool_start(1, &sv.verifiers) != ERR_OK)
		abort();
	pool_submit(sv.verifiers, &first);
	while (!__atomic_load_n(&warm, __ATOMIC_ACQUIRE))
		usleep(1000);
}

/* The replies sent with a status in [from, to). Uninstrumented: summed
 * several times an input, its 500 comparisons were a fifth of the time. */
__attribute__((no_sanitize("coverage", "address"), noinline)) static uint64_t replies(int from,
                                                                                      int to)
{
	uint64_t n = 0;

	for (int s = from; s < to; s++)
		n += sv.m.by_status[s];
	return n;
}

/* Hands req to endpoint as evhttp would after reading it, and runs the loop
 * until its reply (a voucher goes to the verify pool, a sale or a void to
 * the writer stand-in); traps unless there is exactly one, and not a 5xx. */
static void fixture_serve(struct evhttp_request *req,
                          void (*endpoint)(struct evhttp_request *, service *))
{
	static const struct timeval patience = {5, 0};
	uint64_t all = replies(100, 600), errors = replies(500, 600);

	endpoint(req, &sv); /* req is freed by its reply */
	timed_out = false;
	evtimer_add(watchdog, &patience);
	while (replies(100, 600) == all && !timed_out)
		event_base_loop(base, EVLOOP_ONCE);
	evtimer_del(watchdog);
	if (timed_out || replies(100, 600) != all + 1 || replies(500, 600) != errors)
		__builtin_trap();
}

#endif
