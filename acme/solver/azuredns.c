/*
 * dns-01 through Azure DNS (cert-manager's dns01.azureDNS).  A bearer
 * token for Azure Resource Manager comes from a service principal's
 * client secret (the OAuth 2.0 client-credentials grant of Microsoft's
 * identity platform) or, without a clientID, in cert-manager's order:
 * Azure Workload Identity (a federated token file as the client
 * assertion) when $AZURE_FEDERATED_TOKEN_FILE is set, else the managed
 * identity of the machine (the instance metadata endpoint).  Azure
 * keeps one TXT record set per name: present adds our values to the set,
 * keeping the values already there, and cleanup writes the set back
 * without ours (or deletes it when nothing else is left), each write
 * guarded by the set's ETag and tried again when the set changed
 * meanwhile.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "crypto/err.h"

#define AZ_IMDS "http://169.254.169.254"
#define AZ_IMDS_ENV "AZURE_POD_IDENTITY_AUTHORITY_HOST" /* the SDKs' */
#define AZ_IMDS_PATH "/metadata/identity/oauth2/token?api-version=2018-02-01"
#define AZ_FEDERATED_ENV "AZURE_FEDERATED_TOKEN_FILE" /* Workload Identity */
#define AZ_ASSERTION "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A" \
	"client-assertion-type%3Ajwt-bearer&client_assertion"
#define AZ_TTL 60       /* cert-manager's for a new set */
#define AZ_TRIES 3      /* writes tried when the set changes meanwhile */
#define AZ_TOKEN_MAX 16384
#define AZ_ETAG_MAX 128
#define AZ_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
	"abcdefghijklmnopqrstuvwxyz0123456789"
#define AZ_TOKEN_CHARS AZ_ALNUM "-._~+/="
#define AZ_ETAG_CHARS AZ_ALNUM "-._:"
#define AZ_TENANT_CHARS AZ_ALNUM "-."

/* An Azure cloud: where its principals sign in and its ARM endpoint. */
struct az_cloud {
	const char *name;
	const char *login;
	const char *arm;
};

/* The SDKs' tables: azcore/cloud; go-autorest's for Germany (closed 2021). */
static const struct az_cloud clouds[] = {
	{ "AzurePublicCloud", "https://login.microsoftonline.com",
	    "https://management.azure.com" },
	{ "AzureChinaCloud", "https://login.chinacloudapi.cn",
	    "https://management.chinacloudapi.cn" },
	{ "AzureGermanCloud", "https://login.microsoftonline.de",
	    "https://management.microsoftazure.de" },
	{ "AzureUSGovernmentCloud", "https://login.microsoftonline.us",
	    "https://management.usgovcloudapi.net" },
};

/*
 * Azure DNS's public zones, or its private ones (zoneType
 * AzurePrivateZone): another resource type, API version and spelling of
 * the record set's properties (azure-rest-api-specs; the SDKs' armdns and
 * armprivatedns).
 */
struct az_kind {
	const char *type;
	const char *api;
	const char *ttl;
	const char *txt;
};

static const struct az_kind public_zones = { "dnsZones", "2018-05-01",
	"TTL", "TXTRecords" };
static const struct az_kind private_zones = { "privateDnsZones",
	"2024-06-01", "ttl", "txtRecords" };

/* A record set as read: NULL etag if there is none yet. */
struct az_set {
	char *etag;
	cJSON *props;   /* {"properties": ...} to write back, owned */
	cJSON *records; /* its TXT records array, borrowed */
};

static const char *
az_str(const struct dnsapi_ctx *ctx, const char *name)
{
	return config_dnsapi_str(&ctx->solver->api, name);
}

static const struct az_cloud *
az_cloud(const struct dnsapi_ctx *ctx)
{
	const char *env = az_str(ctx, "environment");
	size_t i;

	for (i = 0; env != NULL && i < sizeof(clouds) / sizeof(clouds[0]); i++)
		if (strcmp(clouds[i].name, env) == 0)
			return &clouds[i];
	return &clouds[0];
}

