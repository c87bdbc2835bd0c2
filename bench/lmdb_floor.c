/*
 * The floor under the redeemer's steady-rate latency: LMDB alone, doing a
 * redemption's writes at a fixed rate with durable commits, in the
 * redeemer's own database (or any folder). No HTTP, no JSON, no signature:
 * what is left is the disk and LMDB.
 *
 * Each redemption is what the redeemer's writer does for one: look up and
 * insert a request (random key), look up and write a voucher (random
 * serial), insert a redemption record and a journal entry (keys in order),
 * and update two counters, with records of the redeemer's sizes; and each
 * commit records one tree of receipts. Writes
 * are scheduled one every 1/RATE s; each commit takes every redemption
 * whose time has come (group commit, as the redeemer's writer), and a
 * redemption's latency runs from its scheduled time to the end of the
 * commit that holds it, so a slow commit delays the ones queued behind it.
 *
 *   lmdb_floor DIR [RATE] [SECONDS]   (1000, 10)
 *
 * Writes into the redeemer's own tables, so that the trees are as deep and
 * the free pages as scattered as the redeemer's, with keys of its own (a
 * period of 9999-99, redemption ids R-FLOOR000-N, random serials and
 * request ids): run it on a copy of a database, or on one about to be
 * thrown away. Prints a summary and a last line "RESULT n=N commits=N
 * commit_ms=X p50_ms=X p99_ms=X max_ms=X" (commit_ms: the mean time from a
 * transaction's start to its durable commit).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

/* Sizes of the redeemer's records (redeemer/store_impl.h): a voucher, a
 * redemption (the seqs of its entries), the request's answer (a hash and
 * the redemption id), a journal entry (a jrec, merchant, gallery and
 * redemption id), a period's head, a tree of receipts (its first seq, its
 * signature and the key's kid). */
enum { VREC = 32, RREC = 8, REQ = 52, JENTRY = 64, HEAD = 88, TREE = 82 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A lookup, then a write, as the redeemer does. */
static int put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kn, const void *v, size_t vn)
{
	MDB_val key = {kn, (void *)k}, val = {vn, (void *)v}, old;
	int rc = mdb_get(txn, dbi, &key, &old);

	return rc && rc != MDB_NOTFOUND ? rc : mdb_put(txn, dbi, &key, &val, 0);
}

/* One redemption's writes; n numbers it, term is the first terminal's id
 * (4 bytes, as the requests table keys them). */
static int redeem(MDB_txn *txn, const MDB_dbi *db, uint64_t n, const char *term, uint64_t *seed)
{
	static char rec[JENTRY + HEAD];
	char key[48];
	uint64_t be = __builtin_bswap64(n);
	int rc;

	memcpy(key, term, 4); /* a request_id of 36 hex digits */
	for (int i = 0; i < 36; i += 12)
		snprintf(key + 4 + i, 13, "%012llx", (unsigned long long)(rnd(seed) >> 16));
	if ((rc = put(txn, db[0], key, 40, rec, REQ)) != 0)
		return rc;
	be = rnd(seed);
	if ((rc = put(txn, db[1], &be, sizeof be, rec, VREC)) != 0)
		return rc;
	snprintf(key, sizeof key, "R-FLOOR000-%llu", (unsigned long long)n);
	if ((rc = put(txn, db[2], key, strlen(key), rec, RREC)) != 0)
		return rc;
	be = __builtin_bswap64(n);
	memcpy(key, "9999-99", 7);
	memcpy(key + 7, &be, sizeof be);
	if ((rc = put(txn, db[3], key, 15, rec, JENTRY)) != 0)
		return rc;
	return put(txn, db[4], "floor_rid", 9, &n, sizeof n);
}

/* A commit's tree of receipts, its last redemption n, and its period's
 * head, written once a commit. */
static int tree(MDB_txn *txn, const MDB_dbi *db, uint64_t n)
{
	static char rec[TREE + HEAD];
	char key[15];
	uint64_t be = __builtin_bswap64(n);
	int rc;

	memcpy(key, "9999-99", 7);
	memcpy(key + 7, &be, sizeof be);
	if ((rc = put(txn, db[5], key, sizeof key, rec, TREE)) != 0)
		return rc;
	return put(txn, db[4], "head:9999-99", 12, rec, HEAD);
}

