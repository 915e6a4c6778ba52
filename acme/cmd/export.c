/*
 * acmec export: the configuration and the state acmec keeps, as the
 * Kubernetes manifests cert-manager would find up to date (README,
 * "Moving to Kubernetes").
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/fs.h"
#include "acme/k8s.h"
#include "acme/log.h"
#include "acme/status.h"
#include "acme/store.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/key.h"

struct export {
	const char *ns;    /* --namespace: for objects that name none */
	bool include_keys; /* --include-keys */
	struct store st;
	const struct config *cfg;
	struct buf out;     /* the manifests; wiped, it may hold keys */
	struct strlist keyless; /* Secrets written without their keys */
	bool acme;              /* an ACME issuer's Certificate is chosen */
	int errors;
};

/* The files of a Certificate's Secret, and whether each holds a key. */
static const struct {
	const char *name;
	bool secret;
} tls_files[] = {
	{ "tls.crt", false }, { "tls.key", true }, { "ca.crt", false },
	{ "key.der", true }, { "tls-combined.pem", true },
	{ "keystore.p12", true }, { "truststore.p12", false },
	{ "keystore.jks", true }, { "truststore.jks", false },
};
#define NFILES (sizeof(tls_files) / sizeof(tls_files[0]))

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] export [--namespace NS] "
	    "[--include-keys] [NAME...]\n"
	    "\n"
	    "Print, for kubectl apply: the configuration's documents as they "
	    "are, then a\n"
	    "kubernetes.io/tls Secret per Certificate (NAMEs: only those) "
	    "whose files\n"
	    "exist, annotated as cert-manager writes it, and (with "
	    "--include-keys) the\n"
	    "account key Secret of each ACME issuer.\n"
	    "\n"
	    "  --namespace NS   namespace of the Secrets whose Certificate "
	    "or Issuer\n"
	    "                   names none (default: \"default\")\n"
	    "  --include-keys   include private keys; without it tls.key is "
	    "empty and\n"
	    "                   cert-manager issues those certificates "
	    "anew\n");
}

/* Every file of the configuration, as it is, one after another. */
static int
add_documents(struct export *ex)
{
	char *data;
	size_t i, len;

	for (i = 0; i < ex->cfg->files.n; i++) {
		if (fs_read(ex->cfg->files.v[i], FS_READ_MAX * 16, &data,
		    &len) < 0) {
			log_error("%s: %s", ex->cfg->files.v[i],
			    strerror(errno));
			return -1;
		}
		/* A file may open with its own separator. */
		if (len < 4 || strncmp(data, "---\n", 4) != 0)
			buf_addstr(&ex->out, "---\n");
		buf_add(&ex->out, data, len);
		if (len > 0 && data[len - 1] != '\n')
			buf_addstr(&ex->out, "\n");
		crypto_secret_free(data, len);
	}
	return 0;
}

/* Is there a kind: Secret document name in ns (printed already)? */
static bool
is_document(const struct config *cfg, const char *name, const char *ns)
{
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++)
		if (strcmp(cfg->secrets[i].name, name) == 0 &&
		    strcmp(cfg->secrets[i].namespace, ns) == 0)
			return true;
	return false;
}

/* The annotations and label of c's Secret for the leaf of crt. */
static int
tls_metadata(struct export *ex, const struct cfg_cert *c, const char *crt,
    size_t len, struct k8s_secret *s)
{
	struct cert_chain chain = { 0 };
	struct cert_status cs;
	char *json;
	int rc;

	if (cert_chain_parse(crt, len, &chain) < 0) {
		log_error("%s/%s: tls.crt of Secret %s is not a certificate "
		    "chain (%s): run acmec issue %s", c->namespace, c->name,
		    c->secret_name, crypto_error(), c->name);
		return -1;
	}
	rc = k8s_cert_annotations(c, chain.v[0], &s->ann_keys,
	    &s->ann_values);
	cert_chain_free(&chain);
	strlist_add(&s->label_keys, K8S_FAO_LABEL);
	strlist_add(&s->label_values, "true");
	status_load(&ex->st, c, &cs);
	if (cs.revision > 0 && (json = status_json(&cs, false)) != NULL) {
		strlist_add(&s->ann_keys, K8S_STATUS_ANNOTATION);
		strlist_add(&s->ann_values, json);
		free(json);
	}
	status_free(&cs);
	return rc;
}

