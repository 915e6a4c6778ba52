#!/bin/sh
# Faults from the server side, injected by the test front before Pebble:
# missing and bad nonces, Retry-After in every form, 429 rateLimited, 503
# on the directory, resets, stalls, a 100 MiB answer, broken JSON, wrong
# Content-Type, an order stuck in processing, redirects, hostile
# certificate answers, hostile tokens, wrong TLS certificates, a CA that
# forgot the account.  After every failure the files in service are
# unchanged.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
start_front
S=$T_TMP/state
mkdir -p "$T_TMP/www"
{ SERVER=$FRONT_DIR yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert web le web.acmec.test; } >"$T_TMP/c.yaml"
expect setup/issue 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
sums() { sha256sum "$S/secrets/web-tls/tls.crt" "$S/secrets/web-tls/tls.key" \
    "$S/secrets/web-tls/ca.crt" "$S/secrets/account/tls.key"; }
sums >"$T_TMP/sums"
unchanged() { sums | cmp -s - "$T_TMP/sums" && pass "$1/files-unchanged" || fail "$1/files-unchanged"; }
# fails NAME RULES PATTERN: the rules make issue fail (exit 1) saying PATTERN.
fails() {
	faults "$2"
	expect "$1/exit" 1 env ACMEC_HTTP_TIMEOUT=2 ACMEC_ORDER_TIMEOUT=4 \
	    "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue
	grep_in "$1/message" "$T_TMP/err" "$3"
	unchanged "$1"
}
# works NAME RULES: the rules are survived.
works() {
	faults "$2"
	expect "$1/issue" 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" issue
	sums >"$T_TMP/sums"
}
# elapsed CMD...: run it, print its wall time in ms to $T_TMP/ms.
elapsed() {
	_a=$(date +%s%N)
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	echo $?  >"$T_TMP/rc"
	echo $(( ($(date +%s%N) - _a) / 1000000 )) >"$T_TMP/ms"
}

# Nonces: missing from answers (a HEAD gets one), or garbled (badNonce).
works nonce-missing '[{"match": "/", "method": "POST", "action": "header", "name": "Replay-Nonce", "value": null, "times": 4}]'
check nonce-missing/head-used grep -q '^HEAD /nonce-plz' "$FRONT_LOG"
works nonce-garbled '[{"match": "/authZ/", "action": "header", "name": "Replay-Nonce", "value": "!!not-a-nonce!!", "times": 2}]'
grep_in nonce-garbled/retried "$T_TMP/err" 'badNonce from the CA; retrying'

# Retry-After on finalize (Pebble answers "processing", acmec polls the
# order): seconds and HTTP dates are waited for; garbage is ignored; an
# absurd value is capped.
faults '[{"match": "/finalize-order/", "action": "header", "name": "Retry-After", "value": "2"}]'
elapsed "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
check retry-after-seconds/ok test "$(cat "$T_TMP/rc")" = 0
check retry-after-seconds/waited test "$(cat "$T_TMP/ms")" -ge 2000
sums >"$T_TMP/sums"
faults "[{\"match\": \"/finalize-order/\", \"action\": \"header\", \"name\": \"Retry-After\", \"value\": \"$(date -u -d @$(($(date +%s) + 3)) '+%a, %d %b %Y %H:%M:%S GMT')\"}]"
elapsed "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
check retry-after-date/ok test "$(cat "$T_TMP/rc")" = 0
check retry-after-date/waited test "$(cat "$T_TMP/ms")" -ge 1500
sums >"$T_TMP/sums"
faults '[{"match": "/finalize-order/", "action": "header", "name": "Retry-After", "value": "soon, perhaps"}]'
elapsed "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
check retry-after-garbage/ok test "$(cat "$T_TMP/rc")" = 0
check retry-after-garbage/not-waited test "$(cat "$T_TMP/ms")" -lt 3000
sums >"$T_TMP/sums"
fails retry-after-absurd '[{"match": "/finalize-order/", "action": "header", "name": "Retry-After", "value": "999999999999"}]' \
    'the CA asks to wait 86400 s; waiting 60 s'
grep_in retry-after-absurd/deadline "$T_TMP/err" 'the order is still processing after the deadline'

