#!/bin/sh
# make bench: acmec against certbot, lego and uacme on the same loopback
# world as the tests (Pebble with PEBBLE_VA_NOSLEEP=1, no rejected nonces,
# no authorization reuse; BIND9 for DNS), in private network and mount
# namespaces (Pebble's TLS certificate is made trusted there, for the
# peers).  Medians of wall time, CPU and peak RSS; the table goes to stdout
# and tests/bench/last-run.md.  BENCH_RUNS sets the repetitions (5).
set -u
if [ -z "${ACMEC_IN_NETNS:-}" ]; then
	export ACMEC_IN_NETNS=1
	exec unshare -n -m sh "$0" "$@"
fi
NEED_NETNS=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export ACMEC=${ACMEC:-$TOP/acmec}
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/world.sh"
RUNS=${BENCH_RUNS:-5}
M="python3 $TOP/tests/bench/measure.py"
OUT=$TOP/tests/bench/last-run.md

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
# The peers trust the system store: add Pebble's certificate to it, in
# this mount namespace only.
cat /etc/ssl/certs/ca-certificates.crt "$PEBBLE_CA" >"$T_TMP/ca-bundle.crt"
mount --bind "$T_TMP/ca-bundle.crt" /etc/ssl/certs/ca-certificates.crt
export REQUESTS_CA_BUNDLE=$T_TMP/ca-bundle.crt SSL_CERT_FILE=$T_TMP/ca-bundle.crt
export LEGO_CA_CERTIFICATES=$PEBBLE_CA

B=$T_TMP/bench
mkdir -p "$B/www"
python3 -m http.server --bind 127.0.0.1 --directory "$B/www" 8080 >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"

# median FILE COLUMN: the median of a column of numbers.
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR]=$c} END{print v[int((NR+1)/2)]}'; }
# row WORKLOAD TOOL FILE: a table row from measurements.
row() {
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$(median "$3" 1)" \
	    "$(median "$3" 2)" "$(median "$3" 3)" "$(awk '$4!=0{f++} END{print f+0}' "$3")/$(wc -l <"$3")" >>"$T_TMP/table"
}
: >"$T_TMP/table"
# pin_ec FILE: the Certificates in FILE get ECDSA P-256 keys, as certbot and
# lego are run with here (cert-manager's default, RSA 2048, is slower to make).
pin_ec() { sed -i 's/^  issuerRef: .*/&\n  privateKey: {algorithm: ECDSA}/' "$1"; }

# --- tools ------------------------------------------------------------
yaml_issuer le acmec-account '[{http01: {ingress: {}}}]' >"$B/acmec.yaml"
yaml_cert p1 le p1a.acmec.test p1b.acmec.test >>"$B/acmec.yaml"
pin_ec "$B/acmec.yaml"
acmec_p1() { $M "$ACMEC" -c "$B/acmec.yaml" -s "$B/acmec" issue p1; }
certbot_p1() {
	$M certbot certonly --standalone --http-01-port 80 -d p1a.acmec.test \
	    -d p1b.acmec.test --cert-name p1 --force-renewal --key-type ecdsa \
	    --non-interactive --agree-tos -m ops@acmec.test --server "$PEBBLE_DIR" \
	    --config-dir "$B/certbot" --work-dir "$B/certbot-w" --logs-dir "$B/certbot-l"
}
lego_p1() {
	$M lego --server "$PEBBLE_DIR" --accept-tos --email ops@acmec.test \
	    --path "$B/lego" --key-type ec256 --http --http.port :80 \
	    --domains p1a.acmec.test --domains p1b.acmec.test run
}
# uacme's hook puts the token where a static web server (port 8080) serves
# it; an iptables-free redirect is not possible here, so port 80 is that
# server for uacme: python listens on 80 while uacme runs.
cat >"$B/uacme-hook" <<EOF2
#!/bin/sh
# uacme hook: METHOD TYPE IDENT TOKEN AUTH
[ "\$2" = http-01 ] || exit 1
case "\$1" in
begin) mkdir -p "$B/www/.well-known/acme-challenge" && printf '%s' "\$5" >"$B/www/.well-known/acme-challenge/\$4" ;;
done|failed) rm -f "$B/www/.well-known/acme-challenge/\$4" ;;
esac
EOF2
chmod +x "$B/uacme-hook"
python3 -m http.server --bind 127.0.0.1 --directory "$B/www" 80 >/dev/null 2>&1 &
WWW80=$!
uacme_p1() { $M uacme -a "$PEBBLE_DIR" -y -f -c "$B/uacme" -t EC -h "$B/uacme-hook" issue p1a.acmec.test p1b.acmec.test; }
uacme_setup() { uacme -a "$PEBBLE_DIR" -y -c "$B/uacme" -t EC new ops@acmec.test >/dev/null 2>&1; }

