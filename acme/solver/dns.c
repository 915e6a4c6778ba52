/* DNS through ldns: queries, zone discovery, RFC 2136 UPDATE with TSIG. */

#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/*
 * Not <ldns/ldns.h>: it declares functions on OpenSSL types that OpenSSL 3
 * without its deprecated API no longer defines.
 */
#include <ldns/dname.h>
#include <ldns/error.h>
#include <ldns/rbtree.h>
#include <ldns/host2wire.h>
#include <ldns/packet.h>
#include <ldns/rdata.h>
#include <ldns/resolver.h>
#include <ldns/rr.h>
#include <ldns/tsig.h>
#include <ldns/update.h>
#include <ldns/wire2host.h>

#include "acme/config/config.h"
#include "acme/solver/dns.h"
#include "acme/solver/dnswire.h"
#include "acme/log.h"
#include "crypto/ident.h"
#include "crypto/rand.h"

#define CNAME_MAX 8
#define TIMEOUT_MS 2000
#define TRIES 2
#define TSIG_FUDGE 300

int
dns_server_parse(const char *hostport, struct dns_server *s)
{
	struct addrinfo hints, *res = NULL;
	char host[256], addr[256];
	const char *colon, *end;
	unsigned char tmp[16];
	long port = 53;

	memset(s, 0, sizeof(*s));
	if (hostport[0] == '[') {
		/* [v6]:port */
		if ((end = strchr(hostport, ']')) == NULL)
			goto bad;
		snprintf(host, sizeof(host), "%.*s",
		    (int)(end - hostport - 1), hostport + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			goto bad;
	} else if ((colon = strrchr(hostport, ':')) != NULL &&
	    strchr(hostport, ':') == colon) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport),
		    hostport);
	} else {
		/* no port, or a bare IPv6 address */
		snprintf(host, sizeof(host), "%s", hostport);
		colon = NULL;
	}
	if (colon != NULL) {
		char *e;

		port = strtol(colon + 1, &e, 10);
		if (*e != '\0' || port < 1 || port > 65535)
			goto bad;
	}
	if (host[0] == '\0')
		goto bad;
	if (inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1) {
		snprintf(addr, sizeof(addr), "%s", host);
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_DGRAM;
		if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL) {
			util_seterr("the host name does not resolve");
			return -1;
		}
		if (getnameinfo(res->ai_addr, res->ai_addrlen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0) {
			freeaddrinfo(res);
			util_seterr("the host name does not resolve");
			return -1;
		}
		freeaddrinfo(res);
	}
	s->label = util_strdup(hostport);
	s->addr = util_strdup(addr);
	s->port = (int)port;
	return 0;
bad:
	util_seterr("is not host, host:port or [IPv6]:port");
	return -1;
}

void
dns_servers_add(struct dns_servers *l, const struct dns_server *s)
{
	l->v = util_realloc(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n].label = util_strdup(s->label);
	l->v[l->n].addr = util_strdup(s->addr);
	l->v[l->n].port = s->port;
	l->v[l->n].tcp = s->tcp;
	l->v[l->n].recursive = s->recursive;
	l->n++;
}

void
dns_servers_free(struct dns_servers *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].label);
		free(l->v[i].addr);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * A domain name rdf (wire format: length-prefixed labels) as text without
 * the trailing dot, "." for the root; caller frees.
 */
static char *
name_text(const ldns_rdf *rdf)
{
	const uint8_t *p = ldns_rdf_data(rdf);
	size_t n = ldns_rdf_size(rdf), i = 0, j;
	struct buf b = { 0 };

	while (i < n && p[i] != 0 && i + 1 + p[i] <= n) {
		if (b.len > 0)
			buf_addstr(&b, ".");
		for (j = 0; j < p[i]; j++) {
			char c = (char)p[i + 1 + j];

			/* Names we handle are host names; keep it printable. */
			if (c <= ' ' || c == 0x7f || c == '.' || c == '\\')
				c = '?';
			buf_add(&b, &c, 1);
		}
		i += 1 + p[i];
	}
	if (b.data == NULL)
		return util_strdup(".");
	return b.data;
}

