/*
 * Certificates signed by acmec itself, as cert-manager's Go signer
 * (crypto/x509.CreateCertificate with cert-manager's template) encodes
 * them.  Facts from cert-manager's pkg/util/pki (the template: basic
 * constraints always, default key usages, SAN critical for an empty
 * subject, 128-bit random serial) and Go's crypto/x509 (extension order,
 * subject attribute order, SKID for CA certificates, AKID from the
 * parent, signature algorithm by key).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/certgen.h"
#include "crypto/internal.h"
#include "crypto/key.h"
#include "crypto/rand.h"

/* Go's pkix.Name order; the common name goes between OU and serial. */
static const char *const go_order[] = { "C", "ST", "L", "street",
	"postalCode", "O", "OU", "CN", "serialNumber", NULL };

/* PrintableString's characters (X.680 §41.4), as Go chooses it. */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(" '()+,-./:=?", *s) !=
		    NULL))
			return false;
	return true;
}

/* Add one attribute (set 0: a new RDN, -1: the RDN before). */
static bool
add_attr(X509_NAME *name, const char *type, const char *v, int set)
{
	if (strcmp(type, "SERIALNUMBER") == 0)
		type = "serialNumber";
	else if (strcmp(type, "STREET") == 0)
		type = "street";
	return X509_NAME_add_entry_by_txt(name, type, printable(v) ?
	    V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING,
	    (const unsigned char *)v, -1, -1, set) == 1;
}

/*
 * The string inside hex, a BER-encoded string value (#hex in RFC 4514),
 * as go-ldap reads it; NULL if it is no string.
 */
static char *
ber_string(const char *hex)
{
	size_t n = strlen(hex) / 2, i;
	unsigned char *der = malloc(n + 1);
	const unsigned char *p = der;
	ASN1_TYPE *t = NULL;
	char *out = NULL;
	unsigned int b;

	for (i = 0; der != NULL && i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			goto out;
		der[i] = (unsigned char)b;
	}
	if (der == NULL || (t = d2i_ASN1_TYPE(NULL, &p, (long)n)) == NULL ||
	    p != der + n || !(t->type == V_ASN1_UTF8STRING ||
	    t->type == V_ASN1_PRINTABLESTRING || t->type == V_ASN1_IA5STRING ||
	    t->type == V_ASN1_T61STRING || t->type == V_ASN1_VISIBLESTRING ||
	    t->type == V_ASN1_NUMERICSTRING || t->type == V_ASN1_OCTET_STRING))
		goto out;
	if ((out = calloc(1, (size_t)t->value.asn1_string->length + 1)) != NULL)
		memcpy(out, t->value.asn1_string->data,
		    (size_t)t->value.asn1_string->length);
	if (out != NULL && strlen(out) != (size_t)t->value.asn1_string->length) {
		free(out); /* a NUL inside */
		out = NULL;
	}
out:
	ASN1_TYPE_free(t);
	free(der);
	return out;
}

