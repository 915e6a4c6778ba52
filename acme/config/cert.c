/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Certificate: the spec's names, key, lifetime, outputs, hooks and
 * issuerRef.
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


/* ---- Certificate ---- */

static void
f_dns_names(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	cfgw_read_strlist(ld, n, path, &((struct cfg_cert *)obj)->dns_names,
	    config_check_dns_name);
}

static void
f_ip_addresses(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	cfgw_read_strlist(ld, n, path, &((struct cfg_cert *)obj)->ip_addresses,
	    config_check_ip);
}

static void
f_cert_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	cfgw_duration(ld, n, path, &((struct cfg_cert *)obj)->duration);
}

static void
f_cert_renew_before(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	cfgw_duration(ld, n, path, &((struct cfg_cert *)obj)->renew_before);
}

static void
f_renew_pct(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_cert *c = obj;
	long v;

	if (n->type != YAML_SCALAR_NODE || cfgw_sctype(n) != S_INT) {
		cfgw_perr(ld, n, path, "expected an integer, found %s",
		    cfgw_kind_name(n));
		return;
	}
	v = strtol(cfgw_scalar(n), NULL, 10);
	if (v < 1 || v > 99) {
		cfgw_perr(ld, n, path, "%ld is out of range 1-99", v);
		return;
	}
	c->renew_before_pct = (int)v;
}

/* privateKey as cert-manager spells it; validated after the walk. */
struct pk {
	int alg, enc, rot;
	int size;
	bool alg_set, size_set;
	const yaml_node_t *size_node;
};

static void
f_pk_size(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct pk *pk = obj;

	if (n->type != YAML_SCALAR_NODE || cfgw_sctype(n) != S_INT) {
		cfgw_perr(ld, n, path, "expected an integer, found %s",
		    cfgw_kind_name(n));
		return;
	}
	pk->size = (int)strtol(cfgw_scalar(n), NULL, 10);
	pk->size_set = true;
	pk->size_node = n;
}

