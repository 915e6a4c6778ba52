/*
 * acmec revoke: revoke a certificate (RFC 8555 §7.6), signed by the
 * issuer's account or by the certificate's own key (keyCompromise).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "acme/account.h"
#include "acme/cmd.h"
#include "acme/config/config.h"
#include "acme/fsutil.h"
#include "acme/log.h"
#include "acme/proto.h"
#include "acme/status.h"
#include "acme/store.h"
#include "crypto/b64.h"
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
	if (fs_read(path, 1024 * 1024, data, len) < 0) {
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

	if (fs_read(path, 1024 * 1024, &pem, &len) == 0 &&
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

		if (c == NULL && !in_service(st, x, der, derlen))
			continue;
		if (store_lock_cert(st, x->namespace, x->name, 1, &fd) < 0)
			continue;
		if (status_record_revoked(st, x, serial, reason) == 0)
			log_info("%s: its certificate is revoked and out of "
			    "service; 'acmec renew' replaces it", x->name);
		fs_unlock(fd);
	}
}

int
cmd_revoke(const struct globals *g, int argc, char **argv)
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
	const char *certfile = NULL, *keyfile = NULL, *issuer_name = NULL;
	const char *server = NULL, *bundlefile = NULL;
	struct acme_problem prob = { 0 };
	struct config cfg = { 0 };
	struct store st = { 0 };
	struct cert_chain chain = { 0 };
	struct acme a;
	struct http_resp r;
	const struct cfg_issuer *is = NULL;
	const struct cfg_cert *c = NULL;
	struct key *key = NULL, *account = NULL;
	char *pem = NULL, *keypem = NULL, *bundle = NULL, *path = NULL;
	char *der64 = NULL, *payload = NULL, *serial = NULL;
	unsigned char *der = NULL;
	size_t len = 0, keylen = 0, bundlelen = 0, derlen = 0, i;
	int ch, reason = -1, rc = EXIT_USAGE;
	bool amb, opened = false;
	cJSON *p;

	memset(&a, 0, sizeof(a));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			certfile = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'r':
			for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]);
			    i++)
				if (strcmp(optarg, reasons[i].name) == 0)
					reason = reasons[i].code;
			if (reason < 0) {
				log_error("--reason '%s': use unspecified, "
				    "keyCompromise, affiliationChanged, "
				    "superseded or cessationOfOperation",
				    log_esc(optarg));
				return EXIT_USAGE;
			}
			break;
		case 'i':
			issuer_name = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'b':
			bundlefile = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((certfile == NULL) == (optind >= argc) || argc - optind > 1) {
		log_error("give one Certificate NAME, or --cert FILE");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (server != NULL && (issuer_name != NULL || certfile == NULL)) {
		log_error("--server goes with --cert, instead of --issuer");
		return EXIT_USAGE;
	}
	if (server != NULL && keyfile == NULL) {
		log_error("with --server and no issuer there is no account: "
		    "sign with the certificate's key (--key FILE)");
		return EXIT_USAGE;
	}
	if (certfile != NULL && server == NULL && issuer_name == NULL) {
		log_error("--cert needs --issuer NAME (or --server URL with "
		    "--key)");
		return EXIT_USAGE;
	}
	/* With --server, the configuration only tells which Certificate's
	 * file this may be. */
	if ((server == NULL || g->config_given) &&
	    config_load(g->config, &cfg) < 0)
		goto out;
	if (store_open(&st, g->statedir, g->secretsdir) < 0) {
		rc = EXIT_FAILED;
		goto out;
	}
	if (certfile == NULL) {
		if ((c = config_find_cert(&cfg, argv[optind], &amb)) == NULL) {
			log_error("%s: %s", argv[optind], amb ? "several "
			    "namespaces have a Certificate of this name; write "
			    "NAMESPACE/NAME" : "no Certificate of this name");
			goto out;
		}
		is = c->issuer;
		path = util_printf("%s/%s/tls.crt", st.secretsdir,
		    c->secret_name);
		certfile = path;
	} else if (issuer_name != NULL) {
		if ((is = config_find_issuer_arg(&cfg, issuer_name,
		    &amb)) == NULL) {
			log_error("--issuer %s: %s%s", log_esc(issuer_name),
			    amb ? "Issuers of several namespaces have this "
			    "name; write NAMESPACE/NAME" : "no such issuer in ",
			    amb ? "" : g->config);
			goto out;
		}
	}
	rc = EXIT_FAILED;
	if (read_file(certfile, "certificate", &pem, &len) < 0)
		goto out;
	if (cert_chain_parse(pem, len, &chain) < 0) {
		log_error("%s: %s", certfile, crypto_error());
		goto out;
	}
	if (cert_to_der(chain.v[0], &der, &derlen) < 0 ||
	    (der64 = b64_url_encode(der, derlen)) == NULL) {
		log_error("%s: %s", certfile, crypto_error());
		goto out;
	}
	serial = cert_serial_hex(chain.v[0]);
	if (keyfile != NULL) {
		if (read_file(keyfile, "key", &keypem, &keylen) < 0)
			goto out;
		if ((key = key_load_pem(keypem, keylen)) == NULL) {
			log_error("%s: %s", keyfile, crypto_error());
			goto out;
		}
		if (!cert_matches_key(chain.v[0], key)) {
			log_error("%s is not the key of %s", keyfile, certfile);
			goto out;
		}
	}
	if (bundlefile != NULL &&
	    read_file(bundlefile, "CA bundle", &bundle, &bundlelen) < 0)
		goto out;
	if (acme_open(&a, server ? server : is->server, is ? is->ca_bundle :
	    bundle, is ? is->ca_bundle_len : bundlelen, is ?
	    is->skip_tls_verify : false, &prob) < 0) {
		acme_problem_report(&prob, "revoking");
		goto out;
	}
	opened = true;
	if (key != NULL) {
		/* The certificate's key speaks for itself: jwk, no account. */
		a.key = key;
	} else if (account_ensure(&a, is, &st, &account) < 0) {
		goto out;
	}
	if (a.dir.revoke_cert == NULL) {
		log_error("the CA's directory has no revokeCert");
		goto out;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "certificate", der64);
	if (reason >= 0)
		cJSON_AddNumberToObject(p, "reason", reason);
	payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	if (acme_post(&a, a.dir.revoke_cert, payload, NULL, &r, &prob) < 0) {
		if (strcmp(acme_problem_short(&prob), "alreadyRevoked") == 0) {
			log_error("certificate %s (serial %s) is already "
			    "revoked", certfile, serial ? serial : "?");
			record_revoked(&st, &cfg, c, der, derlen, serial, NULL);
		} else {
			acme_problem_report(&prob, "revoking");
		}
		goto out;
	}
	http_resp_free(&r);
	log_info("revoked certificate %s (serial %s)%s%s, signed by %s",
	    certfile, serial ? serial : "?", reason >= 0 ? ", reason " : "",
	    reason >= 0 ? argv_reason(reason) : "", key ? "its own key" :
	    "the account");
	record_revoked(&st, &cfg, c, der, derlen, serial, reason >= 0 ?
	    argv_reason(reason) : NULL);
	rc = EXIT_OK;
out:
	acme_problem_free(&prob);
	if (opened) {
		a.key = NULL;
		acme_close(&a);
	}
	key_free(key);
	key_free(account);
	cert_chain_free(&chain);
	crypto_secret_free(keypem, keylen);
	free(pem);
	free(bundle);
	free(path);
	free(der);
	free(der64);
	free(serial);
	cJSON_free(payload);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
