#!/bin/sh
# check --online's question to each DNS provider (solver_check_credentials):
# for every provider, good credentials are accepted and wrong ones (a bad
# secret, a zone out of their reach) refused with the provider's words and
# what to change, each through the provider's fake (tests/lib/fake_dns_*.py)
# and the test BIND9 that finds the zone; only read calls reach the
# providers (and their token endpoints); no secret reaches a log.
# Driven through the unit binary's dnsapi_check (tests/unit/test_dnscheck.c),
# which checks each Certificate of the configuration written here: good-*
# must be accepted, bad-* refused.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

UNIT=$(dirname "$ACMEC")/unit
# Nothing of the machine's own cloud set-up may leak in.
for _v in $(env | sed -n 's/^\(AWS_[A-Z_]*\|AZURE_[A-Z_]*\|GCE_[A-Z_]*\)=.*/\1/p'); do
	unset "$_v"
done
export HOME="$T_TMP/home"
mkdir -p "$HOME"

start_dns
start_fake_dns_api
S=$T_TMP/state
for _d in cf cf-key cf-bad cf-scoped do do-bad do-scoped adns aws aws-bad \
    aws-lim ak ak-bad ak-scoped gcp gcp-old az az-bad az-limited; do
	mkdir -p "$S/secrets/$_d"
done
chmod 700 "$S" "$S/secrets"
printf '%s\n' "$CF_TOKEN" >"$S/secrets/cf/token"
printf '%s' "$CF_KEY" >"$S/secrets/cf-key/key"
printf 'nottherighttoken0123456789abcdefghijklmn\n' >"$S/secrets/cf-bad/token"
printf '%s\n' "$CF_TOKEN_SCOPED" >"$S/secrets/cf-scoped/token"
printf '%s\n' "$DO_TOKEN" >"$S/secrets/do/token"
printf 'dop_v1_nottherighttoken\n' >"$S/secrets/do-bad/token"
printf '%s\n' "$DO_TOKEN_SCOPED" >"$S/secrets/do-scoped/token"
printf '{"ad.acmec.test": {"username": "%s", "password": "%s",
  "fulldomain": "%s.other.test", "subdomain": "%s"}}\n' \
    "$ADNS_USER" "$ADNS_PASS" "$ADNS_SUB" "$ADNS_SUB" >"$S/secrets/adns/acmedns.json"
