/*
 * Unit tests of the store's money (redeemer/store*.c): terminals, debits,
 * single use, replays, voids, concurrency, counters, older records.
 * The journal and receipts are in tests/test_store_journal.c.
 */
#include "store_fixture.h"

#include "bytes.h"

/* ---- receipt key ---- */

static void receipt_key(void **state)
{
	struct fixture *f = *state;
	char path[4300], line1[256], line2[256], trimmed[256];
	struct stat st;
	key_entry e;
	const char *what = NULL;
	uint8_t md[32];

	snprintf(path, sizeof path, "%s/receipt.key", f->db);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	store_receipt_keyline(f->s, line1, sizeof line1);
	assert_int_equal(line1[strlen(line1) - 1], '\n');
	snprintf(trimmed, sizeof trimmed, "%.*s", (int)strlen(line1) - 1, line1);
	assert_int_equal(keyring_parse_line(trimmed, &e, &what), ERR_OK);
	assert_int_equal(e.role, KEY_RECEIPT);
	assert_string_equal(e.issuer, "");
	assert_int_equal(e.retired_after, KEY_NEVER);
	/* The kid is R- and the first 4 bytes of SHA-256 of the public key. */
	EVP_Digest(e.pub, SIG_PUBLEN, md, NULL, EVP_sha256(), NULL);
	snprintf(line2, sizeof line2, "R-%02X%02X%02X%02X", md[0], md[1], md[2], md[3]);
	assert_string_equal(e.kid, line2);

	/* The same key after a reopen. */
	store_close(f->s);
	f->s = NULL;
	start(f);
	store_receipt_keyline(f->s, line2, sizeof line2);
	assert_string_equal(line1, line2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* ---- terminals ---- */

struct tlist {
	terminal t[8];
	int n;
};

static void collect_terminal(const terminal *t, void *ctx)
{
	struct tlist *l = ctx;

	if (l->n < 8)
		l->t[l->n] = *t;
	l->n++;
}

static bool file_has(const char *path, const void *needle, size_t n)
{
	char *data = NULL;
	size_t len = 0;
	bool found;

	assert_int_equal(file_read_all(path, (size_t)256 << 20, &data, &len), ERR_OK);
	found = memmem(data, len, needle, n) != NULL;
	free(data);
	return found;
}

static void terminals(void **state)
{
	struct fixture *f = *state;
	terminal t;
	struct tlist l = {0};
	char bad[TERMINAL_TOKEN_LEN + 2], data[4300];
	uint8_t md[32];

	for (int i = 0; i < 3; i++) {
		assert_int_equal(strlen(f->tok[i]), TERMINAL_TOKEN_LEN);
		assert_memory_equal(f->tok[i], "vt_", 3);
		assert_int_equal(strspn(f->tok[i] + 3,
		                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
		                        "wxyz0123456789-_"),
		                 TERMINAL_TOKEN_LEN - 3);
		assert_int_equal(f->t[i].id, f->id[i]);
	}
	assert_string_not_equal(f->tok[0], f->tok[1]);
	assert_int_not_equal(f->id[0], f->id[1]);
	assert_string_equal(f->t[2].merchant, "M2");
	assert_string_equal(f->t[2].gallery, "G9");
	assert_string_equal(f->t[2].name, "Kasir 3");
	assert_false(f->t[2].disabled);
	{
		uint8_t tag[TAG_LEN];
		tag_of("gallery", "G9", tag);
		assert_memory_equal(f->t[2].gallery_tag, tag, TAG_LEN);
	}

	/* A token changed in one character, cut, or extended: refused. */
	snprintf(bad, sizeof bad, "%s", f->tok[0]);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	assert_int_equal(store_terminal_auth(f->s, bad, strlen(bad), &t), ERR_UNAUTHORIZED);
	assert_int_equal(store_terminal_auth(f->s, f->tok[0], TERMINAL_TOKEN_LEN - 1, &t),
	                 ERR_UNAUTHORIZED);
	snprintf(bad, sizeof bad, "%sx", f->tok[0]);
	assert_int_equal(store_terminal_auth(f->s, bad, strlen(bad), &t), ERR_UNAUTHORIZED);
	assert_int_equal(store_terminal_auth(f->s, "", 0, &t), ERR_UNAUTHORIZED);

	/* Disabling one leaves the others. */
	assert_int_equal(store_terminal_disable(f->s, f->id[0]), ERR_OK);
	assert_int_equal(store_terminal_auth(f->s, f->tok[0], TERMINAL_TOKEN_LEN, &t),
	                 ERR_UNAUTHORIZED);
	assert_int_equal(store_terminal_auth(f->s, f->tok[1], TERMINAL_TOKEN_LEN, &t), ERR_OK);
	assert_int_equal(t.id, f->id[1]);
	assert_string_equal(t.merchant, "M1");
	assert_int_equal(store_terminal_disable(f->s, 999), ERR_NOT_FOUND);

	assert_int_equal(store_terminal_each(f->s, collect_terminal, &l), ERR_OK);
	assert_int_equal(l.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(l.t[i].id, f->id[i]);
	assert_true(l.t[0].id < l.t[1].id && l.t[1].id < l.t[2].id);
	assert_true(l.t[0].disabled);
	assert_false(l.t[1].disabled);
	assert_string_equal(l.t[1].gallery, "G2");

	/* Only the token's hash is on disk. */
	snprintf(data, sizeof data, "%s/data.mdb", f->db);
	for (int i = 0; i < 3; i++) {
		assert_false(file_has(data, f->tok[i], TERMINAL_TOKEN_LEN));
		assert_false(file_has(data, f->tok[i] + 3, 20));
		EVP_Digest(f->tok[i], TERMINAL_TOKEN_LEN, md, NULL, EVP_sha256(), NULL);
		assert_true(file_has(data, md, sizeof md));
	}

	/* Disabled stays disabled across a reopen. */
	store_close(f->s);
	f->s = NULL;
	start(f);
	assert_int_equal(store_terminal_auth(f->s, f->tok[0], TERMINAL_TOKEN_LEN, &t),
	                 ERR_UNAUTHORIZED);
	assert_int_equal(store_terminal_auth(f->s, f->tok[2], TERMINAL_TOKEN_LEN, &t), ERR_OK);
}

/* ---- redemptions ---- */

static void debits(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0123456789ABCDEFULL, 100000, true, 2026, 11);
	op o[4] = {
	    redeem(&f->t[0], &v, 30000, "r1", 1, NOW),
	    redeem(&f->t[0], &v, 80000, "r2", 2, NOW + 1),
	    redeem(&f->t[1], &v, 70000, "r3", 3, NOW + 2),
	    redeem(&f->t[2], &v, 1, "r4", 4, NOW + 3),
	};
	vstate st;

	assert_int_equal(store_voucher_get(f->s, v.serial, &st), ERR_NOT_FOUND);
	run1(f, &o[0]);
	assert_int_equal(o[0].rc, ERR_OK);
	assert_false(o[0].replay);
	assert_int_equal(o[0].serial, v.serial);
	assert_int_equal(o[0].debited, 30000);
	assert_int_equal(o[0].remaining, 70000);
	assert_true(strlen(o[0].rid) > 0);
	assert_memory_equal(o[0].receipt, "UR2|", 4);
	assert_int_equal(remaining(f, v.serial), 70000);

	run1(f, &o[1]);
	assert_int_equal(o[1].rc, ERR_INSUFFICIENT_BALANCE);
	assert_int_equal(o[1].remaining, 70000);
	assert_int_equal(remaining(f, v.serial), 70000);

	run1(f, &o[2]);
	assert_int_equal(o[2].rc, ERR_OK);
	assert_int_equal(o[2].debited, 70000);
	assert_int_equal(o[2].remaining, 0);
	assert_string_not_equal(o[2].rid, o[0].rid);

	run1(f, &o[3]);
	assert_int_equal(o[3].rc, ERR_ALREADY_SPENT);

	assert_int_equal(store_voucher_get(f->s, v.serial, &st), ERR_OK);
	assert_int_equal(st.face_value, 100000);
	assert_int_equal(st.remaining, 0);
	assert_true(st.multi);
	assert_int_equal(st.year, 2026);
	assert_int_equal(st.month, 11);
	assert_int_equal(st.redemptions, 2);
	assert_int_equal(st.valid_from, v.valid_from);
	assert_int_equal(st.valid_until, v.valid_until);
}

/* The same sequence in one submission: answered in order. */
static void debits_one_batch(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000000ABCULL, 50000, true, 2026, 11);
	op o[5] = {
	    redeem(&f->t[0], &v, 20000, "b1", 1, NOW), redeem(&f->t[0], &v, 40000, "b2", 2, NOW),
	    redeem(&f->t[0], &v, 30000, "b3", 3, NOW), redeem(&f->t[0], &v, 1, "b4", 4, NOW),
	    redeem(&f->t[0], &v, 50001, "b5", 5, NOW),
	};

	run(f, o, 5);
	assert_int_equal(o[0].rc, ERR_OK);
	assert_int_equal(o[0].remaining, 30000);
	assert_int_equal(o[1].rc, ERR_INSUFFICIENT_BALANCE);
	assert_int_equal(o[2].rc, ERR_OK);
	assert_int_equal(o[2].remaining, 0);
	assert_int_equal(o[3].rc, ERR_ALREADY_SPENT);
	assert_int_equal(o[4].rc, ERR_ALREADY_SPENT);
	assert_int_equal(remaining(f, v.serial), 0);
}

static void single_use(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x00000000000000F1ULL, 50000, false, 2026, 11);
	op a = redeem(&f->t[0], &v, 10000, "s1", 1, NOW), b = redeem(&f->t[0], &v, 1, "s2", 2, NOW);
	vstate st;

	run1(f, &a);
	assert_int_equal(a.rc, ERR_OK);
	assert_int_equal(a.debited, 50000);
	assert_int_equal(a.remaining, 0);
	assert_non_null(strstr(a.receipt, "|50000|0|"));
	run1(f, &b);
	assert_int_equal(b.rc, ERR_ALREADY_SPENT);
	assert_int_equal(store_voucher_get(f->s, v.serial, &st), ERR_OK);
	assert_false(st.multi);
	assert_int_equal(st.redemptions, 1);

	/* More than the face value is refused, single use or not. */
	v = mkv(0x00000000000000F2ULL, 50000, false, 2026, 11);
	a = redeem(&f->t[0], &v, 50001, "s3", 3, NOW);
	run1(f, &a);
	assert_int_equal(a.rc, ERR_INSUFFICIENT_BALANCE);
}