static const struct az_kind *
az_kind(const struct dnsapi_ctx *ctx)
{
	const char *type = az_str(ctx, "zoneType");

	return type != NULL && strcmp(type, "AzurePrivateZone") == 0 ?
	    &private_zones : &public_zones;
}

/* s (1..max bytes) of the characters allowed only? */
static bool
az_sane(const char *s, const char *allowed, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, allowed) == n;
}

/*
 * Azure's words in an answer: ARM's {"error": {"code", "message"}}, a
 * bare {"code", "message"}, or the identity platform's {"error",
 * "error_description"} (its description cut at the trace lines).
 */
static void
az_words(const cJSON *j, char **code, char **msg)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error"), *c, *m;
	const char *s;

	if (cJSON_IsString(e)) {
		c = e;
		m = cJSON_GetObjectItemCaseSensitive(j, "error_description");
	} else {
		if (!cJSON_IsObject(e))
			e = j;
		c = cJSON_GetObjectItemCaseSensitive(e, "code");
		m = cJSON_GetObjectItemCaseSensitive(e, "message");
	}
	*code = cJSON_IsString(c) ? util_strdup(c->valuestring) : NULL;
	s = cJSON_IsString(m) ? m->valuestring : NULL;
	*msg = s != NULL ? util_strndup(s, strcspn(s, "\r\n")) : NULL;
}

/* Report a failed answer to what with Azure's words. */
static void
az_report(const struct http_resp *resp, const char *what, bool warn)
{
	static const char role[] = " (give the principal the DNS Zone "
	    "Contributor role, Private DNS Zone Contributor for a private "
	    "zone, on the zone or its resource group)";
	cJSON *j = dnsapi_json(resp);
	char *code = NULL, *msg = NULL, *line;
	bool denied;

	if (j != NULL)
		az_words(j, &code, &msg);
	denied = code != NULL && strcmp(code, "AuthorizationFailed") == 0;
	line = util_printf("dns-01: azureDNS: %s: HTTP %ld%s%s%s%s%s", what,
	    resp->status, code || msg ? ": " : " (no error in the answer)",
	    code ? log_esc(code) : "", code && msg ? ": " : "",
	    msg ? log_esc2(msg) : "", denied ? role : "");
	if (warn)
		log_warn("%s", line);
	else
		log_error("%s", line);
	free(line);
	free(code);
	free(msg);
	cJSON_Delete(j);
}

static bool
az_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	if (resp->status / 100 == 2)
		return true;
	az_report(resp, what, warn);
	return false;
}

/*
 * The bearer token of a token endpoint's answer to what (caller wipes),
 * or NULL (reported): one that is not a plain token is refused, never
 * sent on in a header.
 */
static char *
az_token(const struct http_resp *resp, const char *what)
{
	cJSON *j;
	const cJSON *tok, *type;
	char *out = NULL;

	if (resp->status != 200) {
		az_report(resp, what, false);
		return NULL;
	}
	j = dnsapi_json(resp);
	tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	type = cJSON_GetObjectItemCaseSensitive(j, "token_type");
	if (cJSON_IsString(tok) && az_sane(tok->valuestring, AZ_TOKEN_CHARS,
	    AZ_TOKEN_MAX) && (type == NULL || (cJSON_IsString(type) &&
	    strcasecmp(type->valuestring, "Bearer") == 0)))
		out = util_strdup(tok->valuestring);
	else
		log_error("dns-01: azureDNS: %s: the answer holds no bearer "
		    "token acmec can send (refused)", what);
	if (cJSON_IsString(tok))
		explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(j);
	return out;
}

/*
 * Sign in as client of tenant with the client-credentials grant, proved
 * by the form field proof (a raw prefix "name") set to value: the token
 * (caller wipes), or NULL reported.
 */
