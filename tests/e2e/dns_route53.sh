#!/bin/sh
# dns-01 through Route 53 (cert-manager's dns01.route53): wildcard + apex
# through the fake of Route 53 and STS (tests/lib/fake_dns_aws.py, every
# request's Signature Version 4 checked, records written to the test BIND9
# that Pebble asks); records as cert-manager writes them (one multivalue
# set per value), another client's sets kept; keys from Secrets, a role
# through STS, and the AWS chain: environment, shared credentials file and
# profile, instance metadata (IMDSv2); bad keys, a zone the user cannot
# touch, throttling and a hostile answer; secrets never in a log.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

# Nothing of the machine's own AWS set-up may leak in.
for _v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$_v"; done
export HOME="$T_TMP/home"
mkdir -p "$HOME"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
for _d in aws aws-id aws-bad aws-lim; do mkdir -p "$S/secrets/$_d"; done
chmod 700 "$S" "$S/secrets"
printf '%s\n' "$AWS_SECRET" >"$S/secrets/aws/secret"
printf '%s\n' "$AWS_KEY" >"$S/secrets/aws-id/id"
printf '%s\n' "$AWS_SECRET" >"$S/secrets/aws-id/secret"
printf 'notTheRightSecretKey/0123456789abcdefghij\n' >"$S/secrets/aws-bad/secret"
printf '%s\n' "$AWS_SECRET_LIMITED" >"$S/secrets/aws-lim/secret"
chmod 600 "$S"/secrets/*/*
KEYS="accessKeyID: $AWS_KEY, secretAccessKeySecretRef: {name: aws, key: secret}"

# conf NAME ROUTE53-FLOW-YAML DNSNAME...: an issuer and a Certificate.
conf() {
	_n=$1 _r=$2
	shift 2
	yaml_issuer "$_n" "$_n-account" "[{dns01: {route53: $_r,
      nameservers: [\"127.0.0.1:53\"]}}]"
	yaml_cert "$_n" "$_n" "$@"
}
run() { with_api_world env "$@"; }
acmec() { printf '%s -s %s' "$ACMEC" "$S"; }
zid() { python3 -c 'import base64,hashlib,sys; print("Z" + base64.b32encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode()[:13])' "$1"; }

# Keys in the issuer and a Secret: wildcard and apex at one name, one
# multivalue set each, the name servers checked (no INSYNC polls), removed
# exactly.
conf keys "{$KEYS}" r53.acmec.test '*.r53.acmec.test' >"$T_TMP/keys.yaml"
expect keys/issue 0 run $(acmec) -vv -c "$T_TMP/keys.yaml" issue
cert_ok keys "$S/secrets/keys-tls" "Private-Key: (2048 bit" r53.acmec.test '*.r53.acmec.test'
grep_in keys/added "$T_TMP/err" 'route53: added 2 TXT records at _acme-challenge.r53.acmec.test'
check keys/zone-lookup grep -qF 'route53 GET /2013-04-01/hostedzonesbyname?dnsname=acmec.test&maxitems=100 auth=user:acmec status=200' "$FAKE_API_LOG"
check keys/signed grep -q "route53 POST /2013-04-01/hostedzone/$(zid acmec.test)/rrset/ auth=user:acmec status=200" "$FAKE_API_LOG"
check keys/no-insync-polls test "$(fake_api_count 'route53 GET /2013-04-01/change/')" -eq 0
check keys/one-delete test "$(fake_api_count 'route53 POST .*/rrset/ .*status=200')" -eq 2
check keys/bind-clean test -z "$(txt _acme-challenge.r53.acmec.test)"
not_in keys/secret-not-logged "$T_TMP/err" "$AWS_SECRET"

# waitInsteadOfSelfCheck: Route 53's INSYNC instead of acmec's check,
# then the wait.
yaml_issuer sync sync-account "[{waitInsteadOfSelfCheck: 1s, dns01: {route53: {$KEYS}, nameservers: [\"127.0.0.1:53\"]}}]" >"$T_TMP/sync.yaml"
yaml_cert sync sync sync.acmec.test >>"$T_TMP/sync.yaml"
expect insync/issue 0 run $(acmec) -c "$T_TMP/sync.yaml" issue
cert_ok insync "$S/secrets/sync-tls" "Private-Key: (2048 bit" sync.acmec.test
check insync/polled test "$(fake_api_count 'route53 GET /2013-04-01/change/C[A-Z0-9]* auth=user:acmec status=200')" -ge 2

