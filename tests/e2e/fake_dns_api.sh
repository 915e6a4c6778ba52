#!/bin/sh
# The DNS provider API fakes themselves (tests/lib/fake_dns_api.py), driven
# with curl and openssl before any acmec provider code relies on them:
# TLS under the test CA for the real host names; Cloudflare's auth, zone
# scoping, paging, duplicate and 429 answers; Route 53's SigV4 checks
# (the verifier proved first on AWS's published vectors), RRset
# semantics, change status and errors; STS AssumeRole and IMDSv2
# credentials; every record change visible in BIND9.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

LIB=$T_TOP/tests/lib
expect sigv4/aws-test-suite 0 python3 "$LIB/fake_dns_api.py" --selftest
check sigv4/all-170-vector-checks test "$(grep -c '^PASS' "$T_TMP/out")" -eq 170

start_dns
start_fake_dns_api
P=$FAKE_API_PORT
PS=
[ "$P" = 443 ] || PS=:$P
RESOLVE=
for h in $(sed 's/^127.0.0.1 localhost //' "$FAKE_API_HOSTS"); do
	RESOLVE="$RESOLVE --resolve $h:$P:127.0.0.1"
done

# call METHOD URL [CURL-ARGS...]: body in $T_TMP/body, headers in
# $T_TMP/hdrs, status in $CODE.
call() {
	_m=$1 _u=$2
	shift 2
	# shellcheck disable=SC2086
	CODE=$(curl -s -o "$T_TMP/body" -D "$T_TMP/hdrs" -w '%{http_code}' \
	    --cacert "$FAKE_API_CA" $RESOLVE -X "$_m" "$_u" "$@")
}
# status NAME WANT: the last call's HTTP status.
status() {
	if [ "$CODE" = "$2" ]; then pass "$1"; else
		fail "$1" "HTTP $CODE, want $2: $(head -c 300 "$T_TMP/body")"
	fi
}
# jq_ EXPR: a Python expression over the last JSON body, d.
jq_() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
	    "$T_TMP/body" "$1" 2>&1
}
not() { ! "$@"; }
# is NAME GOT WANT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# --- TLS: the test CA vouches for every API host name -------------------
for h in api.cloudflare.com route53.amazonaws.com sts.amazonaws.com \
    sts.eu-west-1.amazonaws.com; do
	openssl s_client -connect "127.0.0.1:$P" -servername $h \
	    -verify_hostname $h -CAfile "$FAKE_API_CA" -verify_return_error \
	    </dev/null >"$T_TMP/tls" 2>&1
	grep_in tls/$h "$T_TMP/tls" 'Verify return code: 0 (ok)'
done
openssl s_client -connect "127.0.0.1:$P" -servername api.cloudflare.com \
    -verify_hostname api.cloudflare.com -verify_return_error </dev/null \
    >"$T_TMP/tls" 2>&1
not_in tls/not-trusted-without-test-ca "$T_TMP/tls" 'Verify return code: 0 (ok)'

# The real names, no --resolve: through /etc/hosts in a mount namespace.
check tls/real-name-through-hosts-file with_api_hosts curl -sf \
    --cacert "$FAKE_API_CA" -H "Authorization: Bearer $CF_TOKEN" \
    "https://api.cloudflare.com$PS/client/v4/zones?name=acmec.test"
check tls/hosts-file-private-to-cmd not grep -q api.cloudflare.com /etc/hosts

# --- Cloudflare ----------------------------------------------------------
CF=https://api.cloudflare.com$PS/client/v4
TOK="Authorization: Bearer $CF_TOKEN"
SCOPED="Authorization: Bearer $CF_TOKEN_SCOPED"
zid() { printf 'zone:%s' "$1" | md5sum | cut -c1-32; }

