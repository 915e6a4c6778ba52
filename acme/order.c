/* The order flow of RFC 8555 §7.4, all authorizations at once. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "acme/log.h"
#include "acme/order.h"
#include "acme/solver.h"
#include "crypto/b64.h"
#include "crypto/csr.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "jws/keyauth.h"

#define POLL_FIRST_MS 50
#define POLL_MAX_MS 5000
/* A Retry-After is a floor for the next poll, up to this. */
#define POLL_RETRY_CAP_S 60
/* How long authorizations and the order may take (ACMEC_ORDER_TIMEOUT). */
#define DEADLINE_S 300
/*
 * A challenge the CA leaves pending with an error (step-ca after a failed
 * connection) is POSTed again after this, doubling up to the maximum.
 */
#define RETRIGGER_FIRST_MS 1000
#define RETRIGGER_MAX_MS 30000
/* Order polls before the authorizations are looked at; then after 2x, 4x.. */
#define POLLS_BEFORE_AUTHZ 4

/*
 * Backoff between polls: short first wait, doubling, Retry-After as floor;
 * wake (absolute ms, 0 if none) cuts a wait short.
 */
struct backoff {
	long long deadline, wait, wake;
};

static void
backoff_init(struct backoff *b)
{
	const char *v = getenv("ACMEC_ORDER_TIMEOUT");
	long long s = v ? strtoll(v, NULL, 10) : 0;

	b->deadline = util_now_ms() + (s > 0 ? s : DEADLINE_S) * 1000;
	b->wait = POLL_FIRST_MS;
	b->wake = 0;
}

/* Sleep before the next poll; false if the deadline passed or a signal came. */
static bool
backoff_wait(struct backoff *b, long long retry_after_s)
{
	long long ms = b->wait, now = util_now_ms();

	if (b->wake > 0 && b->wake - now < ms)
		ms = b->wake > now ? b->wake - now : 0;
	if (retry_after_s > POLL_RETRY_CAP_S) {
		log_debug("the CA asks to wait %lld s; waiting %d s", retry_after_s,
		    POLL_RETRY_CAP_S);
		retry_after_s = POLL_RETRY_CAP_S;
	}
	if (retry_after_s > 0 && retry_after_s * 1000 > ms)
		ms = retry_after_s * 1000;
	if (now + ms > b->deadline || util_interrupted())
		return false;
	util_sleep_ms(ms);
	b->wait = b->wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : b->wait * 2;
	return !util_interrupted();
}

void
order_identifiers(const struct cfg_cert *c, struct ident_list *ids)
{
	char buf[64];
	size_t i;

	memset(ids, 0, sizeof(*ids));
	for (i = 0; i < c->dns_names.n; i++)
		ident_list_add(ids, IDENT_DNS, c->dns_names.v[i]);
	for (i = 0; i < c->ip_addresses.n; i++)
		ident_list_add(ids, IDENT_IP, c->ip_addresses.v[i]);
	if (c->common_name == NULL)
		return;
	if (ident_ip_canonical(c->common_name, buf, sizeof(buf)) == 0) {
		if (!ident_list_has(ids, IDENT_IP, buf))
			ident_list_add(ids, IDENT_IP, buf);
	} else if (!ident_list_has(ids, IDENT_DNS, c->common_name)) {
		ident_list_add(ids, IDENT_DNS, c->common_name);
	}
}

static char *
new_order_payload(const struct cfg_cert *c, const struct ident_list *ids,
    const char *replaces)
{
	cJSON *p = cJSON_CreateObject(), *arr, *id;
	char when[32], *text;
	struct tm tm;
	time_t t;
	size_t i;

	arr = cJSON_AddArrayToObject(p, "identifiers");
	for (i = 0; i < ids->n; i++) {
		id = cJSON_CreateObject();
		cJSON_AddStringToObject(id, "type",
		    ids->v[i].type == IDENT_IP ? "ip" : "dns");
		cJSON_AddStringToObject(id, "value", ids->v[i].value);
		cJSON_AddItemToArray(arr, id);
	}
	if (c->issuer->enable_duration && c->duration > 0) {
		t = time(NULL) + (time_t)c->duration;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddStringToObject(p, "notAfter", when);
	}
	if (c->issuer->profile != NULL)
		cJSON_AddStringToObject(p, "profile", c->issuer->profile);
	if (replaces != NULL)
		cJSON_AddStringToObject(p, "replaces", replaces);
	text = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return text;
}

