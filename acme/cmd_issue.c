/*
 * acmec issue: obtain certificates now, due or not -- the Certificates of
 * the configuration (all, or those named), or one described by flags alone.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/account.h"
#include "acme/cmd.h"
#include "acme/config.h"
#include "acme/fsutil.h"
#include "acme/hook.h"
#include "acme/log.h"
#include "acme/order.h"
#include "acme/proto.h"
#include "acme/store.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/key.h"

#define DEPLOY_HOOK_TIMEOUT 300

/* An open session per issuer, shared by its certificates. */
struct session {
	const struct cfg_issuer *issuer;
	struct acme acme;
	struct key *account_key;
	bool failed;
};

struct run {
	const struct globals *g;
	struct store st;
	struct session *sessions;
	size_t nsessions;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] issue [NAME...]\n"
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

/* The session for is, opened (and its account made ready) on first use. */
static struct session *
session_for(struct run *run, const struct cfg_issuer *is)
{
	struct acme_problem prob = { 0 };
	struct session *s;
	size_t i;

	for (i = 0; i < run->nsessions; i++)
		if (run->sessions[i].issuer == is)
			return run->sessions[i].failed ? NULL :
			    &run->sessions[i];
	run->sessions = util_realloc(run->sessions, run->nsessions + 1,
	    sizeof(*run->sessions));
	s = &run->sessions[run->nsessions++];
	memset(s, 0, sizeof(*s));
	s->issuer = is;
	if (is->skip_tls_verify)
		log_warn("issuer '%s' sets skipTLSVerify: the ACME server's "
		    "identity is NOT checked; anyone on the path can issue "
		    "in its name", is->name);
	if (acme_open(&s->acme, is->server, is->ca_bundle, is->ca_bundle_len,
	    is->skip_tls_verify, &prob) < 0) {
		char *what = util_printf("issuer '%s'", is->name);

		acme_problem_report(&prob, what);
		free(what);
		acme_problem_free(&prob);
		s->failed = true;
		return NULL;
	}
	if (account_ensure(&s->acme, is, &run->st, &s->account_key) < 0) {
		s->failed = true;
		return NULL;
	}
	return s;
}

/*
 * The key for the new certificate: the one in service if rotationPolicy is
 * Never and it still fits, a new one otherwise.
 */
static struct key *
cert_key(const struct cfg_cert *c, const char *dir)
{
	char *path = util_printf("%s/tls.key", dir), *pem = NULL;
	struct key *key = NULL;
	size_t len = 0;

	if (!c->rotate_always && fs_read(path, 1024 * 1024, &pem, &len) == 0) {
		key = key_load_pem(pem, len);
		crypto_secret_free(pem, len);
		if (key != NULL && (key_get_type(key) != c->key_type ||
		    (c->key_type == KEY_RSA &&
		    key_bits(key) != c->key_bits))) {
			log_info("%s: the key in service does not match "
			    "privateKey; generating a new one", c->name);
			key_free(key);
			key = NULL;
		}
	}
	free(path);
	if (key != NULL)
		return key;
	if ((key = key_generate(c->key_type, c->key_bits)) == NULL)
		log_error("%s: cannot generate the key: %s", c->name,
		    crypto_error());
	return key;
}

/* Write the certificate's files as one set, then run its deploy hook. */
static int
publish(const struct cfg_cert *c, const char *dir, const struct key *key,
    const struct order_result *res)
{
	struct fs_file files[5];
	struct buf combined = { 0 };
	char *keypem = NULL, *capem = NULL, *env[3];
	unsigned char *keyder = NULL;
	size_t keylen = 0, calen = 0, derlen = 0, n = 0, i;
	struct strlist envl = { 0 };
	struct buf names = { 0 };
	int rc = -1;

	if (key_save_pem(key, c->key_encoding, &keypem, &keylen) < 0 ||
	    cert_to_pem(res->chain.v[res->chain.n - 1], &capem, &calen) < 0 ||
	    (c->out_der && key_save_der(key, c->key_encoding, &keyder,
	    &derlen) < 0)) {
		log_error("%s: %s", c->name, crypto_error());
		goto out;
	}
	files[n++] = (struct fs_file){ "tls.crt", res->chain_pem,
		res->chain_len, 0644 };
	files[n++] = (struct fs_file){ "tls.key", keypem, keylen, 0600 };
	files[n++] = (struct fs_file){ "ca.crt", capem, calen, 0644 };
	if (c->out_combined) {
		buf_add(&combined, keypem, keylen);
		buf_add(&combined, res->chain_pem, res->chain_len);
		files[n++] = (struct fs_file){ "tls-combined.pem",
			combined.data, combined.len, 0600 };
	}
	if (c->out_der)
		files[n++] = (struct fs_file){ "key.der", keyder, derlen,
			0600 };
	if (fs_publish(dir, files, n) < 0) {
		log_error("%s: cannot write %s: %s; the files in service are "
		    "unchanged", c->name, dir, strerror(errno));
		goto out;
	}
	rc = 0;
	if (c->deploy_hook.n == 0)
		goto out;
	for (i = 0; i < c->dns_names.n; i++) {
		if (i > 0)
			buf_addstr(&names, " ");
		buf_addstr(&names, c->dns_names.v[i]);
	}
	env[0] = util_printf("ACMEC_CERT_NAME=%s", c->name);
	env[1] = util_printf("ACMEC_SECRET_DIR=%s", dir);
	env[2] = util_printf("ACMEC_DNS_NAMES=%s", names.data ? names.data :
	    "");
	for (i = 0; i < 3; i++) {
		strlist_add(&envl, env[i]);
		free(env[i]);
	}
	if (hook_run(&c->deploy_hook, c->deploy_hook_shell, &envl,
	    DEPLOY_HOOK_TIMEOUT, "deploy hook") != 0) {
		log_error("%s: the new certificate is in place, but its deploy "
		    "hook failed", c->name);
		rc = -1;
	}
out:
	strlist_free(&envl);
	buf_free(&names);
	if (combined.data != NULL)
		explicit_bzero(combined.data, combined.cap);
	buf_free(&combined);
	crypto_secret_free(keypem, keylen);
	crypto_secret_free(keyder, derlen);
	free(capem);
	return rc;
}

