#ifndef ACMEC_SOLVER_EDGEGRID_H
#define ACMEC_SOLVER_EDGEGRID_H

#include <stddef.h>
#include <time.h>

/* Akamai EdgeGrid EG1-HMAC-SHA256 request signing.  No network I/O. */

#define EDGEGRID_MAX_BODY 131072

struct edgegrid_header {
	const char *name;
	const char *value;
};

struct edgegrid_req {
	const char *client_token;
	const char *client_secret;
	const char *access_token;
	const char *timestamp;	/* yyyyMMddTHH:mm:ss+0000 */
	const char *nonce;	/* fresh per request (a UUID) */
	const char *method;
	const char *host;
	const char *path_query;	/* "/config-dns/v2/zones/x?y=z", as sent */
	const struct edgegrid_header *headers;
	size_t nheaders;
	const char *const *headers_to_sign; /* signed in this order */
	size_t nsign;
	const void *body;
	size_t body_len;
	size_t max_body;	/* 0: EDGEGRID_MAX_BODY */
};

struct edgegrid_out {
	char *data_to_sign;
	char *authz;		/* Authorization header value */
};

/* Timestamp of t in EdgeGrid's form; out holds at least 23 bytes. */
int edgegrid_timestamp(time_t t, char out[23]);

/* base64(HMAC-SHA256(client_secret, timestamp)); caller frees. */
char *edgegrid_signing_key(const char *client_secret, const char *timestamp);

int edgegrid_sign(const struct edgegrid_req *req, struct edgegrid_out *out);
void edgegrid_out_free(struct edgegrid_out *out);

#endif
