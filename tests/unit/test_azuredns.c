/*
 * dns01.azureDNS as the config module reads it: cert-manager's fields
 * kept by name for the provider, and its refusals.
 */

#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "tests/unit/unit.h"

/* An issuer whose one solver is dns01.azureDNS with the fields given. */
#define AZ_ISSUER(fields) \
	"apiVersion: cert-manager.io/v1\n" \
	"kind: ClusterIssuer\n" \
	"metadata: {name: az}\n" \
	"spec:\n" \
	"  acme:\n" \
	"    server: https://cluster.test/dir\n" \
	"    privateKeySecretRef: {name: az-account}\n" \
	"    solvers:\n" \
	"    - dns01:\n" \
	"        azureDNS:\n" \
	"          subscriptionID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9\n" \
	"          resourceGroupName: dns\n" fields

#define AZ_SP \
	"          clientID: 0c1d2e3f-4a5b-4c6d-8e7f-a1b2c3d4e5f6\n" \
	"          tenantID: contoso.onmicrosoft.com\n" \
	"          clientSecretSecretRef: {name: az, key: client-secret}\n"

void
test_azuredns_config_fields(void)
{
	struct config cfg;
	const struct cfg_solver *sv;
	const struct cfg_secret_ref *ref;
	const char *err;

	REQUIRE(unit_config_load(AZ_ISSUER(AZ_SP
	    "          hostedZoneName: example.org\n"
	    "          environment: AzureChinaCloud\n"
	    "          zoneType: AzurePublicZone\n"), &cfg, &err) == 0);
	REQUIRE(cfg.nissuers == 1 && cfg.issuers[0].nsolvers == 1);
	sv = &cfg.issuers[0].solvers[0];
	CHECK(sv->dns_provider == DNS01_API && sv->unsupported == NULL);
	CHECK_STR(sv->api.provider, "azureDNS");
	CHECK_STR(config_dnsapi_str(&sv->api, "clientID"),
	    "0c1d2e3f-4a5b-4c6d-8e7f-a1b2c3d4e5f6");
	CHECK_STR(config_dnsapi_str(&sv->api, "tenantID"),
	    "contoso.onmicrosoft.com");
	CHECK_STR(config_dnsapi_str(&sv->api, "subscriptionID"),
	    "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9");
	CHECK_STR(config_dnsapi_str(&sv->api, "resourceGroupName"), "dns");
	CHECK_STR(config_dnsapi_str(&sv->api, "hostedZoneName"),
	    "example.org");
	CHECK_STR(config_dnsapi_str(&sv->api, "environment"), "AzureChinaCloud");
	CHECK(config_dnsapi_str(&sv->api, "managedIdentity") == NULL);
	REQUIRE((ref = config_dnsapi_ref(&sv->api, "clientSecretSecretRef")) !=
	    NULL);
	CHECK_STR(ref->name, "az");
	CHECK_STR(ref->key, "client-secret");
	config_free(&cfg);

	/* A managed identity: its fields apart from the principal's. */
	REQUIRE(unit_config_load(AZ_ISSUER(
	    "          managedIdentity: {clientID: 9d8c7b6a, tenantID: t1}\n"
	    "          environment: \"\"\n"), &cfg, &err) == 0);
	sv = &cfg.issuers[0].solvers[0];
	CHECK(config_dnsapi_str(&sv->api, "clientID") == NULL);
	CHECK(config_dnsapi_str(&sv->api, "environment") == NULL);
	CHECK(config_dnsapi_str(&sv->api, "managedIdentity") != NULL);
	CHECK_STR(config_dnsapi_str(&sv->api, "managedIdentity.clientID"),
	    "9d8c7b6a");
	CHECK_STR(config_dnsapi_str(&sv->api, "managedIdentity.tenantID"),
	    "t1");
	config_free(&cfg);

	/* Azure Private DNS. */
	REQUIRE(unit_config_load(AZ_ISSUER(
	    "          zoneType: AzurePrivateZone\n"), &cfg, &err) == 0);
	sv = &cfg.issuers[0].solvers[0];
	CHECK(sv->unsupported == NULL);
	CHECK_STR(config_dnsapi_str(&sv->api, "zoneType"), "AzurePrivateZone");
	config_free(&cfg);
}

void
test_azuredns_config_refusals(void)
{
	unit_config_refused(AZ_ISSUER(
	    "          clientID: 0c1d2e3f\n"
	    "          tenantID: t1\n"), "t.yaml:11:11: spec.acme.solvers[0]."
	    "dns01.azureDNS.clientSecretSecretRef: required with a service "
	    "principal: give clientID, clientSecretSecretRef and tenantID, or "
	    "none of them for a managed identity");
	unit_config_refused(AZ_ISSUER(
	    "          clientSecretSecretRef: {name: az, key: s}\n"),
	    "t.yaml:11:11: spec.acme.solvers[0].dns01.azureDNS.clientID: "
	    "required with a service principal");
	unit_config_refused(AZ_ISSUER(AZ_SP
	    "          managedIdentity: {clientID: 9d8c7b6a}\n"),
	    "t.yaml:11:11: spec.acme.solvers[0].dns01.azureDNS.managedIdentity: "
	    "managed identity cannot be used at the same time as clientID, "
	    "clientSecretSecretRef or tenantID");
	unit_config_refused(AZ_ISSUER(
	    "          managedIdentity: {clientID: a, resourceID: b}\n"),
	    "t.yaml:13:28: spec.acme.solvers[0].dns01.azureDNS.managedIdentity: "
	    "managedIdentityClientID and managedIdentityResourceID cannot both "
	    "be specified");
	unit_config_refused(AZ_ISSUER(
	    "          managedIdentity: {tenantID: t1}\n"),
	    "t.yaml:13:28: spec.acme.solvers[0].dns01.azureDNS.managedIdentity: "
	    "managedIdentityClientID is required when using "
	    "managedIdentityTenantID");
	unit_config_refused(AZ_ISSUER(
	    "          environment: azurepubliccloud\n"),
	    "t.yaml:13:24: spec.acme.solvers[0].dns01.azureDNS.environment: "
	    "'azurepubliccloud': must be either empty or one of "
	    "AzurePublicCloud, AzureChinaCloud, AzureGermanCloud, or "
	    "AzureUSGovernmentCloud");
	unit_config_refused(AZ_ISSUER(
	    "          zoneType: Public\n"),
	    "t.yaml:13:21: spec.acme.solvers[0].dns01.azureDNS.zoneType: "
	    "'Public': supported values: AzurePublicZone, AzurePrivateZone");
	unit_config_refused(
	    "apiVersion: cert-manager.io/v1\n"
	    "kind: ClusterIssuer\n"
	    "metadata: {name: az}\n"
	    "spec:\n"
	    "  acme:\n"
	    "    server: https://cluster.test/dir\n"
	    "    privateKeySecretRef: {name: az-account}\n"
	    "    solvers:\n"
	    "    - dns01:\n"
	    "        azureDNS: {subscriptionID: \"\", hostedZoneName: x}\n",
	    "t.yaml:10:19: spec.acme.solvers[0].dns01.azureDNS.resourceGroupName:"
	    " required field is missing");
}
