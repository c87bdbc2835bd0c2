/*
 * The journals as evidence. A journal's lines are chained but the chain has
 * no key; what makes a journal evidence is what the redeemer signed: every
 * entry's receipt (recon_receipts.c), and the head that ends each export
 * (period, seqs, count, last hash, totals). On top of the lines, this file
 * checks:
 *   - each file's head against the file, and its signature;
 *   - the heads the finance office pinned during the month (--head): every
 *     journal of that redeemer that reaches a pinned head's last seq must
 *     say there what the head said, and one must reach it, so that not even
 *     the redeemer's operator, who holds the receipt key, can rewrite what
 *     was pinned;
 *   - the receipts merchants hand in (--receipts), of any kind: each that
 *     the redeemer signed must be an entry of the journals, as signed;
 *   - redemption numbers, from 1 in each period, without a gap;
 *   - each voucher's balance following from its face value and its
 *     previous lines.
 * A failure is an anomaly of a kind before AN__FAILS; the entries it
 * touches are withheld (EF_WITHHELD): settle never pays them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "file.h"
#include "money.h"
#include "reconcile_impl.h"
#include "voucher.h"

#define TOKENS_MAX ((size_t)64 << 20) /* a --head or --receipts file, at most */

static void withhold_file(entries *J, uint32_t file)
{
	for (size_t i = 0; i < J->n; i++)
		if (J->en[i].file == file)
			J->en[i].flags |= EF_WITHHELD;
}

/* The characters of a signed head or a receipt, where one ends in a file:
 * printable ASCII but a blank, '"', ',' and '\''. */
static const char token_chars[] = "!#$%&()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
                                  "abcdefghijklmnopqrstuvwxyz{|}~";

static bool token_char(char c)
{
	return c != '\0' && strchr(token_chars, c) != NULL;
}

/* The line breaks in [s, end). */
static unsigned long lines_in(const char *s, const char *end)
{
	unsigned long n = 0;

	while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		n++;
		s++;
	}
	return n;
}

/*
 * Each token of path that starts with one of the tags (a tag is matched
 * where a token may start), with its line: fn returns false to stop. The
 * tags all begin with the same character ('U'): memchr finds where one may
 * start, and counts the lines between, for most of a file is not tokens;
 * strspn finds where a token ends (the file's text is NUL-terminated, and
 * a NUL ends a token).
 */
static bool each_token(const char *path, const char *const tags[], size_t ntags,
                       bool (*fn)(void *ctx, const char *s, size_t n, unsigned long line),
                       void *ctx)
{
	char *data;
	const char *p, *end, *counted;
	size_t len;
	unsigned long line = 1;
	err e = file_read_all(path, TOKENS_MAX, &data, &len);

	if (e != ERR_OK) {
		fprintf(stderr, "%s: cannot read: %s\n", path, err_str(e));
		return false;
	}
	p = counted = data;
	end = data + len;
	while (p < end && (p = memchr(p, tags[0][0], (size_t)(end - p))) != NULL) {
		size_t n = 0;
		if (p == data || !token_char(p[-1]))
			for (size_t t = 0; t < ntags && !n; t++)
				if ((size_t)(end - p) >= strlen(tags[t]) &&
				    memcmp(p, tags[t], strlen(tags[t])) == 0)
					n = strspn(p, token_chars);
		if (!n) {
			p++;
			continue;
		}
		line += lines_in(counted, p);
		counted = p;
		if (!fn(ctx, p, n, line)) {
			free(data);
			return false;
		}
		p += n;
	}
	free(data);
	return true;
}

/* ---- the heads pinned during the month ---- */

struct pins_reading {
	pins *P;
	const char *path;
	size_t njournals;
};