/*
 * POST-as-GET url (what names it in messages) and hand its JSON to parse;
 * *retry_after from the answer.  The order and authorization fetches
 * differ only in the parser.
 */
static int
fetch(struct acme *a, const char *url, const char *what,
    int (*parse)(const cJSON *, void *, struct acme_problem *), void *out,
    long long *retry_after)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	cJSON *j = NULL;
	int rc = -1;

	if (acme_post_json(a, url, NULL, &r, &j, &prob) < 0) {
		acme_problem_report(&prob, what);
		goto out;
	}
	*retry_after = acme_retry_after(r.retry_after);
	http_resp_free(&r);
	if (parse(j, out, &prob) < 0) {
		acme_problem_report(&prob, log_esc(url));
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	acme_problem_free(&prob);
	return rc;
}

static int
parse_order(const cJSON *j, void *o, struct acme_problem *prob)
{
	return acme_parse_order(j, o, prob);
}

static int
parse_authz(const cJSON *j, void *az, struct acme_problem *prob)
{
	return acme_parse_authz(j, az, prob);
}

/* POST-as-GET the order. */
static int
fetch_order(struct acme *a, const char *url, struct acme_order *o,
    long long *retry_after)
{
	return fetch(a, url, "polling the order", parse_order, o, retry_after);
}

/* POST-as-GET an authorization. */
static int
fetch_authz(struct acme *a, const char *url, struct acme_authz *az,
    long long *retry_after)
{
	if (fetch(a, url, "fetching an authorization", parse_authz, az,
	    retry_after) < 0)
		return -1;
	az->url = util_strdup(url);
	return 0;
}

/* Record what is known of an authorization (ch may be NULL). */
static void
trace_authz(struct cert_status *t, const struct acme_authz *az,
    const struct acme_challenge *ch)
{
	struct status_authz *e = NULL;
	size_t i;

	for (i = 0; i < t->nauthz; i++)
		if (strcmp(t->authz[i].ident, az->id.value) == 0)
			e = &t->authz[i];
	if (e == NULL) {
		t->authz = util_realloc(t->authz, t->nauthz + 1,
		    sizeof(*t->authz));
		e = &t->authz[t->nauthz++];
		memset(e, 0, sizeof(*e));
		e->ident = util_strdup(az->id.value);
	}
	free(e->status);
	e->status = util_strdup(acme_status_name(az->status));
	if (ch == NULL)
		return;
	free(e->type);
	free(e->ch_status);
	free(e->error_type);
	free(e->error_detail);
	e->type = util_strdup(ch->type);
	e->ch_status = util_strdup(acme_status_name(ch->status));
	e->error_type = ch->error ? util_strdup(acme_problem_short(ch->error)) :
	    NULL;
	e->error_detail = ch->error ? util_strdup(ch->error->detail) : NULL;
}

static void
trace_order(struct cert_status *t, enum acme_status st)
{
	free(t->order_status);
	t->order_status = util_strdup(acme_status_name(st));
}

/* The challenge of az of the given type, or NULL. */
static const struct acme_challenge *
challenge_of(const struct acme_authz *az, const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < az->nch; i++)
		if (strcmp(az->ch[i].type, type) == 0)
			return &az->ch[i];
	return NULL;
}

/* A hint for the common causes of a failed challenge. */
static void
hint(const struct acme_authz *az, const struct acme_challenge *ch)
{
	char *h = solver_hint(ch->type, acme_problem_short(ch->error),
	    az->id.value);

	if (h != NULL)
		log_error("  hint: %s", h);
	free(h);
}

