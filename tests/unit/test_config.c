/*
 * The config module on YAML text: typed structs, FILE:LINE:COL errors,
 * issuerRefs linked, and the kind-aware issuer lookup.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "tests/unit/unit.h"

#define CLUSTER_LE \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata:\n" \
	"  name: le\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://cluster.test/dir\n" \
	"    privateKeySecretRef:\n" \
	"      name: le-account\n" \
	"    solvers:\n" \
	"    - http01:\n" \
	"        ingress: {}\n"

/* An Issuer le in namespace ns, its account key in Secret ns-account. */
#define ISSUER_LE(ns) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: Issuer\n" \
	"metadata:\n" \
	"  name: le\n" \
	"  namespace: " ns "\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://" ns ".test/dir\n" \
	"    privateKeySecretRef:\n" \
	"      name: " ns "-account\n" \
	"    solvers:\n" \
	"    - http01:\n" \
	"        ingress: {}\n"

#define CERT(ns, name, kind) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: Certificate\n" \
	"metadata:\n" \
	"  name: " name "\n" \
	"  namespace: " ns "\n" \
	"spec:\n" \
	"  secretName: " name "-tls\n" \
	"  issuerRef: {name: le, kind: " kind "}\n" \
	"  dnsNames: [" name ".acmec.test]\n"

