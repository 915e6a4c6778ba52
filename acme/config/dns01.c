/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * A dns01 solver: rfc2136, the acmec.io webhook (a hook command),
 * nameservers, cnameStrategy; providers only a cluster runs noticed; the
 * old spellings refused with the new one.
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
static void
unsupported(struct ld *ld, const yaml_node_t *n, const char *path,
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
		unsupported(ld, n, path, obj, why);
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

const char *
config_dnsapi_str(const struct cfg_dnsapi *api, const char *name)
{
	size_t i;

	for (i = 0; i < api->names.n; i++)
		if (strcmp(api->names.v[i], name) == 0)
			return api->values.v[i];
	return NULL;
}

const struct cfg_secret_ref *
config_dnsapi_ref(const struct cfg_dnsapi *api, const char *name)
{
	size_t i;

	for (i = 0; i < api->nrefs; i++)
		if (strcmp(api->ref_names[i], name) == 0)
			return &api->refs[i];
	return NULL;
}

/* A provider's string field, kept by its name ("" is unset). */
static void
f_api_str(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *sv = obj;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	strlist_add(&sv->api.names, strrchr(path, '.') + 1);
	strlist_add(&sv->api.values, cfgw_scalar(n));
}

/* A provider's SecretRef: name and key both, as cert-manager checks. */
static void
f_api_ref(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *sv = obj;
	struct cfg_secret_ref *ref;

	if (sv->api.nrefs == CFG_DNSAPI_REFS)
		abort(); /* more refs than any provider has: a bug */
	ref = &sv->api.refs[sv->api.nrefs];
	memset(ref, 0, sizeof(*ref));
	cfgw_secret_ref(ld, n, path, ref, true);
	if (ref->name == NULL || ref->key == NULL) {
		free(ref->name);
		free(ref->key);
		memset(ref, 0, sizeof(*ref));
		return; /* reported */
	}
	sv->api.ref_names[sv->api.nrefs++] = util_strdup(strrchr(path, '.') +
	    1);
}

/* cloudflare: an API token, or the global API key with its email. */
static void
f_cloudflare(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "email", K_FN, 0, f_api_str, NULL, 0 },
		{ "apiKeySecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "apiTokenSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const struct cfg_secret_ref *key, *token;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "cloudflare";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	key = config_dnsapi_ref(&sv->api, "apiKeySecretRef");
	token = config_dnsapi_ref(&sv->api, "apiTokenSecretRef");
	if (key != NULL && token != NULL)
		cfgw_perr(ld, n, path, "apiKeySecretRef and apiTokenSecretRef "
		    "cannot both be specified: an API token is the safer");
	else if (key == NULL && token == NULL &&
	    cfgw_lookup(ld, n, "apiKeySecretRef") == NULL &&
	    cfgw_lookup(ld, n, "apiTokenSecretRef") == NULL)
		cfgw_perr(ld, n, path, "apiKeySecretRef or apiTokenSecretRef is "
		    "required (an API token with Zone:Read and DNS:Edit)");
	if (key != NULL && config_dnsapi_str(&sv->api, "email") == NULL) {
		sub = util_printf("%s.email", path);
		cfgw_perr(ld, n, sub, "required with apiKeySecretRef: the "
		    "account's email address");
		free(sub);
	}
}

/* acmeDNS: the acme-dns server and the accounts' JSON. */
static void
f_acme_dns(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "host", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "accountSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const char *host;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "acmeDNS";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	host = config_dnsapi_str(&sv->api, "host");
	if (host != NULL && (strncmp(host, "https://", 8) != 0 ||
	    host[8] == '\0' || host[8] == '/')) {
		sub = util_printf("%s.host", path);
		cfgw_perr(ld, n, sub, "'%s' must be an https:// URL: the "
		    "account's password goes to it", log_esc(host));
		free(sub);
	}
}

/*
 * akamai: the API client's host and its three EdgeGrid credentials.  The
 * host is a name alone (akab-....luna.akamaiapis.net), reached over https.
 */
static void
f_akamai(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "serviceConsumerDomain", K_FN, 0, f_api_str, NULL,
		    F_REQUIRED },
		{ "clientTokenSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ "clientSecretSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ "accessTokenSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const char *host;
	size_t len;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "akamai";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	if ((host = config_dnsapi_str(&sv->api, "serviceConsumerDomain")) ==
	    NULL)
		return;
	len = strlen(host);
	if (len > 253 || host[0] == '.' || host[0] == '-' ||
	    host[len - 1] == '.' || strstr(host, "..") != NULL ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.") != len) {
		sub = util_printf("%s.serviceConsumerDomain", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "serviceConsumerDomain"), sub,
		    "'%s' must be the API client's host name alone (the host "
		    "of its .edgerc, akab-....luna.akamaiapis.net): no "
		    "scheme, port or path; acmec reaches it over https",
		    log_esc(host));
		free(sub);
	}
}

