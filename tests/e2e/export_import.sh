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
mkdir -p "$C" "$S/secrets/rsa-account" "$S/secrets/ec-account"
chmod 700 "$S" "$S/secrets" "$S/secrets/rsa-account" "$S/secrets/ec-account"
# An RSA account key, the only type cert-manager takes (PKCS#1, as it
# writes them, and as acmec now makes them); the other issuer's is ECDSA
# P-256, as an older acmec made them.
openssl genrsa -traditional -out "$S/secrets/rsa-account/tls.key" 2048 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$S/secrets/ec-account/tls.key" 2>/dev/null
chmod 600 "$S/secrets/rsa-account/tls.key" "$S/secrets/ec-account/tls.key"
{ yaml_issuer pebble-rsa rsa-account '[{http01: {ingress: {}}}]'
  echo ---
  yaml_issuer pebble-ec ec-account '[{http01: {ingress: {}}}]'
  echo ---
  echo 'apiVersion: cert-manager.io/v1'
  echo 'kind: ClusterIssuer'
  echo 'metadata: {name: local}'
  echo 'spec: {selfSigned: {}}'
  echo ---
  echo 'apiVersion: cert-manager.io/v1'
  echo 'kind: ClusterIssuer'
  echo 'metadata: {name: root-ca}'
  echo 'spec: {ca: {secretName: root-secret}}'
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
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: root, namespace: cert-manager}
spec:
  isCA: true
  commonName: acmec export root
  secretName: root-secret
  privateKey: {algorithm: ECDSA, size: 384}
  issuerRef: {name: local, kind: ClusterIssuer}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: leaf, namespace: shop}
spec:
  secretName: leaf-tls
  issuerRef: {name: root-ca, kind: ClusterIssuer}
  dnsNames: [leaf.shop]
  emailAddresses: [ops@acmec.test]
  uris: ["spiffe://acmec.test/leaf"]
  renewBeforePercentage: 20
EOF2
expect issue 0 "$ACMEC" -c "$C" -s "$S" issue
for n in web-tls api-tls internal-tls root-secret leaf-tls; do
	check issue/$n test -s "$S/secrets/$n/tls.crt"
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
grep_in export/ca-root "$T_TMP/kinds" '^Secret cert-manager root-secret kubernetes.io/tls ca.crt tls.crt tls.key -$'
grep_in export/email-sans "$T_TMP/all.yaml" '"cert-manager.io/email-sans": "ops@acmec.test"'
grep_in export/uri-sans "$T_TMP/all.yaml" '"cert-manager.io/uri-sans": "spiffe://acmec.test/leaf"'
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
    web-tls/tls-combined.pem internal-tls/tls.key rsa-account/tls.key \
    root-secret/tls.key leaf-tls/tls.crt; do
	check export/bytes/$f cmp "$T_TMP/x/$f" "$S/secrets/$f"
done
# With NAMEs: only their Secrets (the documents are all there still).
expect export/name 0 "$ACMEC" -c "$C" -s "$S" export --include-keys \
    --namespace prod api
grep_in export/name-ns "$T_TMP/out" 'namespace: "prod"'
not_in export/name-only "$T_TMP/out" 'name: "web-tls"'
not_in export/name-no-rsa-account "$T_TMP/out" 'name: "rsa-account"'

expect export/unknown-name 2 "$ACMEC" -c "$C" -s "$S" export nosuch
grep_in export/unknown-name-says "$T_TMP/err" 'nosuch: no Certificate of this name in the configuration'
expect export/bad-namespace 2 "$ACMEC" -c "$C" -s "$S" export --namespace Bad_NS
grep_in export/bad-namespace-says "$T_TMP/err" "--namespace 'Bad_NS': give a Kubernetes namespace name"

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

# ---- import into a fresh state directory: the same files, the same status ----
expect import/no-file 2 "$ACMEC" -c "$C" -s "$T_TMP/none" import
grep_in import/no-file-says "$T_TMP/err" 'import: give the FILEs'
expect import/missing-file 2 "$ACMEC" -c "$C" -s "$T_TMP/none" import "$T_TMP/nosuch.yaml"
grep_in import/missing-file-says "$T_TMP/err" 'nosuch.yaml: No such file or directory$'
check import/missing-nothing test ! -e "$T_TMP/none"
chmod 600 "$T_TMP/all.yaml" "$T_TMP/nokeys.yaml"
S2=$T_TMP/state2
expect import/fresh 0 "$ACMEC" -c "$C" -s "$S2" import "$T_TMP/all.yaml"
grep_in import/says "$T_TMP/err" '6 Secrets installed, 0 already in service'
for f in web-tls/tls.crt web-tls/tls.key web-tls/ca.crt web-tls/key.der \
    web-tls/tls-combined.pem api-tls/tls.crt api-tls/tls.key api-tls/ca.crt \
    internal-tls/tls.crt internal-tls/tls.key internal-tls/ca.crt \
    root-secret/tls.crt root-secret/tls.key leaf-tls/tls.crt leaf-tls/tls.key \
    rsa-account/tls.key; do
	check import/bytes/$f cmp "$S/secrets/$f" "$S2/secrets/$f"