# --- P1 ---------------------------------------------------------------
echo "== P1: one certificate, two names, EC P-256, http-01, account registered" >&2
# Warm-up (and accounts) for everyone; uacme needs port 80 for its server.
kill -9 "$WWW80"; wait "$WWW80" 2>/dev/null
acmec_p1 >/dev/null; certbot_p1 >/dev/null; lego_p1 >/dev/null
python3 -m http.server --bind 127.0.0.1 --directory "$B/www" 80 >/dev/null 2>&1 &
WWW80=$!
sleep 0.5
uacme_setup; uacme_p1 >/dev/null
kill -9 "$WWW80"; wait "$WWW80" 2>/dev/null
i=0
while [ $i -lt "$RUNS" ]; do
	acmec_p1 >>"$T_TMP/p1-acmec"
	certbot_p1 >>"$T_TMP/p1-certbot"
	lego_p1 >>"$T_TMP/p1-lego"
	python3 -m http.server --bind 127.0.0.1 --directory "$B/www" 80 >/dev/null 2>&1 &
	WWW80=$!
	sleep 0.3
	uacme_p1 >>"$T_TMP/p1-uacme"
	kill -9 "$WWW80"; wait "$WWW80" 2>/dev/null
	i=$((i + 1))
done
for t in acmec certbot lego uacme; do row P1 "$t" "$T_TMP/p1-$t"; done
# acmec's own count of requests and connections for one order.
"$ACMEC" -v -c "$B/acmec.yaml" -s "$B/acmec" issue p1 2>"$T_TMP/p1-v"
P1_COUNTS=$(sed -n "s/.*issuer 'le': \(.*\)/\1/p" "$T_TMP/p1-v")
# (The counts include the directory request and the first nonce.)

# --- P2 ---------------------------------------------------------------
echo "== P2: renew, nothing due" >&2
P2_N=${BENCH_P2_CERTS:-10000}
P2_SHOWN=$(python3 -c "print(f'{$P2_N:,}')")
{ yaml_issuer le acmec-account '[{http01: {ingress: {}}}]'
  i=0; while [ $i -lt "$P2_N" ]; do yaml_cert "c$i" le same.acmec.test; i=$((i + 1)); done; } >"$B/p2.yaml"
pin_ec "$B/p2.yaml"
"$ACMEC" -c "$B/p2.yaml" -s "$B/p2" issue c0 >/dev/null 2>&1
cp "$B/acmec/secrets/acmec-account/tls.key" "$B/p2/secrets/acmec-account/" 2>/dev/null
python3 "$TOP/tests/bench/p2_copies.py" "$B/p2" "$P2_N"
"$ACMEC" -c "$B/p2.yaml" -s "$B/p2" renew >/dev/null 2>&1 # warm-up, locks made
i=0
while [ $i -lt "$RUNS" ]; do
	$M "$ACMEC" -c "$B/p2.yaml" -s "$B/p2" renew >>"$T_TMP/p2-acmec"
	$M certbot renew --config-dir "$B/certbot" --work-dir "$B/certbot-w" \
	    --logs-dir "$B/certbot-l" --non-interactive >>"$T_TMP/p2-certbot"
	i=$((i + 1))
done
row "P2 (acmec: $P2_SHOWN certificates)" acmec "$T_TMP/p2-acmec"
row "P2 (certbot: 1 lineage)" certbot "$T_TMP/p2-certbot"

# --- P3 ---------------------------------------------------------------
echo "== P3: 50 one-name certificates" >&2
{ yaml_issuer le acmec-account '[{http01: {ingress: {}}}]'
  i=0; while [ $i -lt 50 ]; do yaml_cert "m$i" le "m$i.acmec.test"; i=$((i + 1)); done; } >"$B/p3.yaml"
pin_ec "$B/p3.yaml"
cp -a "$B/acmec/secrets/acmec-account" "$B/p3-secrets-account" 2>/dev/null
mkdir -p "$B/p3/secrets" && cp -a "$B/acmec/secrets/acmec-account" "$B/p3/secrets/"
$M "$ACMEC" -c "$B/p3.yaml" -s "$B/p3" renew --force --jobs 4 >>"$T_TMP/p3-acmec"
cat >"$B/p3-lego.sh" <<EOF2
i=0; while [ \$i -lt 50 ]; do
lego --server "$PEBBLE_DIR" --accept-tos --email ops@acmec.test --path "$B/lego" \
    --key-type ec256 --http --http.port :80 --domains m\$i.acmec.test run >/dev/null 2>&1 || exit 1
i=\$((i + 1)); done
EOF2
$M sh "$B/p3-lego.sh" >>"$T_TMP/p3-lego"
cat >"$B/p3-uacme.sh" <<EOF2
i=0; while [ \$i -lt 50 ]; do
uacme -a "$PEBBLE_DIR" -y -f -c "$B/uacme" -t EC -h "$B/uacme-hook" issue m\$i.acmec.test >/dev/null 2>&1 || exit 1
i=\$((i + 1)); done
EOF2
python3 -m http.server --bind 127.0.0.1 --directory "$B/www" 80 >/dev/null 2>&1 &
WWW80=$!
sleep 0.3
$M sh "$B/p3-uacme.sh" >>"$T_TMP/p3-uacme"
kill -9 "$WWW80"; wait "$WWW80" 2>/dev/null
for t in acmec lego uacme; do row P3 "$t" "$T_TMP/p3-$t"; done

