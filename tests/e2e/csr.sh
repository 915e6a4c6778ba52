#!/bin/sh
# A CSR from elsewhere (acmec.io/csr, issue --csr) against the real Pebble:
# the CSR is made by openssl from a key acmec never sees (it is deleted
# before acmec runs); the certificate names the CSR's names and holds the
# CSR's public key; tls.crt and ca.crt are written, no tls.key; renew finds
# nothing due, renew --force orders again from the CSR file read afresh; a
# names mismatch and a tampered CSR are refused with a clear error and the
# files in service unchanged; check reads the CSR; settings that need the
# private key are refused at FILE:LINE:COL.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/conf
H=$T_TMP/hsm
mkdir -p "$C" "$H"

# The CI job's key: only its public half stays once the CSR is made.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$H/key.pem" 2>/dev/null
openssl req -new -key "$H/key.pem" -subj /CN=csr.acmec.test \
    -addext "subjectAltName=DNS:csr.acmec.test,DNS:www.csr.acmec.test" \
    -out "$H/req.pem" 2>/dev/null
openssl pkey -in "$H/key.pem" -pubout -out "$H/pub.pem"
rm -f "$H/key.pem"
check setup/key-gone test ! -e "$H/key.pem"

# pub_is NAME FILE: the leaf of FILE holds the CSR's public key.
pub_is() {
	openssl x509 -in "$2" -noout -pubkey >"$T_TMP/leafpub" 2>&1
	check "$1" cmp "$T_TMP/leafpub" "$H/pub.pem"
}

# sans_are NAME FILE NAMES...: the leaf's SANs are exactly NAMES.
sans_are() {
	_n=$1 _f=$2
	shift 2
	openssl x509 -in "$_f" -noout -ext subjectAltName 2>&1 | tail -n +2 |
	    tr ',' '\n' | sed 's/^ *//; s/^DNS://; s/^IP Address://' |
	    sort >"$T_TMP/sans"
	printf '%s\n' "$@" | sort >"$T_TMP/want"
	check "$_n" cmp "$T_TMP/sans" "$T_TMP/want"
}

# no_key NAME DIR: the set in DIR is tls.crt and ca.crt, no tls.key.
no_key() {
	check "$1/no-tls.key" sh -c "[ ! -e '$2/tls.key' ] && [ ! -L '$2/tls.key' ]"
	check "$1/verify" openssl verify -CAfile "$PEBBLE_ROOT" \
	    -untrusted "$2/tls.crt" "$2/tls.crt"
	check "$1/ca-verify" openssl verify -CAfile "$PEBBLE_ROOT" "$2/ca.crt"
}

yaml_issuer le le-account '[{http01: {ingress: {}}}]' >"$C/issuer.yaml"
# csr_cert CSRFILE NAMES...: the Certificate "ci" with acmec.io/csr.
csr_cert() {
	_f=$1
	shift
	printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\n'
	printf 'metadata:\n  name: ci\n  annotations:\n'
	printf '    acmec.io/csr: %s\nspec:\n  secretName: ci-tls\n' "$_f"
	printf '  issuerRef: {name: le, kind: ClusterIssuer}\n  dnsNames:\n'
	for _d in "$@"; do printf '  - "%s"\n' "$_d"; done
}
csr_cert "$H/req.pem" csr.acmec.test www.csr.acmec.test >"$C/ci.yaml"
D=$S/secrets/ci-tls

# --- check reads the CSR; the annotation path issues
expect check/ok 0 "$ACMEC" -c "$C" -s "$S" check
expect annotation/issue 0 "$ACMEC" -c "$C" -s "$S" issue ci
grep_in annotation/issued "$T_TMP/err" 'ci: issued, valid until'
no_key annotation "$D"
pub_is annotation/csr-public-key "$D/tls.crt"
sans_are annotation/csr-names "$D/tls.crt" csr.acmec.test www.csr.acmec.test
serial1=$(openssl x509 -in "$D/tls.crt" -noout -serial)

# --- a dry run orders the CSR and writes nothing
before=$(cd "$S" && find . -type f -exec sha256sum {} + | sort)
expect dry-run/issue 0 "$ACMEC" -c "$C" -s "$S" issue --dry-run ci
grep_in dry-run/result "$T_TMP/err" 'dry run: ci: would be issued'
check dry-run/nothing-written test "$(cd "$S" && find . -type f -exec sha256sum {} + | sort)" = "$before"
no_key dry-run "$D"

# --- status: ready without tls.key, and says why there is none
expect status/table 0 "$ACMEC" -c "$C" -s "$S" status
grep_in status/ready "$T_TMP/out" '^ci  *True'
expect status/describe 0 "$ACMEC" -c "$C" -s "$S" status ci
grep_in status/says-csr "$T_TMP/out" "^CSR: *$H/req.pem (acmec.io/csr; no tls.key"
grep_in status/describe-ready "$T_TMP/out" '^Ready: *True'

# --- renew: nothing due (a missing tls.key is expected here)
expect renew/not-due 0 "$ACMEC" -c "$C" -s "$S" -v renew
not_in renew/not-renewing "$T_TMP/err" 'renewing'
check renew/same-cert test "$(openssl x509 -in "$D/tls.crt" -noout -serial)" = "$serial1"

