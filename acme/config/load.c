/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Documents, files and directories loaded: each kind read, the others
 * skipped, Lists unpacked; then linked (link.c).
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

#include "acme/config/certx.h"
#include "acme/config/config.h"
#include "acme/config/secret.h"
#include "acme/config/walk.h"

#define CONFIG_MAX_FILE (4 * 1024 * 1024)
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
};

static void
f_annotations(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct strlist keys = { 0 }, values = { 0 };
	struct meta *m = obj;

	/* Kubernetes' map[string]string: every value a string. */
	cfgw_read_strmap(ld, n, path, &keys, &values);
	strlist_free(&keys);
	strlist_free(&values);
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

/*
 * Loading reads the text twice: every document but the Certificates,
 * then only the Certificates, each knowing by then whether acmec runs
 * its issuer wherever that is defined.  Messages come from one pass only.
 */
enum pass { P_OTHERS, P_CERTS };

static void read_object(struct ld *ld, const yaml_node_t *root, int depth,
    enum pass pass);

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
	c->namespace = m->namespace ? m->namespace : util_strdup("default");
	c->label_keys = m->label_keys;
	c->label_values = m->label_values;
	ann = m->annotations;
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
		read_object(ld, cfgw_node(ld, *it), *depth + 1, P_OTHERS);
}

/* The second pass: the Certificates, in Lists too; nothing reported twice. */
static void
read_certs(struct ld *ld, const yaml_node_t *root, int depth)
{
	const yaml_node_t *kind = cfgw_lookup(ld, root, "kind"), *items;
	const yaml_node_t *api = cfgw_lookup(ld, root, "apiVersion");
	const yaml_node_item_t *it;
	struct meta m = { 0 };

	if (kind == NULL || kind->type != YAML_SCALAR_NODE || api == NULL ||
	    api->type != YAML_SCALAR_NODE)
		return;
	if (strcmp(cfgw_scalar(kind), "List") == 0 &&
	    strcmp(cfgw_scalar(api), doc_kinds[D_LIST].api) == 0) {
		items = cfgw_lookup(ld, root, "items");
		if (items == NULL || items->type != YAML_SEQUENCE_NODE ||
		    depth >= LIST_DEPTH)
			return;
		for (it = items->data.sequence.items.start;
		    it < items->data.sequence.items.top; it++)
			read_object(ld, cfgw_node(ld, *it), depth + 1, P_CERTS);
		return;
	}
	if (strcmp(cfgw_scalar(kind), "Certificate") != 0 ||
	    strcmp(cfgw_scalar(api), doc_kinds[D_CERT].api) != 0)
		return;
	if ((kind = cfgw_lookup(ld, root, "metadata")) != NULL)
		read_meta(ld, kind, &m);
	read_cert(ld, root, &m);
	meta_free(&m);
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
static void
read_object(struct ld *ld, const yaml_node_t *root, int depth,
    enum pass pass)
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


/* One file's text, kept for the second pass. */
struct src {
	const char *file; /* owned by cfg->files */
	char *data;
	size_t len;
	size_t nsecrets; /* Secret documents it holds */
};

/* Parse the YAML text of src into cfg, one pass. */
static void
load_buffer(struct config *cfg, struct src *src, enum pass pass,
    struct strlist *ignored, int *errors, bool *ingress)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	const yaml_node_t *root;
	struct ld ld = { 0 };
	size_t nsecrets = cfg->nsecrets;
	bool done = false;

	ld.cfg = cfg;
	ld.file = src->file;
	ld.ignored = ignored;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser,
	    (const unsigned char *)src->data, src->len);
	while (!done) {
		if (!yaml_parser_load(&parser, &doc)) {
			if (pass == P_OTHERS)
				log_error("%s:%lu:%lu: YAML syntax error: %s",
				    ld.file,
				    (unsigned long)parser.problem_mark.line + 1,
				    (unsigned long)parser.problem_mark.column +
				    1, parser.problem ? parser.problem :
				    "unknown");
			ld.errors += pass == P_OTHERS;
			break;
		}
		ld.doc = &doc;
		if ((root = yaml_document_get_root_node(&doc)) == NULL)
			done = true;
		else if (!(root->type == YAML_SCALAR_NODE &&
		    cfgw_sctype(root) == S_NULL)) /* "---" alone is fine */
			read_object(&ld, root, 0, pass);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	src->nsecrets += cfg->nsecrets - nsecrets;
	*errors += ld.errors;
	*ingress = *ingress || ld.ingress_notice;
}

