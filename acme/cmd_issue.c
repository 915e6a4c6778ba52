/*
 * acmec issue: obtain certificates now, due or not -- the Certificates of
 * the configuration (all, or those named), or one described by flags alone.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/cmd.h"
#include "acme/config/config.h"
#include "acme/fsutil.h"
#include "acme/issue.h"
#include "acme/log.h"
#include "acme/store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] issue [--jobs N] [NAME...]\n"
	    "       acmec issue -d NAME [-d NAME...] --server URL "
	    "[--email ADDR]\n"
	    "             (--standalone [ADDR:PORT] | --webroot DIR |\n"
	    "              --tls-alpn [ADDR:PORT])\n"
	    "             [--key-type ec256|ec384|rsa2048|rsa3072|rsa4096|"
	    "ed25519]\n"
	    "             [--ca-bundle FILE] [--out DIR]\n"
	    "\n"
	    "Issues the named Certificates of the configuration now (all if "
	    "none is named),\n"
	    "or, with -d, one certificate described by the flags alone.  "
	    "-d takes DNS\n"
	    "names and IP addresses.\n");
}

/* Parse [ADDR]:PORT, ADDR:PORT, :PORT or PORT for --standalone. */
static int
parse_listen(const char *s, char **addr, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p;

	*addr = NULL;
	if (colon == NULL)
		colon = s - 1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (int)p;
	if (colon > s) {
		if (s[0] == '[' && colon[-1] == ']')
			*addr = util_strndup(s + 1, (size_t)(colon - s - 2));
		else
			*addr = util_strndup(s, (size_t)(colon - s));
	}
	return 0;
}

struct adhoc {
	bool on;      /* -d given: the certificate is described by flags */
	int flags;    /* ad hoc flags given */
	int jobs;     /* --jobs */
	struct cfg_issuer issuer;
	struct cfg_solver solver;
	struct cfg_cert cert;
	char *out;
};

/*
 * Parse issue's flags; with -d, build an issuer and certificate from them.
 * Names of configured Certificates are left at argv[optind...].
 * EXIT_OK or EXIT_USAGE.
 */
