#ifndef ACMEC_CRYPTO_RAND_H
#define ACMEC_CRYPTO_RAND_H

#include <stddef.h>

/* len bytes from the system's CSPRNG; -1 (crypto_error()) on failure. */
int rand_bytes(void *buf, size_t len);

#endif
