#!/bin/sh
# Every cert-manager YAML example of the documentation (README, the man
# pages, the demo, the config fuzzer's seeds) is a configuration acmec loads, and uses only fields of
# cert-manager's v1 API: what acmec shows applies to a cluster unchanged
# (issue 13).  tests/lib/doc_blocks.py says which blocks are taken.
. "$(dirname "$0")/../lib/e2e.sh"

B=$T_TMP/blocks
mkdir -p "$B"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T_TMP/ca.key" -out "$T_TMP/ca.pem" -days 1 -subj /CN=doc \
    2>/dev/null
DOC_CA_BUNDLE=$(base64 -w0 "$T_TMP/ca.pem")
export DOC_CA_BUNDLE
cd "$T_TOP" || exit 1
python3 tests/lib/doc_blocks.py "$B" README man/acmec.1 man/acmec.conf.5 \
    tests/demo.sh tests/fuzz/corpus/config/*.yaml >"$T_TMP/index" 2>"$T_TMP/extract.err"
check docs/extracted test -s "$T_TMP/index"
check docs/extract-ok test ! -s "$T_TMP/extract.err"
# README's two examples, acmec.conf(5)'s two, the demo's one at least.
check docs/enough test "$(wc -l <"$T_TMP/index")" -ge 5

# at_doc N WHERE: acmec's BLOCK:LINE:COL positions as the document's own.
at_doc() {
	awk -v f="$B/$1.yaml:" -v doc="${2%:*}" -v start="${2##*:}" '{
		while ((i = index($0, f)) > 0) {
			rest = substr($0, i + length(f))
			l = rest + 0
			sub(/^[0-9]+/, "", rest)
			$0 = substr($0, 1, i - 1) doc ":" (l + start - 1) rest
		}
		print
	}'
}

while IFS="	" read -r n where; do
	mkdir -p "$B/$n.secrets"
	if "$ACMEC" -c "$B/$n.yaml" -s "$T_TMP/state" \
	    --secrets-dir "$B/$n.secrets" check >"$T_TMP/out" 2>&1; then
		pass "docs/$where/acmec-check"
	else
		fail "docs/$where/acmec-check" "$(grep -m3 'error:' "$T_TMP/out" |
		    at_doc "$n" "$where")"
	fi
	if [ -f "$B/$n.err" ]; then
		fail "docs/$where/cert-manager-v1" "$(cat "$B/$n.err")"
	elif python3 tests/data/cert-manager/check_fields.py "$B/$n.json" \
	    >"$T_TMP/out" 2>&1; then
		pass "docs/$where/cert-manager-v1"
	else
		fail "docs/$where/cert-manager-v1" "$(head -5 "$T_TMP/out" |
		    sed "s|$B/$n.json|$where|")"
	fi
done <"$T_TMP/index"
finish