# --- P4 ---------------------------------------------------------------
echo "== P4: dns-01, wildcard and apex, RFC 2136 to BIND9" >&2
mkdir -p "$B/p4/secrets/tsig"
printf '%s\n' "$DNS_SECRET" >"$B/p4/secrets/tsig/secret"
cp -a "$B/acmec/secrets/acmec-account" "$B/p4/secrets/"
{ yaml_issuer le acmec-account '[{dns01: {rfc2136: {nameserver: "127.0.0.1:53", tsigKeyName: acme-key, tsigAlgorithm: HMACSHA256, tsigSecretSecretRef: {name: tsig, key: secret}}}}]'
  yaml_cert p4 le p4.acmec.test '*.p4.acmec.test'; } >"$B/p4.yaml"
pin_ec "$B/p4.yaml"
"$ACMEC" -c "$B/p4.yaml" -s "$B/p4" issue >/dev/null 2>&1
i=0
while [ $i -lt "$RUNS" ]; do
	$M "$ACMEC" -c "$B/p4.yaml" -s "$B/p4" issue >>"$T_TMP/p4-acmec"
	i=$((i + 1))
done
export RFC2136_NAMESERVER=127.0.0.1:53 RFC2136_TSIG_KEY=acme-key. \
    RFC2136_TSIG_SECRET="$DNS_SECRET" RFC2136_TSIG_ALGORITHM=hmac-sha256.
$M lego --server "$PEBBLE_DIR" --accept-tos --email ops@acmec.test --path "$B/lego" \
    --key-type ec256 --dns rfc2136 --dns.resolvers 127.0.0.1:53 \
    --domains p4.acmec.test --domains '*.p4.acmec.test' run >>"$T_TMP/p4-lego"
printf 'dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = 53\ndns_rfc2136_name = acme-key\ndns_rfc2136_secret = %s\ndns_rfc2136_algorithm = HMAC-SHA256\n' \
    "$DNS_SECRET" >"$B/rfc2136.ini"
chmod 600 "$B/rfc2136.ini"
$M certbot certonly --dns-rfc2136 --dns-rfc2136-credentials "$B/rfc2136.ini" \
    -d p4.acmec.test -d '*.p4.acmec.test' --cert-name p4 --key-type ecdsa \
    --non-interactive --agree-tos -m ops@acmec.test --server "$PEBBLE_DIR" \
    --config-dir "$B/certbot" --work-dir "$B/certbot-w" --logs-dir "$B/certbot-l" >>"$T_TMP/p4-certbot"
for t in acmec lego certbot; do row P4 "$t" "$T_TMP/p4-$t"; done

# --- report -----------------------------------------------------------
ratio() { # WORKLOAD COLUMN PEER: acmec/peer
	a=$(grep "^| $1 | acmec |" "$T_TMP/table" | cut -d'|' -f"$2")
	p=$(grep "^| $1 | $3 |" "$T_TMP/table" | cut -d'|' -f"$2")
	awk -v a="$a" -v p="$p" 'BEGIN { if (p > 0) printf "%.3f", a / p; else print "-" }'
}
{
	echo "# acmec benchmark"
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -m), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)."
	echo "acmec $("$ACMEC" --version | cut -d' ' -f2), certbot $(certbot --version 2>&1 | cut -d' ' -f2), lego $(lego --version | sed -n 's/.*version \([^ ]*\).*/\1/p'), uacme $(uacme -V 2>&1 | head -1 | sed 's/^uacme: version //'); Pebble 2.4.0 with PEBBLE_VA_NOSLEEP=1."
	echo "Medians of $RUNS runs after a warm-up (P3 and P4 peers: one run)."
	echo
	echo "| workload | tool | wall ms | CPU ms | peak RSS KiB | failed |"
	echo "|---|---|---|---|---|---|"
	cat "$T_TMP/table"
	echo
	echo "Ratios acmec/peer (wall, CPU):"
	for w in P1 P3; do
		for p in certbot lego uacme; do
			grep -q "^| $w | $p |" "$T_TMP/table" &&
			    echo "- $w vs $p: wall $(ratio $w 4 $p), CPU $(ratio $w 5 $p)"
		done
	done
	for p in lego certbot; do
		echo "- P4 vs $p: wall $(ratio P4 4 $p), CPU $(ratio P4 5 $p)"
	done
	echo
	echo "acmec per P1 order (two names, account known): $P1_COUNTS."
	echo "P2: acmec renews $P2_SHOWN certificates with nothing due; certbot renews its one P1 lineage, so its time is per lineage."
} | tee "$OUT"
finish
