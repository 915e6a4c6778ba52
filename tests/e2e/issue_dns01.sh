#!/bin/sh
# dns-01 against Pebble and BIND9: RFC 2136 with TSIG, wildcard + apex as
# one RRset, CNAME delegation (Follow), the exec hook through nsupdate, a
# wrong TSIG secret, and solver selection mixing dns-01 and http-01.
# After every run the BIND server holds none of acmec's TXT values.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
mkdir -p "$S/secrets/tsig" "$S/secrets/bad-tsig"
printf '%s\n' "$DNS_SECRET" >"$S/secrets/tsig/secret"
# A valid base64 secret that is not the key's.
printf 'c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1rZXktMDEyMzQ1Njc4OQ==\n' \
    >"$S/secrets/bad-tsig/secret"

issuer() { # NAME TSIG-SECRET-NAME EXTRA-SOLVERS
	cat <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: $1}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: dns-account}
    solvers:
    - dns01:
        cnameStrategy: Follow
        rfc2136:
          nameserver: 127.0.0.1:53
          tsigKeyName: acme-key
          tsigAlgorithm: HMACSHA256
          tsigSecretSecretRef: {name: $2, key: secret}
$3
EOF2
}
cert() { # NAME ISSUER NAMES...
	_n=$1 _i=$2
	shift 2
	printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: %s}\nspec:\n  secretName: %s-tls\n  issuerRef: {name: %s, kind: ClusterIssuer}\n  dnsNames:\n' "$_n" "$_n" "$_i"
	for _d in "$@"; do printf '  - "%s"\n' "$_d"; done
}
# no_acmec_values NAME RECORD...: BIND answers no TXT value but "keep-me"
no_acmec_values() {
	_n=$1
	shift
	for _r in "$@"; do
		txt "$_r" | grep -v '^keep-me$' >"$T_TMP/left" || true
		check "$_n/cleaned-$_r" test ! -s "$T_TMP/left"
	done
}
triggers() { pebble_count 'POST /chalZ/'; }

{ issuer dns tsig; cert single dns single.acmec.test; cert wild dns 'wild.acmec.test' '*.wild.acmec.test'; cert cname dns cname.acmec.test; } >"$T_TMP/dns.yaml"

# A record of someone else's at the same name must survive.
printf 'server 127.0.0.1 53\nupdate add _acme-challenge.single.acmec.test. 60 IN TXT "keep-me"\nsend\n' |
    nsupdate -k "$DNS_KEYFILE"

expect single/issue 0 "$ACMEC" -c "$T_TMP/dns.yaml" -s "$S" issue single
cert_ok single "$S/secrets/single-tls" "Private-Key: (2048 bit" single.acmec.test
grep_in single/added "$T_TMP/err" 'dns-01: added 1 TXT record to zone acmec.test at 127.0.0.1:53'
grep_in single/waited "$T_TMP/err" 'visible at every nameserver checked'
grep_in single/removed "$T_TMP/err" 'dns-01: removed 1 TXT record from zone acmec.test'
no_acmec_values single _acme-challenge.single.acmec.test
check single/foreign-record-kept test "$(txt _acme-challenge.single.acmec.test)" = keep-me

# Wildcard and apex: one record name, both values in one UPDATE.
expect wildcard/issue 0 "$ACMEC" -c "$T_TMP/dns.yaml" -s "$S" issue wild
cert_ok wildcard "$S/secrets/wild-tls" "Private-Key: (2048 bit" wild.acmec.test '*.wild.acmec.test'
grep_in wildcard/one-update "$T_TMP/err" 'dns-01: added 2 TXT records to zone acmec.test'
no_acmec_values wildcard _acme-challenge.wild.acmec.test

# _acme-challenge.cname.acmec.test is a CNAME into other.test.
expect cname/issue 0 "$ACMEC" -c "$T_TMP/dns.yaml" -s "$S" issue cname
cert_ok cname "$S/secrets/cname-tls" "Private-Key: (2048 bit" cname.acmec.test
grep_in cname/followed "$T_TMP/err" 'writing the record at _acme-challenge.cname.other.test'
grep_in cname/other-zone "$T_TMP/err" 'added 1 TXT record to zone other.test'
no_acmec_values cname _acme-challenge.cname.other.test

# Wrong TSIG secret: the RCODE, exit 1, no challenge triggered.
{ issuer badkey bad-tsig; cert badkey badkey bad.acmec.test; } >"$T_TMP/bad.yaml"
before=$(triggers)
expect wrong-tsig/exit 1 "$ACMEC" -c "$T_TMP/bad.yaml" -s "$S" issue
grep_in wrong-tsig/rcode "$T_TMP/err" 'refused the UPDATE of zone acmec.test: RCODE NOTAUTH'
check wrong-tsig/no-challenge-triggered test "$(triggers)" -eq "$before"
not_in wrong-tsig/secret-not-shown "$T_TMP/err" "$DNS_SECRET"
no_acmec_values wrong-tsig _acme-challenge.bad.acmec.test

# The exec hook, writing through nsupdate.
nsupdate_hook "$T_TMP/hook" "$T_TMP/hook.log"
cat >"$T_TMP/exec.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: hook}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: dns-account}
    solvers:
    - dns01:
        webhook:
          groupName: acmec.io
          solverName: exec
          config: {command: ["$T_TMP/hook"], timeout: 30s}
        nameservers: ["127.0.0.1:53"]
$(cert hooked hook hooked.acmec.test '*.hooked.acmec.test')
EOF2
expect exec/issue 0 "$ACMEC" -c "$T_TMP/exec.yaml" -s "$S" issue
cert_ok exec "$S/secrets/hooked-tls" "Private-Key: (2048 bit" hooked.acmec.test '*.hooked.acmec.test'
check exec/present-twice test "$(grep -c '^present _acme-challenge.hooked.acmec.test present _acme-challenge.hooked.acmec.test hooked.acmec.test$' "$T_TMP/hook.log")" -eq 2
check exec/cleanup-twice test "$(grep -c '^cleanup _acme-challenge.hooked.acmec.test cleanup' "$T_TMP/hook.log")" -eq 2
no_acmec_values exec _acme-challenge.hooked.acmec.test

# One Certificate, two solvers: dnsZones picks dns-01 for names in
# dz.acmec.test, the solver without selector http-01 for the rest.
{ issuer mixed tsig '    - selector: {}
      http01: {ingress: {}}' | sed 's/^    - dns01:/    - selector: {dnsZones: [dz.acmec.test]}\n      dns01:/'; cert mixed mixed a.dz.acmec.test plain.acmec.test; } >"$T_TMP/mixed.yaml"
expect selection/issue 0 "$ACMEC" -v -c "$T_TMP/mixed.yaml" -s "$S" issue
cert_ok selection "$S/secrets/mixed-tls" "Private-Key: (2048 bit" a.dz.acmec.test plain.acmec.test
grep_in selection/dns-for-zone "$T_TMP/err" 'dns-01: added 1 TXT record to zone acmec.test'
grep_in selection/http-for-rest "$T_TMP/err" 'http01: answered'
no_acmec_values selection _acme-challenge.a.dz.acmec.test _acme-challenge.plain.acmec.test
finish