call GET "$CF/zones"
status cf/no-credentials/400 400
is cf/no-credentials/9106 "$(jq_ 'd["errors"][0]["code"], d["success"]')" "(9106, False)"
call GET "$CF/zones" -H "Authorization: Bearer not-a-token"
status cf/malformed-token/400 400
is cf/malformed-token/6003-6111 "$(jq_ '(d["errors"][0]["code"], d["errors"][0]["error_chain"][0]["code"])')" "(6003, 6111)"
call GET "$CF/zones" -H "Authorization: Bearer acmecTestTokenUnknown0123456789abcdefghi"
status cf/unknown-token/403 403
is cf/unknown-token/9109 "$(jq_ 'd["errors"][0]["message"]')" "Invalid access token"
call GET "$CF/zones" -H "X-Auth-Email: $CF_EMAIL" -H "X-Auth-Key: 0000000000000000000000000000000000000"
status cf/wrong-global-key/403 403
is cf/wrong-global-key/9103 "$(jq_ 'd["errors"][0]["code"]')" 9103
call GET "$CF/zones" -H "X-Auth-Email: $CF_EMAIL" -H "X-Auth-Key: $CF_TOKEN"
is cf/token-as-global-key/6103 "$CODE $(jq_ 'd["errors"][0]["error_chain"][0]["code"]')" "400 6103"
call GET "$CF/zones?name=acmec.test" -H "X-Auth-Email: $CF_EMAIL" -H "X-Auth-Key: $CF_KEY"
status cf/global-key/200 200
call GET "$CF/zones?name=acmec.test&status=active" -H "$TOK"
status cf/zone-by-name/200 200
is cf/zone-by-name/result "$(jq_ 'd["result"][0]["name"], d["result"][0]["id"], d["result_info"]["total_count"]')" \
    "('acmec.test', '$(zid acmec.test)', 1)"

# A token scoped to acmec.test does not see other.test; no token sees
# foreign.test (another account's).
call GET "$CF/zones?name=other.test" -H "$SCOPED"
is cf/scoped/not-listed "$CODE $(jq_ 'len(d["result"])')" "200 0"
call GET "$CF/zones?per_page=50" -H "$SCOPED"
is cf/scoped/only-its-zone "$(jq_ '[z["name"] for z in d["result"]]')" "['acmec.test']"
call GET "$CF/zones/$(zid other.test)/dns_records" -H "$SCOPED"
is cf/scoped/foreign-zone-403 "$CODE $(jq_ 'd["errors"][0]["code"]')" "403 10000"
call GET "$CF/zones?name=foreign.test" -H "$TOK"
is cf/other-account/not-listed "$(jq_ 'len(d["result"])')" 0
call GET "$CF/zones/$(zid foreign.test)/dns_records" -H "$TOK"
is cf/other-account/403 "$CODE $(jq_ 'd["errors"][0]["message"]')" "403 Authentication error"
call GET "$CF/zones/0123456789abcdef0123456789abcdef/dns_records" -H "$TOK"
is cf/unknown-zone-id/7003 "$CODE $(jq_ 'd["errors"][0]["code"]')" "400 7003"

# Paging: 13 zones, per_page clamped to 5..50.
call GET "$CF/zones?per_page=5&page=3" -H "$TOK"
is cf/paging/page3 "$(jq_ 'd["result_info"]')" \
    "{'page': 3, 'per_page': 5, 'count': 3, 'total_count': 13, 'total_pages': 3}"
: >"$T_TMP/names"
for pg in 1 2 3; do
	call GET "$CF/zones?per_page=5&page=$pg" -H "$TOK"
	jq_ '"\n".join(z["name"] for z in d["result"])' >>"$T_TMP/names"
done
is cf/paging/every-zone-once "$(sort -u "$T_TMP/names" | wc -l) $(wc -l <"$T_TMP/names")" "13 13"
call GET "$CF/zones?per_page=500" -H "$TOK"
is cf/paging/per-page-max-50 "$(jq_ 'd["result_info"]["per_page"]')" 50

