/*
 * kind: Secret documents: read with Kubernetes' rules, linked to the
 * SecretRefs of the issuers as cert-manager finds them, and the one
 * lookup every reader of a SecretRef goes through (the document first,
 * else the file SECRETS/NAME/KEY).  Values are never logged.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/secret.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"

/* The most a Secret holds, data and stringData together (Kubernetes). */
#define SECRET_MAX_BYTES (1024 * 1024)

static const char *const type_names[] = { "acme", "ca", "selfSigned",
	"vault", "venafi" };

const char *
config_issuer_type_name(enum cfg_issuer_type t)
{
	return (size_t)t < sizeof(type_names) / sizeof(type_names[0]) ?
	    type_names[t] : "?";
}

bool
config_issuer_runs(const struct cfg_issuer *is)
{
	return is == NULL || is->type == ISSUER_ACME ||
	    is->type == ISSUER_CA || is->type == ISSUER_SELFSIGNED;
}

bool
config_cert_runs(const struct cfg_cert *c)
{
	return !c->external_issuer && config_issuer_runs(c->issuer);
}

/* ---- reading a Secret document ---- */

/* What the walk of a Secret collects before it is checked. */
struct sdoc {
	const yaml_node_t *type, *data, *string_data;
	bool immutable;
};

static void
f_node(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct sdoc *d = obj;
	const char *member = strrchr(path, '.');

	(void)ld;
	member = member != NULL ? member + 1 : path;
	if (strcmp(member, "type") == 0)
		d->type = n;
	else if (strcmp(member, "data") == 0)
		d->data = n;
	else
		d->string_data = n;
}

static const struct cfg_secret_item *
item_of(const struct cfg_secret *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nitems; i++)
		if (strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	return NULL;
}

/* Set key to value (taken over), replacing what data gave. */
static void
put(struct cfg_secret *s, const char *key, unsigned char *value, size_t len)
{
	struct cfg_secret_item *it = (struct cfg_secret_item *)item_of(s, key);

	if (it == NULL) {
		s->items = util_realloc(s->items, s->nitems + 1,
		    sizeof(*s->items));
		it = &s->items[s->nitems++];
		it->key = util_strdup(key);
	} else {
		crypto_secret_free(it->value, it->len + 1);
	}
	it->value = value;
	it->len = len;
}

/*
 * A []byte as Kubernetes decodes it from JSON: standard base64, padded;
 * Go's decoder skips line breaks, and only those.
 */
static int
k8s_b64(const char *s, unsigned char **out, size_t *outlen)
{
	size_t n = 0;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			continue;
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxy"
		    "z0123456789+/=", *p) == NULL)
			return -1;
		n++;
	}
	if (n % 4 != 0)
		return -1;
	return b64_std_decode(s, strlen(s), out, outlen);
}

/* The value v of data.KEY (base64) or stringData.KEY (plain); NULL if bad. */
static unsigned char *
read_value(struct ld *ld, const yaml_node_t *v, const char *path, bool plain,
    size_t *len)
{
	unsigned char *value = NULL;
	const char *s;

	*len = 0;
	if (cfgw_is_null(v))
		return util_alloc(1); /* null: an empty value */
	if (!cfgw_is_str(ld, v, path))
		return NULL;
	s = cfgw_scalar(v);
	if (plain) {
		*len = strlen(s);
		value = util_alloc(*len + 1);
		memcpy(value, s, *len + 1);
	} else if (k8s_b64(s, &value, len) < 0) {
		cfgw_perr(ld, v, path, "not valid base64 (data holds values in "
		    "standard base64, padded; plain text goes under "
		    "stringData)");
		return NULL;
	}
	return value;
}

/* data (plain false) or stringData into s. */
static void
read_values(struct ld *ld, const yaml_node_t *n, const char *path,
    bool plain, struct cfg_secret *s)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k;
	struct strlist seen = { 0 };
	unsigned char *value;
	char *sub;
	size_t len;

	if (n->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, n, path, "expected a mapping, found %s",
		    cfgw_kind_name(n));
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		if (k->type != YAML_SCALAR_NODE) {
			cfgw_perr(ld, k, path, "keys must be strings");
			continue;
		}
		sub = util_printf("%s.%s", path, cfgw_scalar(k));
		if (!cfgw_valid_secret_key(cfgw_scalar(k)))
			cfgw_perr(ld, k, sub, "'%s' is not a valid secret key: "
			    "use letters, digits, '-', '_' and '.'",
			    log_esc(cfgw_scalar(k)));
		else if (strlist_has(&seen, cfgw_scalar(k)))
			cfgw_perr(ld, k, sub, "given more than once");
		else if ((value = read_value(ld, cfgw_node(ld, pair->value),
		    sub, plain, &len)) != NULL) {
			strlist_add(&seen, cfgw_scalar(k));
			put(s, cfgw_scalar(k), value, len);
		}
		free(sub);
	}
	strlist_free(&seen);
}

