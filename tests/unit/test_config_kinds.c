/*
 * The rest of a real tree (issue 13, item 2): kind: Secret documents as
 * the first source of SecretRefs, with cert-manager's namespaces; kubectl
 * Lists unpacked; other kinds skipped; issuers acmec does not run loaded
 * as what they are.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "crypto/err.h"
#include "tests/unit/unit.h"

/* A ClusterIssuer whose TSIG and EAB keys and account key are Secrets. */
#define ISSUER \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata: {name: le}\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://cluster.test/dir\n" \
	"    privateKeySecretRef: {name: le-account}\n" \
	"    externalAccountBinding:\n" \
	"      keyID: kid-1\n" \
	"      keySecretRef: {name: eab, key: mac}\n" \
	"    solvers:\n" \
	"    - dns01:\n" \
	"        rfc2136: {nameserver: 127.0.0.1, tsigKeyName: k,\n" \
	"          tsigAlgorithm: HMACSHA256,\n" \
	"          tsigSecretSecretRef: {name: tsig, key: secret}}\n"

/* A Secret in namespace ns (lines 1-7 of its document). */
#define SECRET(name, ns, body) \
	"apiVersion: v1\n" \
	"kind: Secret\n" \
	"metadata:\n" \
	"  name: " name "\n" \
	"  namespace: " ns "\n" \
	"type: Opaque\n" \
	body

#define CERT(name, issuer, kind) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: Certificate\n" \
	"metadata: {name: " name "}\n" \
	"spec:\n" \
	"  secretName: " name "-tls\n" \
	"  issuerRef: {name: " issuer ", kind: " kind "}\n" \
	"  dnsNames: [" name ".acmec.test]\n"

/* ref's value key must come from the document, equal to want. */
static void
value_is(const struct cfg_secret_ref *ref, const char *key, const char *want)
{
	char *data = NULL;
	size_t len = 0;

	/* No file is there: only the document can answer. */
	CHECK(ref->doc != NULL);
	REQUIRE(config_secret_get(ref, key, "/nonexistent", 4096, &data,
	    &len) == 0);
	CHECK_MEM(data, len, want, strlen(want));
	crypto_secret_free(data, len);
}

