/*
 * Unit tests of the store's journal and receipts: the export and its
 * chain, receipts signed a tree per commit, tampering, reopening.
 */
#include "store_fixture.h"

#include "bytes.h"
#include "receipt.h"

/* ---- the export, read back ---- */

static void sha256_hex(const char *s, size_t n, char out[65])
{
	uint8_t md[32];

	EVP_Digest(s, n, md, NULL, EVP_sha256(), NULL);
	hex_encode(md, sizeof md, out);
}

static char *export_text(struct fixture *f, const char *per)
{
	FILE *tmp = tmpfile();
	long n;
	char *s;
	period p;

	assert_non_null(tmp);
	assert_int_equal(period_parse(per, &p), ERR_OK);
	assert_int_equal(store_export(f->s, p, NOW + 100, tmp), ERR_OK);
	n = ftell(tmp);
	s = malloc((size_t)n + 1);
	rewind(tmp);
	assert_int_equal(fread(s, 1, (size_t)n, tmp), (size_t)n);
	s[n] = '\0';
	fclose(tmp);
	return s;
}

#define HEADER                                                                                     \
	"seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,terminal,"    \
	"receipt,prev_hash,hash\n"

/* A verifier of the receipt key of keyline (the store's). */
static sig_verifier *keyline_verifier(const char *keyline)
{
	char trimmed[256];
	const char *what;
	key_entry e;
	sig_verifier *ver = NULL;

	snprintf(trimmed, sizeof trimmed, "%.*s", (int)strlen(keyline) - 1, keyline);
	assert_int_equal(keyring_parse_line(trimmed, &e, &what), ERR_OK);
	assert_int_equal(sig_verifier_new(e.pub, &ver), ERR_OK);
	return ver;
}

/* The export without its head line (signed at the time of each export). */
static char *without_head(char *text)
{
	char *last = text + strlen(text) - 1;

	while (last > text && last[-1] != '\n')
		last--;
	assert_non_null(strstr(last, ",head,"));
	*last = '\0';
	return text;
}

/*
 * Check the export's lines and hash chain with the journal's one reader
 * (common/journal.c, itself checked against docs/FORMAT.md's vectors), and
 * its head, last, against them and (with keyline) the receipt key; returns
 * the number of entries. Fills kinds with the kind column's first letters
 * and receipts[i] (if not NULL) with a copy of each receipt.
 */
static int check_chain(const char *text, const char *per, char *kinds, char **receipts,
                       const char *keyline)
{
	journal_chain chain;
	const char *line;
	int seq = 0;
	int64_t redeemed = 0, voided = 0;
	bool seen_head = false;

	assert_memory_equal(text, HEADER, strlen(HEADER));
	assert_int_equal(journal_chain_init(&chain), ERR_OK);
	for (line = text + strlen(HEADER); *line;) {
		const char *nl = strchr(line, '\n'), *c = line, *fp[JOURNAL_FIELDS], *why;
		char f[JOURNAL_FIELDS][RECEIPT_MAX + 1], pertext[8];
		size_t len[JOURNAL_FIELDS];
		uint8_t md[32];
		journal_entry e;
		int nf = 0;

		assert_non_null(nl);
		for (const char *start = c; c <= nl; c++) {
			if (c < nl && *c != ',')
				continue;
			assert_true(nf < JOURNAL_FIELDS);
			len[nf] = (size_t)(c - start);
			memcpy(f[nf], start, len[nf]);
			f[nf][len[nf]] = '\0';
			fp[nf] = f[nf];
			nf++;
			start = c + 1;
		}
		assert_int_equal(nf, JOURNAL_FIELDS);
		assert_false(seen_head); /* the head is the last line */
		if (!journal_parse(fp, len, &e, &why))
			fail_msg("entry %d: %s", seq + 1, why);
		if (e.kind == JOURNAL_HEAD) {
			journal_head h;
			size_t body;
			assert_true(
			    journal_head_parse(f[J_RECEIPT], len[J_RECEIPT], &h, &body, &why));
			assert_int_equal(h.first, 1);
			assert_int_equal(h.count, seq);
			assert_int_equal(h.last, seq);
			assert_string_equal(h.last_hash, chain.hash);
			assert_int_equal(h.redeemed, redeemed);
			assert_int_equal(h.voided, voided);
			assert_int_equal(h.time, NOW + 100);
			if (keyline) {
				sig_verifier *v = keyline_verifier(keyline);
				assert_true(journal_head_verify(v, f[J_RECEIPT], len[J_RECEIPT]));
				f[J_RECEIPT][len[J_RECEIPT] - 2] ^=
				    1; /* one bit of its signature */
				assert_false(journal_head_verify(v, f[J_RECEIPT], len[J_RECEIPT]));
				sig_verifier_free(v);
			}
			seen_head = true;
			line = nl + 1;
			continue;
		}
		seq++;
		if (e.kind == JOURNAL_REDEEM)
			redeemed += e.amount;
		else
			voided += e.amount;
		assert_int_equal(e.seq, seq);
		period_format(e.per, pertext, sizeof pertext);
		assert_string_equal(pertext, per);
		if (journal_chain_check(&chain, fp, len, e.seq, md) != 0)
			fail_msg("entry %d: the chain breaks", seq);
		kinds[seq - 1] = f[J_KIND][0];
		if (receipts)
			receipts[seq - 1] = strdup(f[J_RECEIPT]);
		line = nl + 1;
	}
	kinds[seq] = '\0';
	journal_chain_free(&chain);
	assert_true(seen_head);
	return seq;
}

