/*
 * reconcile: the ledger's vouchers of a period against the redeemers'
 * journals.
 *
 * Three steps. The ledger's vouchers of the period are loaded and grouped
 * into entitlements (a voucher and its reissued replacements). Every
 * journal is then streamed one physical line at a time, so that problems
 * name their line (plain lines split at their commas here, anything quoted
 * through libcsv): each record is checked for form (a bad one refuses the
 * whole run), its hash chain link is checked, and the
 * entry is deduplicated on (redemption_id, kind) in an open-addressing
 * table; receipts of new redeem entries are checked against the line and
 * climbed to their tree's root on this thread, and the roots' Ed25519
 * signatures (one a tree, docs/FORMAT.md) verified by a pool of threads, a
 * batch at a time while the next batch is read. Last, the unique entries
 * are settled against the entitlements in the order they were first seen,
 * the balances checked, and the outputs written.
 */
#include "reconcile.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "csvw.h"
#include "file.h"
#include "keyring.h"
#include "ledger.h"
#include "money.h"
#include "receipt.h"
#include "sig.h"
#include "voucher.h"

#define NCOLS     14
#define FIELD_MAX 64 /* any field but the receipt */
/* UR2|rid|serial|amount|remaining|merchant|gallery|terminal|time|kid|path|sig */
#define RECEIPT_PARTS  12
#define HASH_HEX       64
#define DIGEST_LEN     16 /* of a line, to tell duplicates from conflicts */
#define CHUNK          (1 << 20)
#define BATCH          4096        /* signatures handed to the verifying threads at once */
#define BATCH_ENTRIES  (4 * BATCH) /* receipts under them, at most */
#define GRAB           32          /* receipts a verifying thread takes at a time */
#define MAX_THREADS    64
#define HTML_ANOMALIES 500 /* rows in report.html; anomalies.csv has them all */
#define CHART_SITES    60
#define PCT_MAX        24
#define NONE           UINT32_MAX

enum col {
	C_SEQ,
	C_TIME,
	C_KIND,
	C_RID,
	C_SERIAL,
	C_PERIOD,
	C_AMOUNT,
	C_REMAINING,
	C_MERCHANT,
	C_GALLERY,
	C_TERMINAL,
	C_RECEIPT,
	C_PREV,
	C_HASH
};

static const char *const col_name[NCOLS] = {
    "seq",       "time",     "kind",    "redemption_id", "serial",  "period",    "amount",
    "remaining", "merchant", "gallery", "terminal",      "receipt", "prev_hash", "hash"};

enum kind { K_REDEEM = 1, K_VOID = 2 };

enum anomaly_kind {
	AN_CHAIN_BREAK,
	AN_BAD_RECEIPT,
	AN_CONFLICT,
	AN_UNKNOWN_SERIAL,
	AN_VOID_WITHOUT,
	AN_AFTER_REVOCATION,
	AN_OUTSIDE_VALIDITY,
	AN_OVERSPENT,
	AN__COUNT
};

static const char *const an_name[AN__COUNT] = {"chain_break",
                                               "bad_receipt",
                                               "conflicting_duplicate",
                                               "unknown_serial",
                                               "void_without_redemption",
                                               "redeemed_after_revocation",
                                               "outside_validity",
                                               "overspent"};

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

/* A merchant at a gallery: a row of settlement.csv. */
typedef struct site {
	char *merchant, *gallery;
	uint64_t redemptions, voids;
	int64_t redeemed, voided, amount;
} site;

enum entry_flag { EF_RECEIPT_BAD = 1 };

/* A journal entry seen for the first time; 72 bytes, a million fit. */
typedef struct entry {
	uint64_t ridnum, serial;
	int64_t time;
	uint32_t amount, remaining, pfx, site, terminal, file, line;
	uint8_t kind, flags;
	uint8_t digest[DIGEST_LEN]; /* of the line: its chain hash as computed */
} entry;

typedef struct anomaly {
	uint8_t kind;
	uint64_t serial;
	uint64_t ord, seq; /* where it was found (file, line), then when */
	char *detail;
} anomaly;

/* Strings to small numbers: redemption id prefixes, sites. */
typedef struct strtab {
	uint32_t *slot; /* index + 1; 0 empty */
	size_t cap;     /* a power of two */
	char **key;
	size_t *klen;
	uint64_t *hash;
	size_t n, kcap;
} strtab;

/* A tree's signature that the pool verifies, and the entries whose
 * receipts lead to its root: ents[first .. first + count) of its batch. */
typedef struct rjob {
	const key_entry *key;
	uint32_t first, count;
	bool ok;
	uint8_t sig[SIG_LEN];
	uint8_t msg[RECEIPT_MSG_LEN];
} rjob;

typedef struct vpool {
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	pthread_t th[MAX_THREADS];
	int nth;
	bool init, quit;
	rjob *jobs;
	size_t n, next, finished;
} vpool;

typedef struct day {
	uint64_t count;
	int64_t amount;
} day;

/* The whole run. */
typedef struct recon {
	const reconcile_opts *o;
	char pertext[8];
	ledger *l;
	ledger_period_info info;
	const tzone *tz;
	int64_t first_day;
	int ndays;

	vch *v;
	size_t nv, vcap;
	uint64_t *skey; /* serial -> voucher index, open addressing */
	uint32_t *sval;
	size_t scap;
	ent *e;
	size_t ne;
	uint32_t *order; /* entitlements by opd, name, nip */

	entry *en;
	size_t nen, encap;
	uint64_t *eslot; /* by (prefix, number, kind): hash << 32 | entry index + 1 */
	size_t ecap;
	strtab pfx, sites;
	site *site;
	size_t sitecap;
	uint32_t last_site, last_pfx;
	uint64_t lines, dups;

	anomaly *an;
	size_t nan, ancap;
	size_t count[AN__COUNT];

	keyring *kr;
	const key_entry *last_key;
	char last_kid[KEY_ID_MAX + 1];
	vpool pool;
	rjob *batch[2];
	uint32_t *ents[2];
	size_t nbatch, nents, inflight;
	int cur;
	uint64_t receipts_checked;

	EVP_MD_CTX *md;
	EVP_MD *sha;
	day *days;
	uint64_t off_days; /* redemptions outside the period's local days */
	err fatal;         /* out of memory or overflow: the run fails */
	char *chunk;
} recon;

/* One journal being read: the state libcsv's callbacks share. */
typedef struct reader {
	recon *r;
	const char *path;
	uint32_t file;
	struct csv_parser csv;
	unsigned long line, start; /* physical line being fed; where the record began */
	bool open;                 /* a record has begun */
	bool have_header, bad;
	size_t nf;
	int fproblem; /* column + 1 of the first field too long or holding a NUL */
	char f[NCOLS][RECEIPT_MAX + 1];
	size_t len[NCOLS];
	uint64_t next_seq;
	char prev[HASH_HEX + 1];
} reader;

/* ---- small helpers ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return mix64(h);
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;

	while (c < n)
		c *= 2;
	return c;
}

static void hex32(const uint8_t in[32], char out[HASH_HEX])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
}

static void iso_time(int64_t t, char out[21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "?");
}

static const char *rp(int64_t v, char buf[MONEY_FMT_MAX])
{
	money_format(v, buf, MONEY_FMT_MAX);
	return buf;
}

/* Canonical decimal: digits only, no leading zero but "0", at most max. */
static bool parse_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool two(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ", a real UTC instant. */
static bool parse_time(const char *s, size_t n, int64_t *out)
{
	int c, y, mo, d, h, mi, se;

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || !two(s, &c) || !two(s + 2, &y) || !two(s + 5, &mo) || !two(s + 8, &d) ||
	    !two(s + 11, &h) || !two(s + 14, &mi) || !two(s + 17, &se))
		return false;
	y += c * 100;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > date_days_in_month(y, mo) || h > 23 ||
	    mi > 59 || se > 59)
		return false;
	*out = date_to_days((date){y, mo, d}) * 86400 + h * 3600 + mi * 60 + se;
	return true;
}

/* Lower-case hex digits, by table: random digits defeat branch prediction. */
static const uint8_t lower_hex[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};

static bool lower_hex64(const char *s, size_t n)
{
	unsigned ok = 1;

	if (n != HASH_HEX)
		return false;
	for (size_t i = 0; i < HASH_HEX; i++)
		ok &= lower_hex[(unsigned char)s[i]];
	return ok;
}

static bool parse_serial(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n != VOUCHER_SERIAL_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16;
		if (d == 16)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return v != 0;
}

static bool id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* "KID-N": a receipt key id (which may itself hold '-') and a number. */
static bool parse_rid(const char *s, size_t n, size_t *pfxlen, uint64_t *num)
{
	const char *dash = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!id_char(s[i]))
			return false;
		if (s[i] == '-')
			dash = s + i;
	}
	if (!dash || dash == s || (size_t)(dash - s) > KEY_ID_MAX)
		return false;
	*pfxlen = (size_t)(dash - s);
	return parse_dec(dash + 1, n - *pfxlen - 1, UINT64_MAX, num);
}

/* Printable ASCII, no blank, comma or quote: what a receipt is made of. */
static const uint8_t receipt_char[256] = {['!'] = 1, ['#' ... '+'] = 1, ['-' ... '~'] = 1};

/*
 * Eight bytes at a time (the bit tricks of "Bit Twiddling Hacks": a byte
 * below '!', above '~', or equal to '"' or ','), the tail one by one.
 */
