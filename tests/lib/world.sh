# The test world of DESIGN.md §5, inside the test's network namespace:
# BIND9 on 127.0.0.1:53, authoritative for acmec.test (every name
# 127.0.0.1; ns.acmec.test is its nameserver) and other.test (where
# _acme-challenge.cname.acmec.test points with a CNAME); Pebble on 14000
# (ACME) and 15000 (management) resolving through it.

# start_dns: BIND9; the TSIG key acme-key (hmac-sha256, $DNS_KEYFILE, its
# secret also in $DNS_SECRET) may update TXT records in both zones.
# $DNS_PORT (53 unless set) moves it, for a test that puts something
# else on 127.0.0.1:53; $DNS_EXTRA_RECORDS (zone file lines) go into
# acmec.test.
start_dns() {
	_d=$T_TMP/dns
	mkdir -p "$_d"
	tsig-keygen -a hmac-sha256 acme-key >"$_d/tsig.conf"
	cat >"$_d/named.conf" <<CONF
include "$_d/tsig.conf";
options {
	directory "$_d";
	pid-file "$_d/named.pid";
	listen-on port ${DNS_PORT:-53} { 127.0.0.1; };
	listen-on-v6 { none; };
	// Recursion only so that CNAMEs into the other local zone are
	// followed for Pebble, as a real resolver would; there is no
	// network beyond loopback to recurse to.
	recursion yes;
	allow-recursion { 127.0.0.0/8; };
	dnssec-validation no;
};
controls { };
zone "acmec.test" {
	type master;
	file "$_d/acmec.test.zone";
	update-policy { grant acme-key zonesub TXT; };
};
zone "other.test" {
	type master;
	file "$_d/other.test.zone";
	update-policy { grant acme-key zonesub TXT; };
};
CONF
	cat >"$_d/acmec.test.zone" <<'ZONE'
$TTL 1
@ IN SOA ns.acmec.test. hostmaster.acmec.test. 1 60 60 600 1
@ IN NS ns.acmec.test.
@ IN A 127.0.0.1
* IN A 127.0.0.1
_acme-challenge.cname IN CNAME _acme-challenge.cname.other.test.
ZONE
	printf '%s\n' "${DNS_EXTRA_RECORDS:-}" >>"$_d/acmec.test.zone"
	cat >"$_d/other.test.zone" <<'ZONE'
$TTL 1
@ IN SOA ns.acmec.test. hostmaster.acmec.test. 1 60 60 600 1
@ IN NS ns.acmec.test.
ZONE
	DNS_KEYFILE=$_d/tsig.conf
	DNS_SECRET=$(sed -n 's/.*secret "\(.*\)";.*/\1/p' "$_d/tsig.conf")
	named -g -c "$_d/named.conf" -u "$(id -un)" >"$_d/log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	if ! wait_for 20 dig +time=1 +tries=1 -p "${DNS_PORT:-53}" @127.0.0.1 \
	    acmec.test SOA; then
		echo "FAIL world/dns: BIND9 did not start: $(tail -5 "$_d/log")"
		exit 1
	fi
}

# nsupdate_hook FILE LOG: an acmec.io exec hook at FILE that writes the
# record to BIND9 through nsupdate (the key from a file, so the secret is
# never in ps), logging "ACTION NAME $ACMEC_ACTION $ACMEC_RECORD_NAME
# $ACMEC_DOMAIN" to LOG; it fails if the value is not ACMEC_RECORD_VALUE.
nsupdate_hook() {
	cat >"$1" <<EOF2
#!/bin/sh
echo "\$1 \$2 \$ACMEC_ACTION \$ACMEC_RECORD_NAME \$ACMEC_DOMAIN" >>"$2"
[ "\$3" = "\$ACMEC_RECORD_VALUE" ] || exit 3
case "\$1" in
present) op="update add \$2. 60 IN TXT \\"\$3\\"" ;;
cleanup) op="update delete \$2. TXT \\"\$3\\"" ;;
*) exit 2 ;;
esac
printf 'server 127.0.0.1 ${DNS_PORT:-53}\\n%s\\nsend\\n' "\$op" | nsupdate -k "$DNS_KEYFILE"
EOF2
	chmod +x "$1"
}

