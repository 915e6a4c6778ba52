/*
 * The authorizations of an order (RFC 8555 §7.5): every challenge
 * presented, then triggered, then the order polled for all of them; and
 * what a CA that bends the RFC needs (challenges POSTed again, errors
 * read from the authorizations).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "acme/authz.h"
#include "acme/backoff.h"
#include "acme/log.h"
#include "acme/solver/solver.h"
#include "crypto/err.h"
#include "jws/keyauth.h"

/*
 * A challenge the CA leaves pending with an error (step-ca after a failed
 * connection) is POSTed again after this, doubling up to the maximum.
 */
#define RETRIGGER_FIRST_MS 1000
#define RETRIGGER_MAX_MS 30000
/* Order polls before the authorizations are looked at; then after 2x, 4x.. */
#define POLLS_BEFORE_AUTHZ 5

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

/*
 * Fetch again, at once, the authorizations of o not done yet, each named
 * as it was named first; azs[i] for t[i] (zeroed for those done).
 */
static int
refetch_open(struct acme *a, const struct acme_order *o,
    const struct task *t, struct acme_authz *azs)
{
	const char **urls = util_alloc((o->authzs.n + 1) * sizeof(*urls));
	struct acme_authz *got = util_alloc((o->authzs.n + 1) * sizeof(*got));
	size_t i, n = 0;
	int rc;

	for (i = 0; i < o->authzs.n; i++)
		if (!t[i].done)
			urls[n++] = o->authzs.v[i];
	rc = acme_fetch_authzs(a, urls, n, got);
	for (i = n = 0; i < o->authzs.n; i++) {
		memset(&azs[i], 0, sizeof(azs[i]));
		if (t[i].done)
			continue;
		azs[i] = got[n++];
		if (rc == 0) {
			free(azs[i].id.value);
			azs[i].id.value = util_strdup(t[i].az.id.value);
		}
	}
	if (rc < 0)
		for (i = 0; i < o->authzs.n; i++)
			acme_authz_free(&azs[i]);
	free(urls);
	free(got);
	return rc;
}

/*
 * Unless the authorization fetched into t is valid already, present the
 * challenge of the solver chosen for it.
 */
static int
prepare(struct acme *a, const struct cfg_cert *c, const struct ident_list *ids,
    struct solver_set *set, struct task *t, struct cert_status *trace)
{
	const struct cfg_solver *s;
	const char *type;
	char *keyauth;
	int rc;

