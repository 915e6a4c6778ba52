/*
 * X.509 tests.  The tls-alpn-01 checks read the certificate back with
 * OpenSSL's own parser (this file only), independently of crypto/.
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/alpn.h"
#include "crypto/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "tests/unit/unit.h"

/* tests/unit/data/leaf.pem, made by openssl(1) for these tests. */
#define LEAF_NOT_BEFORE 1795823724 /* Nov 27 23:55:24 2026 GMT */
#define LEAF_NOT_AFTER 4949423724  /* Nov  3 23:55:24 2126 GMT */

static struct cert_chain
load_chain(const char *name)
{
	struct cert_chain chain;
	size_t len;
	char *pem = unit_read(name, &len);

	if (cert_chain_parse(pem, len, &chain) < 0)
		memset(&chain, 0, sizeof(chain));
	free(pem);
	return chain;
}

void
test_cert_chain_fields(void)
{
	struct cert_chain chain = load_chain("chain.pem");
	struct ident_list sans = { 0 };
	struct key *leafkey, *other;
	const struct cert *leaf;
	char *s, *pem;
	size_t len;

	REQUIRE(chain.n == 2);
	leaf = chain.v[0];
	CHECK(cert_not_before(leaf) == LEAF_NOT_BEFORE);
	CHECK(cert_not_after(leaf) == LEAF_NOT_AFTER);
	CHECK(cert_sans(leaf, &sans) == 0);
	CHECK(sans.n == 4);
	CHECK(ident_list_has(&sans, IDENT_DNS, "example.org"));
	CHECK(ident_list_has(&sans, IDENT_DNS, "*.example.org"));
	CHECK(ident_list_has(&sans, IDENT_IP, "192.0.2.1"));
	CHECK(ident_list_has(&sans, IDENT_IP, "2001:db8::1"));
	ident_list_free(&sans);
	s = cert_issuer_cn(leaf);
	CHECK_STR(s, "acmec test CA");
	free(s);
	s = cert_serial_hex(leaf);
	CHECK_STR(s, "87654321");
	free(s);

	pem = unit_read("leaf.key", &len);
	leafkey = key_load_pem(pem, len);
	free(pem);
	REQUIRE(leafkey != NULL);
	CHECK(cert_matches_key(leaf, leafkey));
	CHECK(!cert_matches_key(chain.v[1], leafkey));
	other = key_generate(KEY_EC_P256, 0);
	CHECK(!cert_matches_key(leaf, other));
	key_free(other);
	key_free(leafkey);
	cert_chain_free(&chain);
}

/*
 * The parts of the ARI certificate identifier (RFC 9773 §4.1).  The test
 * certificate reproduces the RFC's example: keyIdentifier
 * 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4 and serial
 * 0x87654321, whose identifier is "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".
 */
void
test_cert_ari_parts(void)
{
	struct cert_chain chain = load_chain("chain.pem");
	unsigned char *buf;
	size_t len;
	char *s;

	REQUIRE(chain.n == 2);
	CHECK(cert_aki(chain.v[0], &buf, &len) == 0);
	s = b64_url_encode(buf, len);
	CHECK_STR(s, "aYhba4dGQEHhs3uEe6CuLN4ByNQ");
	free(s);
	free(buf);
	/* The high bit is set, so DER needs a leading zero octet. */
	CHECK(cert_serial(chain.v[0], &buf, &len) == 0);
	CHECK_MEM(buf, len, "\x00\x87\x65\x43\x21", 5);
	s = b64_url_encode(buf, len);
	CHECK_STR(s, "AIdlQyE");
	free(s);
	free(buf);
	cert_chain_free(&chain);
}

static void
parse_fails(const char *pem, size_t len, const char *msg)
{
	struct cert_chain chain;

	CHECK(cert_chain_parse(pem, len, &chain) < 0);
	CHECK(chain.n == 0 && chain.v == NULL);
	if (strstr(crypto_error(), msg) == NULL)
		unit_streq(__FILE__, __LINE__, "error", crypto_error(), msg);
}

void
test_cert_chain_rejects(void)
{
	size_t len, klen;
	char *pem = unit_read("chain.pem", &len);
	char *key = unit_read("leaf.key", &klen);
	char *mixed = malloc(len + klen + 1);

	/* A private key between the certificates. */
	REQUIRE(mixed != NULL);
	memcpy(mixed, pem, len);
	memcpy(mixed + len, key, klen + 1);
	parse_fails(mixed, len + klen, "'PRIVATE KEY'");
	/* Cut in the middle of the second certificate. */
	parse_fails(pem, len - 200, "PEM");
	/* Cut inside the BEGIN line of the second certificate. */
	parse_fails(pem, (size_t)(strstr(pem + 1, "-----BEGIN") - pem) + 14,
	    "truncated");
	parse_fails(pem, 0, "no PEM certificate");
	parse_fails("hello\n", 6, "no PEM certificate");
	free(mixed);
	free(key);
	free(pem);
}

