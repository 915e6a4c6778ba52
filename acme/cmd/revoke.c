/*
 * acmec revoke: revoke a certificate (RFC 8555 §7.6), signed by the
 * issuer's account or by the certificate's own key (keyCompromise).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/account.h"
#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/fs.h"
#include "acme/log.h"
#include "acme/acme.h"
#include "acme/status.h"
#include "acme/store.h"
#include "crypto/cert.h"
#include "crypto/err.h"
#include "crypto/key.h"

/* RFC 5280 §5.3.1 reason codes ACME CAs accept. */
static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "unspecified", 0 },
	{ "keyCompromise", 1 },
	{ "affiliationChanged", 3 },
	{ "superseded", 4 },
	{ "cessationOfOperation", 5 },
};

static const char *
argv_reason(int code)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return "?";
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] revoke NAME [--reason R] [--key FILE]\n"
	    "       acmec [-c CONFIG] revoke --cert FILE (--issuer NAME | "
	    "--server URL [--ca-bundle FILE])\n"
	    "             [--reason R] [--key FILE]\n"
	    "\n"
	    "R: unspecified, keyCompromise, affiliationChanged, superseded, "
	    "cessationOfOperation.\n"
	    "Signed by the issuer's account, or with --key by the "
	    "certificate's own key\n"
	    "(which needs no account: the path for a compromised key).\n");
}

static int
read_file(const char *path, const char *what, char **data, size_t *len)
{
	if (fs_read(path, FS_READ_MAX, data, len) < 0) {
		log_error("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Is der the leaf of c's certificate in service? */
static bool
in_service(const struct store *st, const struct cfg_cert *c,
    const unsigned char *der, size_t derlen)
{
	struct cert_chain chain = { 0 };
	char *path = store_secret_path(st, c->secret_name, "tls.crt");
	char *pem = NULL;
	unsigned char *d = NULL;
	size_t len = 0, dlen = 0;
	bool same = false;

	if (fs_read(path, FS_READ_MAX, &pem, &len) == 0 &&
	    cert_chain_parse(pem, len, &chain) == 0 &&
	    cert_to_der(chain.v[0], &d, &dlen) == 0)
		same = dlen == derlen && memcmp(d, der, derlen) == 0;
	cert_chain_free(&chain);
	free(pem);
	free(path);
	free(d);
	return same;
}

/*
 * The certificate revoked (der, serial) is out of service: record it for
 * the Certificate named (c), or for any whose certificate in service it
 * is, so that status says so and renew replaces it.
 */
static void
record_revoked(const struct store *st, const struct config *cfg,
    const struct cfg_cert *c, const unsigned char *der, size_t derlen,
    const char *serial, const char *reason)
{
	size_t i;
	int fd = -1;

	for (i = 0; serial != NULL && i < (c ? 1 : cfg->ncerts); i++) {
		const struct cfg_cert *x = c ? c : &cfg->certs[i];

		if (c == NULL && (!config_cert_runs(x) ||
		    !in_service(st, x, der, derlen)))
			continue; /* a skipped Certificate is not acmec's */
		if (store_lock_cert(st, x->namespace, x->name, 1, &fd) < 0)
			continue;
		if (status_record_revoked(st, x, serial, reason) == 0)
			log_info("%s: its certificate is revoked and out of "
			    "service; 'acmec renew' replaces it", x->name);
		fs_unlock(fd);
	}
}

/* What the command line asks. */
struct revoke_args {
	const char *name;       /* a Certificate, or NULL with certfile */
	const char *certfile, *keyfile, *issuer, *server, *bundlefile;
	int reason;             /* RFC 5280 code, -1: none given */
	bool help;
};

static int check_args(const struct revoke_args *ra);

/* EXIT_OK with ra filled (ra->help: usage printed), or EXIT_USAGE. */
static int
parse_args(int argc, char **argv, struct revoke_args *ra)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'k' },
		{ "reason", required_argument, NULL, 'r' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "server", required_argument, NULL, 's' },
		{ "ca-bundle", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int ch;

	memset(ra, 0, sizeof(*ra));
	ra->reason = -1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			ra->certfile = optarg;
			break;
		case 'k':
			ra->keyfile = optarg;
			break;
		case 'r':
			for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]);
			    i++)
				if (strcmp(optarg, reasons[i].name) == 0)
					ra->reason = reasons[i].code;
			if (ra->reason < 0) {
				log_error("--reason '%s': use unspecified, "
				    "keyCompromise, affiliationChanged, "
				    "superseded or cessationOfOperation",
				    log_esc(optarg));
				return EXIT_USAGE;
			}
			break;
		case 'i':
			ra->issuer = optarg;
			break;
		case 's':
			ra->server = optarg;
			break;
		case 'b':
			ra->bundlefile = optarg;
			break;
		case 'h':
			usage(stdout);
			ra->help = true;
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((ra->certfile == NULL) == (optind >= argc) || argc - optind > 1) {
		log_error("give one Certificate NAME, or --cert FILE");
		usage(stderr);
		return EXIT_USAGE;
	}
	ra->name = optind < argc ? argv[optind] : NULL;
	return check_args(ra);
}

