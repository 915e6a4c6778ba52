/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * A dns01 solver: rfc2136, the acmec.io webhook (a hook command),
 * nameservers, cnameStrategy, the providers (dnsapi.c); solvers only a
 * cluster runs noticed; the old spellings refused with the new one.
 */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"

/* "host", "host:port", "[v6]:port": syntax only, no lookup here. */
static bool
valid_hostport(const char *s)
{
	const char *colon = strrchr(s, ':'), *end;
	char *e;
	long port;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			return false;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if (colon != NULL && strchr(s, ':') != colon) {
		return false; /* IPv6 goes in brackets, as for cert-manager */
	}
	if (colon != NULL) {
		port = strtol(colon + 1, &e, 10);
		if (*e != '\0' || port < 1 || port > 65535)
			return false;
	}
	return s[0] != '\0' && s[0] != ':' &&
	    strcspn(s, " \t/;$`'\"") == strlen(s);
}

static void
f_nameserver(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *sv = obj;
	unsigned char addr[16];

	if (!cfgw_is_str(ld, n, path))
		return;
	if (inet_pton(AF_INET6, cfgw_scalar(n), addr) == 1) {
		cfgw_perr(ld, n, path, "'%s': an IPv6 address goes in brackets, "
		    "as in '[%s]:53'", log_esc(cfgw_scalar(n)),
		    log_esc2(cfgw_scalar(n)));
		return;
	}
	if (!valid_hostport(cfgw_scalar(n))) {
		cfgw_perr(ld, n, path, "'%s' is not host, host:port or [IPv6]:port",
		    log_esc(cfgw_scalar(n)));
		return;
	}
	free(sv->rfc2136_nameserver);
	sv->rfc2136_nameserver = util_strdup(cfgw_scalar(n));
}

static void
f_tsig_secret(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;

	cfgw_secret_ref(ld, n, path, &sv->tsig_secret, true);
}

