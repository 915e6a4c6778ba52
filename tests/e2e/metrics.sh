#!/bin/sh
# Metrics and monitoring against Pebble: status --format prometheus with
# cert-manager's names (promtool-valid, values from the files themselves),
# renew --metrics-file written atomically (also after a failed run), and
# status --check's Nagios exit statuses 0/1/2/3.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/c.yaml
M=$T_TMP/textfile
mkdir -p "$M"
chmod 755 "$M"
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  yaml_cert web le web.acmec.test; yaml_cert api le api.acmec.test; } >"$C"
A="$ACMEC -c $C -s $S"
epoch() { date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s; }
# sample FILE METRIC LABELS: the value of the one sample of METRIC whose
# labels contain LABELS (a substring such as name="web").
sample() {
	grep "^$2{" "$1" | grep -F "$3" | awk '{print $2}'
}

# Nothing issued yet: not ready, CRITICAL; a file with the run's failure.
expect check-none/check 2 $A status --check
grep_in check-none/line "$T_TMP/out" '^ACMEC CRITICAL - 2 of 2 certificates: web not ready (DoesNotExist), api not ready (DoesNotExist) | certificates=2;;;0 warning=0;;;0 critical=2;;;0$'

expect renew/renew 0 $A renew --metrics-file "$M/acmec.prom"
cert_ok renew-web "$S/secrets/web-tls" "Private-Key: (2048 bit" web.acmec.test
check renew/promtool promtool check metrics <"$M/acmec.prom"
check renew/mode test "$(stat -c %a "$M/acmec.prom")" = 644
check renew/no-temp test "$(ls -A "$M")" = acmec.prom
grep_in renew/run-success "$M/acmec.prom" '^acmec_renew_last_run_success 1$'
grep_in renew/run-renewed "$M/acmec.prom" '^acmec_renew_last_run_certificates{result="renewed"} 2$'
grep_in renew/run-failed "$M/acmec.prom" '^acmec_renew_last_run_certificates{result="failed"} 0$'
now=$(date +%s)
t=$(awk '/^acmec_renew_last_run_timestamp_seconds /{print $2}' "$M/acmec.prom")
check renew/run-time test "$t" -le "$now" -a "$t" -ge $((now - 60))
# How long each issuance took: more than nothing, less than the run.
d=$(awk '/^acmec_renew_last_run_duration_seconds /{print $2}' "$M/acmec.prom")
for n in web api; do
	v=$(sample "$M/acmec.prom" acmec_certificate_last_issuance_duration_seconds "name=\"$n\"")
	check renew/$n-duration awk -v v="$v" -v d="$d" 'BEGIN { exit !(v ~ /^[0-9]+\.[0-9][0-9][0-9]$/ && v > 0 && v <= d) }'
done
check renew/expiry test "$(sample "$M/acmec.prom" certmanager_certificate_expiration_timestamp_seconds 'name="web"')" = "$(epoch "$S/secrets/web-tls/tls.crt")"

# status --format prometheus: promtool-valid, cert-manager's HELP, TYPE,
# labels and values; --json is unchanged as --format json.
expect prom/status 0 $A status --format prometheus
cp "$T_TMP/out" "$T_TMP/prom"
check prom/promtool promtool check metrics <"$T_TMP/prom"
grep_in prom/help "$T_TMP/prom" '^# HELP certmanager_certificate_expiration_timestamp_seconds The timestamp after which the certificate expires, expressed in Unix Epoch Time.$'
grep_in prom/type "$T_TMP/prom" '^# TYPE certmanager_certificate_ready_status gauge$'
grep_in prom/help-ready "$T_TMP/prom" '^# HELP certmanager_certificate_ready_status The ready status of the certificate.$'
grep_in prom/help-renewal "$T_TMP/prom" '^# HELP certmanager_certificate_renewal_timestamp_seconds The timestamp after which the certificate should be renewed, expressed in Unix Epoch Time.$'
grep_in prom/labels "$T_TMP/prom" '^certmanager_certificate_expiration_timestamp_seconds{issuer_group="cert-manager.io",issuer_kind="ClusterIssuer",issuer_name="le",name="api",namespace="default"} [0-9]*$'
grep_in prom/ready-true "$T_TMP/prom" '^certmanager_certificate_ready_status{condition="True",issuer_group="cert-manager.io",issuer_kind="ClusterIssuer",issuer_name="le",name="web",namespace="default"} 1$'
grep_in prom/ready-false "$T_TMP/prom" '^certmanager_certificate_ready_status{condition="False",.*name="web",namespace="default"} 0$'
grep_in prom/ready-unknown "$T_TMP/prom" '^certmanager_certificate_ready_status{condition="Unknown",.*name="web",namespace="default"} 0$'
for n in web api; do
	f=$S/secrets/$n-tls/tls.crt
	na=$(epoch "$f")
	nb=$(date -u -d "$(openssl x509 -in "$f" -noout -startdate | cut -d= -f2)" +%s)
	check prom/$n-expiry test "$(sample "$T_TMP/prom" certmanager_certificate_expiration_timestamp_seconds "name=\"$n\"")" = "$na"
	check prom/$n-not-after test "$(sample "$T_TMP/prom" certmanager_certificate_not_after_timestamp_seconds "name=\"$n\"")" = "$na"
	check prom/$n-not-before test "$(sample "$T_TMP/prom" certmanager_certificate_not_before_timestamp_seconds "name=\"$n\"")" = "$nb"
	# Pebble's certificates: renewal at 2/3 of the lifetime.
	check prom/$n-renewal test "$(sample "$T_TMP/prom" certmanager_certificate_renewal_timestamp_seconds "name=\"$n\"")" = $((nb + (na - nb) * 2 / 3))
	check prom/$n-revision test "$(sample "$T_TMP/prom" acmec_certificate_revision "name=\"$n\"")" = 1
	check prom/$n-failures test "$(sample "$T_TMP/prom" acmec_certificate_failed_attempts "name=\"$n\"")" = 0
