#!/bin/sh
# Round trips (issue 16): requests that may go side by side do (the
# authorizations of an order, its challenges, nonces), over one HTTP/2
# connection to Pebble; the directory is kept between runs and read again
# when an answer says it moved; a CA that speaks only HTTP/1.1 (the test
# front) or refuses requests side by side still gets every certificate.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
start_front
S=$T_TMP/state
names() { for n in a b c d e; do echo "$n.$1.acmec.test"; done; }
# shellcheck disable=SC2046
{ yaml_issuer direct acct-direct '[{http01: {ingress: {}}}]'
  yaml_cert five direct $(names five)
  echo ---
  SERVER=$FRONT_DIR yaml_issuer front acct-front '[{http01: {ingress: {}}}]'
  yaml_cert viafront front $(names front); } >"$T_TMP/c.yaml"
# counts: "REQUESTS ROUNDS CONNECTIONS" of the issuer in $T_TMP/err.
counts() {
	sed -n "s/.*issuer '$1': \([0-9]*\) HTTP requests in \([0-9]*\) rounds, \([0-9]*\) TLS.*/\1 \2 \3/p" "$T_TMP/err"
}
RSA="Private-Key: (2048 bit"
dir_gets() { grep -c '^GET /dir' "$FRONT_LOG"; }

# 1. Pebble offers HTTP/2: five names, one connection, the authorizations
# and the challenges each in one round.
expect h2/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue five
cert_ok h2/cert "$S/secrets/five-tls" "$RSA" $(names five)
set -- $(counts direct)
check h2/one-connection test "${3:-0}" -eq 1
# Sequentially: directory, nonce, the new account, newOrder, 5
# authorizations, 5 challenges, a poll, finalize, a poll, the download: 18
# rounds.  Side by side the ten authorization and challenge requests take
# two: 10, and a few more polls when Pebble is not done yet.
check h2/rounds test "${2:-99}" -le 14
check h2/batched test "$((${1:-0} - ${2:-0}))" -ge 8

# 2. The directory is kept: the second run asks the front for nonces
# first, not for the directory.
: >"$FRONT_LOG"
expect cache/first 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check cache/first-reads test "$(dir_gets)" -eq 1
f=$(grep -l '"server":"https://127.0.0.1:14443/dir"' "$S"/cache/directory-*.json | head -1)
check cache/file test -n "$f"
check cache/mode test "$(stat -c %a "$f" 2>/dev/null)" = 600
expect cache/second 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check cache/second-kept test "$(dir_gets)" -eq 1
grep_in cache/said "$T_TMP/err" 'the directory of https://127.0.0.1:14443/dir as read'
cert_ok cache/cert "$S/secrets/viafront-tls" "$RSA" $(names front)

# 3. Read again when an answer says it moved: newOrder or newNonce 404.
faults '[{"match": "/order-plz", "action": "status", "code": 404, "problem": "malformed", "times": 1}]'
expect moved-order/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check moved-order/read-again test "$(dir_gets)" -eq 2
grep_in moved-order/said "$T_TMP/err" 'may be out of date; reading it again'
faults '[{"match": "/nonce-plz", "method": "HEAD", "action": "status", "code": 404, "problem": "malformed", "times": 5}]'
expect moved-nonce/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check moved-nonce/read-again test "$(dir_gets)" -eq 3
# A 404 from elsewhere (an order URL) is no reason to read it again.
faults '[]'
expect kept/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check kept/not-read test "$(dir_gets)" -eq 3

# 4. A copy a day old, or for another server, or damaged, is not used.
python3 - "$f" <<'EOF'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["fetched"] = time.time() - 86400 - 60
json.dump(d, open(sys.argv[1], "w"))
EOF
expect stale/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check stale/read test "$(dir_gets)" -eq 4
sed -i 's#"server":"https://127.0.0.1:14443/dir"#"server":"https://127.0.0.1:14443/other"#' "$f"
expect other/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check other/read test "$(dir_gets)" -eq 5
printf '{"server": "https://127.0.0.1:14443/dir", "fetched": %s, "directory": {"newOrder": "https://evil.test/"}}' \
    "$(date +%s)" >"$f"
expect damaged/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
check damaged/read test "$(dir_gets)" -eq 6

# 5. The front speaks HTTP/1.1 only: side by side means a few
# connections, never more than six.
set -- $(counts front)
check h1/connections test "${3:-99}" -le 6

# 6. A CA that refuses a second request while one runs: by closing the
# connection, or with 503.  Every certificate still comes, one request at
# a time once refused.
for mode in reset 503; do
	printf '{"parallel": "%s"}\n' "$mode" >"$FRONT_CONTROL"
	: >"$FRONT_LOG"
	expect "serial-$mode/issue" 0 "$ACMEC" -vv -c "$T_TMP/c.yaml" -s "$S" issue viafront
	check "serial-$mode/refused" grep -q '^PARALLEL' "$FRONT_LOG"
	grep_in "serial-$mode/said" "$T_TMP/err" 'asking the CA one request at a time'
	cert_ok "serial-$mode/cert" "$S/secrets/viafront-tls" "$RSA" $(names front)
done
faults '[]'

# 7. badNonce for requests side by side: every nonce the authorizations
# return is garbled, so all five challenge POSTs meet badNonce at once.
faults '[{"match": "/authZ/", "action": "header", "name": "Replay-Nonce", "value": "garbled", "times": 5}]'
expect badnonce/issue 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue viafront
grep_in badnonce/retried "$T_TMP/err" 'badNonce from the CA; retrying'
cert_ok badnonce/cert "$S/secrets/viafront-tls" "$RSA" $(names front)

# 8. Polls go as soon as acmec's own listener has served every challenge:
# Pebble now waits 0 to 2 s before each validation.  The request after
# the last answer is the order's poll.
stop_pebble
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_VA_NOSLEEP=0 PEBBLE_VA_SLEEPTIME=3
yaml_issuer direct acct-direct2 '[{http01: {ingress: {}}}]' >"$T_TMP/slow.yaml"
{ echo ---; yaml_cert slow direct a.slow.acmec.test b.slow.acmec.test; } >>"$T_TMP/slow.yaml"
expect listener/issue 0 "$ACMEC" -vv -c "$T_TMP/slow.yaml" -s "$S" issue slow
grep_in listener/said "$T_TMP/err" 'the CA has fetched every challenge; polling now'
check listener/polls-next test "$(sed -n '/polling now/,$p' "$T_TMP/err" | grep -m1 '> POST' | grep -c '/my-order/')" -eq 1
# The same with tls-alpn-01.
ANN='acmec.io/tlsalpn01-listen: "127.0.0.1:443"' yaml_issuer alpn acct-alpn '[{http01: {ingress: {}}}]' >"$T_TMP/alpn.yaml"
{ echo ---; yaml_cert alpn alpn a.alpn.acmec.test b.alpn.acmec.test; } >>"$T_TMP/alpn.yaml"
expect listener-alpn/issue 0 "$ACMEC" -vv -c "$T_TMP/alpn.yaml" -s "$S" issue alpn
grep_in listener-alpn/said "$T_TMP/err" 'the CA has fetched every challenge; polling now'
check listener-alpn/polls-next test "$(sed -n '/polling now/,$p' "$T_TMP/err" | grep -m1 '> POST' | grep -c '/my-order/')" -eq 1
finish
