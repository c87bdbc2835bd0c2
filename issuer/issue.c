#include "issue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "csvw.h"
#include "deductions.h"
#include "file.h"
#include "ledger.h"
#include "log.h"
#include "money.h"
#include "nip.h"
#include "policy.h"
#include "pool.h"
#include "qr.h"
#include "roster.h"
#include "sheet.h"
#include "shortcode.h"
#include "sign/sign.h"
#include "signkey.h"
#include "voucher.h"

/* A voucher to sign: the ledger record and the token it gets. */
typedef struct job {
	ledger_voucher rec;
	voucher v;
} job;

struct sign_ctx {
	job *jobs;
	const signkey *key;
};

static err sign_one(void *ctx, size_t i)
{
	struct sign_ctx *c = ctx;
	job *j = &c->jobs[i];
	err rc = voucher_sign(&j->v, c->key->signer);

	if (rc == ERR_OK)
		voucher_encode(&j->v, j->rec.token, sizeof j->rec.token);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Give every job a random serial, not 0, not in the ledger and not shared
 * with another job (64 random bits: a clash is a once-in-the-universe event,
 * but it is checked, not hoped for).
 */
static err assign_serials(ledger *l, job *jobs, size_t n)
{
	uint64_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
	err rc = ERR_OK;

	if (!sorted)
		return ERR_NOMEM;
	for (int round = 0; round < 10; round++) {
		bool clash = false;
		for (size_t i = 0; i < n; i++) {
			uint64_t s = jobs[i].rec.serial;
			while (s == 0 || ledger_has_serial(l, s)) {
				if (RAND_bytes((unsigned char *)&s, sizeof s) != 1) {
					rc = ERR_CRYPTO;
					goto out;
				}
			}
			jobs[i].rec.serial = jobs[i].v.serial = sorted[i] = s;
		}
		qsort(sorted, n, sizeof *sorted, cmp_u64);
		for (size_t i = 1; i < n; i++)
			if (sorted[i] == sorted[i - 1]) {
				for (size_t j = 0; j < n; j++)
					if (jobs[j].rec.serial == sorted[i])
						jobs[j].rec.serial = 0;
				clash = true;
			}
		if (!clash)
			goto out;
	}
	rc = ERR_INTERNAL;
out:
	free(sorted);
	return rc;
}

/* ---- outputs ---- */

/* The period's live vouchers (not revoked), read back from the ledger, and
 * once sorted, each one's short code as printed (code[i] is v[i]'s). */
typedef struct vlist {
	ledger_voucher *v;
	size_t n, cap;
	char (*code)[SHORTCODE_TEXT_LEN + 1];
} vlist;

static int collect(const ledger_voucher *v, void *ctx)
{
	vlist *l = ctx;

	if (v->revoked)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		ledger_voucher *nv = realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return 1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *v;
	return 0;
}

/* The short code of a voucher's text, as printed. ERR_INTERNAL if the text
 * is not a token: the ledger's always are. */
static err code_of(const char *token, char out[SHORTCODE_TEXT_LEN + 1])
{
	voucher v;
	uint8_t bytes[VOUCHER_LEN];
	char code[SHORTCODE_LEN + 1];

	if (voucher_decode(token, strlen(token), &v) != ERR_OK)
		return ERR_INTERNAL;
	voucher_pack(&v, bytes);
	shortcode_of(bytes, code);
	shortcode_format(code, out);
	OPENSSL_cleanse(bytes, sizeof bytes);
	OPENSSL_cleanse(code, sizeof code);
	return ERR_OK;
}

static int by_opd_name(const void *a, const void *b)
{
	const ledger_voucher *x = a, *y = b;
	int c = strcmp(x->opd, y->opd);

	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->nip, y->nip);
}

/* Column col of the issuer's lists for voucher v of short code code, then
 * sep. */
static void voucher_field(FILE *f, const ledger_voucher *v, const char *code, const char *col,
                          char sep)
{
	char buf[VOUCHER_SERIAL_LEN + 1];

	if (strcmp(col, "amount") == 0) {
		csvw_num(f, v->amount, sep);
		return;
	}
	if (strcmp(col, "serial") == 0)
		voucher_serial_format(v->serial, buf);
	else if (strcmp(col, "period") == 0)
		period_format(v->per, buf, sizeof buf);
	csvw_str(f,
	         strcmp(col, "nip") == 0     ? v->nip
	         : strcmp(col, "name") == 0  ? v->name
	         : strcmp(col, "opd") == 0   ? v->opd
	         : strcmp(col, "class") == 0 ? v->cls
	         : strcmp(col, "token") == 0 ? v->token
	         : strcmp(col, "code") == 0  ? code
	                                     : buf,
	         sep);
}

