#!/bin/sh
# Real-world shaped trees (tests/data/manifests): each loads with `acmec
# check` (or is refused for the one reason it shows), and its cert-manager
# documents use only cert-manager's v1 fields, so it applies to a cluster.
. "$(dirname "$0")/../lib/e2e.sh"

M=$T_TOP/tests/data/manifests
C=$T_TMP/m
mkdir -p "$C"
# Copies only the owner reads: the Secret documents give no mode warning.
cp "$M"/*.yaml "$C/"
chmod 600 "$C"/*.yaml

# loads NAME NOTICE...: FILE loads (exit 0) and says each NOTICE.
loads() {
	_f=$1
	shift
	expect "load/$_f" 0 "$ACMEC" -c "$C/$_f.yaml" check
	for _n in "$@"; do grep_in "load/$_f/says" "$T_TMP/err" "$_n"; done
	not_in "load/$_f/no-warning" "$T_TMP/err" 'warning:'
}

loads letsencrypt-nginx '2 issuers, 1 certificate: OK'
loads helm-rendered 'ignoring fields that only mean something inside Kubernetes: metadata.labels'
loads kubectl-get-list '1 issuer, 1 certificate: OK'
loads gitops-with-rbac 'skipping Namespace of v1' 'skipping RoleBinding of rbac.authorization.k8s.io/v1' \
    'skipping Ingress of networking.k8s.io/v1'
loads kustomization 'skipping Kustomization of kustomize.config.k8s.io/v1beta1'
loads rfc2136-secret '1 issuer, 1 certificate: OK'
loads zerossl-eab 'skipping ExternalSecret of external-secrets.io/v1beta1'
loads bootstrap-ca '3 issuers, 3 certificates: OK'

# A template for envsubst: refused, saying what to run.
expect refuse/envsubst 2 "$ACMEC" -c "$C/envsubst-template.yaml" check
grep_in refuse/envsubst/says "$T_TMP/err" 'envsubst-template.yaml:9:12: spec.acme.email: .* left unsubstituted: run envsubst'

# All of them as one directory (the template left out): one tree.
rm "$C/envsubst-template.yaml"
expect tree 0 "$ACMEC" -c "$C" check

# Only cert-manager's v1 fields in the cert-manager documents.
for f in "$M"/*.yaml; do
	b=$(basename "$f" .yaml)
	python3 - "$f" >"$T_TMP/$b.json" <<'EOF2'
import json, sys, yaml
KINDS = ('Issuer', 'ClusterIssuer', 'Certificate', 'Secret', 'List')
with open(sys.argv[1], encoding='utf-8') as fh:
    docs = [d for d in yaml.safe_load_all(fh)
            if isinstance(d, dict) and d.get('kind') in KINDS]
json.dump(docs, sys.stdout, default=str)
EOF2
	check "fields/$b" python3 "$T_TOP/tests/data/cert-manager/check_fields.py" "$T_TMP/$b.json"
done
finish
