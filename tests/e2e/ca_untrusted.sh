#!/bin/sh
# Nothing from the CA is trusted (the test front rewrites Pebble's answers):
# an authorization must name an identifier of the order, or the order fails
# before anything is presented or any hook runs; the CA's strings reach the
# terminal escaped; text outside the PEM blocks of the chain never reaches
# tls.crt, and a block of another type is refused.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
start_front
S=$T_TMP/state
# A dns-01 exec hook that records its arguments and environment, then fails.
cat >"$T_TMP/hook" <<EOF2
#!/bin/sh
{ printf '%s|' "\$@"; env | grep '^ACMEC_'; } >>"$T_TMP/hook.log"
exit 1
EOF2
chmod +x "$T_TMP/hook"
{ SERVER=$FRONT_DIR yaml_issuer le account '[{http01: {ingress: {}}}]'
  echo ---
  SERVER=$FRONT_DIR yaml_issuer hook account "[{dns01: {webhook: {groupName: acmec.io, solverName: exec, config: {command: [\"$T_TMP/hook\"], timeout: 30s}}, nameservers: [\"127.0.0.1:53\"]}}]"
  yaml_cert web le web.acmec.test
  yaml_cert hooked hook hooked.acmec.test; } >"$T_TMP/c.yaml"
# issue NAME STATUS CERT: issue CERT; the front's log of this run alone in
# $T_TMP/run.log.
issue() {
	_from=$(($(wc -l <"$FRONT_LOG") + 1))
	expect "$1" "$2" env ACMEC_ORDER_TIMEOUT=10 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue "$3"
	tail -n +"$_from" "$FRONT_LOG" >"$T_TMP/run.log"
}
esc=$(printf '\033')

# An authorization for a hostile name (backquotes, a newline): the order
# fails, said escaped, and the exec hook never runs.
faults '[{"match": "/authZ/", "action": "replace", "old": "\"value\": \"hooked.acmec.test\"", "new": "\"value\": \"x`touch '"$T_TMP"'/pwned`\\nhooked.acmec.test\""}]'
issue ident-hostile/exit 1 hooked
grep_in ident-hostile/message "$T_TMP/err" "the CA's authorization is for dns x\`touch .*/pwned\`\\\\x0ahooked.acmec.test, which the order does not ask for"
check ident-hostile/hook-never-run test ! -e "$T_TMP/hook.log"
check ident-hostile/nothing-run test ! -e "$T_TMP/pwned"

# A wildcard authorization for a name ordered without one: refused.
faults '[{"match": "/authZ/", "action": "replace", "old": "\"identifier\": {", "new": "\"wildcard\": true, \"identifier\": {"}]'
issue ident-wildcard/exit 1 web
grep_in ident-wildcard/message "$T_TMP/err" "the CA's authorization is for dns \*.web.acmec.test, which the order does not ask for"
not_in ident-wildcard/no-challenge "$T_TMP/run.log" 'POST /chalZ/'

# The same name in other letters: accepted (DNS names compare without case).
faults '[{"match": "/authZ/", "action": "replace", "old": "\"value\": \"web.acmec.test\"", "new": "\"value\": \"WEB.Acmec.TEST\""}]'
issue ident-case/issue 0 web

# The CA's identifier in a failure to start a challenge: escaped.
faults '[{"match": "/authZ/", "action": "replace", "old": "\"value\": \"web.acmec.test\"", "new": "\"value\": \"web.acmec.test\\u001b[2J\""}, {"match": "/chalZ/", "action": "status", "code": 400, "problem": "malformed", "detail": "no"}]'
issue start-escaped/exit 1 web
not_in start-escaped/escaped "$T_TMP/err" "$esc"
grep_in start-escaped/said "$T_TMP/err" 'web.acmec.test\\x1b\[2J'

# Text around the chain's PEM blocks (before each, after the last):
# dropped; tls.crt holds only CERTIFICATE blocks.
crt=$S/secrets/web-tls/tls.crt
only_blocks() {
	awk '/^-----BEGIN CERTIFICATE-----$/ { bad += b; b = 1; n++; next }
	    /^-----END CERTIFICATE-----$/ { bad += !b; b = 0; next }
	    !b { bad++ } END { exit (bad || b || n < 2) }' "$crt"
}
faults '[{"match": "/certZ/", "action": "replace", "old": "-----BEGIN CERTIFICATE-----", "new": "junk `id` before\n-----BEGIN CERTIFICATE-----"}]'
issue chain-before/issue 0 web
not_in chain-before/no-junk "$crt" 'junk'
check chain-before/only-blocks only_blocks
check chain-before/verifies openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$crt" "$crt"
faults '[{"match": "/certZ/", "action": "append", "text": "\nhello from the CA\n"}]'
issue chain-after/issue 0 web
not_in chain-after/no-trailer "$crt" 'hello'
check chain-after/only-blocks only_blocks

# A block of another type in the chain: refused as before.
faults "[{\"match\": \"/certZ/\", \"action\": \"append\", \"text\": \"$(awk '{printf "%s\\n", $0}' "$T_TOP/tests/unit/data/leaf.key")\"}]"
cp "$crt" "$T_TMP/crt.before"
issue chain-key/exit 1 web
grep_in chain-key/message "$T_TMP/err" "refusing the certificate chain: the chain holds a 'PRIVATE KEY' PEM block"
check chain-key/unchanged cmp "$crt" "$T_TMP/crt.before"
# A block whose type holds control characters: refused, said escaped.
faults '[{"match": "/certZ/", "action": "append", "text": "-----BEGIN X\u001b[2J-----\nAAAA\n-----END X\u001b[2J-----\n"}]'
issue chain-type-escaped/exit 1 web
grep_in chain-type-escaped/message "$T_TMP/err" "the chain holds a 'X\\\\x1b\\[2J' PEM block"
not_in chain-type-escaped/escaped "$T_TMP/err" "$esc"
faults '[]'
finish
