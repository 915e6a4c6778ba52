#ifndef ACMEC_ACME_CONFIG_H
#define ACMEC_ACME_CONFIG_H

/*
 * cert-manager resources (ClusterIssuer, Issuer, Certificate) read from
 * YAML into typed structs; acmec.conf(5) is the user's view of this file.
 * The only module that includes libyaml.
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/util.h"
#include "crypto/digest.h"
#include "crypto/key.h"

/* Where something was written: for messages that come after parsing. */
struct cfg_pos {
	const char *file; /* owned by struct config */
	int line, col;    /* 1-based */
};

/* A Secret reference: a kind: Secret document, else SECRETS/name/key. */
struct cfg_secret_ref {
	char *name;
	char *key;
	struct cfg_pos pos; /* of the name */
	/* The kind: Secret document it names, linked at load; NULL: the file */
	const struct cfg_secret *doc;
};

/* One key of a kind: Secret document and its value (bytes, decoded). */
struct cfg_secret_item {
	char *key;
	unsigned char *value; /* NUL-terminated; freed as a secret */
	size_t len;
};

/* A kind: Secret (v1) document: data merged with stringData (it wins). */
struct cfg_secret {
	struct cfg_pos pos; /* of metadata.name */
	char *name, *namespace;
	char *type;                          /* NULL if not given */
	struct strlist ann_keys, ann_values; /* metadata.annotations */
	struct cfg_secret_item *items;
	size_t nitems;
};

/*
 * The namespace whose Secrets a ClusterIssuer reads: cert-manager's
 * cluster resource namespace, as its --cluster-resource-namespace defaults.
 */
#define CONFIG_CLUSTER_RESOURCE_NS "cert-manager"

/* The Secret where ad hoc issue keeps its account key. */
#define CONFIG_ADHOC_ACCOUNT "acmec-adhoc-account"

enum solver_type {
	SOLVER_HTTP01,
	SOLVER_DNS01,
	SOLVER_TLSALPN01,
};

enum dns01_provider {
	DNS01_RFC2136, /* UPDATE with TSIG to a nameserver */
	DNS01_EXEC,    /* a hook command for any provider */
	DNS01_API,     /* a provider's HTTP API (cloudflare, ...) */
};

/*
 * A DNS provider's settings as cert-manager spells them: its string
 * fields and its SecretRefs, by field name (dnsapi_*.c look them up).
 */
#define CFG_DNSAPI_REFS 6
struct cfg_dnsapi {
	const char *provider;               /* "cloudflare" (static) */
	struct strlist names, values;       /* string fields given */
	struct cfg_secret_ref refs[CFG_DNSAPI_REFS];
	char *ref_names[CFG_DNSAPI_REFS];   /* their field names */
	size_t nrefs;
};

/* The string field name of api, or NULL if not given. */
const char *config_dnsapi_str(const struct cfg_dnsapi *api,
    const char *name);
/* The SecretRef field name of api, or NULL if not given. */
const struct cfg_secret_ref *config_dnsapi_ref(const struct cfg_dnsapi *api,
    const char *name);

/* tsigAlgorithm, in cert-manager's spelling and order. */
enum tsig_alg {
	TSIG_HMACMD5,
	TSIG_HMACSHA1,
	TSIG_HMACSHA256,
	TSIG_HMACSHA512,
};

enum http01_mode {
	HTTP01_STANDALONE, /* acmec listens (also for ingress, gatewayHTTPRoute) */
	HTTP01_WEBROOT,    /* acmec writes files a web server serves */
};