/* The Secret of c, if its files exist. */
static int
add_tls_secret(struct export *ex, const struct cfg_cert *c)
{
	struct k8s_secret s = { 0 };
	char *data[NFILES] = { NULL }, *path;
	size_t len[NFILES] = { 0 }, i;
	int rc = -1;

	if (is_document(ex->cfg, c->secret_name, c->namespace))
		return 0;
	for (i = 0; i < NFILES; i++) {
		path = store_secret_path(&ex->st, c->secret_name,
		    tls_files[i].name);
		if (fs_read(path, FS_READ_MAX * 8, &data[i], &len[i]) < 0 &&
		    errno != ENOENT) {
			log_error("%s: %s", path, strerror(errno));
			free(path);
			goto out;
		}
		free(path);
	}
	if (data[0] == NULL) {
		log_info("%s/%s: no certificate in Secret %s yet; "
		    "cert-manager will issue it", c->namespace, c->name,
		    c->secret_name);
		rc = 0;
		goto out;
	}
	s.name = c->secret_name;
	s.namespace = config_cert_namespace_given(c) || ex->ns == NULL ?
	    c->namespace : ex->ns;
	s.type = K8S_TLS_TYPE;
	if (tls_metadata(ex, c, data[0], len[0], &s) < 0)
		goto out;
	/* tls.key is always there: a kubernetes.io/tls Secret needs it. */
	for (i = 0; i < NFILES; i++)
		if (i == 1 && (!ex->include_keys || data[1] == NULL))
			k8s_secret_add(&s, "tls.key", "", 0);
		else if (data[i] != NULL &&
		    (!tls_files[i].secret || ex->include_keys))
			k8s_secret_add(&s, tls_files[i].name, data[i], len[i]);
	if (!ex->include_keys) {
		path = util_printf("%s/%s", s.namespace, s.name);
		strlist_add(&ex->keyless, path);
		free(path);
	}
	k8s_secret_yaml(&ex->out, &s);
	rc = 0;
out:
	for (i = 0; i < NFILES; i++)
		if (data[i] != NULL)
			crypto_secret_free(data[i], len[i]);
	k8s_secret_clear(&s);
	return rc;
}

/* The namespace of is's account key Secret, as cert-manager reads it. */
static const char *
issuer_ns(const struct export *ex, const struct cfg_issuer *is)
{
	if (is->cluster)
		return CONFIG_CLUSTER_RESOURCE_NS;
	return is->namespace_given || ex->ns == NULL ? is->namespace : ex->ns;
}

/*
 * The Secret privateKeySecretRef names, holding the account key (as
 * cert-manager creates it: Opaque, label app.kubernetes.io/managed-by),
 * if acmec keeps it as a file and it is RSA, the only type cert-manager
 * takes (pkg/issuer/acme/setup.go).
 */