/* A list of the vouchers: a header of the columns, then a row each. */
static void voucher_rows(FILE *f, const vlist *l, const char *const *cols, int n)
{
	csvw_row(f, n, cols);
	for (size_t i = 0; i < l->n; i++)
		for (int c = 0; c < n; c++)
			voucher_field(f, &l->v[i], l->code[i], cols[c], c + 1 < n ? ',' : '\n');
}

static void vouchers_csv(FILE *f, void *ctx)
{
	static const char *const cols[] = {"serial", "nip",    "name",  "opd", "class",
	                                   "amount", "period", "token", "code"};

	voucher_rows(f, ctx, cols, 9);
}

static void deductions_csv(FILE *f, void *ctx)
{
	static const char *const cols[] = {"nip", "name", "opd", "period", "amount", "serial"};

	voucher_rows(f, ctx, cols, 6);
}

/* vouchers.csv, deductions.csv and deductions.xlsx of period p, each
 * replaced atomically. */
static err write_lists(const vlist *l, period p, const char *out)
{
	char path[4096];
	err rc;

	snprintf(path, sizeof path, "%s/vouchers.csv", out);
	if ((rc = file_write_atomic_with(path, 0644, vouchers_csv, (void *)l)) != ERR_OK)
		return rc;
	snprintf(path, sizeof path, "%s/deductions.csv", out);
	if ((rc = file_write_atomic_with(path, 0644, deductions_csv, (void *)l)) != ERR_OK)
		return rc;
	/* The same rows for the finance office's Excel (issuer/deductions.h). */
	snprintf(path, sizeof path, "%s/deductions.xlsx", out);
	return deductions_write_xlsx(path, 0644, p, l->v, l->n);
}

struct render_ctx {
	const vlist *l;
	const policy_scheme *sc;
	const char *out;
	size_t *group; /* start index of each OPD's run in l, and l->n last */
	size_t *order; /* OPD runs, the longest first */
	size_t groups;
};

static err render_qr(void *ctx, size_t i)
{
	struct render_ctx *c = ctx;
	const ledger_voucher *v = &c->l->v[i];
	char serial[VOUCHER_SERIAL_LEN + 1], path[4096];
	QRcode *q = qr_encode(v->token);
	err rc;

	if (!q)
		return ERR_NOMEM;
	voucher_serial_format(v->serial, serial);
	snprintf(path, sizeof path, "%s/qr/%s.png", c->out, serial);
	rc = qr_write_png(q, c->l->code[i], path);
	snprintf(path, sizeof path, "%s/qr/%s.svg", c->out, serial);
	if (rc == ERR_OK)
		rc = qr_write_svg(q, c->l->code[i], path);
	QRcode_free(q);
	return rc;
}

/* "1 Desember 2026 - 3 Januari 2027": the first and the last valid day. */
static void validity_text(const voucher *v, const tzone *tz, char *out, size_t n)
{
	char a[32], b[32];

	date_format_id(date_at(v->valid_from, tz), a, sizeof a);
	date_format_id(date_at((int64_t)v->valid_until - 1, tz), b, sizeof b);
	snprintf(out, n, "%s - %s", a, b);
}

/* The OPD of group g, for its file name. */
static const char *group_opd(void *ctx, size_t g)
{
	const struct render_ctx *c = ctx;

	return c->l->v[c->group[g]].opd;
}

static err render_sheet(void *ctx, size_t g)
{
	struct render_ctx *c = ctx;
	size_t from = c->group[g], to = c->group[g + 1], n = to - from;
	sheet_card *cards = calloc(n, sizeof *cards);
	char(*text)[5][80] = calloc(n, sizeof *text);
	char name[FILE_NAME_MAX], path[4096], per[32];
	err rc = ERR_NOMEM;

	if (!cards || !text)
		goto out;
	snprintf(per, sizeof per, "%s %d", month_name_id(c->l->v[from].per.month),
	         c->l->v[from].per.year);
	for (size_t i = 0; i < n; i++) {
		const ledger_voucher *v = &c->l->v[from + i];
		voucher tok;
		if (voucher_decode(v->token, strlen(v->token), &tok) != ERR_OK) {
			rc = ERR_INTERNAL;
			goto out;
		}
		nip_mask(v->nip, text[i][0]);
		money_format(v->amount, text[i][1], sizeof text[i][1]);
		validity_text(&tok, c->sc->tz, text[i][2], sizeof text[i][2]);
		voucher_serial_format(v->serial, text[i][3]);
		cards[i] = (sheet_card){.title = c->sc->title,
		                        .issuer = c->sc->issuer,
		                        .name = v->name,
		                        .nip_masked = text[i][0],
		                        .opd = v->opd,
		                        .amount = text[i][1],
		                        .period = per,
		                        .validity = text[i][2],
		                        .serial = text[i][3],
		                        .code = c->l->code[from + i],
		                        .token = v->token};
	}
	file_name_in(group_opd, c, g, name, sizeof name);
	snprintf(path, sizeof path, "%s/sheets/%s.pdf", c->out, name);
	rc = sheet_write_pdf(path, cards, n);
out:
	free(cards);
	free(text);
	return rc;
}