/* store.h: "amount: requested; 0 = all that is left". */
static void amount_below_one_is_refused(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x00000000000000F3ULL, 50000, true, 2026, 11);
	op a = redeem(&f->t[0], &v, 20000, "z1", 1, NOW), b = redeem(&f->t[0], &v, 0, "z2", 2, NOW),
	   c = redeem(&f->t[0], &v, -5, "z3", 3, NOW);

	run1(f, &a);
	assert_int_equal(a.rc, ERR_OK);
	run1(f, &b);
	assert_int_equal(b.rc, ERR_MALFORMED_REQUEST);
	run1(f, &c);
	assert_int_equal(c.rc, ERR_MALFORMED_REQUEST);
	assert_int_equal(remaining(f, v.serial), 30000);
}

static void replay(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000001234ULL, 100000, true, 2026, 11);
	op first = redeem(&f->t[0], &v, 25000, "req-1", 7, NOW);
	op same[2] = {redeem(&f->t[0], &v, 25000, "req-1", 7, NOW + 5),
	              redeem(&f->t[0], &v, 99000, "req-1", 8, NOW + 5)};
	op other = redeem(&f->t[1], &v, 25000, "req-1", 7, NOW + 6), q;
	uint8_t hash[32];

	run1(f, &first);
	assert_int_equal(first.rc, ERR_OK);
	assert_false(first.replay);

	run(f, same, 2);
	assert_int_equal(same[0].rc, ERR_OK);
	assert_true(same[0].replay);
	assert_string_equal(same[0].rid, first.rid);
	assert_int_equal(same[0].debited, 25000);
	assert_int_equal(same[0].remaining, 75000);
	assert_string_equal(same[0].receipt, first.receipt);
	assert_int_equal(same[1].rc, ERR_REQUEST_CONFLICT);
	assert_int_equal(remaining(f, v.serial), 75000);

	/* request_id is per terminal. */
	run1(f, &other);
	assert_int_equal(other.rc, ERR_OK);
	assert_false(other.replay);
	assert_string_not_equal(other.rid, first.rid);
	assert_int_equal(remaining(f, v.serial), 50000);

	/* The read side gives the same answers. */
	memset(hash, 7, sizeof hash);
	memset(&q, 0, sizeof q);
	assert_int_equal(store_request_get(f->s, f->t[0].id, "req-1", hash, &q), ERR_OK);
	assert_true(q.replay);
	assert_string_equal(q.rid, first.rid);
	assert_string_equal(q.receipt, first.receipt);
	memset(hash, 8, sizeof hash);
	assert_int_equal(store_request_get(f->s, f->t[0].id, "req-1", hash, &q),
	                 ERR_REQUEST_CONFLICT);
	assert_int_equal(store_request_get(f->s, f->t[0].id, "req-2", hash, &q), ERR_NOT_FOUND);
	assert_int_equal(store_request_get(f->s, f->t[2].id, "req-1", hash, &q), ERR_NOT_FOUND);

	/* A replay in the same batch as its first request. */
	{
		voucher w = mkv(0x0000000000001235ULL, 10000, true, 2026, 11);
		op b[2] = {redeem(&f->t[2], &w, 4000, "x", 1, NOW),
		           redeem(&f->t[2], &w, 4000, "x", 1, NOW)};
		run(f, b, 2);
		assert_int_equal(b[0].rc, ERR_OK);
		assert_int_equal(b[1].rc, ERR_OK);
		assert_true(b[1].replay);
		assert_string_equal(b[1].rid, b[0].rid);
		assert_int_equal(remaining(f, w.serial), 6000);
	}
}