/* An A or AAAA rdf as numeric text, or NULL; caller frees. */
static char *
addr_text(const ldns_rdf *rdf)
{
	char buf[INET6_ADDRSTRLEN];
	size_t n = ldns_rdf_size(rdf);

	if ((n != 4 && n != 16) || inet_ntop(n == 4 ? AF_INET : AF_INET6,
	    ldns_rdf_data(rdf), buf, sizeof(buf)) == NULL)
		return NULL;
	return util_strdup(buf);
}

int
dns_system_servers(struct dns_servers *out)
{
	ldns_resolver *r = NULL;
	ldns_rdf **ns;
	struct dns_server s;
	ldns_status st;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((st = ldns_resolver_new_frm_file(&r, NULL)) != LDNS_STATUS_OK) {
		util_seterr("cannot read the system resolvers "
		    "(/etc/resolv.conf): %s", ldns_get_errorstr_by_id(st));
		return -1;
	}
	ns = ldns_resolver_nameservers(r);
	for (i = 0; i < ldns_resolver_nameserver_count(r); i++) {
		char *a = addr_text(ns[i]);

		if (a == NULL)
			continue;
		s.label = a;
		s.addr = a;
		s.port = ldns_resolver_port(r);
		dns_servers_add(out, &s);
		free(a);
	}
	ldns_resolver_deep_free(r);
	if (out->n == 0) {
		util_seterr("/etc/resolv.conf names no nameserver; "
		    "give dns01.nameservers");
		return -1;
	}
	return 0;
}

