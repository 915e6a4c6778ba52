#ifndef ACMEC_ACME_HTTP_H
#define ACMEC_ACME_HTTP_H

/*
 * The one libcurl transport: one per worker, its connection kept from
 * request to request (HTTP/2 where the server offers it, else HTTP/1.1
 * keep-alive), TLS verified, redirects never followed, bodies capped.
 * The only file that includes libcurl.
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/util.h"

#define HTTP_MAX_BODY (1024 * 1024)

struct http;

/* libcurl's global set-up; call once before any thread runs (idempotent). */
void http_init(void);

struct http_resp {
	long status;
	struct buf body;
	char *location;
	char *nonce;        /* Replay-Nonce */
	char *content_type; /* without parameters, lower case */
	char *retry_after;  /* raw Retry-After */
	struct strlist links_alternate; /* Link: <...>;rel="alternate" */
	struct strlist links_up;        /* Link: <...>;rel="up" */
};

/*
 * A transport trusting ca_pem (PEM, may be NULL: the system store).
 * insecure skips verification (skipTLSVerify).  NULL on failure, with the
 * reason in util_error().
 */
struct http *http_new(const char *ca_pem, size_t ca_len, bool insecure);

/*
 * A transport for a cloud's instance metadata service (AWS IMDS, Azure
 * IMDS, Google's metadata server), and for check --online's webroot probe
 * of this host's own web server: plain http:// only, never through a
 * proxy, and quick to give up (1 s to connect, 5 s in all).
 */
struct http *http_new_metadata(void);

/*
 * One request.  body may be NULL (no body); ctype is its Content-Type.
 * method is "GET", "HEAD" or "POST".  On a transport failure returns -1 and
 * util_error() says why; any HTTP status is success here.
 */
int http_request(struct http *h, const char *method, const char *url,
    const char *body, const char *ctype, const char *accept,
    struct http_resp *resp);

/*
 * A request with more to say: any method (GET, HEAD, POST, PUT, PATCH,
 * DELETE), and headers ("Name: value", may be NULL), which are never
 * logged (they carry API credentials).
 */
struct http_req {
	const char *method;
	const char *url;
	const char *body;    /* NUL-terminated, may be NULL */
	const char *ctype;   /* Content-Type of body, may be NULL */
	const char *accept;  /* may be NULL */
	const struct strlist *headers;
};

/* http_request() for req; the same contract. */
int http_send(struct http *h, const struct http_req *req,
    struct http_resp *resp);

/*
 * Several requests at once: streams of one HTTP/2 connection where the
 * server offers HTTP/2, else up to six HTTP/1.1 connections.  rcs[i] is
 * what http_send() would return for reqs[i] and resps[i]; errs[i] the
 * reason of a -1 (else NULL; caller frees).
 */
void http_send_many(struct http *h, size_t n, const struct http_req *reqs,
    struct http_resp *resps, int *rcs, char **errs);

/*
 * Requests made, rounds (a request or a batch of them: the round trips
 * waited for) and connections opened so far.
 */
void http_counters(const struct http *h, long *requests, long *rounds,
    long *connects);

/* Link header targets with rel="alternate" and rel="up" (RFC 8288). */
void http_parse_links(const char *value, struct strlist *alternate,
    struct strlist *up);

void http_resp_free(struct http_resp *r);
void http_free(struct http *h);

#endif
