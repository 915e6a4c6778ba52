#!/bin/sh
# The challenge listeners under attack while an order is pending
# (tests/lib/slow_clients.py): idle connections from the CA's own address
# and from many others, TLS and HTTP clients dripping a byte every 2 s.
# Pebble must still validate, acmec must end within 2 s of the order's end,
# and SIGTERM during the attack must end the run within 2 s, cleaned up.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
mkdir -p "$T_TMP/conf"

# The dns-01 hook of attack.acmec.test runs while the order's listeners
# are up (every challenge is presented before any is triggered): it
# starts the attack, waits until it is in place, then adds its TXT record
# (or, with $T_TMP/no-txt, never does, so the order stays pending).
cat >"$T_TMP/hook" <<EOF2
#!/bin/sh
echo "\$1 \$2" >>"$T_TMP/hook.log"
if [ "\$1" = present ]; then
	rm -f "$T_TMP/ready"
	setsid python3 "$T_TOP/tests/lib/slow_clients.py" 127.0.0.1 80 443 \\
	    "$T_TMP/ready" "$T_TMP/stats" --idle 50 --idle-sources 15 \\
	    --drip-http 5 --drip-tls 5 --interval 2 --duration 60 \\
	    \$(cat "$T_TMP/attack-args") \\
	    </dev/null >"$T_TMP/slow.out" 2>&1 &
	echo \$! >"$T_TMP/slow.pid"
	i=0
	while [ ! -e "$T_TMP/ready" ] && [ \$i -lt 300 ]; do
		sleep 0.1; i=\$((i + 1))
	done
	ls -l /proc/\$\$/fd/ >"$T_TMP/hook-fds"
	touch "$T_TMP/attacking"
	[ -e "$T_TMP/no-txt" ] && exit 0
	op="update add \$2. 60 IN TXT \"\$3\""
else
	op="update delete \$2. TXT \"\$3\""
fi
printf 'server 127.0.0.1 53\n%s\nsend\n' "\$op" | nsupdate -k "$DNS_KEYFILE"
EOF2
chmod +x "$T_TMP/hook"
: >"$T_TMP/attack-args"