# --- renew --force reads the CSR file again: now in DER, same request
openssl req -in "$H/req.pem" -outform DER -out "$H/req.der"
csr_cert "$H/req.der" csr.acmec.test www.csr.acmec.test >"$C/ci.yaml"
expect renew/force 0 "$ACMEC" -c "$C" -s "$S" renew --force ci
no_key renew "$D"
check renew/new-cert test "$(openssl x509 -in "$D/tls.crt" -noout -serial)" != "$serial1"
pub_is renew/csr-public-key "$D/tls.crt"
serial2=$(openssl x509 -in "$D/tls.crt" -noout -serial)
cp "$D/tls.crt" "$T_TMP/in-service.crt"
orders=$(pebble_count 'POST /order-plz')

# unchanged NAME: the files in service are the ones before, and no order
# reached Pebble.
unchanged() {
	check "$1/files-unchanged" cmp "$D/tls.crt" "$T_TMP/in-service.crt"
	check "$1/still-no-key" test ! -e "$D/tls.key"
	check "$1/no-order" test "$(pebble_count 'POST /order-plz')" -eq "$orders"
}

# --- the names must be the CSR's
csr_cert "$H/req.der" csr.acmec.test www.csr.acmec.test other.acmec.test \
    >"$C/ci.yaml"
expect mismatch/check 2 "$ACMEC" -c "$C" -s "$S" check
grep_in mismatch/check-where "$T_TMP/err" "ci.yaml:7:5: ci: metadata.annotations.acmec.io/csr: the CSR $H/req.der does not name other.acmec.test, which spec.dnsNames, ipAddresses and commonName lists; make"
expect mismatch/issue 1 "$ACMEC" -c "$C" -s "$S" issue ci
grep_in mismatch/says "$T_TMP/err" "does not name other.acmec.test.*exactly the CSR's names: csr.acmec.test www.csr.acmec.test"
unchanged mismatch
csr_cert "$H/req.der" csr.acmec.test >"$C/ci.yaml"
expect mismatch/fewer 1 "$ACMEC" -c "$C" -s "$S" issue ci
grep_in mismatch/fewer-says "$T_TMP/err" "names www.csr.acmec.test, which spec.dnsNames, ipAddresses and commonName does not list"
unchanged mismatch-fewer

# --- a CSR changed after it was signed: the signature no longer verifies
sed 's/www\.csr/wvw.csr/' "$H/req.der" >"$H/bad.der"
check tamper/changed sh -c "! cmp -s '$H/req.der' '$H/bad.der'"
csr_cert "$H/bad.der" csr.acmec.test www.csr.acmec.test >"$C/ci.yaml"
expect tamper/check 2 "$ACMEC" -c "$C" -s "$S" check
grep_in tamper/check-says "$T_TMP/err" "ci.yaml:7:5: ci: .*signature does not verify"
expect tamper/issue 1 "$ACMEC" -c "$C" -s "$S" renew --force ci
grep_in tamper/says "$T_TMP/err" "the CSR $H/bad.der: the certificate request's signature does not verify"
unchanged tamper
csr_cert "$T_TMP/none.pem" csr.acmec.test >"$C/ci.yaml"
expect missing/check 2 "$ACMEC" -c "$C" -s "$S" check
grep_in missing/says "$T_TMP/err" "cannot read the CSR $T_TMP/none.pem: No such file"
unchanged missing

# --- settings that need the private key, and a relative path
csr_cert "$H/req.pem" csr.acmec.test www.csr.acmec.test >"$C/ci.yaml"
printf '  privateKey: {algorithm: ECDSA}\n  additionalOutputFormats: [{type: DER}]\n' >>"$C/ci.yaml"
expect config/private-key 2 "$ACMEC" -c "$C" -s "$S" check
grep_in config/private-key-where "$T_TMP/err" "ci.yaml:14:15: spec: privateKey needs the certificate's private key, which acmec never has with acmec.io/csr.*remove spec.privateKey or the annotation"
grep_in config/formats-where "$T_TMP/err" "ci.yaml:15:28: spec: additionalOutputFormats needs"
csr_cert "$H/req.pem" csr.acmec.test www.csr.acmec.test >"$C/ci.yaml"
printf '  keystores: {pkcs12: {create: true, password: x}}\n' >>"$C/ci.yaml"
expect config/keystores 2 "$ACMEC" -c "$C" -s "$S" check
grep_in config/keystores-where "$T_TMP/err" "ci.yaml:14:14: spec: keystores needs"
csr_cert req.pem csr.acmec.test >"$C/ci.yaml"
expect config/relative 2 "$ACMEC" -c "$C" -s "$S" check
grep_in config/relative-says "$T_TMP/err" "ci.yaml:7:5: metadata.annotations: acmec.io/csr: 'req.pem' must be an absolute path"
printf -- '---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: self}\nspec: {selfSigned: {}}\n' >"$C/self.yaml"
csr_cert "$H/req.pem" csr.acmec.test www.csr.acmec.test |
    sed 's/name: le, kind/name: self, kind/' >"$C/ci.yaml"
