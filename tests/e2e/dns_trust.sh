#!/bin/sh
# Nothing from the DNS is trusted (issue 11, item 4).  A spoofing proxy
# (tests/lib/dns_spoofer.py) stands on 127.0.0.1:53 in front of BIND9 and
# races every CNAME and TXT answer and every UPDATE answer with a forged
# one: wrong ID, another question, or sent from 127.0.0.2; acmec must
# believe none of them.  Then CNAMEs in the zone whose targets hold hostile
# bytes (or are no host names, or loop) are refused before any hook runs.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

DNS_PORT=5300
DNS_EXTRA_RECORDS='_acme-challenge.bq IN CNAME a\096id\096.other.test.
_acme-challenge.nl IN CNAME a\010b.other.test.
_acme-challenge.sp IN CNAME a\032b.other.test.
_acme-challenge.dot IN CNAME a\.b.other.test.
_acme-challenge.star IN CNAME *.other.test.
_acme-challenge.root IN CNAME .
_acme-challenge.ip IN CNAME 192.0.2.1.
_acme-challenge.loop IN CNAME _acme-challenge.loop.acmec.test.
_acme-challenge.cname-id IN CNAME _acme-challenge.cname.other.test.
_acme-challenge.cname-question IN CNAME _acme-challenge.cname.other.test.
_acme-challenge.cname-source IN CNAME _acme-challenge.cname.other.test.
_acme-challenge.cname-nokey IN CNAME _acme-challenge.cname.other.test.'
start_dns
SPOOF_CTL=$T_TMP/spoof-control
SPOOF_VALUES=$T_TMP/values
SPOOF_LOG=$T_TMP/spoof.log
echo off >"$SPOOF_CTL"
: >"$SPOOF_VALUES"
: >"$SPOOF_LOG"
python3 "$T_TOP/tests/lib/dns_spoofer.py" 127.0.0.1 "$DNS_PORT" 127.0.0.2 \
    "$SPOOF_CTL" "$SPOOF_VALUES" "$SPOOF_LOG" 2>"$T_TMP/spoof.err" &
T_PIDS="$T_PIDS $!"
if ! wait_for 20 dig +time=1 +tries=1 @127.0.0.1 acmec.test SOA; then
	echo "FAIL dns_trust/spoofer: did not start: $(tail -5 "$T_TMP/spoof.err")"
	exit 1
fi
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
mkdir -p "$S/secrets/tsig"
printf '%s\n' "$DNS_SECRET" >"$S/secrets/tsig/secret"
triggers() { pebble_count 'POST /chalZ/'; }
# bind_txt NAME: the TXT values BIND itself holds at NAME.
bind_txt() {
	dig +short +norecurse -p "$DNS_PORT" @127.0.0.1 TXT "$1" | tr -d '"'
}

RFC2136='rfc2136: {nameserver: "127.0.0.1:53", tsigKeyName: acme-key,
      tsigAlgorithm: HMACSHA256, tsigSecretSecretRef: {name: tsig, key: secret}}'
# RFC 2136 with TSIG through the spoofer, CNAMEs followed.
{ ANN='acmec.io/dns01-propagation-timeout: 5s' \
  yaml_issuer upd trust-account "[{dns01: {cnameStrategy: Follow, $RFC2136}}]"
# A name per run, so that no authorization of an earlier run (Pebble may
# reuse a valid one) spares a run its DNS work.
for m in id question source; do yaml_cert "cname-$m" upd "cname-$m.acmec.test"; done
} >"$T_TMP/upd.yaml"

