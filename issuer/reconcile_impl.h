/*
 * reconcile's parts, each a noun with its own file; reconcile.c runs them
 * in order (reconcile.h says what the command does):
 *
 *   recon_ledger.c    entitlements: the ledger's vouchers of the period,
 *                     each ASN's voucher and its reissues as one
 *   recon_journal.c   journals read line by line: form, chain link, and
 *                     the table of entries, each counted once
 *   recon_receipts.c  receipts checked against their line and their tree,
 *                     one signature a tree, on a pool of threads
 *   recon_trust.c     the journals as evidence: each file's signed head,
 *                     the heads pinned during the month, the merchants'
 *                     receipts, redemption numbers without gaps, balances
 *                     that follow line to line; what fails is withheld
 *   recon_settle.c    entries settled against entitlements, anomalies,
 *                     balances
 *   recon_csv.c       the CSV outputs, each written atomically
 *   recon_html.c      report.html
 *   recon_xlsx.c      report.xlsx
 *   recon_pay.c       what each merchant id is owed, and its payee
 *   recon_letters.c   letters/OPD.pdf, a letter to the head of each OPD
 *
 * A function takes the parts it needs, never the whole run.
 */
#ifndef RECONCILE_IMPL_H
#define RECONCILE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "journal.h"
#include "keyring.h"
#include "ledger.h"
#include "merchants.h"
#include "pool.h"
#include "reconcile.h"

#define NONE         UINT32_MAX
#define RID_TEXT_MAX (KEY_ID_MAX + 32) /* "KID-YYYYMM-N" and its NUL */

/* ---- anomalies (recon_settle.c) ---- */

/*
 * The kinds before AN__FAILS are failures: the journals do not hold
 * together (edited, incomplete, or signed by no key of the keyring); what
 * they touch is withheld, and the month does not balance. The others are
 * findings about genuine entries, which are paid.
 */
enum anomaly_kind {
	AN_CHAIN_BREAK,
	AN_BAD_HEAD,
	AN_NOT_EXTENDED,
	AN_BAD_RECEIPT,
	AN_CONFLICT,
	AN_MISSING,
	AN_REMAINING,
	AN_NOT_IN_JOURNAL,
	AN_UNKNOWN_SERIAL,
	AN_VOID_WITHOUT,
	AN__FAILS,
	AN_AFTER_REVOCATION = AN__FAILS,
	AN_OUTSIDE_VALIDITY,
	AN_OVERSPENT,
	AN_FORGED_RECEIPT,
	AN_NO_PAYEE,
	AN__COUNT
};

/* The kinds' names, as anomalies.csv writes them. */
extern const char *const anomaly_name[AN__COUNT];

typedef struct anomaly {
	uint8_t kind;
	uint64_t serial;
	uint64_t ord, seq; /* where it was found (file, line), then when */
	char *detail;
} anomaly;

/* Findings, sorted by kind then place before they are written. */
typedef struct anomalies {
	anomaly *an;
	size_t n, cap;
	size_t count[AN__COUNT];
	err fatal; /* ERR_NOMEM once one could not be kept: the run fails */
} anomalies;

/* The place of a finding: journal file, then line. */
static inline uint64_t anomaly_ord(uint32_t file, uint32_t line)
{
	return (uint64_t)file << 32 | line;
}

__attribute__((format(printf, 5, 6))) void anomaly_add(anomalies *a, int kind, uint64_t serial,
                                                       uint64_t ord, const char *fmt, ...);
void anomalies_sort(anomalies *a);
void anomalies_free(anomalies *a);

/* ---- entitlements (recon_ledger.c) ---- */

/* A voucher of the period, as the ledger holds it. */
typedef struct vch {
	uint64_t serial, replaces, replaced_by;
	int64_t amount, revoked_at, valid_from, valid_until;
	bool revoked;
	uint32_t ent;
	char *text; /* nip, name, opd, class: NUL-separated, one allocation */
} vch;

/* An entitlement: one ASN's voucher of the period, reissues included. */
typedef struct ent {
	uint64_t serial; /* the last of the chain */
	int64_t issued, redeemed, unspent;
	const char *nip, *name, *opd, *cls; /* the original voucher's */
} ent;

typedef struct entitlements {
	ledger *l;
	ledger_period_info info;
	const tzone *tz;
	vch *v;
	size_t nv, vcap;
	uint64_t *skey; /* serial -> voucher index, open addressing */
	uint32_t *sval;
	size_t scap;
	ent *e;
	size_t ne;
	uint32_t *order; /* entitlements by opd, name, nip */
} entitlements;

/* Open the ledger read-only and load period per's vouchers and
 * entitlements. Problems are printed; false if the run cannot go on. */
