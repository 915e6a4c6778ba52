#ifndef ACMEC_ACME_ORDER_H
#define ACMEC_ACME_ORDER_H

#include <stddef.h>

#include "acme/config/config.h"
#include "acme/acme.h"
#include "acme/status.h"
#include "crypto/cert.h"
#include "crypto/ident.h"

struct csr;
struct key;

struct order_result {
	char *order_url;
	char *chain_pem; /* the chain as chosen (preferredChain), PEM */
	size_t chain_len;
	struct cert_chain chain;
	char *ca_pem; /* ca.crt, if not the chain's last (local issuers) */
	size_t ca_len;
};

/* The identifiers a Certificate asks for: dnsNames, ipAddresses, CN. */
void order_identifiers(const struct cfg_cert *c, struct ident_list *ids);

/*
 * Obtain a certificate for c, signed for certkey, on session a (account
 * set): newOrder, every authorization, all challenges presented, then
 * triggered, then polled together; finalize, wait, download, choose the
 * preferred chain, and check the leaf against the key and the names.
 * With csr (a request made elsewhere; else NULL), finalize sends its DER
 * as it is, and certkey is its public key.
 * Solvers are cleaned up whatever happens; secretsdir holds the secrets
 * they need (TSIG keys).  replaces (may be NULL) is the ARI identifier of
 * the certificate this one replaces.  The order's URL and state, and each
 * authorization's, are recorded in trace as they become known.  Errors are
 * reported here.
 */
int order_run(struct acme *a, const struct cfg_cert *c,
    const struct key *certkey, const struct csr *csr, const char *secretsdir,
    const char *replaces, struct cert_status *trace,
    struct order_result *res);

void order_result_free(struct order_result *res);

#endif
