/*
 * server: the redeemer's HTTP service: its event loop, connections,
 * signals, and the routes to the endpoints (redeemer/http.h).
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

#include "offline.h"
#include "period.h"

typedef struct server_config {
	const char *db, *keyring, *revocations, *listen;
	const char *manifests;          /* the folder of code manifests; NULL: none */
	const char *tls_cert, *tls_key; /* HTTPS when both are given */
	const char *metrics_token;      /* GET /metrics needs it as a bearer token; NULL: open */
	const tzone *tz;                /* the local day of voids: Asia/Jakarta by default */
	size_t map_size;                /* LMDB map size in bytes at start, 0 for the default */
	size_t map_size_max;            /* the most it grows to (disk space permitting) */
	int timeout;                    /* seconds a connection may idle or dawdle */
	int max_connections;            /* open connections at most; more wait to be accepted */
	int max_per_address;            /* open connections from one client address at most */
	int conn_requests;              /* requests a connection may make before it is closed */
	int conn_seconds;               /* seconds after which a connection is closed */
	int verify_threads;             /* voucher verify workers; 0: one per core */
	offline_config offline;         /* what terminals may do with their link down */
} server_config;

/* Run the service until SIGTERM or SIGINT; returns the exit status (2 for
 * a --listen that is not HOST:PORT, 1 if it cannot start). */
int server_run(const server_config *cfg);

#endif