static void voids(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000005678ULL, 100000, true, 2026, 11);
	op r = redeem(&f->t[0], &v, 40000, "v1", 1, NOW), x;
	vstate st;

	run1(f, &r);
	assert_int_equal(r.rc, ERR_OK);
	assert_int_equal(remaining(f, v.serial), 60000);

	/* Another merchant cannot see it; nor an unknown id. */
	x = void_op(&f->t[2], r.rid, NOW + 60);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_NOT_FOUND);
	x = void_op(&f->t[0], "R-00000000-999", NOW + 60);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_NOT_FOUND);
	/* The next day is too late. */
	x = void_op(&f->t[0], r.rid, NOW + 86400);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_VOID_TOO_LATE);
	assert_int_equal(remaining(f, v.serial), 60000);

	/* The same merchant at another terminal, same day: restored. */
	x = void_op(&f->t[1], r.rid, NOW + 60);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	assert_false(x.replay);
	assert_int_equal(x.serial, v.serial);
	assert_int_equal(x.debited, 40000);
	assert_int_equal(x.remaining, 100000);
	assert_int_equal(remaining(f, v.serial), 100000);

	/* Idempotent: a second void restores nothing more. */
	x = void_op(&f->t[0], r.rid, NOW + 120);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	assert_true(x.replay);
	assert_int_equal(x.remaining, 100000);
	assert_int_equal(remaining(f, v.serial), 100000);
	assert_int_equal(store_voucher_get(f->s, v.serial, &st), ERR_OK);
	assert_int_equal(st.redemptions, 1);

	/* The whole face value can be spent again. */
	r = redeem(&f->t[0], &v, 100000, "v2", 2, NOW + 180);
	run1(f, &r);
	assert_int_equal(r.rc, ERR_OK);
	assert_int_equal(r.remaining, 0);

	/* A single-use voucher's void gives it all back. */
	v = mkv(0x0000000000005679ULL, 75000, false, 2026, 11);
	r = redeem(&f->t[0], &v, 1000, "v3", 3, NOW);
	run1(f, &r);
	assert_int_equal(r.debited, 75000);
	x = void_op(&f->t[0], r.rid, NOW + 1);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	assert_int_equal(x.remaining, 75000);
	assert_int_equal(remaining(f, v.serial), 75000);
}

