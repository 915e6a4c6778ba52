/*
 * cloudDNS: the service-account key file is checked before any byte of
 * it is used (type, client_email, an RSA private_key, and a token_uri
 * that is Google's, over https), and the solver's fields as the config
 * reads them.
 */

#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/solver/gsakey.h"
#include "acme/util.h"
#include "crypto/err.h"
#include "crypto/key.h"
#include "tests/unit/unit.h"

/* A key file as Google makes one, with pem as private_key. */
static char *
keyfile(const char *type, const char *email, const char *pem,
    const char *token_uri)
{
	struct buf b = { 0 };
	const char *p;

	buf_addstr(&b, "{\"type\": \"");
	buf_addstr(&b, type);
	buf_addstr(&b, "\", \"project_id\": \"acmec-test\", "
	    "\"private_key_id\": \"0123abcd\", \"private_key\": \"");
	for (p = pem; *p != '\0'; p++)
		buf_addstr(&b, *p == '\n' ? "\\n" : (char[2]){ *p, '\0' });
	buf_addstr(&b, "\", \"client_email\": \"");
	buf_addstr(&b, email);
	buf_addstr(&b, "\", \"client_id\": \"1234567890\"");
	if (token_uri != NULL) {
		buf_addstr(&b, ", \"token_uri\": \"");
		buf_addstr(&b, token_uri);
		buf_addstr(&b, "\"");
	}
	buf_addstr(&b, "}");
	return b.data;
}

/* keyfile(...) must be refused with a reason starting with want. */
static void
refused(char *json, const char *want)
{
	struct gsakey sa;

	CHECK(gsakey_parse(json, strlen(json), &sa) < 0);
	CHECK(sa.key == NULL && sa.email == NULL);
	if (strncmp(util_error(), want, strlen(want)) != 0)
		CHECK_STR(util_error(), want);
	gsakey_free(&sa);
	free(json);
}

void
test_gsakey_parse(void)
{
	static const char email[] = "dns@acmec-test.iam.gserviceaccount.com";
	struct key *rsa = key_generate(KEY_RSA, 2048);
	struct key *ec = key_generate(KEY_EC_P256, 0);
	char *pem, *ecpem, *json;
	size_t len, eclen;
	struct gsakey sa;

	REQUIRE(rsa != NULL && ec != NULL);
	REQUIRE(key_save_pem(rsa, KEY_ENC_PKCS8, &pem, &len) == 0);
	REQUIRE(key_save_pem(ec, KEY_ENC_PKCS8, &ecpem, &eclen) == 0);
	json = keyfile("service_account", email, pem, NULL);
	REQUIRE(gsakey_parse(json, strlen(json), &sa) == 0);
	CHECK_STR(sa.email, email);
	CHECK_STR(sa.token_uri, "https://oauth2.googleapis.com/token");
	CHECK(key_equal_public(sa.key, rsa));
	gsakey_free(&sa);
	free(json);
	json = keyfile("service_account", email, pem,
	    "https://accounts.google.com/o/oauth2/token");
	CHECK(gsakey_parse(json, strlen(json), &sa) == 0);
	CHECK_STR(sa.token_uri, "https://accounts.google.com/o/oauth2/token");
	gsakey_free(&sa);
	free(json);

	refused(util_strdup("{\"type\": "), "not JSON");
	refused(keyfile("authorized_user", email, pem, NULL),
	    "type 'authorized_user' is not a service account's key");
	refused(keyfile("service_account", "", pem, NULL), "no client_email");
	refused(keyfile("service_account", "nobody", pem, NULL),
	    "client_email 'nobody' is not an address");
	refused(keyfile("service_account", email, "", NULL), "no private_key");
	refused(keyfile("service_account", email, "-----BEGIN PRIVATE KEY-----",
	    NULL), "its private_key is not an RSA key in PEM: ");
	refused(keyfile("service_account", email, ecpem, NULL),
	    "its private_key is not an RSA key in PEM");
	refused(keyfile("service_account", email, pem,
	    "http://oauth2.googleapis.com/token"),
	    "token_uri 'http://oauth2.googleapis.com/token' is not https");
	refused(keyfile("service_account", email, pem,
	    "https://oauth2.googleapis.com.evil.test/token"),
	    "token_uri 'https://oauth2.googleapis.com.evil.test/token' is not "
	    "Google's token endpoint");
	crypto_secret_free(pem, len);
	crypto_secret_free(ecpem, eclen);
	key_free(rsa);
	key_free(ec);
}

#define ISSUER(solver) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata: {name: le}\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://cluster.test/dir\n" \
	"    privateKeySecretRef: {name: le-account}\n" \
	"    solvers:\n" \
	"    - dns01:\n" \
	"        cloudDNS: " solver "\n"

void
test_clouddns_config(void)
{
	struct config cfg;
	const struct cfg_dnsapi *api;
	const char *err;

	REQUIRE(unit_config_load(ISSUER("{project: my-project-123, "
	    "hostedZoneName: example-com, serviceAccountSecretRef: "
	    "{name: clouddns, key: key.json}}"), &cfg, &err) == 0);
	api = &cfg.issuers[0].solvers[0].api;
	CHECK_STR(api->provider, "cloudDNS");
	CHECK_STR(config_dnsapi_str(api, "project"), "my-project-123");
	CHECK_STR(config_dnsapi_str(api, "hostedZoneName"), "example-com");
	REQUIRE(config_dnsapi_ref(api, "serviceAccountSecretRef") != NULL);
	CHECK_STR(config_dnsapi_ref(api, "serviceAccountSecretRef")->key,
	    "key.json");
	config_free(&cfg);
	/* Without a key: the metadata server; a domain-scoped project. */
	REQUIRE(unit_config_load(ISSUER("{project: \"example.com:dns\"}"), &cfg,
	    &err) == 0);
	CHECK(config_dnsapi_ref(&cfg.issuers[0].solvers[0].api,
	    "serviceAccountSecretRef") == NULL);
	config_free(&cfg);
	unit_config_refused(ISSUER("{hostedZoneName: example-com}"),
	    "t.yaml:10:19: spec.acme.solvers[0].dns01.cloudDNS.project: "
	    "required field is missing");
	unit_config_refused(ISSUER("{project: \"../other\"}"),
	    "t.yaml:10:29: spec.acme.solvers[0].dns01.cloudDNS.project: "
	    "'../other' is not a Google Cloud project ID");
	unit_config_refused(ISSUER("{project: p1, hostedZoneName: "
	    "example.com.}"), "t.yaml:10:49: spec.acme.solvers[0].dns01."
	    "cloudDNS.hostedZoneName: 'example.com.' is not a Cloud DNS "
	    "managed zone name");
	unit_config_refused(ISSUER("{project: p1, serviceAccountSecretRef: "
	    "{name: clouddns}}"), "t.yaml:10:");
}
