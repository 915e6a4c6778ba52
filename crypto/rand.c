#include <limits.h>

#include <openssl/rand.h>

#include "crypto/internal.h"
#include "crypto/rand.h"

int
rand_bytes(void *buf, size_t len)
{
	if (len > INT_MAX || RAND_bytes(buf, (int)len) != 1) {
		crypto_ossl_err("no random numbers");
		return -1;
	}
	return 0;
}
