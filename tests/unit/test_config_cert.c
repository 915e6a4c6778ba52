/*
 * Certificate documents as cert-manager reads them: every v1 field known
 * (tests/data/cert-manager/fields-v1.tsv), cert-manager's defaults and
 * key sizes, its webhook's refusals (validation-v1.md, section 4), and one
 * notice for each field acmec keeps without acting on it.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acme/config/config.h"
#include "acme/log.h"
#include "acme/util.h"
#include "tests/unit/unit.h"

#define ISSUER \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata: {name: le}\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://ca.test/dir\n" \
	"    privateKeySecretRef: {name: le-account}\n" \
	"    solvers:\n" \
	"    - http01: {ingress: {}}\n" \
	"---\n"

#define CERT_HEAD \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: Certificate\n" \
	"metadata: {name: web}\n" \
	"spec:\n" \
	"  secretName: web-tls\n" \
	"  issuerRef: {name: le, kind: ClusterIssuer}\n"

/* A Certificate with only the spec lines given. */
#define CERT_BARE(extra) ISSUER "apiVersion: cert-manager.io/v1\n" \
	"kind: Certificate\nmetadata: {name: web}\nspec:\n" extra

/* A Certificate with dnsNames [web.test] and the spec lines extra. */
#define CERT(extra) ISSUER CERT_HEAD "  dnsNames: [web.test]\n" extra

/*
 * Load text with stderr captured into *out (caller frees): every error
 * and notice, not just the first.  Returns config_load_buffer's result.
 */
static int
load_capture(const char *text, struct config *cfg, char **out)
{
	FILE *tmp = tmpfile();
	int saved, rc;
	long n;

	if (tmp == NULL || (saved = dup(2)) < 0)
		abort();
	fflush(stderr);
	dup2(fileno(tmp), 2);
	log_clear_error();
	rc = config_load_buffer("t.yaml", text, strlen(text), cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = ftell(tmp);
	*out = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(tmp);
	if (*out == NULL || (n > 0 && fread(*out, 1, (size_t)n, tmp) !=
	    (size_t)n))
		abort();
	fclose(tmp);
	return rc;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t k = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		k++;
		hay += strlen(needle);
	}
	return k;
}

/* text loads; its messages hold want exactly once (if want not NULL). */
static void
accepted(int line, const char *text, const char *want)
{
	struct config cfg;
	char *msgs, what[64];

	snprintf(what, sizeof(what), "case at line %d loads", line);
	if (load_capture(text, &cfg, &msgs) < 0 ||
	    (want != NULL && count(msgs, want) != 1))
		unit_streq(__FILE__, line, what, msgs, want ? want : "");
	config_free(&cfg);
	free(msgs);
}

/* text is refused, and one message holds want. */
static void
refused(int line, const char *text, const char *want)
{
	struct config cfg;
	char *msgs, what[64];

	snprintf(what, sizeof(what), "case at line %d is refused", line);
	if (load_capture(text, &cfg, &msgs) == 0 || strstr(msgs, want) == NULL)
		unit_streq(__FILE__, line, what, msgs, want);
	config_free(&cfg);
	free(msgs);
}

/* Whether text loads or not, no message holds what. */
static void
not_said(int line, const char *text, const char *what)
{
	struct config cfg;
	char *msgs;

	load_capture(text, &cfg, &msgs);
	if (strstr(msgs, what) != NULL)
		unit_streq(__FILE__, line, what, msgs, "(not that)");
	config_free(&cfg);
	free(msgs);
}

#define NOT_SAID(text, what) not_said(__LINE__, text, what)
#define ACCEPTED(text, want) accepted(__LINE__, text, want)
#define REFUSED(text, want) refused(__LINE__, text, want)

