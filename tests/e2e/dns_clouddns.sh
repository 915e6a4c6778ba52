#!/bin/sh
# dns-01 through Google Cloud DNS (cert-manager's dns01.cloudDNS): a
# wildcard + apex certificate through the fake of the API
# (tests/lib/fake_dns_gcp.py, which checks the service account's RS256
# assertion against the public half of a key made for this run, and
# writes to the test BIND9 that Pebble asks), with a service-account key
# and with the metadata server; someone else's value in the same record
# set survives; hostedZoneName; a refused key, a project the account
# cannot see, a missing metadata server and rate limits end with Google's
# words and nothing left; hostile key files and answers are refused; no
# key, assertion or access token reaches a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

# The fake's RS256 verifier, proved on RFC 7515 A.2 before it judges
# acmec's assertions.
expect fake/rs256-selftest 0 python3 "$T_TOP/tests/lib/fake_dns_gcp.py" --selftest
check fake/rs256-all-5 test "$(grep -c '^PASS' "$T_TMP/out")" -eq 5

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S/secrets/gcp" "$S/secrets/gcp-old" "$S/secrets/gcp-http" \
    "$S/secrets/gcp-elsewhere"
chmod 700 "$S" "$S/secrets"

# sa_json PEM [TOKEN_URI]: a service account's key file as Google makes
# one (test key, made for this run).
sa_json() {
	python3 - "$1" "$GCP_SA_EMAIL" \
	    "${2:-https://oauth2.googleapis.com/token}" <<'EOF'
import json, sys
print(json.dumps({
    "type": "service_account", "project_id": "acmec-test",
    "private_key_id": "3f1c9a7e5b2d4c6e8a0b1d3f5e7a9c1b3d5f7e9a",
    "private_key": open(sys.argv[1]).read(), "client_email": sys.argv[2],
    "client_id": "104729834756102938475",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": sys.argv[3],
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "universe_domain": "googleapis.com"}, indent=2))
EOF
}
sa_json "$GCP_SA_PEM" >"$S/secrets/gcp/key.json"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T_TMP/old.pem" 2>/dev/null
sa_json "$T_TMP/old.pem" >"$S/secrets/gcp-old/key.json"
sa_json "$GCP_SA_PEM" http://oauth2.googleapis.com/token \
    >"$S/secrets/gcp-http/key.json"
sa_json "$GCP_SA_PEM" https://dns.googleapis.com/token \
    >"$S/secrets/gcp-elsewhere/key.json"
