#ifndef ACMEC_ACME_SOLVER_SIGV4_H
#define ACMEC_ACME_SOLVER_SIGV4_H

/*
 * AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/
 * reference_sigv-create-signed-request.html) for services other than S3:
 * the canonical request, the string to sign and the Authorization header
 * of one request.  No I/O; proved against AWS's published test suite
 * (tests/data/aws4_testsuite).
 */

#include <stddef.h>

#include "acme/util.h"

struct sigv4_req {
	const char *method;
	const char *path;  /* as in the request line, not yet encoded */
	const char *query; /* after '?', as sent (encoded); may be NULL */
	/* The headers signed (host and x-amz-date among them), as sent. */
	const struct strlist *names, *values;
	const void *body;
	size_t body_len;
};

struct sigv4_key {
	const char *access_key;
	const char *secret_key; /* never logged */
	const char *region;     /* "us-east-1" for Route 53 */
	const char *service;    /* "route53", "sts" */
};

/*
 * Sign req at amzdate ("20150830T123600Z"): *authz (caller frees) is the
 * Authorization header's value; creq and sts, if not NULL, receive the
 * canonical request and the string to sign (caller frees).  -1 if a
 * digest fails.
 */
int sigv4_sign(const struct sigv4_req *req, const struct sigv4_key *key,
    const char *amzdate, char **authz, char **creq, char **sts);

#endif
