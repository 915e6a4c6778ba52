/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * cert-manager's DNS providers under dns01 (cloudflare, route53,
 * azureDNS, cloudDNS, digitalocean, akamai, acmeDNS): their fields as
 * cert-manager reads them and its refusals, the values that go into API
 * URLs checked; strings and SecretRefs kept by field name in struct
 * cfg_dnsapi for acme/solver/.
 */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"

const char *
config_dnsapi_str(const struct cfg_dnsapi *api, const char *name)
{
	size_t i;

	for (i = 0; i < api->names.n; i++)
		if (strcmp(api->names.v[i], name) == 0)
			return api->values.v[i];
	return NULL;
}

const struct cfg_secret_ref *
config_dnsapi_ref(const struct cfg_dnsapi *api, const char *name)
{
	size_t i;

	for (i = 0; i < api->nrefs; i++)
		if (strcmp(api->ref_names[i], name) == 0)
			return &api->refs[i];
	return NULL;
}

/* A provider's string field, kept by its name ("" is unset). */
static void
f_api_str(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *sv = obj;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	strlist_add(&sv->api.names, strrchr(path, '.') + 1);
	strlist_add(&sv->api.values, cfgw_scalar(n));
}

/* A provider's SecretRef: name and key both, as cert-manager checks. */
static void
f_api_ref(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *sv = obj;
	struct cfg_secret_ref *ref;

	if (sv->api.nrefs == CFG_DNSAPI_REFS)
		abort(); /* more refs than any provider has: a bug */
	ref = &sv->api.refs[sv->api.nrefs];
	memset(ref, 0, sizeof(*ref));
	cfgw_secret_ref(ld, n, path, ref, true);
	if (ref->name == NULL || ref->key == NULL) {
		free(ref->name);
		free(ref->key);
		memset(ref, 0, sizeof(*ref));
		return; /* reported */
	}
	sv->api.ref_names[sv->api.nrefs++] = util_strdup(strrchr(path, '.') +
	    1);
}

/* cloudflare: an API token, or the global API key with its email. */
void
cfgw_cloudflare(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "email", K_FN, 0, f_api_str, NULL, 0 },
		{ "apiKeySecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "apiTokenSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const struct cfg_secret_ref *key, *token;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "cloudflare";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	key = config_dnsapi_ref(&sv->api, "apiKeySecretRef");
	token = config_dnsapi_ref(&sv->api, "apiTokenSecretRef");
	if (key != NULL && token != NULL)
		cfgw_perr(ld, n, path, "apiKeySecretRef and apiTokenSecretRef "
		    "cannot both be specified: an API token is the safer");
	else if (key == NULL && token == NULL &&
	    cfgw_lookup(ld, n, "apiKeySecretRef") == NULL &&
	    cfgw_lookup(ld, n, "apiTokenSecretRef") == NULL)
		cfgw_perr(ld, n, path, "apiKeySecretRef or apiTokenSecretRef is "
		    "required (an API token with Zone:Read and DNS:Edit)");
	if (key != NULL && config_dnsapi_str(&sv->api, "email") == NULL) {
		sub = util_printf("%s.email", path);
		cfgw_perr(ld, n, sub, "required with apiKeySecretRef: the "
		    "account's email address");
		free(sub);
	}
}

/* acmeDNS: the acme-dns server and the accounts' JSON. */
void
cfgw_acme_dns(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "host", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "accountSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const char *host;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "acmeDNS";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	host = config_dnsapi_str(&sv->api, "host");
	if (host != NULL && (strncmp(host, "https://", 8) != 0 ||
	    host[8] == '\0' || host[8] == '/')) {
		sub = util_printf("%s.host", path);
		cfgw_perr(ld, n, sub, "'%s' must be an https:// URL: the "
		    "account's password goes to it", log_esc(host));
		free(sub);
	}
}

/*
 * akamai: the API client's host and its three EdgeGrid credentials.  The
 * host is a name alone (akab-....luna.akamaiapis.net), reached over https.
 */
