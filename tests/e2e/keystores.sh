#!/bin/sh
# spec.keystores: keystore.p12 / truststore.p12 in each of cert-manager's
# PKCS#12 profiles and keystore.jks / truststore.jks, issued through Pebble
# and read by the programs that use them: openssl pkcs12 and Java's keytool.
# Passwords from a file Secret, a kind: Secret document and literals; a
# wrong password opens nothing; keystores added to a current certificate
# are written without issuing; a bad keystore is refused at FILE:LINE:COL;
# a keystore that cannot be written leaves the files in service untouched.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/conf
mkdir -p "$C" "$S/secrets/ks-pass"
chmod 700 "$S" "$S/secrets" "$S/secrets/ks-pass"
printf 'file-pass-1' >"$S/secrets/ks-pass/password"

# ks NAME KEYSTORES: a Certificate NAME (Secret NAME-tls) with keystores
# given as flow YAML.
ks() {
	yaml_cert "$1" le "$1.acmec.test"
	printf '  keystores: %s\n' "$2"
}

{
	yaml_issuer le le-account '[{http01: {ingress: {}}}]'
	ks rc2 '{pkcs12: {create: true, passwordSecretRef: {name: ks-pass, key: password}}, jks: {create: true, passwordSecretRef: {name: ks-pass, key: password}}}'
	ks des '{pkcs12: {create: true, profile: LegacyDES, password: des-pass}}'
	ks modern '{pkcs12: {create: true, profile: Modern2023, passwordSecretRef: {name: doc-pass, key: pw}}}'
	ks alias '{jks: {create: true, alias: Web-Server, password: jks-pass}}'
	ks m26 '{pkcs12: {create: true, profile: Modern2026, password: m26-pass}}'
	ks late '{pkcs12: {create: false, password: late-pass}}'
	printf -- '---\napiVersion: v1\nkind: Secret\nmetadata: {name: doc-pass, namespace: default}\nstringData: {pw: doc-pass-2}\n'
} >"$C/all.yaml"
chmod 600 "$C/all.yaml"

expect issue 0 "$ACMEC" -c "$C" -s "$S" issue
D=$S/secrets
for n in rc2 des modern alias late m26; do
	cert_ok "$n" "$D/$n-tls" "Private-Key: (2048 bit" "$n.acmec.test"
done
for f in rc2-tls/keystore.p12 rc2-tls/truststore.p12 rc2-tls/keystore.jks \
    rc2-tls/truststore.jks des-tls/keystore.p12 modern-tls/truststore.p12 \
    alias-tls/keystore.jks; do
	check "mode/$f" test "$(stat -L -c %a "$D/$f")" = 600
done
check late/no-keystore test ! -e "$D/late-tls/keystore.p12"
check des/no-jks test ! -e "$D/des-tls/keystore.jks"

# at NAME: where the output of check NAME is kept.
at() { printf '%s/%s' "$T_TMP" "$(printf '%s' "$1" | tr / _)"; }

# p12 NAME FILE PASS [OPENSSL FLAGS]: openssl pkcs12 -info output in
# $T_TMP/NAME.info; the certificates it holds in $T_TMP/NAME.certs.
p12() {
	_n=$1 _f=$2 _pw=$3
	shift 3
	expect "$_n/openssl-reads" 0 openssl pkcs12 -info -in "$_f" \
	    -passin "pass:$_pw" -nodes "$@"
	cat "$T_TMP/err" "$T_TMP/out" >"$(at "$_n").info"
	grep -c 'BEGIN CERTIFICATE' "$T_TMP/out" >"$(at "$_n").certs"
	expect "$_n/wrong-password" 1 openssl pkcs12 -info -in "$_f" \
	    -passin pass:wrong-pass -nodes "$@"
	grep_in "$_n/mac-refuses" "$T_TMP/err" 'Mac verify error'
}

# LegacyRC2 (the default): RC2-40 certificates, 3DES key, SHA-1 MAC once.
p12 rc2/p12 "$D/rc2-tls/keystore.p12" file-pass-1 -legacy
I=$(at rc2/p12).info
grep_in rc2/mac "$I" 'MAC: sha1, Iteration 1$'
grep_in rc2/mac-salt "$I" 'MAC length: 20, salt length: 8'
grep_in rc2/certs-rc2 "$I" 'PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 2048'
grep_in rc2/key-3des "$I" 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048'
check rc2/leaf-and-chain test "$(cat "$(at rc2/p12).certs")" = 2
openssl pkey -in "$D/rc2-tls/tls.key" -pubout >"$T_TMP/k1"
openssl pkcs12 -in "$D/rc2-tls/keystore.p12" -passin pass:file-pass-1 \
    -legacy -nocerts -nodes 2>/dev/null | openssl pkey -pubout >"$T_TMP/k2"
