/*
 * PKCS#12 and JKS keystores.  Every file is read back independently of
 * crypto/: PKCS#12 with OpenSSL's own parser, JKS with the format walked
 * here by hand (checked first on a file keytool wrote, data/keytool.jks,
 * password "changeit").
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "acme/config/config.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/jks.h"
#include "crypto/key.h"
#include "crypto/pkcs12.h"
#include "tests/unit/unit.h"

#define PW "s3cret-pw"

static struct cert_chain
chain_of(const char *name)
{
	struct cert_chain chain;
	size_t len;
	char *pem = unit_read(name, &len);

	if (cert_chain_parse(pem, len, &chain) < 0)
		memset(&chain, 0, sizeof(chain));
	free(pem);
	return chain;
}

static struct key *
leaf_key(void)
{
	size_t len;
	char *pem = unit_read("leaf.key", &len);
	struct key *k = key_load_pem(pem, len);

	free(pem);
	return k;
}

/* The key's PKCS#8 DER, for comparing what comes back. */
static unsigned char *
p8_of(const struct key *k, size_t *len)
{
	unsigned char *der = NULL;

	if (key_save_der(k, KEY_ENC_PKCS8, &der, len) < 0)
		return NULL;
	return der;
}

static int
der_of(const struct cert *c, unsigned char **der, size_t *len)
{
	return cert_to_der(c, der, len);
}

/* ---- PKCS#12 ---- */

struct want {
	enum pkcs12_profile prof;
	int cert_nid, key_nid; /* PBE NIDs, or NID_pbes2 */
	int mac_nid, mac_iter, saltlen;
};

static const struct want wants[] = {
	{ PKCS12_LEGACY_RC2, NID_pbe_WithSHA1And40BitRC2_CBC,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_sha1, 1, 8 },
	{ PKCS12_LEGACY_DES, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_sha1, 1, 8 },
	{ PKCS12_MODERN2023, NID_pbes2, NID_pbes2, NID_sha256, 2048, 16 },
	{ PKCS12_MODERN2026, NID_pbes2, NID_pbes2, NID_pbmac1, 0, 16 },
};

/* alg is w's: PBE salt and 2048 iterations, or PBES2 as go-pkcs12. */
static void
check_alg(const X509_ALGOR *alg, int nid, int saltlen)
{
	const ASN1_OBJECT *obj;
	const void *pv;
	int ptype;

	X509_ALGOR_get0(&obj, &ptype, &pv, alg);
	CHECK(OBJ_obj2nid(obj) == nid);
	REQUIRE(ptype == V_ASN1_SEQUENCE);
	if (nid != NID_pbes2) {
		const ASN1_STRING *s = pv;
		const unsigned char *p = ASN1_STRING_get0_data(s);
		PBEPARAM *pbe = d2i_PBEPARAM(NULL, &p, ASN1_STRING_length(s));

		REQUIRE(pbe != NULL);
		CHECK(ASN1_STRING_length(pbe->salt) == saltlen);
		CHECK(ASN1_INTEGER_get(pbe->iter) == 2048);
		PBEPARAM_free(pbe);
	} else {
		const ASN1_STRING *s = pv;
		const unsigned char *p = ASN1_STRING_get0_data(s);
		PBE2PARAM *p2 = d2i_PBE2PARAM(NULL, &p, ASN1_STRING_length(s));
		PBKDF2PARAM *kdf;

		REQUIRE(p2 != NULL);
		CHECK(OBJ_obj2nid(p2->keyfunc->algorithm) == NID_id_pbkdf2);
		CHECK(OBJ_obj2nid(p2->encryption->algorithm) ==
		    NID_aes_256_cbc);
		kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
		    p2->keyfunc->parameter);
		REQUIRE(kdf != NULL);
		CHECK(kdf->salt->type == V_ASN1_OCTET_STRING &&
		    kdf->salt->value.octet_string->length == saltlen);
		CHECK(ASN1_INTEGER_get(kdf->iter) == 2048);
		CHECK(kdf->prf != NULL &&
		    OBJ_obj2nid(kdf->prf->algorithm) == NID_hmacWithSHA256);
		PBKDF2PARAM_free(kdf);
		PBE2PARAM_free(p2);
	}
}

