# The DNS provider API fakes (tests/lib/fake_dns_api.py), sourced after
# e2e.sh and world.sh by a test that has started BIND9 (start_dns).
#
# start_fake_dns_api: a test CA and a TLS pair for api.cloudflare.com,
# api.digitalocean.com,
# route53.amazonaws.com, sts.amazonaws.com and sts.REGION.amazonaws.com for
# each REGION in $FAKE_API_REGIONS ("us-east-1 eu-west-1" unless set: the
# SDKs reach STS at the configured region's endpoint), localhost and
# 127.0.0.1; the fake serving all of them on
# 127.0.0.1:$FAKE_API_PORT (443 unless set), chosen by Host header, and
# the instance metadata service on 127.0.0.1:$FAKE_IMDS_PORT (8169 unless
# set).  Record changes go to BIND9 at 127.0.0.1:${DNS_PORT:-53} with
# $DNS_KEYFILE.  Sets:
#   FAKE_API_CA       the test CA certificate (give it to acmec / curl)
#   FAKE_API_LOG      one line per request: "PROVIDER METHOD PATH
#                     auth=WHO status=CODE", and "bind add|del ..." lines
#   FAKE_API_CONTROL  the control file (JSON; see fake_api_mode)
#   FAKE_API_HOSTS    a hosts file naming the API hosts 127.0.0.1, for a
#                     test to bind-mount over /etc/hosts (unshare -m)
#   FAKE_API_CONF     the fake's configuration (zones, credentials)
#   credentials (test values, nothing real):
#   CF_TOKEN          API token for every zone of the account
#   CF_TOKEN_SCOPED   API token for acmec.test only
#   CF_EMAIL CF_KEY   global API key
#   ADNS_USER ADNS_PASS ADNS_SUB  an acme-dns account (acmedns.acmec.test),
#                     its records at ADNS_SUB.other.test
#   DO_TOKEN          DigitalOcean token for every domain
#   DO_TOKEN_SCOPED   DigitalOcean token for acmec.test only
#   AK_HOST           the Akamai API client's host (akab-....luna.akamaiapis.net)
#   AK_CLIENT_TOKEN AK_CLIENT_SECRET AK_ACCESS_TOKEN  an Akamai API client
#                     for acmec.test and other.test; AK_SCOPED_* the same
#                     for acmec.test only.  _acme-challenge.ak.acmec.test
#                     holds a TXT set of someone else's at start.
#   AWS_KEY AWS_SECRET         IAM user "acmec", every zone
#   AWS_KEY_LIMITED AWS_SECRET_LIMITED  IAM user "limited", acmec.test only
#   AWS_ROLE          a role "acmec" may assume (every zone)
#   AWS_NODE_ROLE     the instance's role (IMDS), every zone
#   GCP_PROJECT       the Google Cloud project of the zones (acmec-test);
#                     foreign-project has an acmec.test zone the accounts
#                     cannot see
#   GCP_SA_EMAIL GCP_SA_PEM  a service account (roles in GCP_PROJECT) and
#                     its RSA key, made for the run (the fake has only the
#                     public half); GCP_NODE_EMAIL the metadata server's
#                     account.  Managed zones: acmec-test (acmec.test.,
#                     public, after a private one of the same name),
#                     other-test (other.test.)
#   AZ_TENANT AZ_CLIENT AZ_SECRET  an Azure service principal ("acmec"),
#                     DNS Zone Contributor on resource group AZ_RG of
#                     subscription AZ_SUB (zones acmec.test, other.test,
#                     _acme-challenge.apex.acmec.test; acmec.test also as
#                     an Azure Private DNS zone)
#   AZ_CLIENT_LIMITED AZ_SECRET_LIMITED  one on resource group other-rg only
#   AZ_MI_CLIENT AZ_MI_RESOURCE  a user-assigned managed identity (IMDS);
#                     the machine's system-assigned one works too
#   AZ_WI_CLIENT AZ_WI_TOKEN  Workload Identity: an application whose
#                     federated credential accepts the token AZ_WI_TOKEN
# Zones, in both providers: acmec.test and other.test (also in BIND9),
# zone01.test .. zone11.test (API only, for pagination), and foreign.test,
# which belongs to another account.
# The acme-dns account is known before start (a test's zone needs the
# CNAME to its subdomain when BIND9 starts).
ADNS_USER=c36f50e8-4632-44f0-83fe-e070fef28a10
ADNS_PASS=htB9mR9DYgcu9bX_afHF62erXaH2TS7bg9KW3F7Z
ADNS_SUB=1f9a0ac2-4b1c-4c1d-8e0f-5c9b3b6a7d21

