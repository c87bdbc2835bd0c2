/*
 * Reading journals. Every journal is streamed one physical line at a time,
 * so that problems name their line: plain lines are split at their commas
 * here, anything quoted goes through libcsv. Each record's form is checked
 * (common/journal.c; a bad one refuses the whole run), then its link in its
 * file's chain (a break is an anomaly), then the entry is looked up by
 * (redemption id, kind) in an open-addressing table: the same entry in
 * several journals counts once, the same key with other contents is a
 * conflicting_duplicate. A new redeem's receipt goes to the checker.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "bytes.h"
#include "reconcile_impl.h"

#define CHUNK (1 << 20)

/* ---- hashing ---- */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return mix64(h);
}

/* ---- string table ---- */

static void strtab_free(strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->key[i]);
	free(t->key);
	free(t->klen);
	free(t->hash);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static err strtab_grow(strtab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	uint32_t *slot = calloc(cap, sizeof *slot);

	if (!slot)
		return ERR_NOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = t->hash[i] & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return ERR_OK;
}

/* The index of the n bytes at s, added if new (*fresh says so). */
static err strtab_intern(strtab *t, const char *s, size_t n, uint32_t *idx, bool *fresh)
{
	uint64_t h = hash_bytes(s, n);
	size_t j;

	*fresh = false;
	if ((t->n + 1) * 2 > t->cap && strtab_grow(t) != ERR_OK)
		return ERR_NOMEM;
	for (j = h & (t->cap - 1); t->slot[j]; j = (j + 1) & (t->cap - 1)) {
		uint32_t i = t->slot[j] - 1;
		if (t->hash[i] == h && t->klen[i] == n && memcmp(t->key[i], s, n) == 0) {
			*idx = i;
			return ERR_OK;
		}
	}
	if (t->n == t->kcap) {
		size_t cap = t->kcap ? t->kcap * 2 : 16;
		char **key = realloc(t->key, cap * sizeof *key);
		if (key)
			t->key = key;
		size_t *klen = realloc(t->klen, cap * sizeof *klen);
		if (klen)
			t->klen = klen;
		uint64_t *hash = realloc(t->hash, cap * sizeof *hash);
		if (hash)
			t->hash = hash;
		if (!key || !klen || !hash)
			return ERR_NOMEM;
		t->kcap = cap;
	}
	if (!(t->key[t->n] = malloc(n + 1)))
		return ERR_NOMEM;
	memcpy(t->key[t->n], s, n);
	t->key[t->n][n] = '\0';
	t->klen[t->n] = n;
	t->hash[t->n] = h;
	t->slot[j] = (uint32_t)t->n + 1;
	*idx = (uint32_t)t->n++;
	*fresh = true;
	return ERR_OK;
}

/* The index of the n bytes at s, or NONE. */
static uint32_t strtab_find(const strtab *t, const char *s, size_t n)
{
	uint64_t h = hash_bytes(s, n);

	if (!t->cap)
		return NONE;
	for (size_t j = h & (t->cap - 1); t->slot[j]; j = (j + 1) & (t->cap - 1)) {
		uint32_t i = t->slot[j] - 1;
		if (t->hash[i] == h && t->klen[i] == n && memcmp(t->key[i], s, n) == 0)
			return i;
	}
	return NONE;
}

/* ---- the entry table ---- */

void entries_init(entries *J)
{
	memset(J, 0, sizeof *J);
	J->last_site = J->last_pfx = NONE;
}

void entries_free(entries *J)
{
	free(J->en);
	free(J->slot);
	strtab_free(&J->pfx);
	strtab_free(&J->sites);
	free(J->site);
	memset(J, 0, sizeof *J);
}

uint32_t entries_prefix(const entries *J, const char *pfx, size_t n)
{
	return strtab_find(&J->pfx, pfx, n);
}

void entry_rid(const entries *J, const entry *en, char *out, size_t n)
{
	snprintf(out, n, "%s-%" PRIu64, J->pfx.key[en->pfx], en->ridnum);
}

static uint64_t entry_hash(uint32_t pfx, uint64_t num, uint8_t kind)
{
	return mix64(num ^ (uint64_t)pfx << 40 ^ (uint64_t)kind << 62);
}

/*
 * Where the search for an entry starts. A journal numbers its redemptions
 * one after another: 32 consecutive numbers start at 32 consecutive slots
 * (a few cache lines, not 32 misses), and the blocks of 32 are spread by
 * the hash. No more than 32 keys share a block's start.
 */
