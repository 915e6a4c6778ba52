/*
 * cert-manager YAML -> struct config (strict, FILE:LINE:COL errors).
 * The strict walker: the state of loading one file, what a scalar means,
 * tables of fields and the generic walker over mappings, lists and maps.
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
#include <strings.h>
#include <sys/stat.h>

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "crypto/b64.h"
#include "crypto/err.h"
#include "crypto/ident.h"

void
cfgw_perr(struct ld *ld, const yaml_node_t *n, const char *path,
    const char *fmt, ...)
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

struct cfg_pos
cfgw_pos_of(struct ld *ld, const yaml_node_t *n)
{
	struct cfg_pos p = { ld->file, (int)n->start_mark.line + 1,
		(int)n->start_mark.column + 1 };

	return p;
}

const char *
cfgw_scalar(const yaml_node_t *n)
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

/*
 * A YAML 1.1 boolean, as Kubernetes' YAML reader (go-yaml v2) resolves a
 * plain scalar: 1 true, 0 false, -1 not a boolean ("yEs" is a string).
 */
static int
bool_word(const char *s)
{
	static const char *const words[2][11] = {
		{ "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off",
		    "Off", "OFF" },
		{ "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on",
		    "On", "ON" },
	};
	size_t v, i;

	/* Every word starts with one of these: most scalars are not. */
	if (s[0] == '\0' || strchr("nNyYtTfFoO", s[0]) == NULL)
		return -1;
	for (v = 0; v < 2; v++)
		for (i = 0; i < 11; i++)
			if (strcmp(s, words[v][i]) == 0)
				return (int)v;
	return -1;
}

bool
cfgw_bool(const yaml_node_t *n)
{
	return bool_word(cfgw_scalar(n)) == 1;
}

enum sctype
cfgw_sctype(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	const char *s = cfgw_scalar(n), *p;
	size_t i;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return S_STR;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(s, nulls[i]) == 0)
			return S_NULL;
	if (bool_word(s) >= 0)
		return S_BOOL;
	p = s + (*s == '-' || *s == '+');
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p))
		return S_INT;
	if (is_float(p))
		return S_FLOAT;
	return S_STR;
}

bool
cfgw_is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && cfgw_sctype(n) == S_NULL;
}

size_t
cfgw_count_set(struct ld *ld, const yaml_node_t *n, const char *except)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k;
	size_t count = 0;

	if (n->type != YAML_MAPPING_NODE)
		return 0;
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		if (cfgw_is_null(cfgw_node(ld, pair->value)) ||
		    (except != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp(cfgw_scalar(k), except) == 0))
			continue;
		count++;
	}
	return count;
}

const char *
cfgw_kind_name(const yaml_node_t *n)
{
	static const char *const names[] = { [S_STR] = "a string",
		[S_NULL] = "an empty value", [S_BOOL] = "a boolean",
		[S_INT] = "an integer", [S_FLOAT] = "a number" };

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	return names[cfgw_sctype(n)];
}

/*
 * Values that may hold $, <, [ or {{ as they are: commands (a shell's
 * $VAR, a redirection), Secrets' data, other tools' annotations.
 */
static bool
verbatim(const char *path)
{
	const char *a = "metadata.annotations.";
	size_t n = strlen(path);

	if (strncmp(path, a, strlen(a)) == 0)
		return strncmp(path + strlen(a), "acmec.io/", 9) != 0 ||
		    strcmp(path + strlen(a), "acmec.io/deploy-hook") == 0;
	return strstr(path, ".command[") != NULL ||
	    (n >= 8 && strcmp(path + n - 8, ".command") == 0) ||
	    strncmp(path, "spec.hooks.deploy", 17) == 0 ||
	    strncmp(path, "data.", 5) == 0 ||
	    strncmp(path, "stringData.", 11) == 0;
}

/* A string a templating step should have filled in: reported, true. */
static bool
unsubstituted(struct ld *ld, const yaml_node_t *n, const char *path)
{
	const char *p;
	char *what;
	size_t len;

	if (verbatim(path) ||
	    (p = config_placeholder(cfgw_scalar(n), &len)) == NULL)
		return false;
	what = util_printf("%.*s", (int)len, p);
	cfgw_perr(ld, n, path, "'%s' left unsubstituted: run envsubst or "
	    "your GitOps tool's substitution first", log_esc(what));
	free(what);
	return true;
}

