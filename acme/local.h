#ifndef ACMEC_ACME_LOCAL_H
#define ACMEC_ACME_LOCAL_H

/*
 * Certificates acmec signs itself: cert-manager's SelfSigned issuer (the
 * Certificate's own key signs) and CA issuer (the key and certificate in
 * the Secret spec.ca.secretName names), with cert-manager's template.
 */

#include "acme/config/config.h"
#include "acme/order.h"
#include "crypto/key.h"

/*
 * Sign c's certificate for key into res: tls.crt (the chain without a
 * self-signed root) and ca.crt (the CA, or the certificate itself when
 * self-signed).  -1 reported.
 */
int local_obtain(const char *secretsdir, const struct cfg_cert *c,
    const struct key *key, struct order_result *res);

#endif
