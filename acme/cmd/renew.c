/* acmec renew: renew what is due; for cron and systemd timers. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/fs.h"
#include "acme/issue.h"
#include "acme/log.h"
#include "acme/metrics.h"
#include "acme/store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] renew [--dry-run] [--force] [--jobs N]\n"
	    "             [--metrics-file FILE] [--pre-hook CMD] [--post-hook CMD]\n"
	    "             [NAME...]\n"
	    "\n"
	    "Renews the named Certificates (all if none is named) that are "
	    "due: when the\n"
	    "CA's renewal window (ARI) opens, else at renewBefore, "
	    "renewBeforePercentage\n"
	    "or 2/3 of the lifetime; also when the files are missing, do not "
	    "match, or\n"
	    "the names or key settings changed.  --force renews regardless.  "
	    "Nothing due\n"
	    "is success.  --metrics-file writes the Prometheus metrics that "
	    "status prints\n"
	    "and those of the run to FILE (atomically, mode 0644) after the "
	    "run,\n"
	    "for node_exporter's textfile collector.  --pre-hook runs CMD "
	    "(sh -c) once\n"
	    "before the first order, --post-hook once after the last; "
	    "nothing due runs\n"
	    "neither.  --dry-run orders what is due from the issuer's server "
	    "(a production\n"
	    "server's staging twin where one is known) for throwaway keys and "
	    "drops the\n"
	    "certificates: nothing is written, not even the metrics file, and "
	    "no deploy\n"
	    "hook runs.\n");
}

/* Where --metrics-file goes: its directory (which must exist) and name. */
struct metrics_file {
	char *dir;
	const char *name;
};

static int
metrics_file_parse(const char *arg, struct metrics_file *mf)
{
	const char *slash = strrchr(arg, '/');
	int fd;

	mf->dir = slash == NULL ? util_strdup(".") : slash == arg ?
	    util_strdup("/") : util_strndup(arg, (size_t)(slash - arg));
	mf->name = slash == NULL ? arg : slash + 1;
	if (*mf->name == '\0' || strcmp(mf->name, ".") == 0 ||
	    strcmp(mf->name, "..") == 0) {
		log_error("--metrics-file %s: give a file name",
		    log_esc(arg));
		return -1;
	}
	/* Before the run: a typo is a usage error, not a lost file. */
	if ((fd = fs_open_dir(mf->dir, FS_PRIVATE, 0)) < 0) {
		if (errno != EPERM && errno != ELOOP)
			log_error("--metrics-file %s: cannot open its "
			    "directory: %s", log_esc(arg), strerror(errno));
		return -1;
	}
	close(fd);
	if (!util_endswith(mf->name, ".prom"))
		log_warn("--metrics-file %s: node_exporter's textfile "
		    "collector reads only files named *.prom", log_esc(arg));
	return 0;
}

/* Write the metrics after the run; a failure to write fails a good run. */
static int
metrics_file_write(const struct globals *g, const struct metrics_file *mf,
    const struct cfg_cert **certs, size_t n, const struct issue_counts *c,
    long long start_ms, int rc)
{
	struct metrics_run run = { 0 };
	char *text;

	run.end = time(NULL);
	run.duration = (double)(util_now_ms() - start_ms) / 1000.0;
	run.success = rc == EXIT_OK;
	run.renewed = c->done;
	run.not_due = c->not_due;
	run.failed = c->failed;
	text = cmd_status_prometheus(g, certs, n, &run);
	if (fs_write_atomic(mf->dir, mf->name, text, strlen(text), 0644) < 0) {
		log_error("cannot write the metrics file %s/%s: %s",
		    log_esc(mf->dir), log_esc2(mf->name), strerror(errno));
		rc = rc == EXIT_OK ? EXIT_FAILED : rc;
	}
	free(text);
	return rc;
}

static int
renew(const struct globals *g, const struct cfg_cert **certs, size_t n,
    int jobs, unsigned flags, const struct cfg_hooks *hooks,
    struct issue_counts *counts)
{
	struct store st = { 0 };

	if (n == 0) {
		log_info("%s has no Certificate; nothing to renew", g->config);
		return EXIT_OK;
	}
	if (store_open(&st, g->statedir, g->secretsdir) < 0)
		return EXIT_FAILED;
	issue_run(&st, certs, n, jobs, flags, NULL, hooks, counts, NULL);
	store_close(&st);
	if (flags & ISSUE_DRY_RUN)
		log_result("dry run: %zu would be renewed, %zu not due, %zu "
		    "failed; nothing written", counts->done, counts->not_due,
		    counts->failed);
	/* Nothing done, nothing failed: nothing for cron to mail. */
	else if (counts->done + counts->failed > 0)
		log_result("%zu renewed, %zu not due, %zu failed", counts->done,
		    counts->not_due, counts->failed);
	else
		log_info("%zu renewed, %zu not due, %zu failed", counts->done,
		    counts->not_due, counts->failed);
	return counts->failed > 0 || counts->hook_failed ? EXIT_FAILED :
	    EXIT_OK;
}

/* renew's flags. */
struct renew_args {
	unsigned flags;
	int jobs;
	const char *metrics;
	struct cfg_hooks hooks;
};

/* EXIT_OK, or EXIT_USAGE (reported); -1 when --help was printed. */
static int
parse_args(int argc, char **argv, struct renew_args *ra)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'y' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "metrics-file", required_argument, NULL, 'M' },
		{ "pre-hook", required_argument, NULL, CMD_PRE_HOOK },
		{ "post-hook", required_argument, NULL, CMD_POST_HOOK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "fj:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			ra->flags |= ISSUE_FORCE;
			break;
		case 'y':
			ra->flags |= ISSUE_DRY_RUN;
			break;
		case 'j':
			if (cmd_parse_jobs(optarg, &ra->jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'M':
			ra->metrics = optarg;
			break;
		case CMD_PRE_HOOK:
		case CMD_POST_HOOK:
			if (cmd_parse_hook(ch, optarg, &ra->hooks) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

int
cmd_renew(const struct globals *g, int argc, char **argv)
{
	struct renew_args ra;
	struct config cfg = { 0 };
	struct issue_counts counts = { 0 };
	struct metrics_file mf = { NULL, NULL };
	const struct cfg_cert **certs = NULL;
	long long start = util_now_ms();
	size_t n = 0;
	int rc;

	memset(&ra, 0, sizeof(ra));
	ra.jobs = 4;
	if ((rc = parse_args(argc, argv, &ra)) != EXIT_OK) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	/* A dry run is watched, not mailed by cron: its progress shows. */
	if (!(ra.flags & ISSUE_DRY_RUN))
		log_quiet();
	if (ra.metrics != NULL && metrics_file_parse(ra.metrics, &mf) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((certs = cmd_load_certs(g, argc - optind, argv + optind, &cfg,
	    &n)) == NULL)
		rc = EXIT_USAGE;
	else
		rc = renew(g, certs, n, ra.jobs, ra.flags, &ra.hooks, &counts);
	/* Checked above as in a real run; a dry run leaves it as it is. */
	if (ra.metrics != NULL && (ra.flags & ISSUE_DRY_RUN))
		log_info("dry run: the metrics file %s is not written",
		    log_esc(ra.metrics));
	/* Also after a failed run: the file says it failed. */
	else if (ra.metrics != NULL)
		rc = metrics_file_write(g, &mf, certs, certs ? n : 0, &counts,
		    start, rc);
out:
	free(mf.dir);
	free(certs);
	config_free(&cfg);
	cmd_hooks_free(&ra.hooks);
	return rc;
}
