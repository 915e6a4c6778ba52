#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "crypto/b64.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "jws/jwk.h"
#include "jws/jws.h"
#include "jws/keyauth.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

/* A flattened JWS taken apart. */
struct parsed {
	cJSON *header;  /* decoded protected header */
	char *payload;  /* decoded payload text */
	char *input;    /* the signing input "protected.payload" */
	unsigned char *sig;
	size_t siglen;
};

static void
parsed_free(struct parsed *p)
{
	cJSON_Delete(p->header);
	free(p->payload);
	free(p->input);
	free(p->sig);
	memset(p, 0, sizeof(*p));
}

/* Take jws apart; false if it is not exactly {protected,payload,signature}. */
static bool
parse(const cJSON *jws, struct parsed *p)
{
	const cJSON *ph, *pl, *sg;
	unsigned char *h;
	size_t n;

	memset(p, 0, sizeof(*p));
	ph = cJSON_GetObjectItemCaseSensitive(jws, "protected");
	pl = cJSON_GetObjectItemCaseSensitive(jws, "payload");
	sg = cJSON_GetObjectItemCaseSensitive(jws, "signature");
	if (!cJSON_IsString(ph) || !cJSON_IsString(pl) ||
	    !cJSON_IsString(sg) || cJSON_GetArraySize(jws) != 3)
		return false;
	if (b64_url_decode(ph->valuestring, strlen(ph->valuestring), &h,
	    &n) < 0)
		return false;
	p->header = cJSON_Parse((char *)h);
	free(h);
	if (b64_url_decode(pl->valuestring, strlen(pl->valuestring),
	    (unsigned char **)&p->payload, &n) < 0 ||
	    b64_url_decode(sg->valuestring, strlen(sg->valuestring), &p->sig,
	    &p->siglen) < 0)
		return false;
	n = strlen(ph->valuestring) + strlen(pl->valuestring) + 2;
	if ((p->input = malloc(n)) == NULL)
		return false;
	strcpy(p->input, ph->valuestring);
	strcat(p->input, ".");
	strcat(p->input, pl->valuestring);
	return p->header != NULL;
}

