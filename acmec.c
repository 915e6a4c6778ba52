/*
 * acmec: an ACME (RFC 8555) client driven by cert-manager's YAML.
 * main: global flags, the command table, exit status.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acme/cmd/cmd.h"
#include "acme/log.h"
#include "acme/util.h"

struct verb {
	const char *name;
	int (*run)(const struct globals *g, int argc, char **argv);
	const char *synopsis;
};

/* The commands this build has (README, "Status", lists what is coming). */
static const struct verb verbs[] = {
	{ "issue", cmd_issue, "obtain certificates now, due or not" },
	{ "renew", cmd_renew, "renew what is due (cron, systemd timers)" },
	{ "status", cmd_status, "show certificates and their last orders" },
	{ "revoke", cmd_revoke, "revoke a certificate" },
	{ "account", cmd_account, "register, show, update, rekey, deactivate" },
	{ "check", cmd_check, "validate the configuration (or probe the CA "
	    "and solvers)" },
	{ "export", cmd_export, "print Kubernetes manifests for cert-manager" },
	{ "import", cmd_import, "install Secrets kubectl printed" },
	{ "completion", cmd_completion, "print a bash, zsh or fish completion "
	    "script" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	const struct verb *v;

	fprintf(f,
	    "usage: acmec [-c CONFIG] [-s STATEDIR] [-v|-q] "
	    "[--log-format text|json]\n"
	    "             COMMAND [ARGS]\n"
	    "       acmec --help | --version\n"
	    "\n"
	    "  -c, --config PATH     configuration file or directory of *.yaml\n"
	    "                        (default /etc/acmec; not root:\n"
	    "                        $XDG_CONFIG_HOME/acmec)\n"
	    "  -s, --state-dir DIR   state directory (default /var/lib/acmec;\n"
	    "                        not root: $XDG_STATE_HOME/acmec)\n"
	    "      --secrets-dir DIR where Secrets live (default STATEDIR/secrets)\n"
	    "  -v, --verbose         more detail on stderr (twice: protocol)\n"
	    "  -q, --quiet           errors only\n"
	    "      --log-format F    messages on stderr as text (default) or\n"
	    "                        json, one object a line (also\n"
	    "                        ACMEC_LOG_FORMAT)\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         print the version\n"
	    "\n"
	    "commands:\n");
	for (v = verbs; v->name != NULL; v++)
		fprintf(f, "  %-20s %s\n", v->name, v->synopsis);
	fprintf(f, "\n'acmec COMMAND --help' describes a command's own "
	    "options.\n");
	fprintf(f, "Exit status: 0 success, 1 a certificate failed, "
	    "2 usage or configuration error.\n");
}

/* $XDG_<VAR> or ~/<fallback>, plus "/acmec"; NULL if HOME is unset too. */
static char *
xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v != NULL && v[0] == '/')
		return util_printf("%s/acmec", v);
	if (home != NULL && home[0] == '/')
		return util_printf("%s/%s/acmec", home, fallback);
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "secrets-dir", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct globals g = { NULL, NULL, NULL, 0, 0 };
	char *config_dflt = NULL, *state_dflt = NULL;
	const struct verb *v;
	const char *fmt;
	int ch, rc;

	if ((fmt = getenv("ACMEC_LOG_FORMAT")) != NULL && fmt[0] != '\0' &&
	    log_set_format_name(fmt) < 0) {
		log_error("ACMEC_LOG_FORMAT '%s': use text or json",
		    log_esc(fmt));
		return EXIT_USAGE;
	}
	/* "+": stop at the command; its own flags are its own. */
	while ((ch = getopt_long(argc, argv, "+c:s:vqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			g.config = optarg;
			g.config_given = 1;
			break;
		case 's':
			g.statedir = optarg;
			break;
		case 'S':
			g.secretsdir = optarg;
			break;
		case 'v':
			g.verbosity = g.verbosity < 0 ? 1 : g.verbosity + 1;
			break;
		case 'q':
			g.verbosity = -1;
			break;
		case 'L':
			if (log_set_format_name(optarg) < 0) {
				log_error("--log-format '%s': use text or json",
				    log_esc(optarg));
				return EXIT_USAGE;
			}
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
		log_error("no command given");
		usage(stderr);
		return EXIT_USAGE;
	}
	log_set_verbosity(g.verbosity);
	if (geteuid() == 0) {
		config_dflt = util_strdup("/etc/acmec");
		state_dflt = util_strdup("/var/lib/acmec");
	} else {
		config_dflt = xdg_dir("XDG_CONFIG_HOME", ".config");
		state_dflt = xdg_dir("XDG_STATE_HOME", ".local/state");
	}
	if (g.config == NULL)
		g.config = config_dflt ? config_dflt : "/etc/acmec";
	if (g.statedir == NULL)
		g.statedir = state_dflt ? state_dflt : "/var/lib/acmec";
	for (v = verbs; v->name != NULL; v++)
		if (strcmp(v->name, argv[0]) == 0)
			break;
	if (v->name == NULL) {
		log_error("unknown command '%s'; 'acmec --help' lists the "
		    "commands", log_esc(argv[0]));
		rc = EXIT_USAGE;
	} else {
		util_catch_signals();
		optind = 0; /* reset getopt for the command's own flags */
		rc = v->run(&g, argc, argv);
	}
	free(config_dflt);
	free(state_dflt);
	return rc;
}