chmod 600 "$S"/secrets/*/*
KEY_LINE=$(sed -n 2p "$GCP_SA_PEM")

# conf NAME CLOUDDNS-FLOW-YAML DNSNAME...: an issuer and a Certificate.
conf() {
	_n=$1 _g=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {cloudDNS: $_g,
      nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
run() { with_api_world "$ACMEC" -s "$S" "$@"; }
run_meta() {
	with_api_world env GCE_METADATA_HOST="127.0.0.1:$FAKE_IMDS_PORT" \
	    "$ACMEC" -s "$S" "$@"
}
SA="project: $GCP_PROJECT, serviceAccountSecretRef: {name: gcp, key: key.json}"
ZONE_API=/dns/v1/projects/$GCP_PROJECT/managedZones

# foreign VALUE NAME: someone else's TXT value at NAME, put through the
# API with the metadata server's token.
foreign() {
	_tok=$(curl -sf -H 'Metadata-Flavor: Google' "http://127.0.0.1:$FAKE_IMDS_PORT/computeMetadata/v1/instance/service-accounts/default/token" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
	curl -sf --cacert "$FAKE_API_CA" \
	    --resolve "dns.googleapis.com:$FAKE_API_PORT:127.0.0.1" \
	    -H "Authorization: Bearer $_tok" -H 'Content-Type: application/json' \
	    -d "{\"additions\": [{\"name\": \"$2.\", \"type\": \"TXT\", \"ttl\": 300, \"rrdatas\": [\"\\\"$1\\\"\"]}]}" \
	    "https://dns.googleapis.com:$FAKE_API_PORT$ZONE_API/acmec-test/changes" >/dev/null
}
# since N PATTERN: request-log lines past line N matching PATTERN.
since() { tail -n +"$(($1 + 1))" "$FAKE_API_LOG" | grep -c -- "$2"; }
lines() { wc -l <"$FAKE_API_LOG"; }

# The fake, as Google: no token, no DNS; no Metadata-Flavor, no token.
check fake/dns-needs-token test "$(curl -s -o /dev/null -w '%{http_code}' \
    --cacert "$FAKE_API_CA" --resolve "dns.googleapis.com:$FAKE_API_PORT:127.0.0.1" \
    "https://dns.googleapis.com:$FAKE_API_PORT$ZONE_API")" = 401
check fake/metadata-needs-flavor test "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$FAKE_IMDS_PORT/computeMetadata/v1/instance/service-accounts/default/token")" = 403

# A service-account key; wildcard and apex share one name, where someone
# else's value already is: one change adds both of ours beside it.
foreign someone-else _acme-challenge.gcp.acmec.test
check foreign/there test "$(txt _acme-challenge.gcp.acmec.test)" = someone-else
conf key "{$SA}" gcp.acmec.test '*.gcp.acmec.test' >"$T_TMP/key.yaml"
expect key/issue 0 run -vv -c "$T_TMP/key.yaml" issue
cert_ok key "$S/secrets/key-tls" "Private-Key: (2048 bit" gcp.acmec.test '*.gcp.acmec.test'
grep_in key/added "$T_TMP/err" 'cloudDNS: added 2 TXT records at _acme-challenge.gcp.acmec.test'
check key/jwt grep -q 'gcp POST /token auth=jwt:sa status=200' "$FAKE_API_LOG"
check key/public-zone grep -q "gcp GET $ZONE_API?dnsName=acmec.test. auth=sa status=200" "$FAKE_API_LOG"
check key/changes test "$(fake_api_count "gcp POST $ZONE_API/acmec-test/changes auth=sa status=200")" -eq 2
check key/polled grep -q "gcp GET $ZONE_API/acmec-test/changes/[0-9]* auth=sa status=200" "$FAKE_API_LOG"
check key/not-private test "$(fake_api_count 'acmec-test-internal')" -eq 0
check key/bind-both test "$(fake_api_count 'bind add _acme-challenge.gcp.acmec.test')" -eq 3
check key/foreign-kept test "$(txt _acme-challenge.gcp.acmec.test)" = someone-else
check key/foreign-never-removed test "$(fake_api_count 'bind del .*someone-else')" -eq 0
not_in key/no-private-key "$T_TMP/err" "$KEY_LINE"
not_in key/no-access-token "$T_TMP/err" 'ya29\.'
not_in key/no-assertion "$T_TMP/err" 'eyJhbGciOiJSUzI1NiIs'

# hostedZoneName: no lookup; a zone that is not there: Google's words.
n=$(lines)
conf hz "{$SA, hostedZoneName: acmec-test}" hz.acmec.test >"$T_TMP/hz.yaml"
expect hosted-zone/issue 0 run -c "$T_TMP/hz.yaml" issue
check hosted-zone/no-lookup test "$(since "$n" 'managedZones?')" -eq 0
check hosted-zone/used test "$(since "$n" "POST $ZONE_API/acmec-test/changes auth=sa status=200")" -eq 2
check hosted-zone/bind-clean test -z "$(txt _acme-challenge.hz.acmec.test)"
conf hz2 "{$SA, hostedZoneName: no-such-zone}" hz2.acmec.test >"$T_TMP/hz2.yaml"
expect hosted-zone-missing/exit 1 run -c "$T_TMP/hz2.yaml" issue
grep_in hosted-zone-missing/words "$T_TMP/err" "cloudDNS: reading the TXT records at _acme-challenge.hz2.acmec.test: HTTP 404: notFound: The 'parameters.managedZone' resource named 'no-such-zone' does not exist."

# Managed zones one per page: the private zone of the name comes first;
# the public one, on the next page, is the one written to.
fake_api_mode '{"gcp_page_size": 1}'
n=$(lines)
conf pg "{$SA}" pg.acmec.test >"$T_TMP/pg.yaml"
expect pages/issue 0 run -c "$T_TMP/pg.yaml" issue
check pages/next-page test "$(since "$n" 'managedZones?dnsName=acmec.test.&pageToken=')" -ge 1
check pages/public test "$(since "$n" "POST $ZONE_API/acmec-test/changes auth=sa")" -eq 2
fake_api_mode '{}'

# The metadata server's token (no key in the configuration).
conf meta "{project: $GCP_PROJECT}" meta.acmec.test '*.meta.acmec.test' >"$T_TMP/meta.yaml"
n=$(lines)
expect metadata/issue 0 run_meta -vv -c "$T_TMP/meta.yaml" issue
cert_ok metadata "$S/secrets/meta-tls" "Private-Key: (2048 bit" meta.acmec.test '*.meta.acmec.test'
check metadata/token grep -q 'gcemeta GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fndev.clouddns.readwrite auth=meta:node status=200' "$FAKE_API_LOG"
check metadata/changes test "$(since "$n" "gcp POST $ZONE_API/acmec-test/changes auth=node status=200")" -eq 2
check metadata/bind-clean test -z "$(txt _acme-challenge.meta.acmec.test)"
not_in metadata/no-access-token "$T_TMP/err" 'ya29\.'
# ... and none there: what to give instead.
with_api_world env GCE_METADATA_HOST=127.0.0.1:9 "$ACMEC" -s "$S" -c "$T_TMP/meta.yaml" issue >"$T_TMP/out" 2>"$T_TMP/err"
check no-metadata/exit test $? -eq 1
grep_in no-metadata/words "$T_TMP/err" 'cloudDNS: no serviceAccountSecretRef, and the metadata server at 127.0.0.1:9 does not answer'

# A key Google no longer knows (deleted, or another key of the account):
# its assertion is refused with Google's words; nothing written.
n=$(lines)
conf old "{project: $GCP_PROJECT, serviceAccountSecretRef: {name: gcp-old, key: key.json}}" old.acmec.test >"$T_TMP/old.yaml"
expect refused-key/exit 1 run -c "$T_TMP/old.yaml" issue
grep_in refused-key/words "$T_TMP/err" "cloudDNS: exchanging the assertion of $GCP_SA_EMAIL at https://oauth2.googleapis.com/token: HTTP 400: invalid_grant: Invalid JWT Signature."
check refused-key/no-dns-call test "$(since "$n" 'gcp .*/dns/v1/')" -eq 0
check refused-key/none-left test -z "$(txt _acme-challenge.old.acmec.test)"

