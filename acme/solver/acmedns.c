/*
 * dns-01 through acme-dns (cert-manager's dns01.acmeDNS): the Secret
 * holds acme-dns accounts as JSON, one per domain ({"example.com":
 * {"username", "password", "fulldomain", "subdomain"}}); the domain's
 * _acme-challenge name is a CNAME to the account's fulldomain, where
 * POST HOST/update puts each value.  acme-dns keeps the two newest values
 * of an account and has no delete: nothing is removed afterwards, as in
 * cert-manager.
 */

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "crypto/err.h"

/* The accounts (the Secret's JSON); NULL (reported) if unreadable. */
static cJSON *
accounts(const struct dnsapi_ctx *ctx)
{
	char *data;
	size_t len;
	cJSON *j;

	if (dnsapi_secret(ctx, "accountSecretRef", &data, &len) < 0 ||
	    data == NULL)
		return NULL;
	j = cJSON_ParseWithLength(data, len);
	crypto_secret_free(data, len);
	if (j == NULL || !cJSON_IsObject(j)) {
		log_error("dns-01: acmeDNS: the accountSecretRef Secret is not "
		    "the JSON of acme-dns accounts by domain ({\"example.com\": "
		    "{\"username\": ..., \"password\": ..., \"fulldomain\": "
		    "..., \"subdomain\": ...}})");
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static const char *
field(const cJSON *account, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(account, name);

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ?
	    v->valuestring : NULL;
}

static int
adns_target(const struct dnsapi_ctx *ctx, const char *domain, char **target)
{
	cJSON *all = accounts(ctx);
	const char *full;
	int rc = -1;

	*target = NULL;
	if (all == NULL)
		return -1;
	full = field(cJSON_GetObjectItemCaseSensitive(all, domain),
	    "fulldomain");
	if (full == NULL) {
		log_error("dns-01: acmeDNS: the accounts name no fulldomain for "
		    "%s: register it with acme-dns and add it to the "
		    "accountSecretRef Secret", domain);
	} else {
		*target = util_strdup(full);
		while (**target != '\0' &&
		    (*target)[strlen(*target) - 1] == '.')
			(*target)[strlen(*target) - 1] = '\0';
		rc = 0;
	}
	cJSON_Delete(all);
	return rc;
}

/* acme-dns authenticates each account on its own: nothing shared. */
static int
adns_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	(void)ctx;
	(void)hdrs;
	return 0;
}

static bool
adns_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	cJSON *j;
	const char *e;

	if (resp->status == 200)
		return true;
	j = dnsapi_json(resp);
	e = field(j, "error");
	(warn ? log_warn : log_error)("dns-01: acmeDNS: %s: HTTP %ld%s%s",
	    what, resp->status, e ? ": " : "", e ? log_esc(e) : "");
	cJSON_Delete(j);
	return false;
}

/* The account whose fulldomain is name; NULL if none. */
static const cJSON *
account_of(const cJSON *all, const char *name)
{
	const cJSON *a;
	const char *full;
	size_t n = strlen(name);

	cJSON_ArrayForEach(a, all)
		if ((full = field(a, "fulldomain")) != NULL &&
		    strncmp(full, name, n) == 0 && (full[n] == '\0' ||
		    strcmp(full + n, ".") == 0))
			return a;
	return NULL;
}

static int
adns_update(const struct dnsapi_ctx *ctx, const cJSON *account,
    const char *value)
{
	const char *host = config_dnsapi_str(&ctx->solver->api, "host");
	struct strlist hdrs = { 0 };
	struct http_resp resp;
	cJSON *doc = cJSON_CreateObject();
	char *h, *url;
	int rc = -1;

	h = util_printf("X-Api-User: %s", field(account, "username"));
	strlist_add(&hdrs, h);
	crypto_secret_free(h, strlen(h));
	h = util_printf("X-Api-Key: %s", field(account, "password"));
	strlist_add(&hdrs, h);
	crypto_secret_free(h, strlen(h));
	cJSON_AddStringToObject(doc, "subdomain", field(account, "subdomain"));
	cJSON_AddStringToObject(doc, "txt", value);
	url = util_printf("%s%supdate", host, host[strlen(host) - 1] == '/' ?
	    "" : "/");
	if (dnsapi_post_json(ctx, &hdrs, url, doc, &resp) == 0) {
		if (adns_answer_ok(&resp, "updating the TXT record", false))
			rc = 0;
		http_resp_free(&resp);
	}
	free(url);
	dnsapi_headers_free(&hdrs);
	return rc;
}

static int
adns_present(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	const cJSON *account;
	cJSON *all;
	size_t i;
	int rc = -1;

	(void)hdrs;
	(void)zone;
	(void)added; /* acme-dns has no delete */
	if ((all = accounts(ctx)) == NULL)
		return -1;
	account = account_of(all, name);
	if (account == NULL || field(account, "username") == NULL ||
	    field(account, "password") == NULL ||
	    field(account, "subdomain") == NULL) {
		log_error("dns-01: acmeDNS: no complete account (username, "
		    "password, subdomain) for %s", name);
		goto out;
	}
	if (values->n > 2)
		log_warn("dns-01: acmeDNS keeps two values of %s; %zu are "
		    "asked", name, values->n);
	for (i = 0; i < values->n; i++)
		if (adns_update(ctx, account, values->v[i]) < 0)
			goto out;
	rc = 0;
out:
	cJSON_Delete(all);
	return rc;
}

/*
 * acme-dns has no call that proves a password without writing a value
 * (POST /update is its only authenticated call), so check --online
 * proves what it can: the account for name is complete in the Secret,
 * and the server answers GET /health (200, acme-dns's README).  A wrong
 * password shows at the first order, with acme-dns's "forbidden".
 */
static int
adns_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name)
{
	const char *host = config_dnsapi_str(&ctx->solver->api, "host");
	struct http_req req = { "GET", NULL, NULL, NULL, NULL, NULL };
	const cJSON *account;
	struct http_resp resp;
	cJSON *all;
	char *url = NULL;
	int rc = -1;

	(void)hdrs;
	(void)zone;
	if ((all = accounts(ctx)) == NULL)
		return -1;
	account = account_of(all, name);
	if (account == NULL || field(account, "username") == NULL ||
	    field(account, "password") == NULL ||
	    field(account, "subdomain") == NULL) {
		log_error("dns-01: acmeDNS: no complete account (username, "
		    "password, subdomain) for %s in the accountSecretRef "
		    "Secret: add the one acme-dns's /register gave", name);
		goto out;
	}
	url = util_printf("%s%shealth", host, host[strlen(host) - 1] == '/' ?
	    "" : "/");
	req.url = url;
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: acmeDNS: %s does not answer: %s", host,
		    util_error());
		goto out;
	}
	if (!adns_answer_ok(&resp, "asking the server's /health", false)) {
		log_error("dns-01: acmeDNS: give as host the URL where "
		    "acme-dns serves its API (it answers GET /health there)");
	} else {
		log_info("dns-01: acmeDNS: the account of %s is complete and "
		    "%s answers; acme-dns has no call to check its password "
		    "without writing (a wrong one shows at the first order)",
		    name, host);
		rc = 0;
	}
	http_resp_free(&resp);
out:
	free(url);
	cJSON_Delete(all);
	return rc;
}

const struct dnsapi dnsapi_acmedns = {
	"acmeDNS", adns_auth, adns_present, adns_answer_ok, adns_target,
	    NULL, adns_check,
};
