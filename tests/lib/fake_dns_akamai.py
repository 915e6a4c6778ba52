"""The Akamai Edge DNS part of fake_dns_api.py (config-dns/v2 record sets).

Written from Akamai's public material: the EdgeGrid scheme ("Authenticate
with EdgeGrid", techdocs.akamai.com/developer/docs/authenticate-with-edgegrid,
and the testcases.json of akamai/AkamaiOPEN-edgegrid-python, which
--selftest checks this verifier against); the Edge DNS record-set calls as
akamai/AkamaiOPEN-edgegrid-golang pkg/dns/record.go makes them
(GET/POST/PUT/DELETE /config-dns/v2/zones/{zone}/names/{name}/types/{type},
POST answering 201, PUT 200, DELETE 204; the set {"name", "type", "ttl",
"rdata"}; GET /config-dns/v2/zones/{zone} for the zone's settings,
pkg/dns/zone.go) and its rate-limit handling (pkg/session/retries.go: 429 with
X-RateLimit-Next beside Date).

Every request is verified as Akamai's gateway does: the Authorization
header "EG1-HMAC-SHA256 client_token=..;access_token=..;timestamp=..;
nonce=..;signature=..", the client token and its access token known, the
timestamp within 30 s of now, the nonce never seen before, and the
signature over method, https, Host, path?query as sent, the signed
headers, and the SHA-256 of a POST body's first max_body bytes (only POST
bodies are hashed: the vectors' "PUT test" has no content hash).

Errors are problem documents (Content-Type application/problem+json):
{"type", "title", "status", "detail", "instance", "method",
"requestId", "requestTime"}.  Quoted from Akamai's answers in public
issues: 401 pep-authn/deny "Not authorized" / "The signature does not
match"; 400 pep-authn/request-error "Bad request" / "Invalid timestamp";
403 pep-authz/deny "Forbidden" / "The client does not have the grant
needed for the request".  Not found quoted, so written in the same style:
"Invalid authorization client token" / "... access token", a reused
nonce, Edge DNS's 404, 409 and 400 details, and the 429 body.

CONF["akamai"]: {"host": the API host, "zones": [names],
  "clients": {CLIENT_TOKEN: {"secret", "access_token", "label",
              "zones": "*" | [names]}},
  "max_body": 131072, "headers_to_sign": [],
  "records": [{"zone", "name", "ttl", "rdata"}] (there at start)}
Control modes: "akamai_429": N (with "retry_after": S, Retry-After is
sent too), "akamai_conflict": N (the next N writes answer 409),
"akamai_lost_write": N (the next N writes answer success but another
writer's change replaces them at once), "akamai_hostile": "name" |
"type" | "huge" (GET answers a set for another name, another type, or
5000 values).
"""
import base64
import datetime
import hashlib
import hmac
import json
import re
import secrets
import sys
import time

import fake_dns_api as F

SETS = {}     # (zone, name) -> {"name", "type", "ttl", "rdata"}
NONCES = {}   # nonce -> time seen
WINDOW = 30   # seconds a timestamp may be off


def setup(conf):
    ak = conf.get("akamai", {})
    for r in ak.get("records", []):
        SETS[(r["zone"], r["name"])] = {"name": r["name"], "type": "TXT",
                                        "ttl": r.get("ttl", 300),
                                        "rdata": list(r["rdata"])}
        F.bind_update([("add", r["name"], r.get("ttl", 300), F.txt_data(v))
                       for v in r["rdata"]])


# -------------------------------------------------------------- EdgeGrid

def b64(b):
    return base64.b64encode(b).decode()


def canon_headers(headers, to_sign):
    out = []
    for name in to_sign:
        for n, v in headers:
            if n.lower() == name.lower():
                out.append("%s:%s" % (name.lower(),
                                      " ".join(v.strip().split())))
                break
    return "\t".join(out)


def content_hash(method, body, max_body):
    if method != "POST" or not body:
        return ""
    return b64(hashlib.sha256(body[:max_body]).digest())


def signature(secret, method, host, path_query, headers, to_sign, body,
              max_body, auth_prefix, timestamp):
    """The signature EdgeGrid gives this request (auth_prefix: the
    Authorization value up to and including "nonce=...;")."""
    key = b64(hmac.new(secret.encode(), timestamp.encode(),
                       hashlib.sha256).digest())
    data = "\t".join([method, "https", host, path_query,
                      canon_headers(headers, to_sign),
                      content_hash(method, body, max_body), auth_prefix])
    return b64(hmac.new(key.encode(), data.encode(),
                        hashlib.sha256).digest()), data


