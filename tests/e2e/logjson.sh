#!/bin/sh
# --log-format json / ACMEC_LOG_FORMAT (one JSON object a line on stderr,
# whole even with parallel workers) and issue --json (what was written
# where, on stdout) against the real Pebble.
NEED_NETNS=1
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/world.sh"

# bad.acmec.test has a TXT record and no address: Pebble cannot reach it.
DNS_EXTRA_RECORDS='bad IN TXT "no address"'
start_dns
start_pebble PEBBLE_AUTHZREUSE=0
S=$T_TMP/state

# logcheck FILE [LEVEL...]: every line of FILE is a JSON object with time
# (RFC 3339 UTC, milliseconds), level, event, message (and certificate
# "ns/name" if any); each LEVEL given appears.  Prints what is wrong.
cat >"$T_TMP/logcheck.py" <<'PY'
import json, re, sys
TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
LEVELS = {"error", "warning", "notice", "info", "debug", "proto", "result"}
seen, bad = set(), []
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
if lines[-1] != "":
    bad.append("no newline at the end")
for n, line in enumerate(lines[:-1], 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        bad.append("line %d is not JSON (%s): %.200s" % (n, e, line))
        continue
    if not isinstance(o, dict):
        bad.append("line %d is not an object" % n)
        continue
    for k in ("time", "level", "event", "message"):
        if not isinstance(o.get(k), str):
            bad.append("line %d: no string %s" % (n, k))
    extra = set(o) - {"time", "level", "event", "message", "certificate"}
    if extra:
        bad.append("line %d: unknown keys %s" % (n, sorted(extra)))
    if not TIME.match(o.get("time", "")):
        bad.append("line %d: time %r" % (n, o.get("time")))
    if o.get("level") not in LEVELS:
        bad.append("line %d: level %r" % (n, o.get("level")))
    if "certificate" in o and not re.match(r'^[^/]+/[^/]+$', o["certificate"]):
        bad.append("line %d: certificate %r" % (n, o["certificate"]))
    seen.add(o.get("level"))
for lv in sys.argv[2:]:
    if lv not in seen:
        bad.append("no %s line" % lv)
if len(lines) < 2:
    bad.append("no lines at all")
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
PY
logcheck() { python3 "$T_TMP/logcheck.py" "$@"; }

# has FILE LEVEL CERT EVENT TEXT: some line has that level, certificate
# (- for none), event and a message containing TEXT.
has() {
	python3 - "$@" <<'PY'
import json, sys
f, level, cert, event, text = sys.argv[1:]
for line in open(f):
    o = json.loads(line)
    if (o["level"] == level and o.get("certificate", "-") == cert and
            o["event"] == event and text in o["message"]):
        sys.exit(0)
sys.exit(1)
PY
}

mkdir -p "$T_TMP/conf"
{
	yaml_issuer pebble pebble-account '[{http01: {ingress: {}}}]'
	yaml_cert one pebble one.acmec.test
	yaml_cert two pebble two.acmec.test www.two.acmec.test
	yaml_cert three pebble three.acmec.test
	yaml_cert four pebble four.acmec.test
	yaml_cert five pebble five.acmec.test
	echo '  additionalOutputFormats: [{type: CombinedPEM}, {type: DER}]'
	yaml_cert bad pebble bad.acmec.test
} >"$T_TMP/conf/all.yaml"

# Six Certificates on four workers, with the protocol (-vv): every line
# whole and JSON, one of them failing.
expect json/issue-exit 1 "$ACMEC" -vv --log-format json -c "$T_TMP/conf" \
    -s "$S" issue --jobs 4 --json
cp "$T_TMP/err" "$T_TMP/log.json"
cp "$T_TMP/out" "$T_TMP/doc.json"
check json/every-line-parses logcheck "$T_TMP/log.json" proto debug info \
    result error
check json/issued-event has "$T_TMP/log.json" result default/two issued \
    'two: issued, valid until'
check json/order-event has "$T_TMP/log.json" info default/one order \
    'one: ordering from'
check json/failure-is-error-with-certificate has "$T_TMP/log.json" error \
    default/bad failed 'bad: not issued'
check json/proto-lines-name-certificate has "$T_TMP/log.json" proto \
    default/three message 'POST'
check json/summary-without-certificate has "$T_TMP/log.json" info - message \
    '5 issued, 1 failed'
# Two workers at once: the lines of different certificates interleave, yet
# each parsed whole above.
python3 - "$T_TMP/log.json" >"$T_TMP/order" <<'PY'
import json, sys
print(" ".join(json.loads(l).get("certificate", "-") for l in open(sys.argv[1])))
PY
check json/workers-interleave python3 -c '
import sys
seq = [c for c in open(sys.argv[1]).read().split() if c != "-"]
switches = sum(1 for a, b in zip(seq, seq[1:]) if a != b)
sys.exit(0 if switches > 6 else 1)' "$T_TMP/order"

# issue --json: one document on stdout; paths, notAfter and serial are
# what openssl reads from the files.
cat >"$T_TMP/doccheck.py" <<'PY'
import datetime, json, os, subprocess, sys
doc = json.load(open(sys.argv[1]))
secrets, bad = sys.argv[2], []
def ossl(path, opt):
    out = subprocess.run(["openssl", "x509", "-in", path, "-noout", opt],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1]
certs = {c["name"]: c for c in doc["certificates"]}
if sorted(certs) != ["bad", "five", "four", "one", "three", "two"]:
    bad.append("certificates %s" % sorted(certs))
if doc.get("issued") != 5 or doc.get("failed") != 1:
    bad.append("counts %r %r" % (doc.get("issued"), doc.get("failed")))
for name, c in certs.items():
    if c["namespace"] != "default":
        bad.append("%s: namespace %r" % (name, c["namespace"]))
    if c["secretDir"] != os.path.join(secrets, name + "-tls"):
        bad.append("%s: secretDir %r" % (name, c["secretDir"]))
    if name == "bad":
        continue
    if c["issued"] is not True or "error" in c:
        bad.append("%s: not issued: %r" % (name, c))
        continue
    more = ["key.der", "tls-combined.pem"] if name == "five" else []
    if sorted(c["files"]) != sorted(["ca.crt", "tls.crt", "tls.key"] + more):
        bad.append("%s: files %r" % (name, c["files"]))
    for k, p in c["files"].items():
        if p != os.path.join(c["secretDir"], k) or not os.path.isfile(p):
            bad.append("%s: %s at %r" % (name, k, p))
    crt = c["files"]["tls.crt"]
    na = datetime.datetime.strptime(ossl(crt, "-enddate"),
                                    "%b %d %H:%M:%S %Y GMT")
    if c["notAfter"] != na.strftime("%Y-%m-%dT%H:%M:%SZ"):
        bad.append("%s: notAfter %r, openssl %s" % (name, c["notAfter"], na))
    if c["serial"].upper() != ossl(crt, "-serial").upper():
        bad.append("%s: serial %r, openssl %s" % (name, c["serial"],
                                                 ossl(crt, "-serial")))
    want = [name + ".acmec.test"] + (["www.two.acmec.test"] if name == "two" else [])
    if sorted(c["dnsNames"]) != sorted(want) or c["ipAddresses"] != []:
        bad.append("%s: names %r %r" % (name, c["dnsNames"], c["ipAddresses"]))
b = certs.get("bad", {})
if b.get("issued") is not False or not b.get("error") or b.get("files") != {}:
    bad.append("bad: %r" % b)
if "notAfter" in b or "serial" in b or b.get("dnsNames") != ["bad.acmec.test"]:
    bad.append("bad: %r" % b)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
check json/issue-json-document python3 "$T_TMP/doccheck.py" "$T_TMP/doc.json" \
    "$S/secrets"
check json/failed-error-says-why python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["certificates"] if c["name"] == "bad"][0]
sys.exit(0 if "bad.acmec.test" in c["error"] else 1)' "$T_TMP/doc.json"
cert_ok json/two "$S/secrets/two-tls" "Private-Key: (2048 bit" \
    two.acmec.test www.two.acmec.test

