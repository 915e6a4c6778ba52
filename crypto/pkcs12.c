/*
 * PKCS#12 keystores as cert-manager writes them (go-pkcs12's encoders),
 * built from OpenSSL's PKCS#12 parts so that every parameter is ours.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "crypto/cert.h"
#include "crypto/internal.h"
#include "crypto/pbmac1.h"
#include "crypto/pkcs12.h"

/* Java's trusted-key-usage attribute (Oracle's arc). */
#define OID_JAVA_TRUST "2.16.840.1.113894.746875.1.1"

struct profile {
	int cert_nid, key_nid; /* a PKCS#12 PBE, or a cipher for PBES2 */
	const char *mac;       /* digest of the HMAC */
	int mac_iter, iter, saltlen;
	bool legacy;           /* needs OpenSSL's legacy provider (RC2) */
	bool pbmac1;           /* MAC: PBMAC1 with PBKDF2-HMAC-SHA-256 */
};

static const struct profile profiles[] = {
	[PKCS12_LEGACY_RC2] = { NID_pbe_WithSHA1And40BitRC2_CBC,
		NID_pbe_WithSHA1And3_Key_TripleDES_CBC, "SHA1", 1, 2048, 8,
		true, false },
	[PKCS12_LEGACY_DES] = { NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
		NID_pbe_WithSHA1And3_Key_TripleDES_CBC, "SHA1", 1, 2048, 8,
		false, false },
	[PKCS12_MODERN2023] = { NID_aes_256_cbc, NID_aes_256_cbc, "SHA256",
		2048, 2048, 16, false, false },
	[PKCS12_MODERN2026] = { NID_aes_256_cbc, NID_aes_256_cbc, "SHA256",
		2048, 2048, 16, false, true },
};

/* One run's OpenSSL state: its library context and the certificates. */
struct p12 {
	const struct profile *p;
	OSSL_LIB_CTX *ctx;
	OSSL_PROVIDER *prov[2];
	const char *pw;
	int pwlen;
	STACK_OF(PKCS12_SAFEBAG) *bags;
	STACK_OF(PKCS7) *safes;
};

/*
 * The password as go-pkcs12 takes it: UTF-8, every character in the Basic
 * Multilingual Plane (it encodes passwords as BMPString).
 */
static bool
bmp_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, n;
	uint32_t c;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* Not a lead byte, or past the BMP (4-byte forms). */
		if (p[i] < 0xc2 || p[i] >= 0xf0)
			return false;
		n = p[i] >= 0xe0 ? 2 : 1; /* continuation bytes */
		if (len - i <= n)
			return false;
		c = p[i] & (n == 1 ? 0x1f : 0x0f);
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int
p12_open(struct p12 *r, enum pkcs12_profile prof, const char *pw,
    size_t pwlen)
{
	memset(r, 0, sizeof(*r));
	if ((unsigned)prof >= sizeof(profiles) / sizeof(profiles[0])) {
		crypto_seterr("unknown PKCS#12 profile");
		return -1;
	}
	if (pwlen == 0 || pwlen > 4096 || !bmp_utf8(pw, pwlen)) {
		crypto_seterr("a PKCS#12 password must be UTF-8 text of 1 to "
		    "4096 bytes, every character in Unicode's Basic "
		    "Multilingual Plane (as go-pkcs12 encodes it)");
		return -1;
	}
	r->p = &profiles[prof];
	r->pw = pw;
	r->pwlen = (int)pwlen;
	r->bags = sk_PKCS12_SAFEBAG_new_null();
	r->safes = sk_PKCS7_new_null();
	if ((r->ctx = OSSL_LIB_CTX_new()) == NULL || r->bags == NULL ||
	    r->safes == NULL ||
	    (r->prov[0] = OSSL_PROVIDER_load(r->ctx, "default")) == NULL) {
		crypto_ossl_err("cannot set up OpenSSL for PKCS#12");
		return -1;
	}
	if (r->p->legacy &&
	    (r->prov[1] = OSSL_PROVIDER_load(r->ctx, "legacy")) == NULL) {
		crypto_ossl_err("LegacyRC2 encrypts with RC2, which needs "
		    "OpenSSL's legacy provider (legacy.so, in libssl3 on "
		    "Debian)");
		return -1;
	}
	return 0;
}

