/*
 * acmec issue: obtain certificates now, due or not -- the Certificates of
 * the configuration (all, or those named), or one described by flags alone.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/acme.h"
#include "acme/cmd/adhoc.h"
#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/csrfile.h"
#include "acme/fs.h"
#include "acme/issue.h"
#include "acme/log.h"
#include "acme/store.h"
#include "crypto/cert.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] issue [--dry-run] [--jobs N] [--json] "
	    "[--pre-hook CMD]\n"
	    "             [--post-hook CMD] [NAME...]\n"
	    "       acmec issue -d NAME [-d NAME...] [--server URL | --staging]\n"
	    "             [--email ADDR] [--eab-kid KID] [--profile NAME]\n"
	    "             [--preferred-chain CN]\n"
	    "             (--standalone [ADDR:PORT] | --webroot DIR |\n"
	    "              --tls-alpn [ADDR:PORT] | --dns PROVIDER |\n"
	    "              --dns-hook PROGRAM) [--dns-resolver HOST:PORT...]\n"
	    "             [--key-type ec256|ec384|rsa2048|rsa3072|rsa4096|"
	    "ed25519]\n"
	    "             [--ca-bundle FILE] [--out DIR] [--deploy-hook CMD]\n"
	    "       acmec issue --csr FILE [-d NAME...] ...\n"
	    "\n"
	    "Issues the named Certificates of the configuration now (all if "
	    "none is named),\n"
	    "or, with -d, one certificate described by the flags alone.  "
	    "-d takes DNS\n"
	    "names and IP addresses.  Without --server, Let's Encrypt's "
	    "production CA;\n"
	    "--staging for its staging CA.  --dns takes the provider's "
	    "credentials from\n"
	    "its usual environment variables (acmec(1)); --eab-kid the MAC "
	    "key from\n"
	    "ACMEC_EAB_HMAC_KEY.  --csr FILE orders for a CSR made elsewhere "
	    "(PEM or DER):\n"
	    "its names, its key; tls.crt and ca.crt are written, no tls.key.  "
	    "--json prints\n"
	    "what was written where on stdout.  "
	    "--pre-hook runs CMD (sh -c) once before the first\n"
	    "order, --post-hook once after the last.  --dry-run (also with -d) "
	    "orders from\n"
	    "the issuer's server (a production server's staging twin where one "
	    "is known) for\n"
	    "a throwaway key, verifies the certificate and drops it: nothing is "
	    "written, no\n"
	    "deploy hook runs.\n");
}

/* -d NAME: a DNS name or an IP address. */
static int
opt_name(struct adhoc *ad, const char *arg)
{
	struct cfg_cert *c = &ad->cert;
	char *norm;

	if (config_check_ip(arg, &norm) == 0) {
		strlist_add(&c->ip_addresses, norm);
	} else if (config_check_dns_name(arg, &norm) == 0) {
		strlist_add(&c->dns_names, norm);
	} else {
		log_error("-d '%s' %s", log_esc(arg), util_error());
		return EXIT_USAGE;
	}
	if (ad->first == NULL)
		ad->first = util_strdup(norm);
	free(norm);
	return EXIT_OK;
}

/* --standalone or --tls-alpn (ch 'S' or 'T'), with an optional ADDR:PORT. */
static int
opt_listen(struct adhoc *ad, int ch, int argc, char **argv)
{
	char *addr = NULL;
	int port;

	ad->modes++;
	ad->mode = (char)ch;
	free(ad->listen);
	ad->listen = util_strdup(ch == 'S' ? ":80" : ":443");
	if (optind >= argc || argv[optind][0] == '-' ||
	    strchr(argv[optind], ':') == NULL)
		return EXIT_OK;
	if (config_parse_listen(argv[optind], &addr, &port) < 0) {
		log_error("--%s '%s': give ADDR:PORT or :PORT", ch == 'S' ?
		    "standalone" : "tls-alpn", log_esc(argv[optind]));
		return EXIT_USAGE;
	}
	free(addr);
	free(ad->listen);
	ad->listen = util_strdup(argv[optind++]);
	return EXIT_OK;
}