static const char *
hstr(const struct parsed *p, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->header, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* True if the JSON text of a equals that of b. */
static bool
json_eq(const cJSON *a, const cJSON *b)
{
	return a != NULL && b != NULL && cJSON_Compare(a, b, true);
}

void
test_jwk_rfc7638_thumbprint(void)
{
	struct key *k = vec_key(KEY_RSA, T_N, T_E, NULL);
	char *t;

	REQUIRE(k != NULL);
	t = jwk_thumbprint(k);
	CHECK_STR(t, T_THUMBPRINT);
	free(t);
	key_free(k);
}

void
test_jwk_members(void)
{
	struct key *ec = vec_key(KEY_EC_P256, A3_X, A3_Y, A3_D);
	struct key *ed = vec_key(KEY_ED25519, ED_X, NULL, ED_D);
	cJSON *j;
	char *s;

	REQUIRE(ec != NULL && ed != NULL);
	/* Only public members, in the canonical order; never "d". */
	j = jwk_public(ec);
	s = cJSON_PrintUnformatted(j);
	CHECK_STR(s, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" A3_X
	    "\",\"y\":\"" A3_Y "\"}");
	cJSON_free(s);
	cJSON_Delete(j);
	j = jwk_public(ed);
	s = cJSON_PrintUnformatted(j);
	CHECK_STR(s, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" ED_X
	    "\"}");
	cJSON_free(s);
	cJSON_Delete(j);
	CHECK_STR(jwk_alg(ec), "ES256");
	CHECK_STR(jwk_alg(ed), "EdDSA");
	key_free(ec);
	key_free(ed);
}

void
test_jws_sign_jwk(void)
{
	static const char payload[] = "{\"termsOfServiceAgreed\":true}";
	struct key *k = key_generate(KEY_EC_P256, 0);
	struct parsed p;
	cJSON *jws, *jwk;
	char *text;

	REQUIRE(k != NULL);
	text = jws_sign(k, NULL, "nonce-1", "https://ca.test/new-acct",
	    payload);
	REQUIRE(text != NULL);
	jws = cJSON_Parse(text);
	CHECK(parse(jws, &p));
	CHECK_STR(hstr(&p, "alg"), "ES256");
	CHECK_STR(hstr(&p, "nonce"), "nonce-1");
	CHECK_STR(hstr(&p, "url"), "https://ca.test/new-acct");
	CHECK(hstr(&p, "kid") == NULL);
	jwk = jwk_public(k);
	CHECK(json_eq(cJSON_GetObjectItemCaseSensitive(p.header, "jwk"), jwk));
	CHECK(cJSON_GetArraySize(p.header) == 4);
	CHECK_STR(p.payload, payload);
	CHECK(key_verify(k, p.input, strlen(p.input), p.sig, p.siglen));
	cJSON_Delete(jwk);
	parsed_free(&p);
	cJSON_Delete(jws);
	free(text);
	key_free(k);
}

void
test_jws_sign_kid_and_post_as_get(void)
{
	struct key *k = key_generate(KEY_EC_P384, 0);
	const cJSON *pl;
	struct parsed p;
	cJSON *jws;
	char *text;

	REQUIRE(k != NULL);
	text = jws_sign(k, "https://ca.test/acct/1", "n2",
	    "https://ca.test/order/7", NULL);
	REQUIRE(text != NULL);
	jws = cJSON_Parse(text);
	CHECK(parse(jws, &p));
	CHECK_STR(hstr(&p, "alg"), "ES384");
	CHECK_STR(hstr(&p, "kid"), "https://ca.test/acct/1");
	CHECK(cJSON_GetObjectItemCaseSensitive(p.header, "jwk") == NULL);
	/* POST-as-GET: the payload is the empty string (RFC 8555 §6.3). */
	pl = cJSON_GetObjectItemCaseSensitive(jws, "payload");
	CHECK(cJSON_IsString(pl) && strcmp(pl->valuestring, "") == 0);
	CHECK(key_verify(k, p.input, strlen(p.input), p.sig, p.siglen));
	parsed_free(&p);
	cJSON_Delete(jws);
	free(text);
	key_free(k);
}

void
test_jws_all_key_types(void)
{
	static const struct {
		enum key_type type;
		int bits;
		const char *alg;
	} v[] = {
		{ KEY_RSA, 2048, "RS256" },
		{ KEY_EC_P256, 0, "ES256" },
		{ KEY_EC_P384, 0, "ES384" },
		{ KEY_ED25519, 0, "EdDSA" },
	};
	struct parsed p;
	struct key *k;
	cJSON *jws;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		k = key_generate(v[i].type, v[i].bits);
		REQUIRE(k != NULL);
		text = jws_sign(k, NULL, "n", "https://ca.test/x", "{}");
		jws = cJSON_Parse(text);
		CHECK(parse(jws, &p));
		CHECK_STR(hstr(&p, "alg"), v[i].alg);
		CHECK(key_verify(k, p.input, strlen(p.input), p.sig,
		    p.siglen));
		parsed_free(&p);
		cJSON_Delete(jws);
		free(text);
		key_free(k);
	}
}