static void
p12_close(struct p12 *r)
{
	sk_PKCS12_SAFEBAG_pop_free(r->bags, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(r->safes, PKCS7_free);
	if (r->prov[1] != NULL)
		OSSL_PROVIDER_unload(r->prov[1]);
	if (r->prov[0] != NULL)
		OSSL_PROVIDER_unload(r->prov[0]);
	OSSL_LIB_CTX_free(r->ctx);
	memset(r, 0, sizeof(*r));
}

/* A certificate bag for c, added to r->bags; NULL on failure. */
static PKCS12_SAFEBAG *
add_cert(struct p12 *r, const struct cert *c)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	PKCS12_SAFEBAG *bag = NULL;
	X509 *x = NULL;
	size_t len;

	if (cert_to_der(c, &der, &len) < 0)
		return NULL;
	p = der;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    (bag = PKCS12_SAFEBAG_create_cert(x)) == NULL ||
	    !sk_PKCS12_SAFEBAG_push(r->bags, bag)) {
		crypto_ossl_err("cannot make a PKCS#12 certificate bag");
		PKCS12_SAFEBAG_free(bag);
		bag = NULL;
	}
	X509_free(x);
	free(der);
	return bag;
}

/* Is c's DER already in a bag of r? */
static bool
has_cert(const struct p12 *r, const struct cert *c)
{
	unsigned char *der = NULL, *d2;
	bool found = false;
	size_t len;
	X509 *x;
	int i, l2;

	if (cert_to_der(c, &der, &len) < 0)
		return false;
	for (i = 0; !found && i < sk_PKCS12_SAFEBAG_num(r->bags); i++) {
		x = PKCS12_SAFEBAG_get1_cert(sk_PKCS12_SAFEBAG_value(r->bags,
		    i));
		d2 = NULL;
		if (x != NULL && (l2 = i2d_X509(x, &d2)) > 0 &&
		    (size_t)l2 == len && memcmp(d2, der, len) == 0)
			found = true;
		OPENSSL_free(d2);
		X509_free(x);
	}
	free(der);
	return found;
}

/* The certificate bags of r, encrypted with the profile's algorithm. */
static int
seal_certs(struct p12 *r)
{
	PKCS7 *p7;

	p7 = PKCS12_pack_p7encdata_ex(r->p->cert_nid, r->pw, r->pwlen, NULL,
	    r->p->saltlen, r->p->iter, r->bags, r->ctx, NULL);
	if (p7 == NULL || !sk_PKCS7_push(r->safes, p7)) {
		PKCS7_free(p7);
		crypto_ossl_err("cannot encrypt the PKCS#12 certificates");
		return -1;
	}
	sk_PKCS12_SAFEBAG_pop_free(r->bags, PKCS12_SAFEBAG_free);
	r->bags = sk_PKCS12_SAFEBAG_new_null();
	return r->bags != NULL ? 0 : -1;
}