/* The MAC is w's and verifies with PW only. */
static PKCS12 *
check_mac(const unsigned char *d, size_t len, const struct want *w)
{
	const ASN1_OCTET_STRING *salt;
	const ASN1_INTEGER *iter;
	const X509_ALGOR *macalg;
	const ASN1_OBJECT *obj;
	const unsigned char *p = d;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);

	if (p12 == NULL || !PKCS12_mac_present(p12)) {
		CHECK(!"a PKCS#12 file with a MAC");
		PKCS12_free(p12);
		return NULL;
	}
	PKCS12_get0_mac(NULL, &macalg, &salt, &iter, p12);
	X509_ALGOR_get0(&obj, NULL, NULL, macalg);
	CHECK(OBJ_obj2nid(obj) == w->mac_nid);
	if (w->mac_nid == NID_pbmac1) {
		/* OpenSSL 3.0 cannot verify it: test_pbmac1.c's verifier. */
		CHECK(ASN1_STRING_length(salt) == 0 && iter != NULL &&
		    ASN1_INTEGER_get(iter) == 0);
		CHECK(unit_pbmac1_verify(d, len, PW));
		CHECK(!unit_pbmac1_verify(d, len, "wrong"));
		return p12;
	}
	CHECK(ASN1_STRING_length(salt) == w->saltlen);
	/* An iteration count of 1 is DER's default: left out. */
	CHECK(w->mac_iter == 1 ? iter == NULL :
	    ASN1_INTEGER_get(iter) == w->mac_iter);
	CHECK(PKCS12_verify_mac(p12, PW, -1) == 1);
	CHECK(PKCS12_verify_mac(p12, "wrong", -1) == 0);
	return p12;
}

/* The certificates' safe: encrypted as w says; its bags. */
static STACK_OF(PKCS12_SAFEBAG) *
cert_safe(PKCS7 *p7, const struct want *w)
{
	CHECK(OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted);
	check_alg(p7->d.encrypted->enc_data->algorithm, w->cert_nid,
	    w->saltlen);
	return PKCS12_unpack_p7encdata(p7, PW, -1);
}

/* The localKeyId of bag equals id. */
static bool
has_local_key_id(const PKCS12_SAFEBAG *bag, const unsigned char *id)
{
	const ASN1_TYPE *t = PKCS12_get_attr_gen(PKCS12_SAFEBAG_get0_attrs(bag),
	    NID_localKeyID);

	return t != NULL && t->type == V_ASN1_OCTET_STRING &&
	    ASN1_STRING_length(t->value.octet_string) == SHA_DIGEST_LENGTH &&
	    memcmp(ASN1_STRING_get0_data(t->value.octet_string), id,
	    SHA_DIGEST_LENGTH) == 0;
}