bool entitlements_load(entitlements *E, const char *ledger_dir, period per);
void entitlements_free(entitlements *E);

/* The index of the voucher with this serial, or NONE. */
uint32_t entitlements_find(const entitlements *E, uint64_t serial);

/* ---- the journals' entries (recon_journal.c) ---- */

/* A merchant at a gallery: a row of settlement.csv. */
typedef struct site {
	char *merchant, *gallery;
	uint64_t redemptions, voids;
	int64_t redeemed, voided, amount;
	uint64_t offline, conflicts; /* of the redemptions, those made offline; offline conflicts */
	int64_t conflicted;          /* rupiah of the conflicts: the merchant bears them */
} site;

/* Strings to small numbers: redemption id prefixes, sites. */
typedef struct strtab {
	uint32_t *slot; /* index + 1; 0 empty */
	size_t cap;     /* a power of two */
	char **key;
	size_t *klen;
	uint64_t *hash;
	size_t n, kcap;
} strtab;

/* An entry that failed a check: never paid (EF_WITHHELD covers both). */
enum entry_flag { EF_RECEIPT_BAD = 1, EF_WITHHELD = 2 };
#define EF_NOT_PAID (EF_RECEIPT_BAD | EF_WITHHELD)

#define DIGEST_LEN 16 /* of a line, to tell duplicates from conflicts */

/* A journal entry seen for the first time; 72 bytes, a million fit. */
typedef struct entry {
	uint64_t ridnum, serial;
	int64_t time;
	uint32_t amount, remaining, pfx, site, terminal, file, line;
	uint8_t kind, flags;
	uint8_t digest[DIGEST_LEN]; /* of the line: its chain hash as computed */
} entry;

/* Every entry of every journal, once: by (redemption id, kind). */
typedef struct entries {
	entry *en;
	size_t n, cap;
	uint64_t *slot; /* by (prefix, number, kind): hash << 32 | entry index + 1 */
	size_t slots;
	strtab pfx, sites;
	site *site;
	size_t sitecap;
	uint32_t last_site, last_pfx;
	uint64_t lines, dups;
} entries;

void entries_init(entries *J);
void entries_free(entries *J);

/* Room for at least want entries (a hint); ERR_NOMEM, ERR_TOO_LARGE. */
err entries_reserve(entries *J, size_t want);

/* The entry of (prefix, number, kind), or NONE. */
uint32_t entries_find(const entries *J, uint32_t pfx, uint64_t num, uint8_t kind);

/* The index of prefix "KID-YYYYMM" (n bytes), or NONE. */
uint32_t entries_prefix(const entries *J, const char *pfx, size_t n);

/* "KID-YYYYMM-N" of an entry into out. */
void entry_rid(const entries *J, const entry *en, char *out, size_t n);

typedef struct rcheck rcheck;

/* A head pinned during the month (--head), and what each journal said at
 * its last seq: seen[file] (the line's hash and the totals so far agree)
 * or not; at[file] the line that was its last seq, 0 if none. */
typedef struct pinned {
	journal_head h;
	char text[JOURNAL_HEAD_MAX + 1];
	const char *src; /* the file it came from */
	unsigned long line;
	bool *agrees;
	unsigned long *at;
} pinned;

typedef struct pins {
	pinned *p;
	size_t n;
} pins;

/* A journal file's own account of itself, as read, and its head line. */
typedef struct account {
	uint64_t count, last_seq;
	char last_hash[JOURNAL_HASH_HEX + 1];
	int64_t redeemed, voided;
	unsigned long head_line; /* 0: none yet */
	char head[JOURNAL_HEAD_MAX + 1];
	char kid[KEY_ID_MAX + 1]; /* the head's: the redeemer whose journal it is */
} account;

/* What reading the journals needs. */
typedef struct journal_run {
	const char *const *paths; /* the journals, for messages */
	size_t nfiles;
	char pertext[8]; /* the period reconciled */
	entries *J;
	anomalies *A;
	rcheck *R;     /* NULL: receipts are not checked */
	pins *P;       /* heads pinned during the month */
	account *acct; /* one per journal */
	char *chunk;
	err fatal;
} journal_run;

/* Read journal number file; false if it is refused (printed) or the run
 * fails (jr->fatal). */
bool journal_read(journal_run *jr, uint32_t file);

/* ---- receipts (recon_receipts.c) ---- */

/* Set up checking receipts against the keyring at path on threads threads
 * (0: one per CPU), for the journals at paths. NULL (printed why) if it
 * cannot. */
rcheck *rcheck_new(const char *path, int threads, const char *const *paths);
void rcheck_free(rcheck *R);

/* Check the receipt of new redeem entry idx, whose fields are f: against
 * the line, then its path; its tree's signature is queued. A receipt that
 * fails is a bad_receipt now (or, for its signature, at rcheck_flush). */
