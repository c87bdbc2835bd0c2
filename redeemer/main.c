/*
 * voucher-redeemer: the galleries' redemption service.
 *
 *   serve    --db DIR --keyring FILE --listen HOST:PORT [--revocations FILE] [--config FILE]
 *   terminal add     --db DIR --merchant ID --name TEXT --gallery ID
 *   terminal list    --db DIR
 *   terminal disable --db DIR --id N
 *   export   --db DIR --period YYYY-MM
 *   archive  --db DIR --period YYYY-MM --out FILE
 *   receipt-key --db DIR
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <ini.h>
#include <openssl/evp.h>

#include "bytes.h"
#include "cli.h"
#include "log.h"
#include "money.h"
#include "server.h"
#include "store.h"

static const char usage[] =
    "usage: voucher-redeemer serve --db DIR --keyring FILE --listen HOST:PORT\n"
    "                              [--revocations FILE] [--config FILE]\n"
    "                              [--tls-cert FILE --tls-key FILE]\n"
    "       voucher-redeemer terminal add --db DIR --merchant ID --name TEXT --gallery ID\n"
    "       voucher-redeemer terminal list --db DIR\n"
    "       voucher-redeemer terminal disable --db DIR --id N\n"
    "       voucher-redeemer export --db DIR --period YYYY-MM\n"
    "       voucher-redeemer archive --db DIR --period YYYY-MM --out FILE\n"
    "       voucher-redeemer receipt-key --db DIR\n"
    "       voucher-redeemer backup --db DIR --out FILE\n"
    "       voucher-redeemer stats --db DIR\n"
    "\n"
    "serve answers the HTTP API of docs/API.md; SIGHUP reloads the keyring, the\n"
    "revocation list and the code manifests, SIGTERM stops after answering what is\n"
    "committed.\n"
    "terminal add prints the new terminal's bearer token on its last line, once.\n"
    "export writes the period's hash-chained journal as CSV on stdout (an archived\n"
    "period's from its archive file).\n"
    "archive moves a closed period (its vouchers expired a week ago, reconciled)\n"
    "out of the database into FILE, its journal as export writes it; the service\n"
    "may run meanwhile, and a run cut short is finished by running it again.\n"
    "receipt-key prints the keyring line of this redeemer's receipt key.\n"
    "backup copies the database consistently while the service runs (restore:\n"
    "the file as data.mdb in an empty folder, with a copy of receipt.key).\n"
    "stats prints counts and totals.\n"
    "\n"
    "The --config INI file has a [redeemer] section with any of: db, keyring,\n"
    "listen, revocations, tls_cert, tls_key, timezone (Asia/Jakarta), timeout\n"
    "(seconds, 10), max_connections (1024), max_connections_per_address (a\n"
    "quarter of max_connections, at least 2), max_requests_per_connection (1000),\n"
    "max_connection_seconds (300), map_size_mb (1024, grown as needed up to\n"
    "map_size_max_mb and the disk's free space), metrics_token (none: /metrics\n"
    "open), log_level (info), verify_threads (one per core), manifests (a folder of\n"
    "the issuer's *.manifest files: vouchers found by their short code); flags win\n"
    "over the file. The sample redeemer.ini says what each is for.\n";

struct opts {
	const char *db, *keyring, *listen, *revocations, *config, *merchant, *name, *gallery,
	    *period, *id, *tls_cert, *tls_key, *out;
};

/*
 * The settings of --config, by name: strings (owned here until exit) and
 * numbers (0 when unset, else from 1 to their maximum). Flags win over the
 * file. A section [gallery.ID] sets the offline limits of one gallery.
 */