/* An authorization the order says is now valid, with its challenge. */
static void
trace_valid(struct cert_status *t, const struct acme_authz *az)
{
	size_t i;

	for (i = 0; i < t->nauthz; i++) {
		if (strcmp(t->authz[i].ident, az->id.value) != 0)
			continue;
		free(t->authz[i].status);
		t->authz[i].status = util_strdup("valid");
		if (t->authz[i].ch_status != NULL) {
			free(t->authz[i].ch_status);
			t->authz[i].ch_status = util_strdup("valid");
		}
	}
}

/* Report a challenge's error, or its state, with the CA's words. */
static void
report_challenge(const struct acme_authz *az, const struct acme_challenge *ch)
{
	char *what;

	if (ch->status == ST_INVALID)
		what = util_printf("%s: %s challenge failed",
		    log_esc(az->id.value), log_esc2(ch->type));
	else
		what = util_printf("%s: %s challenge is %s",
		    log_esc(az->id.value), log_esc2(ch->type),
		    acme_status_name(ch->status));
	if (ch->error != NULL) {
		acme_problem_report(ch->error, what);
		hint(az, ch);
	} else {
		log_error("%s, without an error from the CA", what);
	}
	free(what);
}

/* Report why an authorization failed (or is stuck), with the CA's words. */
static void
report_authz(const struct acme_authz *az, const char *type)
{
	size_t i;
	bool said = false;

	for (i = 0; i < az->nch; i++) {
		if (az->ch[i].error == NULL ||
		    (type && strcmp(az->ch[i].type, type) != 0))
			continue;
		report_challenge(az, &az->ch[i]);
		said = true;
	}
	if (!said)
		log_error("%s: the authorization is %s", log_esc(az->id.value),
		    acme_status_name(az->status));
}

/* What an order keeps per authorization while it runs. */
struct task {
	struct acme_authz az;
	const struct acme_challenge *ch; /* the one answered */
	long long retrigger_at;          /* ms; 0: no new POST planned */
	long long retrigger_wait;        /* ms; the last wait planned */
	bool done;
};

/*
 * An authorization must be for an identifier of the order: DNS names in
 * any case, a wildcard name's as its base name with "wildcard": true (RFC
 * 8555 §7.1.4), never "*." without it.  The CA's value is then replaced by
 * the order's, so nothing else of the CA's reaches a solver or a hook.
 */
static int
check_ident(const struct cfg_cert *c, const struct ident_list *ids,
    struct acme_authz *az)
{
	const char *v = az->id.value;
	char ip[64];
	size_t i;

	if (az->id.type == IDENT_IP &&
	    ident_ip_canonical(v, ip, sizeof(ip)) == 0)
		v = ip;
	for (i = 0; i < ids->n; i++) {
		if (ids->v[i].type != az->id.type ||
		    strcasecmp(ids->v[i].value, v) != 0)
			continue;
		if (!az->wildcard && strncmp(v, "*.", 2) == 0)
			break;
		free(az->id.value);
		az->id.value = util_strdup(ids->v[i].value);
		return 0;
	}
	log_error("%s: the CA's authorization is for %s %s, which the order "
	    "does not ask for; refusing it", c->name,
	    az->id.type == IDENT_IP ? "ip" : "dns", log_esc(az->id.value));
	return -1;
}

/* Fetch an authorization again, naming it as it was named first. */
static int
refetch(struct acme *a, const char *url, const struct task *t,
    struct acme_authz *az)
{
	long long ra;

	if (fetch_authz(a, url, az, &ra) < 0)
		return -1;
	free(az->id.value);
	az->id.value = util_strdup(t->az.id.value);
	return 0;
}

/*
 * Fetch one authorization and, unless it is valid already, present the
 * challenge of the solver chosen for it.
 */
static int
prepare(struct acme *a, const struct cfg_cert *c, const struct ident_list *ids,
    const char *url, struct solver_set *set, struct task *t,
    struct cert_status *trace)
{
	const struct cfg_solver *s;
	const char *why, *type;
	char *keyauth;
	long long ra;
	int rc;