/* ---- journal export and receipts ---- */

/* receipt verifies with the key of the store's keyline (common/receipt.c,
 * itself checked against docs/FORMAT.md's vectors). */
static bool receipt_ok(const char *keyline, const char *receipt)
{
	sig_verifier *ver = keyline_verifier(keyline);
	bool ok = receipt_verify(ver, receipt, strlen(receipt));

	sig_verifier_free(ver);
	return ok;
}

/* The signature at the end of a receipt. */
static const char *receipt_sig(const char *receipt)
{
	return strrchr(receipt, '|') + 1;
}

static void export_chain_receipts(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x00000000000ABCDEULL, 100000, true, 2026, 11);
	voucher d = mkv(0x00000000000ABCDFULL, 60000, true, 2026, 12);
	op o[4] =
	    {
	        redeem(&f->t[0], &v, 15000, "e1", 1, NOW),
	        redeem(&f->t[1], &v, 25000, "e2", 2, NOW + 10),
	        redeem(&f->t[2], &v, 5000, "e3", 3, NOW + 20),
	        redeem(&f->t[0], &d, 60000, "e4", 4, NOW + 30),
	    },
	   x;
	char keyline[256], kinds[16], *text, *receipts[8] = {0}, kid[KEY_ID_MAX + 1], want[512],
	                                     ts[32];
	struct tm tm;
	time_t tt = NOW;

	run(f, o, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(o[i].rc, ERR_OK);
	x = void_op(&f->t[1], o[0].rid, NOW + 40);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);

	store_receipt_keyline(f->s, keyline, sizeof keyline);
	text = export_text(f, "2026-11");
	assert_int_equal(check_chain(text, "2026-11", kinds, receipts, keyline), 4);
	assert_string_equal(kinds, "rrrv");
	for (int i = 0; i < 3; i++)
		assert_string_equal(receipts[i], o[i].receipt);
	/* A void is signed too: its receipt, URV2, says what it gave back. */
	assert_string_equal(receipts[3], x.receipt);
	assert_true(receipt_ok(keyline, x.receipt));
	snprintf(want, sizeof want,
	         ",void,%s,00000000000ABCDE,2026-11,15000,70000,M1,G2,%u,URV2|%s|", o[0].rid,
	         f->t[1].id, o[0].rid);
	assert_non_null(strstr(text, want));
	free(text);
	for (int i = 0; i < 4; i++)
		free(receipts[i]);

	/* Redemptions are numbered from 1 in each period of vouchers. */
	snprintf(kid, sizeof kid, "%.*s", (int)strcspn(keyline, " "), keyline);
	for (int i = 0; i < 4; i++) {
		snprintf(want, sizeof want, "%s-%s-%d", kid, i < 3 ? "202611" : "202612",
		         i < 3 ? i + 1 : 1);
		assert_string_equal(o[i].rid, want);
	}

	/* December's journal is its own chain; a period without entries has a head too. */
	text = export_text(f, "2026-12");
	assert_int_equal(check_chain(text, "2026-12", kinds, NULL, keyline), 1);
	free(text);
	text = export_text(f, "2027-01");
	assert_int_equal(check_chain(text, "2027-01", kinds, NULL, keyline), 0);
	free(text);

	/* Receipts verify with the receipt key, and say what happened. */
	gmtime_r(&tt, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(want, sizeof want, "UR2|%s|00000000000ABCDE|15000|85000|M1|G1|%u|%s|%s|", o[0].rid,
	         f->t[0].id, ts, kid);
	assert_memory_equal(o[0].receipt, want, strlen(want));
	for (int i = 0; i < 4; i++)
		assert_true(receipt_ok(keyline, o[i].receipt));
	/* A changed amount does not. */
	{
		char forged[RECEIPT_MAX + 1], *amount;
		snprintf(forged, sizeof forged, "%s", o[0].receipt);
		amount = strstr(forged, "|15000|");
		assert_non_null(amount);
		memcpy(amount + 1, "95000", 5);
		assert_false(receipt_ok(keyline, forged));
	}
}

