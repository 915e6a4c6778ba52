/*
 * dns-01 through Google Cloud DNS API v1 (cert-manager's dns01.cloudDNS).
 * Credentials: a service account's JSON key (serviceAccountSecretRef),
 * whose RS256 assertion (gsajwt.h) is exchanged at the key's token_uri
 * for an access token; without it, the metadata server's token for the
 * machine's service account.  The managed zone is hostedZoneName, else
 * the public zone whose dnsName is the zone DNS found (as cert-manager
 * picks it).  Cloud DNS keeps one TXT record set per name and changes it
 * atomically: a change deletes the set exactly as it is and adds the new
 * one, so a set that changed meanwhile is refused (412, 409) and read
 * again.  Present adds our values to whatever is there; cleanup takes
 * out only the values present added.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "acme/solver/gsajwt.h"
#include "acme/solver/gsakey.h"
#include "crypto/err.h"

#define GCP_DNS "https://dns.googleapis.com/dns/v1/projects"
#define GCP_META_HOST "metadata.google.internal"
#define GCP_META_PATH \
	"/computeMetadata/v1/instance/service-accounts/default/token"
#define GCP_GRANT "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
#define GCP_TTL 60       /* cert-manager's, for a set acmec creates */
#define GCP_TRIES 3      /* changes refused because the set moved */
#define GCP_POLLS 60     /* a second apart: changes take seconds */
#define GCP_PAGES 20     /* of managed zones with one DNS name */
#define GCP_TOKEN_MAX 4096
#define GCP_RRDATAS 1000 /* values in one set we are willing to copy */

static const char id_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
/* What an OAuth 2 bearer token is made of (RFC 6750 b64token). */
static const char tok_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~+/=";

/*
 * Whether resp (to what) is a success; else report Google's error
 * {"error": {"code", "message", "errors": [{"reason"}]}} as "reason:
 * message", a warning if warn.
 */
static bool
gcp_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	cJSON *j;
	const cJSON *e, *msg, *reason;
	const char *hint = "";

	if (resp->status / 100 == 2)
		return true;
	j = dnsapi_json(resp);
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	msg = cJSON_GetObjectItemCaseSensitive(e, "message");
	reason = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(e, "errors"), 0), "reason");
	if (resp->status == 401)
		hint = " (the access token was refused)";
	else if (resp->status == 404)
		hint = " (check project and hostedZoneName)";
	else if (resp->status == 403)
		hint = " (the service account needs the DNS Administrator role, "
		    "roles/dns.admin, in the project)";
	(warn ? log_warn : log_error)("dns-01: cloudDNS: %s: HTTP %ld%s%s%s%s%s",
	    what, resp->status, cJSON_IsString(reason) ? ": " : "",
	    cJSON_IsString(reason) ? log_esc(reason->valuestring) : "",
	    cJSON_IsString(msg) ? ": " : cJSON_IsString(reason) ? "" :
	    " (no error in the answer)", cJSON_IsString(msg) ?
	    log_esc2(msg->valuestring) : "", hint);
	cJSON_Delete(j);
	return false;
}

/* ------------------------------------------------------------ tokens */

/*
 * The OAuth 2 token answer to what ({"access_token", "token_type":
 * "Bearer"}) into *tok (caller frees with crypto_secret_free); else
 * report the endpoint's {"error", "error_description"} or, from a
 * metadata server, the first line of its text.
 */
