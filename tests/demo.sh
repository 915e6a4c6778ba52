#!/bin/sh
# make demo: a real certificate from a local Pebble, in a private network
# namespace (BIND9 answers every name of acmec.test with 127.0.0.1), then
# its subject, names and dates.  Everything started is stopped at the end.
NEED_NETNS=1
ACMEC=${ACMEC:-$(cd "$(dirname "$0")/.." && pwd)/acmec}
export ACMEC
. "$(dirname "$0")/lib/e2e.sh"
. "$(dirname "$0")/lib/world.sh"

echo "== starting BIND9 (acmec.test) and Pebble on loopback"
start_dns
start_pebble
mkdir -p "$T_TMP/conf"
cat >"$T_TMP/conf/demo.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: pebble
spec:
  acme:
    server: $PEBBLE_DIR
    email: demo@acmec.test
    caBundle: $(ca_bundle | cut -c1-40)...
    privateKeySecretRef:
      name: pebble-account
    solvers:
    - http01:
        ingress: {}                  # acmec answers on port 80
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: demo
spec:
  secretName: demo-tls
  issuerRef: {name: pebble, kind: ClusterIssuer}
  dnsNames: [demo.acmec.test, www.demo.acmec.test]
EOF2
echo "== the configuration (caBundle shortened here)"
cat "$T_TMP/conf/demo.yaml"
sed -i "s|caBundle: .*|caBundle: $(ca_bundle)|" "$T_TMP/conf/demo.yaml"
echo "== acmec -c demo.yaml issue"
start=$(date +%s.%N)
"$ACMEC" -c "$T_TMP/conf/demo.yaml" -s "$T_TMP/state" issue || {
	echo "demo: acmec issue failed" >&2
	exit 1
}
end=$(date +%s.%N)
echo "== issued in $(awk "BEGIN { printf \"%.2f\", $end - $start }") s; the files:"
ls -l "$T_TMP/state/secrets/demo-tls/"
echo "== the certificate"
openssl x509 -in "$T_TMP/state/secrets/demo-tls/tls.crt" -noout \
    -subject -issuer -ext subjectAltName -dates
openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$T_TMP/state/secrets/demo-tls/tls.crt" \
    "$T_TMP/state/secrets/demo-tls/tls.crt"
echo "== stopping Pebble and BIND9"
finish
