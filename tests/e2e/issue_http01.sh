#!/bin/sh
# acmec issue over http-01 against the real Pebble: cert-manager shaped
# YAML in, PEM files out; standalone, webroot and ad hoc; account reuse.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
mkdir -p "$T_TMP/conf"

# As in cert-manager's documentation: a ClusterIssuer with an ingress
# http01 solver, a Certificate with two dnsNames and an RSA 4096 key.
cat >"$T_TMP/conf/issuer.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: letsencrypt-staging
spec:
  acme:
    server: $PEBBLE_DIR
    email: ops@acmec.test
    caBundle: $(ca_bundle)
    privateKeySecretRef:
      name: letsencrypt-staging-account
    solvers:
    - http01:
        ingress:
          ingressClassName: nginx
EOF2
cat >"$T_TMP/conf/cert.yaml" <<'EOF2'
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: example-com
  namespace: sandbox
spec:
  secretName: example-com-tls
  privateKey:
    algorithm: RSA
    encoding: PKCS1
    size: 4096
  dnsNames:
  - example.acmec.test
  - www.example.acmec.test
  issuerRef:
    name: letsencrypt-staging
    kind: ClusterIssuer
    group: cert-manager.io
EOF2
expect issue/rsa4096 0 "$ACMEC" -c "$T_TMP/conf" -s "$S" issue
grep_in issue/rsa4096-says-issued "$T_TMP/err" 'example-com: issued, valid until'
grep_in issue/ingress-notice "$T_TMP/err" 'answers the challenges itself'
cert_ok rsa4096 "$S/secrets/example-com-tls" "Private-Key: (4096 bit" \
    example.acmec.test www.example.acmec.test
check rsa4096/pkcs1 grep -q 'BEGIN RSA PRIVATE KEY' "$S/secrets/example-com-tls/tls.key"
check account/key-mode test "$(stat -c %a "$S/secrets/letsencrypt-staging-account/tls.key")" = 600
# cert-manager's kind of account key (its ACME issuer takes RSA only), in
# PKCS#1 as it writes them, so that the account can move to a cluster.
check account/rsa2048 sh -c "openssl pkey -in '$S/secrets/letsencrypt-staging-account/tls.key' -noout -text | grep -q 'Private-Key: (2048 bit'"
check account/pkcs1 grep -q 'BEGIN RSA PRIVATE KEY' "$S/secrets/letsencrypt-staging-account/tls.key"
accounts=$(pebble_count 'POST /sign-me-up')

# ECDSA P-256 with a webroot solver: a static web server serves the files.
mkdir -p "$T_TMP/www"
python3 -m http.server --bind 127.0.0.1 --directory "$T_TMP/www" 80 \
    >"$T_TMP/www.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 curl -s http://127.0.0.1:80/ || fail webroot/server "python3 http.server did not start"
cat >"$T_TMP/conf/webroot.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: webroot
  namespace: sandbox
  annotations:
    acmec.io/http01-webroot: $T_TMP/www
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: letsencrypt-staging-account}
    solvers:
    - http01:
        ingress: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web-ec, namespace: sandbox}
spec:
  secretName: web-ec-tls
  issuerRef: {name: webroot}
  privateKey: {algorithm: ECDSA, size: 256}
  dnsNames: [web.acmec.test]
  additionalOutputFormats: [{type: CombinedPEM}, {type: DER}]
EOF2
expect webroot/issue 0 "$ACMEC" -c "$T_TMP/conf" -s "$S" issue web-ec
cert_ok webroot "$S/secrets/web-ec-tls" "Private-Key: (256 bit" web.acmec.test
check webroot/served grep -q 'GET /.well-known/acme-challenge/' "$T_TMP/www.log"
check webroot/cleaned sh -c "[ -z \"\$(ls -A '$T_TMP/www/.well-known/acme-challenge')\" ]"
check webroot/combined sh -c "grep -q 'PRIVATE KEY' '$S/secrets/web-ec-tls/tls-combined.pem' && grep -q CERTIFICATE '$S/secrets/web-ec-tls/tls-combined.pem'"
# As cert-manager writes it (OutputFormatCombinedPEM): tls.key, "\n", tls.crt.
{ cat "$S/secrets/web-ec-tls/tls.key"; echo; cat "$S/secrets/web-ec-tls/tls.crt"; } >"$T_TMP/combined"
check webroot/combined-bytes cmp "$T_TMP/combined" "$S/secrets/web-ec-tls/tls-combined.pem"
check webroot/der openssl pkey -inform DER -in "$S/secrets/web-ec-tls/key.der" -noout
kill $! 2>/dev/null

