#ifndef ACMEC_CRYPTO_CERT_H
#define ACMEC_CRYPTO_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "crypto/ident.h"

struct key;

/* One X.509 certificate (opaque). */
struct cert;

/* A certificate chain, leaf first, as the CA sent it. */
struct cert_chain {
	struct cert **v;
	size_t n;
};

/*
 * Parse a PEM chain.  Every PEM block must be a CERTIFICATE: a chain that
 * carries a private key or anything else is refused, as is a truncated block
 * or an empty input.  Text outside the blocks is ignored (and dropped by
 * cert_chain_to_pem()).
 */
int cert_chain_parse(const char *pem, size_t len, struct cert_chain *out);

/* Free the chain's certificates and zero it.  Accepts an empty chain. */
void cert_chain_free(struct cert_chain *chain);

/* Parse one DER certificate; NULL on failure. */
struct cert *cert_from_der(const unsigned char *der, size_t len);

void cert_free(struct cert *c);

time_t cert_not_before(const struct cert *c);
time_t cert_not_after(const struct cert *c);

/* The DNS names and IP addresses of the subjectAltName (ids appended). */
int cert_sans(const struct cert *c, struct ident_list *ids);

/* Serial number as DER INTEGER content octets (RFC 9773 §4.1); caller frees. */
int cert_serial(const struct cert *c, unsigned char **buf, size_t *len);

/* Serial as upper-case hex without separators; caller frees. */
char *cert_serial_hex(const struct cert *c);

/* Authority Key Identifier's keyIdentifier; -1 if absent.  Caller frees. */
int cert_aki(const struct cert *c, unsigned char **buf, size_t *len);

/* Common name of the issuer, or NULL if none (caller frees). */
char *cert_issuer_cn(const struct cert *c);

/* True if key is the private key of this certificate's public key. */
bool cert_matches_key(const struct cert *c, const struct key *key);

/*
 * The chain's certificates as PEM, leaf first, and nothing else: text the
 * CA put around its blocks is not carried over.  Caller frees; the PEM is
 * NUL-terminated.
 */
int cert_chain_to_pem(const struct cert_chain *chain, char **pem,
    size_t *len);

/* DER and PEM encodings; caller frees.  PEM is NUL-terminated. */
int cert_to_der(const struct cert *c, unsigned char **der, size_t *len);
int cert_to_pem(const struct cert *c, char **pem, size_t *len);

/*
 * The tls-alpn-01 certificate (RFC 8737 §3): self-signed with key, one SAN
 * for id, and the critical acmeIdentifier extension holding the SHA-256 of
 * keyauth.  For an IP identifier the SAN is the address (RFC 8738 §6).
 */
struct cert *cert_alpn_create(const struct key *key, const struct ident *id,
    const char *keyauth);

#endif