static char *
az_sign_in(const struct dnsapi_ctx *ctx, const char *tenant,
    const char *client, const char *proof, const char *value)
{
	const struct az_cloud *c = az_cloud(ctx);
	struct http_req req = { "POST", NULL, NULL,
		"application/x-www-form-urlencoded", "application/json", NULL };
	struct http_resp resp;
	char *evalue, *eclient, *escope, *body, *url, *what, *tok = NULL;

	if (!az_sane(tenant, AZ_TENANT_CHARS, 256)) {
		log_error("dns-01: azureDNS: the tenant '%s' is not a tenant id "
		    "(a GUID) or a tenant's domain name", log_esc(tenant));
		return NULL;
	}
	evalue = dnsapi_pct(value, "");
	eclient = dnsapi_pct(client, "");
	url = util_printf("%s/.default", c->arm);
	escope = dnsapi_pct(url, "");
	free(url);
	body = util_printf("grant_type=client_credentials&client_id=%s&%s=%s&"
	    "scope=%s", eclient, proof, evalue, escope);
	crypto_secret_free(evalue, strlen(evalue));
	url = util_printf("%s/%s/oauth2/v2.0/token", c->login, tenant);
	req.url = url;
	req.body = body;
	what = util_printf("signing in as client %s of tenant %s",
	    log_esc(client), tenant);
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: azureDNS: %s: %s", what, util_error());
	} else {
		tok = az_token(&resp, what);
		dnsapi_resp_wipe(&resp);
	}
	crypto_secret_free(body, strlen(body));
	free(eclient);
	free(escope);
	free(url);
	free(what);
	return tok;
}

/* A service principal's token, proved by its client secret. */
static char *
az_secret_token(const struct dnsapi_ctx *ctx)
{
	const char *tenant = az_str(ctx, "tenantID");
	char *secret, *tok;
	size_t len;

	if (dnsapi_secret(ctx, "clientSecretSecretRef", &secret, &len) < 0)
		return NULL;
	tok = az_sign_in(ctx, tenant ? tenant : "", az_str(ctx, "clientID"),
	    "client_secret", secret ? secret : "");
	crypto_secret_free(secret, len);
	return tok;
}

/*
 * Azure Workload Identity, as azidentity does it: the federated token in
 * file is the client assertion of the managed identity's application.
 */
static char *
az_federated_token(const struct dnsapi_ctx *ctx, const char *file)
{
	const char *client = az_str(ctx, "managedIdentity.clientID");
	const char *tenant = az_str(ctx, "managedIdentity.tenantID");
	char *jwt, *tok;
	size_t len;

	if (client == NULL)
		client = getenv("AZURE_CLIENT_ID");
	if (tenant == NULL)
		tenant = getenv("AZURE_TENANT_ID");
	if (client == NULL || client[0] == '\0' || tenant == NULL ||
	    tenant[0] == '\0') {
		log_error("dns-01: azureDNS: AZURE_FEDERATED_TOKEN_FILE is set "
		    "(Azure Workload Identity): give managedIdentity.clientID "
		    "and managedIdentity.tenantID, or set AZURE_CLIENT_ID and "
		    "AZURE_TENANT_ID");
		return NULL;
	}
	if (fs_read(file, 64 * 1024, &jwt, &len) < 0) {
		log_error("dns-01: azureDNS: cannot read "
		    "AZURE_FEDERATED_TOKEN_FILE %s: %s", log_esc(file),
		    strerror(errno));
		return NULL;
	}
	while (len > 0 && strchr(" \t\r\n", jwt[len - 1]) != NULL)
		jwt[--len] = '\0';
	tok = az_sign_in(ctx, tenant, client, AZ_ASSERTION, jwt);
	crypto_secret_free(jwt, len);
	return tok;
}

