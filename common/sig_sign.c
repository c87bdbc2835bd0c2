/* Signing half of sig.h: key generation, private key files, signatures. */
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "log.h"

struct sig_signer {
	EVP_PKEY *pkey;
};

static err wrap(EVP_PKEY *pkey, sig_signer **out)
{
	sig_signer *s = malloc(sizeof *s);

	if (!s) {
		EVP_PKEY_free(pkey);
		return ERR_NOMEM;
	}
	s->pkey = pkey;
	*out = s;
	return ERR_OK;
}

err sig_generate(sig_signer **out)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (!pkey)
		return ERR_CRYPTO;
	return wrap(pkey, out);
}

err sig_from_seed(const uint8_t seed[32], sig_signer **out)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);

	if (!pkey)
		return ERR_CRYPTO;
	return wrap(pkey, out);
}

err sig_load_private(const char *path, sig_signer **out)
{
	char buf[4096];
	struct stat st;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	ssize_t n = 0;
	size_t len = 0;
	err rc = ERR_IO;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		LOG(LOGL_ERROR, "cannot open private key %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto cleanup;
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		LOG(LOGL_ERROR, "private key %s has mode %04o: allow the owner only (chmod 600)",
		    path, (unsigned)(st.st_mode & 07777));
		rc = ERR_INSECURE;
		goto cleanup;
	}
	while (len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) > 0)
		len += (size_t)n;
	if (n < 0 || len == sizeof buf)
		goto cleanup;
	rc = ERR_CRYPTO;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		goto cleanup;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		LOG(LOGL_ERROR, "%s is not an Ed25519 private key", path);
		EVP_PKEY_free(pkey);
		goto cleanup;
	}
	rc = wrap(pkey, out);
cleanup:
	BIO_free(bio);
	OPENSSL_cleanse(buf, sizeof buf);
	close(fd);
	return rc;
}

err sig_save_private(const sig_signer *s, const char *path)
{
	err rc = ERR_IO;
	FILE *f = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? ERR_EXISTS : ERR_IO;
	/* Whatever the umask, the owner alone. */
	if (fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "w"))) {
		close(fd);
		goto cleanup;
	}
	if (PEM_write_PrivateKey(f, s->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		rc = ERR_CRYPTO;
		fclose(f);
		goto cleanup;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto cleanup;
	}
	if (fclose(f) != 0)
		goto cleanup;
	return ERR_OK;
cleanup:
	unlink(path);
	return rc;
}

void sig_public(const sig_signer *s, uint8_t pub[SIG_PUBLEN])
{
	size_t n = SIG_PUBLEN;

	EVP_PKEY_get_raw_public_key(s->pkey, pub, &n);
}

err sig_sign(const sig_signer *s, const uint8_t *msg, size_t n, uint8_t sig[SIG_LEN])
{
	size_t siglen = SIG_LEN;
	EVP_MD_CTX *ctx = sig_thread_sign_ctx();

	if (!ctx)
		return ERR_NOMEM;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, n) == 1 && siglen == SIG_LEN)
		return ERR_OK;
	return ERR_CRYPTO;
}

void sig_signer_free(sig_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->pkey);
	free(s);
}
