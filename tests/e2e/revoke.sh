#!/bin/sh
# acmec revoke against Pebble: by the account and by the certificate's own
# key, both confirmed at Pebble's /cert-status-by-serial/; a second revoke.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert one le one.acmec.test; yaml_cert two le two.acmec.test; } >"$T_TMP/c.yaml"
expect setup/issue 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
# status_at SERIAL-HEX: Pebble's word for the certificate.
status_at() {
	curl -sf --cacert "$PEBBLE_CA" "https://127.0.0.1:15000/cert-status-by-serial/$1" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["Status"])'
}
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | sed 's/^0*//' | tr A-F a-f; }
s1=$(serial "$S/secrets/one-tls/tls.crt")
s2=$(serial "$S/secrets/two-tls/tls.crt")
check setup/valid-at-pebble test "$(status_at "$s1")" = Valid

# By the account, with a reason.
expect account/revoke 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" revoke one --reason superseded
grep_in account/message "$T_TMP/err" 'revoked certificate .*one-tls/tls.crt (serial .*), reason superseded, signed by the account'
check account/revoked-at-pebble test "$(status_at "$s1")" = Revoked

# Again: alreadyRevoked, said plainly.
expect again/revoke 1 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" revoke one
grep_in again/message "$T_TMP/err" 'is already revoked'

# By the certificate's own key, no account involved (keyCompromise).
cp "$S/secrets/two-tls/tls.crt" "$T_TMP/two.crt"
cp "$S/secrets/two-tls/tls.key" "$T_TMP/two.key"
expect by-key/revoke 0 "$ACMEC" -s "$T_TMP/other-state" revoke --cert "$T_TMP/two.crt" \
    --key "$T_TMP/two.key" --reason keyCompromise --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA"
grep_in by-key/message "$T_TMP/err" 'reason keyCompromise, signed by its own key'
check by-key/revoked-at-pebble test "$(status_at "$s2")" = Revoked
check by-key/no-account-created test ! -e "$T_TMP/other-state/secrets/acmec-adhoc-account"

# Bad input.
expect bad-reason/exit 2 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" revoke one --reason stolen
grep_in bad-reason/message "$T_TMP/err" "reason 'stolen': use unspecified, keyCompromise"
expect wrong-key/exit 1 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" revoke --cert "$T_TMP/two.crt" \
    --issuer le --key "$S/secrets/one-tls/tls.key"
grep_in wrong-key/message "$T_TMP/err" 'is not the key of'
finish
