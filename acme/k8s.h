#ifndef ACMEC_ACME_K8S_H
#define ACMEC_ACME_K8S_H

/*
 * Kubernetes Secrets as cert-manager writes them, for export and import:
 * the manifest text of a Secret, and the annotations cert-manager puts on
 * the Secret of a Certificate it issued (its AnnotationsForCertificate and
 * the issuer and certificate-name annotations).
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/util.h"

struct cert;
struct cfg_cert;

#define K8S_TLS_TYPE "kubernetes.io/tls"
/* The label cert-manager sets on every Secret it writes a certificate to. */
#define K8S_FAO_LABEL "controller.cert-manager.io/fao"
/* acmec's own status of the certificate (status_json()), for import. */
#define K8S_STATUS_ANNOTATION "acmec.io/status"

/* One key of a Secret's data: bytes borrowed, not owned. */
struct k8s_item {
	const char *key;
	const void *data;
	size_t len;
};

#define K8S_MAX_ITEMS 12

struct k8s_secret {
	const char *name;
	const char *namespace; /* NULL: none written */
	const char *type;
	struct strlist label_keys, label_values; /* owned */
	struct strlist ann_keys, ann_values;     /* owned */
	struct k8s_item items[K8S_MAX_ITEMS];
	size_t nitems;
};

/* Add a key to s's data (at most K8S_MAX_ITEMS). */
void k8s_secret_add(struct k8s_secret *s, const char *key, const void *data,
    size_t len);

/*
 * Append s as one YAML document ("---" first) to out: apiVersion v1, kind
 * Secret, its metadata, type and data, every value standard base64.  out
 * holds key material then: wipe it before freeing.
 */
void k8s_secret_yaml(struct buf *out, const struct k8s_secret *s);

/* Free what s owns. */
void k8s_secret_clear(struct k8s_secret *s);

/*
 * The annotations cert-manager writes on c's Secret for the certificate
 * leaf, appended to keys/values: certificate-name, issuer-name, -kind and
 * -group, and the certificate's details.  -1 (reported) if the leaf's
 * names cannot be read.
 */
int k8s_cert_annotations(const struct cfg_cert *c, const struct cert *leaf,
    struct strlist *keys, struct strlist *values);

/*
 * values as one CSV record, as Go's encoding/csv writes it (cert-manager's
 * JoinWithEscapeCSV): quoted when a value holds a comma, a quote or a line
 * break, or starts with a space.  Caller frees.
 */
char *k8s_join_csv(char *const *v, size_t n);

#endif