static int
token_answer(const struct http_resp *resp, const char *what, char **tok)
{
	cJSON *j = dnsapi_json(resp);
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	const cJSON *tt = cJSON_GetObjectItemCaseSensitive(j, "token_type");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(j,
	    "error_description");
	char *text;
	int rc = -1;

	if (resp->status == 200 && cJSON_IsString(at) &&
	    dnsapi_only(at->valuestring, tok_chars, GCP_TOKEN_MAX) &&
	    (tt == NULL || (cJSON_IsString(tt) &&
	    strcasecmp(tt->valuestring, "Bearer") == 0))) {
		*tok = util_strdup(at->valuestring);
		rc = 0;
	} else if (resp->status == 200) {
		log_error("dns-01: cloudDNS: the answer to %s names no usable "
		    "access token", what);
	} else if (cJSON_IsString(err)) {
		log_error("dns-01: cloudDNS: %s: HTTP %ld: %s%s%s%s", what,
		    resp->status, log_esc(err->valuestring),
		    cJSON_IsString(desc) ? ": " : "", cJSON_IsString(desc) ?
		    log_esc2(desc->valuestring) : "",
		    strcmp(err->valuestring, "invalid_grant") == 0 ? " (a "
		    "deleted or disabled key, or this machine's clock is off)" :
		    "");
	} else {
		text = util_strndup(resp->body.data ? resp->body.data : "",
		    resp->body.len < 200 ? resp->body.len : 200);
		text[strcspn(text, "\r\n")] = '\0';
		log_error("dns-01: cloudDNS: %s: HTTP %ld%s%s", what,
		    resp->status, text[0] ? ": " : "", log_esc(text));
		free(text);
	}
	if (cJSON_IsString(at))
		explicit_bzero(at->valuestring, strlen(at->valuestring));
	cJSON_Delete(j);
	return rc;
}

/* The key file's assertion exchanged at its token_uri for a token. */
static int
sa_token(const struct dnsapi_ctx *ctx, const char *json, size_t len,
    char **tok)
{
	const struct cfg_secret_ref *ref = config_dnsapi_ref(&ctx->solver->api,
	    "serviceAccountSecretRef");
	struct http_req req = { "POST", NULL, NULL,
		"application/x-www-form-urlencoded", "application/json", NULL };
	struct gsakey sa = { 0 };
	struct http_resp resp;
	char *where, *jwt = NULL, *form = NULL, *what;
	int rc = -1;

	if (gsakey_parse(json, len, &sa) < 0) {
		where = config_secret_where(ref, NULL, ctx->secretsdir);
		log_error("dns-01: cloudDNS: the serviceAccountSecretRef %s: %s",
		    where, util_error());
		free(where);
		goto out;
	}
	if ((jwt = gsajwt_make(sa.key, sa.email, GSAJWT_SCOPE_DNS,
	    sa.token_uri, (long long)time(NULL))) == NULL) {
		log_error("dns-01: cloudDNS: signing the assertion: %s",
		    util_error());
		goto out;
	}
	form = util_printf("grant_type=%s&assertion=%s", GCP_GRANT, jwt);
	req.url = sa.token_uri;
	req.body = form;
	what = util_printf("exchanging the assertion of %s at %s",
	    log_esc(sa.email), sa.token_uri);
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: cloudDNS: %s: %s", what, util_error());
	} else {
		rc = token_answer(&resp, what, tok);
		dnsapi_resp_wipe(&resp);
	}
	free(what);
out:
	if (jwt != NULL)
		crypto_secret_free(jwt, strlen(jwt));
	if (form != NULL)
		crypto_secret_free(form, strlen(form));
	gsakey_free(&sa);
	return rc;
}

/*
 * The metadata server's token for the machine's service account, at
 * GCE_METADATA_HOST as Google's libraries honour it (host[:port]).
 */