# 429 rateLimited on newOrder: one attempt, the time to retry said, no new
# account or key.
accounts=$(grep -c 'POST /sign-me-up' "$FRONT_LOG")
orders=$(grep -c 'POST /order-plz' "$FRONT_LOG")
fails rate-limited '[{"match": "/order-plz", "action": "status", "code": 429, "problem": "rateLimited", "detail": "too many new orders", "retryAfter": 3600}]' \
    'creating the order: the CA says rateLimited (HTTP 429): too many new orders'
grep_in rate-limited/retry-time "$T_TMP/err" 'the CA asks to retry after 3600 seconds'
check rate-limited/one-order test "$(grep -c 'POST /order-plz' "$FRONT_LOG")" -eq $((orders + 1))
check rate-limited/no-account test "$(grep -c 'POST /sign-me-up' "$FRONT_LOG")" -eq "$accounts"

# 503 on the directory, then recovery (the directory kept by the last run
# removed, so that this one asks).
rm -rf "$S/cache"
works dir-503 '[{"match": "/dir", "action": "status", "code": 503, "problem": "serverInternal", "retryAfter": 1, "times": 2}]'
grep_in dir-503/retried "$T_TMP/err" 'is not answering; trying again in 1 s'

# Transport faults: bounded time, clear errors.
fails reset '[{"match": "/order-plz", "action": "reset"}]' 'creating the order: https://127.0.0.1:14443/order-plz: '
faults '[{"match": "/order-plz", "action": "stall", "seconds": 30}]'
elapsed env ACMEC_HTTP_TIMEOUT=2 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
check stall/exit test "$(cat "$T_TMP/rc")" = 1
check stall/bounded test "$(cat "$T_TMP/ms")" -lt 15000
grep_in stall/message "$T_TMP/err" 'creating the order: .*\(timed out\|too slow\)'
unchanged stall
faults '[{"match": "/certZ/", "action": "huge", "mib": 100}]'
python3 - "$ACMEC" "$T_TMP/c.yaml" "$S" >"$T_TMP/rss" 2>"$T_TMP/err" <<'PY'
import resource, subprocess, sys
rc = subprocess.call([sys.argv[1], "-c", sys.argv[2], "-s", sys.argv[3], "issue"])
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
check huge/exit test "$(cut -d' ' -f1 "$T_TMP/rss")" = 1
check huge/bounded-memory test "$(cut -d' ' -f2 "$T_TMP/rss")" -lt 65536
grep_in huge/message "$T_TMP/err" 'the response is larger than 1048576 bytes'
unchanged huge

# Broken answers.
fails truncated-json '[{"match": "/my-order/", "action": "body", "body": "{\"status\": \"pend"}]' 'not a JSON object'
fails wrong-ctype '[{"match": "/finalize-order/", "action": "body", "body": "<html>hello</html>", "ctype": "text/html"}]' 'is text/html, not application/json'
fails stuck-processing '[{"match": "/my-order/", "action": "replace", "old": "\"valid\"", "new": "\"processing\""}]' \
    'the order is still processing after the deadline'
fails redirect '[{"match": "/order-plz", "action": "redirect", "location": "http://127.0.0.1:14000/order-plz"}]' \
    'a redirect to http://127.0.0.1:14000/order-plz; acmec follows no redirects'
fails cert-with-key "[{\"match\": \"/certZ/\", \"action\": \"append\", \"text\": \"$(awk '{printf "%s\\n", $0}' "$T_TOP/tests/unit/data/leaf.key")\"}]" \
    "refusing the certificate chain: the chain holds a 'PRIVATE KEY' PEM block"
fails cert-other-key "[{\"match\": \"/certZ/\", \"action\": \"body\", \"ctype\": \"application/pem-certificate-chain\", \"body\": \"$(awk '{printf "%s\\n", $0}' "$T_TOP/tests/unit/data/chain.pem")\"}]" \
    "the CA's certificate is not for our key; refusing it"
fails cert-ctype '[{"match": "/certZ/", "action": "replace", "old": "CERTIFICATE", "new": "CERTIFICATE", "times": 0}, {"match": "/certZ/", "action": "header", "name": "Content-Type", "value": "text/plain"}]' \
    'the certificate came as text/plain'

# A hostile token: refused before anything is written or any hook runs.
# (A name never validated before: its authorization cannot be reused.)
{ SERVER=$FRONT_DIR ANN="acmec.io/http01-webroot: $T_TMP/www" yaml_issuer le account "[{http01: {ingress: {}}}]"
  yaml_cert web le hostile.acmec.test; } >"$T_TMP/w.yaml"
