/*
 * Ad hoc issue's issuer: the ClusterIssuer the flags describe, written as
 * YAML and read by the configuration's own code, so that ad hoc and
 * configured runs check the same things.  A DNS provider's settings come
 * from the environment variables its own tools read; its secrets go into
 * the issuer's Secret after the YAML is read, so libyaml never holds them.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "acme/acme.h"
#include "acme/cmd/adhoc.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/err.h"

/* The Secret holding what the environment gave: DNS credentials, EAB. */
#define SECRET "acmec-adhoc-secrets"

enum src {
	S_STR,    /* a string field */
	S_SECRET, /* a SecretRef, the variable's value */
	S_FILE,   /* a SecretRef, the contents of the file the variable names */
};

struct envfield {
	const char *field; /* cert-manager's field */
	enum src src;
	bool required;
	const char *env[3]; /* the first one set wins */
};

struct provider {
	const char *name;   /* cert-manager's key under dns01 */
	const char *need;   /* what to set, for messages */
	bool secret_needed; /* at least one SecretRef must be given */
	struct envfield f[5];
};

/*
 * Each provider's own tools' variables: Cloudflare's wrangler and
 * Terraform provider, doctl, the AWS, Azure and Google SDKs, Akamai's
 * EdgeGrid clients; acme-dns and RFC 2136 have none, and lego's are used.
 * Route 53, Azure DNS and Cloud DNS also find ambient credentials
 * themselves (acmec.conf(5)).
 */