check rc2/same-key cmp "$T_TMP/k1" "$T_TMP/k2"
expect rc2/needs-legacy 1 openssl pkcs12 -info -in "$D/rc2-tls/keystore.p12" \
    -passin pass:file-pass-1 -nodes
p12 rc2/trust "$D/rc2-tls/truststore.p12" file-pass-1 -legacy
check rc2/trust-one-cert test "$(cat "$(at rc2/trust).certs")" = 1
openssl x509 -in "$D/rc2-tls/ca.crt" -noout -subject -nameopt RFC2253 |
    sed 's/^subject=//' >"$T_TMP/casubj"
grep_in rc2/trust-friendly-name "$(at rc2/trust).info" \
    "friendlyName: $(cat "$T_TMP/casubj")"
grep_in rc2/trust-java-mark "$(at rc2/trust).info" '2.16.840.1.113894.746875.1.1'

# LegacyDES: 3DES throughout; OpenSSL 3 reads it without -legacy.
p12 des/p12 "$D/des-tls/keystore.p12" des-pass
I=$(at des/p12).info
grep_in des/mac "$I" 'MAC: sha1, Iteration 1$'
grep_in des/certs-3des "$I" 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048'
grep_in des/key-3des "$I" 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048'
check des/trust test -s "$D/des-tls/truststore.p12"

# Modern2023: PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC), SHA-256 MAC.
p12 modern/p12 "$D/modern-tls/keystore.p12" doc-pass-2
I=$(at modern/p12).info
grep_in modern/mac "$I" 'MAC: sha256, Iteration 2048'
grep_in modern/mac-salt "$I" 'MAC length: 32, salt length: 16'
grep_in modern/certs-aes "$I" 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256'
grep_in modern/key-aes "$I" 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256'
check modern/leaf-and-chain test "$(cat "$(at modern/p12).certs")" = 2

# Modern2026: Modern2023 with a PBMAC1 MAC (RFC 9579), which OpenSSL 3.0
# cannot check: the rest is read with -nomacver (the MAC: unit tests).
p=$D/m26-tls/keystore.p12
expect m26/openssl-reads 0 openssl pkcs12 -info -nomacver -in "$p" \
    -passin pass:m26-pass -nodes
cat "$T_TMP/err" "$T_TMP/out" >"$T_TMP/m26.info"
grep_in m26/certs-aes "$T_TMP/m26.info" 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256'
grep_in m26/key-aes "$T_TMP/m26.info" 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256'
check m26/leaf-and-chain test "$(grep -c 'BEGIN CERTIFICATE' "$T_TMP/out")" = 2
expect m26/wrong-password 1 openssl pkcs12 -info -nomacver -in "$p" \
    -passin pass:wrong-pass -nodes
openssl asn1parse -inform DER -in "$p" >"$T_TMP/m26.asn1" 2>&1
grep_in m26/pbmac1 "$T_TMP/m26.asn1" ':PBMAC1$'
grep_in m26/hmac-sha256 "$T_TMP/m26.asn1" ':hmacWithSHA256$'
expect m26/trust-reads 0 openssl pkcs12 -info -nomacver -nokeys \
    -in "$D/m26-tls/truststore.p12" -passin pass:m26-pass

# keytool NAME FILE PASS: keytool -list -v output in $T_TMP/NAME.kt.
keytool_list() {
	expect "$1/keytool-reads" 0 keytool -list -v -keystore "$2" \
	    -storepass "$3"
	cp "$T_TMP/out" "$(at "$1").kt"
	expect "$1/keytool-wrong-password" 1 keytool -list -keystore "$2" \
	    -storepass wrong-pass
	grep_in "$1/keytool-refuses" "$T_TMP/out" 'password was incorrect'
}

