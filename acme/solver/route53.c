/*
 * dns-01 through Amazon Route 53 (cert-manager's dns01.route53), API
 * version 2013-04-01, signed with Signature Version 4 (aws.c).  As
 * cert-manager writes them, each value is a record set of its own at the
 * name: MultiValueAnswer, SetIdentifier the quoted value, TTL 10.  So
 * values of other orders (and of cert-manager itself) live beside ours,
 * and cleanup deletes exactly the sets this run created; a set that was
 * there already is not ours and stays.  A change is waited INSYNC only
 * when the solver skips the check of the name servers.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/log.h"
#include "acme/solver/aws.h"
#include "acme/solver/dnsapi.h"
#include "acme/xml.h"

#define R53_TTL 10
#define R53_BASE "/2013-04-01"
#define R53_WAIT_S 120 /* for a change to be INSYNC, as cert-manager */
#define R53_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static int
r53_auth(const struct dnsapi_ctx *ctx, struct strlist *hdrs)
{
	struct aws_cred c;

	if (aws_credentials(ctx, &c) < 0)
		return -1;
	aws_cred_to_list(&c, hdrs);
	return 0;
}

static bool
r53_answer_ok(const struct http_resp *resp, const char *what, bool warn)
{
	char *why;

	if (resp->status / 100 == 2)
		return true;
	why = aws_error(resp);
	(warn ? log_warn : log_error)("dns-01: route53: %s: %s", what, why);
	free(why);
	return false;
}

/* id without its prefix ("/hostedzone/", "/change/") if it is sane. */
static char *
r53_id(const char *id, const char *prefix)
{
	size_t n = strlen(prefix);

	if (id != NULL && strncmp(id, prefix, n) == 0)
		id += n;
	if (id == NULL || *id == '\0' || strlen(id) > 32 ||
	    strspn(id, R53_ID_CHARS) != strlen(id))
		return NULL;
	return util_strdup(id);
}

/* One request to Route 53; -1 (reported) if no answer came. */
static int
r53_send(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const char *method, const char *path, const char *query,
    const char *body, struct http_resp *resp)
{
	struct aws_where w;
	struct aws_call call = { "route53", NULL, method, NULL, path, query,
		body, body ? "text/xml" : NULL };

	aws_where(ctx, &w);
	call.host = w.route53;
	call.region = w.r53_region;
	if (aws_send(ctx, c, &call, resp) < 0) {
		log_error("dns-01: route53: %s", util_error());
		return -1;
	}
	return 0;
}

/* The public hosted zone named zone among ListHostedZonesByName's. */
static char *
r53_pick_zone(const struct xml_node *x, const char *zone)
{
	const struct xml_node *z = NULL;
	struct buf ids = { 0 };
	char *id = NULL, *name;
	size_t n = 0;

	while ((z = xml_child(xml_get(x, "HostedZones"), "HostedZone", z)) !=
	    NULL) {
		name = util_strdup(xml_text(z, "Name") ? xml_text(z, "Name") :
		    "");
		if (util_endswith(name, "."))
			name[strlen(name) - 1] = '\0';
		if (strcasecmp(name, zone) == 0 && !(xml_text(z,
		    "Config/PrivateZone") && strcmp(xml_text(z,
		    "Config/PrivateZone"), "true") == 0) && n++ < 8) {
			free(id);
			id = r53_id(xml_text(z, "Id"), "/hostedzone/");
			buf_addstr(&ids, n > 1 ? ", " : "");
			buf_addstr(&ids, id ? id : "?");
		}
		free(name);
	}
	if (n == 0 || id == NULL)
		log_error("dns-01: route53: no public hosted zone %s in this "
		    "account (or its id is not sane): give credentials of the "
		    "account that has it, or hostedZoneID", zone);
	else if (n > 1)
		log_error("dns-01: route53: %zu public hosted zones are named "
		    "%s (%.*s): give hostedZoneID, the one the domain is "
		    "delegated to", n, zone, (int)ids.len, ids.data);
	buf_free(&ids);
	if (n != 1) {
		free(id);
		return NULL;
	}
	return id;
}

/* The hosted zone's id: hostedZoneID, or looked up by name. */
static char *
r53_zone_id(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const char *zone)
{
	const char *given = config_dnsapi_str(&ctx->solver->api,
	    "hostedZoneID");
	struct http_resp resp;
	struct xml_node *x;
	char *q, *id = NULL;

	if (given != NULL) {
		if ((id = r53_id(given, "/hostedzone/")) == NULL)
			log_error("dns-01: route53: hostedZoneID '%s' is not a "
			    "Route 53 zone id", log_esc(given));
		return id;
	}
	q = util_printf("dnsname=%s&maxitems=100", zone);
	if (r53_send(ctx, c, "GET", R53_BASE "/hostedzonesbyname", q, NULL,
	    &resp) < 0) {
		free(q);
		return NULL;
	}
	free(q);
	if (r53_answer_ok(&resp, "finding the hosted zone", false)) {
		if ((x = xml_parse(resp.body.data ? resp.body.data : "",
		    resp.body.len)) == NULL)
			log_error("dns-01: route53: finding the hosted zone: "
			    "%s", util_error());
		else
			id = r53_pick_zone(x, zone);
		xml_free(x);
	}
	http_resp_free(&resp);
	return id;
}

