/*
 * The Certificate fields about what a cluster does around the issued
 * certificate: keystores, renewal windows, secretTemplate,
 * revisionHistoryLimit.  Internal to acme/config/; readers for the spec
 * table in cert.c, obj the struct cfg_cert.
 */

#ifndef ACMEC_ACME_CONFIG_CERTK8S_H
#define ACMEC_ACME_CONFIG_CERTK8S_H

#include <yaml.h>

#include "acme/config/walk.h"

void certk8s_keystores(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void certk8s_renewal(struct ld *ld, const yaml_node_t *n, const char *path,
    void *obj);
void certk8s_revision_limit(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);
void certk8s_secret_template(struct ld *ld, const yaml_node_t *n,
    const char *path, void *obj);

/* Free what certk8s put into c. */
void certk8s_free(struct cfg_cert *c);

#endif
