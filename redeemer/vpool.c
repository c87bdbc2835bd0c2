#include "vpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sig.h"

#define THREADS_MAX 16

struct vpool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	vjob *queue, **queue_tail; /* first in, first out */
	bool stopping;
	pthread_t threads[THREADS_MAX];
	int nthreads;
};

static void *worker(void *arg)
{
	vpool *p = arg;
	vjob *j;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->queue && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if (!(j = p->queue)) {
			pthread_mutex_unlock(&p->lock);
			sig_thread_done(); /* this thread's verify context */
			return NULL;
		}
		if (!(p->queue = j->next))
			p->queue_tail = &p->queue;
		pthread_mutex_unlock(&p->lock);
		j->next = NULL;
		j->work(j);
	}
}

err vpool_start(int threads, vpool **out)
{
	vpool *p = calloc(1, sizeof *p);

	if (!p)
		return ERR_NOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->queue_tail = &p->queue;
	threads = threads < 1 ? 1 : threads > THREADS_MAX ? THREADS_MAX : threads;
	for (; p->nthreads < threads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0)
			break;
	if (p->nthreads == 0) {
		vpool_free(p);
		return ERR_INTERNAL;
	}
	*out = p;
	return ERR_OK;
}

void vpool_submit(vpool *p, vjob *j)
{
	j->next = NULL;
	pthread_mutex_lock(&p->lock);
	*p->queue_tail = j;
	p->queue_tail = &j->next;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void vpool_stop(vpool *p)
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

void vpool_free(vpool *p)
{
	if (!p)
		return;
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
