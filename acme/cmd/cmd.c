/* What the subcommands share: choosing Certificates, --jobs, hooks. */

#include <stdlib.h>
#include <string.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/log.h"

const struct cfg_cert **
cmd_load_certs(const struct globals *g, int argc, char **argv,
    struct config *cfg, size_t *n)
{
	const struct cfg_cert **certs;
	bool amb;
	int a;
	size_t i;

	*n = 0;
	if (config_load(g->config, cfg) < 0)
		return NULL;
	certs = util_alloc((cfg->ncerts + (size_t)argc + 1) * sizeof(*certs));
	if (argc == 0) {
		/* config_load() said which it skips. */
		for (i = 0; i < cfg->ncerts; i++)
			if (config_cert_runs(&cfg->certs[i]))
				certs[(*n)++] = &cfg->certs[i];
		return certs;
	}
	for (a = 0; a < argc; a++) {
		if ((certs[*n] = config_find_cert(cfg, argv[a], &amb)) ==
		    NULL) {
			log_error("%s: %s", argv[a], amb ? "several namespaces "
			    "have a Certificate of this name; write "
			    "NAMESPACE/NAME" : "no Certificate of this name "
			    "in the configuration");
			free(certs);
			return NULL;
		}
		if (!cmd_cert_runs(certs[*n])) {
			free(certs);
			return NULL;
		}
		(*n)++;
	}
	return certs;
}

bool
cmd_cert_runs(const struct cfg_cert *c)
{
	const struct cfg_issuer *is = c->issuer;

	if (config_cert_runs(c))
		return true;
	if (c->external_issuer) {
		log_error("%s/%s: its issuerRef names an external issuer "
		    "(spec.issuerRef.group), and acmec does not run external "
		    "issuers: the Certificate is skipped", c->namespace,
		    c->name);
		return false;
	}
	log_error("%s/%s: its issuer %s '%s' is a %s issuer, and acmec does "
	    "not run %s issuers yet (only acme): the Certificate is skipped",
	    c->namespace, c->name, is->cluster ? "ClusterIssuer" : "Issuer",
	    is->name, config_issuer_type_name(is->type),
	    config_issuer_type_name(is->type));
	return false;
}

int
cmd_parse_jobs(const char *s, int *jobs)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 256) {
		log_error("--jobs '%s': give a number from 1 to 256",
		    log_esc(s));
		return -1;
	}
	*jobs = (int)v;
	return 0;
}

int
cmd_parse_key_type(const char *s, enum key_type *type, int *bits)
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
		if (strcmp(s, types[i].name) == 0) {
			*type = types[i].type;
			*bits = types[i].bits;
			return 0;
		}
	log_error("--key-type '%s': use ec256, ec384, rsa2048, rsa3072, "
	    "rsa4096 or ed25519", log_esc(s));
	return -1;
}

int
cmd_parse_hook(int ch, const char *arg, struct cfg_hooks *h)
{
	struct cfg_hook *hk = ch == CMD_PRE_HOOK ? &h->pre : &h->post;

	if (arg[strspn(arg, " \t\n")] == '\0') {
		log_error("--%s-hook: give a command, run with sh -c",
		    ch == CMD_PRE_HOOK ? "pre" : "post");
		return -1;
	}
	strlist_free(&hk->argv);
	strlist_add(&hk->argv, arg);
	hk->shell = true;
	return 0;
}

void
cmd_hooks_free(struct cfg_hooks *h)
{
	strlist_free(&h->pre.argv);
	strlist_free(&h->post.argv);
}

const struct cfg_issuer *
cmd_find_issuer(const struct globals *g, const struct config *cfg,
    const char *arg)
{
	const struct cfg_issuer *is;
	bool amb;

	if ((is = config_find_issuer_arg(cfg, arg, &amb)) == NULL) {
		log_error("--issuer %s: %s%s", log_esc(arg), amb ?
		    "Issuers of several namespaces have this name; write "
		    "NAMESPACE/NAME" : "no such issuer in ", amb ? "" :
		    g->config);
	} else if (is->type != ISSUER_ACME) {
		log_error("--issuer %s: a %s issuer, which has no ACME account "
		    "(%s)", log_esc(arg), config_issuer_type_name(is->type),
		    config_issuer_runs(is) ? "acmec signs its certificates "
		    "itself" : "and acmec does not run it");
		is = NULL;
	}
	return is;
}