# The key id from a Secret too, and hostedZoneID given: no lookup.
: >"$FAKE_API_LOG"
conf zone "{accessKeyIDSecretRef: {name: aws-id, key: id}, secretAccessKeySecretRef: {name: aws-id, key: secret}, hostedZoneID: $(zid acmec.test)}" \
    zone.acmec.test >"$T_TMP/zone.yaml"
expect zone-id/issue 0 run $(acmec) -c "$T_TMP/zone.yaml" issue
cert_ok zone-id "$S/secrets/zone-tls" "Private-Key: (2048 bit" zone.acmec.test
check zone-id/no-lookup test "$(fake_api_count hostedzonesbyname)" -eq 0

# Another client's record at the name (a multivalue set, as cert-manager
# writes): it stays through present and cleanup.
python3 "$T_TOP/tests/lib/aws_seed.py" "$FAKE_API_CA" "$AWS_KEY" "$AWS_SECRET" \
    acmec.test _acme-challenge.keep.acmec.test theirs '"theirs"'
conf keep "{$KEYS}" keep.acmec.test >"$T_TMP/keep.yaml"
expect foreign-kept/issue 0 run $(acmec) -c "$T_TMP/keep.yaml" issue
cert_ok foreign-kept "$S/secrets/keep-tls" "Private-Key: (2048 bit" keep.acmec.test
check foreign-kept/still-there test "$(txt _acme-challenge.keep.acmec.test)" = theirs

# A simple TXT set at the name is in the way of multivalue ones: said,
# exit 1, and it stays.
python3 "$T_TOP/tests/lib/aws_seed.py" "$FAKE_API_CA" "$AWS_KEY" "$AWS_SECRET" \
    acmec.test _acme-challenge.simple.acmec.test plain
conf simple "{$KEYS}" simple.acmec.test >"$T_TMP/simple.yaml"
expect simple-in-the-way/exit 1 run $(acmec) -c "$T_TMP/simple.yaml" issue
grep_in simple-in-the-way/words "$T_TMP/err" 'route53: adding the TXT record: HTTP 400: InvalidChangeBatch: .*non-multivalue set exists.*remove it'
check simple-in-the-way/kept test "$(txt _acme-challenge.simple.acmec.test)" = plain

# A role assumed through STS with the keys.
conf role "{$KEYS, role: \"$AWS_ROLE\", region: eu-west-1}" role.acmec.test >"$T_TMP/role.yaml"
expect role/issue 0 run $(acmec) -c "$T_TMP/role.yaml" issue
cert_ok role "$S/secrets/role-tls" "Private-Key: (2048 bit" role.acmec.test
check role/sts-regional grep -q 'sts POST / auth=user:acmec status=200' "$FAKE_API_LOG"
check role/as-role grep -q 'route53 POST .* auth=role:acmec-dns/acmec status=200' "$FAKE_API_LOG"
check role/one-sts-call test "$(fake_api_count 'sts POST / auth=user:acmec status=200')" -eq 1
fake_api_mode '{"sts_deny": true}'
conf denied "{$KEYS, role: \"$AWS_ROLE\"}" denied.acmec.test >"$T_TMP/denied.yaml"
expect role-denied/exit 1 run $(acmec) -c "$T_TMP/denied.yaml" issue
grep_in role-denied/words "$T_TMP/err" 'route53: STS refuses to assume the role .*: HTTP 403: AccessDenied: User: arn:aws:iam::123456789012:user/acmec is not authorized to perform: sts:AssumeRole'
fake_api_mode '{}'

# No keys in the issuer: the AWS chain.  The environment first...
conf ambient '{}' amb.acmec.test >"$T_TMP/amb.yaml"
expect env/issue 0 run AWS_ACCESS_KEY_ID="$AWS_KEY" AWS_SECRET_ACCESS_KEY="$AWS_SECRET" \
    $(acmec) -vv -c "$T_TMP/amb.yaml" issue
