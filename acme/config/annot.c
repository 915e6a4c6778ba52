/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * acmec's own settings: metadata.annotations under acmec.io/, where a
 * cluster accepts them (acmec.conf(5), ANNOTATIONS).  On an issuer,
 * acmec.io/KEY applies to every solver it can apply to, and
 * acmec.io/solvers.N.KEY to spec.acme.solvers[N] alone (winning over the
 * issuer-wide ones of its group).
 */

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"

#define PREFIX "acmec.io/"

/* The settings an issuer's annotations may hold. */
enum ann_key {
	A_HTTP01_LISTEN,
	A_HTTP01_WEBROOT,
	A_TLSALPN01_LISTEN,
	A_DNS01_TIMEOUT,
	A_PRE_HOOK, /* the issuer's own, not a solver's */
	A_POST_HOOK,
	A_NKEYS
};

static const char *const issuer_keys[A_NKEYS] = {
	[A_HTTP01_LISTEN] = "http01-listen",
	[A_HTTP01_WEBROOT] = "http01-webroot",
	[A_TLSALPN01_LISTEN] = "tlsalpn01-listen",
	[A_DNS01_TIMEOUT] = "dns01-propagation-timeout",
	[A_PRE_HOOK] = "pre-hook",
	[A_POST_HOOK] = "post-hook",
};

/* One annotation: its key node (for messages) and value. */
struct ann {
	const yaml_node_t *key;
	const char *value;
	long solver; /* -1: issuer-wide */
	enum ann_key which;
};

static char *
key_list(const char *const *keys, size_t n)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, PREFIX);
		buf_addstr(&b, keys[i]);
	}
	return b.data;
}

/*
 * The key after acmec.io/: "KEY" or "solvers.N.KEY".  false (reported)
 * if it is none of keys.
 */
static bool
parse_key(struct ld *ld, const yaml_node_t *k, const char *const *keys,
    size_t nkeys, bool per_solver, struct ann *a)
{
	const char *s = cfgw_scalar(k) + strlen(PREFIX), *dot;
	char *end, *list;
	size_t i;

	a->solver = -1;
	if (per_solver && strncmp(s, "solvers.", 8) == 0) {
		a->solver = strtol(s + 8, &end, 10);
		if (end == s + 8 || *end != '.' || a->solver < 0) {
			cfgw_perr(ld, k, "metadata.annotations", "'%s': write "
			    PREFIX "solvers.N.KEY, N the index of the solver "
			    "in spec.acme.solvers (0 is the first)",
			    log_esc(cfgw_scalar(k)));
			return false;
		}
		s = end + 1;
	}
	for (i = 0; i < nkeys; i++)
		if (strcmp(s, keys[i]) == 0) {
			a->which = (enum ann_key)i;
			return true;
		}
	dot = strrchr(s, '.');
	list = key_list(keys, nkeys);
	cfgw_perr(ld, k, "metadata.annotations", "'%s' is not an acmec "
	    "annotation (expected one of: %s%s)", log_esc(cfgw_scalar(k)),
	    list, per_solver && dot == NULL ? ", or " PREFIX "solvers.N. "
	    "before one of them" : "");
	free(list);
	return false;
}

/* The acmec.io/ annotations of mapping n, parsed; *n_out of them. */
static struct ann *
collect(struct ld *ld, const yaml_node_t *n, const char *const *keys,
    size_t nkeys, bool per_solver, size_t *n_out)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k, *v;
	struct ann *list = NULL, a;
	size_t count = 0;

	*n_out = 0;
	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL; /* reported by read_meta */
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		v = cfgw_node(ld, pair->value);
		if (k->type != YAML_SCALAR_NODE ||
		    strncmp(cfgw_scalar(k), PREFIX, strlen(PREFIX)) != 0 ||
		    v->type != YAML_SCALAR_NODE || cfgw_sctype(v) != S_STR)
			continue; /* others' annotations are theirs */
		memset(&a, 0, sizeof(a));
		if (!parse_key(ld, k, keys, nkeys, per_solver, &a))
			continue;
		a.key = k;
		a.value = cfgw_scalar(v);
		list = util_realloc(list, count + 1, sizeof(*list));
		list[count++] = a;
	}
	*n_out = count;
	return list;
}

int
config_parse_listen(const char *s, char **addr, int *port)
{
	unsigned char buf[16];
	const char *colon;
	char *host, *end;
	long p;

	*addr = NULL;
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		host = util_strndup(s + 1, (size_t)(colon - s - 1));
		colon++;
	} else if ((colon = strrchr(s, ':')) == NULL) {
		host = util_strdup("");
		colon = s - 1; /* PORT alone */
	} else {
		if (strchr(s, ':') != colon)
			return -1;
		host = util_strndup(s, (size_t)(colon - s));
	}
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535 ||
	    (host[0] != '\0' && inet_pton(s[0] == '[' ? AF_INET6 : AF_INET,
	    host, buf) != 1)) {
		free(host);
		return -1;
	}
	*port = (int)p;
	if (host[0] == '\0')
		free(host);
	else
		*addr = host;
	return 0;
}