/*
 * Operations that reach the writer together are one transaction: more
 * redemptions than one receipt tree holds, and a replay and a void of
 * redemptions made earlier in the same batch. Every receipt verifies, the
 * receipts of a tree share its signature, and the journal keeps the order.
 */
static void one_batch_receipts(void **state)
{
	enum { N = 2 * RECEIPT_TREE_MAX + 3 };
	struct fixture *f = *state;
	struct waiter w = {f->base, N + 2, 0, 0};
	char keyline[256], rid5[RID_MAX + 1], kinds[N + 8], *text, *receipts[N + 8] = {0};
	uint8_t hash[32];
	store_stats st;
	voucher v[N];
	op o[N + 2], q;

	/* Queue everything before the writer starts: it takes one batch. */
	store_close(f->s);
	assert_int_equal(store_open(f->db, 0, &f->s), ERR_OK);
	for (int i = 0; i < N; i++) {
		char rq[16];
		v[i] = mkv(0x5000 + (uint64_t)i, 10000 + (uint32_t)i, true, 2026, 11);
		snprintf(rq, sizeof rq, "ob%d", i);
		o[i] = redeem(&f->t[i % 2], &v[i], 1000 + i, rq, (uint8_t)i, NOW);
	}
	o[N] = redeem(&f->t[1], &v[3], 1003, "ob3", 3, NOW); /* o[3] again */
	/* The sixth redemption of this new database is o[5]. */
	store_receipt_keyline(f->s, keyline, sizeof keyline);
	snprintf(rid5, sizeof rid5, "%.*s-202611-6", (int)strcspn(keyline, " "), keyline);
	o[N + 1] = void_op(&f->t[0], rid5, NOW + 1);
	for (int i = 0; i < N + 2; i++) {
		o[i].done = (task){on_done, &w, NULL};
		store_submit(f->s, &o[i]);
	}
	assert_int_equal(store_start(f->s, f->base), ERR_OK);
	wait_for(f, &w);
	store_get_stats(f->s, &st);
	assert_int_equal(st.batches, 1);
	assert_int_equal(st.ops, N + 2);

	for (int i = 0; i < N; i++) {
		/* The last tree: o[64..66] and the void, 4 leaves. */
		size_t steps = i < 2 * RECEIPT_TREE_MAX ? RECEIPT_DEPTH_MAX : 2;
		const char *sig = receipt_sig(o[i].receipt),
		           *path = memrchr(o[i].receipt, '|', (size_t)(sig - 1 - o[i].receipt));
		assert_int_equal(o[i].rc, ERR_OK);
		assert_false(o[i].replay);
		assert_true(receipt_ok(keyline, o[i].receipt));
		assert_int_equal(sig - 2 - path, steps * RECEIPT_STEP_LEN);
		/* One signature a tree: 32, 32 and 4 receipts. */
		assert_string_equal(
		    sig, receipt_sig(o[i / RECEIPT_TREE_MAX * RECEIPT_TREE_MAX].receipt));
	}
	assert_string_not_equal(receipt_sig(o[0].receipt),
	                        receipt_sig(o[RECEIPT_TREE_MAX].receipt));
	assert_string_not_equal(receipt_sig(o[RECEIPT_TREE_MAX].receipt),
	                        receipt_sig(o[N - 1].receipt));
	assert_string_equal(receipt_sig(o[N + 1].receipt), receipt_sig(o[N - 1].receipt));

	assert_string_equal(o[5].rid, rid5);
	assert_int_equal(o[N].rc, ERR_OK);
	assert_true(o[N].replay);
	assert_string_equal(o[N].rid, o[3].rid);
	assert_string_equal(o[N].receipt, o[3].receipt);
	assert_int_equal(o[N + 1].rc, ERR_OK);
	assert_false(o[N + 1].replay);
	assert_int_equal(o[N + 1].remaining, 10005);
	assert_int_equal(remaining(f, v[5].serial), 10005);

	text = export_text(f, "2026-11");
	assert_int_equal(check_chain(text, "2026-11", kinds, receipts, keyline), N + 1);
	for (int i = 0; i < N; i++) {
		assert_int_equal(kinds[i], 'r');
		assert_string_equal(receipts[i], o[i].receipt);
	}
	assert_int_equal(kinds[N], 'v');
	assert_string_equal(receipts[N], o[N + 1].receipt);
	assert_true(receipt_ok(keyline, o[N + 1].receipt));
	free(text);
	for (int i = 0; i < N + 1; i++)
		free(receipts[i]);

	/* After a restart the voided redemption still has its receipt. */
	store_close(f->s);
	start(f);
	memset(hash, 5, sizeof hash);
	memset(&q, 0, sizeof q);
	assert_int_equal(store_request_get(f->s, f->t[1].id, "ob5", hash, &q), ERR_OK);
	assert_string_equal(q.receipt, o[5].receipt);
}