/* digitalocean: a personal access token. */
static void
f_digitalocean(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "tokenSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "digitalocean";
	cfgw_walk_map(ld, n, path, fields, sv);
}

/*
 * cloudDNS: project (required), hostedZoneName, serviceAccountSecretRef
 * (without it: the metadata server).  Both names go into API paths, so
 * they are checked here, where the file and line are known.
 */
static void
f_clouddns(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "project", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "hostedZoneName", K_FN, 0, f_api_str, NULL, 0 },
		{ "serviceAccountSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const char *project, *zone;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "cloudDNS";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	project = config_dnsapi_str(&sv->api, "project");
	zone = config_dnsapi_str(&sv->api, "hostedZoneName");
	if (project != NULL && (strlen(project) > 100 || strspn(project,
	    "abcdefghijklmnopqrstuvwxyz0123456789-.:") != strlen(project))) {
		sub = util_printf("%s.project", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "project"), sub, "'%s' is not a Google Cloud project ID "
		    "(lowercase letters, digits and hyphens, e.g. my-project-123)",
		    log_esc(project));
		free(sub);
	}
	if (zone != NULL && (strlen(zone) > 63 || strspn(zone,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(zone))) {
		sub = util_printf("%s.hostedZoneName", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "hostedZoneName"), sub, "'%s' is not a Cloud DNS managed zone name "
		    "(lowercase letters, digits and hyphens, e.g. example-com; "
		    "not the zone's DNS name)", log_esc(zone));
		free(sub);
	}
}

/* azureDNS.environment: cert-manager's four clouds. */
static void
f_azure_env(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const envs[] = { "AzurePublicCloud",
		"AzureChinaCloud", "AzureGermanCloud", "AzureUSGovernmentCloud",
		NULL };
	size_t i;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	for (i = 0; envs[i] != NULL; i++)
		if (strcmp(envs[i], cfgw_scalar(n)) == 0) {
			f_api_str(ld, n, path, obj);
			return;
		}
	cfgw_perr(ld, n, path, "'%s': must be either empty or one of "
	    "AzurePublicCloud, AzureChinaCloud, AzureGermanCloud, or "
	    "AzureUSGovernmentCloud", log_esc(cfgw_scalar(n)));
}

/* azureDNS.zoneType: Azure DNS's public zones or Azure Private DNS. */
static void
f_azure_zone_type(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	if (strcmp(cfgw_scalar(n), "AzurePublicZone") == 0 ||
	    strcmp(cfgw_scalar(n), "AzurePrivateZone") == 0)
		f_api_str(ld, n, path, obj);
	else
		cfgw_perr(ld, n, path, "'%s': supported values: "
		    "AzurePublicZone, AzurePrivateZone", log_esc(cfgw_scalar(n)));
}

/* A managedIdentity field, kept as "managedIdentity.NAME". */
static void
f_azure_mi_str(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;
	char *name;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	name = util_printf("managedIdentity.%s", strrchr(path, '.') + 1);
	strlist_add(&sv->api.names, name);
	strlist_add(&sv->api.values, cfgw_scalar(n));
	free(name);
}

