#!/usr/bin/env python3
"""fake_dns_api: a TEST TOOL, not part of acmec.

Fakes of the DNS provider HTTP APIs acmec's dns-01 solver speaks, written
from the providers' public API references (Cloudflare's API v4 docs; the
Route 53 and STS models in botocore's data/route53/2013-04-01 and
data/sts/2011-06-15 service-2.json; AWS's IMDSv2 docs), with the error
bodies the providers are seen to send.  Every change of a TXT record is
also written to the test BIND9 by RFC 2136 (nsupdate with the suite's TSIG
key), so Pebble and acmec's propagation checks see real records.

usage: fake_dns_api.py CONFIG
       fake_dns_api.py --selftest     (the SigV4 vectors, see sigv4.py)

One HTTPS listener serves every provider, chosen by the Host header:
api.cloudflare.com (Cloudflare), api.digitalocean.com (DigitalOcean,
fake_dns_do.py), the Akamai API host akab-....luna.akamaiapis.net (Edge
DNS, fake_dns_akamai.py), dns.googleapis.com and oauth2.googleapis.com
(Google Cloud DNS and its token endpoint, fake_dns_gcp.py, whose metadata
server is on the IMDS listener), route53.amazonaws.com (Route 53),
sts.amazonaws.com and sts.REGION.amazonaws.com (STS), the Microsoft
identity platform's login.* and Azure Resource Manager's management.*
hosts of each Azure cloud (fake_dns_azure.py).  A real client
reaches all of them on port 443, so inside the test's namespace (where
/etc/hosts points the names at 127.0.0.1) one port carries them all.  A
second, plain HTTP listener is the EC2 instance metadata service (IMDSv2).

CONFIG is JSON (tests/lib/fake_dns_api.sh writes it):
  {"listen": "127.0.0.1:443", "imds": "127.0.0.1:8169" (optional),
   "cert": PEM, "key": PEM, "log": FILE, "control": FILE,
   "dns": "127.0.0.1:53", "tsig_keyfile": FILE, "bind_zones": [names],
   "cloudflare": {"account": {"id", "name"}, "zones": [names],
                  "foreign_zones": [names of another account],
                  "tokens": {TOKEN: {"label", "zones": "*" | [names]}},
                  "keys": [{"email", "key", "label"}]},
   "aws": {"account": "123456789012", "zones": [names],
           "foreign_zones": [names], "users": {ACCESS_KEY: {"secret",
           "name", "zones"}}, "roles": {ROLE_ARN: {"trust": [user names],
           "zones"}}, "instance_role": ROLE_ARN}}

The LOG gets one line per request, "PROVIDER METHOD PATH auth=WHO
status=CODE" (WHO is a credential's label or the error code, never a
secret), and "bind add|del NAME VALUE" / "bind error ..." for every
change written to BIND9.

The CONTROL file (JSON, read at every request; counters restart whenever
its content changes) switches modes:
  "cloudflare_429": N        the next N Cloudflare requests get 429
  "retry_after": S           the Retry-After of those answers (default 1)
  "route53_throttle": N      the next N Route 53 requests get 400
                             Throttling
  "route53_prior_request": N the next N ChangeResourceRecordSets get 400
                             PriorRequestNotComplete
  "change_pending_polls": N  GetChange answers PENDING N times per change
                             (default 1) before INSYNC
  "bind_delay": S            records reach BIND9 S seconds after the API
                             answers (Route 53 changes stay PENDING)
  "duplicate_code": 81057    Cloudflare's older duplicate-record error
                             (default 81058)
  "sts_deny": true           every AssumeRole is AccessDenied
  "acmedns_429": N           the next N acme-dns updates get 429 (a proxy's)
  "acmedns_hostile": true    acme-dns errors carry terminal escapes and a
                             forged log line
  "digitalocean_bad_id": true a created record's id is a path
  "route53_bad_zone_id": true ListHostedZonesByName's first Id is a path
                             ("/hostedzone/../../Z...")
  "imds_v1": true            IMDS answers without a session token
  "slow": S                  every answer is delayed S seconds
"""
import datetime
import http.server
import json
import os
import re
import secrets
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# fake_dns_aws imports this module by name: run as a script, it must find
# this very instance (its CONF, LOCK and CONTROL), not load a second copy.
sys.modules.setdefault("fake_dns_api", sys.modules[__name__])
import sigv4  # noqa: E402

