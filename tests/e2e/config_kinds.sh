#!/bin/sh
# The rest of a real tree (issue 13, item 2), against Pebble and BIND9:
# kind: Secret documents are the first source of the TSIG secret, the EAB
# key and the account key; a kubectl List is unpacked; other kinds are
# skipped with one notice each; the Certificate of a vault issuer is
# skipped while the others issue, and never touched.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

mac=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
start_dns
PEBBLE_EXTRA='"externalAccountBindingRequired": true, "externalAccountMACKeys": {"kid-1": "'$mac'"}' \
    start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/c
mkdir -p "$C"
EAB='    externalAccountBinding: {keyID: kid-1, keySecretRef: {name: eab, key: mac}}'

# secret NAME NAMESPACE LINES: a Secret document.
secret() {
	printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n'
	printf '  name: %s\n  namespace: %s\ntype: Opaque\n%s\n' "$1" "$2" "$3"
}
# The EAB key, base64 in data as kubectl create secret writes it.
eab_secret() {
	secret eab "${1:-cert-manager}" "data:
  mac: $(printf %s "$mac" | base64 -w0)"
}

# 1. TSIG secret, EAB key and account key all from Secret documents; no
# file under the secrets directory holds any of them.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T_TMP/acct.pem" 2>/dev/null
{
	yaml_issuer dns acct '
    - dns01:
        rfc2136:
          nameserver: 127.0.0.1:53
          tsigKeyName: acme-key
          tsigAlgorithm: HMACSHA256
          tsigSecretSecretRef: {name: tsig, key: secret}' "$EAB"
	yaml_cert single dns single.acmec.test
	secret tsig cert-manager "stringData:
  secret: $DNS_SECRET"
	eab_secret
	secret acct cert-manager "data:
  tls.key: $(base64 -w0 "$T_TMP/acct.pem")"
} >"$C/secrets.yaml"
chmod 600 "$C/secrets.yaml"
expect secrets/check 0 "$ACMEC" -c "$C/secrets.yaml" check
not_in secrets/no-mode-warning "$T_TMP/err" 'chmod'
expect secrets/issue 0 "$ACMEC" -vv -c "$C/secrets.yaml" -s "$S" issue
cert_ok secrets "$S/secrets/single-tls" "Private-Key: (2048 bit" single.acmec.test
grep_in secrets/tsig-used "$T_TMP/err" 'dns-01: added 1 TXT record to zone acmec.test'
grep_in secrets/eab-used "$T_TMP/err" 'registered account'
check secrets/no-key-file test ! -e "$S/secrets/acct/tls.key"
check secrets/url-kept test -s "$S/secrets/acct/account.json"
check secrets/no-tsig-file test ! -e "$S/secrets/tsig"
not_in secrets/tsig-not-logged "$T_TMP/err" "$DNS_SECRET"
not_in secrets/mac-not-logged "$T_TMP/err" "$mac"
not_in secrets/key-not-logged "$T_TMP/err" "$(sed -n 2p "$T_TMP/acct.pem")"
# The same key found again: the account is the one registered.
expect secrets/show 0 "$ACMEC" -c "$C/secrets.yaml" -s "$S" account show --issuer dns
grep_in secrets/show-valid "$T_TMP/out" '^Status: *valid'
# A key in the configuration cannot be rolled by acmec.
expect secrets/rekey-refused 1 "$ACMEC" -c "$C/secrets.yaml" -s "$S" account rekey --issuer dns
grep_in secrets/rekey-message "$T_TMP/err" "is Secret 'cert-manager/acct' key 'tls.key' ($C/secrets.yaml:[0-9]*:[0-9]*), in the configuration, which acmec does not write"

# Others can read the file: one warning with the chmod to run.
chmod 644 "$C/secrets.yaml"
expect mode/check 0 "$ACMEC" -c "$C/secrets.yaml" check
grep_in mode/warning "$T_TMP/err" "$C/secrets.yaml holds Secret documents and everyone can read it: run chmod go-rwx $C/secrets.yaml"
check mode/once test "$(grep -c 'holds Secret documents' "$T_TMP/err")" -eq 1
chmod 600 "$C/secrets.yaml"

# A ClusterIssuer reads Secrets of cert-manager's namespace only.
sed 's/^  namespace: cert-manager$/  namespace: default/' "$C/secrets.yaml" >"$C/ns.yaml"
chmod 600 "$C/ns.yaml"
expect namespace/check 2 "$ACMEC" -c "$C/ns.yaml" check
grep_in namespace/message "$T_TMP/err" "tsigSecretSecretRef: Secret 'tsig' is in namespace 'default' ($C/ns.yaml:[0-9]*:9); ClusterIssuer 'dns' reads Secrets from cert-manager's cluster resource namespace 'cert-manager': set metadata.namespace: cert-manager in the Secret"