static bool receipt_chars(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	unsigned ok = 1;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, q, c;

		memcpy(&w, s + i, 8);
		q = w ^ ones * '"';
		c = w ^ ones * ',';
		if ((((w - ones * '!') & ~w) | ((w + ones * (127 - '~')) | w) | ((q - ones) & ~q) |
		     ((c - ones) & ~c)) &
		    highs)
			return false;
	}
	for (; i < n; i++)
		ok &= receipt_char[(unsigned char)s[i]];
	return ok;
}

/* ---- anomalies ---- */

__attribute__((format(printf, 5, 6))) static void anomaly_add(recon *r, int kind, uint64_t serial,
                                                              uint64_t ord, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	if (r->nan == r->ancap) {
		size_t cap = r->ancap ? r->ancap * 2 : 64;
		anomaly *a = realloc(r->an, cap * sizeof *a);
		if (!a) {
			r->fatal = ERR_NOMEM;
			return;
		}
		r->an = a;
		r->ancap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text) {
		r->fatal = ERR_NOMEM;
		return;
	}
	r->an[r->nan] = (anomaly){(uint8_t)kind, serial, ord, r->nan, text};
	r->nan++;
	r->count[kind]++;
}

static uint64_t ord_of(uint32_t file, uint32_t line)
{
	return (uint64_t)file << 32 | line;
}

static int anomaly_cmp(const void *a, const void *b)
{
	const anomaly *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
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

/* ---- the ledger's side ---- */

static uint32_t serial_find(const recon *r, uint64_t serial)
{
	if (!r->scap || !serial)
		return NONE;
	for (size_t j = mix64(serial) & (r->scap - 1); r->skey[j]; j = (j + 1) & (r->scap - 1))
		if (r->skey[j] == serial)
			return r->sval[j];
	return NONE;
}

static int collect_voucher(const ledger_voucher *lv, void *ctx)
{
	recon *r = ctx;
	voucher tok;
	vch *v;
	size_t a = strlen(lv->nip) + 1, b = strlen(lv->name) + 1, c = strlen(lv->opd) + 1,
	       d = strlen(lv->cls) + 1;
	char sr[VOUCHER_SERIAL_LEN + 1];

	if (r->nv == r->vcap) {
		size_t cap = r->vcap ? r->vcap * 2 : 256;
		vch *nv = realloc(r->v, cap * sizeof *nv);
		if (!nv) {
			r->fatal = ERR_NOMEM;
			return 1;
		}
		r->v = nv;
		r->vcap = cap;
	}
	if (voucher_decode(lv->token, strlen(lv->token), &tok) != ERR_OK) {
		voucher_serial_format(lv->serial, sr);
		fprintf(stderr, "%s: voucher %s holds a malformed token\n", r->o->ledger, sr);
		r->fatal = ERR_INVALID;
		return 1;
	}
	v = &r->v[r->nv];
	*v = (vch){lv->serial,     lv->replaces,    lv->replaced_by, lv->amount, lv->revoked_at,
	           tok.valid_from, tok.valid_until, lv->revoked,     NONE,       NULL};
	if (!(v->text = malloc(a + b + c + d))) {
		r->fatal = ERR_NOMEM;
		return 1;
	}
	memcpy(v->text, lv->nip, a);
	memcpy(v->text + a, lv->name, b);
	memcpy(v->text + a + b, lv->opd, c);
	memcpy(v->text + a + b + c, lv->cls, d);
	r->nv++;
	return 0;
}

static int ent_cmp_r(const void *a, const void *b, void *ctx)
{
	const recon *r = ctx;
	const ent *x = &r->e[*(const uint32_t *)a], *y = &r->e[*(const uint32_t *)b];
	int c;

	if ((c = strcmp(x->opd, y->opd)) != 0 || (c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->nip, y->nip)) != 0)
		return c;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/*
 * The period's vouchers, the serial index, and the entitlements: each
 * voucher belongs to the one of the first voucher of its replaces chain.
 */
static int load_ledger(recon *r)
{
	const reconcile_opts *o = r->o;
	uint32_t *root_ent = NULL;
	err e;
	int rc = 1;

	if ((e = ledger_open(o->ledger, false, &r->l)) != ERR_OK) {
		fprintf(stderr, "%s: cannot open the ledger: %s\n", o->ledger, err_str(e));
		goto cleanup;
	}
	e = ledger_period_info_get(r->l, o->per, &r->info);
	if (e == ERR_NOT_FOUND) {
		fprintf(stderr, "%s: no vouchers were issued for %s\n", o->ledger, r->pertext);
		goto cleanup;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "%s: %s\n", o->ledger, err_str(e));
		goto cleanup;
	}
	if (!(r->tz = tzone_find(r->info.timezone)) || r->info.grace_days < 0 ||
	    r->info.grace_days > 366) {
		fprintf(stderr, "%s: period %s has an unknown time zone or grace days\n", o->ledger,
		        r->pertext);
		goto cleanup;
	}
	r->first_day = date_to_days((date){o->per.year, o->per.month, 1});
	r->ndays = date_days_in_month(o->per.year, o->per.month) + r->info.grace_days;
	if (!(r->days = calloc((size_t)r->ndays, sizeof *r->days)))
		goto nomem;

	e = ledger_each(r->l, o->per, collect_voucher, r);
	if (r->fatal == ERR_NOMEM)
		goto nomem;
	if (r->fatal != ERR_OK)
		goto cleanup;
	if (e != ERR_OK) {
		fprintf(stderr, "%s: %s\n", o->ledger, err_str(e));
		goto cleanup;
	}

	r->scap = pow2_at_least(r->nv * 2 + 1);
	if (!(r->skey = calloc(r->scap, sizeof *r->skey)) ||
	    !(r->sval = calloc(r->scap, sizeof *r->sval)))
		goto nomem;
	for (size_t i = 0; i < r->nv; i++) {
		size_t j = mix64(r->v[i].serial) & (r->scap - 1);
		while (r->skey[j])
			j = (j + 1) & (r->scap - 1);
		r->skey[j] = r->v[i].serial;
		r->sval[j] = (uint32_t)i;
	}

	if (!(root_ent = malloc((r->nv + 1) * sizeof *root_ent)) ||
	    !(r->e = calloc(r->nv + 1, sizeof *r->e)) ||
	    !(r->order = malloc((r->nv + 1) * sizeof *r->order)))
		goto nomem;
	for (size_t i = 0; i < r->nv; i++)
		root_ent[i] = NONE;
	for (size_t i = 0; i < r->nv; i++) {
		uint32_t root = (uint32_t)i, j;
		size_t steps = 0;

		/* The steps bound a cycle a damaged ledger might hold. */
		while ((j = serial_find(r, r->v[root].replaces)) != NONE && steps++ < r->nv)
			root = j;
		if (root_ent[root] == NONE) {
			const vch *rv = &r->v[root];
			ent *en = &r->e[r->ne];
			uint32_t cur = root;

			steps = 0;
			while ((j = serial_find(r, r->v[cur].replaced_by)) != NONE &&
			       steps++ < r->nv)
				cur = j;
			en->serial = r->v[cur].serial;
			en->issued = rv->amount;
			en->nip = rv->text;
			en->name = en->nip + strlen(en->nip) + 1;
			en->opd = en->name + strlen(en->name) + 1;
			en->cls = en->opd + strlen(en->opd) + 1;
			root_ent[root] = (uint32_t)r->ne++;
		}
		r->v[i].ent = root_ent[root];
	}
	for (size_t i = 0; i < r->ne; i++)
		r->order[i] = (uint32_t)i;
	qsort_r(r->order, r->ne, sizeof *r->order, ent_cmp_r, r);
	rc = 0;
	goto cleanup;
nomem:
	fprintf(stderr, "reconcile: out of memory\n");
cleanup:
	free(root_ent);
	return rc;
}

/* ---- verifying receipts on several threads ---- */

static void *verifier_main(void *arg)
{
	vpool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t i, k;
		rjob *jobs;

		while (!p->quit && p->next >= p->n)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->next >= p->n)
			break;
		i = p->next;
		k = p->n - i < GRAB ? p->n - i : GRAB;
		p->next += k;
		jobs = p->jobs;
		pthread_mutex_unlock(&p->mu);
		for (size_t j = i; j < i + k; j++)
			jobs[j].ok = sig_verify(jobs[j].key->verifier, jobs[j].msg,
			                        sizeof jobs[j].msg, jobs[j].sig);
		pthread_mutex_lock(&p->mu);
		p->finished += k;
		if (p->finished == p->n)
			pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	sig_thread_done();
	return NULL;
}

/* Start n threads; with none (n = 0 or no thread could start) the caller's
 * thread verifies each batch itself. */
static err vpool_start(vpool *p, int n)
{
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return ERR_INTERNAL;
	if (pthread_cond_init(&p->go, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		return ERR_INTERNAL;
	}
	if (pthread_cond_init(&p->done, NULL) != 0) {
		pthread_cond_destroy(&p->go);
		pthread_mutex_destroy(&p->mu);
		return ERR_INTERNAL;
	}
	p->init = true;
	for (p->nth = 0; p->nth < n && p->nth < MAX_THREADS; p->nth++)
		if (pthread_create(&p->th[p->nth], NULL, verifier_main, p) != 0)
			break;
	return ERR_OK;
}

static void vpool_submit(vpool *p, rjob *jobs, size_t n)
{
	if (p->nth == 0) {
		for (size_t j = 0; j < n; j++)
			jobs[j].ok = sig_verify(jobs[j].key->verifier, jobs[j].msg,
			                        sizeof jobs[j].msg, jobs[j].sig);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->jobs = jobs;
	p->n = n;
	p->next = 0;
	p->finished = 0;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

static void vpool_wait(vpool *p)
{
	if (p->nth == 0)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->finished < p->n)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

static void vpool_stop(vpool *p)
{
	if (!p->init)
		return;
	vpool_wait(p);
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->go);
	pthread_mutex_destroy(&p->mu);
	p->init = false;
}

static void rid_text(const recon *r, const entry *en, char *out, size_t n)
{
	snprintf(out, n, "%s-%" PRIu64, r->pfx.key[en->pfx], en->ridnum);
}

/* The verdicts of a batch that has come back. */
static void harvest(recon *r, const rjob *jobs, size_t n, const uint32_t *ents)
{
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].ok)
			continue;
		for (uint32_t k = jobs[i].first; k < jobs[i].first + jobs[i].count; k++) {
			entry *en = &r->en[ents[k]];
			char rid[KEY_ID_MAX + 24];

			en->flags |= EF_RECEIPT_BAD;
			rid_text(r, en, rid, sizeof rid);
			anomaly_add(r, AN_BAD_RECEIPT, en->serial, ord_of(en->file, en->line),
			            "%s:%" PRIu32 ": %s: the receipt's signature by key %s does "
			            "not verify",
			            r->o->journals[en->file], en->line, rid, jobs[i].key->kid);
		}
	}
}

