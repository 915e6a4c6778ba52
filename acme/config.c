/*
 * cert-manager YAML -> struct config.  Strict: every key must be known, of
 * the right type, and given once; errors carry FILE:LINE:COL and the field's
 * path.  A table of fields per mapping drives one generic walker.
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

#include "acme/config.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"

#define CONFIG_MAX_FILE (4 * 1024 * 1024)

/* The state of loading one file. */
struct ld {
	struct config *cfg;
	const char *file;
	yaml_document_t *doc;
	int errors;
	struct strlist *ignored; /* Kubernetes-only fields seen */
	bool ingress_notice;
};

static void
perr(struct ld *ld, const yaml_node_t *n, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
perr(struct ld *ld, const yaml_node_t *n, const char *path, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s:%lu:%lu: %s%s%s", ld->file,
	    n ? (unsigned long)n->start_mark.line + 1 : 1UL,
	    n ? (unsigned long)n->start_mark.column + 1 : 1UL,
	    path ? path : "", path && *path ? ": " : "", msg);
	ld->errors++;
}

static const yaml_node_t *lookup(struct ld *ld, const yaml_node_t *n,
    const char *key);

static struct cfg_pos
pos_of(struct ld *ld, const yaml_node_t *n)
{
	struct cfg_pos p = { ld->file, (int)n->start_mark.line + 1,
		(int)n->start_mark.column + 1 };

	return p;
}

static const char *
scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* [0-9]+(.[0-9]*)?([eE][-+]?[0-9]+)? or .[0-9]+..., YAML's float. */
static bool
is_float(const char *p)
{
	size_t n = strspn(p, "0123456789"), m;

	if (*(p += n) == '.') {
		m = strspn(++p, "0123456789");
		if (n == 0 && m == 0)
			return false;
		p += m;
	} else if (n == 0) {
		return strcmp(p, ".inf") == 0 || strcmp(p, ".nan") == 0;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if ((n = strspn(p, "0123456789")) == 0)
			return false;
		p += n;
	}
	return *p == '\0';
}

/* What a plain scalar means under YAML's core schema. */
enum sctype { S_STR, S_NULL, S_BOOL, S_INT, S_FLOAT };

static enum sctype
sctype(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = { "true", "True", "TRUE", "false",
		"False", "FALSE" };
	const char *s = scalar(n), *p;
	size_t i;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return S_STR;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(s, nulls[i]) == 0)
			return S_NULL;
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (strcmp(s, bools[i]) == 0)
			return S_BOOL;
	p = s + (*s == '-' || *s == '+');
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p))
		return S_INT;
	if (is_float(p))
		return S_FLOAT;
	return S_STR;
}

static const char *
kind_name(const yaml_node_t *n)
{
	static const char *const names[] = { [S_STR] = "a string",
		[S_NULL] = "an empty value", [S_BOOL] = "a boolean",
		[S_INT] = "an integer", [S_FLOAT] = "a number" };

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	return names[sctype(n)];
}

static bool
is_str(struct ld *ld, const yaml_node_t *n, const char *path)
{
	if (n->type == YAML_SCALAR_NODE && sctype(n) == S_STR)
		return true;
	perr(ld, n, path, "expected a string, found %s%s", kind_name(n),
	    n->type == YAML_SCALAR_NODE && sctype(n) != S_NULL ?
	    " (quote it to make it a string)" : "");
	return false;
}

/* A field of a mapping and how to read it. */
struct field;
typedef void (*field_fn)(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);

enum fkind {
	K_STR,     /* char * */
	K_NAME,    /* char *, a Kubernetes object name */
	K_BOOL,    /* bool */
	K_PORT,    /* int, 1..65535 */
	K_ENUM,    /* int: index into choices */
	K_FN,      /* custom */
	K_IGNORE,  /* Kubernetes-only: accepted, ignored, noticed once */
};

#define F_REQUIRED 1u

struct field {
	const char *name;
	enum fkind kind;
	size_t off;
	field_fn fn;
	const char *const *choices; /* K_ENUM, NULL-terminated */
	unsigned flags;
};

#define AT(type, obj, off) ((type *)(void *)((char *)(obj) + (off)))

static const yaml_node_t *
node(struct ld *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

static char *
join_choices(const struct field *fields, const char *const *choices)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; fields != NULL && fields[i].name != NULL; i++) {
		if (fields[i].kind == K_IGNORE)
			continue;
		if (b.len > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, fields[i].name);
	}
	for (i = 0; choices != NULL && choices[i] != NULL; i++) {
		if (b.len > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, choices[i]);
	}
	return b.data != NULL ? b.data : util_strdup("");
}