static size_t entry_home(uint32_t pfx, uint64_t num, uint8_t kind, size_t cap)
{
	return (size_t)(entry_hash(pfx, num >> 5, kind) << 5 | (num & 31)) & (cap - 1);
}

/*
 * A slot holds the upper half of the key's hash beside the entry's index,
 * so a probe only reads the (large, cold) entry array when they agree.
 */
err entries_reserve(entries *J, size_t want)
{
	/* From 64: reconcile's hint sizes a large journal's table at once, and
	 * a journal of a few lines needs no 300 KB one. */
	size_t cap = J->cap ? J->cap * 2 : 64;
	entry *en;
	uint64_t *slot;

	while (cap < want)
		cap *= 2;
	if (cap > NONE / 2)
		return ERR_TOO_LARGE;
	if (!(en = realloc(J->en, cap * sizeof *en)))
		return ERR_NOMEM;
	J->en = en;
	J->cap = cap;
	/* The table stays at most half full. */
	if (!(slot = calloc(cap * 2, sizeof *slot)))
		return ERR_NOMEM;
	free(J->slot);
	J->slot = slot;
	J->slots = cap * 2;
	for (size_t i = 0; i < J->n; i++) {
		const entry *x = &J->en[i];
		uint64_t h = entry_hash(x->pfx, x->ridnum, x->kind);
		size_t j = entry_home(x->pfx, x->ridnum, x->kind, J->slots);

		while (J->slot[j])
			j = (j + 1) & (J->slots - 1);
		J->slot[j] = (h & 0xFFFFFFFF00000000ULL) | ((uint64_t)i + 1);
	}
	return ERR_OK;
}

/* The entry of (prefix, number, kind), or NONE and the slot where it goes. */
static uint32_t entry_lookup(const entries *J, uint32_t pfx, uint64_t num, uint8_t kind,
                             size_t *slot, uint64_t *tag)
{
	uint64_t hi = entry_hash(pfx, num, kind) & 0xFFFFFFFF00000000ULL;
	size_t j = entry_home(pfx, num, kind, J->slots);

	for (; J->slot[j]; j = (j + 1) & (J->slots - 1)) {
		const entry *x;

		if ((J->slot[j] & 0xFFFFFFFF00000000ULL) != hi)
			continue;
		x = &J->en[(J->slot[j] & 0xFFFFFFFFu) - 1];
		if (x->ridnum == num && x->pfx == pfx && x->kind == kind)
			return (uint32_t)(J->slot[j] & 0xFFFFFFFFu) - 1;
	}
	*slot = j;
	*tag = hi;
	return NONE;
}

uint32_t entries_find(const entries *J, uint32_t pfx, uint64_t num, uint8_t kind)
{
	size_t slot;
	uint64_t tag;

	return entry_lookup(J, pfx, num, kind, &slot, &tag);
}

static err site_of(entries *J, const char *merchant, size_t m, const char *gallery, size_t g,
                   uint32_t *idx)
{
	char key[2 * JOURNAL_FIELD_MAX + 2];
	bool fresh;
	err e;

	if (J->last_site != NONE) {
		const site *s = &J->site[J->last_site];
		if (strcmp(s->merchant, merchant) == 0 && strcmp(s->gallery, gallery) == 0) {
			*idx = J->last_site;
			return ERR_OK;
		}
	}
	memcpy(key, merchant, m + 1);
	memcpy(key + m + 1, gallery, g);
	if ((e = strtab_intern(&J->sites, key, m + 1 + g, idx, &fresh)) != ERR_OK)
		return e;
	if (fresh) {
		if (J->sites.n > J->sitecap) {
			size_t cap = J->sitecap ? J->sitecap * 2 : 16;
			site *s = realloc(J->site, cap * sizeof *s);
			if (!s)
				return ERR_NOMEM;
			J->site = s;
			J->sitecap = cap;
		}
		memset(&J->site[*idx], 0, sizeof J->site[*idx]);
		/* The interned key holds both, NUL-separated. */
		J->site[*idx].merchant = J->sites.key[*idx];
		J->site[*idx].gallery = J->sites.key[*idx] + m + 1;
	}
	J->last_site = *idx;
	return ERR_OK;
}

