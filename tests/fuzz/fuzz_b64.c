/* libFuzzer: base64url and base64 decoding; decode(encode) round trips. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *dec = NULL;
	size_t n = 0;
	char *enc;

	/* A string that decodes is the canonical encoding of its bytes. */
	if (b64_url_decode((const char *)data, size, &dec, &n) == 0) {
		enc = b64_url_encode(dec, n);
		if (enc == NULL || strlen(enc) != size ||
		    memcmp(enc, data, size) != 0)
			abort();
		free(enc);
		free(dec);
	}
	if (b64_std_decode((const char *)data, size, &dec, &n) == 0)
		free(dec);
	/* And every byte string survives the round trip. */
	if ((enc = b64_url_encode(data, size)) != NULL) {
		if (b64_url_decode(enc, strlen(enc), &dec, &n) < 0 ||
		    n != size || memcmp(dec, data, size) != 0)
			abort();
		free(dec);
		free(enc);
	}
	return 0;
}
