#include "testutil.h"

#include <sys/stat.h>

#include "ledger.h"
#include "log.h"

static const period NOV = {2026, 11}, DEC = {2026, 12};

struct fixture {
	char *dir;
	char path[4200];
	ledger *l;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	log_init("test", LOGL_OFF); /* refusals log; keep the output to results */
	f->dir = tmpdir_make();
	snprintf(f->path, sizeof f->path, "%s/ledger", f->dir);
	if (ledger_open(f->path, true, &f->l) != ERR_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ledger_close(f->l);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static ledger_voucher mk(uint64_t serial, const char *nip, const char *name, period p,
                         int64_t amount)
{
	ledger_voucher v;

	memset(&v, 0, sizeof v);
	v.serial = serial;
	snprintf(v.nip, sizeof v.nip, "%s", nip);
	snprintf(v.name, sizeof v.name, "%s", name);
	snprintf(v.opd, sizeof v.opd, "Dinas Kesehatan");
	snprintf(v.cls, sizeof v.cls, "pelaksana");
	v.amount = amount;
	v.per = p;
	snprintf(v.kid, sizeof v.kid, "K1");
	/* Not a real token: the ledger stores it as given. */
	snprintf(v.token, sizeof v.token, "UV1:TOKEN-%016llX", (unsigned long long)serial);
	v.issued_at = 1795000000 + (int64_t)(serial % 1000);
	return v;
}

static void same_voucher(const ledger_voucher *got, const ledger_voucher *want)
{
	assert_int_equal(got->serial, want->serial);
	assert_string_equal(got->nip, want->nip);
	assert_string_equal(got->name, want->name);
	assert_string_equal(got->opd, want->opd);
	assert_string_equal(got->cls, want->cls);
	assert_int_equal(got->amount, want->amount);
	assert_int_equal(got->per.year, want->per.year);
	assert_int_equal(got->per.month, want->per.month);
	assert_string_equal(got->kid, want->kid);
	assert_string_equal(got->token, want->token);
	assert_int_equal(got->issued_at, want->issued_at);
	assert_int_equal(got->replaces, want->replaces);
}

/* ledger_each collector. */
struct seen {
	uint64_t serial[32];
	int n;
	int stop_after;
	period per;
	int wrong_period;
};

static int collect(const ledger_voucher *v, void *ctx)
{
	struct seen *s = ctx;

	if (v->per.year != s->per.year || v->per.month != s->per.month)
		s->wrong_period++;
	if (s->n < 32)
		s->serial[s->n] = v->serial;
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static struct seen each(ledger *l, period p, int stop_after)
{
	struct seen s = {.stop_after = stop_after, .per = p};

	assert_int_equal(ledger_each(l, p, collect, &s), ERR_OK);
	assert_int_equal(s.wrong_period, 0);
	return s;
}

#define NIP_A "197203151998031001"
#define NIP_B "198001012005012002"
#define NIP_C "199012312020122003"
#define NIP_D "198505052010011004"
#define NIP_E "197707072000032005"

static void issue_find_get_each(void **state)
{
	struct fixture *f = *state;
	ledger_voucher v[5] =
	    {
	        mk(0x9000000000000001ULL, NIP_A, "Ani", NOV, 50000),
	        mk(0x1000000000000002ULL, NIP_B, "Budi", NOV, 75000),
	        mk(0x5000000000000003ULL, NIP_C, "Citra", NOV, 150000),
	        mk(0x3000000000000004ULL, NIP_A, "Ani", DEC, 50000),
	        mk(0x7000000000000005ULL, NIP_B, "Budi", DEC, 80000),
	    },
	               got;
	uint64_t serial = 0;
	struct seen s;
	char issuer[KEY_ID_MAX + 1];

	assert_int_equal(ledger_issuer(f->l, issuer), ERR_NOT_FOUND);
	assert_false(ledger_has_serial(f->l, v[0].serial));
	assert_int_equal(ledger_find(f->l, NOV, NIP_A, &serial), ERR_NOT_FOUND);

	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", v, 3), ERR_OK);
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", v + 3, 2), ERR_OK);
	assert_int_equal(ledger_issuer(f->l, issuer), ERR_OK);
	assert_string_equal(issuer, "PROBOLINGGO");

	for (int i = 0; i < 5; i++) {
		assert_true(ledger_has_serial(f->l, v[i].serial));
		assert_int_equal(ledger_find(f->l, v[i].per, v[i].nip, &serial), ERR_OK);
		assert_int_equal(serial, v[i].serial);
		assert_int_equal(ledger_get(f->l, v[i].serial, &got), ERR_OK);
		same_voucher(&got, &v[i]);
		assert_false(got.revoked);
		assert_int_equal(got.replaced_by, 0);
	}
	assert_int_equal(ledger_find(f->l, DEC, NIP_C, &serial), ERR_NOT_FOUND);
	assert_int_equal(ledger_find(f->l, (period){2027, 11}, NIP_A, &serial), ERR_NOT_FOUND);
	assert_int_equal(ledger_get(f->l, 0x5000000000000004ULL, &got), ERR_NOT_FOUND);
	assert_false(ledger_has_serial(f->l, 0x5000000000000004ULL));

	/* Each period gives its own vouchers, in serial order. */
	s = each(f->l, NOV, 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.serial[0], 0x1000000000000002ULL);
	assert_int_equal(s.serial[1], 0x5000000000000003ULL);
	assert_int_equal(s.serial[2], 0x9000000000000001ULL);
	s = each(f->l, DEC, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.serial[0], 0x3000000000000004ULL);
	assert_int_equal(s.serial[1], 0x7000000000000005ULL);
	assert_int_equal(each(f->l, (period){2026, 10}, 0).n, 0);
	assert_int_equal(each(f->l, (period){2027, 1}, 0).n, 0);
	assert_int_equal(each(f->l, (period){2025, 11}, 0).n, 0);
	/* fn's non-zero return stops the walk. */
	s = each(f->l, NOV, 2);
	assert_int_equal(s.n, 2);

	/* It is all on disk. */
	ledger_close(f->l);
	f->l = NULL;
	assert_int_equal(ledger_open(f->path, false, &f->l), ERR_OK);
	assert_int_equal(ledger_find(f->l, DEC, NIP_B, &serial), ERR_OK);
	assert_int_equal(serial, v[4].serial);
	assert_int_equal(ledger_get(f->l, v[2].serial, &got), ERR_OK);
	same_voucher(&got, &v[2]);
	assert_int_equal(each(f->l, NOV, 0).n, 3);
	assert_int_equal(ledger_issuer(f->l, issuer), ERR_OK);
	assert_string_equal(issuer, "PROBOLINGGO");
}

static void one_per_nip_all_or_none(void **state)
{
	struct fixture *f = *state;
	ledger_voucher first = mk(0x0A00000000000001ULL, NIP_A, "Ani", NOV, 50000);
	ledger_voucher again = mk(0x0A00000000000002ULL, NIP_A, "Ani", NOV, 50000);
	ledger_voucher batch[3] = {
	    mk(0x0B00000000000001ULL, NIP_B, "Budi", NOV, 50000),
	    mk(0x0B00000000000002ULL, NIP_C, "Citra", NOV, 50000),
	    mk(0x0B00000000000003ULL, NIP_A, "Ani lagi", NOV, 50000),
	};
	ledger_voucher inner[2] = {
	    mk(0x0C00000000000001ULL, NIP_D, "Dewi", NOV, 50000),
	    mk(0x0C00000000000002ULL, NIP_D, "Dewi", NOV, 50000),
	};
	ledger_voucher reuse = mk(0x0A00000000000001ULL, NIP_E, "Eko", NOV, 50000);
	ledger_voucher next_month = mk(0x0D00000000000001ULL, NIP_A, "Ani", DEC, 50000);
	uint64_t serial;
	struct seen s;

	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &first, 1), ERR_OK);
	/* The same NIP in the same period: refused. */
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &again, 1), ERR_EXISTS);
	assert_false(ledger_has_serial(f->l, again.serial));

	/* A batch whose third voucher clashes leaves none of the three. */
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", batch, 3), ERR_EXISTS);
	for (int i = 0; i < 3; i++)
		assert_false(ledger_has_serial(f->l, batch[i].serial));
	assert_int_equal(ledger_find(f->l, NOV, NIP_B, &serial), ERR_NOT_FOUND);
	assert_int_equal(ledger_find(f->l, NOV, NIP_C, &serial), ERR_NOT_FOUND);
	assert_int_equal(ledger_find(f->l, NOV, NIP_A, &serial), ERR_OK);
	assert_int_equal(serial, first.serial);

	/* Two for one NIP within one batch. */
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", inner, 2), ERR_EXISTS);
	assert_false(ledger_has_serial(f->l, inner[0].serial));
	assert_int_equal(ledger_find(f->l, NOV, NIP_D, &serial), ERR_NOT_FOUND);

	/* A serial already taken, for another NIP. */
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &reuse, 1), ERR_EXISTS);
	assert_int_equal(ledger_find(f->l, NOV, NIP_E, &serial), ERR_NOT_FOUND);

	s = each(f->l, NOV, 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.serial[0], first.serial);

	/* The same NIP in the next period is fine, and the batch without
	 * its clash goes through. */
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &next_month, 1), ERR_OK);
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", batch, 2), ERR_OK);
	assert_int_equal(each(f->l, NOV, 0).n, 3);
	assert_int_equal(each(f->l, DEC, 0).n, 1);
}