bool
cfgw_is_str(struct ld *ld, const yaml_node_t *n, const char *path)
{
	if (n->type == YAML_SCALAR_NODE && cfgw_sctype(n) == S_STR)
		return !unsubstituted(ld, n, path);
	cfgw_perr(ld, n, path, "expected a string, found %s%s", cfgw_kind_name(n),
	    n->type == YAML_SCALAR_NODE && cfgw_sctype(n) != S_NULL ?
	    " (quote it to make it a string)" : "");
	return false;
}

const yaml_node_t *
cfgw_node(struct ld *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

static char *
join_choices(const struct field *fields, const char *const *choices)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; fields != NULL && fields[i].name != NULL; i++) {
		if (fields[i].kind == K_IGNORE || (fields[i].flags & F_OLD))
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

/* K_STR and K_NAME: "" is unset unless required; names checked. */
static void
read_string(struct ld *ld, const struct field *f, const yaml_node_t *v,
    const char *path, void *obj)
{
	const char *s;

	if (!cfgw_is_str(ld, v, path))
		return;
	s = cfgw_scalar(v);
	if (*s == '\0' && !(f->flags & F_REQUIRED))
		return; /* "" is unset, as for cert-manager */
	if (*s == '\0') {
		cfgw_perr(ld, v, path, "must not be empty");
		return;
	}
	if (f->kind == K_NAME && !config_valid_k8s_name(s)) {
		cfgw_perr(ld, v, path, "'%s' is not a valid name: use lower "
		    "case letters, digits, '-' and '.'", log_esc(s));
		return;
	}
	free(*AT(char *, obj, f->off));
	*AT(char *, obj, f->off) = util_strdup(s);
}

static void
read_port(struct ld *ld, const struct field *f, const yaml_node_t *v,
    const char *path, void *obj)
{
	char *end;
	long port;

	if (v->type != YAML_SCALAR_NODE || cfgw_sctype(v) != S_INT) {
		cfgw_perr(ld, v, path, "expected a port number, found %s",
		    cfgw_kind_name(v));
		return;
	}
	errno = 0;
	port = strtol(cfgw_scalar(v), &end, 10);
	if (errno != 0 || port < 1 || port > 65535) {
		cfgw_perr(ld, v, path, "port %s is out of range 1-65535",
		    log_esc(cfgw_scalar(v)));
		return;
	}
	*AT(int, obj, f->off) = (int)port;
}

static void
read_enum(struct ld *ld, const struct field *f, const yaml_node_t *v,
    const char *path, void *obj)
{
	char *list;
	size_t i;

	if (!cfgw_is_str(ld, v, path))
		return;
	for (i = 0; f->choices[i] != NULL; i++)
		if ((f->flags & F_NOCASE ? strcasecmp(cfgw_scalar(v),
		    f->choices[i]) : strcmp(cfgw_scalar(v), f->choices[i])) ==
		    0) {
			*AT(int, obj, f->off) = (int)i;
			return;
		}
	list = join_choices(NULL, f->choices);
	cfgw_perr(ld, v, path, "'%s' is not one of: %s",
	    log_esc(cfgw_scalar(v)), list);
	free(list);
}

void
cfgw_read_field(struct ld *ld, const struct field *f, const yaml_node_t *v,
    const char *path, void *obj)
{
	switch (f->kind) {
	case K_STR:
	case K_NAME:
		read_string(ld, f, v, path, obj);
		return;
	case K_BOOL:
		if (v->type != YAML_SCALAR_NODE || cfgw_sctype(v) != S_BOOL) {
			cfgw_perr(ld, v, path, "expected true or false, found %s",
			    cfgw_kind_name(v));
			return;
		}
		*AT(bool, obj, f->off) = cfgw_bool(v);
		return;
	case K_PORT:
		read_port(ld, f, v, path, obj);
		return;
	case K_ENUM:
		read_enum(ld, f, v, path, obj);
		return;
	case K_FN:
		f->fn(ld, v, path, obj);
		return;
	case K_IGNORE:
		return;
	}
}

void
cfgw_any_str(struct ld *ld, const yaml_node_t *n, const char *path, void *obj)
{
	(void)obj;
	cfgw_is_str(ld, n, path);
}

void
cfgw_read_later(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj)
{
	(void)ld;
	(void)n;
	(void)path;
	(void)obj;
}

/* Remember an ignored field's path with list indexes removed. */
void
cfgw_note_ignored(struct ld *ld, const char *path)
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

/* path.key, or key at the top; caller frees.  Made for every key read. */
static char *
join(const char *path, const char *key)
{
	size_t p = strlen(path), k = strlen(key);
	char *s = util_alloc(p + k + 2);

	if (p > 0) {
		memcpy(s, path, p);
		s[p++] = '.';
	}
	memcpy(s + p, key, k + 1);
	return s;
}

/*
 * Walk mapping n with the field table fields (NULL-terminated), storing
 * into obj.  Unknown and duplicate keys, and missing required ones, are
 * errors.  Returns false if n is not a mapping.
 */
bool
cfgw_walk_map(struct ld *ld, const yaml_node_t *n, const char *path,
    const struct field *fields, void *obj)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k, *v;
	unsigned char seen[128] = { 0 }; /* 0 absent, 1 null, 2 set */
	char *sub, *list;
	size_t i;

	for (i = 0; fields[i].name != NULL; i++)
		if (i + 1 >= sizeof(seen))
			abort(); /* a table this long is a bug */
	if (n->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, n, path, "expected a mapping, found %s", cfgw_kind_name(n));
		return false;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		v = cfgw_node(ld, pair->value);
		if (k->type != YAML_SCALAR_NODE) {
			cfgw_perr(ld, k, path, "keys must be strings");
			continue;
		}
		for (i = 0; fields[i].name != NULL; i++)
			if (strcmp(fields[i].name, cfgw_scalar(k)) == 0)
				break;
		sub = join(path, cfgw_scalar(k));
		if (fields[i].name == NULL) {
			list = join_choices(fields, NULL);
			cfgw_perr(ld, k, sub, "unknown field (expected one of: %s)",
			    list);
			free(list);
		} else if (seen[i] != 0) {
			cfgw_perr(ld, k, sub, "given more than once");
		} else if (cfgw_is_null(v)) {
			seen[i] = 1; /* null is unset: Kubernetes prunes it */
		} else if (fields[i].kind == K_IGNORE) {
			seen[i] = 2;
			cfgw_note_ignored(ld, sub);
		} else {
			seen[i] = 2;
			cfgw_read_field(ld, &fields[i], v, sub, obj);
		}
		free(sub);
	}
	for (i = 0; fields[i].name != NULL; i++)
		if ((fields[i].flags & F_REQUIRED) && seen[i] != 2) {
			sub = *path ? util_printf("%s.%s", path,
			    fields[i].name) : util_strdup(fields[i].name);
			cfgw_perr(ld, n, sub, "required field is missing");
			free(sub);
		}
	return true;
}

