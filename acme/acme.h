#ifndef ACMEC_ACME_ACME_H
#define ACMEC_ACME_ACME_H

/*
 * An ACME session (RFC 8555): the directory, nonces, signed POSTs with
 * badNonce retries, problem documents, Retry-After; and the server's JSON
 * turned into typed structs at this edge.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "acme/http.h"
#include "crypto/ident.h"

struct key;

/* A problem document (RFC 7807, RFC 8555 §6.7), or a local failure. */
struct acme_subproblem {
	char *type, *detail, *ident;
};

struct acme_problem {
	char *type;   /* NULL for a local failure (connection, parse) */
	char *detail;
	int status;
	long long retry_after; /* seconds, -1 if none */
	struct acme_subproblem *sub;
	size_t nsub;
};

struct acme_dir {
	char *new_nonce, *new_account, *new_order, *revoke_cert, *key_change;
	char *renewal_info, *tos, *website; /* meta.termsOfService, website */
	bool eab_required;
	struct strlist profiles; /* meta.profiles (names) */
};

/* Fresh nonces kept at most (the newest are used first). */
#define ACME_NONCES 128

struct acme {
	struct http *http;
	char *server;
	struct acme_dir dir;
	char *nonces[ACME_NONCES]; /* Replay-Nonces not yet used */
	size_t nnonces;
	bool serial;           /* the CA wants one request at a time */
	char *cachedir;        /* where the directory is kept, or NULL */
	bool dir_cached;       /* a->dir is the copy kept, not read now */
	const struct key *key; /* account key */
	char *kid;             /* account URL once known */
	bool account_unknown;  /* the CA said it does not know kid */
};

enum acme_status {
	ST_UNKNOWN,
	ST_PENDING,
	ST_READY,
	ST_PROCESSING,
	ST_VALID,
	ST_INVALID,
	ST_DEACTIVATED,
	ST_EXPIRED,
	ST_REVOKED,
};

struct acme_challenge {
	char *type, *url, *token;
	enum acme_status status;
	struct acme_problem *error; /* NULL if none */
};

struct acme_authz {
	char *url;
	struct ident id;
	bool wildcard;
	enum acme_status status;
	struct acme_challenge *ch;
	size_t nch;
};

struct acme_order {
	char *url;
	enum acme_status status;
	struct strlist authzs;
	char *finalize, *certificate;
	struct acme_problem *error;
};

/*
 * Connect to the server (its directory URL) and read the directory.  ca
 * (PEM, may be NULL) and insecure as for http_new().  On failure a is
 * left closed.  acme_close() frees what a holds but a->key, which stays
 * the caller's; it accepts a zeroed or closed a.
 */
int acme_open(struct acme *a, const char *server, const char *ca,
    size_t calen, bool insecure, struct acme_problem *prob);

/*
 * acme_open(), with the directory kept in cachedir for a day (0700, a file
 * per server): read from there while fresh, else from the server and
 * kept.  A request to a URL of a kept directory that answers 404 or 405,
 * or userActionRequired (new terms), reads it again (acme_dir_refresh()).
 */
int acme_open_cached(struct acme *a, const char *server, const char *ca,
    size_t calen, bool insecure, const char *cachedir,
    struct acme_problem *prob);

/* Let's Encrypt's directories: ad hoc issue's default, and --staging. */
#define ACME_LE_PRODUCTION "https://acme-v02.api.letsencrypt.org/directory"
#define ACME_LE_STAGING \
	"https://acme-staging-v02.api.letsencrypt.org/directory"

/*
 * The staging twin of a production directory URL whose CA publishes one
 * (Let's Encrypt, Google Trust Services), as certbot's --dry-run uses it;
 * NULL if server has none known (it may be a staging server already).
 */
const char *acme_staging_twin(const char *server);

/* Read the directory from the server again (and keep it); -1 and prob. */
int acme_dir_refresh(struct acme *a, struct acme_problem *prob);
void acme_close(struct acme *a);

/*
 * A signed POST of payload (JSON text; NULL for POST-as-GET) to url, with
 * "kid" if a->kid is set and "jwk" otherwise.  A badNonce is retried with
 * the fresh nonce a few times.  Any status >= 400 is a failure: -1, and
 * prob holds the problem.  resp is filled on success (caller frees).
 */