void
cfgw_akamai(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "serviceConsumerDomain", K_FN, 0, f_api_str, NULL,
		    F_REQUIRED },
		{ "clientTokenSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ "clientSecretSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ "accessTokenSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const char *host;
	size_t len;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "akamai";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	if ((host = config_dnsapi_str(&sv->api, "serviceConsumerDomain")) ==
	    NULL)
		return;
	len = strlen(host);
	if (len > 253 || host[0] == '.' || host[0] == '-' ||
	    host[len - 1] == '.' || strstr(host, "..") != NULL ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.") != len) {
		sub = util_printf("%s.serviceConsumerDomain", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "serviceConsumerDomain"), sub,
		    "'%s' must be the API client's host name alone (the host "
		    "of its .edgerc, akab-....luna.akamaiapis.net): no "
		    "scheme, port or path; acmec reaches it over https",
		    log_esc(host));
		free(sub);
	}
}

/* digitalocean: a personal access token. */
void
cfgw_digitalocean(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "tokenSecretRef", K_FN, 0, f_api_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "digitalocean";
	cfgw_walk_map(ld, n, path, fields, sv);
}

/*
 * cloudDNS: project (required), hostedZoneName, serviceAccountSecretRef
 * (without it: the metadata server).  Both names go into API paths, so
 * they are checked here, where the file and line are known.
 */
void
cfgw_clouddns(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "project", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "hostedZoneName", K_FN, 0, f_api_str, NULL, 0 },
		{ "serviceAccountSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const char *project, *zone;
	char *sub;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "cloudDNS";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	project = config_dnsapi_str(&sv->api, "project");
	zone = config_dnsapi_str(&sv->api, "hostedZoneName");
	if (project != NULL && (strlen(project) > 100 || strspn(project,
	    "abcdefghijklmnopqrstuvwxyz0123456789-.:") != strlen(project))) {
		sub = util_printf("%s.project", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "project"), sub, "'%s' is not a Google Cloud project ID "
		    "(lowercase letters, digits and hyphens, e.g. my-project-123)",
		    log_esc(project));
		free(sub);
	}
	if (zone != NULL && (strlen(zone) > 63 || strspn(zone,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(zone))) {
		sub = util_printf("%s.hostedZoneName", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "hostedZoneName"), sub, "'%s' is not a Cloud DNS managed zone name "
		    "(lowercase letters, digits and hyphens, e.g. example-com; "
		    "not the zone's DNS name)", log_esc(zone));
		free(sub);
	}
}

/* azureDNS.environment: cert-manager's four clouds. */
static void
f_azure_env(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const envs[] = { "AzurePublicCloud",
		"AzureChinaCloud", "AzureGermanCloud", "AzureUSGovernmentCloud",
		NULL };
	size_t i;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	for (i = 0; envs[i] != NULL; i++)
		if (strcmp(envs[i], cfgw_scalar(n)) == 0) {
			f_api_str(ld, n, path, obj);
			return;
		}
	cfgw_perr(ld, n, path, "'%s': must be either empty or one of "
	    "AzurePublicCloud, AzureChinaCloud, AzureGermanCloud, or "
	    "AzureUSGovernmentCloud", log_esc(cfgw_scalar(n)));
}

/* azureDNS.zoneType: Azure DNS's public zones or Azure Private DNS. */
static void
f_azure_zone_type(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	if (strcmp(cfgw_scalar(n), "AzurePublicZone") == 0 ||
	    strcmp(cfgw_scalar(n), "AzurePrivateZone") == 0)
		f_api_str(ld, n, path, obj);
	else
		cfgw_perr(ld, n, path, "'%s': supported values: "
		    "AzurePublicZone, AzurePrivateZone", log_esc(cfgw_scalar(n)));
}

/* A managedIdentity field, kept as "managedIdentity.NAME". */
static void
f_azure_mi_str(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;
	char *name;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	name = util_printf("managedIdentity.%s", strrchr(path, '.') + 1);
	strlist_add(&sv->api.names, name);
	strlist_add(&sv->api.values, cfgw_scalar(n));
	free(name);
}

