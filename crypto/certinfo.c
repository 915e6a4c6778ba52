/* A certificate's names as text, for the annotations of a Secret. */

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/certinfo.h"
#include "crypto/internal.h"

static int
add(struct cert_values *out, const unsigned char *s, size_t len)
{
	char **v, *copy;

	if ((copy = malloc(len + 1)) == NULL ||
	    (v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL) {
		free(copy);
		crypto_seterr("out of memory");
		return -1;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	out->v = v;
	out->v[out->n++] = copy;
	return 0;
}

/* The subject attributes of nid; only the last one if last. */
static int
subject(const struct cert *c, int nid, int last, struct cert_values *out)
{
	const X509_NAME *name = X509_get_subject_name(c->x);
	unsigned char *utf8;
	int i = -1, len, rc = 0, found = -1;

	while ((i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
		if (last) {
			found = i;
			continue;
		}
		if ((len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(name, i)))) < 0) {
			crypto_ossl_err("malformed subject attribute");
			return -1;
		}
		rc = add(out, utf8, (size_t)len);
		OPENSSL_free(utf8);
		if (rc < 0)
			return -1;
	}
	if (found < 0)
		return 0;
	if ((len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, found)))) < 0) {
		crypto_ossl_err("malformed subject attribute");
		return -1;
	}
	rc = add(out, utf8, (size_t)len);
	OPENSSL_free(utf8);
	return rc;
}

/* One subjectAltName of type, as text. */
static int
san_text(const GENERAL_NAME *gen, struct cert_values *out)
{
	const ASN1_STRING *s;
	char ip[INET6_ADDRSTRLEN];

	if (gen->type != GEN_IPADD) {
		s = gen->d.ia5;
		return add(out, ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s));
	}
	if (crypto_san_ip(gen, ip) < 0)
		return -1;
	return add(out, (const unsigned char *)ip, strlen(ip));
}

static int
sans(const struct cert *c, int type, struct cert_values *out)
{
	GENERAL_NAMES *gens;
	int i, rc = 0;

	if (crypto_san_get(c->x, &gens) < 0)
		return -1;
	if (gens == NULL)
		return 0;
	for (i = 0; rc == 0 && i < sk_GENERAL_NAME_num(gens); i++)
		if (sk_GENERAL_NAME_value(gens, i)->type == type)
			rc = san_text(sk_GENERAL_NAME_value(gens, i), out);
	GENERAL_NAMES_free(gens);
	return rc;
}

int
cert_values(const struct cert *c, enum cert_field f, struct cert_values *out)
{
	static const int nids[] = {
		[CERT_F_CN] = NID_commonName,
		[CERT_F_SERIALNUMBER] = NID_serialNumber,
		[CERT_F_O] = NID_organizationName,
		[CERT_F_OU] = NID_organizationalUnitName,
		[CERT_F_C] = NID_countryName,
		[CERT_F_ST] = NID_stateOrProvinceName,
		[CERT_F_L] = NID_localityName,
		[CERT_F_POSTALCODE] = NID_postalCode,
		[CERT_F_STREET] = NID_streetAddress,
	};

	switch (f) {
	case CERT_F_SAN_EMAIL:
		return sans(c, GEN_EMAIL, out);
	case CERT_F_SAN_DNS:
		return sans(c, GEN_DNS, out);
	case CERT_F_SAN_IP:
		return sans(c, GEN_IPADD, out);
	case CERT_F_SAN_URI:
		return sans(c, GEN_URI, out);
	default:
		return subject(c, nids[f], f == CERT_F_CN ||
		    f == CERT_F_SERIALNUMBER, out);
	}
}

void
cert_values_free(struct cert_values *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		free(out->v[i]);
	free(out->v);
	out->v = NULL;
	out->n = 0;
}