{
	ANN='acmec.io/solvers.1.http01-listen: "127.0.0.1:80",
    acmec.io/solvers.2.tlsalpn01-listen: "127.0.0.1:443"' \
	yaml_issuer attack attack-account "
    - selector: {dnsNames: [attack.acmec.test, attack2.acmec.test]}
      dns01:
        webhook: {groupName: acmec.io, solverName: exec,
          config: {command: [\"$T_TMP/hook\"]}}
        nameservers: [\"127.0.0.1:53\"]
    - selector: {dnsNames: [web.acmec.test, web2.acmec.test]}
      http01: {ingress: {}}
    - http01: {ingress: {}}"
	yaml_cert attacked attack attack.acmec.test web.acmec.test tls.acmec.test
	# Part 2's own names: Pebble reuses a valid authorization 1 time in
	# 100 even with PEBBLE_AUTHZREUSE=0, and a reused dns-01 one would
	# run no hook, hence no attack.
	yaml_cert attacked2 attack attack2.acmec.test web2.acmec.test \
	    tls2.acmec.test
} >"$T_TMP/conf/attack.yaml"

stop_attack() {
	[ -f "$T_TMP/slow.pid" ] || return 0
	kill "$(cat "$T_TMP/slow.pid")" 2>/dev/null
	wait_for 15 sh -c "! kill -0 $(cat "$T_TMP/slow.pid") 2>/dev/null"
	rm -f "$T_TMP/slow.pid"
}
trap 'stop_attack; cleanup' EXIT

# now: seconds since the epoch, to the millisecond.
now() { date +%s.%3N; }
# elapsed A B: B - A in milliseconds.
elapsed() { echo "$1 $2" | awk '{ printf "%d", ($2 - $1) * 1000 }'; }

# 1. The order completes during the attack.  acmec's stderr is stamped
# line by line to find the order's end: the last poll of the order before
# it is finalized, when the CA has validated everything.
( "$ACMEC" -vv -c "$T_TMP/conf" -s "$S" issue attacked; echo $? >"$T_TMP/rc" ) \
    2>&1 | while IFS= read -r line; do printf '%s %s\n' "$(now)" "$line"; done \
    >"$T_TMP/run.log"
ended=$(now)
check attack/issued test "$(cat "$T_TMP/rc")" = 0
check attack/was-attacking test -e "$T_TMP/attacking"
cert_ok attack "$S/secrets/attacked-tls" "Private-Key: (2048 bit" \
    attack.acmec.test web.acmec.test tls.acmec.test
valid=$(sed '/POST [^ ]*\/finalize-order\//q' "$T_TMP/run.log" |
    grep 'POST [^ ]*/my-order/' | tail -1 | cut -d' ' -f1)
if [ -n "$valid" ] && [ "$(elapsed "$valid" "$ended")" -le 2000 ]; then
	pass attack/exit-within-2s
else
	fail attack/exit-within-2s "order valid at ${valid:-never}, exit at $ended: $(tail -5 "$T_TMP/run.log")"
fi
# The hook ran while the listeners held over a hundred connections.
grep_in attack/hook-fds-listed "$T_TMP/hook-fds" ' 2 -> '
not_in attack/no-socket-inherited "$T_TMP/hook-fds" 'socket:'
check attack/listeners-gone sh -c '! ss -ltn | grep -Eq ":(80|443) "'
grep_in attack/per-source-cap "$T_TMP/run.log" 'connections from 127.0.0.1; closing the oldest idle one'
grep_in attack/total-cap "$T_TMP/run.log" 'connections in all; closing the oldest idle one'
grep_in attack/http01-served "$T_TMP/run.log" 'http01: answered /.well-known/acme-challenge/'
grep_in attack/tls-alpn-served "$T_TMP/run.log" 'tls-alpn-01: presented the certificate for tls.acmec.test'
stop_attack

# 2. SIGTERM while the order is pending and the attack goes on: the run
# ends within 2 s, listeners closed, TXT and lock released.  The drippers
# come from an address of their own this time, where no idle connections
# crowd them out (no cap is reached), and meet the deadline.
echo "--drip-source 127.0.0.200 --idle-sources 0" >"$T_TMP/attack-args"
touch "$T_TMP/no-txt"
rm -f "$T_TMP/attacking"
: >"$T_TMP/hook.log"
"$ACMEC" -vv -c "$T_TMP/conf" -s "$S" issue attacked2 >"$T_TMP/term.out" 2>&1 &
pid=$!
if wait_for 30 test -e "$T_TMP/attacking"; then
	# acmec waits for the TXT record; the drippers meet the deadline.
	wait_for 20 grep -q 'no complete request or handshake within' "$T_TMP/term.out"
	grep_in sigterm/deadline "$T_TMP/term.out" 'http-01: no complete request or handshake within 10 s from 127.0.0.200; closed'
	grep_in sigterm/deadline-tls "$T_TMP/term.out" 'tls-alpn-01: no complete request or handshake within 10 s from 127.0.0.200; closed'
	sent=$(now)
	kill -TERM "$pid"
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
	gone=$(now)
	wait "$pid"
	rc=$?
	if [ "$(elapsed "$sent" "$gone")" -le 2000 ]; then
		pass sigterm/ends-within-2s
	else
		fail sigterm/ends-within-2s "$(elapsed "$sent" "$gone") ms: $(tail -3 "$T_TMP/term.out")"
	fi
	check sigterm/failed test "$rc" -ne 0
	check sigterm/listeners-gone sh -c '! ss -ltn | grep -Eq ":(80|443) "'
	grep_in sigterm/hook-cleanup "$T_TMP/hook.log" '^cleanup _acme-challenge.attack2.acmec.test'
	check sigterm/no-txt-left test -z "$(txt _acme-challenge.attack2.acmec.test)"
	check sigterm/lock-free sh -c "flock -n $S/locks/certificate-*-attacked2.lock true"
	check sigterm/nothing-written test ! -e "$S/secrets/attacked2-tls/tls.crt"
else
	kill "$pid" 2>/dev/null
	wait "$pid"
	fail sigterm/attack-started "$(grep -v '^acmec: >' "$T_TMP/term.out" | tail -8)"
fi
stop_attack
finish