	if (fetch_authz(a, url, &t->az, &ra) < 0 ||
	    check_ident(c, ids, &t->az) < 0)
		return -1;
	trace_authz(trace, &t->az, NULL);
	if (t->az.status == ST_VALID) {
		log_debug("%s: already authorized", log_esc(t->az.id.value));
		t->done = true;
		return 0;
	}
	if (t->az.status != ST_PENDING) {
		report_authz(&t->az, NULL);
		return -1;
	}
	if ((s = solver_select(c->issuer, c, &t->az.id, &why)) == NULL) {
		log_error("%s: no solver of issuer '%s' can validate it: %s",
		    log_esc(t->az.id.value), c->issuer->name, why);
		return -1;
	}
	type = solver_challenge_type(s);
	t->ch = challenge_of(&t->az, type);
	if (t->ch != NULL)
		trace_authz(trace, &t->az, t->ch);
	if (t->ch == NULL || t->ch->token == NULL) {
		log_error("%s: the CA offers no %s challenge",
		    log_esc(t->az.id.value), type);
		return -1;
	}
	if ((keyauth = keyauth_make(t->ch->token, a->key)) == NULL) {
		log_error("%s: %s", log_esc(t->az.id.value), crypto_error());
		return -1;
	}
	rc = solver_present(set, s, &t->az.id, t->ch->token, keyauth);
	free(keyauth);
	return rc;
}

/*
 * Act on a challenge's state, from the answer to its POST or from its
 * authorization: invalid ends the order (-1, reported) even while the
 * authorization stays pending, as step-ca leaves it; pending or processing
 * with an error is POSTed again later, with backoff, as step-ca expects
 * after a failed connection.
 */
static int
challenge_seen(struct task *t, const struct acme_challenge *ch)
{
	char *what;

	if (ch->status == ST_INVALID) {
		report_challenge(&t->az, ch);
		return -1;
	}
	if ((ch->status != ST_PENDING && ch->status != ST_PROCESSING) ||
	    ch->error == NULL || t->retrigger_at != 0)
		return 0;
	t->retrigger_wait = t->retrigger_wait == 0 ? RETRIGGER_FIRST_MS :
	    t->retrigger_wait * 2;
	if (t->retrigger_wait > RETRIGGER_MAX_MS)
		t->retrigger_wait = RETRIGGER_MAX_MS;
	t->retrigger_at = util_now_ms() + t->retrigger_wait;
	what = util_printf("%s: %s challenge is %s", log_esc(t->az.id.value),
	    log_esc2(t->ch->type), acme_status_name(ch->status));
	log_info("%s: the CA says %s: %s; starting it again in %lld s", what,
	    log_esc(acme_problem_short(ch->error)),
	    log_esc2(ch->error->detail ? ch->error->detail : ""),
	    (t->retrigger_wait + 999) / 1000);
	free(what);
	return 0;
}

/*
 * POST the challenge: the CA may validate now.  The answer is the challenge
 * (RFC 8555 §7.5.1); a CA that validates inside the POST (step-ca) says
 * there how it went.  An answer that is no challenge is left to the polls.
 */
static int
trigger(struct acme *a, struct task *t, struct cert_status *trace)
{
	struct acme_problem prob = { 0 };
	struct acme_challenge ch = { 0 };
	struct http_resp r;
	cJSON *j = NULL;
	char *what;
	int rc = -1;

	t->retrigger_at = 0;
	if (acme_post(a, t->ch->url, "{}", NULL, &r, &prob) < 0) {
		what = util_printf("%s: starting the %s challenge",
		    log_esc(t->az.id.value), log_esc2(t->ch->type));
		acme_problem_report(&prob, what);
		free(what);
		goto out;
	}
	if (r.content_type != NULL &&
	    strcmp(r.content_type, "application/json") == 0)
		j = cJSON_ParseWithLength(r.body.data ? r.body.data : "",
		    r.body.len);
	http_resp_free(&r);
	rc = 0;
	if (!cJSON_IsObject(j) || acme_parse_challenge(j, &ch, &prob) < 0) {
		log_debug("%s: the answer to the challenge POST is no "
		    "challenge", log_esc(t->az.id.value));
		goto out;
	}
	trace_authz(trace, &t->az, &ch);
	rc = challenge_seen(t, &ch);
out:
	acme_challenge_free(&ch);
	cJSON_Delete(j);
	acme_problem_free(&prob);
	return rc;
}

