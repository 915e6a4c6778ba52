#!/bin/sh
# Faults on acmec's side: kill -9 at every write, fsync, rename, symlink
# and unlink of a renewal; EIO and ENOSPC injected at every write and
# fsync; a full disk; two runs at once; umask 000; planted symlinks; names
# that try to escape; secrets kept out of logs and hooks.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0
# LeakSanitizer cannot run under ptrace: off for runs under strace.
STRACE="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace"
S=$T_TMP/state
D=$S/secrets/web-tls
cat >"$T_TMP/deploy" <<EOF2
#!/bin/sh
{ echo "argv: \$*"; env; ps -eo args; } >>"$T_TMP/hook.out"
EOF2
chmod +x "$T_TMP/deploy"
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  DEPLOY="[\"$T_TMP/deploy\"]" yaml_cert web le web.acmec.test; } >"$T_TMP/c.yaml"

# umask 000 from the start: keys 0600, directories 0700 all the same.
(umask 000; "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue >/dev/null 2>&1)
check umask/issued test -s "$D/tls.crt"
check umask/cert-key-0600 test "$(stat -L -c %a "$D/tls.key")" = 600
check umask/account-key-0600 test "$(stat -c %a "$S/secrets/account/tls.key")" = 600
for d in "$S" "$S/secrets" "$S/secrets/account" "$D" "$D/..data" "$S/locks" "$S/status" "$S/status/default"; do
	check "umask/dir-0700-$(basename "$d")" test "$(stat -L -c %a "$d")" = 700
done

sums() { sha256sum "$D/tls.crt" "$D/tls.key" "$D/ca.crt" 2>/dev/null; }
# consistent NAME: the files in service parse and match each other, and
# are the old set or a whole new one.
consistent() {
	_ok=1
	openssl x509 -in "$D/tls.crt" -noout 2>/dev/null || _ok=0
	[ "$(openssl x509 -in "$D/tls.crt" -noout -pubkey 2>/dev/null)" = \
	    "$(openssl pkey -in "$D/tls.key" -pubout 2>/dev/null)" ] || _ok=0
	# ca.crt is the last certificate of tls.crt
	awk '/BEGIN CERT/{n++} {c[n]=c[n] $0 "\n"} END{printf "%s", c[n]}' "$D/tls.crt" >"$T_TMP/top"
	cmp -s "$T_TMP/top" "$D/ca.crt" || _ok=0
	if sha256sum "$D/tls.crt" | cut -d' ' -f1 | grep -q -f - "$T_TMP/old"; then
		sums | cmp -s - "$T_TMP/old" || _ok=0 # old certificate: old set
	fi
	[ $_ok = 1 ] && pass "$1" || fail "$1" "files in service inconsistent"
}
count() { # SYSCALL: how many times a renewal makes it
	$STRACE -f -o "$T_TMP/strace" -e trace="$1" "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue >/dev/null 2>&1
	grep -c "$1(" "$T_TMP/strace"
}

# kill -9 at each write, fsync, renameat, symlinkat and unlinkat in turn.
for sc in write fsync renameat symlinkat unlinkat; do
	n=$(count $sc)
	[ "$n" -gt 0 ] || fail "crash/$sc-seen" "no $sc in a renewal"
	i=1
	while [ $i -le "$n" ]; do
		sums >"$T_TMP/old"
		timeout 30 $STRACE -f -o /dev/null -e trace=$sc -e inject=$sc:signal=KILL:when=$i \
		    "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue >/dev/null 2>&1
		consistent "crash/$sc-$i-consistent"
		expect "crash/$sc-$i-next-run" 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
		consistent "crash/$sc-$i-after-next-run"
		i=$((i + 1))
	done
done

# EIO and ENOSPC at each write and fsync: a clear error or success, never
# a crash, and the files in service whole.
for sc in write fsync; do
	n=$(count $sc)
	for err in EIO ENOSPC; do
		i=1
		while [ $i -le "$n" ]; do
			sums >"$T_TMP/old"
			timeout 30 $STRACE -f -o /dev/null -e trace=$sc -e inject=$sc:error=$err:when=$i \
			    "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue >"$T_TMP/out" 2>"$T_TMP/err"
			rc=$?
			if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q 'error: ' "$T_TMP/err"; }; then
				pass "inject/$sc-$err-$i-clean"
			else
				fail "inject/$sc-$err-$i-clean" "exit $rc: $(tail -3 "$T_TMP/err")"
			fi
			consistent "inject/$sc-$err-$i-consistent"
			i=$((i + 1))
		done
	done
done
# Every fsync failing: the new set is never put in service.
sums >"$T_TMP/old"
expect inject/all-fsync-fail 1 $STRACE -f -o /dev/null -e trace=fsync -e inject=fsync:error=EIO \
    "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
