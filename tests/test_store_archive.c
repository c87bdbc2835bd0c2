/*
 * Archiving a closed period (redeemer/store_archive.c): the file is the
 * period's export to the byte, the period leaves the database and no other
 * does, an open period is refused, an archived one takes no write; and a
 * run killed with SIGKILL at any moment is finished by the next, with every
 * journal line in the database or in a complete archive at every moment.
 */
#include "store_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"

#define UNTIL 1796317200 /* mkv's valid_until: 2026-12-04 00:00 WIB */
#define LATER (UNTIL + ARCHIVE_AFTER_DAYS * 86400 + 3600)

static const period P = {2026, 11}, Q = {2026, 12};

/* Period p's export at `at`, from the database whatever its state. */
static char *live_text(store *s, period p, int64_t at)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(export_live(s, p, at, f), ERR_OK);
	fclose(f);
	return buf;
}

/* Period p's records left in table dbi (journal or trees). */
static int left_in(store *s, MDB_dbi dbi, period p)
{
	uint8_t jk[JKEY_LEN];
	MDB_val key = journal_key(p, 0, jk), val;
	MDB_txn *txn;
	MDB_cursor *cur;
	int n = 0, rc;

	assert_int_equal(txn_begin(s, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	     rc == 0 && memcmp(key.mv_data, jk, 7) == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
		n++;
	mdb_cursor_close(cur);
	txn_abort(s, txn);
	return n;
}

static char *file_text(const char *path)
{
	char *text = NULL;
	size_t len;

	assert_int_equal(file_read_all(path, 64 << 20, &text, &len), ERR_OK);
	return text;
}

static int lines_of(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* n redemptions of period per's vouchers first.. (one each), 100 a batch. */
static void redeem_many(struct fixture *f, period per, uint64_t first, int n, const char *tag)
{
	op ops[100];
	voucher v[100];

	for (int done = 0; done < n;) {
		int k = n - done < 100 ? n - done : 100;
		for (int i = 0; i < k; i++) {
			char rq[64];
			snprintf(rq, sizeof rq, "%s-%d", tag, done + i);
			v[i] = mkv(first + (uint64_t)(done + i), 50000, true, per.year, per.month);
			ops[i] = redeem(&f->t[(done + i) % 3], &v[i], 1000 + (done + i) % 7, rq,
			                (uint8_t)(done + i), NOW + done + i);
		}
		run(f, ops, k);
		for (int i = 0; i < k; i++)
			assert_int_equal(ops[i].rc, ERR_OK);
		done += k;
	}
}

static void archive_period(void **state)
{
	struct fixture *f = *state;
	char path[4300], other[4300], why[512], *before, *q_before, *got;
	archive_result r;
	archive_info a;
	vstate st;
	voucher v = mkv(0x1100, 50000, true, 2026, 11);
	op o;

	snprintf(path, sizeof path, "%s/2026-11.csv", f->dir);
	snprintf(other, sizeof other, "%s/elsewhere.csv", f->dir);
	redeem_many(f, P, 0x1000, 40, "p");
	o = redeem(&f->t[0], &v, 5000, "p-void", 1, NOW + 100);
	run1(f, &o);
	assert_int_equal(o.rc, ERR_OK);
	o = void_op(&f->t[0], o.rid, NOW + 200);
	run1(f, &o);
	assert_int_equal(o.rc, ERR_OK);
	redeem_many(f, Q, 0x2000, 5, "q");
	before = live_text(f->s, P, LATER);
	q_before = live_text(f->s, Q, LATER);
	assert_int_equal(lines_of(before), 42 + 2);

	/* Not closed a week after its last voucher expired: refused, nothing marked. */
	assert_int_equal(store_archive(f->s, P, UNTIL + 6 * 86400, path, &r, why, sizeof why),
	                 ERR_INVALID);
	assert_non_null(strstr(why, "not closed"));
	assert_int_equal(store_archived(f->s, P, &a), ERR_NOT_FOUND);
	assert_int_equal(access(path, F_OK), -1);
	/* Nothing of a period: refused. */
	assert_int_equal(store_archive(f->s, (period){2027, 1}, LATER, path, &r, why, sizeof why),
	                 ERR_NOT_FOUND);
	/* A file in the way: refused. */
	assert_int_equal(file_write_atomic(other, "x", 1, 0600), ERR_OK);
	assert_int_equal(store_archive(f->s, P, LATER, other, &r, why, sizeof why), ERR_EXISTS);
	assert_int_equal(store_archived(f->s, P, &a), ERR_NOT_FOUND);

	assert_int_equal(store_archive(f->s, P, LATER, path, &r, why, sizeof why), ERR_OK);
	assert_int_equal(r.lines, 42);
	assert_true(r.removed >= 42 + 41 + 41 + 41); /* journal, redemptions, requests, vouchers */
	assert_false(r.resumed);
	got = file_text(path);
	assert_string_equal(got, before);
	free(got);
	assert_int_equal(store_archived(f->s, P, &a), ERR_OK);
	assert_int_equal(a.state, ARCHIVE_DONE);
	assert_string_equal(a.path, path);
	assert_string_equal(a.sha256, r.sha256);

	/* The period is gone from the database; the other is as it was. */
	assert_int_equal(store_export(f->s, P, LATER, stdout), ERR_ARCHIVED);
	assert_int_equal(left_in(f->s, f->s->journal, P), 0);
	assert_int_equal(left_in(f->s, f->s->trees, P), 0);
	assert_int_equal(store_voucher_get(f->s, 0x1000, &st), ERR_NOT_FOUND);
	assert_int_equal(store_voucher_get(f->s, 0x2000, &st), ERR_OK);
	got = live_text(f->s, Q, LATER);
	assert_string_equal(got, q_before);
	free(got);

	/* A late offline upload of the period, or a request of it again: no write. */
	o = redeem(&f->t[1], &v, 1000, "late", 9, NOW + 300);
	o.uploaded = NOW + 400;
	run1(f, &o);
	assert_int_equal(o.rc, ERR_EXPIRED);
	o = redeem(&f->t[0], &v, 5000, "p-void", 1, NOW + 100);
	run1(f, &o);
	assert_int_equal(o.rc, ERR_EXPIRED);
	assert_int_equal(left_in(f->s, f->s->journal, P), 0);
	assert_int_equal(left_in(f->s, f->s->trees, P), 0);

	/* Again: done already; to another path: refused. */
	assert_int_equal(store_archive(f->s, P, LATER, path, &r, why, sizeof why), ERR_OK);
	assert_int_equal(r.removed, 0);
	assert_false(r.resumed);
	assert_int_equal(store_archive(f->s, P, LATER, other, &r, why, sizeof why), ERR_EXISTS);
	free(before);
	free(q_before);
}

/* Killed at random moments, over and over; every time, each journal line
 * of the period is in the database or in an archive written whole. */
static void archive_killed(void **state)
{
	struct fixture *f = *state;
	char path[4300], why[512], *before, *got;
	archive_result r;
	archive_info a;
	int kills = 0, runs = 0, status;
	bool finished = false;

	snprintf(path, sizeof path, "%s/2026-11.csv", f->dir);
	redeem_many(f, P, 0x1000, 3000, "p");
	redeem_many(f, Q, 0x9000, 10, "q");
	before = live_text(f->s, P, LATER);
	store_close(f->s);
	f->s = NULL;
	srand((unsigned)time(NULL));
	while (!finished && runs < 1000) {
		pid_t pid = fork();
		store *s;

		assert_true(pid >= 0);
		if (pid == 0) {
			err e = store_open(f->db, 0, &s);
			if (e == ERR_OK)
				e = store_archive(s, P, LATER, path, &r, why, sizeof why);
			_exit(e == ERR_OK ? 0 : 1);
		}
		runs++;
		/* 0-40 ms in, later longer: a slow minute still ends. */
		usleep((useconds_t)(rand() % (40000 + 1000 * runs)));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		kills += WIFSIGNALED(status);
		finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		assert_false(WIFEXITED(status) && WEXITSTATUS(status) != 0);
		/* What is where now. */
		assert_int_equal(store_open(f->db, 0, &s), ERR_OK);
		if (store_archived(s, P, &a) == ERR_OK && a.state != ARCHIVE_CLOSED) {
			got = file_text(path);
			assert_string_equal(got, before);
			free(got);
		} else {
			got = live_text(s, P, LATER);
			assert_string_equal(got, before);
			free(got);
		}
		store_close(s);
	}
	assert_true(finished);
	assert_true(kills > 0);
	print_message("# %d runs, %d killed\n", runs, kills);
	/* The end: all of it in the file, none of it in the database. */
	start(f);
	assert_int_equal(store_archive(f->s, P, LATER, path, &r, why, sizeof why), ERR_OK);
	assert_int_equal(r.lines, 3000);
	got = file_text(path);
	assert_string_equal(got, before);
	free(got);
	assert_int_equal(left_in(f->s, f->s->journal, P), 0);
	assert_int_equal(left_in(f->s, f->s->trees, P), 0);
	got = live_text(f->s, Q, LATER);
	assert_int_equal(lines_of(got), 12);
	free(got);
	free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(archive_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(archive_killed, setup, teardown),
	};

	evthread_use_pthreads(); /* the writer wakes the loop */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
