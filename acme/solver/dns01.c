/*
 * dns-01 (RFC 8555 §8.4): TXT records at _acme-challenge.NAME, through an
 * RFC 2136 UPDATE or a hook command.  All records of an order go in before
 * any challenge is triggered (the wildcard and the apex of a name share one
 * record name: an RRset of two values), then acmec waits until every
 * authoritative nameserver answers them; cleanup removes exactly what was
 * added.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/solver/dns.h"
#include "acme/fs.h"
#include "acme/hook.h"
#include "acme/log.h"
#include "acme/solver/dnsapi.h"
#include "acme/solver/internal.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "jws/keyauth.h"

#define TXT_TTL 60
#define CHECK_FIRST_MS 250
#define CHECK_MAX_MS 5000

struct dns_record {
	const struct cfg_solver *solver;
	char *domain;  /* the identifier, without "*." */
	char *name;    /* _acme-challenge.DOMAIN */
	char *target;  /* where the record is written (CNAME followed) */
	char *zone;    /* the zone that holds target */
	struct strlist values;
	bool added;
	struct dnsapi_added *api_state; /* a provider's, for cleanup */
};

static const char *const tsig_names[] = {
	[TSIG_HMACMD5] = "hmac-md5.sig-alg.reg.int.",
	[TSIG_HMACSHA1] = "hmac-sha1.",
	[TSIG_HMACSHA256] = "hmac-sha256.",
	[TSIG_HMACSHA512] = "hmac-sha512.",
};

int
dns01_present(struct solver_set *set, const struct cfg_solver *s,
    const struct ident *id, const char *keyauth)
{
	const char *domain = id->value;
	struct dns_record *r = NULL;
	char *name, *value;
	size_t i;

	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	if ((value = keyauth_dns01(keyauth)) == NULL) {
		log_error("dns-01: %s", crypto_error());
		return -1;
	}
	name = util_printf("_acme-challenge.%s", domain);
	for (i = 0; i < set->nrecords; i++)
		if (set->records[i].solver == s &&
		    strcmp(set->records[i].name, name) == 0)
			r = &set->records[i];
	if (r == NULL) {
		set->records = util_realloc(set->records, set->nrecords + 1,
		    sizeof(*set->records));
		r = &set->records[set->nrecords++];
		memset(r, 0, sizeof(*r));
		r->solver = s;
		r->domain = util_strdup(domain);
		r->name = name;
		name = NULL;
	}
	if (!strlist_has(&r->values, value))
		strlist_add(&r->values, value);
	free(value);
	free(name);
	return 0;
}

/* The servers that answer lookups for s: configured, rfc2136, system. */
static int
lookup_servers(const struct cfg_solver *s, struct dns_servers *via)
{
	struct dns_server one;
	size_t i;

	memset(via, 0, sizeof(*via));
	for (i = 0; i < s->nameservers.n; i++) {
		if (dns_server_parse(s->nameservers.v[i], &one) < 0) {
			log_error("dns-01: nameservers '%s': %s",
			    s->nameservers.v[i], util_error());
			dns_servers_free(via);
			return -1;
		}
		one.recursive = true;
		dns_servers_add(via, &one);
		free(one.label);
		free(one.addr);
	}
	if (via->n > 0)
		return 0;
	if (s->dns_provider == DNS01_RFC2136) {
		/* The server we update is authoritative for the zone. */
		if (dns_server_parse(s->rfc2136_nameserver, &one) < 0) {
			log_error("dns-01: rfc2136 nameserver '%s': %s",
			    s->rfc2136_nameserver, util_error());
			return -1;
		}
		dns_servers_add(via, &one);
		free(one.label);
		free(one.addr);
		return 0;
	}
	if (dns_system_servers(via) < 0) {
		log_error("dns-01: %s", util_error());
		return -1;
	}
	return 0;
}