static int
meta_token(const struct dnsapi_ctx *ctx, char **tok)
{
	const char *host = getenv("GCE_METADATA_HOST");
	struct strlist hdrs = { 0 };
	struct dnsapi_ctx mctx = *ctx;
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		&hdrs };
	struct http_resp resp;
	char *url, *what;
	int rc = -1;

	if (host == NULL || host[0] == '\0')
		host = GCP_META_HOST;
	if (!dnsapi_only(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]", 255)) {
		log_error("dns-01: cloudDNS: GCE_METADATA_HOST '%s' is not a "
		    "host[:port]", log_esc(host));
		return -1;
	}
	if ((mctx.http = http_new_metadata()) == NULL) {
		log_error("dns-01: cloudDNS: %s", util_error());
		return -1;
	}
	strlist_add(&hdrs, "Metadata-Flavor: Google");
	url = util_printf("http://%s" GCP_META_PATH "?scopes=%s", host,
	    "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fndev.clouddns.readwrite");
	req.url = url;
	what = util_printf("asking the metadata server at %s for a token",
	    host);
	if (dnsapi_send(&mctx, &req, &resp) < 0) {
		log_error("dns-01: cloudDNS: no serviceAccountSecretRef, and "
		    "the metadata server at %s does not answer (%s): give "
		    "serviceAccountSecretRef (a service account's JSON key), or "
		    "run on Google Cloud (GCE_METADATA_HOST moves the server)",
		    host, util_error());
	} else {
		rc = token_answer(&resp, what, tok);
		dnsapi_resp_wipe(&resp);
	}
	free(what);
	free(url);
	strlist_free(&hdrs);
	http_free(mctx.http);
	return rc;
}

static int
gcp_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	char *json, *tok = NULL, *h;
	size_t len;
	int rc;

	if (dnsapi_secret(ctx, "serviceAccountSecretRef", &json, &len) < 0)
		return -1;
	rc = json != NULL ? sa_token(ctx, json, len, &tok) :
	    meta_token(ctx, &tok);
	crypto_secret_free(json, len);
	if (rc < 0)
		return -1;
	h = util_printf("Authorization: Bearer %s", tok);
	strlist_add(hdrs, h);
	crypto_secret_free(h, strlen(h));
	crypto_secret_free(tok, strlen(tok));
	return 0;
}

/* ------------------------------------------------------------- zones */

/*
 * One page of the project's managed zones named zone: the first public
 * one to *pub, the first private one to *priv (if still NULL), the next
 * page's token to *next.  -1 reported.
 */
static int
zone_page(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *url, const char *what, const char *zone, char **pub,
    char **priv, char **next)
{
	struct http_req req = { "GET", url, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	const cJSON *z, *name, *dns, *vis, *tok;
	cJSON *j = NULL;
	int rc = -1;

	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: cloudDNS: %s: %s", what, util_error());
		return -1;
	}
	if (!gcp_answer_ok(&resp, what, false))
		goto out;
	j = dnsapi_json(&resp);
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(j,
	    "managedZones")) {
		name = cJSON_GetObjectItemCaseSensitive(z, "name");
		dns = cJSON_GetObjectItemCaseSensitive(z, "dnsName");
		vis = cJSON_GetObjectItemCaseSensitive(z, "visibility");
		if (!cJSON_IsString(dns) || strlen(dns->valuestring) !=
		    strlen(zone) + 1 || strncasecmp(dns->valuestring, zone,
		    strlen(zone)) != 0 || dns->valuestring[strlen(zone)] != '.')
			continue;
		if (!cJSON_IsString(name) || !dnsapi_only(name->valuestring,
		    "abcdefghijklmnopqrstuvwxyz0123456789-", 63)) {
			log_error("dns-01: cloudDNS: the answer to %s names a "
			    "zone that is no managed zone name", what);
			goto out;
		}
		if (cJSON_IsString(vis) && strcmp(vis->valuestring,
		    "private") == 0) {
			if (*priv == NULL)
				*priv = util_strdup(name->valuestring);
		} else if (*pub == NULL) {
			*pub = util_strdup(name->valuestring);
		}
	}
	tok = cJSON_GetObjectItemCaseSensitive(j, "nextPageToken");
	if (cJSON_IsString(tok) && tok->valuestring[0] != '\0' &&
	    strlen(tok->valuestring) < 2048)
		*next = util_strdup(tok->valuestring);
	rc = 0;
out:
	cJSON_Delete(j);
	http_resp_free(&resp);
	return rc;
}

/*
 * The managed zone serving zone (no trailing dot) in project:
 * hostedZoneName if given, else the public zone of that DNS name (a
 * private one if there is no public one, as cert-manager falls back).
 */