static void
f_private_key(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const algs[] = { "RSA", "ECDSA", "Ed25519", NULL };
	static const char *const encs[] = { "PKCS1", "PKCS8", NULL };
	static const char *const rots[] = { "Always", "Never", NULL };
	static const struct field fields[] = {
		{ "algorithm", K_ENUM, offsetof(struct pk, alg), NULL, algs, 0 },
		{ "size", K_FN, 0, f_pk_size, NULL, 0 },
		{ "encoding", K_ENUM, offsetof(struct pk, enc), NULL, encs, 0 },
		{ "rotationPolicy", K_ENUM, offsetof(struct pk, rot), NULL,
		    rots, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	struct pk pk = { -1, 0, 0, 0, false, false, NULL };
	char *sub;

	if (!cfgw_walk_map(ld, n, path, fields, &pk))
		return;
	c->key_encoding = pk.enc == 1 ? KEY_ENC_PKCS8 : KEY_ENC_PKCS1;
	c->rotate_always = pk.rot == 0;
	sub = util_printf("%s.size", path);
	switch (pk.alg) {
	case -1: /* not given: acmec's default, ECDSA P-256 */
		if (pk.size_set)
			cfgw_perr(ld, pk.size_node, sub, "size without algorithm: "
			    "acmec's default is ECDSA, cert-manager's RSA; "
			    "add algorithm: RSA or algorithm: ECDSA");
		break;
	case 1:
		if (!pk.size_set || pk.size == 256)
			c->key_type = KEY_EC_P256;
		else if (pk.size == 384)
			c->key_type = KEY_EC_P384;
		else
			cfgw_perr(ld, pk.size_node, sub, "ECDSA size %d is not "
			    "supported: use 256 or 384", pk.size);
		break;
	case 0:
		c->key_type = KEY_RSA;
		c->key_bits = pk.size_set ? pk.size : 2048;
		if (c->key_bits != 2048 && c->key_bits != 3072 &&
		    c->key_bits != 4096)
			cfgw_perr(ld, pk.size_node, sub, "RSA size %d is not "
			    "supported: use 2048, 3072 or 4096", pk.size);
		break;
	case 2:
		c->key_type = KEY_ED25519;
		if (pk.size_set)
			cfgw_perr(ld, pk.size_node, sub, "Ed25519 keys have no size");
		break;
	}
	free(sub);
}

static void
f_output_formats(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const types[] = { "CombinedPEM", "DER", NULL };
	static const struct field fields[] = {
		{ "type", K_ENUM, 0, NULL, types, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	const yaml_node_item_t *it;
	char *sub;
	size_t i = 0;
	int type;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s", cfgw_kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		type = -1;
		sub = util_printf("%s[%zu]", path, i);
		cfgw_walk_map(ld, cfgw_node(ld, *it), sub, fields, &type);
		if (type == 0)
			c->out_combined = true;
		else if (type == 1)
			c->out_der = true;
		free(sub);
	}
}

/* acmec's old spelling: refused, with the one a cluster accepts. */
static void
f_old_hooks(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	const yaml_node_t *d = cfgw_lookup(ld, n, "deploy");

	(void)obj;
	if (d != NULL && d->type == YAML_SCALAR_NODE)
		cfgw_perr(ld, n, path, "spec.hooks is acmec's old spelling, which "
		    "a cluster refuses: write metadata.annotations: "
		    "{acmec.io/deploy-hook: \"%s\"}", log_esc(cfgw_scalar(d)));
	else
		cfgw_perr(ld, n, path, "spec.hooks is acmec's old spelling, which "
		    "a cluster refuses: write metadata.annotations: "
		    "{acmec.io/deploy-hook: '[\"/path/to/cmd\", \"arg\"]'} (a "
		    "JSON list runs without a shell; a plain string runs with "
		    "sh -c)");
}

struct issuer_ref {
	char *name;
	int kind, group;
};

static void
f_issuer_ref(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const kinds[] = { "Issuer", "ClusterIssuer", NULL };
	static const char *const groups[] = { "cert-manager.io", NULL };
	static const struct field fields[] = {
		{ "name", K_NAME, offsetof(struct issuer_ref, name), NULL, NULL,
		    F_REQUIRED },
		{ "kind", K_ENUM, offsetof(struct issuer_ref, kind), NULL, kinds,
		    0 },
		{ "group", K_ENUM, offsetof(struct issuer_ref, group), NULL,
		    groups, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct issuer_ref ref = { NULL, 0, 0 };
	struct cfg_cert *c = obj;

	if (!cfgw_walk_map(ld, n, path, fields, &ref))
		return;
	free(c->issuer_name);
	c->issuer_name = ref.name;
	c->issuer_cluster = ref.kind == 1;
	c->issuer_pos = cfgw_pos_of(ld, n);
}

static void
f_is_ca(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	if (n->type == YAML_SCALAR_NODE && cfgw_sctype(n) == S_BOOL &&
	    !cfgw_bool(n))
		return;
	cfgw_perr(ld, n, path, "ACME CAs do not issue CA certificates; remove "
	    "isCA");
}

void
cfgw_cert_spec(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "secretName", K_NAME, offsetof(struct cfg_cert, secret_name),
		    NULL, NULL, F_REQUIRED },
		{ "issuerRef", K_FN, 0, f_issuer_ref, NULL, F_REQUIRED },
		{ "commonName", K_STR, offsetof(struct cfg_cert, common_name),
		    NULL, NULL, 0 },
		{ "dnsNames", K_FN, 0, f_dns_names, NULL, 0 },
		{ "ipAddresses", K_FN, 0, f_ip_addresses, NULL, 0 },
		{ "privateKey", K_FN, 0, f_private_key, NULL, 0 },
		{ "duration", K_FN, 0, f_cert_duration, NULL, 0 },
		{ "renewBefore", K_FN, 0, f_cert_renew_before, NULL, 0 },
		{ "renewBeforePercentage", K_FN, 0, f_renew_pct, NULL, 0 },
		{ "additionalOutputFormats", K_FN, 0, f_output_formats, NULL,
		    0 },
		{ "hooks", K_FN, 0, f_old_hooks, NULL, F_OLD },
		{ "isCA", K_FN, 0, f_is_ca, NULL, 0 },
		/* Kubernetes-only, or decided by the ACME CA */
		{ "secretTemplate", K_IGNORE, 0, NULL, NULL, 0 },
		{ "revisionHistoryLimit", K_IGNORE, 0, NULL, NULL, 0 },
		{ "usages", K_IGNORE, 0, NULL, NULL, 0 },
		{ "subject", K_IGNORE, 0, NULL, NULL, 0 },
		{ "encodeUsagesInRequest", K_IGNORE, 0, NULL, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	const yaml_node_t *secret;
	char *why = NULL, *norm = NULL;

	if (!cfgw_walk_map(ld, n, path, fields, c))
		return;
	if ((secret = cfgw_lookup(ld, n, "secretName")) != NULL)
		c->secret_pos = cfgw_pos_of(ld, secret);
	if (c->common_name != NULL) {
		if (config_check_dns_name(c->common_name, &norm) == 0 ||
		    config_check_ip(c->common_name, &norm) == 0) {
			free(c->common_name);
			c->common_name = norm;
		} else {
			why = util_printf("%s.commonName", path);
			cfgw_perr(ld, n, why, "'%s' is neither a DNS name nor an IP "
			    "address", log_esc(c->common_name));
			free(why);
		}
		if (c->common_name != NULL && strlen(c->common_name) > 64) {
			why = util_printf("%s.commonName", path);
			cfgw_perr(ld, n, why, "longer than 64 characters, the X.509 "
			    "limit; leave commonName out and list the name in "
			    "dnsNames");
			free(why);
		}
	}
	if (c->dns_names.n == 0 && c->ip_addresses.n == 0 &&
	    c->common_name == NULL)
		cfgw_perr(ld, n, path, "name at least one of dnsNames, ipAddresses "
		    "or commonName");
	if (c->renew_before_pct != 0 && c->renew_before != 0)
		cfgw_perr(ld, n, path, "give renewBefore or renewBeforePercentage, "
		    "not both");
	if (c->duration != 0 && c->renew_before >= c->duration)
		cfgw_perr(ld, n, path, "renewBefore must be shorter than duration");
}