/* Both passes over the sources, then their modes checked. */
static void
load_sources(struct config *cfg, struct src *srcs, size_t n,
    struct strlist *ignored, int *errors, bool *ingress)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		load_buffer(cfg, &srcs[i], P_OTHERS, ignored, errors, ingress);
	for (i = 0; i < n; i++)
		load_buffer(cfg, &srcs[i], P_CERTS, ignored, errors, ingress);
	for (i = 0; i < n; i++) {
		/* Secrets in it: only its owner should read it. */
		if (srcs[i].nsecrets > 0 && srcs[i].data != NULL &&
		    stat(srcs[i].file, &st) == 0 &&
		    (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
			log_warn("%s holds Secret documents and %s can read "
			    "it: run chmod go-rwx %s", srcs[i].file,
			    st.st_mode & S_IROTH ? "everyone" : "its group",
			    srcs[i].file);
		crypto_secret_free(srcs[i].data, srcs[i].len);
		srcs[i].data = NULL;
	}
}

/* Read the file path into a new source; -1 (reported) if unreadable. */
static int
read_source(struct config *cfg, const char *path, struct src **srcs,
    size_t *n)
{
	char *data;
	size_t len;

	if (fs_read(path, CONFIG_MAX_FILE, &data, &len) < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	strlist_add(&cfg->files, path);
	*srcs = util_realloc(*srcs, *n + 1, sizeof(**srcs));
	(*srcs)[*n].file = cfg->files.v[cfg->files.n - 1];
	(*srcs)[*n].data = data;
	(*srcs)[*n].len = len;
	(*srcs)[*n].nsecrets = 0;
	(*n)++;
	return 0;
}

int
config_load_buffer(const char *name, const char *data, size_t len,
    struct config *cfg)
{
	struct strlist ignored = { 0 };
	struct src src = { 0 };
	bool ingress = false;
	int errors = 0;

	memset(cfg, 0, sizeof(*cfg));
	strlist_add(&cfg->files, name);
	src.file = cfg->files.v[0];
	src.data = (char *)data; /* the caller's: read only, not wiped */
	src.len = len;
	load_buffer(cfg, &src, P_OTHERS, &ignored, &errors, &ingress);
	load_buffer(cfg, &src, P_CERTS, &ignored, &errors, &ingress);
	if (errors == 0)
		errors += cfgw_link(cfg);
	strlist_free(&ignored);
	return errors == 0 ? 0 : -1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
config_load(const char *path, struct config *cfg)
{
	struct strlist ignored = { 0 }, names = { 0 };
	struct src *srcs = NULL;
	struct dirent *de;
	struct stat st;
	struct buf b = { 0 };
	bool ingress = false;
	int errors = 0;
	size_t i, nsrcs = 0;
	DIR *d;

	memset(cfg, 0, sizeof(*cfg));
	if (stat(path, &st) < 0) {
		log_error("%s: %s; give the configuration with -c FILE|DIR",
		    path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((d = opendir(path)) == NULL) {
			log_error("%s: %s", path, strerror(errno));
			return -1;
		}
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    (util_endswith(de->d_name, ".yaml") ||
			    util_endswith(de->d_name, ".yml")))
				strlist_add(&names, de->d_name);
		closedir(d);
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
		if (names.n == 0) {
			log_error("%s: no *.yaml files in this directory",
			    path);
			errors++;
		}
		for (i = 0; i < names.n; i++) {
			char *file = util_printf("%s/%s", path, names.v[i]);

			if (read_source(cfg, file, &srcs, &nsrcs) < 0)
				errors++;
			free(file);
		}
		strlist_free(&names);
	} else if (read_source(cfg, path, &srcs, &nsrcs) < 0) {
		errors++;
	}
	load_sources(cfg, srcs, nsrcs, &ignored, &errors, &ingress);
	free(srcs);
	if (errors == 0)
		errors += cfgw_link(cfg);
	if (ignored.n > 0) {
		for (i = 0; i < ignored.n; i++) {
			if (i > 0)
				buf_addstr(&b, ", ");
			buf_addstr(&b, ignored.v[i]);
		}
		log_notice("ignoring fields that only mean something inside "
		    "Kubernetes: %s", b.data);
		buf_free(&b);
	}
	if (ingress)
		log_notice("http01 solvers without an acmec.io/ annotation: "
		    "acmec answers the challenges itself on port 80 (set "
		    "acmec.io/http01-listen, acmec.io/http01-webroot or "
		    "acmec.io/tlsalpn01-listen on the issuer to choose)");
	strlist_free(&ignored);
	return errors == 0 ? 0 : -1;
}
