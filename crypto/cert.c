/* X.509 certificates: parse what the CA sends, build tls-alpn-01 certs. */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/internal.h"

/* id-pe-acmeIdentifier, RFC 8737 §6.1 */
#define OID_ACME_IDENTIFIER "1.3.6.1.5.5.7.1.31"

struct cert *
crypto_cert_wrap(X509 *x)
{
	struct cert *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		crypto_seterr("out of memory");
		X509_free(x);
		return NULL;
	}
	c->x = x;
	return c;
}

static size_t
count_begin_lines(const char *pem, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	size_t i, n = 0;

	for (i = 0; i + sizeof(begin) - 1 <= len; i++)
		if ((i == 0 || pem[i - 1] == '\n') &&
		    memcmp(pem + i, begin, sizeof(begin) - 1) == 0)
			n++;
	return n;
}

int
cert_chain_parse(const char *pem, size_t len, struct cert_chain *out)
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	const unsigned char *p;
	long dlen = 0;
	struct cert **v, *c;
	X509 *x;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > INT_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_seterr("certificate chain too large");
		return -1;
	}
	for (;;) {
		if (!PEM_read_bio(bio, &name, &header, &data, &dlen)) {
			if (ERR_GET_REASON(ERR_peek_last_error()) ==
			    PEM_R_NO_START_LINE && out->n > 0) {
				ERR_clear_error();
				break;
			}
			crypto_ossl_err(out->n == 0 ? "no PEM certificate "
			    "found" : "malformed PEM after certificate %zu",
			    out->n);
			goto out;
		}
		if (strcmp(name, "CERTIFICATE") != 0) {
			/* Never take a key (or anything else) from a CA. */
			crypto_seterr("the chain holds a '%.40s' PEM block; "
			    "only CERTIFICATE blocks are allowed", name);
			goto out;
		}
		p = data;
		if ((x = d2i_X509(NULL, &p, dlen)) == NULL ||
		    p != data + dlen) {
			X509_free(x);
			crypto_ossl_err("certificate %zu of the chain is not "
			    "valid DER", out->n + 1);
			goto out;
		}
		if ((c = crypto_cert_wrap(x)) == NULL)
			goto out;
		if ((v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL) {
			cert_free(c);
			crypto_seterr("out of memory");
			goto out;
		}
		out->v = v;
		out->v[out->n++] = c;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	/* A block cut off before its END line is silently skipped by OpenSSL. */
	if (count_begin_lines(pem, len) != out->n) {
		crypto_seterr("truncated or malformed PEM block after "
		    "certificate %zu", out->n);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		cert_chain_free(out);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	return rc;
}

void
cert_chain_free(struct cert_chain *chain)
{
	size_t i;

	for (i = 0; i < chain->n; i++)
		cert_free(chain->v[i]);
	free(chain->v);
	chain->v = NULL;
	chain->n = 0;
}

struct cert *
cert_from_der(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (len > LONG_MAX ||
	    (x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		crypto_ossl_err("not a DER certificate");
		return NULL;
	}
	if (p != der + len) {
		X509_free(x);
		crypto_seterr("trailing data after the DER certificate");
		return NULL;
	}
	return crypto_cert_wrap(x);
}

void
cert_free(struct cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->x);
	free(c);
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return (time_t)-1;
	return timegm(&tm);
}

time_t
cert_not_before(const struct cert *c)
{
	return asn1_time(X509_get0_notBefore(c->x));
}

time_t
cert_not_after(const struct cert *c)
{
	return asn1_time(X509_get0_notAfter(c->x));
}

int
cert_sans(const struct cert *c, struct ident_list *ids)
{
	GENERAL_NAMES *gens;
	int rc;

	if (crypto_san_get(c->x, &gens) < 0)
		return -1;
	if (gens == NULL)
		return 0;
	rc = crypto_san_read(gens, ids);
	GENERAL_NAMES_free(gens);
	return rc;
}

int
cert_serial(const struct cert *c, unsigned char **buf, size_t *len)
{
	const ASN1_INTEGER *ai = X509_get0_serialNumber(c->x);
	unsigned char *der = NULL;
	const unsigned char *p;
	long clen;
	int dlen, tag, cls;

	*buf = NULL;
	*len = 0;
	/* i2d gives the minimal two's-complement DER; strip tag and length. */
	if ((dlen = i2d_ASN1_INTEGER(ai, &der)) <= 0)
		goto fail;
	p = der;
	if (ASN1_get_object(&p, &clen, &tag, &cls, dlen) & 0x80 ||
	    tag != V_ASN1_INTEGER || clen <= 0)
		goto fail;
	if ((*buf = malloc((size_t)clen)) == NULL)
		goto fail;
	memcpy(*buf, p, (size_t)clen);
	*len = (size_t)clen;
	OPENSSL_free(der);
	return 0;
fail:
	crypto_ossl_err("cannot encode the serial number");
	OPENSSL_free(der);
	return -1;
}

char *
cert_serial_hex(const struct cert *c)
{
	BIGNUM *bn;
	char *hex, *out = NULL;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c->x),
	    NULL)) == NULL || (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		crypto_ossl_err("cannot read the serial number");
		return NULL;
	}
	if ((out = strdup(hex)) == NULL)
		crypto_seterr("out of memory");
	OPENSSL_free(hex);
	BN_free(bn);
	return out;
}