# The second issuance for the same issuer reuses the account.
expect reuse/issue 0 "$ACMEC" -c "$T_TMP/conf" -s "$S" issue sandbox/example-com
check reuse/no-new-account test "$(pebble_count 'POST /sign-me-up')" -eq "$accounts"
not_in reuse/no-registration "$T_TMP/err" 'registered account'

# Ad hoc, with no configuration file at all.
expect adhoc/issue 0 "$ACMEC" -s "$S" -c /nonexistent issue -d adhoc.acmec.test \
    -d 127.0.0.1 --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA" \
    --standalone 127.0.0.1:80 --key-type ec384 --out "$T_TMP/adhoc"
cert_ok adhoc "$T_TMP/adhoc" "Private-Key: (384 bit" adhoc.acmec.test 127.0.0.1

# preferredChain: Pebble offers an alternate chain to a second root; ask
# for it by that root's common name.
stop_pebble
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_ALTERNATE_ROOTS=1 PEBBLE_CHAIN_LENGTH=3
curl -sf --cacert "$PEBBLE_CA" https://127.0.0.1:15000/roots/1 >"$T_TMP/root1.pem"
alt_cn=$(openssl x509 -in "$T_TMP/root1.pem" -noout -subject -nameopt multiline |
    sed -n 's/^ *commonName *= *//p')
cat >"$T_TMP/pc.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: pc}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    preferredChain: "$alt_cn"
    privateKeySecretRef: {name: pc-account}
    solvers: [{http01: {ingress: {}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: pc}
spec:
  secretName: pc-tls
  issuerRef: {name: pc, kind: ClusterIssuer}
  dnsNames: [pc.acmec.test]
EOF2
expect preferred-chain/issue 0 "$ACMEC" -v -c "$T_TMP/pc.yaml" -s "$S" issue
grep_in preferred-chain/alternate-used "$T_TMP/err" 'using the alternate chain'
check preferred-chain/verifies-to-alt-root openssl verify -CAfile "$T_TMP/root1.pem" \
    -untrusted "$S/secrets/pc-tls/tls.crt" "$S/secrets/pc-tls/tls.crt"
openssl x509 -in "$S/secrets/pc-tls/ca.crt" -noout -issuer >"$T_TMP/issuer"
grep_in preferred-chain/ca-issuer "$T_TMP/issuer" "$alt_cn"
# PEBBLE_CHAIN_LENGTH=3: leaf and three intermediates.
check preferred-chain/chain-length test "$(grep -c 'BEGIN CERTIFICATE' "$S/secrets/pc-tls/tls.crt")" -eq 4

# IP addresses from the configuration, over http-01.
cat >"$T_TMP/ip.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: ip}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: pc-account}
    solvers: [{http01: {ingress: {}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ip}
spec:
  secretName: ip-tls
  issuerRef: {name: ip, kind: ClusterIssuer}
  dnsNames: [ip.acmec.test]
  ipAddresses: ["127.0.0.1"]
EOF2
expect ip-config/issue 0 "$ACMEC" -c "$T_TMP/ip.yaml" -s "$S" issue
check ip-config/verify openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$S/secrets/ip-tls/tls.crt" "$S/secrets/ip-tls/tls.crt"
openssl x509 -in "$S/secrets/ip-tls/tls.crt" -noout -ext subjectAltName >"$T_TMP/ipsan"
grep_in ip-config/san "$T_TMP/ipsan" 'IP Address:127.0.0.1'
grep_in ip-config/dns-san "$T_TMP/ipsan" 'DNS:ip.acmec.test' 
finish