/* The IMDS token URL: the SDKs' override of the endpoint, or Azure's. */
static char *
az_imds_url(const struct dnsapi_ctx *ctx)
{
	const char *base = getenv(AZ_IMDS_ENV);
	const char *mi_client = az_str(ctx, "managedIdentity.clientID");
	const char *mi_res = az_str(ctx, "managedIdentity.resourceID");
	char *res, *id, *url;
	size_t n;

	if (base == NULL || base[0] == '\0')
		base = AZ_IMDS;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (strncmp(base, "http://", 7) != 0 || n <= 7 ||
	    strcspn(base, " \t\r\n?#") != strlen(base)) {
		log_error("dns-01: azureDNS: %s='%s' is not the http:// URL of "
		    "an instance metadata endpoint", AZ_IMDS_ENV, log_esc(base));
		return NULL;
	}
	url = util_printf("%s/", az_cloud(ctx)->arm);
	res = dnsapi_pct(url, "");
	free(url);
	id = mi_client ? dnsapi_pct(mi_client, "") : mi_res ? dnsapi_pct(mi_res,
	    "/") : NULL;
	url = util_printf("%.*s" AZ_IMDS_PATH "&resource=%s%s%s", (int)n,
	    base, res, mi_client ? "&client_id=" : mi_res ? "&msi_res_id=" :
	    "", id ? id : "");
	free(res);
	free(id);
	return url;
}

/* The machine's managed identity's token, from the metadata endpoint. */
static char *
az_imds_token(const struct dnsapi_ctx *ctx)
{
	struct dnsapi_ctx mctx = *ctx;
	struct strlist hdrs = { 0 };
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		&hdrs };
	struct http_resp resp;
	char *url, *tok = NULL;

	if ((url = az_imds_url(ctx)) == NULL)
		return NULL;
	strlist_add(&hdrs, "Metadata: true");
	req.url = url;
	if ((mctx.http = http_new_metadata()) == NULL) {
		log_error("dns-01: azureDNS: %s", util_error());
	} else if (dnsapi_send(&mctx, &req, &resp) < 0) {
		log_error("dns-01: azureDNS: no clientID is given and no "
		    "managed identity answers: %s (give clientID, "
		    "clientSecretSecretRef and tenantID, or run on an Azure "
		    "machine with a managed identity)", util_error());
	} else {
		tok = az_token(&resp, "getting the managed identity's token");
		dnsapi_resp_wipe(&resp);
	}
	http_free(mctx.http);
	strlist_free(&hdrs);
	free(url);
	return tok;
}

static int
az_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	const char *file;
	char *tok, *h;

	if (az_str(ctx, "clientID") != NULL)
		tok = az_secret_token(ctx);
	else if ((file = getenv(AZ_FEDERATED_ENV)) != NULL && file[0] != '\0')
		tok = az_federated_token(ctx, file);
	else
		tok = az_imds_token(ctx);
	if (tok == NULL)
		return -1;
	h = util_printf("Authorization: Bearer %s", tok);
	strlist_add(hdrs, h);
	crypto_secret_free(h, strlen(h));
	crypto_secret_free(tok, strlen(tok));
	return 0;
}

/* The name relative to zone ("@" for the zone itself), or NULL. */
static char *
az_relative(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (strcasecmp(name, zone) == 0)
		return util_strdup("@");
	if (n > z + 1 && name[n - z - 1] == '.' &&
	    strcasecmp(name + n - z, zone) == 0)
		return util_strndup(name, n - z - 1);
	return NULL;
}

/* The URL of zone, or of its TXT set rel if rel is not NULL. */
static char *
az_url(const struct dnsapi_ctx *ctx, const char *zone, const char *rel)
{
	char *sub = dnsapi_pct(az_str(ctx, "subscriptionID"), "");
	char *rg = dnsapi_pct(az_str(ctx, "resourceGroupName"), "");
	char *z = dnsapi_pct(zone, ""), *r = rel ? dnsapi_pct(rel, "@") : NULL;
	const struct az_kind *k = az_kind(ctx);
	char *url;

	url = util_printf("%s/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.Network/%s/%s%s%s?api-version=%s", az_cloud(ctx)->arm,
	    sub, rg, k->type, z, r ? "/TXT/" : "", r ? r : "", k->api);
	free(sub);
	free(rg);
	free(z);
	free(r);
	return url;
}