/* Hand the filled batch to the pool, after taking back the one it had. */
static void flush_batch(recon *r)
{
	vpool_wait(&r->pool);
	if (r->inflight) {
		harvest(r, r->batch[!r->cur], r->inflight, r->ents[!r->cur]);
		r->inflight = 0;
	}
	if (r->nbatch) {
		vpool_submit(&r->pool, r->batch[r->cur], r->nbatch);
		r->inflight = r->nbatch;
		r->nbatch = 0;
		r->nents = 0;
		r->cur = !r->cur;
	}
}

static const key_entry *receipt_key(recon *r, const char *kid)
{
	if (r->last_key && strcmp(r->last_kid, kid) == 0)
		return r->last_key;
	for (size_t i = 0; i < keyring_count(r->kr); i++) {
		const key_entry *k = keyring_at(r->kr, i);
		if (k->role == KEY_RECEIPT && strcmp(k->kid, kid) == 0) {
			r->last_key = k;
			snprintf(r->last_kid, sizeof r->last_kid, "%s", kid);
			return k;
		}
	}
	return NULL;
}

/*
 * Check a new redeem entry's receipt against its line, climb its path to
 * the root, and queue the root's signature for the pool, unless it is the
 * one queued last (the receipts of a tree are consecutive lines): one
 * verification a tree. A receipt that fails here is a bad_receipt now.
 */
static void check_receipt(recon *r, reader *rd, uint32_t idx)
{
	static const enum col same[] = {C_RID,      C_SERIAL,  C_AMOUNT,   C_REMAINING,
	                                C_MERCHANT, C_GALLERY, C_TERMINAL, C_TIME};
	const char *s = rd->f[C_RECEIPT], *part[RECEIPT_PARTS];
	size_t plen[RECEIPT_PARTS], n = rd->len[C_RECEIPT], np = 0, start = 0;
	char kid[KEY_ID_MAX + 1];
	uint8_t root[32], sig[SIG_LEN], msg[RECEIPT_MSG_LEN];
	const key_entry *key;
	const char *what;
	rjob *job;

	r->receipts_checked++;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '|')
			continue;
		if (np == RECEIPT_PARTS) {
			np++;
			break;
		}
		part[np] = s + start;
		plen[np++] = i - start;
		start = i + 1;
	}
	if (np != RECEIPT_PARTS || plen[0] != 3 || memcmp(part[0], "UR2", 3) != 0) {
		what = "is not a UR2 receipt";
		goto bad;
	}
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		if (plen[i + 1] != rd->len[same[i]] ||
		    memcmp(part[i + 1], rd->f[same[i]], plen[i + 1]) != 0) {
			anomaly_add(r, AN_BAD_RECEIPT, r->en[idx].serial,
			            ord_of(rd->file, rd->start),
			            "%s:%lu: %s: the receipt's %s does not match the line",
			            rd->path, rd->start, rd->f[C_RID], col_name[same[i]]);
			goto flag;
		}
	}
	if (plen[9] < 1 || plen[9] > KEY_ID_MAX) {
		what = "names no valid receipt key";
		goto bad;
	}
	memcpy(kid, part[9], plen[9]);
	kid[plen[9]] = '\0';
	if (!key_id_valid(kid)) {
		what = "names no valid receipt key";
		goto bad;
	}
	if (!(key = receipt_key(r, kid))) {
		anomaly_add(r, AN_BAD_RECEIPT, r->en[idx].serial, ord_of(rd->file, rd->start),
		            "%s:%lu: %s: receipt key %s is not in the keyring", rd->path, rd->start,
		            rd->f[C_RID], kid);
		goto flag;
	}
	if (!receipt_root(s, (size_t)(part[10] - 1 - s), part[10], plen[10], root)) {
		what = "holds a malformed path";
		goto bad;
	}
	if (!b64url_decode(part[11], plen[11], sig, SIG_LEN)) {
		what = "holds a malformed signature";
		goto bad;
	}
	receipt_message(root, msg);
	job = r->nbatch ? &r->batch[r->cur][r->nbatch - 1] : NULL;
	if (job && (job->key != key || memcmp(job->msg, msg, sizeof msg) != 0 ||
	            memcmp(job->sig, sig, SIG_LEN) != 0))
		job = NULL;
	if (r->nents == BATCH_ENTRIES || (!job && r->nbatch == BATCH)) {
		flush_batch(r); /* a tree cut here gets a job in each batch */
		job = NULL;
	}
	if (!job) {
		job = &r->batch[r->cur][r->nbatch++];
		job->key = key;
		job->first = (uint32_t)r->nents;
		job->count = 0;
		job->ok = false;
		memcpy(job->sig, sig, SIG_LEN);
		memcpy(job->msg, msg, sizeof msg);
	}
	r->ents[r->cur][r->nents++] = idx;
	job->count++;
	return;
bad:
	anomaly_add(r, AN_BAD_RECEIPT, r->en[idx].serial, ord_of(rd->file, rd->start),
	            "%s:%lu: %s: the receipt %s", rd->path, rd->start, rd->f[C_RID], what);
flag:
	r->en[idx].flags |= EF_RECEIPT_BAD;
}

/* ---- reading a journal ---- */

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
static err grow_entries(recon *r, size_t want)
{
	size_t cap = r->encap ? r->encap * 2 : 4096;
	entry *en;
	uint64_t *slot;

	while (cap < want)
		cap *= 2;
	if (cap > NONE / 2)
		return ERR_TOO_LARGE;
	if (!(en = realloc(r->en, cap * sizeof *en)))
		return ERR_NOMEM;
	r->en = en;
	r->encap = cap;
	/* The table stays at most half full. */
	if (!(slot = calloc(cap * 2, sizeof *slot)))
		return ERR_NOMEM;
	free(r->eslot);
	r->eslot = slot;
	r->ecap = cap * 2;
	for (size_t i = 0; i < r->nen; i++) {
		const entry *x = &r->en[i];
		uint64_t h = entry_hash(x->pfx, x->ridnum, x->kind);
		size_t j = entry_home(x->pfx, x->ridnum, x->kind, r->ecap);

		while (r->eslot[j])
			j = (j + 1) & (r->ecap - 1);
		r->eslot[j] = (h & 0xFFFFFFFF00000000ULL) | ((uint64_t)i + 1);
	}
	return ERR_OK;
}

/* The entry of (prefix, number, kind), or NONE and the slot where it goes. */
static uint32_t entry_find(const recon *r, uint32_t pfx, uint64_t num, uint8_t kind, size_t *slot,
                           uint64_t *tag)
{
	uint64_t hi = entry_hash(pfx, num, kind) & 0xFFFFFFFF00000000ULL;
	size_t j = entry_home(pfx, num, kind, r->ecap);

	for (; r->eslot[j]; j = (j + 1) & (r->ecap - 1)) {
		const entry *x;

		if ((r->eslot[j] & 0xFFFFFFFF00000000ULL) != hi)
			continue;
		x = &r->en[(r->eslot[j] & 0xFFFFFFFFu) - 1];
		if (x->ridnum == num && x->pfx == pfx && x->kind == kind)
			return (uint32_t)(r->eslot[j] & 0xFFFFFFFFu) - 1;
	}
	*slot = j;
	*tag = hi;
	return NONE;
}

static err site_of(recon *r, const reader *rd, uint32_t *idx)
{
	char key[2 * FIELD_MAX + 2];
	size_t m = rd->len[C_MERCHANT], g = rd->len[C_GALLERY];
	bool fresh;
	err e;

	if (r->last_site != NONE) {
		const site *s = &r->site[r->last_site];
		if (strcmp(s->merchant, rd->f[C_MERCHANT]) == 0 &&
		    strcmp(s->gallery, rd->f[C_GALLERY]) == 0) {
			*idx = r->last_site;
			return ERR_OK;
		}
	}
	memcpy(key, rd->f[C_MERCHANT], m + 1);
	memcpy(key + m + 1, rd->f[C_GALLERY], g);
	if ((e = strtab_intern(&r->sites, key, m + 1 + g, idx, &fresh)) != ERR_OK)
		return e;
	if (fresh) {
		if (r->sites.n > r->sitecap) {
			size_t cap = r->sitecap ? r->sitecap * 2 : 16;
			site *s = realloc(r->site, cap * sizeof *s);
			if (!s)
				return ERR_NOMEM;
			r->site = s;
			r->sitecap = cap;
		}
		memset(&r->site[*idx], 0, sizeof r->site[*idx]);
		/* The interned key holds both, NUL-separated. */
		r->site[*idx].merchant = r->sites.key[*idx];
		r->site[*idx].gallery = r->sites.key[*idx] + m + 1;
	}
	r->last_site = *idx;
	return ERR_OK;
}

