#!/bin/sh
# Planted links, as an attack: an unprivileged user who can write a Secret
# directory, the state directory or the webroot plants links there between
# and during runs of root acmec.  Nothing outside is touched (a canary
# directory stays the same byte for byte), unsafe directories are refused
# with the chown/chmod to run, and no hook inherits a descriptor into them.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

EVIL=acmec-attacker
id -u "$EVIL" >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin "$EVIL" ||
    { fail planted/user "cannot create the user $EVIL"; finish; exit 1; }
EUID_=$(id -u "$EVIL")
as_evil() { setpriv --reuid="$EVIL" --regid="$EVIL" --clear-groups sh -c "$1"; }
chmod 711 "$T_TMP" # the attacker may pass through, not list
mkdir "$T_TMP/evil" && chown "$EVIL" "$T_TMP/evil"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state
D=$S/secrets/web-tls
C=$T_TMP/canary
W=$T_TMP/www
mkdir -p "$C/sub" "$W"
echo precious >"$C/file"
echo deep >"$C/sub/file"
chmod -R 777 "$C"
snap() { (cd "$C" && find . -printf '%p %y %m %U %s\n' | sort &&
    find . -type f -exec sha256sum {} + | sort); }
snap >"$T_TMP/canary.want"
canary_ok() { snap | cmp -s - "$T_TMP/canary.want"; }

cat >"$T_TMP/hook" <<EOF2
#!/bin/sh
ls -l /proc/\$\$/fd/ >>"$T_TMP/fds"
EOF2
chmod +x "$T_TMP/hook"
{ yaml_issuer le account '[{http01: {ingress: {}}}]'
  DEPLOY="[\"$T_TMP/hook\"]" yaml_cert web le web.acmec.test
  DEPLOY="[\"$T_TMP/hook\"]" yaml_cert web2 le web2.acmec.test; } >"$T_TMP/c.yaml"
