#ifndef ACMEC_CRYPTO_CSR_H
#define ACMEC_CRYPTO_CSR_H

#include <stddef.h>

#include "crypto/ident.h"

struct key;

/*
 * Build a PKCS#10 request for ids (DNS names and IP addresses, all as SANs),
 * with common name cn (may be NULL), signed with key.  *der is the DER form
 * that ACME's finalize wants; caller frees.
 */
int csr_create(const struct key *key, const char *cn,
    const struct ident_list *ids, unsigned char **der, size_t *derlen);

/* A certificate request made elsewhere (certbot's and lego's --csr). */
struct csr;

/*
 * Parse a user's CSR, PEM or DER, as an ACME CA would judge it: the
 * signature must verify with the request's own key, the key must be one
 * acmec accepts (RSA 2048-8192 bits, ECDSA P-256/P-384/P-521, Ed25519),
 * and it must name at least one DNS name or IP address (the identifiers
 * are as csr_identifiers() gives them).  NULL on failure.
 */
struct csr *csr_parse(const unsigned char *buf, size_t len);

/* Its identifiers, common name (or NULL), and public key (nothing private). */
const struct ident_list *csr_ids(const struct csr *r);
const char *csr_cn(const struct csr *r);
const struct key *csr_key(const struct csr *r);

/* The request's DER exactly as given (what finalize sends); r owns it. */
const unsigned char *csr_der(const struct csr *r, size_t *len);

void csr_free(struct csr *r);

/*
 * Read the identifiers of a user-supplied CSR, PEM or DER.  The request's
 * signature must verify.  SANs other than DNS names and IP addresses are
 * refused (ACME cannot validate them).  A common name that is not also a
 * SAN is added as a DNS (or IP) identifier, as CAs and certbot do.  *cn (caller frees) is the
 * common name or NULL.  DNS names come back in lower case.
 */
int csr_identifiers(const unsigned char *buf, size_t len,
    struct ident_list *ids, char **cn);

#endif
