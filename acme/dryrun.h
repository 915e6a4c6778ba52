#ifndef ACMEC_ACME_DRYRUN_H
#define ACMEC_ACME_DRYRUN_H

/*
 * issue --dry-run and renew --dry-run, as certbot's: the whole order, at
 * the issuer's server or at its staging twin, for a throwaway key; the
 * certificate is verified and dropped.  Nothing goes to the Secrets, the
 * status or the deploy hook (acme/issue.c keeps to that); this module
 * says where the orders go and what came of them.
 */

#include <stdbool.h>
#include <stddef.h>

#include "acme/config/config.h"

struct order_result;

/*
 * The server a dry run orders from for is: the staging twin of its
 * server when it is a production server that has one
 * (acme_staging_twin()), else its own server.
 */
const char *dryrun_server(const struct cfg_issuer *is);

/*
 * Say once for each ACME issuer of certs (n of them) which server its dry
 * run uses and why (info).
 */
void dryrun_announce(const struct cfg_cert *const *certs, size_t n);

/*
 * The result line of c's dry run: ok with the certificate the CA issued
 * in res (verified, and dropped by the caller), or not; dir is where a
 * real run would have written it.
 */
void dryrun_result(const struct cfg_cert *c, bool ok,
    const struct order_result *res, const char *dir);

#endif
