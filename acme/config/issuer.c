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

/*
 * acmec's old in-spec spellings: refused, with the spelling that a
 * cluster accepts (acmec.conf(5), ANNOTATIONS).
 */
static char *
old_listen(struct ld *ld, const yaml_node_t *n, const char *dflt)
{
	const yaml_node_t *a = cfgw_lookup(ld, n, "address");
	const yaml_node_t *p = cfgw_lookup(ld, n, "port");
	const char *addr = a != NULL && a->type == YAML_SCALAR_NODE ?
	    cfgw_scalar(a) : "";
	const char *port = p != NULL && p->type == YAML_SCALAR_NODE ?
	    cfgw_scalar(p) : dflt;

	return util_printf(strchr(addr, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    log_esc(addr), log_esc2(port));
}

static void
f_old_standalone(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	char *listen = old_listen(ld, n, "80");

	(void)obj;
	cfgw_perr(ld, n, path, "http01.standalone is acmec's old spelling, "
	    "which a cluster refuses: write http01: {ingress: {}} and, on the "
	    "issuer, metadata.annotations: {acmec.io/http01-listen: \"%s\"} "
	    "(:80 is the default)", listen);
	free(listen);
}

static void
f_old_webroot(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	const yaml_node_t *p = cfgw_lookup(ld, n, "path");

	(void)obj;
	cfgw_perr(ld, n, path, "http01.webroot is acmec's old spelling, which "
	    "a cluster refuses: write http01: {ingress: {}} and, on the issuer, "
	    "metadata.annotations: {acmec.io/http01-webroot: %s}",
	    p != NULL && p->type == YAML_SCALAR_NODE ?
	    log_esc(cfgw_scalar(p)) : "/var/www/html");
}

static void
f_old_tlsalpn01(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	char *listen = old_listen(ld, n, "443");

	(void)obj;
	cfgw_perr(ld, n, path, "tlsalpn01 is acmec's old spelling, which a "
	    "cluster refuses: write http01: {ingress: {}} and, on the issuer, "
	    "metadata.annotations: {acmec.io/tlsalpn01-listen: \"%s\"}",
	    listen);
	free(listen);
}

/*
 * ingress / gatewayHTTPRoute: Kubernetes objects in a cluster; off it,
 * acmec answers the challenge itself (acmec.io/ annotations say how).
 */
static void
f_ingress_name(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	if (!cfgw_is_str(ld, n, path))
		return;
	cfgw_note_ignored(ld, path);
	if (cfgw_scalar(n)[0] != '\0' && !config_valid_k8s_name(cfgw_scalar(n)))
		cfgw_perr(ld, n, path, "'%s' must be a valid IngressClass name "
		    "(lower case letters, digits, '-' and '.')",
		    log_esc(cfgw_scalar(n)));
}

static void
f_service_type(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	if (!cfgw_is_str(ld, n, path))
		return;
	cfgw_note_ignored(ld, path);
	if (cfgw_scalar(n)[0] != '\0' &&
	    strcmp(cfgw_scalar(n), "ClusterIP") != 0 &&
	    strcmp(cfgw_scalar(n), "NodePort") != 0)
		cfgw_perr(ld, n, path, "'%s' must be empty, \"ClusterIP\" or "
		    "\"NodePort\"", log_esc(cfgw_scalar(n)));
}

static void
f_any_str(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	cfgw_is_str(ld, n, path);
}

/* A string that only means something inside Kubernetes. */
static void
f_k8s_str(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	if (cfgw_is_str(ld, n, path))
		cfgw_note_ignored(ld, path);
}

static void
f_str_map(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct strlist k = { 0 }, v = { 0 };

	(void)obj;
	cfgw_read_strmap(ld, n, path, &k, &v);
	strlist_free(&k);
	strlist_free(&v);
}

static void
f_object_meta(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "annotations", K_FN, 0, f_str_map, NULL, 0 },
		{ "labels", K_FN, 0, f_str_map, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_ingress_template(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "metadata", K_FN, 0, f_object_meta, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	if (cfgw_walk_map(ld, n, path, fields, obj))
		cfgw_note_ignored(ld, path);
}

static void
f_ingress(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "class", K_FN, 0, f_k8s_str, NULL, 0 },
		{ "ingressClassName", K_FN, 0, f_ingress_name, NULL, 0 },
		{ "name", K_FN, 0, f_k8s_str, NULL, 0 },
		{ "serviceType", K_FN, 0, f_service_type, NULL, 0 },
		{ "ingressTemplate", K_FN, 0, f_ingress_template, NULL, 0 },
		{ "podTemplate", K_IGNORE, 0, NULL, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_t *name;
	int set = 0;

	if (!cfgw_walk_map(ld, n, path, fields, obj))
		return;
	/* class and ingressClassName count even when "", as cert-manager. */
	set += cfgw_lookup(ld, n, "class") != NULL &&
	    !cfgw_is_null(cfgw_lookup(ld, n, "class"));
	set += cfgw_lookup(ld, n, "ingressClassName") != NULL &&
	    !cfgw_is_null(cfgw_lookup(ld, n, "ingressClassName"));
	name = cfgw_lookup(ld, n, "name");
	set += name != NULL && name->type == YAML_SCALAR_NODE &&
	    cfgw_scalar(name)[0] != '\0';
	if (set > 1)
		cfgw_perr(ld, n, path, "only one of 'ingressClassName', 'name' or "
		    "'class' should be specified");
}

static void
f_parent_refs(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "group", K_FN, 0, f_any_str, NULL, 0 },
		{ "kind", K_FN, 0, f_any_str, NULL, 0 },
		{ "name", K_FN, 0, f_any_str, NULL, F_REQUIRED },
		{ "namespace", K_FN, 0, f_any_str, NULL, 0 },
		{ "port", K_PORT, 0, NULL, NULL, 0 },
		{ "sectionName", K_FN, 0, f_any_str, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_item_t *it;
	char *sub;
	int port;
	size_t i = 0;

	(void)obj;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s",
		    cfgw_kind_name(n));
		return;
	}
	cfgw_note_ignored(ld, path);
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		sub = util_printf("%s[%zu]", path, i);
		cfgw_walk_map(ld, cfgw_node(ld, *it), sub, fields, &port);
		free(sub);
	}
}

