#!/bin/sh
# The account lifecycle: `account show` never creates a key or an account
# (none yet; deactivated), and says how to register; `account register` at
# a CA requiring an External Account Binding, without one, writes nothing.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/c.yaml
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert one le one.acmec.test; } >"$C"
A="$ACMEC -c $C -s $S"

# account show never registers, nor creates a key.
expect show-none/exit 1 $ACMEC -c "$C" -s "$T_TMP/fresh" account show --issuer le
grep_in show-none/message "$T_TMP/err" "acmec -c $C -s $T_TMP/fresh account register --issuer le"
check show-none/no-key test ! -e "$T_TMP/fresh/secrets/account"
expect register/exit 0 $A account register --issuer le
expect show/exit 0 $A account show --issuer le
grep_in show/status "$T_TMP/out" '^Status: *valid'
expect deactivate/exit 0 $A account deactivate --issuer le
expect deactivated-show/exit 1 $A account show --issuer le
grep_in deactivated-show/says "$T_TMP/err" "the account of issuer 'le' is deactivated"
grep_in deactivated-show/how "$T_TMP/err" "acmec -c $C -s $S account register --issuer le"
not_in deactivated-show/no-register "$T_TMP/err" 'registered account'
check deactivated-show/no-key test ! -e "$S/secrets/account/tls.key"
check deactivated-show/no-url test ! -e "$S/secrets/account/account.json"
expect deactivated-show/again 1 $A account show --issuer le
expect reregister/exit 0 $A account register --issuer le
expect reregister/show 0 $A account show --issuer le
grep_in reregister/valid "$T_TMP/out" '^Status: *valid'

# A CA that requires an External Account Binding, and none configured:
# refused before anything is written.
stop_pebble
mac=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
PEBBLE_EXTRA='"externalAccountBindingRequired": true, "externalAccountMACKeys": {"kid-1": "'$mac'"}' \
    start_pebble PEBBLE_AUTHZREUSE=0
expect eab/register 1 $ACMEC -c "$C" -s "$T_TMP/eab-state" account register --issuer le
grep_in eab/message "$T_TMP/err" 'requires an external account binding; add spec.acme.externalAccountBinding'
check eab/nothing-written test ! -e "$T_TMP/eab-state"
expect eab/issue 1 $ACMEC -c "$C" -s "$T_TMP/eab-state2" issue one
grep_in eab/issue-message "$T_TMP/err" 'requires an external account binding'
check eab/no-account-key test ! -e "$T_TMP/eab-state2/secrets/account"
finish