/* --ca-bundle FILE. */
static int
opt_ca_bundle(struct adhoc *ad, const char *arg)
{
	free(ad->ca_bundle);
	ad->ca_bundle = NULL;
	if (fs_read(arg, FS_READ_MAX, &ad->ca_bundle, &ad->ca_bundle_len) < 0) {
		log_error("--ca-bundle %s: %s", arg, strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* A flag whose value is kept as it is. */
static int
opt_str(char **to, const char *arg)
{
	free(*to);
	*to = util_strdup(arg);
	return EXIT_OK;
}

/* A flag that chooses the solver: --webroot, --dns, --dns-hook. */
static int
opt_solver(struct adhoc *ad, int ch, const char *arg)
{
	ad->modes++;
	ad->mode = (char)ch;
	if (ch == 'D' && adhoc_check_provider(arg) < 0)
		return EXIT_USAGE;
	return opt_str(ch == 'w' ? &ad->webroot : ch == 'D' ? &ad->dns :
	    &ad->dns_hook, arg);
}

/* --deploy-hook CMD: run with sh -c, as an acmec.io/deploy-hook string. */
static int
opt_deploy_hook(struct cfg_cert *c, const char *arg)
{
	strlist_free(&c->deploy_hook);
	if (arg[0] == '\0') {
		log_error("--deploy-hook: the command is empty");
		return EXIT_USAGE;
	}
	strlist_add(&c->deploy_hook, arg);
	c->deploy_hook_shell = true;
	return EXIT_OK;
}

/* One option of issue's; EXIT_OK or EXIT_USAGE. */
static int
opt_one(struct adhoc *ad, int ch, int argc, char **argv)
{
	switch (ch) {
	case 'J':
		ad->json = true;
		return EXIT_OK;
	case CMD_PRE_HOOK:
	case CMD_POST_HOOK:
		return cmd_parse_hook(ch, optarg, &ad->hooks) < 0 ?
		    EXIT_USAGE : EXIT_OK;
	case 'N':
		ad->dry_run = true;
		return EXIT_OK;
	case 'j':
		return cmd_parse_jobs(optarg, &ad->jobs) < 0 ? EXIT_USAGE :
		    EXIT_OK;
	case 'd':
		return opt_name(ad, optarg);
	case 's':
		return opt_str(&ad->server, optarg);
	case 't':
		ad->staging = true;
		return EXIT_OK;
	case 'e':
		return opt_str(&ad->email, optarg);
	case 'E':
		return opt_str(&ad->eab_kid, optarg);
	case 'p':
		return opt_str(&ad->profile, optarg);
	case 'P':
		return opt_str(&ad->chain, optarg);
	case 'S':
	case 'T':
		return opt_listen(ad, ch, argc, argv);
	case 'w':
	case 'D':
	case 'H':
		return opt_solver(ad, ch, optarg);
	case 'r':
		strlist_add(&ad->resolvers, optarg);
		return EXIT_OK;
	case 'k':
		ad->key_type = true;
		return cmd_parse_key_type(optarg, &ad->cert.key_type,
		    &ad->cert.key_bits) < 0 ? EXIT_USAGE : EXIT_OK;
	case 'C':
		return opt_str(&ad->csr, optarg);
	case 'b':
		return opt_ca_bundle(ad, optarg);
	case 'o':
		return opt_str(&ad->out, optarg);
	case 'y':
		return opt_deploy_hook(&ad->cert, optarg);
	case 'h':
		usage(stdout);
		exit(EXIT_OK);
	default:
		usage(stderr);
		return EXIT_USAGE;
	}
}

/* The ad hoc flags make sense together (the first -d name is given). */
static int
adhoc_check(struct adhoc *ad, int argc)
{
	if (optind < argc) {
		log_error("names of configured Certificates cannot be mixed "
		    "with -d");
		return EXIT_USAGE;
	}
	if (ad->staging && ad->server != NULL) {
		log_error("give --server URL or --staging (Let's Encrypt's "
		    "staging CA), not both");
		return EXIT_USAGE;
	}
	if (ad->server == NULL)
		ad->server = util_strdup(ad->staging ? ACME_LE_STAGING :
		    ACME_LE_PRODUCTION);
	if (strncmp(ad->server, "https://", 8) != 0) {
		log_error("--server '%s': give the CA's https:// directory URL",
		    log_esc(ad->server));
		return EXIT_USAGE;
	}
	if (ad->modes != 1) {
		log_error("ad hoc issue needs one of --standalone [ADDR:PORT], "
		    "--tls-alpn [ADDR:PORT], --webroot DIR, --dns PROVIDER or "
		    "--dns-hook PROGRAM");
		return EXIT_USAGE;
	}
	if (ad->resolvers.n > 0 && ad->mode != 'D' && ad->mode != 'H') {
		log_error("--dns-resolver is for --dns and --dns-hook");
		return EXIT_USAGE;
	}
	if (ad->webroot != NULL && ad->webroot[0] != '/') {
		log_error("--webroot '%s' must be an absolute path",
		    log_esc(ad->webroot));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Name the ad hoc certificate (after the first -d). */
static int
adhoc_name(struct adhoc *ad)
{
	struct cfg_cert *c = &ad->cert;
	char *p;

	c->namespace = util_strdup("ad-hoc");
	/* The first name, with "*." spelled out, names the certificate. */
	c->name = strncmp(ad->first, "*.", 2) == 0 ?
	    util_printf("wildcard.%s", ad->first + 2) :
	    util_strdup(ad->first);
	for (p = c->name; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	c->secret_name = util_strdup(c->name);
	if (ad->out == NULL && strcmp(c->secret_name,
	    CONFIG_ADHOC_ACCOUNT) == 0) {
		log_error("-d %s: the Secret %s is where ad hoc issue keeps its "
		    "account key; write the files elsewhere with -o DIR",
		    c->secret_name, c->secret_name);
		return EXIT_USAGE;
	}
	return adhoc_issuer(ad) < 0 ? EXIT_USAGE : EXIT_OK;
}

/* --csr FILE: the names are the CSR's (-d, if given, must be the same). */
static int
adhoc_csr(struct adhoc *ad)
{
	const struct cfg_cert *c = &ad->cert;

	if (ad->key_type) {
		log_error("--key-type and --csr: the CSR's key is the "
		    "certificate's; drop --key-type");
		return EXIT_USAGE;
	}
	if (csrfile_adhoc(ad->csr, &ad->cert) < 0) {
		log_error("--csr: %s", util_error());
		return EXIT_USAGE;
	}
	if (ad->first == NULL)
		ad->first = util_strdup(c->dns_names.n > 0 ?
		    c->dns_names.v[0] : c->ip_addresses.v[0]);
	return EXIT_OK;
}

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
		{ "staging", no_argument, NULL, 't' },
		{ "email", required_argument, NULL, 'e' },
		{ "eab-kid", required_argument, NULL, 'E' },
		{ "profile", required_argument, NULL, 'p' },
		{ "preferred-chain", required_argument, NULL, 'P' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "tls-alpn", no_argument, NULL, 'T' },
		{ "webroot", required_argument, NULL, 'w' },
		{ "dns", required_argument, NULL, 'D' },
		{ "dns-hook", required_argument, NULL, 'H' },
		{ "dns-resolver", required_argument, NULL, 'r' },
		{ "key-type", required_argument, NULL, 'k' },
		{ "ca-bundle", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ "deploy-hook", required_argument, NULL, 'y' },
		{ "csr", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "pre-hook", required_argument, NULL, CMD_PRE_HOOK },
		{ "post-hook", required_argument, NULL, CMD_POST_HOOK },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	config_cert_defaults(&ad->cert);
	/*
	 * Ad hoc issue is acmec's own command line, not a Certificate: its
	 * default key is ECDSA P-256, as certbot's and lego's are.
	 */
	ad->cert.key_type = KEY_EC_P256;
	ad->cert.key_bits = 0;
	while ((ch = getopt_long(argc, argv, "d:j:h", opts, NULL)) != -1) {
		if (ch != 'd' && ch != 'j' && ch != 'J' && ch != 'N' &&
		    ch != 'h' && ch != '?' && ch != CMD_PRE_HOOK &&
		    ch != CMD_POST_HOOK)
			ad->flags++;
		if (opt_one(ad, ch, argc, argv) != EXIT_OK)
			return EXIT_USAGE;
	}
	if (ad->csr != NULL && adhoc_csr(ad) != EXIT_OK)
		return EXIT_USAGE;
	if (ad->first == NULL) {
		if (ad->flags == 0)
			return EXIT_OK; /* names from the configuration */
		log_error("ad hoc issue needs at least one -d NAME, or --csr "
		    "FILE");
		return EXIT_USAGE;
	}
	ad->on = true;
	if (adhoc_check(ad, argc) != EXIT_OK)
		return EXIT_USAGE;
	return adhoc_name(ad);
}

/*
 * The names of the certificate in dir/tls.crt, else (or with dir NULL)
 * those c asks for.
 */
static void
json_names(cJSON *o, const struct cfg_cert *c, const char *dir)
{
	struct cert_chain chain = { 0 };
	struct ident_list ids = { 0 };
	cJSON *dns, *ips;
	char *path = dir ? util_printf("%s/tls.crt", dir) : NULL, *pem = NULL;
	size_t i, len = 0;

	dns = cJSON_AddArrayToObject(o, "dnsNames");
	ips = cJSON_AddArrayToObject(o, "ipAddresses");
	if (path != NULL && fs_read(path, FS_READ_MAX, &pem, &len) == 0 &&
	    cert_chain_parse(pem, len, &chain) == 0 &&
	    cert_sans(chain.v[0], &ids) == 0) {
		for (i = 0; i < ids.n; i++)
			cJSON_AddItemToArray(ids.v[i].type == IDENT_DNS ? dns :
			    ips, cJSON_CreateString(ids.v[i].value));
	} else {
		for (i = 0; i < c->dns_names.n; i++)
			cJSON_AddItemToArray(dns,
			    cJSON_CreateString(c->dns_names.v[i]));
		for (i = 0; i < c->ip_addresses.n; i++)
			cJSON_AddItemToArray(ips,
			    cJSON_CreateString(c->ip_addresses.v[i]));
	}
	ident_list_free(&ids);
	cert_chain_free(&chain);
	free(pem);
	free(path);
}

/*
 * One Certificate's run as JSON: what was written where; a dry run's wrote
 * nothing, and its names are those ordered.
 */
static cJSON *
json_cert(const struct cfg_cert *c, const struct issue_report *r, bool dry)
{
	const struct issue_files *in = &r->in_service;
	cJSON *o = cJSON_CreateObject(), *files;
	char date[32], *path;
	size_t i;

	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "namespace", c->namespace);
	cJSON_AddBoolToObject(o, "issued", r->result == ISSUE_DONE);
	if (dry)
		cJSON_AddTrueToObject(o, "dryRun");
	if (r->dir != NULL)
		cJSON_AddStringToObject(o, "secretDir", r->dir);
	files = cJSON_AddObjectToObject(o, "files");
	for (i = 0; i < r->files.n; i++) {
		path = util_printf("%s/%s", r->dir, r->files.v[i]);
		cJSON_AddStringToObject(files, r->files.v[i], path);
		free(path);
	}
	if (r->files.n > 0 && in->exists) {
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ",
		    gmtime(&in->not_after));
		cJSON_AddStringToObject(o, "notAfter", date);
		if (in->serial != NULL)
			cJSON_AddStringToObject(o, "serial", in->serial);
	}
	if (r->dir != NULL)
		json_names(o, c, dry ? NULL : r->dir);
	if (r->error != NULL || r->dir == NULL)
		cJSON_AddStringToObject(o, "error", r->error != NULL ?
		    r->error : "not run: acmec was stopped");
	return o;
}

/* issue --json: one document on stdout, for CI scripts. */
static void
json_print(const struct cfg_cert **certs, size_t n,
    const struct issue_report *reports, const struct issue_counts *counts,
    bool dry)
{
	cJSON *doc = cJSON_CreateObject(), *list;
	char *text;
	size_t i;

	if (dry)
		cJSON_AddTrueToObject(doc, "dryRun");
	list = cJSON_AddArrayToObject(doc, "certificates");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, json_cert(certs[i], &reports[i],
		    dry));
	cJSON_AddNumberToObject(doc, "issued", (double)counts->done);
	cJSON_AddNumberToObject(doc, "failed", (double)counts->failed);
	if ((text = cJSON_Print(doc)) != NULL) {
		fputs(text, stdout);
		fputs("\n", stdout);
	}
	fflush(stdout);
	cJSON_free(text);
	cJSON_Delete(doc);
}

int
cmd_issue(const struct globals *g, int argc, char **argv)
{
	struct config cfg = { 0 };
	struct adhoc ad = { 0 };
	struct store st = { 0 };
	struct issue_counts counts;
	struct issue_report *reports = NULL;
	const struct cfg_cert **certs = NULL;
	size_t n = 0, i;
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
	if (ad.json) {
		reports = util_alloc(n * sizeof(*reports));
		/* Not run (a stop signal) is not issued. */
		for (i = 0; i < n; i++)
			reports[i].result = ISSUE_FAILED;
	}
	issue_run(&st, certs, n, ad.jobs, ISSUE_FORCE | (ad.dry_run ?
	    ISSUE_DRY_RUN : 0), ad.out, &ad.hooks, &counts, reports);
	if (ad.dry_run && (n > 1 || counts.failed > 0))
		log_info("dry run: %zu would be issued, %zu failed; nothing "
		    "written", counts.done, counts.failed);
	else if (n > 1 || counts.failed > 0)
		log_info("%zu issued, %zu failed", counts.done, counts.failed);
	if (ad.json)
		json_print(certs, n, reports, &counts, ad.dry_run);
	rc = counts.failed > 0 || counts.hook_failed ? EXIT_FAILED : EXIT_OK;
out:
	for (i = 0; reports != NULL && i < n; i++)
		issue_report_free(&reports[i]);
	free(reports);
	free(certs);
	store_close(&st);
	config_free(&cfg);
	cmd_hooks_free(&ad.hooks);
	adhoc_free(&ad);
	return rc;
}
