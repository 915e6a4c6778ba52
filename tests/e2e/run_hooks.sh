#!/bin/sh
# Pre and post hooks per run (--pre-hook, --post-hook, acmec.io/pre-hook,
# acmec.io/post-hook) against Pebble: with 4 workers and 5 orders one pre
# hook before every order (it frees port 80, which the standalone
# listener needs) and one post hook after the last; nothing due runs none;
# a failing pre hook orders nothing; a failing order or post hook; an
# issuer's hooks only around its own Certificates, in both value forms; a
# stop signal mid-run; bad values.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/c.yaml
L=$T_TMP/hooks.log
H=$T_TMP/hook
orders() { pebble_count 'POST /order-plz'; }

# hook TAG: one line in $L: TAG, ACMEC_HOOK, the names (sorted); and a
# mark in acmec's stderr, where the hook's output goes.
cat >"$H" <<EOF2
#!/bin/sh
echo "\$1 \${ACMEC_HOOK:-none} \$(printf '%s\n' \${ACMEC_CERT_NAMES:-} | sort | tr '\n' ' ')" | sed 's/ *\$//' >>"$L"
echo "HOOK-MARK \$1 \${ACMEC_HOOK:-none}"
EOF2
# free80: stop what holds port 80 (the web server of certbot's example).
cat >"$T_TMP/free80" <<EOF2
#!/bin/sh
kill "\$(cat "$T_TMP/holder.pid")" || exit 1
n=0
while ss -ltnH 'sport = :80' | grep -q .; do
	n=\$((n + 1)); [ \$n -lt 100 ] || exit 1; sleep 0.05
done
EOF2
chmod +x "$H" "$T_TMP/free80"

{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  echo ---
  ANN="acmec.io/pre-hook: '[\"$H\", \"iss\"]', acmec.io/post-hook: '$H iss'" \
      yaml_issuer other other-account '[{http01: {ingress: {}}}]'
  for i in 1 2 3 4 5; do yaml_cert h$i le h$i.acmec.test; done
  yaml_cert o1 other o1.acmec.test; } >"$C"
A="$ACMEC -c $C -s $S"
expect check/config 0 $A check

# Something holds port 80: without the pre hook the standalone run fails.
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 80)); s.listen(); time.sleep(600)' &
echo $! >"$T_TMP/holder.pid"
T_PIDS="$T_PIDS $!"
wait_for 10 sh -c "ss -ltnH 'sport = :80' | grep -q ." || fail holder/listen
expect holder/blocked 1 $A issue h1
check holder/no-hook test ! -e "$L"

# 5 orders on 4 workers: one pre hook before any order starts (it frees
# port 80: every order needs that), one post hook after the last.
expect parallel/renew 0 $A -v renew --jobs 4 --pre-hook "$H cli && $T_TMP/free80" \
    --post-hook "$H cli" h1 h2 h3 h4 h5
grep_in parallel/summary "$T_TMP/err" '5 renewed, 0 not due, 0 failed'
printf 'cli pre h1 h2 h3 h4 h5\ncli post h1 h2 h3 h4 h5\n' >"$T_TMP/want"
check parallel/once-each cmp "$L" "$T_TMP/want"
line() { grep -n -- "$1" "$T_TMP/err" | sed -n "${2:-1}p" | cut -d: -f1; }
pre=$(line 'HOOK-MARK cli pre')
post=$(line 'HOOK-MARK cli post')
first=$(line ': ordering from')
last=$(line ': issued, valid until' 5)
check parallel/five-orders test "$(grep -c ': ordering from' "$T_TMP/err")" -eq 5
check parallel/pre-first test "$pre" -lt "$first"
check parallel/post-last test "$last" -lt "$post"
grep_in parallel/hook-event "$T_TMP/err" 'running the pre hook (--pre-hook)'
for i in 1 2 3 4 5; do
	cert_ok parallel-h$i "$S/secrets/h$i-tls" "Private-Key: (2048 bit" h$i.acmec.test
done

# Nothing due: no hook at all, neither the command line's nor an issuer's.
issue_o1() { $A issue o1 >/dev/null 2>&1; }
check not-due/prepare issue_o1
: >"$L"
before=$(orders)
expect not-due/renew 0 $A renew --pre-hook "$H cli" --post-hook "$H cli"
check not-due/no-order test "$(orders)" -eq "$before"
check not-due/no-hook test ! -s "$L"