# Records: created in BIND9 too, duplicates refused, paged, deleted.
Z=$(zid acmec.test)
R=_acme-challenge.cf.acmec.test
post_txt() { # NAME CONTENT [AUTH-HEADER]
	call POST "$CF/zones/$Z/dns_records" -H "${3:-$TOK}" \
	    -H 'Content-Type: application/json' \
	    -d "{\"type\":\"TXT\",\"name\":\"$1\",\"content\":\"$2\",\"ttl\":60}"
}
post_txt $R cf-value-1
status cf/create/200 200
ID1=$(jq_ 'd["result"]["id"]')
is cf/create/result "$(jq_ 'd["success"], d["result"]["name"], d["result"]["content"]')" "(True, '$R', 'cf-value-1')"
post_txt _acme-challenge.cf cf-value-2 "$SCOPED"
status cf/create-relative-name/200 200
ID2=$(jq_ 'd["result"]["id"]')
is cf/create-relative-name/fqdn "$(jq_ 'd["result"]["name"]')" $R
is cf/create/in-bind "$(txt $R | tr '\n' ' ')" "cf-value-1 cf-value-2 "
post_txt $R cf-value-1
is cf/duplicate/81058 "$CODE $(jq_ 'd["errors"][0]')" "400 {'code': 81058, 'message': 'An identical record already exists.'}"
fake_api_mode '{"duplicate_code": 81057}'
post_txt $R cf-value-1
is cf/duplicate/81057-mode "$CODE $(jq_ 'd["errors"][0]["code"]')" "400 81057"
fake_api_mode '{}'
call GET "$CF/zones/$Z/dns_records?type=TXT&name=$R&per_page=1&page=2" -H "$TOK"
is cf/list/paged "$(jq_ 'd["result_info"]["total_pages"], d["result_info"]["count"], d["result"][0]["content"]')" \
    "(2, 1, 'cf-value-2')"
call GET "$CF/zones/$Z/dns_records?type=TXT&name=other.$R" -H "$TOK"
is cf/list/exact-name "$(jq_ 'd["result_info"]["total_count"]')" 0
call DELETE "$CF/zones/$Z/dns_records/$ID1" -H "$TOK"
is cf/delete/200 "$CODE $(jq_ 'd["result"]["id"]')" "200 $ID1"
is cf/delete/only-that-value "$(txt $R)" cf-value-2
call PUT "$CF/zones/$Z/dns_records" -H "$TOK"
is cf/wrong-method/7001 "$CODE $(jq_ 'd["errors"][0]["code"]')" "405 7001"
call DELETE "$CF/zones/$Z/dns_records/$ID1" -H "$TOK"
is cf/delete-again/81044 "$CODE $(jq_ 'd["errors"][0]["code"]')" "404 81044"
call DELETE "$CF/zones/$Z/dns_records/$ID2" -H "$SCOPED"
status cf/delete-scoped/200 200
is cf/delete/bind-empty "$(txt $R)" ""

# Rate limit: the next two requests get 429 with Retry-After.
fake_api_mode '{"cloudflare_429": 2, "retry_after": 7}'
call GET "$CF/zones?name=acmec.test" -H "$TOK"
is cf/429/status "$CODE $(jq_ 'd["errors"][0]["code"], d["success"]')" "429 (10100, False)"
grep_in cf/429/retry-after "$T_TMP/hdrs" '^Retry-After: 7'
call GET "$CF/zones?name=acmec.test" -H "$TOK"
status cf/429/second 429
call GET "$CF/zones?name=acmec.test" -H "$TOK"
status cf/429/then-200 200
fake_api_mode '{"slow": 2}'
t0=$(date +%s)
call GET "$CF/zones?name=acmec.test" -H "$TOK"
check cf/slow-mode test "$CODE" = 200 -a $(($(date +%s) - t0)) -ge 2
fake_api_mode '{}'

grep_in cf/log/request "$FAKE_API_LOG" '^cloudflare GET /client/v4/zones?name=acmec.test&status=active auth=token:all status=200$'
grep_in cf/log/auth-failure "$FAKE_API_LOG" '^cloudflare GET /client/v4/zones auth=9109 status=403$'
not_in cf/log/no-token "$FAKE_API_LOG" "$CF_TOKEN"
not_in cf/log/no-key "$FAKE_API_LOG" "$CF_KEY"

