#!/bin/sh
# cert-manager's SelfSigned and CA issuers, signed by acmec itself (no CA,
# no network): the bootstrap (SelfSigned issuer -> CA Certificate -> CA
# issuer -> leaves) in one `acmec issue`, CAs first, with cert-manager's
# encodings (subject order, basic constraints, key usages and their
# defaults, SKID/AKID, SANs critical for an empty subject, CRL and AIA
# URLs) and its Secret layout (tls.crt without the self-signed root, the
# root in ca.crt); renewal by the same rules; every bad CA refused with
# the files in service unchanged; cycles and namespaces refused at load.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

S=$T_TMP/state
C=$T_TMP/c.yaml
mkdir -p "$S"
chmod 700 "$S"
cat >"$C" <<'EOF2'
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: leaf, namespace: default}
spec:
  secretName: leaf-tls
  dnsNames: [svc.acmec.test, "*.svc.acmec.test"]
  ipAddresses: [192.0.2.7]
  uris: ["spiffe://acmec.test/svc"]
  emailAddresses: [ops@acmec.test]
  otherNames: [{oid: 1.3.6.1.4.1.311.20.2.3, utf8Value: svc@acmec.test}]
  signatureAlgorithm: SHA512WithRSA
  usages: [server auth, client auth]
  duration: 720h
  issuerRef: {name: inter-ca, kind: ClusterIssuer}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: inter, namespace: cert-manager}
spec:
  isCA: true
  commonName: acmec test intermediate
  secretName: inter-secret
  privateKey: {algorithm: ECDSA, size: 384}
  nameConstraints:
    critical: true
    permitted: {dnsDomains: [acmec.test]}
    excluded: {ipRanges: [10.0.0.0/8, "2001:db8::/32"]}
  issuerRef: {name: root-ca, kind: ClusterIssuer}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: inter-ca}
spec:
  ca:
    secretName: inter-secret
    crlDistributionPoints: ["http://crl.acmec.test/inter.crl"]
    ocspServers: ["http://ocsp.acmec.test"]
    issuingCertificateURLs: ["http://ca.acmec.test/inter.crt"]
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: root-ca}
spec: {ca: {secretName: root-secret}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: root, namespace: cert-manager}
spec:
  isCA: true
  commonName: acmec test root
  subject:
    organizations: [acmec, tests]
    countries: [DE]
    organizationalUnits: [pki]
  secretName: root-secret
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {name: self, kind: ClusterIssuer}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: self}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: plain, namespace: default}
spec:
  secretName: plain-tls
  commonName: plain.acmec.test
  dnsNames: [plain.acmec.test]
  issuerRef: {name: self, kind: ClusterIssuer}
EOF2
# x509 NAME FILE: the text of FILE's (first) certificate.
x509() { openssl x509 -in "$2" -noout -text >"$T_TMP/$1.txt" 2>&1; }

# One run, four parallel workers: the root, then the intermediate, then
# the leaf, each after the CA that signs it.
expect bootstrap/issue 0 "$ACMEC" -c "$C" -s "$S" issue --jobs 4
grep_in bootstrap/four "$T_TMP/err" '4 issued, 0 failed'
R=$S/secrets/root-secret I=$S/secrets/inter-secret L=$S/secrets/leaf-tls
check bootstrap/order sh -c "grep -n 'issued, valid' '$T_TMP/err' | sed 's/.*acmec: \([a-z]*\):.*/\1/' | tr '\n' ' ' | grep -Eq '^(root plain|plain root) inter leaf $'"
PEBBLE_ROOT=$R/ca.crt
cert_ok leaf "$L" "Private-Key: (2048 bit" svc.acmec.test '*.svc.acmec.test' 192.0.2.7 \
    URI:spiffe://acmec.test/svc email:ops@acmec.test 'othername: UPN::svc@acmec.test'
