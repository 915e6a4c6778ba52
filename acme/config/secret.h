/*
 * kind: Secret documents, internal to acme/config/: reading one, and
 * linking the SecretRefs of the issuers to them.  The public side
 * (config_secret_get, config_secret_where) is in config.h.
 */

#ifndef ACMEC_ACME_CONFIG_SECRET_H
#define ACMEC_ACME_CONFIG_SECRET_H

#include <yaml.h>

#include "acme/config/config.h"
#include "acme/config/walk.h"

/*
 * Read the Secret document root into s (name, namespace and pos already
 * set by the caller): type, data (base64), stringData (wins over data),
 * immutable, with Kubernetes' rules.  Errors go through ld.
 */
void cfgw_secret_doc(struct ld *ld, const yaml_node_t *root,
    struct cfg_secret *s);

/*
 * After loading: Secrets defined twice, and every SecretRef of every
 * issuer acmec runs linked to its document as cert-manager finds it (an
 * Issuer's namespace, a ClusterIssuer's cluster resource namespace).
 * Returns the number of errors (reported).
 */
int cfgw_secret_link(struct config *cfg);

/* Free a Secret's contents, values wiped. */
void cfgw_secret_free(struct cfg_secret *s);

#endif
