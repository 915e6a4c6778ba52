#!/bin/sh
# Issuance under a badNonce storm, and failures that must leave the files
# in service untouched: a validation that fails, a port that is taken, a
# certificate that another run holds locked.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_WFE_NONCEREJECT=50 PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
mkdir -p "$T_TMP/ok" "$T_TMP/bad" "$T_TMP/www"

issuer() { # NAME ANNOTATION
	cat <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: $1
  annotations: {$2}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: account}
    solvers: [{http01: {ingress: {}}}]
EOF2
}
certificate() { # ISSUER
	cat <<EOF2
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec:
  secretName: web-tls
  issuerRef: {name: $1, kind: ClusterIssuer}
  dnsNames: [web.acmec.test, api.acmec.test]
EOF2
}
{ issuer le 'acmec.io/http01-listen: "127.0.0.1:80"'; certificate le; } >"$T_TMP/ok/c.yaml"
# The same certificate, answered through a webroot nothing serves.
{ issuer le "acmec.io/http01-webroot: $T_TMP/www"; certificate le; } >"$T_TMP/bad/c.yaml"

# Half of all nonces are rejected: badNonce is retried, issuance succeeds.
expect nonce-storm/issue 0 "$ACMEC" -v -c "$T_TMP/ok" -s "$S" issue
grep_in nonce-storm/retried "$T_TMP/err" 'badNonce from the CA; retrying'
cert_ok nonce-storm "$S/secrets/web-tls" "Private-Key: (2048 bit" \
    web.acmec.test api.acmec.test

sums() { sha256sum "$S/secrets/web-tls/tls.crt" "$S/secrets/web-tls/tls.key" "$S/secrets/web-tls/ca.crt"; }
sums >"$T_TMP/before"

# Nothing serves the token: exit 1, the CA's reason shown, files unchanged.
expect failed-validation/exit 1 "$ACMEC" -c "$T_TMP/bad" -s "$S" issue
grep_in failed-validation/ca-detail "$T_TMP/err" 'acmec.test: http-01 challenge failed: the CA says connection: '
grep_in failed-validation/pebble-words "$T_TMP/err" 'connect: connection refused'
grep_in failed-validation/hint "$T_TMP/err" 'hint: the CA must reach http://'
grep_in failed-validation/unchanged-says "$T_TMP/err" 'not issued; the files in .* are unchanged'
sums >"$T_TMP/after"
check failed-validation/files-unchanged cmp "$T_TMP/before" "$T_TMP/after"
check failed-validation/webroot-cleaned sh -c "[ -z \"\$(ls -A '$T_TMP/www/.well-known/acme-challenge')\" ]"

# status describes the failed order, with a hint.
expect failed-validation/status 0 "$ACMEC" -c "$T_TMP/bad" -s "$S" status web
grep_in failed-validation/status-order "$T_TMP/out" '^Last Order: .*https://127.0.0.1:14000/my-order/.* (invalid)'
grep_in failed-validation/status-challenge "$T_TMP/out" 'Challenge: *http-01 (invalid)'
grep_in failed-validation/status-error "$T_TMP/out" 'Error: *connection: .*connection refused'
grep_in failed-validation/status-hint "$T_TMP/out" 'Hint: *the CA must reach http://'
grep_in failed-validation/status-ready "$T_TMP/out" '^Ready: *True'
expect failed-validation/status-json 0 "$ACMEC" -c "$T_TMP/bad" -s "$S" status --json
check failed-validation/status-json-fields python3 -c '
import json, sys
st = json.load(open(sys.argv[1]))["items"][0]["status"]
assert st["failedIssuanceAttempts"] == 1, st
assert "lastFailureTime" in st and "challenge failed" in st["lastError"], st
assert st["revision"] == 1, st
' "$T_TMP/out"

