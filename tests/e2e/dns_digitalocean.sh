#!/bin/sh
# dns-01 through DigitalOcean's API (cert-manager's dns01.digitalocean):
# wildcard + apex through the fake of the API (tests/lib/fake_dns_do.py,
# writing to the test BIND9 that Pebble asks); exact cleanup; a bad token,
# a domain the token cannot see and rate limits end with DigitalOcean's
# words; a hostile record id is refused; the token never reaches a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S/secrets/do" "$S/secrets/do-bad" "$S/secrets/do-scoped"
chmod 700 "$S" "$S/secrets"
printf '%s\n' "$DO_TOKEN" >"$S/secrets/do/token"
printf 'dop_v1_nottherighttoken\n' >"$S/secrets/do-bad/token"
printf '%s\n' "$DO_TOKEN_SCOPED" >"$S/secrets/do-scoped/token"
chmod 600 "$S"/secrets/*/*

# conf NAME SECRET DNSNAME...: an issuer and a Certificate.
conf() {
	_n=$1 _s=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {digitalocean:
      {tokenSecretRef: {name: $_s, key: token}}, nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
run() { with_api_world "$ACMEC" -s "$S" "$@"; }

conf tok do do.acmec.test '*.do.acmec.test' >"$T_TMP/tok.yaml"
expect token/issue 0 run -vv -c "$T_TMP/tok.yaml" issue
cert_ok token "$S/secrets/tok-tls" "Private-Key: (2048 bit" do.acmec.test '*.do.acmec.test'
grep_in token/added "$T_TMP/err" 'digitalocean: added 2 TXT records at _acme-challenge.do.acmec.test'
check token/relative-name grep -q 'digitalocean POST /v2/domains/acmec.test/records auth=token:all status=201' "$FAKE_API_LOG"
check token/deleted test "$(fake_api_count 'digitalocean DELETE .* status=204')" -eq 2
check token/bind-clean test -z "$(txt _acme-challenge.do.acmec.test)"
not_in token/secret-not-logged "$T_TMP/err" "$DO_TOKEN"

conf bad do-bad bad.acmec.test >"$T_TMP/bad.yaml"
expect bad-token/exit 1 run -c "$T_TMP/bad.yaml" issue
grep_in bad-token/words "$T_TMP/err" 'digitalocean: adding the TXT record: HTTP 401: unauthorized: Unable to authenticate you'
check bad-token/none-left test -z "$(txt _acme-challenge.bad.acmec.test)"

conf scoped do-scoped scoped.other.test >"$T_TMP/scoped.yaml"
expect foreign-domain/exit 1 run -c "$T_TMP/scoped.yaml" issue
grep_in foreign-domain/words "$T_TMP/err" 'digitalocean: adding the TXT record: HTTP 404: not_found'

# A hostile answer: a record id that is a path.  Refused, exit 1, and no
# request ever goes to a path built from it.
fake_api_mode '{"digitalocean_bad_id": true}'
conf hid do hid.acmec.test >"$T_TMP/hid.yaml"
expect hostile-id/exit 1 run -c "$T_TMP/hid.yaml" issue
grep_in hostile-id/words "$T_TMP/err" 'digitalocean: the answer to adding a record names no record id to remove later'
check hostile-id/not-followed test "$(fake_api_count 'digitalocean [A-Z]* [^ ]*account')" -eq 0
fake_api_mode '{}'

# Rate limited (DigitalOcean sends no Retry-After): waited out, issued;
# then past patience: DigitalOcean's words, exit 1, nothing left.
rate_limited digitalocean_429 'digitalocean asks to wait 1 s (HTTP 429)' \
    'digitalocean: adding the TXT record: HTTP 429: too_many_requests' do
finish
