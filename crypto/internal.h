#ifndef ACMEC_CRYPTO_INTERNAL_H
#define ACMEC_CRYPTO_INTERNAL_H

/* Shared between crypto/ files only; never included outside crypto/. */

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "crypto/err.h"
#include "crypto/ident.h"

struct key {
	EVP_PKEY *pkey;
	int type; /* enum key_type */
};

struct cert {
	X509 *x;
};

/*
 * A growing byte string for the encoders (JKS, PKCS#12, DER), kept
 * NUL-terminated after its len bytes.  The first failure sets bad (and
 * crypto_error()); every later addition is then a no-op.
 */
struct crypto_buf {
	unsigned char *p;
	size_t len, cap;
	bool bad;
};

void crypto_buf_add(struct crypto_buf *b, const void *s, size_t n);

/* x in a struct cert (x is freed on failure); NULL on failure. */
struct cert *crypto_cert_wrap(X509 *x);

/* A DNS name or IP address as a GENERAL_NAME; NULL on failure. */
GENERAL_NAME *crypto_general_name(const struct ident *id);

/*
 * Like crypto_seterr(), and appends the reason OpenSSL gives, if any; clears
 * OpenSSL's error queue so that old errors never leak into later messages.
 */
void crypto_ossl_err(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * pkey (owned; freed on failure) as a struct key, if it is a type and size
 * acmec accepts (key_load_pem's rules); NULL on failure.
 */
struct key *crypto_key_wrap(EVP_PKEY *pkey);

/* The digest a key signs with (NULL for Ed25519, which hashes itself). */
const EVP_MD *crypto_key_md(const struct key *key);

/* A non-critical subjectAltName extension naming ids; NULL on failure. */
X509_EXTENSION *crypto_san_extension(const struct ident_list *ids);

/*
 * Append the DNS names and IP addresses of gens to ids.  Any other kind of
 * name is an error: ACME cannot validate it.
 */
int crypto_san_read(const GENERAL_NAMES *gens, struct ident_list *ids);

/*
 * x's subjectAltName (NULL in *gens if it has none; caller frees); -1
 * (crypto_error) if it is malformed.
 */
int crypto_san_get(const X509 *x, GENERAL_NAMES **gens);

/* An iPAddress name as text (buf of INET6_ADDRSTRLEN); -1 if malformed. */
int crypto_san_ip(const GENERAL_NAME *gen, char *buf);

/* The (first) common name of name as UTF-8 into *cn, or NULL if none. */
int crypto_name_cn(const X509_NAME *name, char **cn);

#endif
