/*
 * acmec: an ACME (RFC 8555) client driven by cert-manager's YAML.
 * main: global flags, the command table, exit status.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit status, acmec(1) EXIT STATUS. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* a certificate (or the operation) failed */
	EXIT_USAGE = 2,  /* usage or configuration error */
};

/* Options that every command sees. */
struct globals {
	const char *config;   /* -c: file or directory */
	const char *statedir; /* -s */
	int verbosity;        /* -q: -1, default 0, -v: 1, -vv: 2 */
};

struct verb {
	const char *name;
	int (*run)(const struct globals *g, int argc, char **argv);
	const char *synopsis;
};

/*
 * The commands.  Each lands with its issue (see README, "Status"); the table
 * lists only what this build can do.
 */
static const struct verb verbs[] = {
	{ NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	const struct verb *v;

	fprintf(f,
	    "usage: acmec [-c CONFIG] [-s STATEDIR] [-v|-q] COMMAND [ARGS]\n"
	    "       acmec --help | --version\n"
	    "\n"
	    "  -c, --config PATH     configuration file or directory of *.yaml\n"
	    "                        (default /etc/acmec)\n"
	    "  -s, --state-dir DIR   state directory (default /var/lib/acmec)\n"
	    "  -v, --verbose         more detail on stderr (twice: protocol)\n"
	    "  -q, --quiet           errors only\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         print the version\n"
	    "\n"
	    "commands:\n");
	for (v = verbs; v->name != NULL; v++)
		fprintf(f, "  %-20s %s\n", v->name, v->synopsis);
	if (verbs[0].name == NULL)
		fprintf(f, "  (none yet in this build: issue, renew, revoke, "
		    "status, account and check\n   are being built; see "
		    "README)\n");
	fprintf(f, "\nExit status: 0 success, 1 a certificate failed, "
	    "2 usage or configuration error.\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct globals g = { "/etc/acmec", "/var/lib/acmec", 0 };
	const struct verb *v;
	int ch;

	/* "+": stop at the command; its own flags are its own. */
	while ((ch = getopt_long(argc, argv, "+c:s:vqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			g.config = optarg;
			break;
		case 's':
			g.statedir = optarg;
			break;
		case 'v':
			g.verbosity = g.verbosity < 0 ? 1 : g.verbosity + 1;
			break;
		case 'q':
			g.verbosity = -1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("acmec %s\n", ACMEC_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fprintf(stderr, "acmec: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	for (v = verbs; v->name != NULL; v++)
		if (strcmp(v->name, argv[0]) == 0) {
			optind = 1;
			return v->run(&g, argc, argv);
		}
	fprintf(stderr, "acmec: unknown command '%s'; 'acmec --help' lists "
	    "the commands\n", argv[0]);
	return EXIT_USAGE;
}
