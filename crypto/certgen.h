#ifndef ACMEC_CRYPTO_CERTGEN_H
#define ACMEC_CRYPTO_CERTGEN_H

/*
 * Certificates signed here (cert-manager's SelfSigned and CA issuers),
 * encoded as cert-manager's Go signer encodes them: subject attributes in
 * Go's order (one RDN per attribute, its values together), basic
 * constraints always (critical), key usage (critical), extended key
 * usage, a subject key identifier on CA certificates, the authority key
 * identifier from the issuer's, the subjectAltName (critical when the
 * subject is empty; otherNames as UTF8String values), name constraints; RSA signs with SHA-256/384/512 by key size, ECDSA
 * by curve.  No I/O.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "crypto/ident.h"

struct key;
struct cert;

/* Key usage bits, as numbered in RFC 5280 §4.2.1.3. */
enum {
	CG_KU_DIGITAL_SIGNATURE = 1 << 0,
	CG_KU_CONTENT_COMMITMENT = 1 << 1,
	CG_KU_KEY_ENCIPHERMENT = 1 << 2,
	CG_KU_DATA_ENCIPHERMENT = 1 << 3,
	CG_KU_KEY_AGREEMENT = 1 << 4,
	CG_KU_CERT_SIGN = 1 << 5,
	CG_KU_CRL_SIGN = 1 << 6,
	CG_KU_ENCIPHER_ONLY = 1 << 7,
	CG_KU_DECIPHER_ONLY = 1 << 8,
};

/* What the certificate says. */
struct certgen {
	const struct key *key; /* the subject's (public) key */
	const char *common_name; /* may be NULL */
	/*
	 * Subject attributes by OpenSSL short name ("C", "ST", "L",
	 * "street", "postalCode", "O", "OU", "serialNumber"), in any order:
	 * they are encoded in Go's order, values of one name in one RDN.
	 */
	const char *const *attr_names, *const *attr_values;
	size_t nattrs;
	/*
	 * Or a literal subject: its attributes in RFC 4514 string order,
	 * "+TYPE\1VALUE" joining the RDN before, ",TYPE\1VALUE" opening one,
	 * "\2HEX" instead of "\1VALUE" for a BER value (its string taken,
	 * as go-ldap's ParseDN takes it)
	 * (TYPE: C, O, OU, CN, SERIALNUMBER, L, ST, STREET, DC, UID or a
	 * dotted OID); encoded in reverse RDN order, as RFC 4514 asks.
	 */
	const char *const *rdns;
	size_t nrdns;
	const struct ident_list *ids; /* DNS names and IP addresses */
	const char *const *uris, *const *emails;
	size_t nuris, nemails;
	const char *const *other_oids, *const *other_values; /* otherNames */
	size_t nother;
	bool is_ca;
	unsigned key_usage;           /* CG_KU_* */
	const char *const *ext_usages; /* OpenSSL short names: serverAuth */
	size_t next_usages;
	const char *const *crl_urls, *const *ocsp_urls, *const *issuer_urls;
	size_t ncrl, nocsp, nissuer;
	/* nameConstraints in OpenSSL's words: "permitted;DNS:example.com" */
	const char *const *name_constraints;
	size_t nnc;
	bool nc_critical;
	time_t not_before, not_after;
};

/*
 * The certificate g describes, signed by issuer_key; issuer is the
 * issuing certificate, or NULL for a self-signed one (issuer_key is then
 * g->key).  NULL on failure (crypto_error() says why).
 */
struct cert *certgen_sign(const struct certgen *g, const struct key *issuer_key,
    const struct cert *issuer);

/*
 * The PKCS#10 request g describes, as cert-manager's GenerateCSR writes
 * it: the subject, the SAN (every kind of name), the key usages when
 * usages (encodeUsagesInRequest), signed with g->key.  *der: caller frees.
 */
int certgen_csr(const struct certgen *g, bool usages, unsigned char **der,
    size_t *derlen);

/* Does c's subject hold attribute sn ("O", "OU"...) with value v? */
bool cert_has_attr(const struct cert *c, const char *sn, const char *v);

/* Does c's subjectAltName hold the URI (uri) or email address v? */
bool cert_has_name(const struct cert *c, bool uri, const char *v);

/* Is c self-signed (its issuer is its subject and its key signed it)? */
bool cert_self_signed(const struct cert *c);

/* May c sign certificates (basic constraints CA, key usage allows it)? */
bool cert_is_ca(const struct cert *c);

#endif
