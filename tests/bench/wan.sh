#!/bin/sh
# make bench-wan: acmec against lego, uacme and certbot over a link like a
# real CA's: Pebble behind tests/bench/delay_proxy.py, which holds every
# chunk BENCH_DELAY_MS (25) milliseconds each way (a 50 ms round trip).
# Every client answers http-01 through one static web server (webroot),
# so only the link differs from make bench.  P5: one certificate for two
# names; P6: one certificate for 100 names (certbot left out: minutes);
# P3w: 50 one-name certificates, acmec renew --force --jobs 16 against a
# loop of lego runs.
# Medians of BENCH_RUNS (3) runs after a warm-up; acmec's HTTP requests
# and TLS connections per order are printed beside its time.  The table
# goes to stdout and tests/bench/last-wan.md.  BENCH_TOOLS (e.g. "acmec
# lego") limits the clients run.
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
RUNS=${BENCH_RUNS:-3}
DELAY=${BENCH_DELAY_MS:-25}
M="python3 $TOP/tests/bench/measure.py"
export MEASURE_LOG=${MEASURE_LOG:-$T_TMP/peers.log}
OUT=$TOP/tests/bench/last-wan.md

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
python3 "$TOP/tests/bench/delay_proxy.py" 14100 14000 "$DELAY" >"$T_TMP/proxy" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 grep -q ready "$T_TMP/proxy" || { echo "FAIL wan/proxy"; exit 1; }
SERVER=https://127.0.0.1:14100/dir
cat /etc/ssl/certs/ca-certificates.crt "$PEBBLE_CA" >"$T_TMP/ca-bundle.crt"
mount --bind "$T_TMP/ca-bundle.crt" /etc/ssl/certs/ca-certificates.crt
export REQUESTS_CA_BUNDLE=$T_TMP/ca-bundle.crt SSL_CERT_FILE=$T_TMP/ca-bundle.crt
export LEGO_CA_CERTIFICATES=$PEBBLE_CA

B=$T_TMP/bench
W=$B/www
mkdir -p "$W/.well-known/acme-challenge"
python3 "$TOP/tests/bench/www.py" 80 "$W" >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
cat >"$B/uacme-hook" <<EOF2
#!/bin/sh
[ "\$2" = http-01 ] || exit 1
case "\$1" in
begin) printf '%s' "\$5" >"$W/.well-known/acme-challenge/\$4" ;;
done|failed) rm -f "$W/.well-known/acme-challenge/\$4" ;;
esac
EOF2
chmod +x "$B/uacme-hook"

median() { sort -n -k"$2" "$1" | awk -v c="$2" '{v[NR]=$c} END{print v[int((NR+1)/2)]}'; }
: >"$T_TMP/table"
row() {
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$(median "$3" 1)" \
	    "$(median "$3" 2)" "$(median "$3" 3)" "$(awk '$4!=0{f++} END{print f+0}' "$3")/$(wc -l <"$3")" >>"$T_TMP/table"
}
# names PREFIX N: PREFIX0.acmec.test ... as arguments.
names() { nk=0; while [ "$nk" -lt "$2" ]; do echo "$1$nk.acmec.test"; nk=$((nk + 1)); done; }

# conf WORKLOAD N: acmec's configuration (webroot, EC P-256).
conf() {
	ANN="acmec.io/http01-webroot: $W" SERVER=$SERVER \
	    yaml_issuer le acmec-account '[{http01: {ingress: {}}}]'
	# shellcheck disable=SC2046
	yaml_cert "$1" le $(names "$1-" "$2")
	echo "  privateKey: {algorithm: ECDSA}"
}
acmec_run() { $M "$ACMEC" -c "$B/$1.yaml" -s "$B/acmec" issue "$1"; }
lego_run() {
	# shellcheck disable=SC2046
	$M lego --server "$SERVER" --accept-tos --email ops@acmec.test \
	    --path "$B/lego" --key-type ec256 --http --http.webroot "$W" \
	    $(names "$1-" "$2" | sed 's/^/--domains /') run
}
uacme_run() {
	# shellcheck disable=SC2046
	$M uacme -a "$SERVER" -y -f -c "$B/uacme" -t EC -h "$B/uacme-hook" \
	    issue $(names "$1-" "$2")
}
certbot_run() {
	# shellcheck disable=SC2046
	$M certbot certonly --webroot -w "$W" --cert-name "$1" --force-renewal \
	    --key-type ecdsa --non-interactive --agree-tos -m ops@acmec.test \
	    --server "$SERVER" --config-dir "$B/certbot" --work-dir "$B/certbot-w" \
	    --logs-dir "$B/certbot-l" $(names "$1-" "$2" | sed 's/^/-d /')
}
uacme -a "$SERVER" -y -c "$B/uacme" -t EC new ops@acmec.test >/dev/null 2>&1