static const char *
rcode_name(ldns_pkt_rcode rc)
{
	static const char *const names[] = { "NOERROR", "FORMERR",
		"SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
		"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };

	return (size_t)rc < sizeof(names) / sizeof(names[0]) ? names[rc] :
	    "unknown RCODE";
}

/*
 * Send query to s (with a fresh random ID; sign it with tsig if not NULL)
 * and parse the answer to it into *reply, whatever its RCODE; *wire
 * (caller frees) is the answer as received, for its TSIG.
 */
static int
exchange(const struct dns_server *s, ldns_pkt *query,
    const struct dns_tsig *tsig, const char *keyname, ldns_pkt **reply,
    uint8_t **wire, size_t *wlen)
{
	uint8_t *q = NULL;
	uint16_t id;
	size_t qlen;
	ldns_status st;
	int rc = -1;

	*reply = NULL;
	*wire = NULL;
	if (rand_bytes(&id, sizeof(id)) < 0) {
		util_seterr("no random DNS message ID");
		return -1;
	}
	ldns_pkt_set_id(query, id);
	if (tsig != NULL && (st = ldns_pkt_tsig_sign(query, keyname,
	    tsig->secret, TSIG_FUDGE, tsig->alg, NULL)) != LDNS_STATUS_OK) {
		util_seterr("cannot sign the DNS message with TSIG "
		    "key %s: %s (is the secret base64?)", tsig->name,
		    ldns_get_errorstr_by_id(st));
		return -1;
	}
	if (ldns_pkt2wire(&q, query, &qlen) != LDNS_STATUS_OK) {
		util_seterr("cannot build the DNS message");
		return -1;
	}
	if (dnswire_exchange(s->addr, s->port, s->label, s->tcp, q, qlen,
	    TIMEOUT_MS, TRIES, wire, wlen) < 0)
		goto out;
	if ((st = ldns_wire2pkt(reply, *wire, *wlen)) != LDNS_STATUS_OK) {
		util_seterr("unreadable answer from %s: %s", s->label,
		    ldns_get_errorstr_by_id(st));
		goto out;
	}
	rc = 0;
out:
	free(q);
	if (rc < 0) {
		free(*wire);
		*wire = NULL;
	}
	return rc;
}

/* Ask s for name/type; *pkt is the answer, whatever its RCODE. */
static int
ask(const struct dns_server *s, bool rd, const char *name, ldns_rr_type type,
    ldns_pkt **pkt)
{
	ldns_pkt *query;
	ldns_rdf *dname;
	uint8_t *wire = NULL;
	size_t wlen;
	int rc;

	*pkt = NULL;
	if ((dname = ldns_dname_new_frm_str(name)) == NULL) {
		util_seterr("'%s' is not a DNS name", log_esc(name));
		return -1;
	}
	/* The packet owns dname from here. */
	if ((query = ldns_pkt_query_new(dname, type, LDNS_RR_CLASS_IN,
	    rd ? LDNS_RD : 0)) == NULL) {
		util_seterr("cannot build the DNS query");
		return -1;
	}
	rc = exchange(s, query, NULL, NULL, pkt, &wire, &wlen);
	free(wire);
	ldns_pkt_free(query);
	return rc;
}

/* Ask the servers of via in turn until one answers. */
static int
ask_any(const struct dns_servers *via, const char *name, ldns_rr_type type,
    ldns_pkt **pkt)
{
	size_t i;

	for (i = 0; i < via->n; i++)
		if (ask(&via->v[i], true, name, type, pkt) == 0)
			return 0;
	if (via->n == 0)
		util_seterr("no nameserver to ask");
	return -1;
}


static bool
same_name(const ldns_rdf *rdf, const char *name)
{
	char *t = name_text(rdf);
	bool eq = strcasecmp(t, name) == 0;

	free(t);
	return eq;
}

/*
 * The target of a CNAME at owner, normalised, if it passes the check that
 * names from the configuration pass (config_check_dns_name) and is no
 * wildcard; else -1 and util_error() quotes it escaped.  The target's bytes are
 * checked as they came, but for a dot or backslash inside a label, kept
 * as "\." and "\\" so that one label never reads as two.
 */
static int
cname_target(const ldns_rdf *rdf, const char *owner, char **target)
{
	const uint8_t *p = ldns_rdf_data(rdf);
	size_t n = ldns_rdf_size(rdf), i = 0, j;
	const char *why = "is a wildcard";
	struct buf b = { 0 };
	char *text, *checked = NULL, ip[64];

	while (i < n && p[i] != 0 && i + 1 + p[i] <= n) {
		if (b.len > 0)
			buf_addstr(&b, ".");
		for (j = 0; j < p[i]; j++) {
			char c = (char)p[i + 1 + j];

			if (c == '.' || c == '\\')
				buf_addstr(&b, "\\");
			if (c == '\0')
				buf_addstr(&b, "\\000");
			else
				buf_add(&b, &c, 1);
		}
		i += 1 + p[i];
	}
	text = b.data != NULL ? b.data : util_strdup("");
	if (ident_ip_canonical(text, ip, sizeof(ip)) == 0)
		why = "is an IP address";
	else if (strncmp(text, "*.", 2) != 0) {
		if (config_check_dns_name(text, target) == 0) {
			free(text);
			return 0;
		}
		/* util_error() is about to be written: keep its words. */
		why = checked = util_strdup(util_error());
	}
	util_seterr("the CNAME target '%s' of %s is not a host name: "
	    "it %s", log_esc(text), log_esc2(owner), why);
	free(checked);
	free(text);
	return -1;
}

int
dns_follow_cname(const struct dns_servers *via, const char *name,
    char **target)
{
	ldns_rr_list *answer;
	ldns_pkt *pkt;
	ldns_rr *rr;
	char *cur = util_strdup(name), *next;
	size_t i;
	int step;

	for (step = 0; step < CNAME_MAX; step++) {
		if (ask_any(via, cur, LDNS_RR_TYPE_CNAME, &pkt) < 0) {
			free(cur);
			return -1;
		}
		next = NULL;
		answer = ldns_pkt_answer(pkt);
		for (i = 0; next == NULL &&
		    i < ldns_rr_list_rr_count(answer); i++) {
			rr = ldns_rr_list_rr(answer, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    same_name(ldns_rr_owner(rr), cur) &&
			    cname_target(ldns_rr_rdf(rr, 0), cur, &next) < 0) {
				ldns_pkt_free(pkt);
				free(cur);
				return -1;
			}
		}
		ldns_pkt_free(pkt);
		if (next == NULL) {
			*target = cur;
			return 0;
		}
		free(cur);
		cur = next;
	}
	free(cur);
	util_seterr("more than %d CNAMEs from %s", CNAME_MAX, name);
	return -1;
}

/* The owner of the first SOA in list, if name is at or below it. */
static char *
soa_owner(const ldns_rr_list *list, const char *name)
{
	ldns_rr *rr;
	char *owner;
	size_t i, n, on;

	for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
		rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
			continue;
		owner = name_text(ldns_rr_owner(rr));
		n = strlen(name);
		on = strlen(owner);
		if (strcmp(owner, ".") == 0 || (on <= n &&
		    strcasecmp(name + n - on, owner) == 0 &&
		    (on == n || name[n - on - 1] == '.')))
			return owner;
		free(owner);
	}
	return NULL;
}