static err prefix_of(entries *J, const char *rid, size_t n, uint32_t *idx)
{
	bool fresh;
	err e;

	if (J->last_pfx != NONE && J->pfx.klen[J->last_pfx] == n &&
	    memcmp(J->pfx.key[J->last_pfx], rid, n) == 0) {
		*idx = J->last_pfx;
		return ERR_OK;
	}
	if ((e = strtab_intern(&J->pfx, rid, n, idx, &fresh)) == ERR_OK)
		J->last_pfx = *idx;
	return e;
}

/* ---- reading a journal ---- */

/* One journal being read: the state libcsv's callbacks share. */
typedef struct reader {
	journal_run *jr;
	const char *path;
	uint32_t file;
	struct csv_parser csv;
	unsigned long line, start; /* physical line being fed; where the record began */
	bool open;                 /* a record has begun */
	bool have_header, bad;
	size_t nf;
	int fproblem; /* column + 1 of the first field too long or holding a NUL */
	char f[JOURNAL_FIELDS][RECEIPT_MAX + 1];
	const char *fp[JOURNAL_FIELDS]; /* f, as journal.h takes them */
	size_t len[JOURNAL_FIELDS];
	journal_chain chain;
} reader;

__attribute__((format(printf, 3, 4))) static void refuse(reader *rd, unsigned long line,
                                                         const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%lu: ", rd->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	rd->bad = true;
}

static void on_header(reader *rd)
{
	bool ok = rd->nf == JOURNAL_FIELDS && rd->fproblem == 0;

	for (size_t i = 0; ok && i < JOURNAL_FIELDS; i++)
		ok = strcmp(rd->f[i], journal_col_name[i]) == 0;
	if (!ok)
		refuse(rd, rd->start, "not a journal: the header must be " JOURNAL_HEADER);
	rd->have_header = true;
}

/* The record's chain link: a break is an anomaly. md gets the line's hash.
 * *broken says if it broke. */
static err check_link(reader *rd, const journal_entry *e, uint8_t md[32], bool *broken_out)
{
	journal_run *jr = rd->jr;
	char seqs[48] = "";
	uint64_t expected = rd->chain.seq + 1;
	int broken = journal_chain_check(&rd->chain, rd->fp, rd->len, e->seq, md);

	if (broken < 0)
		return ERR_CRYPTO;
	*broken_out = broken != 0;
	if (broken & JOURNAL_SEQ_BREAK)
		snprintf(seqs, sizeof seqs, ", expected %" PRIu64, expected);
	if (broken)
		anomaly_add(
		    jr->A, AN_CHAIN_BREAK, e->serial, anomaly_ord(rd->file, (uint32_t)rd->start),
		    "%s:%lu: seq %" PRIu64 "%s%s%s", rd->path, rd->start, e->seq, seqs,
		    broken & JOURNAL_PREV_BREAK ? "; prev_hash is not the previous line's hash"
		                                : "",
		    broken & JOURNAL_HASH_BREAK ? "; hash does not verify" : "");
	return ERR_OK;
}

