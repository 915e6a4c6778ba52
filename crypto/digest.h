#ifndef ACMEC_CRYPTO_DIGEST_H
#define ACMEC_CRYPTO_DIGEST_H

#include <stddef.h>

enum digest_alg {
	DIGEST_SHA256,
	DIGEST_SHA384,
	DIGEST_SHA512,
};

#define DIGEST_MAX 64

/* Size in bytes of alg's output. */
size_t digest_size(enum digest_alg alg);

/* out receives digest_size(alg) bytes. */
int digest_hash(enum digest_alg alg, const void *data, size_t len,
    unsigned char out[DIGEST_MAX]);

/* HMAC (RFC 2104) with alg; out receives digest_size(alg) bytes. */
int digest_hmac(enum digest_alg alg, const unsigned char *key, size_t keylen,
    const void *data, size_t len, unsigned char out[DIGEST_MAX]);

#endif
