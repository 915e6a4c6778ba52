/*
 * Signed POSTs (RFC 8555 §6.2): nonces kept in a small pool, badNonce
 * retried, and requests that may be repeated sent side by side, each with
 * its own nonce, so that n authorizations cost one round trip, not n.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/acme.h"
#include "acme/log.h"
#include "crypto/err.h"
#include "jws/jws.h"

#define BADNONCE_RETRIES 100
/* Requests sent side by side at most; more go in further rounds. */
#define BATCH_MAX 64

void
acme_nonce_keep(struct acme *a, struct http_resp *r)
{
	if (r->nonce == NULL || *r->nonce == '\0')
		return;
	if (a->nnonces == ACME_NONCES) {
		/* Full: the oldest goes, the likeliest to have expired. */
		free(a->nonces[0]);
		memmove(a->nonces, a->nonces + 1,
		    (ACME_NONCES - 1) * sizeof(a->nonces[0]));
		a->nnonces--;
	}
	a->nonces[a->nnonces++] = r->nonce;
	r->nonce = NULL;
}

void
acme_nonces_free(struct acme *a)
{
	while (a->nnonces > 0)
		free(a->nonces[--a->nnonces]);
}

/* The newest nonce at hand, taken from the pool (caller frees), or NULL. */
static char *
nonce_take(struct acme *a)
{
	return a->nnonces > 0 ? a->nonces[--a->nnonces] : NULL;
}

/* Read the directory again; a failure is only logged. */
static void
refresh_quietly(struct acme *a)
{
	struct acme_problem p = { 0 };

	if (acme_dir_refresh(a, &p) < 0)
		log_debug("reading the directory again: %s", p.detail ?
		    log_esc(p.detail) : "failed");
	acme_problem_free(&p);
}

int
acme_nonces_want(struct acme *a, size_t n, struct acme_problem *prob)
{
	struct http_req *reqs;
	struct http_resp *resps;
	char **errs;
	int *rcs;
	size_t i, k;
	bool moved = false;

	if (a->serial && n > 1)
		n = 1;
	if (n > ACME_NONCES)
		n = ACME_NONCES;
	if (a->nnonces >= n)
		return 0;
	k = n - a->nnonces;
	reqs = util_alloc(k * sizeof(*reqs));
	resps = util_alloc(k * sizeof(*resps));
	errs = util_alloc(k * sizeof(*errs));
	rcs = util_alloc(k * sizeof(*rcs));
	for (i = 0; i < k; i++) {
		reqs[i].method = "HEAD";
		reqs[i].url = a->dir.new_nonce;
	}
	http_send_many(a->http, k, reqs, resps, rcs, errs);
	for (i = 0; i < k; i++) {
		if (rcs[i] == 0) {
			moved |= resps[i].status == 404 ||
			    resps[i].status == 405;
			acme_nonce_keep(a, &resps[i]);
		} else if (k > 1 && !a->serial) {
			log_debug("%s; asking the CA one request at a time",
			    log_esc(errs[i]));
			a->serial = true;
		}
		if (rcs[i] < 0 && a->nnonces == 0 && i == k - 1)
			acme_problem_local(prob, "cannot get a nonce: %s",
			    errs[i]);
		http_resp_free(&resps[i]);
		free(errs[i]);
	}
	free(reqs);
	free(resps);
	free(errs);
	free(rcs);
	/* A newNonce URL kept from an earlier run may be gone. */
	if (a->dir_cached && (moved || a->nnonces == 0)) {
		refresh_quietly(a);
		if (!a->dir_cached && a->nnonces < n) {
			acme_problem_free(prob);
			return acme_nonces_want(a, n, prob);
		}
	}
	if (a->nnonces > 0)
		return 0;
	if (prob->detail == NULL)
		acme_problem_local(prob, "the CA sent no Replay-Nonce from %s",
		    a->dir.new_nonce);
	return -1;
}

/*
 * The JWS for a POST of payload to url, with a nonce from the pool (one
 * fetched if there is none); NULL and prob on failure.
 */
static char *
sign(struct acme *a, const char *url, const char *payload,
    struct acme_problem *prob)
{
	char *nonce, *body;

	if (a->nnonces == 0 && acme_nonces_want(a, 1, prob) < 0)
		return NULL;
	nonce = nonce_take(a);
	body = jws_sign(a->key, a->kid, nonce, url, payload);
	/* A nonce is good for one request, whatever happens. */
	free(nonce);
	if (body == NULL)
		acme_problem_local(prob, "cannot sign the request: %s",
		    crypto_error());
	else if (payload != NULL)
		log_proto("payload %s", log_esc(payload));
	return body;
}

/*
 * If url is one of the URLs of a directory kept from an earlier run and
 * status says it may be gone, read the directory again: true, and *url
 * names the same resource in the new one.
 */