/*
 * POST again every challenge whose time has come, then set bo to wake for
 * the next one.
 */
static int
retrigger_due(struct acme *a, const struct acme_order *o, struct task *t,
    struct cert_status *trace, struct backoff *bo)
{
	size_t i;

	bo->wake = 0;
	for (i = 0; i < o->authzs.n; i++) {
		if (t[i].done || t[i].retrigger_at == 0)
			continue;
		if (t[i].retrigger_at <= util_now_ms()) {
			if (trigger(a, &t[i], trace) < 0)
				return -1;
			/* A validation starts again: poll soon. */
			bo->wait = POLL_FIRST_MS;
		}
		if (t[i].retrigger_at != 0 &&
		    (bo->wake == 0 || t[i].retrigger_at < bo->wake))
			bo->wake = t[i].retrigger_at;
	}
	return 0;
}

/*
 * Fetch the authorizations still open and act on what they say: valid is
 * done; invalid, or a challenge invalid, ends the order; a challenge pending
 * with an error is POSTed again later.
 */
static int
check_authzs(struct acme *a, const struct acme_order *o, struct task *t,
    struct cert_status *trace)
{
	const struct acme_challenge *ch;
	struct acme_authz az;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < o->authzs.n; i++) {
		if (t[i].done)
			continue;
		if (refetch(a, o->authzs.v[i], &t[i], &az) < 0)
			return -1;
		ch = challenge_of(&az, t[i].ch->type);
		trace_authz(trace, &az, ch);
		if (az.status == ST_VALID) {
			t[i].done = true;
		} else if (az.status != ST_PENDING) {
			report_authz(&az, t[i].ch->type);
			rc = -1;
		} else if (ch != NULL) {
			rc = challenge_seen(&t[i], ch);
		}
		acme_authz_free(&az);
	}
	return rc;
}

/*
 * Fetch the authorizations still open and report what the CA says of them:
 * of those that failed, and with all, of those still pending too.
 */
static int
report_open(struct acme *a, const struct acme_order *o, const struct task *t,
    struct cert_status *trace, bool all)
{
	struct acme_authz az;
	size_t i;

	for (i = 0; i < o->authzs.n; i++) {
		if (t[i].done)
			continue;
		if (refetch(a, o->authzs.v[i], &t[i], &az) < 0)
			return -1;
		trace_authz(trace, &az, challenge_of(&az, t[i].ch->type));
		if (az.status == ST_INVALID)
			trace_order(trace, ST_INVALID);
		if (az.status != ST_VALID &&
		    (all || az.status != ST_PENDING))
			report_authz(&az, t[i].ch->type);
		acme_authz_free(&az);
	}
	return 0;
}

/*
 * Poll the order, one request for all names: it stays pending while any
 * authorization is, turns ready when all are valid, invalid when one
 * failed.  Past a few polls the authorizations are looked at too, for a CA
 * that leaves the order pending when a validation failed (step-ca).
 */
static int
await_authzs(struct acme *a, const struct cfg_cert *c,
    const struct acme_order *o, const char *order_url, struct task *t,
    struct cert_status *trace)
{
	struct acme_order now;
	struct backoff bo;
	enum acme_status st;
	long long retry = -1;
	unsigned polls = 0, look = POLLS_BEFORE_AUTHZ;
	size_t i, n;

