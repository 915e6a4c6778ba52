/* libFuzzer: the http-01 responder's request parsing (it faces the net). */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/solver/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = NULL;
	char *req;
	bool head;

	if (size > 4096)
		size = 4096;
	if ((req = malloc(size + 1)) == NULL)
		return 0;
	memcpy(req, data, size);
	req[size] = '\0';
	if (http01_parse_request(req, size, &head, &path) == 0 &&
	    (path < req || path > req + size))
		abort();
	free(req);
	return 0;
}
