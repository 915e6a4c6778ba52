/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * The Certificate fields about what a cluster does around the issued
 * certificate (keystores in the Secret, renewal windows, the Secret's
 * labels, CertificateRequest history): checked with cert-manager's rules,
 * kept, and (but for the keystores, which acmec writes) noticed once with
 * what acmec does instead.
 */

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <yaml.h>

#include "acme/config/certk8s.h"
#include "acme/config/certx.h"
#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/log.h"

/* password: a literal; "" is refused (cert-manager's rule), not unset. */
static void
f_ks_password(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_keystore *ks = obj;

	if (!cfgw_is_str(ld, n, path))
		return;
	if (cfgw_scalar(n)[0] == '\0') {
		cfgw_perr(ld, n, path, "a literal password cannot be empty: "
		    "give one, or use passwordSecretRef");
		return;
	}
	free(ks->password);
	ks->password = util_strdup(cfgw_scalar(n));
}

/* passwordSecretRef.name: a Secret's name; "" leaves the ref unset. */
static void
f_ks_ref_name(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_secret_ref *ref = obj;

	if (!cfgw_is_str(ld, n, path) || cfgw_scalar(n)[0] == '\0')
		return;
	if (!config_valid_k8s_name(cfgw_scalar(n))) {
		cfgw_perr(ld, n, path, "'%s' is not a valid Secret name: use "
		    "lower case letters, digits, '-' and '.'",
		    log_esc(cfgw_scalar(n)));
		return;
	}
	free(ref->name);
	ref->name = util_strdup(cfgw_scalar(n));
	ref->pos = cfgw_pos_of(ld, n);
}

static void
f_ks_ref(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "name", K_FN, 0, f_ks_ref_name, NULL, F_REQUIRED },
		{ "key", K_STR, offsetof(struct cfg_secret_ref, key), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields,
	    &((struct cfg_keystore *)obj)->password_ref);
}

/* Exactly one of password and passwordSecretRef, as cert-manager asks. */
static void
keystore_done(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_keystore *ks, const char *name)
{
	const yaml_node_t *pw = cfgw_lookup(ld, n, "password");
	const yaml_node_t *ref = cfgw_lookup(ld, n, "passwordSecretRef");
	char *sub;

	ks->set = true;
	if (ks->password != NULL && ks->password_ref.name != NULL)
		cfgw_perr(ld, n, path, "give password or passwordSecretRef for "
		    "the %s keystore, not both", name);
	else if (ks->password == NULL && ks->password_ref.name == NULL &&
	    (pw == NULL || cfgw_is_null(pw)))
		cfgw_perr(ld, n, path, "the %s keystore needs a password: give "
		    "passwordSecretRef {name: SECRET, key: KEY} or password",
		    name);
	else if (ks->create && ks->password_ref.name != NULL &&
	    ks->password_ref.key == NULL) {
		/* cert-manager would look up the key "" and fail each time. */
		sub = util_printf("%s.passwordSecretRef", path);
		cfgw_perr(ld, ref, sub, "name the key of Secret '%s' that holds "
		    "the password: {name: %s, key: KEY}",
		    ks->password_ref.name, ks->password_ref.name);
		free(sub);
	}
}
static void
f_jks(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "create", K_BOOL, offsetof(struct cfg_keystore, create), NULL,
		    NULL, F_REQUIRED },
		{ "alias", K_STR, offsetof(struct cfg_keystore, alias), NULL,
		    NULL, 0 },
		{ "password", K_FN, 0, f_ks_password, NULL, 0 },
		{ "passwordSecretRef", K_FN, 0, f_ks_ref, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_keystore *ks = &cfgw_cert_x(obj)->jks;
	const char *a;
	char *sub;

	if (!cfgw_walk_map(ld, n, path, fields, ks))
		return;
	keystore_done(ld, n, path, ks, "JKS");
	/* keystore-go keeps one entry per lower-cased alias. */
	a = ks->alias;
	if (ks->create && a != NULL && strncasecmp(a, "ca", 2) == 0 &&
	    (a[2] == '\0' || (a[2] == '-' && a[3] != '\0' &&
	    strspn(a + 3, "0123456789") == strlen(a + 3)))) {
		sub = util_printf("%s.alias", path);
		cfgw_perr(ld, cfgw_lookup(ld, n, "alias"), sub, "'%s' is the "
		    "alias of the CA's entry in keystore.jks (the key entry "
		    "would be lost to it): choose another alias",
		    log_esc(a));
		free(sub);
	}
}