/* The combinations of options that make sense. */
static int
check_args(const struct revoke_args *ra)
{
	if (ra->server != NULL && (ra->issuer != NULL ||
	    ra->certfile == NULL)) {
		log_error("--server goes with --cert, instead of --issuer");
		return EXIT_USAGE;
	}
	if (ra->server != NULL && ra->keyfile == NULL) {
		log_error("with --server and no issuer there is no account: "
		    "sign with the certificate's key (--key FILE)");
		return EXIT_USAGE;
	}
	if (ra->certfile != NULL && ra->server == NULL && ra->issuer == NULL) {
		log_error("--cert needs --issuer NAME (or --server URL with "
		    "--key)");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * Which certificate file and issuer: the named Certificate's tls.crt and
 * its issuer, or --cert with --issuer.  *path (caller frees) holds the
 * file name in the first case.  EXIT_OK or EXIT_USAGE (reported).
 */
static int
find_target(const struct globals *g, const struct revoke_args *ra,
    const struct config *cfg, const struct store *st,
    const struct cfg_cert **c, const struct cfg_issuer **is, char **path)
{
	bool amb;

	if (ra->name != NULL) {
		if ((*c = config_find_cert(cfg, ra->name, &amb)) == NULL) {
			log_error("%s: %s", ra->name, amb ? "several "
			    "namespaces have a Certificate of this name; write "
			    "NAMESPACE/NAME" : "no Certificate of this name");
			return EXIT_USAGE;
		}
		if (!cmd_cert_runs(*c))
			return EXIT_USAGE;
		*is = (*c)->issuer;
		if ((*is)->type != ISSUER_ACME) {
			log_error("%s: signed by acmec itself (a %s issuer): "
			    "no CA keeps a revocation list for it; remove its "
			    "Secret, or renew it with --force", (*c)->name,
			    config_issuer_type_name((*is)->type));
			return EXIT_USAGE;
		}
		*path = store_secret_path(st, (*c)->secret_name, "tls.crt");
	} else if (ra->issuer != NULL &&
	    (*is = cmd_find_issuer(g, cfg, ra->issuer)) == NULL) {
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * The certificate to revoke (its chain) and, with keyfile, its own key,
 * which must match; errors reported.
 */
static int
load_target(const char *certfile, const char *keyfile,
    struct cert_chain *chain, struct key **key)
{
	char *pem = NULL, *keypem = NULL;
	size_t len = 0, keylen = 0;
	int rc = -1;

	if (read_file(certfile, "certificate", &pem, &len) < 0)
		goto out;
	if (cert_chain_parse(pem, len, chain) < 0) {
		log_error("%s: %s", certfile, log_esc(crypto_error()));
		goto out;
	}
	if (keyfile != NULL) {
		if (read_file(keyfile, "key", &keypem, &keylen) < 0)
			goto out;
		if ((*key = key_load_pem(keypem, keylen)) == NULL) {
			log_error("%s: %s", keyfile, crypto_error());
			goto out;
		}
		if (!cert_matches_key(chain->v[0], *key)) {
			log_error("%s is not the key of %s", keyfile, certfile);
			goto out;
		}
	}
	rc = 0;
out:
	crypto_secret_free(keypem, keylen);
	free(pem);
	return rc;
}

/*
 * Connect to the CA (is's, or ra->server with its bundle) and take the
 * key that signs: the certificate's own (key), or the issuer's account
 * (*account, loaded here).  Errors reported.
 */
static int
connect_signer(const struct revoke_args *ra, const struct cfg_issuer *is,
    const struct store *st, struct key *key, struct acme *a,
    struct key **account)
{
	struct acme_problem prob = { 0 };
	char *bundle = NULL;
	size_t bundlelen = 0;
	int rc = -1;

	if (ra->bundlefile != NULL && read_file(ra->bundlefile, "CA bundle",
	    &bundle, &bundlelen) < 0)
		goto out;
	if (acme_open(a, ra->server ? ra->server : is->server, is ?
	    is->ca_bundle : bundle, is ? is->ca_bundle_len : bundlelen, is ?
	    is->skip_tls_verify : false, &prob) < 0) {
		acme_problem_report(&prob, "revoking");
		goto out;
	}
	/* The certificate's key speaks for itself: jwk, no account. */
	if (key != NULL)
		a->key = key;
	else if (account_ensure(a, is, st, account) < 0)
		goto out;
	rc = 0;
out:
	acme_problem_free(&prob);
	free(bundle);
	return rc;
}

/* Revoke, say so and record it; EXIT_OK or EXIT_FAILED. */
static int
revoke(struct acme *a, const struct revoke_args *ra, const char *certfile,
    const struct store *st, const struct config *cfg,
    const struct cfg_cert *c, const struct cert_chain *chain, bool own_key)
{
	struct acme_problem prob = { 0 };
	unsigned char *der = NULL;
	char *serial = cert_serial_hex(chain->v[0]);
	const char *why = ra->reason >= 0 ? argv_reason(ra->reason) : NULL;
	size_t derlen = 0;
	int rc = EXIT_FAILED;

	if (cert_to_der(chain->v[0], &der, &derlen) < 0) {
		log_error("%s: %s", certfile, crypto_error());
		goto out;
	}
	if (account_revoke(a, chain->v[0], ra->reason, &prob) < 0) {
		if (strcmp(acme_problem_short(&prob), "alreadyRevoked") == 0) {
			log_error("certificate %s (serial %s) is already "
			    "revoked", certfile, serial ? serial : "?");
			record_revoked(st, cfg, c, der, derlen, serial, NULL);
		} else {
			acme_problem_report(&prob, "revoking");
		}
		goto out;
	}
	log_info("revoked certificate %s (serial %s)%s%s, signed by %s",
	    certfile, serial ? serial : "?", why ? ", reason " : "",
	    why ? why : "", own_key ? "its own key" : "the account");
	record_revoked(st, cfg, c, der, derlen, serial, why);
	rc = EXIT_OK;
out:
	acme_problem_free(&prob);
	free(serial);
	free(der);
	return rc;
}

int
cmd_revoke(const struct globals *g, int argc, char **argv)
{
	struct revoke_args ra;
	struct config cfg = { 0 };
	struct store st = { 0 };
	struct cert_chain chain = { 0 };
	struct acme a;
	const struct cfg_issuer *is = NULL;
	const struct cfg_cert *c = NULL;
	struct key *key = NULL, *account = NULL;
	char *path = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = parse_args(argc, argv, &ra)) != EXIT_OK || ra.help)
		return rc;
	rc = EXIT_USAGE;
	/* With --server, the configuration only tells which Certificate's
	 * file this may be. */
	if ((ra.server == NULL || g->config_given) &&
	    config_load(g->config, &cfg) < 0)
		goto out;
	if (store_open(&st, g->statedir, g->secretsdir) < 0) {
		rc = EXIT_FAILED;
		goto out;
	}
	if ((rc = find_target(g, &ra, &cfg, &st, &c, &is, &path)) != EXIT_OK)
		goto out;
	rc = EXIT_FAILED;
	if (load_target(path ? path : ra.certfile, ra.keyfile, &chain,
	    &key) < 0 || connect_signer(&ra, is, &st, key, &a, &account) < 0)
		goto out;
	rc = revoke(&a, &ra, path ? path : ra.certfile, &st, &cfg, c, &chain,
	    key != NULL);
out:
	acme_close(&a);
	key_free(key);
	key_free(account);
	cert_chain_free(&chain);
	free(path);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