# A hook that records the value but publishes nothing: only a forged TXT
# answer can make the record look visible.
cat >"$T_TMP/hook" <<EOF2
#!/bin/sh
echo "\$1 \$2" >>"$T_TMP/hook.log"
[ "\$1" = present ] && echo "\$3" >>"$SPOOF_VALUES"
exit 0
EOF2
chmod +x "$T_TMP/hook"
HOOK="webhook: {groupName: acmec.io, solverName: exec,
        config: {command: [\"$T_TMP/hook\"], timeout: 30s}},
      nameservers: [\"127.0.0.1:53\"]"
{ ANN='acmec.io/dns01-propagation-timeout: 3s' \
  yaml_issuer ghost trust-account "[{dns01: {cnameStrategy: Follow, $HOOK}}]"
yaml_cert ghost ghost ghost.acmec.test; } >"$T_TMP/ghost.yaml"

# The forged TXT answers reach Pebble too (whose DNS client checks the ID
# but not the question): only the ghost runs have values to forge.
for mode in id question source; do
	echo "$mode" >"$SPOOF_CTL"
	: >"$SPOOF_LOG"
	: >"$SPOOF_VALUES"
	expect "$mode/update/issue" 0 "$ACMEC" -c "$T_TMP/upd.yaml" -s "$S" \
	    issue "cname-$mode"
	grep_in "$mode/update/forged-cname-sent" "$SPOOF_LOG" "forged $mode CNAME"
	grep_in "$mode/update/forged-update-sent" "$SPOOF_LOG" "forged $mode UPDATE"
	grep_in "$mode/update/real-cname" "$T_TMP/err" \
	    'writing the record at _acme-challenge.cname.other.test'
	not_in "$mode/update/no-hijack" "$T_TMP/err" hijacked
	not_in "$mode/update/no-forged-rcode" "$T_TMP/err" NOTAUTH
	check "$mode/update/cleaned" test -z \
	    "$(bind_txt _acme-challenge.cname.other.test)"

	: >"$SPOOF_VALUES"
	: >"$T_TMP/hook.log"
	: >"$SPOOF_LOG"
	before=$(triggers)
	expect "$mode/txt/exit" 1 "$ACMEC" -c "$T_TMP/ghost.yaml" -s "$S" \
	    issue ghost
	grep_in "$mode/txt/forged-txt-sent" "$SPOOF_LOG" "forged $mode TXT"
	not_in "$mode/txt/not-believed" "$T_TMP/err" \
	    'visible at every nameserver checked'
	grep_in "$mode/txt/reported" "$T_TMP/err" \
	    'does not yet answer the new TXT value of _acme-challenge.ghost.acmec.test'
	check "$mode/txt/no-challenge-triggered" test "$(triggers)" -eq "$before"
	grep_in "$mode/txt/hook-at-real-name" "$T_TMP/hook.log" \
	    '^present _acme-challenge.ghost.acmec.test$'
	: >"$SPOOF_VALUES"
done

# The forger instead of the server: an UPDATE without TSIG gets only a
# forged NOERROR (wrong ID); acmec must not think the record is in.
echo "only-id noerror" >"$SPOOF_CTL"
: >"$SPOOF_LOG"
{ ANN='acmec.io/dns01-propagation-timeout: 5s' \
  yaml_issuer nokey trust-account "[{dns01: {
      rfc2136: {nameserver: \"127.0.0.1:53\"}}}]"
yaml_cert cname-nokey nokey cname-nokey.acmec.test; } >"$T_TMP/nokey.yaml"
before=$(triggers)
expect only-forged/exit 1 "$ACMEC" -c "$T_TMP/nokey.yaml" -s "$S" issue cname-nokey
grep_in only-forged/sent "$SPOOF_LOG" 'forged only-id UPDATE'
not_in only-forged/not-added "$T_TMP/err" 'added 1 TXT record'
grep_in only-forged/reported "$T_TMP/err" 'did not match the query'
check only-forged/no-challenge-triggered test "$(triggers)" -eq "$before"
echo off >"$SPOOF_CTL"

# CNAME targets from the zone that are no host names: refused, escaped,
# before any hook runs.
{ ANN='acmec.io/dns01-propagation-timeout: 2s' \
  yaml_issuer bad trust-account "[{dns01: {cnameStrategy: Follow, $HOOK}}]"
for n in bq nl sp dot star root ip loop; do yaml_cert "$n" bad "$n.acmec.test"; done
} >"$T_TMP/bad.yaml"
hostile() { # NAME SHOWN
	: >"$T_TMP/hook.log"
	expect "cname-$1/exit" 1 "$ACMEC" -c "$T_TMP/bad.yaml" -s "$S" issue "$1"
	grep_in "cname-$1/refused" "$T_TMP/err" "$2"
	check "cname-$1/no-hook" test ! -s "$T_TMP/hook.log"
	# No control byte reaches the terminal.
	check "cname-$1/escaped" sh -c "! grep -q '[[:cntrl:]]' '$T_TMP/err'"
}
hostile bq "CNAME target 'a\`id\`.other.test' of _acme-challenge.bq.acmec.test is not a host name"
hostile nl "CNAME target 'a\\\\x0ab.other.test' of _acme-challenge.nl.acmec.test is not a host name"
hostile sp "CNAME target 'a b.other.test' of _acme-challenge.sp.acmec.test is not a host name"
hostile dot "of _acme-challenge.dot.acmec.test is not a host name"
hostile star "CNAME target '\*.other.test' of _acme-challenge.star.acmec.test is not a host name"
hostile root "CNAME target '' of _acme-challenge.root.acmec.test is not a host name"
hostile ip "CNAME target '192.0.2.1' of _acme-challenge.ip.acmec.test is not a host name: it is an IP address"
not_in cname-ip/no-config-hint "$T_TMP/err" ipAddresses
hostile loop 'more than 8 CNAMEs from _acme-challenge.loop.acmec.test'
finish