/* The PFX of r's safes, with its MAC, DER-encoded into *out. */
static int
finish(struct p12 *r, unsigned char **out, size_t *outlen)
{
	PKCS12 *p12 = NULL;
	EVP_MD *md = NULL;
	unsigned char *der = NULL;
	int len = 0, rc = -1;

	if ((p12 = PKCS12_add_safes_ex(r->safes, NID_pkcs7_data, r->ctx,
	    NULL)) == NULL ||
	    (md = EVP_MD_fetch(r->ctx, r->p->mac, NULL)) == NULL ||
	    (!r->p->pbmac1 && !PKCS12_set_mac(p12, r->pw, r->pwlen, NULL,
	    r->p->saltlen, r->p->mac_iter, md)) ||
	    (len = i2d_PKCS12(p12, &der)) <= 0) {
		crypto_ossl_err("cannot encode the PKCS#12 file");
		goto out;
	}
	if (r->p->pbmac1) {
		/* OpenSSL 3.0 has no PBMAC1: the MacData is added here. */
		rc = pbmac1_seal(der, (size_t)len, r->pw, (size_t)r->pwlen,
		    NULL, (size_t)r->p->saltlen, r->p->mac_iter, out, outlen);
		goto out;
	}
	if ((*out = malloc((size_t)len)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	memcpy(*out, der, (size_t)len);
	*outlen = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(der);
	EVP_MD_free(md);
	PKCS12_free(p12);
	return rc;
}

/* The shrouded key bag, with localKeyId id, in a plain safe of its own. */
static int
key_safe(struct p12 *r, const struct key *key, unsigned char *id)
{
	STACK_OF(PKCS12_SAFEBAG) *kb = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	PKCS12_SAFEBAG *bag = NULL;
	PKCS7 *p7 = NULL;
	int rc = -1;

	if ((p8 = EVP_PKEY2PKCS8(key->pkey)) == NULL ||
	    (bag = PKCS12_SAFEBAG_create_pkcs8_encrypt_ex(r->p->key_nid,
	    r->pw, r->pwlen, NULL, r->p->saltlen, r->p->iter, p8, r->ctx,
	    NULL)) == NULL ||
	    !PKCS12_add_localkeyid(bag, id, SHA_DIGEST_LENGTH) ||
	    (kb = sk_PKCS12_SAFEBAG_new_null()) == NULL ||
	    !sk_PKCS12_SAFEBAG_push(kb, bag)) {
		PKCS12_SAFEBAG_free(bag);
		crypto_ossl_err("cannot encrypt the key for PKCS#12");
		goto out;
	}
	if ((p7 = PKCS12_pack_p7data(kb)) == NULL ||
	    !sk_PKCS7_push(r->safes, p7)) {
		PKCS7_free(p7);
		crypto_ossl_err("cannot encode the PKCS#12 key");
		goto out;
	}
	rc = 0;
out:
	sk_PKCS12_SAFEBAG_pop_free(kb, PKCS12_SAFEBAG_free);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return rc;
}

int
pkcs12_keystore(enum pkcs12_profile prof, const char *pw, size_t pwlen,
    const struct key *key, const struct cert_chain *chain,
    const struct cert_chain *cas, unsigned char **out, size_t *outlen)
{
	unsigned char id[SHA_DIGEST_LENGTH], *der = NULL;
	PKCS12_SAFEBAG *leaf;
	struct p12 r;
	size_t i, len;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (chain->n == 0) {
		crypto_seterr("a keystore needs a certificate");
		return -1;
	}
	if (p12_open(&r, prof, pw, pwlen) < 0)
		goto out;
	/* go-pkcs12: the key and its certificate share SHA-1(cert DER). */
	if (cert_to_der(chain->v[0], &der, &len) < 0 ||
	    SHA1(der, len, id) == NULL ||
	    (leaf = add_cert(&r, chain->v[0])) == NULL ||
	    !PKCS12_add_localkeyid(leaf, id, sizeof(id)))
		goto out;
	for (i = 1; i < chain->n; i++)
		if (!has_cert(&r, chain->v[i]) && add_cert(&r, chain->v[i]) ==
		    NULL)
			goto out;
	for (i = 0; cas != NULL && i < cas->n; i++)
		if (!has_cert(&r, cas->v[i]) && add_cert(&r, cas->v[i]) ==
		    NULL)
			goto out;
	if (seal_certs(&r) < 0 || key_safe(&r, key, id) < 0 ||
	    finish(&r, out, outlen) < 0)
		goto out;
	rc = 0;
out:
	free(der);
	p12_close(&r);
	return rc;
}

/* Java's trust attribute and the Go-printed subject on bag. */
static int
trust_attrs(PKCS12_SAFEBAG *bag, const struct cert *c)
{
	unsigned char *der = NULL;
	char *name = NULL;
	size_t len;
	int rc = -1;

	if (cert_to_der(c, &der, &len) < 0 ||
	    (name = pkcs12_go_name(der, len)) == NULL)
		goto out;
	if (!PKCS12_add1_attr_by_txt(bag, OID_JAVA_TRUST, V_ASN1_OBJECT,
	    (const unsigned char *)OBJ_nid2obj(NID_anyExtendedKeyUsage), -1) ||
	    !PKCS12_add_friendlyname_utf8(bag, name, -1)) {
		crypto_ossl_err("cannot label a PKCS#12 trusted certificate");
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(der);
	return rc;
}

int
pkcs12_truststore(enum pkcs12_profile prof, const char *pw, size_t pwlen,
    const struct cert_chain *cas, unsigned char **out, size_t *outlen)
{
	PKCS12_SAFEBAG *bag;
	struct p12 r;
	size_t i;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (p12_open(&r, prof, pw, pwlen) < 0)
		goto out;
	for (i = 0; i < cas->n; i++)
		if ((bag = add_cert(&r, cas->v[i])) == NULL ||
		    trust_attrs(bag, cas->v[i]) < 0)
			goto out;
	if (seal_certs(&r) < 0 || finish(&r, out, outlen) < 0)
		goto out;
	rc = 0;
out:
	p12_close(&r);
	return rc;
}

/* ---- the subject as Go prints it (pkix.Name.String()) ---- */

/* The types Go names, in the order of its Name.ToRDNSequence(). */
static const struct {
	int nid;
	const char *name;
	bool last_only; /* a single field in pkix.Name: the last value wins */
} go_types[] = {
	{ NID_countryName, "C", false },
	{ NID_stateOrProvinceName, "ST", false },
	{ NID_localityName, "L", false },
	{ NID_streetAddress, "STREET", false },
	{ NID_postalCode, "POSTALCODE", false },
	{ NID_organizationName, "O", false },
	{ NID_organizationalUnitName, "OU", false },
	{ NID_commonName, "CN", true },
	{ NID_serialNumber, "SERIALNUMBER", true },
};
#define NGO (sizeof(go_types) / sizeof(go_types[0]))

static void
sb_str(struct crypto_buf *b, const char *s)
{
	crypto_buf_add(b, s, strlen(s));
}

/* Does Go's asn1 read this universal type into a string? */
static bool
go_string_type(int t)
{
	return t == V_ASN1_PRINTABLESTRING || t == V_ASN1_IA5STRING ||
	    t == V_ASN1_T61STRING || t == V_ASN1_UTF8STRING ||
	    t == V_ASN1_NUMERICSTRING || t == V_ASN1_BMPSTRING;
}

/* A value of a type Go names, escaped as RDNSequence.String() does. */
static void
go_value(struct crypto_buf *b, const ASN1_STRING *v)
{
	unsigned char *u = NULL;
	int n, k;
	char e[2] = { '\\', 0 };

	if ((n = ASN1_STRING_to_UTF8(&u, v)) < 0) {
		b->bad = true;
		return;
	}
	for (k = 0; k < n; k++) {
		e[1] = (char)u[k];
		if (strchr(",+\"\\<>;", u[k]) != NULL ||
		    (u[k] == ' ' && (k == 0 || k == n - 1)) ||
		    (u[k] == '#' && k == 0))
			crypto_buf_add(b, e, 2);
		else
			crypto_buf_add(b, &u[k], 1);
	}
	OPENSSL_free(u);
}

/* DER length octets of n into p; returns their count. */
static size_t
der_len(unsigned char *p, size_t n)
{
	size_t k = 0, i;

	if (n < 0x80) {
		p[0] = (unsigned char)n;
		return 1;
	}
	for (i = n; i > 0; i >>= 8)
		k++;
	p[0] = (unsigned char)(0x80 | k);
	for (i = 0; i < k; i++)
		p[1 + i] = (unsigned char)(n >> (8 * (k - 1 - i)));
	return k + 1;
}

/*
 * A type Go does not name: "OID=#" and the hex of the value's DER as Go
 * marshals it again (a string: PrintableString if its characters allow,
 * else UTF8String; anything else as it came).
 */
static void
go_other(struct crypto_buf *b, const X509_NAME_ENTRY *ent)
{
	const ASN1_STRING *v = X509_NAME_ENTRY_get_data(ent);
	unsigned char *u = NULL, hdr[8];
	const unsigned char *d = ASN1_STRING_get0_data(v);
	char oid[128], hx[3];
	int n = ASN1_STRING_length(v), tag = ASN1_STRING_type(v) & 0x1f, k;
	size_t h;

	OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(ent), 1);
	sb_str(b, oid);
	sb_str(b, "=#");
	if (go_string_type(ASN1_STRING_type(v))) {
		if ((n = ASN1_STRING_to_UTF8(&u, v)) < 0) {
			b->bad = true;
			return;
		}
		d = u;
		tag = V_ASN1_PRINTABLESTRING;
		for (k = 0; k < n; k++)
			if (!(isalnum(u[k]) && u[k] < 0x80) &&
			    strchr(" '()+,-./:=?", u[k]) == NULL)
				tag = V_ASN1_UTF8STRING;
	}
	hdr[0] = (unsigned char)tag;
	h = 1 + der_len(hdr + 1, (size_t)n);
	for (k = 0; k < (int)h + n; k++) {
		snprintf(hx, sizeof(hx), "%02x", k < (int)h ? hdr[k] :
		    d[k - (int)h]);
		crypto_buf_add(b, hx, 2);
	}
	OPENSSL_free(u);
}

/* The RDN of go_types[t]: its values in order, '+' between them. */
static void
go_rdn(struct crypto_buf *b, const X509_NAME *nm, size_t t, bool *first)
{
	const X509_NAME_ENTRY *ent, *last = NULL;
	int i;

	for (i = 0; i < X509_NAME_entry_count(nm); i++) {
		ent = X509_NAME_get_entry(nm, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) !=
		    go_types[t].nid ||
		    !go_string_type(ASN1_STRING_type(
		    X509_NAME_ENTRY_get_data(ent))))
			continue;
		if (go_types[t].last_only) {
			last = ent;
			continue;
		}
		sb_str(b, *first ? "" : (last != NULL ? "+" : ","));
		sb_str(b, go_types[t].name);
		sb_str(b, "=");
		go_value(b, X509_NAME_ENTRY_get_data(ent));
		*first = false;
		last = ent;
	}
	if (go_types[t].last_only && last != NULL) {
		sb_str(b, *first ? "" : ",");
		sb_str(b, go_types[t].name);
		sb_str(b, "=");
		go_value(b, X509_NAME_ENTRY_get_data(last));
		*first = false;
	}
}

static bool
go_named(int nid)
{
	size_t t;

	for (t = 0; t < NGO; t++)
		if (go_types[t].nid == nid)
			return true;
	return false;
}

char *
pkcs12_go_name(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	const X509_NAME *nm;
	const X509_NAME_ENTRY *ent;
	struct crypto_buf b = { 0 };
	bool first = true;
	X509 *x;
	size_t t;
	int i;

	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		crypto_ossl_err("not a certificate");
		return NULL;
	}
	nm = X509_get_subject_name(x);
	sb_str(&b, "");
	/* Printed last to first: Go's named types, then the others. */
	for (t = NGO; t-- > 0;)
		go_rdn(&b, nm, t, &first);
	for (i = X509_NAME_entry_count(nm); i-- > 0;) {
		ent = X509_NAME_get_entry(nm, i);
		if (go_named(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent))))
			continue;
		sb_str(&b, first ? "" : ",");
		go_other(&b, ent);
		first = false;
	}
	X509_free(x);
	if (b.bad) {
		free(b.p);
		crypto_seterr("out of memory");
		return NULL;
	}
	return (char *)b.p;
}
