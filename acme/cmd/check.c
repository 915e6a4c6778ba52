/*
 * acmec check: validate the configuration without touching the network;
 * with --online, also probe what a run needs from the world (online.h).
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/csrfile.h"
#include "acme/log.h"
#include "acme/online.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: acmec [-c CONFIG] check [--online [NAME...]]\n");
}

/* The offline check: the configuration loads. */
static int
check_offline(const struct globals *g)
{
	struct config cfg;
	char also[32] = "";
	size_t i, skipped = 0;
	int rc;

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

/*
 * check --online: each ACME issuer of the Certificates named (all that
 * acmec runs when none is), then each Certificate's solvers.
 */
static int
check_online(const struct globals *g, int argc, char **argv)
{
	const struct cfg_cert **certs;
	struct config cfg = { 0 };
	struct online o;
	size_t i, j, n, failed;

	if ((certs = cmd_load_certs(g, argc, argv, &cfg, &n)) == NULL ||
	    csrfile_check_config(&cfg) < 0) {
		free(certs);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	online_init(&o, g->config, g->statedir, g->secretsdir);
	for (i = 0; i < cfg.nissuers; i++) {
		for (j = 0; j < n && certs[j]->issuer != &cfg.issuers[i]; j++)
			continue;
		if (cfg.issuers[i].type == ISSUER_ACME && (argc == 0 || j < n))
			online_issuer(&o, &cfg.issuers[i]);
	}
	for (i = 0; i < n; i++)
		if (certs[i]->issuer->type == ISSUER_ACME)
			online_cert(&o, certs[i]);
	printf("%zu check%s: %zu OK, %zu FAILED\n", o.ok + o.failed,
	    o.ok + o.failed == 1 ? "" : "s", o.ok, o.failed);
	failed = o.failed;
	online_free(&o);
	free(certs);
	config_free(&cfg);
	return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

int
cmd_check(const struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "online", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool online = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			online = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!online && optind < argc) {
		log_error("check takes no arguments; give the configuration "
		    "with -c FILE|DIR before the command, and NAMEs only with "
		    "--online");
		return EXIT_USAGE;
	}
	return online ? check_online(g, argc - optind, argv + optind) :
	    check_offline(g);
}