struct cfg_solver {
	struct cfg_pos pos;
	/* selector; cert-manager's rules, see solver_select() */
	struct strlist sel_dns_names, sel_dns_zones;
	struct strlist sel_label_keys, sel_label_values;
	enum solver_type type;
	enum http01_mode http_mode;
	char *http_address; /* NULL: all addresses (http01, tlsalpn01) */
	int http_port;      /* 80 for http01, 443 for tlsalpn01 */
	char *webroot;
	/* dns01 */
	enum dns01_provider dns_provider;
	bool dns_follow_cname;          /* cnameStrategy: Follow */
	char *rfc2136_nameserver;       /* host[:port] */
	char *tsig_key_name;
	int tsig_alg;                   /* enum tsig_alg */
	struct cfg_secret_ref tsig_secret;
	bool rfc2136_tcp;               /* protocol: TCP */
	struct cfg_dnsapi api;          /* DNS01_API */
	struct strlist exec_command;    /* argv */
	long long exec_timeout;         /* seconds */
	struct strlist nameservers;     /* dns01.nameservers: host:port */
	bool propagation_check;         /* wait until the TXT is visible */
	long long propagation_timeout;  /* seconds */
	long long wait_instead;         /* waitInsteadOfSelfCheck s; -1 unset */
	char *unsupported; /* why acmec cannot run it (a cluster's solver) */
};

/* A hook's command: argv run directly, or argv.v[0] given to sh -c. */
struct cfg_hook {
	struct strlist argv; /* empty: none */
	bool shell;
};

/* A run's pre and post hooks (acmec.io/pre-hook, --pre-hook...). */
struct cfg_hooks {
	struct cfg_hook pre, post;
};

/*
 * The issuer types of cert-manager; acmec runs the ones
 * config_issuer_runs() says, and skips the Certificates of the others.
 */
enum cfg_issuer_type {
	ISSUER_ACME, /* 0: also ad hoc issuers */
	ISSUER_CA,
	ISSUER_SELFSIGNED,
	ISSUER_VAULT,
	ISSUER_VENAFI,
};

struct cfg_issuer {
	struct cfg_pos pos;
	bool cluster; /* ClusterIssuer */
	char *name, *namespace;
	bool namespace_given; /* metadata.namespace written, not "default" */
	char *server, *email;
	struct cfg_secret_ref account_key; /* privateKeySecretRef */
	char *ca_bundle;                   /* PEM, decoded from base64 */
	size_t ca_bundle_len;
	bool skip_tls_verify;
	char *preferred_chain;
	char *profile;
	bool disable_account_key_generation;
	bool enable_duration;
	int ari_source; /* renewalInformationSource: 0 ARI, 1 None */
	bool eab_set; /* externalAccountBinding */
	char *eab_key_id;
	struct cfg_secret_ref eab_key;
	enum digest_alg eab_alg;
	struct cfg_solver *solvers;
	size_t nsolvers;
	enum cfg_issuer_type type; /* the spec's one member */
	/* ca and selfSigned: signed here, by acmec */
	struct cfg_secret_ref ca_ref;  /* ca.secretName: tls.crt, tls.key */
	struct strlist crl_urls;       /* crlDistributionPoints */
	struct strlist ocsp_urls;      /* ca.ocspServers */
	struct strlist issuer_urls;    /* ca.issuingCertificateURLs */
	struct cfg_hooks hooks; /* around the run's orders of its Certificates */
};

/* spec.subject (cert-manager's X509Subject, less the common name). */
struct cfg_subject {
	struct strlist organizations, countries, organizational_units;
	struct strlist localities, provinces, street_addresses, postal_codes;
	char *serial_number;
};

/* spec.keystores.jks / .pkcs12. */
struct cfg_keystore {
	bool set, create;
	char *alias;                        /* jks; NULL: "certificate" */
	char *password;                     /* literal; wiped when freed */
	struct cfg_secret_ref password_ref; /* or from a Secret */
	int profile; /* pkcs12: LegacyRC2, LegacyDES, Modern2023, Modern2026 */
};

/*
 * The fields of a Certificate that few set, apart: renew holds every
 * Certificate of the configuration, and 10,000 of them with these inside
 * took most of its memory.  Read through config_cert_x().
 */
struct cfg_cert_x {
	struct strlist uris, email_addresses;
	struct strlist other_name_oids, other_name_values; /* otherNames */
	char *literal_subject;              /* RFC 4514, as given */
	struct strlist literal_rdns;        /* its attributes: see certx.h */
	struct cfg_subject subject;
	struct cfg_keystore jks, pkcs12;
	/* refusals that hold only for an ACME issuer: FILE:L:C: PATH: text */
	struct strlist acme_refusals;
	/* notices that hold only for an ACME issuer: "KEY\1FILE:L: text" */
	struct strlist acme_notices;
};