# A project the account has no role in.
conf fp "{project: foreign-project, serviceAccountSecretRef: {name: gcp, key: key.json}}" fp.acmec.test >"$T_TMP/fp.yaml"
expect foreign-project/exit 1 run -c "$T_TMP/fp.yaml" issue
grep_in foreign-project/words "$T_TMP/err" 'cloudDNS: finding the managed zone of acmec.test in project foreign-project: HTTP 403: forbidden: Forbidden'
check foreign-project/none-left test -z "$(txt _acme-challenge.fp.acmec.test)"

# Someone else changes the set between our read and our change, twice:
# 409, then 412; read again each time, and their values stay.
fake_api_mode '{"gcp_interloper": 2}'
conf race "{$SA}" race.acmec.test >"$T_TMP/race.yaml"
expect race/issue 0 run -c "$T_TMP/race.yaml" issue
grep_in race/409 "$T_TMP/err" 'cloudDNS: the TXT records at _acme-challenge.race.acmec.test changed meanwhile (HTTP 409)'
grep_in race/412 "$T_TMP/err" 'cloudDNS: the TXT records at _acme-challenge.race.acmec.test changed meanwhile (HTTP 412)'
check race/theirs-kept test "$(txt _acme-challenge.race.acmec.test | tr '\n' ' ')" = "interloper-1 interloper-2 "
# ... and between cleanup's read and its change (412): ours out, theirs in.
fake_api_mode '{"gcp_interloper_skip": 1, "gcp_interloper": 1}'
conf race2 "{$SA}" race2.acmec.test >"$T_TMP/race2.yaml"
expect race-cleanup/issue 0 run -c "$T_TMP/race2.yaml" issue
grep_in race-cleanup/412 "$T_TMP/err" 'cloudDNS: the TXT records at _acme-challenge.race2.acmec.test changed meanwhile (HTTP 412)'
check race-cleanup/theirs-kept test "$(txt _acme-challenge.race2.acmec.test)" = interloper-3
not_in race-cleanup/no-leftover-warning "$T_TMP/err" 'stay: remove them by hand'
fake_api_mode '{}'

