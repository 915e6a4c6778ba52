/* acmec account register|show|update|rekey|deactivate --issuer NAME */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/account.h"
#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/log.h"
#include "acme/acme.h"
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
	    "       acmec [-c CONFIG] account rekey --issuer NAME "
	    "[--key-type TYPE]\n"
	    "       acmec [-c CONFIG] account deactivate --issuer NAME\n");
}

/* s as one shell word. */
static void
add_word(struct buf *b, const char *s)
{
	const char *p;

	buf_addstr(b, " ");
	if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._-+=:,@%")] == '\0' && *s != '\0') {
		buf_addstr(b, s);
		return;
	}
	buf_addstr(b, "'");
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			buf_addstr(b, "'\\''");
		else
			buf_add(b, p, 1);
	buf_addstr(b, "'");
}

/* Say why there is no account of is, and the command that registers one. */
static void
no_account(const struct globals *g, const struct cfg_issuer *is,
    const struct store *st, enum account_none why)
{
	struct buf cmd = { 0 };
	char *path = account_key_where(is, st);

	buf_addstr(&cmd, "acmec");
	add_word(&cmd, "-c");
	add_word(&cmd, g->config);
	add_word(&cmd, "-s");
	add_word(&cmd, g->statedir);
	if (g->secretsdir != NULL) {
		add_word(&cmd, "--secrets-dir");
		add_word(&cmd, g->secretsdir);
	}
	add_word(&cmd, "account");
	add_word(&cmd, "register");
	add_word(&cmd, "--issuer");
	add_word(&cmd, is->name);
	if (why == ACCOUNT_DEACTIVATED)
		log_error("the account of issuer '%s' is deactivated (its key "
		    "is kept as %s.deactivated); to register a new account: "
		    "%s", is->name, path, log_esc(cmd.data));
	else if (why == ACCOUNT_NO_KEY)
		log_error("issuer '%s' has no account yet (no key %s); to "
		    "register one: %s", is->name, path, log_esc(cmd.data));
	else
		log_error("the CA knows no account with the key %s of issuer "
		    "'%s'; to register one: %s", path, is->name,
		    log_esc(cmd.data));
	buf_free(&cmd);
	free(path);
}

/*
 * Make a's account the issuer's: register creates it if need be, the other
 * actions want one that exists, and show writes nothing at all.  Nothing
 * is created before the CA's directory has been read.
 */
static int
open_account(const struct globals *g, const char *action, struct acme *a,
    const struct cfg_issuer *is, struct store *st, struct key **key)
{
	enum account_none why;
	int found;

	if (strcmp(action, "register") == 0)
		return account_can_register(a, is, st) < 0 ||
		    store_open(st, g->statedir, g->secretsdir) < 0 ||
		    account_ensure(a, is, st, key) < 0 ? -1 : 0;
	if (strcmp(action, "show") != 0 &&
	    store_open(st, g->statedir, g->secretsdir) < 0)
		return -1;
	if ((found = account_find(a, is, st, key, &why)) > 0)
		no_account(g, is, st, why);
	return found == 0 ? 0 : -1;
}

/* Do action to the account a has open. */
struct account_args {
	const char *issuer, *email, *action;
	int key_type, key_bits; /* --key-type, or -1 */
	bool help;
};

static int
act(const struct account_args *aa, struct acme *a,
    const struct cfg_issuer *is, const struct store *st, struct key **key)
{
	const char *action = aa->action, *email = aa->email;
	struct strlist contacts = { 0 };
	char *status = NULL;
	size_t i;

	if (strcmp(action, "register") == 0) {
		printf("%s\n", log_esc(a->kid));
	} else if (strcmp(action, "show") == 0) {
		if (account_fetch(a, &status, &contacts) < 0)
			return -1;
		printf("URL:      %s\nStatus:   %s\nContact: ",
		    log_esc(a->kid), log_esc2(status));
		for (i = 0; i < contacts.n; i++)
			printf(" %s", log_esc(contacts.v[i]));
		printf("%s\nServer:   %s\n", contacts.n ? "" : " -",
		    log_esc(is->server));
		strlist_free(&contacts);
		free(status);
	} else if (strcmp(action, "update") == 0) {
		if (account_update_email(a, email) < 0)
			return -1;
		log_info("account %s: contact is now mailto:%s",
		    log_esc(a->kid), log_esc2(email));
	} else if (strcmp(action, "rekey") == 0) {
		if (account_rekey(a, is, st, key, aa->key_type,
		    aa->key_bits) < 0)
			return -1;
		log_info("account %s: new key in place", log_esc(a->kid));
	} else {
		if (account_deactivate(a, is, st) < 0)
			return -1;
		log_info("account %s: deactivated; 'acmec account register' "
		    "registers a new one, and so does the next issue or renew",
		    log_esc(a->kid));
	}
	return 0;
}


/* EXIT_OK with aa filled (aa->help: usage printed), or EXIT_USAGE. */
static int
parse_args(int argc, char **argv, struct account_args *aa)
{
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "email", required_argument, NULL, 'e' },
		{ "key-type", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const actions[] = { "register", "show", "update",
		"rekey", "deactivate", NULL };
	enum key_type type;
	size_t i;
	int ch;

	memset(aa, 0, sizeof(*aa));
	aa->key_type = -1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			aa->issuer = optarg;
			break;
		case 'e':
			aa->email = optarg;
			break;
		case 'k':
			if (cmd_parse_key_type(optarg, &type, &aa->key_bits) < 0)
				return EXIT_USAGE;
			aa->key_type = (int)type;
			break;
		case 'h':
			usage(stdout);
			aa->help = true;
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
	aa->action = argv[optind];
	for (i = 0; actions[i] != NULL; i++)
		if (strcmp(aa->action, actions[i]) == 0)
			break;
	if (actions[i] == NULL || aa->issuer == NULL) {
		log_error(actions[i] == NULL ? "account: unknown action '%s'" :
		    "account %s: give --issuer NAME", log_esc(aa->action));
		usage(stderr);
		return EXIT_USAGE;
	}
	if (aa->key_type >= 0 && strcmp(aa->action, "rekey") != 0) {
		log_error("--key-type goes with rekey");
		return EXIT_USAGE;
	}
	if ((strcmp(aa->action, "update") == 0) != (aa->email != NULL)) {
		log_error("--email goes with update, and update needs it");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
cmd_account(const struct globals *g, int argc, char **argv)
{
	struct account_args aa;
	struct acme_problem prob = { 0 };
	struct config cfg = { 0 };
	struct store st = { 0 };
	const struct cfg_issuer *is = NULL;
	const char *issuer;
	struct key *key = NULL;
	struct acme a;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = parse_args(argc, argv, &aa)) != EXIT_OK || aa.help)
		return rc;
	issuer = aa.issuer;
	rc = EXIT_USAGE;
	if (config_load(g->config, &cfg) < 0)
		goto out;
	if ((is = cmd_find_issuer(g, &cfg, issuer)) == NULL)
		goto out;
	rc = EXIT_FAILED;
	store_paths(&st, g->statedir, g->secretsdir);
	if (acme_open(&a, is->server, is->ca_bundle, is->ca_bundle_len,
	    is->skip_tls_verify, &prob) < 0) {
		acme_problem_report(&prob, "account");
		goto out;
	}
	if (open_account(g, aa.action, &a, is, &st, &key) < 0 ||
	    act(&aa, &a, is, &st, &key) < 0)
		goto out;
	rc = EXIT_OK;
out:
	acme_problem_free(&prob);
	acme_close(&a);
	key_free(key);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