/* azureDNS.managedIdentity, with cert-manager's refusals. */
static void
f_azure_mi(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "clientID", K_FN, 0, f_azure_mi_str, NULL, 0 },
		{ "resourceID", K_FN, 0, f_azure_mi_str, NULL, 0 },
		{ "tenantID", K_FN, 0, f_azure_mi_str, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	bool client, res, tenant;

	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	strlist_add(&sv->api.names, "managedIdentity");
	strlist_add(&sv->api.values, "");
	client = config_dnsapi_str(&sv->api, "managedIdentity.clientID");
	res = config_dnsapi_str(&sv->api, "managedIdentity.resourceID");
	tenant = config_dnsapi_str(&sv->api, "managedIdentity.tenantID");
	if (client && res)
		cfgw_perr(ld, n, path, "managedIdentityClientID and "
		    "managedIdentityResourceID cannot both be specified");
	if (tenant && res)
		cfgw_perr(ld, n, path, "managedIdentityTenantID and "
		    "managedIdentityResourceID cannot both be specified");
	if (tenant && !client)
		cfgw_perr(ld, n, path, "managedIdentityClientID is required "
		    "when using managedIdentityTenantID");
}

/* Is key of mapping n given, not null? */
static bool
given(struct ld *ld, const yaml_node_t *n, const char *key)
{
	const yaml_node_t *v = cfgw_lookup(ld, n, key);

	return v != NULL && !cfgw_is_null(v);
}

/* azureDNS: a service principal, all three of its fields, or none. */
static void
azure_principal(struct ld *ld, const yaml_node_t *n, const char *path)
{
	static const char *const need[] = { "clientID",
		"clientSecretSecretRef", "tenantID", NULL };
	char *sub;
	size_t i;

	if (!given(ld, n, "clientID") && !given(ld, n, "tenantID") &&
	    !given(ld, n, "clientSecretSecretRef"))
		return; /* a managed identity */
	for (i = 0; need[i] != NULL; i++) {
		if (given(ld, n, need[i]))
			continue;
		sub = util_printf("%s.%s", path, need[i]);
		cfgw_perr(ld, n, sub, "required with a service principal: "
		    "give clientID, clientSecretSecretRef and tenantID, or "
		    "none of them for a managed identity");
		free(sub);
	}
	if (given(ld, n, "managedIdentity")) {
		sub = util_printf("%s.managedIdentity", path);
		cfgw_perr(ld, n, sub, "managed identity cannot be used at the "
		    "same time as clientID, clientSecretSecretRef or tenantID");
		free(sub);
	}
}