	if (check_ident(c, ids, &t->az) < 0)
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
	if ((s = solver_select(c->issuer, c, &t->az.id)) == NULL) {
		log_error("%s: no solver of issuer '%s' can validate it: %s",
		    log_esc(t->az.id.value), c->issuer->name, util_error());
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
 * The answer to t's challenge POST (call): the CA may validate now.  The
 * answer is the challenge (RFC 8555 §7.5.1); a CA that validates inside the
 * POST (step-ca) says there how it went.  An answer that is no challenge
 * is left to the polls.
 */
static int
triggered(struct task *t, struct acme_call *call, struct cert_status *trace)
{
	struct acme_challenge ch = { 0 };
	cJSON *j = NULL;
	char *what;
	int rc = 0;

	if (call->rc < 0) {
		what = util_printf("%s: starting the %s challenge",
		    log_esc(t->az.id.value), log_esc2(t->ch->type));
		acme_problem_report(&call->prob, what);
		free(what);
		return -1;
	}
	if (call->resp.content_type != NULL &&
	    strcmp(call->resp.content_type, "application/json") == 0)
		j = cJSON_ParseWithLength(call->resp.body.data ?
		    call->resp.body.data : "", call->resp.body.len);
	if (!cJSON_IsObject(j) ||
	    acme_parse_challenge(j, &ch, &call->prob) < 0) {
		log_debug("%s: the answer to the challenge POST is no "
		    "challenge", log_esc(t->az.id.value));
	} else {
		trace_authz(trace, &t->az, &ch);
		rc = challenge_seen(t, &ch);
	}
	acme_challenge_free(&ch);
	cJSON_Delete(j);
	return rc;
}

/*
 * POST the challenges of the n tasks in ts at once; -1 if one could not
 * be started or failed at once (reported).  *retry (if retry is not NULL)
 * is raised to the answers' longest Retry-After.
 */
static int
trigger(struct acme *a, struct task **ts, size_t n, struct cert_status *trace,
    long long *retry)
{
	struct acme_call *calls = util_alloc((n + 1) * sizeof(*calls));
	long long ra;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		ts[i]->retrigger_at = 0;
		calls[i].url = ts[i]->ch->url;
		calls[i].payload = "{}";
		calls[i].prob.retry_after = -1;
	}
	acme_post_many(a, calls, n);
	for (i = 0; i < n; i++) {
		/* The first poll waits for the longest Retry-After. */
		ra = acme_retry_after(calls[i].resp.retry_after);
		if (retry != NULL && ra > *retry)
			*retry = ra;
		if (rc == 0 && triggered(ts[i], &calls[i], trace) < 0)
			rc = -1;
		http_resp_free(&calls[i].resp);
		acme_problem_free(&calls[i].prob);
	}
	free(calls);
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
			struct task *one = &t[i];

			if (trigger(a, &one, 1, trace, NULL) < 0)
				return -1;
			/* A validation starts again: poll soon. */
			backoff_restart(bo);
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
	struct acme_authz *azs = util_alloc((o->authzs.n + 1) * sizeof(*azs));
	const struct acme_challenge *ch;
	size_t i;
	int rc;

	if ((rc = refetch_open(a, o, t, azs)) < 0)
		goto out;
	for (i = 0; rc == 0 && i < o->authzs.n; i++) {
		if (t[i].done)
			continue;
		ch = challenge_of(&azs[i], t[i].ch->type);
		trace_authz(trace, &azs[i], ch);
		if (azs[i].status == ST_VALID) {
			t[i].done = true;
		} else if (azs[i].status != ST_PENDING) {
			report_authz(&azs[i], t[i].ch->type);
			rc = -1;
		} else if (ch != NULL) {
			rc = challenge_seen(&t[i], ch);
		}
	}
	for (i = 0; i < o->authzs.n; i++)
		acme_authz_free(&azs[i]);
out:
	free(azs);
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
	struct acme_authz *azs = util_alloc((o->authzs.n + 1) * sizeof(*azs));
	size_t i;
	int rc;

	if ((rc = refetch_open(a, o, t, azs)) < 0)
		goto out;
	for (i = 0; i < o->authzs.n; i++) {
		if (t[i].done)
			continue;
		trace_authz(trace, &azs[i], challenge_of(&azs[i],
		    t[i].ch->type));
		if (azs[i].status == ST_INVALID)
			status_set_order(trace, acme_status_name(ST_INVALID));
		if (azs[i].status != ST_VALID &&
		    (all || azs[i].status != ST_PENDING))
			report_authz(&azs[i], t[i].ch->type);
		acme_authz_free(&azs[i]);
	}
out:
	free(azs);
	return rc;
}

/* Whether the CA has fetched every challenge from acmec's listeners. */
struct answered {
	const struct solver_set *set;
	long long since; /* ms: when all were first seen answered */
	bool seen;
};

/* A CA validates from several places at once: their answers this close. */
#define ANSWERED_SETTLE_MS 5

/*
 * True once, a moment after the CA has fetched every challenge from our
 * listeners.
 */
static bool
all_answered(void *arg)
{
	struct answered *ans = arg;

	if (ans->seen || solver_unanswered(ans->set) != 0)
		return false;
	if (ans->since == 0)
		ans->since = util_now_ms();
	if (util_now_ms() - ans->since < ANSWERED_SETTLE_MS)
		return false;
	log_debug("the CA has fetched every challenge; polling now");
	ans->seen = true;
	return true;
}

/*
 * Poll the order, one request for all names: it stays pending while any
 * authorization is, turns ready when all are valid, invalid when one
 * failed.  Past a few polls the authorizations are looked at too, for a CA
 * that leaves the order pending when a validation failed (step-ca).  The
 * first poll goes at once, or after retry seconds (the challenges'
 * Retry-After): the CA began a round trip ago.  With acmec's own listeners
 * (set), a poll goes as soon as they have answered every challenge.
 */
static int
await_authzs(struct acme *a, const struct cfg_cert *c,
    const struct acme_order *o, const char *order_url, struct task *t,
    struct cert_status *trace, long long retry, const struct solver_set *set)
{
	struct answered ans = { set, 0, false };
	struct acme_order now;
	struct backoff bo;
	enum acme_status st;
	unsigned polls = 0, look = POLLS_BEFORE_AUTHZ;
	size_t i, n;

	backoff_init(&bo);
	/* Own listeners tell when the CA came; else the CA may be done. */
	if (solver_unanswered(set) < 0)
		backoff_now(&bo);
	for (;;) {
		if (retrigger_due(a, o, t, trace, &bo) < 0)
			return -1;
		if (!backoff_wait_early(&bo, retry, all_answered, &ans))
			break;
		if (acme_fetch_order(a, order_url, &now, &retry) < 0)
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

/* Every authorization of o fetched at once into t. */
static int
fetch_all(struct acme *a, const struct acme_order *o, struct task *t)
{
	struct acme_authz *azs = util_alloc((o->authzs.n + 1) * sizeof(*azs));
	size_t i;
	int rc;

	rc = acme_fetch_authzs(a, (const char *const *)o->authzs.v,
	    o->authzs.n, azs);
	for (i = 0; i < o->authzs.n; i++)
		t[i].az = azs[i];
	free(azs);
	return rc;
}

int
authz_run(struct acme *a, const struct cfg_cert *c,
    const struct ident_list *ids, const struct acme_order *o,
    const char *order_url, const char *secretsdir, struct cert_status *trace)
{
	struct solver_set set = { 0 };
	struct task *t, **open;
	size_t i, pending = 0;
	long long retry = -1;
	int rc = -1;

	set.secretsdir = secretsdir;
	t = util_alloc((o->authzs.n + 1) * sizeof(*t));
	open = util_alloc((o->authzs.n + 1) * sizeof(*open));
	if (fetch_all(a, o, t) < 0)
		goto out;
	for (i = 0; i < o->authzs.n; i++) {
		if (prepare(a, c, ids, &set, &t[i], trace) < 0)
			goto out;
		if (!t[i].done)
			open[pending++] = &t[i];
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
	/* Everything is in place: now tell the CA to look, all at once. */
	if (trigger(a, open, pending, trace, &retry) < 0)
		goto out;
	rc = await_authzs(a, c, o, order_url, t, trace, retry, &set);
out:
	solver_cleanup(&set);
	for (i = 0; i < o->authzs.n; i++)
		acme_authz_free(&t[i].az);
	free(open);
	free(t);
	return rc;
}
