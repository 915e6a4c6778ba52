#!/bin/sh
# issue --dry-run and renew --dry-run against the real Pebble: the whole
# order, for a throwaway key, the certificate downloaded, verified and
# dropped; the Secret, the status, the account record, the metrics file
# and the deploy hook untouched (checksums and mtimes); exit 1 when the
# order fails, 0 when it works; renew orders only what is due (all with
# --force) and never sends ARI's "replaces"; a production server with a
# staging twin (Let's Encrypt's) is swapped for the twin, with the same
# account key and the production account's record left alone.  The twin
# is unreachable here (the run fails, naming it), then stands in as the
# test front before Pebble, its name pointed there by /etc/hosts in a
# mount namespace of the test's own.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

PROD=https://acme-v02.api.letsencrypt.org/directory
TWIN=https://acme-staging-v02.api.letsencrypt.org/directory
TWIN_HOST=acme-staging-v02.api.letsencrypt.org
# Pebble's TLS certificate names the twin's host too, for the front below.
mkdir -p "$T_TMP/pebble"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T_TMP/pebble/key.pem" -out "$T_TMP/pebble/cert.pem" -days 2 \
    -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$TWIN_HOST" \
    2>/dev/null
start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/conf
mkdir -p "$C"
# Requests Pebble saw (a POST it refused for its nonce shows twice).
orders() { pebble_count 'POST /order-plz'; }
downloads() { pebble_count 'POST /certZ/'; }

# What a dry run must leave alone: every file and directory under the
# Secrets and the status, by digest, size and mtime (nanoseconds).
snap() {
	find "$S/secrets" "$S/status" 2>/dev/null | sort | while read -r f; do
		if [ -f "$f" ]; then
			printf '%s %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" \
			    "$(stat -c '%s %y %a' "$f")" "$f"
		else
			printf 'dir %s %s\n' "$(stat -c '%y %a' "$f")" "$f"
		fi
	done
}
# same NAME: the snapshot is what it was before ($T_TMP/before).
same() {
	snap >"$T_TMP/after"
	if cmp -s "$T_TMP/before" "$T_TMP/after"; then
		pass "$1"
	else
		fail "$1" "$(diff "$T_TMP/before" "$T_TMP/after" | head -c 600)"
	fi
}

cat >"$T_TMP/deploy" <<EOF2
#!/bin/sh
echo "\$ACMEC_CERT_NAME" >>"$T_TMP/deployed"
EOF2
chmod +x "$T_TMP/deploy"
yaml_issuer pebble account '[{http01: {ingress: {}}}]' >"$C/issuer.yaml"
# rotationPolicy: Never: a real run would order with the key in service.
web_yaml() { # DNSNAME...
	cat <<EOF2
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  annotations: {acmec.io/deploy-hook: '["$T_TMP/deploy"]'}
spec:
  secretName: web-tls
  issuerRef: {name: pebble, kind: ClusterIssuer}
  privateKey: {algorithm: ECDSA, rotationPolicy: Never}
  dnsNames: [$(echo "$@" | sed 's/ /, /g')]
EOF2
}
web_yaml web.acmec.test >"$C/web.yaml"

# Nothing in service yet: the CA issues, nothing lands anywhere.
o=$(orders) d=$(downloads)
expect first/dry-run 0 "$ACMEC" -c "$C" -s "$S" issue --dry-run web
grep_in first/result "$T_TMP/err" "dry run: web: would be issued (the CA issued a certificate valid until .*); OK, nothing written to $S/secrets/web-tls\$"
grep_in first/server "$T_TMP/err" "dry run: issuer 'pebble' orders from its own server $PEBBLE_DIR (no staging twin is known for it)"
check first/ordered test "$(orders)" -gt "$o"
check first/downloaded test "$(downloads)" -gt "$d"
check first/no-secret test ! -e "$S/secrets/web-tls"
check first/no-status test ! -e "$S/status/default/web.json"
check first/no-hook test ! -e "$T_TMP/deployed"

# The certificate in service, then what a dry run must not touch.
expect setup/issue 0 "$ACMEC" -c "$C" -s "$S" issue web
check setup/hook-ran test "$(cat "$T_TMP/deployed")" = web
rm -f "$T_TMP/deployed"
snap >"$T_TMP/before"
grep -q 'web-tls/tls.key$' "$T_TMP/before" || fail setup/snap "no tls.key in the snapshot"
grep -q 'status/default/web.json$' "$T_TMP/before" || fail setup/snap "no status in the snapshot"