# --- Route 53 ------------------------------------------------------------
R53=https://route53.amazonaws.com$PS/2013-04-01
# aws_call SERVICE METHOD URL [BODYFILE]: signed with $AK/$SK (AWS_KEY /
# AWS_SECRET unless set) and $AWS_SESSION_TOKEN if set; $SIGN_URL, if
# set, is what gets signed instead of URL (a tampered request).
aws_call() {
	_s=$1 _m=$2 _u=$3 _b=${4:-}
	python3 "$LIB/sigv4.py" sign "${AK:-$AWS_KEY}" "${SK:-$AWS_SECRET}" \
	    us-east-1 "$_s" "$_m" "${SIGN_URL:-$_u}" ${_b:+"$_b"} >"$T_TMP/sig"
	if [ -n "$_b" ]; then
		call "$_m" "$_u" -H @"$T_TMP/sig" --data-binary @"$_b"
	else
		call "$_m" "$_u" -H @"$T_TMP/sig"
	fi
}
r53() { aws_call route53 "$@"; }
# xq_ PATH: the texts of the elements at PATH (namespaces dropped) in the
# last XML body, space-separated; "." is the root's tag.
xq_() {
	python3 -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
for e in r.iter():
    e.tag = e.tag.split("}")[-1]
p = sys.argv[2]
print(r.tag if p == "." else " ".join((x.text or "") for x in r.findall(p)))' \
	    "$T_TMP/body" "$1" 2>&1
}
# chg ACTION NAME TTL VALUE...: one <Change> of a TXT set.
chg() {
	_a=$1 _n=$2 _t=$3
	shift 3
	printf '<Change><Action>%s</Action><ResourceRecordSet><Name>%s</Name><Type>TXT</Type><TTL>%s</TTL><ResourceRecords>' "$_a" "$_n" "$_t"
	for _v in "$@"; do
		printf '<ResourceRecord><Value>%s</Value></ResourceRecord>' "$_v"
	done
	printf '</ResourceRecords></ResourceRecordSet></Change>'
}
# batch ZONE-ID CHANGES: POST the change batch.
batch() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>acmec test</Comment><Changes>%s</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>' "$2" >"$T_TMP/batch.xml"
	r53 POST "$R53/hostedzone/$1/rrset/" "$T_TMP/batch.xml"
}
err_is() { # NAME STATUS CODE: the last answer is Route 53's/STS's error
	is "$1" "$CODE $(xq_ .) $(xq_ Error/Type) $(xq_ Error/Code)" "$2 ErrorResponse Sender $3"
}

call GET "$R53/hostedzone"
err_is r53/no-credentials 403 MissingAuthenticationToken
AK=AKIAACMECTESTUNKNOWN r53 GET "$R53/hostedzone"
err_is r53/unknown-key 403 InvalidClientTokenId
is r53/unknown-key/words "$(xq_ Error/Message)" "The security token included in the request is invalid."
SK=acmecTestSecretKey/0123456789+abcdefghiX r53 GET "$R53/hostedzone"
err_is r53/wrong-secret 403 SignatureDoesNotMatch
# As Route 53 does, the answer shows the canonical request it computed.
grep_in r53/wrong-secret/canonical-string "$T_TMP/body" 'The Canonical String for this request should have been'
grep_in r53/wrong-secret/canonical-path "$T_TMP/body" '^/2013-04-01/hostedzone$'
SIGN_URL="$R53/hostedzone?maxitems=1" r53 GET "$R53/hostedzone?maxitems=2"
err_is r53/tampered-query 403 SignatureDoesNotMatch
aws_call sts GET "$R53/hostedzone"
err_is r53/scoped-to-sts 403 SignatureDoesNotMatch
grep_in r53/scoped-to-sts/words "$T_TMP/body" "Credential should be scoped to correct service: 'route53'"
SIGV4_TIME=20150830T123600Z r53 GET "$R53/hostedzone"
err_is r53/stale-date 403 SignatureDoesNotMatch
grep_in r53/stale-date/words "$T_TMP/body" 'Signature expired: 20150830T123600Z is now earlier than'

