#!/bin/sh
# dns-01 through Cloudflare's API (cert-manager's dns01.cloudflare): a
# wildcard + apex certificate through the fake of the API
# (tests/lib/fake_dns_api.py, which writes to the test BIND9 that Pebble
# asks), with an API token and with the global key; exact cleanup; bad
# credentials, a zone the token cannot see and rate limits end with
# Cloudflare's words; the credential never reaches a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S/secrets/cf" "$S/secrets/cf-key" "$S/secrets/cf-bad" "$S/secrets/cf-scoped"
chmod 700 "$S" "$S/secrets"
printf '%s\n' "$CF_TOKEN" >"$S/secrets/cf/token"
printf '%s' "$CF_KEY" >"$S/secrets/cf-key/key"
printf 'nottherighttoken0123456789\n' >"$S/secrets/cf-bad/token"
printf '%s\n' "$CF_TOKEN_SCOPED" >"$S/secrets/cf-scoped/token"
chmod 600 "$S"/secrets/*/*

# conf NAME CLOUDFLARE-FLOW-YAML DNSNAME...: an issuer and a Certificate.
conf() {
	_n=$1 _cf=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {cloudflare: $_cf,
      nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
run() { with_api_world "$ACMEC" -s "$S" "$@"; }

# An API token: wildcard and apex share one name, both values at once.
conf tok '{apiTokenSecretRef: {name: cf, key: token}}' \
    cf.acmec.test '*.cf.acmec.test' >"$T_TMP/tok.yaml"
expect token/issue 0 run -vv -c "$T_TMP/tok.yaml" issue
cert_ok token "$S/secrets/tok-tls" "Private-Key: (2048 bit" cf.acmec.test '*.cf.acmec.test'
grep_in token/added "$T_TMP/err" 'cloudflare: added 2 TXT records at _acme-challenge.cf.acmec.test'
check token/bearer grep -q 'cloudflare POST /client/v4/zones/.*/dns_records auth=token' "$FAKE_API_LOG"
check token/deleted test "$(fake_api_count 'cloudflare DELETE .* status=200')" -eq 2
check token/bind-clean test -z "$(txt _acme-challenge.cf.acmec.test)"
not_in token/secret-not-logged "$T_TMP/err" "$CF_TOKEN"

# The token from a kind: Secret document beside the issuer (a
# ClusterIssuer reads cert-manager's namespace), not a file.
{ printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: cf-doc, namespace: cert-manager}\n'
  printf 'stringData: {api-token: %s}\n---\n' "$CF_TOKEN"
  conf doc '{apiTokenSecretRef: {name: cf-doc, key: api-token}}' doc.acmec.test; } >"$T_TMP/doc.yaml"
chmod 600 "$T_TMP/doc.yaml"
expect secret-doc/issue 0 run -vv -c "$T_TMP/doc.yaml" issue
cert_ok secret-doc "$S/secrets/doc-tls" "Private-Key: (2048 bit" doc.acmec.test
check secret-doc/no-file test ! -e "$S/secrets/cf-doc"
not_in secret-doc/secret-not-logged "$T_TMP/err" "$CF_TOKEN"

# The global API key with its email.
conf key "{apiKeySecretRef: {name: cf-key, key: key}, email: \"$CF_EMAIL\"}" \
    key.acmec.test >"$T_TMP/key.yaml"
expect global-key/issue 0 run -c "$T_TMP/key.yaml" issue
cert_ok global-key "$S/secrets/key-tls" "Private-Key: (2048 bit" key.acmec.test
check global-key/auth grep -q 'auth=key' "$FAKE_API_LOG"

# Bad credentials: Cloudflare's words, exit 1, nothing left, nothing
# triggered.
conf bad '{apiTokenSecretRef: {name: cf-bad, key: token}}' bad.acmec.test >"$T_TMP/bad.yaml"
expect bad-token/exit 1 run -c "$T_TMP/bad.yaml" issue
grep_in bad-token/words "$T_TMP/err" 'dns-01: cloudflare: finding the zone: HTTP 40[0-9]: [0-9]*: '
check bad-token/none-left test -z "$(txt _acme-challenge.bad.acmec.test)"
not_in bad-token/secret-not-logged "$T_TMP/err" 'nottherighttoken'

# A zone the token cannot see.
conf scoped '{apiTokenSecretRef: {name: cf-scoped, key: token}}' scoped.other.test >"$T_TMP/scoped.yaml"
expect foreign-zone/exit 1 run -c "$T_TMP/scoped.yaml" issue
grep_in foreign-zone/words "$T_TMP/err" 'cloudflare: the zone other.test is not one these credentials can see'

# A hostile answer: a record id that is a path.  Refused, exit 1, and no
# request ever goes to a path built from it.
fake_api_mode '{"cloudflare_bad_id": true}'
conf hid '{apiTokenSecretRef: {name: cf, key: token}}' hid.acmec.test >"$T_TMP/hid.yaml"
expect hostile-id/exit 1 run -c "$T_TMP/hid.yaml" issue
grep_in hostile-id/words "$T_TMP/err" 'cloudflare: the answer to adding a record names no record id (hex) to remove later'
check hostile-id/not-followed test "$(fake_api_count 'user/tokens')" -eq 0
fake_api_mode '{}'

# Rate limited twice: waited out as Retry-After says, then issued; then
# past patience: the provider's words, exit 1, nothing left.
rate_limited cloudflare_429 'cloudflare asks to wait 1 s (HTTP 429)' \
    'cloudflare: finding the zone: HTTP 429: 10100: ' \
    '{apiTokenSecretRef: {name: cf, key: token}}'
finish
