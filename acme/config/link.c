/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * After loading: issuerRefs resolved, names made unique, secretName
 * clashes refused, skipped Certificates noticed; lookups and freeing.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/certx.h"
#include "acme/config/config.h"
#include "acme/config/secret.h"
#include "acme/config/walk.h"
#include "acme/log.h"

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
		const struct cfg_solver *sv = &is->solvers[k];
		const struct cfg_secret_ref *t = &sv->tsig_secret;
		size_t j;

		if (t->name != NULL && strcmp(t->name, c->secret_name) == 0) {
			what = util_printf("the TSIG key Secret of %s", who);
			secret_clash(c, what, "tsigSecretSecretRef", &t->pos,
			    errors);
			free(what);
		}
		for (j = 0; j < sv->api.nrefs; j++) {
			t = &sv->api.refs[j];
			if (strcmp(t->name, c->secret_name) != 0)
				continue;
			what = util_printf("a %s credential Secret of %s",
			    sv->api.provider, who);
			secret_clash(c, what, sv->api.ref_names[j], &t->pos,
			    errors);
			free(what);
		}
	}
	free(who);
}

/*
 * Certificates sorted by a key, ties in the order they were read: the
 * earlier namesakes of each stand just before it.  O(n log n), where
 * comparing every pair took most of a second for 10,000
 * Certificates.
 */
struct cert_index {
	const struct cfg_cert **v;
	size_t n;
	size_t *at; /* where certs[i] is in v, or SIZE_MAX if left out */
	int (*key)(const struct cfg_cert *, const struct cfg_cert *);
};

static int
name_key(const struct cfg_cert *c, const struct cfg_cert *d)
{
	int r = strcmp(c->name, d->name);

	return r != 0 ? r : strcmp(c->namespace, d->namespace);
}

static int
secret_key(const struct cfg_cert *c, const struct cfg_cert *d)
{
	return strcmp(c->secret_name, d->secret_name);
}

static bool
has_name(const struct cfg_cert *c)
{
	return c->name != NULL;
}

/* acmec writes no files for a skipped Certificate. */
static bool
writes_secret(const struct cfg_cert *c)
{
	return c->secret_name != NULL && config_cert_runs(c);
}

/* qsort() has no argument for the key: one comparator per key. */
static int
tie(const struct cfg_cert *c, const struct cfg_cert *d, int r)
{
	/* Elements of one array: their addresses are the order read. */
	return r != 0 ? r : c < d ? -1 : c > d;
}

static int
by_name(const void *a, const void *b)
{
	const struct cfg_cert *c = *(const struct cfg_cert *const *)a;
	const struct cfg_cert *d = *(const struct cfg_cert *const *)b;

	return tie(c, d, name_key(c, d));
}

static int
by_secret(const void *a, const void *b)
{
	const struct cfg_cert *c = *(const struct cfg_cert *const *)a;
	const struct cfg_cert *d = *(const struct cfg_cert *const *)b;

	return tie(c, d, secret_key(c, d));
}

/* The Certificates keep() takes, sorted; index_free() frees. */
static void
index_make(const struct config *cfg, bool (*keep)(const struct cfg_cert *),
    int (*key)(const struct cfg_cert *, const struct cfg_cert *),
    int (*cmp)(const void *, const void *), struct cert_index *x)
{
	size_t i;

	x->key = key;
	x->v = util_alloc((cfg->ncerts + 1) * sizeof(*x->v));
	x->at = util_alloc((cfg->ncerts + 1) * sizeof(*x->at));
	x->n = 0;
	for (i = 0; i < cfg->ncerts; i++) {
		x->at[i] = SIZE_MAX;
		if (keep(&cfg->certs[i]))
			x->v[x->n++] = &cfg->certs[i];
	}
	qsort(x->v, x->n, sizeof(*x->v), cmp);
	for (i = 0; i < x->n; i++)
		x->at[x->v[i] - cfg->certs] = i;
}

/*
 * The first of the Certificates read before certs[i] with its key, in
 * x->v; there are at[i] minus that many, in the order read.
 */
static size_t
index_first(const struct cert_index *x, size_t i)
{
	size_t k = x->at[i];

	while (k > 0 && x->key(x->v[k - 1], x->v[x->at[i]]) == 0)
		k--;
	return k;
}

static void
index_free(struct cert_index *x)
{
	free(x->v);
	free(x->at);
	memset(x, 0, sizeof(*x));
}

/* Certificate x->v[x->at[i]] against each namesake read before it. */
static int
report_namesakes(const struct cert_index *x, size_t i)
{
	const struct cfg_cert *c = x->v[x->at[i]], *d;
	size_t j;

	for (j = index_first(x, i); j < x->at[i]; j++) {
		d = x->v[j];
		log_error("%s:%d:%d: metadata.name: Certificate '%s/%s' is "
		    "defined twice (first at %s:%d:%d)", c->pos.file,
		    c->pos.line, c->pos.col, c->namespace, c->name,
		    d->pos.file, d->pos.line, d->pos.col);
	}
	return (int)(x->at[i] - index_first(x, i));
}

/*
 * Each Certificate needs a Secret of its own, apart from every Secret
 * acmec reads: its files would replace an account key or a TSIG secret.
 */
