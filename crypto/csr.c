/* PKCS#10 certificate requests. */

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/certgen.h"
#include "crypto/csr.h"
#include "crypto/internal.h"
#include "crypto/key.h"

int
csr_create(const struct key *key, const char *cn,
    const struct ident_list *ids, unsigned char **der, size_t *derlen)
{
	struct certgen g;

	*der = NULL;
	*derlen = 0;
	if (ids->n == 0) {
		crypto_seterr("a certificate request needs at least one name");
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.key = key;
	g.common_name = cn;
	g.ids = ids;
	return certgen_csr(&g, false, der, derlen);
}

/* A user's CSR: parsed, its signature verified, its names and key read. */
struct csr {
	unsigned char *der; /* the request exactly as given (DER) */
	size_t derlen;
	struct key *pub;    /* its public key, and nothing private */
	struct ident_list ids;
	char *cn;
};

/*
 * The DER of a PEM or DER request, copied as it is (a PEM block's content
 * is the DER the requester signed).
 */
static int
req_der(const unsigned char *buf, size_t len, unsigned char **der,
    size_t *derlen)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	BIO *bio;
	int ok = 0;

	*der = NULL;
	if (len > INT_MAX) {
		crypto_seterr("certificate request too large");
		return -1;
	}
	if (len < 10 || memcmp(buf, "-----BEGIN", 10) != 0) {
		if (len == 0 || (*der = malloc(len)) == NULL) {
			crypto_seterr(len == 0 ? "empty certificate request" :
			    "out of memory");
			return -1;
		}
		memcpy(*der, buf, len);
		*derlen = len;
		return 0;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL)
		ok = PEM_read_bio(bio, &name, &header, &data, &dlen);
	BIO_free(bio);
	if (!ok || dlen <= 0) {
		crypto_ossl_err("not a PEM certificate request");
	} else if (strcmp(name, PEM_STRING_X509_REQ) != 0 &&
	    strcmp(name, PEM_STRING_X509_REQ_OLD) != 0) {
		crypto_seterr("the PEM block is a %s, not a CERTIFICATE "
		    "REQUEST", name);
	} else if ((*der = malloc((size_t)dlen)) == NULL) {
		crypto_seterr("out of memory");
	} else {
		memcpy(*der, data, (size_t)dlen);
		*derlen = (size_t)dlen;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return *der != NULL ? 0 : -1;
}

/* The request's common name, added to ids if no SAN names it (as CAs do). */
static int
add_cn(struct csr *r)
{
	char ipbuf[64];

	if (r->cn == NULL)
		return 0;
	if (ident_ip_canonical(r->cn, ipbuf, sizeof(ipbuf)) == 0)
		return ident_list_has(&r->ids, IDENT_IP, ipbuf) ? 0 :
		    ident_list_add(&r->ids, IDENT_IP, ipbuf);
	for (char *c = r->cn; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return ident_list_has(&r->ids, IDENT_DNS, r->cn) ? 0 :
	    ident_list_add(&r->ids, IDENT_DNS, r->cn);
}

/* The names of req into r: SAN DNS names and IP addresses, and the CN. */
static int
req_names(X509_REQ *req, struct csr *r)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	GENERAL_NAMES *gens = NULL;
	int rc = -1, crit = 0;

	exts = X509_REQ_get_extensions(req);
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL && crit != -1) {
		crypto_ossl_err("malformed subjectAltName in the request");
		goto out;
	}
	if ((gens != NULL && crypto_san_read(gens, &r->ids) < 0) ||
	    crypto_name_cn(X509_REQ_get_subject_name(req), &r->cn) < 0 ||
	    add_cn(r) < 0)
		goto out;
	if (r->ids.n == 0) {
		crypto_seterr("the certificate request names no DNS name or "
		    "IP address (neither in subjectAltName nor as the common "
		    "name)");
		goto out;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

struct csr *
csr_parse(const unsigned char *buf, size_t len)
{
	struct csr *r;
	X509_REQ *req = NULL;
	EVP_PKEY *pub;
	const unsigned char *p;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		crypto_seterr("out of memory");
		return NULL;
	}
	if (req_der(buf, len, &r->der, &r->derlen) < 0)
		goto fail;
	p = r->der;
	if (r->derlen > LONG_MAX ||
	    (req = d2i_X509_REQ(NULL, &p, (long)r->derlen)) == NULL ||
	    p != r->der + r->derlen) {
		crypto_ossl_err("not a PEM or DER certificate request");
		goto fail;
	}
	if ((pub = X509_REQ_get_pubkey(req)) == NULL) {
		crypto_ossl_err("the certificate request's public key cannot "
		    "be read");
		goto fail;
	}
	/* Refuses what the CA would (RSA under 2048 bits, other curves). */
	if ((r->pub = crypto_key_wrap(pub)) == NULL) {
		char why[256];

		snprintf(why, sizeof(why), "%s", crypto_error());
		crypto_seterr("the certificate request's key: %s", why);
		goto fail;
	}
	if (X509_REQ_verify(req, r->pub->pkey) != 1) {
		crypto_ossl_err("the certificate request's signature does not "
		    "verify (was it changed after it was signed?)");
		goto fail;
	}
	if (req_names(req, r) < 0)
		goto fail;
	X509_REQ_free(req);
	return r;
fail:
	X509_REQ_free(req);
	csr_free(r);
	return NULL;
}

const struct ident_list *
csr_ids(const struct csr *r)
{
	return &r->ids;
}

const char *
csr_cn(const struct csr *r)
{
	return r->cn;
}

const struct key *
csr_key(const struct csr *r)
{
	return r->pub;
}

const unsigned char *
csr_der(const struct csr *r, size_t *len)
{
	*len = r->derlen;
	return r->der;
}

void
csr_free(struct csr *r)
{
	if (r == NULL)
		return;
	free(r->der);
	key_free(r->pub);
	ident_list_free(&r->ids);
	free(r->cn);
	free(r);
}

int
csr_identifiers(const unsigned char *buf, size_t len, struct ident_list *ids,
    char **cn)
{
	struct csr *r;

	*cn = NULL;
	memset(ids, 0, sizeof(*ids));
	if ((r = csr_parse(buf, len)) == NULL)
		return -1;
	*ids = r->ids;
	*cn = r->cn;
	memset(&r->ids, 0, sizeof(r->ids));
	r->cn = NULL;
	csr_free(r);
	return 0;
}