void
test_config_typed(void)
{
	struct config cfg;
	const struct cfg_cert *c;
	const char *err;

	REQUIRE(unit_config_load(CLUSTER_LE "---\n" CERT("web", "www", "ClusterIssuer"),
	    &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 1 && cfg.ncerts == 1);
	CHECK(cfg.issuers[0].cluster);
	CHECK_STR(cfg.issuers[0].name, "le");
	CHECK_STR(cfg.issuers[0].server, "https://cluster.test/dir");
	c = &cfg.certs[0];
	CHECK_STR(c->name, "www");
	CHECK_STR(c->namespace, "web");
	CHECK_STR(c->secret_name, "www-tls");
	REQUIRE(c->dns_names.n == 1);
	CHECK_STR(c->dns_names.v[0], "www.acmec.test");
	CHECK(c->issuer == &cfg.issuers[0]);
	CHECK(c->pos.line == 17 && c->pos.col == 9);
	config_free(&cfg);
}

void
test_config_errors(void)
{
	unit_config_refused(CLUSTER_LE "    foo: 1\n", "t.yaml:13:5: spec.acme.foo: "
	    "unknown field (expected one of: ");
	unit_config_refused(CLUSTER_LE "---\n" CERT("web", "www", "ClusterIssuer")
	    "  commonName: [www]\n", "t.yaml:23:15: spec.commonName: "
	    "expected a string, found ");
	unit_config_refused(CLUSTER_LE "---\n" "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\nmetadata:\n  name: www\nspec:\n"
	    "  issuerRef: {name: le, kind: ClusterIssuer}\n"
	    "  dnsNames: [www.acmec.test]\n",
	    "t.yaml:19:3: spec.secretName: required field is missing");
	unit_config_refused(CLUSTER_LE "---\n" CERT("web", "www", "Issuer"),
	    "t.yaml:21:14: spec.issuerRef: no Issuer named 'le' in "
	    "namespace web");
	unit_config_refused(CLUSTER_LE "---\n" CLUSTER_LE, "t.yaml:17:9: metadata.name: "
	    "ClusterIssuer 'le' is defined twice (first at t.yaml:4:9)");
	unit_config_refused(CLUSTER_LE "---\n" CERT("web", "www", "ClusterIssuer")
	    "---\n" CERT("web", "www", "ClusterIssuer"),
	    "t.yaml:27:9: metadata.name: Certificate 'web/www' is defined "
	    "twice (first at t.yaml:17:9)");
}

/* An Issuer and a ClusterIssuer of one name are two issuers. */
void
test_config_issuer_kinds(void)
{
	struct config cfg;
	const struct cfg_issuer *is;
	const char *err;
	bool amb;

	REQUIRE(unit_config_load(ISSUER_LE("web") "---\n" CLUSTER_LE "---\n"
	    CERT("web", "a", "Issuer") "---\n"
	    CERT("web", "b", "ClusterIssuer") "---\n"
	    CERT("mail", "c", "ClusterIssuer"), &cfg, &err) == 0);
	REQUIRE(cfg.ncerts == 3);
	CHECK_STR(cfg.certs[0].issuer->server, "https://web.test/dir");
	CHECK_STR(cfg.certs[1].issuer->server, "https://cluster.test/dir");
	CHECK_STR(cfg.certs[2].issuer->server, "https://cluster.test/dir");
	CHECK(config_find_issuer(&cfg, false, "le", "mail") == NULL);
	is = config_find_issuer(&cfg, false, "le", "web");
	CHECK(is != NULL && !is->cluster);
	is = config_find_issuer_arg(&cfg, "le", &amb);
	CHECK(is != NULL && is->cluster && !amb);
	is = config_find_issuer_arg(&cfg, "web/le", &amb);
	CHECK(is != NULL && !is->cluster && !amb);
	CHECK(config_find_issuer_arg(&cfg, "mail/le", &amb) == NULL && !amb);
	config_free(&cfg);

	/* Issuers only, in two namespaces: a bare name is ambiguous. */
	REQUIRE(unit_config_load(ISSUER_LE("web") "---\n" ISSUER_LE("mail"), &cfg,
	    &err) == 0);
	CHECK(config_find_issuer_arg(&cfg, "le", &amb) == NULL && amb);
	is = config_find_issuer_arg(&cfg, "mail/le", &amb);
	CHECK(is != NULL && strcmp(is->namespace, "mail") == 0);
	config_free(&cfg);
	REQUIRE(unit_config_load(ISSUER_LE("web"), &cfg, &err) == 0);
	is = config_find_issuer_arg(&cfg, "le", &amb);
	CHECK(is != NULL && !is->cluster && !amb);
	config_free(&cfg);
}

/*
 * Kubernetes' semantics (issue 13): YAML 1.1 booleans as its YAML reader
 * resolves them, and tsigAlgorithm compared without case, as cert-manager
 * does for that field alone.
 */
void
test_config_k8s_scalars(void)
{
	static const char issuer[] =
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: ClusterIssuer\n"
	    "metadata: {name: le}\n"
	    "spec:\n"
	    "  acme:\n"
	    "    server: https://cluster.test/dir\n"
	    "    skipTLSVerify: yes\n"
	    "    privateKeySecretRef: {name: le-account}\n"
	    "    solvers:\n"
	    "    - dns01:\n"
	    "        rfc2136: {nameserver: 127.0.0.1, tsigKeyName: k,\n"
	    "          tsigAlgorithm: hmacsha256,\n"
	    "          tsigSecretSecretRef: {name: tsig, key: secret}}\n";
	struct config cfg;
	const char *err;
	char *text;

	text = util_printf("%s---\n%s  isCA: no\n", issuer,
	    CERT("web", "www", "ClusterIssuer"));
	CHECK(unit_config_load(text, &cfg, &err) == 0);
	free(text);
	REQUIRE(cfg.nissuers == 1 && cfg.ncerts == 1);
	CHECK(cfg.issuers[0].skip_tls_verify);
	REQUIRE(cfg.issuers[0].nsolvers == 1);
	CHECK(cfg.issuers[0].solvers[0].tsig_alg == TSIG_HMACSHA256);
	config_free(&cfg);
	/* "Off" is false; "yEs" is no boolean in YAML 1.1. */
	REQUIRE(unit_config_load(CLUSTER_LE "    skipTLSVerify: Off\n", &cfg, &err) == 0);
	CHECK(!cfg.issuers[0].skip_tls_verify);
	config_free(&cfg);
	unit_config_refused(CLUSTER_LE "    skipTLSVerify: yEs\n", "t.yaml:13:20: "
	    "spec.acme.skipTLSVerify: expected true or false, found a string");
	/* A YAML 1.1 boolean where a string is expected: quote it. */
	unit_config_refused(CLUSTER_LE "    email: on\n", "t.yaml:13:12: spec.acme.email: "
	    "expected a string, found a boolean (quote it to make it a "
	    "string)");
	unit_config_refused(CLUSTER_LE "---\n" CERT("web", "www", "ClusterIssuer")
	    "  isCA: y\n", "t.yaml:23:9: spec.isCA: ACME CAs do not issue CA "
	    "certificates");
}

/*
 * acmec's own settings from acmec.io/ annotations and a dns01.webhook of
 * group acmec.io (issue 13): each lands in the solver it names, a
 * solvers.N. one wins over the issuer-wide one for its solver.
 */
void
test_config_annotations(void)
{
	static const char text[] =
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: ClusterIssuer\n"
	    "metadata:\n"
	    "  name: le\n"
	    "  annotations:\n"
	    "    acmec.io/http01-webroot: /srv/www\n"
	    "    acmec.io/solvers.1.tlsalpn01-listen: \"[::1]:8443\"\n"
	    "    acmec.io/solvers.2.http01-listen: \"127.0.0.1:8080\"\n"
	    "    acmec.io/dns01-propagation-timeout: 90s\n"
	    "spec:\n"
	    "  acme:\n"
	    "    server: https://cluster.test/dir\n"
	    "    privateKeySecretRef: {name: le-account}\n"
	    "    renewalInformationSource: None\n"
	    "    solvers:\n"
	    "    - http01: {ingress: {class: nginx}}\n"
	    "      selector: {dnsNames: [a.test]}\n"
	    "    - http01: {gatewayHTTPRoute: {}}\n"
	    "      selector: {dnsNames: [b.test]}\n"
	    "    - http01: {ingress: {}}\n"
	    "      selector: {dnsNames: [c.test]}\n"
	    "    - dns01:\n"
	    "        webhook:\n"
	    "          groupName: acmec.io\n"
	    "          solverName: exec\n"
	    "          config: {command: [/bin/hook, -v], timeout: 30s}\n"
	    "        nameservers: [\"127.0.0.1:53\", \"https://dns.test/q\"]\n"
	    "      waitInsteadOfSelfCheck: 10s\n"
	    "    - dns01:\n"
	    "        rfc2136: {nameserver: \"127.0.0.1\", protocol: TCP}\n"
	    "---\n"
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\n"
	    "metadata:\n"
	    "  name: web\n"
	    "  annotations: {acmec.io/deploy-hook: '[\"/bin/r\", \"a b\"]'}\n"
	    "spec:\n"
	    "  secretName: web-tls\n"
	    "  issuerRef: {name: le, kind: ClusterIssuer}\n"
	    "  dnsNames: [a.test]\n";
	const struct cfg_solver *s;
	struct config cfg;
	const char *err;

	REQUIRE(unit_config_load(text, &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 1 && cfg.issuers[0].nsolvers == 5);
	CHECK(cfg.issuers[0].ari_source == 1);
	s = cfg.issuers[0].solvers;
	CHECK(s[0].type == SOLVER_HTTP01 && s[0].http_mode == HTTP01_WEBROOT);
	CHECK(s[0].webroot != NULL && strcmp(s[0].webroot, "/srv/www") == 0);
	CHECK(s[1].type == SOLVER_TLSALPN01 && s[1].http_port == 8443);
	CHECK(s[1].http_address != NULL &&
	    strcmp(s[1].http_address, "::1") == 0);
	CHECK(s[2].type == SOLVER_HTTP01 &&
	    s[2].http_mode == HTTP01_STANDALONE && s[2].http_port == 8080);
	CHECK(s[2].webroot == NULL);
	CHECK(s[3].type == SOLVER_DNS01 && s[3].dns_provider == DNS01_EXEC);
	CHECK(s[3].exec_command.n == 2 &&
	    strcmp(s[3].exec_command.v[1], "-v") == 0);
	CHECK(s[3].exec_timeout == 30 && s[3].propagation_timeout == 90);
	/* The DoH server is noticed and left out. */
	CHECK(s[3].nameservers.n == 1 &&
	    strcmp(s[3].nameservers.v[0], "127.0.0.1:53") == 0);
	CHECK(s[3].wait_instead == 10 && !s[3].propagation_check);
	CHECK(s[4].dns_provider == DNS01_RFC2136 && s[4].rfc2136_tcp);
	CHECK(s[4].wait_instead == -1 && s[4].propagation_check);
	REQUIRE(cfg.ncerts == 1);
	CHECK(!cfg.certs[0].deploy_hook_shell &&
	    cfg.certs[0].deploy_hook.n == 2 &&
	    strcmp(cfg.certs[0].deploy_hook.v[1], "a b") == 0);
	config_free(&cfg);
	/* A plain string runs with sh -c. */
	REQUIRE(unit_config_load(CLUSTER_LE "---\n" "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\nmetadata:\n  name: w\n  annotations:\n"
	    "    acmec.io/deploy-hook: systemctl reload nginx\nspec:\n"
	    "  secretName: w-tls\n  issuerRef: {name: le, kind: "
	    "ClusterIssuer}\n  dnsNames: [w.test]\n", &cfg, &err) == 0);
	CHECK(cfg.certs[0].deploy_hook_shell &&
	    cfg.certs[0].deploy_hook.n == 1);
	config_free(&cfg);
	unit_config_refused(CLUSTER_LE "---\n" "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\nmetadata:\n  name: w\n  annotations:\n"
	    "    acmec.io/deploy-hook: '[\"a\", 3]'\nspec:\n"
	    "  secretName: w-tls\n  issuerRef: {name: le, kind: "
	    "ClusterIssuer}\n  dnsNames: [w.test]\n", "t.yaml:19:5: "
	    "metadata.annotations: acmec.io/deploy-hook: a value starting "
	    "with '[' is a JSON list of strings");
}

/* Listen addresses, for annotations and --standalone/--tls-alpn alike. */
void
test_config_listen(void)
{
	static const struct {
		const char *in, *addr;
		int port;
	} good[] = {
		{ "80", NULL, 80 }, { ":8080", NULL, 8080 },
		{ "127.0.0.1:80", "127.0.0.1", 80 },
		{ "[::1]:443", "::1", 443 }, { "[2001:db8::1]:8443",
		    "2001:db8::1", 8443 },
	};
	static const char *const bad[] = { "", ":", "80:80:80", "::1:80",
		"localhost:80", "[::1]", "[::1]:", "1.2.3.4:0", ":65536",
		"1.2.3.4:80x", "[1.2.3.4]:80", "-1" };
	char *addr;
	size_t i;
	int port;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		port = 0;
		CHECK(config_parse_listen(good[i].in, &addr, &port) == 0);
		CHECK(port == good[i].port);
		CHECK((addr == NULL && good[i].addr == NULL) ||
		    (addr != NULL && good[i].addr != NULL &&
		    strcmp(addr, good[i].addr) == 0));
		free(addr);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		addr = NULL;
		CHECK(config_parse_listen(bad[i], &addr, &port) < 0);
		CHECK(addr == NULL);
	}
}