void rcheck_receipt(rcheck *R, entries *J, anomalies *A, const char *const f[JOURNAL_FIELDS],
                    const size_t len[JOURNAL_FIELDS], unsigned long line, uint32_t idx);

/* Verify what is queued and wait; the verdicts are in. */
void rcheck_flush(rcheck *R, entries *J, anomalies *A);

uint64_t rcheck_count(const rcheck *R);

/* The verifier of receipt key kid, or NULL if the keyring has none. */
const sig_verifier *rcheck_key(rcheck *R, const char *kid);

/* ---- the journals as evidence (recon_trust.c) ---- */

/* Read the signed heads in path (--head): every "UH2|..." in it, one per
 * line (alone, or inside the JSON of GET /v1/journal/head). False
 * (printed) if it cannot be read or holds none. */
bool pins_load(pins *P, const char *path, size_t njournals);
void pins_free(pins *P);

/* A line of journal file with seq has been read, with this hash: note it
 * for the pinned heads whose last seq it is. */
void pins_note(pins *P, uint32_t file, uint64_t seq, unsigned long line, const char *hash,
               int64_t redeemed, int64_t voided);

/* After journal file was read: its head against its account and its
 * signature (with R). A head that fails withholds the file's entries.
 * False (printed) if the file has no head line. */
bool head_check(journal_run *jr, uint32_t file);

/* After every journal: each pinned head extended by the journals of its
 * redeemer (with R: its signature verified). */
void pins_check(journal_run *jr);

/* The merchants' receipts in path (--receipts), with R: each of the
 * period that R verifies must be an entry of the journals. False
 * (printed) if it cannot be read. */
bool receipts_check(journal_run *jr, const char *path, uint64_t *read, uint64_t *other);

/* The entries against themselves and the ledger's face values: redemption
 * numbers of each redeemer from 1 without a gap; each voucher's balance
 * following from its previous lines. ERR_NOMEM. */
err trust_check(const entitlements *E, entries *J, anomalies *A, const char *const *paths);

/* ---- settling (recon_settle.c) ---- */

typedef struct day {
	uint64_t count;
	int64_t amount;
} day;

/* Redemptions per local day of the period and its grace days. */
typedef struct days {
	int64_t first; /* the period's first day, days since 1970-01-01 */
	int n;
	day *d;
	uint64_t outside; /* redemptions outside those days */
} days;

typedef struct opd_sum {
	const char *opd;
	size_t first, n; /* a run of the entitlements' order */
	uint64_t met;
	int64_t issued, redeemed, unspent;
} opd_sum;

typedef struct totals {
	opd_sum *opd;
	size_t nopd;
	int64_t issued, redeemed, unspent, settled, refund;
	uint64_t met;
	uint64_t withheld;           /* entries that failed a check: never paid */
	uint64_t offline, conflicts; /* offline redemptions counted; offline conflicts */
	int64_t offline_rupiah, conflict_rupiah;
	int64_t withheld_rupiah; /* what their redemptions took */
	size_t failures;         /* anomalies that mean the journals do not hold together */
	bool balanced;           /* per ASN and per OPD */
	bool ok;                 /* all of it: the month balances */
} totals;

/* What settling reads besides the parts it fills. */
typedef struct settle_ctx {
	const char *const *paths;
	const char *pertext;
	bool receipts_checked;
} settle_ctx;

/* Settle the entries in the order they were first seen; ERR_OVERFLOW or
 * ERR_NOMEM if the run fails. */
err settle(const settle_ctx *c, entitlements *E, entries *J, anomalies *A, days *D);

/* issued = redeemed + unspent, with overflow checks. */
bool balances(int64_t issued, int64_t redeemed, int64_t unspent);

/* Per ASN, per OPD and in total, and settlements against redeemed; each
 * failure printed, t->ok false; so too if an anomaly says the journals do
 * not hold together (t->failures), with what is withheld. ERR_NOMEM. */
err totals_check(const entitlements *E, const entries *J, const anomalies *A, totals *t);

/* "12.5": the percentage of an OPD's ASN who met their minimum. */
#define PCT_MAX 24
void opd_pct(const opd_sum *o, char out[PCT_MAX]);

/* Sites by merchant then gallery, and by gallery then merchant: malloc'd
 * index arrays, NULL when out of memory. */
uint32_t *sites_by_merchant(const entries *J);

/* The entries made offline (offline and conflict), by merchant, gallery,
 * then journal order; malloc'd, *n of them; NULL if out of memory. */
uint32_t *offline_entries(const entries *J, size_t *n);
uint32_t *sites_by_gallery(const entries *J);

/* ---- compliance over the year (recon_history.c) ---- */