/* "Same day" is the local day: WIB, not UTC. */
static void void_local_day(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000009999ULL, 100000, true, 2026, 11);
	/* 2026-11-19 00:30 WIB = 2026-11-18 17:30 UTC. */
	const int64_t t0 = 1795541400;
	op r = redeem(&f->t[0], &v, 10000, "d1", 1, t0), x;
	op r2 = redeem(&f->t[0], &v, 10000, "d2", 2, t0 - 3600); /* 23:30 WIB on the 18th */

	run1(f, &r);
	run1(f, &r2);
	assert_int_equal(r.rc, ERR_OK);
	assert_int_equal(r2.rc, ERR_OK);
	/* 2026-11-19 16:00 UTC is 23:00 WIB on the 19th: another UTC day, same local one. */
	x = void_op(&f->t[0], r.rid, t0 + 81000);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	/* The 18th's 23:30 and the 19th's 00:30 WIB share a UTC day but not a local one. */
	x = void_op(&f->t[0], r2.rid, t0);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_VOID_TOO_LATE);
	assert_int_equal(remaining(f, v.serial), 90000);
}

/* ---- many at once ---- */

struct submitter {
	struct fixture *f;
	op *ops;
	int n;
};

static void *submit_all(void *arg)
{
	struct submitter *s = arg;

	for (int i = 0; i < s->n; i++)
		store_submit(s->f->s, &s->ops[i]);
	return NULL;
}