# ACMEC_LOG_FORMAT=json does the same for a systemd unit; the flag wins.
ACMEC_LOG_FORMAT=json expect env/issue 0 "$ACMEC" -v -c "$T_TMP/conf" \
    -s "$S" issue one
check env/every-line-parses logcheck "$T_TMP/err" debug result
check env/issued has "$T_TMP/err" result default/one issued 'one: issued'
check env/no-stdout test ! -s "$T_TMP/out"
ACMEC_LOG_FORMAT=json expect env/flag-wins 0 "$ACMEC" --log-format text \
    -c "$T_TMP/conf" -s "$S" issue one
grep_in env/flag-wins-text "$T_TMP/err" '^acmec: one: issued, valid until'
ACMEC_LOG_FORMAT=xml expect env/bad-value 2 "$ACMEC" -c "$T_TMP/conf" \
    -s "$S" issue one
grep_in env/bad-value-says "$T_TMP/err" "ACMEC_LOG_FORMAT 'xml': use text or json"
expect flag/bad-value 2 "$ACMEC" --log-format yaml -c "$T_TMP/conf" -s "$S" \
    issue one
grep_in flag/bad-value-says "$T_TMP/err" "--log-format 'yaml': use text or json"

# renew shares the run: its results and skips name the certificate.
expect renew/not-due 0 "$ACMEC" -v --log-format json -c "$T_TMP/conf" \
    -s "$S" renew one
