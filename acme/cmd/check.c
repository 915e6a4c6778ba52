/* acmec check: validate the configuration without touching the network. */

#include <getopt.h>
#include <stdio.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/csrfile.h"
#include "acme/log.h"

int
cmd_check(const struct globals *g, int argc, char **argv)
{
	struct config cfg;
	char also[32] = "";
	size_t i, skipped = 0;
	int rc;

	if (argc > 1) {
		log_error("check takes no arguments; give the configuration "
		    "with -c FILE|DIR before the command");
		return EXIT_USAGE;
	}
	(void)argv;
	if (config_load(g->config, &cfg) < 0 ||
	    csrfile_check_config(&cfg) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < cfg.ncerts; i++)
		skipped += !config_cert_runs(&cfg.certs[i]);
	if (skipped > 0)
		snprintf(also, sizeof(also), " (%zu skipped)", skipped);
	log_info("%s: %zu issuer%s, %zu certificate%s%s: OK", g->config,
	    cfg.nissuers, cfg.nissuers == 1 ? "" : "s", cfg.ncerts,
	    cfg.ncerts == 1 ? "" : "s", also);
	rc = EXIT_OK;
out:
	config_free(&cfg);
	return rc;
}
