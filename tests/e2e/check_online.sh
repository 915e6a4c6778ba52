#!/bin/sh
# acmec check --online against the real Pebble and BIND9: every check OK on
# a good configuration, and each failure caught with what to change: an
# unreachable directory, a missing account key, an unregistered and a
# deactivated account, a port another server holds (http-01 and
# tls-alpn-01), a webroot no server serves (or serves from elsewhere, or
# that does not exist), a planted link in a webroot, a wrong TSIG secret and
# key name, a missing hook, a DNS provider's missing credentials.  check
# --online writes nothing: no key, no account, no probe file or directory
# left.  Plain check stays offline.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble
S=$T_TMP/state
C=$T_TMP/conf
mkdir -p "$C" "$T_TMP/www" "$T_TMP/other" "$S/secrets/tsig" "$S/secrets/bad-tsig"
printf '%s\n' "$DNS_SECRET" >"$S/secrets/tsig/secret"
# A valid base64 secret that is not the key's.
printf 'c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1rZXktMDEyMzQ1Njc4OQ==\n' \
    >"$S/secrets/bad-tsig/secret"

# acmec resolves the names it probes through the system: here /etc/hosts,
# in a mount namespace of its own (DESIGN.md section 5).
printf '127.0.0.1 localhost\n' >"$T_TMP/hosts"
for n in web webroot-other planted sa hook dns; do
	printf '127.0.0.1 %s\n' "$n.acmec.test" >>"$T_TMP/hosts"
done
with_hosts() {
	unshare -m --propagation private sh -c \
	    'mount --bind "$0" /etc/hosts && exec "$@"' "$T_TMP/hosts" "$@"
}

# The web server of the webroot: python's, serving $T_TMP/www on port 80.
start_web() {
	python3 -m http.server --bind 127.0.0.1 --directory "$1" 80 \
	    >"$T_TMP/www.log" 2>&1 &
	WEB_PID=$!
	T_PIDS="$T_PIDS $WEB_PID"
	wait_for 10 curl -s http://127.0.0.1:80/ ||
	    fail web/start "python3 http.server did not start"
}
stop_web() { kill "$WEB_PID" 2>/dev/null; wait "$WEB_PID" 2>/dev/null; }

HOOK="{groupName: acmec.io, solverName: exec, config: {command: [\"/bin/true\"]}}"
# tsig SECRET-NAME: the rfc2136 solver for dns.acmec.test.
tsig() {
	printf '{selector: {dnsZones: [dns.acmec.test]}, dns01: {rfc2136: {nameserver: "127.0.0.1:53", tsigKeyName: acme-key, tsigAlgorithm: HMACSHA256, tsigSecretSecretRef: {name: %s, key: secret}}}}' "$1"
}
good_config() {
	ANN="acmec.io/http01-listen: \"127.0.0.1:5002\"" yaml_issuer good account \
	    "[$(tsig tsig), {selector: {dnsNames: [hook.acmec.test]}, dns01: {webhook: $HOOK}}, {http01: {ingress: {}}}]"
	echo ---
	ANN="acmec.io/http01-webroot: $T_TMP/www" yaml_issuer web account \
	    "[{http01: {ingress: {}}}]"
	yaml_cert mixed good sa.acmec.test hook.acmec.test dns.acmec.test \
	    '*.dns.acmec.test'
	yaml_cert site web web.acmec.test
}
good_config >"$C/good.yaml"

# The account is registered once, by the command check --online names.
expect setup/register 0 "$ACMEC" -c "$C/good.yaml" -s "$S" account register --issuer good
start_web "$T_TMP/www"
# Someone else's file in acme-challenge stays; the directories stay too.
mkdir -p "$T_TMP/www/.well-known/acme-challenge"
echo theirs >"$T_TMP/www/.well-known/acme-challenge/keep-me"
find "$S" "$T_TMP/www" | sort >"$T_TMP/before"

