/*
 * dns-01 through Akamai Edge DNS (cert-manager's dns01.akamai): the
 * config-dns/v2 API at the client's own host (serviceConsumerDomain), each
 * request signed with EdgeGrid (edgegrid.c) under its own timestamp and
 * nonce.  A name has one TXT record set, read and written whole:
 *   GET/POST/PUT/DELETE /config-dns/v2/zones/ZONE/names/NAME/types/TXT
 * with the set {"name", "type", "ttl", "rdata": ["\"value\"", ...]}.
 * Present keeps every value already in the set (the union, as
 * cert-manager's provider does); cleanup takes out only the values this
 * run added, deleting the set when nothing else is left.  Akamai offers
 * no ETag here, so each write is a read-modify-write, read again after
 * the write and retried when the write answers 409/412 or the set changed
 * under it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "acme/acme.h"
#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "acme/solver/edgegrid.h"
#include "crypto/err.h"
#include "crypto/rand.h"

#define AK_TTL 300          /* cert-manager's */
#define AK_MAX_BODY 131072  /* cert-manager's EdgeGrid MaxBody */
#define AK_TRIES 3          /* read-modify-write attempts */
#define AK_MAX_RDATA 100    /* values a TXT set may hold, for us */
#define AK_MAX_VALUE 4096   /* characters of one rdata string */
#define AK_RATE_TRIES 4
#define AK_RATE_MAX_S 60

/* The order of the credentials auth leaves in its list. */
enum { AK_CLIENT_TOKEN, AK_CLIENT_SECRET, AK_ACCESS_TOKEN, AK_NCRED };

static const char *const ak_fields[AK_NCRED] = {
	"clientTokenSecretRef", "clientSecretSecretRef", "accessTokenSecretRef",
};

/* A TXT record set as read: rdata as Akamai writes it (quoted). */
struct ak_set {
	bool exists;
	long ttl;
	struct strlist rdata;
};

/*
 * Report Akamai's problem answer {"type", "title", "detail", "status",
 * "instance"} to what (a warning if warn).
 */
static void
ak_problem(const struct http_resp *resp, const char *what, bool warn)
{
	cJSON *j = dnsapi_json(resp);
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(j, "title");
	const cJSON *detail = cJSON_GetObjectItemCaseSensitive(j, "detail");
	bool t = cJSON_IsString(title), d = cJSON_IsString(detail);

	(warn ? log_warn : log_error)("dns-01: akamai: %s: HTTP %ld%s%s%s%s",
	    what, resp->status, t || d ? ": " : " (no error in the answer)",
	    t ? log_esc(title->valuestring) : "", t && d ? ": " : "",
	    d ? log_esc2(detail->valuestring) : "");
	if (resp->status == 403)
		(warn ? log_warn : log_error)("dns-01: akamai: give the API "
		    "client READ-WRITE access to the zone in Edge DNS");
	cJSON_Delete(j);
}

static bool
ak_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	if (resp->status / 100 == 2)
		return true;
	ak_problem(resp, what, warn);
	return false;
}

/* A DNS name fit for a URL path: letters, digits, '-', '_', dots between. */
static bool
ak_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.", s[i]) == NULL || (s[i] == '.' &&
		    s[i + 1] == '.'))
			return false;
	return true;
}

/* A credential fit for the Authorization header: printable, no ';'. */
static bool
ak_cred_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~' || *s == ';')
			return false;
	return true;
}

/* The three credentials, in enum order; -1 reported. */
static int
ak_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	char *secret;
	size_t len, i;

	for (i = 0; i < AK_NCRED; i++) {
		if (dnsapi_secret(ctx, ak_fields[i], &secret, &len) < 0)
			return -1;
		if (secret == NULL || !ak_cred_ok(secret)) {
			log_error("dns-01: akamai: the %s Secret is empty or "
			    "holds spaces or ';': give the value from the API "
			    "client's .edgerc", ak_fields[i]);
			if (secret != NULL)
				crypto_secret_free(secret, len);
			return -1;
		}
		strlist_add(hdrs, secret);
		crypto_secret_free(secret, len);
	}
	return 0;
}

