/* What the config tests share: loading YAML text quietly. */

#include <string.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "tests/unit/unit.h"

int
unit_config_load(const char *text, struct config *cfg, const char **err)
{
	int rc;

	log_discard(true);
	log_clear_error();
	rc = config_load_buffer("t.yaml", text, strlen(text), cfg);
	log_discard(false);
	*err = log_last_error();
	return rc;
}

void
unit_config_refused(const char *text, const char *want)
{
	struct config cfg;
	const char *err;

	CHECK(unit_config_load(text, &cfg, &err) < 0);
	if (strncmp(err, want, strlen(want)) != 0)
		CHECK_STR(err, want);
	config_free(&cfg);
}