done
check import/key-mode test "$(stat -L -c %a "$S2/secrets/web-tls/tls.key")" = 600
check import/der-mode test "$(stat -L -c %a "$S2/secrets/web-tls/key.der")" = 600
check import/crt-mode test "$(stat -L -c %a "$S2/secrets/web-tls/tls.crt")" = 644
check import/account-mode test "$(stat -c %a "$S2/secrets/rsa-account/tls.key")" = 600
"$ACMEC" -c "$C" -s "$S" status --json >"$T_TMP/st1.json" 2>/dev/null
"$ACMEC" -c "$C" -s "$S2" status --json >"$T_TMP/st2.json" 2>/dev/null
check import/status-json diff "$T_TMP/st1.json" "$T_TMP/st2.json"
grep_in import/status-ready "$T_TMP/st2.json" '"reason":	"Ready"'
grep_in import/status-revision "$T_TMP/st2.json" '"revision":	1'
orders=$(pebble_count 'POST /order-plz')
expect import/renew-nothing-due 0 "$ACMEC" -c "$C" -s "$S2" renew
check import/renew-no-order test "$(pebble_count 'POST /order-plz')" = "$orders"
expect import/again 0 "$ACMEC" -c "$C" -s "$S2" import "$T_TMP/all.yaml"
grep_in import/again-nothing "$T_TMP/err" '0 Secrets installed, 6 already in service'

# What kubectl prints: a List, with uid, resourceVersion, managedFields,
# status and kubectl's own annotations, and Secrets as cert-manager wrote
# them (no acmec.io/status); the Certificates and issuers from it, no -c.
python3 - "$T_TMP/all.yaml" >"$T_TMP/kubectl.yaml" <<'EOF2'
import sys, yaml
items = []
for i, d in enumerate(yaml.safe_load_all(open(sys.argv[1]))):
    if not d:
        continue
    m = d.setdefault("metadata", {})
    if d["kind"] != "ClusterIssuer":
        m.setdefault("namespace", "default")
    m["uid"] = "5f0c7a1e-0000-4000-8000-%012d" % i
    m["resourceVersion"] = str(1000 + i)
    m["creationTimestamp"] = "2026-11-01T00:00:00Z"
    m["managedFields"] = [{"apiVersion": d["apiVersion"],
                           "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:metadata": {"f:labels": {}}},
                           "manager": "cert-manager-certificates-issuing",
                           "operation": "Apply",
                           "time": "2026-11-01T00:00:00Z"}]
    m.setdefault("annotations", {})[
        "kubectl.kubernetes.io/last-applied-configuration"] = "{}"
    m["annotations"].pop("acmec.io/status", None)
    if d["kind"] in ("Certificate", "ClusterIssuer"):
        d["status"] = {"conditions": [{"type": "Ready", "status": "True",
                       "lastTransitionTime": "2026-11-01T00:00:00Z"}]}
    if d["kind"] == "Certificate":
        d["status"]["revision"] = 1
    items.append(d)
yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items,
                "metadata": {"resourceVersion": ""}}, sys.stdout)
EOF2
chmod 600 "$T_TMP/kubectl.yaml"
S3=$T_TMP/state3
expect import/kubectl-list 0 "$ACMEC" -s "$S3" -c /nonexistent import "$T_TMP/kubectl.yaml"
for f in web-tls/tls.crt web-tls/tls.key api-tls/tls.key internal-tls/tls.key \
    rsa-account/tls.key; do
	check import/kubectl-bytes/$f cmp "$S/secrets/$f" "$S3/secrets/$f"
done
not_in import/kubectl-no-warning "$T_TMP/err" 'is also the Secret document'
"$ACMEC" -c "$C" -s "$S3" status --json >"$T_TMP/st3.json" 2>/dev/null
check import/kubectl-status-json diff "$T_TMP/st1.json" "$T_TMP/st3.json"
# A Certificate whose names are no longer the certificate's: installed,
# and due (renew replaces it), not taken for up to date.
python3 - "$T_TMP/kubectl.yaml" >"$T_TMP/kubectl2.yaml" <<'EOF2'
import sys, yaml
l = yaml.safe_load(open(sys.argv[1]))
for d in l["items"]:
    if d["kind"] == "Certificate" and d["metadata"]["name"] == "web":
        d["spec"]["dnsNames"].append("new.acmec.test")