/* A fresh version 4 UUID, the nonce of one request. */
static int
ak_nonce(char out[37])
{
	unsigned char r[16];

	if (rand_bytes(r, sizeof(r)) < 0) {
		util_seterr("cannot draw a nonce: %s", crypto_error());
		return -1;
	}
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

/* The Authorization header of one request, signed now; NULL set. */
static char *
ak_sign(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *method, const char *path, const char *body)
{
	struct edgegrid_req r = { 0 };
	struct edgegrid_out o;
	char ts[23], nonce[37], *h;

	if (edgegrid_timestamp(time(NULL), ts) < 0 || ak_nonce(nonce) < 0)
		return NULL;
	r.client_token = cred->v[AK_CLIENT_TOKEN];
	r.client_secret = cred->v[AK_CLIENT_SECRET];
	r.access_token = cred->v[AK_ACCESS_TOKEN];
	r.timestamp = ts;
	r.nonce = nonce;
	r.method = method;
	r.host = config_dnsapi_str(&ctx->solver->api, "serviceConsumerDomain");
	r.path_query = path;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	r.max_body = AK_MAX_BODY;
	if (edgegrid_sign(&r, &o) < 0) {
		util_seterr("cannot sign the request: %s", crypto_error());
		return NULL;
	}
	h = util_printf("Authorization: %s", o.authz);
	crypto_secret_free(o.authz, strlen(o.authz));
	o.authz = NULL;
	edgegrid_out_free(&o);
	return h;
}

/*
 * One request, signed afresh for every try: a 429 (or 503 with
 * Retry-After) is waited out a few times.  -1 (reported) if no answer.
 */
static int
ak_send(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *method, const char *path, const char *body,
    struct http_resp *resp)
{
	struct strlist h = { 0 };
	struct http_req req = { method, NULL, body, body ? "application/json" :
		NULL, "application/json", &h };
	long long wait;
	char *url, *authz;
	int i, rc = -1;

	url = util_printf("https://%s%s", config_dnsapi_str(&ctx->solver->api,
	    "serviceConsumerDomain"), path);
	req.url = url;
	for (i = 0;; i++) {
		if ((authz = ak_sign(ctx, cred, method, path, body)) == NULL)
			break;
		strlist_add(&h, authz);
		crypto_secret_free(authz, strlen(authz));
		rc = http_send(ctx->http, &req, resp);
		dnsapi_headers_free(&h);
		if (rc < 0 || (resp->status != 429 && !(resp->status == 503 &&
		    resp->retry_after != NULL)))
			break;
		wait = resp->retry_after ? acme_retry_after(resp->retry_after) :
		    -1;
		if (wait < 0)
			wait = 1LL << i;
		if (i + 1 >= AK_RATE_TRIES || wait > AK_RATE_MAX_S ||
		    util_interrupted())
			break; /* the caller reports Akamai's words */
		log_info("dns-01: akamai asks to wait %lld s (HTTP %ld); "
		    "waiting", wait, resp->status);
		http_resp_free(resp);
		util_sleep_ms(wait * 1000);
	}
	if (rc < 0)
		log_error("dns-01: akamai: %s", util_error());
	free(url);
	return rc;
}

static char *
ak_path(const char *zone, const char *name)
{
	return util_printf("/config-dns/v2/zones/%s/names/%s/types/TXT", zone,
	    name);
}

/* Whether rdata r (quoted, as Akamai writes TXT) holds value. */
static bool
ak_rdata_is(const char *r, const char *value)
{
	size_t n = strlen(r), v = strlen(value);

	if (n >= 2 && r[0] == '"' && r[n - 1] == '"')
		return n - 2 == v && memcmp(r + 1, value, v) == 0;
	return strcmp(r, value) == 0;
}

static bool
ak_set_has(const struct ak_set *s, const char *value)
{
	size_t i;

	for (i = 0; i < s->rdata.n; i++)
		if (ak_rdata_is(s->rdata.v[i], value))
			return true;
	return false;
}

/*
 * The record set in answer j to a GET of name, checked: the name and
 * type asked for, a bounded list of bounded strings.  -1 if not.
 */
static int
ak_set_parse(const cJSON *j, const char *name, struct ak_set *s)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "name");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(j, "ttl");
	const cJSON *rd = cJSON_GetObjectItemCaseSensitive(j, "rdata"), *e;

	if (!cJSON_IsString(n) || strcasecmp(n->valuestring, name) != 0 ||
	    !cJSON_IsString(t) || strcmp(t->valuestring, "TXT") != 0 ||
	    !cJSON_IsArray(rd) || cJSON_GetArraySize(rd) > AK_MAX_RDATA)
		return -1;
	s->ttl = AK_TTL;
	if (cJSON_IsNumber(ttl) && ttl->valuedouble >= 0 &&
	    ttl->valuedouble <= 2147483647)
		s->ttl = (long)ttl->valuedouble;
	cJSON_ArrayForEach(e, rd) {
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0' ||
		    strlen(e->valuestring) > AK_MAX_VALUE)
			return -1;
		strlist_add(&s->rdata, e->valuestring);
	}
	s->exists = true;
	return 0;
}

