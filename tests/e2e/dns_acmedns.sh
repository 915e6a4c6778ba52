#!/bin/sh
# dns-01 through acme-dns (cert-manager's dns01.acmeDNS): the domain's
# _acme-challenge name is a CNAME to the account's fulldomain, where the
# fake acme-dns (tests/lib/fake_dns_acmedns.py) puts the values in the
# test BIND9; wildcard + apex share the account's two values; a wrong
# password and a domain without an account end with clear words; the
# password never reaches a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

DNS_EXTRA_RECORDS="_acme-challenge.ad IN CNAME $ADNS_SUB.other.test.
_acme-challenge.nobody IN CNAME $ADNS_SUB.other.test."
start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S/secrets/adns" "$S/secrets/adns-bad"
chmod 700 "$S" "$S/secrets"
account() { # PASSWORD
	printf '{"ad.acmec.test": {"username": "%s", "password": "%s",
  "fulldomain": "%s.other.test", "subdomain": "%s", "allowfrom": []}}\n' \
	    "$ADNS_USER" "$1" "$ADNS_SUB" "$ADNS_SUB"
}
account "$ADNS_PASS" >"$S/secrets/adns/acmedns.json"
account wrongpasswordwrongpassword >"$S/secrets/adns-bad/acmedns.json"
chmod 600 "$S"/secrets/*/*

conf() { # NAME SECRET DNSNAME...
	_n=$1 _s=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {acmeDNS: {host: \"https://acmedns.acmec.test\",
      accountSecretRef: {name: $_s, key: acmedns.json}}, nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
run() { with_api_world "$ACMEC" -s "$S" "$@"; }

conf ad adns ad.acmec.test '*.ad.acmec.test' >"$T_TMP/ad.yaml"
expect account/issue 0 run -vv -c "$T_TMP/ad.yaml" issue
cert_ok account "$S/secrets/ad-tls" "Private-Key: (2048 bit" ad.acmec.test '*.ad.acmec.test'
grep_in account/target "$T_TMP/err" "acmeDNS: the values of _acme-challenge.ad.acmec.test go to $ADNS_SUB.other.test"
check account/two-updates test "$(fake_api_count 'acmedns POST /update auth=user:.* status=200')" -eq 2
not_in account/password-not-logged "$T_TMP/err" "$ADNS_PASS"

conf bad adns-bad ad.acmec.test >"$T_TMP/bad.yaml"
expect wrong-password/exit 1 run -c "$T_TMP/bad.yaml" issue
grep_in wrong-password/words "$T_TMP/err" 'acmeDNS: updating the TXT record: HTTP 401: forbidden'
not_in wrong-password/password-not-logged "$T_TMP/err" 'wrongpassword'

conf nobody adns nobody.acmec.test >"$T_TMP/nobody.yaml"
expect no-account/exit 1 run -c "$T_TMP/nobody.yaml" issue
grep_in no-account/words "$T_TMP/err" 'acmeDNS: the accounts name no fulldomain for nobody.acmec.test'

# Rate limited (by a proxy before acme-dns): waited out, issued; then past
# patience: the words, exit 1.
fake_api_mode '{"acmedns_429": 2, "retry_after": 1}'
expect rate-limit/issue 0 run -c "$T_TMP/ad.yaml" issue
grep_in rate-limit/waited "$T_TMP/err" 'acmeDNS asks to wait 1 s (HTTP 429)'
fake_api_mode '{"acmedns_429": 50, "retry_after": 1}'
expect rate-limit-long/exit 1 run -c "$T_TMP/ad.yaml" issue
grep_in rate-limit-long/words "$T_TMP/err" 'acmeDNS: updating the TXT record: HTTP 429: too_many_requests'
fake_api_mode '{}'

# A hostile server's error words: escaped, no terminal escape and no
# forged line reaches the log.
fake_api_mode '{"acmedns_hostile": true}'
expect hostile-words/exit 1 run -c "$T_TMP/ad.yaml" issue
grep_in hostile-words/escaped "$T_TMP/err" 'acmeDNS: updating the TXT record: HTTP 400: bad\\x1b\[2J\\x0aacmec: 1 issued'
check hostile-words/no-escape sh -c "! grep -q \"\$(printf '\\033')\" '$T_TMP/err'"
check hostile-words/no-forged-line sh -c "! grep -q '^acmec: 1 issued' '$T_TMP/err'"
fake_api_mode '{}'

# An acme-dns host without TLS is refused: the password would travel in
# the clear.
sed 's|https://acmedns|http://acmedns|' "$T_TMP/ad.yaml" >"$T_TMP/http.yaml"
expect http-host/exit 2 "$ACMEC" -s "$S" -c "$T_TMP/http.yaml" check
grep_in http-host/words "$T_TMP/err" "dns01.acmeDNS.host: 'http://acmedns.acmec.test' must be an https:// URL"
finish