faults '[{"match": "/authZ/", "action": "replace", "old": "\"token\": \"", "new": "\"token\": \"../../x"}]'
expect hostile-token/exit 1 "$ACMEC" -c "$T_TMP/w.yaml" -s "$S" issue
grep_in hostile-token/message "$T_TMP/err" 'challenge token that is not base64url'
check hostile-token/nothing-written sh -c "[ -z \"\$(find '$T_TMP' -name 'x*' -newer '$T_TMP/c.yaml' -path '*well-known*')\" ] && [ ! -e '$T_TMP/x' ] && [ -z \"\$(ls -A '$T_TMP/www/.well-known/acme-challenge' 2>/dev/null)\" ]"
unchanged hostile-token
faults '[]'

# The wrong TLS certificate: another CA, or another name; never accepted.
mkdir -p "$T_TMP/other"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$T_TMP/other/ca.key" -out "$T_TMP/other/ca.pem" -subj /CN=other-ca 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T_TMP/other/key.pem" -out "$T_TMP/other/csr" -subj /CN=wrong.test 2>/dev/null
printf 'subjectAltName=DNS:wrong.test\n' >"$T_TMP/other/ext"
openssl x509 -req -in "$T_TMP/other/csr" -CA "$T_TMP/other/ca.pem" -CAkey "$T_TMP/other/ca.key" \
    -CAcreateserial -days 2 -extfile "$T_TMP/other/ext" -out "$T_TMP/other/cert.pem" 2>/dev/null
python3 "$T_TOP/tests/lib/acme_test_front.py" 14444 https://127.0.0.1:14000 \
    "$T_TMP/other/cert.pem" "$T_TMP/other/key.pem" "$PEBBLE_CA" "$FRONT_CONTROL" \
    "$T_TMP/other.log" 2>/dev/null &
T_PIDS="$T_PIDS $!"
wait_for 10 sh -c "curl -sk https://127.0.0.1:14444/dir | grep -q newOrder"
expect tls-other-ca/exit 1 "$ACMEC" -s "$T_TMP/tls-state" issue -d web.acmec.test \
    --server https://127.0.0.1:14444/dir --ca-bundle "$PEBBLE_CA" --standalone :80
grep_in tls-other-ca/message "$T_TMP/err" 'cannot reach the ACME server: .*certificate'
expect tls-other-name/exit 1 "$ACMEC" -s "$T_TMP/tls-state" issue -d web.acmec.test \
    --server https://127.0.0.1:14444/dir --ca-bundle "$T_TMP/other/ca.pem" --standalone :80
grep_in tls-other-name/message "$T_TMP/err" 'cannot reach the ACME server: .*\(subject name\|does not match\)'

# A CA that forgot the account (Pebble restarted): said, key kept.
stop_pebble
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
expect ca-reset/exit 1 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
grep_in ca-reset/message "$T_TMP/err" 'the CA does not know the account .* acmec keeps its key'
unchanged ca-reset

# A badNonce storm: 80 % of nonces rejected, issuance still completes.  (At
# 90 %, acmec's 101 tries per request still fail one request in 40,000: CI
# met one.  At 80 % that is one in 6 billion.)
stop_pebble
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=80
expect nonce-storm/issue 0 "$ACMEC" -s "$T_TMP/storm" issue -d storm.acmec.test \
    --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA" --standalone :80 --out "$T_TMP/storm-out"
cert_ok nonce-storm "$T_TMP/storm-out" "Private-Key: (256 bit" storm.acmec.test
# The same storm on requests sent side by side: five names, so five
# authorizations and five challenges at once, each retried on its own.
expect nonce-storm-parallel/issue 0 "$ACMEC" -v -s "$T_TMP/storm" issue \
    -d s1.storm.acmec.test -d s2.storm.acmec.test -d s3.storm.acmec.test \
    -d s4.storm.acmec.test -d s5.storm.acmec.test --server "$PEBBLE_DIR" \
    --ca-bundle "$PEBBLE_CA" --standalone :80 --out "$T_TMP/storm-out5"
grep_in nonce-storm-parallel/retried "$T_TMP/err" 'badNonce from the CA; retrying'
cert_ok nonce-storm-parallel "$T_TMP/storm-out5" "Private-Key: (256 bit" \
    s1.storm.acmec.test s2.storm.acmec.test s3.storm.acmec.test \
    s4.storm.acmec.test s5.storm.acmec.test
finish