/*
 * One batch writing to more periods than the writer holds heads of
 * (BATCH_HEADS), in turn: each period's journal is whole and chained, its
 * head's count and totals those of its lines (check_chain), and a later
 * batch goes on from it.
 */
static void one_batch_many_periods(void **state)
{
	enum { P = BATCH_HEADS + 2, N = 2 * P };
	struct fixture *f = *state;
	struct waiter w = {f->base, N, 0, 0};
	char keyline[256], kinds[8], per[8], *text;
	voucher v[N];
	op o[N], x;

	store_close(f->s);
	assert_int_equal(store_open(f->db, 0, &f->s), ERR_OK);
	for (int i = 0; i < N; i++) {
		char rq[16];
		v[i] = mkv(0x7000 + (uint64_t)i, 10000, true, 2026, 1 + i % P);
		snprintf(rq, sizeof rq, "mp%d", i);
		o[i] = redeem(&f->t[0], &v[i], 1000 + i, rq, (uint8_t)i, NOW);
		o[i].done = (task){on_done, &w, NULL};
		store_submit(f->s, &o[i]);
	}
	assert_int_equal(store_start(f->s, f->base), ERR_OK);
	wait_for(f, &w);
	for (int i = 0; i < N; i++)
		assert_int_equal(o[i].rc, ERR_OK);
	/* A batch of its own, after: the third entry of the first period. */
	x = redeem(&f->t[0], &v[0], 7, "mp-late", 99, NOW);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);

	store_receipt_keyline(f->s, keyline, sizeof keyline);
	for (int p = 0; p < P; p++) {
		snprintf(per, sizeof per, "2026-%02d", 1 + p);
		text = export_text(f, per);
		assert_int_equal(check_chain(text, per, kinds, NULL, keyline), p == 0 ? 3 : 2);
		free(text);
	}
}