done
not_in prom/no-run "$T_TMP/prom" acmec_renew_last_run
expect prom/json 0 $A status --json
cp "$T_TMP/out" "$T_TMP/json1"
expect prom/format-json 0 $A status --format json
check prom/json-alias cmp "$T_TMP/out" "$T_TMP/json1"
expect prom/bad-format 2 $A status --format xml
grep_in prom/bad-format-msg "$T_TMP/err" 'format xml: give table, json or prometheus'

# --check: OK by default, WARNING and CRITICAL with thresholds beyond the
# certificates' lifetime, in days and as Go durations.
left=$(( ($(epoch "$S/secrets/api-tls/tls.crt") - $(date +%s)) / 86400 ))
expect check/ok 0 $A status --check
grep_in check/ok-line "$T_TMP/out" "^ACMEC OK - 2 certificates, next expiry [a-z]* in ${left}d | certificates=2;;;0 warning=0;;;0 critical=0;;;0 next_expiry=[0-9]*s;1814400:;604800:\$"
check check/one-line test "$(wc -l <"$T_TMP/out")" -eq 1
expect check/warn 1 $A status --check --warn 10000d
grep_in check/warn-line "$T_TMP/out" '^ACMEC WARNING - 2 of 2 certificates: web expires in [0-9]*d, api expires in [0-9]*d |'
expect check/warn-hours 1 $A status --check --warn 240000h --crit 1h
expect check/crit 2 $A status --check --warn 10000d --crit 9000d
grep_in check/crit-line "$T_TMP/out" '^ACMEC CRITICAL - 2 of 2 certificates: web expires in'
expect check/named 0 $A status --check web
grep_in check/named-line "$T_TMP/out" '^ACMEC OK - 1 certificate, next expiry web in'
expect check/bad-order 3 $A status --check --warn 1d --crit 2d
grep_in check/bad-order-line "$T_TMP/out" '^ACMEC UNKNOWN - usage error$'
expect check/bad-duration 3 $A status --check --warn soon
grep_in check/bad-duration-msg "$T_TMP/err" 'warn soon: not a duration'
expect check/no-config 3 $ACMEC -c "$T_TMP/missing.yaml" -s "$S" status --check
grep_in check/no-config-line "$T_TMP/out" "^ACMEC UNKNOWN - $T_TMP/missing.yaml: No such file or directory"
check check/no-config-one-line test "$(wc -l <"$T_TMP/out")" -eq 1
expect check/unknown-name 3 $A status --check nosuch
grep_in check/unknown-name-line "$T_TMP/out" '^ACMEC UNKNOWN - nosuch: no Certificate of this name'
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n' >"$T_TMP/empty.yaml"
expect check/no-certificate 3 $ACMEC -c "$T_TMP/empty.yaml" -s "$S" status --check
grep_in check/no-certificate-line "$T_TMP/out" '^ACMEC UNKNOWN - the configuration has no Certificate$'

# A failed renewal (Pebble gone): CRITICAL, and the metrics file says so,
# while the run keeps its own exit status.
stop_pebble
ino=$(stat -c %i "$M/acmec.prom")
expect failed/renew 1 $A renew --force web --metrics-file "$M/acmec.prom"
# Replaced by a rename, never rewritten in place.
check failed/renamed test "$(stat -c %i "$M/acmec.prom")" != "$ino"
check failed/promtool promtool check metrics <"$M/acmec.prom"
check failed/no-temp test "$(ls -A "$M")" = acmec.prom
grep_in failed/run-success "$M/acmec.prom" '^acmec_renew_last_run_success 0$'
grep_in failed/run-failed "$M/acmec.prom" '^acmec_renew_last_run_certificates{result="failed"} 1$'
check failed/attempts test "$(sample "$M/acmec.prom" acmec_certificate_failed_attempts 'name="web"')" = 1
check failed/last-failure test "$(sample "$M/acmec.prom" acmec_certificate_last_failure_timestamp_seconds 'name="web"')" -gt 0
check failed/expiry-kept test "$(sample "$M/acmec.prom" certmanager_certificate_expiration_timestamp_seconds 'name="web"')" = "$(epoch "$S/secrets/web-tls/tls.crt")"
expect failed/check 2 $A status --check
grep_in failed/check-line "$T_TMP/out" '^ACMEC CRITICAL - 1 of 2 certificates: web failing (1 failed attempts, expires in [0-9]*d) |'

# A configuration error: exit 2, and the file says the run failed.
printf 'kind: Certificate\n' >>"$C"
expect bad-config/renew 2 $A renew --metrics-file "$M/acmec.prom"
check bad-config/promtool promtool check metrics <"$M/acmec.prom"
grep_in bad-config/run-success "$M/acmec.prom" '^acmec_renew_last_run_success 0$'
# A metrics file in a missing directory: a usage error before any run.
expect bad-dir/renew 2 $A renew --metrics-file "$T_TMP/nodir/acmec.prom"
grep_in bad-dir/msg "$T_TMP/err" 'metrics-file .*nodir/acmec.prom: cannot open its directory'
# A directory others can write in: refused before the run, with the fix.
mkdir -m 775 "$T_TMP/open"
expect open-dir/renew 2 $A renew --metrics-file "$T_TMP/open/acmec.prom"
grep_in open-dir/msg "$T_TMP/err" "refusing $T_TMP/open: it is writable by its group.*chmod go-w"
check open-dir/nothing test -z "$(ls -A "$T_TMP/open")"

finish
