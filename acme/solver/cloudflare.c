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

/* The credential headers; -1 (reported) if the Secret cannot be read. */
static int
cf_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	const char *email = config_dnsapi_str(&ctx->solver->api, "email");
	char *secret, *h;
	size_t len;

	if (dnsapi_bearer(ctx, "apiTokenSecretRef", hdrs) < 0)
		return -1;
	if (hdrs->n > 0)
		return 0;
	if (dnsapi_secret(ctx, "apiKeySecretRef", &secret, &len) < 0 ||
	    secret == NULL)
		return -1;
	h = util_printf("X-Auth-Email: %s", email ? email : "");
	strlist_add(hdrs, h);
	free(h);
	h = util_printf("X-Auth-Key: %s", secret);
	strlist_add(hdrs, h);
	crypto_secret_free(h, strlen(h));
	crypto_secret_free(secret, len);
	return 0;
}

/*
 * Cloudflare's answer to what (for messages) as JSON with success true;
 * else report its errors ("code: message", escaped; a warning if warn)
 * and return NULL.
 */
static cJSON *
cf_result(const struct http_resp *resp, const char *what, bool warn)
{
	const cJSON *errs, *e, *code, *msg;
	cJSON *j = dnsapi_json(resp);
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
	(warn ? log_warn : log_error)("dns-01: cloudflare: %s: HTTP %ld%s%s",
	    what, resp->status, b.len ? ": " : " (no error in the answer)",
	    b.len ? b.data : "");
	buf_free(&b);
	cJSON_Delete(j);
	return NULL;
}

/* Does the answer carry Cloudflare's "identical record exists" code? */
static bool
cf_duplicate(const struct http_resp *resp)
{
	cJSON *j = dnsapi_json(resp);
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
	if ((j = cf_result(&resp, "finding the zone", false)) == NULL)
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

static bool
cf_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	cJSON *j = cf_result(resp, what, warn);

	cJSON_Delete(j);
	return j != NULL;
}

/*
 * Create one TXT record at name in zone zone_id; the URL that deletes it
 * goes to added (not if the value was there already: not ours).
 */
static int
cf_create(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone_id, const char *name, const char *value,
    struct dnsapi_added *added)
{
	struct http_resp resp;
	cJSON *doc = cJSON_CreateObject(), *j;
	const cJSON *id;
	char *url;
	int rc = -1;

	cJSON_AddStringToObject(doc, "type", "TXT");
	cJSON_AddStringToObject(doc, "name", name);
	cJSON_AddStringToObject(doc, "content", value);
	cJSON_AddNumberToObject(doc, "ttl", CF_TTL);
	url = util_printf(CF_API "/zones/%s/dns_records", zone_id);
	if (dnsapi_post_json(ctx, hdrs, url, doc, &resp) < 0)
		goto out;
	if (resp.status == 400 && cf_duplicate(&resp)) {
		/* Someone's record with our value: there, and not ours. */
		log_info("dns-01: cloudflare: %s already has this TXT value",
		    name);
		rc = 0;
	} else if ((j = cf_result(&resp, "adding the TXT record", false)) !=
	    NULL) {
		id = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(j, "result"), "id");
		if (cJSON_IsString(id) && id->valuestring[0] != '\0' &&
		    strspn(id->valuestring, "0123456789abcdefABCDEF") ==
		    strlen(id->valuestring)) {
			dnsapi_added_url(added, url, id->valuestring);
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
	return rc;
}

static int
cf_present(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	char *zone_id;
	size_t i;
	int rc = 0;

	if ((zone_id = cf_zone_id(ctx, hdrs, zone)) == NULL)
		return -1;
	for (i = 0; rc == 0 && i < values->n; i++)
		rc = cf_create(ctx, hdrs, zone_id, name, values->v[i], added);
	free(zone_id);
	return rc;
}

/*
 * An API token's status (GET /user/tokens/verify: active, disabled or
 * expired); -1 reported unless active.
 */
static int
cf_verify_token(const struct dnsapi_ctx *ctx, const struct strlist *hdrs)
{
	struct http_req req = { "GET", CF_API "/user/tokens/verify", NULL, NULL,
		"application/json", hdrs };
	struct http_resp resp;
	const cJSON *st;
	cJSON *j;
	int rc = -1;

	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: cloudflare: %s", util_error());
		return -1;
	}
	if ((j = cf_result(&resp, "verifying the API token of "
	    "apiTokenSecretRef", false)) != NULL) {
		st = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(j, "result"), "status");
		if (cJSON_IsString(st) &&
		    strcmp(st->valuestring, "active") == 0)
			rc = 0;
		else
			log_error("dns-01: cloudflare: the API token of "
			    "apiTokenSecretRef is %s: give an active token",
			    cJSON_IsString(st) ? log_esc(st->valuestring) :
			    "of no known status");
		cJSON_Delete(j);
	}
	http_resp_free(&resp);
	return rc;
}

/*
 * The token is active (a global key has no such call), and the zone is
 * one the credentials see: the two lookups present makes first.
 */
static int
cf_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name)
{
	bool token = hdrs->n == 1; /* Authorization: Bearer */
	char *zone_id;

	(void)name;
	if (token && cf_verify_token(ctx, hdrs) < 0)
		return -1;
	if ((zone_id = cf_zone_id(ctx, hdrs, zone)) == NULL)
		return -1;
	log_info("dns-01: cloudflare: the %s%s sees the zone %s", token ?
	    "API token" : "global API key", token ? " is active and" : "",
	    zone);
	free(zone_id);
	return 0;
}

const struct dnsapi dnsapi_cloudflare = {
	"cloudflare", cf_auth, cf_present, cf_answer_ok, NULL, NULL, cf_check,
};