static void
f_k8s_map(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	f_str_map(ld, n, path, obj);
	cfgw_note_ignored(ld, path);
}

static void
f_gateway(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "labels", K_FN, 0, f_k8s_map, NULL, 0 },
		{ "parentRefs", K_FN, 0, f_parent_refs, NULL, 0 },
		{ "serviceType", K_FN, 0, f_service_type, NULL, 0 },
		{ "podTemplate", K_IGNORE, 0, NULL, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_http01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "ingress", K_FN, 0, f_ingress, NULL, 0 },
		{ "gatewayHTTPRoute", K_FN, 0, f_gateway, NULL, 0 },
		{ "standalone", K_FN, 0, f_old_standalone, NULL, F_OLD },
		{ "webroot", K_FN, 0, f_old_webroot, NULL, F_OLD },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;
	size_t kinds;

	s->type = SOLVER_HTTP01;
	s->http_mode = HTTP01_STANDALONE;
	s->http_port = 80;
	if (!cfgw_walk_map(ld, n, path, fields, s))
		return;
	if (cfgw_lookup(ld, n, "standalone") != NULL ||
	    cfgw_lookup(ld, n, "webroot") != NULL)
		return; /* refused above */
	kinds = cfgw_count_set(ld, n, NULL);
	if (kinds == 0)
		cfgw_perr(ld, n, path, "no HTTP01 solver type configured: give "
		    "ingress: {} (off Kubernetes, acmec answers the challenges "
		    "itself; see the acmec.io/ annotations)");
	else if (kinds > 1)
		cfgw_perr(ld, n, path, "only 1 HTTP01 solver type may be "
		    "configured: give ingress or gatewayHTTPRoute");
}

