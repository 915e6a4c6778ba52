/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Issuer and ClusterIssuer: the ACME spec, its account and EAB keys, its
 * solvers (http-01, dns-01, tls-alpn-01) and their selectors.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"


/* ---- Issuer ---- */

static void
f_secret_ref_key_required(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj, bool key_required)
{
	static const struct field fields_req[] = {
		{ "name", K_NAME, offsetof(struct cfg_secret_ref, name), NULL,
		    NULL, F_REQUIRED },
		{ "key", K_STR, offsetof(struct cfg_secret_ref, key), NULL,
		    NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	static const struct field fields_opt[] = {
		{ "name", K_NAME, offsetof(struct cfg_secret_ref, name), NULL,
		    NULL, F_REQUIRED },
		{ "key", K_STR, offsetof(struct cfg_secret_ref, key), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_secret_ref *ref = obj;
	const yaml_node_t *name;
	char *sub;

	if (!cfgw_walk_map(ld, n, path, key_required ? fields_req : fields_opt,
	    ref))
		return;
	if ((name = cfgw_lookup(ld, n, "name")) != NULL)
		ref->pos = cfgw_pos_of(ld, name);
	if (ref->key != NULL && !cfgw_valid_secret_key(ref->key)) {
		sub = util_printf("%s.key", path);
		cfgw_perr(ld, n, sub, "'%s' is not a valid secret key: use letters, "
		    "digits, '-', '_' and '.'", log_esc(ref->key));
		free(sub);
	}
}

static void
f_account_key(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_issuer *is = obj;

	f_secret_ref_key_required(ld, n, path, &is->account_key, false);
}

static void
f_eab_key(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;

	f_secret_ref_key_required(ld, n, path, &is->eab_key, true);
}

static void
f_eab(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const algs[] = { "HS256", "HS384", "HS512", NULL };
	static const struct field fields[] = {
		{ "keyID", K_STR, offsetof(struct cfg_issuer, eab_key_id), NULL,
		    NULL, F_REQUIRED },
		{ "keySecretRef", K_FN, 0, f_eab_key, NULL, F_REQUIRED },
		{ "keyAlgorithm", K_ENUM, offsetof(struct cfg_issuer, eab_alg),
		    NULL, algs, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;

	is->eab_set = true;
	cfgw_walk_map(ld, n, path, fields, is);
}

static void
f_ca_bundle(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;
	unsigned char *pem;
	size_t len;

	if (!cfgw_is_str(ld, n, path))
		return;
	if (b64_std_decode(cfgw_scalar(n), strlen(cfgw_scalar(n)), &pem, &len) < 0) {
		cfgw_perr(ld, n, path, "not base64 (%s): caBundle is the base64 of "
		    "PEM certificates, as in cert-manager", crypto_error());
		return;
	}
	if (strstr((char *)pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		cfgw_perr(ld, n, path, "the decoded caBundle holds no PEM "
		    "CERTIFICATE");
		free(pem);
		return;
	}
	free(is->ca_bundle);
	is->ca_bundle = (char *)pem;
	is->ca_bundle_len = len;
}

static void
f_standalone(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "address", K_STR, offsetof(struct cfg_solver, http_address),
		    NULL, NULL, 0 },
		{ "port", K_PORT, offsetof(struct cfg_solver, http_port), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;
	unsigned char addr[16];

	cfgw_walk_map(ld, n, path, fields, s);
	if (s->http_address != NULL &&
	    inet_pton(AF_INET, s->http_address, addr) != 1 &&
	    inet_pton(AF_INET6, s->http_address, addr) != 1) {
		cfgw_perr(ld, n, path, "address '%s' is not an IP address",
		    log_esc(s->http_address));
	}
}

static void
f_webroot(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "path", K_STR, offsetof(struct cfg_solver, webroot), NULL,
		    NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;

	s->http_mode = HTTP01_WEBROOT;
	cfgw_walk_map(ld, n, path, fields, s);
	if (s->webroot != NULL && s->webroot[0] != '/')
		cfgw_perr(ld, n, path, "webroot path '%s' must be absolute",
		    log_esc(s->webroot));
}

/* ingress / gatewayHTTPRoute: Kubernetes objects; acmec serves itself. */
static void
f_k8s_http(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	if (n->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, n, path, "expected a mapping, found %s", cfgw_kind_name(n));
		return;
	}
	cfgw_note_ignored(ld, path);
	ld->ingress_notice = true;
}

static void
f_http01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "ingress", K_FN, 0, f_k8s_http, NULL, 0 },
		{ "gatewayHTTPRoute", K_FN, 0, f_k8s_http, NULL, 0 },
		{ "standalone", K_FN, 0, f_standalone, NULL, 0 },
		{ "webroot", K_FN, 0, f_webroot, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;
	const yaml_node_pair_t *pair;
	int kinds = 0;

	s->type = SOLVER_HTTP01;
	s->http_mode = HTTP01_STANDALONE;
	s->http_port = 80;
	if (!cfgw_walk_map(ld, n, path, fields, s))
		return;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++)
		kinds++;
	if (kinds != 1)
		cfgw_perr(ld, n, path, "give exactly one of ingress, "
		    "gatewayHTTPRoute, standalone or webroot");
}

static void
f_selector(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/* "host", "host:port", "[v6]:port": syntax only, no lookup here. */
static bool
valid_hostport(const char *s)
{
	const char *colon = strrchr(s, ':'), *end;
	unsigned char a[16];
	char *e;
	long port;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			return false;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if (colon != NULL && strchr(s, ':') != colon) {
		return inet_pton(AF_INET6, s, a) == 1; /* bare IPv6 */
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

	if (!cfgw_is_str(ld, n, path))
		return;
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

	f_secret_ref_key_required(ld, n, path, &sv->tsig_secret, true);
}

static void
f_rfc2136(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const algs[] = { "HMACMD5", "HMACSHA1",
		"HMACSHA256", "HMACSHA512", NULL };
	static const struct field fields[] = {
		{ "nameserver", K_FN, 0, f_nameserver, NULL, F_REQUIRED },
		{ "tsigKeyName", K_STR,
		    offsetof(struct cfg_solver, tsig_key_name), NULL, NULL, 0 },
		{ "tsigAlgorithm", K_ENUM,
		    offsetof(struct cfg_solver, tsig_alg), NULL, algs,
		    F_NOCASE },
		{ "tsigSecretSecretRef", K_FN, 0, f_tsig_secret, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;

	sv->dns_provider = DNS01_RFC2136;
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
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

static void
f_exec(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "command", K_FN, 0, f_exec_command, NULL, F_REQUIRED },
		{ "timeout", K_FN, 0, f_exec_timeout, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;

	sv->dns_provider = DNS01_EXEC;
	cfgw_walk_map(ld, n, path, fields, sv);
}

static void
f_recursive_ns(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;
	size_t i;

	cfgw_read_strlist(ld, n, path, &sv->recursive_ns, NULL);
	for (i = 0; i < sv->recursive_ns.n; i++)
		if (!valid_hostport(sv->recursive_ns.v[i]))
			cfgw_perr(ld, n, path, "'%s' is not host, host:port or "
			    "[IPv6]:port", log_esc(sv->recursive_ns.v[i]));
}

static void
f_propagation_timeout(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	cfgw_duration(ld, n, path,
	    &((struct cfg_solver *)obj)->propagation_timeout);
}

/* cert-manager's other providers live in its Kubernetes controller. */
static void
f_k8s_provider(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	cfgw_perr(ld, n, path, "this provider needs cert-manager's controller; "
	    "use dns01.rfc2136, or dns01.exec with a hook command that "
	    "calls your provider's API");
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

static void
f_propagation_check(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const choices[] = { "Authoritative", "None", NULL };
	static const struct field f = { "propagationCheck", K_ENUM, 0, NULL,
		choices, 0 };
	int v = 0;

	cfgw_read_field(ld, &f, n, path, &v);
	((struct cfg_solver *)obj)->propagation_check = v == 0;
}

static void
f_dns01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "rfc2136", K_FN, 0, f_rfc2136, NULL, 0 },
		{ "exec", K_FN, 0, f_exec, NULL, 0 },
		{ "cnameStrategy", K_FN, 0, f_cname_strategy, NULL, 0 },
		{ "recursiveNameservers", K_FN, 0, f_recursive_ns, NULL, 0 },
		{ "propagationCheck", K_FN, 0, f_propagation_check, NULL, 0 },
		{ "propagationTimeout", K_FN, 0, f_propagation_timeout, NULL,
		    0 },
		{ "acmeDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "akamai", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "azureDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "cloudDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "cloudflare", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "digitalocean", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "route53", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "webhook", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const yaml_node_pair_t *pair;
	const yaml_node_t *k;
	int providers = 0;
	size_t i;

	sv->type = SOLVER_DNS01;
	sv->propagation_check = true;
	sv->propagation_timeout = 300;
	sv->exec_timeout = 120;
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		/* cert-manager's own providers are counted: already refused. */
		for (i = 0; k->type == YAML_SCALAR_NODE &&
		    fields[i].name != NULL; i++)
			if (strcmp(cfgw_scalar(k), fields[i].name) == 0 &&
			    (fields[i].fn == f_rfc2136 || fields[i].fn == f_exec ||
			    fields[i].fn == f_k8s_provider))
				providers++;
	}
	if (providers != 1)
		cfgw_perr(ld, n, path, "give exactly one of rfc2136 or exec");
}

/* acmec's own: tlsalpn01 {address, port}, default all addresses, 443. */
static void
f_tlsalpn01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *s = obj;

	s->type = SOLVER_TLSALPN01;
	s->http_port = 443;
	f_standalone(ld, n, path, s);
}

static void
read_solver(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *s)
{
	static const struct field fields[] = {
		{ "selector", K_FN, 0, f_selector, NULL, 0 },
		{ "http01", K_FN, 0, f_http01, NULL, 0 },
		{ "dns01", K_FN, 0, f_dns01, NULL, 0 },
		{ "tlsalpn01", K_FN, 0, f_tlsalpn01, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_pair_t *pair;
	int kinds = 0;

	s->pos = cfgw_pos_of(ld, n);
	s->http_port = 80;
	if (!cfgw_walk_map(ld, n, path, fields, s))
		return;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++)
		if (strcmp(cfgw_scalar(cfgw_node(ld, pair->key)), "selector") != 0)
			kinds++;
	if (kinds != 1)
		cfgw_perr(ld, n, path, "a solver needs exactly one of http01, dns01 "
		    "or tlsalpn01");
}

static void
f_sel_names(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	cfgw_read_strlist(ld, n, path, &((struct cfg_solver *)obj)->sel_dns_names,
	    NULL);
}

static void
f_sel_zones(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	cfgw_read_strlist(ld, n, path, &((struct cfg_solver *)obj)->sel_dns_zones,
	    NULL);
}

static void
f_sel_labels(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *s = obj;

	cfgw_read_strmap(ld, n, path, &s->sel_label_keys, &s->sel_label_values);
}

static void
f_selector(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "dnsNames", K_FN, 0, f_sel_names, NULL, 0 },
		{ "dnsZones", K_FN, 0, f_sel_zones, NULL, 0 },
		{ "matchLabels", K_FN, 0, f_sel_labels, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_solvers(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;
	const yaml_node_item_t *it;
	char *sub;
	size_t i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s", cfgw_kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		is->solvers = util_realloc(is->solvers, is->nsolvers + 1,
		    sizeof(*is->solvers));
		memset(&is->solvers[is->nsolvers], 0, sizeof(*is->solvers));
		sub = util_printf("%s[%zu]", path, i);
		read_solver(ld, cfgw_node(ld, *it), sub,
		    &is->solvers[is->nsolvers++]);
		free(sub);
	}
}

void
cfgw_acme(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "server", K_STR, offsetof(struct cfg_issuer, server), NULL,
		    NULL, F_REQUIRED },
		{ "email", K_STR, offsetof(struct cfg_issuer, email), NULL,
		    NULL, 0 },
		{ "privateKeySecretRef", K_FN, 0, f_account_key, NULL,
		    F_REQUIRED },
		{ "solvers", K_FN, 0, f_solvers, NULL, 0 },
		{ "caBundle", K_FN, 0, f_ca_bundle, NULL, 0 },
		{ "skipTLSVerify", K_BOOL,
		    offsetof(struct cfg_issuer, skip_tls_verify), NULL, NULL,
		    0 },
		{ "preferredChain", K_STR,
		    offsetof(struct cfg_issuer, preferred_chain), NULL, NULL,
		    0 },
		{ "profile", K_STR, offsetof(struct cfg_issuer, profile), NULL,
		    NULL, 0 },
		{ "disableAccountKeyGeneration", K_BOOL,
		    offsetof(struct cfg_issuer,
		    disable_account_key_generation), NULL, NULL, 0 },
		{ "enableDurationFeature", K_BOOL,
		    offsetof(struct cfg_issuer, enable_duration), NULL, NULL,
		    0 },
		{ "externalAccountBinding", K_FN, 0, f_eab, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;

	if (!cfgw_walk_map(ld, n, path, fields, is))
		return;
	if (is->server != NULL && strncmp(is->server, "https://", 8) != 0)
		cfgw_perr(ld, n, path, "server '%s' must be an https:// URL",
		    log_esc(is->server));
	if (is->nsolvers == 0)
		cfgw_perr(ld, n, path, "at least one entry in solvers is needed");
}

void
cfgw_unsupported_issuer(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	cfgw_perr(ld, n, path, "acmec handles ACME issuers only (spec.acme)");
}