def problem(req, host, status, kind, title, detail, headers=()):
    doc = {"type": "https://problems.luna.akamaiapis.net/" + kind,
           "title": title, "status": status, "detail": detail,
           "instance": "https://%s%s" % (host, req.path +
                                         ("?" + req.query if req.query
                                          else "")),
           "method": req.method, "requestId": secrets.token_hex(4),
           "requestTime": F.iso(F.now())}
    return status, json.dumps(doc, indent=2), "application/problem+json", \
        list(headers)


def auth(req, host):
    """The client's entry, or an error answer."""
    ak = F.CONF.get("akamai", {})
    m = re.fullmatch(r"(EG1-HMAC-SHA256 client_token=([^;]*);access_token="
                     r"([^;]*);timestamp=([^;]*);nonce=([^;]*);)"
                     r"signature=([A-Za-z0-9+/=]+)",
                     req.header("Authorization") or "")
    if not m:
        req.auth = "bad-header"
        return None, problem(req, host, 401, "-/pep-authn/deny",
                             "Not authorized", "Invalid authorization "
                             "header")
    prefix, ctok, atok, ts, nonce, sig = m.groups()
    cl = ak.get("clients", {}).get(ctok)
    if cl is None:
        req.auth = "bad-client-token"
        return None, problem(req, host, 400, "-/pep-authn/request-error",
                             "Bad request", "Invalid authorization client "
                             "token")
    if not secrets.compare_digest(cl["access_token"], atok):
        req.auth = "bad-access-token"
        return None, problem(req, host, 400, "-/pep-authn/request-error",
                             "Bad request", "Invalid authorization access "
                             "token")
    try:
        t = datetime.datetime.strptime(ts, "%Y%m%dT%H:%M:%S%z")
        ok = abs((F.now() - t).total_seconds()) <= WINDOW
    except ValueError:
        ok = False
    if not ok:
        req.auth = "bad-timestamp"
        return None, problem(req, host, 400, "-/pep-authn/request-error",
                             "Bad request", "Invalid timestamp")
    want, _ = signature(cl["secret"], req.method, host, req.path +
                        ("?" + req.query if req.query else ""),
                        req.headers, ak.get("headers_to_sign", []),
                        req.body, ak.get("max_body", 131072), prefix, ts)
    if not secrets.compare_digest(want, sig):
        req.auth = "bad-signature"
        return None, problem(req, host, 401, "-/pep-authn/deny",
                             "Not authorized", "The signature does not "
                             "match")
    with F.LOCK:
        now = time.time()
        for n in [n for n, seen in NONCES.items() if seen < now - 120]:
            del NONCES[n]
        if nonce in NONCES or not nonce:
            req.auth = "nonce-reused"
            return None, problem(req, host, 401, "-/pep-authn/deny",
                                 "Not authorized", "Invalid nonce: "
                                 "already used")
        NONCES[nonce] = now
    req.auth = "client:" + cl.get("label", "?")
    return cl, None


# --------------------------------------------------------------- Edge DNS

def bind_diff(name, ttl, old, new):
    ops = [("del", name, 0, F.txt_data(v)) for v in old if v not in new]
    ops += [("add", name, ttl, F.txt_data(v)) for v in new if v not in old]
    if ops:
        F.bind_update(ops)


def body_set(req, host, name):
    """The set a POST/PUT carries, checked; (set, None) or (None, error)."""
    try:
        doc = json.loads(req.body or b"{}")
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or \
            str(doc.get("name", "")).lower() != name or \
            doc.get("type") != "TXT" or \
            not isinstance(doc.get("ttl"), int) or \
            not isinstance(doc.get("rdata"), list) or not doc["rdata"] or \
            not all(isinstance(v, str) and v for v in doc["rdata"]):
        return None, problem(req, host, 400, "config-dns/v2/bad-request",
                             "Bad Request", "Invalid recordset: name, type "
                             "TXT, ttl and rdata are required")
    return {"name": name, "type": "TXT", "ttl": doc["ttl"],
            "rdata": list(doc["rdata"])}, None


def hostile(s, name):
    mode = F.CONTROL.get("akamai_hostile")
    base = s or {"name": name, "type": "TXT", "ttl": 300,
                 "rdata": ['"x"']}
    if mode == "name":
        return dict(base, name="_acme-challenge.victim.other.test")
    if mode == "type":
        return dict(base, type="CNAME", rdata=["elsewhere.other.test."])
    if mode == "huge":
        return dict(base, rdata=['"v%d"' % i for i in range(5000)])
    return None