/* A literal subject: the string's RDNs last first, each kept whole. */
static X509_NAME *
literal(const struct certgen *g)
{
	X509_NAME *name = X509_NAME_new();
	size_t end = g->nrdns, start, i;
	char *type, *v, *str = NULL;
	bool ok = name != NULL, ber;

	while (ok && end > 0) {
		for (start = end - 1; start > 0 && g->rdns[start][0] == '+';
		    start--)
			;
		for (i = start; ok && i < end; i++) {
			type = strdup(g->rdns[i] + 1);
			v = type ? strpbrk(type, "\1\2") : NULL;
			ber = v != NULL && *v == '\2';
			if (v != NULL)
				*v++ = '\0';
			if (v == NULL) {
				crypto_seterr("out of memory");
				ok = false;
			} else if (ber && (v = str = ber_string(v)) == NULL) {
				crypto_seterr("the literalSubject value of %s "
				    "is no BER string", type);
				ok = false;
			} else if (!add_attr(name, type, v, i == start ? 0 :
			    -1)) {
				crypto_ossl_err("cannot encode the "
				    "literalSubject's %s", type);
				ok = false;
			}
			free(str);
			str = NULL;
			free(type);
		}
		end = start;
	}
	if (!ok) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* The subject: one RDN per attribute name, its values together. */
static X509_NAME *
subject(const struct certgen *g)
{
	X509_NAME *name = X509_NAME_new();
	const char *v;
	size_t k, i;
	int set;

	if (g->nrdns > 0) {
		X509_NAME_free(name);
		return literal(g);
	}
	for (k = 0; name != NULL && go_order[k] != NULL; k++) {
		set = 0;
		for (i = 0; i < g->nattrs + 1; i++) {
			if (i < g->nattrs && strcmp(g->attr_names[i],
			    go_order[k]) == 0)
				v = g->attr_values[i];
			else if (i == g->nattrs && strcmp(go_order[k], "CN") ==
			    0 && g->common_name != NULL)
				v = g->common_name;
			else
				continue;
			if (!add_attr(name, go_order[k], v, set)) {
				crypto_ossl_err("cannot encode the subject's %s",
				    go_order[k]);
				X509_NAME_free(name);
				return NULL;
			}
			set = -1; /* the next value joins this RDN */
		}
	}
	return name;
}

/* Append an IA5 name (URI, email) of type to gens. */
static bool
push_ia5(GENERAL_NAMES *gens, int type, const char *s)
{
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

	if (gen == NULL || ia5 == NULL || !ASN1_STRING_set(ia5, s, -1)) {
		GENERAL_NAME_free(gen);
		ASN1_IA5STRING_free(ia5);
		return false;
	}
	GENERAL_NAME_set0_value(gen, type, ia5);
	if (!sk_GENERAL_NAME_push(gens, gen)) {
		GENERAL_NAME_free(gen);
		return false;
	}
	return true;
}

/* Append an otherName (type-id oid, a UTF8String value) to gens. */
static bool
push_other(GENERAL_NAMES *gens, const char *oid, const char *value)
{
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_OBJECT *id = OBJ_txt2obj(oid, 1);
	ASN1_TYPE *val = ASN1_TYPE_new();
	ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();

	if (gen == NULL || id == NULL || val == NULL || u == NULL ||
	    !ASN1_STRING_set(u, value, -1)) {
		GENERAL_NAME_free(gen);
		ASN1_OBJECT_free(id);
		ASN1_TYPE_free(val);
		ASN1_UTF8STRING_free(u);
		return false;
	}
	ASN1_TYPE_set(val, V_ASN1_UTF8STRING, u);
	if (!GENERAL_NAME_set0_othername(gen, id, val)) {
		ASN1_OBJECT_free(id);
		ASN1_TYPE_free(val);
		GENERAL_NAME_free(gen);
		return false;
	}
	if (!sk_GENERAL_NAME_push(gens, gen)) {
		GENERAL_NAME_free(gen);
		return false;
	}
	return true;
}

/* Append the identifiers of one type to gens. */
static bool
push_ids(GENERAL_NAMES *gens, const struct ident_list *ids,
    enum ident_type type)
{
	GENERAL_NAME *gen;
	size_t i;

	for (i = 0; ids != NULL && i < ids->n; i++) {
		if (ids->v[i].type != type)
			continue;
		if ((gen = crypto_general_name(&ids->v[i])) == NULL)
			return false;
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			return false;
		}
	}
	return true;
}

/*
 * The subjectAltName in cert-manager's order (DNS names, emails, IP
 * addresses, URIs, otherNames), or NULL (*none set if there is no name).
 */
static X509_EXTENSION *
san(const struct certgen *g, bool critical, bool *none)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	X509_EXTENSION *ext = NULL;
	bool ok = gens != NULL && push_ids(gens, g->ids, IDENT_DNS);
	size_t i;

	for (i = 0; ok && i < g->nemails; i++)
		ok = push_ia5(gens, GEN_EMAIL, g->emails[i]);
	ok = ok && push_ids(gens, g->ids, IDENT_IP);
	for (i = 0; ok && i < g->nuris; i++)
		ok = push_ia5(gens, GEN_URI, g->uris[i]);
	for (i = 0; ok && i < g->nother; i++)
		ok = push_other(gens, g->other_oids[i], g->other_values[i]);
	*none = ok && sk_GENERAL_NAME_num(gens) == 0;
	if (ok && !*none)
		ext = X509V3_EXT_i2d(NID_subject_alt_name, critical, gens);
	GENERAL_NAMES_free(gens);
	return ext;
}

/* name: "critical,a,b" style value from bits/words, or "" if none. */
static void
ku_text(unsigned ku, char *buf, size_t size)
{
	static const char *const names[] = { "digitalSignature",
		"nonRepudiation", "keyEncipherment", "dataEncipherment",
		"keyAgreement", "keyCertSign", "cRLSign", "encipherOnly",
		"decipherOnly" };
	size_t i;

	snprintf(buf, size, "critical");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ku & (1u << i)) {
			strncat(buf, ",", size - strlen(buf) - 1);
			strncat(buf, names[i], size - strlen(buf) - 1);
		}
}