static bool
is_http_key(enum ann_key k)
{
	return k == A_HTTP01_LISTEN || k == A_HTTP01_WEBROOT ||
	    k == A_TLSALPN01_LISTEN;
}

/* Set solver s from annotation a (at path), which applies to it. */
static void
apply_one(struct ld *ld, const struct ann *a, const char *path,
    struct cfg_solver *s)
{
	switch (a->which) {
	case A_HTTP01_WEBROOT:
		if (a->value[0] != '/') {
			cfgw_perr(ld, a->key, path, "'%s' must be an absolute "
			    "path", log_esc(a->value));
			return;
		}
		s->http_mode = HTTP01_WEBROOT;
		free(s->webroot);
		s->webroot = util_strdup(a->value);
		return;
	case A_HTTP01_LISTEN:
	case A_TLSALPN01_LISTEN:
		free(s->http_address);
		if (config_parse_listen(a->value, &s->http_address,
		    &s->http_port) < 0) {
			cfgw_perr(ld, a->key, path, "'%s' is not ADDRESS:PORT "
			    "(\":80\", \"127.0.0.1:8080\", \"[::1]:80\")",
			    log_esc(a->value));
			return;
		}
		if (a->which == A_TLSALPN01_LISTEN)
			s->type = SOLVER_TLSALPN01;
		return;
	case A_DNS01_TIMEOUT:
		if (config_parse_duration(a->value, &s->propagation_timeout) <
		    0 || s->propagation_timeout <= 0)
			cfgw_perr(ld, a->key, path, "'%s' is not a duration such "
			    "as 5m or 90s", log_esc(a->value));
		return;
	case A_PRE_HOOK: /* run_hook()'s */
	case A_POST_HOOK:
	case A_NKEYS:
		break;
	}
}

static void
apply(struct ld *ld, const struct ann *a, struct cfg_solver *s)
{
	char *path = util_printf("metadata.annotations.%s",
	    cfgw_scalar(a->key));

	apply_one(ld, a, path, s);
	free(path);
}

/* Do the annotations give solver i (of type http01 or not) two modes? */
static const struct ann *
mode_of(struct ld *ld, const struct ann *list, size_t n, long solver)
{
	const struct ann *found = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i].solver != solver || !is_http_key(list[i].which))
			continue;
		if (found != NULL) {
			cfgw_perr(ld, list[i].key, "metadata.annotations", "give "
			    "one of " PREFIX "%shttp01-listen, http01-webroot "
			    "or tlsalpn01-listen; '%s' is also set",
			    solver >= 0 ? "solvers.N." : "",
			    cfgw_scalar(found->key));
			return found;
		}
		found = &list[i];
	}
	return found;
}

/* Annotation a names a solver that does not exist or cannot take it. */
static bool
fits(struct ld *ld, const struct ann *a, const struct cfg_issuer *is)
{
	const struct cfg_solver *s;
	bool http;

	if (a->solver >= 0 && (size_t)a->solver >= is->nsolvers) {
		cfgw_perr(ld, a->key, "metadata.annotations", "'%s': "
		    "spec.acme.solvers has %zu entr%s (counted from 0)",
		    cfgw_scalar(a->key), is->nsolvers,
		    is->nsolvers == 1 ? "y" : "ies");
		return false;
	}
	http = is_http_key(a->which);
	if (a->solver >= 0) {
		s = &is->solvers[a->solver];
		if ((s->type == SOLVER_DNS01) == http) {
			cfgw_perr(ld, a->key, "metadata.annotations", "'%s': "
			    "spec.acme.solvers[%ld] is not %s solver",
			    cfgw_scalar(a->key), a->solver,
			    http ? "an http01" : "a dns01");
			return false;
		}
		return true;
	}
	for (size_t i = 0; i < is->nsolvers; i++)
		if ((is->solvers[i].type == SOLVER_DNS01) != http)
			return true;
	cfgw_perr(ld, a->key, "metadata.annotations", "'%s': no %s solver in "
	    "spec.acme.solvers to apply it to", cfgw_scalar(a->key),
	    http ? "http01" : "dns01");
	return false;
}

static int json_argv(const char *s, struct strlist *out);

/*
 * A hook annotation's value: a string, run with sh -c (*shell), or a JSON
 * list, the command and its arguments (example, for the message).  false
 * (reported, argv empty) if it is empty or not such a list.
 */
static bool
hook_argv(struct ld *ld, const struct ann *a, struct strlist *argv,
    bool *shell, const char *example)
{
	const char *key = cfgw_scalar(a->key);

	strlist_free(argv);
	*shell = a->value[0] != '[';
	if (*shell && a->value[0] != '\0') {
		strlist_add(argv, a->value);
		return true;
	}
	if (*shell)
		cfgw_perr(ld, a->key, "metadata.annotations", "%s: the command "
		    "is empty", key);
	else if (json_argv(a->value, argv) == 0)
		return true;
	else
		cfgw_perr(ld, a->key, "metadata.annotations", "%s: a value "
		    "starting with '[' is a JSON list of strings, the command "
		    "and its arguments: '%s'", key, example);
	strlist_free(argv);
	return false;
}