# start_pebble: Pebble with the environment given (PEBBLE_* variables);
# VA sleeps are off.  $PEBBLE_EXTRA (e.g. '"certificateValidityPeriod": 10')
# goes into its configuration.  Sets PEBBLE_DIR (directory URL), PEBBLE_CA (its TLS
# certificate) and PEBBLE_ROOT (the issuing root, from /roots/0).
start_pebble() {
	_p=$T_TMP/pebble
	mkdir -p "$_p"
	if [ ! -f "$_p/cert.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$_p/key.pem" -out "$_p/cert.pem" -days 2 \
		    -subj /CN=localhost \
		    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		    2>/dev/null
	fi
	cat >"$_p/config.json" <<CONF
{"pebble": {"listenAddress": "127.0.0.1:14000",
  "managementListenAddress": "127.0.0.1:15000",
  "certificate": "$_p/cert.pem", "privateKey": "$_p/key.pem",
  "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "",
  "externalAccountBindingRequired": false${PEBBLE_EXTRA:+, $PEBBLE_EXTRA}}}
CONF
	env PEBBLE_VA_NOSLEEP=1 "$@" pebble -config "$_p/config.json" \
	    -dnsserver 127.0.0.1:53 >"$_p/log" 2>&1 &
	PEBBLE_PID=$!
	T_PIDS="$T_PIDS $PEBBLE_PID"
	PEBBLE_DIR=https://127.0.0.1:14000/dir
	PEBBLE_CA=$_p/cert.pem
	PEBBLE_ROOT=$_p/root.pem
	if ! wait_for 20 curl -sf --cacert "$PEBBLE_CA" "$PEBBLE_DIR"; then
		echo "FAIL world/pebble: Pebble did not start: $(tail -5 "$_p/log")"
		exit 1
	fi
	curl -sf --cacert "$PEBBLE_CA" https://127.0.0.1:15000/roots/0 \
	    >"$PEBBLE_ROOT"
}

# txt NAME: the TXT values at NAME, one a line, as BIND answers them.
txt() {
	dig +short +norecurse @127.0.0.1 TXT "$1" | tr -d '"' | sort
}

# start_front: the ARI/profiles test front before Pebble, on port 14443.
# FRONT_DIR is its directory URL, FRONT_CONTROL its control file (JSON, see
# tests/lib/acme_test_front.py), FRONT_LOG the requests it saw.
start_front() {
	FRONT_DIR=https://127.0.0.1:14443/dir
	FRONT_CONTROL=$T_TMP/front-control.json
	FRONT_LOG=$T_TMP/front.log
	[ -f "$FRONT_CONTROL" ] || echo '{}' >"$FRONT_CONTROL"
	: >"$FRONT_LOG"
	python3 "$T_TOP/tests/lib/acme_test_front.py" 14443 \
	    https://127.0.0.1:14000 "$T_TMP/pebble/cert.pem" \
	    "$T_TMP/pebble/key.pem" "$PEBBLE_CA" "$FRONT_CONTROL" \
	    "$FRONT_LOG" 2>"$T_TMP/front.err" &
	T_PIDS="$T_PIDS $!"
	if ! wait_for 20 curl -sf --cacert "$PEBBLE_CA" "$FRONT_DIR"; then
		echo "FAIL world/front: the test front did not start: $(tail -5 "$T_TMP/front.err")"
		exit 1
	fi
}

# faults RULES: the test front's fault rules from now on (a JSON list).
faults() { printf '{"faults": %s}\n' "$1" >"$FRONT_CONTROL"; }

stop_pebble() {
	kill "$PEBBLE_PID" 2>/dev/null
	wait "$PEBBLE_PID" 2>/dev/null
}

# pebble_count PATTERN: how many Pebble log lines match (e.g. new accounts).
pebble_count() {
	grep -c -- "$1" "$T_TMP/pebble/log"
}

# ca_bundle: Pebble's TLS certificate as cert-manager's caBundle (base64).
ca_bundle() {
	base64 -w0 "$PEBBLE_CA"
}

# yaml_issuer NAME ACCOUNT SOLVERS [LINES]: a ClusterIssuer for Pebble (or
# $SERVER) with account key Secret ACCOUNT, the solvers list (flow YAML)
# and more lines under spec.acme; $ANN, if set, its annotations (flow
# YAML pairs: 'acmec.io/http01-webroot: /srv').
yaml_issuer() {
	_ann=
	[ -z "${ANN:-}" ] || _ann=", annotations: {$ANN}"
	cat <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: $1$_ann}
spec:
  acme:
    server: ${SERVER:-$PEBBLE_DIR}
    caBundle: $(ca_bundle)
    privateKeySecretRef: {name: $2}
    solvers: $3
EOF2
	[ -z "${4:-}" ] || printf '%s\n' "$4"
}