/* Text around and between the blocks is not carried into the PEM. */
void
test_cert_chain_to_pem(void)
{
	static const char junk[] = "junk `id` before\n";
	struct cert_chain chain;
	size_t len, n, outlen = 0;
	char *pem = unit_read("chain.pem", &len);
	char *noisy = malloc(2 * len + 64), *out = NULL, *mid;

	REQUIRE(noisy != NULL);
	mid = strstr(pem + 1, "-----BEGIN");
	REQUIRE(mid != NULL);
	n = (size_t)(mid - pem);
	/* junk, leaf, "between", the CA, a trailer without a newline */
	snprintf(noisy, 2 * len + 64, "%s%.*sbetween\n%strailer", junk, (int)n,
	    pem, mid);
	CHECK(cert_chain_parse(noisy, strlen(noisy), &chain) == 0);
	CHECK(chain.n == 2);
	CHECK(cert_chain_to_pem(&chain, &out, &outlen) == 0);
	CHECK_MEM(out, outlen, pem, len);
	CHECK(out != NULL && out[outlen] == '\0');
	cert_chain_free(&chain);
	free(out);
	free(noisy);
	free(pem);
}

/* Check a tls-alpn-01 certificate for id with OpenSSL's own parser. */
static void
check_alpn(const struct ident *id, int gen_type, const char *keyauth)
{
	static const char oid[] = "1.3.6.1.5.5.7.1.31";
	unsigned char digest[DIGEST_MAX], *der = NULL;
	const unsigned char *p;
	struct key *k;
	struct cert *c;
	X509 *x = NULL;
	ASN1_OBJECT *obj = NULL;
	X509_EXTENSION *ext;
	GENERAL_NAMES *gens = NULL;
	const ASN1_OCTET_STRING *data;
	size_t len;
	int idx;

	k = key_generate(KEY_EC_P256, 0);
	REQUIRE(k != NULL);
	c = cert_alpn_create(k, id, keyauth);
	CHECK(c != NULL);
	if (c == NULL || cert_to_der(c, &der, &len) < 0)
		goto out;
	CHECK(cert_matches_key(c, k));
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	REQUIRE(x != NULL);
	/* Self-signed by the key. */
	CHECK(X509_verify(x, X509_get0_pubkey(x)) == 1);
	/* Exactly one SAN, for the identifier. */
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	REQUIRE(gens != NULL);
	CHECK(sk_GENERAL_NAME_num(gens) == 1);
	if (sk_GENERAL_NAME_num(gens) == 1)
		CHECK(sk_GENERAL_NAME_value(gens, 0)->type == gen_type);
	if (gen_type == GEN_DNS)
		CHECK(X509_check_host(x, id->value, 0, 0, NULL) == 1);
	else
		CHECK(X509_check_ip_asc(x, id->value, 0) == 1);
	/* The critical acmeIdentifier extension: OCTET STRING(SHA-256). */
	obj = OBJ_txt2obj(oid, 1);
	idx = X509_get_ext_by_OBJ(x, obj, -1);
	REQUIRE(idx >= 0);
	CHECK(X509_get_ext_by_OBJ(x, obj, idx) < 0);
	ext = X509_get_ext(x, idx);
	CHECK(X509_EXTENSION_get_critical(ext) == 1);
	data = X509_EXTENSION_get_data(ext);
	CHECK(digest_hash(DIGEST_SHA256, keyauth, strlen(keyauth), digest) ==
	    0);
	REQUIRE(ASN1_STRING_length(data) == 34);
	CHECK(memcmp(ASN1_STRING_get0_data(data), "\x04\x20", 2) == 0);
	CHECK(memcmp(ASN1_STRING_get0_data(data) + 2, digest, 32) == 0);
out:
	GENERAL_NAMES_free(gens);
	ASN1_OBJECT_free(obj);
	X509_free(x);
	free(der);
	cert_free(c);
	key_free(k);
}

void
test_cert_alpn_dns(void)
{
	struct ident id = { IDENT_DNS, "www.example.org" };

	/* Over 64 characters: too long for a CN, fine in a SAN. */
	struct ident longname = { IDENT_DNS,
	    "a-label-of-sixty-three-characters-0123456789012345678901234567."
	    "b-label-of-sixty-three-characters-012345678901234567890123456."
	    "example.org" };

	check_alpn(&id, GEN_DNS,
	    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	check_alpn(&longname, GEN_DNS, "token-token-token.thumb");
}

void
test_cert_alpn_ip(void)
{
	struct ident v4 = { IDENT_IP, "127.0.0.1" };
	struct ident v6 = { IDENT_IP, "::1" };

	check_alpn(&v4, GEN_IPADD, "token-token-token.thumb");
	check_alpn(&v6, GEN_IPADD, "token-token-token.thumb");
}

void
test_alpn_sni_names(void)
{
	char *s;

	s = alpn_sni_name(IDENT_DNS, "www.example.org");
	CHECK_STR(s, "www.example.org");
	free(s);
	s = alpn_sni_name(IDENT_IP, "127.0.0.1");
	CHECK_STR(s, "1.0.0.127.in-addr.arpa");
	free(s);
	s = alpn_sni_name(IDENT_IP, "2001:db8::1");
	CHECK_STR(s, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0."
	    "1.0.0.2.ip6.arpa");
	free(s);
	CHECK(alpn_sni_name(IDENT_IP, "not-an-ip") == NULL);
}
