/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Documents, files and directories loaded; issuerRefs linked, names made
 * unique, secretName clashes refused; lookups and freeing.
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

static void
f_api_version(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	if (!cfgw_is_str(ld, n, path))
		return;
	if (strcmp(cfgw_scalar(n), "cert-manager.io/v1") != 0 &&
	    strcmp(cfgw_scalar(n), "acmec/v1") != 0)
		cfgw_perr(ld, n, path, "'%s' is not supported: use "
		    "cert-manager.io/v1", log_esc(cfgw_scalar(n)));
}

static void
f_kind_checked(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	/* Checked before the walk; here only to be a known field. */
	(void)ld;
	(void)n;
	(void)path;
	(void)obj;
}

static void
f_meta_skip(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)ld;
	(void)n;
	(void)path;
	(void)obj;
}

static void
f_issuer_spec(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "acme", K_FN, 0, cfgw_acme, NULL, F_REQUIRED },
		{ "ca", K_FN, 0, cfgw_unsupported_issuer, NULL, 0 },
		{ "selfSigned", K_FN, 0, cfgw_unsupported_issuer, NULL, 0 },
		{ "vault", K_FN, 0, cfgw_unsupported_issuer, NULL, 0 },
		{ "venafi", K_FN, 0, cfgw_unsupported_issuer, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static const struct field doc_issuer_fields[] = {
	{ "apiVersion", K_FN, 0, f_api_version, NULL, F_REQUIRED },
	{ "kind", K_FN, 0, f_kind_checked, NULL, F_REQUIRED },
	{ "metadata", K_FN, 0, f_meta_skip, NULL, F_REQUIRED },
	{ "spec", K_FN, 0, f_issuer_spec, NULL, F_REQUIRED },
	{ "status", K_IGNORE, 0, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct field doc_cert_fields[] = {
	{ "apiVersion", K_FN, 0, f_api_version, NULL, F_REQUIRED },
	{ "kind", K_FN, 0, f_kind_checked, NULL, F_REQUIRED },
	{ "metadata", K_FN, 0, f_meta_skip, NULL, F_REQUIRED },
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

static void
read_document(struct ld *ld, const yaml_node_t *root)
{
	const yaml_node_t *kind, *meta_node;
	struct config *cfg = ld->cfg;
	struct meta m = { 0 };
	const char *k;

	if (root->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, root, "", "a document must be a mapping (a "
		    "cert-manager resource), found %s", cfgw_kind_name(root));
		return;
	}
	kind = cfgw_lookup(ld, root, "kind");
	if (kind == NULL) {
		cfgw_perr(ld, root, "kind", "required field is missing");
		return;
	}
	if (!cfgw_is_str(ld, kind, "kind"))
		return;
	k = cfgw_scalar(kind);
	if ((meta_node = cfgw_lookup(ld, root, "metadata")) != NULL)
		read_meta(ld, meta_node, &m);
	if (strcmp(k, "ClusterIssuer") == 0 || strcmp(k, "Issuer") == 0) {
		struct cfg_issuer *is;

		cfg->issuers = util_realloc(cfg->issuers, cfg->nissuers + 1,
		    sizeof(*cfg->issuers));
		is = &cfg->issuers[cfg->nissuers++];
		memset(is, 0, sizeof(*is));
		is->pos = cfgw_pos_of(ld, m.name_node ? m.name_node : root);
		is->cluster = k[0] == 'C';
		is->name = m.name;
		is->namespace = m.namespace;
		m.name = m.namespace = NULL;
		if (is->cluster && is->namespace != NULL) {
			free(is->namespace);
			is->namespace = NULL;
		} else if (!is->cluster && is->namespace == NULL)
			is->namespace = util_strdup("default");
		if (m.label_keys.n > 0)
			cfgw_note_ignored(ld, "metadata.labels");
		cfgw_walk_map(ld, root, "", doc_issuer_fields, is);
		if (m.annotations != NULL)
			cfgw_issuer_annotations(ld, m.annotations, is);
	} else if (strcmp(k, "Certificate") == 0) {
		struct cfg_cert *c;

		cfg->certs = util_realloc(cfg->certs, cfg->ncerts + 1,
		    sizeof(*cfg->certs));
		c = &cfg->certs[cfg->ncerts++];
		memset(c, 0, sizeof(*c));
		config_cert_defaults(c);
		c->pos = cfgw_pos_of(ld, m.name_node ? m.name_node : root);
		c->name = m.name;
		c->namespace = m.namespace ? m.namespace :
		    util_strdup("default");
		c->label_keys = m.label_keys;
		c->label_values = m.label_values;
		memset(&m, 0, sizeof(m));
		cfgw_walk_map(ld, root, "", doc_cert_fields, c);
		if (m.annotations != NULL)
			cfgw_cert_annotations(ld, m.annotations, c);
	} else {
		cfgw_perr(ld, kind, "kind", "'%s' is not one of: ClusterIssuer, "
		    "Issuer, Certificate", log_esc(k));
	}
	meta_free(&m);
}

static int link_config(struct config *cfg);

/* Parse the YAML text data (named file in messages) into cfg. */
static void
load_buffer(struct config *cfg, const char *file, const char *data,
    size_t len, struct strlist *ignored, int *errors, bool *ingress)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	const yaml_node_t *root;
	struct ld ld = { 0 };
	bool done = false;

	strlist_add(&cfg->files, file);
	ld.cfg = cfg;
	ld.file = cfg->files.v[cfg->files.n - 1];
	ld.ignored = ignored;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_load(&parser, &doc)) {
			log_error("%s:%lu:%lu: YAML syntax error: %s", ld.file,
			    (unsigned long)parser.problem_mark.line + 1,
			    (unsigned long)parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "unknown");
			ld.errors++;
			break;
		}
		ld.doc = &doc;
		if ((root = yaml_document_get_root_node(&doc)) == NULL)
			done = true;
		else if (!(root->type == YAML_SCALAR_NODE &&
		    cfgw_sctype(root) == S_NULL))
			read_document(&ld, root); /* an empty "---" is fine */
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	*errors += ld.errors;
	*ingress = *ingress || ld.ingress_notice;
}

static void
load_file(struct config *cfg, const char *path, struct strlist *ignored,
    int *errors, bool *ingress)
{
	char *data;
	size_t len;

	if (fs_read(path, CONFIG_MAX_FILE, &data, &len) < 0) {
		log_error("%s: %s", path, strerror(errno));
		(*errors)++;
		return;
	}
	load_buffer(cfg, path, data, len, ignored, errors, ingress);
	free(data);
}

int
config_load_buffer(const char *name, const char *data, size_t len,
    struct config *cfg)
{
	struct strlist ignored = { 0 };
	bool ingress = false;
	int errors = 0;

	memset(cfg, 0, sizeof(*cfg));
	load_buffer(cfg, name, data, len, &ignored, &errors, &ingress);
	if (errors == 0)
		errors += link_config(cfg);
	strlist_free(&ignored);
	return errors == 0 ? 0 : -1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A Certificate's files replace its Secret directory as one set: report
 * that c's secretName is also the Secret what (the field at where).
 */
static void
secret_clash(const struct cfg_cert *c, const char *what, const char *field,
    const struct cfg_pos *where, int *errors)
{
	log_error("%s:%d:%d: spec.secretName: '%s' is %s (%s at %s:%d:%d); "
	    "the certificate's files would replace it: rename "
	    "spec.secretName (to '%s-tls', say)", c->secret_pos.file,
	    c->secret_pos.line, c->secret_pos.col, c->secret_name, what, field,
	    where->file ? where->file : "?", where->line, where->col,
	    c->name ? c->name : c->secret_name);
	(*errors)++;
}

/* Does c's secretName clash with a SecretRef of is?  Reported. */
static void
check_issuer_secrets(const struct cfg_cert *c, const struct cfg_issuer *is,
    int *errors)
{
	char *who, *what;
	size_t k;

	who = is->cluster ? util_printf("ClusterIssuer '%s'", is->name) :
	    util_printf("Issuer '%s/%s'", is->namespace, is->name);
	if (is->account_key.name != NULL &&
	    strcmp(is->account_key.name, c->secret_name) == 0) {
		what = util_printf("the account key Secret of %s", who);
		secret_clash(c, what, "spec.acme.privateKeySecretRef",
		    &is->account_key.pos, errors);
		free(what);
	}
	if (is->eab_set && is->eab_key.name != NULL &&
	    strcmp(is->eab_key.name, c->secret_name) == 0) {
		what = util_printf("the externalAccountBinding key Secret of "
		    "%s", who);
		secret_clash(c, what, "spec.acme.externalAccountBinding."
		    "keySecretRef", &is->eab_key.pos, errors);
		free(what);
	}
	for (k = 0; k < is->nsolvers; k++) {
		const struct cfg_secret_ref *t = &is->solvers[k].tsig_secret;

		if (t->name == NULL || strcmp(t->name, c->secret_name) != 0)
			continue;
		what = util_printf("the TSIG key Secret of %s", who);
		secret_clash(c, what, "tsigSecretSecretRef", &t->pos, errors);
		free(what);
	}
	free(who);
}

/*
 * Each Certificate needs a Secret of its own, apart from every Secret
 * acmec reads: its files would replace an account key or a TSIG secret.
 */
static int
check_secret_names(const struct config *cfg)
{
	const struct cfg_cert *c, *d;
	size_t i, j;
	int errors = 0;

	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		if (c->secret_name == NULL)
			continue;
		for (j = 0; j < cfg->nissuers; j++)
			check_issuer_secrets(c, &cfg->issuers[j], &errors);
		if (strcmp(c->secret_name, CONFIG_ADHOC_ACCOUNT) == 0) {
			log_error("%s:%d:%d: spec.secretName: '%s' is where ad "
			    "hoc issue keeps its account key: rename "
			    "spec.secretName (to '%s-tls', say)",
			    c->secret_pos.file, c->secret_pos.line,
			    c->secret_pos.col, c->secret_name, c->name ?
			    c->name : "web");
			errors++;
		}
		for (j = 0; j < i; j++) {
			d = &cfg->certs[j];
			if (d->secret_name == NULL ||
			    strcmp(c->secret_name, d->secret_name) != 0)
				continue;
			log_error("%s:%d:%d: spec.secretName: '%s' is also the "
			    "secretName of Certificate '%s/%s' (%s:%d:%d); "
			    "each Certificate needs a Secret of its own: "
			    "rename spec.secretName", c->secret_pos.file,
			    c->secret_pos.line, c->secret_pos.col,
			    c->secret_name, d->namespace, d->name ? d->name :
			    "?", d->secret_pos.file, d->secret_pos.line,
			    d->secret_pos.col);
			errors++;
			break;
		}
	}
	return errors;
}

/* Resolve issuerRefs and check names are unique. */
static int
link_config(struct config *cfg)
{
	struct cfg_cert *c, *d;
	struct cfg_issuer *is, *js;
	size_t i, j;
	int errors = 0;

	for (i = 0; i < cfg->nissuers; i++) {
		is = &cfg->issuers[i];
		for (j = 0; j < i; j++) {
			js = &cfg->issuers[j];
			if (is->name == NULL || js->name == NULL ||
			    is->cluster != js->cluster ||
			    strcmp(is->name, js->name) != 0 ||
			    (!is->cluster &&
			    strcmp(is->namespace, js->namespace) != 0))
				continue;
			log_error("%s:%d:%d: metadata.name: %s '%s' is "
			    "defined twice (first at %s:%d:%d)", is->pos.file,
			    is->pos.line, is->pos.col, is->cluster ?
			    "ClusterIssuer" : "Issuer", is->name, js->pos.file,
			    js->pos.line, js->pos.col);
			errors++;
		}
	}
	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		for (j = 0; j < i; j++) {
			d = &cfg->certs[j];
			if (c->name != NULL && d->name != NULL &&
			    strcmp(c->name, d->name) == 0 &&
			    strcmp(c->namespace, d->namespace) == 0) {
				log_error("%s:%d:%d: metadata.name: "
				    "Certificate '%s/%s' is defined twice "
				    "(first at %s:%d:%d)", c->pos.file,
				    c->pos.line, c->pos.col, c->namespace,
				    c->name, d->pos.file, d->pos.line,
				    d->pos.col);
				errors++;
			}
		}
		if (c->issuer_name == NULL)
			continue;
		c->issuer = config_find_issuer(cfg, c->issuer_cluster,
		    c->issuer_name, c->namespace);
		if (c->issuer == NULL) {
			log_error("%s:%d:%d: spec.issuerRef: no %s named '%s'%s%s",
			    c->issuer_pos.file, c->issuer_pos.line,
			    c->issuer_pos.col, c->issuer_cluster ?
			    "ClusterIssuer" : "Issuer", c->issuer_name,
			    c->issuer_cluster ? "" : " in namespace ",
			    c->issuer_cluster ? "" : c->namespace);
			errors++;
		} else
			errors += cfgw_cert_issuer_checks(c);
	}
	return errors + check_secret_names(cfg);
}

