#!/bin/sh
# Every field path of cert-manager's v1 API (tests/data/cert-manager/
# fields-v1.tsv) is known to acmec's loader: implemented, or accepted
# with a notice; "unknown field" only for what cert-manager does not have.
. "$(dirname "$0")/../lib/e2e.sh"

for kind in Issuer ClusterIssuer Certificate; do
	check "fields/$kind" python3 "$T_TOP/tests/lib/fields_probe.py" \
	    "$ACMEC" "$kind"
done
finish
