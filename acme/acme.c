/* The ACME session: the one place that speaks RFC 8555 on the wire. */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/acme.h"

#define ERR_PREFIX "urn:ietf:params:acme:error:"

/*
 * The detail is raw text (it may quote the CA's URLs and headers);
 * acme_problem_report() escapes it.
 */
void
acme_problem_local(struct acme_problem *prob, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	acme_problem_free(prob);
	prob->detail = util_strdup(buf);
}

const char *
acme_problem_short(const struct acme_problem *prob)
{
	if (prob->type == NULL)
		return "";
	if (strncmp(prob->type, ERR_PREFIX, strlen(ERR_PREFIX)) == 0)
		return prob->type + strlen(ERR_PREFIX);
	return prob->type;
}

void
acme_problem_report(const struct acme_problem *prob, const char *what)
{
	char *ident;
	size_t i;

	/* A local detail may quote the CA too (its URLs): escaped as well. */
	if (prob->type == NULL) {
		log_error("%s: %s", what, prob->detail ?
		    log_esc(prob->detail) : "failed");
		return;
	}
	if (prob->status != 0)
		log_error("%s: the CA says %s (HTTP %d): %s", what,
		    log_esc(acme_problem_short(prob)), prob->status,
		    log_esc2(prob->detail ? prob->detail : ""));
	else
		log_error("%s: the CA says %s: %s", what,
		    log_esc(acme_problem_short(prob)),
		    log_esc2(prob->detail ? prob->detail : ""));
	for (i = 0; i < prob->nsub; i++) {
		/* Three strings, two escaping buffers: keep a copy of one. */
		ident = util_strdup(log_esc(prob->sub[i].ident ?
		    prob->sub[i].ident : "?"));
		log_error("  %s: %s: %s", ident, log_esc(prob->sub[i].type ?
		    prob->sub[i].type : ""), log_esc2(prob->sub[i].detail ?
		    prob->sub[i].detail : ""));
		free(ident);
	}
	if (prob->retry_after >= 0)
		log_error("  the CA asks to retry after %lld seconds",
		    prob->retry_after);
}

void
acme_problem_free(struct acme_problem *prob)
{
	size_t i;

	free(prob->type);
	free(prob->detail);
	for (i = 0; i < prob->nsub; i++) {
		free(prob->sub[i].type);
		free(prob->sub[i].detail);
		free(prob->sub[i].ident);
	}
	free(prob->sub);
	memset(prob, 0, sizeof(*prob));
	prob->retry_after = -1;
}

static const char *
jstr(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *
jdup(const cJSON *j, const char *name)
{
	return util_strdup(jstr(j, name));
}

/* Fill prob from a problem document (or whatever the server sent). */
static void
parse_problem(const struct http_resp *r, struct acme_problem *prob)
{
	acme_problem_parse(r->body.data, r->body.len, r->status,
	    r->retry_after, prob);
}

void
acme_problem_parse(const char *body, size_t len, long status,
    const char *retry_after, struct acme_problem *prob)
{
	const cJSON *subs, *s, *id;
	cJSON *j = NULL;
	size_t n = 0;

	acme_problem_free(prob);
	prob->status = (int)status;
	prob->retry_after = acme_retry_after(retry_after);
	if (body != NULL)
		j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j) || jstr(j, "type") == NULL) {
		prob->type = util_strdup("about:blank");
		prob->detail = util_printf("HTTP %ld without a problem "
		    "document", status);
		cJSON_Delete(j);
		return;
	}
	prob->type = jdup(j, "type");
	prob->detail = jdup(j, "detail");
	subs = cJSON_GetObjectItemCaseSensitive(j, "subproblems");
	if (cJSON_IsArray(subs)) {
		prob->sub = util_alloc((size_t)cJSON_GetArraySize(subs) *
		    sizeof(*prob->sub) + 1);
		cJSON_ArrayForEach(s, subs) {
			prob->sub[n].type = jdup(s, "type");
			prob->sub[n].detail = jdup(s, "detail");
			id = cJSON_GetObjectItemCaseSensitive(s, "identifier");
			prob->sub[n].ident = jdup(id, "value");
			n++;
		}
		prob->nsub = n;
	}
	cJSON_Delete(j);
}

long long
acme_retry_after(const char *v)
{
	static const char *const forms[] = { "%a, %d %b %Y %H:%M:%S GMT",
		"%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y" };
	struct tm tm;
	size_t i;
	char *end;
	long long secs;
	time_t when;

	if (v == NULL || *v == '\0')
		return -1;
	if (isdigit((unsigned char)*v)) {
		secs = strtoll(v, &end, 10);
		if (*end != '\0' || secs < 0)
			return -1;
		return secs > 86400 ? 86400 : secs;
	}
	/*
	 * An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, which senders must
	 * use, and the obsolete RFC 850 and asctime forms recipients must
	 * still read.
	 */
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(v, forms[i], &tm)) != NULL && *end == '\0')
			break;
	}
	if (i == sizeof(forms) / sizeof(forms[0]))
		return -1;
	when = timegm(&tm);
	secs = (long long)(when - time(NULL));
	if (secs < 0)
		secs = 0;
	return secs > 86400 ? 86400 : secs;
}

