#!/bin/sh
# Lifecycle: a revoked certificate is out of service (status says so,
# renew replaces it, across runs, and only that certificate, not the one
# issued after it); `status NAME` escapes what came from the CA.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/c.yaml
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert one le one.acmec.test; yaml_cert two le two.acmec.test
  yaml_cert three le three.acmec.test; } >"$C"
A="$ACMEC -c $C -s $S"
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

expect setup/issue 0 $A issue one two
s1=$(serial "$S/secrets/one-tls/tls.crt")

# Revoked by NAME: out of service, for status in all three forms.
expect revoke-name/revoke 0 $A revoke one --reason superseded
expect revoke-name/table 0 $A status one two
grep_in revoke-name/table-one "$T_TMP/out" '^one  *False '
grep_in revoke-name/table-two "$T_TMP/out" '^two  *True '
expect revoke-name/describe 0 $A status one
grep_in revoke-name/describe-ready "$T_TMP/out" "^Ready: *False (Revoked: Certificate was revoked (serial $s1"
expect revoke-name/json 0 $A status --json one
check revoke-name/json-condition python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["items"][0]["status"]["conditions"][0]
assert (c["status"], c["reason"]) == ("False", "Revoked"), c' "$T_TMP/out"
# renew (a new run: the record is on disk) replaces it, and only it.
expect revoke-name/renew 0 $A renew one two
grep_in revoke-name/renew-why "$T_TMP/err" 'one: renewing: it was revoked'
not_in revoke-name/two-not-due "$T_TMP/err" 'two: renewing'
check revoke-name/replaced test "$(serial "$S/secrets/one-tls/tls.crt")" != "$s1"
expect revoke-name/ready-again 0 $A status one
grep_in revoke-name/ready-again-out "$T_TMP/out" '^Ready: *True'
expect revoke-name/renew-again 0 $A renew one
not_in revoke-name/not-due-again "$T_TMP/err" 'renewing'

# Revoked by --cert FILE naming the certificate in service (a copy of it).
cp "$S/secrets/two-tls/tls.crt" "$T_TMP/two.crt"
s2=$(serial "$T_TMP/two.crt")
expect revoke-file/revoke 0 $A revoke --cert "$T_TMP/two.crt" --issuer le
expect revoke-file/describe 0 $A status two
grep_in revoke-file/describe-ready "$T_TMP/out" "^Ready: *False (Revoked: Certificate was revoked (serial $s2"
expect revoke-file/renew 0 $A renew one two
grep_in revoke-file/renew-why "$T_TMP/err" 'two: renewing: it was revoked'
check revoke-file/replaced test "$(serial "$S/secrets/two-tls/tls.crt")" != "$s2"

# Revoking a certificate no longer in service leaves the current one be.
cp "$S/secrets/one-tls/tls.crt" "$T_TMP/one-old.crt"
expect older/issue 0 $A issue one
expect older/revoke 0 $A revoke --cert "$T_TMP/one-old.crt" --issuer le
expect older/status 0 $A status one
grep_in older/still-ready "$T_TMP/out" '^Ready: *True'

# status NAME escapes what came from the CA: the issuer's CN of the
# certificate in service and the challenge recorded from the last order.
E=$(printf '\033')
mkdir -p "$S/secrets/three-tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$S/secrets/three-tls/tls.key" -out "$S/secrets/three-tls/tls.crt" \
    -days 30 -subj "/CN=evil${E}[31mred
Ready:            True" -addext "subjectAltName=DNS:three.acmec.test" 2>/dev/null
mkdir -p "$S/status/default"
cat >"$S/status/default/three.json" <<EOF2
{"orderURL": "https://127.0.0.1:14000/order/x", "orderStatus": "invalid\u001b[2J",
 "authorizations": [{"identifier": "three.acmec.test", "status": "invalid\nFaked: 1",
  "challenge": "http-01\u001b]0;pwned\u0007", "challengeStatus": "invalid\u001b[5m",
  "errorType": "connection", "errorDetail": "refused"}]}
EOF2
expect hostile/describe 0 $A status three
not_in hostile/no-escape "$T_TMP/out" "$E"
not_in hostile/no-bell "$T_TMP/out" "$(printf '\007')"
check hostile/one-ready-line test "$(grep -c '^Ready:' "$T_TMP/out")" -eq 1
not_in hostile/no-faked-line "$T_TMP/out" '^Faked'
grep_in hostile/issuer-shown "$T_TMP/out" '^Issued By: *evil\\x1b\[31mred\\x0aReady'
expect hostile/table 0 $A status
not_in hostile/table-no-escape "$T_TMP/out" "$E"

finish