/* The key safe: one shrouded bag, w's algorithm, the key k, id. */
static void
check_key_safe(PKCS7 *p7, const struct want *w, const struct key *k,
    const unsigned char *id)
{
	STACK_OF(PKCS12_SAFEBAG) *keys;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	const PKCS12_SAFEBAG *bag;
	const X509_ALGOR *alg;
	unsigned char *p8der = NULL, *kder;
	size_t kdlen = 0;
	int p8len;

	CHECK(OBJ_obj2nid(p7->type) == NID_pkcs7_data);
	keys = PKCS12_unpack_p7data(p7);
	REQUIRE(keys != NULL);
	if (sk_PKCS12_SAFEBAG_num(keys) != 1) {
		CHECK(!"one key bag");
		goto out;
	}
	bag = sk_PKCS12_SAFEBAG_value(keys, 0);
	CHECK(PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag);
	CHECK(has_local_key_id(bag, id));
	X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
	check_alg(alg, w->key_nid, w->saltlen);
	if ((p8 = PKCS12_decrypt_skey(bag, PW, -1)) == NULL) {
		CHECK(!"the key decrypts with the password");
		goto out;
	}
	p8len = i2d_PKCS8_PRIV_KEY_INFO(p8, &p8der);
	kder = p8_of(k, &kdlen);
	CHECK_MEM(p8der, (size_t)p8len, kder, kdlen);
	free(kder);
out:
	OPENSSL_free(p8der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	sk_PKCS12_SAFEBAG_pop_free(keys, PKCS12_SAFEBAG_free);
}

static void
check_keystore(const struct want *w, const struct key *k,
    const struct cert_chain *chain, const struct cert_chain *cas)
{
	STACK_OF(PKCS12_SAFEBAG) *certs = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	unsigned char *d = NULL, *der = NULL, id[SHA_DIGEST_LENGTH];
	const PKCS12_SAFEBAG *bag;
	PKCS12 *p12 = NULL;
	size_t len, dlen;

	REQUIRE(pkcs12_keystore(w->prof, PW, strlen(PW), k, chain, cas, &d,
	    &len) == 0);
	if ((p12 = check_mac(d, len, w)) == NULL)
		goto out;
	safes = PKCS12_unpack_authsafes(p12);
	if (safes == NULL || sk_PKCS7_num(safes) != 2) {
		CHECK(!"two safes: the certificates, then the key");
		goto out;
	}
	certs = cert_safe(sk_PKCS7_value(safes, 0), w);
	/* leaf + CA: cas repeats the chain's CA, written once. */
	if (certs == NULL || sk_PKCS12_SAFEBAG_num(certs) != 2) {
		CHECK(!"two certificate bags");
		goto out;
	}
	if (der_of(chain->v[0], &der, &dlen) < 0)
		goto out;
	SHA1(der, dlen, id);
	bag = sk_PKCS12_SAFEBAG_value(certs, 0);
	CHECK(has_local_key_id(bag, id));
	CHECK(sk_X509_ATTRIBUTE_num(PKCS12_SAFEBAG_get0_attrs(bag)) == 1);
	CHECK(sk_X509_ATTRIBUTE_num(PKCS12_SAFEBAG_get0_attrs(
	    sk_PKCS12_SAFEBAG_value(certs, 1))) <= 0);
	check_key_safe(sk_PKCS7_value(safes, 1), w, k, id);
out:
	sk_PKCS12_SAFEBAG_pop_free(certs, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	free(der);
	free(d);
}

/* truststore.p12: one bag per CA, Java's trust mark, Go's name. */
static void
check_truststore(const struct want *w, const struct cert_chain *cas)
{
	STACK_OF(PKCS12_SAFEBAG) *certs = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	const PKCS12_SAFEBAG *bag;
	const ASN1_TYPE *t;
	ASN1_OBJECT *trust = OBJ_txt2obj("2.16.840.1.113894.746875.1.1", 1);
	unsigned char *d = NULL;
	PKCS12 *p12 = NULL;
	char *fn = NULL;
	size_t len;

	REQUIRE(pkcs12_truststore(w->prof, PW, strlen(PW), cas, &d, &len) ==
	    0);
	if ((p12 = check_mac(d, len, w)) == NULL)
		goto out;
	safes = PKCS12_unpack_authsafes(p12);
	if (safes == NULL || sk_PKCS7_num(safes) != 1) {
		CHECK(!"one safe");
		goto out;
	}
	certs = cert_safe(sk_PKCS7_value(safes, 0), w);
	if (certs == NULL || sk_PKCS12_SAFEBAG_num(certs) != 1) {
		CHECK(!"one certificate bag");
		goto out;
	}
	bag = sk_PKCS12_SAFEBAG_value(certs, 0);
	fn = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
	CHECK_STR(fn, "CN=acmec test CA,O=acmec tests");
	t = PKCS12_get_attr_gen(PKCS12_SAFEBAG_get0_attrs(bag),
	    OBJ_obj2nid(trust));
	if (t == NULL) {
		/* OpenSSL 3.0 has no NID for it: find it by OID. */
		const STACK_OF(X509_ATTRIBUTE) *as =
		    PKCS12_SAFEBAG_get0_attrs(bag);
		int i;

		for (i = 0; i < sk_X509_ATTRIBUTE_num(as); i++) {
			X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(as, i);

			if (OBJ_cmp(X509_ATTRIBUTE_get0_object(a), trust) == 0)
				t = X509_ATTRIBUTE_get0_type(a, 0);
		}
	}
	CHECK(t != NULL && t->type == V_ASN1_OBJECT &&
	    OBJ_obj2nid(t->value.object) == NID_anyExtendedKeyUsage);
out:
	OPENSSL_free(fn);
	ASN1_OBJECT_free(trust);
	sk_PKCS12_SAFEBAG_pop_free(certs, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	free(d);
}

void
test_pkcs12_profiles(void)
{
	struct cert_chain chain = chain_of("chain.pem"), cas = chain_of(
	    "ca.pem");
	struct key *k = leaf_key();
	OSSL_PROVIDER *legacy, *deflt;
	size_t i;

	REQUIRE(chain.n == 2 && cas.n == 1 && k != NULL);
	/* RC2 is in the legacy provider; this reader needs it too. */
	legacy = OSSL_PROVIDER_load(NULL, "legacy");
	deflt = OSSL_PROVIDER_load(NULL, "default");
	CHECK(legacy != NULL && deflt != NULL);
	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		check_keystore(&wants[i], k, &chain, &cas);
		check_truststore(&wants[i], &cas);
	}
	if (legacy != NULL)
		OSSL_PROVIDER_unload(legacy);
	if (deflt != NULL)
		OSSL_PROVIDER_unload(deflt);
	key_free(k);
	cert_chain_free(&chain);
	cert_chain_free(&cas);
}

void
test_pkcs12_rejects(void)
{
	struct cert_chain chain = chain_of("chain.pem"), none = { 0 };
	struct key *k = leaf_key();
	unsigned char *d = (unsigned char *)"x";
	size_t len = 1;

	REQUIRE(chain.n == 2 && k != NULL);
	/* go-pkcs12 encodes passwords as BMPString: no emoji, no bad UTF-8 */
	CHECK(pkcs12_keystore(PKCS12_MODERN2023, "\xf0\x9f\x94\x91", 4, k,
	    &chain, NULL, &d, &len) < 0 && d == NULL && len == 0);
	CHECK(pkcs12_keystore(PKCS12_MODERN2023, "a\xc3", 2, k, &chain,
	    NULL, &d, &len) < 0);
	CHECK(pkcs12_keystore(PKCS12_MODERN2023, "", 0, k, &chain, NULL, &d,
	    &len) < 0);
	CHECK(pkcs12_keystore(PKCS12_MODERN2023, PW, strlen(PW), k, &none,
	    NULL, &d, &len) < 0);
	/* BMP characters are fine. */
	CHECK(pkcs12_keystore(PKCS12_MODERN2023, "p\xc3\xa4ss\xe2\x82\xac",
	    8, k, &chain, NULL, &d, &len) == 0 && len > 0);
	free(d);
	key_free(k);
	cert_chain_free(&chain);
}

void
test_pkcs12_go_name(void)
{
	struct cert_chain c = chain_of("goname.pem"), ca = chain_of("ca.pem");
	unsigned char *der = NULL;
	size_t len;
	char *s;

	REQUIRE(c.n == 1 && ca.n == 1);
	/*
	 * Subject (in the certificate's order): C=US, ST=Cal, O=B, Corp,
	 * O=Acme, OU=Ops, CN="#web+x ", emailAddress, serialNumber=7,
	 * title=Boss.  Go: its named types last to first, one RDN per type,
	 * then the others as OID=#DER (a string re-marshalled: '@' makes
	 * emailAddress a UTF8String), last to first.
	 */
	REQUIRE(cert_to_der(c.v[0], &der, &len) == 0);
	s = pkcs12_go_name(der, len);
	CHECK_STR(s, "SERIALNUMBER=7,CN=\\#web\\+x\\ ,OU=Ops,"
	    "O=B\\, Corp+O=Acme,ST=Cal,C=US,2.5.4.12=#1304426f7373,"
	    "1.2.840.113549.1.9.1=#0c086140622e74657374");
	free(s);
	free(der);
	REQUIRE(cert_to_der(ca.v[0], &der, &len) == 0);
	s = pkcs12_go_name(der, len);
	CHECK_STR(s, "CN=acmec test CA,O=acmec tests");
	free(s);
	free(der);
	cert_chain_free(&c);
	cert_chain_free(&ca);
}

/* ---- JKS, walked by hand ---- */

struct rd {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static const unsigned char *
rd_bytes(struct rd *r, size_t n)
{
	const unsigned char *s = r->p + r->off;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	r->off += n;
	return s;
}

static uint64_t
rd_be(struct rd *r, int n)
{
	const unsigned char *s = rd_bytes(r, (size_t)n);
	uint64_t v = 0;
	int i;

	for (i = 0; s != NULL && i < n; i++)
		v = v << 8 | s[i];
	return v;
}

struct jent {
	uint32_t tag;
	char alias[64];
	uint64_t when;
	const unsigned char *key;
	size_t keylen, ncerts;
	char type[4][8];
	const unsigned char *cert[4];
	size_t certlen[4];
};

static void
rd_cert(struct rd *r, struct jent *e)
{
	size_t n = rd_be(r, 2), i = e->ncerts++;
	const unsigned char *t = rd_bytes(r, n);

	if (t == NULL || n >= sizeof(e->type[0]) || i >= 4) {
		r->bad = true;
		return;
	}
	memcpy(e->type[i], t, n);
	e->certlen[i] = rd_be(r, 4);
	e->cert[i] = rd_bytes(r, e->certlen[i]);
}

/* The password as Java hashes it (ASCII here): UTF-16BE. */
static size_t
pwb(const char *pw, unsigned char *out)
{
	size_t i, n = strlen(pw);

	for (i = 0; i < n; i++) {
		out[2 * i] = 0;
		out[2 * i + 1] = (unsigned char)pw[i];
	}
	return 2 * n;
}

/* Walk a JKS file and check its integrity digest; -1 if either fails. */
static int
jks_walk(const unsigned char *d, size_t len, const char *pw,
    struct jent *es, size_t *n)
{
	struct rd r = { d, len, 0, false };
	unsigned char pb[128], md[SHA_DIGEST_LENGTH];
	size_t i, k, an;
	const unsigned char *a;
	EVP_MD_CTX *sc = EVP_MD_CTX_new();
	int ok;

	if (len < 32 || rd_be(&r, 4) != 0xfeedfeed || rd_be(&r, 4) != 2) {
		EVP_MD_CTX_free(sc);
		return -1;
	}
	*n = rd_be(&r, 4);
	for (i = 0; i < *n && i < 4 && !r.bad; i++) {
		memset(&es[i], 0, sizeof(es[i]));
		es[i].tag = (uint32_t)rd_be(&r, 4);
		an = rd_be(&r, 2);
		if ((a = rd_bytes(&r, an)) == NULL || an >= 64)
			r.bad = true;
		else
			memcpy(es[i].alias, a, an);
		es[i].when = rd_be(&r, 8);
		if (es[i].tag == 1) {
			es[i].keylen = rd_be(&r, 4);
			es[i].key = rd_bytes(&r, es[i].keylen);
			k = rd_be(&r, 4);
			while (k-- > 0 && !r.bad)
				rd_cert(&r, &es[i]);
		} else if (es[i].tag == 2)
			rd_cert(&r, &es[i]);
		else
			r.bad = true;
	}
	if (r.bad || i != *n || r.len - r.off != SHA_DIGEST_LENGTH) {
		EVP_MD_CTX_free(sc);
		return -1;
	}
	ok = sc != NULL && EVP_DigestInit_ex(sc, EVP_sha1(), NULL) &&
	    EVP_DigestUpdate(sc, pb, pwb(pw, pb)) &&
	    EVP_DigestUpdate(sc, "Mighty Aphrodite", 16) &&
	    EVP_DigestUpdate(sc, d, r.off) &&
	    EVP_DigestFinal_ex(sc, md, NULL);
	EVP_MD_CTX_free(sc);
	return ok && memcmp(md, d + r.off, sizeof(md)) == 0 ? 0 : -1;
}

static void
sha1(const void *a, size_t alen, const void *b, size_t blen,
    unsigned char *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(c, a, alen) || !EVP_DigestUpdate(c, b, blen) ||
	    !EVP_DigestFinal_ex(c, md, NULL))
		memset(md, 0, SHA_DIGEST_LENGTH);
	EVP_MD_CTX_free(c);
}

/*
 * Undo Sun's JKS key protector: EncryptedPrivateKeyInfo with algorithm
 * 1.3.6.1.4.1.42.2.17.1.1; salt(20) || data XOR keystream || SHA-1(pw ||
 * data).  The PKCS#8 (caller frees) or NULL.
 */
static unsigned char *
jks_unprotect(const unsigned char *epki, size_t len, const char *pw,
    size_t *outlen)
{
	const unsigned char *p = epki, *s;
	const ASN1_OCTET_STRING *os;
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	unsigned char pb[128], d[SHA_DIGEST_LENGTH], *out = NULL;
	X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
	char oid[64];
	size_t pl, n, i;
	int ptype;

	if (sig == NULL)
		return NULL;
	X509_SIG_get0(sig, &alg, &os);
	X509_ALGOR_get0(&obj, &ptype, NULL, alg);
	OBJ_obj2txt(oid, sizeof(oid), obj, 1);
	s = ASN1_STRING_get0_data(os);
	n = (size_t)ASN1_STRING_length(os);
	if (strcmp(oid, "1.3.6.1.4.1.42.2.17.1.1") != 0 ||
	    ptype != V_ASN1_NULL || n <= 40)
		goto out;
	n -= 40;
	pl = pwb(pw, pb);
	out = malloc(n);
	memcpy(d, s, 20);
	for (i = 0; i < n; i++) {
		if (i % 20 == 0)
			sha1(pb, pl, d, 20, d);
		out[i] = s[20 + i] ^ d[i % 20];
	}
	sha1(pb, pl, out, n, d);
	if (memcmp(d, s + 20 + n, 20) != 0) {
		free(out);
		out = NULL;
	}
	*outlen = n;
out:
	X509_SIG_free(sig);
	return out;
}

void
test_jks_keytool_vector(void)
{
	struct jent e[4];
	unsigned char *d, *p8;
	const unsigned char *p;
	PKCS8_PRIV_KEY_INFO *pi;
	size_t len, n, p8len = 0;

	d = (unsigned char *)unit_read("keytool.jks", &len);
	REQUIRE(jks_walk(d, len, "changeit", e, &n) == 0);
	CHECK(jks_walk(d, len, "changeiT", e, &n) < 0);
	REQUIRE(n == 1 && e[0].tag == 1);
	CHECK_STR(e[0].alias, "mykey");
	CHECK(e[0].ncerts == 1);
	CHECK_STR(e[0].type[0], "X.509");
	p8 = jks_unprotect(e[0].key, e[0].keylen, "changeit", &p8len);
	REQUIRE(p8 != NULL);
	p = p8;
	pi = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)p8len);
	CHECK(pi != NULL && p == p8 + p8len);
	PKCS8_PRIV_KEY_INFO_free(pi);
	CHECK(jks_unprotect(e[0].key, e[0].keylen, "changeiT", &p8len) ==
	    NULL);
	free(p8);
	free(d);
}