static bool take_pin(void *ctx, const char *s, size_t n, unsigned long line)
{
	struct pins_reading *r = ctx;
	pinned *p, *more;
	size_t body;
	const char *why;

	if (!(more = realloc(r->P->p, (r->P->n + 1) * sizeof *more))) {
		fprintf(stderr, "reconcile: out of memory\n");
		return false;
	}
	r->P->p = more;
	p = &r->P->p[r->P->n];
	memset(p, 0, sizeof *p);
	if (!journal_head_parse(s, n, &p->h, &body, &why)) {
		fprintf(stderr, "%s:%lu: %s\n", r->path, line, why);
		return false;
	}
	memcpy(p->text, s, n);
	p->src = r->path;
	p->line = line;
	p->agrees = calloc(r->njournals, sizeof *p->agrees);
	p->at = calloc(r->njournals, sizeof *p->at);
	r->P->n++;
	if (!p->agrees || !p->at) {
		fprintf(stderr, "reconcile: out of memory\n");
		return false;
	}
	return true;
}

bool pins_load(pins *P, const char *path, size_t njournals)
{
	static const char *const tags[] = {"UH2|"};
	struct pins_reading r = {P, path, njournals};
	size_t before = P->n;

	if (!each_token(path, tags, 1, take_pin, &r))
		return false;
	if (P->n == before) {
		fprintf(stderr, "%s: no signed head (UH2|...) in it\n", path);
		return false;
	}
	return true;
}

void pins_free(pins *P)
{
	for (size_t i = 0; i < P->n; i++) {
		free(P->p[i].agrees);
		free(P->p[i].at);
	}
	free(P->p);
	memset(P, 0, sizeof *P);
}

void pins_note(pins *P, uint32_t file, uint64_t seq, unsigned long line, const char *hash,
               int64_t redeemed, int64_t voided)
{
	for (size_t i = 0; i < P->n; i++) {
		pinned *p = &P->p[i];
		if (p->h.last != seq)
			continue;
		p->at[file] = line;
		p->agrees[file] = memcmp(p->h.last_hash, hash, JOURNAL_HASH_HEX) == 0 &&
		                  p->h.redeemed == redeemed && p->h.voided == voided;
	}
}

/* ---- each file's own head ---- */

static const char *rp(int64_t v, char buf[MONEY_FMT_MAX])
{
	money_format(v, buf, MONEY_FMT_MAX);
	return buf;
}

bool head_check(journal_run *jr, uint32_t file)
{
	account *ac = &jr->acct[file];
	const char *path = jr->paths[file], *why;
	uint64_t ord = anomaly_ord(file, (uint32_t)ac->head_line);
	char m1[MONEY_FMT_MAX], m2[MONEY_FMT_MAX];
	const sig_verifier *v;
	journal_head h;
	size_t body;

	if (!ac->head_line) {
		fprintf(stderr,
		        "%s: no head line: a journal ends with the head that voucher-redeemer "
		        "export signs\n",
		        path);
		return false;
	}
	journal_head_parse(ac->head, strlen(ac->head), &h, &body, &why); /* read before */
	snprintf(ac->kid, sizeof ac->kid, "%s", h.kid);
	if (!ac->count)
		memset(ac->last_hash, '0', JOURNAL_HASH_HEX);
	if (h.first != 1 || h.count != ac->count || (ac->count && h.last != ac->last_seq) ||
	    memcmp(h.last_hash, ac->last_hash, JOURNAL_HASH_HEX) != 0 ||
	    h.redeemed != ac->redeemed || h.voided != ac->voided) {
		anomaly_add(jr->A, AN_BAD_HEAD, 0, ord,
		            "%s:%lu: the head says %" PRIu64 " entries, the last hash %.12s..., "
		            "%s redeemed and %s voided; the file holds %" PRIu64
		            " entries, the last hash %.12s..., %s redeemed and %s voided: "
		            "every entry of the file is withheld",
		            path, ac->head_line, h.count, h.last_hash, rp(h.redeemed, m1),
		            rp(h.voided, m2), ac->count, ac->last_hash, rp(ac->redeemed, m1),
		            rp(ac->voided, m2));
		withhold_file(jr->J, file);
		return true;
	}
	if (!jr->R)
		return true;
	if (!(v = rcheck_key(jr->R, h.kid)))
		why = "names a receipt key that is not in the keyring";
	else if (!journal_head_verify(v, ac->head, strlen(ac->head)))
		why = "does not verify: the head or a line was changed";
	else
		return true;
	anomaly_add(jr->A, AN_BAD_HEAD, 0, ord,
	            "%s:%lu: the head's signature (key %s) %s: every entry of the file is withheld",
	            path, ac->head_line, h.kid, why);
	withhold_file(jr->J, file);
	return true;
}

