#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/csr.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

struct key *
vec_key(int type, const char *a, const char *b, const char *d)
{
	struct key_params p = { 0 };
	struct key *key;

	p.type = (enum key_type)type;
	if (a != NULL)
		p.a = unit_unb64(a, &p.alen);
	if (b != NULL)
		p.b = unit_unb64(b, &p.blen);
	if (d != NULL)
		p.d = unit_unb64(d, &p.dlen);
	key = key_from_params(&p);
	key_params_clear(&p);
	return key;
}

/* generate -> PEM (enc) -> load -> sign -> verify, both ways. */
static void
roundtrip(enum key_type type, int bits, enum key_encoding enc,
    const char *label)
{
	static const char msg[] = "acmec round trip";
	struct key *k = NULL, *k2 = NULL;
	unsigned char *sig = NULL;
	size_t siglen, pemlen;
	char *pem = NULL;

	k = key_generate(type, bits);
	REQUIRE(k != NULL);
	CHECK(key_get_type(k) == type);
	if (type == KEY_RSA)
		CHECK(key_bits(k) == bits);
	CHECK(key_save_pem(k, enc, &pem, &pemlen) == 0);
	if (pem == NULL)
		goto out;
	CHECK(strncmp(pem, label, strlen(label)) == 0);
	CHECK(strlen(pem) == pemlen);
	k2 = key_load_pem(pem, pemlen);
	CHECK(k2 != NULL);
	if (k2 == NULL)
		goto out;
	CHECK(key_equal_public(k, k2));
	CHECK(key_get_type(k2) == type);
	CHECK(key_sign(k2, msg, strlen(msg), &sig, &siglen) == 0);
	CHECK(key_verify(k, msg, strlen(msg), sig, siglen));
	/* A changed message or signature must not verify. */
	CHECK(!key_verify(k, msg, strlen(msg) - 1, sig, siglen));
	if (sig != NULL) {
		sig[siglen / 2] ^= 0x01;
		CHECK(!key_verify(k, msg, strlen(msg), sig, siglen));
	}
out:
	free(sig);
	crypto_secret_free(pem, pemlen);
	key_free(k);
	key_free(k2);
}

