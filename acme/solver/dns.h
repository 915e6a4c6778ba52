#ifndef ACMEC_ACME_SOLVER_DNS_H
#define ACMEC_ACME_SOLVER_DNS_H

/*
 * DNS for dns-01, through ldns (the only file that includes it): SOA-based
 * zone discovery, CNAME following, authoritative servers of a zone, TXT
 * queries without recursion, and RFC 2136 UPDATEs signed with TSIG
 * (RFC 8945).  Every message goes through dnswire_exchange(), so only
 * the answer to its own query is taken.  Names are written without the
 * trailing dot.  Functions return 0 or -1 with a message in util_error()
 * (what the DNS said, the RCODE; text from the DNS escaped).
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/util.h"

struct dns_server {
	char *label; /* as the user wrote it, for messages */
	char *addr;  /* numeric IPv4 or IPv6 */
	int port;
	bool tcp;    /* TCP only (rfc2136 protocol: TCP) */
	bool recursive; /* a resolver: TXT questions ask for recursion */
};

struct dns_servers {
	struct dns_server *v;
	size_t n;
};

/* A TSIG key: name, algorithm (ldns name, e.g. "hmac-sha256."), secret. */
struct dns_tsig {
	const char *name;
	const char *alg;
	const char *secret; /* base64, as in a BIND key file */
};

/*
 * "host", "host:port", "[v6]:port" or "v6" (port 53 by default) into s;
 * a host name is resolved now.  -1 and util_error() if malformed or
 * unknown.
 */
int dns_server_parse(const char *hostport, struct dns_server *s);

/* The system's resolvers (/etc/resolv.conf). */
int dns_system_servers(struct dns_servers *out);

void dns_servers_add(struct dns_servers *l, const struct dns_server *s);
void dns_servers_free(struct dns_servers *l);

/*
 * Follow CNAMEs from name through the servers via (at most 8 steps);
 * *target is the last name (name itself if it is no alias).  A target
 * that config_check_dns_name() refuses, or a wildcard, is an error.
 */
int dns_follow_cname(const struct dns_servers *via, const char *name,
    char **target);

/* The zone that holds name, found with SOA queries through via. */
int dns_find_zone(const struct dns_servers *via, const char *name,
    char **zone);

/* The addresses of zone's authoritative servers (its NS records). */
int dns_zone_servers(const struct dns_servers *via, const char *zone,
    struct dns_servers *auth);

/* The TXT values at name, asked of server s without recursion. */
int dns_txt(const struct dns_server *s, const char *name,
    struct strlist *values);

/*
 * One UPDATE of zone at server s: add (or, with add false, delete exactly)
 * the TXT record names[i] = values[i] for every i, TTL ttl.
 */
int dns_update_txt(const struct dns_server *s, const struct dns_tsig *tsig,
    const char *zone, bool add, const struct strlist *names,
    const struct strlist *values, int ttl);

/*
 * check --online: is tsig accepted by server s?  A signed SOA query for
 * zone, whose answer must be NOERROR and signed with the same key; else
 * util_error() says which (BADKEY, BADSIG, NOTAUTH, REFUSED...).
 */
int dns_tsig_check(const struct dns_server *s, const struct dns_tsig *tsig,
    const char *zone);

#endif