static void on_header(reader *rd)
{
	bool ok = rd->nf == NCOLS && rd->fproblem == 0;

	for (size_t i = 0; ok && i < NCOLS; i++)
		ok = strcmp(rd->f[i], col_name[i]) == 0;
	if (!ok)
		refuse(rd, rd->start,
		       "not a journal: the header must be seq,time,kind,redemption_id,serial,"
		       "period,amount,remaining,merchant,gallery,terminal,receipt,prev_hash,hash");
	rd->have_header = true;
}

/* The values of a journal line whose form is right. */
typedef struct jline {
	uint64_t seq, ridnum, serial, amount, remaining, terminal;
	int64_t time;
	size_t pfxlen;
	uint8_t kind;
} jline;

/* Check the form of the record in rd into *j; false with *why set if it is not a journal line. */
static bool parse_line(const reader *rd, jline *j, char *why, size_t n)
{
	const char *w = NULL;
	period p;

	if (rd->nf != NCOLS) {
		snprintf(why, n, "%zu field%s, a journal line has %d", rd->nf,
		         rd->nf == 1 ? "" : "s", NCOLS);
		return false;
	}
	if (rd->fproblem) {
		snprintf(why, n, "%s is too long or holds a NUL byte", col_name[rd->fproblem - 1]);
		return false;
	}
	if (!parse_dec(rd->f[C_SEQ], rd->len[C_SEQ], UINT64_MAX, &j->seq) || j->seq == 0)
		w = "bad seq (a number from 1)";
	else if (!parse_time(rd->f[C_TIME], rd->len[C_TIME], &j->time))
		w = "bad time (YYYY-MM-DDTHH:MM:SSZ)";
	else if (strcmp(rd->f[C_KIND], "redeem") != 0 && strcmp(rd->f[C_KIND], "void") != 0)
		w = "bad kind (redeem or void)";
	else if (!parse_rid(rd->f[C_RID], rd->len[C_RID], &j->pfxlen, &j->ridnum))
		w = "bad redemption_id (KEYID-NUMBER)";
	else if (!parse_serial(rd->f[C_SERIAL], rd->len[C_SERIAL], &j->serial))
		w = "bad serial (16 upper-case hex digits)";
	else if (period_parse(rd->f[C_PERIOD], &p) != ERR_OK)
		w = "bad period (YYYY-MM)";
	else if (strcmp(rd->f[C_PERIOD], rd->r->pertext) != 0) {
		/* A period that parses is 7 characters. */
		snprintf(why, n, "period %.7s, but %.7s is reconciled", rd->f[C_PERIOD],
		         rd->r->pertext);
		return false;
	} else if (!parse_dec(rd->f[C_AMOUNT], rd->len[C_AMOUNT], UINT32_MAX, &j->amount) ||
	           j->amount == 0)
		w = "bad amount (whole rupiah, 1 to 4294967295)";
	else if (!parse_dec(rd->f[C_REMAINING], rd->len[C_REMAINING], UINT32_MAX, &j->remaining))
		w = "bad remaining (whole rupiah, 0 to 4294967295)";
	else if (!key_id_valid(rd->f[C_MERCHANT]))
		w = "bad merchant (1-32 of A-Z a-z 0-9 . _ -)";
	else if (!key_id_valid(rd->f[C_GALLERY]))
		w = "bad gallery (1-32 of A-Z a-z 0-9 . _ -)";
	else if (!parse_dec(rd->f[C_TERMINAL], rd->len[C_TERMINAL], UINT32_MAX, &j->terminal))
		w = "bad terminal (a number)";
	else if (!receipt_chars(rd->f[C_RECEIPT], rd->len[C_RECEIPT]))
		w = "bad receipt (printable ASCII, no comma, quote or blank)";
	else if (!lower_hex64(rd->f[C_PREV], rd->len[C_PREV]))
		w = "bad prev_hash (64 lower-case hex digits)";
	else if (!lower_hex64(rd->f[C_HASH], rd->len[C_HASH]))
		w = "bad hash (64 lower-case hex digits)";
	if (w) {
		snprintf(why, n, "%s", w);
		return false;
	}
	j->kind = rd->f[C_KIND][0] == 'r' ? K_REDEEM : K_VOID;
	if (j->kind == K_REDEEM && rd->len[C_RECEIPT] == 0)
		w = "a redeem line without a receipt";
	else if (j->kind == K_VOID && rd->len[C_RECEIPT] != 0)
		w = "a void line with a receipt";
	if (w) {
		snprintf(why, n, "%s", w);
		return false;
	}
	return true;
}

/*
 * The line's link in its file's chain: seq one more than the previous
 * line's, prev_hash the previous line's hash (zeros first), hash =
 * SHA-256(prev_hash "," seq "," ... "," receipt). A break is an anomaly;
 * the chain resumes from the line as written, so one edit is one break.
 * md gets the hash computed: a digest of all the line holds but its hash.
 */
static err check_link(reader *rd, const jline *j, uint8_t md[32])
{
	recon *r = rd->r;
	char buf[HASH_HEX + NCOLS * (RECEIPT_MAX + 1)], hex[HASH_HEX], seqs[48] = "";
	size_t len = HASH_HEX;
	bool seq_ok, prev_ok, hash_ok;

	memcpy(buf, rd->f[C_PREV], HASH_HEX);
	for (int i = C_SEQ; i <= C_RECEIPT; i++) {
		buf[len++] = ',';
		memcpy(buf + len, rd->f[i], rd->len[i]);
		len += rd->len[i];
	}
	if (EVP_DigestInit_ex(r->md, r->sha, NULL) != 1 || EVP_DigestUpdate(r->md, buf, len) != 1 ||
	    EVP_DigestFinal_ex(r->md, md, NULL) != 1)
		return ERR_CRYPTO;
	hex32(md, hex);
	seq_ok = j->seq == rd->next_seq;
	prev_ok = memcmp(rd->f[C_PREV], rd->prev, HASH_HEX) == 0;
	hash_ok = memcmp(hex, rd->f[C_HASH], HASH_HEX) == 0;
	if (!seq_ok)
		snprintf(seqs, sizeof seqs, ", expected %" PRIu64, rd->next_seq);
	if (!seq_ok || !prev_ok || !hash_ok)
		anomaly_add(r, AN_CHAIN_BREAK, j->serial, ord_of(rd->file, (uint32_t)rd->start),
		            "%s:%lu: seq %" PRIu64 "%s%s%s", rd->path, rd->start, j->seq, seqs,
		            prev_ok ? "" : "; prev_hash is not the previous line's hash",
		            hash_ok ? "" : "; hash does not verify");
	rd->next_seq = j->seq + 1;
	memcpy(rd->prev, rd->f[C_HASH], HASH_HEX + 1);
	return ERR_OK;
}

/* One record of a journal: its form, its chain link, then the entry if it is new. */
static void on_entry(reader *rd)
{
	recon *r = rd->r;
	unsigned long line = rd->start;
	uint8_t md[32];
	uint32_t pfx, site_idx, found;
	uint64_t tag = 0;
	size_t slot = 0;
	char why[128];
	bool fresh;
	jline j;
	err e;

	r->lines++;
	if (!parse_line(rd, &j, why, sizeof why)) {
		refuse(rd, line, "%s", why);
		return;
	}
	if ((e = check_link(rd, &j, md)) != ERR_OK)
		goto fail;

	if (r->last_pfx != NONE && r->pfx.klen[r->last_pfx] == j.pfxlen &&
	    memcmp(r->pfx.key[r->last_pfx], rd->f[C_RID], j.pfxlen) == 0) {
		pfx = r->last_pfx;
	} else {
		if ((e = strtab_intern(&r->pfx, rd->f[C_RID], j.pfxlen, &pfx, &fresh)) != ERR_OK)
			goto fail;
		r->last_pfx = pfx;
	}
	if ((e = site_of(r, rd, &site_idx)) != ERR_OK)
		goto fail;
	if (r->nen == r->encap && (e = grow_entries(r, 0)) != ERR_OK)
		goto fail;
	found = entry_find(r, pfx, j.ridnum, j.kind, &slot, &tag);
	if (found != NONE) {
		const entry *x = &r->en[found];
		if (x->time == j.time && x->serial == j.serial && x->amount == j.amount &&
		    x->remaining == j.remaining && x->site == site_idx &&
		    x->terminal == j.terminal && memcmp(x->digest, md, DIGEST_LEN) == 0) {
			r->dups++;
			return;
		}
		anomaly_add(r, AN_CONFLICT, j.serial, ord_of(rd->file, (uint32_t)line),
		            "%s:%lu: %s %s differs from %s:%" PRIu32 ", which is counted", rd->path,
		            line, rd->f[C_KIND], rd->f[C_RID], r->o->journals[x->file], x->line);
		return;
	}
	r->eslot[slot] = tag | ((uint64_t)r->nen + 1);
	r->en[r->nen] = (entry){
	    .ridnum = j.ridnum,
	    .serial = j.serial,
	    .time = j.time,
	    .amount = (uint32_t)j.amount,
	    .remaining = (uint32_t)j.remaining,
	    .pfx = pfx,
	    .site = site_idx,
	    .terminal = (uint32_t)j.terminal,
	    .file = rd->file,
	    .line = (uint32_t)(line > UINT32_MAX ? UINT32_MAX : line),
	    .kind = j.kind,
	};
	memcpy(r->en[r->nen].digest, md, DIGEST_LEN);
	r->nen++;
	if (j.kind == K_REDEEM && r->kr)
		check_receipt(r, rd, (uint32_t)r->nen - 1);
	return;
fail:
	r->fatal = e;
	rd->bad = true;
}