LOCK = threading.RLock()
CONF = {}


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(t, millis=False):
    if millis:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (
            t.microsecond // 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def log(line):
    with LOCK, open(CONF["log"], "a") as f:
        f.write(line + "\n")


class Control:
    """The control file, with per-content counters for "next N" modes."""

    def __init__(self):
        self.text, self.used = None, {}

    def read(self):
        try:
            with open(CONF["control"]) as f:
                text = f.read()
        except OSError:
            text = ""
        with LOCK:
            if text != self.text:
                self.text, self.used = text, {}
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError:
            return {}

    def take(self, key):
        """True if mode KEY still has uses left, counting this one."""
        n = self.read().get(key, 0)
        with LOCK:
            used = self.used.get(key, 0)
            if used >= n:
                return False
            self.used[key] = used + 1
            return True

    def get(self, key, default=None):
        return self.read().get(key, default)


CONTROL = Control()


# ---------------------------------------------------------------- BIND9

def bind_zone(name):
    """The BIND zone holding NAME, or None if BIND serves none."""
    name = name.rstrip(".").lower()
    best = None
    for z in CONF.get("bind_zones", []):
        if (name == z or name.endswith("." + z)) and \
                (best is None or len(z) > len(best)):
            best = z
    return best


def txt_data(value):
    """A TXT value as zone-file text: kept if already quoted strings."""
    v = value.strip()
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bind_update(ops, done=None):
    """Write OPS, a list of ("add"|"del", name, ttl, zone-file TXT data),
    to BIND9 in one UPDATE per zone, after the control's bind_delay.  DONE
    (a threading.Event) is set once written."""
    def run():
        by_zone = {}
        for op in ops:
            z = bind_zone(op[1])
            if z:
                by_zone.setdefault(z, []).append(op)
        for z, zops in by_zone.items():
            host, _, port = CONF["dns"].rpartition(":")
            lines = ["server %s %s" % (host, port), "zone %s." % z]
            for op, name, ttl, data in zops:
                if op == "add":
                    lines.append("update add %s. %d IN TXT %s" %
                                 (name.rstrip("."), ttl, data))
                else:
                    lines.append("update delete %s. TXT %s" %
                                 (name.rstrip("."), data))
            lines.append("send")
            r = subprocess.run(["nsupdate", "-t", "5", "-k",
                                CONF["tsig_keyfile"]],
                               input="\n".join(lines) + "\n", text=True,
                               capture_output=True)
            for op, name, _, data in zops:
                log("bind %s %s %s" % (op, name.rstrip("."), data))
            if r.returncode != 0:
                log("bind error %s: %s" % (z, r.stderr.strip()[:300]))
        if done is not None:
            done.set()

    delay = float(CONTROL.get("bind_delay", 0) or 0)
    if delay > 0:
        threading.Timer(delay, run).start()
    else:
        run()


# ----------------------------------------------------------- the server

class Request:
    """What a provider handler needs of one HTTP request."""

    def __init__(self, handler, body):
        self.method = handler.command
        target = handler.path
        self.path, _, self.query = target.partition("?")
        self.params = {k: v[0] for k, v in urllib.parse.parse_qs(
            self.query, keep_blank_values=True).items()}
        self.headers = list(handler.headers.items())
        self.body = body
        self.auth = "-"

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v.strip()
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def setup(self):
        # The TLS handshake happens here, in the connection's own thread,
        # so a client that never completes one holds up no other.
        self.request.settimeout(self.timeout)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype, headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        delay = float(CONTROL.get("slow", 0) or 0)
        if delay > 0:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for n, v in headers:
            self.send_header(n, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        req = Request(self, body)
        host = (self.headers.get("Host") or "").lower().rsplit(":", 1)[0] \
            if not (self.headers.get("Host") or "").startswith("[") else ""
        if self.server.imds and req.path.startswith("/computeMetadata/"):
            import fake_dns_gcp
            provider, fn = "gcemeta", fake_dns_gcp.metadata
        elif self.server.imds:
            provider, fn = "imds", imds
        elif host == "api.cloudflare.com":
            provider, fn = "cloudflare", cloudflare
        elif host == "acmedns.acmec.test":
            import fake_dns_acmedns
            provider, fn = "acmedns", fake_dns_acmedns.acmedns
        elif host == "api.digitalocean.com":
            import fake_dns_do
            provider, fn = "digitalocean", fake_dns_do.digitalocean
        elif host == CONF.get("akamai", {}).get("host"):
            import fake_dns_akamai
            provider, fn = "akamai", fake_dns_akamai.akamai
        elif host == "route53.amazonaws.com":
            import fake_dns_aws
            provider, fn = "route53", fake_dns_aws.route53
        elif host in ("dns.googleapis.com", "oauth2.googleapis.com"):
            import fake_dns_gcp
            provider, fn = "gcp", fake_dns_gcp.google
        elif re.fullmatch(r"sts(\.[a-z0-9-]+)?\.amazonaws\.com", host):
            import fake_dns_aws
            provider, fn = "sts", fake_dns_aws.sts
        elif host.startswith(("login.", "management.")):
            import fake_dns_azure
            provider, fn = "azure", fake_dns_azure.azure
        else:
            provider, fn = "unknown", None
        if fn is None:
            status, body, ctype, hdrs = 404, "unknown host\n", \
                "text/plain", []
        else:
            try:
                status, body, ctype, hdrs = fn(req, host)
            except Exception as e:  # a fake's bug must show in the log
                log("%s BUG %r" % (provider, e))
                status, body, ctype, hdrs = 500, "fake bug\n", \
                    "text/plain", []
        log("%s %s %s auth=%s status=%d" % (provider, req.method, req.path
                                             + ("?" + req.query if
                                                req.query else ""),
                                             req.auth, status))
        self.answer(status, body, ctype, hdrs)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if not isinstance(e, (ssl.SSLError, ConnectionError, TimeoutError)):
            log("server error %r" % e)


# ----------------------------------------------------------- Cloudflare
#
# API v4 (https://developers.cloudflare.com/api/): every answer is the
# envelope {"result", "success", "errors": [{"code", "message"[,
# "error_chain"]}], "messages"[, "result_info"]}.  Zones page 20 by default
# (5..50), records 100 (1..5,000,000).  Error codes as Cloudflare sends them
# (quoted in public bug reports; 9106 and the 7001 code are from memory of
# the API's answers, no public quote found):
#   400 6003 "Invalid request headers" with error_chain 6111 "Invalid
#       format for Authorization header", 6102/6103 for X-Auth-Email /
#       X-Auth-Key;  400 9106 "Missing X-Auth-Key, X-Auth-Email or
#       Authorization headers";  403 9109 "Invalid access token";
#   403 9103 "Unknown X-Auth-Key or X-Auth-Email";  403 10000
#       "Authentication error" (a zone outside the token's resources);
#   400 81058 "An identical record already exists." (81057 "The record
#       already exists." before 2024);  404 81044 "Record does not
#       exist.";  400 7003/7000 for an unknown identifier or route;
#   405 7001 "Method DELETE not available for that URI.";
#   429 with Retry-After, 10100 "More than 1200 requests per 300 seconds
#       reached. Please wait and consider throttling your request speed"
#       (community.cloudflare.com/t/109192; Retry-After and the Ratelimit
#       headers from Cloudflare's changelog of its rate-limit headers).

CF_ZONES = {}      # id -> {"name", "foreign"}
CF_RECORDS = {}    # zone id -> [record dict]


def cf_id(text):
    import hashlib
    return hashlib.md5(text.encode()).hexdigest()


def cf_setup():
    cf = CONF.get("cloudflare", {})
    for name in cf.get("zones", []):
        CF_ZONES[cf_id("zone:" + name)] = {"name": name, "foreign": False}
    for name in cf.get("foreign_zones", []):
        CF_ZONES[cf_id("zone:" + name)] = {"name": name, "foreign": True}
    for zid in CF_ZONES:
        CF_RECORDS[zid] = []


def cf_json(status, result=None, errors=(), info=None, messages=(),
            headers=()):
    doc = {"result": result, "success": not errors, "errors": list(errors),
           "messages": list(messages)}
    if info is not None:
        doc["result_info"] = info
    return status, json.dumps(doc), "application/json", list(headers)


def cf_err(status, code, message, chain=None, headers=()):
    e = {"code": code, "message": message}
    if chain:
        e["error_chain"] = [{"code": c, "message": m} for c, m in chain]
    return cf_json(status, None, [e], headers=headers)


def cf_auth(req):
    """The credential's scope ("*" or zone names), or an error answer."""
    cf = CONF.get("cloudflare", {})
    authz = req.header("Authorization")
    email, key = req.header("X-Auth-Email"), req.header("X-Auth-Key")
    if authz is not None:
        m = re.fullmatch(r"Bearer ([A-Za-z0-9_-]{40})", authz)
        if not m:
            req.auth = "6003/6111"
            return None, cf_err(400, 6003, "Invalid request headers",
                                [(6111, "Invalid format for Authorization "
                                  "header")])
        tok = cf.get("tokens", {}).get(m.group(1))
        if tok is None:
            req.auth = "9109"
            return None, cf_err(403, 9109, "Invalid access token")
        req.auth = "token:" + tok.get("label", "?")
        return tok.get("zones", "*"), None
    if email is not None or key is not None:
        chain = []
        if not email or not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
            chain.append((6102, "Invalid format for X-Auth-Email header"))
        if not key or not re.fullmatch(r"[0-9a-f]{37}", key):
            chain.append((6103, "Invalid format for X-Auth-Key header"))
        if chain:
            req.auth = "6003/" + "/".join(str(c) for c, _ in chain)
            return None, cf_err(400, 6003, "Invalid request headers", chain)
        for k in cf.get("keys", []):
            if k["email"].lower() == email.lower() and \
                    secrets.compare_digest(k["key"], key):
                req.auth = "key:" + k.get("label", "?")
                return "*", None
        req.auth = "9103"
        return None, cf_err(403, 9103, "Unknown X-Auth-Key or X-Auth-Email")
    req.auth = "9106"
    return None, cf_err(400, 9106, "Missing X-Auth-Key, X-Auth-Email or "
                        "Authorization headers")


def cf_visible(zid, scope):
    z = CF_ZONES.get(zid)
    return z is not None and not z["foreign"] and \
        (scope == "*" or z["name"] in scope)


def cf_page(req, items, default, lo, hi):
    try:
        page = max(1, int(req.params.get("page", 1)))
        per = int(req.params.get("per_page", default))
    except ValueError:
        page, per = 1, default
    per = min(max(per, lo), hi)
    total = len(items)
    chunk = items[(page - 1) * per:page * per]
    info = {"page": page, "per_page": per, "count": len(chunk),
            "total_count": total, "total_pages": (total + per - 1) // per}
    return chunk, info


def cf_zone_doc(zid):
    name = CF_ZONES[zid]["name"]
    acct = CONF["cloudflare"].get("account", {"id": cf_id("account"),
                                              "name": "acmec test"})
    return {"id": zid, "name": name, "status": "active", "paused": False,
            "type": "full", "development_mode": 0,
            "name_servers": ["ada.ns.cloudflare.com",
                             "bob.ns.cloudflare.com"],
            "original_name_servers": None, "original_registrar": None,
            "original_dnshost": None, "created_on": "2024-01-01T00:00:00Z",
            "modified_on": "2024-01-01T00:00:00Z",
            "activated_on": "2024-01-01T00:00:00Z",
            "meta": {"step": 2, "phishing_detected": False},
            "owner": {"id": None, "type": "user", "email": None},
            "account": acct,
            "permissions": ["#dns_records:edit", "#dns_records:read",
                            "#zone:read"],
            "plan": {"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
                     "name": "Free Website", "price": 0, "currency": "USD",
                     "frequency": "", "is_subscribed": False,
                     "can_subscribe": False, "legacy_id": "free",
                     "legacy_discount": False,
                     "externally_managed": False}}


def cf_zones(req, scope):
    zids = sorted((z for z in CF_ZONES if cf_visible(z, scope)),
                  key=lambda z: CF_ZONES[z]["name"])
    name = req.params.get("name")
    if name is not None:
        zids = [z for z in zids if CF_ZONES[z]["name"] ==
                name.rstrip(".").lower()]
    status = req.params.get("status")
    if status is not None and status != "active":
        zids = []
    chunk, info = cf_page(req, zids, 20, 5, 50)
    return cf_json(200, [cf_zone_doc(z) for z in chunk], info=info)


def cf_record_name(raw, zone):
    name = (raw or "").strip().rstrip(".").lower()
    if name in ("", "@"):
        return zone
    if name == zone or name.endswith("." + zone):
        return name
    return name + "." + zone


def cf_records_get(req, zid):
    recs = CF_RECORDS[zid]
    zone = CF_ZONES[zid]["name"]
    if "type" in req.params:
        recs = [r for r in recs if r["type"] == req.params["type"].upper()]
    for key in ("name", "name.exact"):
        if key in req.params:
            want = cf_record_name(req.params[key], zone)
            recs = [r for r in recs if r["name"] == want]
    for key in ("content", "content.exact"):
        if key in req.params:
            recs = [r for r in recs if r["content"] == req.params[key]]
    chunk, info = cf_page(req, recs, 100, 1, 5000000)
    return cf_json(200, chunk, info=info)


def cf_records_post(req, zid):
    zone = CF_ZONES[zid]["name"]
    try:
        doc = json.loads(req.body or b"{}")
    except ValueError:
        return cf_err(400, 9207, "Request body is invalid.")
    rtype = str(doc.get("type", "")).upper()
    content = doc.get("content")
    ttl = doc.get("ttl", 1)
    if not rtype or not isinstance(content, str) or not content or \
            not isinstance(ttl, int) or not (ttl == 1 or
                                             30 <= ttl <= 86400):
        return cf_err(400, 1004, "DNS Validation Error")
    name = cf_record_name(doc.get("name"), zone)
    with LOCK:
        for r in CF_RECORDS[zid]:
            if (r["name"], r["type"], r["content"]) == (name, rtype,
                                                         content):
                if CONTROL.get("duplicate_code") == 81057:
                    return cf_err(400, 81057, "The record already exists.")
                return cf_err(400, 81058, "An identical record already "
                              "exists.")
        t = iso(now())
        rid = secrets.token_hex(16)
        if CONTROL.get("cloudflare_bad_id"):  # a hostile answer
            rid = "../../../user/tokens/" + rid
        rec = {"id": rid, "zone_id": zid,
               "zone_name": zone, "name": name, "type": rtype,
               "content": content, "proxiable": False, "proxied": False,
               "ttl": ttl, "locked": False,
               "meta": {"auto_added": False, "managed_by_apps": False,
                        "managed_by_argo_tunnel": False},
               "comment": doc.get("comment"), "tags": doc.get("tags", []),
               "created_on": t, "modified_on": t}
        CF_RECORDS[zid].append(rec)
    if rtype == "TXT":
        bind_update([("add", name, ttl if ttl > 1 else 60,
                      txt_data(content))])
    return cf_json(200, rec)


def cf_records_delete(req, zid, rid):
    with LOCK:
        recs = [r for r in CF_RECORDS[zid] if r["id"] == rid]
        if not recs:
            return cf_err(404, 81044, "Record does not exist.")
        CF_RECORDS[zid].remove(recs[0])
    r = recs[0]
    if r["type"] == "TXT":
        bind_update([("del", r["name"], 0, txt_data(r["content"]))])
    return cf_json(200, {"id": rid})


def cloudflare(req, host):
    scope, err = cf_auth(req)
    if err:
        return err
    if CONTROL.take("cloudflare_429"):
        ra = str(CONTROL.get("retry_after", 1))
        return cf_err(429, 10100, "More than 1200 requests per 300 seconds "
                      "reached. Please wait and consider throttling your "
                      "request speed",
                      headers=[("Retry-After", ra),
                               ("Ratelimit", '"default";r=0;t=' + ra),
                               ("Ratelimit-Policy",
                                '"default";q=1200;w=300')])
    p = req.path.rstrip("/")
    if p == "/client/v4/user/tokens/verify" and req.method == "GET":
        if not req.auth.startswith("token:"):
            return cf_err(400, 1000, "Invalid API Token")
        return cf_json(200, {"id": cf_id(req.auth), "status": "active"},
                       messages=[{"code": 10000, "message": "This API Token "
                                  "is valid and active", "type": None}])
    if p == "/client/v4/zones" and req.method == "GET":
        return cf_zones(req, scope)
    m = re.fullmatch(r"/client/v4/zones/([^/]+)/dns_records(?:/([^/]+))?", p)
    if not m:
        return cf_err(400, 7000, "No route for that URI")
    zid, rid = m.groups()
    if zid not in CF_ZONES:
        return cf_json(400, None, [
            {"code": 7003, "message": "Could not route to %s, perhaps your "
             "object identifier is invalid?" % p},
            {"code": 7000, "message": "No route for that URI"}])
    if not cf_visible(zid, scope):
        return cf_err(403, 10000, "Authentication error")
    if rid is None and req.method == "GET":
        return cf_records_get(req, zid)
    if rid is None and req.method == "POST":
        return cf_records_post(req, zid)
    if rid is not None and req.method == "DELETE":
        return cf_records_delete(req, zid, rid)
    return cf_err(405, 7001, "Method %s not available for that URI." %
                  req.method)


# ------------------------------------------------------------------ IMDS
#
# IMDSv2 as AWS documents it: PUT /latest/api/token with header
# X-aws-ec2-metadata-token-ttl-seconds (1-21600) gives a session token;
# every GET carries it in X-aws-ec2-metadata-token (401 without it, when
# v2 is required); a PUT carrying X-Forwarded-For is refused (403).
# .../iam/security-credentials/ lists the role name; .../ROLE gives the
# role's temporary credentials as JSON.

IMDS_TOKENS = {}   # token -> expiry (epoch seconds)


def imds(req, host):
    req.auth = "-"
    text = "text/plain"
    if req.path.startswith("/metadata/"):  # Azure's IMDS
        import fake_dns_azure
        return fake_dns_azure.imds(req)
    if req.path == "/latest/api/token":
        if req.method != "PUT":
            return 405, "", text, []
        if req.header("X-Forwarded-For") is not None:
            return 403, "", text, []
        ttl = req.header("X-aws-ec2-metadata-token-ttl-seconds")
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return 400, "", text, []
        tok = secrets.token_urlsafe(40)
        with LOCK:
            IMDS_TOKENS[tok] = time.time() + int(ttl)
        req.auth = "token-issued"
        return 200, tok, text, [("X-aws-ec2-metadata-token-ttl-seconds",
                                 ttl)]
    tok = req.header("X-aws-ec2-metadata-token")
    if tok is not None:
        if IMDS_TOKENS.get(tok, 0) < time.time():
            req.auth = "bad-token"
            return 401, "", text, []
        req.auth = "token"
    elif not CONTROL.get("imds_v1"):
        req.auth = "no-token"
        return 401, "", text, []
    if req.method != "GET":
        return 405, "", text, []
    import fake_dns_aws
    role_arn = CONF.get("aws", {}).get("instance_role")
    role = role_arn.rsplit("/", 1)[-1] if role_arn else None
    base = "/latest/meta-data/iam/security-credentials/"
    if req.path == base and role:
        return 200, role, text, []
    if req.path == base + (role or "\0"):
        cred = fake_dns_aws.issue(role_arn, "i-0123456789abcdef0", 21600)
        return 200, json.dumps({
            "Code": "Success", "LastUpdated": iso(now()),
            "Type": "AWS-HMAC", "AccessKeyId": cred["access"],
            "SecretAccessKey": cred["secret"], "Token": cred["token"],
            "Expiration": iso(cred["expires"])}, indent=2), text, []
    if req.path == "/latest/dynamic/instance-identity/document":
        return 200, json.dumps({
            "accountId": CONF.get("aws", {}).get("account", "123456789012"),
            "region": "us-east-1", "availabilityZone": "us-east-1a",
            "instanceId": "i-0123456789abcdef0"}, indent=2), \
            "application/json", []
    return 404, "", text, []


# ------------------------------------------------------------------ main

def listen(spec, tls):
    host, _, port = spec.rpartition(":")
    srv = Server((host, int(port)), Handler)
    srv.imds = not tls
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(CONF["cert"], CONF["key"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return srv


def main(argv):
    if argv[1:2] == ["--selftest"]:
        return sigv4.main([argv[0], "--selftest"] + argv[2:])
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        CONF.update(json.load(f))
    cf_setup()
    import fake_dns_aws
    fake_dns_aws.setup(CONF)
    import fake_dns_do
    fake_dns_do.setup(CONF)
    import fake_dns_akamai
    fake_dns_akamai.setup(CONF)
    import fake_dns_gcp
    fake_dns_gcp.setup(CONF)
    import fake_dns_azure
    fake_dns_azure.setup(CONF)
    listen(CONF["listen"], True)
    if CONF.get("imds"):
        listen(CONF["imds"], False)
    log("fake_dns_api ready")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
