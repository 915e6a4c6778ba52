/*
 * Loading many Certificates (#16): one pass over the text when the second
 * would read the same, the second pass when it would not, duplicates
 * found through the sorted index, rarely set fields apart.
 */

#include <stdbool.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "tests/unit/unit.h"

#define LE \
	"apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\n" \
	"metadata: {name: le}\nspec:\n  acme:\n" \
	"    server: https://le.test/dir\n" \
	"    privateKeySecretRef: {name: le-account}\n" \
	"    solvers: [{http01: {ingress: {}}}]\n"
#define SS \
	"apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\n" \
	"metadata: {name: ss}\nspec: {selfSigned: {}}\n"
/* Certificate NAME into Secret SECRET, of ClusterIssuer ISSUER. */
#define CERT(name, secret, issuer) \
	"apiVersion: cert-manager.io/v1\nkind: Certificate\n" \
	"metadata: {name: " name "}\nspec:\n  secretName: " secret "\n" \
	"  issuerRef: {name: " issuer ", kind: ClusterIssuer}\n" \
	"  dnsNames: [" name ".test]\n"

static const struct cfg_cert *
cert_named(const struct config *cfg, const char *name)
{
	bool amb;

	return config_find_cert(cfg, name, &amb);
}

void
test_config_one_pass(void)
{
	struct config cfg;
	const char *err;

	/* Its issuer after it: read in the second pass, linked the same. */
	REQUIRE(unit_config_load(CERT("a", "a-tls", "le") "---\n" LE "---\n"
	    CERT("b", "b-tls", "le"), &cfg, &err) == 0);
	CHECK(cfg.ncerts == 2);
	CHECK(cert_named(&cfg, "a") == &cfg.certs[0]);
	CHECK(cert_named(&cfg, "b") == &cfg.certs[1]);
	CHECK(cfg.certs[0].issuer == &cfg.issuers[0]);
	CHECK(config_cert_runs(&cfg.certs[1]));
	config_free(&cfg);
	/* A selfSigned issuer defined later: its Certificates still run. */
	REQUIRE(unit_config_load(CERT("a", "a-tls", "ss") "---\n" SS, &cfg,
	    &err) == 0);
	CHECK(cfg.ncerts == 1 && config_cert_runs(&cfg.certs[0]));
	config_free(&cfg);
	/* Certificates in a List keep their place among the others. */
	REQUIRE(unit_config_load(LE "---\n" CERT("a", "a-tls", "le")
	    "---\napiVersion: v1\nkind: List\nitems:\n"
	    "- apiVersion: cert-manager.io/v1\n  kind: Certificate\n"
	    "  metadata: {name: l}\n  spec: {secretName: l-tls, issuerRef: "
	    "{name: le, kind: ClusterIssuer}, dnsNames: [l.test]}\n---\n"
	    CERT("b", "b-tls", "le"), &cfg, &err) == 0);
	REQUIRE(cfg.ncerts == 3);
	CHECK_STR(cfg.certs[0].name, "a");
	CHECK_STR(cfg.certs[1].name, "l");
	CHECK_STR(cfg.certs[2].name, "b");
	config_free(&cfg);
	/*
	 * Messages keep the two passes' order: an issuer's error after
	 * the Certificate in the text comes before the Certificate's.
	 */
	unit_config_refused(LE "---\n" CERT("a", "a-tls", "le") "  bogus: 1\n"
	    "---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\n"
	    "metadata: {name: bad}\nspec: {acme: {}}\n",
	    "t.yaml:22:14: spec.acme.server: required field is missing");
}

void
test_config_duplicates(void)
{
	/* The first of the namesakes is named, as comparing pairs did. */
	unit_config_refused(LE "---\n" CERT("a", "x-tls", "le") "---\n"
	    CERT("a", "y-tls", "le") "---\n" CERT("a", "z-tls", "le"),
	    "t.yaml:20:18: metadata.name: Certificate 'default/a' is "
	    "defined twice (first at t.yaml:12:18)");
	unit_config_refused(LE "---\n" CERT("b", "x-tls", "le") "---\n"
	    CERT("a", "y-tls", "le") "---\n" CERT("c", "x-tls", "le"),
	    "t.yaml:30:15: spec.secretName: 'x-tls' is also the secretName "
	    "of Certificate 'default/b' (t.yaml:14:15)");
}

void
test_config_cert_x(void)
{
	struct config cfg;
	const char *err;

	REQUIRE(unit_config_load(LE "---\n" CERT("a", "a-tls", "le") "---\n"
	    CERT("b", "b-tls", "le") "  keystores: {pkcs12: {create: true, "
	    "password: pw}}\n", &cfg, &err) == 0);
	REQUIRE(cfg.ncerts == 2);
	/* None set: nothing made, an empty set read. */
	CHECK(cfg.certs[0].x == NULL);
	CHECK(config_cert_x(&cfg.certs[0]) != NULL);
	CHECK(!config_cert_x(&cfg.certs[0])->pkcs12.create);
	CHECK(config_cert_x(&cfg.certs[0])->uris.n == 0);
	CHECK(cfg.certs[1].x != NULL);
	CHECK(config_cert_x(&cfg.certs[1])->pkcs12.create);
	config_free(&cfg);
}

void
test_log_hold(void)
{
	unsigned long before = log_lines();

	log_discard(true);
	log_clear_error();
	log_hold(true);
	log_error("held");
	log_hold(false);
	/* Counted, and not this thread's last error. */
	CHECK(log_lines() == before + 1);
	CHECK_STR(log_last_error(), "");
	log_error("said");
	CHECK(log_lines() == before + 2);
	CHECK_STR(log_last_error(), "said");
	log_discard(false);
	log_clear_error();
}