/* Where the record of name goes: the CNAME target (Follow) and its zone. */
static int
locate(const struct cfg_solver *s, const char *secretsdir,
    const struct dns_servers *via, const char *domain, const char *name,
    bool need_zone, char **target, char **zone)
{
	const struct dnsapi *api = s->dns_provider == DNS01_API ?
	    dnsapi_find(s->api.provider) : NULL;
	struct dnsapi_ctx ctx = { s, secretsdir, NULL, NULL };

	if (api != NULL && api->target != NULL) {
		if (api->target(&ctx, domain, target) < 0)
			return -1;
		log_info("dns-01: %s: the values of %s go to %s", api->name,
		    name, *target);
	} else if (s->dns_follow_cname) {
		if (dns_follow_cname(via, name, target) < 0) {
			log_error("dns-01: following CNAMEs of %s: %s", name,
			    util_error());
			return -1;
		}
		if (strcmp(*target, name) != 0)
			log_info("dns-01: %s is a CNAME; writing the record at "
			    "%s", name, *target);
	} else {
		*target = util_strdup(name);
	}
	if (need_zone && dns_find_zone(via, *target, zone) < 0) {
		log_error("dns-01: finding the zone of %s: %s", *target,
		    util_error());
		return -1;
	}
	return 0;
}

int
dns01_locate(const struct cfg_solver *s, const char *secretsdir,
    const char *domain, bool need_zone, char **target, char **zone)
{
	struct dns_servers via;
	char *name;
	int rc;

	*target = NULL;
	*zone = NULL;
	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	if (lookup_servers(s, &via) < 0)
		return -1;
	name = util_printf("_acme-challenge.%s", domain);
	rc = locate(s, secretsdir, &via, domain, name, need_zone, target,
	    zone);
	dns_servers_free(&via);
	free(name);
	if (rc < 0) {
		free(*target);
		free(*zone);
		*target = *zone = NULL;
	}
	return rc;
}

/* The TSIG secret of s, base64 as in a BIND key; caller frees (secret). */
static char *
tsig_secret(const struct solver_set *set, const struct cfg_solver *s,
    size_t *len)
{
	char *path, *data = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = 0;

	/* path: where it is, for messages; the value never is printed. */
	path = config_secret_where(&s->tsig_secret, NULL, set->secretsdir);
	if (config_secret_get(&s->tsig_secret, NULL, set->secretsdir, 4096,
	    &data, len) < 0) {
		log_error("dns-01: cannot read the TSIG secret %s: %s", path,
		    strerror(errno));
		free(path);
		return NULL;
	}
	while (*len > 0 && (data[*len - 1] == '\n' || data[*len - 1] == '\r' ||
	    data[*len - 1] == ' '))
		data[--*len] = '\0';
	if (b64_std_decode(data, *len, &raw, &rawlen) < 0 || rawlen == 0) {
		log_error("dns-01: the TSIG secret in %s is not base64 (as "
		    "tsig-keygen writes it)", path);
		crypto_secret_free(data, *len);
		data = NULL;
	}
	crypto_secret_free(raw, rawlen);
	free(path);
	return data;
}

int
solver_check_tsig(const struct cfg_solver *s, const char *secretsdir,
    const char *domain)
{
	struct solver_set set = { .secretsdir = secretsdir };
	struct dns_server server = { 0 };
	struct dns_tsig tsig;
	char *secret = NULL, *zone = NULL, *target = NULL;
	size_t slen = 0;
	int rc = -1;

	if (s->tsig_key_name == NULL) {
		log_error("dns-01: the rfc2136 solver has no tsigKeyName: "
		    "nothing to check");
		return -1;
	}
	if ((secret = tsig_secret(&set, s, &slen)) == NULL ||
	    dns01_locate(s, secretsdir, domain, true, &target, &zone) < 0)
		goto out;
	if (dns_server_parse(s->rfc2136_nameserver, &server) < 0) {
		log_error("dns-01: rfc2136 nameserver '%s': %s",
		    s->rfc2136_nameserver, util_error());
		goto out;
	}
	server.tcp = s->rfc2136_tcp;
	tsig.name = s->tsig_key_name;
	tsig.alg = tsig_names[s->tsig_alg];
	tsig.secret = secret;
	if ((rc = dns_tsig_check(&server, &tsig, zone)) < 0)
		log_error("dns-01: %s; fix the rfc2136 solver's tsigKeyName, "
		    "tsigAlgorithm or tsigSecretSecretRef to match the "
		    "nameserver's key", util_error());
out:
	crypto_secret_free(secret, slen);
	free(target);
	free(zone);
	free(server.label);
	free(server.addr);
	return rc;
}