/* Editing a journal line breaks the chain at that line. */
static void chain_detects_tampering(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000000F00ULL, 100000, true, 2026, 11);
	op o[3] = {
	    redeem(&f->t[0], &v, 1000, "t1", 1, NOW),
	    redeem(&f->t[0], &v, 2000, "t2", 2, NOW),
	    redeem(&f->t[0], &v, 3000, "t3", 3, NOW),
	};
	char *text, *p, kinds[8], prev[65], want[65], buf[1024];
	const char *line2, *nl;

	run(f, o, 3);
	text = export_text(f, "2026-11");
	assert_int_equal(check_chain(text, "2026-11", kinds, NULL, NULL), 3);
	/* Change the second entry's amount 2000 -> 9000 and recompute what a
	 * verifier would: the stored hash no longer matches. */
	line2 = strchr(strchr(text, '\n') + 1, '\n') + 1;
	nl = strchr(line2, '\n');
	p = strstr(line2, ",2000,");
	assert_true(p && p < nl);
	p[1] = '9';
	memcpy(prev, nl - 64 - 1 - 64, 64);
	prev[64] = '\0';
	snprintf(buf, sizeof buf, "%s,%.*s", prev, (int)(nl - 64 - 1 - 64 - 1 - line2), line2);
	sha256_hex(buf, strlen(buf), want);
	assert_memory_not_equal(nl - 64, want, 64);
	free(text);
}

/* ---- durability ---- */

static void survives_reopen(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000000D0DULL, 100000, true, 2026, 11);
	op o[2] = {redeem(&f->t[0], &v, 12000, "p1", 1, NOW),
	           redeem(&f->t[2], &v, 8000, "p2", 2, NOW)},
	   q, x;
	char *before, *after, kinds[8];
	uint8_t hash[32];
	terminal t;
	vstate st;

	run(f, o, 2);
	assert_int_equal(o[0].rc, ERR_OK);
	assert_int_equal(o[1].rc, ERR_OK);
	before = without_head(export_text(f, "2026-11"));

	store_close(f->s);
	f->s = NULL;
	start(f);

	assert_int_equal(store_voucher_get(f->s, v.serial, &st), ERR_OK);
	assert_int_equal(st.remaining, 80000);
	assert_int_equal(st.redemptions, 2);
	after = without_head(export_text(f, "2026-11"));
	assert_string_equal(after, before);
	free(after);
	memset(hash, 1, sizeof hash);
	memset(&q, 0, sizeof q);
	assert_int_equal(store_request_get(f->s, f->t[0].id, "p1", hash, &q), ERR_OK);
	assert_string_equal(q.rid, o[0].rid);
	assert_int_equal(store_terminal_auth(f->s, f->tok[2], TERMINAL_TOKEN_LEN, &t), ERR_OK);

	/* The writer carries on: a replay, a void and a new redemption, with
	 * new ids and the chain continued. */
	x = redeem(&f->t[0], &v, 12000, "p1", 1, NOW + 5);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	assert_true(x.replay);
	assert_string_equal(x.rid, o[0].rid);
	x = void_op(&f->t[2], o[1].rid, NOW + 5);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	assert_int_equal(x.remaining, 88000);
	x = redeem(&f->t[1], &v, 1000, "p3", 3, NOW + 6);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	assert_string_not_equal(x.rid, o[0].rid);
	assert_string_not_equal(x.rid, o[1].rid);
	assert_int_equal(x.remaining, 87000);
	after = export_text(f, "2026-11");
	assert_int_equal(check_chain(after, "2026-11", kinds, NULL, NULL), 4);
	assert_string_equal(kinds, "rrvr");
	assert_memory_equal(after, before, strlen(before));
	free(after);
	free(before);
}