# yaml_cert NAME ISSUER DNSNAME...: a Certificate into Secret NAME-tls;
# $DEPLOY, if set, its deploy hook (acmec.io/deploy-hook, as given).
yaml_cert() {
	_n=$1 _i=$2
	shift 2
	printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\n'
	if [ -n "${DEPLOY:-}" ]; then
		printf 'metadata:\n  name: %s\n  annotations:\n' "$_n"
		printf "    acmec.io/deploy-hook: '%s'\n" "$DEPLOY"
	else
		printf 'metadata: {name: %s}\n' "$_n"
	fi
	printf 'spec:\n  secretName: %s-tls\n' "$_n"
	printf '  issuerRef: {name: %s, kind: ClusterIssuer}\n  dnsNames:\n' "$_i"
	for _d in "$@"; do printf '  - "%s"\n' "$_d"; done
}

# cert_ok NAME DIR KEYDESC NAMES...: the files in DIR are a valid set: the
# chain verifies against Pebble's root, tls.key matches tls.crt, ca.crt is
# the chain's top, the key is KEYDESC (openssl's first line of pkey -text),
# the SANs are exactly NAMES, and the modes are right.
cert_ok() {
	_n=$1 _dir=$2 _kd=$3
	shift 3
	check "$_n/verify" openssl verify -CAfile "$PEBBLE_ROOT" \
	    -untrusted "$_dir/tls.crt" "$_dir/tls.crt"
	check "$_n/ca-verify" openssl verify -CAfile "$PEBBLE_ROOT" \
	    "$_dir/ca.crt"
	openssl x509 -in "$_dir/tls.crt" -noout -pubkey >"$T_TMP/pub1" 2>&1
	openssl pkey -in "$_dir/tls.key" -pubout >"$T_TMP/pub2" 2>&1
	check "$_n/key-matches" cmp "$T_TMP/pub1" "$T_TMP/pub2"
	openssl pkey -in "$_dir/tls.key" -noout -text 2>/dev/null | head -1 \
	    >"$T_TMP/kd"
	grep_in "$_n/key-type" "$T_TMP/kd" "$_kd"
	openssl x509 -in "$_dir/tls.crt" -noout -ext subjectAltName 2>&1 |
	    tail -n +2 | tr ',' '\n' | sed 's/^ *//; s/^DNS://; s/^IP Address://' |
	    sort >"$T_TMP/sans"
	printf '%s\n' "$@" | sort >"$T_TMP/want"
	check "$_n/sans" cmp "$T_TMP/sans" "$T_TMP/want"
	check "$_n/key-mode" test "$(stat -L -c %a "$_dir/tls.key")" = 600
	check "$_n/dir-mode" test "$(stat -L -c %a "$_dir")" = 700
}