static void
read_field(struct ld *ld, const struct field *f, const yaml_node_t *v,
    const char *path, void *obj)
{
	const char *s;
	char *end, *list;
	long port;
	size_t i;

	switch (f->kind) {
	case K_STR:
	case K_NAME:
		if (!is_str(ld, v, path))
			return;
		s = scalar(v);
		if (f->kind == K_NAME && !config_valid_k8s_name(s)) {
			perr(ld, v, path, "'%s' is not a valid name: use lower "
			    "case letters, digits, '-' and '.'", log_esc(s));
			return;
		}
		if (*s == '\0') {
			perr(ld, v, path, "must not be empty");
			return;
		}
		free(*AT(char *, obj, f->off));
		*AT(char *, obj, f->off) = util_strdup(s);
		return;
	case K_BOOL:
		if (v->type != YAML_SCALAR_NODE || sctype(v) != S_BOOL) {
			perr(ld, v, path, "expected true or false, found %s",
			    kind_name(v));
			return;
		}
		*AT(bool, obj, f->off) = tolower((unsigned char)*scalar(v)) ==
		    't';
		return;
	case K_PORT:
		if (v->type != YAML_SCALAR_NODE || sctype(v) != S_INT) {
			perr(ld, v, path, "expected a port number, found %s",
			    kind_name(v));
			return;
		}
		errno = 0;
		port = strtol(scalar(v), &end, 10);
		if (errno != 0 || port < 1 || port > 65535) {
			perr(ld, v, path, "port %s is out of range 1-65535",
			    log_esc(scalar(v)));
			return;
		}
		*AT(int, obj, f->off) = (int)port;
		return;
	case K_ENUM:
		if (!is_str(ld, v, path))
			return;
		for (i = 0; f->choices[i] != NULL; i++)
			if (strcmp(scalar(v), f->choices[i]) == 0) {
				*AT(int, obj, f->off) = (int)i;
				return;
			}
		list = join_choices(NULL, f->choices);
		perr(ld, v, path, "'%s' is not one of: %s", log_esc(scalar(v)),
		    list);
		free(list);
		return;
	case K_FN:
		f->fn(ld, v, path, obj);
		return;
	case K_IGNORE:
		return;
	}
}

/* Remember an ignored field's path with list indexes removed. */
static void
note_ignored(struct ld *ld, const char *path)
{
	struct buf b = { 0 };
	const char *p;

	for (p = path; *p != '\0'; p++) {
		if (*p == '[') {
			while (*p != '\0' && *p != ']')
				p++;
			if (*p == '\0')
				break;
			buf_addstr(&b, "[]");
			continue;
		}
		buf_add(&b, p, 1);
	}
	if (b.data != NULL && !strlist_has(ld->ignored, b.data))
		strlist_add(ld->ignored, b.data);
	buf_free(&b);
}

/*
 * Walk mapping n with the field table fields (NULL-terminated), storing
 * into obj.  Unknown and duplicate keys, and missing required ones, are
 * errors.  Returns false if n is not a mapping.
 */
static bool
walk_map(struct ld *ld, const yaml_node_t *n, const char *path,
    const struct field *fields, void *obj)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k, *v;
	unsigned char seen[64] = { 0 };
	char *sub, *list;
	size_t i;

	if (n->type != YAML_MAPPING_NODE) {
		perr(ld, n, path, "expected a mapping, found %s", kind_name(n));
		return false;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = node(ld, pair->key);
		v = node(ld, pair->value);
		if (k->type != YAML_SCALAR_NODE) {
			perr(ld, k, path, "keys must be strings");
			continue;
		}
		for (i = 0; fields[i].name != NULL; i++)
			if (strcmp(fields[i].name, scalar(k)) == 0)
				break;
		sub = *path ? util_printf("%s.%s", path, scalar(k)) :
		    util_strdup(scalar(k));
		if (fields[i].name == NULL) {
			list = join_choices(fields, NULL);
			perr(ld, k, sub, "unknown field (expected one of: %s)",
			    list);
			free(list);
		} else if (i < sizeof(seen) && seen[i]++) {
			perr(ld, k, sub, "given more than once");
		} else if (fields[i].kind == K_IGNORE) {
			note_ignored(ld, sub);
		} else {
			read_field(ld, &fields[i], v, sub, obj);
		}
		free(sub);
	}
	for (i = 0; fields[i].name != NULL; i++)
		if ((fields[i].flags & F_REQUIRED) && !seen[i]) {
			sub = *path ? util_printf("%s.%s", path,
			    fields[i].name) : util_strdup(fields[i].name);
			perr(ld, n, sub, "required field is missing");
			free(sub);
		}
	return true;
}

