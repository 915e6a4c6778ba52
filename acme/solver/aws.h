#ifndef ACMEC_ACME_SOLVER_AWS_H
#define ACMEC_ACME_SOLVER_AWS_H

/*
 * AWS for Route 53, internal to acme/solver/: the credentials of a
 * dns01.route53 solver as cert-manager finds them (the keys in its
 * Secrets, else the usual AWS chain: environment, shared credentials
 * file and profile, EC2 instance metadata with IMDSv2), the role assumed
 * through STS, and requests signed with Signature Version 4, AWS's
 * throttling waited out.
 */

#include "acme/http.h"
#include "acme/solver/dnsapi.h"

struct aws_cred {
	char *access;
	char *secret; /* never logged, wiped */
	char *token;  /* session token of temporary credentials, or NULL */
};

/*
 * The solver's credentials into c (free with aws_cred_free), the role
 * assumed if it names one; -1 reported (the AWS error's own words).
 */
int aws_credentials(const struct dnsapi_ctx *ctx, struct aws_cred *c);
void aws_cred_free(struct aws_cred *c);

/* c as dnsapi's credential list (moved), and back (borrowed). */
void aws_cred_to_list(struct aws_cred *c, struct strlist *l);
void aws_cred_from_list(const struct strlist *l, struct aws_cred *c);

/* The partition's endpoints for the solver's region (or AWS_REGION). */
struct aws_where {
	char route53[64];  /* host */
	char r53_region[32]; /* the region Route 53 is signed for */
	char sts[96];      /* host */
	char sts_region[32];
};
void aws_where(const struct dnsapi_ctx *ctx, struct aws_where *w);

struct aws_call {
	const char *service; /* "route53", "sts" */
	const char *region;  /* signed for */
	const char *method;
	const char *host;
	const char *path;  /* encoded as sent */
	const char *query; /* after '?', encoded, or NULL */
	const char *body;  /* or NULL */
	const char *ctype; /* of body */
};

/*
 * One signed request; 429 and AWS's throttling answers (400 Throttling,
 * PriorRequestNotComplete...) waited out a few times.  -1 if no answer
 * came (util_error() says why).
 */
int aws_send(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const struct aws_call *call, struct http_resp *resp);

/*
 * AWS's error in resp ("Code: Message", escaped), for messages; a
 * description of the status if the answer says nothing.  Caller frees.
 */
char *aws_error(const struct http_resp *resp);

#endif