/* ---- pinned heads against the journals ---- */

void pins_check(journal_run *jr)
{
	for (size_t i = 0; i < jr->P->n; i++) {
		pinned *p = &jr->P->p[i];
		uint64_t ord = anomaly_ord(UINT32_MAX, (uint32_t)i);
		const sig_verifier *v = rcheck_key(jr->R, p->h.kid);
		char per[8];
		bool extended = false;

		period_format(p->h.per, per, sizeof per);
		if (strcmp(per, jr->pertext) != 0)
			continue;
		if (!v || !journal_head_verify(v, p->text, strlen(p->text))) {
			anomaly_add(jr->A, AN_BAD_HEAD, 0, ord,
			            "%s:%lu: the pinned head of seq %" PRIu64 " %s", p->src,
			            p->line, p->h.last,
			            v ? "does not verify"
			              : "names a key that is not in the keyring");
			continue;
		}
		for (uint32_t f = 0; f < jr->nfiles; f++) {
			const account *ac = &jr->acct[f];
			if (strcmp(ac->kid, p->h.kid) != 0 || ac->count < p->h.last)
				continue;
			if (p->h.last == 0 || p->agrees[f]) {
				extended = true;
				continue;
			}
			anomaly_add(
			    jr->A, AN_NOT_EXTENDED, 0, anomaly_ord(f, (uint32_t)p->at[f]),
			    "%s:%lu: the journal does not extend the head pinned in %s:%lu "
			    "(seq %" PRIu64 ", hash %.12s...): what was pinned was rewritten; "
			    "every entry of the file is withheld",
			    jr->paths[f], p->at[f], p->src, p->line, p->h.last, p->h.last_hash);
			withhold_file(jr->J, f);
		}
		if (!extended)
			anomaly_add(
			    jr->A, AN_NOT_EXTENDED, 0, ord,
			    "%s:%lu: no journal of redeemer %s extends this head (seq %" PRIu64
			    "): the journals are older than it, or were rewritten",
			    p->src, p->line, p->h.kid, p->h.last);
	}
}

/* ---- the merchants' receipts ---- */

struct receipts_reading {
	journal_run *jr;
	const char *path;
	uint64_t read, other;
};