/*
 * A period's head as an older version kept it (its seq and hash only, 73
 * bytes): its totals are counted from the journal, for the export's head
 * and for the next entry.
 */
static void reads_older_heads(void **state)
{
	struct fixture *f = *state;
	voucher v = mkv(0x0000000000000E0EULL, 100000, true, 2026, 11);
	op o[2] = {redeem(&f->t[0], &v, 12000, "h1", 1, NOW),
	           redeem(&f->t[1], &v, 3000, "h2", 2, NOW)},
	   x;
	char keyline[256], kinds[8], *text;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key = {12, "head:2026-11"}, val;
	uint8_t old[73];

	run(f, o, 2);
	x = void_op(&f->t[1], o[1].rid, NOW + 1);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	store_close(f->s);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->db, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &key, &val), 0);
	assert_true(val.mv_size > sizeof old);
	memcpy(old, val.mv_data, sizeof old);
	val = (MDB_val){sizeof old, old};
	assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	start(f);
	store_receipt_keyline(f->s, keyline, sizeof keyline);
	text = export_text(f, "2026-11");
	assert_int_equal(check_chain(text, "2026-11", kinds, NULL, keyline), 3); /* totals too */
	free(text);
	x = redeem(&f->t[0], &v, 1000, "h3", 3, NOW + 2);
	run1(f, &x);
	assert_int_equal(x.rc, ERR_OK);
	text = export_text(f, "2026-11");
	assert_int_equal(check_chain(text, "2026-11", kinds, NULL, keyline), 4);
	assert_string_equal(kinds, "rrvr");
	free(text);
}

/* Edit record key of table name in the closed database at dir: its byte
 * at offset xor 1, or the record deleted (offset < 0). */
