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

/*
 * Read the identifiers of a user-supplied CSR, PEM or DER.  The request's
 * signature must verify.  SANs other than DNS names and IP addresses are
 * refused (ACME cannot validate them).  A common name that is not also a
 * SAN is added as a DNS identifier, as CAs do.  *cn (caller frees) is the
 * common name or NULL.  DNS names come back in lower case.
 */
int csr_identifiers(const unsigned char *buf, size_t len,
    struct ident_list *ids, char **cn);

#endif