/* A list of strings into a strlist, each checked by check (may be NULL). */
static void
read_strlist(struct ld *ld, const yaml_node_t *n, const char *path,
    struct strlist *out,
    int (*check)(const char *, char **, const char **))
{
	const yaml_node_item_t *it;
	const yaml_node_t *v;
	const char *why;
	char *sub, *norm;
	size_t i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		perr(ld, n, path, "expected a list, found %s", kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		v = node(ld, *it);
		sub = util_printf("%s[%zu]", path, i);
		if (!is_str(ld, v, sub)) {
			free(sub);
			continue;
		}
		if (check == NULL) {
			strlist_add(out, scalar(v));
		} else if (check(scalar(v), &norm, &why) < 0) {
			perr(ld, v, sub, "'%s' %s", log_esc(scalar(v)), why);
		} else if (strlist_has(out, norm)) {
			perr(ld, v, sub, "'%s' is listed twice", norm);
			free(norm);
		} else {
			strlist_add(out, norm);
			free(norm);
		}
		free(sub);
	}
}

/* A map of strings to strings (labels). */
static void
read_strmap(struct ld *ld, const yaml_node_t *n, const char *path,
    struct strlist *keys, struct strlist *values)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k, *v;
	char *sub;

	if (n->type != YAML_MAPPING_NODE) {
		perr(ld, n, path, "expected a mapping, found %s", kind_name(n));
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = node(ld, pair->key);
		v = node(ld, pair->value);
		if (k->type != YAML_SCALAR_NODE) {
			perr(ld, k, path, "keys must be strings");
			continue;
		}
		sub = util_printf("%s.%s", path, scalar(k));
		if (strlist_has(keys, scalar(k)))
			perr(ld, k, sub, "given more than once");
		else if (is_str(ld, v, sub)) {
			strlist_add(keys, scalar(k));
			strlist_add(values, scalar(v));
		}
		free(sub);
	}
}

/* ---- validation helpers, also used for ad hoc flags ---- */

bool
config_valid_k8s_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '-' || c == '.'))
			return false;
		if (c == '.' && (s[i + 1] == '.' || s[i + 1] == '-' ||
		    s[i - 1] == '-'))
			return false;
	}
	return true;
}

/* A Secret key: [-._a-zA-Z0-9]+, and not "." or "..". */
static bool
valid_secret_key(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._") == n;
}

int
config_check_dns_name(const char *s, char **out, const char **why)
{
	char *d, ipbuf[64];
	size_t i, n = strlen(s), label = 0;

	*out = NULL;
	if (n == 0 || n > 253) {
		*why = "is not a DNS name: it must be 1 to 253 characters";
		return -1;
	}
	if (ident_ip_canonical(s, ipbuf, sizeof(ipbuf)) == 0) {
		*why = "is an IP address: list it under ipAddresses";
		return -1;
	}
	d = util_strdup(s);
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	i = 0;
	if (strncmp(d, "*.", 2) == 0)
		i = 2;
	if (d[i] == '\0' || d[n - 1] == '.')
		goto bad;
	for (; i <= n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				goto bad;
			label = 0;
			continue;
		}
		if (!(isalnum(c) || (c == '-' && label > 0) || c == '_'))
			goto bad;
		label++;
	}
	*out = d;
	return 0;
bad:
	free(d);
	*why = "is not a valid DNS name (letters, digits and '-' in labels "
	    "of at most 63, optionally starting with '*.')";
	return -1;
}

int
config_check_ip(const char *s, char **out, const char **why)
{
	char buf[64];

	*out = NULL;
	if (ident_ip_canonical(s, buf, sizeof(buf)) < 0) {
		*why = "is not an IPv4 or IPv6 address";
		return -1;
	}
	*out = util_strdup(buf);
	return 0;
}

int
config_parse_duration(const char *s, long long *seconds)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 },
		{ "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 } };
	double total = 0, v;
	char *end;
	size_t i, best, blen;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		best = blen = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (strncmp(s, units[i].unit, l) == 0 && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (blen == 0)
			return -1;
		total += v * units[best].scale;
		s += blen;
	}
	if (total > 1e12)
		return -1;
	*seconds = (long long)total;
	return 0;
}

static void
f_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    long long *out)
{
	if (!is_str(ld, n, path))
		return;
	if (config_parse_duration(scalar(n), out) < 0 || *out <= 0)
		perr(ld, n, path, "'%s' is not a duration such as 2160h or "
		    "1h30m", log_esc(scalar(n)));
}

/* ---- Issuer ---- */

static void
f_secret_ref_key_required(struct ld *ld, const yaml_node_t *n,
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

	if (!walk_map(ld, n, path, key_required ? fields_req : fields_opt,
	    ref))
		return;
	if ((name = lookup(ld, n, "name")) != NULL)
		ref->pos = pos_of(ld, name);
	if (ref->key != NULL && !valid_secret_key(ref->key)) {
		sub = util_printf("%s.key", path);
		perr(ld, n, sub, "'%s' is not a valid secret key: use letters, "
		    "digits, '-', '_' and '.'", log_esc(ref->key));
		free(sub);
	}
}

static void
f_account_key(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_issuer *is = obj;

	f_secret_ref_key_required(ld, n, path, &is->account_key, false);
}

