/* Solver selection (cert-manager's rules) and the set of active solvers. */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/fs.h"
#include "acme/log.h"
#include "acme/solver/internal.h"

/* tls-alpn-01 listeners are not shared between parallel orders: taking
 * turns keeps two orders from wanting the same port at once. */
static pthread_mutex_t alpn_turn = PTHREAD_MUTEX_INITIALIZER;

/*
 * How well s's selector matches id for certificate c: -1 no match; else
 * higher is more specific.  As in cert-manager's solver picker, every part
 * of a selector that is given must match (dnsNames, dnsZones and
 * matchLabels), and a match ranks by dnsNames (1<<24), then the longest
 * matching zone in labels (<<8), then the number of matchLabels.
 */
static long
specificity(const struct cfg_solver *s, const struct cfg_cert *c,
    const struct ident *id)
{
	const char *name = id->value;
	long score, best_zone = 0, labels;
	size_t i, j, n, zl;
	bool found, by_name = false;

	/* matchLabels: all must be on the Certificate. */
	for (i = 0; i < s->sel_label_keys.n; i++) {
		found = false;
		for (j = 0; j < c->label_keys.n; j++)
			if (strcmp(c->label_keys.v[j],
			    s->sel_label_keys.v[i]) == 0 &&
			    strcmp(c->label_values.v[j],
			    s->sel_label_values.v[i]) == 0)
				found = true;
		if (!found)
			return -1;
	}
	score = (long)s->sel_label_keys.n;
	for (i = 0; i < s->sel_dns_names.n; i++)
		if (strcasecmp(s->sel_dns_names.v[i], name) == 0)
			by_name = true;
	if (s->sel_dns_names.n > 0 && !by_name)
		return -1;
	if (by_name)
		score += 1L << 24;
	if (s->sel_dns_zones.n == 0)
		return score;
	if (strncmp(name, "*.", 2) == 0)
		name += 2;
	n = strlen(name);
	for (i = 0; i < s->sel_dns_zones.n; i++) {
		const char *z = s->sel_dns_zones.v[i];

		zl = strlen(z);
		if (zl > n || strcasecmp(name + n - zl, z) != 0 ||
		    (zl < n && name[n - zl - 1] != '.'))
			continue;
		labels = 1;
		for (j = 0; j < zl; j++)
			labels += z[j] == '.';
		if (labels > best_zone)
			best_zone = labels;
	}
	if (best_zone == 0)
		return -1;
	return score + (best_zone << 8);
}

/* Whether s can validate id at all. */
static bool
can_validate(const struct cfg_solver *s, const struct ident *id)
{
	switch (s->type) {
	case SOLVER_HTTP01:
		return !(id->type == IDENT_DNS &&
		    strncmp(id->value, "*.", 2) == 0);
	case SOLVER_DNS01:
		return id->type == IDENT_DNS;
	case SOLVER_TLSALPN01:
		return !(id->type == IDENT_DNS &&
		    strncmp(id->value, "*.", 2) == 0);
	}
	return false;
}

const struct cfg_solver *
solver_select(const struct cfg_issuer *is, const struct cfg_cert *c,
    const struct ident *id)
{
	const struct cfg_solver *best = NULL;
	long score, best_score = -1;
	bool matched = false;
	size_t i;

	for (i = 0; i < is->nsolvers; i++) {
		score = specificity(&is->solvers[i], c, id);
		if (score < 0)
			continue;
		matched = true;
		if (!can_validate(&is->solvers[i], id))
			continue;
		if (score > best_score) {
			best = &is->solvers[i];
			best_score = score;
		}
	}
	if (best != NULL && best->unsupported != NULL) {
		util_seterr("the solver it selects, %s", best->unsupported);
		return NULL;
	}
	if (best == NULL)
		util_seterr("%s", !matched ? "no solver's selector matches it" :
		    strncmp(id->value, "*.", 2) == 0 ? "wildcard names need "
		    "a dns01 solver" : id->type == IDENT_IP ? "IP addresses "
		    "need an http01 solver" : "no matching solver can "
		    "validate it");
	return best;
}

const char *
solver_challenge_type(const struct cfg_solver *s)
{
	switch (s->type) {
	case SOLVER_HTTP01:
		break;
	case SOLVER_DNS01:
		return "dns-01";
	case SOLVER_TLSALPN01:
		return "tls-alpn-01";
	}
	return "http-01";
}

