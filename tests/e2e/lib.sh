# Sourced by the end-to-end tests.  $ACMEC is the binary under test.
# Each check prints "PASS name" or "FAIL name" (tests/run.sh counts them).

: "${ACMEC:?ACMEC must name the acmec binary (tests/run.sh sets it)}"

T_TMP=$(mktemp -d)
trap 'rm -rf "$T_TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }

# expect NAME STATUS CMD...: run CMD, keep stdout/stderr in $T_TMP/out and
# $T_TMP/err, and check its exit status.
expect() {
	_name=$1 _want=$2
	shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then
		pass "$_name"
	else
		fail "$_name" "exit $_got, want $_want; stderr: $(head -c 300 "$T_TMP/err")"
	fi
}

# grep_in NAME FILE PATTERN: FILE ($T_TMP/out or err) matches PATTERN.
grep_in() {
	if grep -q -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no '$3' in $(head -c 300 "$2")"
	fi
}