printf '%s\n' "$AWS_SECRET" >"$S/secrets/aws/secret"
printf 'notTheRightSecretKey/0123456789abcdefghij\n' >"$S/secrets/aws-bad/secret"
printf '%s\n' "$AWS_SECRET_LIMITED" >"$S/secrets/aws-lim/secret"
printf '%s\n' "$AK_CLIENT_TOKEN" >"$S/secrets/ak/client-token"
printf '%s\n' "$AK_CLIENT_SECRET" >"$S/secrets/ak/client-secret"
printf '%s\n' "$AK_ACCESS_TOKEN" >"$S/secrets/ak/access-token"
cp "$S/secrets/ak/client-token" "$S/secrets/ak/access-token" "$S/secrets/ak-bad/"
printf 'acmecNotTheClientSecret0123456789abcdefghi=\n' >"$S/secrets/ak-bad/client-secret"
printf '%s\n' "$AK_SCOPED_CLIENT_TOKEN" >"$S/secrets/ak-scoped/client-token"
printf '%s\n' "$AK_SCOPED_CLIENT_SECRET" >"$S/secrets/ak-scoped/client-secret"
printf '%s\n' "$AK_SCOPED_ACCESS_TOKEN" >"$S/secrets/ak-scoped/access-token"
# sa_json PEM: a service account's key file as Google makes one.
sa_json() {
	python3 - "$1" "$GCP_SA_EMAIL" <<'EOF'
import json, sys
print(json.dumps({
    "type": "service_account", "project_id": "acmec-test",
    "private_key_id": "3f1c9a7e5b2d4c6e8a0b1d3f5e7a9c1b3d5f7e9a",
    "private_key": open(sys.argv[1]).read(), "client_email": sys.argv[2],
    "client_id": "104729834756102938475",
    "token_uri": "https://oauth2.googleapis.com/token"}, indent=2))
EOF
}
sa_json "$GCP_SA_PEM" >"$S/secrets/gcp/key.json"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T_TMP/old.pem" 2>/dev/null
sa_json "$T_TMP/old.pem" >"$S/secrets/gcp-old/key.json"
printf '%s\n' "$AZ_SECRET" >"$S/secrets/az/client-secret"
printf 'acmecTest~NotTheSecret.0123456789\n' >"$S/secrets/az-bad/client-secret"
printf '%s\n' "$AZ_SECRET_LIMITED" >"$S/secrets/az-limited/client-secret"
chmod 600 "$S"/secrets/*/*

# case NAME DNSNAME DNS01-PROVIDER-FLOW-YAML: an issuer of its own (no
# ACME server is asked) and a Certificate NAME for DNSNAME.
case_yaml() {
	cat <<EOF
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: $1}
spec:
  acme:
    server: https://acme.invalid/directory
    privateKeySecretRef: {name: $1-account}
    solvers: [{dns01: {$3, nameservers: ["127.0.0.1:53"]}}]
EOF
	yaml_cert "$1" "$1" "$2"
}
r53() {
	printf 'route53: {region: us-east-1, accessKeyID: %s, secretAccessKeySecretRef: {name: %s, key: secret}}' "$1" "$2"
}
ak() {
	printf 'akamai: {serviceConsumerDomain: "%s", clientTokenSecretRef: {name: %s, key: client-token}, clientSecretSecretRef: {name: %s, key: client-secret}, accessTokenSecretRef: {name: %s, key: access-token}}' \
	    "$AK_HOST" "$1" "$1" "$1"
}
gcp() {
	printf 'cloudDNS: {project: %s, serviceAccountSecretRef: {name: %s, key: key.json}%s}' \
	    "${3:-$GCP_PROJECT}" "$1" "${2:+, hostedZoneName: $2}"
}
az() {
	printf 'azureDNS: {clientID: "%s", clientSecretSecretRef: {name: %s, key: client-secret}, tenantID: "%s", subscriptionID: "%s", resourceGroupName: %s}' \
	    "$2" "$1" "$AZ_TENANT" "$AZ_SUB" "$AZ_RG"
}
{
	case_yaml good-cf-token cf.acmec.test 'cloudflare: {apiTokenSecretRef: {name: cf, key: token}}'
	case_yaml good-cf-key cf.acmec.test "cloudflare: {apiKeySecretRef: {name: cf-key, key: key}, email: \"$CF_EMAIL\"}"
	case_yaml bad-cf-token cf.acmec.test 'cloudflare: {apiTokenSecretRef: {name: cf-bad, key: token}}'
	case_yaml bad-cf-zone cf.other.test 'cloudflare: {apiTokenSecretRef: {name: cf-scoped, key: token}}'
	case_yaml good-do do.acmec.test 'digitalocean: {tokenSecretRef: {name: do, key: token}}'
	case_yaml bad-do-token do.acmec.test 'digitalocean: {tokenSecretRef: {name: do-bad, key: token}}'
	case_yaml bad-do-domain do.other.test 'digitalocean: {tokenSecretRef: {name: do-scoped, key: token}}'
	case_yaml good-adns ad.acmec.test 'acmeDNS: {host: "https://acmedns.acmec.test", accountSecretRef: {name: adns, key: acmedns.json}}'
	case_yaml bad-adns nobody.acmec.test 'acmeDNS: {host: "https://acmedns.acmec.test", accountSecretRef: {name: adns, key: acmedns.json}}'
	case_yaml bad-adns-host ad.acmec.test 'acmeDNS: {host: "https://acmedns.acmec.test/acme-dns/", accountSecretRef: {name: adns, key: acmedns.json}}'
	case_yaml good-r53 r53.acmec.test "$(r53 "$AWS_KEY" aws)"
	case_yaml bad-r53-key r53.acmec.test "$(r53 "$AWS_KEY" aws-bad)"
	case_yaml bad-r53-zone r53.other.test "$(r53 "$AWS_KEY_LIMITED" aws-lim)"
	case_yaml good-ak ak.acmec.test "$(ak ak)"
	case_yaml bad-ak-secret ak.acmec.test "$(ak ak-bad)"
	case_yaml bad-ak-zone ak.other.test "$(ak ak-scoped)"
	case_yaml good-gcp gcp.acmec.test "$(gcp gcp)"
	case_yaml good-gcp-named gcp.acmec.test "$(gcp gcp acmec-test)"
	case_yaml bad-gcp-key gcp.acmec.test "$(gcp gcp-old)"
	case_yaml bad-gcp-project gcp.acmec.test "$(gcp gcp '' foreign-project)"
	case_yaml bad-gcp-named gcp.acmec.test "$(gcp gcp other-test)"
	case_yaml good-az az.acmec.test "$(az az "$AZ_CLIENT")"
	case_yaml bad-az-secret az.acmec.test "$(az az-bad "$AZ_CLIENT")"
	case_yaml bad-az-zone az.acmec.test "$(az az-limited "$AZ_CLIENT_LIMITED")"
} >"$T_TMP/creds.yaml"
chmod 600 "$T_TMP/creds.yaml"
: >"$FAKE_API_LOG"

cd "$T_TOP" || exit 1
expect creds/run 0 with_api_world env ACMEC_CREDS_CONFIG="$T_TMP/creds.yaml" \
    ACMEC_CREDS_SECRETS="$S/secrets" "$UNIT" dnsapi_check
check creds/all-cases test "$(grep -c '^creds ' "$T_TMP/out")" -eq 24
grep_in creds/unit-passed "$T_TMP/out" '^PASS unit/dnsapi_check'
cp "$T_TMP/err" "$T_TMP/creds.err"
E=$T_TMP/creds.err
# words CASE PATTERN: the messages of CASE match PATTERN.
words() {
	sed -n "/^== creds $1 /,/^== creds /p" "$E" >"$T_TMP/case.err"
	grep_in "$1/words" "$T_TMP/case.err" "$2"
}
# hit NAME PATTERN: the fake's request log has a line matching PATTERN.
hit() { check "$1/hit" grep -q -- "$2" "$FAKE_API_LOG"; }

words good-cf-token 'cloudflare: the API token is active and sees the zone acmec.test'
hit good-cf-token 'cloudflare GET /client/v4/user/tokens/verify auth=token:all status=200'
words good-cf-key 'cloudflare: the global API key sees the zone acmec.test'
hit good-cf-key 'cloudflare GET /client/v4/zones?name=acmec.test auth=key:global status=200'
words bad-cf-token 'cloudflare: verifying the API token of apiTokenSecretRef: HTTP 403: 9109: Invalid access token'
words bad-cf-zone 'cloudflare: the zone other.test is not one these credentials can see (give the token Zone:Read and DNS:Edit on it)'

words good-do 'digitalocean: the token reads the domain acmec.test'
hit good-do 'digitalocean GET /v2/domains/acmec.test auth=token:all status=200'
words bad-do-token 'digitalocean: reading the domain acmec.test with the token of tokenSecretRef: HTTP 401: unauthorized: Unable to authenticate you'
words bad-do-token 'give a valid personal access token in tokenSecretRef'
words bad-do-domain 'digitalocean: reading the domain other.test .*: HTTP 404: not_found'
words bad-do-domain 'give a token of the account that has the domain other.test'

words good-adns "acmeDNS: the account of $ADNS_SUB.other.test is complete and https://acmedns.acmec.test answers; acme-dns has no call to check its password"
hit good-adns 'acmedns GET /health auth=- status=200'
words bad-adns 'acmeDNS: the accounts name no fulldomain for nobody.acmec.test: register it with acme-dns'
words bad-adns-host "acmeDNS: asking the server's /health: HTTP 404"
words bad-adns-host 'acmeDNS: give as host the URL where acme-dns serves its API'
hit bad-adns-host 'acmedns GET /acme-dns/health auth=- status=404'

words good-r53 'route53: the credentials read the hosted zone Z[A-Z0-9]* (acmec.test)'
hit good-r53 'route53 GET /2013-04-01/hostedzone/Z[A-Z0-9]*/rrset?maxitems=1 auth=user:acmec status=200'
words bad-r53-key 'route53: finding the hosted zone: HTTP 403: SignatureDoesNotMatch: .*Check your AWS Secret Access Key'
words bad-r53-zone 'route53: reading the records of hosted zone Z[A-Z0-9]* (other.test): HTTP 403: AccessDenied: User: .* is not authorized to perform: route53:ListResourceRecordSets'