check leaf/chain-no-root test "$(grep -c 'BEGIN CERTIFICATE' "$L/tls.crt")" -eq 2
# ca.crt: the top of the chain the CA's Secret holds in tls.crt (the
# intermediate: its own tls.crt leaves the self-signed root out).
check leaf/ca-is-inter cmp "$L/ca.crt" "$I/tls.crt"
check inter/ca-is-root cmp "$I/ca.crt" "$R/tls.crt"
x509 leaf "$L/tls.crt"
grep_in leaf/no-subject "$T_TMP/leaf.txt" 'Subject: *$'
grep_in leaf/san-critical "$T_TMP/leaf.txt" 'Subject Alternative Name: critical'
# usages given replace the default ones: no key usage extension at all.
not_in leaf/no-ku "$T_TMP/leaf.txt" 'X509v3 Key Usage'
grep_in leaf/eku "$T_TMP/leaf.txt" 'TLS Web Server Authentication, TLS Web Client Authentication'
grep_in leaf/not-ca "$T_TMP/leaf.txt" 'CA:FALSE'
grep_in leaf/crl "$T_TMP/leaf.txt" 'URI:http://crl.acmec.test/inter.crl'
grep_in leaf/ocsp "$T_TMP/leaf.txt" 'OCSP - URI:http://ocsp.acmec.test'
grep_in leaf/ca-issuers "$T_TMP/leaf.txt" 'CA Issuers - URI:http://ca.acmec.test/inter.crt'
# signatureAlgorithm asked for RSA; the CA's P-384 key signs as it must,
# as cert-manager's signer does.
grep_in leaf/signed-p384 "$T_TMP/leaf.txt" 'Signature Algorithm: ecdsa-with-SHA384'
check leaf/duration sh -c "openssl x509 -in '$L/tls.crt' -noout -checkend 2500000 && ! openssl x509 -in '$L/tls.crt' -noout -checkend 2600000"
x509 inter "$I/tls.crt"
grep_in inter/ca "$T_TMP/inter.txt" 'CA:TRUE'
grep_in inter/cert-sign "$T_TMP/inter.txt" 'Digital Signature, Key Encipherment, Certificate Sign'
grep_in inter/skid "$T_TMP/inter.txt" 'Subject Key Identifier'
grep_in inter/nc-critical "$T_TMP/inter.txt" 'Name Constraints: critical'
grep_in inter/nc-dns "$T_TMP/inter.txt" 'DNS:acmec.test'
grep_in inter/nc-ip "$T_TMP/inter.txt" 'IP:10.0.0.0/255.0.0.0'
grep_in inter/nc-ip6 "$T_TMP/inter.txt" 'IP:2001:DB8:0:0:0:0:0:0/FFFF:FFFF:0:0:0:0:0:0'
grep_in inter/akid "$T_TMP/inter.txt" 'Authority Key Identifier'
check inter/akid-is-root-skid sh -c "test \"\$(openssl x509 -in '$I/tls.crt' -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ')\" = \"\$(openssl x509 -in '$R/tls.crt' -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')\""
x509 root "$R/tls.crt"
grep_in root/subject-go-order "$T_TMP/root.txt" 'Subject: C = DE, O = acmec + O = tests, OU = pki, CN = acmec test root'
grep_in root/self-signed "$T_TMP/root.txt" 'Issuer: C = DE, O = acmec + O = tests, OU = pki, CN = acmec test root'
not_in root/no-akid "$T_TMP/root.txt" 'Authority Key Identifier'
check root/ca-is-itself cmp "$R/ca.crt" "$R/tls.crt"
check plain/self-signed openssl verify -CAfile "$S/secrets/plain-tls/ca.crt" "$S/secrets/plain-tls/tls.crt"
x509 plain "$S/secrets/plain-tls/tls.crt"
grep_in plain/ku-default "$T_TMP/plain.txt" 'Digital Signature, Key Encipherment$'
grep_in plain/cn "$T_TMP/plain.txt" 'Subject: CN = plain.acmec.test'
grep_in plain/san-not-critical "$T_TMP/plain.txt" 'Subject Alternative Name: *$'
grep_in plain/rsa-sha256 "$T_TMP/plain.txt" 'Signature Algorithm: sha256WithRSAEncryption'

