/*
 * server: the redeemer's HTTP service: its event loop, connections,
 * signals, and the routes to the endpoints (redeemer/http.h).
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

#include "period.h"

typedef struct server_config {
	const char *db, *keyring, *revocations, *listen;
	const char *tls_cert, *tls_key; /* HTTPS when both are given */
	const tzone *tz;                /* the local day of voids: Asia/Jakarta by default */
	size_t map_size;                /* LMDB map size in bytes, 0 for the default */
	int timeout;                    /* seconds a connection may idle or dawdle */
	int max_connections;            /* open connections at most; more wait to be accepted */
	int verify_threads;             /* voucher verify workers; 0: one per core */
} server_config;

/* Run the service until SIGTERM or SIGINT; returns the exit status (2 for
 * a --listen that is not HOST:PORT, 1 if it cannot start). */
int server_run(const server_config *cfg);

#endif
