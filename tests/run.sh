#!/bin/sh
# Run the whole suite against the build in $1 (e.g. build/check): unit tests,
# then every tests/e2e/*.sh.  Each test prints "PASS name", "FAIL name" or
# "SKIP name: reason"; this script counts them and ends with the line
# "N passed, N failed[, N skipped]".  Exit 0 only if nothing failed.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
export ACMEC="$top/$build/acmec"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
"$build/unit" | tee -a "$log" || status=1
for t in tests/e2e/*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	sh "$t" 2>&1 | tee -a "$log"
done

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit $status
