/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Issuer and ClusterIssuer: the ACME spec, its account and EAB keys, its
 * solvers (http-01, dns-01, tls-alpn-01) and their selectors; the ca and
 * selfSigned specs (their Secret, CRL and AIA URLs).
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

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"


/* ---- Issuer ---- */

void
cfgw_secret_ref(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj, bool key_required)
{
	static const struct field fields_req[] = {
		{ "name", K_NAME, offsetof(struct cfg_secret_ref, name), NULL,
		    NULL, F_REQUIRED },
		{ "key", K_STR, offsetof(struct cfg_secret_ref, key), NULL,
		    NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	static const struct field fields_opt[] = {
		{ "name", K_NAME, offsetof(struct cfg_secret_ref, name), NULL,
		    NULL, F_REQUIRED },
		{ "key", K_STR, offsetof(struct cfg_secret_ref, key), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_secret_ref *ref = obj;
	const yaml_node_t *name;
	char *sub;

	if (!cfgw_walk_map(ld, n, path, key_required ? fields_req : fields_opt,
	    ref))
		return;
	if ((name = cfgw_lookup(ld, n, "name")) != NULL)
		ref->pos = cfgw_pos_of(ld, name);
	if (ref->key != NULL && !cfgw_valid_secret_key(ref->key)) {
		sub = util_printf("%s.key", path);
		cfgw_perr(ld, n, sub, "'%s' is not a valid secret key: use letters, "
		    "digits, '-', '_' and '.'", log_esc(ref->key));
		free(sub);
	}
}

static void
f_account_key(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_issuer *is = obj;

	cfgw_secret_ref(ld, n, path, &is->account_key, false);
}

static void
f_eab_key(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;

	cfgw_secret_ref(ld, n, path, &is->eab_key, true);
}

static void
f_eab(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const algs[] = { "HS256", "HS384", "HS512", NULL };
	static const struct field fields[] = {
		{ "keyID", K_STR, offsetof(struct cfg_issuer, eab_key_id), NULL,
		    NULL, F_REQUIRED },
		{ "keySecretRef", K_FN, 0, f_eab_key, NULL, F_REQUIRED },
		{ "keyAlgorithm", K_ENUM, offsetof(struct cfg_issuer, eab_alg),
		    NULL, algs, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;

	is->eab_set = true;
	cfgw_walk_map(ld, n, path, fields, is);
}

static void
f_ca_bundle(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;
	unsigned char *pem;
	size_t len;

	if (!cfgw_is_str(ld, n, path))
		return;
	if (b64_std_decode(cfgw_scalar(n), strlen(cfgw_scalar(n)), &pem, &len) < 0) {
		cfgw_perr(ld, n, path, "not base64 (%s): caBundle is the base64 of "
		    "PEM certificates, as in cert-manager", crypto_error());
		return;
	}
	if (strstr((char *)pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		cfgw_perr(ld, n, path, "the decoded caBundle holds no PEM "
		    "CERTIFICATE");
		free(pem);
		return;
	}
	free(is->ca_bundle);
	is->ca_bundle = (char *)pem;
	is->ca_bundle_len = len;
}

static void
f_selector(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/* waitInsteadOfSelfCheck: a Go duration, 0 allowed, never negative. */
static void
f_wait_instead(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *s = obj;
	long long v = 0;

	if (!cfgw_is_str(ld, n, path))
		return;
	if (strcmp(cfgw_scalar(n), "0") != 0 &&
	    config_parse_duration(cfgw_scalar(n), &v) < 0) {
		cfgw_perr(ld, n, path, "'%s' is not a duration such as 30s or "
		    "2m (0s: ask the CA at once; negative is not allowed)",
		    log_esc(cfgw_scalar(n)));
		return;
	}
	s->wait_instead = v;
}

static void
read_solver(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *s)
{
	static const struct field fields[] = {
		{ "selector", K_FN, 0, f_selector, NULL, 0 },
		{ "http01", K_FN, 0, cfgw_http01, NULL, 0 },
		{ "dns01", K_FN, 0, cfgw_dns01, NULL, 0 },
		{ "waitInsteadOfSelfCheck", K_FN, 0, f_wait_instead, NULL, 0 },
		{ "tlsalpn01", K_FN, 0, cfgw_old_tlsalpn01, NULL, F_OLD },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_t *h, *d;
	bool has_http, has_dns;

	s->pos = cfgw_pos_of(ld, n);
	s->http_port = 80;
	s->wait_instead = -1;
	if (!cfgw_walk_map(ld, n, path, fields, s))
		return;
	if (cfgw_lookup(ld, n, "tlsalpn01") != NULL)
		return; /* refused above */
	h = cfgw_lookup(ld, n, "http01");
	d = cfgw_lookup(ld, n, "dns01");
	has_http = h != NULL && !cfgw_is_null(h);
	has_dns = d != NULL && !cfgw_is_null(d);
	if (has_http && has_dns)
		cfgw_perr(ld, n, path, "may not specify more than one solver type "
		    "in a single solver: split it into two solvers");
	else if (!has_http && !has_dns)
		cfgw_perr(ld, n, path, "no solver type configured: give http01 "
		    "or dns01");
	if (s->wait_instead >= 0 && s->type == SOLVER_DNS01)
		s->propagation_check = false;
}

static void
f_sel_names(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	cfgw_read_strlist(ld, n, path, &((struct cfg_solver *)obj)->sel_dns_names,
	    NULL);
}

static void
f_sel_zones(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	cfgw_read_strlist(ld, n, path, &((struct cfg_solver *)obj)->sel_dns_zones,
	    NULL);
}

static void
f_sel_labels(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *s = obj;

	cfgw_read_strmap(ld, n, path, &s->sel_label_keys, &s->sel_label_values);
}

static void
f_selector(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "dnsNames", K_FN, 0, f_sel_names, NULL, 0 },
		{ "dnsZones", K_FN, 0, f_sel_zones, NULL, 0 },
		{ "matchLabels", K_FN, 0, f_sel_labels, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_solvers(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;
	const yaml_node_item_t *it;
	char *sub;
	size_t i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s", cfgw_kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		is->solvers = util_realloc(is->solvers, is->nsolvers + 1,
		    sizeof(*is->solvers));
		memset(&is->solvers[is->nsolvers], 0, sizeof(*is->solvers));
		sub = util_printf("%s[%zu]", path, i);
		read_solver(ld, cfgw_node(ld, *it), sub,
		    &is->solvers[is->nsolvers++]);
		free(sub);
	}
}

/* The account's contact: an address a CA takes (cert-manager checks none). */
static void
f_email(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field f = { "email", K_STR,
		offsetof(struct cfg_issuer, email), NULL, NULL, 0 };
	struct cfg_issuer *is = obj;
	char *why = NULL;

	cfgw_read_field(ld, &f, n, path, is);
	if (is->email == NULL || config_check_email(is->email, &why) == 0)
		return;
	cfgw_perr(ld, n, path, "'%s' %s", log_esc(is->email), why);
	free(why);
	free(is->email);
	is->email = NULL;
}

void
cfgw_acme(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const ari[] = { "ARI", "None", NULL };
	static const struct field fields[] = {
		{ "server", K_STR, offsetof(struct cfg_issuer, server), NULL,
		    NULL, F_REQUIRED },
		{ "email", K_FN, 0, f_email, NULL, 0 },
		{ "privateKeySecretRef", K_FN, 0, f_account_key, NULL,
		    F_REQUIRED },
		{ "solvers", K_FN, 0, f_solvers, NULL, 0 },
		{ "caBundle", K_FN, 0, f_ca_bundle, NULL, 0 },
		{ "skipTLSVerify", K_BOOL,
		    offsetof(struct cfg_issuer, skip_tls_verify), NULL, NULL,
		    0 },
		{ "preferredChain", K_STR,
		    offsetof(struct cfg_issuer, preferred_chain), NULL, NULL,
		    0 },
		{ "profile", K_STR, offsetof(struct cfg_issuer, profile), NULL,
		    NULL, 0 },
		{ "disableAccountKeyGeneration", K_BOOL,
		    offsetof(struct cfg_issuer,
		    disable_account_key_generation), NULL, NULL, 0 },
		{ "enableDurationFeature", K_BOOL,
		    offsetof(struct cfg_issuer, enable_duration), NULL, NULL,
		    0 },
		{ "externalAccountBinding", K_FN, 0, f_eab, NULL, 0 },
		{ "renewalInformationSource", K_ENUM,
		    offsetof(struct cfg_issuer, ari_source), NULL, ari, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;
	char *sub;

	if (!cfgw_walk_map(ld, n, path, fields, is))
		return;
	if (is->server != NULL && strncmp(is->server, "https://", 8) != 0)
		cfgw_perr(ld, n, path, "server '%s' must be an https:// URL",
		    log_esc(is->server));
	if (is->ca_bundle != NULL && is->skip_tls_verify)
		cfgw_perr(ld, n, path, "caBundle and skipTLSVerify are mutually "
		    "exclusive and cannot both be set: remove one");
	if (is->preferred_chain != NULL && strlen(is->preferred_chain) > 64) {
		sub = util_printf("%s.preferredChain", path);
		cfgw_perr(ld, n, sub, "longer than 64 characters (the issuer's "
		    "common name is what it matches)");
		free(sub);
	}
}

/* A list of URLs (CRL distribution points, OCSP servers...). */
static void
f_urls(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct strlist *l = obj;
	size_t i;

	cfgw_read_strlist(ld, n, path, l, NULL);
	for (i = 0; i < l->n; i++)
		if (strchr(l->v[i], ':') == NULL || strpbrk(l->v[i], " ,\n") !=
		    NULL)
			cfgw_perr(ld, n, path, "'%s' is not a URL",
			    log_esc(l->v[i]));
}

static void
f_crl_urls(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	f_urls(ld, n, path, &((struct cfg_issuer *)obj)->crl_urls);
}

static void
f_ocsp_urls(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	f_urls(ld, n, path, &((struct cfg_issuer *)obj)->ocsp_urls);
}

static void
f_issuer_urls(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	f_urls(ld, n, path, &((struct cfg_issuer *)obj)->issuer_urls);
}

/* spec.ca: the Secret holding the CA's tls.crt and tls.key. */
void
cfgw_ca(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "secretName", K_NAME, offsetof(struct cfg_issuer,
		    ca_ref.name), NULL, NULL, F_REQUIRED },
		{ "crlDistributionPoints", K_FN, 0, f_crl_urls, NULL, 0 },
		{ "ocspServers", K_FN, 0, f_ocsp_urls, NULL, 0 },
		{ "issuingCertificateURLs", K_FN, 0, f_issuer_urls, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;
	const yaml_node_t *v;

	cfgw_walk_map(ld, n, path, fields, obj);
	if ((v = cfgw_lookup(ld, n, "secretName")) != NULL)
		is->ca_ref.pos = cfgw_pos_of(ld, v);
}

/* spec.selfSigned: signed with the Certificate's own key. */
void
cfgw_self_signed(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "crlDistributionPoints", K_FN, 0, f_crl_urls, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}
