#!/bin/sh
# dns-01 through Azure DNS (cert-manager's dns01.azureDNS): wildcard + apex
# through the fake of Microsoft's sign-in and Resource Manager APIs
# (tests/lib/fake_dns_azure.py, writing to the test BIND9 that Pebble
# asks), with a service principal's client secret, Workload Identity's
# federated token and managed identities (the instance metadata fake); a
# value someone else keeps at the name survives present and cleanup, also
# when the set changes under acmec (ETags, HTTP 412); a bad secret, a
# resource group the principal cannot see and rate limits end with Azure's
# words; hostile answers are refused; the secret and the tokens never
# reach a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S/secrets/az" "$S/secrets/az-bad" "$S/secrets/az-limited"
chmod 700 "$S" "$S/secrets"
printf '%s\n' "$AZ_SECRET" >"$S/secrets/az/client-secret"
printf 'acmecTest~NotTheSecret.0123456789\n' >"$S/secrets/az-bad/client-secret"
printf '%s\n' "$AZ_SECRET_LIMITED" >"$S/secrets/az-limited/client-secret"
chmod 600 "$S"/secrets/*/*
SET=/subscriptions/$AZ_SUB/resourceGroups/$AZ_RG/providers/Microsoft.Network/dnsZones

# conf NAME AZUREDNS-FLOW-YAML DNSNAME...: an issuer and a Certificate.
conf() {
	_n=$1 _az=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {azureDNS: $_az,
      nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
# sp SECRET [CLIENT [MORE]]: a service principal's azureDNS fields.
sp() {
	printf '{clientID: "%s", clientSecretSecretRef: {name: %s, key: client-secret}, tenantID: "%s", subscriptionID: "%s", resourceGroupName: %s%s}' \
	    "${2:-$AZ_CLIENT}" "$1" "$AZ_TENANT" "$AZ_SUB" "$AZ_RG" "${3:-}"
}
run() { with_api_world "$ACMEC" -s "$S" "$@"; }
imds() {
	with_api_world env AZURE_POD_IDENTITY_AUTHORITY_HOST="http://127.0.0.1:$FAKE_IMDS_PORT/" \
	    "$ACMEC" -s "$S" "$@"
}
# nothing_logged NAME: no credential in the last run's -vv output.
nothing_logged() {
	not_in "$1/secret" "$T_TMP/err" "$AZ_SECRET"
	not_in "$1/bearer" "$T_TMP/err" 'Bearer'
	not_in "$1/token" "$T_TMP/err" 'eyJ'
}

# A service principal: wildcard and apex share one set, written once.
conf sp "$(sp az)" az.acmec.test '*.az.acmec.test' >"$T_TMP/sp.yaml"
expect sp/issue 0 run -vv -c "$T_TMP/sp.yaml" issue
cert_ok sp "$S/secrets/sp-tls" "Private-Key: (2048 bit" az.acmec.test '*.az.acmec.test'
grep_in sp/added "$T_TMP/err" 'azureDNS: added 2 TXT records at _acme-challenge.az.acmec.test'
check sp/signed-in grep -q "azure POST /$AZ_TENANT/oauth2/v2.0/token auth=sp:acmec status=200" "$FAKE_API_LOG"
check sp/zone-read grep -q "azure GET $SET/acmec.test?api-version=2018-05-01 auth=acmec status=200" "$FAKE_API_LOG"
check sp/one-put test "$(fake_api_count "azure PUT $SET/acmec.test/TXT/_acme-challenge.az?api-version=2018-05-01 auth=acmec status=201")" -eq 1
check sp/deleted test "$(fake_api_count "azure DELETE $SET/acmec.test/TXT/_acme-challenge.az?.* status=200")" -eq 1
check sp/bind-clean test -z "$(txt _acme-challenge.az.acmec.test)"
nothing_logged sp

# Someone else's value at the name: kept by present (the set is updated,
# If-Match) and by cleanup (written back without ours, not deleted).
conf keep "$(sp az)" azkeep.acmec.test '*.azkeep.acmec.test' >"$T_TMP/keep.yaml"
expect keep/issue 0 run -c "$T_TMP/keep.yaml" issue
cert_ok keep "$S/secrets/keep-tls" "Private-Key: (2048 bit" azkeep.acmec.test '*.azkeep.acmec.test'
check keep/updated test "$(fake_api_count "azure PUT $SET/acmec.test/TXT/_acme-challenge.azkeep?.* status=200")" -eq 2
check keep/not-deleted test "$(fake_api_count "azure DELETE $SET/acmec.test/TXT/_acme-challenge.azkeep?")" -eq 0
check keep/foreign-kept test "$(txt _acme-challenge.azkeep.acmec.test)" = someone-elses-value

# The set changes under acmec twice (another writer, HTTP 412): read again
# and written again, both times keeping every value not acmec's.
fake_api_mode '{"azure_race": 2}'
conf race "$(sp az)" azrace.acmec.test >"$T_TMP/race.yaml"
expect race/issue 0 run -c "$T_TMP/race.yaml" issue
fake_api_mode '{}'
check race/retried test "$(grep -c 'the record set _acme-challenge.azrace.acmec.test changed meanwhile (HTTP 412); reading it again' "$T_TMP/err")" -eq 2
check race/conflicts test "$(fake_api_count "TXT/_acme-challenge.azrace?.* status=412")" -eq 2
check race/others-kept test "$(txt _acme-challenge.azrace.acmec.test | tr '\n' ' ')" = "race-1 race-2 someone-elses-value "
# A set that keeps changing: given up after three tries, Azure's words,
# exit 1, nothing of acmec's left.
fake_api_mode '{"azure_race": 9}'
conf race2 "$(sp az)" azrace.acmec.test >"$T_TMP/race2.yaml"
expect race-forever/exit 1 run -c "$T_TMP/race2.yaml" issue
fake_api_mode '{}'
grep_in race-forever/words "$T_TMP/err" 'azureDNS: the record set _acme-challenge.azrace.acmec.test kept changing (HTTP 412 3 times); try again later'
check race-forever/others-only test "$(txt _acme-challenge.azrace.acmec.test | tr '\n' ' ')" = "race-1 race-2 race-3 race-4 race-5 someone-elses-value "

# The zone's apex as the set's name ("@"): a zone of its own named in
# hostedZoneName (its trailing dot dropped).
conf apex "$(sp az '' ', hostedZoneName: _acme-challenge.apex.acmec.test.')" apex.acmec.test >"$T_TMP/apex.yaml"
expect apex/issue 0 run -c "$T_TMP/apex.yaml" issue
cert_ok apex "$S/secrets/apex-tls" "Private-Key: (2048 bit" apex.acmec.test
check apex/at grep -q "azure PUT $SET/_acme-challenge.apex.acmec.test/TXT/@?api-version=2018-05-01 auth=acmec status=201" "$FAKE_API_LOG"
check apex/bind-clean test -z "$(txt _acme-challenge.apex.acmec.test)"

# Azure Private DNS (zoneType AzurePrivateZone): the private zone of the
# same name, its own resource type and spelling of the set.
conf priv "$(sp az '' ', zoneType: AzurePrivateZone')" priv.acmec.test '*.priv.acmec.test' >"$T_TMP/priv.yaml"
expect private/issue 0 run -c "$T_TMP/priv.yaml" issue
cert_ok private "$S/secrets/priv-tls" "Private-Key: (2048 bit" priv.acmec.test '*.priv.acmec.test'
PSET=/subscriptions/$AZ_SUB/resourceGroups/$AZ_RG/providers/Microsoft.Network/privateDnsZones
check private/zone grep -q "azure GET $PSET/acmec.test?api-version=2024-06-01 auth=acmec status=200" "$FAKE_API_LOG"
check private/put grep -q "azure PUT $PSET/acmec.test/TXT/_acme-challenge.priv?api-version=2024-06-01 auth=acmec status=201" "$FAKE_API_LOG"
check private/deleted grep -q "azure DELETE $PSET/acmec.test/TXT/_acme-challenge.priv?.* status=200" "$FAKE_API_LOG"
check private/not-public test "$(fake_api_count "dnsZones/acmec.test/TXT/_acme-challenge.priv")" -eq 0
check private/bind-clean test -z "$(txt _acme-challenge.priv.acmec.test)"

# A user-assigned managed identity through the metadata endpoint (no
# clientID), its clientID sent as IMDS wants it.
conf mi "{subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG, managedIdentity: {clientID: \"$AZ_MI_CLIENT\"}}" \
    mi.acmec.test '*.mi.acmec.test' >"$T_TMP/mi.yaml"
expect mi/issue 0 imds -vv -c "$T_TMP/mi.yaml" issue
cert_ok mi "$S/secrets/mi-tls" "Private-Key: (2048 bit" mi.acmec.test '*.mi.acmec.test'
check mi/imds grep -q "imds GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=$AZ_MI_CLIENT auth=mi:uami status=200" "$FAKE_API_LOG"
check mi/used grep -q "azure PUT $SET/acmec.test/TXT/_acme-challenge.mi?.* auth=uami status=201" "$FAKE_API_LOG"
check mi/bind-clean test -z "$(txt _acme-challenge.mi.acmec.test)"
nothing_logged mi

# The machine's own identity in another cloud: every request goes to that
# cloud's hosts, the token asked for its Resource Manager.
conf gov "{subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG, environment: AzureUSGovernmentCloud}" \
    gov.acmec.test >"$T_TMP/gov.yaml"
expect gov/issue 0 imds -c "$T_TMP/gov.yaml" issue
check gov/resource grep -q "imds GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.usgovcloudapi.net%2F auth=mi:node status=200" "$FAKE_API_LOG"
check gov/arm grep -q "azure PUT $SET/acmec.test/TXT/_acme-challenge.gov?.* auth=node status=201" "$FAKE_API_LOG"

# A user-assigned identity the machine does not have: IMDS's words.
conf nouami "{subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG, managedIdentity: {resourceID: /subscriptions/$AZ_SUB/resourceGroups/x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nope}}" \
    nouami.acmec.test >"$T_TMP/nouami.yaml"
expect unknown-identity/exit 1 imds -c "$T_TMP/nouami.yaml" issue
grep_in unknown-identity/words "$T_TMP/err" "azureDNS: getting the managed identity's token: HTTP 400: invalid_request: Identity not found"

# Azure Workload Identity: the federated token file is the assertion of
# the application named by AZURE_CLIENT_ID in AZURE_TENANT_ID (cluster
# style), or by managedIdentity.clientID and tenantID; IMDS is not asked.
printf '%s\n' "$AZ_WI_TOKEN" >"$T_TMP/wi-token"
printf 'eyJhbGciOiJSUzI1NiJ9.e30.someoneElsesToken\n' >"$T_TMP/wi-other"
conf wi "{subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG}" wi.acmec.test '*.wi.acmec.test' >"$T_TMP/wi.yaml"
_imds=$(fake_api_count '^imds ')
expect workload/issue 0 with_api_world env AZURE_FEDERATED_TOKEN_FILE="$T_TMP/wi-token" \
    AZURE_CLIENT_ID="$AZ_WI_CLIENT" AZURE_TENANT_ID="$AZ_TENANT" "$ACMEC" -s "$S" -vv -c "$T_TMP/wi.yaml" issue
cert_ok workload "$S/secrets/wi-tls" "Private-Key: (2048 bit" wi.acmec.test '*.wi.acmec.test'
check workload/signed-in grep -q "azure POST /$AZ_TENANT/oauth2/v2.0/token auth=wi:workload status=200" "$FAKE_API_LOG"
check workload/used grep -q "azure PUT $SET/acmec.test/TXT/_acme-challenge.wi?.* auth=workload status=201" "$FAKE_API_LOG"
check workload/no-imds test "$(fake_api_count '^imds ')" -eq "$_imds"
nothing_logged workload
conf wi2 "{subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG, managedIdentity: {clientID: \"$AZ_WI_CLIENT\", tenantID: \"$AZ_TENANT\"}}" wi2.acmec.test >"$T_TMP/wi2.yaml"
expect workload-other/exit 1 with_api_world env AZURE_FEDERATED_TOKEN_FILE="$T_TMP/wi-other" "$ACMEC" -s "$S" -c "$T_TMP/wi2.yaml" issue
grep_in workload-other/words "$T_TMP/err" "azureDNS: signing in as client $AZ_WI_CLIENT of tenant $AZ_TENANT: HTTP 400: invalid_request: AADSTS70021: No matching federated identity record found"
not_in workload-other/not-logged "$T_TMP/err" 'someoneElsesToken'

# No managed identity answers: what to give instead, exit 1.
conf nomi "{subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG}" nomi.acmec.test >"$T_TMP/nomi.yaml"
expect no-identity/exit 1 with_api_world env AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:9 "$ACMEC" -s "$S" -c "$T_TMP/nomi.yaml" issue
grep_in no-identity/words "$T_TMP/err" 'azureDNS: no clientID is given and no managed identity answers: .*give clientID, clientSecretSecretRef and tenantID'

# A bad client secret: the identity platform's words, exit 1, nothing
# written, nothing logged.
conf bad "$(sp az-bad)" bad.acmec.test >"$T_TMP/bad.yaml"
expect bad-secret/exit 1 run -vv -c "$T_TMP/bad.yaml" issue
grep_in bad-secret/words "$T_TMP/err" "azureDNS: signing in as client $AZ_CLIENT of tenant $AZ_TENANT: HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided"
check bad-secret/no-arm test "$(fake_api_count 'TXT/_acme-challenge.bad')" -eq 0
check bad-secret/none-left test -z "$(txt _acme-challenge.bad.acmec.test)"
not_in bad-secret/secret-not-logged "$T_TMP/err" 'NotTheSecret'

# A resource group the principal cannot see, and a subscription.
conf rg "$(sp az-limited "$AZ_CLIENT_LIMITED")" rg.acmec.test >"$T_TMP/rg.yaml"
expect foreign-rg/exit 1 run -c "$T_TMP/rg.yaml" issue
grep_in foreign-rg/words "$T_TMP/err" "azureDNS: finding the zone acmec.test in resource group $AZ_RG of subscription $AZ_SUB: HTTP 403: AuthorizationFailed: The client 'limited' with object id 'limited' does not have authorization to perform action 'Microsoft.Network/dnsZones/read'.*DNS Zone Contributor role"
check foreign-rg/none-left test -z "$(txt _acme-challenge.rg.acmec.test)"
sed "s/$AZ_SUB/00000000-0000-4000-8000-000000000000/" "$T_TMP/sp.yaml" >"$T_TMP/sub.yaml"
expect foreign-sub/exit 1 run -c "$T_TMP/sub.yaml" issue
grep_in foreign-sub/words "$T_TMP/err" "of subscription 00000000-0000-4000-8000-000000000000: HTTP 403: AuthorizationFailed: "

# Rate limited twice: waited out as Retry-After says, then issued; then
# past patience: the provider's words, exit 1, nothing left.
rate_limited azure_429 'azureDNS asks to wait 1 s (HTTP 429)' \
    'azureDNS: finding the zone acmec.test .*: HTTP 429: TooManyRequests: The request is being throttled' \
    "$(sp az)"

# Hostile answers, refused: an ETag carrying a header, a token carrying a
# header, a record set past 1 MiB.  Nothing is written, the value someone
# else keeps at the name stays.
fake_api_mode '{"azure_bad_etag": true}'
conf hostile "$(sp az)" azhostile.acmec.test >"$T_TMP/hostile.yaml"
expect hostile-etag/exit 1 run -c "$T_TMP/hostile.yaml" issue
grep_in hostile-etag/words "$T_TMP/err" 'azureDNS: the answer for the record set _acme-challenge.azhostile.acmec.test is not a TXT record set with a sane ETag (refused)'
check hostile-etag/no-write test "$(fake_api_count 'PUT .*TXT/_acme-challenge.azhostile')" -eq 0
fake_api_mode '{"azure_bad_token": true}'
expect hostile-token/exit 1 run -c "$T_TMP/hostile.yaml" issue
grep_in hostile-token/words "$T_TMP/err" "azureDNS: signing in as client $AZ_CLIENT of tenant $AZ_TENANT: the answer holds no bearer token acmec can send (refused)"
check hostile-token/not-sent test "$(fake_api_count 'auth=AuthenticationFailed')" -eq 0
fake_api_mode '{"azure_big": true}'
expect hostile-big/exit 1 run -c "$T_TMP/hostile.yaml" issue
grep_in hostile-big/words "$T_TMP/err" 'azureDNS: .*the response is larger than 1048576 bytes'
fake_api_mode '{}'
check hostile/foreign-kept test "$(txt _acme-challenge.azhostile.acmec.test)" = someone-elses-value

# The fake's own checks, the ones acmec's runs above never fail: what the
# real services refuse, it refuses.
RESOLVE=
for h in $(sed 's/^127.0.0.1 localhost //' "$FAKE_API_HOSTS"); do
	RESOLVE="$RESOLVE --resolve $h:443:127.0.0.1"
done
# fcurl NAME WANT-STATUS WANT-WORDS CURL-ARGS...: one request to the fake.
fcurl() {
	_n=$1 _s=$2 _w=$3
	shift 3
	# shellcheck disable=SC2086
	_c=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --cacert "$FAKE_API_CA" $RESOLVE "$@")
	check "$_n/status" test "$_c" = "$_s"
	grep_in "$_n/words" "$T_TMP/body" "$_w"
}
IMDS="http://127.0.0.1:$FAKE_IMDS_PORT/metadata/identity/oauth2/token?api-version=2018-02-01"
fcurl fake/imds-needs-metadata 400 '"bad_request_102"' "$IMDS&resource=https://management.azure.com/"
fcurl fake/imds-no-forwarding 400 'X-Forwarded-For' -H 'Metadata: true' -H 'X-Forwarded-For: 10.0.0.1' "$IMDS&resource=https://management.azure.com/"
fcurl fake/imds-gov-token 200 '"token_type": "Bearer"' -H 'Metadata: true' "$IMDS&resource=https://management.usgovcloudapi.net/"
GOV=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$T_TMP/body")
ZONE="https://management.azure.com$SET/acmec.test"
fcurl fake/arm-needs-token 401 '"AuthenticationFailed"' "$ZONE?api-version=2018-05-01"
fcurl fake/arm-audience 401 '"InvalidAuthenticationTokenAudience"' -H "Authorization: Bearer $GOV" "$ZONE?api-version=2018-05-01"
fcurl fake/login-scope 400 'AADSTS1002012' --data-urlencode grant_type=client_credentials \
    --data-urlencode client_id="$AZ_CLIENT" --data-urlencode client_secret="$AZ_SECRET" \
    --data-urlencode scope=https://graph.microsoft.com/.default "https://login.microsoftonline.com/$AZ_TENANT/oauth2/v2.0/token"
fcurl fake/login 200 '"access_token"' --data-urlencode grant_type=client_credentials \
    --data-urlencode client_id="$AZ_CLIENT" --data-urlencode client_secret="$AZ_SECRET" \
    --data-urlencode scope=https://management.azure.com/.default "https://login.microsoftonline.com/acmectest.onmicrosoft.com/oauth2/v2.0/token"
TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$T_TMP/body")
fcurl fake/api-version 400 '"MissingApiVersionParameter"' -H "Authorization: Bearer $TOK" "$ZONE"
fcurl fake/create-only 412 '"PreconditionFailed"' -X PUT -H "Authorization: Bearer $TOK" -H 'If-None-Match: *' \
    -H 'Content-Type: application/json' -d '{"properties": {"TTL": 60, "TXTRecords": [{"value": ["x"]}]}}' \
    "$ZONE/TXT/_acme-challenge.azkeep?api-version=2018-05-01"
fcurl fake/stale-etag 412 '"PreconditionFailed"' -X DELETE -H "Authorization: Bearer $TOK" -H 'If-Match: 00000000-0000-0000-0000-000000000000' \
    "$ZONE/TXT/_acme-challenge.azkeep?api-version=2018-05-01"
fcurl fake/no-zone 404 '"ParentResourceNotFound"' -H "Authorization: Bearer $TOK" "$ZONE.example/TXT/x?api-version=2018-05-01"
check fake/keep-untouched test "$(txt _acme-challenge.azkeep.acmec.test)" = someone-elses-value

# cert-manager's refusals of the fields, before any network.
conf mix "$(sp az '' ", managedIdentity: {clientID: \"$AZ_MI_CLIENT\"}")" mix.acmec.test >"$T_TMP/mix.yaml"
expect config-mix/exit 2 "$ACMEC" -s "$S" -c "$T_TMP/mix.yaml" check
grep_in config-mix/words "$T_TMP/err" 'azureDNS.managedIdentity: managed identity cannot be used at the same time as clientID, clientSecretSecretRef or tenantID'
conf half "{clientID: \"$AZ_CLIENT\", subscriptionID: \"$AZ_SUB\", resourceGroupName: $AZ_RG, managedIdentity: {tenantID: \"$AZ_TENANT\", resourceID: \"$AZ_MI_RESOURCE\"}, environment: AzureMoon}" half.acmec.test >"$T_TMP/half.yaml"
expect config-half/exit 2 "$ACMEC" -s "$S" -c "$T_TMP/half.yaml" check
grep_in config-half/secret "$T_TMP/err" 'azureDNS.clientSecretSecretRef: required with a service principal'
grep_in config-half/tenant "$T_TMP/err" 'azureDNS.tenantID: required with a service principal'
grep_in config-half/mi "$T_TMP/err" 'managedIdentityTenantID and managedIdentityResourceID cannot both be specified'
grep_in config-half/env "$T_TMP/err" "'AzureMoon': must be either empty or one of AzurePublicCloud, AzureChinaCloud, AzureGermanCloud, or AzureUSGovernmentCloud"
finish
