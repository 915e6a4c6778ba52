#ifndef ACMEC_ACME_AUTHZ_H
#define ACMEC_ACME_AUTHZ_H

#include "acme/config/config.h"
#include "acme/acme.h"
#include "acme/status.h"
#include "crypto/ident.h"

/*
 * Authorize every identifier (ids, of c) of the pending order o at
 * order_url: present all challenges, trigger all, poll all.  0 when every
 * authorization is valid; solvers are cleaned up whatever happens.
 * secretsdir holds the secrets solvers need (TSIG keys); what is learnt is
 * recorded in trace.  Errors reported.
 */
int authz_run(struct acme *a, const struct cfg_cert *c,
    const struct ident_list *ids, const struct acme_order *o,
    const char *order_url, const char *secretsdir, struct cert_status *trace);

#endif