int acme_post(struct acme *a, const char *url, const char *payload,
    const char *accept, struct http_resp *resp, struct acme_problem *prob);

/*
 * Calls of acme_post_many(): url, payload (NULL for POST-as-GET) and
 * accept in; rc (0 or -1), resp (caller frees) and prob out.
 */
struct acme_call {
	const char *url, *payload, *accept;
	int rc;
	struct http_resp resp;
	struct acme_problem prob;
};

/*
 * acme_post() for n calls at once, each with its own nonce (fetched
 * together first when the pool has too few): for requests that may be
 * repeated (POST-as-GET, a challenge's {}).  A call that fails on the
 * wire or meets HTTP 503 is tried once more alone, and the session asks
 * the CA one request at a time from then on (a->serial).
 */
void acme_post_many(struct acme *a, struct acme_call *calls, size_t n);

/*
 * At least n nonces at hand (at most ACME_NONCES; one if a->serial),
 * fetched side by side: one round trip however many are missing.
 */
int acme_nonces_want(struct acme *a, size_t n, struct acme_problem *prob);

/* Keep r's Replay-Nonce in a's pool; free the pool. */
void acme_nonce_keep(struct acme *a, struct http_resp *r);
void acme_nonces_free(struct acme *a);

/* acme_post(), and the body parsed as a JSON object (caller deletes). */
struct cJSON;
int acme_post_json(struct acme *a, const char *url, const char *payload,
    struct http_resp *resp, struct cJSON **json, struct acme_problem *prob);

/* Set prob to a local failure (printf-style detail). */
void acme_problem_local(struct acme_problem *prob, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report prob as an error, prefixed by what was being done. */
void acme_problem_report(const struct acme_problem *prob, const char *what);

/* "urn:ietf:params:acme:error:badNonce" -> "badNonce"; other types as is. */
const char *acme_problem_short(const struct acme_problem *prob);

void acme_problem_free(struct acme_problem *prob);

/* A problem document as the server sent it (body may be NULL). */
void acme_problem_parse(const char *body, size_t len, long status,
    const char *retry_after, struct acme_problem *prob);

/* The directory object; -1 if it lacks newNonce, newAccount, newOrder. */
int acme_parse_directory(const char *body, size_t len, struct acme_dir *d);
void acme_dir_free(struct acme_dir *d);

/*
 * Retry-After (RFC 9110 §10.2.3: seconds or an HTTP date) as seconds from
 * now, capped at one day; -1 if absent or malformed.
 */
long long acme_retry_after(const char *value);

/*
 * ARI (RFC 9773): the CA's suggested renewal window for certid, and how
 * long to wait before asking again (Retry-After; -1 if not given).
 */
int acme_renewal_info(struct acme *a, const char *certid, time_t *start,
    time_t *end, long long *retry_after, struct acme_problem *prob);

/* An RFC 3339 time ("2025-01-02T04:00:00Z", fractions allowed), or -1. */
time_t acme_parse_time(const char *s);

/* Typed views of the server's objects; -1 (and prob) if malformed. */
int acme_parse_order(const struct cJSON *j, struct acme_order *o,
    struct acme_problem *prob);
int acme_parse_authz(const struct cJSON *j, struct acme_authz *az,
    struct acme_problem *prob);
/* A challenge object (in an authorization, or the answer to its POST). */
int acme_parse_challenge(const struct cJSON *j, struct acme_challenge *ch,
    struct acme_problem *prob);
void acme_order_free(struct acme_order *o);
void acme_authz_free(struct acme_authz *az);
void acme_challenge_free(struct acme_challenge *ch);

const char *acme_status_name(enum acme_status st);

/*
 * POST-as-GET the order at url and parse it; *retry_after from the
 * answer.  Errors reported.
 */
int acme_fetch_order(struct acme *a, const char *url, struct acme_order *o,
    long long *retry_after);

/*
 * POST-as-GET the n authorizations at urls, side by side, into azs (each
 * keeps its url); -1 if any failed, each failure reported.  The caller
 * frees every azs[i].
 */
int acme_fetch_authzs(struct acme *a, const char *const *urls, size_t n,
    struct acme_authz *azs);

#endif