/* A list of strings into a strlist, each checked by check (may be NULL). */
void
cfgw_read_strlist(struct ld *ld, const yaml_node_t *n, const char *path,
    struct strlist *out,
    int (*check)(const char *, char **))
{
	const yaml_node_item_t *it;
	const yaml_node_t *v;
	char *sub, *norm;
	size_t i = 0;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfgw_perr(ld, n, path, "expected a list, found %s", cfgw_kind_name(n));
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		v = cfgw_node(ld, *it);
		sub = util_printf("%s[%zu]", path, i);
		if (!cfgw_is_str(ld, v, sub)) {
			free(sub);
			continue;
		}
		if (check == NULL) {
			strlist_add(out, cfgw_scalar(v));
		} else if (check(cfgw_scalar(v), &norm) < 0) {
			cfgw_perr(ld, v, sub, "'%s' %s", log_esc(cfgw_scalar(v)),
			    util_error());
		} else if (strlist_has(out, norm)) {
			cfgw_perr(ld, v, sub, "'%s' is listed twice", norm);
			free(norm);
		} else {
			strlist_add(out, norm);
			free(norm);
		}
		free(sub);
	}
}

/* A map of strings to strings (labels). */
void
cfgw_read_strmap(struct ld *ld, const yaml_node_t *n, const char *path,
    struct strlist *keys, struct strlist *values)
{
	const yaml_node_pair_t *pair;
	const yaml_node_t *k, *v;
	char *sub;

	if (n->type != YAML_MAPPING_NODE) {
		cfgw_perr(ld, n, path, "expected a mapping, found %s", cfgw_kind_name(n));
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = cfgw_node(ld, pair->key);
		v = cfgw_node(ld, pair->value);
		if (k->type != YAML_SCALAR_NODE) {
			cfgw_perr(ld, k, path, "keys must be strings");
			continue;
		}
		sub = util_printf("%s.%s", path, cfgw_scalar(k));
		if (strlist_has(keys, cfgw_scalar(k)))
			cfgw_perr(ld, k, sub, "given more than once");
		else if (cfgw_is_str(ld, v, sub)) {
			strlist_add(keys, cfgw_scalar(k));
			strlist_add(values, cfgw_scalar(v));
		}
		free(sub);
	}
}