for n in rc2 des modern; do
	case $n in
	rc2) pw=file-pass-1 ;;
	des) pw=des-pass ;;
	modern) pw=doc-pass-2 ;;
	esac
	keytool_list "$n/java-p12" "$D/$n-tls/keystore.p12" "$pw"
	K=$(at "$n/java-p12").kt
	grep_in "$n/java-p12-type" "$K" 'Keystore type: PKCS12'
	grep_in "$n/java-p12-key" "$K" 'Entry type: PrivateKeyEntry'
	grep_in "$n/java-p12-chain" "$K" 'Certificate chain length: 2'
	keytool_list "$n/java-trust" "$D/$n-tls/truststore.p12" "$pw"
	grep_in "$n/java-trust-entry" "$(at "$n/java-trust").kt" \
	    'Entry type: trustedCertEntry'
done

# JKS: the key entry under cert-manager's alias with the whole chain and
# the CA as "ca"; the truststore holds the CA only.
keytool_list rc2/jks "$D/rc2-tls/keystore.jks" file-pass-1
K=$(at rc2/jks).kt
grep_in rc2/jks-type "$K" 'Keystore type: JKS'
grep_in rc2/jks-entries "$K" 'Your keystore contains 2 entries'
grep_in rc2/jks-alias "$K" 'Alias name: certificate$'
grep_in rc2/jks-key "$K" 'Entry type: PrivateKeyEntry'
grep_in rc2/jks-chain "$K" 'Certificate chain length: 2'
grep_in rc2/jks-ca "$K" 'Alias name: ca$'
grep_in rc2/jks-ca-trusted "$K" 'Entry type: trustedCertEntry'
keytool_list rc2/jks-trust "$D/rc2-tls/truststore.jks" file-pass-1
K=$(at rc2/jks-trust).kt
grep_in rc2/jks-trust-one "$K" 'Your keystore contains 1 entry'
grep_in rc2/jks-trust-ca "$K" 'Alias name: ca$'
grep_in rc2/jks-trust-entry "$K" 'Entry type: trustedCertEntry'
# Java takes the key out (Sun's key protector): it is tls.key's.
expect rc2/jks-key-out 0 keytool -importkeystore -srckeystore \
    "$D/rc2-tls/keystore.jks" -srcstorepass file-pass-1 -srcalias certificate \
    -destkeystore "$T_TMP/out.p12" -deststoretype PKCS12 \
    -deststorepass out-pass-1
openssl pkcs12 -in "$T_TMP/out.p12" -passin pass:out-pass-1 -nocerts -nodes \
    2>/dev/null | openssl pkey -pubout >"$T_TMP/k3"
check rc2/jks-same-key cmp "$T_TMP/k1" "$T_TMP/k3"
keytool_list alias/jks "$D/alias-tls/keystore.jks" jks-pass
grep_in alias/jks-lower-case "$(at alias/jks).kt" 'Alias name: web-server$'

# Keystores added to a Certificate whose certificate is current: written
# by renew without issuing, as cert-manager does.
serial() { openssl x509 -in "$1" -noout -serial; }
before=$(serial "$D/late-tls/tls.crt")
orders=$(pebble_count 'POST /order-plz')
sed -i 's/{pkcs12: {create: false, password: late-pass}}/{pkcs12: {create: true, password: late-pass}, jks: {create: true, password: late-pass}}/' "$C/all.yaml"
expect late/renew 0 "$ACMEC" -c "$C" -s "$S" renew
grep_in late/says-written "$T_TMP/err" 'late: keystores written'
check late/not-reissued test "$(serial "$D/late-tls/tls.crt")" = "$before"
check late/no-order test "$(pebble_count 'POST /order-plz')" = "$orders"
check late/p12 openssl pkcs12 -info -in "$D/late-tls/keystore.p12" \
    -passin pass:late-pass -nodes -legacy
check late/jks keytool -list -keystore "$D/late-tls/keystore.jks" \
    -storepass late-pass
expect late/renew-again 0 "$ACMEC" -c "$C" -s "$S" renew
not_in late/written-once "$T_TMP/err" 'keystores written'
# ... and taken away when the Certificate no longer creates them.
sed -i 's/{pkcs12: {create: true, password: late-pass}, jks: {create: true, password: late-pass}}/{pkcs12: {create: false, password: late-pass}}/' "$C/all.yaml"
expect late/renew-removed 0 "$ACMEC" -c "$C" -s "$S" renew
check late/p12-gone test ! -e "$D/late-tls/keystore.p12"
check late/jks-gone test ! -e "$D/late-tls/truststore.jks"
check late/still-in-service test "$(serial "$D/late-tls/tls.crt")" = "$before"