/*
 * Add (or delete) the values of solver s's records that are not (or are)
 * in place, with one UPDATE per zone; r->added follows what succeeded.
 */
static int
rfc2136_apply(struct solver_set *set, const struct cfg_solver *s, bool add)
{
	struct dns_server server;
	struct dns_tsig tsig;
	struct strlist names = { 0 }, values = { 0 }, zones = { 0 };
	char *secret = NULL;
	size_t i, j, z, slen = 0;
	int rc = -1;

	if (dns_server_parse(s->rfc2136_nameserver, &server) < 0) {
		log_error("dns-01: rfc2136 nameserver '%s': %s",
		    s->rfc2136_nameserver, util_error());
		return -1;
	}
	server.tcp = s->rfc2136_tcp;
	if (s->tsig_key_name != NULL) {
		if ((secret = tsig_secret(set, s, &slen)) == NULL)
			goto out;
		tsig.name = s->tsig_key_name;
		tsig.alg = tsig_names[s->tsig_alg];
		tsig.secret = secret;
	}
	for (i = 0; i < set->nrecords; i++)
		if (set->records[i].solver == s && set->records[i].zone &&
		    set->records[i].added != add &&
		    !strlist_has(&zones, set->records[i].zone))
			strlist_add(&zones, set->records[i].zone);
	for (z = 0; z < zones.n; z++) {
		for (i = 0; i < set->nrecords; i++) {
			struct dns_record *r = &set->records[i];

			if (r->solver != s || r->zone == NULL ||
			    r->added == add || strcmp(r->zone, zones.v[z]) != 0)
				continue;
			for (j = 0; j < r->values.n; j++) {
				strlist_add(&names, r->target);
				strlist_add(&values, r->values.v[j]);
			}
		}
		if (dns_update_txt(&server, s->tsig_key_name ? &tsig : NULL,
		    zones.v[z], add, &names, &values, TXT_TTL) < 0) {
			log_error("dns-01: %s", util_error());
			goto out;
		}
		log_info("dns-01: %s %zu TXT record%s %s zone %s at %s",
		    add ? "added" : "removed", names.n, names.n == 1 ? "" : "s",
		    add ? "to" : "from", zones.v[z], server.label);
		for (i = 0; i < set->nrecords; i++)
			if (set->records[i].solver == s &&
			    set->records[i].zone != NULL &&
			    strcmp(set->records[i].zone, zones.v[z]) == 0)
				set->records[i].added = add;
		strlist_free(&names);
		strlist_free(&values);
	}
	rc = 0;
out:
	strlist_free(&names);
	strlist_free(&values);
	strlist_free(&zones);
	crypto_secret_free(secret, slen);
	free(server.label);
	free(server.addr);
	return rc;
}

/* Run the exec hook for every value of r. */
static int
exec_apply(struct dns_record *r, bool add)
{
	const struct cfg_solver *s = r->solver;
	struct strlist argv = { 0 }, env = { 0 };
	char *e;
	size_t i, j;
	int rc = 0;

	for (j = 0; j < r->values.n; j++) {
		for (i = 0; i < s->exec_command.n; i++)
			strlist_add(&argv, s->exec_command.v[i]);
		strlist_add(&argv, add ? "present" : "cleanup");
		strlist_add(&argv, r->target);
		strlist_add(&argv, r->values.v[j]);
		e = util_printf("ACMEC_ACTION=%s", add ? "present" : "cleanup");
		strlist_add(&env, e);
		free(e);
		e = util_printf("ACMEC_RECORD_NAME=%s", r->target);
		strlist_add(&env, e);
		free(e);
		e = util_printf("ACMEC_RECORD_VALUE=%s", r->values.v[j]);
		strlist_add(&env, e);
		free(e);
		e = util_printf("ACMEC_DOMAIN=%s", r->domain);
		strlist_add(&env, e);
		free(e);
		e = util_printf("ACMEC_ZONE=%s", r->zone ? r->zone : "");
		strlist_add(&env, e);
		free(e);
		if (hook_run(&argv, false, &env, (int)s->exec_timeout,
		    "dns01 exec hook") != 0) {
			log_error("dns-01: the hook could not %s the record %s",
			    add ? "add" : "remove", r->target);
			rc = -1;
		}
		strlist_free(&argv);
		strlist_free(&env);
		if (rc < 0 && add)
			return -1;
	}
	if (add)
		r->added = true;
	return rc;
}