# All OK.
expect good/exit 0 with_hosts "$ACMEC" -c "$C/good.yaml" -s "$S" check --online
cp "$T_TMP/out" "$T_TMP/good.out"
grep_in good/directory "$T_TMP/out" "^issuer good: directory $PEBBLE_DIR: OK: terms of service data:text/plain"
grep_in good/account "$T_TMP/out" "^issuer good: account key $S/secrets/account/tls.key: OK: registered as https://127.0.0.1:14000/my-account/"
grep_in good/web-account "$T_TMP/out" '^issuer web: account key .*: OK'
grep_in good/port "$T_TMP/out" '^certificate default/mixed: sa.acmec.test: http-01 on port 127.0.0.1:5002: OK$'
grep_in good/hook "$T_TMP/out" '^certificate default/mixed: hook.acmec.test: dns-01 hook /bin/true: OK$'
grep_in good/tsig "$T_TMP/out" '^certificate default/mixed: dns.acmec.test: dns-01 TSIG key acme-key at 127.0.0.1:53 for dns.acmec.test: OK$'
check good/tsig-once test "$(grep -c 'TSIG key' "$T_TMP/out")" -eq 1
grep_in good/webroot "$T_TMP/out" "^certificate default/site: web.acmec.test: http-01 webroot $T_TMP/www served at http://web.acmec.test/: OK\$"
grep_in good/summary "$T_TMP/out" '^8 checks: 8 OK, 0 FAILED$'
grep_in good/probe-fetched "$T_TMP/www.log" 'GET /.well-known/acme-challenge/[A-Za-z0-9_-]* HTTP/1.1" 200'
find "$S" "$T_TMP/www" | sort >"$T_TMP/after"
check good/nothing-written cmp "$T_TMP/before" "$T_TMP/after"
check good/theirs-kept grep -qx theirs "$T_TMP/www/.well-known/acme-challenge/keep-me"
check good/stderr-quiet test ! -s "$T_TMP/err"
check good/no-order test "$(pebble_count 'POST /order-plz')" -eq 0

# NAMEs limit the Certificates, and their issuers.
expect names/exit 0 with_hosts "$ACMEC" -c "$C/good.yaml" -s "$S" check --online site
grep_in names/site "$T_TMP/out" '^certificate default/site: '
not_in names/not-mixed "$T_TMP/out" 'default/mixed'
not_in names/not-good "$T_TMP/out" '^issuer good:'
grep_in names/summary "$T_TMP/out" '^3 checks: 3 OK, 0 FAILED$'
expect names/unknown 2 "$ACMEC" -c "$C/good.yaml" -s "$S" check --online nosuch
grep_in names/unknown-says "$T_TMP/err" 'nosuch: no Certificate of this name'

# Plain check stays offline, and takes no NAMEs.
SERVER=https://127.0.0.1:1/dir ANN="acmec.io/http01-listen: \"127.0.0.1:5003\"" yaml_issuer down down-account "[{http01: {ingress: {}}}]" >"$C/down.yaml"
yaml_cert d down d.acmec.test >>"$C/down.yaml"
expect offline/exit 0 "$ACMEC" -c "$C/down.yaml" -s "$S" check
check offline/no-lines test ! -s "$T_TMP/out"
expect offline/bad-flag 2 "$ACMEC" -c "$C/down.yaml" -s "$S" check --bogus
expect offline/no-names 2 "$ACMEC" -c "$C/down.yaml" -s "$S" check d
grep_in offline/no-names-says "$T_TMP/err" 'NAMEs only with --online'

# An unreachable directory.
expect down/exit 1 "$ACMEC" -c "$C/down.yaml" -s "$S" check --online
grep_in down/line "$T_TMP/out" '^issuer down: directory https://127.0.0.1:1/dir: FAILED: .*check spec.acme.server and spec.acme.caBundle'
grep_in down/summary "$T_TMP/out" '^2 checks: 1 OK, 1 FAILED$'

# A configuration error is exit 2.
printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: x}\nspec: {bogus: 1}\n' >"$T_TMP/bad.yaml"
expect config/exit 2 "$ACMEC" -c "$T_TMP/bad.yaml" -s "$S" check --online