/* The one certificate text defines; NULL (and a failure) if it fails. */
static struct config *
load_one(struct config *cfg, const char *text)
{
	char *msgs;
	int rc = load_capture(text, cfg, &msgs);

	free(msgs);
	if (rc < 0 || cfg->ncerts != 1) {
		CHECK(rc == 0 && cfg->ncerts == 1);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* cert-manager's default key and its sizes, as acmec reads them. */
void
test_config_cert_keys(void)
{
	static const struct {
		const char *pk;
		enum key_type type;
		int bits;
	} ok[] = {
		{ "", KEY_RSA, 2048 },
		{ "  privateKey: {}\n", KEY_RSA, 2048 },
		{ "  privateKey: {size: 4096}\n", KEY_RSA, 4096 },
		{ "  privateKey: {algorithm: RSA, size: 3000}\n", KEY_RSA, 3000 },
		{ "  privateKey: {algorithm: RSA, size: 8192}\n", KEY_RSA, 8192 },
		{ "  privateKey: {algorithm: RSA, size: 0}\n", KEY_RSA, 2048 },
		{ "  privateKey: {algorithm: ECDSA}\n", KEY_EC_P256, 0 },
		{ "  privateKey: {algorithm: ECDSA, size: 256}\n", KEY_EC_P256, 0 },
		{ "  privateKey: {algorithm: ECDSA, size: 384}\n", KEY_EC_P384, 0 },
		{ "  privateKey: {algorithm: ECDSA, size: 521}\n", KEY_EC_P521, 0 },
		{ "  privateKey: {algorithm: Ed25519, size: 256}\n", KEY_ED25519,
		    0 },
	};
	char text[1024];
	struct config cfg;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), CERT("%s"), ok[i].pk);
		if (load_one(&cfg, text) == NULL) {
			printf("    (privateKey case %zu)\n", i);
			continue;
		}
		CHECK(cfg.certs[0].key_type == ok[i].type);
		CHECK(cfg.certs[0].key_bits == ok[i].bits);
		CHECK(cfg.certs[0].key_encoding == KEY_ENC_PKCS1);
		CHECK(cfg.certs[0].rotate_always);
		config_free(&cfg);
	}
	ACCEPTED(CERT("  privateKey: {algorithm: Ed25519, size: 256}\n"),
	    "spec.privateKey.size: Ed25519 keys have one size: ignored");
	REFUSED(CERT("  privateKey: {size: 1024}\n"),
	    "spec.privateKey.size: RSA size 1024 is not supported: use 2048 "
	    "to 8192");
	REFUSED(CERT("  privateKey: {algorithm: RSA, size: 8193}\n"),
	    "RSA size 8193 is not supported");
	REFUSED(CERT("  privateKey: {algorithm: ECDSA, size: 512}\n"),
	    "spec.privateKey.size: ECDSA size 512 is not supported: use 256, "
	    "384 or 521");
	REFUSED(CERT("  privateKey: {algorithm: rsa}\n"),
	    "spec.privateKey.algorithm: 'rsa' is not one of: RSA, ECDSA, "
	    "Ed25519");
	REFUSED(CERT("  privateKey: {algorithm: ED25519}\n"), "'ED25519'");
	REFUSED(CERT("  privateKey: {algorithm: \"\"}\n"), "'' is not one of");
	REFUSED(CERT("  privateKey: {encoding: pkcs8}\n"), "'pkcs8'");
	REFUSED(CERT("  privateKey: {rotationPolicy: always}\n"), "'always'");
	REFUSED(CERT("  privateKey: {size: \"4096\"}\n"),
	    "spec.privateKey.size: expected an integer");
}