static const struct provider providers[] = {
	{ "cloudflare", "CLOUDFLARE_API_TOKEN, or CLOUDFLARE_API_KEY and "
	  "CLOUDFLARE_EMAIL", true, {
		{ "apiTokenSecretRef", S_SECRET, false,
		  { "CLOUDFLARE_API_TOKEN", "CF_API_TOKEN" } },
		{ "apiKeySecretRef", S_SECRET, false,
		  { "CLOUDFLARE_API_KEY", "CF_API_KEY" } },
		{ "email", S_STR, false, { "CLOUDFLARE_EMAIL", "CF_API_EMAIL" } },
	} },
	{ "digitalocean", "DIGITALOCEAN_ACCESS_TOKEN", true, {
		{ "tokenSecretRef", S_SECRET, true,
		  { "DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN" } },
	} },
	{ "route53", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a "
	  "profile, or an instance role), and AWS_REGION", false, {
		{ "region", S_STR, false, { "AWS_REGION", "AWS_DEFAULT_REGION" } },
		{ "hostedZoneID", S_STR, false, { "AWS_HOSTED_ZONE_ID" } },
	} },
	{ "azureDNS", "AZURE_SUBSCRIPTION_ID and AZURE_RESOURCE_GROUP, and "
	  "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or a "
	  "managed identity)", false, {
		{ "subscriptionID", S_STR, true, { "AZURE_SUBSCRIPTION_ID" } },
		{ "resourceGroupName", S_STR, true, { "AZURE_RESOURCE_GROUP" } },
		{ "hostedZoneName", S_STR, false, { "AZURE_ZONE_NAME" } },
		{ "clientSecretSecretRef", S_SECRET, false,
		  { "AZURE_CLIENT_SECRET" } },
	} },
	{ "cloudDNS", "GOOGLE_CLOUD_PROJECT, and GOOGLE_APPLICATION_CREDENTIALS "
	  "(or the metadata server)", false, {
		{ "project", S_STR, true, { "GOOGLE_CLOUD_PROJECT",
		  "CLOUDSDK_CORE_PROJECT", "GCE_PROJECT" } },
		{ "serviceAccountSecretRef", S_FILE, false,
		  { "GOOGLE_APPLICATION_CREDENTIALS" } },
	} },
	{ "akamai", "AKAMAI_HOST, AKAMAI_CLIENT_TOKEN, AKAMAI_CLIENT_SECRET "
	  "and AKAMAI_ACCESS_TOKEN", true, {
		{ "serviceConsumerDomain", S_STR, true, { "AKAMAI_HOST" } },
		{ "clientTokenSecretRef", S_SECRET, true,
		  { "AKAMAI_CLIENT_TOKEN" } },
		{ "clientSecretSecretRef", S_SECRET, true,
		  { "AKAMAI_CLIENT_SECRET" } },
		{ "accessTokenSecretRef", S_SECRET, true,
		  { "AKAMAI_ACCESS_TOKEN" } },
	} },
	{ "acmeDNS", "ACME_DNS_API_BASE and ACME_DNS_STORAGE_PATH", true, {
		{ "host", S_STR, true, { "ACME_DNS_API_BASE" } },
		{ "accountSecretRef", S_FILE, true, { "ACME_DNS_STORAGE_PATH" } },
	} },
	{ "rfc2136", "RFC2136_NAMESERVER, and RFC2136_TSIG_KEY, "
	  "RFC2136_TSIG_ALGORITHM and RFC2136_TSIG_SECRET for TSIG", false, {
		{ "nameserver", S_STR, true, { "RFC2136_NAMESERVER" } },
		{ "tsigKeyName", S_STR, false, { "RFC2136_TSIG_KEY" } },
		{ "tsigAlgorithm", S_STR, false, { "RFC2136_TSIG_ALGORITHM" } },
		{ "tsigSecretSecretRef", S_SECRET, false,
		  { "RFC2136_TSIG_SECRET" } },
	} },
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

static const struct provider *
provider_find(const char *name)
{
	size_t i;

	for (i = 0; i < NPROVIDERS; i++)
		if (strcasecmp(name, providers[i].name) == 0)
			return &providers[i];
	return NULL;
}

int
adhoc_check_provider(const char *name)
{
	struct buf b = { 0 };
	size_t i;

	if (provider_find(name) != NULL)
		return 0;
	for (i = 0; i < NPROVIDERS; i++) {
		buf_addstr(&b, i > 0 ? ", " : "");
		buf_addstr(&b, providers[i].name);
	}
	log_error("--dns '%s': use one of %s, or --dns-hook PROGRAM for "
	    "another provider", log_esc(name), b.data);
	buf_free(&b);
	return -1;
}

/* The value of the first of f's variables that is set, or NULL. */
static const char *
env_of(const struct envfield *f, const char **which)
{
	const char *v;
	size_t i;

	for (i = 0; i < 3 && f->env[i] != NULL; i++)
		if ((v = getenv(f->env[i])) != NULL && v[0] != '\0') {
			*which = f->env[i];
			return v;
		}
	*which = f->env[0];
	return NULL;
}

/* s as a YAML double-quoted scalar (JSON's escapes are YAML's). */
static void
add_quoted(struct buf *b, const char *s)
{
	cJSON *str = cJSON_CreateString(s);
	char *text = cJSON_PrintUnformatted(str);

	buf_addstr(b, text != NULL ? text : "\"\"");
	cJSON_free(text);
	cJSON_Delete(str);
}

static void
add_field(struct buf *b, const char *indent, const char *key,
    const char *value)
{
	if (value == NULL)
		return;
	buf_addstr(b, indent);
	buf_addstr(b, key);
	buf_addstr(b, ": ");
	add_quoted(b, value);
	buf_addstr(b, "\n");
}

/*
 * The dns01 provider's fields from the environment, as YAML under
 * solvers[0].dns01; the SecretRefs' keys are added to keys.  -1
 * (reported) if a required variable is not set.
 */
static int
dns_fields(const struct provider *p, struct buf *y, struct strlist *keys)
{
	const struct envfield *f;
	const char *v, *which;
	size_t secrets = 0;

	buf_addstr(y, "        ");
	buf_addstr(y, p->name);
	buf_addstr(y, ":\n");
	for (f = p->f; f < p->f + 5 && f->field != NULL; f++) {
		if ((v = env_of(f, &which)) == NULL) {
			if (!f->required)
				continue;
			log_error("--dns %s needs %s in the environment (set "
			    "%s)", p->name, which, p->need);
			return -1;
		}
		if (f->src == S_STR) {
			add_field(y, "          ", f->field, v);
			continue;
		}
		secrets++;
		strlist_add(keys, f->field);
		buf_addstr(y, "          ");
		buf_addstr(y, f->field);
		buf_addstr(y, ": {name: " SECRET ", key: ");
		buf_addstr(y, f->field);
		buf_addstr(y, "}\n");
	}
	if (p->secret_needed && secrets == 0) {
		log_error("--dns %s: no credentials in the environment (set %s)",
		    p->name, p->need);
		return -1;
	}
	return 0;
}

/* A dns01 solver: the provider's, or acmec's hook; --dns-resolver. */
static int
dns_yaml(const struct adhoc *ad, struct buf *y, struct strlist *keys)
{
	size_t i;

	buf_addstr(y, "      dns01:\n");
	if (ad->mode == 'D') {
		if (dns_fields(provider_find(ad->dns), y, keys) < 0)
			return -1;
	} else {
		buf_addstr(y, "        webhook:\n          groupName: acmec.io\n"
		    "          solverName: exec\n          config:\n"
		    "            command: [");
		add_quoted(y, ad->dns_hook);
		buf_addstr(y, "]\n");
	}
	if (ad->resolvers.n == 0)
		return 0;
	buf_addstr(y, "        nameservers:\n");
	for (i = 0; i < ad->resolvers.n; i++) {
		buf_addstr(y, "        - ");
		add_quoted(y, ad->resolvers.v[i]);
		buf_addstr(y, "\n");
	}
	return 0;
}

/* The solver, as YAML (annotations for acmec's own http-01 answers). */
static int
solver_yaml(const struct adhoc *ad, struct buf *ann, struct buf *y,
    struct strlist *keys)
{
	buf_addstr(y, "    solvers:\n    -\n");
	switch (ad->mode) {
	case 'S':
		add_field(ann, "    ", "acmec.io/http01-listen", ad->listen);
		break;
	case 'T':
		add_field(ann, "    ", "acmec.io/tlsalpn01-listen", ad->listen);
		break;
	case 'w':
		add_field(ann, "    ", "acmec.io/http01-webroot", ad->webroot);
		break;
	case 'D':
	case 'H':
		return dns_yaml(ad, y, keys);
	}
	buf_addstr(y, "      http01: {ingress: {}}\n");
	return 0;
}

/* The issuer's own fields: server, email, EAB, profile, chain. */
static int
issuer_yaml(const struct adhoc *ad, struct buf *y, struct strlist *keys)
{
	add_field(y, "    ", "server", ad->server);
	add_field(y, "    ", "email", ad->email);
	add_field(y, "    ", "profile", ad->profile);
	add_field(y, "    ", "preferredChain", ad->chain);
	buf_addstr(y, "    privateKeySecretRef: {name: " CONFIG_ADHOC_ACCOUNT
	    "}\n");
	if (ad->eab_kid == NULL)
		return 0;
	if (getenv("ACMEC_EAB_HMAC_KEY") == NULL ||
	    getenv("ACMEC_EAB_HMAC_KEY")[0] == '\0') {
		log_error("--eab-kid needs the CA's MAC key in the environment: "
		    "set ACMEC_EAB_HMAC_KEY (base64url, as the CA gives it)");
		return -1;
	}
	buf_addstr(y, "    externalAccountBinding:\n");
	add_field(y, "      ", "keyID", ad->eab_kid);
	buf_addstr(y, "      keySecretRef: {name: " SECRET ", key: eab}\n");
	strlist_add(keys, "eab");
	return 0;
}

/* Build the YAML of the issuer and its Secret; keys: the Secret's keys. */
static int
build(const struct adhoc *ad, struct buf *doc, struct strlist *keys)
{
	struct buf ann = { 0 }, spec = { 0 };
	size_t i;
	int rc = -1;

	if (issuer_yaml(ad, &spec, keys) < 0 ||
	    solver_yaml(ad, &ann, &spec, keys) < 0)
		goto out;
	buf_addstr(doc, "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\n"
	    "metadata:\n  name: ad-hoc\n");
	if (ann.len > 0) {
		buf_addstr(doc, "  annotations:\n");
		buf_add(doc, ann.data, ann.len);
	}
	buf_addstr(doc, "spec:\n  acme:\n");
	buf_add(doc, spec.data, spec.len);
	if (keys->n > 0) {
		/* Placeholders: the values are put in after reading. */
		buf_addstr(doc, "---\napiVersion: v1\nkind: Secret\nmetadata: "
		    "{name: " SECRET ", namespace: " CONFIG_CLUSTER_RESOURCE_NS
		    "}\nstringData:\n");
		for (i = 0; i < keys->n; i++)
			add_field(doc, "  ", keys->v[i], "-");
	}
	rc = 0;
out:
	buf_free(&ann);
	buf_free(&spec);
	return rc;
}

/* The value for the Secret's key from the environment (a file's, S_FILE). */
static int
secret_value(const struct adhoc *ad, const char *key, unsigned char **value,
    size_t *len)
{
	const struct provider *p = ad->dns != NULL ? provider_find(ad->dns) :
	    NULL;
	const struct envfield *f = NULL;
	const char *v, *which = "ACMEC_EAB_HMAC_KEY";
	char *data = NULL;

	if (strcmp(key, "eab") == 0) {
		v = getenv(which);
	} else {
		for (f = p->f; strcmp(f->field, key) != 0; f++)
			;
		v = env_of(f, &which);
	}
	if (f == NULL || f->src == S_SECRET) {
		*len = strlen(v);
		*value = (unsigned char *)util_strdup(v);
		return 0;
	}
	if (fs_read(v, FS_READ_MAX, &data, len) < 0) {
		log_error("%s=%s: %s", which, v, strerror(errno));
		return -1;
	}
	*value = (unsigned char *)data;
	return 0;
}

/* Put the secrets' values into the Secret read with placeholders. */
static int
fill_secrets(struct adhoc *ad, const struct strlist *keys)
{
	struct cfg_secret *s = NULL;
	struct cfg_secret_item *it;
	size_t i;

	for (i = 0; i < ad->cfg.nsecrets; i++)
		if (strcmp(ad->cfg.secrets[i].name, SECRET) == 0)
			s = &ad->cfg.secrets[i];
	for (i = 0; s != NULL && i < s->nitems; i++) {
		it = &s->items[i];
		crypto_secret_free(it->value, it->len + 1);
		it->value = NULL;
		it->len = 0;
		if (secret_value(ad, it->key, &it->value, &it->len) < 0)
			return -1;
	}
	return s != NULL || keys->n == 0 ? 0 : -1;
}

int
adhoc_issuer(struct adhoc *ad)
{
	struct buf doc = { 0 };
	struct strlist keys = { 0 };
	int rc = -1;

	if (build(ad, &doc, &keys) < 0)
		goto out;
	if (config_load_buffer("the ad hoc issuer (from issue's flags)",
	    doc.data, doc.len, &ad->cfg) < 0 || ad->cfg.nissuers != 1) {
		if (ad->dns != NULL)
			log_error("--dns %s: its settings come from %s",
			    provider_find(ad->dns)->name,
			    provider_find(ad->dns)->need);
		goto out;
	}
	if (fill_secrets(ad, &keys) < 0)
		goto out;
	/* The CA's certificate as given, not through YAML's base64. */
	ad->cfg.issuers[0].ca_bundle = ad->ca_bundle;
	ad->cfg.issuers[0].ca_bundle_len = ad->ca_bundle_len;
	ad->ca_bundle = NULL;
	ad->cert.issuer = &ad->cfg.issuers[0];
	rc = 0;
out:
	strlist_free(&keys);
	buf_free(&doc);
	return rc;
}

void
adhoc_free(struct adhoc *ad)
{
	config_free(&ad->cfg);
	config_cert_free(&ad->cert);
	free(ad->server);
	free(ad->email);
	free(ad->profile);
	free(ad->chain);
	free(ad->eab_kid);
	free(ad->ca_bundle);
	free(ad->listen);
	free(ad->webroot);
	free(ad->dns);
	free(ad->dns_hook);
	strlist_free(&ad->resolvers);
	free(ad->out);
	free(ad->first);
	free(ad->csr);
}