/* One record of a journal: its form, its chain link, then the entry if it is new. */
static void on_entry(reader *rd)
{
	journal_run *jr = rd->jr;
	entries *J = jr->J;
	unsigned long line = rd->start;
	uint8_t md[32];
	uint32_t pfx, site_idx, found;
	uint64_t tag = 0, ridnum;
	size_t slot = 0, pfxlen;
	const char *why;
	journal_entry e;
	char pertext[8];
	account *ac = &jr->acct[rd->file];
	bool broken = false;
	err rc;

	J->lines++;
	if (rd->nf != JOURNAL_FIELDS) {
		refuse(rd, line, "%zu field%s, a journal line has %d", rd->nf,
		       rd->nf == 1 ? "" : "s", JOURNAL_FIELDS);
		return;
	}
	if (rd->fproblem) {
		refuse(rd, line, "%s is too long or holds a NUL byte",
		       journal_col_name[rd->fproblem - 1]);
		return;
	}
	if (!journal_parse(rd->fp, rd->len, &e, &why)) {
		refuse(rd, line, "%s", why);
		return;
	}
	period_format(e.per, pertext, sizeof pertext);
	if (strcmp(pertext, jr->pertext) != 0) {
		refuse(rd, line, "period %s, but %s is reconciled", pertext, jr->pertext);
		return;
	}
	if (ac->head_line) {
		refuse(rd, line, "a line after the head (line %lu): the head ends a journal",
		       ac->head_line);
		return;
	}
	if (e.kind == JOURNAL_HEAD) {
		ac->head_line = line;
		memcpy(ac->head, rd->f[J_RECEIPT], rd->len[J_RECEIPT] + 1);
		return;
	}
	if ((rc = check_link(rd, &e, md, &broken)) != ERR_OK)
		goto fail;
	/* What the file's head must say of it. */
	ac->count++;
	ac->last_seq = e.seq;
	memcpy(ac->last_hash, rd->f[J_HASH], sizeof ac->last_hash);
	if (e.kind == JOURNAL_REDEEM || e.kind == JOURNAL_OFFLINE)
		ac->redeemed += e.amount;
	else if (e.kind == JOURNAL_VOID)
		ac->voided += e.amount;
	if (jr->P)
		pins_note(jr->P, rd->file, e.seq, line, rd->f[J_HASH], ac->redeemed, ac->voided);
	journal_rid_split(e.rid, rd->len[J_RID], &pfxlen, &ridnum);
	if ((rc = prefix_of(J, e.rid, pfxlen, &pfx)) != ERR_OK ||
	    (rc = site_of(J, e.merchant, rd->len[J_MERCHANT], e.gallery, rd->len[J_GALLERY],
	                  &site_idx)) != ERR_OK)
		goto fail;
	if (J->n == J->cap && (rc = entries_reserve(J, 0)) != ERR_OK)
		goto fail;
	found = entry_lookup(J, pfx, ridnum, (uint8_t)e.kind, &slot, &tag);
	if (found != NONE) {
		const entry *x = &J->en[found];
		if (x->time == e.time && x->serial == e.serial && x->amount == e.amount &&
		    x->remaining == e.remaining && x->site == site_idx &&
		    x->terminal == e.terminal && memcmp(x->digest, md, DIGEST_LEN) == 0) {
			J->dups++;
			return;
		}
		anomaly_add(jr->A, AN_CONFLICT, e.serial, anomaly_ord(rd->file, (uint32_t)line),
		            "%s:%lu: %s %s differs from %s:%" PRIu32 ", which is withheld",
		            rd->path, line, rd->f[J_KIND], e.rid, jr->paths[x->file], x->line);
		J->en[found].flags |= EF_WITHHELD;
		return;
	}
	J->slot[slot] = tag | ((uint64_t)J->n + 1);
	J->en[J->n] = (entry){
	    .ridnum = ridnum,
	    .serial = e.serial,
	    .time = e.time,
	    .amount = (uint32_t)e.amount,
	    .remaining = (uint32_t)e.remaining,
	    .pfx = pfx,
	    .site = site_idx,
	    .terminal = e.terminal,
	    .file = rd->file,
	    .line = (uint32_t)(line > UINT32_MAX ? UINT32_MAX : line),
	    .kind = (uint8_t)e.kind,
	    .flags = broken ? EF_WITHHELD : 0,
	};
	memcpy(J->en[J->n].digest, md, DIGEST_LEN);
	J->n++;
	if (jr->R)
		rcheck_receipt(jr->R, J, jr->A, rd->fp, rd->len, line, (uint32_t)J->n - 1);
	return;
fail:
	jr->fatal = rc;
	rd->bad = true;
}

static void take_field(reader *rd, const char *s, size_t n)
{
	size_t max = rd->nf == J_RECEIPT ? RECEIPT_MAX : JOURNAL_FIELD_MAX;

	if (rd->bad)
		return;
	if (rd->nf < JOURNAL_FIELDS) {
		if (n > max || memchr(s, '\0', n)) {
			if (!rd->fproblem)
				rd->fproblem = (int)rd->nf + 1;
			n = 0;
		}
		memcpy(rd->f[rd->nf], s, n);
		rd->f[rd->nf][n] = '\0';
		rd->len[rd->nf] = n;
	}
	rd->nf++;
}

static void end_record(reader *rd)
{
	if (!rd->bad) {
		if (!rd->open) /* a record libcsv ends at csv_fini */
			rd->start = rd->line;
		if (rd->have_header)
			on_entry(rd);
		else
			on_header(rd);
	}
	rd->open = false;
	rd->nf = 0;
	rd->fproblem = 0;
}

static void on_field(void *s, size_t n, void *ctx)
{
	take_field(ctx, s, n);
}

static void on_record(int c, void *ctx)
{
	(void)c;
	end_record(ctx);
}