# Port 80 taken: fails before any challenge is triggered.
python3 -m http.server --bind 127.0.0.1 80 >/dev/null 2>&1 &
HTTPD=$!
T_PIDS="$T_PIDS $HTTPD"
wait_for 10 curl -s http://127.0.0.1:80/
triggered=$(pebble_count 'POST /chalZ/')
expect port-taken/exit 1 "$ACMEC" -c "$T_TMP/ok" -s "$S" issue
grep_in port-taken/message "$T_TMP/err" 'cannot listen on 127.0.0.1:80: Address already in use'
check port-taken/no-challenge-triggered test "$(pebble_count 'POST /chalZ/')" -eq "$triggered"
sums >"$T_TMP/after"
check port-taken/files-unchanged cmp "$T_TMP/before" "$T_TMP/after"
kill "$HTTPD"; wait "$HTTPD" 2>/dev/null

# Another run holds the certificate: refused with a clear message.
flock "$S/locks/certificate-default-web.lock" sleep 5 &
T_PIDS="$T_PIDS $!"
sleep 0.3
expect locked/exit 1 "$ACMEC" -c "$T_TMP/ok" -s "$S" issue
grep_in locked/message "$T_TMP/err" 'certificate-default-web is locked: another acmec is working on it'

# disableAccountKeyGeneration and no key: a clear error, no key created.
cat >"$T_TMP/nokey.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: nokey}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    disableAccountKeyGeneration: true
    privateKeySecretRef: {name: missing-account}
    solvers: [{http01: {ingress: {}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: nokey}
spec:
  secretName: nokey-tls
  issuerRef: {name: nokey, kind: ClusterIssuer}
  dnsNames: [nokey.acmec.test]
EOF2
expect no-account-key/exit 1 "$ACMEC" -c "$T_TMP/nokey.yaml" -s "$S" issue
grep_in no-account-key/message "$T_TMP/err" "missing-account/tls.key does not exist and issuer 'nokey' sets disableAccountKeyGeneration"
check no-account-key/not-created test ! -e "$S/secrets/missing-account/tls.key"

# A solver only a cluster runs (route53 with a ServiceAccount token, another
# group's webhook): its names fail with the reason, nothing is presented,
# and the other Certificates of the tree are issued.
{ yaml_issuer mixed account '
    - selector: {dnsNames: [cf.acmec.test]}
      dns01: {route53: {region: eu-west-1, auth: {kubernetes: {serviceAccountRef: {name: cert-manager}}}}}
    - selector: {dnsNames: [hz.acmec.test]}
      dns01: {webhook: {groupName: acme.example.com, solverName: hetzner}}
    - http01: {ingress: {}}'
  yaml_cert cf mixed cf.acmec.test; yaml_cert hz mixed hz.acmec.test
  yaml_cert plain mixed plain.acmec.test; } >"$T_TMP/mixed.yaml"
expect cluster-solver/exit 1 "$ACMEC" -c "$T_TMP/mixed.yaml" -s "$S" issue
grep_in cluster-solver/cf "$T_TMP/err" "cf.acmec.test: no solver of issuer 'mixed' can validate it: the solver it selects, spec.acme.solvers\[0\].dns01.route53.auth authenticates with a Kubernetes ServiceAccount token, which only a cluster has"
grep_in cluster-solver/hz "$T_TMP/err" "hz.acmec.test: no solver of issuer 'mixed' can validate it: the solver it selects, spec.acme.solvers\[1\].dns01.webhook is webhook solver 'hetzner' of group 'acme.example.com'"
check cluster-solver/others-issued test -s "$S/secrets/plain-tls/tls.crt"
check cluster-solver/none-written test ! -e "$S/secrets/cf-tls/tls.crt"

# Unknown certificate names are a usage error, before any network use.
expect unknown-name/exit 2 "$ACMEC" -c "$T_TMP/ok" -s "$S" issue nosuch
grep_in unknown-name/message "$T_TMP/err" 'nosuch: no Certificate of this name'
expect adhoc-bad-name/exit 2 "$ACMEC" -s "$S" issue -d 'a.test;touch /tmp/x' --server "$PEBBLE_DIR" --standalone
grep_in adhoc-bad-name/message "$T_TMP/err" "is not a valid DNS name"
expect adhoc-no-solver/exit 2 "$ACMEC" -s "$S" issue -d a.acmec.test --server "$PEBBLE_DIR"
grep_in adhoc-no-solver/message "$T_TMP/err" "needs one of --standalone"
finish
