#include <stdlib.h>
#include <string.h>

#include "crypto/csr.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "tests/unit/unit.h"

static void
add(struct ident_list *l, enum ident_type t, const char *v)
{
	if (ident_list_add(l, t, v) < 0)
		abort();
}

/* a and b hold the same identifiers, in any order. */
static bool
same_idents(const struct ident_list *a, const struct ident_list *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!ident_list_has(b, a->v[i].type, a->v[i].value))
			return false;
	return true;
}

void
test_csr_roundtrip(void)
{
	static const enum key_type types[] = { KEY_EC_P256, KEY_EC_P384,
		KEY_ED25519, KEY_RSA };
	struct ident_list want = { 0 }, got = { 0 };
	unsigned char *der = NULL;
	size_t i, len;
	struct key *k;
	char *cn = NULL;

	add(&want, IDENT_DNS, "example.com");
	add(&want, IDENT_DNS, "*.example.com");
	add(&want, IDENT_IP, "127.0.0.1");
	add(&want, IDENT_IP, "2001:db8::1");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		k = key_generate(types[i], 2048);
		REQUIRE(k != NULL);
		CHECK(csr_create(k, "example.com", &want, &der, &len) == 0);
		CHECK(csr_identifiers(der, len, &got, &cn) == 0);
		CHECK(same_idents(&got, &want));
		CHECK_STR(cn, "example.com");
		ident_list_free(&got);
		free(cn);
		free(der);
		key_free(k);
	}
	/* Without a common name. */
	REQUIRE((k = key_generate(KEY_EC_P256, 0)) != NULL);
	CHECK(csr_create(k, NULL, &want, &der, &len) == 0);
	CHECK(csr_identifiers(der, len, &got, &cn) == 0);
	CHECK(same_idents(&got, &want));
	CHECK(cn == NULL);
	ident_list_free(&got);
	free(der);
	/* No names at all is refused. */
	ident_list_free(&want);
	CHECK(csr_create(k, "example.com", &want, &der, &len) < 0);
	key_free(k);
}

void
test_csr_user_supplied(void)
{
	struct ident_list want = { 0 }, got = { 0 };
	unsigned char *buf;
	size_t len;
	char *cn = NULL;

	/* The common name is not a SAN there: it becomes an identifier. */
	add(&want, IDENT_DNS, "example.net");
	add(&want, IDENT_IP, "198.51.100.7");
	add(&want, IDENT_DNS, "www.example.net");
	buf = (unsigned char *)unit_read("user.csr", &len);
	CHECK(csr_identifiers(buf, len, &got, &cn) == 0);
	CHECK(same_idents(&got, &want));
	CHECK_STR(cn, "www.example.net");
	ident_list_free(&got);
	free(cn);
	free(buf);
	buf = (unsigned char *)unit_read("user.csr.der", &len);
	CHECK(csr_identifiers(buf, len, &got, &cn) == 0);
	CHECK(same_idents(&got, &want));
	ident_list_free(&got);
	free(cn);
	free(buf);
	ident_list_free(&want);
}

void
test_csr_rejects(void)
{
	struct ident_list got = { 0 };
	unsigned char *buf;
	size_t len;
	char *cn;

	buf = (unsigned char *)unit_read("email.csr", &len);
	CHECK(csr_identifiers(buf, len, &got, &cn) < 0);
	CHECK(strstr(crypto_error(), "neither a DNS name") != NULL);
	CHECK(got.n == 0 && cn == NULL);
	free(buf);
	/* A changed byte in the signature: it no longer verifies. */
	buf = (unsigned char *)unit_read("user.csr.der", &len);
	buf[len - 5] ^= 0x01;
	CHECK(csr_identifiers(buf, len, &got, &cn) < 0);
	CHECK(strstr(crypto_error(), "signature") != NULL);
	/* Truncated DER. */
	CHECK(csr_identifiers(buf, len - 1, &got, &cn) < 0);
	CHECK(csr_identifiers(buf, 0, &got, &cn) < 0);
	free(buf);
}