static char *
zone_find(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *project, const char *zone)
{
	const char *given = config_dnsapi_str(&ctx->solver->api,
	    "hostedZoneName");
	char *pub = NULL, *priv = NULL, *next = NULL, *q, *url, *what, *pt;
	int i, rc = 0;

	if (given != NULL)
		return util_strdup(given);
	what = util_printf("finding the managed zone of %s in project %s",
	    zone, project);
	q = dnsapi_pct(zone, "");
	for (i = 0; rc == 0 && pub == NULL && i < GCP_PAGES; i++) {
		pt = next != NULL ? dnsapi_pct(next, "") : NULL;
		url = util_printf(GCP_DNS "/%s/managedZones?dnsName=%s.%s%s",
		    project, q, pt ? "&pageToken=" : "", pt ? pt : "");
		free(next);
		next = NULL;
		rc = zone_page(ctx, hdrs, url, what, zone, &pub, &priv, &next);
		free(url);
		free(pt);
		if (next == NULL)
			break;
	}
	if (rc == 0 && pub == NULL && priv != NULL) {
		log_warn("dns-01: cloudDNS: only a private managed zone (%s) "
		    "serves %s: using it, as cert-manager does; a public CA "
		    "cannot see its records", priv, zone);
		pub = util_strdup(priv);
	} else if (rc == 0 && pub == NULL) {
		log_error("dns-01: cloudDNS: project %s has no managed zone for "
		    "%s.: check project, or give hostedZoneName", project, zone);
	}
	free(q);
	free(next);
	free(priv);
	free(what);
	if (rc < 0) {
		free(pub);
		pub = NULL;
	}
	return pub;
}

/* -------------------------------------------------------- record sets */

/* Whether rrdata is value (quoted, as Cloud DNS keeps TXT, or not). */
static bool
rr_is(const char *rrdata, const char *value)
{
	size_t n = strlen(value);

	if (strcmp(rrdata, value) == 0)
		return true;
	return rrdata[0] == '"' && strncmp(rrdata + 1, value, n) == 0 &&
	    rrdata[n + 1] == '"' && rrdata[n + 2] == '\0';
}

static bool
rr_in(const cJSON *rrdatas, const char *value)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, rrdatas)
		if (cJSON_IsString(r) && rr_is(r->valuestring, value))
			return true;
	return false;
}

/*
 * The TXT set at fqdn (no trailing dot) in the zone at base, as the API
 * has it, into *set (NULL if there is none).  -1 reported (warned if
 * warn).
 */
static int
rrset_get(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *base, const char *fqdn, cJSON **set, bool warn)
{
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	const cJSON *r, *name, *type, *rr;
	char *q = dnsapi_pct(fqdn, ""), *url, *what;
	cJSON *j = NULL;
	int rc = -1;

	*set = NULL;
	url = util_printf("%s/rrsets?name=%s.&type=TXT", base, q);
	what = util_printf("reading the TXT records at %s", fqdn);
	req.url = url;
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		(warn ? log_warn : log_error)("dns-01: cloudDNS: %s: %s", what,
		    util_error());
		goto out;
	}
	if (gcp_answer_ok(&resp, what, warn)) {
		j = dnsapi_json(&resp);
		rc = 0;
	}
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(j, "rrsets")) {
		name = cJSON_GetObjectItemCaseSensitive(r, "name");
		type = cJSON_GetObjectItemCaseSensitive(r, "type");
		rr = cJSON_GetObjectItemCaseSensitive(r, "rrdatas");
		if (!cJSON_IsString(name) || !cJSON_IsString(type) ||
		    strcmp(type->valuestring, "TXT") != 0 ||
		    strlen(name->valuestring) != strlen(fqdn) + 1 ||
		    strncasecmp(name->valuestring, fqdn, strlen(fqdn)) != 0)
			continue;
		if (!cJSON_IsArray(rr) || cJSON_GetArraySize(rr) > GCP_RRDATAS ||
		    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "ttl"))) {
			(warn ? log_warn : log_error)("dns-01: cloudDNS: the "
			    "answer to %s has a record set without its values",
			    what);
			rc = -1;
			break;
		}
		*set = cJSON_Duplicate(r, true);
		break;
	}
	cJSON_Delete(j);
	http_resp_free(&resp);