int
acme_parse_directory(const char *body, size_t len, struct acme_dir *d)
{
	const cJSON *meta, *eab, *profiles, *p;
	cJSON *j;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	j = cJSON_ParseWithLength(body, len);
	d->new_nonce = jdup(j, "newNonce");
	d->new_account = jdup(j, "newAccount");
	d->new_order = jdup(j, "newOrder");
	d->revoke_cert = jdup(j, "revokeCert");
	d->key_change = jdup(j, "keyChange");
	d->renewal_info = jdup(j, "renewalInfo");
	meta = cJSON_GetObjectItemCaseSensitive(j, "meta");
	d->tos = jdup(meta, "termsOfService");
	d->website = jdup(meta, "website");
	eab = cJSON_GetObjectItemCaseSensitive(meta,
	    "externalAccountRequired");
	d->eab_required = cJSON_IsTrue(eab);
	profiles = cJSON_GetObjectItemCaseSensitive(meta, "profiles");
	if (cJSON_IsObject(profiles))
		cJSON_ArrayForEach(p, profiles)
			if (p->string != NULL)
				strlist_add(&d->profiles, p->string);
	if (cJSON_IsObject(j) && d->new_nonce != NULL &&
	    d->new_account != NULL && d->new_order != NULL)
		rc = 0;
	cJSON_Delete(j);
	return rc;
}

void
acme_dir_free(struct acme_dir *d)
{
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->tos);
	free(d->website);
	strlist_free(&d->profiles);
	memset(d, 0, sizeof(*d));
}

void
acme_close(struct acme *a)
{
	http_free(a->http);
	free(a->server);
	acme_dir_free(&a->dir);
	acme_nonces_free(a);
	free(a->kid);
	free(a->cachedir);
	memset(a, 0, sizeof(*a));
}

/* An RFC 3339 time-offset ("Z", "+HH:MM", "-HH:MM") in seconds east. */
static int
time_offset(const char *s, long *secs)
{
	int h, m;

	if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
		*secs = 0;
		return 0;
	}
	if ((*s != '+' && *s != '-') || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || s[3] != ':' ||
	    !isdigit((unsigned char)s[4]) || !isdigit((unsigned char)s[5]) ||
	    s[6] != '\0')
		return -1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	if (h > 23 || m > 59)
		return -1;
	*secs = (h * 60L + m) * 60 * (*s == '-' ? -1 : 1);
	return 0;
}

time_t
acme_parse_time(const char *s)
{
	struct tm tm;
	char *end;
	long off;

	if (s == NULL)
		return (time_t)-1;
	memset(&tm, 0, sizeof(tm));
	/* "T" and "Z" may be lower case (RFC 3339 §5.6). */
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    (*end != 'T' && *end != 't') ||
	    (end = strptime(end + 1, "%H:%M:%S", &tm)) == NULL)
		return (time_t)-1;
	if (*end == '.') {
		if (!isdigit((unsigned char)end[1]))
			return (time_t)-1;
		while (isdigit((unsigned char)*++end))
			;
	}
	if (time_offset(end, &off) < 0)
		return (time_t)-1;
	return timegm(&tm) - (time_t)off;
}