/* One request with the credentials, and cond ("If-Match: ...") if any. */
static int
az_request(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *method, const char *url, const char *body, const char *cond,
    struct http_resp *resp)
{
	struct strlist all = { 0 };
	struct http_req req = { method, url, body, body ? "application/json" :
		NULL, "application/json", &all };
	size_t i;
	int rc;

	for (i = 0; i < hdrs->n; i++)
		strlist_add(&all, hdrs->v[i]);
	if (cond != NULL)
		strlist_add(&all, cond);
	if ((rc = dnsapi_send(ctx, &req, resp)) < 0)
		log_error("dns-01: azureDNS: %s", util_error());
	dnsapi_headers_free(&all);
	return rc;
}

/* The joined strings of one TXT record {"value": [...]}, or NULL. */
static char *
az_record_value(const cJSON *rec)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "value"), *s;
	struct buf b = { 0 };

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return NULL;
	cJSON_ArrayForEach(s, v) {
		if (!cJSON_IsString(s)) {
			buf_free(&b);
			return NULL;
		}
		buf_addstr(&b, s->valuestring);
	}
	return b.data != NULL ? b.data : util_strdup("");
}

/* Is value one of the records'? */
static bool
az_has(const cJSON *records, const char *value)
{
	const cJSON *rec;
	char *v;
	bool has = false;

	cJSON_ArrayForEach(rec, records) {
		v = az_record_value(rec);
		has = has || (v != NULL && strcmp(v, value) == 0);
		free(v);
	}
	return has;
}

static void
az_set_free(struct az_set *set)
{
	free(set->etag);
	cJSON_Delete(set->props);
	memset(set, 0, sizeof(*set));
}

/*
 * The set of an answer, checked: a sane etag, TXT records each a list of
 * strings; the properties kept for writing back (TTL, metadata), less
 * what Azure alone writes.  -1 (reported) if the answer is not one.
 */