/* e holds the certificate c in place i. */
static bool
holds(const struct jent *e, size_t i, const struct cert *c)
{
	unsigned char *der = NULL;
	size_t len;
	bool ok;

	if (cert_to_der(c, &der, &len) < 0)
		return false;
	ok = i < e->ncerts && e->certlen[i] == len &&
	    memcmp(e->cert[i], der, len) == 0 &&
	    strcmp(e->type[i], "X509") == 0;
	free(der);
	return ok;
}

void
test_jks_stores(void)
{
	struct cert_chain chain = chain_of("chain.pem"), cas = chain_of(
	    "ca.pem"), two = chain_of("chain.pem");
	struct key *k = leaf_key();
	struct jent e[4];
	unsigned char *d = NULL, *p8 = NULL, *kder = NULL;
	size_t len, n, p8len = 0, kdlen = 0;

	REQUIRE(chain.n == 2 && cas.n == 1 && k != NULL);
	REQUIRE(jks_keystore(PW, strlen(PW), "My-Alias", k, &chain, &cas,
	    1795823724123LL, &d, &len) == 0);
	REQUIRE(jks_walk(d, len, PW, e, &n) == 0);
	CHECK(jks_walk(d, len, "wrong", e, &n) < 0);
	REQUIRE(n == 2 && e[0].tag == 1 && e[1].tag == 2);
	CHECK_STR(e[0].alias, "my-alias");
	CHECK(e[0].when == 1795823724123ULL && e[1].when == e[0].when);
	CHECK(e[0].ncerts == 2 && holds(&e[0], 0, chain.v[0]) &&
	    holds(&e[0], 1, chain.v[1]));
	p8 = jks_unprotect(e[0].key, e[0].keylen, PW, &p8len);
	kder = p8_of(k, &kdlen);
	CHECK(p8 != NULL);
	CHECK_MEM(p8, p8len, kder, kdlen);
	CHECK(jks_unprotect(e[0].key, e[0].keylen, "wrong", &p8len) == NULL);
	CHECK_STR(e[1].alias, "ca");
	CHECK(e[1].ncerts == 1 && holds(&e[1], 0, cas.v[0]));
	free(d);
	/* The truststore: the CAs only, "ca", "ca-1"... */
	REQUIRE(jks_truststore(PW, strlen(PW), &two, 7, &d, &len) == 0);
	REQUIRE(jks_walk(d, len, PW, e, &n) == 0);
	REQUIRE(n == 2 && e[0].tag == 2 && e[1].tag == 2);
	CHECK_STR(e[0].alias, "ca");
	CHECK_STR(e[1].alias, "ca-1");
	CHECK(e[0].when == 7 && holds(&e[0], 0, two.v[0]) &&
	    holds(&e[1], 0, two.v[1]));
	free(d);
	free(p8);
	free(kder);
	key_free(k);
	cert_chain_free(&chain);
	cert_chain_free(&cas);
	cert_chain_free(&two);
}