r53 GET "$R53/hostedzonesbyname?dnsname=acmec.test&maxitems=1"
status r53/by-name/200 200
is r53/by-name/first "$(xq_ HostedZones/HostedZone/Name) $(xq_ IsTruncated) $(xq_ NextDNSName) $(xq_ MaxItems)" \
    "acmec.test. true other.test. 1"
ZA=$(xq_ HostedZones/HostedZone/Id | sed 's|/hostedzone/||')
r53 GET "$R53/hostedzonesbyname?dnsname=other.test&maxitems=1"
ZO=$(xq_ HostedZones/HostedZone/Id | sed 's|/hostedzone/||')
# Zones come in reversed-label order from dnsname on: a name inside
# acmec.test lists other.test first (the caller must compare names).
r53 GET "$R53/hostedzonesbyname?dnsname=_acme-challenge.www.acmec.test&maxitems=1"
is r53/by-name/next-in-order "$(xq_ HostedZones/HostedZone/Name)" other.test.
: >"$T_TMP/names"
M=
for i in 1 2 3 4; do
	r53 GET "$R53/hostedzone?maxitems=5${M:+&marker=$M}"
	xq_ HostedZones/HostedZone/Name | tr ' ' '\n' >>"$T_TMP/names"
	M=$(xq_ NextMarker)
	[ "$(xq_ IsTruncated)" = true ] || break
done
is r53/list/marker-paging "$i $(sort -u "$T_TMP/names" | wc -l) $(wc -l <"$T_TMP/names")" "3 13 13"
not_in r53/list/no-foreign-zone "$T_TMP/names" foreign.test

# RRset semantics, against BIND9 holding a value of someone else's.
R=_acme-challenge.r53.acmec.test
printf 'server 127.0.0.1 %s\nupdate add %s. 60 IN TXT "keep-me"\nsend\n' \
    "${DNS_PORT:-53}" $R | nsupdate -k "$DNS_KEYFILE"
batch "$ZA" "$(chg CREATE $R 60 '"v1"')"
is r53/create/pending "$CODE $(xq_ ChangeInfo/Status)" "200 PENDING"
CH=$(xq_ ChangeInfo/Id)
r53 GET "$R53${CH}"
is r53/get-change/pending-first "$(xq_ ChangeInfo/Id) $(xq_ ChangeInfo/Status)" "$CH PENDING"
r53 GET "$R53${CH}"
is r53/get-change/insync "$(xq_ ChangeInfo/Status)" INSYNC
is r53/create/in-bind "$(txt $R | tr '\n' ' ')" "keep-me v1 "
batch "$ZA" "$(chg UPSERT $R 60 '"v1"' '"v2"')"
status r53/upsert/200 200
is r53/upsert/in-bind "$(txt $R | tr '\n' ' ')" "keep-me v1 v2 "
batch "$ZA" "$(chg DELETE $R 60 '"v2"')"
err_is r53/delete-part-of-set 400 InvalidChangeBatch
is r53/delete-part-of-set/words "$(xq_ Error/Message)" \
    "Tried to delete resource record set [name='$R.', type='TXT'] but the values provided do not match the current values"
batch "$ZA" "$(chg DELETE $R 300 '"v2"' '"v1"')"
err_is r53/delete-wrong-ttl 400 InvalidChangeBatch
batch "$ZA" "$(chg CREATE $R 60 '"v3"')"
is r53/create-existing "$CODE $(xq_ Error/Message)" \
    "400 Tried to create resource record set [name='$R.', type='TXT'] but it already exists"
