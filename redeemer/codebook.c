#include "codebook.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "period.h"

/* True if a manifest of period p can still find a voucher that redeems. */
static bool period_live(period p, int64_t now)
{
	period next = period_next(p);

	return now < (date_to_days((date){next.year, next.month, 1}) + VOUCHER_GRACE_MAX) * 86400;
}

static bool is_manifest_name(const char *name)
{
	size_t n = strlen(name), s = strlen(".manifest");

	return name[0] != '.' && n > s && strcmp(name + n - s, ".manifest") == 0;
}

/* Take m into cb (ownership moves), or drop the older of m and the one of
 * its issuer and period that cb has. */
static void keep_newest(codebook *cb, manifest *m)
{
	for (size_t i = 0; i < cb->n; i++) {
		manifest *o = &cb->m[i];
		if (strcmp(o->issuer, m->issuer) || o->per.year != m->per.year ||
		    o->per.month != m->per.month)
			continue;
		if (m->time > o->time) {
			manifest_free(o);
			*o = *m;
		} else {
			manifest_free(m);
		}
		return;
	}
	cb->m[cb->n++] = *m;
}

static int newest_period_first(const void *a, const void *b)
{
	const manifest *x = a, *y = b;
	int px = x->per.year * 12 + x->per.month, py = y->per.year * 12 + y->per.month;

	return px != py ? py - px : strcmp(x->issuer, y->issuer);
}

/* cb->version: SHA-256 of each manifest's issuer, period, time and salt. */
static void version_of(codebook *cb)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t b[8];

	memset(cb->version, 0, sizeof cb->version);
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		goto out;
	for (size_t i = 0; i < cb->n; i++) {
		const manifest *m = &cb->m[i];
		put_be64(b, (uint64_t)m->time);
		EVP_DigestUpdate(c, m->issuer, strlen(m->issuer) + 1);
		EVP_DigestUpdate(c, &m->per, sizeof m->per);
		EVP_DigestUpdate(c, b, sizeof b);
		EVP_DigestUpdate(c, m->salt, sizeof m->salt);
	}
	EVP_DigestFinal_ex(c, cb->version, NULL);
out:
	EVP_MD_CTX_free(c);
}

err codebook_load(const char *dir, const keyring *kr, int64_t now, codebook *out, char *why,
                  size_t whylen)
{
	codebook cb = {0};
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];
	err rc = ERR_OK;

	if (!d) {
		snprintf(why, whylen, "%s: cannot open the folder", dir);
		return ERR_IO;
	}
	if (!(cb.m = calloc(CODEBOOK_MAX + 1, sizeof *cb.m))) {
		closedir(d);
		snprintf(why, whylen, "%s: out of memory", dir);
		return ERR_NOMEM;
	}
	while (rc == ERR_OK && (de = readdir(d)) != NULL) {
		manifest m;
		if (!is_manifest_name(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((rc = manifest_load(path, kr, now, &m, why, whylen)) != ERR_OK)
			break;
		if (!period_live(m.per, now)) {
			manifest_free(&m);
			continue;
		}
		keep_newest(&cb, &m);
		if (cb.n > CODEBOOK_MAX) {
			snprintf(why, whylen,
			         "%s: more than %d manifests of periods that still redeem", dir,
			         CODEBOOK_MAX);
			rc = ERR_TOO_LARGE;
		}
	}
	closedir(d);
	if (rc != ERR_OK) {
		codebook_free(&cb);
		return rc;
	}
	qsort(cb.m, cb.n, sizeof *cb.m, newest_period_first);
	version_of(&cb);
	*out = cb;
	return ERR_OK;
}

err codebook_resolve(const codebook *cb, const char *code, uint8_t token[VOUCHER_LEN])
{
	for (size_t i = 0; i < cb->n; i++) {
		err rc = manifest_resolve(&cb->m[i], code, token);
		if (rc != ERR_UNKNOWN_CODE)
			return rc;
	}
	return ERR_UNKNOWN_CODE;
}

void codebook_free(codebook *cb)
{
	for (size_t i = 0; i < cb->n; i++)
		manifest_free(&cb->m[i]);
	free(cb->m);
	cb->m = NULL;
	cb->n = 0;
}