static void take_field(reader *rd, const char *s, size_t n)
{
	size_t max = rd->nf == C_RECEIPT ? RECEIPT_MAX : FIELD_MAX;

	if (rd->bad)
		return;
	if (rd->nf < NCOLS) {
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
 * Read journal number file; false if it is refused (printed) or the run
 * fails. The file is read in chunks, each line fed whole: a line cut by the
 * end of a chunk is moved to its start and completed by the next read.
 */
static bool read_journal(recon *r, uint32_t file)
{
	reader *rd = calloc(1, sizeof *rd);
	FILE *f = NULL;
	size_t have = 0;
	bool ok = false, eof = false;

	if (!rd) {
		r->fatal = ERR_NOMEM;
		return false;
	}
	rd->r = r;
	rd->path = r->o->journals[file];
	rd->file = file;
	rd->line = 1;
	rd->next_seq = 1;
	memset(rd->prev, '0', HASH_HEX);
	if (csv_init(&rd->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(rd);
		r->fatal = ERR_NOMEM;
		return false;
	}
	csv_set_space_func(&rd->csv, no_space);
	if (!(f = fopen(rd->path, "rb"))) {
		fprintf(stderr, "%s: cannot read: %s\n", rd->path, strerror(errno));
		goto cleanup;
	}
	while (!eof && !rd->bad) {
		size_t n = fread(r->chunk + have, 1, CHUNK - have, f), off = 0;

		if (n == 0 && ferror(f)) {
			fprintf(stderr, "%s: cannot read: %s\n", rd->path, strerror(errno));
			goto cleanup;
		}
		eof = n == 0;
		have += n;
		while (off < have && !rd->bad) {
			char *nl = memchr(r->chunk + off, '\n', have - off);
			size_t end = nl ? (size_t)(nl - r->chunk) + 1 : have;

			/* Wait for the rest of the line, unless it fills the buffer. */
			if (!nl && !eof && !(off == 0 && have == CHUNK))
				break;
			feed(rd, r->chunk + off, end - off, nl != NULL);
			if (nl)
				rd->line++;
			off = end;
		}
		memmove(r->chunk, r->chunk + off, have - off);
		have -= off;
	}
	if (!rd->bad && csv_fini(&rd->csv, on_field, on_record, rd) != 0 && !rd->bad)
		refuse(rd, rd->start, "unterminated quoted field");
	if (!rd->bad && !rd->have_header)
		refuse(rd, 1, "empty: not a journal");
	ok = !rd->bad;
cleanup:
	if (f)
		fclose(f);
	csv_free(&rd->csv);
	free(rd);
	return ok;
}

/* ---- settling the entries ---- */

/*
 * Count a redemption made at t on its local day, or take back a voided one
 * (voided: the redemption's own day). Days outside the period's (with its
 * grace days) are only counted, for the report.
 */
static void add_day(recon *r, int64_t t, bool voided, int64_t amount)
{
	int64_t local = t + r->tz->offset;
	int64_t d = local / 86400 - (local % 86400 < 0) - r->first_day;

	if (d < 0 || d >= r->ndays) {
		if (voided)
			r->off_days--;
		else
			r->off_days++;
		return;
	}
	if (voided) {
		r->days[d].count--;
		r->days[d].amount -= amount;
	} else {
		r->days[d].count++;
		r->days[d].amount += amount;
	}
}

static void settle_redeem(recon *r, entry *en)
{
	const char *path = r->o->journals[en->file];
	uint32_t vi = serial_find(r, en->serial);
	char rid[KEY_ID_MAX + 24], t1[21], t2[21], t3[21], m[MONEY_FMT_MAX];
	site *s = &r->site[en->site];
	const char *why;
	vch *v;
	ent *e;

	if (vi == NONE) {
		rid_text(r, en, rid, sizeof rid);
		why = !r->kr ? "receipt not checked"
		      : en->flags & EF_RECEIPT_BAD
		          ? "its receipt does not verify"
		          : "its receipt verifies: the redeemer accepted a validly signed voucher, "
		            "the issuer key may be compromised";
		anomaly_add(r, AN_UNKNOWN_SERIAL, en->serial, ord_of(en->file, en->line),
		            "%s:%" PRIu32 ": %s: %s redeemed at %s/%s on a serial the ledger did "
		            "not issue for %s%s; %s",
		            path, en->line, rid, rp(en->amount, m), s->merchant, s->gallery,
		            r->pertext,
		            ledger_has_serial(r->l, en->serial) ? " (another period's)" : "", why);
		return;
	}
	v = &r->v[vi];
	e = &r->e[v->ent];
	if (!money_add(e->redeemed, en->amount, &e->redeemed) ||
	    !money_add(s->redeemed, en->amount, &s->redeemed)) {
		r->fatal = ERR_OVERFLOW;
		return;
	}
	s->redemptions++;
	add_day(r, en->time, false, en->amount);
	if (v->revoked && en->time >= v->revoked_at) {
		rid_text(r, en, rid, sizeof rid);
		iso_time(en->time, t1);
		iso_time(v->revoked_at, t2);
		anomaly_add(r, AN_AFTER_REVOCATION, en->serial, ord_of(en->file, en->line),
		            "%s:%" PRIu32 ": %s at %s, revoked at %s%s", path, en->line, rid, t1,
		            t2, v->replaced_by ? " (replaced)" : "");
	}
	if (en->time < v->valid_from || en->time >= v->valid_until) {
		rid_text(r, en, rid, sizeof rid);
		iso_time(en->time, t1);
		iso_time(v->valid_from, t2);
		iso_time(v->valid_until, t3);
		anomaly_add(r, AN_OUTSIDE_VALIDITY, en->serial, ord_of(en->file, en->line),
		            "%s:%" PRIu32 ": %s at %s, valid from %s until %s", path, en->line, rid,
		            t1, t2, t3);
	}
}

static void settle_void(recon *r, const entry *en)
{
	const char *path = r->o->journals[en->file];
	char rid[KEY_ID_MAX + 24];
	size_t slot;
	uint64_t tag;
	uint32_t ri = entry_find(r, en->pfx, en->ridnum, K_REDEEM, &slot, &tag), vi;
	const entry *red;
	site *s;
	ent *e;

	rid_text(r, en, rid, sizeof rid);
	if (ri == NONE) {
		anomaly_add(r, AN_VOID_WITHOUT, en->serial, ord_of(en->file, en->line),
		            "%s:%" PRIu32 ": void of %s: no such redemption in the journals", path,
		            en->line, rid);
		return;
	}
	red = &r->en[ri];
	if (red->serial != en->serial || red->amount != en->amount ||
	    strcmp(r->site[red->site].merchant, r->site[en->site].merchant) != 0) {
		anomaly_add(r, AN_VOID_WITHOUT, en->serial, ord_of(en->file, en->line),
		            "%s:%" PRIu32 ": void of %s: its %s differs from the redemption's",
		            path, en->line, rid,
		            red->serial != en->serial   ? "serial"
		            : red->amount != en->amount ? "amount"
		                                        : "merchant");
		return;
	}
	/* The redemption of a serial never issued was not counted: nor is its void. */
	if ((vi = serial_find(r, red->serial)) == NONE)
		return;
	e = &r->e[r->v[vi].ent];
	s = &r->site[red->site];
	if (!money_sub(e->redeemed, en->amount, &e->redeemed) ||
	    !money_add(s->voided, en->amount, &s->voided)) {
		r->fatal = ERR_OVERFLOW;
		return;
	}
	s->voids++;
	add_day(r, red->time, true, en->amount);
}

static void settle(recon *r)
{
	for (size_t i = 0; i < r->nen && r->fatal == ERR_OK; i++) {
		if (r->en[i].kind == K_REDEEM)
			settle_redeem(r, &r->en[i]);
		else
			settle_void(r, &r->en[i]);
	}
	for (size_t k = 0; k < r->ne && r->fatal == ERR_OK; k++) {
		ent *e = &r->e[r->order[k]];
		char m1[MONEY_FMT_MAX], m2[MONEY_FMT_MAX];

		if (!money_sub(e->issued, e->redeemed, &e->unspent)) {
			r->fatal = ERR_OVERFLOW;
			return;
		}
		if (e->redeemed > e->issued)
			anomaly_add(r, AN_OVERSPENT, e->serial, k, "%s redeemed of %s issued",
			            rp(e->redeemed, m1), rp(e->issued, m2));
	}
	for (size_t i = 0; i < r->sites.n && r->fatal == ERR_OK; i++)
		if (!money_sub(r->site[i].redeemed, r->site[i].voided, &r->site[i].amount))
			r->fatal = ERR_OVERFLOW;
}

/* ---- balances ---- */

typedef struct opd_sum {
	const char *opd;
	size_t first, n; /* a run of r->order */
	uint64_t met;
	int64_t issued, redeemed, unspent;
} opd_sum;

typedef struct totals {
	opd_sum *opd;
	size_t nopd;
	int64_t issued, redeemed, unspent, settled, refund;
	uint64_t met;
	bool ok;
} totals;

/* issued = redeemed + unspent, with overflow checks. */
static bool balances(int64_t issued, int64_t redeemed, int64_t unspent)
{
	int64_t sum;

	return money_add(redeemed, unspent, &sum) && sum == issued;
}

/* Per ASN, per OPD and in total, and settlements against redeemed; each
 * failure printed. */
static err check_balances(recon *r, totals *t)
{
	char sr[VOUCHER_SERIAL_LEN + 1];
	bool sums = true;

	t->ok = true;
	if (!(t->opd = calloc(r->ne + 1, sizeof *t->opd)))
		return ERR_NOMEM;
	for (size_t k = 0; k < r->ne; k++) {
		const ent *e = &r->e[r->order[k]];
		opd_sum *o;

		if (!balances(e->issued, e->redeemed, e->unspent)) {
			voucher_serial_format(e->serial, sr);
			printf("balance: FAILED for the entitlement of serial %s\n", sr);
			t->ok = false;
		}
		if (t->nopd == 0 || strcmp(t->opd[t->nopd - 1].opd, e->opd) != 0)
			t->opd[t->nopd++] = (opd_sum){e->opd, k, 0, 0, 0, 0, 0};
		o = &t->opd[t->nopd - 1];
		o->n++;
		o->met += e->redeemed >= e->issued;
		sums = sums && money_add(o->issued, e->issued, &o->issued) &&
		       money_add(o->redeemed, e->redeemed, &o->redeemed) &&
		       money_add(o->unspent, e->unspent, &o->unspent) &&
		       money_add(t->issued, e->issued, &t->issued) &&
		       money_add(t->redeemed, e->redeemed, &t->redeemed) &&
		       money_add(t->unspent, e->unspent, &t->unspent) &&
		       (e->unspent <= 0 || money_add(t->refund, e->unspent, &t->refund));
		t->met += e->redeemed >= e->issued;
	}
	for (size_t i = 0; i < r->sites.n; i++)
		sums = sums && money_add(t->settled, r->site[i].amount, &t->settled);
	if (!sums) {
		printf("balance: FAILED: a sum overflows\n");
		t->ok = false;
		return ERR_OK;
	}
	for (size_t i = 0; i < t->nopd; i++) {
		if (!balances(t->opd[i].issued, t->opd[i].redeemed, t->opd[i].unspent)) {
			printf("balance: FAILED for OPD %s\n", t->opd[i].opd);
			t->ok = false;
		}
	}
	return ERR_OK;
}

/* ---- outputs ---- */

static void opd_pct(const opd_sum *o, char out[PCT_MAX])
{
	/* One decimal, half up, in integers. */
	uint64_t tenths = o->n ? (o->met * 2000 + o->n) / (2 * o->n) : 0;

	snprintf(out, PCT_MAX, "%" PRIu64 ".%" PRIu64, tenths / 10, tenths % 10);
}

static void write_per_asn(const recon *r, FILE *f)
{
	char sr[VOUCHER_SERIAL_LEN + 1];

	fputs("nip,name,opd,class,serial,issued,redeemed,unspent,met_minimum\n", f);
	for (size_t k = 0; k < r->ne; k++) {
		const ent *e = &r->e[r->order[k]];

		voucher_serial_format(e->serial, sr);
		csvw_str(f, e->nip, ',');
		csvw_str(f, e->name, ',');
		csvw_str(f, e->opd, ',');
		csvw_str(f, e->cls, ',');
		csvw_str(f, sr, ',');
		csvw_num(f, e->issued, ',');
		csvw_num(f, e->redeemed, ',');
		csvw_num(f, e->unspent, ',');
		csvw_str(f, e->redeemed >= e->issued ? "yes" : "no", '\n');
	}
}

static void write_per_opd(const totals *t, FILE *f)
{
	char pct[PCT_MAX];

	fputs("opd,asn,issued,redeemed,unspent,met_minimum,compliance_pct\n", f);
	for (size_t i = 0; i < t->nopd; i++) {
		const opd_sum *o = &t->opd[i];

		opd_pct(o, pct);
		csvw_str(f, o->opd, ',');
		csvw_num(f, (int64_t)o->n, ',');
		csvw_num(f, o->issued, ',');
		csvw_num(f, o->redeemed, ',');
		csvw_num(f, o->unspent, ',');
		csvw_num(f, (int64_t)o->met, ',');
		csvw_str(f, pct, '\n');
	}
}

static int site_cmp_r(const void *a, const void *b, void *ctx)
{
	const site *s = ctx, *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	int c = strcmp(x->merchant, y->merchant);

	return c ? c : strcmp(x->gallery, y->gallery);
}

static int site_by_gallery_r(const void *a, const void *b, void *ctx)
{
	const site *s = ctx, *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	int c = strcmp(x->gallery, y->gallery);

	return c ? c : strcmp(x->merchant, y->merchant);
}

static void write_settlement(const recon *r, const uint32_t *by_merchant, FILE *f)
{
	fputs("merchant,gallery,redemptions,voids,amount\n", f);
	for (size_t i = 0; i < r->sites.n; i++) {
		const site *s = &r->site[by_merchant[i]];

		/* A site seen only in unknown-serial or refused entries owes nothing. */
		if (!s->redemptions && !s->voids)
			continue;
		csvw_str(f, s->merchant, ',');
		csvw_str(f, s->gallery, ',');
		csvw_num(f, (int64_t)s->redemptions, ',');
		csvw_num(f, (int64_t)s->voids, ',');
		csvw_num(f, s->amount, '\n');
	}
}

static void write_refunds(const recon *r, FILE *f)
{
	fputs("nip,name,opd,amount\n", f);
	for (size_t k = 0; k < r->ne; k++) {
		const ent *e = &r->e[r->order[k]];

		if (e->unspent <= 0)
			continue;
		csvw_str(f, e->nip, ',');
		csvw_str(f, e->name, ',');
		csvw_str(f, e->opd, ',');
		csvw_num(f, e->unspent, '\n');
	}
}

static void write_anomalies(const recon *r, FILE *f)
{
	char sr[VOUCHER_SERIAL_LEN + 1];

	fputs("kind,serial,detail\n", f);
	for (size_t i = 0; i < r->nan; i++) {
		voucher_serial_format(r->an[i].serial, sr);
		csvw_str(f, an_name[r->an[i].kind], ',');
		csvw_str(f, sr, ',');
		csvw_str(f, r->an[i].detail, '\n');
	}
}

/* ---- report.html ---- */

static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* At most max bytes of s, cut on a UTF-8 boundary, with an ellipsis if cut. */
static void html_short(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t n = strlen(s);

	if (n <= max || max >= sizeof buf) {
		html(f, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	memcpy(buf, s, max);
	buf[max] = '\0';
	html(f, buf);
	fputs("\xE2\x80\xA6", f);
}

static void html_money(FILE *f, int64_t v)
{
	char m[MONEY_FMT_MAX];

	html(f, rp(v, m));
}

static void html_totals(const recon *r, const totals *t, FILE *f)
{
	fputs("<h2>Ringkasan</h2>\n<table class=\"totals\">\n", f);
	fprintf(f, "<tr><th>Jumlah voucher</th><td>%zu</td></tr>\n", r->nv);
	fprintf(f, "<tr><th>Jumlah ASN</th><td>%zu</td></tr>\n", r->ne);
	fputs("<tr><th>Total diterbitkan</th><td>", f);
	html_money(f, t->issued);
	fputs("</td></tr>\n<tr><th>Total ditukarkan</th><td>", f);
	html_money(f, t->redeemed);
	fputs("</td></tr>\n<tr><th>Tidak terpakai</th><td>", f);
	html_money(f, t->unspent);
	fputs("</td></tr>\n<tr><th>Dibayarkan ke pedagang</th><td>", f);
	html_money(f, t->settled);
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>",
	        r->info.refund ? "Dikembalikan ke TPP bulan berikutnya"
	                       : "Hangus (tidak dikembalikan)");
	html_money(f, t->refund);
	fprintf(f,
	        "</td></tr>\n<tr><th>ASN memenuhi minimum</th><td>%" PRIu64 " dari %zu</td></tr>\n",
	        t->met, r->ne);
	fprintf(f,
	        "<tr><th>Entri jurnal</th><td>%zu (%" PRIu64
	        " duplikat dihitung sekali)</td></tr>\n",
	        r->nen, r->dups);
	fprintf(f, "<tr><th>Tanda terima</th><td>%s</td></tr>\n",
	        r->kr ? "diperiksa dengan keyring" : "tidak diperiksa (tanpa --keyring)");
	fprintf(f, "<tr><th>Pemeriksaan saldo</th><td class=\"%s\">%s</td></tr>\n</table>\n",
	        t->ok ? "ok" : "fail", t->ok ? "Seimbang" : "TIDAK SEIMBANG");
}

static void html_opd(const totals *t, FILE *f)
{
	const int label = 300, bar = 380, row = 24;
	char pct[PCT_MAX];

	fputs("<h2>Kepatuhan per OPD</h2>\n", f);
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Kepatuhan per OPD\" width=\"%d\" height=\"%zu\" "
	        "viewBox=\"0 0 %d %zu\">\n",
	        label + bar + 70, t->nopd * row + 8, label + bar + 70, t->nopd * row + 8);
	for (size_t i = 0; i < t->nopd; i++) {
		const opd_sum *o = &t->opd[i];
		uint64_t tenths = o->n ? (o->met * 2000 + o->n) / (2 * o->n) : 0;
		size_t y = i * row + 4;

		opd_pct(o, pct);
		fputs("<g><title>", f);
		html(f, o->opd);
		fprintf(f, ": %s%%</title>", pct);
		fprintf(f, "<text x=\"0\" y=\"%zu\" class=\"lbl\">", y + 16);
		html_short(f, o->opd, 44);
		fprintf(f,
		        "</text><rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"18\" class=\"bg\"/>",
		        label, y + 2, bar);
		fprintf(f,
		        "<rect x=\"%d\" y=\"%zu\" width=\"%" PRIu64
		        "\" height=\"18\" class=\"bar\"/>",
		        label, y + 2, (uint64_t)bar * tenths / 1000);
		fprintf(f, "<text x=\"%d\" y=\"%zu\" class=\"val\">%s%%</text></g>\n",
		        label + bar + 6, y + 16, pct);
	}
	fputs("</svg>\n<table>\n<tr><th>OPD</th><th>ASN</th><th>Diterbitkan</th><th>Ditukarkan</th>"
	      "<th>Tidak terpakai</th><th>Memenuhi minimum</th><th>Kepatuhan</th></tr>\n",
	      f);
	for (size_t i = 0; i < t->nopd; i++) {
		const opd_sum *o = &t->opd[i];

		opd_pct(o, pct);
		fputs("<tr><td>", f);
		html(f, o->opd);
		fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">", o->n);
		html_money(f, o->issued);
		fputs("</td><td class=\"n\">", f);
		html_money(f, o->redeemed);
		fputs("</td><td class=\"n\">", f);
		html_money(f, o->unspent);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s%%</td></tr>\n",
		        o->met, pct);
	}
	fputs("</table>\n", f);
}

static void html_sites(const recon *r, const uint32_t *by_gallery, FILE *f)
{
	const int label = 300, bar = 380, row = 22;
	size_t shown = 0;
	int64_t max = 1;

	fputs("<h2>Penukaran per galeri dan pedagang</h2>\n", f);
	for (size_t i = 0; i < r->sites.n; i++) {
		const site *s = &r->site[by_gallery[i]];
		if (!s->redemptions && !s->voids)
			continue;
		if (s->amount > max)
			max = s->amount;
		shown++;
	}
	if (shown > CHART_SITES)
		shown = CHART_SITES;
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Penukaran per galeri dan pedagang\" width=\"%d\" "
	        "height=\"%zu\" viewBox=\"0 0 %d %zu\">\n",
	        label + bar + 110, shown * row + 8, label + bar + 110, shown * row + 8);
	for (size_t i = 0, k = 0; i < r->sites.n && k < shown; i++) {
		const site *s = &r->site[by_gallery[i]];
		size_t y = k * row + 4;
		int64_t w =
		    s->amount > 0 ? (int64_t)((double)bar * (double)s->amount / (double)max) : 0;

		if (!s->redemptions && !s->voids)
			continue;
		k++;
		fputs("<g><title>", f);
		html(f, s->gallery);
		fputs(" / ", f);
		html(f, s->merchant);
		fputs(": ", f);
		html_money(f, s->amount);
		fprintf(f, "</title><text x=\"0\" y=\"%zu\" class=\"lbl\">", y + 15);
		html(f, s->gallery);
		fputs(" / ", f);
		html(f, s->merchant);
		fprintf(f,
		        "</text><rect x=\"%d\" y=\"%zu\" width=\"%" PRId64
		        "\" height=\"16\" class=\"bar\"/>",
		        label, y + 2, w);
		fprintf(f, "<text x=\"%" PRId64 "\" y=\"%zu\" class=\"val\">", label + w + 6,
		        y + 15);
		html_money(f, s->amount);
		fputs("</text></g>\n", f);
	}
	fputs("</svg>\n<table>\n<tr><th>Galeri</th><th>Pedagang</th><th>Penukaran</th>"
	      "<th>Pembatalan</th><th>Jumlah dibayar</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->sites.n; i++) {
		const site *s = &r->site[by_gallery[i]];

		if (!s->redemptions && !s->voids)
			continue;
		fputs("<tr><td>", f);
		html(f, s->gallery);
		fputs("</td><td>", f);
		html(f, s->merchant);
		fprintf(f,
		        "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
		        "</td><td class=\"n\">",
		        s->redemptions, s->voids);
		html_money(f, s->amount);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_days(const recon *r, FILE *f)
{
	const int height = 160, width = 760, base = 180;
	int col = width / (r->ndays > 0 ? r->ndays : 1);
	int64_t max = 1;

	if (col < 4)
		col = 4;
	fprintf(f, "<h2>Penukaran per hari</h2>\n<p>Menurut tanggal setempat (%s, %s).</p>\n",
	        r->tz->name, r->tz->abbr);
	for (int d = 0; d < r->ndays; d++)
		if (r->days[d].amount > max)
			max = r->days[d].amount;
	fprintf(f,
	        "<svg role=\"img\" aria-label=\"Penukaran per hari\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\">\n",
	        col * r->ndays + 10, base + 20, col * r->ndays + 10, base + 20);
	for (int d = 0; d < r->ndays; d++) {
		date dt = date_from_days(r->first_day + d);
		int64_t h =
		    r->days[d].amount > 0
		        ? (int64_t)((double)height * (double)r->days[d].amount / (double)max)
		        : 0;
		char when[24], m[MONEY_FMT_MAX];

		date_format_id(dt, when, sizeof when);
		fprintf(f,
		        "<g><title>%s: %" PRIu64 " penukaran, %s</title><rect x=\"%d\" y=\"%" PRId64
		        "\" width=\"%d\" height=\"%" PRId64 "\" class=\"bar\"/>",
		        when, r->days[d].count, rp(r->days[d].amount, m), d * col + 1, base - h,
		        col - 2, h);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"day\">%d</text></g>\n",
		        d * col + col / 2, base + 14, dt.day);
	}
	fputs("</svg>\n", f);
	if (r->off_days)
		fprintf(f,
		        "<p>%" PRIu64 " penukaran di luar tanggal periode (lihat Anomali).</p>\n",
		        r->off_days);
}

static void html_anomalies(const recon *r, FILE *f)
{
	char sr[VOUCHER_SERIAL_LEN + 1];
	size_t n = r->nan < HTML_ANOMALIES ? r->nan : HTML_ANOMALIES;

	fputs("<h2>Anomali</h2>\n", f);
	if (!r->nan) {
		fputs("<p>Tidak ada anomali.</p>\n", f);
		return;
	}
	fputs("<ul>\n", f);
	for (int k = 0; k < AN__COUNT; k++)
		if (r->count[k])
			fprintf(f, "<li><code>%s</code>: %zu</li>\n", an_name[k], r->count[k]);
	fputs("</ul>\n<table>\n<tr><th>Jenis</th><th>Serial</th><th>Keterangan</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		voucher_serial_format(r->an[i].serial, sr);
		fprintf(f, "<tr><td><code>%s</code></td><td><code>%s</code></td><td>",
		        an_name[r->an[i].kind], sr);
		html(f, r->an[i].detail);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (n < r->nan)
		fprintf(f, "<p>%zu anomali lainnya ada di anomalies.csv.</p>\n", r->nan - n);
}

static void write_report(const recon *r, const totals *t, const uint32_t *by_gallery, FILE *f)
{
	fprintf(f,
	        "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<title>Rekonsiliasi Voucher UMKM %s %d</title>\n<style>\n"
	        "body{font-family:sans-serif;margin:2em;color:#222}\n"
	        "table{border-collapse:collapse;margin:1em 0}\n"
	        "th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}\n"
	        "td.n{text-align:right}\n.ok{color:#060;font-weight:bold}\n"
	        ".fail{color:#b00;font-weight:bold}\n"
	        "svg text{font-size:12px;font-family:sans-serif}\n"
	        ".bar{fill:#2a7ab0}\n.bg{fill:#e6e6e6}\n.day{text-anchor:middle;font-size:9px}\n"
	        "</style>\n</head>\n<body>\n<h1>Rekonsiliasi Voucher UMKM</h1>\n"
	        "<p>Periode %s %d (%s). Kebijakan sisa: %s.</p>\n",
	        month_name_id(r->o->per.month), r->o->per.year, month_name_id(r->o->per.month),
	        r->o->per.year, r->pertext, r->info.refund ? "dikembalikan" : "hangus");
	html_totals(r, t, f);
	html_opd(t, f);
	html_sites(r, by_gallery, f);
	html_days(r, f);
	html_anomalies(r, f);
	fputs("</body>\n</html>\n", f);
}

/* mkdir -p, the last level 0700. */
static bool make_dir(const char *path)
{
	char *p = strdup(path);
	struct stat st;
	bool ok = p != NULL;

	for (char *s = p ? p + 1 : NULL; ok && s && *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			ok = false;
		*s = '/';
	}
	if (ok && mkdir(path, 0700) != 0 && errno != EEXIST)
		ok = false;
	free(p);
	return ok && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

typedef void (*writer_fn)(const recon *r, const totals *t, const uint32_t *idx, FILE *f);

static void w_per_asn(const recon *r, const totals *t, const uint32_t *idx, FILE *f)
{
	(void)t, (void)idx;
	write_per_asn(r, f);
}

static void w_per_opd(const recon *r, const totals *t, const uint32_t *idx, FILE *f)
{
	(void)r, (void)idx;
	write_per_opd(t, f);
}

static void w_settlement(const recon *r, const totals *t, const uint32_t *idx, FILE *f)
{
	(void)t;
	write_settlement(r, idx, f);
}

static void w_refunds(const recon *r, const totals *t, const uint32_t *idx, FILE *f)
{
	(void)t, (void)idx;
	write_refunds(r, f);
}

static void w_anomalies(const recon *r, const totals *t, const uint32_t *idx, FILE *f)
{
	(void)t, (void)idx;
	write_anomalies(r, f);
}

static void w_report(const recon *r, const totals *t, const uint32_t *idx, FILE *f)
{
	write_report(r, t, idx, f);
}

/* Build one output in memory and replace out/name with it atomically. */
static bool write_output(const recon *r, const totals *t, const uint32_t *idx, const char *name,
                         writer_fn fn)
{
	char *path = NULL, *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok = false;
	err e;

	if (!f || asprintf(&path, "%s/%s", r->o->out, name) < 0) {
		path = NULL;
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}
	fn(r, t, idx, f);
	if (fclose(f) != 0) {
		f = NULL;
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}
	f = NULL;
	if ((e = file_write_atomic(path, buf, len, 0600)) != ERR_OK) {
		fprintf(stderr, "%s: cannot write: %s\n", path, err_str(e));
		goto cleanup;
	}
	ok = true;
cleanup:
	if (f)
		fclose(f);
	free(buf);
	free(path);
	return ok;
}

static bool write_outputs(const recon *r, const totals *t)
{
	uint32_t *by_merchant = malloc((r->sites.n + 1) * sizeof *by_merchant),
	         *by_gallery = malloc((r->sites.n + 1) * sizeof *by_gallery);
	char *stale = NULL;
	bool ok = false;

	if (!by_merchant || !by_gallery) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}
	for (size_t i = 0; i < r->sites.n; i++)
		by_merchant[i] = by_gallery[i] = (uint32_t)i;
	qsort_r(by_merchant, r->sites.n, sizeof *by_merchant, site_cmp_r, r->site);
	qsort_r(by_gallery, r->sites.n, sizeof *by_gallery, site_by_gallery_r, r->site);
	if (!make_dir(r->o->out)) {
		fprintf(stderr, "%s: cannot create the output directory: %s\n", r->o->out,
		        strerror(errno));
		goto cleanup;
	}
	if (!write_output(r, t, NULL, "per_asn.csv", w_per_asn) ||
	    !write_output(r, t, NULL, "per_opd.csv", w_per_opd) ||
	    !write_output(r, t, by_merchant, "settlement.csv", w_settlement) ||
	    !write_output(r, t, NULL, "anomalies.csv", w_anomalies) ||
	    !write_output(r, t, by_gallery, "report.html", w_report))
		goto cleanup;
	if (r->info.refund) {
		if (!write_output(r, t, NULL, "refunds.csv", w_refunds))
			goto cleanup;
	} else {
		/* A refund list from an earlier run of another policy must not linger. */
		if (asprintf(&stale, "%s/refunds.csv", r->o->out) < 0) {
			stale = NULL;
			goto cleanup;
		}
		if (unlink(stale) != 0 && errno != ENOENT) {
			fprintf(stderr, "%s: cannot remove: %s\n", stale, strerror(errno));
			goto cleanup;
		}
	}
	ok = true;
cleanup:
	free(stale);
	free(by_merchant);
	free(by_gallery);
	return ok;
}

/* ---- the summary ---- */

static void print_summary(const recon *r, const totals *t)
{
	char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX], c[MONEY_FMT_MAX];
	size_t nan = 0;

	printf("reconcile %s (%s): %zu vouchers, %zu entitlements\n", r->pertext, r->tz->name,
	       r->nv, r->ne);
	printf("journals: %zu files, %" PRIu64 " lines, %zu entries (%" PRIu64
	       " duplicates counted once)\n",
	       r->o->njournals, r->lines, r->nen, r->dups);
	if (r->kr)
		printf("receipts: %" PRIu64 " checked against %s, %zu bad\n", r->receipts_checked,
		       r->o->keyring, r->count[AN_BAD_RECEIPT]);
	else
		printf("receipts: NOT checked (no --keyring)\n");
	printf("issued:     %s\n", rp(t->issued, a));
	printf("redeemed:   %s\n", rp(t->redeemed, a));
	printf("unspent:    %s\n", rp(t->unspent, a));
	printf("settlement: %s to %zu merchant-gallery pairs\n", rp(t->settled, a), r->sites.n);
	printf("%s %s (unspent = %s)\n",
	       r->info.refund ? "refund:    " : "forfeit:   ", rp(t->refund, a),
	       r->info.refund ? "refund" : "forfeit");
	printf("met minimum: %" PRIu64 " of %zu\n", t->met, r->ne);
	for (int k = 0; k < AN__COUNT; k++)
		nan += r->count[k];
	if (!nan) {
		printf("anomalies: none\n");
	} else {
		printf("anomalies: %zu\n", nan);
		for (int k = 0; k < AN__COUNT; k++)
			if (r->count[k])
				printf("  %-26s %zu\n", an_name[k], r->count[k]);
	}
	printf("balance: issued %s = redeemed %s + unspent %s: %s\n", rp(t->issued, a),
	       rp(t->redeemed, b), rp(t->unspent, c),
	       balances(t->issued, t->redeemed, t->unspent) ? "OK" : "FAILED");
	printf("balance per ASN (%zu) and per OPD (%zu): %s\n", r->ne, t->nopd,
	       t->ok ? "OK" : "FAILED");
	printf("settlement: %s = redeemed %s: %s\n", rp(t->settled, a), rp(t->redeemed, b),
	       t->settled == t->redeemed ? "OK" : "FAILED");
}

/* ---- the run ---- */

static void recon_free(recon *r)
{
	vpool_stop(&r->pool);
	for (size_t i = 0; i < r->nv; i++)
		free(r->v[i].text);
	free(r->v);
	free(r->skey);
	free(r->sval);
	free(r->e);
	free(r->order);
	free(r->en);
	free(r->eslot);
	strtab_free(&r->pfx);
	strtab_free(&r->sites);
	free(r->site);
	for (size_t i = 0; i < r->nan; i++)
		free(r->an[i].detail);
	free(r->an);
	keyring_free(r->kr);
	free(r->batch[0]);
	free(r->batch[1]);
	free(r->ents[0]);
	free(r->ents[1]);
	EVP_MD_CTX_free(r->md);
	EVP_MD_free(r->sha);
	free(r->days);
	free(r->chunk);
	if (r->l)
		ledger_close(r->l);
}

static int start(recon *r)
{
	const reconcile_opts *o = r->o;
	char why[512];
	long ncpu;
	err e;

	if (!(r->md = EVP_MD_CTX_new()) || !(r->sha = EVP_MD_fetch(NULL, "SHA256", NULL)) ||
	    !(r->chunk = malloc(CHUNK))) {
		fprintf(stderr, "reconcile: out of memory or no SHA-256\n");
		return 1;
	}
	if (!o->keyring)
		return 0;
	if ((e = keyring_load(o->keyring, &r->kr, why, sizeof why)) != ERR_OK) {
		if (e == ERR_INVALID)
			fprintf(stderr, "%s\n", why);
		else
			fprintf(stderr, "%s: cannot load the keyring: %s\n", o->keyring,
			        err_str(e));
		return 1;
	}
	if (!(r->batch[0] = malloc(BATCH * sizeof(rjob))) ||
	    !(r->batch[1] = malloc(BATCH * sizeof(rjob))) ||
	    !(r->ents[0] = malloc(BATCH_ENTRIES * sizeof(uint32_t))) ||
	    !(r->ents[1] = malloc(BATCH_ENTRIES * sizeof(uint32_t)))) {
		fprintf(stderr, "reconcile: out of memory\n");
		return 1;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (vpool_start(&r->pool, o->threads > 0 ? o->threads
	                          : ncpu > 0     ? (int)ncpu
	                                         : 1) != ERR_OK) {
		fprintf(stderr, "reconcile: cannot start the verifying threads\n");
		return 1;
	}
	return 0;
}

int reconcile_run(const reconcile_opts *o)
{
	recon r = {.o = o, .last_site = NONE, .last_pfx = NONE};
	totals t = {0};
	bool refused = false;
	int rc = 1;

	period_format(o->per, r.pertext, sizeof r.pertext);
	if (!o->ledger || !o->out || !o->journals || o->njournals == 0 ||
	    o->njournals > UINT32_MAX) {
		fprintf(stderr,
		        "reconcile: a ledger, journals and an output directory are needed\n");
		goto cleanup;
	}
	if (start(&r) != 0 || load_ledger(&r) != 0)
		goto cleanup;

	/*
	 * Room for the entries at once (a redeem line with its receipt is
	 * about 600 bytes, a void 200), so the table is seldom rebuilt as it
	 * fills; only a hint, and a table larger than needed costs time too.
	 */
	{
		size_t bytes = 0;
		struct stat st;

		for (size_t i = 0; i < o->njournals; i++)
			if (stat(o->journals[i], &st) == 0 && st.st_size > 0)
				bytes += (size_t)st.st_size;
		if (grow_entries(&r, bytes / 512 < NONE / 4 ? bytes / 512 : NONE / 4) != ERR_OK) {
			fprintf(stderr, "reconcile: out of memory\n");
			goto cleanup;
		}
	}

	/* Every journal is read, so every refused one is named, before anything is written. */
	for (size_t i = 0; i < o->njournals && r.fatal == ERR_OK; i++)
		if (!read_journal(&r, (uint32_t)i))
			refused = true;
	if (r.kr) {
		flush_batch(&r);
		flush_batch(&r);
	}
	if (r.fatal != ERR_OK) {
		fprintf(stderr, "reconcile: %s\n", err_str(r.fatal));
		goto cleanup;
	}
	if (refused) {
		fprintf(stderr, "reconcile: refused, nothing written\n");
		goto cleanup;
	}

	settle(&r);
	if (r.fatal != ERR_OK) {
		fprintf(stderr, "reconcile: %s\n", err_str(r.fatal));
		goto cleanup;
	}
	if (r.nan)
		qsort(r.an, r.nan, sizeof *r.an, anomaly_cmp);
	if (check_balances(&r, &t) != ERR_OK) {
		fprintf(stderr, "reconcile: out of memory\n");
		goto cleanup;
	}
	if (t.settled != t.redeemed)
		t.ok = false;
	if (!balances(t.issued, t.redeemed, t.unspent))
		t.ok = false;
	if (!write_outputs(&r, &t))
		goto cleanup;
	print_summary(&r, &t);
	printf("written to %s\n", o->out);
	rc = t.ok ? 0 : 1;
cleanup:
	fflush(stdout);
	free(t.opd);
	recon_free(&r);
	return rc;
}