is r53/refused-changes-left-bind-alone "$(txt $R | tr '\n' ' ')" "keep-me v1 v2 "
r53 GET "$R53/hostedzone/$ZA/rrset?name=$R&type=TXT&maxitems=1"
is r53/list-rrsets/set "$(xq_ ResourceRecordSets/ResourceRecordSet/Name) $(xq_ ResourceRecordSets/ResourceRecordSet/TTL) $(xq_ ResourceRecordSets/ResourceRecordSet/ResourceRecords/ResourceRecord/Value)" \
    "$R. 60 \"v1\" \"v2\""
r53 GET "$R53/hostedzone/$ZA/rrset?maxitems=1"
is r53/list-rrsets/paging "$(xq_ ResourceRecordSets/ResourceRecordSet/Type) $(xq_ IsTruncated) $(xq_ NextRecordName) $(xq_ NextRecordType)" \
    "NS true acmec.test. SOA"
# A batch is all or nothing.
A=_acme-challenge.atomic.acmec.test
batch "$ZA" "$(chg CREATE $A 60 '"a"')$(chg DELETE _acme-challenge.none.acmec.test 60 '"x"')"
is r53/batch-atomic/refused "$CODE $(xq_ Error/Code) $(xq_ Error/Message)" \
    "400 InvalidChangeBatch Tried to delete resource record set [name='_acme-challenge.none.acmec.test.', type='TXT'] but it was not found"
r53 GET "$R53/hostedzone/$ZA/rrset?name=$A&type=TXT&maxitems=1"
not_in r53/batch-atomic/not-created "$T_TMP/body" "$A"
is r53/batch-atomic/not-in-bind "$(txt $A)" ""
batch "$ZA" "$(chg DELETE $R 60 '"nope"')$(chg CREATE $R 60 '"v9"')"
is r53/two-errors "$CODE $(xq_ .) $(xq_ Messages/Message | grep -c 'Tried to')" "400 InvalidChangeBatch 1"
is r53/two-errors/count "$(python3 -c 'import sys;print(open(sys.argv[1]).read().count("<Message>"))' "$T_TMP/body")" 2
batch "$ZA" "$(chg CREATE $A 60 unquoted)"
grep_in r53/txt-unquoted "$T_TMP/body" 'Value should be enclosed in quotation marks'
batch "$ZA" "$(chg CREATE _acme-challenge.other.test 60 '"x"')"
grep_in r53/name-outside-zone "$T_TMP/body" 'is not permitted in zone acmec.test.'
printf 'not xml' >"$T_TMP/batch.xml"
r53 POST "$R53/hostedzone/$ZA/rrset" "$T_TMP/batch.xml"
err_is r53/bad-xml 400 InvalidInput
batch "$ZA" "$(chg DELETE $R 60 '"v2"' '"v1"')"
status r53/delete-exact-set/200 200
is r53/delete-exact-set/keeps-others "$(txt $R)" keep-me

# Who may touch which zone.
AK=$AWS_KEY_LIMITED SK=$AWS_SECRET_LIMITED r53 GET "$R53/hostedzone/$ZO/rrset"
err_is r53/limited-user/other-zone 403 AccessDenied
grep_in r53/limited-user/words "$T_TMP/body" 'User: arn:aws:iam::123456789012:user/limited is not authorized to perform: route53:ListResourceRecordSets'
AK=$AWS_KEY_LIMITED SK=$AWS_SECRET_LIMITED r53 GET "$R53/hostedzone/$ZA/rrset"
status r53/limited-user/own-zone 200
ZF=Z$(python3 -c 'import base64,hashlib;print(base64.b32encode(hashlib.sha1(b"foreign.test").digest()).decode()[:13])')
batch "$ZF" "$(chg CREATE _acme-challenge.foreign.test 60 '"x"')"
err_is r53/other-account-zone 403 AccessDenied
r53 GET "$R53/hostedzone/ZNOSUCHZONE00/rrset"
err_is r53/unknown-zone 404 NoSuchHostedZone
r53 GET "$R53/change/CNOSUCHCHANGE0"
err_is r53/unknown-change 404 NoSuchChange

