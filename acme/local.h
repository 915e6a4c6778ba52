#ifndef ACMEC_ACME_LOCAL_H
#define ACMEC_ACME_LOCAL_H

/*
 * Certificates acmec signs itself: cert-manager's SelfSigned issuer (the
 * Certificate's own key signs) and CA issuer (the key and certificate in
 * the Secret spec.ca.secretName names), with cert-manager's template.
 */

#include "acme/config/config.h"
#include "acme/order.h"
#include "crypto/certgen.h"
#include "crypto/key.h"

#define LOCAL_MAX_ATTRS 64

/* cert-manager's certificate template for a Certificate, and its storage. */
struct local_tpl {
	struct certgen g;
	const char *names[LOCAL_MAX_ATTRS], *values[LOCAL_MAX_ATTRS];
	const char *eku[24];
};

/*
 * The template of c for key and the names ids (kept by the caller): the
 * subject, every SAN, key usages, isCA, nameConstraints, the issuer's
 * URLs (local issuers), the validity from now.  Also what an ACME request
 * asks for (certgen_csr).
 */
void local_tpl_init(struct local_tpl *t, const struct cfg_cert *c,
    const struct key *key, const struct ident_list *ids);

/*
 * Sign c's certificate for key into res: tls.crt (the chain without a
 * self-signed root) and ca.crt (the CA, or the certificate itself when
 * self-signed).  -1 reported.
 */
int local_obtain(const char *secretsdir, const struct cfg_cert *c,
    const struct key *key, struct order_result *res);

/*
 * A notice naming what an ACME CA left out of leaf that c asked for
 * (subject attributes, email addresses, URIs): the CA decides.
 */
void local_notice_dropped(const struct cfg_cert *c, const struct cert *leaf);

#endif