int
cert_aki(const struct cert *c, unsigned char **buf, size_t *len)
{
	const ASN1_OCTET_STRING *id = X509_get0_authority_key_id(c->x);
	int n;

	*buf = NULL;
	*len = 0;
	if (id == NULL || (n = ASN1_STRING_length(id)) <= 0) {
		crypto_seterr("the certificate has no Authority Key "
		    "Identifier");
		return -1;
	}
	if ((*buf = malloc((size_t)n)) == NULL) {
		crypto_seterr("out of memory");
		return -1;
	}
	memcpy(*buf, ASN1_STRING_get0_data(id), (size_t)n);
	*len = (size_t)n;
	return 0;
}

char *
cert_issuer_cn(const struct cert *c)
{
	char *cn = NULL;

	if (crypto_name_cn(X509_get_issuer_name(c->x), &cn) < 0)
		return NULL;
	return cn;
}

bool
cert_matches_key(const struct cert *c, const struct key *key)
{
	EVP_PKEY *pub = X509_get0_pubkey(c->x);

	return pub != NULL && EVP_PKEY_eq(pub, key->pkey) == 1;
}

int
cert_to_der(const struct cert *c, unsigned char **der, size_t *len)
{
	unsigned char *buf = NULL;
	int n;

	*der = NULL;
	*len = 0;
	if ((n = i2d_X509(c->x, &buf)) <= 0) {
		crypto_ossl_err("cannot encode the certificate");
		return -1;
	}
	if ((*der = malloc((size_t)n)) == NULL) {
		OPENSSL_free(buf);
		crypto_seterr("out of memory");
		return -1;
	}
	memcpy(*der, buf, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(buf);
	return 0;
}

/* Certificates v[0..n) as PEM, one block each; *pem NUL-terminated. */
static int
write_pem(const struct cert *const *v, size_t n, char **pem, size_t *len)
{
	BIO *bio = NULL;
	char *data;
	long dlen = 0;
	size_t i;
	int rc = -1;

	*pem = NULL;
	*len = 0;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(bio, v[i]->x))
			goto fail;
	if ((dlen = BIO_get_mem_data(bio, &data)) <= 0)
		goto fail;
	if ((*pem = malloc((size_t)dlen + 1)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	memcpy(*pem, data, (size_t)dlen);
	(*pem)[dlen] = '\0';
	*len = (size_t)dlen;
	rc = 0;
	goto out;
fail:
	crypto_ossl_err("cannot encode the certificate");
out:
	BIO_free(bio);
	return rc;
}

int
cert_to_pem(const struct cert *c, char **pem, size_t *len)
{
	return write_pem(&c, 1, pem, len);
}

int
cert_chain_to_pem(const struct cert_chain *chain, char **pem, size_t *len)
{
	return write_pem((const struct cert *const *)chain->v, chain->n, pem,
	    len);
}

/* The acmeIdentifier extension: critical, an OCTET STRING of the digest. */
static X509_EXTENSION *
acme_identifier_ext(const char *keyauth)
{
	unsigned char digest[DIGEST_MAX], value[2 + 32];
	ASN1_OBJECT *obj = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;

	if (digest_hash(DIGEST_SHA256, keyauth, strlen(keyauth), digest) < 0)
		return NULL;
	/* extnValue holds the DER of `Authorization ::= OCTET STRING (SIZE (32))` */
	value[0] = V_ASN1_OCTET_STRING;
	value[1] = 32;
	memcpy(value + 2, digest, 32);
	if ((obj = OBJ_txt2obj(OID_ACME_IDENTIFIER, 1)) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, value, sizeof(value)) ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, os)) == NULL)
		crypto_ossl_err("cannot build the acmeIdentifier extension");
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return ext;
}

struct cert *
cert_alpn_create(const struct key *key, const struct ident *id,
    const char *keyauth)
{
	struct ident_list one = { (struct ident *)id, 1 };
	struct cert *c = NULL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	X509_EXTENSION *san = NULL, *acme = NULL;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	/* The identifier goes in the subjectAltName only (RFC 8737 §3): a
	 * CN holds at most 64 characters, a DNS name up to 253. */
	const char *cn = "acme-tls";

	if ((x = X509_new()) == NULL ||
	    !X509_set_version(x, X509_VERSION_3) ||
	    (bn = BN_new()) == NULL ||
	    !BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_set_serialNumber(x, serial) ||
	    (name = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, name) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 7 * 86400) == NULL ||
	    !X509_set_pubkey(x, key->pkey)) {
		crypto_ossl_err("cannot build the tls-alpn-01 certificate");
		goto out;
	}
	if ((san = crypto_san_extension(&one)) == NULL ||
	    (acme = acme_identifier_ext(keyauth)) == NULL)
		goto out;
	if (!X509_add_ext(x, san, -1) || !X509_add_ext(x, acme, -1) ||
	    X509_sign(x, key->pkey, crypto_key_md(key)) <= 0) {
		crypto_ossl_err("cannot sign the tls-alpn-01 certificate");
		goto out;
	}
	c = crypto_cert_wrap(x);
	x = NULL; /* owned by c, or freed by crypto_cert_wrap() */
out:
	X509_EXTENSION_free(san);
	X509_EXTENSION_free(acme);
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(x);
	return c;
}