out:
	free(what);
	free(url);
	free(q);
	return rc;
}

/*
 * The set to write at fqdn: cur's values (may be NULL) without those in
 * minus, then the values of plus not there yet, quoted.  The values of
 * plus added and of minus dropped go to *moved.  NULL if no value is
 * left.
 */
static cJSON *
rrset_new(const char *fqdn, const cJSON *cur, const struct strlist *plus,
    const struct strlist *minus, struct strlist *moved)
{
	const cJSON *rrdatas = cJSON_GetObjectItemCaseSensitive(cur, "rrdatas");
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(cur, "ttl");
	cJSON *set = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	const cJSON *r;
	char *s;
	size_t i;

	cJSON_ArrayForEach(r, rrdatas) {
		for (i = 0; minus != NULL && i < minus->n; i++)
			if (cJSON_IsString(r) && rr_is(r->valuestring,
			    minus->v[i]))
				break;
		if (minus != NULL && i < minus->n)
			strlist_add(moved, minus->v[i]);
		else
			cJSON_AddItemToArray(arr, cJSON_Duplicate(r, true));
	}
	for (i = 0; plus != NULL && i < plus->n; i++) {
		if (rr_in(arr, plus->v[i]) || strlist_has(moved, plus->v[i]))
			continue;
		s = util_printf("\"%s\"", plus->v[i]);
		cJSON_AddItemToArray(arr, cJSON_CreateString(s));
		strlist_add(moved, plus->v[i]);
		free(s);
	}
	s = util_printf("%s.", fqdn);
	cJSON_AddStringToObject(set, "name", s);
	free(s);
	cJSON_AddStringToObject(set, "type", "TXT");
	cJSON_AddNumberToObject(set, "ttl", cJSON_IsNumber(ttl) ?
	    ttl->valuedouble : GCP_TTL);
	cJSON_AddItemToObject(set, "rrdatas", arr);
	if (cJSON_GetArraySize(arr) == 0) {
		cJSON_Delete(set);
		return NULL;
	}
	return set;
}

/* ----------------------------------------------------------- changes */

/*
 * Replace the set del (NULL: none yet) by add (NULL: none left; consumed)
 * in one change to the zone at base.  0 if accepted, its id in *id (NULL,
 * reported, if the answer names none that is safe to follow); 1 if the
 * set had changed meanwhile (409, 412); -1 reported.
 */
static int
change_post(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *base, const cJSON *del, cJSON *add, const char *fqdn,
    bool warn, char **id)
{
	cJSON *doc = cJSON_CreateObject(), *j;
	struct http_resp resp;
	const cJSON *cid;
	char *url, *what;
	int rc = -1;

	*id = NULL;
	if (add != NULL)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "additions"),
		    add);
	if (del != NULL)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "deletions"),
		    cJSON_Duplicate(del, true));
	url = util_printf("%s/changes", base);
	what = util_printf("changing the TXT records at %s", fqdn);
	if (dnsapi_post_json(ctx, hdrs, url, doc, &resp) < 0)
		goto out;
	if (resp.status == 409 || resp.status == 412) {
		log_info("dns-01: cloudDNS: the TXT records at %s changed "
		    "meanwhile (HTTP %ld); reading them again", fqdn,
		    resp.status);
		rc = 1;
	} else if (gcp_answer_ok(&resp, what, warn)) {
		rc = 0;
		j = dnsapi_json(&resp);
		cid = cJSON_GetObjectItemCaseSensitive(j, "id");
		if (cJSON_IsString(cid) && dnsapi_only(cid->valuestring, id_chars, 64))
			*id = util_strdup(cid->valuestring);
		else
			(warn ? log_warn : log_error)("dns-01: cloudDNS: the "
			    "answer to %s names no change id (letters and "
			    "digits) to follow", what);
		cJSON_Delete(j);
	}
	http_resp_free(&resp);