int
config_load(const char *path, struct config *cfg)
{
	struct strlist ignored = { 0 }, names = { 0 };
	struct dirent *de;
	struct stat st;
	struct buf b = { 0 };
	bool ingress = false;
	int errors = 0;
	size_t i;
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

			load_file(cfg, file, &ignored, &errors, &ingress);
			free(file);
		}
		strlist_free(&names);
	} else {
		load_file(cfg, path, &ignored, &errors, &ingress);
	}
	if (errors == 0)
		errors += link_config(cfg);
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
		log_notice("http01 ingress/gatewayHTTPRoute solvers: acmec "
		    "answers the challenges itself on port 80");
	strlist_free(&ignored);
	return errors == 0 ? 0 : -1;
}

const struct cfg_cert *
config_find_cert(const struct config *cfg, const char *name, bool *ambiguous)
{
	const struct cfg_cert *found = NULL;
	const char *slash = strchr(name, '/');
	size_t i, nslen;

	*ambiguous = false;
	for (i = 0; i < cfg->ncerts; i++) {
		const struct cfg_cert *c = &cfg->certs[i];

		if (slash != NULL) {
			nslen = (size_t)(slash - name);
			if (strlen(c->namespace) == nslen &&
			    strncmp(c->namespace, name, nslen) == 0 &&
			    strcmp(c->name, slash + 1) == 0)
				return c;
			continue;
		}
		if (strcmp(c->name, name) != 0)
			continue;
		if (found != NULL) {
			*ambiguous = true;
			return NULL;
		}
		found = c;
	}
	return found;
}