void
test_csr_parse(void)
{
	const unsigned char *der;
	unsigned char *pem, *raw;
	size_t pemlen, rawlen, len;
	struct key *leafkey;
	char *kpem;
	struct csr *r;

	/* PEM: the DER kept is the block's content, byte for byte. */
	pem = (unsigned char *)unit_read("user.csr", &pemlen);
	raw = (unsigned char *)unit_read("user.csr.der", &rawlen);
	REQUIRE((r = csr_parse(pem, pemlen)) != NULL);
	der = csr_der(r, &len);
	CHECK(len == rawlen && memcmp(der, raw, len) == 0);
	CHECK(csr_ids(r)->n == 3);
	CHECK_STR(csr_cn(r), "www.example.net");
	CHECK(key_get_type(csr_key(r)) == KEY_EC_P256);
	/* Its key is the public half of the key that signed it (leaf.key). */
	kpem = unit_read("leaf.key", &len);
	REQUIRE((leafkey = key_load_pem(kpem, len)) != NULL);
	CHECK(key_equal_public(csr_key(r), leafkey));
	key_free(leafkey);
	REQUIRE((leafkey = key_generate(KEY_EC_P256, 0)) != NULL);
	CHECK(!key_equal_public(csr_key(r), leafkey));
	key_free(leafkey);
	free(kpem);
	csr_free(r);
	/* DER as given. */
	REQUIRE((r = csr_parse(raw, rawlen)) != NULL);
	der = csr_der(r, &len);
	CHECK(len == rawlen && memcmp(der, raw, len) == 0);
	csr_free(r);
	/* Trailing bytes after the DER are refused. */
	raw = realloc(raw, rawlen + 1);
	REQUIRE(raw != NULL);
	raw[rawlen] = 0;
	CHECK(csr_parse(raw, rawlen + 1) == NULL);
	free(raw);
	free(pem);
	csr_free(NULL);
}

/* CN only, as certbot reads it: the common name is the one identifier. */
void
test_csr_cn_only(void)
{
	unsigned char *buf;
	size_t len;
	struct csr *r;

	buf = (unsigned char *)unit_read("cn-only.csr", &len);
	REQUIRE((r = csr_parse(buf, len)) != NULL);
	REQUIRE(csr_ids(r)->n == 1);
	CHECK(csr_ids(r)->v[0].type == IDENT_DNS);
	CHECK_STR(csr_ids(r)->v[0].value, "only.example.org");
	csr_free(r);
	free(buf);
}

/* What an ACME CA would refuse, refused here with the reason. */
void
test_csr_refusals(void)
{
	static const struct {
		const char *file, *why;
	} bad[] = {
		{ "nonames.csr", "names no DNS name or IP address" },
		{ "rsa1024.csr", "RSA key of 1024 bits" },
		{ "secp256k1.csr", "use P-256, P-384 or P-521" },
		{ "email.csr", "neither a DNS name" },
		{ "leaf.pem", "not a CERTIFICATE REQUEST" },
		{ "leaf.key", "not a CERTIFICATE REQUEST" },
	};
	unsigned char *buf;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf = (unsigned char *)unit_read(bad[i].file, &len);
		CHECK(csr_parse(buf, len) == NULL);
		if (strstr(crypto_error(), bad[i].why) == NULL)
			CHECK_STR(crypto_error(), bad[i].why);
		free(buf);
	}
	/* One bit of the signed subject changed: "www." became "wvw.". */
	buf = (unsigned char *)unit_read("user.csr.der", &len);
	REQUIRE(len > 0x19 && buf[0x19] == 'w');
	buf[0x19] ^= 0x01;
	CHECK(csr_parse(buf, len) == NULL);
	CHECK(strstr(crypto_error(), "signature does not verify") != NULL);
	free(buf);
	CHECK(csr_parse((const unsigned char *)"", 0) == NULL);
}