cert_ok env "$S/secrets/ambient-tls" "Private-Key: (2048 bit" amb.acmec.test
grep_in env/said "$T_TMP/err" 'route53: credentials from the environment'
not_in env/secret-not-logged "$T_TMP/err" "$AWS_SECRET"
# ...then the shared credentials file, with a profile...
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = AKIANOTTHISONE000000\naws_secret_access_key = x\n\n[dns]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$AWS_KEY" "$AWS_SECRET" >"$HOME/.aws/credentials"
# (Each step a name of its own: Pebble reuses a valid authorization one
# time in a hundred even with PEBBLE_AUTHZREUSE=0, its test being
# rand.Intn(100) > 0, and then no record would be written.)
conf ambient '{}' amb-profile.acmec.test >"$T_TMP/amb-profile.yaml"
conf ambient '{}' amb-imds.acmec.test >"$T_TMP/amb-imds.yaml"
conf ambient '{}' amb-none.acmec.test >"$T_TMP/amb-none.yaml"
expect profile/issue 0 run AWS_PROFILE=dns $(acmec) -vv -c "$T_TMP/amb-profile.yaml" issue
grep_in profile/said "$T_TMP/err" "route53: credentials from $HOME/.aws/credentials, profile dns"
expect no-profile/exit 1 run AWS_PROFILE=nosuch $(acmec) -c "$T_TMP/amb-none.yaml" issue
grep_in no-profile/words "$T_TMP/err" 'route53: .*credentials has no aws_access_key_id and aws_secret_access_key in the profile \[nosuch\]'
rm -r "$HOME/.aws"
# ...then the instance's role through IMDSv2.
expect imds/issue 0 run AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$FAKE_IMDS_PORT" \
    $(acmec) -vv -c "$T_TMP/amb-imds.yaml" issue
grep_in imds/said "$T_TMP/err" 'route53: credentials of the instance role acmec-node'
check imds/v2-token grep -q 'imds PUT /latest/api/token auth=token-issued' "$FAKE_API_LOG"
check imds/as-role grep -q 'route53 POST .* auth=role:acmec-node/' "$FAKE_API_LOG"
# Nothing anywhere: what to give, exit 1.
expect none/exit 1 run AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9" \
    $(acmec) -c "$T_TMP/amb-none.yaml" issue
grep_in none/words "$T_TMP/err" 'route53: no AWS credentials: give accessKeyID'

# Bad keys: AWS's words, exit 1, nothing left.
conf bad "{accessKeyID: $AWS_KEY, secretAccessKeySecretRef: {name: aws-bad, key: secret}}" \
    bad.acmec.test >"$T_TMP/bad.yaml"
expect bad-key/exit 1 run $(acmec) -c "$T_TMP/bad.yaml" issue
grep_in bad-key/words "$T_TMP/err" 'route53: finding the hosted zone: HTTP 403: SignatureDoesNotMatch: '
check bad-key/none-left test -z "$(txt _acme-challenge.bad.acmec.test)"
not_in bad-key/secret-not-logged "$T_TMP/err" 'notTheRightSecretKey'

# A zone the user may not change.
conf lim "{accessKeyID: $AWS_KEY_LIMITED, secretAccessKeySecretRef: {name: aws-lim, key: secret}}" \
    lim.other.test >"$T_TMP/lim.yaml"
expect denied-zone/exit 1 run $(acmec) -c "$T_TMP/lim.yaml" issue
grep_in denied-zone/words "$T_TMP/err" 'route53: adding the TXT records: HTTP 403: AccessDenied: User: arn:aws:iam::123456789012:user/limited is not authorized to perform: route53:ChangeResourceRecordSets'
check denied-zone/none-left test -z "$(txt _acme-challenge.lim.other.test)"

# Throttled (AWS's 400 Throttling and PriorRequestNotComplete): waited
# out, issued.
fake_api_mode '{"route53_throttle": 2, "route53_prior_request": 1}'
conf thr "{$KEYS}" thr.acmec.test >"$T_TMP/thr.yaml"
expect throttled/issue 0 run $(acmec) -c "$T_TMP/thr.yaml" issue
grep_in throttled/waited "$T_TMP/err" 'route53 asks to wait (HTTP 400, throttled)'
# Throttled past patience: AWS's words, exit 1, nothing left.
fake_api_mode '{"route53_throttle": 50}'
conf thr2 "{$KEYS}" thr2.acmec.test >"$T_TMP/thr2.yaml"
expect throttled-long/exit 1 run $(acmec) -c "$T_TMP/thr2.yaml" issue
grep_in throttled-long/words "$T_TMP/err" 'route53: finding the hosted zone: HTTP 400: Throttling: Rate exceeded'
fake_api_mode '{}'
check throttled-long/none-left test -z "$(txt _acme-challenge.thr2.acmec.test)"

# A hostile answer: a hosted zone id that is a path.  Refused, exit 1,
# and no request goes to a path built from it.
fake_api_mode '{"route53_bad_zone_id": true}'
conf hid "{$KEYS}" hid.acmec.test >"$T_TMP/hid.yaml"
expect hostile-id/exit 1 run $(acmec) -c "$T_TMP/hid.yaml" issue
grep_in hostile-id/words "$T_TMP/err" 'route53: no public hosted zone acmec.test in this account (or its id is not sane)'
check hostile-id/not-followed test "$(fake_api_count 'route53 [A-Z]* [^ ]*\.\.')" -eq 0
fake_api_mode '{}'
finish