static void never_overspent(void **state)
{
	struct fixture *f = *state;
	enum { N = 500, THREADS = 4 };
	voucher v = mkv(0x00000000DEADBEEFULL, 100 * 1000, true, 2026, 11);
	op *ops = calloc(N, sizeof *ops);
	struct waiter w = {f->base, N, 0, 0};
	struct submitter sub[THREADS];
	pthread_t th[THREADS];
	store_stats before, after;
	int64_t total = 0;
	int ok = 0, spent = 0;

	store_get_stats(f->s, &before);
	for (int i = 0; i < N; i++) {
		char id[32];
		snprintf(id, sizeof id, "many-%d", i);
		ops[i] = redeem(&f->t[i % 3], &v, 1000, id, (uint8_t)i, NOW + i % 7);
		ops[i].done = (task){on_done, &w, NULL};
	}
	for (int t = 0; t < THREADS; t++) {
		sub[t] = (struct submitter){f, ops + t * (N / THREADS), N / THREADS};
		assert_int_equal(pthread_create(&th[t], NULL, submit_all, &sub[t]), 0);
	}
	wait_for(f, &w);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);

	for (int i = 0; i < N; i++) {
		if (ops[i].rc == ERR_OK) {
			ok++;
			assert_false(ops[i].replay);
			assert_int_equal(ops[i].debited, 1000);
			total += ops[i].debited;
		} else {
			assert_int_equal(ops[i].rc, ERR_ALREADY_SPENT);
			spent++;
		}
	}
	assert_int_equal(ok, 100);
	assert_int_equal(spent, N - 100);
	assert_int_equal(total, 100000);
	assert_int_equal(remaining(f, v.serial), 0);

	store_get_stats(f->s, &after);
	assert_int_equal(after.ops - before.ops, N);
	assert_true(after.batches > before.batches);
	assert_true(after.batches - before.batches <= N);
	{
		uint64_t sum = 0, csum = 0;
		for (int i = 0; i < 8; i++) {
			sum += after.batch_hist[i];
			csum += after.commit_hist[i];
		}
		assert_int_equal(sum, after.batches);
		assert_int_equal(csum, after.batches);
	}
	assert_true(after.commit_us_max <= after.commit_us_total);
	free(ops);
}

