/* subjectAltName and common names, shared by CSRs and certificates. */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "crypto/internal.h"

GENERAL_NAME *
crypto_general_name(const struct ident *id)
{
	GENERAL_NAME *gen = NULL;
	ASN1_IA5STRING *ia5 = NULL;
	ASN1_OCTET_STRING *ip = NULL;

	if ((gen = GENERAL_NAME_new()) == NULL)
		goto fail;
	if (id->type == IDENT_IP) {
		if ((ip = a2i_IPADDRESS(id->value)) == NULL) {
			crypto_seterr("'%s' is not an IP address", id->value);
			goto out;
		}
		GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
		return gen;
	}
	if ((ia5 = ASN1_IA5STRING_new()) == NULL ||
	    !ASN1_STRING_set(ia5, id->value, -1))
		goto fail;
	GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
	return gen;
fail:
	crypto_ossl_err("out of memory");
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	return NULL;
}

X509_EXTENSION *
crypto_san_extension(const struct ident_list *ids)
{
	GENERAL_NAMES *gens = NULL;
	GENERAL_NAME *gen;
	X509_EXTENSION *ext = NULL;
	size_t i;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL) {
		crypto_ossl_err("out of memory");
		return NULL;
	}
	for (i = 0; i < ids->n; i++) {
		if ((gen = crypto_general_name(&ids->v[i])) == NULL)
			goto out;
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			crypto_ossl_err("out of memory");
			goto out;
		}
	}
	if ((ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens)) == NULL)
		crypto_ossl_err("cannot encode subjectAltName");
out:
	GENERAL_NAMES_free(gens);
	return ext;
}

int
crypto_san_get(const X509 *x, GENERAL_NAMES **gens)
{
	int crit = 0;

	*gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (*gens == NULL && crit != -1) {
		crypto_ossl_err("malformed subjectAltName");
		return -1;
	}
	return 0;
}

int
crypto_san_ip(const GENERAL_NAME *gen, char *buf)
{
	const unsigned char *data = ASN1_STRING_get0_data(gen->d.iPAddress);
	int len = ASN1_STRING_length(gen->d.iPAddress);

	if ((len != 4 && len != 16) || inet_ntop(len == 4 ? AF_INET : AF_INET6,
	    data, buf, INET6_ADDRSTRLEN) == NULL) {
		crypto_seterr("malformed IP address in subjectAltName");
		return -1;
	}
	return 0;
}

int
crypto_san_read(const GENERAL_NAMES *gens, struct ident_list *ids)
{
	const GENERAL_NAME *gen;
	const unsigned char *data;
	char buf[INET6_ADDRSTRLEN], *dns;
	int i, j, len;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type == GEN_IPADD) {
			if (crypto_san_ip(gen, buf) < 0 ||
			    ident_list_add(ids, IDENT_IP, buf) < 0)
				return -1;
			continue;
		}
		if (gen->type != GEN_DNS) {
			crypto_seterr("subjectAltName holds a name that is "
			    "neither a DNS name nor an IP address; ACME "
			    "cannot validate it");
			return -1;
		}
		data = ASN1_STRING_get0_data(gen->d.dNSName);
		len = ASN1_STRING_length(gen->d.dNSName);
		if (len <= 0 || len > 253) {
			crypto_seterr("empty or over-long DNS name in "
			    "subjectAltName");
			return -1;
		}
		for (j = 0; j < len; j++)
			if (data[j] <= 0x20 || data[j] >= 0x7f) {
				crypto_seterr("DNS name in subjectAltName "
				    "holds a byte that is not printable "
				    "ASCII");
				return -1;
			}
		if ((dns = strndup((const char *)data, (size_t)len)) == NULL) {
			crypto_seterr("out of memory");
			return -1;
		}
		for (j = 0; j < len; j++)
			dns[j] = (char)tolower((unsigned char)dns[j]);
		j = ident_list_add(ids, IDENT_DNS, dns);
		free(dns);
		if (j < 0)
			return -1;
	}
	return 0;
}

int
crypto_name_cn(const X509_NAME *name, char **cn)
{
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int idx, len;

	*cn = NULL;
	idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx < 0)
		return 0;
	e = X509_NAME_get_entry(name, idx);
	if ((len = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(e))) < 0) {
		crypto_ossl_err("malformed common name");
		return -1;
	}
	if (memchr(utf8, '\0', (size_t)len) != NULL) {
		OPENSSL_free(utf8);
		crypto_seterr("common name holds a NUL byte");
		return -1;
	}
	*cn = strndup((const char *)utf8, (size_t)len);
	OPENSSL_free(utf8);
	if (*cn == NULL) {
		crypto_seterr("out of memory");
		return -1;
	}
	return 0;
}