int
dns_find_zone(const struct dns_servers *via, const char *name, char **zone)
{
	const char *cur = name;
	ldns_pkt *pkt;
	ldns_pkt_rcode rc;
	char *z;

	*zone = NULL;
	/* Ask for the SOA of the name, then of each parent in turn. */
	while (cur != NULL && *cur != '\0') {
		if (ask_any(via, cur, LDNS_RR_TYPE_SOA, &pkt) < 0)
			return -1;
		rc = ldns_pkt_get_rcode(pkt);
		if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
			util_seterr("SOA query for %s: %s", cur,
			    rcode_name(rc));
			ldns_pkt_free(pkt);
			return -1;
		}
		z = soa_owner(ldns_pkt_answer(pkt), cur);
		if (z == NULL)
			z = soa_owner(ldns_pkt_authority(pkt), cur);
		ldns_pkt_free(pkt);
		if (z != NULL && strcmp(z, ".") != 0) {
			*zone = z;
			return 0;
		}
		free(z);
		cur = strchr(cur, '.');
		if (cur != NULL)
			cur++;
	}
	util_seterr("no zone found for %s (no SOA record)", name);
	return -1;
}

/* Append host's address rdf (port 53) to auth. */
static void
add_server(struct dns_servers *auth, const char *host, const ldns_rdf *rdf)
{
	struct dns_server s;
	char *a = addr_text(rdf);

	if (a == NULL)
		return;
	s.label = util_printf("%s (%s)", host, a);
	s.addr = a;
	s.port = 53;
	dns_servers_add(auth, &s);
	free(s.label);
	free(a);
}

/* Append the addresses of host (A and AAAA) from list, or by asking. */
static void
add_addresses(const struct dns_servers *via, const char *host,
    const ldns_rr_list *additional, struct dns_servers *auth)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A,
		LDNS_RR_TYPE_AAAA };
	ldns_rr_list *list;
	ldns_pkt *pkt;
	ldns_rr *rr;
	size_t i, t;
	bool found = false;

	for (i = 0; i < ldns_rr_list_rr_count(additional); i++) {
		rr = ldns_rr_list_rr(additional, i);
		if ((ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ||
		    ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA) &&
		    same_name(ldns_rr_owner(rr), host)) {
			add_server(auth, host, ldns_rr_rdf(rr, 0));
			found = true;
		}
	}
	for (t = 0; !found && t < 2; t++) {
		if (ask_any(via, host, types[t], &pkt) < 0)
			continue;
		list = ldns_pkt_answer(pkt);
		for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
			rr = ldns_rr_list_rr(list, i);
			if (ldns_rr_get_type(rr) != types[t])
				continue;
			add_server(auth, host, ldns_rr_rdf(rr, 0));
		}
		ldns_pkt_free(pkt);
	}
}

int
dns_zone_servers(const struct dns_servers *via, const char *zone,
    struct dns_servers *auth)
{
	ldns_rr_list *answer;
	ldns_pkt *pkt;
	ldns_rr *rr;
	char *host;
	size_t i;

	memset(auth, 0, sizeof(*auth));
	if (ask_any(via, zone, LDNS_RR_TYPE_NS, &pkt) < 0)
		return -1;
	answer = ldns_pkt_answer(pkt);
	for (i = 0; i < ldns_rr_list_rr_count(answer); i++) {
		rr = ldns_rr_list_rr(answer, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS)
			continue;
		host = name_text(ldns_rr_rdf(rr, 0));
		add_addresses(via, host, ldns_pkt_additional(pkt), auth);
		free(host);
	}
	ldns_pkt_free(pkt);
	if (auth->n == 0) {
		util_seterr("cannot find the addresses of the "
		    "nameservers of %s (NS records)", zone);
		return -1;
	}
	return 0;
}

