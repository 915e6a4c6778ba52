#ifndef ACMEC_ACME_SOLVER_DNSAPI_H
#define ACMEC_ACME_SOLVER_DNSAPI_H

/*
 * DNS providers' HTTP APIs for dns-01 (cert-manager's built-in providers),
 * internal to acme/solver/.  dns01.c finds each record's name and zone
 * through DNS, then asks the solver's provider to add the record's values
 * (present) and, after the order, to remove exactly what it added
 * (cleanup).  Credentials come from Secrets and never reach a log.
 */

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "acme/config/config.h"
#include "acme/http.h"
#include "acme/util.h"

struct dnsapi_cache;

struct dnsapi_ctx {
	const struct cfg_solver *solver;
	const char *secretsdir;
	struct http *http; /* the system's trust store */
	/*
	 * Credentials already obtained in this order, per solver (one STS
	 * call or token exchange serves every record); may be NULL.
	 */
	struct dnsapi_cache **cache;
};

/* What present added: how cleanup undoes it. */
struct dnsapi_added {
	char *name;          /* the record name, for messages */
	struct strlist urls; /* DELETE each to undo (records with ids) */
	/*
	 * For providers keeping one record set per name (Route 53, Azure,
	 * Google, Akamai): the zone as the provider names it, and the values
	 * this run added to the set (not those that were there before), for
	 * the provider's own cleanup.
	 */
	char *zone;
	struct strlist values;
};

struct dnsapi {
	const char *name; /* cert-manager's field: "cloudflare" */
	/*
	 * The credentials (wiped after use): request headers, or for a
	 * provider that signs each request its own list (Route 53: key id,
	 * secret, session token); -1 reported.
	 */
	int (*auth)(const struct dnsapi_ctx *ctx, struct strlist *hdrs);
	/*
	 * Add values (TXT) at name (FQDN, no trailing dot) in zone, noting
	 * in added what undoes each addition as soon as it is made.  Errors
	 * are reported with the provider's own words.
	 */
	int (*present)(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
	    const char *zone, const char *name, const struct strlist *values,
	    struct dnsapi_added *added);
	/*
	 * Whether resp (to what) is a success; if not, the provider's error
	 * is reported, as a warning if warn.
	 */
	bool (*answer_ok)(const struct http_resp *resp, const char *what,
	    bool warn);
	/*
	 * Where the values of domain's record become visible, if the
	 * provider decides (acme-dns: the account's fulldomain); NULL: the
	 * _acme-challenge name (CNAMEs followed with cnameStrategy Follow).
	 */
	int (*target)(const struct dnsapi_ctx *ctx, const char *domain,
	    char **target);
	/*
	 * Undo added with the credentials hdrs, problems warned; NULL:
	 * DELETE each of added->urls.
	 */
	void (*cleanup)(const struct dnsapi_ctx *ctx,
	    const struct strlist *hdrs, const struct dnsapi_added *added);
	/*
	 * check --online: with the credentials hdrs, ask the provider,
	 * changing nothing, whether they reach zone (as DNS found it), where
	 * present would write name; -1 reported with the provider's words
	 * and what to change.  NULL: only reading the credentials is checked.
	 */
	int (*check)(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
	    const char *zone, const char *name);
};

/*
 * Add values at name through api; *added (never NULL after the call) is
 * for dnsapi_cleanup, also after a failure, to remove what was added.
 */
int dnsapi_present(const struct dnsapi *api, const struct dnsapi_ctx *ctx,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added **added);

/* Remove exactly what was added (problems warned), and free added. */
void dnsapi_cleanup(const struct dnsapi *api, const struct dnsapi_ctx *ctx,
    struct dnsapi_added *added);

/* Wipe and free the credentials cached for an order. */
void dnsapi_cache_free(struct dnsapi_cache *c);

/* The provider called name, or NULL. */
const struct dnsapi *dnsapi_find(const char *name);

/*
 * One request to a provider: a 429 (or a 503 with Retry-After) is waited
 * out as the provider asks, a few times, never past 60 s a wait.
 */
int dnsapi_send(const struct dnsapi_ctx *ctx, const struct http_req *req,
    struct http_resp *resp);

/*
 * The value of the solver's SecretRef field (trailing newlines trimmed),
 * NUL-terminated; free with crypto_secret_free(*out, *len).  NULL if the
 * field is not given; -1 (reported) if it cannot be read.
 */
int dnsapi_secret(const struct dnsapi_ctx *ctx, const char *field,
    char **out, size_t *len);

/*
 * Add "Authorization: Bearer SECRET" from the solver's SecretRef field to
 * hdrs; 0 if the field is not given (nothing added), -1 (reported) if it
 * cannot be read.  Free hdrs with dnsapi_headers_free(), which wipes them.
 */
int dnsapi_bearer(const struct dnsapi_ctx *ctx, const char *field,
    struct strlist *hdrs);
void dnsapi_headers_free(struct strlist *hdrs);

/*
 * POST doc (consumed) as JSON to url with hdrs; -1 (reported) if no
 * answer came.  The caller judges resp and frees it.
 */
int dnsapi_post_json(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, cJSON *doc, struct http_resp *resp);

/* The answer's body as JSON, or NULL. */
cJSON *dnsapi_json(const struct http_resp *resp);

/* Wipe an answer that may carry a credential, and free it. */
void dnsapi_resp_wipe(struct http_resp *resp);

/*
 * s percent-encoded: all but A-Z a-z 0-9 - . _ ~ and the characters of
 * keep.  One allocation of the largest size it can need, so that a secret
 * leaves no copy in freed memory (free with crypto_secret_free).
 */
char *dnsapi_pct(const char *s, const char *keep);

/* Is s 1..max characters, all of set? */
bool dnsapi_only(const char *s, const char *set, size_t max);

/* Note that DELETE base/id undoes an addition. */
void dnsapi_added_url(struct dnsapi_added *added, const char *base,
    const char *id);

/* The providers. */
extern const struct dnsapi dnsapi_cloudflare;
extern const struct dnsapi dnsapi_digitalocean;
extern const struct dnsapi dnsapi_acmedns;
extern const struct dnsapi dnsapi_route53;
extern const struct dnsapi dnsapi_akamai;
extern const struct dnsapi dnsapi_clouddns;
extern const struct dnsapi dnsapi_azuredns;

#endif
