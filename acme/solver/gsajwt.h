#ifndef ACMEC_SOLVER_GSAJWT_H
#define ACMEC_SOLVER_GSAJWT_H

#include "crypto/key.h"

/*
 * The JWT a Google service account exchanges at its token_uri for an
 * access token (developers.google.com/identity/protocols/oauth2/
 * service-account#httprest): header {"alg":"RS256","typ":"JWT"}, claims
 * iss (the account's client_email), scope (space-delimited), aud (the
 * token URI), iat, and exp = iat + 3600 (Google's maximum).  It is POSTed
 * as grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT.
 */

#define GSAJWT_AUD "https://oauth2.googleapis.com/token"
#define GSAJWT_SCOPE_DNS "https://www.googleapis.com/auth/ndev.clouddns.readwrite"

/* key must be RSA; aud NULL means GSAJWT_AUD.  Caller frees. */
char *gsajwt_make(const struct key *key, const char *iss, const char *scope,
    const char *aud, long long iat);

#endif
