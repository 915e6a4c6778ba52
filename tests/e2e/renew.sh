#!/bin/sh
# acmec renew against Pebble: 20 certificates on 4 workers with a deploy
# hook, nothing due (no order), --force, a changed configuration, a short
# lifetime due by percentage, a failing deploy hook.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/conf
mkdir -p "$C"
orders() { pebble_count 'POST /order-plz'; }

cat >"$T_TMP/deploy" <<EOF2
#!/bin/sh
echo "\$ACMEC_CERT_NAME|\$ACMEC_SECRET_DIR|\$ACMEC_DNS_NAMES|\$#" >>"$T_TMP/deploy.log"
EOF2
chmod +x "$T_TMP/deploy"
cat >"$C/issuer.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: account}
    solvers: [{http01: {ingress: {}}}]
EOF2
i=1
while [ $i -le 20 ]; do
	cat >>"$C/certs.yaml" <<EOF2
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: c$i
  annotations: {acmec.io/deploy-hook: '["$T_TMP/deploy"]'}
spec:
  secretName: c$i-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [c$i.acmec.test]
EOF2
	i=$((i + 1))
done

# First run: nothing exists yet, so all 20 are due.
expect parallel/renew 0 "$ACMEC" -c "$C" -s "$S" renew --jobs 4
grep_in parallel/summary "$T_TMP/err" '20 renewed, 0 not due, 0 failed'
check parallel/hooks-once-each test "$(sort -u "$T_TMP/deploy.log" | wc -l)" -eq 20
check parallel/hook-lines test "$(wc -l <"$T_TMP/deploy.log")" -eq 20
grep_in parallel/hook-env "$T_TMP/deploy.log" "^c7|$S/secrets/c7-tls|c7.acmec.test|0$"
cert_ok parallel-c13 "$S/secrets/c13-tls" "Private-Key: (2048 bit" c13.acmec.test

# Nothing due: no order reaches Pebble, exit 0.
before=$(orders)
: >"$T_TMP/deploy.log"
expect not-due/renew 0 "$ACMEC" -v -c "$C" -s "$S" renew
grep_in not-due/summary "$T_TMP/err" '0 renewed, 20 not due, 0 failed'
check not-due/no-order test "$(orders)" -eq "$before"
check not-due/no-hook test ! -s "$T_TMP/deploy.log"

# --force renews regardless.
serial=$(openssl x509 -in "$S/secrets/c3-tls/tls.crt" -noout -serial)
expect force/renew 0 "$ACMEC" -c "$C" -s "$S" renew --force c3
grep_in force/summary "$T_TMP/err" '1 renewed, 0 not due, 0 failed'
check force/new-serial test "$(openssl x509 -in "$S/secrets/c3-tls/tls.crt" -noout -serial)" != "$serial"

# A Certificate whose names changed is due.
sed -i 's/dnsNames: \[c5.acmec.test\]/dnsNames: [c5.acmec.test, www.c5.acmec.test]/' "$C/certs.yaml"
expect changed/renew 0 "$ACMEC" -c "$C" -s "$S" renew
grep_in changed/why "$T_TMP/err" 'c5: renewing: its names or key settings changed'
grep_in changed/summary "$T_TMP/err" '1 renewed, 19 not due, 0 failed'
cert_ok changed "$S/secrets/c5-tls" "Private-Key: (2048 bit" c5.acmec.test www.c5.acmec.test

# rotationPolicy: Never keeps the key across renewals; Always (default) not.
cat >>"$C/certs.yaml" <<EOF2
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: keep}
spec:
  secretName: keep-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [keep.acmec.test]
  privateKey: {rotationPolicy: Never}
EOF2
expect rotation/first 0 "$ACMEC" -c "$C" -s "$S" renew keep c9
k_keep=$(sha256sum <"$S/secrets/keep-tls/tls.key")
k_c9=$(sha256sum <"$S/secrets/c9-tls/tls.key")
expect rotation/force 0 "$ACMEC" -c "$C" -s "$S" renew --force keep c9
check rotation/never-kept test "$(sha256sum <"$S/secrets/keep-tls/tls.key")" = "$k_keep"
check rotation/always-new test "$(sha256sum <"$S/secrets/c9-tls/tls.key")" != "$k_c9"
cert_ok rotation-keep "$S/secrets/keep-tls" "Private-Key: (2048 bit" keep.acmec.test

