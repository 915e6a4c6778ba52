/* acmec renew: renew what is due; for cron and systemd timers. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/issue.h"
#include "acme/log.h"
#include "acme/store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] renew [--force] [--jobs N] [NAME...]\n"
	    "\n"
	    "Renews the named Certificates (all if none is named) that are "
	    "due: when the\n"
	    "CA's renewal window (ARI) opens, else at renewBefore, "
	    "renewBeforePercentage\n"
	    "or 2/3 of the lifetime; also when the files are missing, do not "
	    "match, or\n"
	    "the names or key settings changed.  --force renews regardless.  "
	    "Nothing due\n"
	    "is success.\n");
}

int
cmd_renew(const struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg = { 0 };
	struct store st = { 0 };
	struct issue_counts counts;
	const struct cfg_cert **certs = NULL;
	bool force = false;
	size_t n = 0;
	int ch, jobs = 4, rc;

	log_quiet();
	while ((ch = getopt_long(argc, argv, "fj:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			force = true;
			break;
		case 'j':
			if (cmd_parse_jobs(optarg, &jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((certs = cmd_load_certs(g, argc - optind, argv + optind, &cfg,
	    &n)) == NULL) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (n == 0) {
		log_info("%s has no Certificate; nothing to renew", g->config);
		rc = EXIT_OK;
		goto out;
	}
	if (store_open(&st, g->statedir, g->secretsdir) < 0) {
		rc = EXIT_FAILED;
		goto out;
	}
	issue_run(&st, certs, n, jobs, force, NULL, &counts, NULL);
	/* Nothing done, nothing failed: nothing for cron to mail. */
	if (counts.done + counts.failed > 0)
		log_result("%zu renewed, %zu not due, %zu failed", counts.done,
		    counts.not_due, counts.failed);
	else
		log_info("%zu renewed, %zu not due, %zu failed", counts.done,
		    counts.not_due, counts.failed);
	rc = counts.failed > 0 ? EXIT_FAILED : EXIT_OK;
out:
	free(certs);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
