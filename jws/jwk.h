#ifndef ACMEC_JWS_JWK_H
#define ACMEC_JWS_JWK_H

#include <cJSON.h>

struct key;

/*
 * The public JWK of key (RFC 7517/7518, RFC 8037 for OKP) holding only the
 * required members, inserted in lexicographic order so that printing it
 * unformatted gives the RFC 7638 canonical form.  Caller frees (cJSON_Delete).
 */
cJSON *jwk_public(const struct key *key);

/* RFC 7638 thumbprint (SHA-256, base64url); caller frees. */
char *jwk_thumbprint(const struct key *key);

/* The JWS "alg" for key: RS256, ES256, ES384 or EdDSA. */
const char *jwk_alg(const struct key *key);

#endif