static void
f_eab_key(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;

	f_secret_ref_key_required(ld, n, path, &is->eab_key, true);
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
	walk_map(ld, n, path, fields, is);
}

static void
f_ca_bundle(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;
	unsigned char *pem;
	size_t len;

	if (!is_str(ld, n, path))
		return;
	if (b64_std_decode(scalar(n), strlen(scalar(n)), &pem, &len) < 0) {
		perr(ld, n, path, "not base64 (%s): caBundle is the base64 of "
		    "PEM certificates, as in cert-manager", crypto_error());
		return;
	}
	if (strstr((char *)pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		perr(ld, n, path, "the decoded caBundle holds no PEM "
		    "CERTIFICATE");
		free(pem);
		return;
	}
	free(is->ca_bundle);
	is->ca_bundle = (char *)pem;
	is->ca_bundle_len = len;
}

static void
f_standalone(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const struct field fields[] = {
		{ "address", K_STR, offsetof(struct cfg_solver, http_address),
		    NULL, NULL, 0 },
		{ "port", K_PORT, offsetof(struct cfg_solver, http_port), NULL,
		    NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;
	unsigned char addr[16];

	walk_map(ld, n, path, fields, s);
	if (s->http_address != NULL &&
	    inet_pton(AF_INET, s->http_address, addr) != 1 &&
	    inet_pton(AF_INET6, s->http_address, addr) != 1) {
		perr(ld, n, path, "address '%s' is not an IP address",
		    log_esc(s->http_address));
	}
}

static void
f_webroot(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "path", K_STR, offsetof(struct cfg_solver, webroot), NULL,
		    NULL, F_REQUIRED },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;

	s->http_mode = HTTP01_WEBROOT;
	walk_map(ld, n, path, fields, s);
	if (s->webroot != NULL && s->webroot[0] != '/')
		perr(ld, n, path, "webroot path '%s' must be absolute",
		    log_esc(s->webroot));
}

/* ingress / gatewayHTTPRoute: Kubernetes objects; acmec serves itself. */
static void
f_k8s_http(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	if (n->type != YAML_MAPPING_NODE) {
		perr(ld, n, path, "expected a mapping, found %s", kind_name(n));
		return;
	}
	note_ignored(ld, path);
	ld->ingress_notice = true;
}

static void
f_http01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "ingress", K_FN, 0, f_k8s_http, NULL, 0 },
		{ "gatewayHTTPRoute", K_FN, 0, f_k8s_http, NULL, 0 },
		{ "standalone", K_FN, 0, f_standalone, NULL, 0 },
		{ "webroot", K_FN, 0, f_webroot, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *s = obj;
	const yaml_node_pair_t *pair;
	int kinds = 0;

	s->type = SOLVER_HTTP01;
	s->http_mode = HTTP01_STANDALONE;
	s->http_port = 80;
	if (!walk_map(ld, n, path, fields, s))
		return;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++)
		kinds++;
	if (kinds != 1)
		perr(ld, n, path, "give exactly one of ingress, "
		    "gatewayHTTPRoute, standalone or webroot");
}