enum text_setting {
	T_DB,
	T_KEYRING,
	T_LISTEN,
	T_REVOCATIONS,
	T_TLS_CERT,
	T_TLS_KEY,
	T_TIMEZONE,
	T_LOG_LEVEL,
	T_METRICS_TOKEN,
	T_MANIFESTS,
	T_COUNT
};
enum number_setting {
	N_TIMEOUT,
	N_MAX_CONNECTIONS,
	N_PER_ADDRESS,
	N_CONN_REQUESTS,
	N_CONN_SECONDS,
	N_MAP_SIZE,
	N_MAP_SIZE_MAX,
	N_VERIFY_THREADS,
	N_OFFLINE_SALE,
	N_OFFLINE_DEVICE,
	N_OFFLINE_HOURS,
	N_COUNT
};
#define N_OFFLINE_FIRST N_OFFLINE_SALE /* the settings a [gallery.ID] section may hold */
static const char *const text_names[T_COUNT] = {
    [T_DB] = "db",
    [T_KEYRING] = "keyring",
    [T_LISTEN] = "listen",
    [T_REVOCATIONS] = "revocations",
    [T_TLS_CERT] = "tls_cert",
    [T_TLS_KEY] = "tls_key",
    [T_TIMEZONE] = "timezone",
    [T_LOG_LEVEL] = "log_level",
    [T_METRICS_TOKEN] = "metrics_token",
    [T_MANIFESTS] = "manifests",
};
#define NUMBER_MAX 1048576
#define RUPIAH_MAX 4294967295L
static const struct number_setting_def {
	const char *name;
	long max;
} number_defs[N_COUNT] = {
    [N_TIMEOUT] = {"timeout", NUMBER_MAX},
    [N_MAX_CONNECTIONS] = {"max_connections", NUMBER_MAX},
    [N_PER_ADDRESS] = {"max_connections_per_address", NUMBER_MAX},
    [N_CONN_REQUESTS] = {"max_requests_per_connection", NUMBER_MAX},
    [N_CONN_SECONDS] = {"max_connection_seconds", NUMBER_MAX},
    [N_MAP_SIZE] = {"map_size_mb", NUMBER_MAX},
    [N_MAP_SIZE_MAX] = {"map_size_max_mb", NUMBER_MAX},
    [N_VERIFY_THREADS] = {"verify_threads", NUMBER_MAX},
    [N_OFFLINE_SALE] = {"offline_sale_max", RUPIAH_MAX},
    [N_OFFLINE_DEVICE] = {"offline_device_max", RUPIAH_MAX},
    [N_OFFLINE_HOURS] = {"offline_hours", 24 * 31},
};
#define GALLERIES_MAX 256

/* A [gallery.ID] section: its offline settings (0 unset). */
struct gallery_section {
	char id[KEY_ID_MAX + 1];
	long number[N_COUNT];
};

struct config {
	char *text[T_COUNT];
	long number[N_COUNT];
	struct gallery_section gallery[GALLERIES_MAX];
	size_t ngalleries;
	FILE *f;
	int line;     /* lines inih has read so far */
	int bad_line; /* the first line a setting was refused on; 0: none */
	char why[256];
};

/* inih's reader, fgets as ini_parse's own, counting lines so that a refused
 * setting knows where it is. */
static char *config_read(char *str, int num, void *stream)
{
	struct config *c = stream;
	char *s = fgets(str, num, c->f);

	c->line += s != NULL;
	return s;
}

/* Refuse the current setting. inih reads on after a refusal and reports the
 * first bad line, so only the first reason is kept: it is that line's. */