grep_in inject/all-fsync-message "$T_TMP/err" "cannot write .*web-tls: Input/output error; the files in service are unchanged"
sums | cmp -s - "$T_TMP/old" && pass inject/all-fsync-unchanged || fail inject/all-fsync-unchanged

# A full disk: the state on a small tmpfs, filled up.
cat >"$T_TMP/full.sh" <<EOF2
mount -t tmpfs -o size=2m tmpfs "$T_TMP/full" || exit 3
cp -a "$S/." "$T_TMP/full/"
dd if=/dev/zero of="$T_TMP/full/filler" bs=4k >/dev/null 2>&1
sha256sum "$T_TMP/full/secrets/web-tls/tls.crt" "$T_TMP/full/secrets/web-tls/tls.key" >"$T_TMP/full-old"
"$ACMEC" -c "$T_TMP/c.yaml" -s "$T_TMP/full" issue >"$T_TMP/full-out" 2>"$T_TMP/full-err"
echo \$? >"$T_TMP/full-rc"
sha256sum "$T_TMP/full/secrets/web-tls/tls.crt" "$T_TMP/full/secrets/web-tls/tls.key" | cmp -s - "$T_TMP/full-old" && echo same >"$T_TMP/full-same"
umount "$T_TMP/full"
EOF2
mkdir -p "$T_TMP/full"
unshare -m sh "$T_TMP/full.sh"
check full-disk/exit test "$(cat "$T_TMP/full-rc")" = 1
grep_in full-disk/message "$T_TMP/full-err" 'No space left on device'
check full-disk/files-unchanged test -f "$T_TMP/full-same"

# Two runs at once: one works, the other says the certificate is locked;
# one order only.  (The first is held up at its connect by strace.)
orders=$(pebble_count 'POST /order-plz')
$STRACE -f -o /dev/null -e trace=connect -e inject=connect:delay_enter=1500000:when=1 \
    "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" renew --force >"$T_TMP/first.out" 2>&1 &
first=$!
sleep 0.5
expect concurrent/second 1 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" renew --force
grep_in concurrent/locked "$T_TMP/err" 'certificate-default-web is locked: another acmec is working on it'
wait $first
check concurrent/first-ok grep -q '1 renewed, 0 not due, 0 failed' "$T_TMP/first.out"
check concurrent/one-order test "$(pebble_count 'POST /order-plz')" -eq $((orders + 1))

# Planted symlinks are replaced, never written through.
echo victim >"$T_TMP/victim"
ln -sf "$T_TMP/victim" "$D/tls.key.planted"
rm -f "$D/tls.key" && ln -s "$T_TMP/victim" "$D/tls.key"
expect symlink/issue 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
check symlink/victim-untouched test "$(cat "$T_TMP/victim")" = victim
check symlink/key-is-ours test "$(readlink "$D/tls.key")" = ..data/tls.key
mkdir -p "$S/secrets/planted"
ln -s "$T_TMP/victim2" "$S/secrets/planted/tls.key"
{ yaml_issuer pl planted '[{http01: {ingress: {}}}]'; yaml_cert pl pl pl.acmec.test; } >"$T_TMP/p.yaml"
expect symlink/account-key 1 "$ACMEC" -c "$T_TMP/p.yaml" -s "$S" issue
check symlink/account-not-followed test ! -e "$T_TMP/victim2"

# Names that try to escape: refused before any network use.
before=$(wc -l <"$T_TMP/pebble/log")
for bad in "a.test;touch $T_TMP/pwned" '$(touch pwned).test' '../x' 'a b.test' '-rf'; do
	expect "escape/$bad" 2 "$ACMEC" -s "$S" issue -d "$bad" --server "$PEBBLE_DIR" --standalone
done
check escape/no-network test "$(wc -l <"$T_TMP/pebble/log")" -eq "$before"
check escape/nothing-run sh -c "[ ! -e '$T_TMP/pwned' ] && [ ! -e pwned ]"

# Secrets never in stderr, at any verbosity, nor in a hook's view.
: >"$T_TMP/hook.out"
expect secrets/issue 0 "$ACMEC" -vv -c "$T_TMP/c.yaml" -s "$S" issue
for f in "$D/tls.key" "$S/secrets/account/tls.key"; do
	sed -n 2p "$f" | cut -c1-40 >"$T_TMP/needle"
	not_in "secrets/stderr-$(basename "$(dirname "$f")")" "$T_TMP/err" "$(cat "$T_TMP/needle")"
	not_in "secrets/hook-$(basename "$(dirname "$f")")" "$T_TMP/hook.out" "$(cat "$T_TMP/needle")"
done
grep_in secrets/hook-ran "$T_TMP/hook.out" 'ACMEC_CERT_NAME=web'
not_in secrets/no-private-in-stderr "$T_TMP/err" 'PRIVATE KEY'
finish