/* A provider's API call for r: add its values, or remove them. */
static int
api_apply(struct solver_set *set, struct dns_record *r, bool add)
{
	const struct dnsapi *api = dnsapi_find(r->solver->api.provider);
	struct dnsapi_ctx ctx = { r->solver, set->secretsdir, NULL,
		&set->dnsapi_cache };

	if (api == NULL) {
		log_error("dns-01: no provider '%s'", r->solver->api.provider);
		return -1;
	}
	if (set->dnsapi_http == NULL &&
	    (set->dnsapi_http = http_new(NULL, 0, false)) == NULL) {
		log_error("dns-01: %s", util_error());
		return -1;
	}
	ctx.http = set->dnsapi_http;
	if (!add) {
		dnsapi_cleanup(api, &ctx, r->api_state);
		r->api_state = NULL;
		r->added = false;
		return 0;
	}
	if (r->zone == NULL) {
		log_error("dns-01: no zone found for %s", r->target);
		return -1;
	}
	r->added = true; /* whatever it added is cleaned up, even on error */
	return dnsapi_present(api, &ctx, r->zone, r->target, &r->values,
	    &r->api_state);
}

/* Does every server of auth answer all of r's values? */
static bool
visible(const struct dns_record *r, const struct dns_servers *auth,
    char *lag, size_t laglen)
{
	struct strlist have;
	size_t i, j;

	for (i = 0; i < auth->n; i++) {
		if (dns_txt(&auth->v[i], r->target, &have) < 0) {
			snprintf(lag, laglen, "%s", util_error());
			return false;
		}
		for (j = 0; j < r->values.n; j++)
			if (!strlist_has(&have, r->values.v[j])) {
				snprintf(lag, laglen, "%s does not yet answer "
				    "the new TXT value of %s", auth->v[i].label,
				    r->target);
				strlist_free(&have);
				return false;
			}
		strlist_free(&have);
	}
	return true;
}

/*
 * The servers that must answer each record (its zone's authoritative
 * ones, or the solver's nameservers), ok[i] for records not checked;
 * *deadline from the longest propagation timeout.  -1 reported.
 */
static int
check_servers(struct solver_set *set, struct dns_servers *auth, bool *ok,
    size_t *done, long long *deadline)
{
	struct dns_servers via;
	long long start = *deadline;
	size_t i;

	for (i = 0; i < set->nrecords; i++) {
		struct dns_record *r = &set->records[i];

		if (!r->solver->propagation_check || r->zone == NULL) {
			ok[i] = true;
			(*done)++;
			continue;
		}
		if (start + r->solver->propagation_timeout * 1000 > *deadline)
			*deadline = start + r->solver->propagation_timeout *
			    1000;
		if (lookup_servers(r->solver, &via) < 0)
			return -1;
		if (r->solver->nameservers.n > 0) {
			/* cert-manager's nameservers: asked instead. */
			auth[i] = via;
			continue;
		}
		if (dns_zone_servers(&via, r->zone, &auth[i]) < 0) {
			log_error("dns-01: %s", util_error());
			dns_servers_free(&via);
			return -1;
		}
		dns_servers_free(&via);
	}
	return 0;
}