words good-ak 'akamai: the API client reads the zone acmec.test'
hit good-ak 'akamai GET /config-dns/v2/zones/acmec.test auth=client:all status=200'
words bad-ak-secret 'akamai: reading the zone acmec.test: HTTP 401: Not authorized: The signature does not match'
words bad-ak-secret 'akamai: give the client token, client secret and access token of one API client'
words bad-ak-zone 'akamai: reading the zone other.test: HTTP 403: Forbidden: The client does not have the grant needed'
words bad-ak-zone 'give the API client READ-WRITE access to the zone in Edge DNS'

words good-gcp 'cloudDNS: the credentials see the managed zone acmec-test of project acmec-test'
hit good-gcp 'gcp GET /dns/v1/projects/acmec-test/managedZones?dnsName=acmec.test. auth=sa status=200'
words good-gcp-named 'cloudDNS: the credentials see the managed zone acmec-test of project acmec-test'
hit good-gcp-named 'gcp GET /dns/v1/projects/acmec-test/managedZones/acmec-test auth=sa status=200'
words bad-gcp-key 'cloudDNS: exchanging the assertion of .* HTTP 400: invalid_grant: Invalid JWT Signature'
words bad-gcp-project 'cloudDNS: finding the managed zone of acmec.test in project foreign-project: HTTP 403: forbidden: Forbidden'
words bad-gcp-named 'cloudDNS: the managed zone other-test (hostedZoneName) serves other.test., not _acme-challenge.gcp.acmec.test: give the zone that holds it'