	backoff_init(&bo);
	for (;;) {
		if (retrigger_due(a, o, t, trace, &bo) < 0)
			return -1;
		if (!backoff_wait(&bo, retry))
			break;
		if (fetch_order(a, order_url, &now, &retry) < 0)
			return -1;
		st = now.status;
		acme_order_free(&now);
		if (st == ST_READY || st == ST_PROCESSING || st == ST_VALID) {
			for (i = 0; i < o->authzs.n; i++)
				if (!t[i].done)
					trace_valid(trace, &t[i].az);
			return 0;
		}
		if (st != ST_PENDING) {
			if (report_open(a, o, t, trace, false) == 0)
				log_error("%s: the order is %s", c->name,
				    acme_status_name(st));
			return -1;
		}
		if (++polls == look) {
			look *= 2;
			if (check_authzs(a, o, t, trace) < 0)
				return -1;
		}
	}
	for (i = n = 0; i < o->authzs.n; i++)
		n += !t[i].done;
	log_error("%s: %zu authorization%s still pending %s", c->name, n,
	    n == 1 ? "" : "s", util_interrupted() ? "when interrupted" :
	    "after the deadline");
	if (!util_interrupted())
		report_open(a, o, t, trace, true);
	return -1;
}

/*
 * Authorize every identifier of the order: present all challenges, trigger
 * all, poll all.  Returns 0 when every authorization is valid.
 */
static int
authorize(struct acme *a, const struct cfg_cert *c,
    const struct ident_list *ids, const struct acme_order *o,
    const char *order_url, const char *secretsdir, struct cert_status *trace)
{
	struct solver_set set = { 0 };
	struct task *t;
	size_t i, pending = 0;
	int rc = -1;

	set.secretsdir = secretsdir;
	t = util_alloc((o->authzs.n + 1) * sizeof(*t));
	for (i = 0; i < o->authzs.n; i++) {
		if (prepare(a, c, ids, o->authzs.v[i], &set, &t[i],
		    trace) < 0)
			goto out;
		pending += !t[i].done;
	}
	if (pending == 0) {
		rc = 0;
		goto out;
	}
	/* DNS records in place and visible before the CA is asked. */
	if (solver_commit(&set) < 0)
		goto out;
	log_info("%s: validating %zu name%s", c->name, pending,
	    pending == 1 ? "" : "s");
	/* Everything is in place: now tell the CA to look. */
	for (i = 0; i < o->authzs.n; i++)
		if (!t[i].done && trigger(a, &t[i], trace) < 0)
			goto out;
	rc = await_authzs(a, c, o, order_url, t, trace);
out:
	solver_cleanup(&set);
	for (i = 0; i < o->authzs.n; i++)
		acme_authz_free(&t[i].az);
	free(t);
	return rc;
}

/* POST-as-GET the order until it leaves "processing". */
static int
poll_order(struct acme *a, const char *url, struct acme_order *o,
    long long retry)
{
	struct backoff bo;

	backoff_init(&bo);
	while (o->status == ST_PROCESSING || o->status == ST_READY ||
	    o->status == ST_PENDING) {
		if (!backoff_wait(&bo, retry)) {
			log_error("the order is still %s %s",
			    acme_status_name(o->status), util_interrupted() ?
			    "when interrupted" : "after the deadline");
			return -1;
		}
		acme_order_free(o);
		if (fetch_order(a, url, o, &retry) < 0)
			return -1;
	}
	return 0;
}

