/*
 * dns-01 through Cloudflare's API v4 (cert-manager's dns01.cloudflare):
 * an API token (Authorization: Bearer) or the global API key with its
 * email (X-Auth-Email, X-Auth-Key).  The zone is looked up by the name
 * DNS gave; one TXT record per value is created, and cleanup deletes
 * exactly the records created, by id.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "crypto/err.h"

#define CF_API "https://api.cloudflare.com/client/v4"
#define CF_TTL 120 /* the least Cloudflare takes on every plan */

/* What present added, for cleanup. */
struct cf_state {
	char *zone_id;
	char *name;
	struct strlist ids; /* dns_records created */
};

/* The credential headers; -1 (reported) if the Secret cannot be read. */
static int
cf_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	const char *email = config_dnsapi_str(&ctx->solver->api, "email");
	char *secret, *h;
	size_t len;

	if (dnsapi_secret(ctx, "apiTokenSecretRef", &secret, &len) < 0)
		return -1;
	if (secret != NULL) {
		h = util_printf("Authorization: Bearer %s", secret);
	} else {
		if (dnsapi_secret(ctx, "apiKeySecretRef", &secret, &len) < 0 ||
		    secret == NULL)
			return -1;
		h = util_printf("X-Auth-Email: %s", email ? email : "");
		strlist_add(hdrs, h);
		free(h);
		h = util_printf("X-Auth-Key: %s", secret);
	}
	strlist_add(hdrs, h);
	crypto_secret_free(h, strlen(h));
	crypto_secret_free(secret, len);
	return 0;
}

/* Wipe and free the header list (it holds the credential). */
static void
cf_auth_free(struct strlist *hdrs)
{
	size_t i;

	for (i = 0; i < hdrs->n; i++)
		crypto_secret_free(hdrs->v[i], strlen(hdrs->v[i]));
	free(hdrs->v);
	memset(hdrs, 0, sizeof(*hdrs));
}

/*
 * Cloudflare's answer to what (for messages) as JSON with success true;
 * else report its errors ("code: message", escaped) and return NULL.
 */
static cJSON *
cf_result(const struct http_resp *resp, const char *what)
{
	const cJSON *errs, *e, *code, *msg;
	cJSON *j = cJSON_ParseWithLength(resp->body.data ? resp->body.data : "",
	    resp->body.len);
	struct buf b = { 0 };
	char num[32];

	if (j != NULL && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j,
	    "success")) && resp->status / 100 == 2)
		return j;
	errs = j ? cJSON_GetObjectItemCaseSensitive(j, "errors") : NULL;
	cJSON_ArrayForEach(e, errs) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		if (b.len > 0)
			buf_addstr(&b, "; ");
		if (cJSON_IsNumber(code)) {
			snprintf(num, sizeof(num), "%d: ", code->valueint);
			buf_addstr(&b, num);
		}
		buf_addstr(&b, cJSON_IsString(msg) ? log_esc(msg->valuestring) :
		    "?");
	}
	log_error("dns-01: cloudflare: %s: HTTP %ld%s%s", what, resp->status,
	    b.len ? ": " : " (no error in the answer)", b.len ? b.data : "");
	buf_free(&b);
	cJSON_Delete(j);
	return NULL;
}

/* Does the answer carry Cloudflare's "identical record exists" code? */
static bool
cf_duplicate(const struct http_resp *resp)
{
	cJSON *j = cJSON_ParseWithLength(resp->body.data ? resp->body.data : "",
	    resp->body.len);
	const cJSON *e, *errs;
	bool dup = false;

	errs = j ? cJSON_GetObjectItemCaseSensitive(j, "errors") : NULL;
	cJSON_ArrayForEach(e, errs) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");

		dup = dup || (cJSON_IsNumber(c) && (c->valueint == 81057 ||
		    c->valueint == 81058));
	}
	cJSON_Delete(j);
	return dup;
}

/* The id of zone as these credentials see it; NULL (reported) if none. */
static char *
cf_zone_id(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone)
{
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	const cJSON *first, *id;
	char *url, *out = NULL;
	cJSON *j;

	url = util_printf(CF_API "/zones?name=%s", zone);
	req.url = url;
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: cloudflare: %s", util_error());
		free(url);
		return NULL;
	}
	free(url);
	if ((j = cf_result(&resp, "finding the zone")) == NULL)
		goto out;
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j,
	    "result"), 0);
	id = cJSON_GetObjectItemCaseSensitive(first, "id");
	if (cJSON_IsString(id) && strspn(id->valuestring,
	    "0123456789abcdefABCDEF") == strlen(id->valuestring) &&
	    id->valuestring[0] != '\0')
		out = util_strdup(id->valuestring);
	else
		log_error("dns-01: cloudflare: the zone %s is not one these "
		    "credentials can see (give the token Zone:Read and "
		    "DNS:Edit on it)", zone);
	cJSON_Delete(j);