# No account key: nothing is created, and the command to run is named.
yaml_issuer nokey nokey-account "[{http01: {ingress: {}}}]" >"$C/acct.yaml"
echo --- >>"$C/acct.yaml"
yaml_issuer unreg unreg-account "[{http01: {ingress: {}}}]" >>"$C/acct.yaml"
mkdir -p "$S/secrets/unreg-account"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$S/secrets/unreg-account/tls.key" 2>/dev/null
accounts=$(pebble_count 'POST /sign-me-up')
expect account/exit 1 "$ACMEC" -c "$C/acct.yaml" -s "$S" check --online
grep_in account/no-key "$T_TMP/out" "^issuer nokey: account key $S/secrets/nokey-account/tls.key: FAILED: the account key does not exist; register the account: acmec -c $C/acct.yaml -s $S account register --issuer nokey\$"
grep_in account/unknown "$T_TMP/out" "^issuer unreg: account key .*: FAILED: the CA knows no account with this key; register one: acmec .* account register --issuer unreg\$"
check account/no-key-created test ! -e "$S/secrets/nokey-account"
check account/no-url-saved test ! -e "$S/secrets/unreg-account/account.json"
# The CA was asked (a badNonce retry, which Pebble causes 1 time in 20,
# may ask twice), and nothing was registered: asked again, it still knows
# no account for the key.
check account/asked test "$(pebble_count 'POST /sign-me-up')" -gt "$accounts"
grep_in account/summary "$T_TMP/out" '^4 checks: 2 OK, 2 FAILED$'
expect account/again 1 "$ACMEC" -c "$C/acct.yaml" -s "$S" check --online
grep_in account/not-registered "$T_TMP/out" "^issuer unreg: account key .*: FAILED: the CA knows no account with this key"

# Each solver failure.  A wrong TSIG secret, a missing hook, a port held by
# another server (a python listener), a webroot served from elsewhere.
python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 5002)); s.listen(1); time.sleep(300)' &
T_PIDS="$T_PIDS $!"
wait_for 10 sh -c 'ss -ltn | grep -q 127.0.0.1:5002'
mkdir -p "$T_TMP/notserved"
cat >"$C/bad.yaml" <<EOF2
$(ANN="acmec.io/http01-listen: \"127.0.0.1:5002\"" yaml_issuer good account \
    "[$(tsig bad-tsig), {selector: {dnsNames: [hook.acmec.test]}, dns01: {webhook: {groupName: acmec.io, solverName: exec, config: {command: [\"$T_TMP/no-such-hook\"]}}}}, {http01: {ingress: {}}}]")
---
$(ANN="acmec.io/http01-webroot: $T_TMP/notserved" yaml_issuer web account "[{http01: {ingress: {}}}]")
$(yaml_cert mixed good sa.acmec.test hook.acmec.test dns.acmec.test)
$(yaml_cert site web webroot-other.acmec.test)
EOF2
expect solvers/exit 1 with_hosts "$ACMEC" -c "$C/bad.yaml" -s "$S" check --online
grep_in solvers/port "$T_TMP/out" 'sa.acmec.test: http-01 on port 127.0.0.1:5002: FAILED: port 5002 is held by another server; stop it, use a webroot (acmec.io/http01-webroot) that it serves, or stop that server around runs with --pre-hook and --post-hook$'
grep_in solvers/hook "$T_TMP/out" "hook.acmec.test: dns-01 hook $T_TMP/no-such-hook: FAILED: the hook $T_TMP/no-such-hook does not exist; fix dns01.webhook.config.command\$"
grep_in solvers/tsig "$T_TMP/out" 'dns.acmec.test: dns-01 TSIG key acme-key at 127.0.0.1:53 for dns.acmec.test: FAILED: dns-01: 127.0.0.1:53 refused TSIG key acme-key (hmac-sha256.): BADSIG: the secret is wrong; fix the rfc2136 solver'
grep_in solvers/webroot "$T_TMP/out" "webroot-other.acmec.test: http-01 webroot $T_TMP/notserved served at http://webroot-other.acmec.test/: FAILED: http://webroot-other.acmec.test/.well-known/acme-challenge/[A-Za-z0-9_-]* answered HTTP 404, not the file written in $T_TMP/notserved; serve $T_TMP/notserved/.well-known/acme-challenge/ at that URL\$"
grep_in solvers/summary "$T_TMP/out" '^8 checks: 4 OK, 4 FAILED$'
# The directories made for the probe are gone with it.
check solvers/probe-gone test -z "$(ls -A "$T_TMP/notserved")"

