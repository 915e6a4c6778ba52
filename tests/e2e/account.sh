#!/bin/sh
# acmec account against Pebble: register, show, update, rekey (then issue
# with the new key), deactivate; External Account Binding required, given
# and missing.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
issuer_yaml() { # EXTRA-ACME-LINES
	yaml_issuer le account '[{http01: {ingress: {}}}]' \
	    "    email: ops@acmec.test${1:+
$1}"
	yaml_cert web le web.acmec.test
}
issuer_yaml >"$T_TMP/c.yaml"
A="$ACMEC -c $T_TMP/c.yaml -s $S account"

expect register/exit 0 $A register --issuer le
grep_in register/url "$T_TMP/out" '^https://127.0.0.1:14000/my-account/'
url=$(cat "$T_TMP/out")
expect show/exit 0 $A show --issuer le
grep_in show/url "$T_TMP/out" "^URL: *$url"
grep_in show/status "$T_TMP/out" '^Status: *valid'
grep_in show/contact "$T_TMP/out" '^Contact: *mailto:ops@acmec.test'

expect update/exit 0 $A update --issuer le --email new@acmec.test
expect update/show 0 $A show --issuer le
grep_in update/contact "$T_TMP/out" '^Contact: *mailto:new@acmec.test'

old=$(sha256sum <"$S/secrets/account/tls.key")
expect rekey/exit 0 $A rekey --issuer le
check rekey/key-replaced test "$(sha256sum <"$S/secrets/account/tls.key")" != "$old"
check rekey/key-mode test "$(stat -c %a "$S/secrets/account/tls.key")" = 600
expect rekey/show 0 $A show --issuer le
grep_in rekey/same-account "$T_TMP/out" "^URL: *$url"
# --key-type: the same account with a key of another type (an EC account
# of an older acmec becomes one cert-manager takes), and back.
expect rekey-type/ec 0 $A rekey --issuer le --key-type ec256
check rekey-type/ec-key sh -c "openssl pkey -in '$S/secrets/account/tls.key' -noout -text | grep -q prime256v1"
expect rekey-type/rsa 0 $A rekey --issuer le --key-type rsa2048
check rekey-type/rsa-key grep -q 'BEGIN RSA PRIVATE KEY' "$S/secrets/account/tls.key"
expect rekey-type/show 0 $A show --issuer le
grep_in rekey-type/same-account "$T_TMP/out" "^URL: *$url"
expect rekey-type/bad 2 $A rekey --issuer le --key-type rsa1024
grep_in rekey-type/bad-says "$T_TMP/err" "use ec256, ec384, rsa2048"
expect rekey-type/not-rekey 2 $A show --issuer le --key-type ec256
grep_in rekey-type/not-rekey-says "$T_TMP/err" "goes with rekey"
expect rekey/issue 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
not_in rekey/no-new-account "$T_TMP/err" 'registered account'

expect deactivate/exit 0 $A deactivate --issuer le
check deactivate/key-set-aside test -e "$S/secrets/account/tls.key.deactivated"
expect deactivate/reregister 0 $A register --issuer le
check deactivate/new-account test "$(cat "$T_TMP/out")" != "$url"

expect usage/unknown-action 2 $A frobnicate --issuer le
expect usage/no-issuer 2 $A show
expect usage/bad-issuer 2 $A show --issuer nope

# External Account Binding.
stop_pebble
mac=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
PEBBLE_EXTRA='"externalAccountBindingRequired": true, "externalAccountMACKeys": {"kid-1": "'$mac'"}' \
    start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/eab-state
issuer_yaml >"$T_TMP/c.yaml"
expect eab-missing/exit 1 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" account register --issuer le
grep_in eab-missing/message "$T_TMP/err" 'requires an external account binding; add spec.acme.externalAccountBinding'
mkdir -p "$S/secrets/eab"
printf '%s\n' "$mac" >"$S/secrets/eab/mac"
issuer_yaml '    externalAccountBinding: {keyID: kid-1, keySecretRef: {name: eab, key: mac}, keyAlgorithm: HS256}' >"$T_TMP/c.yaml"
expect eab-given/issue 0 "$ACMEC" -vv -c "$T_TMP/c.yaml" -s "$S" issue
grep_in eab-given/registered "$T_TMP/err" 'registered account'
cert_ok eab "$S/secrets/web-tls" "Private-Key: (2048 bit" web.acmec.test
not_in eab-given/mac-not-logged "$T_TMP/err" "$mac"
printf 'not-the-key-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n' >"$S/secrets/eab/mac"
rm -rf "$S/secrets/account"
expect eab-wrong/exit 1 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" account register --issuer le
grep_in eab-wrong/message "$T_TMP/err" 'registering the account: the CA says'
finish