static void
add_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_addstr(b, "&amp;");
		else if (*s == '<')
			buf_addstr(b, "&lt;");
		else if (*s == '>')
			buf_addstr(b, "&gt;");
		else
			buf_add(b, s, 1);
	}
}

/* The ChangeResourceRecordSets request: action for each value at name. */
static char *
r53_batch(const char *action, const char *name, const struct strlist *values)
{
	struct buf b = { 0 };
	char ttl[16];
	size_t i;

	snprintf(ttl, sizeof(ttl), "%d", R53_TTL);
	buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ChangeResourceRecordSetsRequest xmlns=\"https://route53."
	    "amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Comment>Managed by "
	    "acmec</Comment><Changes>");
	for (i = 0; i < values->n; i++) {
		buf_addstr(&b, "<Change><Action>");
		buf_addstr(&b, action);
		buf_addstr(&b, "</Action><ResourceRecordSet><Name>");
		add_escaped(&b, name);
		buf_addstr(&b, ".</Name><Type>TXT</Type><SetIdentifier>\"");
		add_escaped(&b, values->v[i]);
		buf_addstr(&b, "\"</SetIdentifier><MultiValueAnswer>true"
		    "</MultiValueAnswer><TTL>");
		buf_addstr(&b, ttl);
		buf_addstr(&b, "</TTL><ResourceRecords><ResourceRecord><Value>"
		    "\"");
		add_escaped(&b, values->v[i]);
		buf_addstr(&b, "\"</Value></ResourceRecord></ResourceRecords>"
		    "</ResourceRecordSet></Change>");
	}
	buf_addstr(&b, "</Changes></ChangeBatch>"
	    "</ChangeResourceRecordSetsRequest>");
	buf_add(&b, "", 1);
	return b.data;
}

/*
 * Apply action to the values at name in zone zid as one batch: 0 done
 * (the change's id to cid, if not NULL), 1 Route 53 refused the batch
 * (its words to *why), -1 any other failure (reported).
 */
static int
r53_change(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const char *zid, const char *action, const char *name,
    const struct strlist *values, char **cid, char **why)
{
	struct http_resp resp;
	struct xml_node *x;
	char *path = util_printf(R53_BASE "/hostedzone/%s/rrset/", zid);
	char *body = r53_batch(action, name, values);
	int rc = -1;

	*why = NULL;
	if (r53_send(ctx, c, "POST", path, NULL, body, &resp) < 0)
		goto out;
	if (resp.status == 400 && strstr(resp.body.data ? resp.body.data : "",
	    "InvalidChangeBatch") != NULL) {
		*why = aws_error(&resp);
		rc = 1;
	} else if (r53_answer_ok(&resp, strcmp(action, "CREATE") == 0 ?
	    "adding the TXT records" : "removing the TXT records",
	    strcmp(action, "DELETE") == 0)) {
		x = xml_parse(resp.body.data ? resp.body.data : "",
		    resp.body.len);
		if (cid != NULL && (*cid = r53_id(xml_text(x, "ChangeInfo/Id"),
		    "/change/")) == NULL)
			log_warn("dns-01: route53: the answer names no sane "
			    "change id; not waiting for it");
		xml_free(x);
		rc = 0;
	}
	http_resp_free(&resp);
out:
	free(body);
	free(path);
	return rc;
}

/* Wait until Route 53 says the change is INSYNC (warned if not). */
static void
r53_wait(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const char *cid)
{
	long long deadline = util_now_ms() + R53_WAIT_S * 1000LL, wait = 1000;
	struct http_resp resp;
	struct xml_node *x;
	const char *st = NULL;
	char *path = util_printf(R53_BASE "/change/%s", cid);
	bool insync = false;

	while (!insync && util_now_ms() < deadline && !util_interrupted()) {
		util_sleep_ms(wait);
		wait = wait < 4000 ? wait * 2 : 4000;
		if (r53_send(ctx, c, "GET", path, NULL, NULL, &resp) < 0)
			break;
		if (!r53_answer_ok(&resp, "the change's status", true)) {
			http_resp_free(&resp);
			break;
		}
		x = xml_parse(resp.body.data ? resp.body.data : "",
		    resp.body.len);
		st = xml_text(x, "ChangeInfo/Status");
		insync = st != NULL && strcmp(st, "INSYNC") == 0;
		xml_free(x);
		http_resp_free(&resp);
	}
	if (!insync)
		log_warn("dns-01: route53: the change %s is not INSYNC after "
		    "%d s; going on", cid, R53_WAIT_S);
	free(path);
}

/*
 * Create the value's set alone, after the batch was refused: 0 created
 * (its change id to cid), 1 it was there already (not ours), -1 failed.
 */