static bool take_receipt(void *ctx, const char *s, size_t n, unsigned long line)
{
	struct receipts_reading *r = ctx;
	entries *J = r->jr->J;
	char kid[KEY_ID_MAX + 1], rid[RID_TEXT_MAX], body[RECEIPT_MAX + 1], six[8];
	const sig_verifier *v;
	receipt_parts p;
	size_t pfxlen;
	uint64_t num;
	uint32_t pfx, idx = NONE;
	const entry *en;

	r->read++;
	if (!receipt_parse(s, n, &p) || p.len[RP_KID] < 1 || p.len[RP_KID] > KEY_ID_MAX ||
	    !journal_rid_split(p.part[RP_RID], p.len[RP_RID], &pfxlen, &num)) {
		anomaly_add(r->jr->A, AN_FORGED_RECEIPT, 0, anomaly_ord(UINT32_MAX, (uint32_t)line),
		            "%s:%lu: not a receipt of the redeemer (UR2, URV2, URO2 or URC2, 12 "
		            "parts)",
		            r->path, line);
		return true;
	}
	snprintf(six, sizeof six, "%.4s%.2s", r->jr->pertext, r->jr->pertext + 5);
	if (memcmp(p.part[RP_RID] + pfxlen - 6, six, 6) != 0) {
		r->other++;
		return true;
	}
	memcpy(kid, p.part[RP_KID], p.len[RP_KID]);
	kid[p.len[RP_KID]] = '\0';
	snprintf(rid, sizeof rid, "%.*s", (int)p.len[RP_RID], p.part[RP_RID]);
	if (!(v = rcheck_key(r->jr->R, kid)) || !receipt_verify(v, s, n)) {
		anomaly_add(r->jr->A, AN_FORGED_RECEIPT, 0, anomaly_ord(UINT32_MAX, (uint32_t)line),
		            "%s:%lu: %s: %s", r->path, line, rid,
		            v ? "the receipt does not verify: the redeemer did not sign it"
		              : "the receipt names a key that is not in the keyring");
		return true;
	}
	if ((pfx = entries_prefix(J, p.part[RP_RID], pfxlen)) != NONE)
		idx = entries_find(J, pfx, num, (uint8_t)p.kind);
	if (idx == NONE) {
		anomaly_add(r->jr->A, AN_NOT_IN_JOURNAL, 0, anomaly_ord(UINT32_MAX, (uint32_t)line),
		            "%s:%lu: %s: the redeemer signed this %s, and no journal holds it",
		            r->path, line, rid,
		            p.kind == JOURNAL_REDEEM ? "redemption" : journal_kind_name[p.kind]);
		return true;
	}
	/* The entry as the journal has it, as a receipt's body: the same bytes. */
	en = &J->en[idx];
	if (!receipt_body(&(receipt_fields){.kind = p.kind,
	                                    .rid = rid,
	                                    .serial = en->serial,
	                                    .amount = en->amount,
	                                    .remaining = en->remaining,
	                                    .merchant = J->site[en->site].merchant,
	                                    .gallery = J->site[en->site].gallery,
	                                    .terminal = en->terminal,
	                                    .time = en->time,
	                                    .kid = kid},
	                  body, sizeof body) ||
	    strlen(body) != p.body_len || memcmp(body, s, p.body_len) != 0) {
		anomaly_add(r->jr->A, AN_NOT_IN_JOURNAL, en->serial,
		            anomaly_ord(UINT32_MAX, (uint32_t)line),
		            "%s:%lu: %s: the journal's entry (%s:%" PRIu32
		            ") is not what the redeemer signed for the merchant; it is withheld",
		            r->path, line, rid, r->jr->paths[en->file], en->line);
		J->en[idx].flags |= EF_WITHHELD;
	}
	return true;
}

/*
 * Every kind of entry has a receipt (receipt.h): a redemption's, a void's,
 * an offline sale's and a conflict's (a signed record that the sale was
 * refused on upload). A merchant may hand in any of them, and each must be
 * its entry of the journals, of the same kind, as signed.
 */
bool receipts_check(journal_run *jr, const char *path, uint64_t *read, uint64_t *other)
{
	static const journal_kind kinds[] = {JOURNAL_REDEEM, JOURNAL_VOID, JOURNAL_OFFLINE,
	                                     JOURNAL_CONFLICT};
	char text[4][8];
	const char *tags[4];
	struct receipts_reading r = {jr, path, 0, 0};
	bool ok;

	for (size_t k = 0; k < 4; k++) {
		snprintf(text[k], sizeof text[k], "%s|", receipt_tag(kinds[k]));
		tags[k] = text[k];
	}
	ok = each_token(path, tags, 4, take_receipt, &r);

	*read += r.read;
	*other += r.other;
	return ok;
}

/* ---- redemption numbers and balances ---- */

typedef struct numbered {
	uint32_t pfx;
	uint64_t num;
} numbered;