static void
f_selector(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/* "host", "host:port", "[v6]:port": syntax only, no lookup here. */
static bool
valid_hostport(const char *s)
{
	const char *colon = strrchr(s, ':'), *end;
	unsigned char a[16];
	char *e;
	long port;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			return false;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if (colon != NULL && strchr(s, ':') != colon) {
		return inet_pton(AF_INET6, s, a) == 1; /* bare IPv6 */
	}
	if (colon != NULL) {
		port = strtol(colon + 1, &e, 10);
		if (*e != '\0' || port < 1 || port > 65535)
			return false;
	}
	return s[0] != '\0' && s[0] != ':' &&
	    strcspn(s, " \t/;$`'\"") == strlen(s);
}

static void
f_nameserver(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *sv = obj;

	if (!is_str(ld, n, path))
		return;
	if (!valid_hostport(scalar(n))) {
		perr(ld, n, path, "'%s' is not host, host:port or [IPv6]:port",
		    log_esc(scalar(n)));
		return;
	}
	free(sv->rfc2136_nameserver);
	sv->rfc2136_nameserver = util_strdup(scalar(n));
}

static void
f_tsig_secret(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;

	f_secret_ref_key_required(ld, n, path, &sv->tsig_secret, true);
}

static void
f_rfc2136(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const char *const algs[] = { "HMACMD5", "HMACSHA1",
		"HMACSHA256", "HMACSHA512", NULL };
	static const struct field fields[] = {
		{ "nameserver", K_FN, 0, f_nameserver, NULL, F_REQUIRED },
		{ "tsigKeyName", K_STR,
		    offsetof(struct cfg_solver, tsig_key_name), NULL, NULL, 0 },
		{ "tsigAlgorithm", K_ENUM,
		    offsetof(struct cfg_solver, tsig_alg), NULL, algs, 0 },
		{ "tsigSecretSecretRef", K_FN, 0, f_tsig_secret, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;

	sv->dns_provider = DNS01_RFC2136;
	if (!walk_map(ld, n, path, fields, sv))
		return;
	if ((sv->tsig_key_name == NULL) != (sv->tsig_secret.name == NULL))
		perr(ld, n, path, "give tsigKeyName and tsigSecretSecretRef "
		    "together");
}

static void
f_exec_command(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;

	if (n->type != YAML_SEQUENCE_NODE) {
		perr(ld, n, path, "expected a list (the command and its "
		    "arguments, run without a shell), found %s", kind_name(n));
		return;
	}
	read_strlist(ld, n, path, &sv->exec_command, NULL);
	if (sv->exec_command.n == 0)
		perr(ld, n, path, "the command list is empty");
}

static void
f_exec_timeout(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	f_duration(ld, n, path, &((struct cfg_solver *)obj)->exec_timeout);
}

static void
f_exec(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "command", K_FN, 0, f_exec_command, NULL, F_REQUIRED },
		{ "timeout", K_FN, 0, f_exec_timeout, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;

	sv->dns_provider = DNS01_EXEC;
	walk_map(ld, n, path, fields, sv);
}

static void
f_recursive_ns(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	struct cfg_solver *sv = obj;
	size_t i;

	read_strlist(ld, n, path, &sv->recursive_ns, NULL);
	for (i = 0; i < sv->recursive_ns.n; i++)
		if (!valid_hostport(sv->recursive_ns.v[i]))
			perr(ld, n, path, "'%s' is not host, host:port or "
			    "[IPv6]:port", log_esc(sv->recursive_ns.v[i]));
}

static void
f_propagation_timeout(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	f_duration(ld, n, path,
	    &((struct cfg_solver *)obj)->propagation_timeout);
}

/* cert-manager's other providers live in its Kubernetes controller. */
static void
f_k8s_provider(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	perr(ld, n, path, "this provider needs cert-manager's controller; "
	    "use dns01.rfc2136, or dns01.exec with a hook command that "
	    "calls your provider's API");
}

static void
f_cname_strategy(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const choices[] = { "None", "Follow", NULL };
	static const struct field f = { "cnameStrategy", K_ENUM, 0, NULL,
		choices, 0 };
	int v = 0;

	read_field(ld, &f, n, path, &v);
	((struct cfg_solver *)obj)->dns_follow_cname = v == 1;
}

static void
f_propagation_check(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	static const char *const choices[] = { "Authoritative", "None", NULL };
	static const struct field f = { "propagationCheck", K_ENUM, 0, NULL,
		choices, 0 };
	int v = 0;

	read_field(ld, &f, n, path, &v);
	((struct cfg_solver *)obj)->propagation_check = v == 0;
}

static void
f_dns01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "rfc2136", K_FN, 0, f_rfc2136, NULL, 0 },
		{ "exec", K_FN, 0, f_exec, NULL, 0 },
		{ "cnameStrategy", K_FN, 0, f_cname_strategy, NULL, 0 },
		{ "recursiveNameservers", K_FN, 0, f_recursive_ns, NULL, 0 },
		{ "propagationCheck", K_FN, 0, f_propagation_check, NULL, 0 },
		{ "propagationTimeout", K_FN, 0, f_propagation_timeout, NULL,
		    0 },
		{ "acmeDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "akamai", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "azureDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "cloudDNS", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "cloudflare", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "digitalocean", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "route53", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ "webhook", K_FN, 0, f_k8s_provider, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_solver *sv = obj;
	const yaml_node_pair_t *pair;
	const yaml_node_t *k;
	int providers = 0;
	size_t i;

	sv->type = SOLVER_DNS01;
	sv->propagation_check = true;
	sv->propagation_timeout = 300;
	sv->exec_timeout = 120;
	if (!walk_map(ld, n, path, fields, sv))
		return;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = node(ld, pair->key);
		/* cert-manager's own providers are counted: already refused. */
		for (i = 0; k->type == YAML_SCALAR_NODE &&
		    fields[i].name != NULL; i++)
			if (strcmp(scalar(k), fields[i].name) == 0 &&
			    (fields[i].fn == f_rfc2136 || fields[i].fn == f_exec ||
			    fields[i].fn == f_k8s_provider))
				providers++;
	}
	if (providers != 1)
		perr(ld, n, path, "give exactly one of rfc2136 or exec");
}

/* acmec's own: tlsalpn01 {address, port}, default all addresses, 443. */
static void
f_tlsalpn01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *s = obj;

	s->type = SOLVER_TLSALPN01;
	s->http_port = 443;
	f_standalone(ld, n, path, s);
}

