/*
 * The store's test fixture, shared by tests/test_store.c (money) and
 * tests/test_store_journal.c (journal and receipts): a store in a
 * temporary directory with its writer on an event loop, three terminals,
 * and helpers that run operations through the writer and read the journal.
 */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include "testutil.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <lmdb.h>
#include <openssl/evp.h>

#include "file.h"
#include "journal.h"
#include "keyring.h"
#include "log.h"
#include "sig.h"
#include "store.h"
#include "store_impl.h" /* the records, for a test of older ones */

#define NOW       1795000000 /* 2026-11-18 11:06:40 UTC, 18:06:40 WIB */
#define WIB       25200
#define TIMEOUT_S 60

struct fixture {
	char *dir;
	char db[4200];
	store *s;
	struct event_base *base;
	char tok[3][TERMINAL_TOKEN_LEN + 1];
	uint32_t id[3];
	terminal t[3]; /* t[0], t[1]: merchant M1; t[2]: merchant M2 */
};

/* ---- running operations through the writer ---- */

struct waiter {
	struct event_base *base;
	int want, got, timed_out;
};

static void on_done(void *arg)
{
	struct waiter *w = arg;

	if (++w->got == w->want)
		event_base_loopbreak(w->base);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *w = arg;

	(void)fd;
	(void)what;
	w->timed_out = 1;
	event_base_loopbreak(w->base);
}

/* Loop until w->want completions (or the watchdog fires). */
static void wait_for(struct fixture *f, struct waiter *w)
{
	struct timeval tv = {TIMEOUT_S, 0};
	struct event *dog = evtimer_new(f->base, on_timeout, w);

	assert_non_null(dog);
	evtimer_add(dog, &tv);
	if (w->got < w->want)
		assert_int_equal(event_base_loop(f->base, 0), 0);
	event_free(dog);
	assert_false(w->timed_out);
	assert_int_equal(w->got, w->want);
}

/* Submit ops[0..n) together and wait for all of them. */
static void run(struct fixture *f, op *ops, int n)
{
	struct waiter w = {f->base, n, 0, 0};

	for (int i = 0; i < n; i++) {
		ops[i].done = (task){on_done, &w, NULL};
		store_submit(f->s, &ops[i]);
	}
	wait_for(f, &w);
}

static void run1(struct fixture *f, op *o)
{
	run(f, o, 1);
}

static voucher mkv(uint64_t serial, uint32_t face, bool multi, int year, int month)
{
	voucher v;

	memset(&v, 0, sizeof v);
	v.flags = multi ? VOUCHER_FLAG_MULTI : 0;
	tag_of("issuer", "PROBOLINGGO", v.issuer_tag);
	tag_of("kid", "K1", v.kid_tag);
	v.serial = serial;
	v.year = (uint16_t)year;
	v.month = (uint8_t)month;
	v.valid_from = 1793466000;  /* 2026-11-01 00:00 WIB */
	v.valid_until = 1796317200; /* 2026-12-04 00:00 WIB */
	v.face_value = face;
	return v;
}

static op redeem(const terminal *t, const voucher *v, int64_t amount, const char *request_id,
                 uint8_t body, int64_t now)
{
	op o;

	memset(&o, 0, sizeof o);
	o.kind = OP_REDEEM;
	o.term = *t;
	o.v = *v;
	o.amount = amount;
	snprintf(o.request_id, sizeof o.request_id, "%s", request_id);
	memset(o.body_hash, body, sizeof o.body_hash);
	o.now = now;
	o.tz_offset = WIB;
	return o;
}

static op void_op(const terminal *t, const char *rid, int64_t now)
{
	op o;

	memset(&o, 0, sizeof o);
	o.kind = OP_VOID;
	o.term = *t;
	snprintf(o.rid, sizeof o.rid, "%s", rid);
	o.now = now;
	o.tz_offset = WIB;
	return o;
}

static inline int64_t remaining(struct fixture *f, uint64_t serial)
{
	vstate st;

	assert_int_equal(store_voucher_get(f->s, serial, &st), ERR_OK);
	return st.remaining;
}

/* ---- fixture ---- */

static void start(struct fixture *f)
{
	assert_int_equal(store_open(f->db, 0, &f->s), ERR_OK);
	assert_int_equal(store_start(f->s, f->base), ERR_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	static const char *merchant[3] = {"M1", "M1", "M2"}, *gallery[3] = {"G1", "G2", "G9"};

	log_init("test", LOGL_WARN);
	f->dir = tmpdir_make();
	snprintf(f->db, sizeof f->db, "%s/db", f->dir);
	f->base = event_base_new();
	assert_non_null(f->base);
	start(f);
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "Kasir %d", i + 1);
		assert_int_equal(
		    store_terminal_add(f->s, merchant[i], name, gallery[i], f->tok[i], &f->id[i]),
		    ERR_OK);
		assert_int_equal(store_terminal_auth(f->s, f->tok[i], strlen(f->tok[i]), &f->t[i]),
		                 ERR_OK);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	event_base_free(f->base);
	tmpdir_remove(f->dir);
	free(f);
	sig_thread_done();
	return 0;
}

#endif
