/*
 * pool: worker threads for the CPU-heavy part of the work (an Ed25519
 * signature or verification is 30-80 us), used two ways:
 *
 * - pool_submit queues a task, whose fn(arg) runs on a worker: the
 *   redeemer verifies each voucher so, off its event loop;
 * - pool_for runs fn(ctx, i) for every i in [0, n) on the workers and the
 *   calling thread, and returns when all are done: the issuer signs and
 *   renders so, and reconcile checks receipts so (pool_for_start and
 *   pool_for_wait, to read the next batch meanwhile).
 *
 * A worker frees its thread's signing and verifying contexts
 * (sig_thread_done) before it ends.
 */
#ifndef POOL_H
#define POOL_H

#include <pthread.h>
#include <stddef.h>

#include "err.h"

#define POOL_THREADS_MAX 64

/*
 * A continuation: fn(arg), on whichever thread takes it. The one way work
 * crosses threads here: the redeemer's requests carry one from the loop to
 * a worker, and another from the writer back to the loop.
 */
typedef struct task {
	void (*fn)(void *arg);
	void *arg;
	struct task *next; /* while queued */
} task;

typedef struct pool pool;

/* Start threads workers (0..POOL_THREADS_MAX; 0 runs every pool_for on the
 * caller alone). ERR_NOMEM, or ERR_INTERNAL if a thread cannot start. */
err pool_start(int threads, pool **out);

/* The number of CPUs online, at least 1: a default for threads. */
int pool_cpus(void);

/* Queue t; t->fn(t->arg) runs on a worker. p has at least one worker.
 * Thread-safe. t must stay alive until its fn runs. */
void pool_submit(pool *p, task *t);

/* Let the workers finish what is queued and join them. NULL is allowed. */
void pool_stop(pool *p);

/* After pool_stop. NULL is allowed. */
void pool_free(pool *p);

/*
 * A run of fn(ctx, i) for i in [0, n). The fields are pool.c's; the caller
 * only gives the memory, which must stay put until pool_for_wait returns.
 */
typedef struct pool_for {
	err (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n, next;
	err rc;      /* the first failure: no new index starts after it */
	int running; /* workers still in the run */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	task tasks[POOL_THREADS_MAX];
} pool_for;

/* Start the run on p's workers and return at once. */
void pool_for_start(pool *p, pool_for *f, size_t n, err (*fn)(void *ctx, size_t i), void *ctx);

/* Take part in the run on this thread until it is done; its first failure,
 * or ERR_OK. */
err pool_for_wait(pool_for *f);

/* pool_for_start and pool_for_wait. */
err pool_for_all(pool *p, size_t n, err (*fn)(void *ctx, size_t i), void *ctx);

#endif