static void
f_pkcs12(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const profiles[] = { "LegacyRC2", "LegacyDES",
		"Modern2023", "Modern2026", NULL };
	static const struct field fields[] = {
		{ "create", K_BOOL, offsetof(struct cfg_keystore, create), NULL,
		    NULL, F_REQUIRED },
		{ "password", K_FN, 0, f_ks_password, NULL, 0 },
		{ "passwordSecretRef", K_FN, 0, f_ks_ref, NULL, 0 },
		{ "profile", K_ENUM, offsetof(struct cfg_keystore, profile),
		    NULL, profiles, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_keystore *ks = &cfgw_cert_x(obj)->pkcs12;

	if (cfgw_walk_map(ld, n, path, fields, ks))
		keystore_done(ld, n, path, ks, "PKCS#12");
}

void
certk8s_keystores(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "jks", K_FN, 0, f_jks, NULL, 0 },
		{ "pkcs12", K_FN, 0, f_pkcs12, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

/* A number or a three-letter name in [lo, hi] at *p; -1 if none. */
static long
cron_value(const char **p, const char *e, int lo, int hi,
    const char *const *names)
{
	long v = -1;
	char *end;
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL; i++)
		if (e - *p >= 3 && strncasecmp(*p, names[i], 3) == 0) {
			*p += 3;
			return lo + (long)i;
		}
	if (isdigit((unsigned char)**p)) {
		v = strtol(*p, &end, 10);
		*p = end;
	}
	return v >= lo && v <= hi ? v : -1;
}

/* One cron field: a list of *, N, N-M, each with an optional /STEP. */
static bool
cron_field(const char *f, size_t len, int lo, int hi,
    const char *const *names)
{
	const char *p = f, *e = f + len;
	long a, b;
	char *end;

	while (p < e) {
		if (*p == '*' || *p == '?') {
			p++;
		} else {
			if ((a = cron_value(&p, e, lo, hi, names)) < 0)
				return false;
			if (p < e && *p == '-') {
				p++;
				if ((b = cron_value(&p, e, lo, hi, names)) < a)
					return false;
			}
		}
		if (p < e && *p == '/') {
			if (!isdigit((unsigned char)*++p) ||
			    strtol(p, &end, 10) <= 0)
				return false;
			p = end;
		}
		if (p < e && *p++ != ',')
			return false;
	}
	return len > 0 && f[len - 1] != ',';
}

/* A cron spec as cert-manager's parser takes it (5 fields or @name). */
static bool
valid_cron(const char *s)
{
	static const char *const months[] = { "JAN", "FEB", "MAR", "APR",
		"MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL };
	static const char *const days[] = { "SUN", "MON", "TUE", "WED",
		"THU", "FRI", "SAT", NULL };
	static const char *const descriptors[] = { "@yearly", "@annually",
		"@monthly", "@weekly", "@daily", "@midnight", "@hourly", NULL };
	static const struct {
		int lo, hi;
		const char *const *names;
	} fields[5] = { { 0, 59, NULL }, { 0, 23, NULL }, { 1, 31, NULL },
		{ 1, 12, months }, { 0, 6, days } };
	long long secs;
	size_t i, len;

	for (i = 0; descriptors[i] != NULL; i++)
		if (strcmp(s, descriptors[i]) == 0)
			return true;
	if (strncmp(s, "@every ", 7) == 0)
		return config_parse_duration(s + 7, &secs) == 0 && secs > 0;
	for (i = 0; i < 5; i++) {
		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (!cron_field(s, len, fields[i].lo, fields[i].hi,
		    fields[i].names))
			return false;
		s += len;
	}
	return s[strspn(s, " \t")] == '\0';
}

static void
f_cron(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	if (cfgw_is_str(ld, n, path) && !valid_cron(cfgw_scalar(n)))
		cfgw_perr(ld, n, path, "'%s' is not a cron schedule: give five "
		    "fields (minute hour day-of-month month day-of-week, e.g. "
		    "\"0 2 * * 1-5\") or @daily, @weekly...",
		    log_esc(cfgw_scalar(n)));
}

/* An IANA zone name; checked against the system's zone files if any. */
static void
f_timezone(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct stat st;
	const char *s;
	char *file;
	bool ok;

	(void)obj;
	if (!cfgw_is_str(ld, n, path))
		return;
	s = cfgw_scalar(n);
	ok = strcmp(s, "UTC") == 0 || strcmp(s, "Local") == 0;
	if (!ok && *s != '\0' && *s != '/' && strstr(s, "..") == NULL &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_+-/") == strlen(s)) {
		file = util_printf("/usr/share/zoneinfo/%s", s);
		ok = stat("/usr/share/zoneinfo", &st) < 0 ||
		    (stat(file, &st) == 0 && S_ISREG(st.st_mode));
		free(file);
	}
	if (!ok)
		cfgw_perr(ld, n, path, "'%s' is not an IANA time zone such as "
		    "UTC or Europe/Berlin", log_esc(s));
}

/* ^([0-9]+(\.[0-9]+)?(s|m|h))+$, the schema's pattern. */
static void
f_window_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	const char *p;
	size_t len;

	(void)obj;
	if (!cfgw_is_str(ld, n, path))
		return;
	for (p = cfgw_scalar(n); *p != '\0';) {
		if ((len = strspn(p, "0123456789")) == 0)
			break;
		p += len;
		if (*p == '.') {
			if ((len = strspn(++p, "0123456789")) == 0)
				break;
			p += len;
		}
		if (*p != 's' && *p != 'm' && *p != 'h')
			break;
		if (*++p == '\0')
			return;
	}
	cfgw_perr(ld, n, path, "'%s' is not a window length such as 2h or "
	    "90m (units h, m, s)", log_esc(cfgw_scalar(n)));
}

static void
f_window(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "cron", K_FN, 0, f_cron, NULL, F_REQUIRED },
		{ "timezone", K_FN, 0, f_timezone, NULL, 0 },
		{ "windowDuration", K_FN, 0, f_window_duration, NULL,
		    F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	cfgw_walk_map(ld, n, path, fields, obj);
}

static void
f_windows(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	certx_each(ld, n, path, f_window, obj);
}

void
certk8s_renewal(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const policies[] = { "RenewBefore", "Disabled",
		NULL };
	static const struct field fields[] = {
		{ "policy", K_ENUM, 0, NULL, policies, F_REQUIRED },
		{ "windows", K_FN, 0, f_windows, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_cert *c = obj;
	const yaml_node_t *w;
	int policy = -1;

	if (!cfgw_walk_map(ld, n, path, fields, &policy))
		return;
	w = cfgw_lookup(ld, n, "windows");
	c->renewal_disabled = policy == 1;
	if (policy == 1 && w != NULL && w->type == YAML_SEQUENCE_NODE &&
	    w->data.sequence.items.top > w->data.sequence.items.start)
		cfgw_perr(ld, w, "spec.renewal.windows", "windows cannot be "
		    "set when policy is Disabled: remove them or the policy");
	else if (policy == 1)
		certx_notice(ld, n, path, "policy Disabled: acmec renew still "
		    "renews this certificate when it is due; leave it out of "
		    "the configuration to stop renewals");
	else if (w != NULL && !cfgw_is_null(w))
		certx_notice(ld, w, "spec.renewal.windows", "acmec renews "
		    "whenever `acmec renew` runs and the certificate is due: "
		    "schedule that run (cron, systemd timer) inside the "
		    "windows instead");
}

void
certk8s_revision_limit(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	if (n->type != YAML_SCALAR_NODE || cfgw_sctype(n) != S_INT) {
		cfgw_perr(ld, n, path, "expected an integer, found %s",
		    cfgw_kind_name(n));
		return;
	}
	if (strtol(cfgw_scalar(n), NULL, 10) < 1) {
		cfgw_perr(ld, n, path, "must not be less than 1");
		return;
	}
	certx_notice(ld, n, path, "acmec keeps no CertificateRequest "
	    "history (Kubernetes objects): ignored");
}

/* name: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63. */
static bool
k8s_name_part(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 63 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[len - 1]))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* A Kubernetes label or annotation key: [prefix/]name. */
static bool
k8s_key(const char *s)
{
	const char *slash = strchr(s, '/');
	char *prefix;
	bool ok;

	if (slash == NULL)
		return k8s_name_part(s, strlen(s));
	prefix = util_strndup(s, (size_t)(slash - s));
	ok = config_valid_k8s_name(prefix) &&
	    k8s_name_part(slash + 1, strlen(slash + 1));
	free(prefix);
	return ok;
}

static void
f_template_map(struct ld *ld, const yaml_node_t *n, const char *path,
    bool labels)
{
	struct strlist keys = { 0 }, values = { 0 };
	const char *k;
	size_t i;

	cfgw_read_strmap(ld, n, path, &keys, &values);
	for (i = 0; i < keys.n; i++) {
		k = keys.v[i];
		if (!k8s_key(k))
			cfgw_perr(ld, n, path, "'%s' is not a valid key: "
			    "[prefix/]name, name up to 63 letters, digits, "
			    "'-', '_' and '.'", log_esc(k));
		else if (labels && *values.v[i] != '\0' &&
		    !k8s_name_part(values.v[i], strlen(values.v[i])))
			cfgw_perr(ld, n, path, "label '%s': '%s' is not a valid "
			    "label value (up to 63 letters, digits, '-', '_' "
			    "and '.')", log_esc(k), log_esc2(values.v[i]));
		else if (!labels && strncmp(k, "cert-manager.io/", 16) == 0 &&
		    strcmp(k, "cert-manager.io/allow-direct-injection") != 0)
			cfgw_perr(ld, n, path, "'%s': cert-manager.io/ "
			    "annotations are cert-manager's own: remove it",
			    log_esc(k));
	}
	strlist_free(&keys);
	strlist_free(&values);
}

static void
f_template_labels(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	f_template_map(ld, n, path, true);
}

static void
f_template_annotations(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj)
{
	(void)obj;
	f_template_map(ld, n, path, false);
}

void
certk8s_secret_template(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "annotations", K_FN, 0, f_template_annotations, NULL, 0 },
		{ "labels", K_FN, 0, f_template_labels, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	if (cfgw_walk_map(ld, n, path, fields, obj) &&
	    cfgw_count_set(ld, n, NULL) > 0)
		certx_notice(ld, n, path, "acmec writes files, not a "
		    "Kubernetes Secret: the labels and annotations have "
		    "nowhere to go");
}


static void
keystore_free(struct cfg_keystore *ks)
{
	free(ks->alias);
	if (ks->password != NULL)
		explicit_bzero(ks->password, strlen(ks->password));
	free(ks->password);
	free(ks->password_ref.name);
	free(ks->password_ref.key);
}

void
certk8s_free(struct cfg_cert *c)
{
	if (c->x != NULL) {
		keystore_free(&c->x->jks);
		keystore_free(&c->x->pkcs12);
	}
}