# The CA from a kind: Secret document (cert-manager's namespace for a
# ClusterIssuer) instead of a file Secret.
{ printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: doc-ca, namespace: cert-manager}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n'
  sed 's/^/    /' "$R/tls.crt"
  printf '  tls.key: |\n'
  sed 's/^/    /' "$R/tls.key"
  printf -- '---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: doc-ca}\nspec: {ca: {secretName: doc-ca}}\n'
  printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: from-doc}\nspec:\n  secretName: from-doc-tls\n  dnsNames: [doc.acmec.test]\n  issuerRef: {name: doc-ca, kind: ClusterIssuer}\n'
} >"$T_TMP/doc.yaml"
chmod 600 "$T_TMP/doc.yaml"
expect secret-doc/issue 0 "$ACMEC" -c "$T_TMP/doc.yaml" -s "$S" issue
check secret-doc/verify openssl verify -CAfile "$R/ca.crt" "$S/secrets/from-doc-tls/tls.crt"
check secret-doc/no-file test ! -e "$S/secrets/doc-ca"

# Renewal by the same rules: nothing due, nothing done; a forced CA
# renewal leaves the certificates it signed as they are (as cert-manager
# does: they pick up the new CA when they are renewed themselves).
sha256sum "$L/tls.crt" "$L/ca.crt" >"$T_TMP/leaf.sums"
expect renew/nothing-due 0 "$ACMEC" -c "$C" -s "$S" renew
check renew/quiet test ! -s "$T_TMP/err"
expect renew/force-root 0 "$ACMEC" -c "$C" -s "$S" renew --force root
check renew/leaf-untouched sha256sum -c --quiet "$T_TMP/leaf.sums"
# Keystores added to a current certificate: written by renew, issuing
# nothing, ca.crt (the CA's) carried over as it was.
sed 's/^  duration: 720h$/  duration: 720h\n  keystores: {pkcs12: {create: true, password: changeit}}/' "$C" >"$T_TMP/ks.yaml"
expect keystores/renew 0 "$ACMEC" -c "$T_TMP/ks.yaml" -s "$S" renew
check keystores/written test -s "$L/keystore.p12"
check keystores/leaf-same sha256sum -c --quiet "$T_TMP/leaf.sums"
check keystores/truststore-is-ca sh -c "openssl pkcs12 -legacy -in '$L/truststore.p12' -passin pass:changeit -nokeys 2>/dev/null | openssl x509 | cmp - '$I/tls.crt'"
# The same for a certificate the self-signed root signs directly: its
# tls.crt holds no CA at all, and its ca.crt (the root) must stay the root.
direct() { cat "$C"; printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: direct}\nspec:\n  secretName: direct-tls\n  dnsNames: [direct.acmec.test]\n  issuerRef: {name: root-ca, kind: ClusterIssuer}\n%b' "$1"; }
direct '' >"$T_TMP/d1.yaml"
direct '  keystores: {pkcs12: {create: true, password: changeit}}\n' >"$T_TMP/d2.yaml"
expect keystores/direct-issue 0 "$ACMEC" -c "$T_TMP/d1.yaml" -s "$S" issue direct
expect keystores/direct-renew 0 "$ACMEC" -c "$T_TMP/d2.yaml" -s "$S" renew direct
check keystores/direct-written test -s "$S/secrets/direct-tls/keystore.p12"
check keystores/direct-ca-kept cmp "$S/secrets/direct-tls/ca.crt" "$R/tls.crt"
expect status/json 0 "$ACMEC" -c "$C" -s "$S" status --json
check status/leaf-ready python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); i=[x for x in d["items"] if x["metadata"]["name"]=="leaf"][0]; sys.exit(i["status"]["conditions"][0]["status"]!="True")' "$T_TMP/out"

# No CA to revoke at, no ACME account: usage errors that say so.
expect revoke/local 2 "$ACMEC" -c "$C" -s "$S" revoke plain
grep_in revoke/local-words "$T_TMP/err" "plain: signed by acmec itself (a selfSigned issuer): no CA keeps a revocation list for it"
expect account/local 2 "$ACMEC" -c "$C" -s "$S" account show --issuer self
grep_in account/local-words "$T_TMP/err" "a selfSigned issuer, which has no ACME account (acmec signs its certificates itself)"