static int
az_set_of(const struct az_kind *k, const struct http_resp *resp,
    const char *name, struct az_set *set)
{
	cJSON *j = dnsapi_json(resp), *props;
	const cJSON *etag = cJSON_GetObjectItemCaseSensitive(j, "etag"), *rec;
	const cJSON *recs;
	char *v;
	bool ok;

	props = cJSON_DetachItemFromObjectCaseSensitive(j, "properties");
	ok = cJSON_IsString(etag) && az_sane(etag->valuestring, AZ_ETAG_CHARS,
	    AZ_ETAG_MAX) && cJSON_IsObject(props);
	if (ok) {
		set->etag = util_strdup(etag->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(props, "fqdn");
		cJSON_DeleteItemFromObjectCaseSensitive(props,
		    "provisioningState");
		cJSON_DeleteItemFromObjectCaseSensitive(props,
		    "isAutoRegistered");
		set->records = cJSON_GetObjectItemCaseSensitive(props, k->txt);
		if (set->records == NULL)
			set->records = cJSON_AddArrayToObject(props, k->txt);
		ok = cJSON_IsArray(set->records);
	}
	recs = ok ? set->records : NULL;
	cJSON_ArrayForEach(rec, recs) {
		ok = ok && (v = az_record_value(rec)) != NULL;
		if (ok)
			free(v);
	}
	set->props = cJSON_CreateObject();
	cJSON_AddItemToObject(set->props, "properties", props);
	cJSON_Delete(j);
	if (!ok)
		log_error("dns-01: azureDNS: the answer for the record set %s "
		    "is not a TXT record set with a sane ETag (refused)", name);
	return ok ? 0 : -1;
}

/* Read the TXT set at url: 1 if there is none, -1 reported. */
static int
az_read_set(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, const char *name, struct az_set *set, bool warn)
{
	const struct az_kind *k = az_kind(ctx);
	struct http_resp resp;
	cJSON *props;
	int rc = -1;

	memset(set, 0, sizeof(*set));
	if (az_request(ctx, hdrs, "GET", url, NULL, NULL, &resp) < 0)
		return -1;
	if (resp.status == 404) {
		set->props = cJSON_CreateObject();
		props = cJSON_AddObjectToObject(set->props, "properties");
		cJSON_AddNumberToObject(props, k->ttl, AZ_TTL);
		set->records = cJSON_AddArrayToObject(props, k->txt);
		rc = 1;
	} else if (az_answer_ok(&resp, "reading the TXT record set", warn)) {
		rc = az_set_of(k, &resp, name, set);
	}
	http_resp_free(&resp);
	if (rc < 0)
		az_set_free(set);
	return rc;
}

/*
 * Write set back at url (PUT, or DELETE when no record is left), guarded
 * by its ETag (or made only if it still does not exist): 1 if it changed
 * meanwhile (412), -1 reported.
 */
static int
az_write(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, const struct az_set *set, bool warn)
{
	struct http_resp resp;
	char *cond, *body = NULL;
	bool del = cJSON_GetArraySize(set->records) == 0;
	int rc = -1;

	cond = set->etag ? util_printf("If-Match: %s", set->etag) :
	    util_strdup("If-None-Match: *");
	if (!del)
		body = cJSON_PrintUnformatted(set->props);
	if (az_request(ctx, hdrs, del ? "DELETE" : "PUT", url, body, cond,
	    &resp) == 0) {
		if (resp.status == 412)
			rc = 1;
		else if ((del && resp.status == 404) || az_answer_ok(&resp, del ?
		    "deleting the TXT record set" : "writing the TXT record set",
		    warn))
			rc = 0;
		http_resp_free(&resp);
	}
	free(body);
	free(cond);
	return rc;
}

/* Add the values missing from the set at url; those added to added. */
static int
az_add_once(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, const struct strlist *values, struct dnsapi_added *added)
{
	struct az_set set;
	struct strlist fresh = { 0 };
	cJSON *rec;
	size_t i;
	int rc;

	if (az_read_set(ctx, hdrs, url, added->name, &set, false) < 0)
		return -1;
	for (i = 0; i < values->n; i++) {
		if (az_has(set.records, values->v[i]))
			continue;
		rec = cJSON_CreateObject();
		cJSON_AddItemToObject(rec, "value", cJSON_CreateStringArray(
		    (const char *const *)&values->v[i], 1));
		cJSON_AddItemToArray(set.records, rec);
		strlist_add(&fresh, values->v[i]);
	}
	rc = fresh.n == 0 ? 0 : az_write(ctx, hdrs, url, &set, false);
	if (fresh.n < values->n)
		log_info("dns-01: azureDNS: %zu of the values were at %s "
		    "already", values->n - fresh.n, added->name);
	for (i = 0; rc == 0 && i < fresh.n; i++)
		strlist_add(&added->values, fresh.v[i]);
	strlist_free(&fresh);
	az_set_free(&set);
	return rc;
}

/* Remove our values from the set at url: 1 if it changed meanwhile. */
static int
az_remove_once(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, const struct dnsapi_added *added)
{
	struct az_set set;
	cJSON *rec;
	char *v;
	int i, rc, removed = 0;

	if ((rc = az_read_set(ctx, hdrs, url, added->name, &set, true)) != 0) {
		az_set_free(&set);
		return rc > 0 ? 0 : -1; /* no set: nothing of ours is left */
	}
	for (i = cJSON_GetArraySize(set.records) - 1; i >= 0; i--) {
		rec = cJSON_GetArrayItem(set.records, i);
		v = az_record_value(rec);
		if (v != NULL && strlist_has(&added->values, v)) {
			cJSON_DeleteItemFromArray(set.records, i);
			removed++;
		}
		free(v);
	}
	rc = removed == 0 ? 0 : az_write(ctx, hdrs, url, &set, true);
	az_set_free(&set);
	return rc;
}

/* Is the zone one these credentials see in the resource group? */
static int
az_zone_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone)
{
	struct http_resp resp;
	char *url = az_url(ctx, zone, NULL), *what;
	int rc = -1;

	what = util_printf("finding the %szone %s in resource group %s of "
	    "subscription %s", az_kind(ctx) == &private_zones ? "private " :
	    "", zone, log_esc(az_str(ctx, "resourceGroupName")),
	    log_esc2(az_str(ctx, "subscriptionID")));
	if (az_request(ctx, hdrs, "GET", url, NULL, NULL, &resp) == 0) {
		if (az_answer_ok(&resp, what, false))
			rc = 0;
		http_resp_free(&resp);
	}
	free(what);
	free(url);
	return rc;
}

