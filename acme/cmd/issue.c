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
	    "usage: acmec [-c CONFIG] issue [--jobs N] [--json] [NAME...]\n"
	    "       acmec issue -d NAME [-d NAME...] --server URL "
	    "[--email ADDR]\n"
	    "             (--standalone [ADDR:PORT] | --webroot DIR |\n"
	    "              --tls-alpn [ADDR:PORT])\n"
	    "             [--key-type ec256|ec384|rsa2048|rsa3072|rsa4096|"
	    "ed25519]\n"
	    "             [--ca-bundle FILE] [--out DIR]\n"
	    "       acmec issue --csr FILE [-d NAME...] --server URL ...\n"
	    "\n"
	    "Issues the named Certificates of the configuration now (all if "
	    "none is named),\n"
	    "or, with -d, one certificate described by the flags alone.  "
	    "-d takes DNS\n"
	    "names and IP addresses.  --csr FILE orders for a CSR made "
	    "elsewhere (PEM or\n"
	    "DER): its names, its key; tls.crt and ca.crt are written, no "
	    "tls.key.\n"
	    "--json prints what was written where on stdout.\n");
}

struct adhoc {
	bool on;      /* -d given: the certificate is described by flags */
	int flags;    /* ad hoc flags given */
	int jobs;     /* --jobs */
	bool json;    /* --json */
	int modes;    /* --standalone, --tls-alpn, --webroot given */
	char *first;  /* the first -d name */
	char *csr;    /* --csr FILE */
	bool key_type; /* --key-type given */
	struct cfg_issuer issuer;
	struct cfg_solver solver;
	struct cfg_cert cert;
	char *out;
};

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
	ad->modes++;
	ad->solver.type = ch == 'S' ? SOLVER_HTTP01 : SOLVER_TLSALPN01;
	ad->solver.http_mode = HTTP01_STANDALONE;
	ad->solver.http_port = ch == 'S' ? 80 : 443;
	if (optind >= argc || argv[optind][0] == '-' ||
	    strchr(argv[optind], ':') == NULL)
		return EXIT_OK;
	if (config_parse_listen(argv[optind], &ad->solver.http_address,
	    &ad->solver.http_port) < 0) {
		log_error("--%s '%s': give ADDR:PORT or :PORT", ch == 'S' ?
		    "standalone" : "tls-alpn", log_esc(argv[optind]));
		return EXIT_USAGE;
	}
	optind++;
	return EXIT_OK;
}

/* --key-type. */
static int
opt_key_type(struct cfg_cert *c, const char *arg)
{
	static const struct {
		const char *name;
		enum key_type type;
		int bits;
	} types[] = { { "ec256", KEY_EC_P256, 0 }, { "ec384", KEY_EC_P384, 0 },
		{ "rsa2048", KEY_RSA, 2048 }, { "rsa3072", KEY_RSA, 3072 },
		{ "rsa4096", KEY_RSA, 4096 }, { "ed25519", KEY_ED25519, 0 } };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(arg, types[i].name) == 0) {
			c->key_type = types[i].type;
			c->key_bits = types[i].bits;
			return EXIT_OK;
		}
	log_error("--key-type '%s': use ec256, ec384, rsa2048, rsa3072, "
	    "rsa4096 or ed25519", log_esc(arg));
	return EXIT_USAGE;
}

/* --ca-bundle FILE. */
static int
opt_ca_bundle(struct cfg_issuer *is, const char *arg)
{
	size_t len;

	free(is->ca_bundle);
	is->ca_bundle = NULL;
	if (fs_read(arg, FS_READ_MAX, &is->ca_bundle, &len) < 0) {
		log_error("--ca-bundle %s: %s", arg, strerror(errno));
		return EXIT_USAGE;
	}
	is->ca_bundle_len = len;
	return EXIT_OK;
}

