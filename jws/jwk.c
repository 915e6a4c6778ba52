#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/digest.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "jws/jwk.h"

const char *
jwk_alg(const struct key *key)
{
	switch (key_get_type(key)) {
	case KEY_RSA:
		return "RS256";
	case KEY_EC_P256:
		return "ES256";
	case KEY_EC_P384:
		return "ES384";
	case KEY_EC_P521:
		return "ES512";
	case KEY_ED25519:
		break;
	}
	return "EdDSA";
}

/* Add member name = base64url(buf) to obj. */
static int
add_b64(cJSON *obj, const char *name, const unsigned char *buf, size_t len)
{
	char *s;
	int rc = 0;

	if ((s = b64_url_encode(buf, len)) == NULL)
		return -1;
	if (cJSON_AddStringToObject(obj, name, s) == NULL) {
		crypto_seterr("out of memory");
		rc = -1;
	}
	free(s);
	return rc;
}

static int
add_str(cJSON *obj, const char *name, const char *value)
{
	if (cJSON_AddStringToObject(obj, name, value) == NULL) {
		crypto_seterr("out of memory");
		return -1;
	}
	return 0;
}

cJSON *
jwk_public(const struct key *key)
{
	struct key_params p;
	cJSON *jwk = NULL;
	int bad = 0;

	if (key_public_params(key, &p) < 0)
		return NULL;
	if ((jwk = cJSON_CreateObject()) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	/* Members in lexicographic order: RFC 7638 §3.2. */
	switch (p.type) {
	case KEY_RSA:
		bad = add_b64(jwk, "e", p.b, p.blen) ||
		    add_str(jwk, "kty", "RSA") ||
		    add_b64(jwk, "n", p.a, p.alen);
		break;
	case KEY_EC_P256:
	case KEY_EC_P384:
	case KEY_EC_P521:
		bad = add_str(jwk, "crv", p.type == KEY_EC_P256 ? "P-256" :
		    p.type == KEY_EC_P384 ? "P-384" : "P-521") ||
		    add_str(jwk, "kty", "EC") ||
		    add_b64(jwk, "x", p.a, p.alen) ||
		    add_b64(jwk, "y", p.b, p.blen);
		break;
	case KEY_ED25519:
		bad = add_str(jwk, "crv", "Ed25519") ||
		    add_str(jwk, "kty", "OKP") ||
		    add_b64(jwk, "x", p.a, p.alen);
		break;
	}
	if (bad) {
		cJSON_Delete(jwk);
		jwk = NULL;
	}
out:
	key_params_clear(&p);
	return jwk;
}

char *
jwk_thumbprint(const struct key *key)
{
	unsigned char digest[DIGEST_MAX];
	cJSON *jwk;
	char *json = NULL, *out = NULL;

	if ((jwk = jwk_public(key)) == NULL)
		return NULL;
	if ((json = cJSON_PrintUnformatted(jwk)) == NULL)
		crypto_seterr("out of memory");
	else if (digest_hash(DIGEST_SHA256, json, strlen(json), digest) == 0)
		out = b64_url_encode(digest, 32);
	cJSON_free(json);
	cJSON_Delete(jwk);
	return out;
}