char *
solver_hint(const char *type, const char *error_type, const char *name)
{
	static const char *const reach[] = { "connection", "dns",
		"unauthorized", "incorrectResponse", "tls", NULL };
	const char *n = name;
	size_t i;

	if (type == NULL || error_type == NULL)
		return NULL;
	for (i = 0; reach[i] != NULL; i++)
		if (strcmp(error_type, reach[i]) == 0)
			break;
	if (reach[i] == NULL)
		return NULL;
	if (strncmp(n, "*.", 2) == 0)
		n += 2;
	if (strcmp(type, "http-01") == 0)
		return util_printf("the CA must reach http://%s/.well-known/"
		    "acme-challenge/ on port 80: check that the name resolves "
		    "to this host, that port 80 is open to the CA, and that it "
		    "reaches acmec's listener (acmec.io/http01-listen) or the "
		    "web server serving the webroot (acmec.io/http01-webroot)",
		    log_esc(n));
	if (strcmp(type, "tls-alpn-01") == 0)
		return util_printf("the CA must reach %s on port 443 with TLS "
		    "and ALPN acme-tls/1: check that the name resolves to this "
		    "host and that port 443 is open to the CA and reaches "
		    "acmec's listener", log_esc(n));
	if (strcmp(type, "dns-01") == 0)
		return util_printf("the CA did not see the TXT record "
		    "_acme-challenge.%s: check that every authoritative "
		    "nameserver of the zone answers it, and that a CNAME there "
		    "is followed (cnameStrategy: Follow)", log_esc(n));
	return NULL;
}

int
solver_present(struct solver_set *set, const struct cfg_solver *s,
    const struct ident *id, const char *token, const char *keyauth)
{
	struct http01_server *srv = NULL;
	size_t i;

	if (s->wait_instead > set->wait_s)
		set->wait_s = s->wait_instead;
	if (s->type == SOLVER_DNS01)
		return dns01_present(set, s, id, keyauth);
	if (s->type == SOLVER_TLSALPN01) {
		struct tlsalpn_server *as = NULL;

		/* One order at a time may use tls-alpn-01 listeners. */
		if (!set->alpn_locked) {
			pthread_mutex_lock(&alpn_turn);
			set->alpn_locked = true;
		}
		for (i = 0; i < set->nalpns; i++)
			if (tlsalpn_is(set->alpns[i], s->http_address,
			    s->http_port))
				as = set->alpns[i];
		/* Bound now: a taken port fails before any trigger. */
		if (as == NULL) {
			if ((as = tlsalpn_listen(s->http_address,
			    s->http_port)) == NULL)
				return -1;
			set->alpns = util_realloc(set->alpns, set->nalpns + 1,
			    sizeof(*set->alpns));
			set->alpns[set->nalpns++] = as;
		}
		return tlsalpn_add(as, id, keyauth);
	}
	if (s->http_mode == HTTP01_WEBROOT)
		return webroot_present(set, s->webroot, token, keyauth);
	for (i = 0; i < set->nservers; i++)
		if (http01_is(set->servers[i], s->http_address, s->http_port))
			srv = set->servers[i];
	if (srv == NULL) {
		if ((srv = http01_acquire(s->http_address, s->http_port)) ==
		    NULL)
			return -1;
		set->servers = util_realloc(set->servers, set->nservers + 1,
		    sizeof(*set->servers));
		set->servers[set->nservers++] = srv;
	}
	if (http01_add(srv, token, keyauth) < 0)
		return -1;
	strlist_add(&set->tokens, token);
	return 0;
}

int
solver_commit(struct solver_set *set)
{
	size_t i;

	for (i = 0; i < set->nalpns; i++)
		if (tlsalpn_start(set->alpns[i]) < 0)
			return -1;
	if (dns01_commit(set) < 0)
		return -1;
	if (set->wait_s > 0) {
		log_info("waiting %lld s before asking the CA to validate "
		    "(waitInsteadOfSelfCheck)", set->wait_s);
		util_sleep_ms(set->wait_s * 1000);
		if (util_interrupted()) {
			log_error("interrupted while waiting "
			    "(waitInsteadOfSelfCheck)");
			return -1;
		}
	}
	return 0;
}

void
solver_cleanup(struct solver_set *set)
{
	size_t i;

	dns01_cleanup(set);
	for (i = 0; i < set->nalpns; i++)
		tlsalpn_stop(set->alpns[i]);
	free(set->alpns);
	set->alpns = NULL;
	set->nalpns = 0;
	if (set->alpn_locked) {
		pthread_mutex_unlock(&alpn_turn);
		set->alpn_locked = false;
	}
	for (i = 0; i < set->nservers; i++)
		http01_release(set->servers[i], &set->tokens);
	free(set->servers);
	strlist_free(&set->tokens);
	webroot_cleanup(set);
	set->servers = NULL;
	set->nservers = 0;
}

int
solver_unanswered(const struct solver_set *set)
{
	size_t i, k, n = 0;
	bool yes;

	if (set->nservers == 0 && set->nalpns == 0)
		return -1;
	for (i = 0; i < set->tokens.n; i++) {
		for (k = 0, yes = false; k < set->nservers && !yes; k++)
			yes = http01_answered(set->servers[k],
			    set->tokens.v[i]);
		n += !yes;
	}
	for (k = 0; k < set->nalpns; k++)
		n += tlsalpn_unanswered(set->alpns[k]);
	return (int)n;
}