static int numbered_cmp(const void *a, const void *b)
{
	const numbered *x = a, *y = b;

	if (x->pfx != y->pfx)
		return x->pfx < y->pfx ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

/* Each redeemer's redemptions of the period are numbered 1, 2, 3, ...:
 * the numbers missing between are redemptions the journals lack. */
static err check_numbers(const entries *J, anomalies *A)
{
	numbered *v = malloc((J->n + 1) * sizeof *v);
	size_t n = 0;

	if (!v)
		return ERR_NOMEM;
	for (size_t i = 0; i < J->n; i++) /* a void takes no number of its own */
		if (J->en[i].kind != JOURNAL_VOID)
			v[n++] = (numbered){J->en[i].pfx, J->en[i].ridnum};
	qsort(v, n, sizeof *v, numbered_cmp);
	for (size_t i = 0; i < n; i++) {
		uint64_t expected = i && v[i - 1].pfx == v[i].pfx ? v[i - 1].num + 1 : 1;
		if (v[i].num == expected)
			continue;
		if (v[i].num - 1 == expected)
			anomaly_add(A, AN_MISSING, 0, anomaly_ord(UINT32_MAX, (uint32_t)v[i].pfx),
			            "%s-%" PRIu64 ": a redemption number missing from the journals",
			            J->pfx.key[v[i].pfx], expected);
		else
			anomaly_add(A, AN_MISSING, 0, anomaly_ord(UINT32_MAX, (uint32_t)v[i].pfx),
			            "%s-%" PRIu64 " to %" PRIu64 ": %" PRIu64
			            " redemption numbers missing from the journals",
			            J->pfx.key[v[i].pfx], expected, v[i].num - 1,
			            v[i].num - expected);
	}
	free(v);
	return ERR_OK;
}

/* What each voucher has left after a redeemer's lines so far, by redeemer
 * (its redemption ids' prefix) and serial. */
typedef struct balances_seen {
	uint64_t *serial; /* 0: empty (no voucher has serial 0) */
	uint32_t *pfx;
	int64_t *left;
	size_t cap; /* a power of two */
} balances_seen;

static int64_t *balance_of(balances_seen *b, uint32_t pfx, uint64_t serial, bool *fresh)
{
	size_t j = mix64(serial ^ (uint64_t)pfx << 48) & (b->cap - 1);

	while (b->serial[j] && (b->serial[j] != serial || b->pfx[j] != pfx))
		j = (j + 1) & (b->cap - 1);
	*fresh = !b->serial[j];
	b->serial[j] = serial;
	b->pfx[j] = pfx;
	return &b->left[j];
}

/* Each line leaves the balance its redeemer's previous lines (or the face
 * value the ledger issued) and its amount say. Two redeemers each keep
 * their own: one voucher spent at both is overspent (a finding), not an
 * edited journal. */
static err check_balances(const entitlements *E, entries *J, anomalies *A, const char *const *paths)
{
	balances_seen b = {0};
	err e = ERR_OK;

	for (b.cap = 16; b.cap < 2 * J->n; b.cap *= 2)
		;
	b.serial = calloc(b.cap, sizeof *b.serial);
	b.pfx = calloc(b.cap, sizeof *b.pfx);
	b.left = calloc(b.cap, sizeof *b.left);
	if (!b.serial || !b.pfx || !b.left) {
		e = ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < J->n; i++) {
		entry *en = &J->en[i];
		bool fresh;
		int64_t *left = balance_of(&b, en->pfx, en->serial, &fresh), want;
		uint32_t vi;
		char rid[RID_TEXT_MAX], m1[MONEY_FMT_MAX], m2[MONEY_FMT_MAX], m3[MONEY_FMT_MAX];

		if (fresh && (vi = entitlements_find(E, en->serial)) != NONE)
			*left = E->v[vi].amount;
		else if (fresh)
			*left = en->kind == JOURNAL_VOID ? (int64_t)en->remaining - en->amount
			        : en->kind == JOURNAL_CONFLICT
			            ? (int64_t)en->remaining
			            : (int64_t)en->remaining + en->amount;
		want = en->kind == JOURNAL_VOID       ? *left + en->amount
		       : en->kind == JOURNAL_CONFLICT ? *left /* it took nothing */
		                                      : *left - en->amount;
		if (want != en->remaining) {
			entry_rid(J, en, rid, sizeof rid);
			anomaly_add(A, AN_REMAINING, en->serial, anomaly_ord(en->file, en->line),
			            "%s:%" PRIu32
			            ": %s %s %s leaves %s, but the lines before leave %s: "
			            "withheld",
			            paths[en->file], en->line, rid,
			            en->kind == JOURNAL_VOID       ? "giving back"
			            : en->kind == JOURNAL_CONFLICT ? "a conflict of"
			                                           : "taking",
			            rp(en->amount, m1), rp(en->remaining, m2), rp(*left, m3));
			en->flags |= EF_WITHHELD;
		}
		*left = en->remaining;
	}
out:
	free(b.serial);
	free(b.pfx);
	free(b.left);
	return e;
}

err trust_check(const entitlements *E, entries *J, anomalies *A, const char *const *paths)
{
	err e = check_numbers(J, A);

	return e != ERR_OK ? e : check_balances(E, J, A, paths);
}