struct cfg_cert {
	struct cfg_pos pos;
	char *name, *namespace;
	struct strlist label_keys, label_values; /* metadata.labels */
	char *secret_name;
	struct cfg_pos secret_pos;
	char *issuer_name;
	bool issuer_cluster; /* issuerRef.kind ClusterIssuer */
	struct cfg_pos issuer_pos;
	const struct cfg_issuer *issuer; /* resolved */
	char *common_name;
	struct strlist dns_names;    /* lower case */
	struct strlist ip_addresses; /* canonical text */
	enum key_type key_type;
	int key_bits;
	enum key_encoding key_encoding;
	bool rotate_always; /* rotationPolicy Always */
	long long duration, renew_before; /* seconds, 0 = unset */
	int renew_before_pct;             /* 0 = unset */
	bool out_combined, out_der;       /* additionalOutputFormats */
	/*
	 * cert-manager fields read and checked, not yet used for an ACME
	 * issuer (acmec.conf(5) says what acmec does instead).
	 */
	char *issuer_group;                 /* NULL: cert-manager.io */
	struct cfg_cert_x *x;  /* rarely set fields; NULL if none is */
	bool is_ca;
	bool name_constraints;              /* given */
	struct strlist nc;   /* nameConstraints: "permitted;DNS:x" (OpenSSL) */
	bool nc_critical;
	struct strlist usages;              /* cert-manager's names */
	bool encode_usages;                 /* encodeUsagesInRequest */
	int signature_alg;                  /* -1, or index in SHA256WithRSA,
					       SHA384WithRSA, SHA512WithRSA,
					       ECDSAWithSHA256/384/512,
					       PureEd25519 */
	bool renewal_disabled;              /* renewal.policy: Disabled */
	struct strlist deploy_hook;       /* argv; one element = sh -c */
	bool deploy_hook_shell;
	char *csr_file; /* acmec.io/csr: names and key from this CSR file */
	struct cfg_pos csr_pos;
	bool external_issuer; /* issuerRef.group not cert-manager.io */
};

struct config {
	struct strlist files;
	struct strlist noticed; /* fields noticed while loading, once each */
	struct cfg_issuer *issuers;
	size_t nissuers;
	struct cfg_cert *certs;
	size_t ncerts;
	struct cfg_secret *secrets; /* kind: Secret documents */
	size_t nsecrets;
};

/*
 * Load a file, or every *.yaml file of a directory (in name order).  Every
 * error is reported on stderr as FILE:LINE:COL: FIELD.PATH: message; the
 * return is -1 if there was any.  Kubernetes-only fields are ignored with
 * one notice.
 */
int config_load(const char *path, struct config *cfg);

/* The same for YAML text in memory, named name in messages. */
int config_load_buffer(const char *name, const char *data, size_t len,
    struct config *cfg);

/*
 * The Certificate called name ("name" or "namespace/name"); NULL if none.
 * A bare name that exists in several namespaces is ambiguous: NULL, and
 * *ambiguous is set.
 */
const struct cfg_cert *config_find_cert(const struct config *cfg,
    const char *name, bool *ambiguous);

/*
 * The issuer an issuerRef names, as cert-manager finds it: a ClusterIssuer
 * (cluster true) by name alone, an Issuer only in namespace.  NULL if none.
 */
const struct cfg_issuer *config_find_issuer(const struct config *cfg,
    bool cluster, const char *name, const char *namespace);

/*
 * The issuer an --issuer option names: "NAME" is the ClusterIssuer NAME,
 * else the one Issuer NAME of whichever namespace; "NAMESPACE/NAME" is an
 * Issuer.  NULL if none; a bare NAME that only Issuers of several
 * namespaces have is ambiguous: NULL, and *ambiguous is set.
 */
const struct cfg_issuer *config_find_issuer_arg(const struct config *cfg,
    const char *arg, bool *ambiguous);