/* azureDNS.managedIdentity, with cert-manager's refusals. */
static void
f_azure_mi(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "clientID", K_FN, 0, f_azure_mi_str, NULL, 0 },
		{ "resourceID", K_FN, 0, f_azure_mi_str, NULL, 0 },
		{ "tenantID", K_FN, 0, f_azure_mi_str, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	bool client, res, tenant;

	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	strlist_add(&sv->api.names, "managedIdentity");
	strlist_add(&sv->api.values, "");
	client = config_dnsapi_str(&sv->api, "managedIdentity.clientID");
	res = config_dnsapi_str(&sv->api, "managedIdentity.resourceID");
	tenant = config_dnsapi_str(&sv->api, "managedIdentity.tenantID");
	if (client && res)
		cfgw_perr(ld, n, path, "managedIdentityClientID and "
		    "managedIdentityResourceID cannot both be specified");
	if (tenant && res)
		cfgw_perr(ld, n, path, "managedIdentityTenantID and "
		    "managedIdentityResourceID cannot both be specified");
	if (tenant && !client)
		cfgw_perr(ld, n, path, "managedIdentityClientID is required "
		    "when using managedIdentityTenantID");
}

/* Is key of mapping n given, not null? */
static bool
given(struct ld *ld, const yaml_node_t *n, const char *key)
{
	const yaml_node_t *v = cfgw_lookup(ld, n, key);

	return v != NULL && !cfgw_is_null(v);
}

/* azureDNS: a service principal, all three of its fields, or none. */
static void
azure_principal(struct ld *ld, const yaml_node_t *n, const char *path)
{
	static const char *const need[] = { "clientID",
		"clientSecretSecretRef", "tenantID", NULL };
	char *sub;
	size_t i;

	if (!given(ld, n, "clientID") && !given(ld, n, "tenantID") &&
	    !given(ld, n, "clientSecretSecretRef"))
		return; /* a managed identity */
	for (i = 0; need[i] != NULL; i++) {
		if (given(ld, n, need[i]))
			continue;
		sub = util_printf("%s.%s", path, need[i]);
		cfgw_perr(ld, n, sub, "required with a service principal: "
		    "give clientID, clientSecretSecretRef and tenantID, or "
		    "none of them for a managed identity");
		free(sub);
	}
	if (given(ld, n, "managedIdentity")) {
		sub = util_printf("%s.managedIdentity", path);
		cfgw_perr(ld, n, sub, "managed identity cannot be used at the "
		    "same time as clientID, clientSecretSecretRef or tenantID");
		free(sub);
	}
}