#define HISTORY_MONTHS 12 /* the periods the report shows, this one last */
#define HISTORY_REPEAT 3  /* the months in which a repeated miss is looked for */

typedef struct hist_opd {
	char *opd;
	uint64_t asn, met;
	int64_t issued, redeemed;
} hist_opd;

/* A period as reconciled (have), or one with no record. */
typedef struct hist_month {
	period per;
	bool have;
	uint64_t asn, met;
	int64_t issued, redeemed;
	hist_opd *opd; /* by name */
	size_t nopd;
} hist_month;

/* An ASN who missed the minimum in two or more of the last three months. */
typedef struct hist_repeat {
	char *nip, *name, *opd; /* as of the newest of those months */
	unsigned times;
	bool this_month; /* missed in the period reconciled too */
} hist_repeat;

typedef struct history {
	hist_month m[HISTORY_MONTHS]; /* oldest first: m[HISTORY_MONTHS - 1] is this period */
	hist_repeat *repeat;          /* by OPD, then name */
	size_t nrepeat;
	uint32_t *rank;    /* of T->opd[i]: its place by compliance this period, 1 the best */
	uint32_t *by_rank; /* the indexes of T->opd, the best first */
} history;

/* The history up to period per: this period from E and T, the eleven
 * before it as recorded in E's ledger. False when out of memory. */
bool history_build(history *H, period per, const entitlements *E, const totals *T);
void history_free(history *H);

/* An OPD's figures in month m of H, or NULL (no record, or not there). */
const hist_opd *history_opd(const history *H, int m, const char *opd);

/* met of asn in tenths of a percent, rounded (1000: all); -1 if asn is 0. */
int history_pct10(uint64_t met, uint64_t asn);

/* A period's short label in the charts and tables: "Des 26". */
#define HISTORY_LABEL_MAX 16
void history_label(period p, char out[HISTORY_LABEL_MAX]);

/* Record period per's results in the ledger at ledger_dir (opened for
 * writing: E's read-only handle must be closed first), replacing an
 * earlier record of the period; no other period changes. */
err history_record(const char *ledger_dir, period per, const entitlements *E, const totals *T);

/* ---- payees (recon_pay.c) ---- */

/* What one merchant id is owed over all its galleries, and whom to pay. */
typedef struct payment {
	const char *merchant;
	const payee *to; /* NULL: no merchants file, or not in it */
	int64_t amount;  /* the sum of its settlement rows */
} payment;

typedef struct payments {
	payment *p; /* by merchant id, as settlement.csv */
	size_t n;
	int64_t paid; /* what payments.csv pays: the amounts > 0 with a payee */
} payments;

/* One payment per merchant with a settlement row (sites by_merchant), its
 * payee from P (NULL: none given); with P, a merchant owed something and
 * not in it is the finding no_payee. ERR_NOMEM, ERR_OVERFLOW. */
err payments_build(const entries *J, const uint32_t *by_merchant, const payees *P, anomalies *A,
                   payments *out);
void payments_free(payments *Y);

/* The payee of a site's merchant, or NULL. */
const payee *payments_payee(const payments *Y, const char *merchant);

/* ---- outputs ---- */

/* Everything the outputs are made from. */
typedef struct report {
	const reconcile_opts *o;
	const char *pertext;
	const entitlements *E;
	const entries *J;
	const anomalies *A;
	const days *D;
	const totals *T;
	bool receipts_checked;
	const uint32_t *by_merchant, *by_gallery;
	size_t npins, bad_heads;
	uint64_t receipts_read, receipts_other;
	const uint32_t *offline; /* the offline entries, by merchant, gallery, then journal order */
	size_t noffline;
	const history *H;   /* the last twelve periods per OPD, ranks, repeated misses */
	const payees *P;    /* the merchants file (--merchants), or NULL */
	const payments *Y;  /* per merchant id, its payee if P */
	const char *region; /* the letters' region line */
} report;

/* recon_csv.c: the CSVs, report.html and report.xlsx into o->out, each atomically;
 * false if one cannot be written (printed). */
bool outputs_write(const report *rp);

/* recon_html.c */
void report_html(FILE *f, void *rp);

/* recon_xlsx.c: report.xlsx into o->out, atomically; false if it cannot
 * be written (printed). */
bool report_xlsx(const report *rp);

/* recon_letters.c: letters/OPD.pdf for each OPD into o->out/letters,
 * each atomically, on o->threads threads (0: one per CPU), of which the
 * caller's is one once it calls letters_finish: letters_start starts the
 * others and returns (NULL, printed, if it cannot); letters_finish helps,
 * waits for every letter and frees the job: false if one could not be
 * written (printed). */
typedef struct letters_job letters_job;
letters_job *letters_start(const report *rp);
bool letters_finish(letters_job *job);

#endif