static void stats_count_batches(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000000777ULL, 100000, true, 2026, 11);
	store_stats st0, st1;
	op o[3];

	store_get_stats(f->s, &st0);
	assert_int_equal(st0.batches, 0);
	assert_int_equal(st0.ops, 0);
	for (int i = 0; i < 3; i++) {
		char id[16];
		snprintf(id, sizeof id, "st%d", i);
		o[i] = redeem(&f->t[0], &v, 100, id, (uint8_t)i, NOW);
		run1(f, &o[i]); /* one at a time: one batch each */
	}
	store_get_stats(f->s, &st1);
	assert_int_equal(st1.batches, 3);
	assert_int_equal(st1.ops, 3);
	assert_int_equal(st1.batch_hist[0], 3); /* all of size 1 */
}

/*
 * A database as the version before this layout wrote it: each journal
 * entry its export line, each redemption's record a head of RREC_V1 bytes
 * and its receipt, each void's receipt in table voids, no trees, no
 * "layout". Made from a database of today's and its export (text).
 */
#define RREC_V1 113

static void to_older_layout(struct fixture *f, const char *text)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi journal, redemptions, voids, trees, meta;
	const char *line = strchr(text, '\n') + 1, *next;
	MDB_val layout = {6, "layout"};

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->db, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "journal", 0, &journal), 0);
	assert_int_equal(mdb_dbi_open(txn, "redemptions", 0, &redemptions), 0);
	assert_int_equal(mdb_dbi_open(txn, "voids", 0, &voids), 0);
	assert_int_equal(mdb_dbi_open(txn, "trees", 0, &trees), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	for (; (next = strchr(line, '\n')); line = next + 1) {
		const char *fld[JOURNAL_FIELDS];
		size_t len[JOURNAL_FIELDS];
		uint8_t jk[JKEY_LEN], rv[RREC_V1 + RECEIPT_MAX] = {0};
		uint64_t seq;
		MDB_val key, val = {(size_t)(next - line), (void *)line}, rid;

		assert_int_equal(
		    split_at(line, (size_t)(next - line), ',', fld, len, JOURNAL_FIELDS),
		    JOURNAL_FIELDS);
		if (memcmp(fld[J_KIND], "head,", 5) == 0)
			break;
		assert_true(dec_parse(fld[J_SEQ], len[J_SEQ], UINT32_MAX, &seq));
		key = journal_key((period){2026, 11}, seq, jk);
		assert_int_equal(mdb_put(txn, journal, &key, &val, 0), 0);
		rid = (MDB_val){len[J_RID], (void *)fld[J_RID]};
		if (memcmp(fld[J_KIND], "void,", 5) == 0) {
			val = (MDB_val){len[J_RECEIPT], (void *)fld[J_RECEIPT]};
			assert_int_equal(mdb_put(txn, voids, &rid, &val, 0), 0);
		} else {
			memcpy(rv + RREC_V1, fld[J_RECEIPT], len[J_RECEIPT]);
			val = (MDB_val){RREC_V1 + len[J_RECEIPT], rv};
			assert_int_equal(mdb_put(txn, redemptions, &rid, &val, 0), 0);
		}
	}
	assert_int_equal(mdb_drop(txn, trees, 0), 0);
	assert_int_equal(mdb_del(txn, meta, &layout, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static char *export_text(store *s, period p, int64_t at)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);

	assert_non_null(mf);
	assert_int_equal(store_export(s, p, at, mf), ERR_OK);
	fclose(mf);
	return buf;
}

/* Opened by this version, an older database is upgraded: its replays give
 * the receipts they gave, its export is the same to the byte, its
 * redemptions can be voided, and new entries go on its hash chain. */
static void upgrades_older_layout(void **state)
{
	struct fixture *f = *state;
	voucher va = mkv(0x0D1D, 40000, true, 2026, 11), vb = mkv(0x0D1E, 25000, false, 2026, 11),
	        vc = mkv(0x0D1F, 10000, true, 2026, 11), vd = mkv(0x0D20, 30000, true, 2026, 11);
	op a = redeem(&f->t[0], &va, 15000, "old-a", 1, NOW),
	   b = redeem(&f->t[1], &vb, 5000, "old-b", 2, NOW + 1),
	   c = redeem(&f->t[1], &vc, 20000, "old-c", 3, NOW + 2), x, q, d, y;
	uint8_t hash[32];
	char *before, *after, *later;
	store_summary sum;
	const char *tail;

	c.uploaded = NOW + 30;
	run1(f, &a);
	run1(f, &b);
	run1(f, &c);
	assert_int_equal(c.rc, ERR_OFFLINE_CONFLICT);
	x = void_op(&f->t[0], a.rid, NOW + 60);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	before = export_text(f->s, (period){2026, 11}, NOW + 99);
	store_close(f->s);
	to_older_layout(f, before);

	start(f);
	after = export_text(f->s, (period){2026, 11}, NOW + 99);
	assert_string_equal(after, before);
	memset(hash, 1, sizeof hash);
	memset(&q, 0, sizeof q);
	assert_int_equal(store_request_get(f->s, f->t[0].id, "old-a", hash, &q), ERR_OK);
	assert_string_equal(q.receipt, a.receipt);
	assert_int_equal(q.debited, 15000);
	memset(hash, 3, sizeof hash);
	assert_int_equal(store_request_get(f->s, f->t[1].id, "old-c", hash, &q),
	                 ERR_OFFLINE_CONFLICT);
	assert_string_equal(q.receipt, c.receipt);
	y = void_op(&f->t[0], a.rid, NOW + 70); /* voided before: the same receipt */
	run1(f, &y);
	assert_int_equal(y.rc, ERR_OK);
	assert_true(y.replay);
	assert_string_equal(y.receipt, x.receipt);
	y = void_op(&f->t[1], b.rid, NOW + 80);
	run1(f, &y);
	assert_int_equal(y.rc, ERR_OK);
	assert_int_equal(remaining(f, 0x0D1E), 25000);
	d = redeem(&f->t[2], &vd, 7000, "new-d", 4, NOW + 90);
	run1(f, &d);
	assert_int_equal(d.rc, ERR_OK);

	/* The old lines as they were, the new ones chained on (else no export). */
	later = export_text(f->s, (period){2026, 11}, NOW + 99);
	tail = strstr(before, ",head,");
	while (tail[-1] != '\n')
		tail--;
	assert_memory_equal(later, before, (size_t)(tail - before));
	assert_int_equal(store_summarize(f->s, &sum), ERR_OK);
	assert_int_equal(sum.redemptions, 3);
	assert_int_equal(sum.voided, 2);
	assert_int_equal(sum.conflicts, 1);
	assert_int_equal(sum.redeemed, 7000);
	assert_int_equal(sum.journal_entries, 6);
	free(before);
	free(after);
	free(later);
}

/* A record of a size no version writes is a corrupted database, not read
 * past its end (AddressSanitizer sees an overflow). */
static void refuses_bad_record(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0D21, 40000, true, 2026, 11);
	op a = redeem(&f->t[0], &v, 15000, "bad-1", 9, NOW), x, q;
	uint8_t hash[32], junk[3] = {1, 2, 3};
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val = {sizeof junk, junk};

	run1(f, &a);
	assert_int_equal(a.rc, ERR_OK);
	store_close(f->s);
	key = (MDB_val){strlen(a.rid), a.rid};
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->db, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "redemptions", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	start(f);
	memset(hash, 9, sizeof hash);
	memset(&q, 0, sizeof q);
	assert_int_equal(store_request_get(f->s, f->t[0].id, "bad-1", hash, &q), ERR_DB);
	x = void_op(&f->t[0], a.rid, NOW + 60);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_DB);
}