# A webroot that does not exist is not created; a TSIG key the server
# does not know.
ANN="acmec.io/http01-webroot: $T_TMP/nowhere" yaml_issuer web account "[{http01: {ingress: {}}}]" >"$C/more.yaml"
yaml_cert site web web.acmec.test >>"$C/more.yaml"
echo --- >>"$C/more.yaml"
yaml_issuer good account "[$(tsig tsig | sed 's/tsigKeyName: acme-key/tsigKeyName: other-key/')]" >>"$C/more.yaml"
yaml_cert mixed good dns.acmec.test >>"$C/more.yaml"
echo --- >>"$C/more.yaml"
yaml_issuer cf cf-account "[{dns01: {cloudflare: {apiTokenSecretRef: {name: cf-token, key: token}}}}]" >>"$C/more.yaml"
yaml_cert cf cf cf.acmec.test >>"$C/more.yaml"
echo --- >>"$C/more.yaml"
ANN="acmec.io/tlsalpn01-listen: \"127.0.0.1:5002\"" yaml_issuer alpn gone-account "[{http01: {ingress: {}}}]" >>"$C/more.yaml"
yaml_cert alpn alpn alpn.acmec.test >>"$C/more.yaml"
# An account deactivated (its key set aside).
expect more/register 0 "$ACMEC" -c "$C/more.yaml" -s "$S" account register --issuer alpn
expect more/deactivate 0 "$ACMEC" -c "$C/more.yaml" -s "$S" account deactivate --issuer alpn
expect more/exit 1 with_hosts "$ACMEC" -c "$C/more.yaml" -s "$S" check --online
grep_in more/no-webroot "$T_TMP/out" "web.acmec.test: http-01 webroot .*: FAILED: the webroot $T_TMP/nowhere does not exist; create it, and serve it at http://web.acmec.test/\$"
check more/not-created test ! -e "$T_TMP/nowhere"
grep_in more/provider "$T_TMP/out" '^certificate default/cf: cf.acmec.test: dns-01 cloudflare credentials for cf.acmec.test: FAILED: .*cf-token'
grep_in more/alpn-port "$T_TMP/out" '^certificate default/alpn: alpn.acmec.test: tls-alpn-01 on port 127.0.0.1:5002: FAILED: port 5002 is held by another server; stop it, give acmec another address (acmec.io/tlsalpn01-listen), or stop that server around runs with --pre-hook and --post-hook$'
grep_in more/deactivated "$T_TMP/out" '^issuer alpn: account key .*: FAILED: the account is deactivated (its key is kept with .deactivated added); register a new one: acmec .* account register --issuer alpn$'
grep_in more/summary "$T_TMP/out" '^12 checks: 6 OK, 6 FAILED$'
grep_in more/badkey "$T_TMP/out" 'TSIG key other-key at 127.0.0.1:53 for dns.acmec.test: FAILED: .*BADKEY'

# No web server at all on port 80.
stop_web
expect noweb/exit 1 with_hosts "$ACMEC" -c "$C/good.yaml" -s "$S" check --online site
grep_in noweb/line "$T_TMP/out" "web.acmec.test: http-01 webroot .*: FAILED: cannot fetch http://web.acmec.test/.well-known/acme-challenge/[A-Za-z0-9_-]*: .*; is a web server on port 80 there serving $T_TMP/www?\$"
check noweb/probe-gone test "$(ls -A "$T_TMP/www/.well-known/acme-challenge")" = keep-me

# A link planted at the webroot's .well-known/acme-challenge: refused, and
# nothing is written where it points.
start_web "$T_TMP/www"
mkdir -p "$T_TMP/planted/.well-known" "$T_TMP/elsewhere"
ln -s "$T_TMP/elsewhere" "$T_TMP/planted/.well-known/acme-challenge"
ANN="acmec.io/http01-webroot: $T_TMP/planted" yaml_issuer web account "[{http01: {ingress: {}}}]" >"$C/planted.yaml"
yaml_cert p web planted.acmec.test >>"$C/planted.yaml"
expect planted/exit 1 with_hosts "$ACMEC" -c "$C/planted.yaml" -s "$S" check --online
grep_in planted/line "$T_TMP/out" "planted.acmec.test: http-01 webroot .*: FAILED: webroot: refusing $T_TMP/planted/.well-known/acme-challenge: it is a symbolic link"
check planted/nothing-elsewhere test -z "$(ls -A "$T_TMP/elsewhere")"

finish