/* Read name's TXT set into s (absent: !s->exists); -1 reported. */
static int
ak_get(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *zone, const char *name, struct ak_set *s, bool warn)
{
	struct http_resp resp;
	char *path = ak_path(zone, name);
	cJSON *j = NULL;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (ak_send(ctx, cred, "GET", path, NULL, &resp) < 0) {
		free(path);
		return -1;
	}
	if (resp.status == 404) {
		rc = 0; /* no set yet (an unknown zone fails the write) */
	} else if (ak_answer_ok(&resp, "reading the TXT record set", warn)) {
		j = dnsapi_json(&resp);
		if ((rc = ak_set_parse(j, name, s)) < 0) {
			strlist_free(&s->rdata);
			memset(s, 0, sizeof(*s));
			(warn ? log_warn : log_error)("dns-01: akamai: the "
			    "answer to reading %s is not its TXT record set "
			    "(another name or type, or over %d values of at "
			    "most %d characters): refused", name, AK_MAX_RDATA,
			    AK_MAX_VALUE);
		}
	}
	cJSON_Delete(j);
	http_resp_free(&resp);
	free(path);
	return rc;
}

/*
 * Write name's set as rdata with method (POST creates, PUT replaces);
 * the answer in resp, for the caller to judge.  -1 reported.
 */
static int
ak_write(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *method, const char *zone, const char *name, long ttl,
    const struct strlist *rdata, struct http_resp *resp)
{
	cJSON *doc = cJSON_CreateObject(), *arr;
	char *path = ak_path(zone, name), *body;
	size_t i;
	int rc;

	cJSON_AddStringToObject(doc, "name", name);
	cJSON_AddStringToObject(doc, "type", "TXT");
	cJSON_AddNumberToObject(doc, "ttl", (double)ttl);
	arr = cJSON_AddArrayToObject(doc, "rdata");
	for (i = 0; i < rdata->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(rdata->v[i]));
	body = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	rc = ak_send(ctx, cred, method, path, body, resp);
	free(body);
	free(path);
	return rc;
}

/* 409 Conflict / 412 Precondition Failed: someone wrote meanwhile. */
static bool
ak_conflict(const struct http_resp *resp, const char *name)
{
	if (resp->status != 409 && resp->status != 412)
		return false;
	log_info("dns-01: akamai: the TXT record set %s changed meanwhile "
	    "(HTTP %ld); reading it again", name, resp->status);
	return true;
}

/*
 * One read-modify-write adding values to name's set: 0 done (the values
 * noted in added), 1 to try again, -1 reported.
 */
static int
ak_add_once(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	struct ak_set s, after;
	struct strlist mine = { 0 };
	struct http_resp resp;
	char *q;
	size_t i;
	int rc = -1;

	if (ak_get(ctx, cred, zone, name, &s, false) < 0)
		return -1;
	for (i = 0; i < values->n; i++) {
		if (ak_set_has(&s, values->v[i]))
			continue; /* there already: someone's, or ours before */
		q = util_printf("\"%s\"", values->v[i]);
		strlist_add(&s.rdata, q);
		free(q);
		strlist_add(&mine, values->v[i]);
	}
	if (mine.n == 0) {
		rc = 0;
		goto out;
	}
	if (ak_write(ctx, cred, s.exists ? "PUT" : "POST", zone, name,
	    s.exists ? s.ttl : AK_TTL, &s.rdata, &resp) < 0)
		goto out;
	if (ak_conflict(&resp, name))
		rc = 1;
	else if (ak_answer_ok(&resp, s.exists ? "adding to the TXT record set"
	    : "creating the TXT record set", false))
		rc = 0;
	http_resp_free(&resp);
	for (i = 0; rc == 0 && i < mine.n; i++)
		if (!strlist_has(&added->values, mine.v[i]))
			strlist_add(&added->values, mine.v[i]);
	if (rc != 0)
		goto out;
	/* Without ETags, a write racing ours shows only in a re-read. */
	if (ak_get(ctx, cred, zone, name, &after, false) < 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < values->n && rc == 0; i++)
		if (!ak_set_has(&after, values->v[i])) {
			log_info("dns-01: akamai: the TXT record set %s changed "
			    "meanwhile (our value is gone); writing it again",
			    name);
			rc = 1;
		}
	strlist_free(&after.rdata);
out:
	strlist_free(&mine);
	strlist_free(&s.rdata);
	return rc;
}