start_fake_dns_api() {
	_f=$T_TMP/fakeapi
	mkdir -p "$_f"
	FAKE_API_PORT=${FAKE_API_PORT:-443}
	FAKE_IMDS_PORT=${FAKE_IMDS_PORT:-8169}
	FAKE_API_CA=$_f/ca.pem
	FAKE_API_LOG=$_f/requests.log
	FAKE_API_CONTROL=$_f/control.json
	FAKE_API_HOSTS=$_f/hosts
	FAKE_API_CONF=$_f/config.json
	CF_TOKEN=acmecTestTokenAllZones0123456789abcdefgh
	CF_TOKEN_SCOPED=acmecTestTokenScoped01234567890abcdefghi
	CF_EMAIL=dns@acmec.test
	CF_KEY=a4b3bf242024da5c2660319e90bb69d4f2537
	DO_TOKEN=dop_v1_acmectest0123456789abcdef0123456789abcdef0123456789abcdef01
	DO_TOKEN_SCOPED=dop_v1_acmecscoped0123456789abcdef0123456789abcdef0123456789ab
	AK_HOST=akab-acmectest0a1b2c3d-4e5f6a7b8c9d0e1f.luna.akamaiapis.net
	AK_CLIENT_TOKEN=akab-acmecclient0001-acmectest0a1b2c3d
	AK_CLIENT_SECRET=acmecTestClientSecret0123456789abcdefghijk=
	AK_ACCESS_TOKEN=akab-acmecaccess0001-acmectest4e5f6a7b
	AK_SCOPED_CLIENT_TOKEN=akab-acmecclient0002-acmectestscoped00
	AK_SCOPED_CLIENT_SECRET=acmecTestScopedSecret0123456789abcdefghij=
	AK_SCOPED_ACCESS_TOKEN=akab-acmecaccess0002-acmectestscoped00
	AWS_KEY=AKIAACMECTEST0000001
	AWS_SECRET=acmecTestSecretKey/0123456789+abcdefghij
	AWS_KEY_LIMITED=AKIAACMECTEST0000002
	AWS_SECRET_LIMITED=acmecTestSecretKey/Limited+0123456789abc
	AWS_ROLE=arn:aws:iam::123456789012:role/acmec-dns
	AWS_NODE_ROLE=arn:aws:iam::123456789012:role/acmec-node
	AZ_TENANT=3f2b5a8e-1c4d-4e6f-9a0b-acec0000a001
	AZ_CLIENT=0c1d2e3f-4a5b-4c6d-8e7f-a1b2c3d4e5f6
	AZ_SECRET='acmecTest~Secret.0123456789_abcdefghijklmn'
	AZ_CLIENT_LIMITED=7a8b9c0d-1e2f-4a3b-8c4d-e5f6a7b8c9d0
	AZ_SECRET_LIMITED='acmecTest~Limited.0123456789_abcdefghijk'
	AZ_SUB=5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9
	AZ_RG=acmec-dns
	AZ_MI_CLIENT=9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a
	AZ_WI_CLIENT=2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091
	AZ_WI_TOKEN=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YWNtZWMifQ.acmecTestFederatedToken
	AZ_MI_RESOURCE=/subscriptions/$AZ_SUB/resourceGroups/acmec-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acmec-mi
	_names="api.cloudflare.com api.digitalocean.com route53.amazonaws.com"
	_names="$_names acmedns.acmec.test $AK_HOST"
	_names="$_names sts.amazonaws.com"
	_names="$_names dns.googleapis.com oauth2.googleapis.com"
	_names="$_names login.microsoftonline.com management.azure.com"
	_names="$_names login.chinacloudapi.cn management.chinacloudapi.cn"
	_names="$_names login.microsoftonline.us management.usgovcloudapi.net"
	_names="$_names login.microsoftonline.de management.microsoftazure.de"
	for _r in ${FAKE_API_REGIONS:-us-east-1 eu-west-1}; do
		_names="$_names sts.$_r.amazonaws.com"
	done
	if [ ! -f "$_f/cert.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$_f/ca.key" -out "$FAKE_API_CA" -days 2 \
		    -subj "/CN=acmec test DNS API CA" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$_f/key.pem" -out "$_f/req.pem" \
		    -subj /CN=api.cloudflare.com 2>/dev/null
		printf 'subjectAltName=%sDNS:localhost,IP:127.0.0.1\n' \
		    "$(printf 'DNS:%s,' $_names)" >"$_f/ext"
		echo extendedKeyUsage=serverAuth >>"$_f/ext"
		openssl x509 -req -in "$_f/req.pem" -CA "$FAKE_API_CA" \
		    -CAkey "$_f/ca.key" -CAcreateserial -days 2 \
		    -extfile "$_f/ext" -out "$_f/cert.pem" 2>/dev/null
	fi
	GCP_PROJECT=acmec-test
	GCP_SA_EMAIL=acmec-dns@acmec-test.iam.gserviceaccount.com
	GCP_NODE_EMAIL=node@acmec-test.iam.gserviceaccount.com
	GCP_SA_PEM=$_f/gcp-sa.pem
	[ -f "$GCP_SA_PEM" ] || openssl genpkey -algorithm RSA \
	    -pkeyopt rsa_keygen_bits:2048 -out "$GCP_SA_PEM" 2>/dev/null
	openssl pkey -in "$GCP_SA_PEM" -pubout -out "$_f/gcp-sa.pub"
	printf '127.0.0.1 localhost %s\n' "$_names" >"$FAKE_API_HOSTS"
	[ -f "$FAKE_API_CONTROL" ] || echo '{}' >"$FAKE_API_CONTROL"
	: >"$FAKE_API_LOG"
	_z='"acmec.test", "other.test"'
	for _i in 01 02 03 04 05 06 07 08 09 10 11; do
		_z="$_z, \"zone$_i.test\""
	done
	cat >"$FAKE_API_CONF" <<CONF
{"listen": "127.0.0.1:$FAKE_API_PORT", "imds": "127.0.0.1:$FAKE_IMDS_PORT",
 "cert": "$_f/cert.pem", "key": "$_f/key.pem",
 "log": "$FAKE_API_LOG", "control": "$FAKE_API_CONTROL",
 "dns": "127.0.0.1:${DNS_PORT:-53}", "tsig_keyfile": "$DNS_KEYFILE",
 "bind_zones": ["acmec.test", "other.test"],
 "cloudflare": {
  "zones": [$_z], "foreign_zones": ["foreign.test"],
  "tokens": {"$CF_TOKEN": {"label": "all", "zones": "*"},
             "$CF_TOKEN_SCOPED": {"label": "scoped", "zones": ["acmec.test"]}},
  "keys": [{"email": "$CF_EMAIL", "key": "$CF_KEY", "label": "global"}]},
 "acmedns": {"users": {
  "$ADNS_USER": {"password": "$ADNS_PASS", "subdomain": "$ADNS_SUB"}}},
 "digitalocean": {
  "domains": ["acmec.test", "other.test"],
  "tokens": {"$DO_TOKEN": {"label": "all", "domains": "*"},
             "$DO_TOKEN_SCOPED": {"label": "scoped", "domains": ["acmec.test"]}}},
 "akamai": {
  "host": "$AK_HOST", "zones": ["acmec.test", "other.test"],
  "clients": {"$AK_CLIENT_TOKEN": {"secret": "$AK_CLIENT_SECRET",
               "access_token": "$AK_ACCESS_TOKEN", "label": "all"},
              "$AK_SCOPED_CLIENT_TOKEN": {"secret": "$AK_SCOPED_CLIENT_SECRET",
               "access_token": "$AK_SCOPED_ACCESS_TOKEN", "label": "scoped",
               "zones": ["acmec.test"]}},
  "max_body": 131072, "headers_to_sign": [],
  "records": [{"zone": "acmec.test", "name": "_acme-challenge.ak.acmec.test",
               "ttl": 600, "rdata": ["\"someone-elses-value\""]}]},
 "gcp": {
  "projects": {"$GCP_PROJECT": [
    {"name": "acmec-test-internal", "dnsName": "acmec.test.", "visibility": "private"},
    {"name": "acmec-test", "dnsName": "acmec.test.", "visibility": "public"},
    {"name": "other-test", "dnsName": "other.test.", "visibility": "public"}],
   "foreign-project": [{"name": "acmec-test", "dnsName": "acmec.test."}]},
  "accounts": {"$GCP_SA_EMAIL": {"label": "sa", "pub": "$_f/gcp-sa.pub",
                                 "projects": ["$GCP_PROJECT"]},
               "$GCP_NODE_EMAIL": {"label": "node", "projects": ["$GCP_PROJECT"]}},
  "metadata_account": "$GCP_NODE_EMAIL"},
 "aws": {
  "account": "123456789012", "zones": [$_z],
  "foreign_zones": ["foreign.test"],
  "users": {"$AWS_KEY": {"secret": "$AWS_SECRET", "name": "acmec"},
            "$AWS_KEY_LIMITED": {"secret": "$AWS_SECRET_LIMITED",
                                 "name": "limited", "zones": ["acmec.test"]}},
  "roles": {"$AWS_ROLE": {"trust": ["acmec"], "zones": "*"},
            "$AWS_NODE_ROLE": {"trust": [], "zones": "*"}},
  "instance_role": "$AWS_NODE_ROLE"},
 "azure": {
  "tenants": {"$AZ_TENANT": {"domain": "acmectest.onmicrosoft.com"}},
  "principals": {
   "$AZ_CLIENT": {"tenant": "$AZ_TENANT", "secret": "$AZ_SECRET",
    "label": "acmec", "scopes": ["/subscriptions/$AZ_SUB/resourceGroups/$AZ_RG"]},
   "$AZ_CLIENT_LIMITED": {"tenant": "$AZ_TENANT", "secret": "$AZ_SECRET_LIMITED",
    "label": "limited", "scopes": ["/subscriptions/$AZ_SUB/resourceGroups/other-rg"]},
   "$AZ_WI_CLIENT": {"tenant": "$AZ_TENANT", "assertion": "$AZ_WI_TOKEN",
    "label": "workload", "scopes": ["/subscriptions/$AZ_SUB/resourceGroups/$AZ_RG"]}},
  "identities": {
   "system": {"label": "node", "scopes": ["/subscriptions/$AZ_SUB"]},
   "$AZ_MI_CLIENT": {"label": "uami", "resource_id": "$AZ_MI_RESOURCE",
    "scopes": ["/subscriptions/$AZ_SUB/resourceGroups/$AZ_RG"]}},
  "subscriptions": {"$AZ_SUB": {"$AZ_RG": ["acmec.test", "other.test",
   "_acme-challenge.apex.acmec.test"], "other-rg": []}},
  "private": {"$AZ_SUB": {"$AZ_RG": ["acmec.test"]}},
  "preset": {"acmec.test": {"_acme-challenge.azkeep": ["someone-elses-value"],
   "_acme-challenge.azrace": ["someone-elses-value"],
   "_acme-challenge.azhostile": ["someone-elses-value"]}}}}
CONF
	python3 "$T_TOP/tests/lib/fake_dns_api.py" "$FAKE_API_CONF" \
	    2>"$_f/stderr" &
	FAKE_API_PID=$!
	T_PIDS="$T_PIDS $FAKE_API_PID"
	if ! wait_for 20 grep -q 'fake_dns_api ready' "$FAKE_API_LOG"; then
		echo "FAIL fake_dns_api: did not start: $(tail -5 "$_f/stderr")"
		exit 1
	fi
}

# with_api_hosts CMD...: CMD in a mount namespace of its own where
# /etc/hosts is $FAKE_API_HOSTS, so the real API host names reach the fake
# (DESIGN.md section 5); the bind mount is private to CMD.
with_api_hosts() {
	unshare -m --propagation private sh -c \
	    'mount --bind "$0" /etc/hosts && exec "$@"' "$FAKE_API_HOSTS" "$@"
}

# with_api_world CMD...: with_api_hosts, and the system's CA bundle with
# $FAKE_API_CA added, so that a client trusting the system (acmec's DNS
# providers) trusts the fake: both mounts private to CMD.
with_api_world() {
	_bundle=$T_TMP/fakeapi/bundle.pem
	[ -f "$_bundle" ] || cat /etc/ssl/certs/ca-certificates.crt \
	    "$FAKE_API_CA" >"$_bundle"
	unshare -m --propagation private sh -c 'mount --bind "$0" /etc/hosts &&
	    mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && shift &&
	    exec "$@"' "$FAKE_API_HOSTS" "$_bundle" "$@"
}

stop_fake_dns_api() {
	kill "$FAKE_API_PID" 2>/dev/null
	wait "$FAKE_API_PID" 2>/dev/null
}

# fake_api_mode JSON: the fake's modes from now on (see the CONTROL part of
# fake_dns_api.py's header), e.g. fake_api_mode '{"cloudflare_429": 2}'.
fake_api_mode() { printf '%s\n' "$1" >"$FAKE_API_CONTROL"; }

# fake_api_count PATTERN: how many request-log lines match.
fake_api_count() { grep -c -- "$1" "$FAKE_API_LOG"; }

# rate_limited MODE WAITED WORDS CONF...: the fake's MODE (cloudflare_429,
# ...) answers 429 twice: waited out (WAITED said), issued; then past
# patience: WORDS said, exit 1, no record left.  The test's own
# "conf NAME CONF... DNSNAME" writes each configuration and its run()
# runs acmec.
rate_limited() {
	_m=$1 _w=$2 _words=$3
	shift 3
	fake_api_mode "{\"$_m\": 2, \"retry_after\": 1}"
	conf rl "$@" rl.acmec.test >"$T_TMP/rl.yaml"
	expect rate-limit/issue 0 run -c "$T_TMP/rl.yaml" issue
	grep_in rate-limit/waited "$T_TMP/err" "$_w"
	fake_api_mode "{\"$_m\": 50, \"retry_after\": 1}"
	conf rl2 "$@" rl2.acmec.test >"$T_TMP/rl2.yaml"
	expect rate-limit-long/exit 1 run -c "$T_TMP/rl2.yaml" issue
	grep_in rate-limit-long/words "$T_TMP/err" "$_words"
	fake_api_mode '{}'
	check rate-limit-long/none-left test -z "$(txt _acme-challenge.rl2.acmec.test)"
}
