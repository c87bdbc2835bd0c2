/*
 * vpool: worker threads for the CPU-heavy part of a request (an Ed25519
 * verify is about 80 us), so that the event loop only parses and answers
 * and every core verifies.
 *
 * A job's work() runs on a worker. If it returns true, the job's done()
 * runs later on the event loop's thread; if false, work() has handed the
 * job on (to the store, whose completion comes back on the loop itself).
 */
#ifndef VPOOL_H
#define VPOOL_H

#include <stdbool.h>

#include "err.h"

struct event_base;

typedef struct vjob {
	bool (*work)(struct vjob *j);
	void (*done)(struct vjob *j);
	struct vjob *next;
} vjob;

typedef struct vpool vpool;

/* Start threads workers (at least 1); done() runs on base's thread. */
err vpool_start(struct event_base *base, int threads, vpool **out);

/* Queue j. Thread-safe. */
void vpool_submit(vpool *p, vjob *j);

/* Let the workers finish what is queued, join them, and run the done()
 * that are left, on the calling (event loop's) thread. */
void vpool_stop(vpool *p);

/* After vpool_stop. */
void vpool_free(vpool *p);

#endif
