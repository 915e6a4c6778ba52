#ifndef ACMEC_CRYPTO_PBMAC1_H
#define ACMEC_CRYPTO_PBMAC1_H

/*
 * The PBMAC1 MAC of a PKCS#12 file (RFC 9579), which OpenSSL 3.0 cannot
 * write: HMAC-SHA-256 over the authenticated safe, keyed by
 * PBKDF2-HMAC-SHA-256(password as UTF-8 bytes, salt, iterations, 32).
 * The MacData is go-pkcs12's (Modern2026): algorithm PBMAC1 {PBKDF2
 * {salt, iterations, keyLength 32, hmacWithSHA256}, hmacWithSHA256}, the
 * parameters' AlgorithmIdentifiers without parameters, macSalt empty and
 * iterations 0 (readers take both from the algorithm).
 */

#include <stddef.h>

/*
 * pfx: a DER PFX without MacData.  *out (caller frees): the same PFX with
 * the MAC.  salt: saltlen bytes, or NULL for random ones.
 */
int pbmac1_seal(const unsigned char *pfx, size_t len, const char *pw,
    size_t pwlen, const unsigned char *salt, size_t saltlen, int iter,
    unsigned char **out, size_t *outlen);

#endif
