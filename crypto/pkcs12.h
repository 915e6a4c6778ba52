#ifndef ACMEC_CRYPTO_PKCS12_H
#define ACMEC_CRYPTO_PKCS12_H

/*
 * PKCS#12 (RFC 7292) keystores and truststores as cert-manager writes them
 * with go-pkcs12's encoders:
 *
 *   profile     certificates          key                 MAC
 *   LegacyRC2   pbeWithSHA1And40BitRC2 pbeWithSHA1And3DES  HMAC-SHA-1, 1 it.
 *   LegacyDES   pbeWithSHA1And3DES    pbeWithSHA1And3DES  HMAC-SHA-1, 1 it.
 *   Modern2023  PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC)  HMAC-SHA-256, 2048
 *   Modern2026  as Modern2023                     PBMAC1 (RFC 9579), 2048
 *
 * Encryption with 2048 iterations; salts of 8 bytes (Legacy) or 16
 * (Modern2023).  RC2 comes from OpenSSL's legacy provider, loaded into a
 * library context of this module's own.
 */

#include <stddef.h>

struct cert_chain;
struct key;

enum pkcs12_profile {
	PKCS12_LEGACY_RC2, /* cert-manager's default */
	PKCS12_LEGACY_DES,
	PKCS12_MODERN2023,
	PKCS12_MODERN2026,
};

/*
 * The keystore: key; chain->v[0] with localKeyId SHA-1(its DER) like the
 * key bag; then, as CA certificates, the rest of chain followed by cas
 * (cas may be NULL; a certificate already written is not written twice).
 * No friendlyName.  The password is UTF-8 text, every character in the
 * Basic Multilingual Plane.  *out (caller frees) on 0.
 */
int pkcs12_keystore(enum pkcs12_profile prof, const char *pw, size_t pwlen,
    const struct key *key, const struct cert_chain *chain,
    const struct cert_chain *cas, unsigned char **out, size_t *outlen);

/*
 * The truststore: one certificate bag per certificate of cas, with Java's
 * trusted-key-usage attribute (2.16.840.1.113894.746875.1.1: any extended
 * key usage) and as friendlyName the subject as Go prints it
 * (pkix.Name.String(), "CN=...,O=...").
 */
int pkcs12_truststore(enum pkcs12_profile prof, const char *pw,
    size_t pwlen, const struct cert_chain *cas, unsigned char **out,
    size_t *outlen);

/*
 * The subject of the DER certificate as Go's pkix.Name.String() writes
 * it; caller frees.  NULL on failure.
 */
char *pkcs12_go_name(const unsigned char *der, size_t len);

#endif