/* Task i of the rendering: the sheets of one OPD (the longest first), then
 * the PNG and SVG of each voucher, so both cores stay busy to the end. */
static err render_task(void *ctx, size_t i)
{
	struct render_ctx *c = ctx;

	return i < c->groups ? render_sheet(c, c->order[i]) : render_qr(c, i - c->groups);
}

static int longer_first(const void *a, const void *b, void *ctx)
{
	const struct render_ctx *c = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t lx = c->group[x + 1] - c->group[x];
	size_t ly = c->group[y + 1] - c->group[y];

	return lx < ly ? 1 : lx > ly ? -1 : (x > y) - (x < y);
}

/* QR codes of every voucher and a PDF of sheets per OPD (l is sorted by
 * OPD), spread over the workers. */
static err render_all(const vlist *l, const policy_scheme *sc, const char *out, pool *workers)
{
	struct render_ctx c = {
	    l, sc, out, malloc((l->n + 1) * sizeof(size_t)), malloc((l->n + 1) * sizeof(size_t)),
	    0};
	err rc = ERR_NOMEM;

	if (!c.group || !c.order)
		goto out;
	for (size_t i = 0; i < l->n; i++)
		if (i == 0 || strcmp(l->v[i].opd, l->v[i - 1].opd) != 0)
			c.group[c.groups++] = i;
	c.group[c.groups] = l->n;
	for (size_t g = 0; g < c.groups; g++)
		c.order[g] = g;
	qsort_r(c.order, c.groups, sizeof *c.order, longer_first, &c);
	rc = pool_for_all(workers, c.groups + l->n, render_task, &c);
out:
	free(c.order);
	free(c.group);
	return rc;
}

/* ---- issuing ---- */

/* The token of j's record (period, amount and serial set): the scheme's
 * issuer, use and gallery, the signing key, the validity window. */
static void fill_token(job *j, const policy_scheme *sc, const signkey *key, int64_t from,
                       int64_t until)
{
	snprintf(j->rec.kid, sizeof j->rec.kid, "%s", key->kid);
	j->rec.issued_at = time(NULL);
	j->v.flags = sc->use == POLICY_MULTI ? VOUCHER_FLAG_MULTI : 0;
	tag_of("issuer", sc->issuer, j->v.issuer_tag);
	tag_of("kid", key->kid, j->v.kid_tag);
	if (sc->gallery[0])
		tag_of("gallery", sc->gallery, j->v.gallery_tag);
	j->v.year = (uint16_t)j->rec.per.year;
	j->v.month = (uint8_t)j->rec.per.month;
	j->v.valid_from = (uint32_t)from;
	j->v.valid_until = (uint32_t)until;
	j->v.face_value = (uint32_t)j->rec.amount;
}

static int this_year(void)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

/* out and its qr/ and sheets/. */
static bool mkdirs(const char *out)
{
	char sub[4096];

	snprintf(sub, sizeof sub, "%s/qr", out);
	if (file_mkdirs(sub, 0755) != ERR_OK)
		return false;
	snprintf(sub, sizeof sub, "%s/sheets", out);
	return file_mkdirs(sub, 0755) == ERR_OK;
}

/*
 * Write every output of period p from the ledger into out, and print the
 * totals per OPD. Returns ERR_OK or why not.
 */
