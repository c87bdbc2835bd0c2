/*
 * vpool: worker threads for the CPU-heavy part of a request (an Ed25519
 * verify is about 80 us), so that the event loop only parses and answers
 * and every core verifies. A job's work() runs on a worker and hands the
 * job on itself (to the store, whose completions come back on the loop).
 */
#ifndef VPOOL_H
#define VPOOL_H

#include "err.h"

typedef struct vjob {
	void (*work)(struct vjob *j);
	struct vjob *next;
} vjob;

typedef struct vpool vpool;

/* Start threads workers (at least 1). */
err vpool_start(int threads, vpool **out);

/* Queue j. Thread-safe. */
void vpool_submit(vpool *p, vjob *j);

/* Let the workers finish what is queued and join them. */
void vpool_stop(vpool *p);

/* After vpool_stop. */
void vpool_free(vpool *p);

#endif