# With the certificate in service: the same, and a throwaway key (the
# CSR of the finalize, from -vv, is not for the key in service that a
# real run with rotationPolicy: Never would reuse).
o=$(orders)
expect again/dry-run 0 "$ACMEC" -vv -c "$C" -s "$S" issue --dry-run web
grep_in again/result "$T_TMP/err" 'dry run: web: would be issued .*OK, nothing written'
same again/untouched
check again/no-hook test ! -e "$T_TMP/deployed"
check again/ordered test "$(orders)" -gt "$o"
sed -n 's/.*payload {"csr":"\([A-Za-z0-9_-]*\)"}.*/\1/p' "$T_TMP/err" |
    head -1 | python3 -c '
import base64, sys
s = sys.stdin.read().strip()
sys.stdout.buffer.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
' >"$T_TMP/csr.der"
openssl req -inform DER -in "$T_TMP/csr.der" -noout -pubkey >"$T_TMP/csr.pub" 2>&1
openssl pkey -in "$S/secrets/web-tls/tls.key" -pubout >"$T_TMP/key.pub" 2>&1
check again/csr-read grep -q 'BEGIN PUBLIC KEY' "$T_TMP/csr.pub"
check again/throwaway-key test "$(cat "$T_TMP/csr.pub")" != "$(cat "$T_TMP/key.pub")"
not_in again/no-key-logged "$T_TMP/err" 'PRIVATE KEY'

# --json: the report says dry run and lists no files.
expect json/dry-run 0 "$ACMEC" -c "$C" -s "$S" issue --dry-run --json web
check json/fields python3 - "$T_TMP/out" "$S/secrets/web-tls" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["dryRun"] is True, doc
assert doc["issued"] == 1 and doc["failed"] == 0, doc
c = doc["certificates"][0]
assert c["dryRun"] is True and c["issued"] is True, c
assert c["files"] == {}, c
assert "notAfter" not in c and "serial" not in c and "error" not in c, c
assert c["secretDir"] == sys.argv[2], c
assert c["dnsNames"] == ["web.acmec.test"], c
PY
same json/untouched

# Ad hoc, the same: nothing in --out, no status; only the account (its
# key and record, as the first real run would leave them).
A=$T_TMP/adhoc-state
expect adhoc/dry-run 0 "$ACMEC" -s "$A" issue --dry-run -d adhoc.acmec.test \
    --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA" --standalone \
    --out "$T_TMP/adhoc"
grep_in adhoc/result "$T_TMP/err" "dry run: adhoc.acmec.test: would be issued .*OK, nothing written to $T_TMP/adhoc\$"
check adhoc/nothing test ! -e "$T_TMP/adhoc"
check adhoc/no-status test ! -e "$A/status"
check adhoc/only-account test "$(ls "$A/secrets")" = acmec-adhoc-account

# An order that fails (Pebble cannot resolve the new name, so the
# challenge cannot be answered): exit 1, and still nothing recorded --
# where the real run below records the failure in the status.
web_yaml web.acmec.test nope.other.test >"$C/web.yaml"
expect fails/issue 1 "$ACMEC" -c "$C" -s "$S" issue --dry-run web
grep_in fails/result "$T_TMP/err" 'dry run: web: would not be issued (see above); nothing written'
grep_in fails/why "$T_TMP/err" 'nope.other.test'
same fails/untouched
expect fails/renew 1 "$ACMEC" -c "$C" -s "$S" renew --dry-run web
grep_in fails/renew-due "$T_TMP/err" 'web: renewing: its names or key settings changed'
grep_in fails/renew-summary "$T_TMP/err" 'dry run: 0 would be renewed, 0 not due, 1 failed; nothing written'
same fails/renew-untouched
check fails/no-hook test ! -e "$T_TMP/deployed"
expect fails/real 1 "$ACMEC" -c "$C" -s "$S" issue web
snap >"$T_TMP/after"
check fails/real-records-it sh -c "! cmp -s '$T_TMP/before' '$T_TMP/after'"
web_yaml web.acmec.test >"$C/web.yaml"
# The status forgets what the files verified to: renew verifies them
# again, which a real run records and a dry run must not.
python3 - "$S/status/default/web.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["filesHash"]
json.dump(d, open(sys.argv[1], "w"))
PY
snap >"$T_TMP/before"

# renew --dry-run: nothing due orders nothing; --force orders all; the
# metrics file's directory is checked as in a real run, the file is not
# written.
o=$(orders)
mkdir -m 700 "$T_TMP/metrics"
expect renew/not-due 0 "$ACMEC" -c "$C" -s "$S" renew --dry-run \
    --metrics-file "$T_TMP/metrics/acmec.prom"