static int
add_account_secret(struct export *ex, const struct cfg_issuer *is)
{
	const struct cfg_secret_ref *ref = &is->account_key;
	const char *key = ref->key ? ref->key : "tls.key";
	struct k8s_secret s = { 0 };
	struct key *k = NULL;
	char *pem = NULL, *where = NULL, *arg = NULL;
	size_t len = 0;
	int rc = -1;

	if (ref->name == NULL || ref->doc != NULL)
		return 0; /* none, or a document printed already */
	where = config_secret_where(ref, key, ex->st.secretsdir);
	if (config_secret_get(ref, key, ex->st.secretsdir, FS_READ_MAX, &pem,
	    &len) < 0) {
		if (errno == ENOENT)
			rc = 0; /* no account yet: cert-manager makes one */
		else
			log_error("%s: %s", where, strerror(errno));
		goto out;
	}
	if ((k = key_load_pem(pem, len)) == NULL) {
		log_error("%s: not a private key (%s)", where, crypto_error());
		goto out;
	}
	rc = 0;
	if (key_get_type(k) != KEY_RSA) {
		arg = is->cluster ? util_strdup(is->name) :
		    util_printf("%s/%s", is->namespace, is->name);
		log_notice("%s '%s': its account key is not RSA, and "
		    "cert-manager takes only RSA account keys; run 'acmec "
		    "account rekey --issuer %s --key-type rsa2048' first (the "
		    "account stays the same), then export again",
		    is->cluster ? "ClusterIssuer" : "Issuer", arg, arg);
		goto out;
	}
	s.name = ref->name;
	s.namespace = issuer_ns(ex, is);
	s.type = "Opaque";
	strlist_add(&s.label_keys, "app.kubernetes.io/managed-by");
	strlist_add(&s.label_values, "cert-manager");
	k8s_secret_add(&s, key, pem, len);
	k8s_secret_yaml(&ex->out, &s);
	k8s_secret_clear(&s);
out:
	key_free(k);
	if (pem != NULL)
		crypto_secret_free(pem, len);
	free(where);
	free(arg);
	return rc;
}

/* Was is chosen: the issuer of one of certs (n)? */
static bool
chosen(const struct cfg_issuer *is, const struct cfg_cert *const *certs,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (certs[i]->issuer == is)
			return true;
	return false;
}

static int
parse(struct export *ex, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "namespace", required_argument, NULL, 'n' },
		{ "include-keys", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (!config_valid_k8s_name(optarg)) {
				log_error("--namespace '%s': give a Kubernetes "
				    "namespace name (lower case letters, "
				    "digits, '-')", log_esc(optarg));
				return EXIT_USAGE;
			}
			ex->ns = optarg;
			break;
		case 'k':
			ex->include_keys = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

/* Say which Secrets go without keys, and what cert-manager does then. */
static void
say_keyless(const struct export *ex)
{
	struct buf b = { 0 };
	size_t i;

	if (ex->keyless.n == 0)
		return;
	for (i = 0; i < ex->keyless.n; i++) {
		if (i > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, ex->keyless.v[i]);
	}
	log_notice("without --include-keys these Secrets have an empty "
	    "tls.key, and cert-manager will issue their certificates anew: "
	    "%s%s", b.data, ex->acme ? "; no account key was exported "
	    "either, so cert-manager registers new ACME accounts" : "");
	buf_free(&b);
}

int
cmd_export(const struct globals *g, int argc, char **argv)
{
	struct export ex = { 0 };
	struct config cfg = { 0 };
	const struct cfg_cert **certs = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = parse(&ex, argc, argv)) != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((certs = cmd_load_certs(g, argc - optind, argv + optind, &cfg,
	    &n)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	ex.cfg = &cfg;
	store_paths(&ex.st, g->statedir, g->secretsdir);
	rc = EXIT_FAILED;
	if (add_documents(&ex) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (add_tls_secret(&ex, certs[i]) < 0)
			goto out;
	for (i = 0; i < n; i++)
		ex.acme |= certs[i]->issuer->type == ISSUER_ACME;
	for (i = 0; ex.include_keys && i < cfg.nissuers; i++)
		if (cfg.issuers[i].type == ISSUER_ACME &&
		    chosen(&cfg.issuers[i], certs, n) &&
		    add_account_secret(&ex, &cfg.issuers[i]) < 0)
			goto out;
	if (ex.out.len > 0 && (fwrite(ex.out.data, 1, ex.out.len, stdout) !=
	    ex.out.len || fflush(stdout) != 0)) {
		log_error("cannot write the manifests: %s", strerror(errno));
		goto out;
	}
	say_keyless(&ex);
	rc = EXIT_OK;
out:
	if (ex.out.data != NULL)
		explicit_bzero(ex.out.data, ex.out.cap);
	buf_free(&ex.out);
	strlist_free(&ex.keyless);
	store_close(&ex.st);
	free(certs);
	config_free(&cfg);
	return rc;
}