/* Each field acmec keeps: read, stored, noticed once with what it does. */
void
test_config_cert_kept_fields(void)
{
	struct config cfg;
	const struct cfg_cert *c;
	const struct cfg_cert_x *x;

	/* These go into the request; only what the CA drops is noticed. */
	ACCEPTED(CERT("  uris: [spiffe://acmec.test/web]\n"), NULL);
	ACCEPTED(CERT("  emailAddresses: [ops@web.test]\n"), NULL);
	ACCEPTED(CERT("  otherNames: [{oid: 1.3.6.1.4.1.311.20.2.3, "
	    "utf8Value: upn@web.test}]\n"), NULL);
	ACCEPTED(CERT("  subject: {organizations: [Example], countries: [DE], "
	    "serialNumber: \"42\"}\n"), NULL);
	ACCEPTED(ISSUER CERT_HEAD "  literalSubject: CN=web.test,O=Example\n",
	    NULL);
	ACCEPTED(CERT("  literalSubject: O=Ex\n  subject: {}\n  commonName: \"\"\n"),
	    NULL);
	ACCEPTED(CERT("  usages: [digital signature, key encipherment, server "
	    "auth]\n"), NULL);
	ACCEPTED(CERT("  encodeUsagesInRequest: true\n"), NULL);
	ACCEPTED(CERT("  encodeUsagesInRequest: false\n"), NULL);
	ACCEPTED(CERT("  signatureAlgorithm: SHA384WithRSA\n"),
	    "spec.signatureAlgorithm: the ACME CA chooses the signature "
	    "algorithm");
	ACCEPTED(CERT("  keystores: {pkcs12: {create: true, profile: "
	    "Modern2023, passwordSecretRef: {name: p12, key: pw}}}\n"), NULL);
	NOT_SAID(CERT("  keystores: {pkcs12: {create: true, password: x}, "
	    "jks: {create: true, password: pw}}\n"), "spec.keystores");
	ACCEPTED(CERT("  keystores: {jks: {create: false, password: x}}\n"),
	    NULL);
	ACCEPTED(CERT("  renewal: {policy: RenewBefore, windows: [{cron: "
	    "\"0 2 * * MON-FRI\", timezone: UTC, windowDuration: 2h}]}\n"),
	    "spec.renewal.windows: acmec renews whenever `acmec renew` runs");
	ACCEPTED(CERT("  renewal: {policy: Disabled}\n"),
	    "spec.renewal: policy Disabled: acmec renew still renews");
	ACCEPTED(CERT("  revisionHistoryLimit: 3\n"),
	    "spec.revisionHistoryLimit: acmec keeps no CertificateRequest");
	ACCEPTED(CERT("  secretTemplate: {labels: {app: web}, annotations: "
	    "{cert-manager.io/allow-direct-injection: \"true\"}}\n"),
	    "spec.secretTemplate: acmec writes files, not a Kubernetes Secret");
	ACCEPTED(CERT("  isCA: false\n"), NULL);
	ACCEPTED(CERT("  isCA: no\n"), NULL);
	ACCEPTED(CERT("  isCA: null\n"), NULL);
	ACCEPTED(CERT_BARE("  secretName: w\n  dnsNames: [a.test]\n  issuerRef: "
	    "{name: le, kind: ClusterIssuer, group: cert-manager.io}\n"), NULL);
	/* One notice for a field however many Certificates use it. */
	ACCEPTED(ISSUER CERT_HEAD "  dnsNames: [a.test]\n  signatureAlgorithm: "
	    "SHA256WithRSA\n---\napiVersion: cert-manager.io/v1\nkind: "
	    "Certificate\nmetadata: {name: b}\nspec: {secretName: b-tls, "
	    "issuerRef: {name: le, kind: ClusterIssuer}, dnsNames: [b.test], "
	    "signatureAlgorithm: SHA256WithRSA}\n", "spec.signatureAlgorithm:");
	/* The values are kept for the issuers that will use them. */
	if (load_one(&cfg, CERT("  uris: [spiffe://a/b]\n  emailAddresses: "
	    "[a@b.test]\n  otherNames: [{oid: 1.2.3, utf8Value: v}]\n"
	    "  subject: {organizations: [O1], serialNumber: \"7\"}\n"
	    "  usages: [server auth]\n  signatureAlgorithm: SHA512WithRSA\n"
	    "  encodeUsagesInRequest: false\n"
	    "  keystores: {jks: {create: true, alias: a, password: pw}}\n"
	    "  renewal: {policy: Disabled}\n")) == NULL)
		return;
	c = &cfg.certs[0];
	x = config_cert_x(c);
	CHECK(x->uris.n == 1 && strcmp(x->uris.v[0], "spiffe://a/b") == 0);
	CHECK(x->email_addresses.n == 1);
	CHECK(x->other_name_oids.n == 1 && x->other_name_values.n == 1);
	CHECK_STR(x->other_name_values.v[0], "v");
	CHECK(x->subject.organizations.n == 1);
	CHECK_STR(x->subject.serial_number, "7");
	CHECK(c->usages.n == 1);
	CHECK(c->signature_alg == 2);
	CHECK(!c->encode_usages);
	CHECK(x->jks.set && x->jks.create && !x->pkcs12.set);
	CHECK_STR(x->jks.alias, "a");
	CHECK_STR(x->jks.password, "pw");
	CHECK(c->renewal_disabled);
	config_free(&cfg);
	/* literalSubject's CN is the common name when it is a DNS name. */
	if (load_one(&cfg, ISSUER CERT_HEAD "  literalSubject: "
	    "\"CN=Web.Test,O=Ex\\\\, Inc+OU=x\"\n") == NULL)
		return;
	CHECK_STR(cfg.certs[0].common_name, "web.test");
	CHECK_STR(config_cert_x(&cfg.certs[0])->literal_subject,
	    "CN=Web.Test,O=Ex\\, Inc+OU=x");
	config_free(&cfg);
}

