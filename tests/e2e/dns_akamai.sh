#!/bin/sh
# dns-01 through Akamai Edge DNS (cert-manager's dns01.akamai): a wildcard
# + apex certificate through the fake of the config-dns/v2 API
# (tests/lib/fake_dns_akamai.py, which checks every request's EdgeGrid
# signature, timestamp and nonce, and writes to the test BIND9 that Pebble
# asks) at a realistic akab-....luna.akamaiapis.net host; someone else's
# TXT value at the name survives present and cleanup; a new set is created
# and deleted; a write that conflicts or is lost is read again and
# retried; a bad client secret, a zone the client can't see and rate
# limits end with Akamai's words; hostile answers are refused; a
# serviceConsumerDomain that is a URL is refused at load; the credentials
# never reach a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

# The fake's verifier: Akamai's EdgeGrid vectors, and its refusals.
check fake/edgegrid python3 "$T_TOP/tests/lib/fake_dns_akamai.py" \
    --selftest "$T_TOP/tests/unit/data/edgegrid"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S/secrets/ak" "$S/secrets/ak-bad" "$S/secrets/ak-scoped"
chmod 700 "$S" "$S/secrets"
printf '%s\n' "$AK_CLIENT_TOKEN" >"$S/secrets/ak/client-token"
printf '%s\n' "$AK_CLIENT_SECRET" >"$S/secrets/ak/client-secret"
printf '%s\n' "$AK_ACCESS_TOKEN" >"$S/secrets/ak/access-token"
cp "$S/secrets/ak/client-token" "$S/secrets/ak/access-token" "$S/secrets/ak-bad/"
printf 'acmecNotTheClientSecret0123456789abcdefghi=\n' >"$S/secrets/ak-bad/client-secret"
printf '%s\n' "$AK_SCOPED_CLIENT_TOKEN" >"$S/secrets/ak-scoped/client-token"
printf '%s\n' "$AK_SCOPED_CLIENT_SECRET" >"$S/secrets/ak-scoped/client-secret"
printf '%s\n' "$AK_SCOPED_ACCESS_TOKEN" >"$S/secrets/ak-scoped/access-token"
chmod 600 "$S"/secrets/*/*

# conf NAME SECRET DNSNAME...: an issuer and a Certificate; $HOST_FIELD,
# if set, is the serviceConsumerDomain.
conf() {
	_n=$1 _s=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {akamai: {
      serviceConsumerDomain: \"${HOST_FIELD:-$AK_HOST}\",
      clientTokenSecretRef: {name: $_s, key: client-token},
      clientSecretSecretRef: {name: $_s, key: client-secret},
      accessTokenSecretRef: {name: $_s, key: access-token}},
      nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
run() { with_api_world "$ACMEC" -s "$S" "$@"; }
N=_acme-challenge.ak.acmec.test

# Wildcard + apex at a name whose TXT set holds someone else's value: both
# of ours join it (PUT of the union) and leave it, the other stays.
check union/foreign-there test "$(txt $N)" = someone-elses-value
conf ak ak ak.acmec.test '*.ak.acmec.test' >"$T_TMP/ak.yaml"
expect union/issue 0 run -vv -c "$T_TMP/ak.yaml" issue
cert_ok union "$S/secrets/ak-tls" "Private-Key: (2048 bit" ak.acmec.test '*.ak.acmec.test'
grep_in union/added "$T_TMP/err" "akamai: added 2 TXT records at $N"
P=/config-dns/v2/zones/acmec.test/names/$N/types/TXT
check union/put test "$(fake_api_count "akamai PUT $P auth=client:all status=200")" -eq 2
check union/no-post-delete test "$(fake_api_count "akamai \(POST\|DELETE\) $P")" -eq 0
check union/ours-added test "$(grep "bind add $N" "$FAKE_API_LOG" | grep -vc someone-elses-value)" -eq 2
check union/ours-removed test "$(fake_api_count "bind del $N")" -eq 2
check union/foreign-never-removed test "$(fake_api_count 'bind del .*someone-elses-value')" -eq 0
check union/foreign-survives test "$(txt $N)" = someone-elses-value
check union/every-request-signed test "$(fake_api_count 'akamai .* auth=client:all ')" -eq "$(fake_api_count '^akamai ')"
not_in union/client-secret-not-logged "$T_TMP/err" "$AK_CLIENT_SECRET"
not_in union/client-token-not-logged "$T_TMP/err" "$AK_CLIENT_TOKEN"
not_in union/access-token-not-logged "$T_TMP/err" "$AK_ACCESS_TOKEN"

# A name with no set, rate limited twice on the way: waited out, the set
# created (POST) and deleted (DELETE) whole.
fake_api_mode '{"akamai_429": 2, "retry_after": 1}'
conf new ak new.acmec.test >"$T_TMP/new.yaml"
expect new-set/issue 0 run -c "$T_TMP/new.yaml" issue
cert_ok new-set "$S/secrets/new-tls" "Private-Key: (2048 bit" new.acmec.test
grep_in new-set/waited "$T_TMP/err" 'akamai asks to wait 1 s (HTTP 429)'
check new-set/429s test "$(fake_api_count 'akamai .* status=429')" -eq 2
P=/config-dns/v2/zones/acmec.test/names/_acme-challenge.new.acmec.test/types/TXT
check new-set/created grep -q "akamai POST $P auth=client:all status=201" "$FAKE_API_LOG"
check new-set/deleted grep -q "akamai DELETE $P auth=client:all status=204" "$FAKE_API_LOG"
check new-set/bind-clean test -z "$(txt _acme-challenge.new.acmec.test)"
fake_api_mode '{}'

# A write answered 409, then a write lost to another writer (the re-read
# misses our value): read again and written again, issued, clean.
fake_api_mode '{"akamai_conflict": 1, "akamai_lost_write": 1}'
conf race ak race.acmec.test >"$T_TMP/race.yaml"
expect race/issue 0 run -c "$T_TMP/race.yaml" issue
grep_in race/conflict "$T_TMP/err" 'akamai: the TXT record set _acme-challenge.race.acmec.test changed meanwhile (HTTP 409)'
grep_in race/lost "$T_TMP/err" 'changed meanwhile (our value is gone); writing it again'
check race/bind-clean test -z "$(txt _acme-challenge.race.acmec.test)"
fake_api_mode '{}'

# A bad client secret: Akamai's words, exit 1, nothing written or left.
conf bad ak-bad bad.acmec.test >"$T_TMP/bad.yaml"
expect bad-secret/exit 1 run -vv -c "$T_TMP/bad.yaml" issue
grep_in bad-secret/words "$T_TMP/err" 'akamai: reading the TXT record set: HTTP 401: Not authorized: The signature does not match'
check bad-secret/none-written test "$(fake_api_count 'akamai P[OU][ST]T* .*bad.acmec.test')" -eq 0
check bad-secret/none-left test -z "$(txt _acme-challenge.bad.acmec.test)"
not_in bad-secret/secret-not-logged "$T_TMP/err" 'acmecNotTheClientSecret'

# A zone the API client has no grant for.
conf scoped ak-scoped scoped.other.test >"$T_TMP/scoped.yaml"
expect foreign-zone/exit 1 run -c "$T_TMP/scoped.yaml" issue
grep_in foreign-zone/words "$T_TMP/err" 'akamai: reading the TXT record set: HTTP 403: Forbidden: The client does not have the grant needed for the request'
grep_in foreign-zone/hint "$T_TMP/err" 'READ-WRITE access to the zone'

# Rate limited past patience: Akamai's words, exit 1, nothing left.
fake_api_mode '{"akamai_429": 50, "retry_after": 1}'
conf rl ak rl.acmec.test >"$T_TMP/rl.yaml"
expect rate-limit-long/exit 1 run -c "$T_TMP/rl.yaml" issue
grep_in rate-limit-long/words "$T_TMP/err" 'akamai: reading the TXT record set: HTTP 429: Too Many Requests'
fake_api_mode '{}'
check rate-limit-long/none-left test -z "$(txt _acme-challenge.rl.acmec.test)"

# Hostile answers to the read: a set for another name, of another type, or
# 5000 values.  Refused, exit 1, nothing written.
for _h in name type huge; do
	fake_api_mode "{\"akamai_hostile\": \"$_h\"}"
	conf h$_h ak h$_h.acmec.test >"$T_TMP/h$_h.yaml"
	expect hostile-$_h/exit 1 run -c "$T_TMP/h$_h.yaml" issue
	grep_in hostile-$_h/words "$T_TMP/err" "akamai: the answer to reading _acme-challenge.h$_h.acmec.test is not its TXT record set"
	check hostile-$_h/none-written test "$(fake_api_count "akamai \(POST\|PUT\|DELETE\) .*h$_h.acmec.test")" -eq 0
done
fake_api_mode '{}'

# serviceConsumerDomain is the host alone: a URL with a path, or http://,
# is refused when the configuration loads, at its file:line:col.
for _u in "https://$AK_HOST/config-dns/v2" "http://$AK_HOST"; do
	HOST_FIELD=$_u conf url ak url.acmec.test >"$T_TMP/url.yaml"
	expect "url-refused/$_u" 2 "$ACMEC" -s "$S" -c "$T_TMP/url.yaml" check
	grep_in "url-refused/$_u/where" "$T_TMP/err" "url.yaml:[0-9]*:[0-9]*: spec.acme.solvers\[0\].dns01.akamai.serviceConsumerDomain: '$_u' must be the API client's host name alone"
done
finish
