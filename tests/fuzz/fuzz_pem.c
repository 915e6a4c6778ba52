/* libFuzzer: PEM certificate chains, CSRs and private keys. */

#include <stdint.h>
#include <stdlib.h>

#include "crypto/cert.h"
#include "crypto/csr.h"
#include "crypto/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_chain chain;
	struct ident_list ids;
	char *cn = NULL;

	if (cert_chain_parse((const char *)data, size, &chain) == 0)
		cert_chain_free(&chain);
	if (csr_identifiers(data, size, &ids, &cn) == 0) {
		ident_list_free(&ids);
		free(cn);
	}
	key_free(key_load_pem((const char *)data, size));
	return 0;
}
