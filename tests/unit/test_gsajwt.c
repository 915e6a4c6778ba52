/*
 * Google service-account JWT: the claims Google documents (service-account
 * #httprest: iss, scope, aud, iat, exp <= iat + 1 hour; RS256) and a
 * signature that verifies with the public key.  RS256 itself is proven by
 * RFC 7515 A.2 in test_key.c.
 */

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/solver/gsajwt.h"
#include "crypto/b64.h"
#include "tests/unit/unit.h"

static cJSON *
part(const char *s, size_t n)
{
	size_t len;
	unsigned char *d;
	cJSON *j;

	if (b64_url_decode(s, n, &d, &len) < 0)
		return NULL;
	j = cJSON_Parse((char *)d);
	free(d);
	return j;
}

void
test_gsajwt_claims(void)
{
	struct key *rsa = key_generate(KEY_RSA, 2048);
	struct key *ec = key_generate(KEY_EC_P256, 0);
	char *jwt, *dot1, *dot2;
	unsigned char *sig;
	size_t siglen;
	cJSON *h, *c;

	REQUIRE(rsa != NULL && ec != NULL);
	CHECK(gsajwt_make(ec, "a@p.iam.gserviceaccount.com", "s", NULL, 1) ==
	    NULL);
	jwt = gsajwt_make(rsa, "a@p.iam.gserviceaccount.com",
	    GSAJWT_SCOPE_DNS, NULL, 1700000000);
	REQUIRE(jwt != NULL);
	REQUIRE((dot1 = strchr(jwt, '.')) != NULL);
	REQUIRE((dot2 = strchr(dot1 + 1, '.')) != NULL);
	h = part(jwt, (size_t)(dot1 - jwt));
	c = part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	REQUIRE(h != NULL && c != NULL);
	CHECK_STR(cJSON_GetObjectItem(h, "alg")->valuestring, "RS256");
	CHECK_STR(cJSON_GetObjectItem(h, "typ")->valuestring, "JWT");
	CHECK_STR(cJSON_GetObjectItem(c, "iss")->valuestring,
	    "a@p.iam.gserviceaccount.com");
	CHECK_STR(cJSON_GetObjectItem(c, "scope")->valuestring,
	    "https://www.googleapis.com/auth/ndev.clouddns.readwrite");
	CHECK_STR(cJSON_GetObjectItem(c, "aud")->valuestring,
	    "https://oauth2.googleapis.com/token");
	CHECK(cJSON_GetObjectItem(c, "iat")->valuedouble == 1700000000.0);
	CHECK(cJSON_GetObjectItem(c, "exp")->valuedouble == 1700003600.0);
	CHECK(cJSON_GetArraySize(c) == 5);
	REQUIRE(b64_url_decode(dot2 + 1, strlen(dot2 + 1), &sig, &siglen) == 0);
	CHECK(siglen == 256);
	CHECK(key_verify(rsa, jwt, (size_t)(dot2 - jwt), sig, siglen));
	sig[10] ^= 1;
	CHECK(!key_verify(rsa, jwt, (size_t)(dot2 - jwt), sig, siglen));
	free(sig);
	cJSON_Delete(h);
	cJSON_Delete(c);
	free(jwt);
	key_free(rsa);
	key_free(ec);
}