# workload NAME N TOOLS...: a warm-up, then RUNS measured runs each.
# (Variables wl_*: world.sh's helpers use _n and the like.)
workload() {
	wl_w=$1 wl_n=$2
	shift 2
	conf "$wl_w" "$wl_n" >"$B/$wl_w.yaml"
	echo "== $wl_w: one certificate, $wl_n names, ${DELAY} ms each way" >&2
	for wl_t in "$@"; do "${wl_t}_run" "$wl_w" "$wl_n" >/dev/null; done
	wl_i=0
	while [ "$wl_i" -lt "$RUNS" ]; do
		for wl_t in "$@"; do
			"${wl_t}_run" "$wl_w" "$wl_n" >>"$T_TMP/$wl_w-$wl_t"
		done
		wl_i=$((wl_i + 1))
	done
	for wl_t in "$@"; do row "$wl_w" "$wl_t" "$T_TMP/$wl_w-$wl_t"; done
	"$ACMEC" -v -c "$B/$wl_w.yaml" -s "$B/acmec" issue "$wl_w" 2>"$T_TMP/$wl_w-v"
	sed -n "s/.*issuer 'le': \(.*\)/$wl_w: \1/p" "$T_TMP/$wl_w-v" >>"$T_TMP/counts"
}
: >"$T_TMP/counts"
# only TOOLS...: those of TOOLS that BENCH_TOOLS names (all by default).
only() { for o in "$@"; do case " ${BENCH_TOOLS:-$*} " in *" $o "*) echo "$o" ;; esac; done; }
# shellcheck disable=SC2046
workload p5 2 $(only acmec lego uacme certbot)
# shellcheck disable=SC2046
[ -n "${BENCH_P5_ONLY:-}" ] || workload p6 100 $(only acmec lego uacme)

# p3w: 50 one-name certificates renewed at once over the link (acmec
# renew --force --jobs 16) against lego run once per certificate (one run:
# about 40 s).
p3w() {
	[ -n "${BENCH_P5_ONLY:-}" ] && return
	echo "== p3w: 50 one-name certificates, renew --force, ${DELAY} ms each way" >&2
	{ ANN="acmec.io/http01-webroot: $W" SERVER=$SERVER \
	    yaml_issuer le acmec-account '[{http01: {ingress: {}}}]'
	  pk=0; while [ $pk -lt 50 ]; do
		yaml_cert "m$pk" le "m$pk.acmec.test"
		echo "  privateKey: {algorithm: ECDSA}"
		pk=$((pk + 1))
	  done; } >"$B/p3w.yaml"
	"$ACMEC" -c "$B/p3w.yaml" -s "$B/acmec" renew --force --jobs 16 >/dev/null 2>&1
	pk=0
	while [ "$pk" -lt "$RUNS" ]; do
		$M "$ACMEC" -c "$B/p3w.yaml" -s "$B/acmec" renew --force --jobs 16 >>"$T_TMP/p3w-acmec"
		pk=$((pk + 1))
	done
	row p3w acmec "$T_TMP/p3w-acmec"
	case " ${BENCH_TOOLS:-lego} " in *" lego "*) ;; *) return ;; esac
	cat >"$B/p3w-lego.sh" <<EOF2
i=0; while [ \$i -lt 50 ]; do
lego --server "$SERVER" --accept-tos --email ops@acmec.test --path "$B/lego" \
    --key-type ec256 --http --http.webroot "$W" --domains m\$i.acmec.test run >/dev/null 2>&1 || exit 1
i=\$((i + 1)); done
EOF2
	$M sh "$B/p3w-lego.sh" >>"$T_TMP/p3w-lego"
	row p3w lego "$T_TMP/p3w-lego"
}
p3w

ratio() { # WORKLOAD PEER: acmec/peer wall
	a=$(grep "^| $1 | acmec |" "$T_TMP/table" | cut -d'|' -f4)
	p=$(grep "^| $1 | $2 |" "$T_TMP/table" | cut -d'|' -f4)
	awk -v a="$a" -v p="$p" 'BEGIN { if (p > 0) printf "%.3f", a / p; else print "-" }'
}
{
	echo "# acmec benchmark over a slow link (make bench-wan)"
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -m), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)."
	echo "Pebble 2.4.0 behind tests/bench/delay_proxy.py: ${DELAY} ms each way; http-01 by webroot for every client."
	echo "Medians of $RUNS runs after a warm-up."
	echo
	echo "| workload | tool | wall ms | CPU ms | peak RSS KiB | failed |"
	echo "|---|---|---|---|---|---|"
	cat "$T_TMP/table"
	echo
	echo "Ratios acmec/peer (wall):"
	for w in p5 p6 p3w; do
		for p in lego uacme certbot; do
			grep -q "^| $w | $p |" "$T_TMP/table" &&
			    echo "- $w vs $p: $(ratio $w $p)"
		done
	done
	echo
	echo "acmec per order, a run after the measured ones (HTTP requests; rounds: the round trips waited for after the TLS handshake; TLS connections):"
	sed 's/^/- /' "$T_TMP/counts"
} | tee "$OUT"
finish