const struct cfg_issuer *
config_find_issuer(const struct config *cfg, bool cluster, const char *name,
    const char *namespace)
{
	const struct cfg_issuer *is;
	size_t i;

	for (i = 0; i < cfg->nissuers; i++) {
		is = &cfg->issuers[i];
		if (is->name != NULL && is->cluster == cluster &&
		    strcmp(is->name, name) == 0 &&
		    (cluster || strcmp(is->namespace, namespace) == 0))
			return is;
	}
	return NULL;
}

const struct cfg_issuer *
config_find_issuer_arg(const struct config *cfg, const char *arg,
    bool *ambiguous)
{
	const struct cfg_issuer *is, *found = NULL;
	const char *slash = strchr(arg, '/');
	char *ns;
	size_t i;

	*ambiguous = false;
	if (slash != NULL) {
		ns = util_strndup(arg, (size_t)(slash - arg));
		is = config_find_issuer(cfg, false, slash + 1, ns);
		free(ns);
		return is;
	}
	if ((is = config_find_issuer(cfg, true, arg, NULL)) != NULL)
		return is;
	for (i = 0; i < cfg->nissuers; i++) {
		is = &cfg->issuers[i];
		if (is->cluster || is->name == NULL ||
		    strcmp(is->name, arg) != 0)
			continue;
		if (found != NULL) {
			*ambiguous = true;
			return NULL;
		}
		found = is;
	}
	return found;
}