static err write_outputs(ledger *l, period p, const policy_scheme *sc, const char *out,
                         pool *workers, int64_t *total, size_t *count)
{
	vlist list = {0};
	err rc;

	if (!mkdirs(out)) {
		fprintf(stderr, "voucher-issuer: cannot create %s: %s\n", out, strerror(errno));
		return ERR_IO;
	}
	if ((rc = ledger_each(l, p, collect, &list)) != ERR_OK)
		goto out;
	if (list.n > 1) /* none: list.v is NULL, which qsort may not take */
		qsort(list.v, list.n, sizeof *list.v, by_opd_name);
	if (!(list.code = malloc((list.n ? list.n : 1) * sizeof *list.code))) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < list.n; i++)
		if ((rc = code_of(list.v[i].token, list.code[i])) != ERR_OK)
			goto out;
	*total = 0;
	for (size_t i = 0; i < list.n; i++)
		if (!money_add(*total, list.v[i].amount, total)) {
			rc = ERR_OVERFLOW;
			goto out;
		}
	*count = list.n;
	if ((rc = write_lists(&list, p, out)) != ERR_OK)
		goto out;
	rc = render_all(&list, sc, out, workers);
out:
	if (list.code)
		OPENSSL_cleanse(list.code, list.n * sizeof *list.code);
	free(list.code);
	free(list.v);
	return rc;
}

static void print_per_opd(const job *jobs, size_t n)
{
	/* jobs are in roster order; a small table of OPDs is enough here. */
	struct {
		const char *opd;
		size_t n;
		int64_t total;
	} *t = calloc(n ? n : 1, sizeof *t);
	size_t nt = 0;
	char money[MONEY_FMT_MAX];

	if (!t)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < nt && strcmp(t[k].opd, jobs[i].rec.opd) != 0; k++)
			;
		if (k == nt)
			t[nt++].opd = jobs[i].rec.opd;
		t[k].n++;
		t[k].total += jobs[i].rec.amount;
	}
	for (size_t k = 0; k < nt; k++) {
		money_format(t[k].total, money, sizeof money);
		printf("  %-40s %6zu vouchers  %s\n", t[k].opd, t[k].n, money);
	}
	free(t);
}