static void
read_solver(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *s)
{
	static const struct field fields[] = {
		{ "selector", K_FN, 0, f_selector, NULL, 0 },
		{ "http01", K_FN, 0, f_http01, NULL, 0 },
		{ "dns01", K_FN, 0, f_dns01, NULL, 0 },
		{ "tlsalpn01", K_FN, 0, f_tlsalpn01, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	const yaml_node_pair_t *pair;
	int kinds = 0;

	s->pos = pos_of(ld, n);
	s->http_port = 80;
	if (!walk_map(ld, n, path, fields, s))
		return;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++)
		if (strcmp(scalar(node(ld, pair->key)), "selector") != 0)
			kinds++;
	if (kinds != 1)
		perr(ld, n, path, "a solver needs exactly one of http01, dns01 "
		    "or tlsalpn01");
}

static void
f_sel_names(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	read_strlist(ld, n, path, &((struct cfg_solver *)obj)->sel_dns_names,
	    NULL);
}

static void
f_sel_zones(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	read_strlist(ld, n, path, &((struct cfg_solver *)obj)->sel_dns_zones,
	    NULL);
}

static void
f_sel_labels(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_solver *s = obj;

	read_strmap(ld, n, path, &s->sel_label_keys, &s->sel_label_values);
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

	walk_map(ld, n, path, fields, obj);
}

static void
f_solvers(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_issuer *is = obj;
	const yaml_node_item_t *it;
	char *sub;
	size_t i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		perr(ld, n, path, "expected a list, found %s", kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		is->solvers = util_realloc(is->solvers, is->nsolvers + 1,
		    sizeof(*is->solvers));
		memset(&is->solvers[is->nsolvers], 0, sizeof(*is->solvers));
		sub = util_printf("%s[%zu]", path, i);
		read_solver(ld, node(ld, *it), sub,
		    &is->solvers[is->nsolvers++]);
		free(sub);
	}
}

static void
f_acme(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "server", K_STR, offsetof(struct cfg_issuer, server), NULL,
		    NULL, F_REQUIRED },
		{ "email", K_STR, offsetof(struct cfg_issuer, email), NULL,
		    NULL, 0 },
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
		{ NULL, 0, 0, NULL, NULL, 0 },
	};
	struct cfg_issuer *is = obj;

	if (!walk_map(ld, n, path, fields, is))
		return;
	if (is->server != NULL && strncmp(is->server, "https://", 8) != 0)
		perr(ld, n, path, "server '%s' must be an https:// URL",
		    log_esc(is->server));
	if (is->nsolvers == 0)
		perr(ld, n, path, "at least one entry in solvers is needed");
}

static void
f_unsupported_issuer(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	perr(ld, n, path, "acmec handles ACME issuers only (spec.acme)");
}

/* ---- Certificate ---- */

static void
f_dns_names(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	read_strlist(ld, n, path, &((struct cfg_cert *)obj)->dns_names,
	    config_check_dns_name);
}

static void
f_ip_addresses(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	read_strlist(ld, n, path, &((struct cfg_cert *)obj)->ip_addresses,
	    config_check_ip);
}

static void
f_cert_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	f_duration(ld, n, path, &((struct cfg_cert *)obj)->duration);
}

static void
f_cert_renew_before(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	f_duration(ld, n, path, &((struct cfg_cert *)obj)->renew_before);
}

