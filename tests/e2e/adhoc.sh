#!/bin/sh
# Ad hoc issue as complete as a configured one, with no configuration file:
# dns-01 through --dns PROVIDER (RFC 2136 against BIND9, Cloudflare against
# the fake of its API; the credentials from the environment, never logged)
# and --dns-hook; --deploy-hook; --eab-kid with the MAC key from the
# environment; --profile (the test front) and --preferred-chain (Pebble's
# alternate roots); Let's Encrypt as the default server and --staging;
# what is missing or refused is named.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/fake_dns_api.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
start_fake_dns_api
S=$T_TMP/state
mkdir -p "$S"
chmod 700 "$S"
# No provider variables from the caller's environment.
unset CLOUDFLARE_API_TOKEN CF_API_TOKEN CLOUDFLARE_API_KEY CF_API_KEY \
    CLOUDFLARE_EMAIL RFC2136_NAMESERVER RFC2136_TSIG_KEY RFC2136_TSIG_SECRET \
    RFC2136_TSIG_ALGORITHM ACMEC_EAB_HMAC_KEY GOOGLE_CLOUD_PROJECT \
    GOOGLE_APPLICATION_CREDENTIALS DIGITALOCEAN_ACCESS_TOKEN DIGITALOCEAN_TOKEN
V=
adhoc() { "$ACMEC" $V -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" \
    --ca-bundle "$PEBBLE_CA" "$@"; }

# --dns rfc2136: the nameserver and TSIG key from lego's RFC2136_*
# variables; a wildcard and its apex as one RRset.
rfc() { # TSIG-SECRET ISSUE-ARGS...
	_secret=$1
	shift
	env RFC2136_NAMESERVER=127.0.0.1:53 RFC2136_TSIG_KEY=acme-key \
	    RFC2136_TSIG_ALGORITHM=HMACSHA256 RFC2136_TSIG_SECRET="$_secret" \
	    "$ACMEC" -vv -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" \
	    --ca-bundle "$PEBBLE_CA" --dns rfc2136 --dns-resolver 127.0.0.1:53 \
	    "$@"
}
expect rfc2136/issue 0 rfc "$DNS_SECRET" -d rfc.acmec.test \
    -d '*.rfc.acmec.test' --out "$T_TMP/rfc"
cert_ok rfc2136 "$T_TMP/rfc" "Private-Key: (256 bit" rfc.acmec.test '*.rfc.acmec.test'
grep_in rfc2136/dns-01 "$T_TMP/err" 'dns-01'
# Ad hoc issue's account key is ECDSA P-256, as certbot's and lego's are.
check rfc2136/account-p256 sh -c "openssl pkey -in '$S/secrets/acmec-adhoc-account/tls.key' -noout -text | grep -q prime256v1"
not_in rfc2136/secret-not-logged "$T_TMP/err" "$DNS_SECRET"
check rfc2136/records-removed test -z "$(txt _acme-challenge.rfc.acmec.test)"
expect rfc2136/wrong-secret 1 rfc 'bm90IHRoZSBzZWNyZXQgYXQgYWxsIG5vdCBhdCBhbGwK' \
    -d rfc2.acmec.test --out "$T_TMP/rfc2"
grep_in rfc2136/wrong-secret-rcode "$T_TMP/err" 'RCODE NOTAUTH'
check rfc2136/wrong-secret-nothing-written test ! -e "$T_TMP/rfc2/tls.crt"
expect rfc2136/no-nameserver 2 adhoc --dns rfc2136 -d rfc3.acmec.test
grep_in rfc2136/no-nameserver-says "$T_TMP/err" \
    '--dns rfc2136 needs RFC2136_NAMESERVER in the environment'
expect rfc2136/resolver-without-dns 2 adhoc --standalone --dns-resolver \
    127.0.0.1:53 -d rfc3.acmec.test
grep_in rfc2136/resolver-without-dns-says "$T_TMP/err" '--dns-resolver is for --dns'

# --dns cloudflare through the fake API: an API token from
# CLOUDFLARE_API_TOKEN (wrangler's and Terraform's variable).
cf() { with_api_world env "$@"; }
expect cloudflare/issue 0 cf CLOUDFLARE_API_TOKEN="$CF_TOKEN" "$ACMEC" -vv \
    -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" --ca-bundle \
    "$PEBBLE_CA" --dns cloudflare --dns-resolver 127.0.0.1:53 \
    -d cfa.acmec.test --out "$T_TMP/cf"
cert_ok cloudflare "$T_TMP/cf" "Private-Key: (256 bit" cfa.acmec.test
grep_in cloudflare/added "$T_TMP/err" 'cloudflare: added 1 TXT record at _acme-challenge.cfa.acmec.test'
not_in cloudflare/token-not-logged "$T_TMP/err" "$CF_TOKEN"
check cloudflare/token-used test "$(fake_api_count 'cloudflare POST .* status=200')" -ge 1
expect cloudflare/bad-token 1 cf CLOUDFLARE_API_TOKEN=nottherighttoken0123456789 \
    "$ACMEC" -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" \
    --ca-bundle "$PEBBLE_CA" --dns cloudflare --dns-resolver 127.0.0.1:53 \
    -d cfb.acmec.test --out "$T_TMP/cfb"
grep_in cloudflare/bad-token-words "$T_TMP/err" 'cloudflare'
check cloudflare/bad-token-nothing-written test ! -e "$T_TMP/cfb/tls.crt"
expect cloudflare/no-credentials 2 adhoc --dns cloudflare -d cfc.acmec.test
grep_in cloudflare/no-credentials-says "$T_TMP/err" \
    'no credentials in the environment (set CLOUDFLARE_API_TOKEN'
expect provider/unknown 2 adhoc --dns nosuch -d cfc.acmec.test
grep_in provider/unknown-lists "$T_TMP/err" "use one of cloudflare, digitalocean, route53"
# A value the configuration refuses is refused the same way, and the
# message says where the settings came from.
expect clouddns/bad-project 2 env GOOGLE_CLOUD_PROJECT='Not A Project' \
    "$ACMEC" -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" \
    --dns clouddns -d gc.acmec.test
grep_in clouddns/bad-project-says "$T_TMP/err" 'is not a Google Cloud project ID'
grep_in clouddns/from-env "$T_TMP/err" 'its settings come from GOOGLE_CLOUD_PROJECT'
# A value is one YAML string, whatever it holds: a variable that tries to
# add a field of its own (here a second nameserver line, and a quote
# breaking out of the scalar) is refused as the value it is.
expect inject/newline 2 env RFC2136_NAMESERVER="$(printf '127.0.0.1:53\n        tsigKeyName: evil')" \
    "$ACMEC" -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" \
    --dns rfc2136 -d inj.acmec.test
grep_in inject/newline-one-value "$T_TMP/err" 'rfc2136.nameserver: .127.0.0.1:53\\x0a        tsigKeyName: evil. is not host'
expect inject/quote 2 env GOOGLE_CLOUD_PROJECT='p", hostedZoneName: "evil' \
    "$ACMEC" -s "$S" -c /nonexistent issue --server "$PEBBLE_DIR" \
    --dns clouddns -d inj.acmec.test
grep_in inject/quote-one-value "$T_TMP/err" "cloudDNS.project: 'p\", hostedZoneName: \"evil' is not a Google Cloud project ID"

# --dns-hook PROGRAM: acmec's exec hook (present/cleanup NAME VALUE).
nsupdate_hook "$T_TMP/hook" "$T_TMP/hook.log"
expect dns-hook/issue 0 adhoc --dns-hook "$T_TMP/hook" \
    --dns-resolver 127.0.0.1:53 -d hk.acmec.test --out "$T_TMP/hk"
cert_ok dns-hook "$T_TMP/hk" "Private-Key: (256 bit" hk.acmec.test
check dns-hook/present grep -qx 'present _acme-challenge.hk.acmec.test present _acme-challenge.hk.acmec.test hk.acmec.test' "$T_TMP/hook.log"
check dns-hook/cleanup grep -q '^cleanup _acme-challenge.hk.acmec.test cleanup' "$T_TMP/hook.log"

# --deploy-hook CMD: sh -c, after the files are in place.
expect deploy-hook/issue 0 adhoc --standalone 127.0.0.1:80 -d dh.acmec.test \
    --deploy-hook 'echo "$ACMEC_CERT_NAME $ACMEC_DNS_NAMES" >'"$T_TMP/deployed"'; test -s "$ACMEC_SECRET_DIR/tls.crt"'
check deploy-hook/ran grep -qx 'dh.acmec.test dh.acmec.test' "$T_TMP/deployed"
expect deploy-hook/fails 1 adhoc --standalone 127.0.0.1:80 -d dh2.acmec.test \
    --deploy-hook 'exit 3'
grep_in deploy-hook/fails-says "$T_TMP/err" 'deploy hook failed'
expect deploy-hook/empty 2 adhoc --standalone -d dh3.acmec.test --deploy-hook ''

# Let's Encrypt by default, --staging for its staging CA; no network
# here, so the run fails, naming the server it went to.
expect default/letsencrypt 1 "$ACMEC" -s "$S" -c /nonexistent issue \
    --standalone :5080 -d le.acmec.test
grep_in default/letsencrypt-url "$T_TMP/err" 'acme-v02.api.letsencrypt.org'
expect staging/letsencrypt 1 "$ACMEC" -s "$S" -c /nonexistent issue \
    --staging --standalone :5080 -d le.acmec.test
grep_in staging/url "$T_TMP/err" 'acme-staging-v02.api.letsencrypt.org'
expect staging/with-server 2 adhoc --staging --standalone -d le.acmec.test
grep_in staging/with-server-says "$T_TMP/err" 'give --server URL or --staging'

# --profile: the test front lists profiles (Pebble has none).
FRONT_CONTROL=$T_TMP/front-control.json
echo '{"profiles": {"classic": "the usual", "shortlived": "6 days"}}' >"$FRONT_CONTROL"
start_front
expect profile/issue 0 "$ACMEC" -s "$S" -c /nonexistent issue --server \
    "$FRONT_DIR" --ca-bundle "$PEBBLE_CA" --profile shortlived \
    --standalone 127.0.0.1:80 -d pr.acmec.test --out "$T_TMP/pr"
grep_in profile/sent "$FRONT_LOG" 'profile=shortlived'
expect profile/unknown 1 "$ACMEC" -s "$S" -c /nonexistent issue --server \
    "$FRONT_DIR" --ca-bundle "$PEBBLE_CA" --profile tlsserver \
    --standalone 127.0.0.1:80 -d pr2.acmec.test --out "$T_TMP/pr2"
grep_in profile/unknown-says "$T_TMP/err" "the CA offers no profile 'tlsserver'"

# --preferred-chain: Pebble's alternate chain, by its root's name.
stop_pebble
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_ALTERNATE_ROOTS=1
curl -sf --cacert "$PEBBLE_CA" https://127.0.0.1:15000/roots/1 >"$T_TMP/root1.pem"
alt_cn=$(openssl x509 -in "$T_TMP/root1.pem" -noout -subject -nameopt multiline |
    sed -n 's/^ *commonName *= *//p')
V=-v
expect preferred-chain/issue 0 adhoc --preferred-chain "$alt_cn" \
    --standalone 127.0.0.1:80 -d pc.acmec.test --out "$T_TMP/pc"
V=
grep_in preferred-chain/alternate "$T_TMP/err" 'using the alternate chain'
check preferred-chain/verifies openssl verify -CAfile "$T_TMP/root1.pem" \
    -untrusted "$T_TMP/pc/tls.crt" "$T_TMP/pc/tls.crt"

# --eab-kid: the MAC key from ACMEC_EAB_HMAC_KEY, never from argv.
stop_pebble
mac=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
PEBBLE_EXTRA='"externalAccountBindingRequired": true, "externalAccountMACKeys": {"kid-1": "'$mac'"}' \
    start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/eab-state
mkdir -p "$S"
chmod 700 "$S"
expect eab/no-mac 2 adhoc --eab-kid kid-1 --standalone -d eab.acmec.test
grep_in eab/no-mac-says "$T_TMP/err" 'set ACMEC_EAB_HMAC_KEY'
expect eab/issue 0 env ACMEC_EAB_HMAC_KEY="$mac" "$ACMEC" -vv -s "$S" \
    -c /nonexistent issue --server "$PEBBLE_DIR" --ca-bundle "$PEBBLE_CA" \
    --eab-kid kid-1 --standalone 127.0.0.1:80 -d eab.acmec.test --out "$T_TMP/eab"
cert_ok eab "$T_TMP/eab" "Private-Key: (256 bit" eab.acmec.test
grep_in eab/registered "$T_TMP/err" 'registered account'
not_in eab/mac-not-logged "$T_TMP/err" "$mac"
finish