out:
	free(what);
	free(url);
	return rc;
}

/* Wait until the change id of the zone at base is done; -1 reported. */
static int
change_wait(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *base, const char *id, bool warn)
{
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	const cJSON *st;
	char *url = util_printf("%s/changes/%s", base, id);
	char *what = util_printf("following change %s", id);
	cJSON *j;
	int i, rc = 1;

	req.url = url;
	for (i = 0; rc == 1 && i < GCP_POLLS && !util_interrupted(); i++) {
		if (i > 0)
			util_sleep_ms(1000);
		if (dnsapi_send(ctx, &req, &resp) < 0) {
			(warn ? log_warn : log_error)("dns-01: cloudDNS: %s: %s",
			    what, util_error());
			rc = -1;
			break;
		}
		if (!gcp_answer_ok(&resp, what, warn)) {
			rc = -1;
		} else {
			j = dnsapi_json(&resp);
			st = cJSON_GetObjectItemCaseSensitive(j, "status");
			if (cJSON_IsString(st) && strcmp(st->valuestring,
			    "done") == 0)
				rc = 0;
			else if (!cJSON_IsString(st) || strcmp(st->valuestring,
			    "pending") != 0)
				rc = -1;
			if (rc < 0)
				(warn ? log_warn : log_error)("dns-01: "
				    "cloudDNS: %s: neither pending nor done",
				    what);
			cJSON_Delete(j);
		}
		http_resp_free(&resp);
	}
	if (rc == 1)
		(warn ? log_warn : log_error)("dns-01: cloudDNS: change %s is "
		    "still pending after %d s", id, i);
	free(what);
	free(url);
	return rc == 0 ? 0 : -1;
}

/*
 * One try at adding values to the set at name: 1 if the set moved
 * meanwhile.  What the change added goes to added as soon as the change
 * is accepted.
 */
static int
present_once(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *base, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	struct strlist ours = { 0 };
	cJSON *cur, *add;
	char *id = NULL;
	size_t i;
	int rc;

	if (rrset_get(ctx, hdrs, base, name, &cur, false) < 0)
		return -1;
	add = rrset_new(name, cur, values, NULL, &ours);
	if (ours.n == 0) {
		log_info("dns-01: cloudDNS: %s has these TXT values already",
		    name);
		cJSON_Delete(add);
		rc = 0;
	} else if ((rc = change_post(ctx, hdrs, base, cur, add, name, false,
	    &id)) == 0) {
		for (i = 0; i < ours.n; i++)
			strlist_add(&added->values, ours.v[i]);
		rc = id == NULL ? -1 : change_wait(ctx, hdrs, base, id, false);
	}
	free(id);
	strlist_free(&ours);
	cJSON_Delete(cur);
	return rc;
}

static int
gcp_present(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	const char *project = config_dnsapi_str(&ctx->solver->api, "project");
	char *base;
	int i, rc = 1;

	if ((added->zone = zone_find(ctx, hdrs, project, zone)) == NULL)
		return -1;
	base = util_printf(GCP_DNS "/%s/managedZones/%s", project,
	    added->zone);
	for (i = 0; rc == 1 && i < GCP_TRIES; i++)
		rc = present_once(ctx, hdrs, base, name, values, added);
	if (rc == 1)
		log_error("dns-01: cloudDNS: the TXT records at %s kept changing "
		    "under acmec (%d tries): try again later", name, GCP_TRIES);
	free(base);
	return rc == 0 ? 0 : -1;
}

/* One try at taking our values out of the set: 1 if it moved meanwhile. */
static int
cleanup_once(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *base, const struct dnsapi_added *added)
{
	struct strlist gone = { 0 };
	cJSON *cur, *keep;
	char *id = NULL;
	int rc;

	if (rrset_get(ctx, hdrs, base, added->name, &cur, true) < 0)
		return -1;
	keep = rrset_new(added->name, cur, NULL, &added->values, &gone);
	if (cur == NULL || gone.n == 0) {
		cJSON_Delete(keep);
		rc = 0; /* gone already */
	} else if ((rc = change_post(ctx, hdrs, base, cur, keep, added->name,
	    true, &id)) == 0 && id != NULL) {
		/* Accepted: without an id to follow, taken as done (warned). */
		rc = change_wait(ctx, hdrs, base, id, true);
	}
	free(id);
	strlist_free(&gone);
	cJSON_Delete(cur);
	return rc;
}