fake_api_mode '{"route53_throttle": 1}'
r53 GET "$R53/hostedzone"
err_is r53/throttling 400 Throttling
is r53/throttling/words "$(xq_ Error/Message)" "Rate exceeded"
r53 GET "$R53/hostedzone"
status r53/throttling/then-200 200
fake_api_mode '{"route53_prior_request": 1}'
batch "$ZA" "$(chg CREATE $A 60 '"a"')"
err_is r53/prior-request 400 PriorRequestNotComplete

# Slow propagation: PENDING until the records are in BIND9.
S=_acme-challenge.slow.acmec.test
fake_api_mode '{"bind_delay": 2, "change_pending_polls": 0}'
batch "$ZA" "$(chg CREATE $S 60 '"s1"')"
CH=$(xq_ ChangeInfo/Id)
r53 GET "$R53${CH}"
is r53/slow/pending "$(xq_ ChangeInfo/Status) $(txt $S)" "PENDING "
insync() { r53 GET "$R53${CH}"; [ "$(xq_ ChangeInfo/Status)" = INSYNC ]; }
check r53/slow/insync wait_for 10 insync
is r53/slow/in-bind-when-insync "$(txt $S)" s1
fake_api_mode '{}'
batch "$ZA" "$(chg DELETE $S 60 '"s1"')"
is r53/slow/cleaned "$CODE $(txt $S)" "200 "

grep_in r53/log/request "$FAKE_API_LOG" "^route53 POST /2013-04-01/hostedzone/$ZA/rrset/ auth=user:acmec status=200$"
grep_in r53/log/bad-signature "$FAKE_API_LOG" '^route53 GET /2013-04-01/hostedzone auth=SignatureDoesNotMatch status=403$'
grep_in r53/log/bind "$FAKE_API_LOG" "^bind del $R \"v2\"$"

# --- STS ---------------------------------------------------------------
STS=https://sts.amazonaws.com$PS/
form() { printf '%s' "$1" >"$T_TMP/form"; }
form "Action=AssumeRole&Version=2011-06-15&RoleArn=$AWS_ROLE&RoleSessionName=acmec-test&DurationSeconds=900"
aws_call sts POST "$STS" "$T_TMP/form"
is sts/assume-role "$CODE $(xq_ .) $(xq_ AssumeRoleResult/AssumedRoleUser/Arn)" \
    "200 AssumeRoleResponse arn:aws:sts::123456789012:assumed-role/acmec-dns/acmec-test"
TA=$(xq_ AssumeRoleResult/Credentials/AccessKeyId)
TS=$(xq_ AssumeRoleResult/Credentials/SecretAccessKey)
TT=$(xq_ AssumeRoleResult/Credentials/SessionToken)
check sts/temporary-key-shape expr "$TA" : 'ASIA[A-Z0-9]\{16\}$'
AK=$TA SK=$TS AWS_SESSION_TOKEN=$TT r53 GET "$R53/hostedzone?maxitems=1"
status sts/temporary-credentials-work 200
grep_in sts/log/role "$FAKE_API_LOG" '^route53 GET /2013-04-01/hostedzone?maxitems=1 auth=role:acmec-dns/acmec-test status=200$'
AK=$TA SK=$TS r53 GET "$R53/hostedzone"
err_is sts/temporary-without-token 403 InvalidClientTokenId
form "Action=GetCallerIdentity&Version=2011-06-15"
AK=$TA SK=$TS AWS_SESSION_TOKEN=$TT aws_call sts POST "$STS" "$T_TMP/form"
is sts/caller-identity "$(xq_ GetCallerIdentityResult/Arn)" "arn:aws:sts::123456789012:assumed-role/acmec-dns/acmec-test"
form "Action=AssumeRole&Version=2011-06-15&RoleArn=$AWS_ROLE&RoleSessionName=x"
AK=$AWS_KEY_LIMITED SK=$AWS_SECRET_LIMITED aws_call sts POST "$STS" "$T_TMP/form"
err_is sts/untrusted-user 403 AccessDenied
is sts/untrusted-user/words "$(xq_ Error/Message)" \
    "User: arn:aws:iam::123456789012:user/limited is not authorized to perform: sts:AssumeRole on resource: $AWS_ROLE"
