#!/bin/sh
# ARI (RFC 9773) and profiles, through the test front before Pebble (which
# has neither): a window in the future is not due, Retry-After is kept
# across runs, a window in the past is due and the new order says what it
# replaces; a profile the CA lists is sent, one it does not is refused.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

start_dns
start_pebble PEBBLE_AUTHZREUSE=0
rfc3339() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
window() { # FROM-SECONDS TO-SECONDS RETRY-AFTER
	printf '{"profiles": {"classic": "the usual", "shortlived": "6 days"}, "windows": {"*": {"start": "%s", "end": "%s"}}, "retryAfter": %s}\n' \
	    "$(rfc3339 "$1")" "$(rfc3339 "$2")" "$3" >"$FRONT_CONTROL"
}
FRONT_CONTROL=$T_TMP/front-control.json
window 2592000 2678400 2
start_front
S=$T_TMP/state
conf() { # PROFILE-LINE
	SERVER=$FRONT_DIR yaml_issuer front account \
	    '[{http01: {ingress: {}}}]' "${1:-}"
	yaml_cert web front web.acmec.test
}
conf >"$T_TMP/c.yaml"
ari_count() { grep -c '^ARI ' "$FRONT_LOG"; }
requests() { wc -l <"$FRONT_LOG"; }

expect setup/issue 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" issue
# The certificate's ARI identifier, computed apart from acmec.
certid=$(python3 - "$S/secrets/web-tls/tls.crt" <<'PY'
import base64, subprocess, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
txt = subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-noout",
    "-ext", "authorityKeyIdentifier", "-serial"], capture_output=True,
    text=True).stdout
lines = [l.strip() for l in txt.splitlines()]
aki = bytes.fromhex(lines[1].replace("keyid:", "").replace(":", ""))
serial = int([l for l in lines if l.startswith("serial=")][0][7:], 16)
n = (serial.bit_length() + 8) // 8
print(b64(aki) + "." + b64(serial.to_bytes(n, "big")))
PY
)

# A window a month away: asked once, not due.
expect future/renew 0 "$ACMEC" -v -c "$T_TMP/c.yaml" -s "$S" renew
grep_in future/summary "$T_TMP/err" '0 renewed, 1 not due'
grep_in future/asked "$FRONT_LOG" "^ARI $certid\$"
# Retry-After (2 s) is kept: the next run asks nothing at all.
before=$(requests)
expect retry-after/renew 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" renew
check retry-after/no-request test "$(requests)" -eq "$before"

# The window moves into the past: due, and the order names what it replaces.
sleep 2.2
window -172800 -86400 3600
expect past/renew 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" renew
grep_in past/why "$T_TMP/err" "web: renewing: the CA's renewal window (ARI) says so"
grep_in past/summary "$T_TMP/err" '1 renewed, 0 not due'
grep_in past/replaces "$FRONT_LOG" "^POST /order-plz replaces=$certid profile=-"
cert_ok past "$S/secrets/web-tls" "Private-Key: (2048 bit" web.acmec.test
# The new certificate has ARI identity of its own: owed a check next run.
expect after/renew 0 "$ACMEC" -c "$T_TMP/c.yaml" -s "$S" renew
check after/new-id-asked test "$(grep '^ARI ' "$FRONT_LOG" | tail -1)" != "ARI $certid"

# Profiles: one the directory lists is sent; one it does not is refused.
conf '    profile: shortlived' >"$T_TMP/p.yaml"
expect profile/issue 0 "$ACMEC" -c "$T_TMP/p.yaml" -s "$S" issue
grep_in profile/sent "$FRONT_LOG" 'profile=shortlived'
conf '    profile: tlsserver' >"$T_TMP/p.yaml"
expect profile-unknown/exit 1 "$ACMEC" -c "$T_TMP/p.yaml" -s "$S" issue
grep_in profile-unknown/message "$T_TMP/err" "the CA offers no profile 'tlsserver'"
finish
