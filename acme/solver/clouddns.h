#ifndef ACMEC_ACME_SOLVER_CLOUDDNS_H
#define ACMEC_ACME_SOLVER_CLOUDDNS_H

/*
 * Google Cloud DNS (cert-manager's dns01.cloudDNS): the part of it that
 * reads a service account's JSON key file, apart for its unit test.
 */

#include <stddef.h>

#include "crypto/key.h"

/* Google's token endpoint: where a key's signed assertion may go. */
#define CLOUDDNS_TOKEN_URI "https://oauth2.googleapis.com/token"

struct clouddns_sa {
	char *email;     /* client_email: the JWT's iss */
	char *token_uri; /* https, Google's: the JWT's aud */
	struct key *key; /* private_key, RSA */
};

/*
 * Read the key file json (len bytes) into sa: "type" must be
 * "service_account", client_email an address, private_key an RSA key in
 * PEM, token_uri (absent: CLOUDDNS_TOKEN_URI) one of Google's https
 * token endpoints, since the signed assertion is as good as an access
 * token for an hour.  -1 with the reason in util_error() (no secret in
 * it) and sa empty.  Free sa with clouddns_sa_free().
 */
int clouddns_sa_parse(const char *json, size_t len, struct clouddns_sa *sa);
void clouddns_sa_free(struct clouddns_sa *sa);

#endif