/* Kubernetes' checks on the whole: size, and the keys of a TLS Secret. */
static void
check_whole(struct ld *ld, const yaml_node_t *root, const struct sdoc *d,
    const struct cfg_secret *s)
{
	static const char *const tls_keys[] = { "tls.crt", "tls.key" };
	size_t i, total = 0;

	for (i = 0; i < s->nitems; i++)
		total += s->items[i].len + strlen(s->items[i].key);
	if (total > SECRET_MAX_BYTES)
		cfgw_perr(ld, root, "data", "the Secret holds more than 1 MiB, "
		    "the most Kubernetes stores");
	if (d->type == NULL || !cfgw_is_str(ld, d->type, "type") ||
	    strcmp(cfgw_scalar(d->type), "kubernetes.io/tls") != 0)
		return;
	for (i = 0; i < 2; i++)
		if (item_of(s, tls_keys[i]) == NULL)
			cfgw_perr(ld, d->type, "type", "a kubernetes.io/tls "
			    "Secret needs the key %s", tls_keys[i]);
}

void
cfgw_secret_doc(struct ld *ld, const yaml_node_t *root, struct cfg_secret *s)
{
	static const struct field fields[] = {
		{ "apiVersion", K_FN, 0, cfgw_read_later, NULL, 0 },
		{ "kind", K_FN, 0, cfgw_read_later, NULL, 0 },
		{ "metadata", K_FN, 0, cfgw_read_later, NULL, F_REQUIRED },
		{ "type", K_FN, 0, f_node, NULL, 0 },
		{ "data", K_FN, 0, f_node, NULL, 0 },
		{ "stringData", K_FN, 0, f_node, NULL, 0 },
		{ "immutable", K_BOOL, offsetof(struct sdoc, immutable), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct sdoc d = { 0 };

	if (!cfgw_walk_map(ld, root, "", fields, &d))
		return;
	/* stringData is merged over data, whatever the order written. */
	if (d.data != NULL)
		read_values(ld, d.data, "data", false, s);
	if (d.string_data != NULL)
		read_values(ld, d.string_data, "stringData", true, s);
	check_whole(ld, root, &d, s);
	if (d.type != NULL && d.type->type == YAML_SCALAR_NODE)
		s->type = util_strdup(cfgw_scalar(d.type));
}

void
cfgw_secret_free(struct cfg_secret *s)
{
	size_t i;

	for (i = 0; i < s->nitems; i++) {
		free(s->items[i].key);
		crypto_secret_free(s->items[i].value, s->items[i].len + 1);
	}
	free(s->items);
	free(s->name);
	free(s->namespace);
	free(s->type);
	strlist_free(&s->ann_keys);
	strlist_free(&s->ann_values);
	memset(s, 0, sizeof(*s));
}

/* ---- linking SecretRefs ---- */

/* The Secret name in namespace ns, or (ns NULL) in any other than not. */
static const struct cfg_secret *
find(const struct config *cfg, const char *name, const char *ns,
    const char *not)
{
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++) {
		const struct cfg_secret *s = &cfg->secrets[i];

		if (strcmp(s->name, name) != 0)
			continue;
		if (ns != NULL ? strcmp(s->namespace, ns) == 0 :
		    strcmp(s->namespace, not) != 0)
			return s;
	}
	return NULL;
}

/* One SecretRef of is, at path, with key deflt when it names none. */
static int
link_ref(const struct config *cfg, const struct cfg_issuer *is,
    struct cfg_secret_ref *ref, const char *path, const char *deflt)
{
	const char *ns = is->cluster ? CONFIG_CLUSTER_RESOURCE_NS :
	    is->namespace, *key = ref->key ? ref->key : deflt;
	const struct cfg_pos *p = &ref->pos;
	const struct cfg_secret *s;

	if (ref->name == NULL)
		return 0;
	if ((s = find(cfg, ref->name, ns, NULL)) != NULL) {
		if (item_of(s, key) != NULL) {
			ref->doc = s;
			return 0;
		}
		log_error("%s:%d:%d: %s: Secret '%s/%s' (%s:%d:%d) has no key "
		    "'%s'%s", p->file, p->line, p->col, path, s->namespace,
		    s->name, s->pos.file, s->pos.line, s->pos.col, key,
		    deflt != NULL && ref->key == NULL ? ": acmec does not "
		    "write into the configuration, so it cannot create the "
		    "account key there; put the key (PEM) under that name, or "
		    "remove the Secret document to keep the key under the "
		    "secrets directory" : ": add it to its data or stringData");
		return 1;
	}
	if ((s = find(cfg, ref->name, NULL, ns)) == NULL)
		return 0; /* the file, as before Secret documents */
	if (is->cluster)
		log_error("%s:%d:%d: %s: Secret '%s' is in namespace '%s' "
		    "(%s:%d:%d); ClusterIssuer '%s' reads Secrets from "
		    "cert-manager's cluster resource namespace '%s': set "
		    "metadata.namespace: %s in the Secret", p->file, p->line,
		    p->col, path, s->name, s->namespace, s->pos.file,
		    s->pos.line, s->pos.col, is->name, ns, ns);
	else
		log_error("%s:%d:%d: %s: Secret '%s' is in namespace '%s' "
		    "(%s:%d:%d); Issuer '%s/%s' reads Secrets from its own "
		    "namespace: set metadata.namespace: %s in the Secret",
		    p->file, p->line, p->col, path, s->name, s->namespace,
		    s->pos.file, s->pos.line, s->pos.col, ns, is->name, ns);
	return 1;
}

/* Every SecretRef of is. */
static int
link_issuer(const struct config *cfg, struct cfg_issuer *is)
{
	char *path;
	size_t k;
	int errors = 0;

	errors += link_ref(cfg, is, &is->account_key,
	    "spec.acme.privateKeySecretRef", "tls.key");
	if (is->eab_set)
		errors += link_ref(cfg, is, &is->eab_key,
		    "spec.acme.externalAccountBinding.keySecretRef", NULL);
	for (k = 0; k < is->nsolvers; k++) {
		struct cfg_solver *sv = &is->solvers[k];
		size_t j;

		path = util_printf("spec.acme.solvers[%zu].dns01.rfc2136."
		    "tsigSecretSecretRef", k);
		errors += link_ref(cfg, is, &sv->tsig_secret, path, NULL);
		free(path);
		for (j = 0; j < sv->api.nrefs; j++) {
			path = util_printf("spec.acme.solvers[%zu].dns01.%s.%s",
			    k, sv->api.provider, sv->api.ref_names[j]);
			errors += link_ref(cfg, is, &sv->api.refs[j], path,
			    NULL);
			free(path);
		}
	}
	return errors;
}

/*
 * The keystores' passwordSecretRefs of c: Secrets of c's own namespace,
 * as cert-manager reads them.
 */
static int
link_keystores(const struct config *cfg, struct cfg_cert *c)
{
	struct cfg_cert_x none = { 0 }, *x = c->x != NULL ? c->x : &none;
	struct cfg_secret_ref *refs[2] = { &x->pkcs12.password_ref,
		&x->jks.password_ref };
	static const char *const paths[2] = {
		"spec.keystores.pkcs12.passwordSecretRef",
		"spec.keystores.jks.passwordSecretRef" };
	const struct cfg_secret *s;
	const struct cfg_pos *p;
	int i, errors = 0;

	for (i = 0; i < 2; i++) {
		p = &refs[i]->pos;
		if (refs[i]->name == NULL || refs[i]->key == NULL)
			continue;
		if ((s = find(cfg, refs[i]->name, c->namespace, NULL)) != NULL) {
			if (item_of(s, refs[i]->key) != NULL) {
				refs[i]->doc = s;
				continue;
			}
			log_error("%s:%d:%d: %s: Secret '%s/%s' (%s:%d:%d) has "
			    "no key '%s': add it to its data or stringData",
			    p->file, p->line, p->col, paths[i], s->namespace,
			    s->name, s->pos.file, s->pos.line, s->pos.col,
			    refs[i]->key);
			errors++;
		} else if ((s = find(cfg, refs[i]->name, NULL,
		    c->namespace)) != NULL) {
			log_error("%s:%d:%d: %s: Secret '%s' is in namespace "
			    "'%s' (%s:%d:%d); a Certificate reads Secrets from "
			    "its own namespace: set metadata.namespace: %s in "
			    "the Secret", p->file, p->line, p->col, paths[i],
			    s->name, s->namespace, s->pos.file, s->pos.line,
			    s->pos.col, c->namespace);
			errors++;
		}
	}
	return errors;
}

/* Is s the Secret cert-manager (or acmec export) wrote for c? */
static bool
written_for(const struct cfg_secret *s, const struct cfg_cert *c)
{
	size_t i;

	for (i = 0; i < s->ann_keys.n; i++)
		if (strcmp(s->ann_keys.v[i], "cert-manager.io/certificate-name")
		    == 0)
			return strcmp(s->ann_values.v[i], c->name) == 0;
	return false;
}

/*
 * A Certificate's secretName naming a Secret document: cert-manager would
 * overwrite that Secret's data; acmec writes files and leaves the
 * document as it is.  Said, not refused, and not of the Secret written for
 * that Certificate: an exported tree holds the TLS Secrets of its
 * Certificates.
 */
static void
warn_secret_names(const struct config *cfg)
{
	const struct cfg_secret *s;
	const struct cfg_cert *c;
	size_t i;

	for (i = 0; i < cfg->ncerts; i++) {
		c = &cfg->certs[i];
		if (c->secret_name == NULL || !config_cert_runs(c) ||
		    (s = find(cfg, c->secret_name, c->namespace, NULL)) == NULL ||
		    written_for(s, c))
			continue;
		log_warn("%s:%d:%d: spec.secretName: '%s' is also the Secret "
		    "document at %s:%d:%d; acmec writes the certificate to "
		    "the secrets directory and never reads or changes that "
		    "document (cert-manager would overwrite its data): "
		    "remove the document, or rename spec.secretName",
		    c->secret_pos.file, c->secret_pos.line, c->secret_pos.col,
		    c->secret_name, s->pos.file, s->pos.line, s->pos.col);
	}
}

int
cfgw_secret_link(struct config *cfg)
{
	const struct cfg_secret *s, *t;
	size_t i, j;
	int errors = 0;

	for (i = 0; i < cfg->nsecrets; i++) {
		s = &cfg->secrets[i];
		for (j = 0; j < i; j++) {
			t = &cfg->secrets[j];
			if (strcmp(s->name, t->name) != 0 ||
			    strcmp(s->namespace, t->namespace) != 0)
				continue;
			log_error("%s:%d:%d: metadata.name: Secret '%s/%s' is "
			    "defined twice (first at %s:%d:%d)", s->pos.file,
			    s->pos.line, s->pos.col, s->namespace, s->name,
			    t->pos.file, t->pos.line, t->pos.col);
			errors++;
			break;
		}
	}
	for (i = 0; errors == 0 && i < cfg->nissuers; i++)
		if (cfg->issuers[i].type == ISSUER_ACME)
			errors += link_issuer(cfg, &cfg->issuers[i]);
		else if (cfg->issuers[i].type == ISSUER_CA)
			errors += link_ref(cfg, &cfg->issuers[i],
			    &cfg->issuers[i].ca_ref, "spec.ca.secretName",
			    "tls.crt");
	for (i = 0; errors == 0 && i < cfg->ncerts; i++)
		errors += link_keystores(cfg, &cfg->certs[i]);
	if (errors == 0)
		warn_secret_names(cfg);
	return errors;
}

/* ---- the lookup ---- */

int
config_secret_get(const struct cfg_secret_ref *ref, const char *key,
    const char *secretsdir, size_t max, char **data, size_t *len)
{
	const struct cfg_secret_item *it;
	char *path;
	int rc, saved;

	*data = NULL;
	*len = 0;
	if (key == NULL)
		key = ref->key;
	if (ref->doc != NULL) {
		if ((it = item_of(ref->doc, key)) == NULL) {
			errno = ENOENT;
			return -1;
		}
		if (it->len > max) {
			errno = EFBIG;
			return -1;
		}
		*data = util_alloc(it->len + 1);
		memcpy(*data, it->value, it->len + 1);
		*len = it->len;
		return 0;
	}
	path = util_printf("%s/%s/%s", secretsdir, ref->name, key);
	rc = fs_read(path, max, data, len);
	saved = errno;
	free(path);
	errno = saved;
	return rc;
}

char *
config_secret_where(const struct cfg_secret_ref *ref, const char *key,
    const char *secretsdir)
{
	const struct cfg_secret *s = ref->doc;

	if (key == NULL)
		key = ref->key;
	if (s == NULL)
		return util_printf("%s/%s/%s", secretsdir, ref->name, key);
	return util_printf("Secret '%s/%s' key '%s' (%s:%d:%d)", s->namespace,
	    s->name, key, s->pos.file, s->pos.line, s->pos.col);
}
