/*
 * The rule vectors of docs/FORMAT.md, checked in the document itself: for
 * the keyring, the revocation list, the journal line and the receipt, each
 * vector is a file or a line and what a reader must answer (accepted, or
 * refused, where and why). `test_vectors --print` makes the blocks afresh
 * from the cases below, signed with the document's seed key.
 *
 * A block holds, for each vector, a head line ("keyring ok: what",
 * "list refused at line 4 (invalid): what", "line refused (amount): what",
 * "receipt refused: what"), then its text, each line indented by two
 * spaces.
 */
#include "testutil.h"

#include "journal.h"
#include "keyring.h"
#include "receipt.h"
#include "revlist.h"
#include "sign/sign.h"
#include "sigtext.h"

#define DOC  "docs/FORMAT.md"
#define SEED "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PUB  "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RKEY "R-TEST0001 receipt - 2026-11-01 - " PUB

static sig_signer *seed_key(void)
{
	uint8_t seed[32];
	sig_signer *s;

	for (int i = 0; i < 32; i++)
		sscanf(SEED + 2 * i, "%2hhx", &seed[i]);
	assert_int_equal(sig_from_seed(seed, &s), ERR_OK);
	return s;
}

/* ---- reading a block ---- */

typedef struct vector {
	char head[256];
	char *text; /* its lines, unindented, each with its newline */
} vector;

/* The vectors of block name; *n of them. */
static vector *vectors_of(const char *name, size_t *n)
{
	char *doc = doc_block(DOC, name), *save = NULL;
	vector *v = calloc(64, sizeof *v);
	size_t k = 0;

	assert_non_null(v);
	*n = 0;
	for (char *l = strtok_r(doc, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] != ' ') {
			assert_true(*n < 64);
			snprintf(v[(*n)++].head, sizeof v->head, "%s", l);
			k = 0;
			continue;
		}
		assert_true(*n > 0 && l[1] == ' ');
		v[*n - 1].text = realloc(v[*n - 1].text, k + strlen(l) + 1);
		memcpy(v[*n - 1].text + k, l + 2, strlen(l + 2));
		k += strlen(l + 2);
		v[*n - 1].text[k++] = '\n';
		v[*n - 1].text[k] = '\0';
	}
	free(doc);
	return v;
}