yaml.safe_dump(l, sys.stdout)
EOF2
chmod 600 "$T_TMP/kubectl2.yaml"
expect import/names-changed 0 "$ACMEC" -s "$T_TMP/state8" -c /nonexistent import "$T_TMP/kubectl2.yaml"
"$ACMEC" -c "$T_TMP/kubectl2.yaml" -s "$T_TMP/state8" status --json web >"$T_TMP/st8.json" 2>/dev/null
grep_in import/names-changed-due "$T_TMP/st8.json" '"reason":	"SecretMismatch"'

# Several FILEs, the Secrets apart; and the Secrets alone, the
# Certificates and issuers from -c.
python3 - "$T_TMP/all.yaml" >"$T_TMP/secrets.yaml" <<'EOF2'
import sys, yaml
yaml.safe_dump_all([d for d in yaml.safe_load_all(open(sys.argv[1]))
                    if d and d["kind"] == "Secret"], sys.stdout)
EOF2
chmod 600 "$T_TMP/secrets.yaml"
expect import/files 0 "$ACMEC" -c /nonexistent -s "$T_TMP/state6" import \
    "$C/issuers.yaml" "$C/certs.yaml" "$T_TMP/secrets.yaml"
check import/files-bytes cmp "$S/secrets/web-tls/tls.key" "$T_TMP/state6/secrets/web-tls/tls.key"
expect import/config 0 "$ACMEC" -c "$C" -s "$T_TMP/state7" import "$T_TMP/secrets.yaml"
check import/config-bytes cmp "$S/secrets/api-tls/tls.crt" "$T_TMP/state7/secrets/api-tls/tls.crt"
"$ACMEC" -c "$C" -s "$T_TMP/state7" status --json >"$T_TMP/st7.json" 2>/dev/null
check import/config-status-json diff "$T_TMP/st1.json" "$T_TMP/st7.json"

# ---- refusals: each named, with what to do; nothing installed ----
python3 - "$T_TMP/all.yaml" "$T_TMP/nokeys.yaml" >"$T_TMP/bad.yaml" <<'EOF2'
import base64, datetime, sys, yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
ds = {d["metadata"]["name"]: d for d in yaml.safe_load_all(open(sys.argv[1]))
      if d and d["kind"] == "Secret"}
nokeys = {d["metadata"]["name"]: d for d in
          yaml.safe_load_all(open(sys.argv[2])) if d and d["kind"] == "Secret"}
b64 = lambda b: base64.b64encode(b).decode()
# web: expired (a certificate of its names and key, valid in 2020 only)
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "web.acmec.test")])
c = (x509.CertificateBuilder().subject_name(n).issuer_name(n)
     .public_key(k.public_key()).serial_number(7)
     .not_valid_before(datetime.datetime(2020, 1, 1))
     .not_valid_after(datetime.datetime(2020, 2, 1))
     .add_extension(x509.SubjectAlternativeName(
         [x509.DNSName("web.acmec.test")]), False)
     .sign(k, hashes.SHA256()))
web = ds["web-tls"]
web["data"] = {"tls.crt": b64(c.public_bytes(serialization.Encoding.PEM)),
               "tls.key": b64(k.private_bytes(
                   serialization.Encoding.PEM,
                   serialization.PrivateFormat.TraditionalOpenSSL,
                   serialization.NoEncryption()))}
# internal: the key of another certificate
internal = ds["internal-tls"]
internal["data"]["tls.key"] = ds["api-tls"]["data"]["tls.key"]
# api: another type
api = ds["api-tls"]
api["type"] = "Opaque"
# a Secret nothing reads
stray = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
         "metadata": {"name": "stray", "namespace": "shop"},
         "data": {"token": b64(b"x")}}
# an export without keys
keyless = nokeys["internal-tls"]
keyless["metadata"]["namespace"] = "other"
print(yaml.safe_dump_all([web, internal, api, stray, ds["rsa-account"]]))
print("---")
k2 = dict(keyless)
print(yaml.safe_dump(k2))
EOF2
chmod 600 "$T_TMP/bad.yaml"
cat >>"$C/certs.yaml" <<'EOF2'
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: internal, namespace: other}
spec:
  secretName: internal-tls2
  issuerRef: {name: local, kind: ClusterIssuer}
  dnsNames: [internal.other]