int
acme_renewal_info(struct acme *a, const char *certid, time_t *start,
    time_t *end, long long *retry_after, struct acme_problem *prob)
{
	struct http_resp r;
	const cJSON *win;
	cJSON *j = NULL;
	char *url;
	int rc = -1;

	acme_problem_free(prob);
	url = util_printf("%s/%s", a->dir.renewal_info, certid);
	/* Unauthenticated GET (RFC 9773 §4.2). */
	if (http_request(a->http, "GET", url, NULL, NULL, "application/json",
	    &r) < 0) {
		acme_problem_local(prob, "renewal information: %s",
		    util_error());
		free(url);
		return -1;
	}
	acme_nonce_keep(a, &r);
	*retry_after = acme_retry_after(r.retry_after);
	if (r.status != 200) {
		parse_problem(&r, prob);
		goto out;
	}
	j = cJSON_ParseWithLength(r.body.data ? r.body.data : "", r.body.len);
	win = cJSON_GetObjectItemCaseSensitive(j, "suggestedWindow");
	*start = acme_parse_time(jstr(win, "start"));
	*end = acme_parse_time(jstr(win, "end"));
	if (*start == (time_t)-1 || *end == (time_t)-1 || *end < *start) {
		acme_problem_local(prob, "%s: the renewal information has no "
		    "valid suggestedWindow", url);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	http_resp_free(&r);
	free(url);
	return rc;
}

static const char *const status_names[] = {
	[ST_UNKNOWN] = "unknown", [ST_PENDING] = "pending",
	[ST_READY] = "ready", [ST_PROCESSING] = "processing",
	[ST_VALID] = "valid", [ST_INVALID] = "invalid",
	[ST_DEACTIVATED] = "deactivated", [ST_EXPIRED] = "expired",
	[ST_REVOKED] = "revoked",
};

const char *
acme_status_name(enum acme_status st)
{
	return status_names[st];
}

static enum acme_status
parse_status(const cJSON *j)
{
	const char *s = jstr(j, "status");
	size_t i;

	for (i = 1; s != NULL && i < sizeof(status_names) /
	    sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum acme_status)i;
	return ST_UNKNOWN;
}

/* An embedded problem object ("error" of an order or challenge). */
static struct acme_problem *
embedded_problem(const cJSON *j)
{
	struct http_resp r;
	struct acme_problem *p;
	char *text;

	if (!cJSON_IsObject(j))
		return NULL;
	memset(&r, 0, sizeof(r));
	text = cJSON_PrintUnformatted(j);
	if (text == NULL)
		return NULL;
	buf_addstr(&r.body, text);
	cJSON_free(text);
	p = util_alloc(sizeof(*p));
	p->retry_after = -1;
	parse_problem(&r, p);
	p->status = 0;
	buf_free(&r.body);
	return p;
}

int
acme_parse_order(const cJSON *j, struct acme_order *o,
    struct acme_problem *prob)
{
	const cJSON *az, *it;

	memset(o, 0, sizeof(*o));
	o->status = parse_status(j);
	o->finalize = jdup(j, "finalize");
	o->certificate = jdup(j, "certificate");
	o->error = embedded_problem(cJSON_GetObjectItemCaseSensitive(j,
	    "error"));
	az = cJSON_GetObjectItemCaseSensitive(j, "authorizations");
	cJSON_ArrayForEach(it, az) {
		if (!cJSON_IsString(it))
			goto bad;
		strlist_add(&o->authzs, it->valuestring);
	}
	if (o->status == ST_UNKNOWN || !cJSON_IsArray(az) ||
	    o->finalize == NULL)
		goto bad;
	return 0;
bad:
	acme_order_free(o);
	acme_problem_local(prob, "the CA sent a malformed order (status, "
	    "authorizations and finalize are required)");
	return -1;
}

int
acme_parse_challenge(const cJSON *j, struct acme_challenge *ch,
    struct acme_problem *prob)
{
	memset(ch, 0, sizeof(*ch));
	if (jstr(j, "type") == NULL || jstr(j, "url") == NULL) {
		acme_problem_local(prob, "the CA sent a malformed challenge "
		    "(type and url are required)");
		return -1;
	}
	ch->type = jdup(j, "type");
	ch->url = jdup(j, "url");
	ch->token = jdup(j, "token");
	ch->status = parse_status(j);
	ch->error = embedded_problem(cJSON_GetObjectItemCaseSensitive(j,
	    "error"));
	return 0;
}

int
acme_parse_authz(const cJSON *j, struct acme_authz *az,
    struct acme_problem *prob)
{
	const cJSON *id, *chs, *c;
	const char *type, *value;
	size_t n = 0;

	memset(az, 0, sizeof(*az));
	az->status = parse_status(j);
	az->wildcard = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j,
	    "wildcard"));
	id = cJSON_GetObjectItemCaseSensitive(j, "identifier");
	type = jstr(id, "type");
	value = jstr(id, "value");
	chs = cJSON_GetObjectItemCaseSensitive(j, "challenges");
	if (az->status == ST_UNKNOWN || type == NULL || value == NULL ||
	    !cJSON_IsArray(chs))
		goto bad;
	if (strcmp(type, "dns") == 0)
		az->id.type = IDENT_DNS;
	else if (strcmp(type, "ip") == 0)
		az->id.type = IDENT_IP;
	else
		goto bad;
	/* The authorization of "*.x" names "x" with wildcard: true. */
	az->id.value = az->wildcard ? util_printf("*.%s", value) :
	    util_strdup(value);
	az->ch = util_alloc(((size_t)cJSON_GetArraySize(chs) + 1) *
	    sizeof(*az->ch));
	cJSON_ArrayForEach(c, chs) {
		if (acme_parse_challenge(c, &az->ch[n], prob) < 0)
			goto bad;
		az->nch = ++n;
	}
	return 0;
bad:
	acme_authz_free(az);
	acme_problem_local(prob, "the CA sent a malformed authorization");
	return -1;
}

static void
problem_ptr_free(struct acme_problem *p)
{
	if (p != NULL) {
		acme_problem_free(p);
		free(p);
	}
}

void
acme_order_free(struct acme_order *o)
{
	free(o->url);
	strlist_free(&o->authzs);
	free(o->finalize);
	free(o->certificate);
	problem_ptr_free(o->error);
	memset(o, 0, sizeof(*o));
}

void
acme_challenge_free(struct acme_challenge *ch)
{
	free(ch->type);
	free(ch->url);
	free(ch->token);
	problem_ptr_free(ch->error);
	memset(ch, 0, sizeof(*ch));
}

void
acme_authz_free(struct acme_authz *az)
{
	size_t i;

	free(az->url);
	free(az->id.value);
	for (i = 0; i < az->nch; i++)
		acme_challenge_free(&az->ch[i]);
	free(az->ch);
	memset(az, 0, sizeof(*az));
}