# Rate limited twice (Google sends no Retry-After): waited out, issued;
# then past patience: Google's words, exit 1, nothing left.
rate_limited gcp_429 'cloudDNS asks to wait 1 s (HTTP 429)' \
    'cloudDNS: finding the managed zone of acmec.test in project acmec-test: HTTP 429: rateLimitExceeded: Rate Limit Exceeded' \
    "{$SA}"

# Hostile key files: a token_uri in clear, or not Google's; the assertion
# goes nowhere.
n=$(lines)
conf http "{project: $GCP_PROJECT, serviceAccountSecretRef: {name: gcp-http, key: key.json}}" http.acmec.test >"$T_TMP/http.yaml"
expect token-uri-http/exit 1 run -c "$T_TMP/http.yaml" issue
grep_in token-uri-http/words "$T_TMP/err" "token_uri 'http://oauth2.googleapis.com/token' is not https"
conf else "{project: $GCP_PROJECT, serviceAccountSecretRef: {name: gcp-elsewhere, key: key.json}}" else.acmec.test >"$T_TMP/else.yaml"
expect token-uri-elsewhere/exit 1 run -c "$T_TMP/else.yaml" issue
grep_in token-uri-elsewhere/words "$T_TMP/err" "token_uri 'https://dns.googleapis.com/token' is not Google's token endpoint"
check token-uri/not-sent test "$(since "$n" 'POST /token')" -eq 0

# Hostile answers: a zone name that is a path, a change id that is a
# path.  Refused, never followed; what was written is removed.
fake_api_mode '{"gcp_bad_zone_name": true}'
n=$(lines)
conf hz3 "{$SA}" hz3.acmec.test >"$T_TMP/hz3.yaml"
expect hostile-zone/exit 1 run -c "$T_TMP/hz3.yaml" issue
grep_in hostile-zone/words "$T_TMP/err" 'cloudDNS: the answer to finding the managed zone of acmec.test in project acmec-test names a zone that is no managed zone name'
check hostile-zone/not-followed test "$(since "$n" 'rrsets\|changes')" -eq 0
fake_api_mode '{"gcp_bad_change_id": true}'
n=$(lines)
conf hid "{$SA}" hid.acmec.test >"$T_TMP/hid.yaml"
expect hostile-id/exit 1 run -c "$T_TMP/hid.yaml" issue
grep_in hostile-id/words "$T_TMP/err" 'cloudDNS: the answer to changing the TXT records at _acme-challenge.hid.acmec.test names no change id (letters and digits) to follow'
check hostile-id/not-followed test "$(since "$n" 'GET .*/changes/')" -eq 0
check hostile-id/removed test "$(since "$n" 'POST .*/changes auth=sa status=200')" -eq 2
check hostile-id/none-left test -z "$(txt _acme-challenge.hid.acmec.test)"
fake_api_mode '{}'
finish