grep_in renew/not-due-summary "$T_TMP/err" 'dry run: 0 would be renewed, 1 not due, 0 failed; nothing written'
grep_in renew/metrics-said "$T_TMP/err" "dry run: the metrics file $T_TMP/metrics/acmec.prom is not written"
check renew/no-metrics test ! -e "$T_TMP/metrics/acmec.prom"
check renew/not-due-no-order test "$(orders)" -eq "$o"
same renew/not-due-untouched
expect renew/metrics-dir 2 "$ACMEC" -c "$C" -s "$S" renew --dry-run \
    --metrics-file "$T_TMP/nodir/acmec.prom"
# The pre and post hooks run, as certbot's do on a dry run (they stop and
# start what holds port 80); the deploy hook does not.
expect renew/force 0 "$ACMEC" -c "$C" -s "$S" renew --dry-run --force \
    --pre-hook "echo pre >>$T_TMP/runhooks" --post-hook "echo post >>$T_TMP/runhooks"
grep_in renew/force-summary "$T_TMP/err" 'dry run: 1 would be renewed, 0 not due, 0 failed; nothing written'
check renew/force-ordered test "$(orders)" -gt "$o"
same renew/force-untouched
check renew/no-hook test ! -e "$T_TMP/deployed"
check renew/pre-post-hooks test "$(cat "$T_TMP/runhooks" | tr '\n' ' ')" = "pre post "
# A Certificate never issued is due; its dry run writes nothing either.
yaml_cert fresh pebble fresh.acmec.test >"$C/fresh.yaml"
expect renew/due 0 "$ACMEC" -c "$C" -s "$S" renew --dry-run
grep_in renew/due-why "$T_TMP/err" 'fresh: renewing: it has no certificate yet'
grep_in renew/due-summary "$T_TMP/err" 'dry run: 1 would be renewed, 1 not due, 0 failed; nothing written'
check renew/due-no-secret test ! -e "$S/secrets/fresh-tls"
check renew/due-no-status test ! -e "$S/status/default/fresh.json"
rm "$C/fresh.yaml"
same renew/due-untouched

# ARI: a dry run's order never says what it replaces (the CA allows one
# replacement, which the real run must have); the real one does.
FRONT_CONTROL=$T_TMP/front-control.json
echo '{"windows": {"*": {"start": "2999-01-01T00:00:00Z", "end": "2999-01-02T00:00:00Z"}}}' >"$FRONT_CONTROL"
start_front
mkdir -p "$T_TMP/ari"
{ SERVER=$FRONT_DIR yaml_issuer front ari-account '[{http01: {ingress: {}}}]'
  yaml_cert ari front ari.acmec.test; } >"$T_TMP/ari/c.yaml"
# new_orders: the newOrder lines the front logged since the last call.
new_orders() {
	grep '^POST /order-plz' "$FRONT_LOG" >"$T_TMP/ari/orders.now"
	tail -n +$(($(wc -l <"$T_TMP/ari/orders.seen") + 1)) "$T_TMP/ari/orders.now"
	mv "$T_TMP/ari/orders.now" "$T_TMP/ari/orders.seen"
}
: >"$T_TMP/ari/orders.seen"
expect ari/issue 0 "$ACMEC" -c "$T_TMP/ari" -s "$S" issue
new_orders >/dev/null
expect ari/dry-run 0 "$ACMEC" -c "$T_TMP/ari" -s "$S" renew --dry-run --force
new_orders >"$T_TMP/ari/dry"
check ari/dry-ordered test -s "$T_TMP/ari/dry"
not_in ari/no-replaces "$T_TMP/ari/dry" 'replaces=[^-]'
expect ari/real 0 "$ACMEC" -c "$T_TMP/ari" -s "$S" renew --force
new_orders >"$T_TMP/ari/real"
grep_in ari/real-replaces "$T_TMP/ari/real" 'replaces=[A-Za-z0-9_-]*\.[A-Za-z0-9_-]* '

# The lock: while a dry run holds the certificate (its newOrder held 4 s
# by the front), a real run of it stops at once with "is locked", exit 1.
faults '[{"match": "/order-plz", "action": "stall", "seconds": 4, "times": 1}]'
"$ACMEC" -c "$T_TMP/ari" -s "$S" renew --dry-run --force \
    >"$T_TMP/ari/held.out" 2>&1 &