static void
gcp_cleanup(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const struct dnsapi_added *added)
{
	const char *project = config_dnsapi_str(&ctx->solver->api, "project");
	char *base;
	int i, rc = 1;

	if (added->zone == NULL || added->values.n == 0)
		return;
	base = util_printf(GCP_DNS "/%s/managedZones/%s", project,
	    added->zone);
	for (i = 0; rc == 1 && i < GCP_TRIES; i++)
		rc = cleanup_once(ctx, hdrs, base, added);
	if (rc != 0)
		log_warn("dns-01: cloudDNS: the TXT values acmec added at %s "
		    "stay: remove them by hand", added->name);
	free(base);
}

/* hostedZoneName read (managedZones.get); its DNS name must hold name. */
static int
gcp_check_given(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *project, const char *given, const char *name)
{
	struct http_req req = { "GET", NULL, NULL, NULL, "application/json",
		hdrs };
	struct http_resp resp;
	const cJSON *dns;
	char *g = dnsapi_pct(given, ""), *url, *what;
	cJSON *j = NULL;
	size_t n, d;
	int rc = -1;

	url = util_printf(GCP_DNS "/%s/managedZones/%s", project, g);
	what = util_printf("reading the managed zone %s (hostedZoneName) of "
	    "project %s", log_esc(given), project);
	req.url = url;
	if (dnsapi_send(ctx, &req, &resp) < 0) {
		log_error("dns-01: cloudDNS: %s: %s", what, util_error());
		goto out;
	}
	if (gcp_answer_ok(&resp, what, false)) {
		j = dnsapi_json(&resp);
		dns = cJSON_GetObjectItemCaseSensitive(j, "dnsName");
		n = strlen(name);
		/* dnsName ends in a dot; name does not. */
		d = cJSON_IsString(dns) && dns->valuestring[0] != '\0' ?
		    strlen(dns->valuestring) - 1 : 0;
		if (d > 0 && (d == n || (n > d && name[n - d - 1] == '.')) &&
		    strncasecmp(name + n - d, dns->valuestring, d) == 0)
			rc = 0;
		else
			log_error("dns-01: cloudDNS: the managed zone %s "
			    "(hostedZoneName) serves %s, not %s: give the zone "
			    "that holds it", log_esc(given),
			    cJSON_IsString(dns) ? log_esc2(dns->valuestring) :
			    "no DNS name", name);
	}
	cJSON_Delete(j);
	http_resp_free(&resp);
out:
	free(what);
	free(url);
	free(g);
	return rc;
}

/*
 * The managed zone as present finds it (listed by DNS name, or
 * hostedZoneName read): the token is accepted in the project and sees
 * the zone.  Whether it may change records shows only in a change.
 */
static int
gcp_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name)
{
	const char *project = config_dnsapi_str(&ctx->solver->api, "project");
	const char *given = config_dnsapi_str(&ctx->solver->api,
	    "hostedZoneName");
	char *found = NULL;

	if (given != NULL) {
		if (gcp_check_given(ctx, hdrs, project, given, name) < 0)
			return -1;
	} else if ((found = zone_find(ctx, hdrs, project, zone)) == NULL) {
		return -1;
	}
	log_info("dns-01: cloudDNS: the credentials see the managed zone %s "
	    "of project %s", found ? found : given, project);
	free(found);
	return 0;
}

const struct dnsapi dnsapi_clouddns = {
	"cloudDNS", gcp_auth, gcp_present, gcp_answer_ok, NULL, gcp_cleanup,
	    gcp_check,
};