/* Wait until every server that must answer each record answers it. */
static int
await_propagation(struct solver_set *set)
{
	struct dns_servers *auth;
	long long start = util_now_ms(), deadline = start;
	long long wait = CHECK_FIRST_MS;
	char lag[600] = "";
	size_t i, n = set->nrecords, done = 0;
	bool *ok;
	int rc = -1;

	auth = util_alloc((n + 1) * sizeof(*auth));
	ok = util_alloc((n + 1) * sizeof(*ok));
	if (check_servers(set, auth, ok, &done, &deadline) < 0)
		goto out;
	while (done < n) {
		for (i = 0; i < n; i++)
			if (!ok[i] && visible(&set->records[i], &auth[i], lag,
			    sizeof(lag))) {
				ok[i] = true;
				done++;
			}
		if (done == n)
			break;
		if (util_now_ms() + wait > deadline || util_interrupted()) {
			log_error("dns-01: %s %s (waited %lld s); if the "
			    "nameservers acmec sees are not the ones the CA "
			    "asks (split-horizon DNS), set "
			    "waitInsteadOfSelfCheck on the solver", lag,
			    util_interrupted() ? "when interrupted" :
			    "after the deadline",
			    (util_now_ms() - start) / 1000);
			goto out;
		}
		log_debug("dns-01: %s; checking again in %lld ms", lag, wait);
		util_sleep_ms(wait);
		wait = wait * 2 > CHECK_MAX_MS ? CHECK_MAX_MS : wait * 2;
	}
	if (n > 0)
		log_info("dns-01: the TXT records are visible at every "
		    "nameserver checked (%.1f s)",
		    (double)(util_now_ms() - start) / 1000);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		dns_servers_free(&auth[i]);
	free(auth);
	free(ok);
	return rc;
}

int
dns01_commit(struct solver_set *set)
{
	const struct cfg_solver *s;
	size_t i, j;

	if (set->nrecords == 0)
		return 0;
	/* Find where every record goes before writing any. */
	for (i = 0; i < set->nrecords; i++) {
		struct dns_record *r = &set->records[i];
		bool need_zone = r->solver->dns_provider != DNS01_EXEC ||
		    r->solver->propagation_check;

		if (dns01_locate(r->solver, set->secretsdir, r->domain,
		    need_zone, &r->target, &r->zone) < 0)
			return -1;
	}
	/* Then write them: one UPDATE per rfc2136 solver and zone. */
	for (i = 0; i < set->nrecords; i++) {
		s = set->records[i].solver;
		for (j = 0; j < i; j++)
			if (set->records[j].solver == s)
				break;
		if (j < i)
			continue; /* this solver is done */
		if (s->dns_provider == DNS01_RFC2136) {
			if (rfc2136_apply(set, s, true) < 0)
				return -1;
		} else if (s->dns_provider == DNS01_API) {
			for (j = i; j < set->nrecords; j++)
				if (set->records[j].solver == s &&
				    api_apply(set, &set->records[j], true) < 0)
					return -1;
		} else {
			for (j = i; j < set->nrecords; j++)
				if (set->records[j].solver == s &&
				    exec_apply(&set->records[j], true) < 0)
					return -1;
		}
	}
	return await_propagation(set);
}

void
dns01_cleanup(struct solver_set *set)
{
	const struct cfg_solver *s;
	size_t i, j;

	for (i = 0; i < set->nrecords; i++) {
		struct dns_record *r = &set->records[i];

		if (!r->added)
			continue;
		s = r->solver;
		if (s->dns_provider == DNS01_API) {
			api_apply(set, r, false);
			continue;
		}
		if (s->dns_provider == DNS01_EXEC) {
			exec_apply(r, false);
			r->added = false;
			continue;
		}
		/* rfc2136: every added record of this solver at once. */
		if (rfc2136_apply(set, s, false) < 0) {
			log_warn("dns-01: the TXT records of %s could not be "
			    "removed; remove them by hand", r->target);
			for (j = i; j < set->nrecords; j++)
				if (set->records[j].solver == s)
					set->records[j].added = false;
		}
	}
	for (i = 0; i < set->nrecords; i++) {
		free(set->records[i].domain);
		free(set->records[i].name);
		free(set->records[i].target);
		free(set->records[i].zone);
		strlist_free(&set->records[i].values);
	}
	free(set->records);
	set->records = NULL;
	set->nrecords = 0;
	http_free(set->dnsapi_http);
	set->dnsapi_http = NULL;
	dnsapi_cache_free(set->dnsapi_cache);
	set->dnsapi_cache = NULL;
}