int issue_run(const issue_opts *o)
{
	char why[1024], per[8], money[MONEY_FMT_MAX], money2[MONEY_FMT_MAX];
	policy *pol = NULL;
	const policy_scheme *sc;
	roster *ros = NULL;
	roster_problems *probs = NULL;
	ledger *l = NULL;
	signkey key = {0};
	pool *workers = NULL;
	job *jobs = NULL;
	size_t njobs = 0, already = 0, bad = 0, count = 0;
	int64_t from, until, total_new = 0, total = 0;
	struct sign_ctx sctx;
	ledger_period_info info = {0};
	int status = 1;
	err rc;

	period_format(o->per, per, sizeof per);
	if ((rc = policy_load(o->policy, &pol, why, sizeof why)) != ERR_OK) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	sc = policy_get_scheme(pol);
	rc = roster_load(o->roster, this_year(), &ros, &probs);
	if (rc == ERR_NOMEM || !probs) {
		fprintf(stderr, "voucher-issuer: out of memory\n");
		goto out;
	}
	if (rc == ERR_OK && !(jobs = calloc(roster_count(ros) + 1, sizeof *jobs)))
		rc = ERR_NOMEM;

	/* Rows the roster took may still not fit the policy. */
	for (size_t i = 0; rc == ERR_OK && i < roster_count(ros); i++) {
		const roster_row *r = roster_at(ros, i);
		const policy_class *c = policy_class_find(pol, r->class_name);
		const char *what = NULL;
		int64_t amount = 0;
		job *j = &jobs[njobs];

		if (!c)
			roster_problems_add(probs, o->roster, r->line,
			                    "unknown class '%s' (not in %s)", r->class_name,
			                    o->policy);
		else if (policy_amount(c, r->tpp, &amount, &what) != ERR_OK)
			roster_problems_add(probs, o->roster, r->line, "class %s: %s", c->name,
			                    what);
		else if (strlen(r->name) > LEDGER_TEXT_MAX || strlen(r->opd) > LEDGER_TEXT_MAX)
			roster_problems_add(probs, o->roster, r->line,
			                    "name or OPD longer than %d bytes", LEDGER_TEXT_MAX);
		if (!c || what || strlen(r->name) > LEDGER_TEXT_MAX ||
		    strlen(r->opd) > LEDGER_TEXT_MAX)
			continue;
		memcpy(j->rec.nip, r->nip, sizeof j->rec.nip);
		snprintf(j->rec.name, sizeof j->rec.name, "%s", r->name);
		snprintf(j->rec.opd, sizeof j->rec.opd, "%s", r->opd);
		snprintf(j->rec.cls, sizeof j->rec.cls, "%s", c->name);
		j->rec.amount = amount;
		njobs++;
	}
	bad = roster_problems_count(probs);
	for (size_t i = 0; i < bad; i++)
		fprintf(stderr, "%s\n", roster_problems_text(probs, i));
	if (rc != ERR_OK) {
		fprintf(stderr, "voucher-issuer: nothing issued\n");
		goto out;
	}
	if (bad && !o->skip_invalid) {
		fprintf(stderr,
		        "voucher-issuer: nothing issued: %zu row(s) have problems; fix them, or "
		        "issue the others with --skip-invalid\n",
		        bad);
		goto out;
	}

	/* The key first, so that a missing one makes no ledger; then again
	 * without the keys the ledger says are compromised. */
	if ((rc = signkey_open(o->keys, sc->issuer, o->per, NULL, &key, why, sizeof why)) !=
	    ERR_OK) {
		fprintf(stderr, "%s\n", why);
		goto out;
	}
	if ((rc = ledger_open(o->ledger, true, &l)) != ERR_OK) {
		fprintf(stderr, "%s: cannot open the ledger: %s\n", o->ledger, err_str(rc));
		goto out;
	}
	if (ledger_is_compromised(l, key.kid)) {
		signkey_close(&key);
		if ((rc = signkey_open(o->keys, sc->issuer, o->per, l, &key, why, sizeof why)) !=
		    ERR_OK) {
			fprintf(stderr, "%s\n", why);
			goto out;
		}
	}

	/* One voucher per NIP per period: keep only those who have none. */
	{
		size_t keep = 0;
		for (size_t i = 0; i < njobs; i++) {
			uint64_t s;
			rc = ledger_find(l, o->per, jobs[i].rec.nip, &s);
			if (rc == ERR_OK) {
				already++;
				continue;
			}
			if (rc != ERR_NOT_FOUND) {
				fprintf(stderr, "%s: %s\n", o->ledger, err_str(rc));
				goto out;
			}
			jobs[keep++] = jobs[i];
		}
		njobs = keep;
	}

	period_window(o->per, sc->grace_days, sc->tz, &from, &until);
	if (from < 0 || until > UINT32_MAX) {
		fprintf(stderr, "voucher-issuer: period %s is outside the token's time range\n",
		        per);
		goto out;
	}
	if ((rc = assign_serials(l, jobs, njobs)) != ERR_OK) {
		fprintf(stderr, "voucher-issuer: cannot draw serials: %s\n", err_str(rc));
		goto out;
	}
	for (size_t i = 0; i < njobs; i++) {
		jobs[i].rec.per = o->per;
		fill_token(&jobs[i], sc, &key, from, until);
		money_add(total_new, jobs[i].rec.amount, &total_new);
	}
	sctx.jobs = jobs;
	sctx.key = &key;
	if ((rc = pool_start(o->threads - 1, &workers)) != ERR_OK) {
		fprintf(stderr, "voucher-issuer: cannot start the signing threads\n");
		goto out;
	}
	if ((rc = pool_for_all(workers, njobs, sign_one, &sctx)) != ERR_OK) {
		fprintf(stderr, "voucher-issuer: signing failed: %s\n", err_str(rc));
		goto out;
	}

	/* All of this run's vouchers, or none. */
	if (njobs) {
		ledger_voucher *recs = malloc(njobs * sizeof *recs);
		if (!recs) {
			rc = ERR_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < njobs; i++)
			recs[i] = jobs[i].rec;
		rc = ledger_issue(l, sc->issuer, recs, njobs);
		free(recs);
		if (rc == ERR_WRONG_ISSUER)
			fprintf(stderr, "%s: this ledger belongs to another issuer than %s\n",
			        o->ledger, sc->issuer);
		else if (rc != ERR_OK)
			fprintf(stderr, "%s: nothing issued: %s\n", o->ledger, err_str(rc));
		if (rc != ERR_OK)
			goto out;
	}
	info.refund = sc->unspent == POLICY_REFUND;
	snprintf(info.timezone, sizeof info.timezone, "%s", sc->tz->name);
	info.grace_days = sc->grace_days;
	if ((rc = ledger_set_period_info(l, o->per, &info)) != ERR_OK)
		goto out;

	if ((rc = write_outputs(l, o->per, sc, o->out, workers, &total, &count)) != ERR_OK) {
		fprintf(stderr,
		        "%s: outputs not all written (%s); the vouchers are in the ledger: "
		        "run issue again to write them\n",
		        o->out, err_str(rc));
		goto out;
	}

	money_format(total_new, money, sizeof money);
	money_format(total, money2, sizeof money2);
	printf("period %s, issuer %s, key %s\n", per, sc->issuer, key.kid);
	printf("issued now: %zu vouchers, %s\n", njobs, money);
	print_per_opd(jobs, njobs);
	printf("already issued before: %zu\n", already);
	printf("skipped: %zu by status", roster_skipped(ros));
	for (size_t i = 0; i < roster_statuses(ros); i++) {
		size_t rows;
		const char *st = roster_status_at(ros, i, &rows);
		printf("%s %s=%zu", i ? "," : ":", st[0] ? st : "(empty)", rows);
	}
	printf("; %zu invalid row(s)%s\n", bad, bad ? " (listed on stderr)" : "");
	printf("period total: %zu vouchers, %s (deductions.csv, deductions.xlsx)\n", count, money2);
	printf("outputs: %s/vouchers.csv %s/deductions.csv %s/deductions.xlsx %s/qr/ %s/sheets/\n",
	       o->out, o->out, o->out, o->out, o->out);
	status = 0;
out:
	pool_stop(workers);
	pool_free(workers);
	signkey_close(&key);
	ledger_close(l);
	free(jobs);
	roster_free(ros);
	roster_problems_free(probs);
	policy_free(pol);
	return status;
}