/* ---- passwordSecretRef: Secrets of the Certificate's namespace ---- */

#define KS_ISSUER \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata: {name: le}\n" \
	"spec: {acme: {server: https://ca.test/dir, privateKeySecretRef: " \
	"{name: acct}, solvers: [{http01: {ingress: {}}}]}}\n" \
	"---\n"
#define KS_CERT(ns) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: Certificate\n" \
	"metadata: {name: web, namespace: " ns "}\n" \
	"spec:\n" \
	"  secretName: web-tls\n" \
	"  issuerRef: {name: le, kind: ClusterIssuer}\n" \
	"  dnsNames: [web.test]\n" \
	"  keystores:\n" \
	"    jks: {create: true, passwordSecretRef: {name: ks, key: pw}}\n" \
	"---\n"
#define KS_SECRET(ns, body) \
	"apiVersion: v1\n" \
	"kind: Secret\n" \
	"metadata: {name: ks, namespace: " ns "}\n" \
	body

void
test_keystore_config_secrets(void)
{
	struct config cfg;
	const char *err;
	char *data = NULL;
	size_t len = 0;

	REQUIRE(unit_config_load(KS_ISSUER KS_CERT("apps")
	    KS_SECRET("apps", "stringData: {pw: from-doc}\n"), &cfg, &err) ==
	    0);
	REQUIRE(cfg.ncerts == 1);
	CHECK(config_cert_x(&cfg.certs[0])->jks.password_ref.doc != NULL);
	CHECK(config_secret_get(&config_cert_x(&cfg.certs[0])->jks.password_ref,
	    NULL, "/nonexistent", 4096, &data, &len) == 0);
	CHECK_MEM(data, len, "from-doc", 8);
	crypto_secret_free(data, len);
	config_free(&cfg);
	/* No document: the file SECRETS/ks/pw. */
	REQUIRE(unit_config_load(KS_ISSUER KS_CERT("apps"), &cfg, &err) == 0);
	CHECK(config_cert_x(&cfg.certs[0])->jks.password_ref.doc == NULL);
	config_free(&cfg);
	unit_config_refused(KS_ISSUER KS_CERT("apps")
	    KS_SECRET("apps", "stringData: {other: x}\n"),
	    "t.yaml:14:51: spec.keystores.jks.passwordSecretRef: Secret "
	    "'apps/ks' (t.yaml:18:18) has no key 'pw': add it to its data or "
	    "stringData");
	unit_config_refused(KS_ISSUER KS_CERT("apps")
	    KS_SECRET("default", "stringData: {pw: x}\n"),
	    "t.yaml:14:51: spec.keystores.jks.passwordSecretRef: Secret 'ks' "
	    "is in namespace 'default' (t.yaml:18:18); a Certificate reads "
	    "Secrets from its own namespace: set metadata.namespace: apps in "
	    "the Secret");
}