static int
ak_present(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	size_t n = strlen(name), z = strlen(zone);
	int i, rc = 1;

	if (!ak_name_ok(zone) || !ak_name_ok(name) || (strcasecmp(name,
	    zone) != 0 && (n <= z + 1 || name[n - z - 1] != '.' ||
	    strcasecmp(name + n - z, zone) != 0))) {
		log_error("dns-01: akamai: %s is not a name in the zone %s "
		    "that Edge DNS takes", log_esc(name), log_esc2(zone));
		return -1;
	}
	free(added->zone);
	added->zone = util_strdup(zone);
	for (i = 0; rc == 1 && i < AK_TRIES; i++)
		rc = ak_add_once(ctx, cred, zone, name, values, added);
	if (rc == 1)
		log_error("dns-01: akamai: the TXT record set %s kept changing "
		    "while acmec wrote it (%d tries): try again later", name,
		    AK_TRIES);
	return rc == 0 ? 0 : -1;
}

/*
 * One read-modify-write taking added's values out of the set: 0 done,
 * 1 to try again, -1 warned.
 */
static int
ak_remove_once(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const struct dnsapi_added *added)
{
	struct ak_set s;
	struct strlist keep = { 0 };
	struct http_resp resp;
	bool del;
	size_t i, j;
	int rc = -1;

	if (ak_get(ctx, cred, added->zone, added->name, &s, true) < 0)
		return -1;
	for (i = 0; i < s.rdata.n; i++) {
		for (j = 0; j < added->values.n; j++)
			if (ak_rdata_is(s.rdata.v[i], added->values.v[j]))
				break;
		if (j == added->values.n)
			strlist_add(&keep, s.rdata.v[i]);
	}
	if (!s.exists || keep.n == s.rdata.n) {
		rc = 0; /* none of ours left */
		goto out;
	}
	if ((del = keep.n == 0)) {
		char *path = ak_path(added->zone, added->name);

		rc = ak_send(ctx, cred, "DELETE", path, NULL, &resp);
		free(path);
	} else {
		rc = ak_write(ctx, cred, "PUT", added->zone, added->name,
		    s.ttl, &keep, &resp);
	}
	if (rc < 0)
		goto out;
	if (ak_conflict(&resp, added->name))
		rc = 1;
	else if (del && resp.status == 404)
		rc = 0; /* gone already */
	else
		rc = ak_answer_ok(&resp, del ? "deleting the TXT record set" :
		    "removing from the TXT record set", true) ? 0 : -1;
	http_resp_free(&resp);
out:
	strlist_free(&keep);
	strlist_free(&s.rdata);
	return rc;
}

static void
ak_cleanup(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const struct dnsapi_added *added)
{
	int i, rc = 1;

	for (i = 0; rc == 1 && i < AK_TRIES; i++)
		rc = ak_remove_once(ctx, cred, added);
	if (rc != 0)
		log_warn("dns-01: akamai: acmec's TXT values at %s stay: "
		    "remove them by hand", added->name);
}

/*
 * GET /config-dns/v2/zones/ZONE: the signed credentials are accepted and
 * the API client's grants reach the zone (a 403 says it lacks them);
 * whether they allow writing shows only in a write.
 */
static int
ak_check(const struct dnsapi_ctx *ctx, const struct strlist *cred,
    const char *zone, const char *name)
{
	struct http_resp resp;
	char *path, *what;
	int rc = -1;

	(void)name;
	if (!ak_name_ok(zone)) {
		log_error("dns-01: akamai: the zone %s is not a name Edge DNS "
		    "takes", log_esc(zone));
		return -1;
	}
	path = util_printf("/config-dns/v2/zones/%s", zone);
	what = util_printf("reading the zone %s", zone);
	if (ak_send(ctx, cred, "GET", path, NULL, &resp) == 0) {
		if (ak_answer_ok(&resp, what, false)) {
			log_info("dns-01: akamai: the API client reads the "
			    "zone %s", zone);
			rc = 0;
		} else if (resp.status == 400 || resp.status == 401) {
			log_error("dns-01: akamai: give the client token, "
			    "client secret and access token of one API client "
			    "(its .edgerc section), and check this machine's "
			    "clock");
		}
		http_resp_free(&resp);
	}
	free(what);
	free(path);
	return rc;
}

const struct dnsapi dnsapi_akamai = {
	"akamai", ak_auth, ak_present, ak_answer_ok, NULL, ak_cleanup, ak_check,
};
