/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Documents: each kind read, the others skipped, Lists unpacked (the
 * files and the passes over them: files.c).
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/certx.h"
#include "acme/config/config.h"
#include "acme/config/secret.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"


/* ---- documents ---- */

struct meta {
	char *name, *namespace;
	struct strlist label_keys, label_values;
	const yaml_node_t *name_node;
	const yaml_node_t *annotations; /* read after the spec */
	struct strlist ann_keys, ann_values;
};

static void
f_annotations(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct meta *m = obj;

	/* Kubernetes' map[string]string: every value a string. */
	cfgw_read_strmap(ld, n, path, &m->ann_keys, &m->ann_values);
	m->annotations = n;
}

static void
f_labels(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct meta *m = obj;

	cfgw_read_strmap(ld, n, path, &m->label_keys, &m->label_values);
}

static void
f_meta_name(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field f = { "name", K_NAME, 0, NULL, NULL,
		F_REQUIRED };
	struct meta *m = obj;

	m->name_node = n;
	cfgw_read_field(ld, &f, n, path, &m->name);
}

static void
read_meta(struct ld *ld, const yaml_node_t *n, struct meta *m)
{
	static const struct field fields[] = {
		{ "name", K_FN, 0, f_meta_name, NULL, F_REQUIRED },
		{ "namespace", K_NAME, offsetof(struct meta, namespace), NULL,
		    NULL, 0 },
		{ "labels", K_FN, 0, f_labels, NULL, 0 },
		{ "annotations", K_FN, 0, f_annotations, NULL, 0 },
		{ "uid", K_IGNORE, 0, NULL, NULL, 0 },
		{ "resourceVersion", K_IGNORE, 0, NULL, NULL, 0 },
		{ "generation", K_IGNORE, 0, NULL, NULL, 0 },
		{ "creationTimestamp", K_IGNORE, 0, NULL, NULL, 0 },
		{ "managedFields", K_IGNORE, 0, NULL, NULL, 0 },
		{ "ownerReferences", K_IGNORE, 0, NULL, NULL, 0 },
		{ "finalizers", K_IGNORE, 0, NULL, NULL, 0 },
		{ "selfLink", K_IGNORE, 0, NULL, NULL, 0 },
		{ "generateName", K_IGNORE, 0, NULL, NULL, 0 },
		{ "deletionTimestamp", K_IGNORE, 0, NULL, NULL, 0 },
		{ "deletionGracePeriodSeconds", K_IGNORE, 0, NULL, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, "metadata", fields, m);
}

/* The value node of key in mapping n, or NULL. */
const yaml_node_t *
cfgw_lookup(struct ld *ld, const yaml_node_t *n, const char *key)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		if (k->type == YAML_SCALAR_NODE && strcmp(cfgw_scalar(k), key) == 0)
			return cfgw_node(ld, pair->value);
	}
	return NULL;
}

/*
 * spec.acme, spec.ca...: the issuer's type, as cert-manager checks it.
 * acme, ca and selfSigned are read; vault and venafi are loaded for what
 * they are, their Certificates skipped.
 */
static void
f_issuer_type(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_issuer *is = obj;
	const char *member = strrchr(path, '.');

	member = member != NULL ? member + 1 : path;
	if (strcmp(member, config_issuer_type_name(is->type)) != 0)
		cfgw_perr(ld, n, path, "may not specify more than one issuer "
		    "type");
	else if (is->type == ISSUER_ACME)
		cfgw_acme(ld, n, path, obj);
	else if (is->type == ISSUER_CA)
		cfgw_ca(ld, n, path, obj);
	else if (is->type == ISSUER_SELFSIGNED && n->type == YAML_MAPPING_NODE)
		cfgw_self_signed(ld, n, path, obj);
	else if (n->type != YAML_MAPPING_NODE)
		cfgw_perr(ld, n, path, "expected a mapping, found %s",
		    cfgw_kind_name(n));
}

static void
f_issuer_spec(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "acme", K_FN, 0, f_issuer_type, NULL, 0 },
		{ "ca", K_FN, 0, f_issuer_type, NULL, 0 },
		{ "selfSigned", K_FN, 0, f_issuer_type, NULL, 0 },
		{ "vault", K_FN, 0, f_issuer_type, NULL, 0 },
		{ "venafi", K_FN, 0, f_issuer_type, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;
	const yaml_node_t *v;
	int t;

	/* The first type set, in cert-manager's order, is the one. */
	for (t = ISSUER_ACME; t <= ISSUER_VENAFI; t++)
		if ((v = cfgw_lookup(ld, n, config_issuer_type_name(t))) !=
		    NULL && !cfgw_is_null(v))
			break;
	if (t > ISSUER_VENAFI && n->type == YAML_MAPPING_NODE) {
		cfgw_perr(ld, n, path, "at least one issuer type must be "
		    "configured: acme, ca or selfSigned (vault and venafi "
		    "are read, their Certificates skipped)");
		t = ISSUER_ACME;
	}
	is->type = (enum cfg_issuer_type)t;
	cfgw_walk_map(ld, n, path, fields, obj);
}

