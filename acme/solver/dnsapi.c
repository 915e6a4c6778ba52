/*
 * DNS providers' HTTP APIs: the table of providers and what they share
 * (rate limits waited out, credentials read from Secrets).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acme/acme.h"
#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "crypto/err.h"

#define RATE_TRIES 4
#define RATE_MAX_S 60

static const struct dnsapi *const providers[] = {
	&dnsapi_cloudflare,
};

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