static int
issue_one(struct run *run, const struct cfg_cert *c, const char *outdir)
{
	struct order_result res = { 0 };
	struct session *s;
	struct key *key = NULL;
	char *dir, *lockname, date[32];
	time_t na;
	int lockfd = -1, rc = -1;

	dir = outdir ? util_strdup(outdir) :
	    store_secret_dir(&run->st, c->secret_name);
	lockname = util_printf("certificate-%s-%s", c->namespace, c->name);
	if (store_lock(&run->st, lockname, 0, &lockfd) < 0)
		goto out;
	if ((s = session_for(run, c->issuer)) == NULL)
		goto out;
	if ((key = cert_key(c, dir)) == NULL)
		goto out;
	log_info("%s: ordering from %s", c->name, log_esc(c->issuer->server));
	if (order_run(&s->acme, c, key, run->st.secretsdir, &res) < 0) {
		log_error("%s: not issued; the files in %s are unchanged",
		    c->name, dir);
		goto out;
	}
	if (publish(c, dir, key, &res) < 0)
		goto out;
	na = cert_not_after(res.chain.v[0]);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&na));
	log_info("%s: issued, valid until %s, in %s", c->name, date, dir);
	rc = 0;
out:
	order_result_free(&res);
	key_free(key);
	fs_unlock(lockfd);
	free(lockname);
	free(dir);
	return rc;
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
	struct cfg_issuer issuer;
	struct cfg_solver solver;
	struct cfg_cert cert;
	char *out;
};

/* Build an issuer and certificate from flags; EXIT_OK or EXIT_USAGE. */
static int
adhoc_parse(int argc, char **argv, struct adhoc *ad)
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
	while ((ch = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (ch) {
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
	if (optind < argc) {
		log_error("names of configured Certificates cannot be mixed "
		    "with -d");
		free(first);
		return EXIT_USAGE;
	}
	if (first == NULL) {
		log_error("ad hoc issue needs at least one -d NAME");
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
	is->account_key.name = util_strdup("acmec-adhoc-account");
	c->namespace = util_strdup("ad-hoc");
	/* The first name, with "*." spelled out, names the certificate. */
	c->name = strncmp(first, "*.", 2) == 0 ?
	    util_printf("wildcard.%s", first + 2) : util_strdup(first);
	for (norm = c->name; *norm != '\0'; norm++)
		if (*norm == ':')
			*norm = '-';
	c->secret_name = util_strdup(c->name);
	free(first);
	return EXIT_OK;
}

int
cmd_issue(const struct globals *g, int argc, char **argv)
{
	struct run run = { 0 };
	struct config cfg = { 0 };
	struct adhoc ad = { 0 };
	const struct cfg_cert *c;
	bool adhoc = false, amb;
	size_t i, ok = 0, failed = 0;
	int rc = EXIT_OK, a;

	run.g = g;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--help") == 0 ||
		    strcmp(argv[a], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argv[a][0] == '-')
			adhoc = true;
	}
	if (adhoc) {
		if ((rc = adhoc_parse(argc, argv, &ad)) != EXIT_OK)
			goto out;
	} else if (config_load(g->config, &cfg) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* Every name must exist before anything is done. */
	for (a = 1; !adhoc && a < argc; a++)
		if (config_find_cert(&cfg, argv[a], &amb) == NULL) {
			log_error("%s: %s", argv[a], amb ? "several namespaces "
			    "have a Certificate of this name; write "
			    "NAMESPACE/NAME" : "no Certificate of this name in "
			    "the configuration");
			rc = EXIT_USAGE;
			goto out;
		}
	if (!adhoc && cfg.ncerts == 0) {
		log_error("%s has no Certificate to issue", g->config);
		rc = EXIT_USAGE;
		goto out;
	}
	if (store_open(&run.st, g->statedir, g->secretsdir) < 0) {
		rc = EXIT_FAILED;
		goto out;
	}
	if (adhoc) {
		if (issue_one(&run, &ad.cert, ad.out) == 0)
			ok++;
		else
			failed++;
	} else if (argc > 1) {
		for (a = 1; a < argc && !util_interrupted(); a++) {
			c = config_find_cert(&cfg, argv[a], &amb);
			if (issue_one(&run, c, NULL) == 0)
				ok++;
			else
				failed++;
		}
	} else {
		for (i = 0; i < cfg.ncerts && !util_interrupted(); i++) {
			if (issue_one(&run, &cfg.certs[i], NULL) == 0)
				ok++;
			else
				failed++;
		}
	}
	for (i = 0; i < run.nsessions; i++) {
		long reqs, conns;

		if (run.sessions[i].acme.http != NULL) {
			http_counters(run.sessions[i].acme.http, &reqs, &conns);
			log_debug("issuer '%s': %ld HTTP requests, %ld "
			    "connections", run.sessions[i].issuer->name, reqs,
			    conns);
		}
	}
	if (ok + failed > 1 || failed > 0)
		log_info("%zu issued, %zu failed", ok, failed);
	rc = failed > 0 ? EXIT_FAILED : EXIT_OK;
out:
	for (i = 0; i < run.nsessions; i++) {
		acme_close(&run.sessions[i].acme);
		key_free(run.sessions[i].account_key);
	}
	free(run.sessions);
	store_close(&run.st);
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
