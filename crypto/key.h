#ifndef ACMEC_CRYPTO_KEY_H
#define ACMEC_CRYPTO_KEY_H

#include <stdbool.h>
#include <stddef.h>

/* The key types ACME CAs accept for accounts and certificates. */
enum key_type {
	KEY_RSA,
	KEY_EC_P256,
	KEY_EC_P384,
	KEY_ED25519,
	KEY_EC_P521, /* certificates (cert-manager allows it); JWS ES512 */
};

/* How a private key is written out. */
enum key_encoding {
	KEY_ENC_PKCS8,  /* "PRIVATE KEY" for every type */
	KEY_ENC_PKCS1,  /* RSA: "RSA PRIVATE KEY"; EC: SEC1 "EC PRIVATE KEY";
			   Ed25519 has no such form and stays PKCS#8 */
};

#define KEY_RSA_MIN_BITS 2048
#define KEY_RSA_MAX_BITS 8192

/* An opaque private (or, from key_from_params(), public) key. */
struct key;

/*
 * Public (and optionally private) parameters as JOSE names them:
 * RSA: a = n, b = e; EC: a = x, b = y (each exactly the field size);
 * Ed25519: a = x.  d is the private scalar / seed, or NULL for public.
 * Big-endian, no leading zeros for RSA.
 */
struct key_params {
	enum key_type type;
	unsigned char *a, *b, *d;
	size_t alen, blen, dlen;
};

/* Generate a key; bits is for RSA only (any size from 2048 to 8192). */
struct key *key_generate(enum key_type type, int bits);

/*
 * Load a PEM private key (PKCS#8, PKCS#1 or SEC1; not encrypted).  Rejects
 * RSA outside 2048-8192 bits, curves other than P-256/P-384/P-521, and
 * other types.
 */
struct key *key_load_pem(const char *pem, size_t len);

/*
 * Build a key from JOSE parameters (RFC 7518 §6); private if p->d is set.
 * Same type rules as key_load_pem().
 */
struct key *key_from_params(const struct key_params *p);

/*
 * Write the private key as PEM into *out (caller frees with
 * crypto_secret_free(*out, *outlen)); NUL-terminated.
 */
int key_save_pem(const struct key *key, enum key_encoding enc, char **out,
    size_t *outlen);

/* The same in DER; free with crypto_secret_free(). */
int key_save_der(const struct key *key, enum key_encoding enc,
    unsigned char **out, size_t *outlen);

/* Public parameters for a JWK; free with key_params_clear(). d is NULL. */
int key_public_params(const struct key *key, struct key_params *p);

/* Free the buffers of p (wiping d) and zero it. */
void key_params_clear(struct key_params *p);

enum key_type key_get_type(const struct key *key);

/* Modulus size for RSA, curve size for EC, 256 for Ed25519. */
int key_bits(const struct key *key);

/* A short name for messages: "RSA-2048", "ECDSA-P521", "Ed25519". */
const char *key_describe(const struct key *key, char *buf, size_t size);

/* True if a and b hold the same public key. */
bool key_equal_public(const struct key *a, const struct key *b);

/*
 * Sign msg as JWS does (RFC 7518 §3): RS256 for RSA; ES256 / ES384 /
 * ES512 as raw r||s of the curve's size; EdDSA for Ed25519.  *sig is
 * caller-freed.
 */
int key_sign(const struct key *key, const void *msg, size_t len,
    unsigned char **sig, size_t *siglen);

/* Verify a signature in the format key_sign() produces. */
bool key_verify(const struct key *key, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen);

/* Free a key; OpenSSL wipes the private parts.  Accepts NULL. */
void key_free(struct key *key);

#endif