/* azureDNS: a subscription's zone, as a principal or managed identity. */
void
cfgw_azure_dns(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const req[] = { "subscriptionID",
		"resourceGroupName", NULL };
	static const struct field fields[] = {
		{ "clientID", K_FN, 0, f_api_str, NULL, 0 },
		{ "clientSecretSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "subscriptionID", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "tenantID", K_FN, 0, f_api_str, NULL, 0 },
		{ "resourceGroupName", K_FN, 0, f_api_str, NULL, F_REQUIRED },
		{ "hostedZoneName", K_FN, 0, f_api_str, NULL, 0 },
		{ "environment", K_FN, 0, f_azure_env, NULL, 0 },
		{ "managedIdentity", K_FN, 0, f_azure_mi, NULL, 0 },
		{ "zoneType", K_FN, 0, f_azure_zone_type, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	char *sub;
	size_t i;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "azureDNS";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	azure_principal(ld, n, path);
	for (i = 0; req[i] != NULL; i++) {
		if (!given(ld, n, req[i]) ||
		    config_dnsapi_str(&sv->api, req[i]) != NULL)
			continue; /* missing: reported by the walk */
		sub = util_printf("%s.%s", path, req[i]);
		cfgw_perr(ld, n, sub, "required field is empty");
		free(sub);
	}
}

static void
f_audiences(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct strlist l = { 0 };

	(void)obj;
	cfgw_read_strlist(ld, n, path, &l, NULL);
	strlist_free(&l);
}

/* route53.auth.kubernetes.serviceAccountRef: a cluster's tokens. */
static void
f_sa_ref(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "name", K_FN, 0, cfgw_any_str, NULL, F_REQUIRED },
		{ "audiences", K_FN, 0, f_audiences, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_r53_k8s(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "serviceAccountRef", K_FN, 0, f_sa_ref, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_r53_auth(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "kubernetes", K_FN, 0, f_r53_k8s, NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	if (cfgw_walk_map(ld, n, path, fields, obj))
		cfgw_dns_unsupported(ld, n, path, obj, "authenticates with a "
		    "Kubernetes ServiceAccount token, which only a cluster has "
		    "(off Kubernetes: keys in Secrets, or the machine's AWS "
		    "credentials)");
}

/* Refuse the string field unless ok: "'value' is not what". */
static void
api_str_check(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *sv, const char *field, bool (*ok)(const char *),
    const char *what)
{
	const char *v = config_dnsapi_str(&sv->api, field);
	char *sub;

	if (v == NULL || ok(v))
		return;
	sub = util_printf("%s.%s", path, field);
	cfgw_perr(ld, n, sub, "'%s' is not %s", log_esc(v), what);
	free(sub);
}

static bool
r53_zone_ok(const char *v)
{
	if (strncmp(v, "/hostedzone/", 12) == 0)
		v += 12;
	return *v != '\0' && strlen(v) <= 32 &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(v);
}

static bool
aws_region_ok(const char *v)
{
	return strlen(v) < 24 && strspn(v,
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(v);
}

static bool
aws_arn_ok(const char *v)
{
	return strncmp(v, "arn:", 4) == 0 && strchr(v, '/') != NULL;
}

/* route53: keys in Secrets, or the machine's AWS credentials. */
void
cfgw_route53(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "accessKeyID", K_FN, 0, f_api_str, NULL, 0 },
		{ "accessKeyIDSecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "secretAccessKeySecretRef", K_FN, 0, f_api_ref, NULL, 0 },
		{ "role", K_FN, 0, f_api_str, NULL, 0 },
		{ "hostedZoneID", K_FN, 0, f_api_str, NULL, 0 },
		{ "region", K_FN, 0, f_api_str, NULL, 0 },
		{ "auth", K_FN, 0, f_r53_auth, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	bool id;

	sv->dns_provider = DNS01_API;
	sv->api.provider = "route53";
	if (!cfgw_walk_map(ld, n, path, fields, sv))
		return;
	id = config_dnsapi_str(&sv->api, "accessKeyID") != NULL ||
	    config_dnsapi_ref(&sv->api, "accessKeyIDSecretRef") != NULL;
	if (config_dnsapi_str(&sv->api, "accessKeyID") != NULL &&
	    config_dnsapi_ref(&sv->api, "accessKeyIDSecretRef") != NULL)
		cfgw_perr(ld, n, path, "accessKeyID and accessKeyIDSecretRef "
		    "cannot both be specified");
	else if (id != (config_dnsapi_ref(&sv->api,
	    "secretAccessKeySecretRef") != NULL))
		cfgw_perr(ld, n, path, "only one of access and secret key was "
		    "provided: give accessKeyID (or accessKeyIDSecretRef) with "
		    "secretAccessKeySecretRef, or neither for the machine's AWS "
		    "credentials");
	api_str_check(ld, n, path, sv, "hostedZoneID", r53_zone_ok, "a "
	    "Route 53 hosted zone id (upper-case letters and digits)");
	api_str_check(ld, n, path, sv, "region", aws_region_ok, "an AWS "
	    "region (us-east-1)");
	api_str_check(ld, n, path, sv, "role", aws_arn_ok, "a role ARN "
	    "(arn:aws:iam::ACCOUNT:role/NAME)");
}