static void
f_rfc2136(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const algs[] = { "HMACMD5", "HMACSHA1",
		"HMACSHA256", "HMACSHA512", NULL };
	static const char *const protos[] = { "UDP", "TCP", NULL };
	static const struct field fields[] = {
		{ "nameserver", K_FN, 0, f_nameserver, NULL, F_REQUIRED },
		{ "tsigKeyName", K_STR,
		    offsetof(struct cfg_solver, tsig_key_name), NULL, NULL, 0 },
		{ "tsigAlgorithm", K_ENUM,
		    offsetof(struct cfg_solver, tsig_alg), NULL, algs,
		    F_NOCASE },
		{ "tsigSecretSecretRef", K_FN, 0, f_tsig_secret, NULL, 0 },
		{ "protocol", K_ENUM, 0, NULL, protos, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const yaml_node_t *proto;

	sv->dns_provider = DNS01_RFC2136;
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	proto = cfgw_lookup(ld, n, "protocol");
	sv->rfc2136_tcp = proto != NULL && proto->type == YAML_SCALAR_NODE &&
	    strcmp(cfgw_scalar(proto), "TCP") == 0;
	if ((sv->tsig_key_name == NULL) != (sv->tsig_secret.name == NULL))
		cfgw_perr(ld, n, path, "give tsigKeyName and tsigSecretSecretRef "
		    "together");
}

static void
f_exec_command(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list (the command and its "
		    "arguments, run without a shell), found %s", cfgw_kind_name(n));
		return;
	}
	cfgw_read_strlist(ld, n, path, &sv->exec_command, NULL);
	if (sv->exec_command.n == 0)
		cfgw_perr(ld, n, path, "the command list is empty");
}

static void
f_exec_timeout(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	cfgw_duration(ld, n, path, &((struct cfg_solver *)obj)->exec_timeout);
}

/* The config of acmec's own DNS hook: webhook groupName acmec.io. */
static void
read_hook_config(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *sv)
{
	static const struct field fields[] = {
		{ "command", K_FN, 0, f_exec_command, NULL, F_REQUIRED },
		{ "timeout", K_FN, 0, f_exec_timeout, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	sv->dns_provider = DNS01_EXEC;
	cfgw_walk_map(ld, n, path, fields, sv);
}

#define HOOK_GROUP "acmec.io"
#define HOOK_SOLVER "exec"

/*
 * A solver acmec cannot run: noticed, and the names it is selected for
 * fail with why (solver_select), while the rest of the tree runs.
 */
void
cfgw_dns_unsupported(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *sv, const char *why)
{
	log_notice("%s:%lu: %s %s; the names this solver is selected for "
	    "fail (use rfc2136, or a dns01.webhook with groupName "
	    HOOK_GROUP " running a hook that calls your provider)", ld->file,
	    (unsigned long)n->start_mark.line + 1, path, why);
	free(sv->unsupported);
	sv->unsupported = util_printf("%s %s", path, why);
}


static void
f_webhook(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "groupName", K_FN, 0, cfgw_any_str, NULL, F_REQUIRED },
		{ "solverName", K_FN, 0, cfgw_any_str, NULL, F_REQUIRED },
		{ "config", K_FN, 0, cfgw_read_later, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_t *group, *solver, *config;
	char *sub, *why;

	sub = util_printf("%s.config", path);
	if (!cfgw_walk_map(ld, n, path, fields, obj))
		goto out;
	group = cfgw_lookup(ld, n, "groupName");
	solver = cfgw_lookup(ld, n, "solverName");
	config = cfgw_lookup(ld, n, "config");
	if (group == NULL || solver == NULL || cfgw_is_null(group) ||
	    cfgw_is_null(solver) || group->type != YAML_SCALAR_NODE ||
	    solver->type != YAML_SCALAR_NODE)
		goto out; /* reported by the walk */
	if (cfgw_scalar(solver)[0] == '\0') {
		cfgw_perr(ld, solver, path, "solverName: solver name must be "
		    "specified");
	} else if (strcmp(cfgw_scalar(group), HOOK_GROUP) != 0) {
		why = util_printf("is webhook solver '%s' of group '%s', which "
		    "runs inside a Kubernetes cluster only", log_esc(
		    cfgw_scalar(solver)), log_esc2(cfgw_scalar(group)));
		cfgw_dns_unsupported(ld, n, path, obj, why);
		free(why);
	} else if (strcmp(cfgw_scalar(solver), HOOK_SOLVER) != 0) {
		cfgw_perr(ld, solver, path, "group " HOOK_GROUP " has one solver, "
		    "'" HOOK_SOLVER "' (a hook command); found '%s'",
		    log_esc(cfgw_scalar(solver)));
	} else if (config == NULL || cfgw_is_null(config)) {
		cfgw_perr(ld, n, sub, "required field is missing (config: "
		    "{command: [/path/to/hook, args...], timeout: 2m})");
	} else {
		read_hook_config(ld, config, sub, obj);
	}
out:
	free(sub);
}

static void
f_old_exec(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	cfgw_perr(ld, n, path, "dns01.exec is acmec's old spelling, which a "
	    "cluster refuses: write dns01: {webhook: {groupName: " HOOK_GROUP
	    ", solverName: " HOOK_SOLVER ", config: {command: [...], "
	    "timeout: ...}}}");
}

/* host:port (a port is required), or an https:// DoH server. */
static void
f_nameservers(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;
	struct strlist all = { 0 };
	const char *v, *colon;
	size_t i;

	cfgw_read_strlist(ld, n, path, &all, NULL);
	for (i = 0; i < all.n; i++) {
		v = all.v[i];
		colon = strrchr(v, ':');
		if (strncmp(v, "https://", 8) == 0) {
			if (v[8] == '\0' || v[8] == '/')
				cfgw_perr(ld, n, path, "'%s' must be in the format "
				    "https://<DoH RFC 8484 server address>",
				    log_esc(v));
			else
				log_notice("%s:%lu: %s: '%s' is a DNS over HTTPS "
				    "server, which acmec does not speak: it "
				    "asks the zone's authoritative nameservers "
				    "instead", ld->file,
				    (unsigned long)n->start_mark.line + 1, path,
				    log_esc(v));
		} else if (colon == NULL || !valid_hostport(v) ||
		    (v[0] != '[' && strchr(v, ':') != colon)) {
			cfgw_perr(ld, n, path, "'%s' must be in the format "
			    "<ip address>:<port>", log_esc(v));
		} else {
			strlist_add(&sv->nameservers, v);
		}
	}
	strlist_free(&all);
}

static void
f_old_recursive_ns(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	cfgw_perr(ld, n, path, "recursiveNameservers is acmec's old spelling, "
	    "which a cluster refuses: write dns01.nameservers (host:port "
	    "entries)");
}

static void
f_old_propagation(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	if (util_endswith(path, "propagationCheck"))
		cfgw_perr(ld, n, path, "propagationCheck is acmec's old "
		    "spelling, which a cluster refuses: write "
		    "waitInsteadOfSelfCheck: 0s on the solver (beside dns01) "
		    "to skip the check");
	else
		cfgw_perr(ld, n, path, "propagationTimeout is acmec's old "
		    "spelling, which a cluster refuses: write metadata."
		    "annotations: {acmec.io/dns01-propagation-timeout: %s} on "
		    "the issuer", n->type == YAML_SCALAR_NODE ?
		    log_esc(cfgw_scalar(n)) : "5m");
}

static void
f_cname_strategy(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const choices[] = { "None", "Follow", NULL };
	static const struct field f = { "cnameStrategy", K_ENUM, 0, NULL,
		choices, 0 };
	int v = 0;

	cfgw_read_field(ld, &f, n, path, &v);
	((struct cfg_solver *)obj)->dns_follow_cname = v == 1;
}

void
cfgw_dns01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const providers[] = { "rfc2136", "webhook",
		"acmeDNS", "akamai", "azureDNS", "cloudDNS", "cloudflare",
		"digitalocean", "route53", "exec", NULL };
	static const struct field fields[] = {
		{ "rfc2136", K_FN, 0, f_rfc2136, NULL, 0 },
		{ "webhook", K_FN, 0, f_webhook, NULL, 0 },
		{ "cnameStrategy", K_FN, 0, f_cname_strategy, NULL, 0 },
		{ "nameservers", K_FN, 0, f_nameservers, NULL, 0 },
		{ "acmeDNS", K_FN, 0, cfgw_acme_dns, NULL, 0 },
		{ "akamai", K_FN, 0, cfgw_akamai, NULL, 0 },
		{ "azureDNS", K_FN, 0, cfgw_azure_dns, NULL, 0 },
		{ "cloudDNS", K_FN, 0, cfgw_clouddns, NULL, 0 },
		{ "cloudflare", K_FN, 0, cfgw_cloudflare, NULL, 0 },
		{ "digitalocean", K_FN, 0, cfgw_digitalocean, NULL, 0 },
		{ "route53", K_FN, 0, cfgw_route53, NULL, 0 },
		{ "exec", K_FN, 0, f_old_exec, NULL, F_OLD },
		{ "recursiveNameservers", K_FN, 0, f_old_recursive_ns, NULL,
		    F_OLD },
		{ "propagationCheck", K_FN, 0, f_old_propagation, NULL, F_OLD },
		{ "propagationTimeout", K_FN, 0, f_old_propagation, NULL, F_OLD },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const yaml_node_t *v;
	int count = 0;
	size_t i;

	sv->type = SOLVER_DNS01;
	sv->propagation_check = true;
	sv->propagation_timeout = 300;
	sv->exec_timeout = 120;
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	for (i = 0; providers[i] != NULL; i++)
		if ((v = cfgw_lookup(ld, n, providers[i])) != NULL &&
		    !cfgw_is_null(v))
			count++;
	if (count == 0)
		cfgw_perr(ld, n, path, "no DNS01 provider configured: give "
		    "rfc2136, or webhook (groupName: " HOOK_GROUP ")");
	else if (count > 1)
		cfgw_perr(ld, n, path, "may not specify more than one provider "
		    "type");
}