void
test_key_roundtrip_rsa(void)
{
	roundtrip(KEY_RSA, 2048, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	roundtrip(KEY_RSA, 2048, KEY_ENC_PKCS1,
	    "-----BEGIN RSA PRIVATE KEY-----");
	roundtrip(KEY_RSA, 3072, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	roundtrip(KEY_RSA, 4096, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	CHECK(key_generate(KEY_RSA, 1024) == NULL);
	CHECK(strstr(crypto_error(), "2048") != NULL);
}

void
test_key_roundtrip_ec(void)
{
	struct key *k;
	unsigned char *sig;
	size_t siglen;

	roundtrip(KEY_EC_P256, 0, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	roundtrip(KEY_EC_P256, 0, KEY_ENC_PKCS1,
	    "-----BEGIN EC PRIVATE KEY-----");
	roundtrip(KEY_EC_P384, 0, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	roundtrip(KEY_EC_P384, 0, KEY_ENC_PKCS1,
	    "-----BEGIN EC PRIVATE KEY-----");
	/* JWS signatures are raw r||s of the field size, not DER. */
	REQUIRE((k = key_generate(KEY_EC_P384, 0)) != NULL);
	CHECK(key_sign(k, "x", 1, &sig, &siglen) == 0);
	CHECK(siglen == 96);
	free(sig);
	key_free(k);
}

void
test_key_roundtrip_ed25519(void)
{
	roundtrip(KEY_ED25519, 0, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	/* Ed25519 has no PKCS#1-like form; it stays PKCS#8. */
	roundtrip(KEY_ED25519, 0, KEY_ENC_PKCS1, "-----BEGIN PRIVATE KEY-----");
}

void
test_key_rfc7515_a2_rs256(void)
{
	struct key *priv, *pub;
	unsigned char *want, *sig = NULL;
	size_t wantlen, siglen = 0;

	priv = vec_key(KEY_RSA, A2_N, A2_E, A2_D);
	pub = vec_key(KEY_RSA, A2_N, A2_E, NULL);
	REQUIRE(priv != NULL && pub != NULL);
	want = unit_unb64(A2_SIG, &wantlen);
	/* The published signature verifies ... */
	CHECK(key_verify(pub, A2_INPUT, strlen(A2_INPUT), want, wantlen));
	/* ... and RS256 is deterministic, so ours is byte for byte the same. */
	CHECK(key_sign(priv, A2_INPUT, strlen(A2_INPUT), &sig, &siglen) == 0);
	CHECK_MEM(sig, siglen, want, wantlen);
	free(sig);
	free(want);
	key_free(priv);
	key_free(pub);
}

void
test_key_rfc7515_a3_es256(void)
{
	struct key *priv, *pub;
	unsigned char *want, *sig = NULL;
	size_t wantlen, siglen = 0;

	priv = vec_key(KEY_EC_P256, A3_X, A3_Y, A3_D);
	pub = vec_key(KEY_EC_P256, A3_X, A3_Y, NULL);
	REQUIRE(priv != NULL && pub != NULL);
	CHECK(key_equal_public(priv, pub));
	want = unit_unb64(A3_SIG, &wantlen);
	CHECK(wantlen == 64);
	CHECK(key_verify(pub, A3_INPUT, strlen(A3_INPUT), want, wantlen));
	/* ECDSA is randomised: ours differs but verifies with the RFC key. */
	CHECK(key_sign(priv, A3_INPUT, strlen(A3_INPUT), &sig, &siglen) == 0);
	CHECK(siglen == 64);
	CHECK(key_verify(pub, A3_INPUT, strlen(A3_INPUT), sig, siglen));
	free(sig);
	free(want);
	key_free(priv);
	key_free(pub);
}

void
test_key_rfc8037_a4_ed25519(void)
{
	struct key *priv, *pub;
	unsigned char *want, *sig = NULL;
	size_t wantlen, siglen = 0;

	priv = vec_key(KEY_ED25519, ED_X, NULL, ED_D);
	pub = vec_key(KEY_ED25519, ED_X, NULL, NULL);
	REQUIRE(priv != NULL && pub != NULL);
	want = unit_unb64(ED_SIG, &wantlen);
	CHECK(key_sign(priv, ED_INPUT, strlen(ED_INPUT), &sig, &siglen) == 0);
	CHECK_MEM(sig, siglen, want, wantlen);
	CHECK(key_verify(pub, ED_INPUT, strlen(ED_INPUT), want, wantlen));
	free(sig);
	free(want);
	key_free(priv);
	key_free(pub);
	/* x must be the public half of d. */
	CHECK(vec_key(KEY_ED25519, A3_X, NULL, ED_D) == NULL);
}

/* key_load_pem() must fail on name's contents with a message holding msg. */
static void
load_fails(const char *name, const char *msg)
{
	size_t len;
	char *pem = unit_read(name, &len);

	CHECK(key_load_pem(pem, len) == NULL);
	if (strstr(crypto_error(), msg) == NULL)
		unit_streq(__FILE__, __LINE__, name, crypto_error(), msg);
	free(pem);
}

void
test_key_rejects(void)
{
	struct key *k;
	size_t len;
	char *pem;

	load_fails("rsa1024.pem", "1024 bits");
	load_fails("secp256k1.pem", "secp256k1");
	load_fails("encrypted.pem", "encrypted");
	load_fails("leaf.pem", "not a PEM private key");
	/* Truncated: half a key. */
	pem = unit_read("leaf.key", &len);
	k = key_load_pem(pem, len);
	CHECK(k != NULL);
	key_free(k);
	CHECK(key_load_pem(pem, len / 2) == NULL);
	CHECK(key_load_pem(pem, 0) == NULL);
	CHECK(key_load_pem("garbage", 7) == NULL);
	free(pem);
}

void
test_key_params_reject(void)
{
	/* A P-256 point presented as P-384: wrong size. */
	CHECK(vec_key(KEY_EC_P384, A3_X, A3_Y, NULL) == NULL);
	/* Right size, but not a point on P-256. */
	CHECK(vec_key(KEY_EC_P256, A3_X, A3_X, NULL) == NULL);
	CHECK(strstr(crypto_error(), "invalid P-256 key") != NULL);
	/* RSA below 2048 bits. */
	CHECK(vec_key(KEY_RSA, "AQAB", "AQAB", NULL) == NULL);
	CHECK(vec_key(KEY_ED25519, "AQAB", NULL, NULL) == NULL);
}

/* A CSR from k names what it was made for and its signature verifies. */
static void
csr_ok(const struct key *k)
{
	struct ident_list ids = { 0 }, got = { 0 };
	unsigned char *der = NULL;
	size_t len;
	char *cn = NULL;

	if (ident_list_add(&ids, IDENT_DNS, "keys.example") < 0)
		abort();
	CHECK(csr_create(k, "keys.example", &ids, &der, &len) == 0);
	CHECK(der != NULL && csr_identifiers(der, len, &got, &cn) == 0);
	CHECK(got.n == 1 && ident_list_has(&got, IDENT_DNS, "keys.example"));
	free(der);
	free(cn);
	ident_list_free(&got);
	ident_list_free(&ids);
}

/*
 * cert-manager's key sizes (validation-v1.md): RSA any size from 2048 to
 * 8192, ECDSA 256, 384 and 521; each generates, signs, makes a CSR.
 */
void
test_key_cert_manager_sizes(void)
{
	struct key *k;
	unsigned char *sig = NULL;
	size_t siglen = 0, len;
	char buf[32], *pem;

	roundtrip(KEY_EC_P521, 0, KEY_ENC_PKCS8, "-----BEGIN PRIVATE KEY-----");
	roundtrip(KEY_EC_P521, 0, KEY_ENC_PKCS1,
	    "-----BEGIN EC PRIVATE KEY-----");
	REQUIRE((k = key_generate(KEY_EC_P521, 0)) != NULL);
	CHECK(key_bits(k) == 521);
	CHECK_STR(key_describe(k, buf, sizeof(buf)), "ECDSA-P521");
	CHECK(key_sign(k, "x", 1, &sig, &siglen) == 0);
	CHECK(siglen == 132); /* r||s, 66 bytes each (RFC 7518 ES512) */
	free(sig);
	csr_ok(k);
	key_free(k);
	/* Any RSA size in cert-manager's range, not just 2048/3072/4096. */
	roundtrip(KEY_RSA, 2056, KEY_ENC_PKCS1,
	    "-----BEGIN RSA PRIVATE KEY-----");
	REQUIRE((k = key_generate(KEY_RSA, 2056)) != NULL);
	CHECK_STR(key_describe(k, buf, sizeof(buf)), "RSA-2056");
	csr_ok(k);
	key_free(k);
	CHECK(key_generate(KEY_RSA, 8200) == NULL);
	CHECK(strstr(crypto_error(), "2048 to 8192") != NULL);
	CHECK(key_generate(KEY_RSA, 2047) == NULL);
	/* A P-521 key from a file loads (rotationPolicy Never reuses it). */
	pem = unit_read("p521.pem", &len);
	k = key_load_pem(pem, len);
	CHECK(k != NULL && key_get_type(k) == KEY_EC_P521);
	key_free(k);
	free(pem);
	REQUIRE((k = key_generate(KEY_EC_P384, 0)) != NULL);
	csr_ok(k);
	key_free(k);
}