check renew/every-line-parses logcheck "$T_TMP/err" debug
check renew/skipped-event has "$T_TMP/err" debug default/one \
    renewal-skipped 'one: not due until'
rm -r "$S/secrets/three-tls"
expect renew/due 0 "$ACMEC" --log-format json -c "$T_TMP/conf" -s "$S" \
    renew three
check renew/due-event has "$T_TMP/err" result default/three renewal-due \
    'three: renewing: it has no certificate yet'
check renew/issued-event has "$T_TMP/err" result default/three issued \
    'three: issued'

# Text stays the default, escaped as before.
expect text/issue 0 "$ACMEC" -c "$T_TMP/conf" -s "$S" issue two
grep_in text/line "$T_TMP/err" '^acmec: two: issued, valid until'
not_in text/no-json "$T_TMP/err" '^{'

# A bad configuration: an error line (file:line:col), JSON too, exit 2.
printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: x}\nspec:\n  secretName: x\n  colour: blue\n' \
    >"$T_TMP/bad.yaml"
expect config/exit 2 "$ACMEC" --log-format json -c "$T_TMP/bad.yaml" -s "$S" \
    issue --json
check config/every-line-parses logcheck "$T_TMP/err" error
check config/error-names-place has "$T_TMP/err" error - message \
    'bad.yaml:6:3'
check config/no-stdout test ! -s "$T_TMP/out"

# Ad hoc issue --json: no configuration, the files where --out says.
expect adhoc/issue 0 "$ACMEC" --log-format json -s "$S" -c /nonexistent \
    issue --json -d adhoc.acmec.test -d 127.0.0.1 --server "$PEBBLE_DIR" \
    --ca-bundle "$PEBBLE_CA" --standalone 127.0.0.1:80 --out "$T_TMP/adhoc"
check adhoc/every-line-parses logcheck "$T_TMP/err" result
check adhoc/issued-event has "$T_TMP/err" result ad-hoc/adhoc.acmec.test \
    issued 'adhoc.acmec.test: issued'
check adhoc/document python3 -c '
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))
(c,) = doc["certificates"]
out = sys.argv[2]
serial = subprocess.run(["openssl", "x509", "-in", out + "/tls.crt", "-noout",
    "-serial"], capture_output=True, text=True).stdout.strip().split("=")[1]
ok = (c["name"] == "adhoc.acmec.test" and c["namespace"] == "ad-hoc" and
      c["issued"] is True and c["secretDir"] == out and
      c["files"]["tls.key"] == out + "/tls.key" and
      c["serial"].upper() == serial.upper() and
      c["dnsNames"] == ["adhoc.acmec.test"] and
      c["ipAddresses"] == ["127.0.0.1"])
sys.exit(0 if ok else 1)' "$T_TMP/out" "$T_TMP/adhoc"
cert_ok adhoc "$T_TMP/adhoc" "Private-Key: (256 bit" adhoc.acmec.test 127.0.0.1
finish