static int
finalize(struct acme *a, const struct cfg_cert *c, const struct key *certkey,
    const struct ident_list *ids, const char *url, struct acme_order *o)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	unsigned char *der = NULL;
	size_t derlen = 0;
	char *csr64 = NULL, *payload = NULL;
	cJSON *p, *j = NULL;
	long long retry;
	int rc = -1;

	if (csr_create(certkey, c->common_name, ids, &der, &derlen) < 0 ||
	    (csr64 = b64_url_encode(der, derlen)) == NULL) {
		log_error("%s: cannot build the certificate request: %s",
		    c->name, crypto_error());
		goto out;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "csr", csr64);
	payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	if (acme_post_json(a, o->finalize, payload, &r, &j, &prob) < 0) {
		acme_problem_report(&prob, "finalizing the order");
		goto out;
	}
	retry = acme_retry_after(r.retry_after);
	http_resp_free(&r);
	acme_order_free(o);
	if (acme_parse_order(j, o, &prob) < 0) {
		acme_problem_report(&prob, "finalizing the order");
		goto out;
	}
	if (poll_order(a, url, o, retry) < 0)
		goto out;
	if (o->status != ST_VALID || o->certificate == NULL) {
		if (o->error != NULL)
			acme_problem_report(o->error, "the order failed");
		else
			log_error("the order ended %s without a certificate",
			    acme_status_name(o->status));
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	cJSON_free(payload);
	free(csr64);
	free(der);
	acme_problem_free(&prob);
	return rc;
}

/*
 * Download a chain and parse it; only CERTIFICATE blocks are accepted, and
 * *pem is the chain encoded anew: nothing the CA wrote around the blocks.
 */
static int
download(struct acme *a, const char *url, char **pem, size_t *len,
    struct cert_chain *chain, struct strlist *alternates)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;

	*pem = NULL;
	if (acme_post(a, url, NULL, "application/pem-certificate-chain", &r,
	    &prob) < 0) {
		acme_problem_report(&prob, "downloading the certificate");
		acme_problem_free(&prob);
		return -1;
	}
	if (r.content_type == NULL ||
	    strcmp(r.content_type, "application/pem-certificate-chain") != 0) {
		log_error("%s: the certificate came as %s, not "
		    "application/pem-certificate-chain; refusing it",
		    log_esc(url), r.content_type ? log_esc2(r.content_type) :
		    "no Content-Type");
		http_resp_free(&r);
		return -1;
	}
	if (cert_chain_parse(r.body.data ? r.body.data : "", r.body.len,
	    chain) < 0) {
		/* The error may quote the CA's PEM (a block's type). */
		log_error("%s: refusing the certificate chain: %s",
		    log_esc(url), log_esc2(crypto_error()));
		http_resp_free(&r);
		return -1;
	}
	if (cert_chain_to_pem(chain, pem, len) < 0) {
		log_error("%s: %s", log_esc(url), crypto_error());
		cert_chain_free(chain);
		http_resp_free(&r);
		return -1;
	}
	if (alternates != NULL) {
		*alternates = r.links_alternate;
		memset(&r.links_alternate, 0, sizeof(r.links_alternate));
	}
	http_resp_free(&r);
	return 0;
}

/* True if the top certificate of chain was issued by an issuer named cn. */
static bool
chain_matches(const struct cert_chain *chain, const char *cn)
{
	char *issuer = cert_issuer_cn(chain->v[chain->n - 1]);
	bool m = issuer != NULL && strcmp(issuer, cn) == 0;

	free(issuer);
	return m;
}

/* The leaf must be for our key and exactly our names. */
static int
check_leaf(const struct cfg_cert *c, const struct key *certkey,
    const struct ident_list *ids, const struct cert_chain *chain)
{
	struct ident_list sans = { 0 };
	size_t i;
	int rc = -1;

	if (!cert_matches_key(chain->v[0], certkey)) {
		log_error("%s: the CA's certificate is not for our key; "
		    "refusing it", c->name);
		return -1;
	}
	if (cert_sans(chain->v[0], &sans) < 0) {
		log_error("%s: the CA's certificate: %s", c->name,
		    crypto_error());
		return -1;
	}
	for (i = 0; i < ids->n; i++)
		if (!ident_list_has(&sans, ids->v[i].type, ids->v[i].value)) {
			log_error("%s: the CA's certificate does not name %s; "
			    "refusing it", c->name, ids->v[i].value);
			goto out;
		}
	for (i = 0; i < sans.n; i++)
		if (!ident_list_has(ids, sans.v[i].type, sans.v[i].value)) {
			log_error("%s: the CA's certificate names %s, which "
			    "was not asked for; refusing it", c->name,
			    log_esc(sans.v[i].value));
			goto out;
		}
	rc = 0;
out:
	ident_list_free(&sans);
	return rc;
}

