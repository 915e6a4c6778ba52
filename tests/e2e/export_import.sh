#!/bin/sh
# acmec export and import against the real Pebble: the state moves to
# Kubernetes manifests cert-manager finds up to date, and back into a fresh
# state directory unchanged.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"
K8S="python3 $T_TOP/tests/lib/k8s_check.py"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
C=$T_TMP/conf
mkdir -p "$C" "$S/secrets/rsa-account"
chmod 700 "$S" "$S/secrets" "$S/secrets/rsa-account"
# An RSA account key, the only type cert-manager takes (PKCS#1, as it
# writes them); the other issuer's account is acmec's own choice.
openssl genrsa -traditional -out "$S/secrets/rsa-account/tls.key" 2048 2>/dev/null
chmod 600 "$S/secrets/rsa-account/tls.key"
{ yaml_issuer pebble-rsa rsa-account '[{http01: {ingress: {}}}]'
  echo ---
  yaml_issuer pebble-ec ec-account '[{http01: {ingress: {}}}]'
  echo ---
  echo 'apiVersion: cert-manager.io/v1'
  echo 'kind: ClusterIssuer'
  echo 'metadata: {name: local}'
  echo 'spec: {selfSigned: {}}'
} >"$C/issuers.yaml"
cat >"$C/certs.yaml" <<'EOF2'
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: shop
spec:
  secretName: web-tls
  issuerRef: {name: pebble-rsa, kind: ClusterIssuer}
  dnsNames: [web.acmec.test, www.acmec.test]
  additionalOutputFormats: [{type: CombinedPEM}, {type: DER}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api}
spec:
  secretName: api-tls
  issuerRef: {name: pebble-ec, kind: ClusterIssuer}
  privateKey: {algorithm: ECDSA, size: 256}
  dnsNames: [api.acmec.test]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: internal, namespace: shop}
spec:
  secretName: internal-tls
  issuerRef: {name: local, kind: ClusterIssuer}
  commonName: internal.shop
  subject: {organizations: ["Shop, Inc.", Ops], countries: [DE]}
  dnsNames: [internal.shop]
  ipAddresses: [192.0.2.7, "2001:db8::7"]
  renewBefore: 240h
EOF2
expect issue 0 "$ACMEC" -c "$C" -s "$S" issue
for n in web api internal; do
	check issue/$n test -s "$S/secrets/$n-tls/tls.crt"
done

# ---- export, with the keys ----
expect export/keys 0 "$ACMEC" -c "$C" -s "$S" export --include-keys
cp "$T_TMP/out" "$T_TMP/all.yaml"
cp "$T_TMP/err" "$T_TMP/all.err"
check export/schema $K8S schema "$T_TMP/all.yaml"
check export/cert-manager-up-to-date $K8S uptodate "$T_TMP/all.yaml"
# The configuration's documents as they are, first.
{ printf -- '---\n'; cat "$C/certs.yaml"; printf -- '---\n'
  cat "$C/issuers.yaml"; } >"$T_TMP/docs"
head -c "$(wc -c <"$T_TMP/docs")" "$T_TMP/all.yaml" >"$T_TMP/head"
check export/documents-verbatim cmp "$T_TMP/docs" "$T_TMP/head"
python3 - "$T_TMP/all.yaml" >"$T_TMP/kinds" <<'EOF2'
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d:
        m = d["metadata"]
        print(d["kind"], m.get("namespace", "-"), m["name"], d.get("type", "-"),
              " ".join(sorted((d.get("data") or {}).keys())),
              (m.get("labels") or {}).get("app.kubernetes.io/managed-by", "-"))
EOF2
grep_in export/web "$T_TMP/kinds" '^Secret shop web-tls kubernetes.io/tls ca.crt key.der tls-combined.pem tls.crt tls.key -$'
grep_in export/api-default-ns "$T_TMP/kinds" '^Secret default api-tls kubernetes.io/tls ca.crt tls.crt tls.key -$'
grep_in export/local "$T_TMP/kinds" '^Secret shop internal-tls kubernetes.io/tls ca.crt tls.crt tls.key -$'
grep_in export/rsa-account "$T_TMP/kinds" '^Secret cert-manager rsa-account Opaque tls.key cert-manager$'
not_in export/no-ec-account "$T_TMP/kinds" 'ec-account'
grep_in export/ec-account-notice "$T_TMP/all.err" "ClusterIssuer 'pebble-ec': its account key is not RSA.*account rekey --issuer pebble-ec --key-type rsa2048"
# The Secrets' data are the files, byte for byte.
python3 - "$T_TMP/all.yaml" "$T_TMP/x" <<'EOF2'
import base64, os, sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "Secret":
        p = os.path.join(sys.argv[2], d["metadata"]["name"])
        os.makedirs(p, exist_ok=True)
        for k, v in d["data"].items():
            open(os.path.join(p, k), "wb").write(base64.b64decode(v))
EOF2
for f in web-tls/tls.crt web-tls/tls.key web-tls/ca.crt web-tls/key.der \
    web-tls/tls-combined.pem internal-tls/tls.key rsa-account/tls.key; do
	check export/bytes/$f cmp "$T_TMP/x/$f" "$S/secrets/$f"
done
# With NAMEs: only their Secrets (the documents are all there still).
expect export/name 0 "$ACMEC" -c "$C" -s "$S" export --include-keys \
    --namespace prod api
grep_in export/name-ns "$T_TMP/out" 'namespace: "prod"'
not_in export/name-only "$T_TMP/out" 'name: "web-tls"'
not_in export/name-no-rsa-account "$T_TMP/out" 'name: "rsa-account"'

# ---- export without the keys ----
expect export/nokeys 0 "$ACMEC" -c "$C" -s "$S" export
cp "$T_TMP/out" "$T_TMP/nokeys.yaml"
check export/nokeys-schema $K8S schema "$T_TMP/nokeys.yaml"
not_in export/nokeys-no-key "$T_TMP/nokeys.yaml" 'PRIVATE KEY'
python3 - "$T_TMP/nokeys.yaml" "$S/secrets" >"$T_TMP/leak" <<'EOF2'
import base64, glob, sys, yaml
keys = set()
for f in glob.glob(sys.argv[2] + "/*/tls.key") + \
        glob.glob(sys.argv[2] + "/*/key.der") + \
        glob.glob(sys.argv[2] + "/*/tls-combined.pem"):
    keys.add(open(f, "rb").read())
text = open(sys.argv[1], "rb").read()
for d in yaml.safe_load_all(text):
    for k, v in ((d or {}).get("data") or {}).items():
        raw = base64.b64decode(v)
        if any(x in raw for x in keys):
            print("key material in", d["metadata"]["name"], k)
for x in keys:
    if base64.b64encode(x) in text or x in text:
        print("key material in the text")
EOF2
check export/nokeys-nothing-leaks test ! -s "$T_TMP/leak"
grep_in export/nokeys-empty-key "$T_TMP/nokeys.yaml" '"tls.key": ""'
grep_in export/nokeys-notice "$T_TMP/err" 'without --include-keys these Secrets have an empty tls.key, and cert-manager will issue their certificates anew: shop/web-tls, default/api-tls, shop/internal-tls'
check export/nokeys-fails-uptodate sh -c "! $K8S uptodate '$T_TMP/nokeys.yaml'"
finish