/*
 * The zone present writes name in (hostedZoneName, else the one DNS
 * found, without a trailing dot) into *z, and name relative to it into
 * *rel; -1 reported if name is not in it.
 */
static int
az_zone_of(const struct dnsapi_ctx *ctx, const char *zone, const char *name,
    char **z, char **rel)
{
	const char *hosted = az_str(ctx, "hostedZoneName");
	size_t n;

	if (hosted != NULL)
		zone = hosted;
	n = strlen(zone);
	*z = util_strndup(zone, n - (n > 1 && zone[n - 1] == '.'));
	if ((*rel = az_relative(name, *z)) == NULL) {
		log_error("dns-01: azureDNS: %s is not in the zone %s%s", name,
		    log_esc(*z), hosted ? " (hostedZoneName)" : "");
		free(*z);
		*z = NULL;
		return -1;
	}
	return 0;
}

static int
az_present(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	char *z, *rel, *url;
	int i, rc = -1;

	if (az_zone_of(ctx, zone, name, &z, &rel) < 0)
		return -1;
	url = az_url(ctx, z, rel);
	if (az_zone_check(ctx, hdrs, z) == 0) {
		added->zone = util_strdup(z);
		for (i = 0; i < AZ_TRIES && (rc = az_add_once(ctx, hdrs, url,
		    values, added)) > 0; i++)
			log_info("dns-01: azureDNS: the record set %s changed "
			    "meanwhile (HTTP 412); reading it again", name);
		if (rc > 0)
			log_error("dns-01: azureDNS: the record set %s kept "
			    "changing (HTTP 412 %d times); try again later",
			    name, AZ_TRIES);
	}
	free(url);
	free(rel);
	free(z);
	return rc == 0 ? 0 : -1;
}

static void
az_cleanup(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const struct dnsapi_added *added)
{
	char *rel = added->zone ? az_relative(added->name, added->zone) : NULL;
	char *url;
	int i, rc = -1;

	if (rel == NULL)
		return; /* nothing was added */
	url = az_url(ctx, added->zone, rel);
	for (i = 0; i < AZ_TRIES && (rc = az_remove_once(ctx, hdrs, url,
	    added)) > 0; i++)
		log_info("dns-01: azureDNS: the record set %s changed "
		    "meanwhile (HTTP 412); reading it again", added->name);
	if (rc != 0)
		log_warn("dns-01: azureDNS: the TXT values acmec added at %s "
		    "stay: remove them by hand", added->name);
	free(url);
	free(rel);
}

/*
 * The token (signed in as present signs in) reads the zone present
 * writes in: GET on the zone resource.  Whether the principal may write
 * its record sets shows only in a write.
 */
static int
az_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name)
{
	char *z, *rel;
	int rc;

	if (az_zone_of(ctx, zone, name, &z, &rel) < 0)
		return -1;
	if ((rc = az_zone_check(ctx, hdrs, z)) == 0)
		log_info("dns-01: azureDNS: the credentials read the %szone %s",
		    az_kind(ctx) == &private_zones ? "private " : "", z);
	free(rel);
	free(z);
	return rc;
}

const struct dnsapi dnsapi_azuredns = {
	"azureDNS", az_auth, az_present, az_answer_ok, NULL, az_cleanup,
	    az_check,
};