/* cert-manager's webhook rules for a Certificate, one case each. */
void
test_config_cert_refusals(void)
{
	REFUSED(ISSUER CERT_HEAD, "t.yaml:15:3: spec: name at least one of "
	    "dnsNames, ipAddresses or commonName");
	REFUSED(ISSUER CERT_HEAD "  uris: [spiffe://a/b]\n", "spec: an ACME CA "
	    "validates DNS names and IP addresses only");
#define NO_SECRET(extra) CERT_BARE("  issuerRef: {name: le, kind: " \
	"ClusterIssuer}\n  dnsNames: [a.test]\n" extra)
#define NO_REF(extra) CERT_BARE("  secretName: w\n  dnsNames: [a.test]\n" \
	extra)
	REFUSED(NO_SECRET("  secretName: \"\"\n"), "spec.secretName");
	REFUSED(NO_SECRET(""), "spec.secretName: required field is missing");
	REFUSED(NO_SECRET("  secretName: Web_TLS\n"),
	    "spec.secretName: 'Web_TLS' is not a valid name");
	REFUSED(ISSUER "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
	    "metadata: {name: web}\nspec: {secretName: w, dnsNames: [a.test]}\n",
	    "spec.issuerRef: required field is missing");
	REFUSED(NO_REF("  issuerRef: {name: \"\"}\n"), "spec.issuerRef.name");
	REFUSED(NO_REF("  issuerRef: {name: le, kind: clusterissuer}\n"),
	    "spec.issuerRef.kind: 'clusterissuer' must be Issuer or "
	    "ClusterIssuer (exactly so) (did you forget to set "
	    "spec.issuerRef.group?)");
	REFUSED(NO_REF("  issuerRef: {name: le, kind: Foo, group: "
	    "cert-manager.io}\n"), "'Foo' must be Issuer or ClusterIssuer "
	    "(exactly so)\n");
	/* An external issuer's kind is its own (the Certificate is skipped). */
	NOT_SAID(NO_REF("  issuerRef: {name: pca, kind: AWSPCAClusterIssuer, "
	    "group: awspca.cert-manager.io}\n"), "must be Issuer or "
	    "ClusterIssuer");
	REFUSED(CERT("  commonName: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.test\n"),
	    "spec.commonName: longer than 64 bytes");
	REFUSED(CERT("  ipAddresses: [10.0.0.0/8]\n"),
	    "spec.ipAddresses[0]: '10.0.0.0/8' is not an IPv4 or IPv6 address");
	REFUSED(CERT("  emailAddresses: [ops]\n"),
	    "spec.emailAddresses[0]: 'ops' is not an email address");
	REFUSED(CERT("  emailAddresses: [\"Ops <ops@web.test>\"]\n"),
	    "must be the address alone");
	REFUSED(CERT("  otherNames: [{utf8Value: v}]\n"),
	    "spec.otherNames[0]: oid is required");
	REFUSED(CERT("  otherNames: [{oid: upn, utf8Value: v}]\n"),
	    "spec.otherNames[0]: oid 'upn' is not a dotted OID");
	REFUSED(CERT("  otherNames: [{oid: 1.2.3, utf8Value: \"\"}]\n"),
	    "spec.otherNames[0]: utf8Value is required");
	REFUSED(CERT("  literalSubject: CN=web.test\n  commonName: web.test\n"),
	    "spec.commonName: give commonName or literalSubject, not both");
	REFUSED(CERT("  literalSubject: O=Ex\n  subject: {countries: [DE]}\n"),
	    "spec.subject: give subject or literalSubject, not both");
	REFUSED(CERT("  literalSubject: C=O,B=TX,CN=foo\n"),
	    "spec.literalSubject: 'B' is not an attribute cert-manager knows");
	REFUSED(CERT("  literalSubject: CN=a\\q\n"),
	    "spec.literalSubject: 'CN=a\\\\q' is not an RFC 4514 name");
	REFUSED(CERT("  literalSubject: \"CN=#0c03616263\"\n"),
	    "the CN must be a string");
	REFUSED(CERT("  signatureAlgorithm: ECDSAWithSHA256\n"),
	    "spec.signatureAlgorithm: does not suit the RSA key: use "
	    "SHA256WithRSA, SHA384WithRSA or SHA512WithRSA");
	REFUSED(CERT("  privateKey: {algorithm: Ed25519}\n"
	    "  signatureAlgorithm: SHA256WithRSA\n"),
	    "does not suit the Ed25519 key: use PureEd25519");
	REFUSED(CERT("  signatureAlgorithm: sha256WithRSA\n"), "'sha256WithRSA' "
	    "is not one of");
	REFUSED(CERT("  duration: 30m\n"),
	    "spec.duration: must be at least 1h, cert-manager's minimum");
	REFUSED(CERT("  duration: 90d\n"), "'90d' is not a duration");
	REFUSED(CERT("  renewBefore: 1h\n  renewBeforePercentage: 20\n"),
	    "spec.renewBefore: give renewBefore or renewBeforePercentage, not "
	    "both");
	REFUSED(CERT("  renewBefore: 4m\n"),
	    "spec.renewBefore: must be at least 5m, cert-manager's minimum");
	REFUSED(CERT("  duration: 24h\n  renewBefore: 24h\n"),
	    "spec.renewBefore: 24h0m0s is not shorter than the duration "
	    "24h0m0s:");
	REFUSED(CERT("  renewBefore: 2200h\n"), "spec.renewBefore: 2200h0m0s is "
	    "not shorter than the duration 2160h0m0s (the default)");
	REFUSED(CERT("  duration: 1h\n  renewBeforePercentage: 95\n"),
	    "spec.renewBeforePercentage: 95 leaves less than 5m");
	REFUSED(CERT("  duration: 2h\n  renewBeforePercentage: 0\n"),
	    "spec.renewBeforePercentage: 0 must be more than 0");
	REFUSED(CERT("  usages: [Server Auth]\n"),
	    "spec.usages: 'Server Auth' is not a key usage");
	REFUSED(CERT("  revisionHistoryLimit: 0\n"),
	    "spec.revisionHistoryLimit: must not be less than 1");
	REFUSED(CERT("  secretTemplate: {labels: {app: \"a b\"}}\n"),
	    "spec.secretTemplate.labels: label 'app': 'a b' is not a valid");
	REFUSED(CERT("  secretTemplate: {labels: {\"-x\": a}}\n"),
	    "'-x' is not a valid key");
	REFUSED(CERT("  secretTemplate: {annotations: "
	    "{cert-manager.io/issuer-name: x}}\n"),
	    "'cert-manager.io/issuer-name': cert-manager.io/ annotations are "
	    "cert-manager's own");
	REFUSED(CERT("  nameConstraints: {permitted: {dnsDomains: [a.test]}}\n"),
	    "spec.nameConstraints: name constraints belong in a CA "
	    "certificate (isCA: true)");
	REFUSED(CERT("  nameConstraints: {critical: true}\n"),
	    "spec.nameConstraints: give permitted or excluded");
	REFUSED(CERT("  nameConstraints: {excluded: {ipRanges: [10.0.0.1]}}\n"),
	    "spec.nameConstraints.excluded.ipRanges[0]: '10.0.0.1' is not a "
	    "CIDR range");
	REFUSED(CERT("  isCA: true\n"), "spec.isCA: ACME CAs do not issue CA "
	    "certificates: set isCA: false, or remove it");
	REFUSED(CERT("  isCA: \"false\"\n"), "spec.isCA: expected true or "
	    "false, found a string");
	REFUSED(CERT("  additionalOutputFormats: [{type: DER}, {type: DER}]\n"),
	    "spec.additionalOutputFormats[1]: type DER is listed twice");
	REFUSED(CERT("  keystores: {jks: {create: true, password: a, "
	    "passwordSecretRef: {name: s}}}\n"), "spec.keystores.jks: give "
	    "password or passwordSecretRef for the JKS keystore, not both");
	REFUSED(CERT("  keystores: {pkcs12: {create: true}}\n"),
	    "spec.keystores.pkcs12: the PKCS#12 keystore needs a password");
	REFUSED(CERT("  keystores: {jks: {create: true, password: \"\"}}\n"),
	    "spec.keystores.jks.password: a literal password cannot be empty");
	REFUSED(CERT("  keystores: {jks: {password: a}}\n"),
	    "spec.keystores.jks.create: required field is missing");
	REFUSED(CERT("  keystores: {pkcs12: {create: true, password: a, "
	    "profile: modern2023}}\n"), "'modern2023' is not one of");
	ACCEPTED(CERT("  keystores: {pkcs12: {create: true, password: a, "
	    "profile: Modern2026}}\n"), NULL);
	REFUSED(CERT("  keystores: {jks: {create: true, passwordSecretRef: "
	    "{name: ks}}}\n"), "spec.keystores.jks.passwordSecretRef: name "
	    "the key of Secret 'ks' that holds the password");
	REFUSED(CERT("  keystores: {jks: {create: true, alias: CA, password: "
	    "a}}\n"), "spec.keystores.jks.alias: 'CA' is the alias of the "
	    "CA's entry in keystore.jks");
	REFUSED(CERT("  keystores: {jks: {create: true, alias: ca-12, "
	    "password: a}}\n"), "spec.keystores.jks.alias: 'ca-12' is the "
	    "alias");
	ACCEPTED(CERT("  keystores: {jks: {create: true, alias: ca-x, "
	    "password: a}}\n"), NULL);
	ACCEPTED(CERT("  keystores: {jks: {create: true, alias: cab, "
	    "password: a}}\n"), NULL);
	ACCEPTED(CERT("  keystores: {jks: {create: false, passwordSecretRef: "
	    "{name: ks}}}\n"), NULL);
	REFUSED(CERT("  renewal: {windows: []}\n"),
	    "spec.renewal.policy: required field is missing");
	REFUSED(CERT("  renewal: {policy: Disabled, windows: [{cron: \"@daily\","
	    " windowDuration: 1h}]}\n"), "spec.renewal.windows: windows cannot "
	    "be set when policy is Disabled");
	REFUSED(CERT("  renewal: {policy: RenewBefore, windows: [{cron: "
	    "\"0 25 * * *\", windowDuration: 1h}]}\n"),
	    "spec.renewal.windows[0].cron: '0 25 * * *' is not a cron schedule");
	REFUSED(CERT("  renewal: {policy: RenewBefore, windows: [{cron: "
	    "\"@daily\"}]}\n"),
	    "spec.renewal.windows[0].windowDuration: required field is missing");
	REFUSED(CERT("  renewal: {policy: RenewBefore, windows: [{cron: "
	    "\"@daily\", windowDuration: 1h30ms}]}\n"),
	    "'1h30ms' is not a window length");
	REFUSED(CERT("  renewal: {policy: RenewBefore, windows: [{cron: "
	    "\"@daily\", windowDuration: 1h, timezone: Mars/Olympus}]}\n"),
	    "spec.renewal.windows[0].timezone: 'Mars/Olympus' is not an IANA "
	    "time zone");
}

