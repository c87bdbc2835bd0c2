/*
 * letters/OPD.pdf: reconcile's letter to the head of each OPD
 * (issuer/letters.h), from the period's totals, its history (trend, rank,
 * repeated misses) and its entitlements (who missed the minimum, NIP
 * masked). One letter per OPD, written on a pool of threads, each
 * atomically; the file names are the voucher sheets' (letter_file_name).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file.h"
#include "letters.h"
#include "nip.h"
#include "reconcile_impl.h"

typedef struct letters_run {
	const report *rp;
	const char **names; /* every OPD's name, in T->opd's order */
	const char *dir;    /* out/letters */
	char period_text[32], made_on[32];
	char labels[HISTORY_MONTHS][HISTORY_LABEL_MAX];
} letters_run;

/* A missed ASN's masked NIP, kept beside the letter's row. */
typedef struct masked_nip {
	char nip[NIP_LEN + 1];
} masked_nip;

static err one_letter(void *ctx, size_t i)
{
	const letters_run *run = ctx;
	const report *rp = run->rp;
	const entitlements *E = rp->E;
	const history *H = rp->H;
	const opd_sum *o = &rp->T->opd[i];
	letter_month trend[HISTORY_MONTHS];
	letter_asn *missed = NULL;
	letter_repeat *repeat = NULL;
	masked_nip *nips = NULL;
	size_t nmissed = 0, nrepeat = 0, first = SIZE_MAX;
	char name[FILE_NAME_MAX + 8], *path = NULL;
	err rc = ERR_NOMEM;

	for (int m = 0; m < HISTORY_MONTHS; m++) {
		const hist_opd *h = history_opd(H, m, o->opd);
		trend[m] = (letter_month){run->labels[m], h ? history_pct10(h->met, h->asn) : -1};
	}
	for (size_t k = 0; k < H->nrepeat; k++)
		if (strcmp(H->repeat[k].opd, o->opd) == 0) {
			first = first == SIZE_MAX ? k : first;
			nrepeat++;
		}
	if (!(missed = calloc(o->n - o->met + 1, sizeof *missed)) ||
	    !(repeat = calloc(nrepeat + 1, sizeof *repeat)) ||
	    !(nips = calloc(o->n - o->met + nrepeat + 1, sizeof *nips))) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto out;
	}
	/* The OPD's entitlements are a run of E's order, by name. */
	for (size_t k = o->first; k < o->first + o->n; k++) {
		const ent *e = &E->e[E->order[k]];
		if (e->redeemed >= e->issued)
			continue;
		nip_mask(e->nip, nips[nmissed].nip);
		missed[nmissed] = (letter_asn){e->name, nips[nmissed].nip, e->issued, e->redeemed};
		nmissed++;
	}
	/* The repeat list is by OPD then name: this OPD's are a run of it. */
	for (size_t k = 0; k < nrepeat; k++) {
		const hist_repeat *x = &H->repeat[first + k];
		masked_nip *mn = &nips[nmissed + k];
		nip_mask(x->nip, mn->nip);
		repeat[k] = (letter_repeat){x->name, mn->nip, (int)x->times};
	}
	letter_file_name(run->names, i, name, sizeof name);
	if (asprintf(&path, "%s/%s", run->dir, name) < 0) {
		fprintf(stderr, "reconcile: out of memory\n");
		path = NULL;
		goto out;
	}
	rc = letter_write_pdf(path, &(letter){.region = rp->region,
	                                      .opd = o->opd,
	                                      .period_text = run->period_text,
	                                      .made_on = run->made_on,
	                                      .asn = (int64_t)o->n,
	                                      .met = (int64_t)o->met,
	                                      .pct_tenths = history_pct10(o->met, o->n),
	                                      .issued = o->issued,
	                                      .redeemed = o->redeemed,
	                                      .unspent = o->unspent,
	                                      .rank = (int)H->rank[i],
	                                      .of = (int)rp->T->nopd,
	                                      .trend = trend,
	                                      .n_trend = HISTORY_MONTHS,
	                                      .missed = missed,
	                                      .n_missed = nmissed,
	                                      .repeat = repeat,
	                                      .n_repeat = nrepeat});
	if (rc != ERR_OK)
		fprintf(stderr, "%s: cannot write: %s\n", path, err_str(rc));
out:
	free(path);
	free(nips);
	free(repeat);
	free(missed);
	return rc;
}

/* The letters being written: their run and its threads. */
struct letters_job {
	letters_run run;
	pool *workers;
	pool_for each;
	char *dir;
};

static void job_free(letters_job *job)
{
	pool_stop(job->workers);
	pool_free(job->workers);
	free(job->run.names);
	free(job->dir);
	free(job);
}

letters_job *letters_start(const report *rp)
{
	const totals *T = rp->T;
	letters_job *job = calloc(1, sizeof *job);
	letters_run *run = job ? &job->run : NULL;
	date today = date_at(time(NULL), rp->E->tz);
	int threads = rp->o->threads > 0 ? rp->o->threads : pool_cpus();

	if (!job || asprintf(&job->dir, "%s/letters", rp->o->out) < 0 ||
	    !(run->names = calloc(T->nopd + 1, sizeof *run->names))) {
		fprintf(stderr, "reconcile: out of memory\n");
		if (job)
			job_free(job);
		return NULL;
	}
	if (file_mkdirs(job->dir, 0700) != ERR_OK) {
		fprintf(stderr, "%s: cannot create: %s\n", job->dir, strerror(errno));
		job_free(job);
		return NULL;
	}
	run->rp = rp;
	run->dir = job->dir;
	snprintf(run->period_text, sizeof run->period_text, "%s %d",
	         month_name_id(rp->o->per.month), rp->o->per.year);
	date_format_id(today, run->made_on, sizeof run->made_on);
	for (int m = 0; m < HISTORY_MONTHS; m++)
		history_label(rp->H->m[m].per, run->labels[m]);
	for (size_t i = 0; i < T->nopd; i++)
		run->names[i] = T->opd[i].opd;
	/* A letter takes tens of milliseconds: every core but this thread's
	 * now, this one too once it has written the other outputs. */
	if (pool_start(threads - 1 < POOL_THREADS_MAX ? threads - 1 : POOL_THREADS_MAX,
	               &job->workers) != ERR_OK) {
		fprintf(stderr, "reconcile: cannot start the letters' threads\n");
		job_free(job);
		return NULL;
	}
	pool_for_start(job->workers, &job->each, T->nopd, one_letter, run);
	return job;
}

bool letters_finish(letters_job *job)
{
	err rc = pool_for_wait(&job->each);

	job_free(job);
	return rc == ERR_OK;
}