void
config_issuer_free(struct cfg_issuer *is)
{
	size_t i;

	free(is->name);
	free(is->namespace);
	free(is->server);
	free(is->email);
	free(is->account_key.name);
	free(is->account_key.key);
	free(is->ca_bundle);
	free(is->preferred_chain);
	free(is->profile);
	free(is->eab_key_id);
	free(is->eab_key.name);
	free(is->eab_key.key);
	for (i = 0; i < is->nsolvers; i++) {
		struct cfg_solver *s = &is->solvers[i];

		strlist_free(&s->sel_dns_names);
		strlist_free(&s->sel_dns_zones);
		strlist_free(&s->sel_label_keys);
		strlist_free(&s->sel_label_values);
		free(s->http_address);
		free(s->webroot);
		free(s->rfc2136_nameserver);
		free(s->tsig_key_name);
		free(s->tsig_secret.name);
		free(s->tsig_secret.key);
		strlist_free(&s->exec_command);
		strlist_free(&s->recursive_ns);
	}
	free(is->solvers);
	memset(is, 0, sizeof(*is));
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nissuers; i++)
		config_issuer_free(&cfg->issuers[i]);
	for (i = 0; i < cfg->ncerts; i++)
		config_cert_free(&cfg->certs[i]);
	free(cfg->issuers);
	free(cfg->certs);
	strlist_free(&cfg->files);
	strlist_free(&cfg->noticed);
	memset(cfg, 0, sizeof(*cfg));
}
