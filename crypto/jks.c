/* Java KeyStores (JKS) as keystore-go writes them; see jks.h. */

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "crypto/cert.h"
#include "crypto/internal.h"
#include "crypto/jks.h"

#define JKS_MAGIC 0xfeedfeedU
#define JKS_VERSION 2
#define JKS_KEY_TAG 1
#define JKS_CERT_TAG 2
#define JKS_SALT 20
/* Sun's JKS key protector (sun.security.provider.KeyProtector). */
#define OID_JKS_KEY_PROTECTOR "1.3.6.1.4.1.42.2.17.1.1"

static void
put_be(struct crypto_buf *o, uint64_t v, int bytes)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	crypto_buf_add(o, b, (size_t)bytes);
}

/* A u16-length string (keystore-go writes the bytes as they are). */
static void
put_str(struct crypto_buf *o, const char *s, size_t n)
{
	if (n > 0xffff) {
		if (!o->bad)
			crypto_seterr("a JKS string is at most 65535 bytes");
		o->bad = true;
		return;
	}
	put_be(o, n, 2);
	crypto_buf_add(o, s, n);
}

static void
put_cert(struct crypto_buf *o, const struct cert *c)
{
	unsigned char *der = NULL;
	size_t len;

	if (o->bad)
		return;
	if (cert_to_der(c, &der, &len) < 0) {
		o->bad = true;
		return;
	}
	/* cert-manager gives keystore-go the type "X509" (Java's alias). */
	put_str(o, "X509", 4);
	put_be(o, len, 4);
	crypto_buf_add(o, der, len);
	free(der);
}

/* The password as keystore-go feeds it to SHA-1: 0, byte, 0, byte... */
static unsigned char *
pw_bytes(const char *pw, size_t pwlen)
{
	unsigned char *b;
	size_t i;

	if ((b = calloc(pwlen ? pwlen * 2 : 1, 1)) == NULL) {
		crypto_seterr("out of memory");
		return NULL;
	}
	for (i = 0; i < pwlen; i++)
		b[2 * i + 1] = (unsigned char)pw[i];
	return b;
}

/* SHA-1(a || b) into md. */
static int
sha1_2(const void *a, size_t alen, const void *b, size_t blen,
    unsigned char md[SHA_DIGEST_LENGTH])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(ctx, a, alen) && EVP_DigestUpdate(ctx, b, blen) &&
	    EVP_DigestFinal_ex(ctx, md, NULL);

	EVP_MD_CTX_free(ctx);
	if (!ok)
		crypto_ossl_err("SHA-1 failed");
	return ok ? 0 : -1;
}

/* salt || key XOR keystream || SHA-1(pw || key), into prot (caller's). */
static int
protect_raw(const unsigned char *pwb, size_t pwblen, const unsigned char *k,
    size_t klen, unsigned char *prot)
{
	unsigned char d[SHA_DIGEST_LENGTH];
	size_t i, j;

	if (RAND_bytes(prot, JKS_SALT) != 1) {
		crypto_ossl_err("no random bytes");
		return -1;
	}
	memcpy(d, prot, JKS_SALT);
	for (i = 0; i < klen; i += SHA_DIGEST_LENGTH) {
		if (sha1_2(pwb, pwblen, d, sizeof(d), d) < 0)
			return -1;
		for (j = 0; j < SHA_DIGEST_LENGTH && i + j < klen; j++)
			prot[JKS_SALT + i + j] = k[i + j] ^ d[j];
	}
	explicit_bzero(d, sizeof(d));
	return sha1_2(pwb, pwblen, k, klen, prot + JKS_SALT + klen);
}

