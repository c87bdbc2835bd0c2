/*
 * Group commit: one writer thread takes every operation queued since its
 * last commit (up to MAX_BATCH), runs them in one transaction, signs their
 * receipts, commits (LMDB syncs before mdb_txn_commit returns), and only
 * then hands them back to the event loop, whose task for each answers its
 * request. Nothing is acknowledged before the commit that records it is on
 * disk; a batch that fails records nothing and every operation in it gets
 * the failure.
 */
#include "store_impl.h"

#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"

#define MAX_BATCH 1024

/* Histogram bucket of v: below first, then doubling, 8 buckets. */
static unsigned bucket(uint64_t v, uint64_t first)
{
	unsigned b = 0;

	while (b < 7 && v >= first) {
		v >>= 1;
		b++;
	}
	return b;
}

/* Take what is queued, up to MAX_BATCH: never wait for more. NULL once
 * stopping with nothing left. *n gets the count, *tail the last next. */
static op *take_batch(store *s, uint64_t *n, op ***tail)
{
	op *batch, *o;

	pthread_mutex_lock(&s->lock);
	while (!s->queue && !s->stopping)
		pthread_cond_wait(&s->wake, &s->lock);
	batch = s->queue;
	*n = 0;
	*tail = &s->queue;
	for (o = batch; o && *n < MAX_BATCH; o = o->next, (*n)++)
		*tail = &o->next;
	s->queue = **tail;
	**tail = NULL;
	if (!s->queue)
		s->queue_tail = &s->queue;
	pthread_mutex_unlock(&s->lock);
	return batch;
}

/* One transaction for the batch; 0, an LMDB error or -1 (signing). */
static int commit_batch(store *s, op *batch)
{
	MDB_txn *txn = NULL;
	int rc = txn_begin(s, 0, &txn);

	/* A batch again after a full map: nothing of the first try holds. */
	s->nheads = 0;
	for (op *o = batch; o; o = o->next) {
		o->replay = o->in_tree = false;
		o->recorded = 0;
		o->seq = 0;
		o->receipt[0] = '\0';
	}
	for (op *o = batch; o && rc == 0; o = o->next)
		rc = o->kind == OP_REDEEM ? spend_redeem(s, txn, o) : spend_void(s, txn, o);
	if (rc == 0)
		rc = spend_finish_batch(s, txn, batch);
	if (rc == 0)
		return txn_commit(s, txn); /* durable: synced before it returns */
	if (txn)
		txn_abort(s, txn);
	return rc;
}

/* Grow the full map, with no transaction open in the process. false if
 * it cannot grow (map_size_max_mb, or the disk). */
static bool grow_map(store *s)
{
	size_t now, want;
	int rc = 0;

	pthread_rwlock_wrlock(&s->map);
	want = map_room(s, &now);
	if (want > now)
		rc = mdb_env_set_mapsize(s->env, want);
	pthread_rwlock_unlock(&s->map);
	if (want > now && rc == 0) {
		LOG(LOGL_INFO, "database map grown from %zu to %zu MiB", now >> 20, want >> 20);
		return true;
	}
	LOG(LOGL_ERROR, "database map full at %zu MiB: %s", now >> 20,
	    rc ? mdb_strerror(rc) : "no room to grow (map_size_max_mb, or the disk)");
	return false;
}

static void *writer_main(void *arg)
{
	store *s = arg;
	op *batch, **tail;
	uint64_t n, us;

	while ((batch = take_batch(s, &n, &tail)) != NULL) {
		struct timespec t0, t1;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = commit_batch(s, batch);
		/* A batch the map has no room for: the same batch again in a larger
		 * map (what it did was undone with its transaction). */
		while (rc == MDB_MAP_FULL && grow_map(s))
			rc = commit_batch(s, batch);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc != 0) {
			err e = rc == -1 ? ERR_CRYPTO : db_err(rc, "commit");
			/* Nothing of the batch was recorded: nothing is acknowledged. */
			for (op *o = batch; o; o = o->next) {
				o->rc = e;
				o->replay = false;
			}
		}
		us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
		                (t1.tv_nsec - t0.tv_nsec) / 1000);

		pthread_mutex_lock(&s->lock);
		s->space_short = db_full(rc);
		s->stats.batches++;
		s->stats.ops += n;
		s->stats.commit_us_total += us;
		if (us > s->stats.commit_us_max)
			s->stats.commit_us_max = us;
		s->stats.batch_hist[bucket(n, 2)]++;
		s->stats.commit_hist[bucket(us, 500)]++;
		*s->done_tail = batch;
		s->done_tail = tail;
		pthread_mutex_unlock(&s->lock);
		event_active(s->notify, EV_READ, 0);
	}
	sig_thread_done(); /* the receipt signing context */
	return NULL;
}

/* On the event loop: hand every finished operation back. */
static void deliver(evutil_socket_t fd, short what, void *arg)
{
	store *s = arg;
	op *o;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&s->lock);
	o = s->done;
	s->done = NULL;
	s->done_tail = &s->done;
	pthread_mutex_unlock(&s->lock);
	while (o) {
		op *next = o->next;
		o->next = NULL;
		o->done.fn(o->done.arg);
		o = next;
	}
}

err store_start(store *s, struct event_base *base)
{
	if (!(s->notify = event_new(base, -1, 0, deliver, s)))
		return ERR_NOMEM;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
		return ERR_INTERNAL;
	s->started = true;
	return ERR_OK;
}

void store_submit(store *s, op *o)
{
	o->next = NULL;
	pthread_mutex_lock(&s->lock);
	*s->queue_tail = o;
	s->queue_tail = &o->next;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void store_finish(store *s, op *o)
{
	o->next = NULL;
	pthread_mutex_lock(&s->lock);
	*s->done_tail = o;
	s->done_tail = &o->next;
	pthread_mutex_unlock(&s->lock);
	event_active(s->notify, EV_READ, 0);
}

void store_stop(store *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	s->started = false;
	deliver(-1, 0, s);
}

void store_get_stats(store *s, store_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->lock);
}
