#include "pool.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "sig.h"

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	task *queue, **tail; /* first in, first out */
	bool stopping;
	pthread_t threads[POOL_THREADS_MAX];
	int nthreads;
};

static void *worker(void *arg)
{
	pool *p = arg;
	task *t;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->queue && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if (!(t = p->queue)) {
			pthread_mutex_unlock(&p->lock);
			sig_thread_done();
			return NULL;
		}
		if (!(p->queue = t->next))
			p->tail = &p->queue;
		pthread_mutex_unlock(&p->lock);
		t->next = NULL;
		t->fn(t->arg);
	}
}

err pool_start(int threads, pool **out)
{
	pool *p = calloc(1, sizeof *p);

	if (!p)
		return ERR_NOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->tail = &p->queue;
	if (threads > POOL_THREADS_MAX)
		threads = POOL_THREADS_MAX;
	for (; p->nthreads < threads; p->nthreads++) {
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0) {
			pool_stop(p);
			pool_free(p);
			return ERR_INTERNAL;
		}
	}
	*out = p;
	return ERR_OK;
}

int pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > POOL_THREADS_MAX ? POOL_THREADS_MAX : (int)n;
}

void pool_submit(pool *p, task *t)
{
	t->next = NULL;
	pthread_mutex_lock(&p->lock);
	*p->tail = t;
	p->tail = &t->next;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void pool_stop(pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	p->nthreads = 0;
}

void pool_free(pool *p)
{
	if (!p)
		return;
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Take indices of f one at a time until none is left or one has failed. */
static void take_part(pool_for *f)
{
	for (;;) {
		size_t i;
		err rc;

		if (__atomic_load_n(&f->rc, __ATOMIC_RELAXED) != ERR_OK)
			return;
		if ((i = __atomic_fetch_add(&f->next, 1, __ATOMIC_RELAXED)) >= f->n)
			return;
		if ((rc = f->fn(f->ctx, i)) != ERR_OK) {
			pthread_mutex_lock(&f->lock);
			if (f->rc == ERR_OK)
				f->rc = rc;
			pthread_mutex_unlock(&f->lock);
		}
	}
}

static void for_worker(void *arg)
{
	pool_for *f = arg;

	take_part(f);
	pthread_mutex_lock(&f->lock);
	if (--f->running == 0)
		pthread_cond_signal(&f->idle);
	pthread_mutex_unlock(&f->lock);
}

void pool_for_start(pool *p, pool_for *f, size_t n, err (*fn)(void *ctx, size_t i), void *ctx)
{
	int k = p->nthreads < 0 ? 0 : p->nthreads;

	f->fn = fn;
	f->ctx = ctx;
	f->n = n;
	f->next = 0;
	f->rc = ERR_OK;
	if ((size_t)k > n)
		k = (int)n;
	f->running = k;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->idle, NULL);
	for (int i = 0; i < k; i++) {
		f->tasks[i] = (task){for_worker, f, NULL};
		pool_submit(p, &f->tasks[i]);
	}
}

err pool_for_wait(pool_for *f)
{
	err rc;

	take_part(f);
	pthread_mutex_lock(&f->lock);
	while (f->running > 0)
		pthread_cond_wait(&f->idle, &f->lock);
	rc = f->rc;
	pthread_mutex_unlock(&f->lock);
	pthread_cond_destroy(&f->idle);
	pthread_mutex_destroy(&f->lock);
	return rc;
}

err pool_for_all(pool *p, size_t n, err (*fn)(void *ctx, size_t i), void *ctx)
{
	pool_for f;

	pool_for_start(p, &f, n, fn, ctx);
	return pool_for_wait(&f);
}
