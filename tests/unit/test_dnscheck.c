/*
 * solver_check_credentials (check --online's question to a DNS provider).
 *
 * Offline, always: credentials that cannot be read and a solver without a
 * provider's API are refused before any request.  Against the providers'
 * fakes: tests/e2e/dns_creds.sh starts them with BIND9 and runs
 * `unit dnsapi_check` with ACMEC_CREDS_CONFIG (a configuration) and
 * ACMEC_CREDS_SECRETS (its secrets directory); every Certificate there is
 * checked for its first dnsName, those named good-* must be accepted and
 * bad-* refused, each with one line "creds NAME: accepted|refused" on
 * stdout (the messages go to stderr, for the script to read).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "acme/solver/solver.h"
#include "tests/unit/unit.h"

static const char offline_yaml[] =
    "apiVersion: cert-manager.io/v1\n"
    "kind: ClusterIssuer\n"
    "metadata: {name: cf}\n"
    "spec:\n"
    "  acme:\n"
    "    server: https://acme.invalid/directory\n"
    "    privateKeySecretRef: {name: cf-account}\n"
    "    solvers:\n"
    "      - dns01:\n"
    "          cloudflare:\n"
    "            apiTokenSecretRef: {name: no-such-secret, key: token}\n"
    "      - http01: {ingress: {}}\n";

/* Check a certificate's first name; its expected outcome from its name. */
static void
check_cert(const struct cfg_cert *c, const char *secrets)
{
	struct ident id = { IDENT_DNS, c->dns_names.v[0] };
	const struct cfg_solver *s;
	bool good = strncmp(c->name, "good-", 5) == 0;
	int rc;

	REQUIRE(good || strncmp(c->name, "bad-", 4) == 0);
	REQUIRE((s = solver_select(c->issuer, c, &id)) != NULL);
	fprintf(stderr, "== creds %s (%s)\n", c->name, id.value);
	rc = solver_check_credentials(s, secrets, id.value);
	printf("creds %s: %s\n", c->name, rc == 0 ? "accepted" : "refused");
	if (good)
		CHECK(rc == 0);
	else
		CHECK(rc == -1);
}

/* Against the fakes, if the e2e test named them. */
static void
online(const char *path, const char *secrets)
{
	struct config cfg;
	size_t i;

	REQUIRE(secrets != NULL);
	REQUIRE(config_load(path, &cfg) == 0);
	CHECK(cfg.ncerts > 0);
	for (i = 0; i < cfg.ncerts; i++)
		check_cert(&cfg.certs[i], secrets);
	config_free(&cfg);
}

void
test_dnsapi_check(void)
{
	const char *path = getenv("ACMEC_CREDS_CONFIG");
	struct config cfg;
	const char *err;

	REQUIRE(unit_config_load(offline_yaml, &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 1 && cfg.issuers[0].nsolvers == 2);
	log_discard(true);
	log_clear_error();
	CHECK(solver_check_credentials(&cfg.issuers[0].solvers[0],
	    "/nonexistent", "a.example") == -1);
	CHECK(strstr(log_last_error(), "cannot read the cloudflare "
	    "apiTokenSecretRef") != NULL);
	log_clear_error();
	CHECK(solver_check_credentials(&cfg.issuers[0].solvers[1],
	    "/nonexistent", "a.example") == -1);
	CHECK(strstr(log_last_error(), "uses no provider's API") != NULL);
	log_discard(false);
	config_free(&cfg);
	if (path != NULL && path[0] != '\0')
		online(path, getenv("ACMEC_CREDS_SECRETS"));
}