__attribute__((format(printf, 2, 3))) static int config_refuse(struct config *c, const char *fmt,
                                                               ...)
{
	va_list ap;

	if (!c->bad_line) {
		c->bad_line = c->line;
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof c->why, fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* The index of name in names[n], or -1. */
static int setting_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* The number setting named name, or -1. */
static int number_index(const char *name)
{
	for (int i = 0; i < N_COUNT; i++)
		if (strcmp(number_defs[i].name, name) == 0)
			return i;
	return -1;
}

/* The section of gallery id, added if new; NULL if there are too many. */
static struct gallery_section *gallery_of(struct config *c, const char *id)
{
	for (size_t i = 0; i < c->ngalleries; i++)
		if (strcmp(c->gallery[i].id, id) == 0)
			return &c->gallery[i];
	if (c->ngalleries == GALLERIES_MAX)
		return NULL;
	snprintf(c->gallery[c->ngalleries].id, sizeof c->gallery[0].id, "%s", id);
	return &c->gallery[c->ngalleries++];
}

static int config_entry(void *user, const char *section, const char *name, const char *value)
{
	struct config *c = user;
	int t = setting_index(text_names, T_COUNT, name), n = number_index(name);
	struct gallery_section *g;
	long v, *slot = n >= 0 ? &c->number[n] : NULL;
	char *end;

	if (strncmp(section, "gallery.", 8) == 0 && key_id_valid(section + 8)) {
		if (n < N_OFFLINE_FIRST)
			return config_refuse(c,
			                     "[%s] takes only offline_sale_max, offline_device_max "
			                     "and offline_hours",
			                     section);
		if (!(g = gallery_of(c, section + 8)))
			return config_refuse(c, "more than %d [gallery.ID] sections",
			                     GALLERIES_MAX);
		slot = &g->number[n];
	} else if (strcmp(section, "redeemer") != 0) {
		return config_refuse(c, "unknown section [%s]", section);
	}
	if (t < 0 && n < 0)
		return config_refuse(c, "unknown setting %s", name);
	if (t >= 0 ? c->text[t] != NULL : *slot != 0)
		return config_refuse(c, "%s given twice", name);
	if (n >= 0) {
		v = strtol(value, &end, 10);
		if (*end || end == value || v < 1 || v > number_defs[n].max)
			return config_refuse(c, "%s must be a whole number from 1 to %ld", name,
			                     number_defs[n].max);
		*slot = v;
		return 1;
	}
	if (!(c->text[t] = strdup(value)))
		return config_refuse(c, "out of memory");
	return 1;
}

/*
 * Read the --config file at path into c (zeroed). Returns 0, -1 if it
 * cannot be read, or the first bad line, with c->why saying what is wrong.
 */
static int config_load(const char *path, struct config *c)
{
	int line;

	if (!(c->f = fopen(path, "r")))
		return -1;
	line = ini_parse_stream(config_read, c, config_entry, c);
	fclose(c->f);
	c->f = NULL;
	if (line > 0 && line != c->bad_line)
		snprintf(c->why, sizeof c->why, "not INI");
	return line;
}

/* A flag, else the file's setting. */
static const char *either(const char *flag, const struct config *c, enum text_setting t)
{
	return flag ? flag : c->text[t];
}

/* The file's number, else dflt. */
static long number_or(const struct config *c, enum number_setting n, long dflt)
{
	return c->number[n] ? c->number[n] : dflt;
}

/* The offline limits of a section's numbers, the service's where unset. */
static offline_limits limits_of(const long *number, const offline_limits *dflt)
{
	return (offline_limits){
	    .sale_max = number[N_OFFLINE_SALE] ? number[N_OFFLINE_SALE] : dflt->sale_max,
	    .device_max = number[N_OFFLINE_DEVICE] ? number[N_OFFLINE_DEVICE] : dflt->device_max,
	    .session_seconds =
	        number[N_OFFLINE_HOURS] ? number[N_OFFLINE_HOURS] * 3600 : dflt->session_seconds};
}

static int cmd_serve(struct opts *o)
{
	static struct config c;
	static gallery_limits galleries[GALLERIES_MAX];
	server_config cfg = {0};
	int level;

	if (o->config) {
		int line = config_load(o->config, &c);
		if (line < 0)
			cli_die(1, "%s: cannot read", o->config);
		if (line > 0)
			cli_die(1, "%s:%d: %s", o->config, line, c.why);
	}
	cfg.db = either(o->db, &c, T_DB);
	cfg.keyring = either(o->keyring, &c, T_KEYRING);
	cfg.listen = either(o->listen, &c, T_LISTEN);
	cfg.revocations = either(o->revocations, &c, T_REVOCATIONS);
	cfg.tls_cert = either(o->tls_cert, &c, T_TLS_CERT);
	cfg.tls_key = either(o->tls_key, &c, T_TLS_KEY);
	cfg.metrics_token = c.text[T_METRICS_TOKEN];
	cfg.manifests = c.text[T_MANIFESTS];
	if (!cfg.tls_cert != !cfg.tls_key)
		cli_fail("--tls-cert and --tls-key go together");
	cli_require(cfg.db, "--db (or db in --config)");
	cli_require(cfg.keyring, "--keyring (or keyring in --config)");
	cli_require(cfg.listen, "--listen (or listen in --config)");
	cfg.tz = tzone_find(c.text[T_TIMEZONE] ? c.text[T_TIMEZONE] : "Asia/Jakarta");
	if (!cfg.tz)
		cli_die(1, "%s: timezone must be Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
		        o->config);
	cfg.timeout = (int)number_or(&c, N_TIMEOUT, 10);
	cfg.max_connections = (int)number_or(&c, N_MAX_CONNECTIONS, 1024);
	/* A quarter of the places, at least 2 (a phone may open a second
	 * connection while the first is closing). */
	cfg.max_per_address = (int)number_or(
	    &c, N_PER_ADDRESS, cfg.max_connections >= 8 ? cfg.max_connections / 4 : 2);
	cfg.conn_requests = (int)number_or(&c, N_CONN_REQUESTS, 1000);
	cfg.conn_seconds = (int)number_or(&c, N_CONN_SECONDS, 300);
	cfg.verify_threads = (int)c.number[N_VERIFY_THREADS]; /* 0: one per core */
	cfg.map_size = (size_t)number_or(&c, N_MAP_SIZE, 1024) << 20;
	cfg.map_size_max = (size_t)number_or(&c, N_MAP_SIZE_MAX, NUMBER_MAX) << 20;
	if (cfg.map_size_max < cfg.map_size)
		cli_die(1, "%s: map_size_max_mb must be at least map_size_mb", o->config);
	/* Offline selling is off unless the configuration allows it. */
	cfg.offline.dflt =
	    limits_of(c.number, &(offline_limits){.sale_max = 0, .session_seconds = 24 * 3600});
	for (size_t i = 0; i < c.ngalleries; i++) {
		snprintf(galleries[i].gallery, sizeof galleries[i].gallery, "%s", c.gallery[i].id);
		galleries[i].l = limits_of(c.gallery[i].number, &cfg.offline.dflt);
	}
	cfg.offline.galleries = galleries;
	cfg.offline.ngalleries = c.ngalleries;
	level = log_level_parse(c.text[T_LOG_LEVEL] ? c.text[T_LOG_LEVEL] : "info");
	if (level < 0)
		cli_die(1, "%s: log_level must be debug, info, warn, error or off", o->config);
	log_init("redeemer", level);
	return server_run(&cfg);
}

static void print_terminal(const terminal *t, void *ctx)
{
	(void)ctx;
	printf("%u\t%s\t%s\t%s\t%s\n", t->id, t->merchant, t->gallery,
	       t->disabled ? "disabled" : "active", t->name);
}

/* A store's error as its command says it: err_str speaks to HTTP clients,
 * to whom a full database is a service that cannot take this now. */
static const char *store_err_str(err e)
{
	return e == ERR_UNAVAILABLE
	           ? "the database's disk or map is full: make room and run it again"
	           : err_str(e);
}

static store *open_store(const char *db)
{
	store *s;
	err e = store_open(db, 0, &s);

	if (e != ERR_OK)
		cli_die(1, "%s: cannot open the store: %s", db, store_err_str(e));
	return s;
}

/* An existing store: the commands other than serve and terminal add never
 * make one. */
static store *open_existing(const char *db)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof path, "%s/data.mdb", db);
	if (stat(path, &st) != 0)
		cli_die(1, "%s: no redeemer database here", db);
	return open_store(db);
}

