#!/bin/sh
# A Certificate's secretName names the directory its files replace as one
# set: it must not be a directory acmec keeps other secrets in (an issuer's
# account key, an EAB or TSIG Secret, the ad hoc account) nor another
# Certificate's.  Every command that loads the configuration refuses it,
# at the secretName's FILE:LINE:COL, saying what to rename.
. "$(dirname "$0")/../lib/e2e.sh"

C=$T_TMP/c
mkdir -p "$C"

ISSUER='apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef:
      name: le-account
    externalAccountBinding:
      keyID: kid-1
      keySecretRef: {name: le-eab, key: mac}
    solvers:
    - dns01:
        rfc2136:
          nameserver: 127.0.0.1
          tsigKeyName: acme
          tsigAlgorithm: HMACSHA256
          tsigSecretSecretRef: {name: tsig, key: secret}'

# cert SECRETNAME [NAME]: a Certificate document into that Secret.
cert() {
	printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\n'
	printf 'metadata:\n  name: %s\nspec:\n  secretName: %s\n' "${2:-web}" "$1"
	printf '  issuerRef: {name: le, kind: ClusterIssuer}\n'
	printf '  dnsNames: [web.acmec.test]\n'
}

# clash NAME SECRETNAME MESSAGE: refused by check, renew and status, with
# the secretName's position (line 26, column 15 of the file).
clash() {
	{ printf '%s\n' "$ISSUER"; cert "$2"; } >"$C/$1.yaml"
	expect "$1/check" 2 "$ACMEC" -c "$C/$1.yaml" check
	grep_in "$1/message" "$T_TMP/err" "$C/$1.yaml:26:15: spec.secretName: '$2' $3"
	grep_in "$1/rename" "$T_TMP/err" "rename spec.secretName"
	expect "$1/renew" 2 "$ACMEC" -c "$C/$1.yaml" -s "$T_TMP/s" renew
	expect "$1/status" 2 "$ACMEC" -c "$C/$1.yaml" -s "$T_TMP/s" status
	check "$1/nothing-written" test ! -e "$T_TMP/s"
}

clash account le-account "is the account key Secret of ClusterIssuer 'le' (spec.acme.privateKeySecretRef at $C/account.yaml:9:13)"
clash eab le-eab "is the externalAccountBinding key Secret of ClusterIssuer 'le'"
clash tsig tsig "is the TSIG key Secret of ClusterIssuer 'le'"
clash adhoc acmec-adhoc-account "is where ad hoc issue keeps its account key"

# Two Certificates, one Secret: the second secretName is named.
{ printf '%s\n' "$ISSUER"; cert shared web; cert shared api; } >"$C/two.yaml"
expect two/check 2 "$ACMEC" -c "$C/two.yaml" check
grep_in two/message "$T_TMP/err" "$C/two.yaml:35:15: spec.secretName: 'shared' is also the secretName of Certificate 'default/web' ($C/two.yaml:26:15)"

# Across files of a directory, and against a namespaced Issuer's account.
mkdir -p "$C/dir"
printf '%s\n' "$ISSUER" >"$C/dir/a.yaml"
cat >>"$C/dir/a.yaml" <<EOF2
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: team, namespace: prod}
spec:
  acme:
    server: https://acme.test/dir
    privateKeySecretRef: {name: team-account}
    solvers: [{http01: {ingress: {}}}]
EOF2
cert team-account >"$C/dir/b.yaml"
expect dir/check 2 "$ACMEC" -c "$C/dir" check
grep_in dir/message "$T_TMP/err" "$C/dir/b.yaml:7:15: spec.secretName: 'team-account' is the account key Secret of Issuer 'prod/team'"

# The same names, apart: fine.
{ printf '%s\n' "$ISSUER"; cert web-tls; cert api-tls api; } >"$C/good.yaml"
expect good/check 0 "$ACMEC" -c "$C/good.yaml" check

# Ad hoc issue: a first name equal to the account's Secret, without -o.
expect adhoc-flag/exit 2 "$ACMEC" -s "$T_TMP/s2" issue -d acmec-adhoc-account \
    --server https://acme.test/dir --standalone
grep_in adhoc-flag/message "$T_TMP/err" "acmec-adhoc-account.*ad hoc issue keeps its account key"
check adhoc-flag/nothing-written test ! -e "$T_TMP/s2"
finish