/* "prefix"+"a,prefix"+"b"...: a comma list, for X509V3_EXT_conf_nid. */
static char *
joined(const char *prefix, const char *const *v, size_t n)
{
	size_t len = 1, i;
	char *out;

	for (i = 0; i < n; i++)
		len += strlen(prefix) + strlen(v[i]) + 1;
	if ((out = calloc(1, len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, ",");
		strcat(out, prefix);
		strcat(out, v[i]);
	}
	return out;
}

/* Add the extension nid with OpenSSL's config text value (if any). */
static bool
add_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext;
	bool ok;

	if (value == NULL)
		return false;
	if (*value == '\0')
		return true;
	ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	ok = ext != NULL && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* The authorityInfoAccess value: OCSP servers, then issuing CA URLs. */
static char *
aia_text(const struct certgen *g)
{
	char *ocsp = joined("OCSP;URI:", g->ocsp_urls, g->nocsp);
	char *ca = joined("caIssuers;URI:", g->issuer_urls, g->nissuer);
	char *out = NULL;
	size_t len;

	if (ocsp != NULL && ca != NULL) {
		len = strlen(ocsp) + strlen(ca) + 2;
		if ((out = calloc(1, len)) != NULL)
			snprintf(out, len, "%s%s%s", ocsp, *ocsp && *ca ? "," :
			    "", ca);
	}
	free(ocsp);
	free(ca);
	return out;
}

/* The extensions, in the order Go writes them. */
static bool
extensions(X509 *x, X509 *parent, const struct certgen *g, bool empty_subject)
{
	X509V3_CTX ctx;
	X509_EXTENSION *alt;
	char ku[200], *eku, *aia, *crl, *nc, *ncv = NULL;
	bool ok, none = false;

	X509V3_set_ctx(&ctx, parent, x, NULL, NULL, 0);
	ku_text(g->key_usage, ku, sizeof(ku));
	eku = joined("", g->ext_usages, g->next_usages);
	aia = aia_text(g);
	crl = joined("URI:", g->crl_urls, g->ncrl);
	nc = joined("", g->name_constraints, g->nnc);
	if (nc != NULL && *nc != '\0' && (ncv = calloc(1, strlen(nc) + 10)) !=
	    NULL)
		snprintf(ncv, strlen(nc) + 10, "%s%s", g->nc_critical ?
		    "critical," : "", nc);
	ok = add_conf(x, &ctx, NID_key_usage, g->key_usage ? ku : "") &&
	    add_conf(x, &ctx, NID_ext_key_usage, eku) &&
	    add_conf(x, &ctx, NID_basic_constraints, g->is_ca ?
	    "critical,CA:TRUE" : "critical,CA:FALSE") &&
	    add_conf(x, &ctx, NID_subject_key_identifier, g->is_ca ? "hash" :
	    "") &&
	    add_conf(x, &ctx, NID_authority_key_identifier, parent != x ?
	    "keyid" : "") &&
	    add_conf(x, &ctx, NID_info_access, aia);
	if (ok) {
		alt = san(g, empty_subject, &none);
		ok = none || (alt != NULL && X509_add_ext(x, alt, -1));
		X509_EXTENSION_free(alt);
	}
	ok = ok && add_conf(x, &ctx, NID_name_constraints, ncv ? ncv : nc) &&
	    add_conf(x, &ctx, NID_crl_distribution_points, crl);
	free(nc);
	free(ncv);
	free(eku);
	free(aia);
	free(crl);
	return ok;
}

/* The digest cert-manager's signer uses with key. */
static const EVP_MD *
sign_md(const struct key *key)
{
	int bits = key_bits(key);

	if (key->type != KEY_RSA)
		return crypto_key_md(key);
	return bits >= 4096 ? EVP_sha512() : bits >= 3072 ? EVP_sha384() :
	    EVP_sha256();
}

/* A random positive 128-bit serial number. */
static bool
serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	bool ok;

	if (rand_bytes(b, sizeof(b)) < 0)
		return false;
	b[0] &= 0x7f;
	b[0] |= 0x01; /* never zero, never negative */
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn,
	    X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

struct cert *
certgen_sign(const struct certgen *g, const struct key *issuer_key,
    const struct cert *issuer)
{
	X509 *x;
	X509_NAME *name;
	bool ok;

	if ((name = subject(g)) == NULL)
		return NULL; /* reported */
	x = X509_new();
	ok = x != NULL && X509_set_version(x, X509_VERSION_3) &&
	    serial(x) && X509_set_subject_name(x, name) &&
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) :
	    name) && ASN1_TIME_set(X509_getm_notBefore(x), g->not_before) &&
	    ASN1_TIME_set(X509_getm_notAfter(x), g->not_after) &&
	    X509_set_pubkey(x, g->key->pkey) &&
	    extensions(x, issuer ? issuer->x : x, g,
	    X509_NAME_entry_count(name) == 0) &&
	    X509_sign(x, issuer_key->pkey, sign_md(issuer_key)) > 0;
	X509_NAME_free(name);
	if (!ok) {
		crypto_ossl_err("cannot make the certificate");
		X509_free(x);
		return NULL;
	}
	return crypto_cert_wrap(x);
}

