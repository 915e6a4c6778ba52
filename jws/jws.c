/* Flattened JWS JSON serialization (RFC 7515 §7.2.2) for ACME. */

#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "jws/jwk.h"
#include "jws/jws.h"

/* An HMAC key, for the EAB inner JWS. */
struct mac {
	enum digest_alg alg;
	const unsigned char *key;
	size_t keylen;
};

static const char *const hs_names[] = {
	[DIGEST_SHA256] = "HS256",
	[DIGEST_SHA384] = "HS384",
	[DIGEST_SHA512] = "HS512",
};

/*
 * Sign header (consumed) and payload (JSON text, NULL for empty) with key,
 * or with mac when key is NULL.  Returns the flattened JWS object.
 */
static cJSON *
flatten(cJSON *header, const char *payload, const struct key *key,
    const struct mac *mac)
{
	unsigned char *sig = NULL, digest[DIGEST_MAX];
	size_t siglen = 0;
	char *hjson = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL,
	    *input = NULL;
	cJSON *jws = NULL;

	if (header == NULL)
		goto out;
	if ((hjson = cJSON_PrintUnformatted(header)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	if ((h64 = b64_url_encode((const unsigned char *)hjson,
	    strlen(hjson))) == NULL ||
	    (p64 = b64_url_encode((const unsigned char *)(payload ?
	    payload : ""), payload ? strlen(payload) : 0)) == NULL)
		goto out;
	if ((input = malloc(strlen(h64) + strlen(p64) + 2)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	strcpy(input, h64);
	strcat(input, ".");
	strcat(input, p64);
	if (key != NULL) {
		if (key_sign(key, input, strlen(input), &sig, &siglen) < 0)
			goto out;
		s64 = b64_url_encode(sig, siglen);
	} else {
		if (digest_hmac(mac->alg, mac->key, mac->keylen, input,
		    strlen(input), digest) < 0)
			goto out;
		s64 = b64_url_encode(digest, digest_size(mac->alg));
	}
	if (s64 == NULL)
		goto out;
	if ((jws = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(jws, "protected", h64) == NULL ||
	    cJSON_AddStringToObject(jws, "payload", p64) == NULL ||
	    cJSON_AddStringToObject(jws, "signature", s64) == NULL) {
		crypto_seterr("out of memory");
		cJSON_Delete(jws);
		jws = NULL;
	}
out:
	cJSON_Delete(header);
	cJSON_free(hjson);
	free(h64);
	free(p64);
	free(s64);
	free(input);
	free(sig);
	return jws;
}

/* The protected header {alg, jwk|kid, nonce, url}; NULL members left out. */
static cJSON *
header(const char *alg, const struct key *jwk_of, const char *kid,
    const char *nonce, const char *url)
{
	cJSON *h, *jwk = NULL;

	if ((h = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(h, "alg", alg) == NULL)
		goto fail;
	if (jwk_of != NULL) {
		if ((jwk = jwk_public(jwk_of)) == NULL) {
			cJSON_Delete(h);
			return NULL;
		}
		if (!cJSON_AddItemToObject(h, "jwk", jwk)) {
			cJSON_Delete(jwk);
			goto fail;
		}
	}
	if ((kid != NULL && cJSON_AddStringToObject(h, "kid", kid) == NULL) ||
	    (nonce != NULL &&
	    cJSON_AddStringToObject(h, "nonce", nonce) == NULL) ||
	    cJSON_AddStringToObject(h, "url", url) == NULL)
		goto fail;
	return h;
fail:
	crypto_seterr("out of memory");
	cJSON_Delete(h);
	return NULL;
}

char *
jws_sign(const struct key *key, const char *kid, const char *nonce,
    const char *url, const char *payload)
{
	cJSON *jws;
	char *text;

	jws = flatten(header(jwk_alg(key), kid == NULL ? key : NULL, kid,
	    nonce, url), payload, key, NULL);
	if (jws == NULL)
		return NULL;
	if ((text = cJSON_PrintUnformatted(jws)) == NULL)
		crypto_seterr("out of memory");
	cJSON_Delete(jws);
	return text;
}

/* JSON text of the public JWK of key; caller frees with cJSON_free. */
static char *
jwk_text(const struct key *key)
{
	cJSON *jwk;
	char *text;

	if ((jwk = jwk_public(key)) == NULL)
		return NULL;
	if ((text = cJSON_PrintUnformatted(jwk)) == NULL)
		crypto_seterr("out of memory");
	cJSON_Delete(jwk);
	return text;
}

cJSON *
jws_eab(const char *keyid, const unsigned char *mackey, size_t maclen,
    enum digest_alg alg, const struct key *account, const char *url)
{
	struct mac mac = { alg, mackey, maclen };
	cJSON *jws;
	char *payload;

	if ((payload = jwk_text(account)) == NULL)
		return NULL;
	jws = flatten(header(hs_names[alg], NULL, keyid, NULL, url), payload,
	    NULL, &mac);
	cJSON_free(payload);
	return jws;
}

cJSON *
jws_keychange(const struct key *newkey, const struct key *oldkey,
    const char *account_url, const char *url)
{
	cJSON *payload = NULL, *old, *jws = NULL;
	char *text = NULL;

	if ((old = jwk_public(oldkey)) == NULL)
		return NULL;
	if ((payload = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(payload, "account", account_url) == NULL ||
	    !cJSON_AddItemToObject(payload, "oldKey", old)) {
		cJSON_Delete(old);
		crypto_seterr("out of memory");
		goto out;
	}
	if ((text = cJSON_PrintUnformatted(payload)) == NULL) {
		crypto_seterr("out of memory");
		goto out;
	}
	jws = flatten(header(jwk_alg(newkey), newkey, NULL, NULL, url), text,
	    newkey, NULL);
out:
	cJSON_free(text);
	cJSON_Delete(payload);
	return jws;
}
