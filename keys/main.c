/*
 * voucher-keys: generate, list and retire signing keys.
 *
 *   voucher-keys generate --dir KEYDIR --kid KID [--issuer ID] [--role issuer|receipt]
 *   voucher-keys list     --dir KEYDIR
 *   voucher-keys retire   --dir KEYDIR --kid KID --after YYYY-MM-DD
 *
 * KEYDIR/KID.key holds the private key (PKCS#8 PEM, mode 0600) and
 * KEYDIR/keyring the public keys (see common/keyring.h), which is what
 * redeemers are given.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "keyring.h"
#include "log.h"
#include "period.h"
#include "sig.h"

static const char usage[] =
    "usage: voucher-keys generate --dir KEYDIR --kid KID [--issuer ID] [--role issuer|receipt]\n"
    "                             [--valid-from YYYY-MM-DD]\n"
    "       voucher-keys list     --dir KEYDIR\n"
    "       voucher-keys retire   --dir KEYDIR --kid KID --after YYYY-MM-DD\n"
    "\n"
    "generate writes KEYDIR/KID.key (mode 0600) and adds the public key to\n"
    "KEYDIR/keyring. --issuer binds the key to a region id now; otherwise the\n"
    "issuer binds it to its policy's issuer when it first signs with it.\n"
    "A key signs only for the periods from the month of --valid-from (today by\n"
    "default) to the month of its retirement.\n"
    "retire stops vouchers of periods starting after the date from verifying.\n";

struct opts {
	const char *dir, *kid, *issuer, *role, *after, *valid_from;
};

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
	if (snprintf(out, n, "%s/%s", dir, name) >= (int)n)
		cli_fail("--dir is too long");
}

/* The keyring in dir, or an empty one if there is none yet. */
static keyring *load_keyring(const char *path, int must_exist)
{
	char why[512];
	keyring *kr = NULL;
	struct stat st;

	if (!must_exist && stat(path, &st) != 0 && errno == ENOENT) {
		if (!(kr = keyring_new()))
			cli_die(1, "out of memory");
		return kr;
	}
	if (keyring_load(path, &kr, why, sizeof why) != ERR_OK)
		cli_die(1, "%s", why);
	return kr;
}

static int cmd_generate(const struct opts *o)
{
	char keyfile[4096], ringfile[4096];
	key_entry e = {0};
	sig_signer *s = NULL;
	keyring *kr;
	err rc;

	cli_require(o->kid, "--kid");
	if (!key_id_valid(o->kid))
		cli_fail("--kid must be 1-32 of A-Z a-z 0-9 . _ -");
	if (o->issuer && !key_id_valid(o->issuer))
		cli_fail("--issuer must be 1-32 of A-Z a-z 0-9 . _ -");
	e.role = KEY_ISSUER;
	if (o->role && strcmp(o->role, "receipt") == 0)
		e.role = KEY_RECEIPT;
	else if (o->role && strcmp(o->role, "issuer") != 0)
		cli_fail("--role must be issuer or receipt");
	if (o->issuer && e.role == KEY_RECEIPT)
		cli_fail("a receipt key has no --issuer");
	e.valid_from = time(NULL) / 86400;
	if (o->valid_from) {
		date d;
		if (date_parse(o->valid_from, &d) != ERR_OK)
			cli_fail("--valid-from must be a date YYYY-MM-DD");
		e.valid_from = date_to_days(d);
	}
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST)
		cli_die(1, "cannot create %s: %s", o->dir, strerror(errno));
	path_in(keyfile, sizeof keyfile, o->dir, o->kid);
	strncat(keyfile, ".key", sizeof keyfile - strlen(keyfile) - 1);
	path_in(ringfile, sizeof ringfile, o->dir, "keyring");
	kr = load_keyring(ringfile, 0);
	if (keyring_by_kid(kr, o->kid))
		cli_die(1, "%s: key id %s is in the keyring already", ringfile, o->kid);

	snprintf(e.kid, sizeof e.kid, "%s", o->kid);
	snprintf(e.issuer, sizeof e.issuer, "%s", o->issuer ? o->issuer : "");
	e.retired_after = KEY_NEVER;
	if ((rc = sig_generate(&s)) != ERR_OK)
		cli_die(1, "cannot generate a key: %s", err_str(rc));
	sig_public(s, e.pub);
	rc = sig_save_private(s, keyfile);
	sig_signer_free(s);
	if (rc != ERR_OK)
		cli_die(1, "%s: %s", keyfile, rc == ERR_EXISTS ? "exists already" : err_str(rc));
	if ((rc = keyring_add(kr, &e)) != ERR_OK || (rc = keyring_save(kr, ringfile)) != ERR_OK) {
		remove(keyfile);
		cli_die(1, "%s: %s", ringfile, err_str(rc));
	}
	keyring_free(kr);
	printf("%s: new %s key %s; public key added to %s\n", keyfile,
	       e.role == KEY_ISSUER ? "issuer" : "receipt", e.kid, ringfile);
	return 0;
}

