/* libFuzzer: the YAML configuration loader. */

#include <stddef.h>
#include <stdint.h>

#include "acme/config/config.h"
#include "acme/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;

	log_discard(true);
	config_load_buffer("fuzz.yaml", (const char *)data, size, &cfg);
	config_free(&cfg);
	return 0;
}