/* A percentage alone outside 1-99 passes cert-manager and is ignored. */
void
test_config_cert_lifetime(void)
{
	struct config cfg;

	ACCEPTED(CERT("  renewBeforePercentage: 150\n"),
	    "spec.renewBeforePercentage: 150 is outside 1-99: ignored");
	if (load_one(&cfg, CERT("  renewBeforePercentage: 0\n")) != NULL) {
		CHECK(cfg.certs[0].renew_before_pct == 0);
		config_free(&cfg);
	}
	if (load_one(&cfg, CERT("  duration: 1h\n  renewBefore: 5m\n")) !=
	    NULL) {
		CHECK(cfg.certs[0].duration == 3600);
		CHECK(cfg.certs[0].renew_before == 300);
		config_free(&cfg);
	}
	if (load_one(&cfg, CERT("  duration: 48h\n  renewBeforePercentage: "
	    "25\n")) != NULL) {
		CHECK(cfg.certs[0].renew_before_pct == 25);
		config_free(&cfg);
	}
}

/*
 * The refusals that hold only for an ACME issuer wait until the issuer is
 * known: a SelfSigned CA's Certificate (isCA, a CN that is no DNS name)
 * is for an issuer acmec skips, not a configuration error.
 */
void
test_config_cert_acme_only(void)
{
	static const char *const specs[] = {
		"  isCA: true\n  dnsNames: [a.test]\n",
		"  commonName: My Selfsigned CA\n",
		"  uris: [spiffe://a/b]\n",
	};
	struct config cfg;
	char text[1024], *msgs;
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		/* Without its issuer only the dangling issuerRef is reported. */
		snprintf(text, sizeof(text), "apiVersion: cert-manager.io/v1\n"
		    "kind: Certificate\nmetadata: {name: ca}\nspec:\n"
		    "  secretName: root-secret\n  issuerRef: {name: selfsigned, "
		    "kind: ClusterIssuer}\n%s", specs[i]);
		CHECK(load_capture(text, &cfg, &msgs) < 0);
		CHECK(count(msgs, "error:") == 1);
		if (strstr(msgs, "no ClusterIssuer named 'selfsigned'") == NULL)
			CHECK_STR(msgs, "no ClusterIssuer named 'selfsigned'");
		config_free(&cfg);
		free(msgs);
	}
	/* With an ACME issuer, each is refused at its place. */
	REFUSED(ISSUER CERT_HEAD "  commonName: My Selfsigned CA\n",
	    "t.yaml:17:15: spec.commonName: 'My Selfsigned CA' is neither a "
	    "DNS name nor an IP address, which an ACME CA needs");
}