int
dns_txt(const struct dns_server *s, const char *name, struct strlist *values)
{
	ldns_rr_list *answer;
	ldns_pkt *pkt;
	ldns_pkt_rcode rc;
	ldns_rr *rr;
	const ldns_rdf *rdf;
	struct buf b;
	size_t i, j;

	memset(values, 0, sizeof(*values));
	if (ask(s, s->recursive, name, LDNS_RR_TYPE_TXT, &pkt) < 0)
		return -1;
	rc = ldns_pkt_get_rcode(pkt);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		util_seterr("%s answers %s for TXT %s", s->label,
		    rcode_name(rc), name);
		ldns_pkt_free(pkt);
		return -1;
	}
	answer = ldns_pkt_answer(pkt);
	for (i = 0; i < ldns_rr_list_rr_count(answer); i++) {
		rr = ldns_rr_list_rr(answer, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		/* character-strings: a length octet and the bytes, joined */
		memset(&b, 0, sizeof(b));
		for (j = 0; j < ldns_rr_rd_count(rr); j++) {
			rdf = ldns_rr_rdf(rr, j);
			if (ldns_rdf_size(rdf) > 1)
				buf_add(&b, ldns_rdf_data(rdf) + 1,
				    ldns_rdf_size(rdf) - 1);
		}
		strlist_add(values, b.data ? b.data : "");
		buf_free(&b);
	}
	ldns_pkt_free(pkt);
	return 0;
}

/* The UPDATE adding (or deleting) names[i] TXT values[i]; NULL on error. */
static ldns_pkt *
update_pkt(const char *zone, bool add, const struct strlist *names,
    const struct strlist *values, int ttl)
{
	ldns_rr_list *up = NULL;
	ldns_pkt *pkt = NULL;
	ldns_rdf *zrdf;
	ldns_rr *rr;
	ldns_status st;
	char *text;
	size_t i;

	if ((zrdf = ldns_dname_new_frm_str(zone)) == NULL ||
	    (up = ldns_rr_list_new()) == NULL) {
		ldns_rdf_deep_free(zrdf);
		util_seterr("'%s' is not a DNS name", log_esc(zone));
		return NULL;
	}
	for (i = 0; i < names->n; i++) {
		/* values are base64url: no quote or space to escape */
		text = util_printf("%s. %d IN TXT \"%s\"", names->v[i], ttl,
		    values->v[i]);
		st = ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL);
		free(text);
		if (st != LDNS_STATUS_OK) {
			util_seterr("bad TXT record for %s: %s",
			    log_esc(names->v[i]), ldns_get_errorstr_by_id(st));
			ldns_rdf_deep_free(zrdf);
			goto out;
		}
		if (!add) {
			/* Delete this RR only (RFC 2136 §2.5.4). */
			ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE);
			ldns_rr_set_ttl(rr, 0);
		}
		ldns_rr_list_push_rr(up, rr);
	}
	/* The packet owns zrdf from here. */
	if ((pkt = ldns_update_pkt_new(zrdf, LDNS_RR_CLASS_IN, NULL, up,
	    NULL)) == NULL)
		util_seterr("cannot build the DNS UPDATE");
out:
	ldns_rr_list_deep_free(up);
	return pkt;
}

