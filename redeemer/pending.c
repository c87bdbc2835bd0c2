/*
 * The hand-over from a verify worker to the writer. Its own file: the
 * request fuzzer (tests/fuzz/fuzz_request.c) puts its own in its place.
 */
#include "http.h"

void pending_submit(pending *p)
{
	store_submit(p->sv->st, &p->o);
}

void pending_finish(pending *p)
{
	store_finish(p->sv->st, &p->o);
}
