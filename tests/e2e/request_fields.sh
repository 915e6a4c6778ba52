#!/bin/sh
# What a Certificate asks for goes into the ACME request as cert-manager
# puts it there (subject, every kind of name, key usages unless
# encodeUsagesInRequest is false); the ACME CA (Pebble) decides, and acmec
# says what it left out, once, after the certificate is in place.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  cat <<'EOF2'
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: full}
spec:
  secretName: full-tls
  commonName: full.acmec.test
  dnsNames: [full.acmec.test]
  subject: {organizations: [acmec], countries: [DE]}
  emailAddresses: [ops@acmec.test]
  uris: ["spiffe://acmec.test/full"]
  otherNames: [{oid: 1.3.6.1.4.1.311.20.2.3, utf8Value: full@acmec.test}]
  usages: [server auth, digital signature]
  issuerRef: {name: le, kind: ClusterIssuer}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: bare}
spec:
  secretName: bare-tls
  dnsNames: [bare.acmec.test]
  encodeUsagesInRequest: false
  issuerRef: {name: le, kind: ClusterIssuer}
EOF2
} >"$T_TMP/c.yaml"

# csr NAME: the request acmec sent (from the -vv protocol log) as text.
csr() {
	sed -n 's/.*payload {"csr":"\([A-Za-z0-9_-]*\)"}.*/\1/p' "$T_TMP/err" |
	    tr '_-' '/+' | awk '{ n = length($0) % 4; if (n) $0 = $0 substr("===", 1, 4 - n); print }' |
	    base64 -d | openssl req -inform DER -noout -text >"$T_TMP/$1.csr" 2>&1
}

expect full/issue 0 "$ACMEC" -vv -c "$T_TMP/c.yaml" -s "$S" issue full
csr full
grep_in full/subject "$T_TMP/full.csr" 'Subject: C = DE, O = acmec, CN = full.acmec.test'
grep_in full/sans "$T_TMP/full.csr" 'DNS:full.acmec.test, email:ops@acmec.test, URI:spiffe://acmec.test/full, othername: UPN::full@acmec.test'
grep_in full/ku "$T_TMP/full.csr" 'Digital Signature'
grep_in full/eku "$T_TMP/full.csr" 'TLS Web Server Authentication'
grep_in full/dropped "$T_TMP/err" 'full: the CA left out of the certificate what the Certificate asks for: C=DE, O=acmec, email ops@acmec.test, URI spiffe://acmec.test/full (an ACME CA decides what it certifies)'
cert_ok full "$S/secrets/full-tls" "Private-Key: (2048 bit" full.acmec.test

expect bare/issue 0 "$ACMEC" -vv -c "$T_TMP/c.yaml" -s "$S" issue bare
csr bare
grep_in bare/no-subject "$T_TMP/bare.csr" 'Subject: *$'
grep_in bare/san-critical "$T_TMP/bare.csr" 'Subject Alternative Name: critical'
not_in bare/no-ku "$T_TMP/bare.csr" 'Key Usage'
not_in bare/nothing-dropped "$T_TMP/err" 'the CA left out'
finish