# A failing deploy hook: exit 1, but the new files stay.
cat >>"$C/certs.yaml" <<EOF2
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: badhook
  annotations: {acmec.io/deploy-hook: "exit 3"}
spec:
  secretName: badhook-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [badhook.acmec.test]
EOF2
expect bad-hook/renew 1 "$ACMEC" -c "$C" -s "$S" renew badhook
grep_in bad-hook/message "$T_TMP/err" 'badhook: the new certificate is in place, but its deploy hook failed'
grep_in bad-hook/status "$T_TMP/err" 'deploy hook exited with status 3'
cert_ok bad-hook "$S/secrets/badhook-tls" "Private-Key: (2048 bit" badhook.acmec.test

# status --json, field by field, against the files themselves.
expect status/json 0 "$ACMEC" -c "$C" -s "$S" status --json
nb=$(date -u -d "$(openssl x509 -in "$S/secrets/c3-tls/tls.crt" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
na=$(date -u -d "$(openssl x509 -in "$S/secrets/c3-tls/tls.crt" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
check status/json-fields python3 - "$T_TMP/out" "$nb" "$na" <<'PY'
import json, sys, datetime
doc = json.load(open(sys.argv[1]))
assert doc["apiVersion"] == "acmec/v1", doc
items = {i["metadata"]["name"]: i for i in doc["items"]}
assert len(items) == 22, len(items)
c3 = items["c3"]
assert c3["metadata"]["namespace"] == "default"
st = c3["status"]
cond = st["conditions"][0]
assert cond == {"type": "Ready", "status": "True", "reason": "Ready",
    "message": "Certificate is up to date and has not expired"}, cond
assert st["notBefore"] == sys.argv[2], (st["notBefore"], sys.argv[2])
assert st["notAfter"] == sys.argv[3], (st["notAfter"], sys.argv[3])
f = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
nb, na, rt = f(st["notBefore"]), f(st["notAfter"]), f(st["renewalTime"])
assert abs((rt - nb) - (na - nb) * 2 / 3) <= datetime.timedelta(seconds=1), rt
assert st["revision"] == 2, st
assert "lastFailureTime" not in st and "failedIssuanceAttempts" not in st
bad = items["badhook"]["status"]
assert bad["revision"] == 1 and "lastFailureTime" in bad, bad
assert "deploy hook" in bad["lastError"], bad
PY
expect status/table 0 "$ACMEC" -c "$C" -s "$S" status
grep_in status/table-header "$T_TMP/out" '^NAME  *READY  *SECRET  *NOT AFTER  *RENEWAL TIME  *ISSUER  *LAST ERROR'
grep_in status/table-row "$T_TMP/out" '^c7  *True  *c7-tls  *20'
expect status/no-network 0 unshare -n "$ACMEC" -c "$C" -s "$S" status --json

# Short lifetimes: due by percentage.
stop_pebble
PEBBLE_EXTRA='"certificateValidityPeriod": 12' start_pebble PEBBLE_AUTHZREUSE=0
sed -i "s|caBundle: .*|caBundle: $(ca_bundle)|" "$C/issuer.yaml"
rm -f "$S/secrets/account/account.json"
cat >"$C/short.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: short}
spec:
  secretName: short-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  dnsNames: [short.acmec.test]
  renewBeforePercentage: 75
EOF2
expect percentage/first 0 "$ACMEC" -c "$C" -s "$S" renew short
check percentage/lifetime sh -c "openssl x509 -in '$S/secrets/short-tls/tls.crt' -noout -checkend 5 && ! openssl x509 -in '$S/secrets/short-tls/tls.crt' -noout -checkend 30"
expect percentage/not-yet 0 "$ACMEC" -v -c "$C" -s "$S" renew short
grep_in percentage/not-yet-summary "$T_TMP/err" '0 renewed, 1 not due'
sleep 4
expect percentage/due 0 "$ACMEC" -c "$C" -s "$S" renew short
grep_in percentage/why "$T_TMP/err" 'short: renewing: its renewal time has come'
grep_in percentage/summary "$T_TMP/err" '1 renewed, 0 not due'
finish