/*
 * acmec.io/pre-hook or post-hook into h: a command for sh -c, or a JSON
 * list, the command and its arguments.  Around a run, not one solver's.
 */
static bool
run_hook(struct ld *ld, const struct ann *a, struct cfg_hook *h)
{
	const char *key = cfgw_scalar(a->key);

	if (a->solver >= 0) {
		cfgw_perr(ld, a->key, "metadata.annotations", "'%s': a pre or "
		    "post hook runs around the issuer's orders, not one "
		    "solver's; write " PREFIX "%s", log_esc(key),
		    issuer_keys[a->which]);
		return false;
	}
	return hook_argv(ld, a, &h->argv, &h->shell,
	    "[\"/usr/bin/systemctl\", \"stop\", \"nginx\"]");
}

void
cfgw_issuer_annotations(struct ld *ld, const yaml_node_t *n,
    struct cfg_issuer *is)
{
	const struct ann *wide, *own;
	struct ann *list;
	size_t count, i, j;
	bool ok = true;

	list = collect(ld, n, issuer_keys, A_NKEYS, true, &count);
	for (i = 0; i < count; i++)
		if (list[i].which == A_PRE_HOOK || list[i].which == A_POST_HOOK)
			ok = run_hook(ld, &list[i], list[i].which ==
			    A_PRE_HOOK ? &is->hooks.pre : &is->hooks.post) && ok;
		else
			ok = fits(ld, &list[i], is) && ok;
	wide = mode_of(ld, list, count, -1);
	for (i = 0; ok && i < is->nsolvers; i++) {
		struct cfg_solver *s = &is->solvers[i];

		if (s->type == SOLVER_DNS01) {
			for (j = 0; j < count; j++)
				if (list[j].which == A_DNS01_TIMEOUT &&
				    list[j].solver == -1)
					apply(ld, &list[j], s);
			for (j = 0; j < count; j++)
				if (list[j].which == A_DNS01_TIMEOUT &&
				    list[j].solver == (long)i)
					apply(ld, &list[j], s);
			continue;
		}
		own = mode_of(ld, list, count, (long)i);
		if (own != NULL)
			apply(ld, own, s);
		else if (wide != NULL)
			apply(ld, wide, s);
		else
			ld->ingress_notice = true; /* listens on :80 */
	}
	free(list);
}

/* A JSON list of strings, for a command run without a shell. */
static int
json_argv(const char *s, struct strlist *out)
{
	cJSON *j = cJSON_Parse(s), *e;
	int rc = -1;

	if (j == NULL || !cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0)
		goto out;
	cJSON_ArrayForEach(e, j)
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0')
			goto out;
	cJSON_ArrayForEach(e, j)
		strlist_add(out, e->valuestring);
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

/*
 * acmec.io/csr: the names and the key come from that CSR, so the settings
 * that need the private key are errors where they are written.
 */
static void
cert_csr(struct ld *ld, const struct ann *a, struct cfg_cert *c)
{
	static const char *const need_key[] = { "privateKey", "keystores",
		"additionalOutputFormats" };
	const yaml_node_t *spec, *v;
	size_t i;

	if (a->value[0] != '/') {
		cfgw_perr(ld, a->key, "metadata.annotations", PREFIX "csr: "
		    "'%s' must be an absolute path to a PEM or DER CSR file",
		    log_esc(a->value));
		return;
	}
	free(c->csr_file);
	c->csr_file = util_strdup(a->value);
	c->csr_pos = cfgw_pos_of(ld, a->key);
	spec = cfgw_lookup(ld, yaml_document_get_root_node(ld->doc), "spec");
	for (i = 0; spec != NULL && i < 3; i++)
		if ((v = cfgw_lookup(ld, spec, need_key[i])) != NULL &&
		    !cfgw_is_null(v))
			cfgw_perr(ld, v, "spec", "%s needs the "
			    "certificate's private key, which acmec never "
			    "has with " PREFIX "csr (the key stays where the "
			    "CSR was made): remove spec.%s or the annotation",
			    need_key[i], need_key[i]);
}

void
cfgw_cert_annotations(struct ld *ld, const yaml_node_t *n, struct cfg_cert *c)
{
	static const char *const cert_keys[] = { "deploy-hook", "csr" };
	struct ann *list;
	size_t count, i;

	list = collect(ld, n, cert_keys, 2, false, &count);
	for (i = 0; i < count; i++) {
		if (list[i].which == 1) {
			cert_csr(ld, &list[i], c);
			continue;
		}
		hook_argv(ld, &list[i], &c->deploy_hook, &c->deploy_hook_shell,
		    "[\"/usr/sbin/nginx\", \"-s\", \"reload\"]");
	}
	free(list);
}