run() { "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue "$@"; }

expect first/issue 0 run --jobs 2
# No hook inherits a descriptor into the state or Secret directories.
grep_in fds/hook-ran "$T_TMP/fds" 'proc\|dev\|pipe'
not_in fds/none-inherited "$T_TMP/fds" "$S"

# 1. The Secret directory handed to the attacker, who plants links under
#    every name acmec uses there.
plant() {
	as_evil "ln -s '$C' '$D/..rev-1'; ln -s '$C' '$D/..rev-9.tmp';
	    ln -s '$C/file' '$D/.tls.key.tmp'; ln -s '$C' '$D/...data.tmp'"
	as_evil "ln -sfn '$C' '$D/..data'; ln -sf '$C/file' '$D/tls.key'"
}
chmod 711 "$S" "$S/secrets"
chown "$EVIL" "$D"
plant
ls -la "$D" >"$T_TMP/d.before"
expect secret-owned/refused 1 run web
grep_in secret-owned/says-chown "$T_TMP/err" "refusing $D: it is owned by uid $EUID_.*run: chown root '$D'"
check secret-owned/canary canary_ok
ls -la "$D" | cmp -s - "$T_TMP/d.before" && pass secret-owned/nothing-written ||
    fail secret-owned/nothing-written "$(ls -la "$D")"
chown root "$D"
chmod 777 "$D"
expect secret-open/refused 1 run web
grep_in secret-open/says-chmod "$T_TMP/err" "refusing $D: it is writable by everyone.*run: chmod go-w '$D'"
check secret-open/canary canary_ok
# Taken back (root's, 0700) with the links still there: they are
# replaced or removed, never followed.
chmod 700 "$D"
expect secret-reclaimed/issue 0 run web
check secret-reclaimed/canary canary_ok
check secret-reclaimed/rev-link-gone test ! -e "$D/..rev-1" -a ! -L "$D/..rev-1"
check secret-reclaimed/key-ours test "$(readlink "$D/tls.key")" = ..data/tls.key
check secret-reclaimed/data-ours sh -c "readlink '$D/..data' | grep -q '^\.\.rev-'"
check secret-reclaimed/cert openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$D/tls.crt" "$D/tls.crt"

# 2. The state directory: writable by the attacker, refused at once.
chmod 777 "$S"
find "$S" -printf '%p %y %s %T@\n' | sort >"$T_TMP/s.before"
expect state-open/refused 1 run web
grep_in state-open/says-chmod "$T_TMP/err" "refusing $S: it is writable by everyone.*chmod go-w '$S'"
find "$S" -printf '%p %y %s %T@\n' | sort | cmp -s - "$T_TMP/s.before" &&
    pass state-open/nothing-written || fail state-open/nothing-written
chmod 755 "$S"
# Links left in it while it was open: the locks and status directories.
mv "$S/locks" "$S/locks.real"
ln -s "$C" "$S/locks"
expect state-locks-link/refused 1 run web
grep_in state-locks-link/says "$T_TMP/err" "refusing $S/locks: it is a symbolic link"
check state-locks-link/canary canary_ok
rm "$S/locks"
mv "$S/locks.real" "$S/locks"
rm -rf "$S/status/default"
ln -s "$C" "$S/status/default"
run web >/dev/null 2>"$T_TMP/err"
grep_in state-status-link/says "$T_TMP/err" "refusing $S/status/default: it is a symbolic link"
check state-status-link/canary canary_ok
rm "$S/status/default"

# 3. The webroot belongs to the web server (here the attacker): links in it
#    are refused, not followed.
chown "$EVIL" "$W"
python3 -m http.server --bind 127.0.0.1 --directory "$W" 80 \
    >"$T_TMP/www.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 curl -s http://127.0.0.1:80/ || fail webroot/server "python3 http.server did not start"
{ ANN="acmec.io/http01-webroot: $W" yaml_issuer wr wr-account "[{http01: {ingress: {}}}]"
  yaml_cert wr wr wr.acmec.test; } >"$T_TMP/w.yaml"
wrun() { "$ACMEC" -c "$T_TMP/w.yaml" -s "$S" issue; }
as_evil "ln -s '$C' '$W/.well-known'"
expect webroot-wellknown/refused 1 wrun
grep_in webroot-wellknown/says "$T_TMP/err" "webroot: refusing $W/.well-known: it is a symbolic link"
check webroot-wellknown/canary canary_ok
as_evil "rm '$W/.well-known' && mkdir '$W/.well-known' && ln -s '$C' '$W/.well-known/acme-challenge'"
expect webroot-challenge/refused 1 wrun
grep_in webroot-challenge/says "$T_TMP/err" "webroot: refusing $W/.well-known/acme-challenge: it is a symbolic link"
check webroot-challenge/canary canary_ok
# During runs: acme-challenge flips between a directory and a link, and
# every token file is swapped for a link to the canary as soon as seen.
as_evil "echo \$\$ >'$T_TMP/evil/flipper'; exec 2>/dev/null; while :; do
	rm -f '$W/.well-known/acme-challenge' 2>/dev/null
	mkdir '$W/.well-known/acme-challenge' 2>/dev/null
	for f in '$W/.well-known/acme-challenge'/*; do
		[ -f \"\$f\" ] && ln -sf '$C/file' \"\$f\"
	done
	mv '$W/.well-known/acme-challenge' '$W/.well-known/old' 2>/dev/null &&
	    ln -s '$C' '$W/.well-known/acme-challenge'
	rm -rf '$W/.well-known/old'
done" &
bg=$!
wait_for 5 test -s "$T_TMP/evil/flipper"
flipper=$(cat "$T_TMP/evil/flipper")
T_PIDS="$T_PIDS $flipper"
for i in 1 2 3; do wrun >/dev/null 2>&1; done
kill "$flipper"
wait "$bg" 2>/dev/null
check webroot-during/canary canary_ok

# The same webroot, left alone: issued, and the token file removed.
as_evil "rm -rf '$W/.well-known'"
expect webroot-clean/issue 0 wrun
check webroot-clean/removed sh -c "[ -z \"\$(ls -A '$W/.well-known/acme-challenge')\" ]"
check webroot-clean/canary canary_ok
finish