def records(req, host, zone, name):
    key = (zone, name)
    if req.method == "GET":
        with F.LOCK:
            s = SETS.get(key)
        h = hostile(s, name)
        if h is not None:
            return 200, json.dumps(h), "application/json", []
        if s is None:
            return problem(req, host, 404, "config-dns/v2/not-found",
                           "Not Found", "Recordset %s TXT does not exist "
                           "in zone %s" % (name, zone))
        return 200, json.dumps(s), "application/json", []
    if req.method not in ("POST", "PUT", "DELETE"):
        return problem(req, host, 405, "config-dns/v2/method-not-allowed",
                       "Method Not Allowed", "Method %s not allowed" %
                       req.method)
    new = None
    if req.method != "DELETE":
        new, err = body_set(req, host, name)
        if err:
            return err
    if F.CONTROL.take("akamai_conflict"):
        return problem(req, host, 409, "config-dns/v2/conflict",
                       "Conflict", "Recordset %s TXT was modified by "
                       "another request" % name)
    with F.LOCK:
        old = SETS.get(key)
        if req.method == "POST" and old is not None:
            return problem(req, host, 409, "config-dns/v2/conflict",
                           "Conflict", "Recordset %s TXT already exists"
                           % name)
        if req.method != "POST" and old is None:
            return problem(req, host, 404, "config-dns/v2/not-found",
                           "Not Found", "Recordset %s TXT does not exist "
                           "in zone %s" % (name, zone))
        lost = req.method != "DELETE" and F.CONTROL.take("akamai_lost_write")
        if req.method == "DELETE":
            del SETS[key]
        elif not lost:
            SETS[key] = new
    old_rdata = old["rdata"] if old else []
    if req.method == "DELETE":
        bind_diff(name, 0, old_rdata, [])
        return 204, "", "application/json", []
    if not lost:
        bind_diff(name, new["ttl"], old_rdata, new["rdata"])
    return (201 if req.method == "POST" else 200), json.dumps(new), \
        "application/json", []


def zone_get(req, host, cl, zone):
    """GET /config-dns/v2/zones/{zone}: the zone's settings."""
    ak = F.CONF.get("akamai", {})
    if zone not in ak.get("zones", []):
        return problem(req, host, 404, "config-dns/v2/not-found",
                       "Not Found", "Zone %s does not exist" % zone)
    if cl.get("zones", "*") != "*" and zone not in cl["zones"]:
        return problem(req, host, 403, "-/pep-authz/deny", "Forbidden",
                       "The client does not have the grant needed for the "
                       "request")
    return 200, json.dumps({
        "zone": zone, "type": "PRIMARY", "comment": "acmec test",
        "signAndServe": False, "contractId": "C-0N7RAC7",
        "activationState": "ACTIVE", "versionId": "a-c-m-e-c"}), \
        "application/json", []


