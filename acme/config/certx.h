/*
 * The Certificate fields cert-manager has that acmec reads, checks as
 * cert-manager's webhook does, keeps in struct cfg_cert, and does not (yet)
 * act on for an ACME issuer.  Internal to acme/config/.
 */

#ifndef ACMEC_ACME_CONFIG_CERTX_H
#define ACMEC_ACME_CONFIG_CERTX_H

#include <yaml.h>

#include "acme/config/walk.h"

/*
 * A notice about the field at path: "FILE:LINE: PATH: text", given once
 * per field (list indexes left out) in a whole load.
 */
void certx_notice(struct ld *ld, const yaml_node_t *n, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * A notice that holds only when c's issuer is an ACME one (what an ACME
 * CA decides for itself), given by cfgw_cert_issuer_checks() once the
 * issuer is known, once per field.
 */
void certx_acme_notice(struct ld *ld, const yaml_node_t *n, const char *path,
    struct cfg_cert *c, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* fn(ld, item, "path[i]", obj) for each item of list n. */
void certx_each(struct ld *ld, const yaml_node_t *n, const char *path,
    field_fn fn, void *obj);

/* Readers for the spec table in cert.c; obj is the struct cfg_cert. */
void certx_uris(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void certx_emails(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void certx_other_names(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);
void certx_subject(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void certx_name_constraints(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);
void certx_usages(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void certx_encode_usages(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);
void certx_signature_alg(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);

/*
 * literalSubject dn (RFC 4514, at node n) checked as cert-manager parses
 * it; *cn (caller frees) is its CN, or NULL; its attributes, unescaped
 * and in the string's order, go to out (if not NULL) as "+TYPE\1VALUE"
 * (joining the RDN before) or ",TYPE\1VALUE"; a #hex (BER) value is
 * "TYPE\2HEX", the hex digits after the '#'.
 * Errors are reported.
 */
void certx_literal_subject(struct ld *ld, const yaml_node_t *n,
    const char *path, const char *dn, char **cn, struct strlist *out);

/* True if subject has any field set (literalSubject excludes them). */
bool certx_subject_set(const struct cfg_subject *s);

/*
 * cert.c: report c's refusals and notices that hold only because its
 * issuer is an ACME one (isCA, a common name that is no DNS name, no DNS
 * name or IP address at all; fields an ACME CA decides); called once
 * c->issuer is linked.  Returns the refusals' count.
 */
int cfgw_cert_issuer_checks(struct config *cfg, const struct cfg_cert *c);

/* Free what certx put into c. */
void certx_free(struct cfg_cert *c);

#endif