static void
f_renew_pct(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_cert *c = obj;
	long v;

	if (n->type != YAML_SCALAR_NODE || sctype(n) != S_INT) {
		perr(ld, n, path, "expected an integer, found %s",
		    kind_name(n));
		return;
	}
	v = strtol(scalar(n), NULL, 10);
	if (v < 1 || v > 99) {
		perr(ld, n, path, "%ld is out of range 1-99", v);
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

	if (n->type != YAML_SCALAR_NODE || sctype(n) != S_INT) {
		perr(ld, n, path, "expected an integer, found %s",
		    kind_name(n));
		return;
	}
	pk->size = (int)strtol(scalar(n), NULL, 10);
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

	if (!walk_map(ld, n, path, fields, &pk))
		return;
	c->key_encoding = pk.enc == 1 ? KEY_ENC_PKCS8 : KEY_ENC_PKCS1;
	c->rotate_always = pk.rot == 0;
	sub = util_printf("%s.size", path);
	switch (pk.alg) {
	case -1: /* not given: acmec's default, ECDSA P-256 */
		if (pk.size_set)
			perr(ld, pk.size_node, sub, "size without algorithm: "
			    "acmec's default is ECDSA, cert-manager's RSA; "
			    "add algorithm: RSA or algorithm: ECDSA");
		break;
	case 1:
		if (!pk.size_set || pk.size == 256)
			c->key_type = KEY_EC_P256;
		else if (pk.size == 384)
			c->key_type = KEY_EC_P384;
		else
			perr(ld, pk.size_node, sub, "ECDSA size %d is not "
			    "supported: use 256 or 384", pk.size);
		break;
	case 0:
		c->key_type = KEY_RSA;
		c->key_bits = pk.size_set ? pk.size : 2048;
		if (c->key_bits != 2048 && c->key_bits != 3072 &&
		    c->key_bits != 4096)
			perr(ld, pk.size_node, sub, "RSA size %d is not "
			    "supported: use 2048, 3072 or 4096", pk.size);
		break;
	case 2:
		c->key_type = KEY_ED25519;
		if (pk.size_set)
			perr(ld, pk.size_node, sub, "Ed25519 keys have no size");
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
		perr(ld, n, path, "expected a list, found %s", kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		type = -1;
		sub = util_printf("%s[%zu]", path, i);
		walk_map(ld, node(ld, *it), sub, fields, &type);
		if (type == 0)
			c->out_combined = true;
		else if (type == 1)
			c->out_der = true;
		free(sub);
	}
}

static void
f_deploy(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct cfg_cert *c = obj;

	strlist_free(&c->deploy_hook);
	if (n->type == YAML_SCALAR_NODE) {
		if (is_str(ld, n, path)) {
			strlist_add(&c->deploy_hook, scalar(n));
			c->deploy_hook_shell = true;
		}
		return;
	}
	read_strlist(ld, n, path, &c->deploy_hook, NULL);
	c->deploy_hook_shell = false;
	if (c->deploy_hook.n == 0)
		perr(ld, n, path, "the command list is empty");
}

static void
f_hooks(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field fields[] = {
		{ "deploy", K_FN, 0, f_deploy, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	walk_map(ld, n, path, fields, obj);
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

	if (!walk_map(ld, n, path, fields, &ref))
		return;
	free(c->issuer_name);
	c->issuer_name = ref.name;
	c->issuer_cluster = ref.kind == 1;
	c->issuer_pos = pos_of(ld, n);
}

static void
f_is_ca(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	if (n->type == YAML_SCALAR_NODE && sctype(n) == S_BOOL &&
	    tolower((unsigned char)*scalar(n)) == 'f')
		return;
	perr(ld, n, path, "ACME CAs do not issue CA certificates; remove "
	    "isCA");
}

static void
f_cert_spec(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
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
		{ "hooks", K_FN, 0, f_hooks, NULL, 0 },
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
	const char *w;

	if (!walk_map(ld, n, path, fields, c))
		return;
	if ((secret = lookup(ld, n, "secretName")) != NULL)
		c->secret_pos = pos_of(ld, secret);
	if (c->common_name != NULL) {
		if (config_check_dns_name(c->common_name, &norm, &w) == 0 ||
		    config_check_ip(c->common_name, &norm, &w) == 0) {
			free(c->common_name);
			c->common_name = norm;
		} else {
			why = util_printf("%s.commonName", path);
			perr(ld, n, why, "'%s' is neither a DNS name nor an IP "
			    "address", log_esc(c->common_name));
			free(why);
		}
		if (c->common_name != NULL && strlen(c->common_name) > 64) {
			why = util_printf("%s.commonName", path);
			perr(ld, n, why, "longer than 64 characters, the X.509 "
			    "limit; leave commonName out and list the name in "
			    "dnsNames");
			free(why);
		}
	}
	if (c->dns_names.n == 0 && c->ip_addresses.n == 0 &&
	    c->common_name == NULL)
		perr(ld, n, path, "name at least one of dnsNames, ipAddresses "
		    "or commonName");
	if (c->renew_before_pct != 0 && c->renew_before != 0)
		perr(ld, n, path, "give renewBefore or renewBeforePercentage, "
		    "not both");
	if (c->duration != 0 && c->renew_before >= c->duration)
		perr(ld, n, path, "renewBefore must be shorter than duration");
}

/* ---- documents ---- */

struct meta {
	char *name, *namespace;
	struct strlist label_keys, label_values;
	const yaml_node_t *name_node;
};

static void
f_labels(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	struct meta *m = obj;

	read_strmap(ld, n, path, &m->label_keys, &m->label_values);
}

static void
f_meta_name(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	static const struct field f = { "name", K_NAME, 0, NULL, NULL, 0 };
	struct meta *m = obj;

	m->name_node = n;
	read_field(ld, &f, n, path, &m->name);
}

static void
read_meta(struct ld *ld, const yaml_node_t *n, struct meta *m)
{
	static const struct field fields[] = {
		{ "name", K_FN, 0, f_meta_name, NULL, F_REQUIRED },
		{ "namespace", K_NAME, offsetof(struct meta, namespace), NULL,
		    NULL, 0 },
		{ "labels", K_FN, 0, f_labels, NULL, 0 },
		{ "annotations", K_IGNORE, 0, NULL, NULL, 0 },
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

	walk_map(ld, n, "metadata", fields, m);
}

/* The value node of key in mapping n, or NULL. */
static const yaml_node_t *
lookup(struct ld *ld, const yaml_node_t *n, const char *key)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = node(ld, pair->key);
		if (k->type == YAML_SCALAR_NODE && strcmp(scalar(k), key) == 0)
			return node(ld, pair->value);
	}
	return NULL;
}

static void
f_api_version(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)obj;
	if (!is_str(ld, n, path))
		return;
	if (strcmp(scalar(n), "cert-manager.io/v1") != 0 &&
	    strcmp(scalar(n), "acmec/v1") != 0)
		perr(ld, n, path, "'%s' is not supported: use "
		    "cert-manager.io/v1", log_esc(scalar(n)));
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
		{ "acme", K_FN, 0, f_acme, NULL, F_REQUIRED },
		{ "ca", K_FN, 0, f_unsupported_issuer, NULL, 0 },
		{ "selfSigned", K_FN, 0, f_unsupported_issuer, NULL, 0 },
		{ "vault", K_FN, 0, f_unsupported_issuer, NULL, 0 },
		{ "venafi", K_FN, 0, f_unsupported_issuer, NULL, 0 },
		{ NULL, 0, 0, NULL, NULL, 0 },
	};

	walk_map(ld, n, path, fields, obj);
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
	{ "spec", K_FN, 0, f_cert_spec, NULL, F_REQUIRED },
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
		perr(ld, root, "", "a document must be a mapping (a "
		    "cert-manager resource), found %s", kind_name(root));
		return;
	}
	kind = lookup(ld, root, "kind");
	if (kind == NULL) {
		perr(ld, root, "kind", "required field is missing");
		return;
	}
	if (!is_str(ld, kind, "kind"))
		return;
	k = scalar(kind);
	if ((meta_node = lookup(ld, root, "metadata")) != NULL)
		read_meta(ld, meta_node, &m);
	if (strcmp(k, "ClusterIssuer") == 0 || strcmp(k, "Issuer") == 0) {
		struct cfg_issuer *is;

		cfg->issuers = util_realloc(cfg->issuers, cfg->nissuers + 1,
		    sizeof(*cfg->issuers));
		is = &cfg->issuers[cfg->nissuers++];
		memset(is, 0, sizeof(*is));
		is->pos = pos_of(ld, m.name_node ? m.name_node : root);
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
			note_ignored(ld, "metadata.labels");
		walk_map(ld, root, "", doc_issuer_fields, is);
	} else if (strcmp(k, "Certificate") == 0) {
		struct cfg_cert *c;

		cfg->certs = util_realloc(cfg->certs, cfg->ncerts + 1,
		    sizeof(*cfg->certs));
		c = &cfg->certs[cfg->ncerts++];
		memset(c, 0, sizeof(*c));
		config_cert_defaults(c);
		c->pos = pos_of(ld, m.name_node ? m.name_node : root);
		c->name = m.name;
		c->namespace = m.namespace ? m.namespace :
		    util_strdup("default");
		c->label_keys = m.label_keys;
		c->label_values = m.label_values;
		memset(&m, 0, sizeof(m));
		walk_map(ld, root, "", doc_cert_fields, c);
	} else {
		perr(ld, kind, "kind", "'%s' is not one of: ClusterIssuer, "
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
		    sctype(root) == S_NULL))
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
		for (j = 0; j < cfg->nissuers; j++) {
			is = &cfg->issuers[j];
			if (is->name != NULL && is->cluster == c->issuer_cluster &&
			    strcmp(is->name, c->issuer_name) == 0 &&
			    (is->cluster ||
			    strcmp(is->namespace, c->namespace) == 0)) {
				c->issuer = is;
				break;
			}
		}
		if (c->issuer == NULL) {
			log_error("%s:%d:%d: spec.issuerRef: no %s named '%s'%s%s",
			    c->issuer_pos.file, c->issuer_pos.line,
			    c->issuer_pos.col, c->issuer_cluster ?
			    "ClusterIssuer" : "Issuer", c->issuer_name,
			    c->issuer_cluster ? "" : " in namespace ",
			    c->issuer_cluster ? "" : c->namespace);
			errors++;
		}
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

void
config_cert_defaults(struct cfg_cert *c)
{
	c->key_type = KEY_EC_P256;
	c->key_bits = 0;
	c->key_encoding = KEY_ENC_PKCS1;
	c->rotate_always = true;
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
config_cert_free(struct cfg_cert *c)
{
	free(c->name);
	free(c->namespace);
	strlist_free(&c->label_keys);
	strlist_free(&c->label_values);
	free(c->secret_name);
	free(c->issuer_name);
	free(c->common_name);
	strlist_free(&c->dns_names);
	strlist_free(&c->ip_addresses);
	strlist_free(&c->deploy_hook);
	memset(c, 0, sizeof(*c));
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
	memset(cfg, 0, sizeof(*cfg));
}