static void
f_selector(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

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

	f_secret_ref_key_required(ld, n, path, &sv->tsig_secret, true);
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
		{ "groupName", K_FN, 0, f_any_str, NULL, F_REQUIRED },
		{ "solverName", K_FN, 0, f_any_str, NULL, F_REQUIRED },
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

/* cert-manager's cloud providers: issue 14. */
static void
f_k8s_provider(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	if (n->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, n, path, "expected a mapping, found %s",
		    cfgw_kind_name(n));
		return;
	}
	unsupported(ld, n, path, obj, "is a provider acmec does not speak "
	    "yet");
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
f_dns01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const providers[] = { "rfc2136", "webhook",
		"acmeDNS", "akamai", "azureDNS", "cloudDNS", "cloudflare",
		"digitalocean", "route53", "exec", NULL };
	static const struct field fields[] = {
		{ "rfc2136", K_FN, 0, f_rfc2136, NULL, 0 },
		{ "webhook", K_FN, 0, f_webhook, NULL, 0 },
		{ "cnameStrategy", K_FN, 0, f_cname_strategy, NULL, 0 },
		{ "nameservers", K_FN, 0, f_nameservers, NULL, 0 },
		{ "acmeDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "akamai", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "azureDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "cloudDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "cloudflare", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "digitalocean", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "route53", K_FN, 0, f_k8s_provider, NULL, 0 },
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

/* waitInsteadOfSelfCheck: a Go duration, 0 allowed, never negative. */
static void
f_wait_instead(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *s = obj;
	long long v = 0;

	if (!cfgw_is_str(ld, n, path))
		return;
	if (strcmp(cfgw_scalar(n), "0") != 0 &&
	    config_parse_duration(cfgw_scalar(n), &v) < 0) {
		cfgw_perr(ld, n, path, "'%s' is not a duration such as 30s or "
		    "2m (0s: ask the CA at once; negative is not allowed)",
		    log_esc(cfgw_scalar(n)));
		return;
	}
	s->wait_instead = v;
}

static void
read_solver(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *s)
{
	static const struct field fields[] = {
		{ "selector", K_FN, 0, f_selector, NULL, 0 },
		{ "http01", K_FN, 0, f_http01, NULL, 0 },
		{ "dns01", K_FN, 0, f_dns01, NULL, 0 },
		{ "waitInsteadOfSelfCheck", K_FN, 0, f_wait_instead, NULL, 0 },
		{ "tlsalpn01", K_FN, 0, f_old_tlsalpn01, NULL, F_OLD },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_t *h, *d;
	bool has_http, has_dns;

	s->pos = cfgw_pos_of(ld, n);
	s->http_port = 80;
	s->wait_instead = -1;
	if (!cfgw_walk_map(ld, n, path, fields, s))
		return;
	if (cfgw_lookup(ld, n, "tlsalpn01") != NULL)
		return; /* refused above */
	h = cfgw_lookup(ld, n, "http01");
	d = cfgw_lookup(ld, n, "dns01");
	has_http = h != NULL && !cfgw_is_null(h);
	has_dns = d != NULL && !cfgw_is_null(d);
	if (has_http && has_dns)
		cfgw_perr(ld, n, path, "may not specify more than one solver type "
		    "in a single solver: split it into two solvers");
	else if (!has_http && !has_dns)
		cfgw_perr(ld, n, path, "no solver type configured: give http01 "
		    "or dns01");
	if (s->wait_instead >= 0 && s->type == SOLVER_DNS01)
		s->propagation_check = false;
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

/* The account's contact: an address a CA takes (cert-manager checks none). */
static void
f_email(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field f = { "email", K_STR,
		offsetof(struct cfg_issuer, email), NULL, NULL, 0 };
	struct cfg_issuer *is = obj;
	char *why = NULL;

	cfgw_read_field(ld, &f, n, path, is);
	if (is->email == NULL || config_check_email(is->email, &why) == 0)
		return;
	cfgw_perr(ld, n, path, "'%s' %s", log_esc(is->email), why);
	free(why);
	free(is->email);
	is->email = NULL;
}

void
cfgw_acme(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const ari[] = { "ARI", "None", NULL };
	static const struct field fields[] = {
		{ "server", K_STR, offsetof(struct cfg_issuer, server), NULL,
		    NULL, F_REQUIRED },
		{ "email", K_FN, 0, f_email, NULL, 0 },
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
		{ "renewalInformationSource", K_ENUM,
		    offsetof(struct cfg_issuer, ari_source), NULL, ari, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;
	char *sub;

	if (!cfgw_walk_map(ld, n, path, fields, is))
		return;
	if (is->server != NULL && strncmp(is->server, "https://", 8) != 0)
		cfgw_perr(ld, n, path, "server '%s' must be an https:// URL",
		    log_esc(is->server));
	if (is->ca_bundle != NULL && is->skip_tls_verify)
		cfgw_perr(ld, n, path, "caBundle and skipTLSVerify are mutually "
		    "exclusive and cannot both be set: remove one");
	if (is->preferred_chain != NULL && strlen(is->preferred_chain) > 64) {
		sub = util_printf("%s.preferredChain", path);
		cfgw_perr(ld, n, sub, "longer than 64 characters (the issuer's "
		    "common name is what it matches)");
		free(sub);
	}
}