/* azureDNS: a subscription's zone, as a principal or managed identity. */
static void
f_azure_dns(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const req[] = { "subscriptionID",
		"resourceGroupName", NULL };
	static const struct field fields[] = {
		{ "clientID", K_FN, 0, f_api_str, NULL, 0 },
		{ "clientSecretSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "subscriptionID", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "tenantID", K_FN, 0, f_api_str, NULL, 0 },
		{ "resourceGroupName", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "hostedZoneName", K_FN, 0, f_api_str, NULL, 0 },
		{ "environment", K_FN, 0, f_azure_env, NULL, 0 },
		{ "managedIdentity", K_FN, 0, f_azure_mi, NULL, 0 },
		{ "zoneType", K_FN, 0, f_azure_zone_type, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	char *sub;
	size_t i;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "azureDNS";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	azure_principal(ld, n, path);
	for (i = 0; req[i] != NULL; i++) {
		if (!given(ld, n, req[i]) ||
		    config_dnsapi_str(&sv->api, req[i]) != NULL)
			continue; /* missing: reported by the walk */
		sub = util_printf("%s.%s", path, req[i]);
		cfgw_perr(ld, n, sub, "required field is empty");
		free(sub);
	}
}

static void
f_audiences(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct strlist l = { 0 };

	(void)obj;
	cfgw_read_strlist(ld, n, path, &l, NULL);
	strlist_free(&l);
}

/* route53.auth.kubernetes.serviceAccountRef: a cluster's tokens. */
static void
f_sa_ref(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "name", K_FN, 0, cfgw_any_str, NULL, F_REQUIRED },
		{ "audiences", K_FN, 0, f_audiences, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_r53_k8s(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "serviceAccountRef", K_FN, 0, f_sa_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_r53_auth(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "kubernetes", K_FN, 0, f_r53_k8s, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	if (cfgw_walk_map(ld, n, path, fields, obj))
		unsupported(ld, n, path, obj, "authenticates with a "
		    "Kubernetes ServiceAccount token, which only a cluster has "
		    "(off Kubernetes: keys in Secrets, or the machine's AWS "
		    "credentials)");
}

/* Refuse the string field unless ok: "'value' is not what". */
static void
api_str_check(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *sv, const char *field, bool (*ok)(const char *),
    const char *what)
{
	const char *v = config_dnsapi_str(&sv->api, field);
	char *sub;

	if (v == NULL || ok(v))
		return;
	sub = util_printf("%s.%s", path, field);
	cfgw_perr(ld, n, sub, "'%s' is not %s", log_esc(v), what);
	free(sub);
}

static bool
r53_zone_ok(const char *v)
{
	if (strncmp(v, "/hostedzone/", 12) == 0)
		v += 12;
	return *v != '\0' && strlen(v) <= 32 &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(v);
}

static bool
aws_region_ok(const char *v)
{
	return strlen(v) < 24 && strspn(v,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(v);
}

static bool
aws_arn_ok(const char *v)
{
	return strncmp(v, "arn:", 4) == 0 && strchr(v, '/') != NULL;
}

/* route53: keys in Secrets, or the machine's AWS credentials. */
static void
f_route53(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "accessKeyID", K_FN, 0, f_api_str, NULL, 0 },
		{ "accessKeyIDSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "secretAccessKeySecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "role", K_FN, 0, f_api_str, NULL, 0 },
		{ "hostedZoneID", K_FN, 0, f_api_str, NULL, 0 },
		{ "region", K_FN, 0, f_api_str, NULL, 0 },
		{ "auth", K_FN, 0, f_r53_auth, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	bool id;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "route53";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	id = config_dnsapi_str(&sv->api, "accessKeyID") != NULL ||
	    config_dnsapi_ref(&sv->api, "accessKeyIDSecretRef") != NULL;
	if (config_dnsapi_str(&sv->api, "accessKeyID") != NULL &&
	    config_dnsapi_ref(&sv->api, "accessKeyIDSecretRef") != NULL)
		cfgw_perr(ld, n, path, "accessKeyID and accessKeyIDSecretRef "
		    "cannot both be specified");
	else if (id != (config_dnsapi_ref(&sv->api,
	    "secretAccessKeySecretRef") != NULL))
		cfgw_perr(ld, n, path, "only one of access and secret key was "
		    "provided: give accessKeyID (or accessKeyIDSecretRef) with "
		    "secretAccessKeySecretRef, or neither for the machine's AWS "
		    "credentials");
	api_str_check(ld, n, path, sv, "hostedZoneID", r53_zone_ok, "a "
	    "Route 53 hosted zone id (upper-case letters and digits)");
	api_str_check(ld, n, path, sv, "region", aws_region_ok, "an AWS "
	    "region (us-east-1)");
	api_str_check(ld, n, path, sv, "role", aws_arn_ok, "a role ARN "
	    "(arn:aws:iam::ACCOUNT:role/NAME)");
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
		{ "acmeDNS", K_FN, 0, f_acme_dns, NULL, 0 },
		{ "akamai", K_FN, 0, f_akamai, NULL, 0 },
		{ "azureDNS", K_FN, 0, f_azure_dns, NULL, 0 },
		{ "cloudDNS", K_FN, 0, f_clouddns, NULL, 0 },
		{ "cloudflare", K_FN, 0, f_cloudflare, NULL, 0 },
		{ "digitalocean", K_FN, 0, f_digitalocean, NULL, 0 },
		{ "route53", K_FN, 0, f_route53, NULL, 0 },
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