static const struct field doc_issuer_fields[] = {
	{ "apiVersion", K_FN, 0, cfgw_read_later, NULL, 0 },
	{ "kind", K_FN, 0, cfgw_read_later, NULL, 0 },
	{ "metadata", K_FN, 0, cfgw_read_later, NULL, F_REQUIRED },
	{ "spec", K_FN, 0, f_issuer_spec, NULL, F_REQUIRED },
	{ "status", K_IGNORE, 0, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct field doc_cert_fields[] = {
	{ "apiVersion", K_FN, 0, cfgw_read_later, NULL, 0 },
	{ "kind", K_FN, 0, cfgw_read_later, NULL, 0 },
	{ "metadata", K_FN, 0, cfgw_read_later, NULL, F_REQUIRED },
	{ "spec", K_FN, 0, cfgw_cert_spec, NULL, F_REQUIRED },
	{ "status", K_IGNORE, 0, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static void
meta_free(struct meta *m)
{
	free(m->name);
	free(m->namespace);
	strlist_free(&m->label_keys);
	strlist_free(&m->label_values);
	strlist_free(&m->ann_keys);
	strlist_free(&m->ann_values);
}

/* The kinds acmec reads, each with the one apiVersion it has. */
enum doc_kind { D_CLUSTER_ISSUER, D_ISSUER, D_CERT, D_SECRET, D_LIST };

static const struct {
	const char *kind, *api, *a;
} doc_kinds[] = {
	[D_CLUSTER_ISSUER] = { "ClusterIssuer", "cert-manager.io/v1", "a" },
	[D_ISSUER] = { "Issuer", "cert-manager.io/v1", "an" },
	[D_CERT] = { "Certificate", "cert-manager.io/v1", "a" },
	[D_SECRET] = { "Secret", "v1", "a" },
	[D_LIST] = { "List", "v1", "a" },
};

/* How deep Lists may nest in Lists. */
#define LIST_DEPTH 8


/* Another kind, or another API's kind of a known name: one notice. */
static void
skip_kind(struct ld *ld, const yaml_node_t *root, const char *kind,
    const char *api)
{
	log_notice("%s:%lu: skipping %s%s%s: acmec reads ClusterIssuer, "
	    "Issuer, Certificate (cert-manager.io/v1), Secret and List (v1)",
	    ld->file, (unsigned long)root->start_mark.line + 1, log_esc(kind),
	    api ? " of " : "", api ? log_esc2(api) : "");
}

/*
 * The kind of root acmec reads (checked against its apiVersion), -1 when
 * the document is skipped, -2 on error (reported).  An apiVersion of an
 * API group acmec does not know is another resource of that name (AWS
 * ACK's Certificate): skipped.
 */
static int
doc_kind(struct ld *ld, const yaml_node_t *root, const char *kind)
{
	const yaml_node_t *api = cfgw_lookup(ld, root, "apiVersion");
	const char *a, *slash;
	size_t k;

	for (k = 0; k < sizeof(doc_kinds) / sizeof(doc_kinds[0]); k++)
		if (strcmp(doc_kinds[k].kind, kind) == 0)
			break;
	if (k == sizeof(doc_kinds) / sizeof(doc_kinds[0])) {
		skip_kind(ld, root, kind, api != NULL &&
		    api->type == YAML_SCALAR_NODE ? cfgw_scalar(api) : NULL);
		return -1;
	}
	if (api == NULL || cfgw_is_null(api)) {
		cfgw_perr(ld, root, "apiVersion", "required field is missing "
		    "(%s for %s %s)", doc_kinds[k].api, doc_kinds[k].a, kind);
		return -2;
	}
	if (!cfgw_is_str(ld, api, "apiVersion"))
		return -2;
	a = cfgw_scalar(api);
	if (strcmp(a, doc_kinds[k].api) == 0)
		return (int)k;
	slash = strchr(a, '/');
	if (slash != NULL && memchr(a, '.', (size_t)(slash - a)) != NULL &&
	    strncmp(a, "cert-manager.io/", 16) != 0 &&
	    strncmp(a, "certmanager.k8s.io/", 19) != 0) {
		skip_kind(ld, root, kind, a);
		return -1;
	}
	cfgw_perr(ld, api, "apiVersion", "'%s' is not the apiVersion of %s "
	    "%s: use %s", log_esc(a), doc_kinds[k].a, kind, doc_kinds[k].api);
	return -2;
}

static void
read_issuer(struct ld *ld, const yaml_node_t *root, struct meta *m,
    bool cluster)
{
	struct config *cfg = ld->cfg;
	struct cfg_issuer *is;

	cfg->issuers = util_realloc(cfg->issuers, cfg->nissuers + 1,
	    sizeof(*cfg->issuers));
	is = &cfg->issuers[cfg->nissuers++];
	memset(is, 0, sizeof(*is));
	is->pos = cfgw_pos_of(ld, m->name_node ? m->name_node : root);
	is->cluster = cluster;
	is->name = m->name;
	is->namespace = m->namespace;
	is->namespace_given = m->namespace != NULL;
	m->name = m->namespace = NULL;
	if (is->cluster && is->namespace != NULL) {
		free(is->namespace);
		is->namespace = NULL;
	} else if (!is->cluster && is->namespace == NULL)
		is->namespace = util_strdup("default");
	if (m->label_keys.n > 0)
		cfgw_note_ignored(ld, "metadata.labels");
	cfgw_walk_map(ld, root, "", doc_issuer_fields, is);
	cfgw_issuer_annotations(ld, m->annotations, is);
}

/* The scalar text of key in mapping n, or NULL. */
static const char *
peek(struct ld *ld, const yaml_node_t *n, const char *key)
{
	const yaml_node_t *v = n ? cfgw_lookup(ld, n, key) : NULL;

	return v != NULL && v->type == YAML_SCALAR_NODE &&
	    *cfgw_scalar(v) != '\0' ? cfgw_scalar(v) : NULL;
}

/*
 * Is c (its spec at root) a Certificate of an issuer acmec does not run:
 * an external issuer (issuerRef.group), or an issuer of another type
 * than acme?  Issuers are all read by now (the first pass).
 */
static bool
skipped_cert(struct ld *ld, const yaml_node_t *root, struct cfg_cert *c)
{
	const yaml_node_t *ref = cfgw_lookup(ld, root, "spec");
	const struct cfg_issuer *is;
	const char *name, *kind, *group;

	ref = ref != NULL ? cfgw_lookup(ld, ref, "issuerRef") : NULL;
	if ((name = peek(ld, ref, "name")) == NULL)
		return false;
	kind = peek(ld, ref, "kind");
	group = peek(ld, ref, "group");
	if (group != NULL && strcmp(group, "cert-manager.io") != 0) {
		c->external_issuer = true;
		log_notice("%s:%d:%d: skipping Certificate '%s/%s': its "
		    "issuerRef names group '%s', an external issuer, which "
		    "acmec does not run", c->pos.file, c->pos.line, c->pos.col,
		    c->namespace, c->name ? c->name : "?", log_esc(group));
		return true;
	}
	is = config_find_issuer(ld->cfg, kind != NULL &&
	    strcmp(kind, "ClusterIssuer") == 0, name, c->namespace);
	return is != NULL && !config_issuer_runs(is);
}

/*
 * A skipped Certificate is read only as far as is cheap: its spec a
 * mapping, secretName and (for a cert-manager issuer) issuerRef; what
 * only its issuer checks (isCA, keystores...) is left to that issuer.
 */
static void
read_skipped_cert(struct ld *ld, const yaml_node_t *root, struct cfg_cert *c)
{
	static const struct field secret = { "secretName", K_NAME,
		offsetof(struct cfg_cert, secret_name), NULL, NULL,
		F_REQUIRED };
	static const struct field name = { "name", K_NAME,
		offsetof(struct cfg_cert, issuer_name), NULL, NULL,
		F_REQUIRED };
	const yaml_node_t *spec = cfgw_lookup(ld, root, "spec"), *v, *ref;

	if (spec == NULL || spec->type != YAML_MAPPING_NODE)
		return; /* skipped_cert() found an issuerRef in it */
	if ((v = cfgw_lookup(ld, spec, "secretName")) != NULL) {
		cfgw_read_field(ld, &secret, v, "spec.secretName", c);
		c->secret_pos = cfgw_pos_of(ld, v);
	} else {
		cfgw_perr(ld, spec, "spec.secretName", "required field is "
		    "missing");
	}
	if (c->external_issuer)
		return;
	ref = cfgw_lookup(ld, spec, "issuerRef");
	cfgw_read_field(ld, &name, cfgw_lookup(ld, ref, "name"),
	    "spec.issuerRef.name", c);
	c->issuer_cluster = peek(ld, ref, "kind") != NULL &&
	    strcmp(peek(ld, ref, "kind"), "ClusterIssuer") == 0;
	c->issuer_pos = cfgw_pos_of(ld, ref);
}

static void
read_cert(struct ld *ld, const yaml_node_t *root, struct meta *m)
{
	struct config *cfg = ld->cfg;
	const yaml_node_t *ann;
	struct cfg_cert *c;

	cfg->certs = util_realloc(cfg->certs, cfg->ncerts + 1,
	    sizeof(*cfg->certs));
	c = &cfg->certs[cfg->ncerts++];
	memset(c, 0, sizeof(*c));
	config_cert_defaults(c);
	c->pos = cfgw_pos_of(ld, m->name_node ? m->name_node : root);
	c->name = m->name;
	c->namespace = m->namespace ? m->namespace : cfgw_default_ns;
	c->label_keys = m->label_keys;
	c->label_values = m->label_values;
	ann = m->annotations;
	strlist_free(&m->ann_keys);
	strlist_free(&m->ann_values);
	memset(m, 0, sizeof(*m));
	if (skipped_cert(ld, root, c)) {
		read_skipped_cert(ld, root, c);
		return;
	}
	cfgw_walk_map(ld, root, "", doc_cert_fields, c);
	if (ann != NULL)
		cfgw_cert_annotations(ld, ann, c);
}

static void
read_secret(struct ld *ld, const yaml_node_t *root, struct meta *m)
{
	struct config *cfg = ld->cfg;
	struct cfg_secret *s;

	if (m->name == NULL) { /* nothing to find it by */
		if (cfgw_lookup(ld, root, "metadata") == NULL)
			cfgw_perr(ld, root, "metadata", "required field is "
			    "missing");
		return;
	}
	cfg->secrets = util_realloc(cfg->secrets, cfg->nsecrets + 1,
	    sizeof(*cfg->secrets));
	s = &cfg->secrets[cfg->nsecrets++];
	memset(s, 0, sizeof(*s));
	s->pos = cfgw_pos_of(ld, m->name_node);
	s->name = m->name;
	s->namespace = m->namespace ? m->namespace : util_strdup("default");
	m->name = m->namespace = NULL;
	s->ann_keys = m->ann_keys;
	s->ann_values = m->ann_values;
	memset(&m->ann_keys, 0, sizeof(m->ann_keys));
	memset(&m->ann_values, 0, sizeof(m->ann_values));
	cfgw_secret_doc(ld, root, s);
}

/* kubectl's List: every item is a document of its own. */
static void
f_list_items(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	const yaml_node_item_t *it;
	const int *depth = obj;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s",
		    cfgw_kind_name(n));
		return;
	}
	if (*depth >= LIST_DEPTH) {
		cfgw_perr(ld, n, path, "Lists nested more than %d deep",
		    LIST_DEPTH);
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++)
		cfgw_read_object(ld, cfgw_node(ld, *it), *depth + 1,
		    P_OTHERS);
}

/* What of root the second pass reads. */
enum certs_in { CI_NONE, CI_CERT, CI_LIST };

static enum certs_in
certs_in(struct ld *ld, const yaml_node_t *root)
{
	const yaml_node_t *kind = cfgw_lookup(ld, root, "kind");
	const yaml_node_t *api = cfgw_lookup(ld, root, "apiVersion");

	if (kind == NULL || kind->type != YAML_SCALAR_NODE || api == NULL ||
	    api->type != YAML_SCALAR_NODE)
		return CI_NONE;
	if (strcmp(cfgw_scalar(kind), "List") == 0 &&
	    strcmp(cfgw_scalar(api), doc_kinds[D_LIST].api) == 0)
		return CI_LIST;
	if (strcmp(cfgw_scalar(kind), "Certificate") != 0 ||
	    strcmp(cfgw_scalar(api), doc_kinds[D_CERT].api) != 0)
		return CI_NONE;
	return CI_CERT;
}

/* The second pass: the Certificates, in Lists too; nothing reported twice. */
static void
read_certs(struct ld *ld, const yaml_node_t *root, int depth)
{
	const yaml_node_t *node;
	const yaml_node_item_t *it;
	struct meta m = { 0 };

	switch (certs_in(ld, root)) {
	case CI_NONE:
		return;
	case CI_LIST:
		node = cfgw_lookup(ld, root, "items");
		if (node == NULL || node->type != YAML_SEQUENCE_NODE ||
		    depth >= LIST_DEPTH)
			return;
		for (it = node->data.sequence.items.start;
		    it < node->data.sequence.items.top; it++)
			cfgw_read_object(ld, cfgw_node(ld, *it), depth + 1,
			    P_CERTS);
		return;
	case CI_CERT:
		break;
	}
	if ((node = cfgw_lookup(ld, root, "metadata")) != NULL)
		read_meta(ld, node, &m);
	read_cert(ld, root, &m);
	meta_free(&m);
}

/*
 * Would skipped_cert() say the same of c (its document root) with every
 * issuer read: does its issuerRef name no issuer, an external one, or one
 * already read (the first of a name is the one)?
 */
static bool
issuer_settled(struct ld *ld, const yaml_node_t *root,
    const struct cfg_cert *c)
{
	const yaml_node_t *ref = cfgw_lookup(ld, root, "spec");
	const char *name, *kind, *group;

	ref = ref != NULL ? cfgw_lookup(ld, ref, "issuerRef") : NULL;
	if ((name = peek(ld, ref, "name")) == NULL)
		return true;
	kind = peek(ld, ref, "kind");
	group = peek(ld, ref, "group");
	return (group != NULL && strcmp(group, "cert-manager.io") != 0) ||
	    config_find_issuer(ld->cfg, kind != NULL &&
	    strcmp(kind, "ClusterIssuer") == 0, name, c->namespace) != NULL;
}

int
cfgw_cert_early(struct ld *ld, const yaml_node_t *root)
{
	struct config *cfg = ld->cfg;
	unsigned long lines = log_lines();
	size_t n = cfg->ncerts;
	int errors = ld->errors;
	enum certs_in what;

	if (root->type != YAML_MAPPING_NODE ||
	    (what = certs_in(ld, root)) == CI_NONE)
		return 0;
	if (what == CI_LIST)
		return -1;
	log_hold(true);
	read_certs(ld, root, 0);
	log_hold(false);
	if (log_lines() == lines && ld->errors == errors &&
	    cfg->ncerts == n + 1 && issuer_settled(ld, root, &cfg->certs[n]))
		return 1;
	/* Read again in the second pass, said there if need be. */
	ld->errors = errors;
	return -1;
}

static void
read_list(struct ld *ld, const yaml_node_t *root, int depth)
{
	static const struct field fields[] = {
		{ "apiVersion", K_FN, 0, cfgw_read_later, NULL, 0 },
		{ "kind", K_FN, 0, cfgw_read_later, NULL, 0 },
		/* ListMeta: nothing acmec uses */
		{ "metadata", K_FN, 0, cfgw_read_later, NULL, 0 },
		{ "items", K_FN, 0, f_list_items, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, root, "", fields, &depth);
}

/* One document, or one item of a List. */
void
cfgw_read_object(struct ld *ld, const yaml_node_t *root, int depth,
    enum cfgw_pass pass)
{
	const yaml_node_t *kind, *meta_node;
	struct meta m = { 0 };
	int k;

	if (pass == P_CERTS) {
		if (root->type == YAML_MAPPING_NODE)
			read_certs(ld, root, depth);
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, root, "", "a document must be a mapping (a "
		    "Kubernetes resource), found %s", cfgw_kind_name(root));
		return;
	}
	kind = cfgw_lookup(ld, root, "kind");
	if (kind == NULL || cfgw_is_null(kind) ||
	    (kind->type == YAML_SCALAR_NODE && *cfgw_scalar(kind) == '\0')) {
		cfgw_perr(ld, root, "kind", "required field is missing");
		return;
	}
	if (!cfgw_is_str(ld, kind, "kind") ||
	    (k = doc_kind(ld, root, cfgw_scalar(kind))) < 0)
		return;
	if (k == D_LIST) {
		read_list(ld, root, depth);
		return;
	}
	if (k == D_CERT)
		return; /* the second pass */
	if ((meta_node = cfgw_lookup(ld, root, "metadata")) != NULL)
		read_meta(ld, meta_node, &m);
	if (k == D_CLUSTER_ISSUER || k == D_ISSUER)
		read_issuer(ld, root, &m, k == D_CLUSTER_ISSUER);
	else
		read_secret(ld, root, &m);
	meta_free(&m);
}