/* One option of issue's; EXIT_OK or EXIT_USAGE. */
static int
opt_one(struct adhoc *ad, int ch, int argc, char **argv)
{
	struct cfg_issuer *is = &ad->issuer;

	switch (ch) {
	case 'J':
		ad->json = true;
		return EXIT_OK;
	case 'j':
		return cmd_parse_jobs(optarg, &ad->jobs) < 0 ? EXIT_USAGE :
		    EXIT_OK;
	case 'd':
		return opt_name(ad, optarg);
	case 's':
		free(is->server);
		is->server = util_strdup(optarg);
		return EXIT_OK;
	case 'e':
		free(is->email);
		is->email = util_strdup(optarg);
		return EXIT_OK;
	case 'S':
	case 'T':
		return opt_listen(ad, ch, argc, argv);
	case 'w':
		ad->modes++;
		ad->solver.http_mode = HTTP01_WEBROOT;
		free(ad->solver.webroot);
		ad->solver.webroot = util_strdup(optarg);
		return EXIT_OK;
	case 'k':
		ad->key_type = true;
		return opt_key_type(&ad->cert, optarg);
	case 'C':
		free(ad->csr);
		ad->csr = util_strdup(optarg);
		return EXIT_OK;
	case 'b':
		return opt_ca_bundle(is, optarg);
	case 'o':
		free(ad->out);
		ad->out = util_strdup(optarg);
		return EXIT_OK;
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
adhoc_check(const struct adhoc *ad, int argc)
{
	const struct cfg_issuer *is = &ad->issuer;

	if (optind < argc) {
		log_error("names of configured Certificates cannot be mixed "
		    "with -d");
		return EXIT_USAGE;
	}
	if (is->server == NULL || strncmp(is->server, "https://", 8) != 0) {
		log_error("ad hoc issue needs --server with the CA's https:// "
		    "directory URL");
		return EXIT_USAGE;
	}
	if (ad->modes != 1) {
		log_error("ad hoc issue needs one of --standalone [ADDR:PORT], "
		    "--tls-alpn [ADDR:PORT] or --webroot DIR");
		return EXIT_USAGE;
	}
	if (ad->solver.webroot != NULL && ad->solver.webroot[0] != '/') {
		log_error("--webroot '%s' must be an absolute path",
		    log_esc(ad->solver.webroot));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Name the ad hoc issuer, account and certificate (after the first -d). */
static int
adhoc_name(struct adhoc *ad)
{
	struct cfg_issuer *is = &ad->issuer;
	struct cfg_cert *c = &ad->cert;
	char *p;

	is->name = util_strdup("ad-hoc");
	is->cluster = true;
	is->account_key.name = util_strdup(CONFIG_ADHOC_ACCOUNT);
	c->namespace = util_strdup("ad-hoc");
	/* The first name, with "*." spelled out, names the certificate. */
	c->name = strncmp(ad->first, "*.", 2) == 0 ?
	    util_printf("wildcard.%s", ad->first + 2) :
	    util_strdup(ad->first);
	for (p = c->name; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	c->secret_name = util_strdup(c->name);
	if (ad->out == NULL && strcmp(c->secret_name, is->account_key.name) == 0) {
		log_error("-d %s: the Secret %s is where ad hoc issue keeps its "
		    "account key; write the files elsewhere with -o DIR",
		    c->secret_name, c->secret_name);
		return EXIT_USAGE;
	}
	return EXIT_OK;
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
		{ "email", required_argument, NULL, 'e' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "tls-alpn", no_argument, NULL, 'T' },
		{ "webroot", required_argument, NULL, 'w' },
		{ "key-type", required_argument, NULL, 'k' },
		{ "ca-bundle", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ "csr", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	ad->cert.issuer = &ad->issuer;
	config_cert_defaults(&ad->cert);
	/*
	 * Ad hoc issue is acmec's own command line, not a Certificate: its
	 * default key is ECDSA P-256, as certbot's and lego's are.
	 */
	ad->cert.key_type = KEY_EC_P256;
	ad->cert.key_bits = 0;
	ad->solver.type = SOLVER_HTTP01;
	ad->solver.http_mode = HTTP01_STANDALONE;
	ad->solver.http_port = 80;
	ad->issuer.solvers = &ad->solver;
	ad->issuer.nsolvers = 1;
	while ((ch = getopt_long(argc, argv, "d:j:h", opts, NULL)) != -1) {
		if (ch != 'd' && ch != 'j' && ch != 'J' && ch != 'h' &&
		    ch != '?')
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

/* The names of the certificate in dir/tls.crt, else those c asks for. */
static void
json_names(cJSON *o, const struct cfg_cert *c, const char *dir)
{
	struct cert_chain chain = { 0 };
	struct ident_list ids = { 0 };
	cJSON *dns, *ips;
	char *path = util_printf("%s/tls.crt", dir), *pem = NULL;
	size_t i, len = 0;

	dns = cJSON_AddArrayToObject(o, "dnsNames");
	ips = cJSON_AddArrayToObject(o, "ipAddresses");
	if (fs_read(path, FS_READ_MAX, &pem, &len) == 0 &&
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

/* One Certificate's run as JSON: what was written where. */
static cJSON *
json_cert(const struct cfg_cert *c, const struct issue_report *r)
{
	const struct issue_files *in = &r->in_service;
	cJSON *o = cJSON_CreateObject(), *files;
	char date[32], *path;
	size_t i;

	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "namespace", c->namespace);
	cJSON_AddBoolToObject(o, "issued", r->result == ISSUE_DONE);
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
		json_names(o, c, r->dir);
	if (r->error != NULL || r->dir == NULL)
		cJSON_AddStringToObject(o, "error", r->error != NULL ?
		    r->error : "not run: acmec was stopped");
	return o;
}

/* issue --json: one document on stdout, for CI scripts. */
static void
json_print(const struct cfg_cert **certs, size_t n,
    const struct issue_report *reports, const struct issue_counts *counts)
{
	cJSON *doc = cJSON_CreateObject(), *list;
	char *text;
	size_t i;

	list = cJSON_AddArrayToObject(doc, "certificates");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, json_cert(certs[i], &reports[i]));
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
	issue_run(&st, certs, n, ad.jobs, true, ad.out, &counts, reports);
	if (n > 1 || counts.failed > 0)
		log_info("%zu issued, %zu failed", counts.done, counts.failed);
	if (ad.json)
		json_print(certs, n, reports, &counts);
	rc = counts.failed > 0 ? EXIT_FAILED : EXIT_OK;
out:
	for (i = 0; reports != NULL && i < n; i++)
		issue_report_free(&reports[i]);
	free(reports);
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
	free(ad.first);
	free(ad.csr);
	return rc;
}