/* Nothing is a blank: fields are taken byte for byte, as they are hashed. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/*
 * Feed one physical line with its LF (complete), or a piece of a line too
 * long for the buffer. A line that starts no record inside a quoted field
 * and holds no quote is split at its commas here, which gives the fields
 * libcsv would (nothing is trimmed) through the same callbacks, several
 * times faster; anything else goes through libcsv. A CR is only taken as
 * part of a CRLF: records end at LF, so line numbers are right.
 */
static void feed(reader *rd, const char *s, size_t n, bool complete)
{
	size_t len = n - (complete ? 1 : 0);

	if (complete && len > 0 && s[len - 1] == '\r')
		len--;
	if (memchr(s, '\r', complete || len == 0 ? len : len - 1)) {
		refuse(rd, rd->line, "a carriage return inside a line");
		return;
	}
	if (!rd->open && complete && !memchr(s, '"', len)) {
		const char *p = s, *end = s + len, *c;

		if (len == 0) /* a blank line, which libcsv skips too */
			return;
		rd->open = true;
		rd->start = rd->line;
		while ((c = memchr(p, ',', (size_t)(end - p))) != NULL) {
			take_field(rd, p, (size_t)(c - p));
			p = c + 1;
		}
		take_field(rd, p, (size_t)(end - p));
		end_record(rd);
		return;
	}
	if (!rd->open) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] != '\n' && s[i] != '\r') {
				rd->open = true;
				rd->start = rd->line;
				break;
			}
		}
	}
	if (csv_parse(&rd->csv, s, n, on_field, on_record, rd) != n && !rd->bad)
		refuse(rd, rd->line, "malformed CSV (%s)", csv_strerror(csv_error(&rd->csv)));
}

/*
 * The file is read in chunks, each line fed whole: a line cut by the end of
 * a chunk is moved to its start and completed by the next read.
 */
bool journal_read(journal_run *jr, uint32_t file)
{
	reader *rd = calloc(1, sizeof *rd);
	FILE *f = NULL;
	size_t have = 0;
	bool ok = false, eof = false;

	if (!rd) {
		jr->fatal = ERR_NOMEM;
		return false;
	}
	if (!jr->chunk && !(jr->chunk = malloc(CHUNK))) {
		free(rd);
		jr->fatal = ERR_NOMEM;
		return false;
	}
	rd->jr = jr;
	rd->path = jr->paths[file];
	rd->file = file;
	rd->line = 1;
	for (int i = 0; i < JOURNAL_FIELDS; i++)
		rd->fp[i] = rd->f[i];
	if (journal_chain_init(&rd->chain) != ERR_OK) {
		free(rd);
		jr->fatal = ERR_CRYPTO;
		return false;
	}
	if (csv_init(&rd->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		journal_chain_free(&rd->chain);
		free(rd);
		jr->fatal = ERR_NOMEM;
		return false;
	}
	csv_set_space_func(&rd->csv, no_space);
	if (!(f = fopen(rd->path, "rb"))) {
		fprintf(stderr, "%s: cannot read: %s\n", rd->path, strerror(errno));
		goto cleanup;
	}
	while (!eof && !rd->bad) {
		size_t n = fread(jr->chunk + have, 1, CHUNK - have, f), off = 0;

		if (n == 0 && ferror(f)) {
			fprintf(stderr, "%s: cannot read: %s\n", rd->path, strerror(errno));
			goto cleanup;
		}
		eof = n == 0;
		have += n;
		while (off < have && !rd->bad) {
			char *nl = memchr(jr->chunk + off, '\n', have - off);
			size_t end = nl ? (size_t)(nl - jr->chunk) + 1 : have;

			/* Wait for the rest of the line, unless it fills the buffer. */
			if (!nl && !eof && !(off == 0 && have == CHUNK))
				break;
			feed(rd, jr->chunk + off, end - off, nl != NULL);
			if (nl)
				rd->line++;
			off = end;
		}
		memmove(jr->chunk, jr->chunk + off, have - off);
		have -= off;
	}
	if (!rd->bad && csv_fini(&rd->csv, on_field, on_record, rd) != 0 && !rd->bad)
		refuse(rd, rd->start, "unterminated quoted field");
	if (!rd->bad && !rd->have_header)
		refuse(rd, 1, "empty: not a journal");
	ok = !rd->bad && head_check(jr, file);
cleanup:
	if (f)
		fclose(f);
	csv_free(&rd->csv);
	journal_chain_free(&rd->chain);
	free(rd);
	return ok;
}