int main(int argc, char **argv)
{
	static const char *names[] = {"requests", "vouchers", "redemptions",
	                              "journal",  "meta",     "trees"};
	char term[4] = {0, 0, 0, 1};
	double rate = argc > 2 ? atof(argv[2]) : 1000, seconds = argc > 3 ? atof(argv[3]) : 10;
	double t0, *lat, busy = 0;
	uint64_t seed = 88172645463325252ULL, next = 0, total, commits = 0;
	MDB_dbi db[6];
	MDB_env *env;
	MDB_envinfo info;
	MDB_txn *txn;
	int rc;

	if (argc < 2 || argc > 4 || rate <= 0 || seconds <= 0) {
		fprintf(stderr, "usage: lmdb_floor DIR [RATE] [SECONDS]\n");
		return 2;
	}
	total = (uint64_t)(rate * seconds);
	if ((rc = mdb_env_create(&env)) != 0 || (rc = mdb_env_set_maxdbs(env, 16)) != 0 ||
	    (rc = mdb_env_open(env, argv[1], MDB_NOTLS, 0600)) != 0 ||
	    (rc = mdb_env_info(env, &info)) != 0 ||
	    /* The database's own map size: a larger one would be written
	     * into it, and a redeemer serving it would have to follow. */
	    (info.me_mapsize < ((size_t)1 << 30) &&
	     (rc = mdb_env_set_mapsize(env, (size_t)1 << 30)) != 0) ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
		fprintf(stderr, "lmdb_floor: %s: %s\n", argv[1], mdb_strerror(rc));
		return 1;
	}
	for (int i = 0; i < 6; i++)
		if ((rc = mdb_dbi_open(txn, names[i], MDB_CREATE, &db[i])) != 0) {
			fprintf(stderr, "lmdb_floor: %s\n", mdb_strerror(rc));
			return 1;
		}
	{
		MDB_cursor *c;
		MDB_val k, v;
		if (mdb_cursor_open(txn, db[0], &c) == 0) {
			if (mdb_cursor_get(c, &k, &v, MDB_FIRST) == 0 && k.mv_size >= 4)
				memcpy(term, k.mv_data, 4);
			mdb_cursor_close(c);
		}
	}
	if ((rc = mdb_txn_commit(txn)) != 0 || !(lat = malloc(total * sizeof *lat))) {
		fprintf(stderr, "lmdb_floor: %s\n", rc ? mdb_strerror(rc) : "out of memory");
		return 1;
	}
	for (t0 = now(); next < total;) {
		uint64_t first = next, due;
		double t = now(), end;

		/* Redemption i is due at t0 + i / RATE. */
		due = (uint64_t)((t - t0) * rate) + 1;
		if (due <= next) {
			usleep((useconds_t)((t0 + (double)next / rate - t) * 1e6) + 1);
			continue;
		}
		if (due > total)
			due = total;
		commits++;
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
			break;
		t = now();
		for (; next < due && rc == 0; next++)
			rc = redeem(txn, db, next + 1, term, &seed);
		if (rc == 0)
			rc = tree(txn, db, next);
		if (rc != 0 || (rc = mdb_txn_commit(txn)) != 0) /* durable */
			break;
		end = now();
		busy += end - t;
		for (uint64_t i = first; i < next; i++)
			lat[i] = (end - (t0 + (double)i / rate)) * 1e3;
	}
	if (rc != 0) {
		fprintf(stderr, "lmdb_floor: %s\n", mdb_strerror(rc));
		return 1;
	}
	mdb_env_close(env);
	qsort(lat, total, sizeof *lat, cmp);
	printf("LMDB alone, %.0f redemptions/s for %.0f s: %llu commits (%.1f a commit, %.2f ms "
	       "each), p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       rate, seconds, (unsigned long long)commits, (double)total / (double)commits,
	       busy / (double)commits * 1e3, lat[total / 2], lat[total * 99 / 100], lat[total - 1]);
	printf("RESULT n=%llu commits=%llu commit_ms=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	       (unsigned long long)total, (unsigned long long)commits, busy / (double)commits * 1e3,
	       lat[total / 2], lat[total * 99 / 100], lat[total - 1]);
	free(lat);
	return 0;
}
