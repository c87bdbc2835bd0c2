/*
 * pending: a request waiting for the writer thread.
 *
 * libevent keeps a request the callback has not answered alive even if its
 * client goes away (it detaches it from the connection), and frees it when
 * the reply is sent, so the reply is always sent, late or not.
 */
#ifndef PENDING_H
#define PENDING_H

#include "server.h"
#include "store.h"

typedef struct pending {
	op o; /* first: the store hands back &o */
	server *sv;
	struct evhttp_request *req;
	void (*reply)(struct pending *p);
	vjob job; /* a redemption on its way through the verify pool */
} pending;

/* Submit p->o to the store; reply(p) runs once it is committed (or
 * refused), then p is freed. */
void pending_submit(pending *p);

/* Hand p back without writing: reply(p) runs on the loop with p->o.rc. */
void pending_finish(pending *p);

#endif