static int
parse_args(int argc, char **argv, struct adhoc *ad)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 's' },
		{ "email", required_argument, NULL, 'e' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "tls-alpn", no_argument, NULL, 'T' },
		{ "webroot", required_argument, NULL, 'w' },
		{ "key-type", required_argument, NULL, 'k' },
		{ "ca-bundle", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		enum key_type type;
		int bits;
	} types[] = { { "ec256", KEY_EC_P256, 0 }, { "ec384", KEY_EC_P384, 0 },
		{ "rsa2048", KEY_RSA, 2048 }, { "rsa3072", KEY_RSA, 3072 },
		{ "rsa4096", KEY_RSA, 4096 }, { "ed25519", KEY_ED25519, 0 } };
	struct cfg_issuer *is = &ad->issuer;
	struct cfg_cert *c = &ad->cert;
	const char *why;
	char *norm, *first = NULL;
	size_t i, len;
	int ch, modes = 0;

	c->issuer = is;
	config_cert_defaults(c);
	ad->solver.type = SOLVER_HTTP01;
	ad->solver.http_mode = HTTP01_STANDALONE;
	ad->solver.http_port = 80;
	is->solvers = &ad->solver;
	is->nsolvers = 1;
	while ((ch = getopt_long(argc, argv, "d:j:h", opts, NULL)) != -1) {
		if (ch != 'd' && ch != 'j' && ch != 'h' && ch != '?')
			ad->flags++;
		switch (ch) {
		case 'j':
			if (cmd_parse_jobs(optarg, &ad->jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'd':
			if (config_check_ip(optarg, &norm, &why) == 0) {
				strlist_add(&c->ip_addresses, norm);
			} else if (config_check_dns_name(optarg, &norm,
			    &why) == 0) {
				strlist_add(&c->dns_names, norm);
			} else {
				log_error("-d '%s' %s", log_esc(optarg), why);
				return EXIT_USAGE;
			}
			if (first == NULL)
				first = util_strdup(norm);
			free(norm);
			break;
		case 's':
			free(is->server);
			is->server = util_strdup(optarg);
			break;
		case 'e':
			free(is->email);
			is->email = util_strdup(optarg);
			break;
		case 'S':
		case 'T':
			modes++;
			ad->solver.type = ch == 'S' ? SOLVER_HTTP01 :
			    SOLVER_TLSALPN01;
			ad->solver.http_mode = HTTP01_STANDALONE;
			ad->solver.http_port = ch == 'S' ? 80 : 443;
			/* An optional ADDR:PORT operand follows. */
			if (optind < argc && argv[optind][0] != '-' &&
			    strchr(argv[optind], ':') != NULL) {
				if (parse_listen(argv[optind],
				    &ad->solver.http_address,
				    &ad->solver.http_port) < 0) {
					log_error("--%s '%s': give ADDR:PORT "
					    "or :PORT", ch == 'S' ?
					    "standalone" : "tls-alpn",
					    log_esc(argv[optind]));
					return EXIT_USAGE;
				}
				optind++;
			}
			break;
		case 'w':
			modes++;
			ad->solver.http_mode = HTTP01_WEBROOT;
			free(ad->solver.webroot);
			ad->solver.webroot = util_strdup(optarg);
			break;
		case 'k':
			for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
				if (strcmp(optarg, types[i].name) == 0)
					break;
			if (i == sizeof(types) / sizeof(types[0])) {
				log_error("--key-type '%s': use ec256, ec384, "
				    "rsa2048, rsa3072, rsa4096 or ed25519",
				    log_esc(optarg));
				return EXIT_USAGE;
			}
			c->key_type = types[i].type;
			c->key_bits = types[i].bits;
			break;
		case 'b':
			free(is->ca_bundle);
			if (fs_read(optarg, 1024 * 1024, &is->ca_bundle,
			    &len) < 0) {
				log_error("--ca-bundle %s: %s", optarg,
				    strerror(errno));
				return EXIT_USAGE;
			}
			is->ca_bundle_len = len;
			break;
		case 'o':
			free(ad->out);
			ad->out = util_strdup(optarg);
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (first == NULL) {
		if (ad->flags == 0)
			return EXIT_OK; /* names from the configuration */
		log_error("ad hoc issue needs at least one -d NAME");
		return EXIT_USAGE;
	}
	ad->on = true;
	if (optind < argc) {
		log_error("names of configured Certificates cannot be mixed "
		    "with -d");
		free(first);
		return EXIT_USAGE;
	}
	if (is->server == NULL || strncmp(is->server, "https://", 8) != 0) {
		log_error("ad hoc issue needs --server with the CA's https:// "
		    "directory URL");
		free(first);
		return EXIT_USAGE;
	}
	if (modes != 1) {
		log_error("ad hoc issue needs one of --standalone [ADDR:PORT], "
		    "--tls-alpn [ADDR:PORT] or --webroot DIR");
		free(first);
		return EXIT_USAGE;
	}
	if (ad->solver.webroot != NULL && ad->solver.webroot[0] != '/') {
		log_error("--webroot '%s' must be an absolute path",
		    log_esc(ad->solver.webroot));
		free(first);
		return EXIT_USAGE;
	}
	is->name = util_strdup("ad-hoc");
	is->cluster = true;
	is->account_key.name = util_strdup(CONFIG_ADHOC_ACCOUNT);
	c->namespace = util_strdup("ad-hoc");
	/* The first name, with "*." spelled out, names the certificate. */
	c->name = strncmp(first, "*.", 2) == 0 ?
	    util_printf("wildcard.%s", first + 2) : util_strdup(first);
	for (norm = c->name; *norm != '\0'; norm++)
		if (*norm == ':')
			*norm = '-';
	c->secret_name = util_strdup(c->name);
	free(first);
	if (ad->out == NULL && strcmp(c->secret_name, is->account_key.name) == 0) {
		log_error("-d %s: the Secret %s is where ad hoc issue keeps its "
		    "account key; write the files elsewhere with -o DIR",
		    c->secret_name, c->secret_name);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
cmd_issue(const struct globals *g, int argc, char **argv)
{
	struct config cfg = { 0 };
	struct adhoc ad = { 0 };
	struct store st = { 0 };
	struct issue_counts counts;
	const struct cfg_cert **certs = NULL;
	size_t n = 0;
	int rc;

	ad.jobs = 4;
	if ((rc = parse_args(argc, argv, &ad)) != EXIT_OK)
		goto out;
	if (ad.on) {
		certs = util_alloc(2 * sizeof(*certs));
		certs[n++] = &ad.cert;
	} else if ((certs = cmd_load_certs(g, argc - optind, argv + optind,
	    &cfg, &n)) == NULL) {
		/* Every name must exist before anything is done. */
		rc = EXIT_USAGE;
		goto out;
	}
	if (n == 0) {
		log_error("%s has no Certificate to issue", g->config);
		rc = EXIT_USAGE;
		goto out;
	}
	if (store_open(&st, g->statedir, g->secretsdir) < 0) {
		rc = EXIT_FAILED;
		goto out;
	}
	issue_run(&st, certs, n, ad.jobs, true, ad.out, &counts);
	if (n > 1 || counts.failed > 0)
		log_info("%zu issued, %zu failed", counts.done, counts.failed);
	rc = counts.failed > 0 ? EXIT_FAILED : EXIT_OK;
out:
	free(certs);
	store_close(&st);
	config_free(&cfg);
	ad.issuer.solvers = NULL;
	ad.issuer.nsolvers = 0;
	config_issuer_free(&ad.issuer);
	config_cert_free(&ad.cert);
	free(ad.solver.http_address);
	free(ad.solver.webroot);
	free(ad.out);
	return rc;
}