# 2. A directory as a real tree holds it: a kubectl List with the
# ClusterIssuer and a Certificate, RBAC, a Kustomization, an ExternalSecret.
T=$C/tree
mkdir -p "$T"
{
	printf 'apiVersion: v1\nkind: List\nmetadata: {resourceVersion: ""}\nitems:\n'
	{ yaml_issuer web acct-web '[{http01: {ingress: {}}}]' "$EAB"; yaml_cert web web web.acmec.test; } |
	    sed -e '/^---$/d' -e 's/^apiVersion:/- apiVersion:/' -e '/^- apiVersion:/!s/^/  /'
} >"$T/list.yaml"
cat >"$T/rbac.yaml" <<'EOF2'
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cert-reader, namespace: default}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: dns-creds}
spec: {refreshInterval: 1h}
EOF2
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [list.yaml, rbac.yaml]\n' >"$T/kustomization.yaml"
eab_secret >"$T/secrets.yaml"
chmod 600 "$T/secrets.yaml"
expect tree/issue 0 "$ACMEC" -c "$T" -s "$S" issue
cert_ok tree "$S/secrets/web-tls" "Private-Key: (2048 bit" web.acmec.test
grep_in tree/notice-kustomization "$T_TMP/err" "$T/kustomization.yaml:1: skipping Kustomization of kustomize.config.k8s.io/v1beta1"
grep_in tree/notice-role "$T_TMP/err" "$T/rbac.yaml:1: skipping Role of rbac.authorization.k8s.io/v1"
grep_in tree/notice-externalsecret "$T_TMP/err" "$T/rbac.yaml:9: skipping ExternalSecret"
check tree/one-notice-each test "$(grep -c 'skipping' "$T_TMP/err")" -eq 3

# 3. A vault issuer's Certificate is skipped; the other one issues.
V=$C/vault
mkdir -p "$V"
cp "$T/list.yaml" "$T/secrets.yaml" "$V/"
cat >"$V/vault.yaml" <<'EOF2'
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: vault}
spec:
  vault:
    server: https://vault.acmec.test
    path: pki/sign/acmec
    auth: {tokenSecretRef: {name: vault-token, key: token}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: vaulted}
spec:
  secretName: vaulted-tls
  issuerRef: {name: vault, kind: ClusterIssuer}
  dnsNames: [vaulted.acmec.test]
EOF2
# The SelfSigned -> CA bootstrap, the CA Certificate in a file read before
# its issuer's: isCA is for that issuer to judge, not acmec.
cat >"$V/aa-root.yaml" <<'EOF2'
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: root-ca, namespace: cert-manager}
spec:
  isCA: true
  commonName: root-ca
  secretName: root-secret
  issuerRef: {name: self, kind: ClusterIssuer, group: cert-manager.io}
EOF2
printf 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: self}\nspec: {selfSigned: {}}\n' >"$V/zz-self.yaml"
expect vault/check 0 "$ACMEC" -c "$V" check
not_in vault/bootstrap-runs "$T_TMP/err" "skipping Certificate 'cert-manager/root-ca'"
not_in vault/no-acme-required "$T_TMP/err" 'spec.acme: required'
rm -rf "$S/secrets/web-tls"
expect vault/issue 0 "$ACMEC" -c "$V" -s "$S" issue
grep_in vault/notice "$T_TMP/err" "$V/vault.yaml:12:18: skipping Certificate 'default/vaulted': its issuer ClusterIssuer 'vault' is a vault issuer, which acmec does not run"
cert_ok vault "$S/secrets/web-tls" "Private-Key: (2048 bit" web.acmec.test
check vault/self-signed-root test -s "$S/secrets/root-secret/tls.crt"
check vault/untouched test ! -e "$S/secrets/vaulted-tls"
expect vault/issue-named 2 "$ACMEC" -c "$V" -s "$S" issue vaulted
grep_in vault/named-message "$T_TMP/err" "default/vaulted: its issuer ClusterIssuer 'vault' is a vault issuer, and acmec does not run vault issuers yet"
expect vault/renew 0 "$ACMEC" -c "$V" -s "$S" renew
expect vault/status 0 "$ACMEC" -c "$V" -s "$S" status --json
check vault/status-lists-web grep -q '"web"' "$T_TMP/out"
not_in vault/status-omits-vaulted "$T_TMP/out" 'vaulted'
expect vault/status-named 2 "$ACMEC" -c "$V" -s "$S" status vaulted
expect vault/revoke-named 2 "$ACMEC" -c "$V" -s "$S" revoke vaulted
expect vault/account 2 "$ACMEC" -c "$V" -s "$S" account show --issuer vault
grep_in vault/account-message "$T_TMP/err" "a vault issuer, which has no ACME account (and acmec does not run it)"
check vault/still-untouched test ! -e "$S/secrets/vaulted-tls"
finish
