/*
 * The strict walker shared by the files of acme/config/: the state of
 * loading one file, what a scalar means, tables of fields and the walker
 * that reads a mapping through them.  Internal to acme/config/; the
 * public interface is acme/config/config.h.
 */

#ifndef ACME_CONFIG_WALK_H
#define ACME_CONFIG_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "acme/config/config.h"

/* The state of loading one file. */
struct ld {
	struct config *cfg;
	const char *file;
	yaml_document_t *doc;
	int errors;
	struct strlist *ignored; /* Kubernetes-only fields seen */
	bool ingress_notice;
};

/* What a plain scalar means under YAML's core schema. */
enum sctype { S_STR, S_NULL, S_BOOL, S_INT, S_FLOAT };

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
#define F_NOCASE 2u   /* K_ENUM: compared without case, as cert-manager does */
#define F_OLD 4u      /* acmec's old spelling: refused, never suggested */

struct field {
	const char *name;
	enum fkind kind;
	size_t off;
	field_fn fn;
	const char *const *choices; /* K_ENUM, NULL-terminated */
	unsigned flags;
};

#define AT(type, obj, off) ((type *)(void *)((char *)(obj) + (off)))

void
cfgw_perr(struct ld *ld, const yaml_node_t *n, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct cfg_pos
cfgw_pos_of(struct ld *ld, const yaml_node_t *n);

const char *
cfgw_scalar(const yaml_node_t *n);

enum sctype
cfgw_sctype(const yaml_node_t *n);
/* The value of a scalar cfgw_sctype() calls S_BOOL. */
bool cfgw_bool(const yaml_node_t *n);

/* A plain null ("", "~", "null"): unset, as Kubernetes reads it. */
bool
cfgw_is_null(const yaml_node_t *n);

/* Keys of mapping n whose value is not null, except the key except. */
size_t
cfgw_count_set(struct ld *ld, const yaml_node_t *n, const char *except);

const char *
cfgw_kind_name(const yaml_node_t *n);

bool
cfgw_is_str(struct ld *ld, const yaml_node_t *n, const char *path);

const yaml_node_t *
cfgw_node(struct ld *ld, int id);

void
cfgw_read_field(struct ld *ld, const struct field *f, const yaml_node_t *v,
    const char *path, void *obj);

/* A K_FN for any string, read for its type alone. */
void
cfgw_any_str(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/* A K_FN for a field known to the table, read by its parent after. */
void
cfgw_read_later(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);

void
cfgw_note_ignored(struct ld *ld, const char *path);

bool
cfgw_walk_map(struct ld *ld, const yaml_node_t *n, const char *path,
    const struct field *fields, void *obj);

void
cfgw_read_strlist(struct ld *ld, const yaml_node_t *n, const char *path,
    struct strlist *out,
    int (*check)(const char *, char **));

void
cfgw_read_strmap(struct ld *ld, const yaml_node_t *n, const char *path,
    struct strlist *keys, struct strlist *values);

bool
cfgw_valid_secret_key(const char *s);

void
cfgw_duration(struct ld *ld, const yaml_node_t *n, const char *path,
    long long *out);

/* A SecretRef {name, key} (key required or not) into ref. */
void
cfgw_secret_ref(struct ld *ld, const yaml_node_t *n, const char *path,
    void *ref, bool key_required);

/* The solver kinds: spec.acme.solvers[].http01, .dns01, old .tlsalpn01. */
void
cfgw_http01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);
void
cfgw_old_tlsalpn01(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void
cfgw_dns01(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/*
 * A dns01 solver only a cluster runs: noticed at n (file:line), the names
 * it is selected for fail at issue time with why.
 */
void
cfgw_dns_unsupported(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_solver *sv, const char *why);

/* spec.ca and spec.selfSigned of an issuer (config/issuer.c). */
void
cfgw_ca(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);
void
cfgw_self_signed(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);

/* The DNS providers under dns01 (config/dnsapi.c). */
void
cfgw_cloudflare(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void
cfgw_route53(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);
void
cfgw_azure_dns(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void
cfgw_clouddns(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void
cfgw_digitalocean(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void
cfgw_akamai(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);
void
cfgw_acme_dns(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);

void
cfgw_acme(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/*
 * Loading reads the text twice: every document but the Certificates,
 * then only the Certificates, each knowing by then whether acmec runs
 * its issuer wherever that is defined.  Messages come from one pass only.
 */
enum cfgw_pass { P_OTHERS, P_CERTS };

/* One document (depth 0), or one item of a List, in pass (load.c). */
void
cfgw_read_object(struct ld *ld, const yaml_node_t *root, int depth,
    enum cfgw_pass pass);

/*
 * In the first pass: read root now if it is a Certificate and the second
 * pass would read it the same, silently (its issuer known already, not in
 * a List, nothing to say).  1 if read (cfg->certs grew by one), 0 if root
 * is no Certificate, -1 if it is left to the second pass; nothing logged.
 */
int
cfgw_cert_early(struct ld *ld, const yaml_node_t *root);

/*
 * The namespace of the Certificates that name none: shared (10,000 copies
 * of "default" were 320 KB), never freed by config_cert_free().
 */
extern char cfgw_default_ns[];

/* c's rarely set fields, for writing: made on first use. */
struct cfg_cert_x *
cfgw_cert_x(struct cfg_cert *c);

void
cfgw_cert_spec(struct ld *ld, const yaml_node_t *n, const char *path, void *obj);

/*
 * metadata.annotations n (NULL if none) of an issuer or a Certificate:
 * the acmec.io/ ones are acmec's own settings (acmec.conf(5)), read after
 * the spec.
 */
void
cfgw_issuer_annotations(struct ld *ld, const yaml_node_t *n,
    struct cfg_issuer *is);
void
cfgw_cert_annotations(struct ld *ld, const yaml_node_t *n,
    struct cfg_cert *c);

/*
 * Resolve issuerRefs, check names are unique and Secrets apart; the
 * number of errors reported.
 */
int
cfgw_link(struct config *cfg);

const yaml_node_t *
cfgw_lookup(struct ld *ld, const yaml_node_t *n, const char *key);

#endif