# A failing pre hook (run once for 5 certificates): nothing is ordered,
# exit 1, the files in service untouched; its post hook still runs.
sha() { cat "$S"/secrets/h?-tls/* | sha256sum; }
files=$(sha)
expect pre-fails/renew 1 $A renew --force --jobs 4 --pre-hook "$H cli; exit 3" \
    --post-hook "$H cli" h1 h2 h3 h4 h5
check pre-fails/no-order test "$(orders)" -eq "$before"
check pre-fails/files test "$(sha)" = "$files"
printf 'cli pre h1 h2 h3 h4 h5\ncli post\n' >"$T_TMP/want"
check pre-fails/hooks cmp "$L" "$T_TMP/want"
grep_in pre-fails/msg "$T_TMP/err" 'h3: not ordered: the pre hook (--pre-hook) failed; the files in service are unchanged'
grep_in pre-fails/status "$T_TMP/err" 'pre hook (--pre-hook) exited with status 3'
grep_in pre-fails/summary "$T_TMP/err" '0 renewed, 0 not due, 5 failed'

# A failing order: the post hook runs after it all the same.
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert bad le bad.other.test; yaml_cert h1 le h1.acmec.test; } >"$T_TMP/bad.yaml"
: >"$L"
expect order-fails/issue 1 $ACMEC -c "$T_TMP/bad.yaml" -s "$S" issue \
    --pre-hook "$H cli" --post-hook "$H cli" bad h1
printf 'cli pre bad h1\ncli post bad h1\n' >"$T_TMP/want"
check order-fails/hooks cmp "$L" "$T_TMP/want"
grep_in order-fails/failed "$T_TMP/err" 'bad: not issued'

# A failing post hook: the certificate is issued, the run exits 1.
: >"$L"
expect post-fails/issue 1 $A issue h2 --post-hook "$H cli; exit 4"
grep_in post-fails/msg "$T_TMP/err" 'post hook (--post-hook) exited with status 4'
grep_in post-fails/issued "$T_TMP/err" 'h2: issued, valid until'
check post-fails/hooks test "$(cat "$L")" = "cli post h2"

# An issuer's hooks: only around its own Certificates (the JSON list form
# for the pre hook, sh -c for the post hook); inside the command line's.
: >"$L"
expect issuer/alone 0 $A issue --jobs 2 h1 o1
printf 'iss pre o1\niss post o1\n' >"$T_TMP/want"
check issuer/only-its-own cmp "$L" "$T_TMP/want"
: >"$L"
expect issuer/h-only 0 $A issue h3
check issuer/none-for-others test ! -s "$L"
: >"$L"
expect issuer/nested 0 $A issue --jobs 2 --pre-hook "$H cli" --post-hook "$H cli" h4 o1
printf 'cli pre h4 o1\niss pre o1\niss post o1\ncli post h4 o1\n' >"$T_TMP/want"
check issuer/nested-order cmp "$L" "$T_TMP/want"

# Ad hoc issue takes them too.
: >"$L"
expect adhoc/issue 0 "$ACMEC" -s "$S" -c /nonexistent issue -d adhoc.acmec.test \
    --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA" --standalone 127.0.0.1:80 \
    --out "$T_TMP/adhoc" --pre-hook "$H adhoc" --post-hook "$H adhoc"
printf 'adhoc pre adhoc.acmec.test\nadhoc post adhoc.acmec.test\n' >"$T_TMP/want"
check adhoc/hooks cmp "$L" "$T_TMP/want"

# A stop signal mid-run (s1's deploy hook sends it, and is killed for it
# while it waits): s2 is not ordered, the post hook still runs, for what
# was ordered.
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  DEPLOY='kill -TERM $PPID; sleep 30' yaml_cert s1 le s1.acmec.test
  yaml_cert s2 le s2.acmec.test; } >"$T_TMP/sig.yaml"
: >"$L"
expect signal/renew 1 $ACMEC -c "$T_TMP/sig.yaml" -s "$S" renew --jobs 1 \
    --pre-hook "$H sig" --post-hook "$H sig"
printf 'sig pre s1 s2\nsig post s1\n' >"$T_TMP/want"
check signal/post-ran cmp "$L" "$T_TMP/want"
check signal/s2-not-ordered test ! -e "$S/secrets/s2-tls"

# Bad values: configuration errors at FILE:LINE:COL, nothing run.
bad_ann() {
	ANN="$1" yaml_issuer x account '[{http01: {ingress: {}}}]' >"$T_TMP/ann.yaml"
	yaml_cert y x y.acmec.test >>"$T_TMP/ann.yaml"
	col=$(awk -v k="$2" 'NR == 3 { print index($0, k) }' "$T_TMP/ann.yaml")
}
bad_ann "acmec.io/pre-hook: '[1, 2]'" acmec.io/pre-hook
: >"$L"
expect bad/json 2 $ACMEC -c "$T_TMP/ann.yaml" -s "$S" issue --pre-hook "$H cli"
grep_in bad/json-msg "$T_TMP/err" "$T_TMP/ann.yaml:3:$col: metadata.annotations: acmec.io/pre-hook: a value starting with '\[' is a JSON list of strings"
check bad/json-no-hook test ! -s "$L"
bad_ann "acmec.io/solvers.0.post-hook: '$H x'" acmec.io/solvers.0.post-hook
expect bad/per-solver 2 $ACMEC -c "$T_TMP/ann.yaml" -s "$S" check
grep_in bad/per-solver-msg "$T_TMP/err" "$T_TMP/ann.yaml:3:$col: metadata.annotations: 'acmec.io/solvers.0.post-hook': a pre or post hook runs around the issuer's orders, not one solver's; write acmec.io/post-hook"
bad_ann "acmec.io/pre-hook: '[]'" acmec.io/pre-hook
expect bad/empty-list 2 $ACMEC -c "$T_TMP/ann.yaml" -s "$S" check
grep_in bad/empty-list-msg "$T_TMP/err" "$T_TMP/ann.yaml:3:$col: .*JSON list of strings"
expect bad/empty-flag 2 $A renew --pre-hook ' '
grep_in bad/empty-flag-msg "$T_TMP/err" '^acmec: error: --pre-hook: give a command, run with sh -c$'

finish