static int
check_secret_names(const struct config *cfg)
{
	struct cert_index x;
	const struct cfg_cert *c, *d;
	size_t i, j, first;
	int errors = 0;

	index_make(cfg, writes_secret, secret_key, by_secret, &x);
	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		if (x.at[i] == SIZE_MAX)
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
		if ((first = index_first(&x, i)) == x.at[i])
			continue;
		d = x.v[first];
		log_error("%s:%d:%d: spec.secretName: '%s' is also the "
		    "secretName of Certificate '%s/%s' (%s:%d:%d); each "
		    "Certificate needs a Secret of its own: rename "
		    "spec.secretName", c->secret_pos.file, c->secret_pos.line,
		    c->secret_pos.col, c->secret_name, d->namespace, d->name ?
		    d->name : "?", d->secret_pos.file, d->secret_pos.line,
		    d->secret_pos.col);
		errors++;
	}
	index_free(&x);
	return errors;
}

/* Certificates of issuers acmec does not run: each said once. */
static void
note_skipped(const struct config *cfg)
{
	const struct cfg_cert *c;
	size_t i;

	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		if (c->external_issuer || config_issuer_runs(c->issuer))
			continue; /* an external one was said when read */
		log_notice("%s:%d:%d: skipping Certificate '%s/%s': its issuer "
		    "%s '%s' is a %s issuer, which acmec does not run",
		    c->pos.file, c->pos.line, c->pos.col, c->namespace,
		    c->name, c->issuer->cluster ? "ClusterIssuer" : "Issuer",
		    c->issuer->name, config_issuer_type_name(c->issuer->type));
	}
}

const struct cfg_cert *
config_ca_source(const struct config *cfg, const struct cfg_issuer *is)
{
	size_t i;

	if (is == NULL || is->type != ISSUER_CA || is->ca_ref.name == NULL ||
	    is->ca_ref.doc != NULL)
		return NULL;
	for (i = 0; i < cfg->ncerts; i++)
		if (cfg->certs[i].secret_name != NULL && config_cert_runs(
		    &cfg->certs[i]) && strcmp(cfg->certs[i].secret_name,
		    is->ca_ref.name) == 0)
			return &cfg->certs[i];
	return NULL;
}

/*
 * A CA issuer's Secret written by a Certificate of this configuration:
 * in the namespace the issuer reads (as in a cluster), and not signed,
 * at any distance, by that same issuer.
 */
static int
check_ca_sources(const struct config *cfg)
{
	const struct cfg_cert *src, *c;
	const struct cfg_issuer *is;
	const char *ns;
	size_t i, depth;
	int errors = 0;

	for (i = 0; i < cfg->nissuers; i++) {
		is = &cfg->issuers[i];
		if ((src = config_ca_source(cfg, is)) == NULL)
			continue;
		ns = is->cluster ? CONFIG_CLUSTER_RESOURCE_NS : is->namespace;
		if (strcmp(src->namespace, ns) != 0) {
			log_error("%s:%d:%d: spec.ca.secretName: Secret '%s' "
			    "is written by Certificate '%s/%s' (%s:%d:%d) in "
			    "namespace '%s', but %s '%s' reads namespace '%s': "
			    "move one of them", is->ca_ref.pos.file,
			    is->ca_ref.pos.line, is->ca_ref.pos.col,
			    is->ca_ref.name, src->namespace, src->name,
			    src->pos.file, src->pos.line, src->pos.col,
			    src->namespace, is->cluster ? "ClusterIssuer" :
			    "Issuer", is->name, ns);
			errors++;
			continue;
		}
		for (c = src, depth = 0; c != NULL && c->issuer != NULL &&
		    depth <= cfg->ncerts; depth++) {
			if (c->issuer == is) {
				log_error("%s:%d:%d: spec.ca.secretName: the CA "
				    "of issuer '%s' is Certificate '%s/%s', "
				    "which that issuer signs itself (a cycle): "
				    "issue the CA's certificate with a "
				    "selfSigned or another CA issuer",
				    is->ca_ref.pos.file, is->ca_ref.pos.line,
				    is->ca_ref.pos.col, is->name,
				    src->namespace, src->name);
				errors++;
				break;
			}
			c = config_ca_source(cfg, c->issuer);
		}
	}
	return errors;
}

int
cfgw_link(struct config *cfg)
{
	struct cert_index x;
	struct cfg_cert *c;
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
	index_make(cfg, has_name, name_key, by_name, &x);
	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		if (x.at[i] != SIZE_MAX)
			errors += report_namesakes(&x, i);
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
			errors += cfgw_cert_issuer_checks(cfg, c);
	}
	index_free(&x);
	errors += check_secret_names(cfg);
	if (errors == 0)
		errors += cfgw_secret_link(cfg);
	if (errors == 0)
		errors += check_ca_sources(cfg);
	if (errors == 0)
		note_skipped(cfg);
	return errors;
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
	size_t i, j;

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
	free(is->ca_ref.name);
	strlist_free(&is->crl_urls);
	strlist_free(&is->ocsp_urls);
	strlist_free(&is->issuer_urls);
	strlist_free(&is->hooks.pre.argv);
	strlist_free(&is->hooks.post.argv);
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
		strlist_free(&s->nameservers);
		strlist_free(&s->api.names);
		strlist_free(&s->api.values);
		for (j = 0; j < s->api.nrefs; j++) {
			free(s->api.refs[j].name);
			free(s->api.refs[j].key);
			free(s->api.ref_names[j]);
		}
		free(s->unsupported);
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
	for (i = 0; i < cfg->nsecrets; i++)
		cfgw_secret_free(&cfg->secrets[i]);
	free(cfg->secrets);
	free(cfg->issuers);
	free(cfg->certs);
	strlist_free(&cfg->files);
	strlist_free(&cfg->noticed);
	memset(cfg, 0, sizeof(*cfg));
}
