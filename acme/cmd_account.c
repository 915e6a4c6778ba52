/* acmec account register|show|update|rekey|deactivate --issuer NAME */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/account.h"
#include "acme/cmd.h"
#include "acme/config.h"
#include "acme/log.h"
#include "acme/proto.h"
#include "acme/store.h"
#include "crypto/key.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec [-c CONFIG] account register --issuer NAME\n"
	    "       acmec [-c CONFIG] account show --issuer NAME\n"
	    "       acmec [-c CONFIG] account update --issuer NAME --email "
	    "ADDR\n"
	    "       acmec [-c CONFIG] account rekey --issuer NAME\n"
	    "       acmec [-c CONFIG] account deactivate --issuer NAME\n");
}

int
cmd_account(const struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "email", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const actions[] = { "register", "show", "update",
		"rekey", "deactivate", NULL };
	struct acme_problem prob = { 0 };
	struct config cfg = { 0 };
	struct store st = { 0 };
	struct strlist contacts = { 0 };
	const struct cfg_issuer *is = NULL;
	const char *issuer = NULL, *email = NULL, *action;
	struct key *key = NULL;
	struct acme a;
	char *status = NULL;
	int ch, rc = EXIT_USAGE;
	bool opened = false;
	size_t i;

	memset(&a, 0, sizeof(a));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			issuer = optarg;
			break;
		case 'e':
			email = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	action = argv[optind];
	for (i = 0; actions[i] != NULL; i++)
		if (strcmp(action, actions[i]) == 0)
			break;
	if (actions[i] == NULL || issuer == NULL) {
		log_error(actions[i] == NULL ? "account: unknown action '%s'" :
		    "account %s: give --issuer NAME", log_esc(action));
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((strcmp(action, "update") == 0) != (email != NULL)) {
		log_error("--email goes with update, and update needs it");
		return EXIT_USAGE;
	}
	if (config_load(g->config, &cfg) < 0)
		goto out;
	for (i = 0; i < cfg.nissuers; i++)
		if (strcmp(cfg.issuers[i].name, issuer) == 0)
			is = &cfg.issuers[i];
	if (is == NULL) {
		log_error("--issuer %s: no such issuer in %s", log_esc(issuer),
		    g->config);
		goto out;
	}
	rc = EXIT_FAILED;
	if (store_open(&st, g->statedir, g->secretsdir) < 0)
		goto out;
	if (acme_open(&a, is->server, is->ca_bundle, is->ca_bundle_len,
	    is->skip_tls_verify, &prob) < 0) {
		acme_problem_report(&prob, "account");
		goto out;
	}
	opened = true;
	if (account_ensure(&a, is, &st, &key) < 0)
		goto out;
	if (strcmp(action, "register") == 0) {
		printf("%s\n", a.kid);
	} else if (strcmp(action, "show") == 0) {
		if (account_fetch(&a, &status, &contacts) < 0)
			goto out;
		printf("URL:      %s\nStatus:   %s\nContact: ", a.kid,
		    log_esc(status));
		for (i = 0; i < contacts.n; i++)
			printf(" %s", log_esc(contacts.v[i]));
		printf("%s\nServer:   %s\n", contacts.n ? "" : " -",
		    is->server);
	} else if (strcmp(action, "update") == 0) {
		if (account_update_email(&a, email) < 0)
			goto out;
		log_info("account %s: contact is now mailto:%s", a.kid, email);
	} else if (strcmp(action, "rekey") == 0) {
		if (account_rekey(&a, is, &st, &key) < 0)
			goto out;
		log_info("account %s: new key in place", a.kid);
	} else {
		if (account_deactivate(&a, is, &st) < 0)
			goto out;
		log_info("account %s: deactivated; the next use registers a "
		    "new account", a.kid);
	}
	rc = EXIT_OK;
out:
	acme_problem_free(&prob);
	strlist_free(&contacts);
	free(status);
	if (opened) {
		a.key = NULL;
		acme_close(&a);
	}
	key_free(key);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