int issue_reissue(const char *ledger_dir, const char *keys, const char *policy_path,
                  uint64_t serial, const char *reason, const char *out)
{
	char why[1024], old_s[VOUCHER_SERIAL_LEN + 1], new_s[VOUCHER_SERIAL_LEN + 1];
	policy *pol = NULL;
	const policy_scheme *sc;
	ledger *l = NULL;
	signkey key = {0};
	pool *workers = NULL;
	job *j = calloc(1, sizeof *j);
	ledger_voucher *old = malloc(sizeof *old);
	int64_t from, until, total;
	size_t count;
	int status = 1;
	err rc;

	voucher_serial_format(serial, old_s);
	if (!j || !old)
		goto out;
	if ((rc = policy_load(policy_path, &pol, why, sizeof why)) != ERR_OK) {
		fprintf(stderr, "%s\n", why);
		goto out;
	}
	sc = policy_get_scheme(pol);
	if ((rc = ledger_open(ledger_dir, true, &l)) != ERR_OK) {
		fprintf(stderr, "%s: cannot open the ledger: %s\n", ledger_dir, err_str(rc));
		goto out;
	}
	if ((rc = ledger_get(l, serial, old)) != ERR_OK) {
		fprintf(stderr, "%s: no voucher %s\n", ledger_dir, old_s);
		goto out;
	}
	if (old->revoked) {
		fprintf(stderr, "voucher %s is revoked already (%s)\n", old_s, old->reason);
		goto out;
	}
	if ((rc = signkey_open(keys, sc->issuer, old->per, l, &key, why, sizeof why)) != ERR_OK) {
		fprintf(stderr, "%s\n", why);
		goto out;
	}
	j->rec = *old;
	j->rec.serial = 0;
	j->rec.replaces = serial;
	if ((rc = assign_serials(l, j, 1)) != ERR_OK)
		goto out;
	period_window(old->per, sc->grace_days, sc->tz, &from, &until);
	fill_token(j, sc, &key, from, until);
	{
		struct sign_ctx c = {j, &key};
		if ((rc = sign_one(&c, 0)) != ERR_OK)
			goto out;
	}
	if ((rc = ledger_reissue(l, serial, &j->rec, reason)) != ERR_OK) {
		fprintf(stderr, "%s: not reissued: %s\n", ledger_dir, err_str(rc));
		goto out;
	}
	voucher_serial_format(j->rec.serial, new_s);
	printf("voucher %s revoked (%s) and replaced by %s for the same ASN, period and amount\n",
	       old_s, reason, new_s);
	if (out && (pool_start(1, &workers) != ERR_OK ||
	            write_outputs(l, old->per, sc, out, workers, &total, &count) != ERR_OK)) {
		fprintf(stderr, "%s: outputs not written; run issue again to write them\n", out);
		goto out;
	}
	printf("give redeemers a new revocation list: voucher-issuer revocations\n");
	status = 0;
out:
	pool_stop(workers);
	pool_free(workers);
	signkey_close(&key);
	ledger_close(l);
	policy_free(pol);
	free(j);
	free(old);
	return status;
}