/* A revocation list as the store sees it: its time, digest and keys. */
static revlist list_at(int64_t time, uint8_t digest_byte, const char *signer, revlist_key *comp,
                       size_t ncomp)
{
	revlist rl = {.time = time, .compromised = comp, .ncompromised = ncomp};

	snprintf(rl.kid, sizeof rl.kid, "%s", signer);
	memset(rl.digest, digest_byte, sizeof rl.digest);
	return rl;
}

/* The newest list taken survives a restart: an older one is refused, and
 * one of its time that says other things; a key once called compromised
 * stays so, and signs no list. */
static void revocation_lists(void **state)
{
	struct fixture *f = *state;
	revlist_key k1 = {"K1", NOW - 60};
	revlist a = list_at(NOW, 0xA, "K1", NULL, 0), b = list_at(NOW, 0xB, "K1", NULL, 0),
	        old = list_at(NOW - 1, 0xA, "K1", NULL, 0),
	        comp = list_at(NOW + 10, 0xC, "K2", &k1, 1),
	        dropped = list_at(NOW + 20, 0xD, "K2", NULL, 0),
	        by_k1 = list_at(NOW + 30, 0xE, "K1", &k1, 1),
	        later = list_at(NOW + 40, 0xF, "K2", &k1, 1);
	char kid[KEY_ID_MAX + 1];
	int64_t newest;

	assert_int_equal(store_take_revlist(f->s, &a, &newest, kid), ERR_OK);
	assert_int_equal(store_take_revlist(f->s, &a, &newest, kid), ERR_OK); /* the same again */
	assert_int_equal(store_take_revlist(f->s, &b, &newest, kid), ERR_EXISTS);
	assert_int_equal(store_take_revlist(f->s, &old, &newest, kid), ERR_INVALID);
	assert_int_equal(newest, NOW);
	store_close(f->s);
	start(f);
	assert_int_equal(store_take_revlist(f->s, &old, &newest, kid), ERR_INVALID);
	assert_int_equal(store_take_revlist(f->s, &b, &newest, kid), ERR_EXISTS);
	assert_int_equal(store_take_revlist(f->s, &comp, &newest, kid), ERR_OK);
	/* K1 is compromised from now on: a list that forgets it, or that it signs. */
	assert_int_equal(store_take_revlist(f->s, &dropped, &newest, kid), ERR_UNKNOWN_KEY);
	assert_string_equal(kid, "K1");
	assert_int_equal(store_take_revlist(f->s, &by_k1, &newest, kid), ERR_UNKNOWN_KEY);
	store_close(f->s);
	start(f);
	assert_int_equal(store_take_revlist(f->s, &dropped, &newest, kid), ERR_UNKNOWN_KEY);
	assert_int_equal(store_take_revlist(f->s, &later, &newest, kid), ERR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(receipt_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(terminals, setup, teardown),
	    cmocka_unit_test_setup_teardown(debits, setup, teardown),
	    cmocka_unit_test_setup_teardown(debits_one_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(single_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(amount_below_one_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(replay, setup, teardown),
	    cmocka_unit_test_setup_teardown(voids, setup, teardown),
	    cmocka_unit_test_setup_teardown(void_local_day, setup, teardown),
	    cmocka_unit_test_setup_teardown(never_overspent, setup, teardown),
	    cmocka_unit_test_setup_teardown(stats_count_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(upgrades_older_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_bad_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(revocation_lists, setup, teardown),
	};

	evthread_use_pthreads();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
