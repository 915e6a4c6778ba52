#!/bin/sh
# Quiet when healthy (issue 13): renew and status print nothing on stderr
# for a healthy configuration without -v, since cron mails every line;
# check and issue show the loader's notices; renew still says what it
# renewed, and warnings and errors always print.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/c.yaml
# metadata.labels: an ignored field (a notice); an ingress solver: the
# "acmec answers itself" notice.
cat >"$C" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
  labels: {app: web}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: account}
    solvers: [{http01: {ingress: {}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  labels: {app: web}
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [web.acmec.test]
EOF2

expect check 0 "$ACMEC" -c "$C" check
grep_in check/ignored-notice "$T_TMP/err" 'notice: ignoring fields.*metadata.labels'
grep_in check/http01-notice "$T_TMP/err" 'notice: http01 .*acmec answers'

expect issue 0 "$ACMEC" -c "$C" -s "$S" issue
grep_in issue/notice "$T_TMP/err" 'notice: ignoring fields'
grep_in issue/progress "$T_TMP/err" 'web: ordering from'

# Nothing due: not one line.
expect not-due/renew 0 "$ACMEC" -c "$C" -s "$S" renew
check not-due/stderr-empty test ! -s "$T_TMP/err"
check not-due/stdout-empty test ! -s "$T_TMP/out"
expect not-due/renew-v 0 "$ACMEC" -v -c "$C" -s "$S" renew
grep_in not-due/renew-v-notice "$T_TMP/err" 'notice: ignoring fields'
grep_in not-due/renew-v-summary "$T_TMP/err" '0 renewed, 1 not due, 0 failed'

expect status 0 "$ACMEC" -c "$C" -s "$S" status
check status/stderr-empty test ! -s "$T_TMP/err"
grep_in status/table "$T_TMP/out" '^web  *True'
expect status-json 0 "$ACMEC" -c "$C" -s "$S" status --json
check status-json/stderr-empty test ! -s "$T_TMP/err"
expect status-v 0 "$ACMEC" -v -c "$C" -s "$S" status
grep_in status-v/notice "$T_TMP/err" 'notice: ignoring fields'

# Something renewed: why, and the result, one line each; no progress.
rm -r "$S/secrets/web-tls"
expect due/renew 0 "$ACMEC" -c "$C" -s "$S" renew
grep_in due/why "$T_TMP/err" '^acmec: web: renewing: '
grep_in due/issued "$T_TMP/err" '^acmec: web: issued, valid until'
grep_in due/summary "$T_TMP/err" '^acmec: 1 renewed, 0 not due, 0 failed$'
not_in due/no-notice "$T_TMP/err" 'notice:'
not_in due/no-progress "$T_TMP/err" 'ordering from\|validating'
check due/three-lines test "$(wc -l <"$T_TMP/err")" -eq 3
# -q: errors and warnings only.
expect due-q/renew 0 "$ACMEC" -q -c "$C" -s "$S" renew --force
check due-q/stderr-empty test ! -s "$T_TMP/err"

# Errors always print: a Certificate that fails.
stop_pebble
expect failed/renew 1 "$ACMEC" -c "$C" -s "$S" renew --force
grep_in failed/error "$T_TMP/err" 'error: '
grep_in failed/summary "$T_TMP/err" '0 renewed, 0 not due, 1 failed'
finish
