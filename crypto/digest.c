#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>

#include "crypto/digest.h"
#include "crypto/internal.h"

static const char *const digest_names[] = {
	[DIGEST_SHA256] = "SHA256",
	[DIGEST_SHA384] = "SHA384",
	[DIGEST_SHA512] = "SHA512",
};

size_t
digest_size(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_SHA256:
		return 32;
	case DIGEST_SHA384:
		return 48;
	case DIGEST_SHA512:
		return 64;
	}
	return 0;
}

/*
 * Each digest fetched once for the process (renew hashes two small
 * things per certificate; a fetch per hash was a third of the cost).
 * Kept until exit, as OpenSSL keeps its own method store.
 */
static EVP_MD *fetched[DIGEST_SHA512 + 1];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void
fetch_all(void)
{
	size_t i;

	for (i = 0; i < sizeof(fetched) / sizeof(fetched[0]); i++)
		fetched[i] = EVP_MD_fetch(NULL, digest_names[i], NULL);
}

int
digest_hash(enum digest_alg alg, const void *data, size_t len,
    unsigned char out[DIGEST_MAX])
{
	unsigned int n = 0;
	EVP_MD *md = NULL;
	int rc = -1;

	pthread_once(&fetch_once, fetch_all);
	/* Not fetched then: try now, for this hash's own error. */
	if ((fetched[alg] == NULL && (md = EVP_MD_fetch(NULL,
	    digest_names[alg], NULL)) == NULL) || !EVP_Digest(data, len, out,
	    &n, md != NULL ? md : fetched[alg], NULL)) {
		crypto_ossl_err("%s failed", digest_names[alg]);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_free(md);
	return rc;
}

int
digest_hmac(enum digest_alg alg, const unsigned char *key, size_t keylen,
    const void *data, size_t len, unsigned char out[DIGEST_MAX])
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t n = 0;
	int rc = -1;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)digest_names[alg], 0);
	params[1] = OSSL_PARAM_construct_end();
	/* An empty key is legal HMAC but never a sensible secret. */
	if (keylen == 0) {
		crypto_seterr("HMAC key is empty");
		goto out;
	}
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_init(ctx, key, keylen, params) ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &n, DIGEST_MAX)) {
		crypto_ossl_err("HMAC-%s failed", digest_names[alg]);
		goto out;
	}
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}