/* data is base64, stringData plain and wins; the issuer's refs find them. */
void
test_config_secret_docs(void)
{
	struct config cfg;
	const struct cfg_issuer *is;
	const char *err;
	char *where;

	REQUIRE(unit_config_load(ISSUER "---\n"
	    SECRET("tsig", "cert-manager", "data:\n"
	    "  secret: c2VjcmV0LWZyb20tZGF0YQ==\n"
	    "stringData:\n  secret: secret-from-stringData\n") "---\n"
	    SECRET("eab", "cert-manager", "data: {mac: bWFjLWtleQ==}\n"
	    "immutable: true\n") "---\n"
	    SECRET("le-account", "cert-manager",
	    "stringData: {tls.key: not-a-pem-yet}\n"), &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 1 && cfg.nsecrets == 3);
	is = &cfg.issuers[0];
	value_is(&is->solvers[0].tsig_secret, NULL, "secret-from-stringData");
	value_is(&is->eab_key, NULL, "mac-key");
	value_is(&is->account_key, "tls.key", "not-a-pem-yet");
	where = config_secret_where(&is->eab_key, NULL, "/s");
	CHECK_STR(where, "Secret 'cert-manager/eab' key 'mac' (t.yaml:31:9)");
	free(where);
	config_free(&cfg);

	/* No document: the file under the secrets directory. */
	REQUIRE(unit_config_load(ISSUER, &cfg, &err) == 0);
	CHECK(cfg.issuers[0].eab_key.doc == NULL);
	where = config_secret_where(&cfg.issuers[0].eab_key, NULL, "/s");
	CHECK_STR(where, "/s/eab/mac");
	free(where);
	config_free(&cfg);
}

/* An Issuer reads its own namespace, a ClusterIssuer cert-manager's. */
void
test_config_secret_namespaces(void)
{
	static const char issuer_prod[] =
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: Issuer\n"
	    "metadata: {name: le, namespace: prod}\n"
	    "spec:\n"
	    "  acme:\n"
	    "    server: https://cluster.test/dir\n"
	    "    privateKeySecretRef: {name: acct}\n"
	    "    solvers:\n"
	    "    - dns01:\n"
	    "        rfc2136: {nameserver: 127.0.0.1, tsigKeyName: k,\n"
	    "          tsigSecretSecretRef: {name: tsig, key: secret}}\n";
	struct config cfg;
	const char *err;
	char *text;

	unit_config_refused(ISSUER "---\n" SECRET("tsig", "default",
	    "stringData: {secret: c2VjcmV0}\n"),
	    "t.yaml:15:39: spec.acme.solvers[0].dns01.rfc2136."
	    "tsigSecretSecretRef: Secret 'tsig' is in namespace 'default' "
	    "(t.yaml:20:9); ClusterIssuer 'le' reads Secrets from "
	    "cert-manager's cluster resource namespace 'cert-manager': set "
	    "metadata.namespace: cert-manager in the Secret");
	REQUIRE(unit_config_load(issuer_prod, &cfg, &err) == 0); /* the files */
	CHECK(cfg.issuers[0].solvers[0].tsig_secret.doc == NULL);
	config_free(&cfg);
	text = util_printf("%s---\n%s", issuer_prod, SECRET("tsig",
	    "cert-manager", "stringData: {secret: c2VjcmV0}\n"));
	unit_config_refused(text, "t.yaml:11:39: spec.acme.solvers[0].dns01.rfc2136."
	    "tsigSecretSecretRef: Secret 'tsig' is in namespace "
	    "'cert-manager' (t.yaml:16:9); Issuer 'prod/le' reads Secrets "
	    "from its own namespace: set metadata.namespace: prod in the "
	    "Secret");
	free(text);
	text = util_printf("%s---\n%s", issuer_prod, SECRET("tsig", "prod",
	    "stringData: {secret: c2VjcmV0}\n"));
	REQUIRE(unit_config_load(text, &cfg, &err) == 0);
	CHECK(cfg.issuers[0].solvers[0].tsig_secret.doc != NULL);
	config_free(&cfg);
	free(text);
}

/* Kubernetes' rules for a Secret, and what acmec needs of one. */
void
test_config_secret_rules(void)
{
	unit_config_refused(SECRET("s", "default", "data: {\"a b\": YQ==}\n"),
	    "t.yaml:7:8: data.a b: 'a b' is not a valid secret key");
	unit_config_refused(SECRET("s", "default", "data: {a: \"not base64!\"}\n"),
	    "t.yaml:7:11: data.a: not valid base64");
	unit_config_refused(SECRET("s", "default", "data: {a: YWJjZA}\n"),
	    "t.yaml:7:11: data.a: not valid base64");
	unit_config_refused(SECRET("s", "default", "stringData: {a: 53}\n"),
	    "t.yaml:7:17: stringData.a: expected a string");
	unit_config_refused(SECRET("s", "default", "dta: {a: YQ==}\n"),
	    "t.yaml:7:1: dta: unknown field");
	unit_config_refused("apiVersion: cert-manager.io/v1\nkind: Secret\n"
	    "metadata: {name: s}\n", "t.yaml:1:13: apiVersion: "
	    "'cert-manager.io/v1' is not the apiVersion of a Secret: use v1");
	unit_config_refused("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
	    "type: kubernetes.io/tls\nstringData: {tls.crt: x}\n",
	    "t.yaml:4:7: type: a kubernetes.io/tls Secret needs the key "
	    "tls.key");
	unit_config_refused(SECRET("s", "default", "data: {a: YQ==}\n") "---\n"
	    SECRET("s", "default", "data: {a: YQ==}\n"),
	    "t.yaml:12:9: metadata.name: Secret 'default/s' is defined twice "
	    "(first at t.yaml:4:9)");
	/* The Secret exists but lacks the key a SecretRef names. */
	unit_config_refused(ISSUER "---\n" SECRET("tsig", "cert-manager",
	    "stringData: {other: x}\n"),
	    "t.yaml:15:39: spec.acme.solvers[0].dns01.rfc2136."
	    "tsigSecretSecretRef: Secret 'cert-manager/tsig' (t.yaml:20:9) "
	    "has no key 'secret': add it to its data or stringData");
	/* The account key: never generated behind a Secret document. */
	unit_config_refused(ISSUER "---\n" SECRET("le-account", "cert-manager",
	    "stringData: {other: x}\n"),
	    "t.yaml:7:33: spec.acme.privateKeySecretRef: Secret "
	    "'cert-manager/le-account' (t.yaml:20:9) has no key 'tls.key': "
	    "acmec does not write into the configuration");
}

/* kubectl's List: each item a document, errors where the item is. */
void
test_config_list(void)
{
	static const char list[] =
	    "apiVersion: v1\n"
	    "kind: List\n"
	    "metadata: {resourceVersion: \"\"}\n"
	    "items:\n"
	    "- apiVersion: cert-manager.io/v1\n"
	    "  kind: ClusterIssuer\n"
	    "  metadata: {name: le}\n"
	    "  spec:\n"
	    "    acme:\n"
	    "      server: https://cluster.test/dir\n"
	    "      privateKeySecretRef: {name: le-account}\n"
	    "      solvers: [{http01: {ingress: {}}}]\n"
	    "- apiVersion: cert-manager.io/v1\n"
	    "  kind: Certificate\n"
	    "  metadata: {name: www}\n"
	    "  spec:\n"
	    "    secretName: www-tls\n"
	    "    issuerRef: {name: le, kind: ClusterIssuer}\n"
	    "    dnsNames: [www.acmec.test]\n"
	    "- apiVersion: rbac.authorization.k8s.io/v1\n"
	    "  kind: Role\n"
	    "  metadata: {name: r}\n";
	struct config cfg;
	const char *err;

	REQUIRE(unit_config_load(list, &cfg, &err) == 0);
	CHECK(cfg.nissuers == 1 && cfg.ncerts == 1);
	CHECK(cfg.ncerts == 1 && cfg.certs[0].issuer == &cfg.issuers[0]);
	CHECK(cfg.ncerts == 1 && cfg.certs[0].pos.line == 15);
	config_free(&cfg);
	unit_config_refused("apiVersion: v1\nkind: List\nitems:\n"
	    "- apiVersion: cert-manager.io/v1\n  kind: Certificate\n"
	    "  metadata: {name: www}\n  spec:\n    commonName: [x]\n",
	    "t.yaml:8:17: spec.commonName: expected a string");
	unit_config_refused("apiVersion: v1\nkind: List\nitems: {a: b}\n",
	    "t.yaml:3:8: items: expected a list");
	unit_config_refused("apiVersion: v1\nkind: List\nitems: [3]\n",
	    "t.yaml:3:9: a document must be a mapping");
	unit_config_refused("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1}]\n",
	    "t.yaml:3:9: kind: required field is missing");
}

/* Kinds acmec does not read are skipped; a document must still be one. */
void
test_config_other_kinds(void)
{
	struct config cfg;
	const char *err;

	REQUIRE(unit_config_load("apiVersion: rbac.authorization.k8s.io/v1\n"
	    "kind: ClusterRole\nmetadata: {name: x}\nrules: []\n---\n"
	    "apiVersion: kustomize.config.k8s.io/v1beta1\n"
	    "kind: Kustomization\nresources: [a.yaml]\n---\n"
	    "apiVersion: external-secrets.io/v1beta1\n"
	    "kind: ExternalSecret\nspec: {whatever: [1, 2]}\n---\n"
	    "kind: Deployment\n", &cfg, &err) == 0);
	CHECK(cfg.nissuers == 0 && cfg.ncerts == 0 && cfg.nsecrets == 0);
	config_free(&cfg);
	/* Another API's kind of the same name is another resource. */
	REQUIRE(unit_config_load("apiVersion: acm.services.k8s.aws/v1alpha1\n"
	    "kind: Certificate\nmetadata: {name: x}\nspec: {domainName: a}\n",
	    &cfg, &err) == 0);
	CHECK(cfg.ncerts == 0);
	config_free(&cfg);
	unit_config_refused("metadata: {name: x}\n", "t.yaml:1:1: kind: required field "
	    "is missing");
	unit_config_refused("kind: \"\"\n", "t.yaml:1:1: kind: required field is "
	    "missing");
	unit_config_refused("- a\n- b\n", "t.yaml:1:1: a document must be a mapping");
	unit_config_refused("apiVersion: v1\nkind: Certificate\nmetadata: {name: x}\n",
	    "t.yaml:1:13: apiVersion: 'v1' is not the apiVersion of a "
	    "Certificate: use cert-manager.io/v1");
	unit_config_refused("apiVersion: cert-manager.io/v1alpha2\nkind: Issuer\n"
	    "metadata: {name: x}\n", "t.yaml:1:13: apiVersion: "
	    "'cert-manager.io/v1alpha2' is not the apiVersion of an Issuer: "
	    "use cert-manager.io/v1");
	unit_config_refused("apiVersion: v2\nkind: List\nitems: []\n", "t.yaml:1:13: "
	    "apiVersion: 'v2' is not the apiVersion of a List: use v1");
}

#define VAULT \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata: {name: vault}\n" \
	"spec:\n" \
	"  vault:\n" \
	"    server: https://vault.test\n" \
	"    path: pki/sign/x\n" \
	"    auth: {tokenSecretRef: {name: v, key: token}}\n"

/* Issuers acmec does not run: loaded as what they are, and cheaply. */
void
test_config_other_issuers(void)
{
	struct config cfg;
	const struct cfg_issuer *is;
	const char *err;

	REQUIRE(unit_config_load(VAULT "---\n" CERT("www", "vault", "ClusterIssuer")
	    "---\napiVersion: cert-manager.io/v1\nkind: Issuer\n"
	    "metadata: {name: self}\nspec: {selfSigned: {}}\n",
	    &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 2 && cfg.ncerts == 1);
	is = cfg.certs[0].issuer;
	REQUIRE(is != NULL);
	CHECK(is->type == ISSUER_VAULT && !config_issuer_runs(is));
	CHECK_STR(config_issuer_type_name(is->type), "vault");
	CHECK(cfg.issuers[1].type == ISSUER_SELFSIGNED);
	CHECK_STR(config_issuer_type_name(ISSUER_SELFSIGNED), "selfSigned");
	CHECK(config_issuer_runs(&(struct cfg_issuer){ .type = ISSUER_ACME }));
	config_free(&cfg);
	unit_config_refused("apiVersion: cert-manager.io/v1\nkind: Issuer\n"
	    "metadata: {name: x}\nspec: {vault: [1]}\n",
	    "t.yaml:4:15: spec.vault: expected a mapping");
	unit_config_refused("apiVersion: cert-manager.io/v1\nkind: Issuer\n"
	    "metadata: {name: x}\nspec: {}\n",
	    "t.yaml:4:7: spec: at least one issuer type must be configured");
	unit_config_refused("apiVersion: cert-manager.io/v1\nkind: Issuer\n"
	    "metadata: {name: x}\nspec: {venafi: {zone: z}, ca: "
	    "{secretName: c}}\n", "t.yaml:4:16: spec.venafi: may not specify "
	    "more than one issuer type");
}

/*
 * A SelfSigned root (acmec signs it: isCA is no error there, wherever its
 * issuer is defined), an external issuer's and a vault issuer's
 * Certificates (read only as far as is cheap, skipped).
 */
void
test_config_skipped_certs(void)
{
	static const char tree[] =
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\n"
	    "metadata: {name: root-ca, namespace: cert-manager}\n"
	    "spec:\n"
	    "  isCA: true\n"
	    "  commonName: root-ca\n"
	    "  secretName: root-secret\n"
	    "  privateKey: {algorithm: ECDSA, size: 256}\n"
	    "  issuerRef: {name: self, kind: ClusterIssuer, "
	    "group: cert-manager.io}\n"
	    "---\n"
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: ClusterIssuer\n"
	    "metadata: {name: self}\n"
	    "spec: {selfSigned: {}}\n"
	    "---\n"
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: Certificate\n"
	    "metadata: {name: pca}\n"
	    "spec:\n"
	    "  secretName: pca-tls\n"
	    "  dnsNames: [pca.acmec.test]\n"
	    "  issuerRef: {name: pca, kind: AWSPCAClusterIssuer,\n"
	    "    group: awspca.cert-manager.io}\n"
	    "---\n"
	    VAULT "---\n" CERT("www", "vault", "ClusterIssuer");
	struct config cfg;
	const char *err;
	char *text;

	REQUIRE(unit_config_load(tree, &cfg, &err) == 0);
	REQUIRE(cfg.ncerts == 3);
	CHECK(config_cert_runs(&cfg.certs[0]) && cfg.certs[0].is_ca);
	CHECK(cfg.certs[0].issuer != NULL &&
	    cfg.certs[0].issuer->type == ISSUER_SELFSIGNED);
	CHECK_STR(cfg.certs[0].secret_name, "root-secret");
	CHECK(!config_cert_runs(&cfg.certs[1]));
	CHECK(cfg.certs[1].external_issuer && cfg.certs[1].issuer == NULL);
	CHECK(!config_cert_runs(&cfg.certs[2]));
	config_free(&cfg);
	/* secretName is still required, and where it was said. */
	text = util_printf("%s---\n%s", VAULT,
	    "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
	    "metadata: {name: x}\nspec: {issuerRef: {name: vault, kind: ClusterIssuer}}\n");
	unit_config_refused(text, "t.yaml:13:7: spec.secretName: required field is "
	    "missing");
	free(text);
}
