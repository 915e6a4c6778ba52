#ifndef ACMEC_JWS_KEYAUTH_H
#define ACMEC_JWS_KEYAUTH_H

#include <stdbool.h>

struct key;

/*
 * True if token is a challenge token acmec accepts: base64url only, 16 to
 * 255 characters (RFC 8555 §8.1 asks for at least 128 bits of entropy).  A
 * token goes into file names and URLs, so anything else is refused.
 */
bool keyauth_token_valid(const char *token);

/* Key authorization "token.thumbprint" (RFC 8555 §8.1); caller frees. */
char *keyauth_make(const char *token, const struct key *account);

/* dns-01 TXT value: base64url(SHA-256(keyauth)) (RFC 8555 §8.4). */
char *keyauth_dns01(const char *keyauth);

#endif
