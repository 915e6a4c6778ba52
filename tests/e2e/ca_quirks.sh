#!/bin/sh
# CAs that bend RFC 8555, as step-ca does (the test front's STEP-CA MODES
# before Pebble): a challenge POST answered "invalid" while the
# authorization and the order stay pending ends the order at once with the
# CA's words; a challenge left pending (or processing) with an error is
# POSTed again, with backoff; an order that stays pending ends at the
# deadline with every error its authorizations carry.  The CA's words reach
# the terminal escaped.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
start_front
S=$T_TMP/state
{ SERVER=$FRONT_DIR yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert web le web.acmec.test; } >"$T_TMP/c.yaml"
# run NAME STATUS ORDER-TIMEOUT: issue through the front; the front's log
# of this run alone in $T_TMP/run.log, the wall time in ms in $T_TMP/ms.
run() {
	_from=$(($(wc -l <"$FRONT_LOG") + 1))
	_a=$(date +%s%N)
	expect "$1" "$2" env ACMEC_ORDER_TIMEOUT="$3" "$ACMEC" -c "$T_TMP/c.yaml" \
	    -s "$S" issue
	echo $(( ($(date +%s%N) - _a) / 1000000 )) >"$T_TMP/ms"
	tail -n +"$_from" "$FRONT_LOG" >"$T_TMP/run.log"
}
esc=$(printf '\033')

# "invalid" in the answer to the challenge POST: the order ends there, with
# the CA's error, without waiting for the deadline (ACMEC_ORDER_TIMEOUT=10
# bounds the run before the fix).
faults '[{"match": "/chalZ/", "action": "challenge-invalid", "problem": "connection", "detail": "step-ca: cannot connect to web.acmec.test\u001b[2J `id`"}]'
run invalid/exit 1 10
grep_in invalid/ca-words "$T_TMP/err" 'web.acmec.test: http-01 challenge failed: the CA says connection: step-ca: cannot connect to web.acmec.test\\x1b\[2J `id`'
not_in invalid/escaped "$T_TMP/err" "$esc"
not_in invalid/no-deadline "$T_TMP/err" 'after the deadline'
check invalid/at-once test "$(cat "$T_TMP/ms")" -lt 3000
check invalid/no-poll-after sh -c "sed -n '/POST \/chalZ\//,\$p' '$T_TMP/run.log' | grep -c 'POST /my-order/' | grep -qx 0"
check invalid/no-files test ! -e "$S/secrets/web-tls/tls.crt"

# Pending with an error after the first POST (step-ca after a connection
# failure): POSTed again, and the certificate is issued.
faults '[{"match": "/chalZ/", "action": "challenge-pending-error", "times": 1, "detail": "step-ca: connection refused"}]'
run retrigger/issue 0 10
check retrigger/posted-twice test "$(grep -c 'POST /chalZ/' "$T_TMP/run.log")" -eq 2
check retrigger/cert test -s "$S/secrets/web-tls/tls.crt"

# The same, "processing" with an error, twice.
faults '[{"match": "/chalZ/", "action": "challenge-pending-error", "status": "processing", "times": 2, "detail": "step-ca: i/o timeout"}]'
run retrigger-processing/issue 0 10
check retrigger-processing/posted-thrice test "$(grep -c 'POST /chalZ/' "$T_TMP/run.log")" -eq 3

# Pending with an error for good: POSTed again with backoff (a few times,
# not in a tight loop), and at the deadline the CA's words, escaped.
faults '[{"match": "/chalZ/", "action": "challenge-pending-error", "problem": "connection", "detail": "step-ca: dial tcp 127.0.0.1:80: connection refused\u0007"}]'
run stuck/exit 1 8
grep_in stuck/deadline "$T_TMP/err" '1 authorization still pending after the deadline'
grep_in stuck/ca-words "$T_TMP/err" 'web.acmec.test: http-01 challenge.*the CA says connection: step-ca: dial tcp 127.0.0.1:80: connection refused\\x07'
not_in stuck/escaped "$T_TMP/err" "$(printf '\007')"
n=$(grep -c 'POST /chalZ/' "$T_TMP/run.log")
check stuck/posted-again test "$n" -ge 2
check stuck/backoff test "$n" -le 6
faults '[]'
finish
