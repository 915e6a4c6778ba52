#ifndef ACMEC_ACME_SOLVER_GSAKEY_H
#define ACMEC_ACME_SOLVER_GSAKEY_H

/*
 * A Google service account's JSON key file (cloud.google.com/iam/docs/
 * keys-create-delete: "type", "client_email", "private_key" in PEM,
 * "token_uri", ...), as cloudDNS reads it.
 */

#include <stddef.h>

#include "crypto/key.h"

/* Google's token endpoint: where a key's signed assertion may go. */
#define GSAKEY_TOKEN_URI "https://oauth2.googleapis.com/token"

struct gsakey {
	char *email;     /* client_email: the JWT's iss */
	char *token_uri; /* https, Google's: the JWT's aud */
	struct key *key; /* private_key, RSA */
};

/*
 * Read the key file json (len bytes) into sa: "type" must be
 * "service_account", client_email an address, private_key an RSA key in
 * PEM, token_uri (absent: GSAKEY_TOKEN_URI) one of Google's https
 * token endpoints, since the signed assertion is as good as an access
 * token for an hour.  -1 with the reason in util_error() (no secret in
 * it) and sa empty.  Free sa with gsakey_free().
 */
int gsakey_parse(const char *json, size_t len, struct gsakey *sa);
void gsakey_free(struct gsakey *sa);

#endif