/* key as PKCS#8 under the JKS key protector, DER; caller frees. */
static int
protect(const unsigned char *pwb, size_t pwblen, const struct key *key,
    unsigned char **out, size_t *outlen)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	unsigned char *k = NULL, *prot = NULL, *der = NULL;
	size_t plen = 0;
	X509_SIG *sig = NULL;
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *os;
	int klen = 0, len, rc = -1;

	if ((p8 = EVP_PKEY2PKCS8(key->pkey)) == NULL ||
	    (klen = i2d_PKCS8_PRIV_KEY_INFO(p8, &k)) <= 0) {
		crypto_ossl_err("cannot encode the key as PKCS#8");
		goto out;
	}
	plen = JKS_SALT + (size_t)klen + SHA_DIGEST_LENGTH;
	if ((prot = malloc(plen)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	if (protect_raw(pwb, pwblen, k, (size_t)klen, prot) < 0)
		goto out;
	if ((sig = X509_SIG_new()) == NULL)
		goto err;
	X509_SIG_getm(sig, &alg, &os);
	if (!X509_ALGOR_set0(alg, OBJ_txt2obj(OID_JKS_KEY_PROTECTOR, 1),
	    V_ASN1_NULL, NULL) || !ASN1_OCTET_STRING_set(os, prot, (int)plen) ||
	    (len = i2d_X509_SIG(sig, &der)) <= 0)
		goto err;
	*out = der;
	*outlen = (size_t)len;
	rc = 0;
	goto out;
err:
	crypto_ossl_err("cannot encode the protected key");
out:
	/* The octet string held only ciphertext; the rest is wiped. */
	X509_SIG_free(sig);
	if (prot != NULL)
		OPENSSL_clear_free(prot, plen);
	if (k != NULL)
		OPENSSL_clear_free(k, (size_t)klen);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return rc;
}

static void
put_trusted(struct crypto_buf *o, const struct cert_chain *cas, long long when)
{
	char alias[32];
	size_t i;

	for (i = 0; cas != NULL && i < cas->n; i++) {
		/* cert-manager's aliases: "ca", then "ca-1", "ca-2"... */
		if (i == 0)
			snprintf(alias, sizeof(alias), "ca");
		else
			snprintf(alias, sizeof(alias), "ca-%zu", i);
		put_be(o, JKS_CERT_TAG, 4);
		put_str(o, alias, strlen(alias));
		put_be(o, (uint64_t)when, 8);
		put_cert(o, cas->v[i]);
	}
}

/* The header for count entries. */
static void
put_head(struct crypto_buf *o, size_t count)
{
	put_be(o, JKS_MAGIC, 4);
	put_be(o, JKS_VERSION, 4);
	put_be(o, count, 4);
}

/* The integrity digest over everything written, then hand o over. */
static int
seal(struct crypto_buf *o, const unsigned char *pwb, size_t pwblen,
    unsigned char **out, size_t *outlen)
{
	static const char whitener[] = "Mighty Aphrodite";
	unsigned char md[SHA_DIGEST_LENGTH];
	EVP_MD_CTX *ctx;
	int ok;

	if (o->bad)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(ctx, pwb, pwblen) &&
	    EVP_DigestUpdate(ctx, whitener, strlen(whitener)) &&
	    EVP_DigestUpdate(ctx, o->p, o->len) &&
	    EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		crypto_ossl_err("SHA-1 failed");
		return -1;
	}
	crypto_buf_add(o, md, sizeof(md));
	if (o->bad)
		return -1;
	*out = o->p;
	*outlen = o->len;
	o->p = NULL;
	return 0;
}

int
jks_keystore(const char *pw, size_t pwlen, const char *alias,
    const struct key *key, const struct cert_chain *chain,
    const struct cert_chain *cas, long long when, unsigned char **out,
    size_t *outlen)
{
	struct crypto_buf o = { 0 };
	unsigned char *pwb = NULL, *prot = NULL;
	size_t plen = 0, i, alen = strlen(alias);
	char *lower = NULL;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if ((pwb = pw_bytes(pw, pwlen)) == NULL ||
	    protect(pwb, pwlen * 2, key, &prot, &plen) < 0)
		goto out;
	if ((lower = malloc(alen + 1)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	for (i = 0; i <= alen; i++)
		lower[i] = (char)tolower((unsigned char)alias[i]);
	put_head(&o, 1 + (cas != NULL ? cas->n : 0));
	put_be(&o, JKS_KEY_TAG, 4);
	put_str(&o, lower, alen);
	put_be(&o, (uint64_t)when, 8);
	put_be(&o, plen, 4);
	crypto_buf_add(&o, prot, plen);
	put_be(&o, chain->n, 4);
	for (i = 0; i < chain->n; i++)
		put_cert(&o, chain->v[i]);
	put_trusted(&o, cas, when);
	rc = seal(&o, pwb, pwlen * 2, out, outlen);
out:
	free(lower);
	free(prot);
	if (pwb != NULL)
		OPENSSL_clear_free(pwb, pwlen ? pwlen * 2 : 1);
	free(o.p);
	return rc;
}

int
jks_truststore(const char *pw, size_t pwlen, const struct cert_chain *cas,
    long long when, unsigned char **out, size_t *outlen)
{
	struct crypto_buf o = { 0 };
	unsigned char *pwb;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((pwb = pw_bytes(pw, pwlen)) == NULL)
		return -1;
	put_head(&o, cas->n);
	put_trusted(&o, cas, when);
	rc = seal(&o, pwb, pwlen * 2, out, outlen);
	OPENSSL_clear_free(pwb, pwlen ? pwlen * 2 : 1);
	free(o.p);
	return rc;
}
