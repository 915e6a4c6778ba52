#!/bin/sh
# tls-alpn-01 with acmec's own responder against Pebble: two names, an IP
# address, what other TLS clients get during an order, a port taken.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
mkdir -p "$T_TMP/conf"

cat >"$T_TMP/conf/alpn.yaml" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: alpn
  annotations: {acmec.io/tlsalpn01-listen: "127.0.0.1:443"}
spec:
  acme:
    server: $PEBBLE_DIR
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: alpn-account}
    solvers:
    - selector: {dnsNames: [probe.acmec.test]}
      dns01:
        webhook:
          groupName: acmec.io
          solverName: exec
          config: {command: ["$T_TMP/probe"]}
        nameservers: ["127.0.0.1:53"]
    - http01: {ingress: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: two}
spec:
  secretName: two-tls
  issuerRef: {name: alpn, kind: ClusterIssuer}
  dnsNames: [alpn1.acmec.test, alpn2.acmec.test]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: probe}
spec:
  secretName: probe-tls
  issuerRef: {name: alpn, kind: ClusterIssuer}
  dnsNames: [seen.acmec.test, probe.acmec.test]
EOF2

expect two-names/issue 0 "$ACMEC" -v -c "$T_TMP/conf" -s "$S" issue two
cert_ok two-names "$S/secrets/two-tls" "Private-Key: (2048 bit" alpn1.acmec.test alpn2.acmec.test
grep_in two-names/presented "$T_TMP/err" 'tls-alpn-01: presented the certificate for alpn1.acmec.test'
check two-names/listener-gone sh -c '! ss -ltn | grep -q ":443 "'

# While the order of "probe" runs, its dns-01 hook (for probe.acmec.test)
# asks the tls-alpn-01 listener (serving seen.acmec.test) as other TLS
# clients would, then adds its TXT record.
cat >"$T_TMP/probe" <<EOF2
#!/bin/sh
if [ "\$1" = present ]; then
	echo | openssl s_client -connect 127.0.0.1:443 -servername seen.acmec.test \
	    -alpn http/1.1 >"$T_TMP/http11.out" 2>&1
	echo | openssl s_client -connect 127.0.0.1:443 -servername seen.acmec.test \
	    >"$T_TMP/noalpn.out" 2>&1
	echo | openssl s_client -connect 127.0.0.1:443 -servername other.acmec.test \
	    -alpn acme-tls/1 >"$T_TMP/othername.out" 2>&1
	echo | openssl s_client -connect 127.0.0.1:443 -servername seen.acmec.test \
	    -alpn acme-tls/1 >"$T_TMP/acme.out" 2>&1
	echo | openssl s_client -connect 127.0.0.1:443 -servername seen.acmec.test \
	    -alpn acme-tls/1 -tls1_1 >"$T_TMP/tls11.out" 2>&1
	op="update add \$2. 60 IN TXT \"\$3\""
else
	op="update delete \$2. TXT \"\$3\""
fi
printf 'server 127.0.0.1 53\n%s\nsend\n' "\$op" | nsupdate -k "$DNS_KEYFILE"
EOF2
chmod +x "$T_TMP/probe"
expect probe/issue 0 "$ACMEC" -c "$T_TMP/conf" -s "$S" issue probe
cert_ok probe "$S/secrets/probe-tls" "Private-Key: (2048 bit" seen.acmec.test probe.acmec.test
grep_in probe/http11-no-cert "$T_TMP/http11.out" 'no peer certificate available'
grep_in probe/no-alpn-no-cert "$T_TMP/noalpn.out" 'no peer certificate available'
grep_in probe/other-name-no-cert "$T_TMP/othername.out" 'no peer certificate available'
grep_in probe/tls11-refused "$T_TMP/tls11.out" 'no peer certificate available'
grep_in probe/acme-tls-alpn "$T_TMP/acme.out" 'ALPN protocol: acme-tls/1'
openssl x509 -in "$T_TMP/acme.out" -noout -text >"$T_TMP/acme.txt" 2>&1
grep_in probe/acme-tls-cert-san "$T_TMP/acme.txt" 'DNS:seen.acmec.test'
grep_in probe/acme-tls-critical-ext "$T_TMP/acme.txt" '1.3.6.1.5.5.7.1.31: critical'
check probe/one-san test "$(grep -A1 'Subject Alternative Name' "$T_TMP/acme.txt" | tail -1 | tr ',' '\n' | wc -l)" -eq 1

# An IP address certificate, ad hoc (RFC 8738: SNI is the reverse name).
expect ip/issue 0 "$ACMEC" -v -s "$S" issue -d 127.0.0.1 --server "$PEBBLE_DIR" \
    --ca-bundle "$PEBBLE_CA" --tls-alpn 127.0.0.1:443 --out "$T_TMP/ip"
cert_ok ip "$T_TMP/ip" "Private-Key: (256 bit" 127.0.0.1
grep_in ip/reverse-sni "$T_TMP/err" 'presented the certificate for 1.0.0.127.in-addr.arpa'

# A name over 64 characters (too long for a CN) is validated all the same.
long=a-label-of-sixty-three-characters-0123456789012345678901234567.acmec.test
expect long-name/issue 0 "$ACMEC" -s "$S" issue -d "$long" --server "$PEBBLE_DIR" \
    --ca-bundle "$PEBBLE_CA" --tls-alpn 127.0.0.1:443 --out "$T_TMP/long"
cert_ok long-name "$T_TMP/long" "Private-Key: (256 bit" "$long"

# Port 443 taken: exit 1 before any challenge is triggered.
python3 -m http.server --bind 127.0.0.1 443 >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 curl -s http://127.0.0.1:443/
triggered=$(pebble_count 'POST /chalZ/')
expect port-taken/exit 1 "$ACMEC" -c "$T_TMP/conf" -s "$S" issue two
grep_in port-taken/message "$T_TMP/err" 'tls-alpn-01: cannot listen on 127.0.0.1:443: Address already in use'
check port-taken/no-challenge-triggered test "$(pebble_count 'POST /chalZ/')" -eq "$triggered"
finish
