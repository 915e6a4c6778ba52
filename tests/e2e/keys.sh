#!/bin/sh
# Certificate keys as cert-manager makes them, issued by the real Pebble:
# RSA 2048 PKCS1 when privateKey is absent, a size alone is RSA, ECDSA
# P-521; ad hoc issue keeps its own default, ECDSA P-256.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
{ yaml_issuer le keys-account '[{http01: {ingress: {}}}]'
  yaml_cert def le def.acmec.test
  yaml_cert ec521 le ec521.acmec.test
  printf '  privateKey: {algorithm: ECDSA, size: 521}\n'
  yaml_cert rsa4096 le rsa4096.acmec.test
  printf '  privateKey: {size: 4096, encoding: PKCS8}\n'; } >"$T_TMP/c.yaml"

expect issue 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
cert_ok default "$S/secrets/def-tls" "Private-Key: (2048 bit" def.acmec.test
check default/pkcs1 grep -q 'BEGIN RSA PRIVATE KEY' "$S/secrets/def-tls/tls.key"
cert_ok ec521 "$S/secrets/ec521-tls" "Private-Key: (521 bit" ec521.acmec.test
check ec521/sec1 grep -q 'BEGIN EC PRIVATE KEY' "$S/secrets/ec521-tls/tls.key"
openssl x509 -in "$S/secrets/ec521-tls/tls.crt" -noout -text >"$T_TMP/ec521.txt" 2>&1
grep_in ec521/curve "$T_TMP/ec521.txt" 'NIST CURVE: P-521'
cert_ok rsa4096 "$S/secrets/rsa4096-tls" "Private-Key: (4096 bit" rsa4096.acmec.test
check rsa4096/pkcs8 grep -q 'BEGIN PRIVATE KEY' "$S/secrets/rsa4096-tls/tls.key"
not_in no-size-refusal "$T_TMP/err" 'size without algorithm'

# Ad hoc issue is acmec's own command line: ECDSA P-256, as certbot and lego.
expect adhoc/issue 0 "$ACMEC" -s "$T_TMP/adhoc-state" issue -d adhoc.acmec.test \
    --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA" --standalone :80 --out "$T_TMP/adhoc"
cert_ok adhoc "$T_TMP/adhoc" "Private-Key: (256 bit" adhoc.acmec.test
finish