out:
	http_resp_free(&resp);
	return out;
}

/* Create one TXT record; its id added to st (not if it was there). */
static int
cf_create(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    struct cf_state *st, const char *value)
{
	struct http_req req = { "POST", NULL, NULL, "application/json",
		"application/json", hdrs };
	struct http_resp resp;
	cJSON *doc = cJSON_CreateObject(), *j;
	const cJSON *id;
	char *url, *body;
	int rc = -1;

	cJSON_AddStringToObject(doc, "type", "TXT");
	cJSON_AddStringToObject(doc, "name", st->name);
	cJSON_AddStringToObject(doc, "content", value);
	cJSON_AddNumberToObject(doc, "ttl", CF_TTL);
	body = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	url = util_printf(CF_API "/zones/%s/dns_records", st->zone_id);
	req.url = url;
	req.body = body;
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: cloudflare: %s", util_error());
		goto out;
	}
	if (resp.status == 400 && cf_duplicate(&resp)) {
		/* Someone's record with our value: there, and not ours. */
		log_info("dns-01: cloudflare: %s already has this TXT value",
		    st->name);
		rc = 0;
	} else if ((j = cf_result(&resp, "adding the TXT record")) != NULL) {
		id = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(j, "result"), "id");
		if (cJSON_IsString(id) && id->valuestring[0] != '\0' &&
		    strspn(id->valuestring, "0123456789abcdefABCDEF") ==
		    strlen(id->valuestring)) {
			strlist_add(&st->ids, id->valuestring);
			rc = 0;
		} else {
			log_error("dns-01: cloudflare: the answer to adding a "
			    "record names no record id (hex) to remove later");
		}
		cJSON_Delete(j);
	}
	http_resp_free(&resp);
out:
	free(url);
	free(body);
	return rc;
}

static int
cf_present(const struct dnsapi_ctx *ctx, const char *zone, const char *name,
    const struct strlist *values, void **state)
{
	struct strlist hdrs = { 0 };
	struct cf_state *st;
	size_t i;
	int rc = -1;

	st = util_alloc(sizeof(*st));
	st->name = util_strdup(name);
	*state = st;
	if (cf_auth(ctx, &hdrs) < 0)
		goto out;
	if ((st->zone_id = cf_zone_id(ctx, &hdrs, zone)) == NULL)
		goto out;
	for (i = 0; i < values->n; i++)
		if (cf_create(ctx, &hdrs, st, values->v[i]) < 0)
			goto out;
	log_info("dns-01: cloudflare: added %zu TXT record%s at %s",
	    st->ids.n, st->ids.n == 1 ? "" : "s", name);
	rc = 0;
out:
	cf_auth_free(&hdrs);
	return rc;
}

static void
cf_cleanup(const struct dnsapi_ctx *ctx, void *state)
{
	struct cf_state *st = state;
	struct strlist hdrs = { 0 };
	struct http_req req = { "DELETE", NULL, NULL, NULL, "application/json",
		&hdrs };
	struct http_resp resp;
	cJSON *j;
	char *url;
	size_t i;

	if (st == NULL)
		return;
	if (st->ids.n > 0 && cf_auth(ctx, &hdrs) < 0)
		log_warn("dns-01: cloudflare: the TXT records at %s stay: "
		    "remove them by hand", st->name);
	for (i = 0; hdrs.n > 0 && i < st->ids.n; i++) {
		url = util_printf(CF_API "/zones/%s/dns_records/%s",
		    st->zone_id, st->ids.v[i]);
		req.url = url;
		if (dnsapi_send(ctx, &req, &resp) < 0) {
			log_warn("dns-01: cloudflare: %s; the TXT record %s "
			    "stays", util_error(), st->name);
		} else {
			if ((j = cf_result(&resp, "removing a TXT record")) ==
			    NULL)
				log_warn("dns-01: cloudflare: the TXT record "
				    "%s stays: remove it by hand", st->name);
			cJSON_Delete(j);
			http_resp_free(&resp);
		}
		free(url);
	}
	cf_auth_free(&hdrs);
	free(st->zone_id);
	free(st->name);
	strlist_free(&st->ids);
	free(st);
}

const struct dnsapi dnsapi_cloudflare = {
	"cloudflare", cf_present, cf_cleanup,
};