static bool
dir_moved(struct acme *a, const char **url, long status)
{
	char **f[] = { &a->dir.new_nonce, &a->dir.new_account,
	    &a->dir.new_order, &a->dir.revoke_cert, &a->dir.key_change };
	size_t i, n = sizeof(f) / sizeof(f[0]);

	if (!a->dir_cached || (status != 404 && status != 405))
		return false;
	for (i = 0; i < n && (*f[i] == NULL || strcmp(*f[i], *url) != 0); i++)
		;
	if (i == n)
		return false;
	/* a->dir is replaced in place: f[i] still points at the field. */
	refresh_quietly(a);
	if (a->dir_cached)
		return false;
	*url = *f[i];
	return *url != NULL;
}

#define JUDGE_OK 0
#define JUDGE_FAIL (-1)
#define JUDGE_BADNONCE 1

/* What the CA's answer to a POST to url means; prob and resp as for acme_post(). */
static int
judge(struct acme *a, const char *url, struct http_resp *resp,
    struct acme_problem *prob)
{
	acme_nonce_keep(a, resp);
	if (resp->status >= 300 && resp->status < 400) {
		acme_problem_local(prob, "%s answered HTTP %ld, a redirect to "
		    "%s; acmec follows no redirects", url, resp->status,
		    resp->location ? resp->location : "nowhere");
		http_resp_free(resp);
		return JUDGE_FAIL;
	}
	if (resp->status < 400) {
		/* Forget the badNonce of an earlier attempt. */
		acme_problem_free(prob);
		return JUDGE_OK;
	}
	acme_problem_parse(resp->body.data, resp->body.len, resp->status,
	    resp->retry_after, prob);
	http_resp_free(resp);
	if (a->kid != NULL && strcmp(acme_problem_short(prob),
	    "accountDoesNotExist") == 0)
		a->account_unknown = true;
	if (a->dir_cached && strcmp(acme_problem_short(prob),
	    "userActionRequired") == 0)
		refresh_quietly(a); /* new terms: the kept copy names the old */
	if (strcmp(acme_problem_short(prob), "badNonce") == 0)
		return JUDGE_BADNONCE;
	return JUDGE_FAIL;
}

int
acme_post(struct acme *a, const char *url, const char *payload,
    const char *accept, struct http_resp *resp, struct acme_problem *prob)
{
	char *body;
	int attempt, rc;

	acme_problem_free(prob);
	memset(resp, 0, sizeof(*resp));
	for (attempt = 0;; attempt++) {
		if ((body = sign(a, url, payload, prob)) == NULL)
			return -1;
		rc = http_request(a->http, "POST", url, body,
		    "application/jose+json", accept, resp);
		free(body);
		if (rc < 0) {
			acme_problem_local(prob, "%s", util_error());
			return -1;
		}
		rc = judge(a, url, resp, prob);
		if (rc == JUDGE_FAIL && dir_moved(a, &url, prob->status))
			continue;
		if (rc != JUDGE_BADNONCE)
			return rc;
		if (attempt >= BADNONCE_RETRIES)
			return -1;
		log_debug("badNonce from the CA; retrying with a fresh nonce");
	}
}

/*
 * One round of calls side by side: those in todo (n of them) are signed,
 * sent, and judged; a badNonce stays in todo for the next round.  A call
 * the transport lost, or that met 503, is marked for one more try alone,
 * and the CA is asked one request at a time from then on.  Returns how
 * many remain in todo.
 */
static size_t
post_round(struct acme *a, struct acme_call *calls, size_t *todo, size_t n,
    bool *alone)
{
	struct http_req *reqs = util_alloc(n * sizeof(*reqs));
	char **bodies = util_alloc(n * sizeof(*bodies));
	char **errs = util_alloc(n * sizeof(*errs));
	int *rcs = util_alloc(n * sizeof(*rcs));
	struct http_resp *resps = util_alloc(n * sizeof(*resps));
	struct acme_call *c;
	size_t i, k = 0, left = 0;

	if (acme_nonces_want(a, n, &calls[todo[0]].prob) < 0)
		a->serial = true; /* and sign() fails or fetches alone */
	for (i = 0; i < n; i++) {
		c = &calls[todo[i]];
		/* Only what could be signed is sent (c->prob says why not). */
		if ((bodies[i] = sign(a, c->url, c->payload, &c->prob)) != NULL)
			reqs[k++] = (struct http_req){ "POST", c->url,
			    bodies[i], "application/jose+json", c->accept,
			    NULL };
	}
	http_send_many(a->http, k, reqs, resps, rcs, errs);
	for (i = k = 0; i < n; i++) {
		c = &calls[todo[i]];
		if (bodies[i] == NULL) {
			c->rc = -1;
			continue;
		}
		if (rcs[k] < 0 || resps[k].status == 503) {
			log_debug("%s: %s; asking the CA one request at a "
			    "time", log_esc(c->url), errs[k] ? errs[k] :
			    "HTTP 503");
			acme_nonce_keep(a, &resps[k]);
			http_resp_free(&resps[k]);
			alone[todo[i]] = a->serial = true;
		} else if ((c->rc = judge(a, c->url, &resps[k], &c->prob)) ==
		    JUDGE_BADNONCE) {
			log_debug("badNonce from the CA; retrying with a fresh "
			    "nonce");
			todo[left++] = todo[i];
		} else {
			c->resp = resps[k];
		}
		free(bodies[i]);
		free(errs[k]);
		k++;
	}
	free(reqs);
	free(bodies);
	free(errs);
	free(rcs);
	free(resps);
	return left;
}

