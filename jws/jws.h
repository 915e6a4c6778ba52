#ifndef ACMEC_JWS_JWS_H
#define ACMEC_JWS_JWS_H

#include <stddef.h>

#include <cJSON.h>

#include "crypto/digest.h"

struct key;

/*
 * An ACME request body (RFC 8555 §6.2): the flattened JWS JSON serialization
 * signed by key, with "kid" in the protected header when kid is non-NULL
 * (an existing account) and the public "jwk" otherwise (newAccount, revoke
 * by certificate key), plus "nonce" and "url".  payload is JSON text, or
 * NULL for POST-as-GET (an empty payload).  Returns the text (caller frees)
 * or NULL.
 */
char *jws_sign(const struct key *key, const char *kid, const char *nonce,
    const char *url, const char *payload);

/*
 * The externalAccountBinding object of newAccount (RFC 8555 §7.3.4): a JWS
 * over the account's public JWK, MACed with the CA-issued key (HS256,
 * HS384 or HS512 by alg), "kid" keyid and "url" the newAccount URL.
 * Caller frees with cJSON_Delete.
 */
cJSON *jws_eab(const char *keyid, const unsigned char *mac, size_t maclen,
    enum digest_alg alg, const struct key *account, const char *url);

/*
 * The inner JWS of keyChange (RFC 8555 §7.3.5): signed by newkey, "jwk" of
 * newkey and "url" the keyChange URL in the protected header, payload
 * {"account": account_url, "oldKey": JWK of oldkey}.
 */
cJSON *jws_keychange(const struct key *newkey, const struct key *oldkey,
    const char *account_url, const char *url);

#endif
