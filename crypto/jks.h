#ifndef ACMEC_CRYPTO_JKS_H
#define ACMEC_CRYPTO_JKS_H

/*
 * Java KeyStores in the classic JKS format (magic 0xFEEDFEED, version 2),
 * as keystore-go writes them for cert-manager:
 *
 *   u32 magic, u32 version 2, u32 count, then per entry:
 *     u32 tag (1 private key, 2 trusted certificate), u16-length alias,
 *     u64 creation time (ms since the epoch),
 *     1: u32-length protected key, u32 chain length, each certificate
 *     2: one certificate
 *   a certificate: u16-length type "X509", u32-length DER
 *   SHA-1(password || "Mighty Aphrodite" || all the above)
 *
 * The key is PKCS#8 under Sun's JKS key protector: a random 20-byte salt,
 * the key XORed with SHA-1(password || salt), SHA-1(password || previous
 * block)..., then SHA-1(password || key); wrapped as EncryptedPrivateKeyInfo
 * with algorithm 1.3.6.1.4.1.42.2.17.1.1 (NULL parameters).  "password"
 * there is each byte of the password as two bytes, 0 then the byte
 * (keystore-go's encoding: Java's UTF-16 for ASCII passwords).  Aliases
 * are written in lower case, as keystore-go does.
 */

#include <stddef.h>

struct cert_chain;
struct key;

/*
 * The keystore: a private key entry under alias holding key and chain
 * (all of it, leaf first), then each certificate of cas (may be NULL) as
 * a trusted certificate entry "ca", "ca-1", "ca-2"...  when is the
 * creation time in ms.  *out (caller frees) on 0.
 */
int jks_keystore(const char *pw, size_t pwlen, const char *alias,
    const struct key *key, const struct cert_chain *chain,
    const struct cert_chain *cas, long long when, unsigned char **out,
    size_t *outlen);

/* The truststore: the trusted certificate entries of cas only. */
int jks_truststore(const char *pw, size_t pwlen,
    const struct cert_chain *cas, long long when, unsigned char **out,
    size_t *outlen);

#endif