static int cmd_list(const struct opts *o)
{
	char ringfile[4096], line[256];
	keyring *kr;
	int64_t today = time(NULL) / 86400;

	path_in(ringfile, sizeof ringfile, o->dir, "keyring");
	kr = load_keyring(ringfile, 1);
	printf("%-12s %-8s %-16s %-10s %-13s %s\n", "KID", "ROLE", "ISSUER", "VALID_FROM",
	       "RETIRED_AFTER", "STATE");
	for (size_t i = 0; i < keyring_count(kr); i++) {
		const key_entry *k = keyring_at(kr, i);
		char f[6][64];

		keyring_format_line(k, line, sizeof line);
		sscanf(line, "%63s %63s %63s %63s %63s %63s", f[0], f[1], f[2], f[3], f[4], f[5]);
		printf("%-12s %-8s %-16s %-10s %-13s %s\n", f[0], f[1], f[2], f[3], f[4],
		       k->retired_after == KEY_NEVER ? "active"
		       : today > k->retired_after    ? "retired"
		                                     : "retiring");
	}
	keyring_free(kr);
	return 0;
}

static int cmd_retire(const struct opts *o)
{
	char ringfile[4096];
	keyring *kr;
	key_entry *k;
	date d;
	err rc;

	cli_require(o->kid, "--kid");
	cli_require(o->after, "--after");
	if (date_parse(o->after, &d) != ERR_OK)
		cli_fail("--after must be a date YYYY-MM-DD");
	path_in(ringfile, sizeof ringfile, o->dir, "keyring");
	kr = load_keyring(ringfile, 1);
	if (!(k = keyring_by_kid(kr, o->kid)))
		cli_die(1, "%s: no key %s", ringfile, o->kid);
	if (date_to_days(d) < k->valid_from)
		cli_die(1, "key %s is valid only from its creation; --after is earlier", o->kid);
	k->retired_after = date_to_days(d);
	if ((rc = keyring_save(kr, ringfile)) != ERR_OK)
		cli_die(1, "%s: %s", ringfile, err_str(rc));
	keyring_free(kr);
	printf("key %s retired after %s: vouchers of later periods no longer verify\n", o->kid,
	       o->after);
	return 0;
}

int main(int argc, char **argv)
{
	static const cli_command commands[] = {
	    {"generate", NULL, "dir kid issuer role valid-from"},
	    {"list", NULL, "dir"},
	    {"retire", NULL, "dir kid after"},
	};
	struct opts o = {0};
	const cli_flag flags[] = {
	    {"dir", &o.dir},
	    {"kid", &o.kid},
	    {"issuer", &o.issuer},
	    {"role", &o.role},
	    {"after", &o.after},
	    {"valid-from", &o.valid_from},
	    {NULL},
	};
	const char *cmd;

	cli_init("voucher-keys", usage);
	log_init("keys", LOGL_WARN);
	cmd = commands[cli_command_parse(argc, argv, commands, sizeof commands / sizeof *commands,
	                                 flags)]
	          .name;
	cli_require(o.dir, "--dir");
	if (strcmp(cmd, "generate") == 0)
		return cmd_generate(&o);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(&o);
	return cmd_retire(&o);
}