static int cmd_terminal(const char *sub, struct opts *o)
{
	store *s;
	err e = ERR_OK;

	if (strcmp(sub, "add") == 0) {
		char token[TERMINAL_TOKEN_LEN + 1];
		uint32_t id;
		cli_require(o->merchant, "--merchant");
		cli_require(o->name, "--name");
		cli_require(o->gallery, "--gallery");
		if (!key_id_valid(o->merchant) || !key_id_valid(o->gallery))
			cli_fail("--merchant and --gallery must be 1-32 of A-Z a-z 0-9 . _ -");
		if (!o->name[0] || strlen(o->name) > TERMINAL_NAME_MAX)
			cli_fail("--name must be 1-%d bytes", TERMINAL_NAME_MAX);
		s = open_store(o->db);
		e = store_terminal_add(s, o->merchant, o->name, o->gallery, token, &id);
		store_close(s);
		if (e != ERR_OK)
			cli_die(1, "%s: %s", o->db, store_err_str(e));
		printf("terminal %u for merchant %s at gallery %s; its bearer token (shown "
		       "once):\n%s\n",
		       id, o->merchant, o->gallery, token);
		return 0;
	}
	if (strcmp(sub, "list") == 0) {
		s = open_existing(o->db);
		printf("ID\tMERCHANT\tGALLERY\tSTATE\tNAME\n");
		e = store_terminal_each(s, print_terminal, NULL);
		store_close(s);
	} else if (strcmp(sub, "disable") == 0) {
		long id;
		cli_require(o->id, "--id");
		id = cli_long(o->id, 1, UINT32_MAX, "--id");
		s = open_existing(o->db);
		e = store_terminal_disable(s, (uint32_t)id);
		store_close(s);
		if (e == ERR_NOT_FOUND)
			cli_die(1, "no terminal %ld", id);
		if (e == ERR_OK)
			printf("terminal %ld disabled\n", id);
	} else {
		cli_fail("terminal takes add, list or disable");
	}
	if (e != ERR_OK)
		cli_die(1, "%s: %s", o->db, store_err_str(e));
	return 0;
}

