"""The acme-dns part of fake_dns_api.py, served as acmedns.acmec.test.

Written from acme-dns's public README (github.com/joohoi/acme-dns, "API"):
POST /update with headers X-Api-User and X-Api-Key and the JSON body
{"subdomain", "txt"}; the txt must be 43 characters (a dns-01 value);
200 {"txt": value}; 401 {"error": "forbidden"} for unknown credentials
or a subdomain that is not the user's, 400 {"error": "bad_txt"} or
{"error": "bad_subdomain"}.  acme-dns keeps the two most recent values of
a subdomain (a wildcard and its apex both fit) and has no delete.
GET /health answers 200 without credentials (the README's health check);
any other path 404 "404 page not found" (its router's), before any auth.
The records live at SUBDOMAIN.other.test in the test BIND9.
"""
import json
import re
import secrets

import fake_dns_api as F

ZONE = "other.test"
VALUES = {}  # subdomain -> [older, newer]


def err(status, what):
    return status, json.dumps({"error": what}), "application/json", []


def acmedns(req, host):
    if req.path == "/health" and req.method == "GET":
        req.auth = "-"  # no credentials: readiness only
        return 200, "", "text/plain", []
    if req.path != "/update":  # its router's answer, before any auth
        req.auth = "-"
        return 404, "404 page not found\n", "text/plain", []
    users = F.CONF.get("acmedns", {}).get("users", {})
    user = users.get(req.header("X-Api-User") or "")
    if user is None or not secrets.compare_digest(
            user["password"], req.header("X-Api-Key") or ""):
        req.auth = "forbidden"
        return err(401, "forbidden")
    req.auth = "user:" + user["subdomain"][:8]
    if F.CONTROL.take("acmedns_429"):
        # acme-dns has no rate limit of its own; a proxy before it may.
        return 429, json.dumps({"error": "too_many_requests"}), \
            "application/json", [("Retry-After", str(
                F.CONTROL.get("retry_after", 1)))]
    if F.CONTROL.get("acmedns_hostile"):
        # A hostile server: terminal escapes and a forged log line.
        return err(400, "bad\u001b[2J\nacmec: 1 issued, 0 failed")
    if req.method != "POST" or req.path != "/update":
        return err(404, "not_found")
    try:
        doc = json.loads(req.body or b"{}")
    except ValueError:
        return err(400, "malformed_json_payload")
    sub, txt = doc.get("subdomain"), doc.get("txt")
    if sub != user["subdomain"]:
        return err(401, "forbidden")
    if not isinstance(txt, str) or not re.fullmatch(r"[A-Za-z0-9_-]{43}",
                                                    txt):
        return err(400, "bad_txt")
    name = "%s.%s" % (sub, ZONE)
    with F.LOCK:
        vals = VALUES.setdefault(sub, [])
        ops = []
        if len(vals) == 2:
            ops.append(("del", name, 0, F.txt_data(vals.pop(0))))
        vals.append(txt)
        ops.append(("add", name, 1, F.txt_data(txt)))
    F.bind_update(ops)
    return 200, json.dumps({"txt": txt}), "application/json", []