# A new certificate: new keystores holding it.
cp "$D/des-tls/keystore.p12" "$T_TMP/old.p12"
expect des/reissue 0 "$ACMEC" -c "$C" -s "$S" issue des
check des/keystore-changed sh -c "! cmp -s '$T_TMP/old.p12' '$D/des-tls/keystore.p12'"
openssl pkcs12 -in "$D/des-tls/keystore.p12" -passin pass:des-pass -nokeys \
    -clcerts 2>/dev/null | openssl x509 -noout -serial >"$T_TMP/p12serial"
check des/keystore-holds-new test "$(cat "$T_TMP/p12serial")" = \
    "$(serial "$D/des-tls/tls.crt")"

# A password that cannot be read: no order, nothing in service changes.
rm -f "$S/secrets/ks-pass/password"
sum=$(cat "$D/rc2-tls/tls.crt" "$D/rc2-tls/keystore.p12" | sha256sum)
orders=$(pebble_count 'POST /order-plz')
expect rc2/no-password 1 "$ACMEC" -c "$C" -s "$S" issue rc2
grep_in rc2/no-password-says "$T_TMP/err" \
    "rc2: cannot read the PKCS#12 keystore password $S/secrets/ks-pass/password"
grep_in rc2/no-password-unchanged "$T_TMP/err" 'not ordered; the files in .* are unchanged'
check rc2/no-password-no-order test "$(pebble_count 'POST /order-plz')" = "$orders"
check rc2/untouched test "$(cat "$D/rc2-tls/tls.crt" "$D/rc2-tls/keystore.p12" | sha256sum)" = "$sum"
# ... nor when renew writes keystores for a current certificate.
sed -i 's/{pkcs12: {create: false, password: late-pass}}/{jks: {create: true, passwordSecretRef: {name: ks-missing, key: pw}}}/' "$C/all.yaml"
lsum=$(cd "$D/late-tls" && readlink ..data; cat tls.crt tls.key ca.crt | sha256sum)
expect late/no-password 1 "$ACMEC" -c "$C" -s "$S" renew
grep_in late/no-password-says "$T_TMP/err" \
    "late: cannot read the JKS keystore password $S/secrets/ks-missing/pw"
check late/untouched test "$(cd "$D/late-tls" && readlink ..data; cat tls.crt tls.key ca.crt | sha256sum)" = "$lsum"
check late/no-jks test ! -e "$D/late-tls/keystore.jks"
sed -i 's/{jks: {create: true, passwordSecretRef: {name: ks-missing, key: pw}}}/{pkcs12: {create: false, password: late-pass}}/' "$C/all.yaml"
printf '' >"$S/secrets/ks-pass/password"
expect rc2/empty-password 1 "$ACMEC" -c "$C" -s "$S" issue rc2
grep_in rc2/empty-password-says "$T_TMP/err" 'keystore password .* is empty'
check rc2/untouched-2 test "$(cat "$D/rc2-tls/tls.crt" "$D/rc2-tls/keystore.p12" | sha256sum)" = "$sum"

# A bad keystore is refused at its FILE:LINE:COL by every command.
B=$T_TMP/bad
mkdir -p "$B"
{
	yaml_issuer le le-account '[{http01: {ingress: {}}}]'
	ks nopw '{jks: {create: true}}'
} >"$B/bad.yaml"
line=$(grep -n 'keystores:' "$B/bad.yaml" | cut -d: -f1)
expect bad/no-password 2 "$ACMEC" -c "$B" -s "$S" check
grep_in bad/no-password-where "$T_TMP/err" \
    "bad.yaml:$line:[0-9]*: spec.keystores.jks: the JKS keystore needs a password"
sed -i 's/{jks: {create: true}}/{jks: {create: true, password: a, passwordSecretRef: {name: ks-pass, key: password}}}/' "$B/bad.yaml"
expect bad/both 2 "$ACMEC" -c "$B" -s "$S" issue
grep_in bad/both-where "$T_TMP/err" \
    "bad.yaml:$line:[0-9]*: spec.keystores.jks: give password or passwordSecretRef"
finish