int
dns_update_txt(const struct dns_server *s, const struct dns_tsig *tsig,
    const char *zone, bool add, const struct strlist *names,
    const struct strlist *values, int ttl)
{
	ldns_pkt *pkt, *answer = NULL;
	ldns_pkt_rcode rc;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	char *keyname = NULL;
	bool signed_ok = true;
	int ret = -1;

	if ((pkt = update_pkt(zone, add, names, values, ttl)) == NULL)
		return -1;
	if (tsig != NULL)
		keyname = util_printf("%s.", tsig->name);
	if (exchange(s, pkt, tsig, keyname, &answer, &wire, &wlen) < 0)
		goto out;
	/*
	 * The answer to a signed UPDATE must be signed with the same key;
	 * an unsigned one (a server that rejects the key answers NOTAUTH,
	 * unsigned) is kept only so that its RCODE can be shown, and is
	 * still a failure.
	 */
	if (tsig != NULL)
		signed_ok = ldns_pkt_tsig_verify(answer, wire, wlen, keyname,
		    tsig->secret, ldns_rr_rdf(ldns_pkt_tsig(pkt), 3));
	if ((rc = ldns_pkt_get_rcode(answer)) != LDNS_RCODE_NOERROR) {
		util_seterr("%s refused the UPDATE of zone %s: RCODE "
		    "%s%s", s->label, zone, rcode_name(rc),
		    rc == LDNS_RCODE_NOTAUTH && tsig != NULL ? " (is the TSIG "
		    "key name, algorithm and secret right?)" :
		    rc == LDNS_RCODE_REFUSED ? " (does the key's update-policy "
		    "allow TXT records there?)" : "");
		goto out;
	}
	if (!signed_ok) {
		util_seterr("UPDATE of zone %s at %s: the answer's "
		    "TSIG signature does not verify", zone, s->label);
		goto out;
	}
	ret = 0;
out:
	free(keyname);
	free(wire);
	ldns_pkt_free(answer);
	ldns_pkt_free(pkt);
	return ret;
}

/* RFC 8945 §5.2: the TSIG error of a refusal, named. */
static const char *
tsig_error_name(unsigned e)
{
	switch (e) {
	case 16:
		return "BADSIG: the secret is wrong";
	case 17:
		return "BADKEY: the server knows no key of this name and "
		    "algorithm";
	case 18:
		return "BADTIME: this host's clock is off";
	case 22:
		return "BADTRUNC";
	}
	return "a TSIG error";
}

/* The TSIG error field of pkt's TSIG record, 0 if none. */
static unsigned
tsig_error(const ldns_pkt *pkt)
{
	const ldns_rr *rr = ldns_pkt_tsig(pkt);
	const ldns_rdf *e = rr != NULL ? ldns_rr_rdf(rr, 5) : NULL;

	return e != NULL && ldns_rdf_size(e) == 2 ?
	    (unsigned)ldns_rdf2native_int16(e) : 0;
}

int
dns_tsig_check(const struct dns_server *s, const struct dns_tsig *tsig,
    const char *zone)
{
	ldns_pkt *query, *answer = NULL;
	ldns_rdf *dname;
	ldns_pkt_rcode rc;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	char *keyname = util_printf("%s.", tsig->name);
	int ret = -1;

	if ((dname = ldns_dname_new_frm_str(zone)) == NULL ||
	    (query = ldns_pkt_query_new(dname, LDNS_RR_TYPE_SOA,
	    LDNS_RR_CLASS_IN, 0)) == NULL) {
		util_seterr("cannot build an SOA query for %s", log_esc(zone));
		free(keyname);
		return -1;
	}
	if (exchange(s, query, tsig, keyname, &answer, &wire, &wlen) < 0)
		goto out;
	rc = ldns_pkt_get_rcode(answer);
	if (tsig_error(answer) != 0)
		util_seterr("%s refused TSIG key %s (%s): %s", s->label,
		    tsig->name, tsig->alg, tsig_error_name(tsig_error(answer)));
	else if (rc != LDNS_RCODE_NOERROR)
		util_seterr("%s answered the signed SOA query for zone %s with "
		    "%s%s", s->label, zone, rcode_name(rc),
		    rc == LDNS_RCODE_NOTAUTH ? " (is the TSIG key name, "
		    "algorithm and secret right?)" : rc == LDNS_RCODE_REFUSED ?
		    " (is it a primary server of the zone?)" : "");
	else if (!ldns_pkt_tsig_verify(answer, wire, wlen, keyname,
	    tsig->secret, ldns_rr_rdf(ldns_pkt_tsig(query), 3)))
		util_seterr("%s: the answer's TSIG signature does not verify "
		    "with key %s (is the secret right?)", s->label, tsig->name);
	else
		ret = 0;
out:
	free(keyname);
	free(wire);
	ldns_pkt_free(answer);
	ldns_pkt_free(query);
	return ret;
}
