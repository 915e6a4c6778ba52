/*
 * dns-01 through DigitalOcean's API v2 (cert-manager's
 * dns01.digitalocean): a personal access token (Authorization: Bearer).
 * The zone DNS names is the DigitalOcean domain; each value is a TXT
 * record of its own, named relative to the domain, and cleanup deletes
 * exactly the records created, by id.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/solver/dnsapi.h"

#define DO_API "https://api.digitalocean.com/v2"
#define DO_TTL 30 /* the least DigitalOcean takes */

/*
 * Whether resp (to what) is a success; else report DigitalOcean's error
 * answer {"id", "message"}.
 */
static bool
do_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	cJSON *j = dnsapi_json(resp);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	char *line;

	if (resp->status / 100 == 2) {
		cJSON_Delete(j);
		return true;
	}
	line = util_printf("dns-01: digitalocean: %s: HTTP %ld%s%s%s%s", what,
	    resp->status, cJSON_IsString(id) ? ": " : " (no error in the "
	    "answer)", cJSON_IsString(id) ? log_esc(id->valuestring) : "",
	    cJSON_IsString(msg) ? ": " : "", cJSON_IsString(msg) ?
	    log_esc2(msg->valuestring) : "");
	if (warn)
		log_warn("%s", line);
	else
		log_error("%s", line);
	free(line);
	cJSON_Delete(j);
	return false;
}

/* The record's name relative to domain ("@" for the domain itself). */
static char *
do_relative(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	/* DNS names compare without case; the zone's is as DNS wrote it. */
	if (strcasecmp(name, domain) == 0)
		return util_strdup("@");
	if (n > d + 1 && name[n - d - 1] == '.' &&
	    strcasecmp(name + n - d, domain) == 0)
		return util_strndup(name, n - d - 1);
	return NULL;
}

/* Create one TXT record rel in domain; the URL deleting it to added. */
static int
do_create(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *domain, const char *rel, const char *value,
    struct dnsapi_added *added)
{
	struct http_resp resp;
	cJSON *doc = cJSON_CreateObject(), *j = NULL;
	const cJSON *id;
	char *url, num[32];
	int rc = -1;

	cJSON_AddStringToObject(doc, "type", "TXT");
	cJSON_AddStringToObject(doc, "name", rel);
	cJSON_AddStringToObject(doc, "data", value);
	cJSON_AddNumberToObject(doc, "ttl", DO_TTL);
	url = util_printf(DO_API "/domains/%s/records", domain);
	if (dnsapi_post_json(ctx, hdrs, url, doc, &resp) < 0)
		goto out;
	if (!do_answer_ok(&resp, "adding the TXT record", false)) {
		/* reported */
	} else if ((j = dnsapi_json(&resp)) != NULL && (id =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    j, "domain_record"), "id")) != NULL && cJSON_IsNumber(id) &&
	    id->valuedouble >= 1 && id->valuedouble < 1e15) {
		snprintf(num, sizeof(num), "%.0f", id->valuedouble);
		dnsapi_added_url(added, url, num);
		rc = 0;
	} else {
		log_error("dns-01: digitalocean: the answer to adding a record "
		    "names no record id to remove later");
	}
	cJSON_Delete(j);
	http_resp_free(&resp);
out:
	free(url);
	return rc;
}

static int
do_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	return dnsapi_bearer(ctx, "tokenSecretRef", hdrs) < 0 ||
	    hdrs->n == 0 ? -1 : 0;
}

static int
do_present(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	char *rel;
	size_t i;
	int rc = 0;

	if ((rel = do_relative(name, zone)) == NULL) {
		log_error("dns-01: digitalocean: %s is not in the zone %s",
		    name, zone);
		return -1;
	}
	for (i = 0; rc == 0 && i < values->n; i++)
		rc = do_create(ctx, hdrs, zone, rel, values->v[i], added);
	free(rel);
	return rc;
}

/*
 * GET /v2/domains/ZONE: the token is valid and its account has the
 * domain present writes to (whether its scopes allow writing shows only
 * in a write).
 */
static int
do_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name)
{
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	char *url, *what;
	int rc = -1;

	(void)name;
	url = util_printf(DO_API "/domains/%s", zone);
	what = util_printf("reading the domain %s with the token of "
	    "tokenSecretRef", zone);
	req.url = url;
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: digitalocean: %s: %s", what, util_error());
	} else {
		if (do_answer_ok(&resp, what, false))
			rc = 0;
		if (resp.status == 401)
			log_error("dns-01: digitalocean: give a valid personal "
			    "access token in tokenSecretRef");
		else if (resp.status == 403 || resp.status == 404)
			log_error("dns-01: digitalocean: give a token of the "
			    "account that has the domain %s, with access to "
			    "its records", zone);
		else if (rc == 0)
			log_info("dns-01: digitalocean: the token reads the "
			    "domain %s", zone);
		http_resp_free(&resp);
	}
	free(what);
	free(url);
	return rc;
}

const struct dnsapi dnsapi_digitalocean = {
	"digitalocean", do_auth, do_present, do_answer_ok, NULL, NULL,
	    do_check,
};