# Bad CAs: refused with what to change, exit 1, files in service kept.
sha256sum "$L"/* >"$T_TMP/leaf.all"
cp -a "$I" "$T_TMP/inter-good"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkey >"$I/tls.key"
expect bad/key-mismatch 1 "$ACMEC" -c "$C" -s "$S" issue leaf
grep_in bad/key-mismatch-words "$T_TMP/err" "issuer 'inter-ca': the CA in .*inter-secret.*: its tls.key does not match its tls.crt"
check bad/key-mismatch-kept sha256sum -c --quiet "$T_TMP/leaf.all"
cp "$S/secrets/plain-tls/tls.crt" "$I/tls.crt"
cp "$S/secrets/plain-tls/tls.key" "$I/tls.key"
expect bad/not-a-ca 1 "$ACMEC" -c "$C" -s "$S" issue leaf
grep_in bad/not-a-ca-words "$T_TMP/err" "its certificate is not a CA certificate (basic constraints CA:TRUE): issue it with isCA: true"
rm "$I/tls.key"
expect bad/no-key 1 "$ACMEC" -c "$C" -s "$S" issue leaf
grep_in bad/no-key-words "$T_TMP/err" "issuer 'inter-ca': cannot read the CA's .*tls.key"
check bad/kept sha256sum -c --quiet "$T_TMP/leaf.all"
rm -rf "$I" && cp -a "$T_TMP/inter-good" "$I"

# literalSubject: RDNs in the string's reverse order, a multi-valued RDN
# kept whole, escapes undone.
lit() { # NAME LITERAL-SUBJECT
	{ cat "$C"; printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: %s}\nspec:\n  secretName: %s-tls\n  literalSubject: "%s"\n  dnsNames: [lit.acmec.test]\n  issuerRef: {name: self, kind: ClusterIssuer}\n' "$1" "$1" "$2"; } >"$T_TMP/$1.yaml"
}
lit lit 'CN=lit.acmec.test+UID=u1,O=acmec\\, tests,C=DE'
expect literal/issue 0 "$ACMEC" -c "$T_TMP/lit.yaml" -s "$S" issue lit
x509 lit "$S/secrets/lit-tls/tls.crt"
# (the values of one RDN are a DER SET OF: sorted by their encoding)
grep_in literal/order "$T_TMP/lit.txt" 'Subject: C = DE, O = "acmec, tests", UID = u1 + CN = lit.acmec.test'
# A #hex value is BER: its string is taken, as go-ldap's ParseDN does.
lit hex 'CN=hex.acmec.test,O=#0403616263'
expect literal/hex 0 "$ACMEC" -c "$T_TMP/hex.yaml" -s "$S" issue hex
x509 hex "$S/secrets/hex-tls/tls.crt"
grep_in literal/hex-string "$T_TMP/hex.txt" 'Subject: O = abc, CN = hex.acmec.test'
lit int 'CN=int.acmec.test,O=#020101'
expect literal/hex-not-string 1 "$ACMEC" -c "$T_TMP/int.yaml" -s "$S" issue int
grep_in literal/hex-not-string-words "$T_TMP/err" 'the literalSubject value of O is no BER string'
check literal/hex-nothing-written test ! -e "$S/secrets/int-tls"

# Cycles and namespaces, at load with file:line:col.
cat >"$T_TMP/cycle.yaml" <<'EOF2'
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: loop}
spec: {ca: {secretName: loop-secret}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: loop, namespace: cert-manager}
spec:
  isCA: true
  commonName: loop
  secretName: loop-secret
  issuerRef: {name: loop, kind: ClusterIssuer}
EOF2
expect refuse/cycle 2 "$ACMEC" -c "$T_TMP/cycle.yaml" check
grep_in refuse/cycle-words "$T_TMP/err" "cycle.yaml:4:25: spec.ca.secretName: the CA of issuer 'loop' is Certificate 'cert-manager/loop', which that issuer signs itself (a cycle)"
sed 's/namespace: cert-manager/namespace: default/' "$T_TMP/cycle.yaml" >"$T_TMP/ns.yaml"
expect refuse/namespace 2 "$ACMEC" -c "$T_TMP/ns.yaml" check
grep_in refuse/namespace-words "$T_TMP/err" "Secret 'loop-secret' is written by Certificate 'default/loop' .* in namespace 'default', but ClusterIssuer 'loop' reads namespace 'cert-manager'"
finish