static void vectors_free(vector *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

/* What a head expects: ok, or refused at a line (0: the file) with a code. */
typedef struct expect {
	bool ok;
	unsigned line;
	char code[32];
} expect;

static expect expect_of(const char *head)
{
	expect x = {0};
	const char *p = strchr(head, ' ');

	assert_non_null(p);
	p++;
	if (strncmp(p, "ok:", 3) == 0) {
		x.ok = true;
		return x;
	}
	assert_memory_equal(p, "refused", 7);
	p += 7;
	if (sscanf(p, " at line %u", &x.line) == 1)
		p = strchr(p + 9, ' ');
	if (p[0] == ' ' && p[1] == '(')
		assert_int_equal(sscanf(p + 2, "%31[^)]", x.code), 1);
	return x;
}

/* ---- the cases, for --print ---- */

struct text_case {
	const char *head, *text;
};

static const struct text_case keyrings[] = {
    {"keyring ok: one of each kind, blanks and tabs between fields, comments",
     "# KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY\n"
     "K1 issuer PROBOLINGGO 2026-11-01 - " PUB "\n"
     "K2\tissuer\t-\t2026-11-01\t2026-12-31\t" PUB "\n" RKEY "   # the redeemer's\n"},
    {"keyring ok: a key retired the day it was made",
     "K1 issuer PROBOLINGGO 2026-11-01 2026-11-01 " PUB "\n"},
    {"keyring refused at line 1: five fields", "K1 issuer PROBOLINGGO 2026-11-01 -\n"},
    {"keyring refused at line 1: another role", "K1 signer PROBOLINGGO 2026-11-01 - " PUB "\n"},
    {"keyring refused at line 1: a receipt key with an issuer",
     "R1 receipt PROBOLINGGO 2026-11-01 - " PUB "\n"},
    {"keyring refused at line 1: retired before it was made",
     "K1 issuer PROBOLINGGO 2026-11-01 2026-10-31 " PUB "\n"},
    {"keyring refused at line 1: no such date", "K1 issuer PROBOLINGGO 2026-02-30 - " PUB "\n"},
    {"keyring ok: the first and the last days a keyring may name",
     "K1 issuer PROBOLINGGO 1900-01-01 2199-12-31 " PUB "\n"},
    {"keyring refused at line 1: a year before 1900",
     "K1 issuer PROBOLINGGO 1899-12-31 - " PUB "\n"},
    {"keyring refused at line 1: a year after 2199",
     "K1 issuer PROBOLINGGO 2026-11-01 2200-01-01 " PUB "\n"},
    {"keyring refused at line 1: a key id of 33 characters",
     "K12345678901234567890123456789012 issuer PROBOLINGGO 2026-11-01 - " PUB "\n"},
    {"keyring refused at line 1: the public key without its padding",
     "K1 issuer PROBOLINGGO 2026-11-01 - 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo\n"},
    {"keyring refused at line 1: the public key's last character with a bit after the key's "
     "bytes (...HURo= is the one text of these 32 bytes)",
     "K1 issuer PROBOLINGGO 2026-11-01 - 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURp=\n"},
    {"keyring refused at line 2: one key id on two lines, another issuer",
     "K1 issuer PROBOLINGGO 2026-11-01 - " PUB "\nK1 issuer MALANG 2026-11-01 - " PUB "\n"},
    {"keyring refused at line 2: one key id on two lines, one bound and one not",
     "K1 issuer PROBOLINGGO 2026-11-01 - " PUB "\nK1 issuer - 2026-11-01 - " PUB "\n"},
    {"keyring refused at line 2: two key ids with one tag (4bc077a4)",
     "K13870 issuer PROBOLINGGO 2026-11-01 - " PUB "\nK58315 issuer PROBOLINGGO 2026-11-01 - " PUB
     "\n"},
    {"keyring ok: a comment runs to the end of its line, past a LINE SEPARATOR (U+2028)",
     "# K1 issuer \xe2\x80\xa8 K2 issuer\nK1 issuer PROBOLINGGO 2026-11-01 - " PUB "\n"},
    {"keyring refused at line 1: a no-break space (U+00A0) is not a blank, at the end of the line "
     "either",
     "K1 issuer PROBOLINGGO 2026-11-01 - " PUB "\xc2\xa0\n"},
    {"keyring refused at line 1: a byte order mark (U+FEFF) before the first field",
     "\xef\xbb\xbfK1 issuer PROBOLINGGO 2026-11-01 - " PUB "\n"},
    {"keyring refused: no key at all", "# KID ROLE ISSUER VALID_FROM RETIRED_AFTER PUBLIC_KEY\n"},
};

/* A list's body, signed with the seed (whatever its kid line says), then
 * changed after signing: from replaced by to, after appended. */
struct list_case {
	const char *head, *body;
	const char *from, *to, *after;
	bool raw; /* no signature line: the body is all */
};

#define LIST_HEAD "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K1\n"
#define LIST_TIME "time 2026-12-01T00:00:00Z\n"

static const struct list_case lists[] = {
    {"list ok: two serials",
     LIST_HEAD "version 2\n" LIST_TIME "revoked 0123456789ABCDEF\nrevoked 8BADF00DDEADBEEF\n"},
    {"list ok: nothing revoked", LIST_HEAD "version 0\n" LIST_TIME},
    {"list ok: the largest version", LIST_HEAD "version 18446744073709551615\n" LIST_TIME},
    {"list refused at line 1 (invalid): another domain tag",
     "UMKM-REVOCATIONS-v2\nissuer PROBOLINGGO\nkid K1\nversion 0\n" LIST_TIME},
    {"list refused at line 2 (invalid): the header lines out of order",
     "UMKM-REVOCATIONS-v1\nkid K1\nissuer PROBOLINGGO\nversion 0\n" LIST_TIME},
    {"list refused at line 4 (invalid): a leading zero in the version",
     LIST_HEAD "version 02\n" LIST_TIME "revoked 0123456789ABCDEF\nrevoked 8BADF00DDEADBEEF\n"},
    {"list refused at line 4 (invalid): a version above 2^64-1",
     LIST_HEAD "version 18446744073709551616\n" LIST_TIME},
    {"list refused at line 5 (invalid): no such instant",
     LIST_HEAD "version 0\ntime 2026-02-30T00:00:00Z\n"},
    {"list refused at line 6 (invalid): a serial in lower case",
     LIST_HEAD "version 1\n" LIST_TIME "revoked 0123456789abcdef\n"},
    {"list refused at line 7 (invalid): serials not strictly ascending",
     LIST_HEAD "version 2\n" LIST_TIME "revoked 8BADF00DDEADBEEF\nrevoked 0123456789ABCDEF\n"},
    {"list refused at line 7 (invalid): a serial twice",
     LIST_HEAD "version 2\n" LIST_TIME "revoked 0123456789ABCDEF\nrevoked 0123456789ABCDEF\n"},
    {"list refused at line 6 (invalid): a line of another kind",
     LIST_HEAD "version 0\n" LIST_TIME "note this is fine\n"},
    {"list refused at line 6 (invalid): no signature line", LIST_HEAD "version 0\n" LIST_TIME, NULL,
     NULL, NULL, true},
    {"list refused at line 3 (unknown_key): signed by a key id the keyring does not hold",
     "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K2\nversion 0\n" LIST_TIME},
    {"list refused at line 3 (unknown_key): a key of another issuer",
     "UMKM-REVOCATIONS-v1\nissuer MALANG\nkid K1\nversion 0\n" LIST_TIME},
    {"list refused at line 8 (bad_signature): a serial changed after signing",
     LIST_HEAD "version 2\n" LIST_TIME "revoked 0123456789ABCDEF\nrevoked 8BADF00DDEADBEEF\n",
     "revoked 8BADF00DDEADBEEF", "revoked 8BADF00DDEADBEF0"},
    {"list refused at line 8 (invalid): the signature's last character with bits after its "
     "bytes (...CA== is the one text of these 64 bytes)",
     LIST_HEAD "version 2\n" LIST_TIME "revoked 0123456789ABCDEF\nrevoked 8BADF00DDEADBEEF\n",
     "CA==\n", "CB==\n"},
    {"list refused at line 8 (invalid): a character after the signature's padding",
     LIST_HEAD "version 2\n" LIST_TIME "revoked 0123456789ABCDEF\nrevoked 8BADF00DDEADBEEF\n",
     "==\n", "=A\n"},
    {"list refused at line 2 (invalid): a bad issuer, in a list whose last line has no newline "
     "(no newline at the end)",
     "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO!\nkid K1\nversion 0\n" LIST_TIME, "==\n", "=="},
    {"list refused at line 6 (invalid): the signature line without its newline (no newline at the "
     "end)",
     LIST_HEAD "version 0\n" LIST_TIME, "==\n", "=="},
    {"list refused at line 6 (invalid): text after the signature",
     LIST_HEAD "version 0\n" LIST_TIME, NULL, NULL, "revoked FFFFFFFFFFFFFFFF\n"},
    {"list refused at line 5 (invalid): a time more than 300 s ahead of the reader's clock",
     LIST_HEAD "version 0\ntime 2026-12-15T05:05:01Z\n"},
    {"list ok: a time 300 s ahead of the reader's clock",
     LIST_HEAD "version 0\ntime 2026-12-15T05:05:00Z\n"},
    {"list refused at line 3 (unknown_key): K3, retired after 2026-11-30, signs on 2026-12-01",
     "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K3\nversion 0\n" LIST_TIME},
    {"list ok: K3 signs on its last day",
     "UMKM-REVOCATIONS-v1\nissuer PROBOLINGGO\nkid K3\nversion 0\n"
     "time 2026-11-30T23:59:59Z\n"},
    {"list ok: a compromised key, the serials of it that redeem",
     LIST_HEAD "version 1\n" LIST_TIME
               "revoked 0123456789ABCDEF\ncompromised K0 2026-11-30T08:00:00Z\ncompromised K9 "
               "2026-11-30T09:00:00Z\nallowed 0000000000000007\nallowed 8BADF00DDEADBEEF\n"},
    {"list refused at line 6 (invalid): allowed serials before the compromised keys", LIST_HEAD
     "version 0\n" LIST_TIME "allowed 0000000000000007\ncompromised K0 2026-11-30T08:00:00Z\n"},
    {"list refused at line 6 (invalid): a compromised key without its time",
     LIST_HEAD "version 0\n" LIST_TIME "compromised K0\n"},
    {"list refused at line 7 (invalid): compromised keys out of order",
     LIST_HEAD "version 0\n" LIST_TIME "compromised K9 2026-11-30T08:00:00Z\ncompromised K0 "
               "2026-11-30T08:00:00Z\n"},
    {"list refused at line 3 (unknown_key): signed by a key it calls compromised",
     LIST_HEAD "version 0\n" LIST_TIME "compromised K1 2026-11-30T08:00:00Z\n"},
};

/* The journal vector's void receipt, fourth line, and head line. */
#define VOID_RECEIPT                                                                               \
	"URV2|R-TEST0001-202612-17|0123456789ABCDEF|25000|150000|M1|GALERI-A|4|2026-12-05T04:04:"  \
	"05Z"                                                                                      \
	"|R-TEST0001||0JSblOov5deYc0zxH-IuMX-nQI91wSgkGCn4ZxcWVK05nQ3-"                            \
	"ZSgdSQkoamul4g1g3fJsYXe1HMRkp"                                                            \
	"j5rdzBcBQ"
#define JL_OK                                                                                      \
	"4,2026-12-05T04:04:05Z,void,R-TEST0001-202612-17,0123456789ABCDEF,2026-12,25000,150000,"  \
	"M1,"                                                                                      \
	"GALERI-A,4,URV2|R-TEST0001-202612-17|0123456789ABCDEF|25000|150000|M1|GALERI-A|4|2026-"   \
	"12-0"                                                                                     \
	"5T04:04:05Z|R-TEST0001||0JSblOov5deYc0zxH-IuMX-nQI91wSgkGCn4ZxcWVK05nQ3-"                 \
	"ZSgdSQkoamul4g1g3f"                                                                       \
	"JsYXe1HMRkpj5rdzBcBQ,eea8ee6431315bd06eb3aeb62ea8fea7daea305d3af63fd63d8026b624e44aab,"   \
	"19f0"                                                                                     \
	"75b4231686012fbf201d83c1c5d02c92e6e6aa9bc17f38f3615e590c3d30"
#define JH_OK                                                                                      \
	",2026-12-05T05:00:00Z,head,,,2026-12,,,,,,UH2|2026-12|1|6|6|"                             \
	"8968afa0f4d0b9328d78492a3eb54e"                                                           \
	"612e297633fd1f68490011b51093718971|90000|25000|2026-12-05T05:00:00Z|R-TEST0001|"          \
	"LTmtSFg9iRa"                                                                              \
	"EisnPDv1CLGVt7R5nZ8W_bt4OMEt06R_qXte7Lif0MRp5g_GAgxmgwGVKroVvXV18DM1utP4kCw,,"

/* A journal line, and the text to put in place of the first occurrence of
 * from in the good line above (the void's, or the head's with head set;
 * from NULL: the line as it is). */
struct line_case {
	const char *head, *from, *to;
	bool head_line;
};

static const struct line_case lines[] = {
    {"line ok: a void (the journal vector's fourth line)", NULL, NULL},
    {"line refused (fields): 13 fields", ",4,URV2|", ",URV2|"},
    {"line refused (seq): a leading zero", "4,2026", "04,2026"},
    {"line refused (seq): zero", "4,2026", "0,2026"},
    {"line refused (time): no such instant", "2026-12-05T04", "2026-12-32T04"},
    {"line refused (time): a local time", "04:04:05Z", "11:04:05+07"},
    {"line refused (kind): another kind", ",void,", ",refund,"},
    {"line refused (redemption_id): no number", "R-TEST0001-202612-17", "R-TEST0001-202612-"},
    {"line refused (redemption_id): a leading zero", "R-TEST0001-202612-17",
     "R-TEST0001-202612-017"},
    {"line refused (redemption_id): no period", "R-TEST0001-202612-17", "R-TEST0001-17"},
    {"line refused (redemption_id): another period than the line's", "R-TEST0001-202612-17",
     "R-TEST0001-202611-17"},
    {"line refused (serial): lower case", "0123456789ABCDEF", "0123456789abcdef"},
    {"line refused (serial): zero", "0123456789ABCDEF", "0000000000000000"},
    {"line refused (period): no such month", ",2026-12,", ",2026-13,"},
    {"line refused (amount): zero", ",25000,", ",0,"},
    {"line refused (amount): a separator", ",25000,", ",25.000,"},
    {"line refused (remaining): above 4294967295", ",150000,", ",4294967296,"},
    {"line refused (merchant): a blank", ",M1,", ",M 1,"},
    {"line refused (terminal): a sign", ",4,URV2", ",+4,URV2"},
    {"line refused (receipt): a void without its receipt", VOID_RECEIPT, ""},
    {"line refused (receipt): a blank in it", "|M1|GALERI-A|4|", "|M1|GALERI A|4|"},
    {"line refused (prev_hash): upper-case hex", "eea8ee6431315bd0", "EEA8EE6431315BD0"},
    {"line refused (hash): 63 digits", "590c3d30", "590c3d3"},
    {"line ok: the head (the journal vector's last line)", NULL, NULL, true},
    {"line refused (head): a head line with a seq", ",2026-12-05T05", "5,2026-12-05T05", true},
    {"line refused (head): the line's time is not its signed head's", ":00:00Z,head,",
     ":00:01Z,head,", true},
    {"line refused (head): a count that is not last - first + 1", "|1|6|6|", "|1|6|5|", true},
    {"line refused (head): no signature", "|R-TEST0001|", "|R-TEST0001", true},
};

/* A receipt of the receipt vectors, changed. */
struct receipt_case {
	const char *head;
	int which; /* of the four */
	const char *from, *to;
};

static const char *const receipt_vec[4] = {
    "UR2|R-TEST0001-202612-17|0123456789ABCDEF|25000|125000|M1|GALERI-A|3|2026-12-05T03:04:05"
    "Z|R-TEST0001|RdSJFpMwpCzeFHfGmHKG40Qv2aYWQFtVwbqolKSu1J_sRnGMtFGcgsXhyuOmjriW7s9Nx4RMPe-"
    "-g6Ikat_6qvE4|hct7OFSwQDmbtaPighiLvWLMnX49ACSmVeYq6fsmpv03Ci7m-NUIbQmp8737woC4sN12Y3FkYm"
    "6yxEmURa_hAw",
    "UR2|R-TEST0001-202612-18|8BADF00DDEADBEEF|50000|0|M1|GALERI-A|3|2026-12-05T03:04:05Z|R-T"
    "EST0001|L0EK4dKuQFnaRWWUJmHVrt3jmNJPU2nrv94abeisXOGMRnGMtFGcgsXhyuOmjriW7s9Nx4RMPe--g6Ik"
    "at_6qvE4|hct7OFSwQDmbtaPighiLvWLMnX49ACSmVeYq6fsmpv03Ci7m-NUIbQmp8737woC4sN12Y3FkYm6yxEm"
    "URa_hAw",
    "UR2|R-TEST0001-202612-19|0000000000000001|10000|4294957295|M2|GALERI-B|7|2026-12-05T03:0"
    "4:06Z|R-TEST0001|L5rsr5sg9vbpQYDhQcSTOzPaZ0G6wyop5a0W2WTixDgo|hct7OFSwQDmbtaPighiLvWLMnX"
    "49ACSmVeYq6fsmpv03Ci7m-NUIbQmp8737woC4sN12Y3FkYm6yxEmURa_hAw",
    "URV2|R-TEST0001-202612-17|0123456789ABCDEF|25000|150000|M1|GALERI-A|4|2026-12-05T04:04:0"
    "5Z|R-TEST0001||0JSblOov5deYc0zxH-IuMX-nQI91wSgkGCn4ZxcWVK05nQ3-ZSgdSQkoamul4g1g3fJsYXe1H"
    "MRkpj5rdzBcBQ",
};

static const struct receipt_case receipts[] = {
    {"receipt ok: the third receipt vector", 2, NULL, NULL},
    {"receipt ok: the void's receipt vector", 3, NULL, NULL},
    {"receipt refused: the amount changed", 0, "|25000|", "|25001|"},
    {"receipt refused: another tag", 2, "UR2|", "UR1|"},
    {"receipt refused: a void's receipt passed off as a redemption's", 3, "URV2|", "UR2|"},
    {"receipt refused: the kid missing (11 parts)", 2, "|R-TEST0001|L5rs", "|L5rs"},
    {"receipt refused: a '|' after the kid (13 parts)", 2, "|R-TEST0001|L5rs", "|R-TEST0001||L5rs"},
    {"receipt refused: a step cut to 43 characters", 2, "L5rsr5sg", "L5rsr5s"},
    {"receipt refused: a step's side neither L nor R", 2, "|L5rs", "|X5rs"},
    {"receipt refused: the path of the first receipt under the second's body", 1,
     "L0EK4dKuQFnaRWWUJmHVrt3jmNJPU2nrv94abeisXOGMRnGMtFGcgsXhyuOmjriW7s9Nx4RMPe--g6Ikat_6qvE4",
     "RdSJFpMwpCzeFHfGmHKG40Qv2aYWQFtVwbqolKSu1J_sRnGMtFGcgsXhyuOmjriW7s9Nx4RMPe--g6Ikat_6qvE4"},
    {"receipt refused: the signature with its padding", 2, "Ra_hAw", "Ra_hAw=="},
};

/* s with the first from replaced by to, into out (n bytes). */
static void changed(const char *s, const char *from, const char *to, char *out, size_t n)
{
	const char *p = from ? strstr(s, from) : NULL;

	if (!p) {
		snprintf(out, n, "%s", s);
		return;
	}
	snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

/* A case's list: its body, signed as it says. */
static char *list_text(const struct list_case *c, const sig_signer *key)
{
	uint8_t sig[SIG_LEN];
	size_t n = strlen(c->body);
	char *all = malloc(n + SIGTEXT_SIG_LINE_MAX + 64), *out;

	assert_non_null(all);
	memcpy(all, c->body, n + 1);
	if (!c->raw) {
		assert_int_equal(sig_sign(key, (const uint8_t *)c->body, n, sig), ERR_OK);
		sigtext_signature_line(sig, all + n);
	}
	if (c->after)
		strcat(all, c->after);
	out = malloc(strlen(all) + 64);
	changed(all, c->from, c->to, out, strlen(all) + 64);
	free(all);
	return out;
}

static void print_indented(const char *head, const char *text)
{
	printf("%s\n", head);
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		printf("  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void print_blocks(void)
{
	sig_signer *key = seed_key();
	char buf[2048];

	printf("<!-- keyring-vectors -->\n```\n");
	for (size_t i = 0; i < sizeof keyrings / sizeof keyrings[0]; i++)
		print_indented(keyrings[i].head, keyrings[i].text);
	printf(
	    "```\n\n<!-- revlist-vectors -->\n```\nkeyring K1 issuer PROBOLINGGO 2026-11-01 - " PUB
	    "\nkeyring K3 issuer PROBOLINGGO 2026-11-01 2026-11-30 " PUB "\n");
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		char *t = list_text(&lists[i], key);
		print_indented(lists[i].head, t);
		free(t);
	}
	printf("```\n\n<!-- journal-line-vectors -->\n```\n");
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		changed(lines[i].head_line ? JH_OK : JL_OK, lines[i].from, lines[i].to, buf,
		        sizeof buf);
		print_indented(lines[i].head, buf);
	}
	printf("```\n\n<!-- receipt-rule-vectors -->\n```\nkeyring " RKEY "\n");
	for (size_t i = 0; i < sizeof receipts / sizeof receipts[0]; i++) {
		changed(receipt_vec[receipts[i].which], receipts[i].from, receipts[i].to, buf,
		        sizeof buf);
		print_indented(receipts[i].head, buf);
	}
	printf("```\n");
	sig_signer_free(key);
}

/* ---- the checks ---- */

/* A vector's text is its lines, each with its newline, but the last of a
 * vector whose head ends "(no newline at the end)". */
static void cut_last_newline(vector *v, size_t n)
{
	static const char mark[] = "(no newline at the end)";

	for (size_t i = 0; i < n; i++) {
		size_t h = strlen(v[i].head), t = v[i].text ? strlen(v[i].text) : 0;
		if (h >= sizeof mark - 1 && strcmp(v[i].head + h - (sizeof mark - 1), mark) == 0 &&
		    t)
			v[i].text[t - 1] = '\0';
	}
}

static void keyring_vectors(void **state)
{
	char *dir = tmpdir_make(), why[512], at[32];
	size_t n;
	vector *v = vectors_of("keyring-vectors", &n);

	(void)state;
	cut_last_newline(v, n);
	assert_int_equal(n, sizeof keyrings / sizeof keyrings[0]);
	for (size_t i = 0; i < n; i++) {
		expect x = expect_of(v[i].head);
		char *path = write_file(dir, "keyring", v[i].text);
		keyring *kr = NULL;
		err rc = keyring_load(path, &kr, why, sizeof why);

		if (x.ok && rc != ERR_OK)
			fail_msg("%s: %s", v[i].head, why);
		if (!x.ok) {
			if (rc != ERR_INVALID)
				fail_msg("%s: loaded", v[i].head);
			snprintf(at, sizeof at, x.line ? "keyring:%u: " : "keyring: ", x.line);
			if (!strstr(why, at))
				fail_msg("%s: %s", v[i].head, why);
		}
		keyring_free(kr);
		free(path);
	}
	vectors_free(v, n);
	tmpdir_remove(dir);
}

static void revlist_vectors(void **state)
{
	char *dir = tmpdir_make(), *head = doc_block(DOC, "revlist-vectors"), why[512], at[32];
	char *path;
	size_t n;
	vector *v;
	keyring *kr;

	(void)state;
	/* The keyring lines first: "keyring " and a keyring line each. */
	for (char *p = head; strncmp(p, "keyring ", 8) == 0; p = strchr(p, '\n') + 1)
		memmove(p, p + 8, strlen(p + 8) + 1);
	*strstr(head, "\nlist ") = '\0';
	path = write_file(dir, "keyring", head);
	assert_int_equal(keyring_load(path, &kr, why, sizeof why), ERR_OK);
	assert_int_equal(keyring_count(kr), 2);
	free(path);
	free(head);
	v = vectors_of("revlist-vectors", &n);
	cut_last_newline(v, n);
	assert_int_equal(n, 2 + sizeof lists / sizeof lists[0]); /* the keyring lines first */
	for (size_t i = 2; i < n; i++) {
		expect x = expect_of(v[i].head);
		revlist rl = {0};
		err rc;

		path = write_file(dir, "list", v[i].text);
		rc = revlist_load(path, kr, 1797310800, &rl, why, sizeof why); /* 2026-12-15 */
		if (x.ok && rc != ERR_OK)
			fail_msg("%s: %s", v[i].head, why);
		if (!x.ok) {
			snprintf(at, sizeof at, "list:%u: ", x.line);
			if (rc == ERR_OK || strcmp(err_code(rc), x.code) != 0 || !strstr(why, at))
				fail_msg("%s: %s (%s)", v[i].head, why, err_code(rc));
		}
		revlist_free(&rl);
		free(path);
	}
	vectors_free(v, n);
	keyring_free(kr);
	tmpdir_remove(dir);
}

static void journal_line_vectors(void **state)
{
	size_t n;
	vector *v = vectors_of("journal-line-vectors", &n);

	(void)state;
	assert_int_equal(n, sizeof lines / sizeof lines[0]);
	for (size_t i = 0; i < n; i++) {
		expect x = expect_of(v[i].head);
		char f[JOURNAL_FIELDS][RECEIPT_MAX + 1], *line = v[i].text;
		const char *fp[JOURNAL_FIELDS], *why = "";
		size_t len[JOURNAL_FIELDS], nf = 0;
		journal_entry e;
		bool ok;

		line[strcspn(line, "\n")] = '\0';
		for (char *p = line;; nf++) {
			size_t k = strcspn(p, ",");
			if (nf < JOURNAL_FIELDS) {
				memcpy(f[nf], p, k);
				f[nf][k] = '\0';
				fp[nf] = f[nf];
				len[nf] = k;
			}
			if (!p[k]) {
				nf++;
				break;
			}
			p += k + 1;
		}
		ok = nf == JOURNAL_FIELDS && journal_parse(fp, len, &e, &why);
		if (x.ok != ok)
			fail_msg("%s: %s", v[i].head, ok ? "accepted" : why);
		if (!x.ok && nf == JOURNAL_FIELDS && !strstr(why, x.code))
			fail_msg("%s: refused as %s", v[i].head, why);
		if (!x.ok && nf != JOURNAL_FIELDS)
			assert_string_equal(x.code, "fields");
	}
	vectors_free(v, n);
}

static void receipt_vectors(void **state)
{
	char *head = doc_block(DOC, "receipt-rule-vectors");
	const char *what;
	key_entry e;
	sig_verifier *ver;
	size_t n;
	vector *v;

	(void)state;
	*strchr(head, '\n') = '\0';
	assert_string_equal(head, "keyring " RKEY);
	assert_int_equal(keyring_parse_line(RKEY, &e, &what), ERR_OK);
	assert_int_equal(sig_verifier_new(e.pub, &ver), ERR_OK);
	free(head);
	v = vectors_of("receipt-rule-vectors", &n);
	assert_int_equal(n, 1 + sizeof receipts / sizeof receipts[0]);
	for (size_t i = 1; i < n; i++) {
		expect x = expect_of(v[i].head);
		size_t len = strcspn(v[i].text, "\n");

		if (receipt_verify(ver, v[i].text, len) != x.ok)
			fail_msg("%s: %s", v[i].head, x.ok ? "refused" : "accepted");
	}
	vectors_free(v, n);
	sig_verifier_free(ver);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keyring_vectors),
	    cmocka_unit_test(revlist_vectors),
	    cmocka_unit_test(journal_line_vectors),
	    cmocka_unit_test(receipt_vectors),
	};
	int rc;

	if (argc > 1 && strcmp(argv[1], "--print") == 0) {
		print_blocks();
		return 0;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	sig_thread_done();
	return rc;
}