static void edit_record(const char *dir, const char *name, MDB_val key, long offset)
{
	uint8_t buf[1024];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val val;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
	if (offset < 0) {
		assert_int_equal(mdb_del(txn, dbi, &key, NULL), 0);
	} else {
		assert_int_equal(mdb_get(txn, dbi, &key, &val), 0);
		assert_true(val.mv_size > (size_t)offset && val.mv_size <= sizeof buf);
		memcpy(buf, val.mv_data, val.mv_size);
		buf[offset] ^= 1;
		val.mv_data = buf;
		assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/*
 * The database's journal edited behind the store's back (an amount, a
 * tree's signature, an entry removed): the export, which rebuilds each
 * line and its receipt, finds that its chain no longer leads to the head
 * and refuses, rather than sign a head over other lines.
 */
static void export_refuses_edited_entry(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *table;
		uint64_t seq;
		long offset;
	} edits[] = {
	    {"journal", 2, offsetof(jrec, amount)},
	    {"journal", 1, offsetof(jrec, serial)},
	    {"trees", 3, offsetof(trec, sig) + 5},
	    {"journal", 3, -1},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *mf;

	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		/* each edit in a period of its own */
		period p = {2026, (uint8_t)(7 + i)};
		voucher v = mkv(0x0E1E + i, 100000, true, p.year, p.month);
		uint8_t jk[JKEY_LEN];
		char rq[3][16];
		op o[3];

		for (int k = 0; k < 3; k++) {
			snprintf(rq[k], sizeof rq[k], "e%zu-%d", i, k);
			o[k] = redeem(&f->t[k], &v, 1000, rq[k], (uint8_t)k, NOW);
		}
		run(f, o, 3); /* one tree of three */
		for (int k = 0; k < 3; k++)
			assert_int_equal(o[k].rc, ERR_OK);
		mf = open_memstream(&buf, &len);
		assert_int_equal(store_export(f->s, p, NOW, mf), ERR_OK); /* before */
		fclose(mf);
		free(buf);
		buf = NULL;
		store_close(f->s);
		f->s = NULL;
		edit_record(f->db, edits[i].table, journal_key(p, edits[i].seq, jk),
		            edits[i].offset);
		start(f);
		mf = open_memstream(&buf, &len);
		assert_non_null(mf);
		assert_int_equal(store_export(f->s, p, NOW, mf), ERR_DB);
		fclose(mf);
		free(buf);
		buf = NULL;
	}
}

/* An entry's bytes: a jrec of kind 1 and amount 1000, then m, g, rid. */
static size_t entry_bytes(uint8_t *buf, const char *m, size_t ml, const char *g, const char *rid)
{
	jrec j = {.version = JREC_VERSION,
	          .kind = JOURNAL_REDEEM,
	          .merchant_len = (uint8_t)ml,
	          .gallery_len = (uint8_t)strlen(g),
	          .terminal = 3,
	          .amount = 1000,
	          .remaining = 4000,
	          .serial = 0x1A2B,
	          .time = NOW};

	memcpy(buf, &j, sizeof j);
	memcpy(buf + sizeof j, m, ml);
	memcpy(buf + sizeof j + ml, g, strlen(g));
	memcpy(buf + sizeof j + ml + strlen(g), rid, strlen(rid));
	return sizeof j + ml + strlen(g) + strlen(rid);
}

/*
 * A stored entry is read only if it is what the writer writes: ids of id
 * characters (no NUL, no separator a line or a receipt would split at), a
 * redemption id, an amount, a known kind and version. fuzz_jentry found a
 * merchant holding NULs read as a shorter one.
 */
static void jentry_refuses_bad_values(void **state)
{
	uint8_t buf[256];
	MDB_val val = {0, buf};
	jentry e = {.seq = 1};

	(void)state;
	val.mv_size = entry_bytes(buf, "KOPI", 4, "G1", "R-7A1B2C3D-202611-1");
	assert_int_equal(jentry_parse(&val, &e), 0);
	assert_string_equal(e.merchant, "KOPI");
	assert_string_equal(e.gallery, "G1");
	assert_string_equal(e.rid, "R-7A1B2C3D-202611-1");
	assert_int_equal(e.amount, 1000);
	assert_null(e.line);
	val.mv_size = entry_bytes(buf, "KO\0I", 4, "G1", "R-7A1B2C3D-202611-1");
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = entry_bytes(buf, "\0\0\0 ", 4, "G1", "R-7A1B2C3D-202611-1");
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = entry_bytes(buf, "KO,I", 4, "G1", "R-7A1B2C3D-202611-1");
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = entry_bytes(buf, "KOPI", 4, "G|1", "R-7A1B2C3D-202611-1");
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = entry_bytes(buf, "KOPI", 4, "G1", "R-7A1B2C3D-2026-1");
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = entry_bytes(buf, "KOPI", 4, "G1", "");
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = entry_bytes(buf, "KOPI", 4, "G1", "R-7A1B2C3D-202611-1");
	buf[offsetof(jrec, kind)] = JOURNAL_HEAD;
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	buf[offsetof(jrec, kind)] = JOURNAL_REDEEM;
	buf[offsetof(jrec, version)] = 1;
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	buf[offsetof(jrec, version)] = JREC_VERSION;
	memset(buf + offsetof(jrec, amount), 0, 4);
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	/* a time no instant has: fuzz_jentry found instant_format overflowing on it */
	val.mv_size = entry_bytes(buf, "KOPI", 4, "G1", "R-7A1B2C3D-202611-1");
	memcpy(buf + offsetof(jrec, time), &(int64_t){INT64_MIN}, 8);
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	memcpy(buf + offsetof(jrec, time), &(int64_t){INSTANT_LAST + 1}, 8);
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
	val.mv_size = sizeof(jrec) - 1;
	assert_int_equal(jentry_parse(&val, &e), MDB_CORRUPTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(reads_older_heads, setup, teardown),
	    cmocka_unit_test_setup_teardown(export_chain_receipts, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_batch_receipts, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_batch_many_periods, setup, teardown),
	    cmocka_unit_test_setup_teardown(chain_detects_tampering, setup, teardown),
	    cmocka_unit_test_setup_teardown(survives_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(export_refuses_edited_entry, setup, teardown),
	    cmocka_unit_test(jentry_refuses_bad_values),
	};

	evthread_use_pthreads();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