words good-az 'azureDNS: the credentials read the zone acmec.test'
hit good-az "azure GET /subscriptions/$AZ_SUB/resourceGroups/$AZ_RG/providers/Microsoft.Network/dnsZones/acmec.test?api-version=2018-05-01 auth=acmec status=200"
words bad-az-secret 'azureDNS: signing in as client .* HTTP 401: invalid_client: AADSTS7000215'
words bad-az-zone 'azureDNS: finding the zone acmec.test .*: HTTP 403: AuthorizationFailed: .*(give the principal the DNS Zone Contributor role'

# The same through the command: check --online prints each name's
# credentials line, OK for good-*, FAILED for bad-* (the issuers' CA is
# not running here: their directory lines fail, which is not looked at).
expect online/run 1 with_api_world "$ACMEC" -c "$T_TMP/creds.yaml" -s "$S" \
    check --online
cp "$T_TMP/out" "$T_TMP/online.out"
for _c in $(sed -n 's/^certificate default\/\([a-z0-9-]*\): .*/\1/p' "$T_TMP/online.out"); do
	case $_c in
	good-*) grep_in "online/$_c" "$T_TMP/online.out" "^certificate default/$_c: .* credentials for .*: OK\$" ;;
	*) grep_in "online/$_c" "$T_TMP/online.out" "^certificate default/$_c: .* credentials for .*: FAILED: dns-01: " ;;
	esac
done
check online/every-case test "$(grep -c '^certificate default/.* credentials for ' "$T_TMP/online.out")" -eq 24
# Read calls only: every write is a token endpoint's POST.
check read-only/no-writes sh -c "! grep -E ' (PUT|PATCH|DELETE) ' '$FAKE_API_LOG'"
check read-only/posts-are-tokens sh -c "! grep ' POST ' '$FAKE_API_LOG' | grep -v '/token '"
check read-only/bind-untouched sh -c "! grep '^bind ' '$FAKE_API_LOG'"

for _s in "$CF_TOKEN" "$CF_KEY" "$DO_TOKEN" "$ADNS_PASS" "$AWS_SECRET" \
    "$AWS_SECRET_LIMITED" "$AK_CLIENT_SECRET" "$AK_SCOPED_CLIENT_SECRET" \
    "$AZ_SECRET" "$AZ_SECRET_LIMITED" "$(sed -n 2p "$GCP_SA_PEM")" Bearer \
    nottherighttoken notTheRightSecretKey acmecNotTheClientSecret NotTheSecret; do
	_i=$((${_i:-0} + 1))
	not_in "secrets/not-logged-$_i" "$E" "$_s"
done
finish
