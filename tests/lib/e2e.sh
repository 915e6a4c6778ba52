# Sourced by the end-to-end tests.  $ACMEC is the binary under test.
# Each check prints "PASS name" or "FAIL name" (tests/run.sh counts them).
#
# A test that sets NEED_NETNS=1 before sourcing this file runs in a private
# network namespace with only loopback up, so that its fixed ports (DNS 5353,
# Pebble 14000/15000, http-01 80, tls-alpn-01 443) never collide with another
# run or with the machine's services.

: "${ACMEC:?ACMEC must name the acmec binary (tests/run.sh sets it)}"

if [ "${NEED_NETNS:-0}" = 1 ] && [ -z "${ACMEC_IN_NETNS:-}" ]; then
	export ACMEC_IN_NETNS=1
	if [ "$(id -u)" -eq 0 ]; then
		exec unshare -n sh "$0" "$@"
	else
		exec unshare -rn sh "$0" "$@"
	fi
fi
if [ -n "${ACMEC_IN_NETNS:-}" ]; then
	ip link set lo up || { echo "FAIL $0: cannot bring lo up"; exit 1; }
fi

T_TMP=$(mktemp -d)
T_PIDS=
T_TOP=$(cd "$(dirname "$0")/../.." && pwd)
T_FINISHED=0
# Every test script ends with `finish`; one that stops early fails.
finish() { T_FINISHED=1; }
cleanup() {
	[ "$T_FINISHED" = 1 ] || echo "FAIL $0: stopped before its end"
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }

# check NAME CMD...: PASS if CMD succeeds.
check() {
	_name=$1
	shift
	if "$@" >"$T_TMP/check.out" 2>&1; then
		pass "$_name"
	else
		fail "$_name" "$(head -c 400 "$T_TMP/check.out")"
	fi
}

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
		fail "$_name" "exit $_got, want $_want; stderr: $(head -c 600 "$T_TMP/err")"
	fi
}

# grep_in NAME FILE PATTERN: FILE matches the (basic) regular expression.
grep_in() {
	if grep -q -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no '$3' in: $(head -c 600 "$2")"
	fi
}

# not_in NAME FILE PATTERN: FILE does not match.
not_in() {
	if grep -q -- "$3" "$2"; then
		fail "$1" "'$3' found in: $(grep -- "$3" "$2" | head -c 400)"
	else
		pass "$1"
	fi
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
