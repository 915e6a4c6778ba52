/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * Certificate: the spec's names, key, lifetime, outputs, hooks and
 * issuerRef, with cert-manager's validation rules; the fields acmec keeps
 * without acting on them are read in certx.c.
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

#include "acme/config/certk8s.h"
#include "acme/config/certx.h"
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

/* duration, renewBefore: Go durations, checked against each other after. */
static void
read_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    long long *out)
{
	if (!cfgw_is_str(ld, n, path))
		return;
	if (config_parse_duration(cfgw_scalar(n), out) < 0)
		cfgw_perr(ld, n, path, "'%s' is not a duration such as 2160h or "
		    "1h30m", log_esc(cfgw_scalar(n)));
}

static void
f_cert_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	read_duration(ld, n, path, &((struct cfg_cert *)obj)->duration);
}

static void
f_cert_renew_before(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	read_duration(ld, n, path, &((struct cfg_cert *)obj)->renew_before);
}

/* An int32 scalar into *out; false (reported) if it is not one. */
static bool
read_int(struct ld *ld, const yaml_node_t *n, const char *path, int *out)
{
	long long v;

	if (n->type != YAML_SCALAR_NODE || cfgw_sctype(n) != S_INT) {
		cfgw_perr(ld, n, path, "expected an integer, found %s",
		    cfgw_kind_name(n));
		return false;
	}
	v = strtoll(cfgw_scalar(n), NULL, 10);
	if (v < -2147483647LL - 1 || v > 2147483647LL) {
		cfgw_perr(ld, n, path, "%s is out of range for a 32-bit "
		    "integer", log_esc(cfgw_scalar(n)));
		return false;
	}
	*out = (int)v;
	return true;
}

/* The range is checked with duration and renewBefore, after the walk. */
static void
f_renew_pct(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	read_int(ld, n, path, &((struct cfg_cert *)obj)->renew_before_pct);
}

/* privateKey as cert-manager spells it; validated after the walk. */
struct pk {
	int alg, enc, rot;
	int size;
	const yaml_node_t *size_node;
};

static void
f_pk_size(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct pk *pk = obj;

	if (read_int(ld, n, path, &pk->size))
		pk->size_node = n;
}

/*
 * cert-manager's sizes: RSA any size from 2048 to 8192, ECDSA 256, 384 or
 * 521, Ed25519 none; a size of 0 or less is the default (RSA 2048, P-256).
 */
static void
pk_type(struct ld *ld, const struct pk *pk, const char *path,
    struct cfg_cert *c)
{
	int size = pk->size > 0 ? pk->size : 0;

	switch (pk->alg) {
	case 1:
		c->key_bits = 0;
		c->key_type = size == 384 ? KEY_EC_P384 : size == 521 ?
		    KEY_EC_P521 : KEY_EC_P256;
		if (size != 0 && size != 256 && size != 384 && size != 521)
			cfgw_perr(ld, pk->size_node, path, "ECDSA size %d is not "
			    "supported: use 256, 384 or 521", size);
		break;
	case 2:
		c->key_type = KEY_ED25519;
		c->key_bits = 0;
		if (pk->size_node != NULL)
			certx_notice(ld, pk->size_node, path, "Ed25519 keys "
			    "have one size: ignored");
		break;
	default: /* RSA, also when algorithm is not given */
		c->key_type = KEY_RSA;
		c->key_bits = size != 0 ? size : 2048;
		if (c->key_bits < KEY_RSA_MIN_BITS ||
		    c->key_bits > KEY_RSA_MAX_BITS)
			cfgw_perr(ld, pk->size_node, path, "RSA size %d is not "
			    "supported: use 2048 to 8192 (2048, 3072, 4096 "
			    "are usual)", size);
		break;
	}
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
	struct pk pk = { 0, 0, 0, 0, NULL };
	char *sub;

	if (!cfgw_walk_map(ld, n, path, fields, &pk))
		return;
	c->key_encoding = pk.enc == 1 ? KEY_ENC_PKCS8 : KEY_ENC_PKCS1;
	c->rotate_always = pk.rot == 0;
	sub = util_printf("%s.size", path);
	pk_type(ld, &pk, sub, c);
	free(sub);
}

