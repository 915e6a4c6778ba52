#ifndef ACMEC_ACME_SOLVER_SOLVER_H
#define ACMEC_ACME_SOLVER_SOLVER_H

/*
 * Challenge solvers behind one interface: an order presents all its
 * challenges into a solver_set, triggers them, polls, and cleans up the
 * set whatever happened.
 */

#include <stddef.h>

#include "acme/config/config.h"
#include "crypto/ident.h"

struct http01_server;
struct tlsalpn_server;
struct dns_record;
struct webroot_file;

struct http;

struct solver_set {
	const char *secretsdir; /* where TSIG secrets are read from */
	struct http01_server **servers; /* standalone listeners in use */
	size_t nservers;
	struct strlist tokens; /* http-01 tokens added to them */
	struct webroot_file *webroot; /* webroot files written */
	size_t nwebroot;
	struct tlsalpn_server **alpns; /* tls-alpn-01 listeners */
	size_t nalpns;
	bool alpn_locked; /* holds the process's tls-alpn-01 turn */
	struct dns_record *records; /* dns-01 TXT records, by name */
	size_t nrecords;
	long long wait_s; /* the longest waitInsteadOfSelfCheck presented */
	struct http *dnsapi_http; /* DNS providers' APIs, made when needed */
	struct dnsapi_cache *dnsapi_cache; /* their credentials, this order */
};

/*
 * The solver for id by cert-manager's rules: among the solvers whose
 * selector matches (dnsNames, dnsZones, matchLabels: each part given must
 * match; no selector matches everything), a dnsNames match wins, then the
 * longest dnsZones match, then the most matchLabels; ties go to the first
 * listed.  Solvers that cannot validate id (http01 and a wildcard) are
 * skipped.  NULL if none, and util_error() says why.
 */
const struct cfg_solver *solver_select(const struct cfg_issuer *is,
    const struct cfg_cert *c, const struct ident *id);

/* The challenge type a solver answers: http-01, dns-01, tls-alpn-01. */
const char *solver_challenge_type(const struct cfg_solver *s);

/*
 * A hint for the usual cause of a failed challenge of type (http-01,
 * dns-01, tls-alpn-01) for name, given the CA's error type ("connection",
 * "unauthorized"...); NULL if there is none.  Caller frees.
 */
char *solver_hint(const char *type, const char *error_type, const char *name);

/*
 * Make token answerable with keyauth for id.  Standalone solvers bind
 * their port here, so a port that is taken fails before any challenge is
 * triggered.  Errors are reported here.
 */
int solver_present(struct solver_set *set, const struct cfg_solver *s,
    const struct ident *id, const char *token, const char *keyauth);

/*
 * Make what was presented visible to the CA before any challenge is
 * triggered: tls-alpn-01 certificates are made and served; dns-01 records
 * are added (all of a zone in one UPDATE) and then awaited at every
 * authoritative nameserver.  Errors are reported.
 */
int solver_commit(struct solver_set *set);

/*
 * How many challenges presented through acmec's own listeners (http-01
 * standalone, tls-alpn-01) the CA has not fetched yet; -1 if the set has
 * no listener (webroot and dns-01 cannot tell).
 */
int solver_unanswered(const struct solver_set *set);

/*
 * check --online: are the credentials of s (a dns01 solver with a
 * provider's API) there and accepted by the provider, for the zone of
 * domain?  Nothing is changed at the provider.  0, or -1 reported with
 * what to change.
 */
int solver_check_credentials(const struct cfg_solver *s,
    const char *secretsdir, const char *domain);

/*
 * check --online: does the nameserver of s (a dns01 rfc2136 solver)
 * accept its TSIG key?  A signed SOA query for the zone where domain's
 * record goes; nothing is changed.  0, or -1 reported with what to change.
 */
int solver_check_tsig(const struct cfg_solver *s, const char *secretsdir,
    const char *domain);

/*
 * check --online: could a listener bind address (NULL: all) and port now,
 * as acmec's own binds it?  0 (bound and closed), or -1 and errno (EINVAL:
 * not an IP address).
 */
int solver_port_free(const char *address, int port);

/* Stop listeners, remove files and records; safe on an empty set. */
void solver_cleanup(struct solver_set *set);

#endif