static int
r53_create_one(const struct dnsapi_ctx *ctx, const struct aws_cred *c,
    const char *zid, const char *name, const char *value, char **cid)
{
	struct strlist one = { 0 };
	char *why;
	int rc;

	strlist_add(&one, value);
	rc = r53_change(ctx, c, zid, "CREATE", name, &one, cid, &why);
	strlist_free(&one);
	if (rc == 1 && strstr(why, "already exists") != NULL) {
		log_info("dns-01: route53: %s already has this TXT value", name);
	} else if (rc == 1) {
		log_error("dns-01: route53: adding the TXT record: %s%s", why,
		    strstr(why, "non-multivalue") || strstr(why,
		    "cannot be created") ? " (a TXT record at this name that "
		    "is not a multivalue answer record is in the way: remove "
		    "it)" : "");
		rc = -1;
	}
	free(why);
	return rc;
}

static int
r53_present(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name, const struct strlist *values,
    struct dnsapi_added *added)
{
	struct aws_cred c;
	struct strlist cids = { 0 };
	char *zid, *cid = NULL, *why;
	size_t i;
	int rc;

	aws_cred_from_list(hdrs, &c);
	if ((zid = r53_zone_id(ctx, &c, zone)) == NULL)
		return -1;
	added->zone = util_strdup(zid);
	rc = r53_change(ctx, &c, zid, "CREATE", name, values, &cid, &why);
	free(why);
	if (rc == 0) {
		for (i = 0; i < values->n; i++)
			strlist_add(&added->values, values->v[i]);
		if (cid != NULL)
			strlist_add(&cids, cid);
		free(cid);
	}
	/* Refused whole: one at a time, to learn which were there. */
	for (i = 0; rc == 1 && i < values->n; i++) {
		cid = NULL;
		rc = r53_create_one(ctx, &c, zid, name, values->v[i], &cid);
		if (rc == 0)
			strlist_add(&added->values, values->v[i]);
		if (cid != NULL)
			strlist_add(&cids, cid);
		free(cid);
		rc = rc < 0 ? -1 : 1;
	}
	/*
	 * Without acmec's own check of the name servers (which proves the
	 * same for every record at once), Route 53's INSYNC is the proof.
	 */
	for (i = 0; rc >= 0 && !ctx->solver->propagation_check &&
	    i < cids.n; i++)
		r53_wait(ctx, &c, cids.v[i]);
	strlist_free(&cids);
	free(zid);
	return rc < 0 ? -1 : 0;
}

static void
r53_cleanup(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const struct dnsapi_added *added)
{
	struct aws_cred c;
	struct strlist one = { 0 };
	char *why;
	size_t i;
	int rc;

	aws_cred_from_list(hdrs, &c);
	if (added->values.n == 0)
		return;
	rc = r53_change(ctx, &c, added->zone, "DELETE", added->name,
	    &added->values, NULL, &why);
	free(why);
	/* Refused whole (one was gone already): one at a time. */
	for (i = 0; rc == 1 && i < added->values.n; i++) {
		strlist_add(&one, added->values.v[i]);
		if (r53_change(ctx, &c, added->zone, "DELETE", added->name,
		    &one, NULL, &why) == 1 && strstr(why, "not found") == NULL)
			log_warn("dns-01: route53: removing a TXT record at %s: "
			    "%s", added->name, why);
		free(why);
		strlist_free(&one);
	}
	if (rc < 0)
		log_warn("dns-01: route53: the TXT records at %s stay: remove "
		    "them by hand", added->name);
}

/*
 * The hosted zone as present finds it, then one record of it read
 * (ListResourceRecordSets, which cert-manager's IAM policy grants beside
 * ChangeResourceRecordSets on every hosted zone): the credentials are valid
 * and reach that zone.  Whether they may change it shows only in a write.
 */
static int
r53_check(const struct dnsapi_ctx *ctx, const struct strlist *hdrs,
    const char *zone, const char *name)
{
	struct aws_cred c;
	struct http_resp resp;
	char *zid, *path, *what;
	int rc = -1;

	(void)name;
	aws_cred_from_list(hdrs, &c);
	if ((zid = r53_zone_id(ctx, &c, zone)) == NULL)
		return -1;
	path = util_printf(R53_BASE "/hostedzone/%s/rrset", zid);
	what = util_printf("reading the records of hosted zone %s (%s)", zid,
	    zone);
	if (r53_send(ctx, &c, "GET", path, "maxitems=1", NULL, &resp) == 0) {
		if (r53_answer_ok(&resp, what, false)) {
			log_info("dns-01: route53: the credentials read the "
			    "hosted zone %s (%s)", zid, zone);
			rc = 0;
		}
		http_resp_free(&resp);
	}
	free(what);
	free(path);
	free(zid);
	return rc;
}

const struct dnsapi dnsapi_route53 = {
	"route53", r53_auth, r53_present, r53_answer_ok, NULL, r53_cleanup,
	    r53_check,
};