static void
f_output_format(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const types[] = { "CombinedPEM", "DER", NULL };
	static const struct field fields[] = {
		{ "type", K_ENUM, 0, NULL, types, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	int type = -1;

	cfgw_walk_map(ld, n, path, fields, &type);
	if ((type == 0 && c->out_combined) || (type == 1 && c->out_der))
		cfgw_perr(ld, n, path, "type %s is listed twice", types[type]);
	if (type == 0)
		c->out_combined = true;
	else if (type == 1)
		c->out_der = true;
}

static void
f_output_formats(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	certx_each(ld, n, path, f_output_format, obj);
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

/*
 * A refusal that holds only for an ACME issuer: kept with its place and
 * reported by cfgw_cert_issuer_checks() once the issuer is known, so that
 * a Certificate of an issuer acmec does not run (a SelfSigned CA) is
 * skipped, not refused.
 */
static void acme_refusal(struct ld *ld, const yaml_node_t *n,
    const char *path, struct cfg_cert *c, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
acme_refusal(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_cert *c, const char *fmt, ...)
{
	char msg[1024], *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = util_printf("%s:%lu:%lu: %s: %s", ld->file,
	    (unsigned long)n->start_mark.line + 1,
	    (unsigned long)n->start_mark.column + 1, path, msg);
	strlist_add(&cfgw_cert_x(c)->acme_refusals, line);
	free(line);
}

int
cfgw_cert_issuer_checks(struct config *cfg, const struct cfg_cert *c)
{
	const struct cfg_cert_x *x = config_cert_x(c);
	const char *sep;
	char *key;
	size_t i;

	if (c->issuer == NULL || c->issuer->type != ISSUER_ACME)
		return 0;
	/* What acmec leaves out for an ACME CA, once per field. */
	for (i = 0; i < x->acme_notices.n; i++) {
		sep = strchr(x->acme_notices.v[i], '\1');
		key = util_strndup(x->acme_notices.v[i], (size_t)(sep -
		    x->acme_notices.v[i]));
		if (!strlist_has(&cfg->noticed, key)) {
			strlist_add(&cfg->noticed, key);
			log_notice("%s", sep + 1);
		}
		free(key);
	}
	for (i = 0; i < x->acme_refusals.n; i++)
		log_error("%s", x->acme_refusals.v[i]);
	return (int)x->acme_refusals.n;
}

struct issuer_ref {
	char *name, *kind, *group;
};

/*
 * cert-manager's rule: with group cert-manager.io (or none) the kind is
 * Issuer or ClusterIssuer, exactly.  With another group (an external
 * issuer, a controller of its own in a cluster) the kind is not checked:
 * acmec cannot run that issuer, and the loader skips the Certificate.
 */
static void
issuer_ref_check(struct ld *ld, const yaml_node_t *n, const char *path,
    const struct issuer_ref *ref)
{
	const char *k = ref->kind != NULL ? ref->kind : "Issuer";
	char *sub;

	if (ref->group != NULL && strcmp(ref->group, "cert-manager.io") != 0)
		return;
	if (strcmp(k, "Issuer") != 0 && strcmp(k, "ClusterIssuer") != 0) {
		sub = util_printf("%s.kind", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "kind"), sub, "'%s' must be "
		    "Issuer or ClusterIssuer (exactly so)%s", log_esc(k),
		    ref->group == NULL ? " (did you forget to set "
		    "spec.issuerRef.group?)" : "");
		free(sub);
	}
}

static void
f_issuer_ref(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "name", K_NAME, offsetof(struct issuer_ref, name), NULL, NULL,
		    F_REQUIRED },
		{ "kind", K_STR, offsetof(struct issuer_ref, kind), NULL, NULL,
		    0 },
		{ "group", K_STR, offsetof(struct issuer_ref, group), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct issuer_ref ref = { NULL, NULL, NULL };
	struct cfg_cert *c = obj;

	if (!cfgw_walk_map(ld, n, path, fields, &ref))
		goto out;
	issuer_ref_check(ld, n, path, &ref);
	free(c->issuer_name);
	c->issuer_name = ref.name;
	ref.name = NULL;
	c->issuer_cluster = ref.kind != NULL &&
	    strcmp(ref.kind, "ClusterIssuer") == 0;
	c->issuer_pos = cfgw_pos_of(ld, n);
	free(c->issuer_group);
	c->issuer_group = ref.group;
	ref.group = NULL;
out:
	free(ref.name);
	free(ref.kind);
	free(ref.group);
}

static void
f_is_ca(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_cert *c = obj;

	if (n->type != YAML_SCALAR_NODE || cfgw_sctype(n) != S_BOOL) {
		cfgw_perr(ld, n, path, "expected true or false, found %s",
		    cfgw_kind_name(n));
		return;
	}
	c->is_ca = cfgw_bool(n);
	if (c->is_ca)
		acme_refusal(ld, n, path, c, "ACME CAs do not issue CA "
		    "certificates: set isCA: false, or remove it");
}

static void
f_literal_subject(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field f = { "literalSubject", K_STR,
		offsetof(struct cfg_cert_x, literal_subject), NULL, NULL, 0 };

	cfgw_read_field(ld, &f, n, path, cfgw_cert_x(obj));
}

/* The value node of key in n, or NULL if absent or null. */
static const yaml_node_t *
given(struct ld *ld, const yaml_node_t *n, const char *key)
{
	const yaml_node_t *v = cfgw_lookup(ld, n, key);

	return v != NULL && !cfgw_is_null(v) ? v : NULL;
}

/* Go's time.Duration text for messages: 2160h0m0s. */
static char *
go_duration(long long s)
{
	return util_printf("%lldh%lldm%llds", s / 3600, s / 60 % 60, s % 60);
}

/*
 * cert-manager checks lifetimes only when duration or renewBefore is
 * given (duration 90 days if not).  A percentage alone outside 1-99 is
 * ignored by its controller, and so by acmec.
 */
static void
check_lifetime(struct ld *ld, const yaml_node_t *n, struct cfg_cert *c)
{
	const yaml_node_t *dn = given(ld, n, "duration"),
	    *rbn = given(ld, n, "renewBefore"),
	    *pn = given(ld, n, "renewBeforePercentage");
	long long d = dn ? c->duration : 2160 * 3600, rb;
	char *a, *b;

	if (pn != NULL && dn == NULL && rbn == NULL &&
	    (c->renew_before_pct < 1 || c->renew_before_pct > 99)) {
		certx_notice(ld, pn, "spec.renewBeforePercentage", "%d is "
		    "outside 1-99: ignored, as cert-manager does (renewal at "
		    "2/3 of the lifetime)", c->renew_before_pct);
		c->renew_before_pct = 0;
	}
	if (dn == NULL && rbn == NULL)
		return;
	if (dn != NULL && d < 3600)
		cfgw_perr(ld, dn, "spec.duration", "must be at least 1h, "
		    "cert-manager's minimum");
	if (rbn != NULL && pn != NULL)
		cfgw_perr(ld, rbn, "spec.renewBefore", "give renewBefore or "
		    "renewBeforePercentage, not both");
	if (rbn != NULL && c->renew_before < 300)
		cfgw_perr(ld, rbn, "spec.renewBefore", "must be at least 5m, "
		    "cert-manager's minimum");
	if (rbn != NULL && c->renew_before >= d) {
		a = go_duration(d);
		b = go_duration(c->renew_before);
		cfgw_perr(ld, rbn, "spec.renewBefore", "%s is not shorter than "
		    "the duration %s%s: renew before the certificate expires",
		    b, a, dn ? "" : " (the default)");
		free(a);
		free(b);
	}
	if (pn == NULL)
		return;
	/* cert-manager's check: duration * (100 - p) / 100 */
	rb = (long long)((double)d * (100 - c->renew_before_pct) / 100);
	if (rb < 300)
		cfgw_perr(ld, pn, "spec.renewBeforePercentage", "%d leaves "
		    "less than 5m, cert-manager's minimum, by its reckoning "
		    "(duration x (100 - p) / 100): give a smaller percentage",
		    c->renew_before_pct);
	if (rb >= d)
		cfgw_perr(ld, pn, "spec.renewBeforePercentage", "%d must be "
		    "more than 0", c->renew_before_pct);
}

/* signatureAlgorithm must suit the key (RSA when privateKey is unset). */
static void
check_signature_alg(struct ld *ld, const yaml_node_t *n,
    const struct cfg_cert *c)
{
	static const char *const want[] = { "SHA256WithRSA, SHA384WithRSA or "
		"SHA512WithRSA", "ECDSAWithSHA256, ECDSAWithSHA384 or "
		"ECDSAWithSHA512", "PureEd25519" };
	int have, need;

	if (c->signature_alg < 0)
		return;
	have = c->signature_alg < 3 ? 0 : c->signature_alg < 6 ? 1 : 2;
	need = c->key_type == KEY_RSA ? 0 : c->key_type == KEY_ED25519 ? 2 : 1;
	if (have != need)
		cfgw_perr(ld, given(ld, n, "signatureAlgorithm"),
		    "spec.signatureAlgorithm", "does not suit the %s key: use "
		    "%s", need == 0 ? "RSA" : need == 1 ? "ECDSA" : "Ed25519",
		    want[need]);
}

/*
 * literalSubject replaces subject and commonName; its CN is the common
 * name for the rules after.  Returns that CN (caller frees) or NULL.
 */
static char *
check_literal_subject(struct ld *ld, const yaml_node_t *n, struct cfg_cert *c)
{
	const yaml_node_t *ln = given(ld, n, "literalSubject");
	char *cn = NULL;

	if (c->x == NULL || c->x->literal_subject == NULL)
		return NULL;
	if (c->common_name != NULL)
		cfgw_perr(ld, given(ld, n, "commonName"), "spec.commonName",
		    "give commonName or literalSubject, not both: put the CN "
		    "in literalSubject");
	if (certx_subject_set(&c->x->subject))
		cfgw_perr(ld, given(ld, n, "subject"), "spec.subject", "give "
		    "subject or literalSubject, not both");
	certx_literal_subject(ld, ln, "spec.literalSubject",
	    c->x->literal_subject, &cn, &c->x->literal_rdns);
	return cn;
}

/* commonName: up to 64 bytes; for ACME, a DNS name or an IP address. */
static void
check_common_name(struct ld *ld, const yaml_node_t *n, struct cfg_cert *c,
    char *literal_cn)
{
	const yaml_node_t *cnn = given(ld, n, "commonName");
	const char *cn = c->common_name ? c->common_name : literal_cn;
	char *norm = NULL;

	if (cn == NULL)
		return;
	if (strlen(cn) > 64) {
		cfgw_perr(ld, cnn ? cnn : n, "spec.commonName", "longer than 64 "
		    "bytes, the X.509 limit; leave commonName out and list the "
		    "name in dnsNames");
		return;
	}
	if (config_check_dns_name(cn, &norm) < 0 &&
	    config_check_ip(cn, &norm) < 0) {
		if (cnn != NULL)
			acme_refusal(ld, cnn, "spec.commonName", c, "'%s' is "
			    "neither a DNS name nor an IP address, which an "
			    "ACME CA needs", log_esc(cn));
		return;
	}
	free(c->common_name);
	c->common_name = norm;
}

/* cert-manager's "at least one name", then what an ACME CA can validate. */
static void
check_names(struct ld *ld, const yaml_node_t *n, struct cfg_cert *c,
    const char *literal_cn)
{
	if (c->common_name == NULL && literal_cn == NULL &&
	    c->dns_names.n == 0 && c->ip_addresses.n == 0 &&
	    config_cert_x(c)->uris.n == 0 &&
	    config_cert_x(c)->email_addresses.n == 0 &&
	    config_cert_x(c)->other_name_oids.n == 0)
		cfgw_perr(ld, n, "spec", "name at least one of dnsNames, "
		    "ipAddresses or commonName");
	else if (c->common_name == NULL && c->dns_names.n == 0 &&
	    c->ip_addresses.n == 0)
		acme_refusal(ld, n, "spec", c, "an ACME CA validates DNS names "
		    "and IP addresses only: list at least one in dnsNames or "
		    "ipAddresses");
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
		/* cert-manager's, checked; acmec.conf(5) says what acmec does */
		{ "uris", K_FN, 0, certx_uris, NULL, 0 },
		{ "emailAddresses", K_FN, 0, certx_emails, NULL, 0 },
		{ "otherNames", K_FN, 0, certx_other_names, NULL, 0 },
		{ "subject", K_FN, 0, certx_subject, NULL, 0 },
		{ "literalSubject", K_FN, 0, f_literal_subject, NULL, 0 },
		{ "nameConstraints", K_FN, 0, certx_name_constraints, NULL, 0 },
		{ "keystores", K_FN, 0, certk8s_keystores, NULL, 0 },
		{ "renewal", K_FN, 0, certk8s_renewal, NULL, 0 },
		{ "usages", K_FN, 0, certx_usages, NULL, 0 },
		{ "encodeUsagesInRequest", K_FN, 0, certx_encode_usages, NULL,
		    0 },
		{ "signatureAlgorithm", K_FN, 0, certx_signature_alg, NULL, 0 },
		{ "revisionHistoryLimit", K_FN, 0, certk8s_revision_limit, NULL,
		    0 },
		{ "secretTemplate", K_FN, 0, certk8s_secret_template, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	const yaml_node_t *secret, *nc;
	char *literal_cn;

	if (!cfgw_walk_map(ld, n, path, fields, c))
		return;
	if ((secret = cfgw_lookup(ld, n, "secretName")) != NULL)
		c->secret_pos = cfgw_pos_of(ld, secret);
	literal_cn = check_literal_subject(ld, n, c);
	check_common_name(ld, n, c, literal_cn);
	check_names(ld, n, c, literal_cn);
	free(literal_cn);
	check_signature_alg(ld, n, c);
	check_lifetime(ld, n, c);
	if ((nc = given(ld, n, "nameConstraints")) != NULL && !c->is_ca)
		cfgw_perr(ld, nc, "spec.nameConstraints", "name constraints "
		    "belong in a CA certificate (isCA: true), which ACME CAs "
		    "do not issue: remove nameConstraints");
}

void
config_cert_defaults(struct cfg_cert *c)
{
	/* cert-manager's: validation-v1.md, "Defaults" */
	c->key_type = KEY_RSA;
	c->key_bits = 2048;
	c->key_encoding = KEY_ENC_PKCS1;
	c->rotate_always = true;
	c->encode_usages = true;
	c->signature_alg = -1;
}

/* One "default" for every Certificate that names no namespace. */
char cfgw_default_ns[] = "default";

bool
config_cert_namespace_given(const struct cfg_cert *c)
{
	return c->namespace != cfgw_default_ns;
}

void
config_cert_free(struct cfg_cert *c)
{
	free(c->name);
	if (c->namespace != cfgw_default_ns)
		free(c->namespace);
	strlist_free(&c->label_keys);
	strlist_free(&c->label_values);
	free(c->secret_name);
	free(c->issuer_name);
	free(c->common_name);
	strlist_free(&c->dns_names);
	strlist_free(&c->ip_addresses);
	strlist_free(&c->deploy_hook);
	free(c->csr_file);
	certx_free(c);
	certk8s_free(c);
	if (c->x != NULL) {
		strlist_free(&c->x->acme_refusals);
		strlist_free(&c->x->acme_notices);
		strlist_free(&c->x->literal_rdns);
		free(c->x);
	}
	memset(c, 0, sizeof(*c));
}

const struct cfg_cert_x *
config_cert_x(const struct cfg_cert *c)
{
	static const struct cfg_cert_x none;

	return c->x != NULL ? c->x : &none;
}

struct cfg_cert_x *
cfgw_cert_x(struct cfg_cert *c)
{
	if (c->x == NULL)
		c->x = util_alloc(sizeof(*c->x));
	return c->x;
}
