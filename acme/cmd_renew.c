/* acmec renew: renew what is due; for cron and systemd timers. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "acme/cmd.h"
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

const struct cfg_cert **
cmd_load_certs(const struct globals *g, int argc, char **argv,
    struct config *cfg, size_t *n)
{
	const struct cfg_cert **certs;
	bool amb;
	int a;
	size_t i;

	*n = 0;
	if (config_load(g->config, cfg) < 0)
		return NULL;
	certs = util_alloc((cfg->ncerts + (size_t)argc + 1) * sizeof(*certs));
	if (argc == 0) {
		for (i = 0; i < cfg->ncerts; i++)
			certs[(*n)++] = &cfg->certs[i];
		return certs;
	}
	for (a = 0; a < argc; a++) {
		if ((certs[*n] = config_find_cert(cfg, argv[a], &amb)) ==
		    NULL) {
			log_error("%s: %s", argv[a], amb ? "several namespaces "
			    "have a Certificate of this name; write "
			    "NAMESPACE/NAME" : "no Certificate of this name "
			    "in the configuration");
			free(certs);
			return NULL;
		}
		(*n)++;
	}
	return certs;
}

int
cmd_parse_jobs(const char *s, int *jobs)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 256) {
		log_error("--jobs '%s': give a number from 1 to 256",
		    log_esc(s));
		return -1;
	}
	*jobs = (int)v;
	return 0;
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
	issue_run(&st, certs, n, jobs, force, NULL, &counts);
	log_info("%zu renewed, %zu not due, %zu failed", counts.done,
	    counts.not_due, counts.failed);
	rc = counts.failed > 0 ? EXIT_FAILED : EXIT_OK;
out:
	free(certs);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