/*
 * Load several files or directories as one configuration (import reads
 * what kubectl printed, in as many files as given).
 */
int config_load_paths(const char *const *paths, size_t n,
    struct config *cfg);

/* Did c's document write metadata.namespace (else it is "default")? */
bool config_cert_namespace_given(const struct cfg_cert *c);

/* Free everything; accepts a zeroed config. */
void config_free(struct config *cfg);

/* Issuer and certificate fields shared with ad hoc use (no YAML). */
void config_issuer_free(struct cfg_issuer *is);
/* c's rarely set fields; all empty (never NULL) if it sets none. */
const struct cfg_cert_x *config_cert_x(const struct cfg_cert *c);
void config_cert_free(struct cfg_cert *c);

/*
 * cert-manager's defaults for a Certificate's fields not given: RSA 2048,
 * PKCS1, rotationPolicy Always.  Ad hoc issue starts from these too and
 * then sets its own key type.
 */
void config_cert_defaults(struct cfg_cert *c);

/*
 * Validate and normalise a DNS name (may start with "*.") or IP address as
 * acmec accepts them; *out (caller frees) is the normal form.  On failure
 * *why says what is wrong.
 */
int config_check_dns_name(const char *s, char **out);
int config_check_ip(const char *s, char **out);

/*
 * A listen address: "PORT", ":PORT", "IPv4:PORT" or "[IPv6]:PORT"; *addr
 * (caller frees) is NULL for all addresses.  -1 if malformed.
 */
int config_parse_listen(const char *s, char **addr, int *port);

/* Parse a Go duration ("2160h", "1h30m", "90s"); -1 if malformed. */
int config_parse_duration(const char *s, long long *seconds);

/* The issuer type as cert-manager spells its spec member ("vault"). */
const char *config_issuer_type_name(enum cfg_issuer_type t);

/*
 * Does acmec run issuers of is's type?  A Certificate of one that it does
 * not run is skipped by every command (acmec.conf(5)).
 */
bool config_issuer_runs(const struct cfg_issuer *is);

/*
 * The Certificate of cfg that writes the Secret CA issuer is signs with,
 * or NULL (not a CA issuer, a kind: Secret document, or a file written
 * by something else).
 */
const struct cfg_cert *config_ca_source(const struct config *cfg,
    const struct cfg_issuer *is);

/*
 * Does acmec run c: not when its issuer is external (issuerRef.group) or
 * of a type config_issuer_runs() refuses.  Every command leaves out the
 * Certificates it does not run, read only as far as is cheap.
 */
bool config_cert_runs(const struct cfg_cert *c);

/*
 * The value of key (NULL: ref->key) of the Secret ref names: from the
 * kind: Secret document the configuration holds (ref->doc), else the file
 * SECRETSDIR/name/key, at most max bytes.  *data (NUL-terminated; free
 * with crypto_secret_free(*data, *len)) on 0; -1 with errno on failure,
 * ENOENT when there is no such key.  Nothing is reported.
 */
int config_secret_get(const struct cfg_secret_ref *ref, const char *key,
    const char *secretsdir, size_t max, char **data, size_t *len);

/*
 * Where that value lives, for messages (never the value): "Secret
 * 'cert-manager/tsig' key 'secret' (FILE:LINE)" or the file's path.
 * Caller frees.
 */
char *config_secret_where(const struct cfg_secret_ref *ref, const char *key,
    const char *secretsdir);

/* A Kubernetes object name (DNS-1123 subdomain): safe as a path part. */
bool config_valid_k8s_name(const char *s);

/*
 * The first placeholder in s that a templating step should have replaced
 * (${VAR}, $VAR, <email>, [Your_email], {{ .Values.x }}), *len bytes long;
 * NULL if none.  "[::1]:53", a lone "$" or "<" are not placeholders.
 */
const char *config_placeholder(const char *s, size_t *len);

/*
 * An ACME account's contact address, as a CA takes it (Boulder: the
 * address alone, a host name with a dot after the one '@'); on failure
 * *why (caller frees) says what is wrong.
 */
int config_check_email(const char *s, char **why);

#endif
