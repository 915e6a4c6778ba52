/* PKCS#10 certificate requests. */

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/certgen.h"
#include "crypto/csr.h"
#include "crypto/internal.h"

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

static X509_REQ *
parse_req(const unsigned char *buf, size_t len)
{
	X509_REQ *req = NULL;
	const unsigned char *p = buf;
	BIO *bio;

	if (len > INT_MAX) {
		crypto_seterr("certificate request too large");
		return NULL;
	}
	if (len > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
		if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
			return NULL;
		req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		req = d2i_X509_REQ(NULL, &p, (long)len);
		if (req != NULL && p != buf + len) {
			X509_REQ_free(req);
			req = NULL;
		}
	}
	if (req == NULL)
		crypto_ossl_err("not a PEM or DER certificate request");
	return req;
}

int
csr_identifiers(const unsigned char *buf, size_t len, struct ident_list *ids,
    char **cn)
{
	X509_REQ *req = NULL;
	EVP_PKEY *pub;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	GENERAL_NAMES *gens = NULL;
	int rc = -1, crit = 0;

	*cn = NULL;
	memset(ids, 0, sizeof(*ids));
	if ((req = parse_req(buf, len)) == NULL)
		return -1;
	if ((pub = X509_REQ_get0_pubkey(req)) == NULL ||
	    X509_REQ_verify(req, pub) != 1) {
		crypto_ossl_err("the certificate request's signature does not "
		    "verify");
		goto out;
	}
	exts = X509_REQ_get_extensions(req);
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL && crit != -1) {
		crypto_ossl_err("malformed subjectAltName in the request");
		goto out;
	}
	if (gens != NULL && crypto_san_read(gens, ids) < 0)
		goto out;
	if (crypto_name_cn(X509_REQ_get_subject_name(req), cn) < 0)
		goto out;
	if (*cn != NULL) {
		char ipbuf[64];

		if (ident_ip_canonical(*cn, ipbuf, sizeof(ipbuf)) == 0) {
			if (!ident_list_has(ids, IDENT_IP, ipbuf) &&
			    ident_list_add(ids, IDENT_IP, ipbuf) < 0)
				goto out;
		} else {
			for (char *c = *cn; *c != '\0'; c++)
				*c = (char)tolower((unsigned char)*c);
			if (!ident_list_has(ids, IDENT_DNS, *cn) &&
			    ident_list_add(ids, IDENT_DNS, *cn) < 0)
				goto out;
		}
	}
	if (ids->n == 0) {
		crypto_seterr("the certificate request names no DNS name or "
		    "IP address");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		ident_list_free(ids);
		free(*cn);
		*cn = NULL;
	}
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return rc;
}