expect config/local-issuer 2 "$ACMEC" -c "$C" -s "$S" check
grep_in config/local-issuer-says "$T_TMP/err" "acmec.io/csr needs an ACME issuer; issuer 'self' is a selfSigned issuer"
expect config/local-issuer-issue 1 "$ACMEC" -c "$C" -s "$S" issue ci
rm -f "$C/self.yaml"
unchanged config

# --- a Certificate that had a key of acmec's, then gets acmec.io/csr:
# renew finds it due (tls.crt is not for the CSR's key), and the new set
# has no tls.key (the old one is gone, not left dangling)
yaml_cert sw le csr.acmec.test www.csr.acmec.test >"$C/ci.yaml"
expect switch/first 0 "$ACMEC" -c "$C" -s "$S" issue sw
check switch/had-key test -s "$S/secrets/sw-tls/tls.key"
csr_cert "$H/req.pem" csr.acmec.test www.csr.acmec.test |
    sed 's/name: ci$/name: sw/; s/secretName: ci-tls/secretName: sw-tls/' >"$C/ci.yaml"
expect switch/renew 0 "$ACMEC" -c "$C" -s "$S" renew
grep_in switch/why "$T_TMP/err" 'sw: renewing: tls.crt is not for the public key of the CSR'
no_key switch "$S/secrets/sw-tls"
pub_is switch/csr-public-key "$S/secrets/sw-tls/tls.crt"
expect switch/then-not-due 0 "$ACMEC" -c "$C" -s "$S" renew
not_in switch/then-not-renewing "$T_TMP/err" 'renewing'

# --- ad hoc: issue --csr, names from the CSR
rm -f "$C/ci.yaml"
A="--server $PEBBLE_DIR --ca-bundle $PEBBLE_CA --standalone 127.0.0.1:80"
# shellcheck disable=SC2086
expect adhoc/issue 0 "$ACMEC" -s "$S" -c /nonexistent issue --csr "$H/req.pem" \
    $A --out "$T_TMP/adhoc"
no_key adhoc "$T_TMP/adhoc"
pub_is adhoc/csr-public-key "$T_TMP/adhoc/tls.crt"
sans_are adhoc/csr-names "$T_TMP/adhoc/tls.crt" csr.acmec.test www.csr.acmec.test
orders=$(pebble_count 'POST /order-plz')
# shellcheck disable=SC2086
expect adhoc/same-d 0 "$ACMEC" -s "$S" -c /nonexistent issue --csr "$H/req.der" \
    -d www.csr.acmec.test -d CSR.acmec.test $A --out "$T_TMP/adhoc2"
pub_is adhoc/same-d-key "$T_TMP/adhoc2/tls.crt"
orders=$(pebble_count 'POST /order-plz')
# shellcheck disable=SC2086
expect adhoc/other-d 2 "$ACMEC" -s "$S" -c /nonexistent issue --csr "$H/req.pem" \
    -d csr.acmec.test $A --out "$T_TMP/adhoc3"
grep_in adhoc/other-d-says "$T_TMP/err" "^acmec: error: --csr: the CSR $H/req.pem names www.csr.acmec.test, which the -d names does not list; make the -d names exactly the CSR's names"
check adhoc/other-d-nothing test ! -e "$T_TMP/adhoc3"
# shellcheck disable=SC2086
expect adhoc/key-type 2 "$ACMEC" -s "$S" -c /nonexistent issue --csr "$H/req.pem" \
    --key-type ec384 $A --out "$T_TMP/adhoc3"
grep_in adhoc/key-type-says "$T_TMP/err" "drop --key-type"
# shellcheck disable=SC2086
expect adhoc/tampered 2 "$ACMEC" -s "$S" -c /nonexistent issue --csr "$H/bad.der" \
    $A --out "$T_TMP/adhoc3"
grep_in adhoc/tampered-says "$T_TMP/err" "signature does not verify"
check adhoc/no-order test "$(pebble_count 'POST /order-plz')" -eq "$orders"

# --- a CSR with a common name and no SAN: certbot and Boulder take the CN
# as a name, so acmec orders it; Pebble wants every name in the SAN and
# refuses at finalize, which is reported with nothing written.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$H/rsa.pem" 2>/dev/null
openssl req -new -key "$H/rsa.pem" -subj /CN=cn-only.acmec.test \
    -out "$H/cn.pem" 2>/dev/null
rm -f "$H/rsa.pem"
# shellcheck disable=SC2086
expect cn-only/issue 1 "$ACMEC" -s "$S" -c /nonexistent issue --csr "$H/cn.pem" \
    $A --out "$T_TMP/cn"
grep_in cn-only/ordered "$T_TMP/err" 'cn-only.acmec.test: validating 1 name'
grep_in cn-only/ca-says "$T_TMP/err" 'finalizing the order: the CA says unauthorized.*than CSR specifies'
check cn-only/nothing-written test ! -e "$T_TMP/cn/tls.crt"
finish