EOF2
sed -i 's/^  name: internal-tls$/  name: internal-tls2/' "$T_TMP/bad.yaml"
sed -i '0,/name: internal-tls2/s//name: internal-tls/' "$T_TMP/bad.yaml"
S4=$T_TMP/state4
mkdir -p "$S4"
"$ACMEC" -c "$C" -s "$S4" import "$T_TMP/all.yaml" >/dev/null 2>&1
rm -rf "$S4/secrets/web-tls" "$S4/secrets/rsa-account"
snapshot() { (cd "$1" && find . -printf '%p %y %m %l\n' | sort &&
    find . -type f -exec sha256sum {} + | sort); }
snapshot "$S4" >"$T_TMP/before"
expect import/refused 1 "$ACMEC" -c "$C" -s "$S4" import "$T_TMP/bad.yaml"
grep_in import/expired "$T_TMP/err" "Secret 'shop/web-tls': its certificate expired at 2020-02-01T00:00:00Z: leave the Secret out and run 'acmec issue web'"
grep_in import/mismatch "$T_TMP/err" "Secret 'shop/internal-tls': tls.key is not the key of the certificate in tls.crt"
grep_in import/type "$T_TMP/err" "Secret 'default/api-tls': its type is 'Opaque', and Certificate 'default/api' writes a kubernetes.io/tls Secret"
grep_in import/stray "$T_TMP/err" "Secret 'shop/stray': no Certificate, issuer or keystore of the configuration reads it: leave it out"
grep_in import/keyless "$T_TMP/err" "Secret 'other/internal-tls2': tls.key is empty (exported without --include-keys?): export it again with --include-keys"
grep_in import/file-line "$T_TMP/err" "bad.yaml:[0-9]*:[0-9]*: Secret 'shop/web-tls'"
grep_in import/nothing "$T_TMP/err" 'nothing imported: 5 Secrets refused'
snapshot "$S4" >"$T_TMP/after"
check import/refused-untouched cmp "$T_TMP/before" "$T_TMP/after"
check import/refused-no-account test ! -e "$S4/secrets/rsa-account"

# ---- a link planted in the secrets directory is not followed ----
S5=$T_TMP/state5
mkdir -p "$S5/secrets" "$T_TMP/elsewhere"
chmod 700 "$S5" "$S5/secrets"
ln -s "$T_TMP/elsewhere" "$S5/secrets/web-tls"
expect import/link 1 "$ACMEC" -c "$C" -s "$S5" import "$T_TMP/all.yaml"
grep_in import/link-named "$T_TMP/err" "secrets/web-tls is a symbolic link: remove it"
check import/link-elsewhere-empty test -z "$(ls -A "$T_TMP/elsewhere")"
check import/link-nothing-else test ! -e "$S5/secrets/api-tls"

# ---- a newer certificate in service: replaced only with --force ----
sleep 1
expect import/reissue 0 "$ACMEC" -c "$C" -s "$S2" issue web
check import/same-account cmp "$S/secrets/rsa-account/account.json" \
    "$S2/secrets/rsa-account/account.json"
cp "$S2/secrets/web-tls/tls.crt" "$T_TMP/newer.crt"
expect import/newer-refused 1 "$ACMEC" -c "$C" -s "$S2" import "$T_TMP/all.yaml"
grep_in import/newer-named "$T_TMP/err" "secrets/web-tls holds a certificate valid until .*, longer than the imported one (until .*): leave the Secret out, or pass --force to replace it"
check import/newer-kept cmp "$T_TMP/newer.crt" "$S2/secrets/web-tls/tls.crt"
expect import/force 0 "$ACMEC" -c "$C" -s "$S2" import --force "$T_TMP/all.yaml"
check import/forced cmp "$S/secrets/web-tls/tls.crt" "$S2/secrets/web-tls/tls.crt"

# ---- an EC account made cert-manager's by rekey, keeping the account ----
url=$(cat "$S/secrets/ec-account/account.json")
expect rekey/rsa 0 "$ACMEC" -c "$C" -s "$S" account rekey --issuer pebble-ec \
    --key-type rsa2048
expect rekey/export 0 "$ACMEC" -c "$C" -s "$S" export --include-keys
not_in rekey/no-notice "$T_TMP/err" "'pebble-ec': its account key is not RSA"
grep_in rekey/ec-account-exported "$T_TMP/out" 'name: "ec-account"'
check rekey/same-account test "$(cat "$S/secrets/ec-account/account.json")" = "$url"

finish