aws_call route53 POST "$STS" "$T_TMP/form"
err_is sts/scoped-to-route53 403 SignatureDoesNotMatch
# A regional endpoint wants its region in the credential scope.
form "Action=GetCallerIdentity&Version=2011-06-15"
aws_call sts POST "https://sts.eu-west-1.amazonaws.com$PS/" "$T_TMP/form"
err_is sts/regional-endpoint/us-east-1-scope 403 SignatureDoesNotMatch
python3 "$LIB/sigv4.py" sign "$AWS_KEY" "$AWS_SECRET" eu-west-1 sts POST \
    "https://sts.eu-west-1.amazonaws.com$PS/" "$T_TMP/form" >"$T_TMP/sig"
call POST "https://sts.eu-west-1.amazonaws.com$PS/" -H @"$T_TMP/sig" --data-binary @"$T_TMP/form"
is sts/regional-endpoint/own-scope "$CODE $(xq_ GetCallerIdentityResult/Arn)" "200 arn:aws:iam::123456789012:user/acmec"
fake_api_mode '{"credential_lifetime": 1}'
form "Action=AssumeRole&Version=2011-06-15&RoleArn=$AWS_ROLE&RoleSessionName=short"
aws_call sts POST "$STS" "$T_TMP/form"
TA=$(xq_ AssumeRoleResult/Credentials/AccessKeyId)
TS=$(xq_ AssumeRoleResult/Credentials/SecretAccessKey)
TT=$(xq_ AssumeRoleResult/Credentials/SessionToken)
sleep 2
AK=$TA SK=$TS AWS_SESSION_TOKEN=$TT r53 GET "$R53/hostedzone"
err_is sts/expired-credentials 403 ExpiredToken
fake_api_mode '{}'

# --- IMDSv2 --------------------------------------------------------------
IMDS=http://127.0.0.1:$FAKE_IMDS_PORT
CREDS=/latest/meta-data/iam/security-credentials/
call GET "$IMDS$CREDS"
status imds/no-token/401 401
call PUT "$IMDS/latest/api/token"
status imds/token-without-ttl/400 400
call PUT "$IMDS/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' -H 'X-Forwarded-For: 10.0.0.1'
status imds/forwarded/403 403
call PUT "$IMDS/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'
status imds/token/200 200
IT=$(cat "$T_TMP/body")
call GET "$IMDS$CREDS" -H "X-aws-ec2-metadata-token: $IT"
is imds/role-name "$CODE $(cat "$T_TMP/body")" "200 acmec-node"
call GET "$IMDS${CREDS}acmec-node" -H "X-aws-ec2-metadata-token: $IT"
is imds/credentials "$CODE $(jq_ 'd["Code"], d["Type"], d["AccessKeyId"][:4]')" "200 ('Success', 'AWS-HMAC', 'ASIA')"
TA=$(jq_ 'd["AccessKeyId"]') TS=$(jq_ 'd["SecretAccessKey"]') TT=$(jq_ 'd["Token"]')
AK=$TA SK=$TS AWS_SESSION_TOKEN=$TT r53 GET "$R53/hostedzonesbyname?dnsname=acmec.test&maxitems=1"
status imds/credentials-work 200
grep_in imds/log/role "$FAKE_API_LOG" 'auth=role:acmec-node/i-0123456789abcdef0 status=200$'
call GET "$IMDS$CREDS" -H "X-aws-ec2-metadata-token: not-a-token"
status imds/bad-token/401 401
fake_api_mode '{"imds_v1": true}'
call GET "$IMDS$CREDS"
status imds/v1-mode 200
fake_api_mode '{}'

not_in aws/log/no-secret "$FAKE_API_LOG" "$AWS_SECRET"
not_in aws/log/no-session-token "$FAKE_API_LOG" "$TT"
not_in fake/no-bug "$FAKE_API_LOG" ' BUG '


finish