/*
 * Create the order for ids; o gets it, res and trace its URL.  Errors
 * reported.
 */
static int
create_order(struct acme *a, const struct cfg_cert *c,
    const struct ident_list *ids, const char *replaces,
    struct cert_status *trace, struct acme_order *o,
    struct order_result *res)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	char *payload;
	cJSON *j = NULL;
	int rc = -1;

	payload = new_order_payload(c, ids, replaces);
	if (acme_post_json(a, a->dir.new_order, payload, &r, &j, &prob) < 0) {
		acme_problem_report(&prob, "creating the order");
		goto out;
	}
	if (r.location == NULL) {
		log_error("the CA sent no order URL (Location)");
		http_resp_free(&r);
		goto out;
	}
	res->order_url = util_strdup(r.location);
	trace->order_url = util_strdup(r.location);
	http_resp_free(&r);
	if (acme_parse_order(j, o, &prob) < 0) {
		acme_problem_report(&prob, "creating the order");
		goto out;
	}
	trace_order(trace, o->status);
	log_debug("order %s is %s", log_esc(res->order_url),
	    acme_status_name(o->status));
	if (o->status == ST_INVALID) {
		if (o->error != NULL)
			acme_problem_report(o->error, "the order is invalid");
		else
			log_error("the order is invalid");
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	cJSON_free(payload);
	acme_problem_free(&prob);
	return rc;
}

/*
 * The issuer's preferredChain: if the default chain in res does not end
 * at it, take the first alternate (alts, Link rel="alternate") that does.
 */
static void
prefer_chain(struct acme *a, const struct cfg_cert *c,
    const struct strlist *alts, struct order_result *res)
{
	struct cert_chain alt = { 0 };
	char *apem = NULL;
	size_t i, alen;

	if (c->issuer->preferred_chain == NULL ||
	    chain_matches(&res->chain, c->issuer->preferred_chain))
		return;
	for (i = 0; i < alts->n; i++) {
		if (download(a, alts->v[i], &apem, &alen, &alt, NULL) < 0)
			continue;
		if (chain_matches(&alt, c->issuer->preferred_chain)) {
			log_debug("using the alternate chain %s",
			    log_esc(alts->v[i]));
			free(res->chain_pem);
			cert_chain_free(&res->chain);
			res->chain_pem = apem;
			res->chain_len = alen;
			res->chain = alt;
			return;
		}
		free(apem);
		cert_chain_free(&alt);
	}
	log_info("%s: no chain from '%s' is offered; using the default chain",
	    c->name, log_esc(c->issuer->preferred_chain));
}

int
order_run(struct acme *a, const struct cfg_cert *c, const struct key *certkey,
    const char *secretsdir, const char *replaces, struct cert_status *trace,
    struct order_result *res)
{
	struct acme_order o = { 0 };
	struct ident_list ids;
	struct strlist alts = { 0 };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	order_identifiers(c, &ids);
	status_clear_order(trace);
	if (create_order(a, c, &ids, replaces, trace, &o, res) < 0)
		goto out;
	if (o.status == ST_PENDING &&
	    authorize(a, c, &ids, &o, res->order_url, secretsdir, trace) < 0)
		goto out;
	if (o.status != ST_VALID) {
		rc = finalize(a, c, certkey, &ids, res->order_url, &o);
		trace_order(trace, o.status);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if (download(a, o.certificate, &res->chain_pem, &res->chain_len,
	    &res->chain, &alts) < 0)
		goto out;
	prefer_chain(a, c, &alts, res);
	if (check_leaf(c, certkey, &ids, &res->chain) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		order_result_free(res);
	strlist_free(&alts);
	acme_order_free(&o);
	ident_list_free(&ids);
	return rc;
}

void
order_result_free(struct order_result *res)
{
	free(res->order_url);
	free(res->chain_pem);
	cert_chain_free(&res->chain);
	memset(res, 0, sizeof(*res));
}