void
test_jws_eab(void)
{
	static const enum digest_alg algs[] = { DIGEST_SHA256, DIGEST_SHA384,
		DIGEST_SHA512 };
	static const char *const names[] = { "HS256", "HS384", "HS512" };
	static const unsigned char mac[] = "a CA-issued MAC key, 32+ bytes..";
	unsigned char want[DIGEST_MAX];
	struct key *k = key_generate(KEY_EC_P256, 0);
	struct parsed p;
	cJSON *eab, *jwk, *payload;
	size_t i;

	REQUIRE(k != NULL);
	jwk = jwk_public(k);
	for (i = 0; i < 3; i++) {
		eab = jws_eab("kid-1", mac, sizeof(mac) - 1, algs[i], k,
		    "https://ca.test/new-acct");
		CHECK(parse(eab, &p));
		CHECK_STR(hstr(&p, "alg"), names[i]);
		CHECK_STR(hstr(&p, "kid"), "kid-1");
		CHECK_STR(hstr(&p, "url"), "https://ca.test/new-acct");
		/* The inner JWS carries no nonce (RFC 8555 §7.3.4). */
		CHECK(cJSON_GetArraySize(p.header) == 3);
		payload = cJSON_Parse(p.payload);
		CHECK(json_eq(payload, jwk));
		cJSON_Delete(payload);
		CHECK(digest_hmac(algs[i], mac, sizeof(mac) - 1, p.input,
		    strlen(p.input), want) == 0);
		CHECK_MEM(p.sig, p.siglen, want, digest_size(algs[i]));
		parsed_free(&p);
		cJSON_Delete(eab);
	}
	cJSON_Delete(jwk);
	key_free(k);
}

void
test_jws_keychange(void)
{
	struct key *old = key_generate(KEY_EC_P256, 0);
	struct key *new = key_generate(KEY_ED25519, 0);
	const cJSON *acct;
	cJSON *inner, *payload, *jwk_old, *jwk_new;
	struct parsed p;

	REQUIRE(old != NULL && new != NULL);
	inner = jws_keychange(new, old, "https://ca.test/acct/1",
	    "https://ca.test/key-change");
	CHECK(parse(inner, &p));
	CHECK_STR(hstr(&p, "alg"), "EdDSA");
	CHECK_STR(hstr(&p, "url"), "https://ca.test/key-change");
	CHECK(hstr(&p, "nonce") == NULL && hstr(&p, "kid") == NULL);
	jwk_new = jwk_public(new);
	jwk_old = jwk_public(old);
	CHECK(json_eq(cJSON_GetObjectItemCaseSensitive(p.header, "jwk"),
	    jwk_new));
	payload = cJSON_Parse(p.payload);
	acct = cJSON_GetObjectItemCaseSensitive(payload, "account");
	CHECK(cJSON_IsString(acct) &&
	    strcmp(acct->valuestring, "https://ca.test/acct/1") == 0);
	CHECK(json_eq(cJSON_GetObjectItemCaseSensitive(payload, "oldKey"),
	    jwk_old));
	/* Signed by the new key, not the old one. */
	CHECK(key_verify(new, p.input, strlen(p.input), p.sig, p.siglen));
	CHECK(!key_verify(old, p.input, strlen(p.input), p.sig, p.siglen));
	cJSON_Delete(payload);
	cJSON_Delete(jwk_new);
	cJSON_Delete(jwk_old);
	parsed_free(&p);
	cJSON_Delete(inner);
	key_free(old);
	key_free(new);
}

void
test_keyauth_values(void)
{
	struct key *k = vec_key(KEY_RSA, T_N, T_E, NULL);
	char *ka, *txt;

	REQUIRE(k != NULL);
	ka = keyauth_make("abcdefghijklmnop0123", k);
	CHECK_STR(ka, "abcdefghijklmnop0123." T_THUMBPRINT);
	/* base64url(SHA-256(keyauth)), computed with openssl dgst. */
	txt = keyauth_dns01(ka);
	CHECK_STR(txt, "cS-hORhIxfkyKlMbm_MN2frLJivFk76qfjLZ1GyELyM");
	free(txt);
	free(ka);
	key_free(k);
}

void
test_keyauth_token_rules(void)
{
	static const char *const bad[] = {
		"../../x", "a;b", "../../../../etc/passwd", "short",
		"abcdefghijklmnop/0123", "abcdefghijklmnop=", "abcdefghij klmnop",
		"abcdefghijklmnop.x", "",
	};
	struct key *k = key_generate(KEY_EC_P256, 0);
	size_t i;

	REQUIRE(k != NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!keyauth_token_valid(bad[i]));
		CHECK(keyauth_make(bad[i], k) == NULL);
	}
	CHECK(keyauth_token_valid("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"));
	key_free(k);
}
