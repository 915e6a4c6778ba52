"""The DigitalOcean API v2 part of fake_dns_api.py (domains and records).

Written from DigitalOcean's public API reference
(docs.digitalocean.com/reference/api, "Domain Records"): records live
under /v2/domains/{domain_name}/records; a record's name is relative to
the domain ("@" is the apex); POST answers 201 {"domain_record": {...}}
with an integer id; DELETE answers 204 without a body.  Authentication
is "Authorization: Bearer <token>"; errors are {"id", "message"[,
"request_id"]}: 401 "unauthorized" ("Unable to authenticate you"), 404
"not_found" ("The resource you were accessing could not be found."), 422
"unprocessable_entity", 429 "too_many_requests" ("API Rate limit
exceeded.") with the RateLimit-Limit/-Remaining/-Reset headers (Reset a
Unix time) and no Retry-After.  TTL is at least 30.  Lists page with
page/per_page (20 by default, 200 at most) and links.pages.next.
GET /v2/domains/{domain_name} ("Retrieve an Existing Domain") answers
{"domain": {"name", "ttl", "zone_file"}}, 404 for a domain the account
does not have.
"""
import json
import re
import secrets
import time

import fake_dns_api as F

DO_RECORDS = {}  # domain -> [record]
NEXT_ID = [28448400]


def setup(conf):
    for name in conf.get("digitalocean", {}).get("domains", []):
        DO_RECORDS[name] = []


def err(status, ident, message, headers=()):
    return status, json.dumps({"id": ident, "message": message,
                               "request_id": secrets.token_hex(8)}), \
        "application/json", list(headers)


def auth(req):
    tokens = F.CONF.get("digitalocean", {}).get("tokens", {})
    m = re.fullmatch(r"Bearer (\S+)", req.header("Authorization") or "")
    tok = tokens.get(m.group(1)) if m else None
    if tok is None:
        req.auth = "unauthorized"
        return None
    req.auth = "token:" + tok.get("label", "?")
    return tok.get("domains", "*")


def record_doc(rec):
    return {k: rec[k] for k in ("id", "type", "name", "data", "priority",
                                "port", "ttl", "weight", "flags", "tag")}


def records_get(req, domain):
    recs = DO_RECORDS[domain]
    if "type" in req.params:
        recs = [r for r in recs if r["type"] == req.params["type"]]
    if "name" in req.params:  # the full name, as the reference says
        want = req.params["name"].rstrip(".").lower()
        recs = [r for r in recs if (domain if r["name"] == "@" else
                                    r["name"] + "." + domain) == want]
    per = min(max(int(req.params.get("per_page", 20) or 20), 1), 200)
    page = max(int(req.params.get("page", 1) or 1), 1)
    chunk = recs[(page - 1) * per:page * per]
    links = {}
    if page * per < len(recs):
        links["pages"] = {"next": "https://api.digitalocean.com/v2/domains/"
                          "%s/records?page=%d&per_page=%d" %
                          (domain, page + 1, per)}
    return 200, json.dumps({"domain_records": [record_doc(r) for r in chunk],
                            "links": links, "meta": {"total": len(recs)}}), \
        "application/json", []


def records_post(req, domain):
    try:
        doc = json.loads(req.body or b"{}")
    except ValueError:
        return err(400, "bad_request", "unexpected end of JSON input")
    name = str(doc.get("name", "")).rstrip(".")
    data, rtype, ttl = doc.get("data"), doc.get("type"), doc.get("ttl", 1800)
    if rtype != "TXT" or not isinstance(data, str) or not data or not name \
            or not isinstance(ttl, int) or ttl < 30 or \
            name.endswith("." + domain) or name == domain:
        return err(422, "unprocessable_entity",
                   "Name Only valid hostname characters are allowed; "
                   "TTL must be at least 30")
    with F.LOCK:
        NEXT_ID[0] += 1
        rec = {"id": NEXT_ID[0], "type": rtype, "name": name, "data": data,
               "priority": None, "port": None, "ttl": ttl, "weight": None,
               "flags": None, "tag": None}
        DO_RECORDS[domain].append(rec)
    fqdn = domain if name == "@" else name + "." + domain
    F.bind_update([("add", fqdn, ttl, F.txt_data(data))])
    doc = record_doc(rec)
    if F.CONTROL.get("digitalocean_bad_id"):
        doc["id"] = "../../account/keys"
    return 201, json.dumps({"domain_record": doc}), "application/json", []


def records_delete(req, domain, rid):
    with F.LOCK:
        recs = [r for r in DO_RECORDS[domain] if str(r["id"]) == rid]
        if not recs:
            return err(404, "not_found", "The resource you were accessing "
                       "could not be found.")
        DO_RECORDS[domain].remove(recs[0])
    r = recs[0]
    fqdn = domain if r["name"] == "@" else r["name"] + "." + domain
    F.bind_update([("del", fqdn, 0, F.txt_data(r["data"]))])
    return 204, "", "application/json", []


def domain_get(domain, scope):
    """GET /v2/domains/NAME ("Retrieve an Existing Domain")."""
    if domain not in DO_RECORDS or (scope != "*" and domain not in scope):
        return err(404, "not_found", "The resource you were accessing "
                   "could not be found.")
    return 200, json.dumps({"domain": {
        "name": domain, "ttl": 1800,
        "zone_file": "$ORIGIN %s.\n$TTL 1800\n" % domain}}), \
        "application/json", []


def digitalocean(req, host):
    scope = auth(req)
    if scope is None:
        return err(401, "unauthorized", "Unable to authenticate you")
    if F.CONTROL.take("digitalocean_429"):
        reset = str(int(time.time()) + int(F.CONTROL.get("retry_after", 1)))
        return err(429, "too_many_requests", "API Rate limit exceeded.",
                   [("RateLimit-Limit", "5000"),
                    ("RateLimit-Remaining", "0"), ("RateLimit-Reset", reset)])
    m = re.fullmatch(r"/v2/domains/([^/]+)", req.path.rstrip("/"))
    if m and req.method == "GET":
        return domain_get(m.group(1).lower(), scope)
    m = re.fullmatch(r"/v2/domains/([^/]+)/records(?:/([^/]+))?",
                     req.path.rstrip("/"))
    if not m:
        return err(404, "not_found", "The resource you were accessing "
                   "could not be found.")
    domain, rid = m.group(1).lower(), m.group(2)
    if domain not in DO_RECORDS or (scope != "*" and domain not in scope):
        return err(404, "not_found", "The resource you were accessing "
                   "could not be found.")
    if rid is None and req.method == "GET":
        return records_get(req, domain)
    if rid is None and req.method == "POST":
        return records_post(req, domain)
    if rid is not None and req.method == "DELETE":
        return records_delete(req, domain, rid)
    return err(405, "method_not_allowed", "Method Not Allowed")