void
acme_post_many(struct acme *a, struct acme_call *calls, size_t n)
{
	bool *alone = util_alloc((n + 1) * sizeof(*alone));
	size_t *todo = util_alloc((n + 1) * sizeof(*todo));
	size_t i, k, left, attempt;

	for (i = 0; i < n; i++) {
		acme_problem_free(&calls[i].prob);
		memset(&calls[i].resp, 0, sizeof(calls[i].resp));
		calls[i].rc = -1;
	}
	for (i = 0; i < n; i += k) {
		k = n - i > BATCH_MAX ? BATCH_MAX : n - i;
		for (left = 0; left < k; left++)
			todo[left] = i + left;
		for (attempt = 0; left > 1 && !a->serial &&
		    attempt <= BADNONCE_RETRIES; attempt++)
			left = post_round(a, calls, todo, left, alone);
		/* One left, or a CA that wants one request at a time. */
		while (left > 0)
			alone[todo[--left]] = true;
	}
	for (i = 0; i < n; i++)
		if (alone[i])
			calls[i].rc = acme_post(a, calls[i].url,
			    calls[i].payload, calls[i].accept,
			    &calls[i].resp, &calls[i].prob);
	free(alone);
	free(todo);
}

/* resp (for url) parsed as a JSON object into *json; -1 and prob if not. */
static int
as_json(const char *url, struct http_resp *resp, cJSON **json,
    struct acme_problem *prob)
{
	*json = NULL;
	if (resp->content_type == NULL ||
	    strcmp(resp->content_type, "application/json") != 0) {
		acme_problem_local(prob, "%s: the CA's answer is %s, not "
		    "application/json", url, resp->content_type ?
		    resp->content_type : "without a Content-Type");
		http_resp_free(resp);
		return -1;
	}
	*json = cJSON_ParseWithLength(resp->body.data ? resp->body.data : "",
	    resp->body.len);
	if (!cJSON_IsObject(*json)) {
		cJSON_Delete(*json);
		*json = NULL;
		acme_problem_local(prob, "%s: the CA's answer is not a JSON "
		    "object", url);
		http_resp_free(resp);
		return -1;
	}
	return 0;
}

int
acme_post_json(struct acme *a, const char *url, const char *payload,
    struct http_resp *resp, cJSON **json, struct acme_problem *prob)
{
	*json = NULL;
	if (acme_post(a, url, payload, NULL, resp, prob) < 0)
		return -1;
	return as_json(url, resp, json, prob);
}

/*
 * The answer to a POST-as-GET of url (what names it in messages) handed to
 * parse; *retry_after from the answer.  Errors reported.
 */
static int
parsed(const char *url, const char *what, struct http_resp *r,
    struct acme_problem *prob, int (*parse)(const cJSON *, void *,
    struct acme_problem *), void *out, long long *retry_after)
{
	cJSON *j = NULL;
	int rc = -1;

	if (as_json(url, r, &j, prob) < 0) {
		acme_problem_report(prob, what);
		goto out;
	}
	*retry_after = acme_retry_after(r->retry_after);
	http_resp_free(r);
	if (parse(j, out, prob) < 0) {
		acme_problem_report(prob, log_esc(url));
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
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

int
acme_fetch_order(struct acme *a, const char *url, struct acme_order *o,
    long long *retry_after)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	int rc = -1;

	if (acme_post(a, url, NULL, NULL, &r, &prob) < 0)
		acme_problem_report(&prob, "polling the order");
	else
		rc = parsed(url, "polling the order", &r, &prob, parse_order,
		    o, retry_after);
	acme_problem_free(&prob);
	return rc;
}

int
acme_fetch_authzs(struct acme *a, const char *const *urls, size_t n,
    struct acme_authz *azs)
{
	struct acme_call *calls = util_alloc((n + 1) * sizeof(*calls));
	long long ra;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		memset(&azs[i], 0, sizeof(azs[i]));
		calls[i].url = urls[i];
		calls[i].prob.retry_after = -1;
	}
	acme_post_many(a, calls, n);
	for (i = 0; i < n; i++) {
		if (calls[i].rc < 0) {
			acme_problem_report(&calls[i].prob,
			    "fetching an authorization");
			rc = -1;
		} else if (parsed(urls[i], "fetching an authorization",
		    &calls[i].resp, &calls[i].prob, parse_authz, &azs[i],
		    &ra) < 0) {
			rc = -1;
		} else {
			azs[i].url = util_strdup(urls[i]);
		}
		http_resp_free(&calls[i].resp);
		acme_problem_free(&calls[i].prob);
	}
	free(calls);
	return rc;
}
