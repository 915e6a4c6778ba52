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

#include "acme/config/config.h"
#include "acme/http.h"
#include "acme/util.h"

struct dnsapi_ctx {
	const struct cfg_solver *solver;
	const char *secretsdir;
	struct http *http; /* the system's trust store */
};

struct dnsapi {
	const char *name; /* cert-manager's field: "cloudflare" */
	/*
	 * Add values (TXT, TTL 60-120) at name (FQDN, no trailing dot) in
	 * zone; *state (freed by cleanup) remembers what was added.  Errors
	 * are reported with the provider's own words; -1 leaves *state for
	 * cleanup of whatever was added before the failure.
	 */
	int (*present)(const struct dnsapi_ctx *ctx, const char *zone,
	    const char *name, const struct strlist *values, void **state);
	/* Remove exactly what present added; problems are warned. */
	void (*cleanup)(const struct dnsapi_ctx *ctx, void *state);
};

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

/* The providers. */
extern const struct dnsapi dnsapi_cloudflare;

#endif