held=$!
wait_for 10 grep -q 'FAULT stall /order-plz' "$FRONT_LOG" || fail lock/held "the dry run never reached newOrder"
expect lock/real 1 "$ACMEC" -c "$T_TMP/ari" -s "$S" renew --force ari
grep_in lock/says "$T_TMP/err" 'certificate-default-ari is locked: another acmec is working on it'
wait "$held"
echo "dry run after the held newOrder: exit $?" >>"$T_TMP/ari/held.out"
grep_in lock/dry-run-ends "$T_TMP/ari/held.out" 'dry run: 1 would be renewed, 0 not due, 0 failed; nothing written'
grep_in lock/dry-run-exit "$T_TMP/ari/held.out" 'exit 0$'

# A production server with a staging twin: the dry run goes to the twin.
# Here no name resolves beyond loopback, so it fails fast, naming it.
mkdir -p "$T_TMP/le" "$S/secrets/le-account"
{ SERVER=$PROD yaml_issuer le le-account '[{http01: {ingress: {}}}]'
  yaml_cert twin le twin.acmec.test; } >"$T_TMP/le/c.yaml"
# The production account as a real run left it: its key and record.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$S/secrets/le-account/tls.key" 2>/dev/null
chmod 600 "$S/secrets/le-account/tls.key"
printf '{\n\t"server":\t"%s",\n\t"url":\t"%s"\n}' "$PROD" \
    https://acme-v02.api.letsencrypt.org/acme/acct/12345 \
    >"$S/secrets/le-account/account.json"
chmod 600 "$S/secrets/le-account/account.json"
snap >"$T_TMP/before"
t0=$(date +%s)
expect twin/unreachable 1 "$ACMEC" -c "$T_TMP/le" -s "$S" issue --dry-run
check twin/fails-fast test $(($(date +%s) - t0)) -lt 30
grep_in twin/says-why "$T_TMP/err" "dry run: issuer 'le' uses the production server $PROD; its orders go to that CA's staging server $TWIN instead (as certbot's --dry-run does), with the same account key"
grep_in twin/tries-twin "$T_TMP/err" "the ACME server at $TWIN is not answering"
not_in twin/never-production "$T_TMP/err" "the ACME server at $PROD"
grep_in twin/result "$T_TMP/err" 'dry run: twin: would not be issued'
same twin/unreachable-untouched

# Now the twin answers: /etc/hosts (in a mount namespace of this test's
# own) points its name at a second test front before Pebble, on 443.
printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$TWIN_HOST" >"$T_TMP/hosts"
echo '{"paths": {"/directory": "/dir"}}' >"$T_TMP/twin-control.json"
: >"$T_TMP/twin.log"
python3 "$T_TOP/tests/lib/acme_test_front.py" 443 https://127.0.0.1:14000 \
    "$T_TMP/pebble/cert.pem" "$T_TMP/pebble/key.pem" "$PEBBLE_CA" \
    "$T_TMP/twin-control.json" "$T_TMP/twin.log" 2>"$T_TMP/twin.err" &
T_PIDS="$T_PIDS $!"
wait_for 20 grep -q READY "$T_TMP/twin.log" || fail twin/front "$(tail -3 "$T_TMP/twin.err")"
hosts() { unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T_TMP/hosts" "$@"; }
a=$(pebble_count 'POST /sign-me-up')
expect twin/dry-run 0 hosts "$ACMEC" -c "$T_TMP/le" -s "$S" issue --dry-run
grep_in twin/ordered-there "$T_TMP/err" "twin: ordering from $TWIN\$"
grep_in twin/registered "$T_TMP/err" "registered account .* at $TWIN"
grep_in twin/result-ok "$T_TMP/err" 'dry run: twin: would be issued .*OK, nothing written'
grep_in twin/front-saw "$T_TMP/twin.log" '^GET /directory'
grep_in twin/front-order "$T_TMP/twin.log" '^POST /order-plz'
check twin/account-lookup test "$(pebble_count 'POST /sign-me-up')" -gt "$a"
same twin/production-record-untouched
check twin/no-secret test ! -e "$S/secrets/twin-tls"
# Again: the twin knows the issuer's key now (no new registration), and
# still nothing is recorded for it.
expect twin/again 0 hosts "$ACMEC" -c "$T_TMP/le" -s "$S" issue --dry-run
not_in twin/again-known "$T_TMP/err" 'registered account'
grep_in twin/again-ok "$T_TMP/err" 'dry run: twin: would be issued'
same twin/again-untouched
# A real run goes to production (which cannot be reached here).
expect twin/real 1 hosts "$ACMEC" -c "$T_TMP/le" -s "$S" issue
grep_in twin/real-production "$T_TMP/err" "the ACME server at $PROD is not answering"
not_in twin/real-not-twin "$T_TMP/err" "$TWIN"

finish
