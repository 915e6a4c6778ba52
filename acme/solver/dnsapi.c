/*
 * DNS providers' HTTP APIs: the table of providers and what they share
 * (rate limits waited out, credentials read from Secrets).
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acme/acme.h"
#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "acme/solver/internal.h"
#include "crypto/err.h"

#define RATE_TRIES 4
#define RATE_MAX_S 60

static const struct dnsapi *const providers[] = {
	&dnsapi_cloudflare,
	&dnsapi_digitalocean,
	&dnsapi_acmedns,
	&dnsapi_route53,
	&dnsapi_akamai,
	&dnsapi_clouddns,
	&dnsapi_azuredns,
};

struct dnsapi_cache {
	const struct cfg_solver *solver;
	struct strlist creds;
	struct dnsapi_cache *next;
};

void
dnsapi_cache_free(struct dnsapi_cache *c)
{
	struct dnsapi_cache *next;

	for (; c != NULL; c = next) {
		next = c->next;
		dnsapi_headers_free(&c->creds);
		free(c);
	}
}

/*
 * The solver's credentials: those already obtained in this order, else
 * api->auth's (kept in the order's cache, or in own); NULL (reported) if
 * there are none.
 */
static const struct strlist *
creds(const struct dnsapi *api, const struct dnsapi_ctx *ctx,
    struct strlist *own)
{
	struct dnsapi_cache *c;

	if (ctx->cache == NULL)
		return api->auth(ctx, own) < 0 ? NULL : own;
	for (c = *ctx->cache; c != NULL; c = c->next)
		if (c->solver == ctx->solver)
			return &c->creds;
	c = util_alloc(sizeof(*c));
	if (api->auth(ctx, &c->creds) < 0) {
		dnsapi_cache_free(c);
		return NULL;
	}
	c->solver = ctx->solver;
	c->next = *ctx->cache;
	*ctx->cache = c;
	return &c->creds;
}

int
solver_check_credentials(const struct cfg_solver *s, const char *secretsdir,
    const char *domain)
{
	const struct dnsapi *api = s->dns_provider == DNS01_API ?
	    dnsapi_find(s->api.provider) : NULL;
	struct dnsapi_ctx ctx = { s, secretsdir, NULL, NULL };
	struct strlist hdrs = { 0 };
	char *target = NULL, *zone = NULL;
	int rc = -1;

	if (api == NULL) {
		log_error("dns-01: the solver of %s uses no provider's API",
		    domain);
		return -1;
	}
	if ((ctx.http = http_new(NULL, 0, false)) == NULL) {
		log_error("dns-01: %s: %s", api->name, util_error());
		return -1;
	}
	/* Read (and exchanged, for those that are), then shown to it. */
	if (api->auth(&ctx, &hdrs) < 0)
		goto out;
	/* Where present would write, found as for an order. */
	if (dns01_locate(s, secretsdir, domain, true, &target, &zone) < 0)
		goto out;
	/* Each check says what it proved. */
	if (api->check == NULL)
		log_info("dns-01: %s: the credentials can be read (the "
		    "provider has no call to check them)", api->name);
	else if (api->check(&ctx, &hdrs, zone, target) < 0)
		goto out;
	rc = 0;
out:
	dnsapi_headers_free(&hdrs);
	http_free(ctx.http);
	free(target);
	free(zone);
	return rc;
}

const struct dnsapi *
dnsapi_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

int
dnsapi_send(const struct dnsapi_ctx *ctx, const struct http_req *req,
    struct http_resp *resp)
{
	long long wait;
	int i;

	for (i = 0;; i++) {
		if (http_send(ctx->http, req, resp) < 0)
			return -1;
		if (resp->status != 429 && !(resp->status == 503 &&
		    resp->retry_after != NULL))
			return 0;
		wait = resp->retry_after != NULL ?
		    acme_retry_after(resp->retry_after) : -1;
		if (wait < 0)
			wait = 1LL << i;
		if (i + 1 >= RATE_TRIES || wait > RATE_MAX_S ||
		    util_interrupted())
			return 0; /* the caller reports the provider's words */
		log_info("dns-01: %s asks to wait %lld s (HTTP %ld); waiting",
		    ctx->solver->api.provider, wait, resp->status);
		http_resp_free(resp);
		util_sleep_ms(wait * 1000);
	}
}

int
dnsapi_secret(const struct dnsapi_ctx *ctx, const char *field, char **out,
    size_t *len)
{
	const struct cfg_secret_ref *ref;
	char *where;

	*out = NULL;
	*len = 0;
	if ((ref = config_dnsapi_ref(&ctx->solver->api, field)) == NULL)
		return 0;
	if (config_secret_get(ref, NULL, ctx->secretsdir, 64 * 1024, out,
	    len) < 0) {
		where = config_secret_where(ref, NULL, ctx->secretsdir);
		log_error("dns-01: cannot read the %s %s %s: %s",
		    ctx->solver->api.provider, field, where, strerror(errno));
		free(where);
		return -1;
	}
	while (*len > 0 && ((*out)[*len - 1] == '\n' ||
	    (*out)[*len - 1] == '\r'))
		(*out)[--*len] = '\0';
	return 0;
}