bool
cert_self_signed(const struct cert *c)
{
	EVP_PKEY *pub = X509_get0_pubkey(c->x);
	bool yes;

	yes = X509_NAME_cmp(X509_get_subject_name(c->x),
	    X509_get_issuer_name(c->x)) == 0 && pub != NULL &&
	    X509_verify(c->x, pub) == 1;
	ERR_clear_error();
	return yes;
}

bool
cert_is_ca(const struct cert *c)
{
	return X509_check_ca(c->x) == 1;
}

/* The request's extensions: key usages (if asked) and the SAN. */
static STACK_OF(X509_EXTENSION) *
csr_extensions(const struct certgen *g, bool usages, bool empty_subject)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *ext = NULL;
	char ku[200], *eku = joined("", g->ext_usages, g->next_usages);
	bool ok = exts != NULL && eku != NULL, none;

	ku_text(g->key_usage, ku, sizeof(ku));
	if (ok && usages && g->key_usage != 0)
		ok = (ext = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage,
		    ku)) != NULL && sk_X509_EXTENSION_push(exts, ext);
	if (ok && usages && *eku != '\0')
		ok = (ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage,
		    eku)) != NULL && sk_X509_EXTENSION_push(exts, ext);
	if (ok && (ext = san(g, empty_subject, &none)) != NULL)
		ok = sk_X509_EXTENSION_push(exts, ext);
	else if (ok && !none)
		ok = false;
	free(eku);
	if (!ok) {
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		return NULL;
	}
	return exts;
}

int
certgen_csr(const struct certgen *g, bool usages, unsigned char **der,
    size_t *derlen)
{
	X509_REQ *req;
	X509_NAME *name;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	unsigned char *buf = NULL;
	int len = 0;
	bool ok;

	*der = NULL;
	*derlen = 0;
	if ((name = subject(g)) == NULL)
		return -1; /* reported */
	req = X509_REQ_new();
	ok = req != NULL &&
	    X509_REQ_set_version(req, X509_REQ_VERSION_1) &&
	    X509_REQ_set_subject_name(req, name) &&
	    X509_REQ_set_pubkey(req, g->key->pkey) &&
	    (exts = csr_extensions(g, usages,
	    X509_NAME_entry_count(name) == 0)) != NULL &&
	    X509_REQ_add_extensions(req, exts) &&
	    X509_REQ_sign(req, g->key->pkey, crypto_key_md(g->key)) > 0 &&
	    (len = i2d_X509_REQ(req, &buf)) > 0 &&
	    (*der = malloc((size_t)len)) != NULL;
	if (ok) {
		memcpy(*der, buf, (size_t)len);
		*derlen = (size_t)len;
	} else {
		crypto_ossl_err("cannot build the certificate request");
	}
	OPENSSL_free(buf);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return ok ? 0 : -1;
}

/* Does c's subject hold the attribute sn with value v? */
bool
cert_has_attr(const struct cert *c, const char *sn, const char *v)
{
	const X509_NAME *name = X509_get_subject_name(c->x);
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *d;
	int nid = OBJ_txt2nid(sn), i = -1;

	while ((i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
		e = X509_NAME_get_entry(name, i);
		d = X509_NAME_ENTRY_get_data(e);
		if ((size_t)ASN1_STRING_length(d) == strlen(v) &&
		    memcmp(ASN1_STRING_get0_data(d), v, strlen(v)) == 0)
			return true;
	}
	return false;
}

/* Does c's subjectAltName hold the email address or URI v? */
bool
cert_has_name(const struct cert *c, bool uri, const char *v)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(c->x, NID_subject_alt_name,
	    NULL, NULL);
	const GENERAL_NAME *gen;
	const ASN1_IA5STRING *s;
	bool found = false;
	int i;

	for (i = 0; !found && i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type != (uri ? GEN_URI : GEN_EMAIL))
			continue;
		s = uri ? gen->d.uniformResourceIdentifier : gen->d.rfc822Name;
		found = (size_t)ASN1_STRING_length(s) == strlen(v) &&
		    memcmp(ASN1_STRING_get0_data(s), v, strlen(v)) == 0;
	}
	GENERAL_NAMES_free(gens);
	return found;
}