def akamai(req, host):
    ak = F.CONF.get("akamai", {})
    cl, err = auth(req, host)
    if err:
        return err
    if F.CONTROL.take("akamai_429"):
        nxt = F.now() + datetime.timedelta(seconds=int(
            F.CONTROL.get("retry_after", 1)))
        hdrs = [("X-RateLimit-Limit", "100"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Next", F.iso(nxt, millis=True)),
                ("Date", F.now().strftime("%a, %d %b %Y %H:%M:%S GMT"))]
        if F.CONTROL.get("retry_after") is not None:
            hdrs.append(("Retry-After", str(F.CONTROL.get("retry_after"))))
        return problem(req, host, 429, "-/pep-rate-limit/too-many-requests",
                       "Too Many Requests", "The rate limit of this client "
                       "was exceeded", hdrs)
    m = re.fullmatch(r"/config-dns/v2/zones/([^/]+)", req.path)
    if m and req.method == "GET":
        return zone_get(req, host, cl, m.group(1).lower())
    m = re.fullmatch(r"/config-dns/v2/zones/([^/]+)/names/([^/]+)/types/"
                     r"([^/]+)", req.path)
    if not m:
        return problem(req, host, 404, "config-dns/v2/not-found",
                       "Not Found", "The requested resource was not found")
    zone, name, rtype = m.group(1).lower(), m.group(2).lower(), m.group(3)
    if zone not in ak.get("zones", []):
        return problem(req, host, 404, "config-dns/v2/not-found",
                       "Not Found", "Zone %s does not exist" % zone)
    if cl.get("zones", "*") != "*" and zone not in cl["zones"]:
        return problem(req, host, 403, "-/pep-authz/deny", "Forbidden",
                       "The client does not have the grant needed for the "
                       "request")
    if rtype != "TXT" or not (name == zone or name.endswith("." + zone)) \
            or not re.fullmatch(r"[a-z0-9_.-]+", name):
        return problem(req, host, 400, "config-dns/v2/bad-request",
                       "Bad Request", "Invalid record name or type")
    return records(req, host, zone, name)


# -------------------------------------------------------------- selftest

def selftest(datadir):
    """This verifier's signatures against Akamai's published cases."""
    with open(datadir + "/testdata.json") as f:
        td = json.load(f)
    with open(datadir + "/testcases.json") as f:
        cases = json.load(f)
    host = td["base_url"].split("//", 1)[1].rstrip("/")
    bad = 0
    for c in cases:
        if c.get("failsWithMessage"):
            continue
        r = c["request"]
        hdrs = [(k, v) for h in r.get("headers", []) for k, v in h.items()]
        prefix = ("client_token=%s;access_token=%s;timestamp=%s;nonce=%s;"
                  % (td["client_token"], td["access_token"], td["timestamp"],
                     td["nonce"]))
        sig, data = signature(td["client_secret"], r["method"], host,
                              r["path"], hdrs, td["headers_to_sign"],
                              r.get("data", "").encode(), td["max_body"],
                              "EG1-HMAC-SHA256 " + prefix, td["timestamp"])
        got = "EG1-HMAC-SHA256 %ssignature=%s" % (prefix, sig)
        ok = got == c["expectedAuthorization"]
        bad += not ok
        print("%s %s" % ("ok  " if ok else "FAIL", c["testName"]))
    return 1 if bad + selftest_gate() else 0


class FakeReq:
    """Just what auth() reads of a request."""

    def __init__(self, method, path, body, authz):
        self.method, self.path, self.query = method, path, ""
        self.body, self.auth = body, "-"
        self.headers = [("Authorization", authz)]

    def header(self, name):
        return dict((n.lower(), v) for n, v in self.headers).get(
            name.lower())


def selftest_gate():
    """auth() itself: a good request passes once; its replay, a stale
    timestamp, a changed POST body, a wrong secret or access token fail
    with Akamai's words."""
    host, ctok, sec, atok = "akab-x.luna.akamaiapis.net", "akab-c", "s", "a"
    F.CONF.setdefault("akamai", {"clients": {ctok: {
        "secret": sec, "access_token": atok, "label": "t"}}})

    def req(body=b'{"a":1}', ts=None, secret=sec, access=atok, sent=None):
        ts = ts or F.now().strftime("%Y%m%dT%H:%M:%S+0000")
        prefix = ("EG1-HMAC-SHA256 client_token=%s;access_token=%s;"
                  "timestamp=%s;nonce=%s;" % (ctok, access, ts,
                                              secrets.token_hex(8)))
        sig, _ = signature(secret, "POST", host, "/p", [], [], body, 131072,
                           prefix, ts)
        return FakeReq("POST", "/p", body if sent is None else sent,
                       prefix + "signature=" + sig)

    old = (F.now() - datetime.timedelta(seconds=WINDOW + 5)).strftime(
        "%Y%m%dT%H:%M:%S+0000")
    good = req()
    cases = [("fresh request", good, None),
             ("replayed nonce", good, "Invalid nonce: already used"),
             ("stale timestamp", req(ts=old), "Invalid timestamp"),
             ("changed POST body", req(sent=b'{"a":2}'),
              "The signature does not match"),
             ("wrong client secret", req(secret="t"),
              "The signature does not match"),
             ("wrong access token", req(access="b"),
              "Invalid authorization access token")]
    bad = 0
    for name, r, words in cases:
        _, err = auth(r, host)
        detail = json.loads(err[1])["detail"] if err else None
        ok = detail == words
        bad += not ok
        print("%s %s%s" % ("ok  " if ok else "FAIL", name,
                           "" if ok else ": %r" % detail))
    return bad


if __name__ == "__main__":
    if sys.argv[1:2] == ["--selftest"] and len(sys.argv) == 3:
        sys.exit(selftest(sys.argv[2]))
    sys.stderr.write("usage: fake_dns_akamai.py --selftest DATADIR\n")
    sys.exit(2)