/* path made absolute through its folder (which must exist; the file
 * itself need not), into out. */
static bool realpath_of(const char *path, char *out, size_t n)
{
	char *copy = strdup(path), *slash, *dir;
	const char *base;
	bool ok;

	if (!copy)
		return false;
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
	} else {
		base = copy;
	}
	dir = realpath(slash ? (copy[0] ? copy : "/") : ".", NULL);
	ok = dir && *base &&
	     (size_t)snprintf(out, n, "%s/%s", strcmp(dir, "/") ? dir : "", base) < n;
	free(dir);
	free(copy);
	return ok;
}

/* An archived period's journal: its archive file, if it is still the one
 * written (its SHA-256), copied to stdout. Closes s. */
static int export_archived(store *s, period p, const char *per)
{
	archive_info a;
	err e = store_archived(s, p, &a);
	char buf[65536], sha[65];
	uint8_t md[32];
	size_t n;
	FILE *f;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	store_close(s);
	if (e != ERR_OK || !c)
		cli_die(1, "%s: %s", per, err_str(e != ERR_OK ? e : ERR_NOMEM));
	/* Checked whole before a byte goes out. */
	if (!(f = fopen(a.path, "rb")))
		cli_die(1,
		        "%s was archived to %s (sha256 %s), which cannot be read: find that file",
		        per, a.path, a.sha256);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(c, buf, n);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	hex_encode(md, 32, sha);
	if (ferror(f) || strcmp(sha, a.sha256) != 0)
		cli_die(1, "%s: not the archive of %s that was written (sha256 %s): find that file",
		        a.path, per, a.sha256);
	rewind(f);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_archive(const struct opts *o)
{
	char why[512] = "", path[ARCHIVE_PATH_MAX + 1];
	archive_result r;
	period p;
	store *s;
	err e;

	cli_require(o->period, "--period");
	cli_require(o->out, "--out");
	if (period_parse(o->period, &p) != ERR_OK)
		cli_fail("--period must be YYYY-MM");
	/* Recorded whole, so that export finds it from anywhere. */
	if (!realpath_of(o->out, path, sizeof path))
		cli_die(1, "%s: its folder cannot be found", o->out);
	s = open_existing(o->db);
	e = store_archive(s, p, (int64_t)time(NULL), path, &r, why, sizeof why);
	store_close(s);
	if (e != ERR_OK)
		cli_die(1, "%s: %s", o->period, why[0] ? why : store_err_str(e));
	printf("%s: %s%llu journal entries in %s (sha256 %s); %llu records removed from %s\n",
	       o->period, r.resumed ? "an archive cut short finished; " : "",
	       (unsigned long long)r.lines, path, r.sha256, (unsigned long long)r.removed, o->db);
	return 0;
}

int main(int argc, char **argv)
{
	/* Which flags each command takes: any other is a usage error. */
	static const cli_command commands[] = {
	    {"serve", NULL, "db keyring listen revocations config tls-cert tls-key"},
	    {"terminal", "add", "db merchant name gallery"},
	    {"terminal", "list", "db"},
	    {"terminal", "disable", "db id"},
	    {"export", NULL, "db period"},
	    {"archive", NULL, "db period out"},
	    {"backup", NULL, "db out"},
	    {"stats", NULL, "db"},
	    {"receipt-key", NULL, "db"},
	};
	struct opts o = {0};
	const cli_flag flags[] = {
	    {"db", &o.db},
	    {"keyring", &o.keyring},
	    {"listen", &o.listen},
	    {"revocations", &o.revocations},
	    {"config", &o.config},
	    {"merchant", &o.merchant},
	    {"name", &o.name},
	    {"gallery", &o.gallery},
	    {"period", &o.period},
	    {"id", &o.id},
	    {"tls-cert", &o.tls_cert},
	    {"tls-key", &o.tls_key},
	    {"out", &o.out},
	    {NULL},
	};
	const cli_command *c;
	const char *cmd, *sub;

	cli_init("voucher-redeemer", usage);
	log_init("redeemer", LOGL_WARN);
	c = &commands[cli_command_parse(argc, argv, commands, sizeof commands / sizeof commands[0],
	                                flags)];
	cmd = c->name;
	sub = c->sub;
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&o);
	cli_require(o.db, "--db");
	if (sub)
		return cmd_terminal(sub, &o);
	if (strcmp(cmd, "export") == 0) {
		period p;
		store *s;
		err e;
		cli_require(o.period, "--period");
		if (period_parse(o.period, &p) != ERR_OK)
			cli_fail("--period must be YYYY-MM");
		s = open_existing(o.db);
		e = store_export(s, p, (int64_t)time(NULL), stdout);
		if (e == ERR_ARCHIVED)
			return export_archived(s, p, o.period);
		store_close(s);
		if (e != ERR_OK)
			cli_die(1, "%s: %s", o.db, store_err_str(e));
		return 0;
	}
	if (strcmp(cmd, "archive") == 0)
		return cmd_archive(&o);
	if (strcmp(cmd, "backup") == 0) {
		store *s;
		err e;
		cli_require(o.out, "--out");
		s = open_existing(o.db);
		e = store_backup(s, o.out);
		store_close(s);
		if (e != ERR_OK)
			cli_die(1, "%s: %s", o.out,
			        e == ERR_EXISTS ? "exists already" : store_err_str(e));
		printf("%s: consistent copy of %s (keep %s/receipt.key with it)\n", o.out, o.db,
		       o.db);
		return 0;
	}
	if (strcmp(cmd, "stats") == 0) {
		char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
		store_summary sum;
		store *s = open_existing(o.db);
		err e = store_summarize(s, &sum);
		store_close(s);
		if (e != ERR_OK)
			cli_die(1, "%s: %s", o.db, store_err_str(e));
		money_format(sum.redeemed, a, sizeof a);
		money_format(sum.remaining, b, sizeof b);
		printf("vouchers presented   %llu\n"
		       "redemptions          %llu (%llu voided)\n"
		       "offline conflicts    %llu\n"
		       "redeemed             %s\n"
		       "left on them         %s\n"
		       "terminals            %llu (%llu disabled)\n"
		       "journal entries      %llu\n",
		       (unsigned long long)sum.vouchers, (unsigned long long)sum.redemptions,
		       (unsigned long long)sum.voided, (unsigned long long)sum.conflicts, a, b,
		       (unsigned long long)sum.terminals,
		       (unsigned long long)sum.terminals_disabled,
		       (unsigned long long)sum.journal_entries);
		return 0;
	}
	if (strcmp(cmd, "receipt-key") == 0) {
		char line[256];
		store *s = open_existing(o.db);
		store_receipt_keyline(s, line, sizeof line);
		store_close(s);
		fputs(line, stdout);
		return 0;
	}
	return 1; /* not reached: every command of the table is above */
}