static void issuer_binding(void **state)
{
	struct fixture *f = *state;
	ledger_voucher a = mk(0x0100000000000001ULL, NIP_A, "Ani", NOV, 50000);
	ledger_voucher b = mk(0x0100000000000002ULL, NIP_B, "Budi", NOV, 50000);
	char issuer[KEY_ID_MAX + 1];

	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &a, 1), ERR_OK);
	assert_int_equal(ledger_issue(f->l, "MALANG", &b, 1), ERR_WRONG_ISSUER);
	assert_int_equal(ledger_issue(f->l, "PROBOLINGG", &b, 1), ERR_WRONG_ISSUER);
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO2", &b, 1), ERR_WRONG_ISSUER);
	assert_false(ledger_has_serial(f->l, b.serial));
	assert_int_equal(ledger_issuer(f->l, issuer), ERR_OK);
	assert_string_equal(issuer, "PROBOLINGGO");

	/* The binding survives a reopen. */
	ledger_close(f->l);
	assert_int_equal(ledger_open(f->path, true, &f->l), ERR_OK);
	assert_int_equal(ledger_issue(f->l, "MALANG", &b, 1), ERR_WRONG_ISSUER);
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &b, 1), ERR_OK);
}

static void revoke(void **state)
{
	struct fixture *f = *state;
	ledger_voucher v[3] =
	    {
	        mk(0x0300000000000003ULL, NIP_A, "Ani", NOV, 50000),
	        mk(0x0100000000000001ULL, NIP_B, "Budi", NOV, 50000),
	        mk(0x0200000000000002ULL, NIP_C, "Citra", NOV, 50000),
	    },
	               got;
	uint64_t *serials = NULL, version = 99;
	size_t n = 99;

	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", v, 3), ERR_OK);
	assert_int_equal(ledger_revoked(f->l, &serials, &n, &version), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(version, 0);
	free(serials);

	assert_int_equal(ledger_revoke(f->l, v[0].serial, "pegawai pindah", 1795100000), ERR_OK);
	assert_int_equal(ledger_get(f->l, v[0].serial, &got), ERR_OK);
	assert_true(got.revoked);
	assert_int_equal(got.revoked_at, 1795100000);
	assert_string_equal(got.reason, "pegawai pindah");
	assert_int_equal(got.replaced_by, 0);
	assert_int_equal(ledger_get(f->l, v[1].serial, &got), ERR_OK);
	assert_false(got.revoked);

	assert_int_equal(ledger_revoked(f->l, &serials, &n, &version), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(serials[0], v[0].serial);
	assert_int_equal(version, 1);
	free(serials);

	/* Twice, or unknown: refused, and the list does not move. */
	assert_int_equal(ledger_revoke(f->l, v[0].serial, "again", 1795200000), ERR_EXISTS);
	assert_int_equal(ledger_revoke(f->l, 0x0400000000000004ULL, "nope", 1795200000),
	                 ERR_NOT_FOUND);
	assert_int_equal(ledger_get(f->l, v[0].serial, &got), ERR_OK);
	assert_string_equal(got.reason, "pegawai pindah");
	assert_int_equal(got.revoked_at, 1795100000);
	assert_int_equal(ledger_revoked(f->l, &serials, &n, &version), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(version, 1);
	free(serials);

	assert_int_equal(ledger_revoke(f->l, v[1].serial, "meninggal", 1795300000), ERR_OK);
	assert_int_equal(ledger_revoke(f->l, v[2].serial, "pensiun", 1795300000), ERR_OK);
	assert_int_equal(ledger_revoked(f->l, &serials, &n, &version), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(serials[0], 0x0100000000000001ULL);
	assert_int_equal(serials[1], 0x0200000000000002ULL);
	assert_int_equal(serials[2], 0x0300000000000003ULL);
	assert_int_equal(version, 3);
	free(serials);

	/* Revoked vouchers still show in the period's walk. */
	assert_int_equal(each(f->l, NOV, 0).n, 3);
}

static int find_revoked(const ledger_voucher *v, void *ctx)
{
	int *count = ctx;

	*count += v->revoked ? 100 : 1;
	return 0;
}

static void reissue(void **state)
{
	struct fixture *f = *state;
	ledger_voucher old = mk(0x0E00000000000001ULL, NIP_A, "Ani", NOV, 50000);
	ledger_voucher repl = mk(0x0F00000000000002ULL, NIP_A, "Ani", NOV, 50000), got;
	ledger_voucher stray = mk(0x0F00000000000003ULL, NIP_B, "Budi", NOV, 50000);
	uint64_t serial = 0, *serials = NULL, version = 0;
	size_t n = 0;
	int count = 0;

	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &old, 1), ERR_OK);
	repl.replaces = old.serial;
	repl.issued_at = 1795400000;
	assert_int_equal(ledger_reissue(f->l, old.serial, &repl, "hilang"), ERR_OK);

	assert_int_equal(ledger_get(f->l, old.serial, &got), ERR_OK);
	assert_true(got.revoked);
	assert_string_equal(got.reason, "hilang");
	assert_int_equal(got.replaced_by, repl.serial);
	assert_int_equal(got.revoked_at, 1795400000);

	assert_int_equal(ledger_get(f->l, repl.serial, &got), ERR_OK);
	same_voucher(&got, &repl);
	assert_int_equal(got.replaces, old.serial);
	assert_false(got.revoked);

	assert_int_equal(ledger_find(f->l, NOV, NIP_A, &serial), ERR_OK);
	assert_int_equal(serial, repl.serial);
	assert_int_equal(ledger_revoked(f->l, &serials, &n, &version), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(serials[0], old.serial);
	assert_int_equal(version, 1);
	free(serials);
	/* Both are in the period: the old one revoked. */
	assert_int_equal(ledger_each(f->l, NOV, find_revoked, &count), ERR_OK);
	assert_int_equal(count, 101);

	/* An unknown or already revoked voucher cannot be reissued, and the
	 * replacement is not recorded. */
	stray.replaces = 0x0E0000000000FFFFULL;
	assert_int_equal(ledger_reissue(f->l, 0x0E0000000000FFFFULL, &stray, "x"), ERR_NOT_FOUND);
	assert_false(ledger_has_serial(f->l, stray.serial));
	stray.replaces = old.serial;
	assert_int_equal(ledger_reissue(f->l, old.serial, &stray, "x"), ERR_EXISTS);
	assert_false(ledger_has_serial(f->l, stray.serial));
	assert_int_equal(ledger_find(f->l, NOV, NIP_B, &serial), ERR_NOT_FOUND);
	assert_int_equal(ledger_revoked(f->l, &serials, &n, &version), ERR_OK);
	assert_int_equal(version, 1);
	free(serials);
}

static void period_info(void **state)
{
	struct fixture *f = *state;
	ledger_period_info in = {true, "Asia/Makassar", 5}, out;

	assert_int_equal(ledger_period_info_get(f->l, NOV, &out), ERR_NOT_FOUND);
	assert_int_equal(ledger_set_period_info(f->l, NOV, &in), ERR_OK);
	memset(&out, 0, sizeof out);
	assert_int_equal(ledger_period_info_get(f->l, NOV, &out), ERR_OK);
	assert_true(out.refund);
	assert_string_equal(out.timezone, "Asia/Makassar");
	assert_int_equal(out.grace_days, 5);
	assert_int_equal(ledger_period_info_get(f->l, DEC, &out), ERR_NOT_FOUND);

	/* Set again: the latest wins; other periods are separate. */
	in = (ledger_period_info){false, "Asia/Jayapura", 0};
	assert_int_equal(ledger_set_period_info(f->l, NOV, &in), ERR_OK);
	in = (ledger_period_info){true, "Asia/Jakarta", 3};
	assert_int_equal(ledger_set_period_info(f->l, DEC, &in), ERR_OK);
	assert_int_equal(ledger_period_info_get(f->l, NOV, &out), ERR_OK);
	assert_false(out.refund);
	assert_string_equal(out.timezone, "Asia/Jayapura");
	assert_int_equal(out.grace_days, 0);
	assert_int_equal(ledger_period_info_get(f->l, DEC, &out), ERR_OK);
	assert_true(out.refund);
	assert_string_equal(out.timezone, "Asia/Jakarta");
	assert_int_equal(out.grace_days, 3);
}

static void read_only(void **state)
{
	struct fixture *f = *state;
	char missing[4300];
	ledger *ro = NULL;
	ledger_voucher v = mk(0x0600000000000001ULL, NIP_A, "Ani", NOV, 50000), w, got;
	struct stat st;
	uint64_t serial;

	/* A missing ledger is not created by a read-only open. */
	snprintf(missing, sizeof missing, "%s/none", f->dir);
	assert_int_equal(ledger_open(missing, false, &ro), ERR_IO);
	assert_null(ro);
	assert_int_equal(stat(missing, &st), -1);
	/* Nor is an empty directory turned into one. */
	assert_int_equal(mkdir(missing, 0700), 0);
	assert_int_equal(ledger_open(missing, false, &ro), ERR_IO);
	assert_int_equal(stat(missing, &st), 0);
	snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "/data.mdb");
	assert_int_equal(stat(missing, &st), -1);

	/* An existing one reads, and refuses writes. */
	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", &v, 1), ERR_OK);
	ledger_close(f->l);
	f->l = NULL;
	assert_int_equal(ledger_open(f->path, false, &ro), ERR_OK);
	assert_int_equal(ledger_get(ro, v.serial, &got), ERR_OK);
	same_voucher(&got, &v);
	w = mk(0x0600000000000002ULL, NIP_B, "Budi", NOV, 50000);
	assert_int_not_equal(ledger_issue(ro, "PROBOLINGGO", &w, 1), ERR_OK);
	assert_int_not_equal(ledger_revoke(ro, v.serial, "x", 1), ERR_OK);
	ledger_close(ro);

	assert_int_equal(ledger_open(f->path, true, &f->l), ERR_OK);
	assert_false(ledger_has_serial(f->l, w.serial));
	assert_int_equal(ledger_find(f->l, NOV, NIP_B, &serial), ERR_NOT_FOUND);
	assert_int_equal(ledger_get(f->l, v.serial, &got), ERR_OK);
	assert_false(got.revoked);
}

static void text_round_trip(void **state)
{
	struct fixture *f = *state;
	ledger_voucher v[3], got;
	char longname[LEDGER_TEXT_MAX + 1];

	/* 255 bytes of UTF-8: 85 three-byte characters. */
	longname[0] = '\0';
	for (int i = 0; i < 85; i++)
		strcat(longname, "\xe2\x80\x94"); /* em dash */
	assert_int_equal(strlen(longname), LEDGER_TEXT_MAX);

	v[0] = mk(0x0700000000000001ULL, NIP_A, "Ni Luh Putu \"Ayu\" Widyastuti, S.Pd.", NOV, 1);
	snprintf(v[0].opd, sizeof v[0].opd, "Bag. Umum \\ Protokol");
	snprintf(v[0].cls, sizeof v[0].cls, "fungsional \"ahli\"");
	v[1] = mk(0x0700000000000002ULL, NIP_B, "Çağrı Ölçü — ñ 日本語 🙂", NOV, 2);
	snprintf(v[1].opd, sizeof v[1].opd, "Dinas Pendidikan\tdan Kebudayaan\n(baris 2)");
	v[2] = mk(0x0700000000000003ULL, NIP_C, longname, NOV, 3);
	snprintf(v[2].opd, sizeof v[2].opd, "\\\"\\\\\"'{}[]:,");
	snprintf(v[2].cls, sizeof v[2].cls, "%s", "");

	assert_int_equal(ledger_issue(f->l, "PROBOLINGGO", v, 3), ERR_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ledger_get(f->l, v[i].serial, &got), ERR_OK);
		same_voucher(&got, &v[i]);
	}
	assert_int_equal(ledger_revoke(f->l, v[1].serial, "alasan \"khusus\" \\ 日本", 5), ERR_OK);
	assert_int_equal(ledger_get(f->l, v[1].serial, &got), ERR_OK);
	assert_string_equal(got.reason, "alasan \"khusus\" \\ 日本");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(issue_find_get_each, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_per_nip_all_or_none, setup, teardown),
	    cmocka_unit_test_setup_teardown(issuer_binding, setup, teardown),
	    cmocka_unit_test_setup_teardown(revoke, setup, teardown),
	    cmocka_unit_test_setup_teardown(reissue, setup, teardown),
	    cmocka_unit_test_setup_teardown(period_info, setup, teardown),
	    cmocka_unit_test_setup_teardown(read_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(text_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
