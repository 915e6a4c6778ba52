/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * An http01 solver: ingress or gatewayHTTPRoute, checked as cert-manager
 * checks them (off Kubernetes acmec answers itself; annot.c says how),
 * and acmec's old spellings refused with the new one.
 */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"

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

void
cfgw_old_tlsalpn01(struct ld *ld, const yaml_node_t *n, const char *path,
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
		{ "group", K_FN, 0, cfgw_any_str, NULL, 0 },
		{ "kind", K_FN, 0, cfgw_any_str, NULL, 0 },
		{ "name", K_FN, 0, cfgw_any_str, NULL, F_REQUIRED },
		{ "namespace", K_FN, 0, cfgw_any_str, NULL, 0 },
		{ "port", K_PORT, 0, NULL, NULL, 0 },
		{ "sectionName", K_FN, 0, cfgw_any_str, NULL, 0 },
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

void
cfgw_http01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
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

