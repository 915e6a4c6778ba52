/* The order flow of RFC 8555 §7.4: order, authorize, finalize, download. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "acme/authz.h"
#include "acme/backoff.h"
#include "acme/local.h"
#include "acme/log.h"
#include "acme/order.h"
#include "crypto/b64.h"
#include "crypto/csr.h"
#include "crypto/err.h"
#include "crypto/key.h"

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

/* POST-as-GET the order until it leaves "processing". */
static int
poll_order(struct acme *a, const char *url, struct acme_order *o,
    long long retry)
{
	struct backoff bo;

	backoff_init(&bo);
	backoff_now(&bo);
	while (o->status == ST_PROCESSING || o->status == ST_READY ||
	    o->status == ST_PENDING) {
		if (!backoff_wait(&bo, retry)) {
			log_error("the order is still %s %s",
			    acme_status_name(o->status), util_interrupted() ?
			    "when interrupted" : "after the deadline");
			return -1;
		}
		acme_order_free(o);
		if (acme_fetch_order(a, url, o, &retry) < 0)
			return -1;
	}
	return 0;
}

static int
finalize(struct acme *a, const struct cfg_cert *c, const struct key *certkey,
    const struct csr *csr, const struct ident_list *ids, const char *url,
    struct acme_order *o)
{
	struct acme_problem prob = { 0 };
	struct http_resp r;
	unsigned char *der = NULL;
	size_t derlen = 0;
	char *csr64 = NULL, *payload = NULL;
	cJSON *p, *j = NULL;
	struct local_tpl t;
	long long retry;
	int rc = -1;

	/* cert-manager's request: subject, every name, usages if asked. */
	local_tpl_init(&t, c, certkey, ids);
	if (csr != NULL) {
		const unsigned char *given = csr_der(csr, &derlen);

		der = util_alloc(derlen);
		memcpy(der, given, derlen);
	} else if (certgen_csr(&t.g, c->encode_usages, &der, &derlen) < 0)
		der = NULL;
	if (der == NULL || (csr64 = b64_url_encode(der, derlen)) == NULL) {
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
	status_set_order(trace, acme_status_name(o->status));
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
    const struct csr *csr, const char *secretsdir, const char *replaces,
    struct cert_status *trace, struct order_result *res)
{
	struct acme_problem prob = { 0 };
	struct acme_order o = { 0 };
	struct ident_list ids;
	struct strlist alts = { 0 };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	order_identifiers(c, &ids);
	status_clear_order(trace);
	/*
	 * Nonces for the authorizations, fetched side by side now, when one
	 * round trip for a nonce is due anyway; newOrder uses one and gives
	 * one back.
	 */
	if (acme_nonces_want(a, ids.n, &prob) < 0) {
		acme_problem_report(&prob, "asking for nonces");
		goto out;
	}
	if (create_order(a, c, &ids, replaces, trace, &o, res) < 0)
		goto out;
	if (o.status == ST_PENDING &&
	    authz_run(a, c, &ids, &o, res->order_url, secretsdir, trace) < 0)
		goto out;
	if (o.status != ST_VALID) {
		rc = finalize(a, c, certkey, csr, &ids, res->order_url, &o);
		status_set_order(trace, acme_status_name(o.status));
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
	local_notice_dropped(c, res->chain.v[0]);
	rc = 0;
out:
	if (rc < 0)
		order_result_free(res);
	strlist_free(&alts);
	acme_order_free(&o);
	ident_list_free(&ids);
	acme_problem_free(&prob);
	return rc;
}

void
order_result_free(struct order_result *res)
{
	free(res->order_url);
	free(res->chain_pem);
	free(res->ca_pem);
	cert_chain_free(&res->chain);
	memset(res, 0, sizeof(*res));
}
