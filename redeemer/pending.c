#include "pending.h"

#include <stdlib.h>

static void finished(op *o)
{
	pending *p = (pending *)o;

	p->reply(p);
	free(p);
}

void pending_submit(pending *p)
{
	p->o.done = finished;
	store_submit(p->sv->st, &p->o);
}

void pending_finish(pending *p)
{
	p->o.done = finished;
	store_finish(p->sv->st, &p->o);
}