int
dnsapi_bearer(const struct dnsapi_ctx *ctx, const char *field,
    struct strlist *hdrs)
{
	char *secret, *h;
	size_t len;

	if (dnsapi_secret(ctx, field, &secret, &len) < 0)
		return -1;
	if (secret == NULL)
		return 0;
	h = util_printf("Authorization: Bearer %s", secret);
	strlist_add(hdrs, h);
	crypto_secret_free(h, strlen(h));
	crypto_secret_free(secret, len);
	return 0;
}

void
dnsapi_headers_free(struct strlist *hdrs)
{
	size_t i;

	for (i = 0; i < hdrs->n; i++)
		crypto_secret_free(hdrs->v[i], strlen(hdrs->v[i]));
	free(hdrs->v);
	memset(hdrs, 0, sizeof(*hdrs));
}

int
dnsapi_present(const struct dnsapi *api, const struct dnsapi_ctx *ctx,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added **added)
{
	struct strlist own = { 0 };
	const struct strlist *hdrs;
	size_t n;
	int rc = -1;

	*added = util_alloc(sizeof(**added));
	(*added)->name = util_strdup(name);
	if ((hdrs = creds(api, ctx, &own)) == NULL)
		goto out;
	if (api->present(ctx, hdrs, zone, name, values, *added) < 0)
		goto out;
	/* What cleanup will remove; acme-dns, which has no delete, added all. */
	n = (*added)->urls.n + (*added)->values.n;
	if (n == 0 && api->cleanup == NULL && api->target != NULL)
		n = values->n;
	if (n < values->n)
		log_info("dns-01: %s: added %zu TXT record%s at %s (%zu were "
		    "there already)", api->name, n, n == 1 ? "" : "s", name,
		    values->n - n);
	else
		log_info("dns-01: %s: added %zu TXT record%s at %s",
		    api->name, n, n == 1 ? "" : "s", name);
	rc = 0;
out:
	dnsapi_headers_free(&own);
	return rc;
}

/* DELETE each URL of added. */
static void
delete_urls(const struct dnsapi *api, const struct dnsapi_ctx *ctx,
    const struct strlist *hdrs, const struct dnsapi_added *added)
{
	struct http_req req = { "DELETE", NULL, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	size_t i;

	for (i = 0; i < added->urls.n; i++) {
		req.url = added->urls.v[i];
		if (dnsapi_send(ctx, &req, &resp) < 0) {
			log_warn("dns-01: %s: %s; the TXT record %s stays",
			    api->name, util_error(), added->name);
			continue;
		}
		/* Gone already is what cleanup wants. */
		if (resp.status != 404 &&
		    !api->answer_ok(&resp, "removing a TXT record", true))
			log_warn("dns-01: %s: the TXT record %s stays: remove "
			    "it by hand", api->name, added->name);
		http_resp_free(&resp);
	}
}

void
dnsapi_cleanup(const struct dnsapi *api, const struct dnsapi_ctx *ctx,
    struct dnsapi_added *added)
{
	struct strlist own = { 0 };
	const struct strlist *hdrs = NULL;

	if (added == NULL)
		return;
	if (added->urls.n == 0 && added->values.n == 0) {
		/* nothing was added */
	} else if ((hdrs = creds(api, ctx, &own)) == NULL) {
		log_warn("dns-01: %s: the TXT records at %s stay: remove them "
		    "by hand", api->name, added->name);
	} else if (api->cleanup != NULL) {
		api->cleanup(ctx, hdrs, added);
	} else {
		delete_urls(api, ctx, hdrs, added);
	}
	dnsapi_headers_free(&own);
	free(added->name);
	free(added->zone);
	strlist_free(&added->urls);
	strlist_free(&added->values);
	free(added);
}

int
dnsapi_post_json(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, cJSON *doc, struct http_resp *resp)
{
	struct http_req req = { "POST", url, NULL, "application/json",
		"application/json", hdrs };
	char *body = cJSON_PrintUnformatted(doc);
	int rc;

	cJSON_Delete(doc);
	req.body = body;
	if ((rc = dnsapi_send(ctx, &req, resp)) < 0)
		log_error("dns-01: %s: %s", ctx->solver->api.provider,
		    util_error());
	free(body);
	return rc;
}

void
dnsapi_added_url(struct dnsapi_added *added, const char *base,
    const char *id)
{
	char *url = util_printf("%s/%s", base, id);

	strlist_add(&added->urls, url);
	free(url);
}

cJSON *
dnsapi_json(const struct http_resp *resp)
{
	return cJSON_ParseWithLength(resp->body.data ? resp->body.data : "",
	    resp->body.len);
}

void
dnsapi_resp_wipe(struct http_resp *resp)
{
	if (resp->body.data != NULL)
		explicit_bzero(resp->body.data, resp->body.len);
	http_resp_free(resp);
}

char *
dnsapi_pct(const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = util_alloc(3 * strlen(s) + 1), *p = out;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c < 128 && (isalnum(c) || strchr("-._~", c) != NULL)) ||
		    strchr(keep, c) != NULL) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

bool
dnsapi_only(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, set) == n;
}
