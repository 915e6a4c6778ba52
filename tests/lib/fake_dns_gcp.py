"""The Google Cloud part of fake_dns_api.py: the OAuth 2 token endpoint
(oauth2.googleapis.com), Cloud DNS API v1 (dns.googleapis.com) and the
metadata server's token (served on the plain-HTTP IMDS listener).

Written from Google's public references and the answers Google is seen
to send (quoted in public bug reports of cert-manager, external-dns,
certbot and Google's client libraries):
- Service-account flow (developers.google.com/identity/protocols/oauth2/
  service-account#httprest): POST /token, form grant_type=
  urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT; the JWT is
  RS256 (RFC 7515/7518: RSASSA-PKCS1-v1_5 with SHA-256, checked here
  against the account's public key), claims iss (client_email), scope,
  aud (the token URI), iat, exp (at most an hour after iat).  Errors are
  400 {"error", "error_description"}: "invalid_grant" with "Invalid JWT
  Signature.", "Invalid JWT: Token must be a short-lived token (60
  minutes) and in a reasonable timeframe. Check your iat and exp values
  in the JWT claim.", "Invalid grant: account not found";
  "unsupported_grant_type"; "invalid_scope".  Success: {"access_token":
  "ya29...", "expires_in": 3599, "token_type": "Bearer"}.
- Metadata server: GET /computeMetadata/v1/instance/service-accounts/
  default/token[?scopes=a,b] with "Metadata-Flavor: Google" (403
  without it; a request with X-Forwarded-For is refused too); answers
  carry "Metadata-Flavor: Google".
- Cloud DNS v1 (the discovery document dns/v1 in google-api-go-client):
  /dns/v1/projects/{project}/managedZones?dnsName=&maxResults=&pageToken=
  ({"managedZones": [{"name", "dnsName", "visibility", ...}],
  "nextPageToken"}); GET .../managedZones/{zone} (managedZones.get: one
  such zone, 404 notFound if the project has none of that name);
  .../managedZones/{zone}/rrsets?name=&type=
  ({"rrsets": [{"name", "type", "ttl", "rrdatas"}]}); POST .../changes
  {"additions", "deletions"} applied atomically: a deletion must match
  the current set exactly (name, type, ttl, rrdatas) or 412
  conditionNotMet "Precondition not met for 'entity.change.deletions[0]'",
  an addition over an existing set is 409 alreadyExists; GET
  .../changes/{id} ("pending", then "done").  Errors {"error": {"code",
  "message", "errors": [{"message", "domain", "reason"}]}}: 401 authError,
  403 forbidden "Forbidden" (a project the account has no role in), 403
  insufficientPermissions "Request had insufficient authentication
  scopes.", 404 notFound, 429 rateLimitExceeded "Rate Limit Exceeded"
  (no Retry-After).

CONF["gcp"]: {"projects": {PROJECT: [{"name", "dnsName", "visibility"}]},
"accounts": {EMAIL: {"label", "pub": public key PEM file (absent: no key,
metadata only), "projects": [PROJECT]}}, "metadata_account": EMAIL}.

usage (its own check): fake_dns_gcp.py --selftest   the RS256 verifier on
RFC 7515 appendix A.2 (and that it refuses a changed input or signature).

CONTROL modes: "gcp_429": N (the next N Cloud DNS requests), "gcp_page_size":
N (managed zones per page), "gcp_pending_polls": N (GETs of a change
that answer pending; 1 unless set), "gcp_interloper": N (the next N
changes find that someone else added a value to the set they touch just
before; "gcp_interloper_skip": M leaves the M changes before them alone),
"gcp_bad_change_id": true, "gcp_bad_zone_name": true.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fake_dns_api as F

TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPES_OK = ("https://www.googleapis.com/auth/ndev.clouddns.readwrite",
             "https://www.googleapis.com/auth/cloud-platform")
KEYS = {}      # email -> (n, e)
TOKENS = {}    # access token -> {"email", "scopes", "exp"}
RRSETS = {}    # (project, zone) -> {name.: {"ttl", "rrdatas"}}
CHANGES = {}   # (project, zone) -> {id: {"doc", "polls"}}
SEQ = {}       # (project, zone) -> next change id
INTERLOPERS = [0]


def setup(conf):
    g = conf.get("gcp", {})
    for email, acct in g.get("accounts", {}).items():
        if acct.get("pub"):
            KEYS[email] = rsa_public(acct["pub"])
    for project, zones in g.get("projects", {}).items():
        for z in zones:
            RRSETS[(project, z["name"])] = {}
            CHANGES[(project, z["name"])] = {}
            SEQ[(project, z["name"])] = 1


def rsa_public(path):
    """(n, e) of the RSA public key in PEM file PATH."""
    text = subprocess.run(["openssl", "rsa", "-pubin", "-in", path,
                           "-noout", "-text", "-modulus"], check=True,
                          capture_output=True, text=True).stdout
    n = int(re.search(r"^Modulus=([0-9A-F]+)$", text, re.M).group(1), 16)
    e = int(re.search(r"Exponent: (\d+)", text).group(1))
    return n, e


# SHA-256's DigestInfo prefix (RFC 8017 section 9.2, note 1).
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def rs256_ok(key, signed, sig):
    """RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 7518 3.3)."""
    n, e = key
    k = (n.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    em = pow(int.from_bytes(sig, "big"), e, n).to_bytes(k, "big")
    t = SHA256_INFO + hashlib.sha256(signed).digest()
    want = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(em, want)


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def issue(email, scopes):
    tok = "ya29.c." + secrets.token_urlsafe(90)
    with F.LOCK:
        TOKENS[tok] = {"email": email, "scopes": scopes,
                       "exp": time.time() + 3599}
    return json.dumps({"access_token": tok, "expires_in": 3599,
                       "token_type": "Bearer"})


def label(email):
    return F.CONF["gcp"]["accounts"].get(email, {}).get("label", "?")


# ------------------------------------------------- the token endpoint

def oauth_err(req, code, desc, status=400):
    req.auth = code
    return status, json.dumps({"error": code, "error_description": desc}), \
        "application/json; charset=utf-8", []


def jwt_claims(req, jwt):
    """The verified claims of JWT, or an error answer."""
    parts = jwt.split(".")
    try:
        if len(parts) != 3:
            raise ValueError
        hdr = json.loads(b64url(parts[0]))
        claims = json.loads(b64url(parts[1]))
        sig = b64url(parts[2])
    except ValueError:
        return None, oauth_err(req, "invalid_grant", "Invalid JWT Signature.")
    iss = claims.get("iss")
    if iss not in F.CONF["gcp"]["accounts"]:
        return None, oauth_err(req, "invalid_grant",
                               "Invalid grant: account not found")
    key = KEYS.get(iss)
    if hdr.get("alg") != "RS256" or key is None or \
            not rs256_ok(key, (parts[0] + "." + parts[1]).encode(), sig):
        return None, oauth_err(req, "invalid_grant", "Invalid JWT Signature.")
    if claims.get("aud") != TOKEN_URI:
        return None, oauth_err(req, "invalid_grant", "Invalid JWT: Failed "
                               "audience check. The right audience is " +
                               TOKEN_URI)
    iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
    if not isinstance(iat, int) or not isinstance(exp, int) or \
            exp - iat > 3600 or exp <= iat or iat > now + 60 or exp < now:
        return None, oauth_err(req, "invalid_grant", "Invalid JWT: Token "
                               "must be a short-lived token (60 minutes) and "
                               "in a reasonable timeframe. Check your iat and "
                               "exp values in the JWT claim.")
    if not isinstance(claims.get("scope"), str) or not claims["scope"]:
        return None, oauth_err(req, "invalid_scope", "Invalid OAuth scope or "
                               "ID token audience provided.")
    return claims, None


def token(req):
    if req.method != "POST" or req.path != "/token":
        return 404, "Not Found\n", "text/html", []
    ctype = (req.header("Content-Type") or "").split(";")[0].strip()
    if ctype != "application/x-www-form-urlencoded":
        return oauth_err(req, "invalid_request", "Required parameter is "
                         "missing: grant_type")
    import urllib.parse
    form = {k: v[0] for k, v in urllib.parse.parse_qs(
        req.body.decode("utf-8", "replace")).items()}
    grant = form.get("grant_type")
    if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer":
        return oauth_err(req, "unsupported_grant_type",
                         "Invalid grant_type: %s" % (grant or ""))
    claims, err = jwt_claims(req, form.get("assertion", ""))
    if err:
        return err
    req.auth = "jwt:" + label(claims["iss"])
    return 200, issue(claims["iss"], claims["scope"].split()), \
        "application/json; charset=utf-8", []


# ------------------------------------------------- the metadata server

def metadata(req, host):
    text = "text/html; charset=UTF-8"
    if req.header("X-Forwarded-For") is not None:
        req.auth = "forwarded"
        return 403, "Request forbidden: X-Forwarded-For header present.\n", \
            text, []
    if req.header("Metadata-Flavor") != "Google":
        req.auth = "no-flavor"
        return 403, "Missing Metadata-Flavor:Google header.\n", text, []
    flavor = [("Metadata-Flavor", "Google")]
    email = F.CONF.get("gcp", {}).get("metadata_account")
    base = "/computeMetadata/v1/instance/service-accounts/default/"
    if req.method != "GET" or email is None or \
            not req.path.startswith(base):
        return 404, "Not Found\n", text, flavor
    if req.path == base + "email":
        return 200, email, "application/text", flavor
    if req.path != base + "token":
        return 404, "Not Found\n", text, flavor
    scopes = req.params.get("scopes")
    scopes = scopes.split(",") if scopes else [SCOPES_OK[1]]
    req.auth = "meta:" + label(email)
    return 200, issue(email, scopes), "application/json", flavor


# ------------------------------------------------------------ Cloud DNS

def dns_err(req, status, reason, message, extra=None):
    req.auth = req.auth if req.auth != "-" else reason
    err = {"code": status, "message": message,
           "errors": [{"message": message, "domain": "global",
                       "reason": reason}]}
    if status == 429:
        err["errors"][0]["domain"] = "usageLimits"
        err["status"] = "RESOURCE_EXHAUSTED"
    err.update(extra or {})
    return status, json.dumps({"error": err}, indent=2), \
        "application/json; charset=UTF-8", []


def dns_auth(req):
    """The token's holder, or an error answer."""
    m = re.fullmatch(r"Bearer (\S+)", req.header("Authorization") or "")
    t = TOKENS.get(m.group(1)) if m else None
    if t is None or t["exp"] < time.time():
        return None, dns_err(req, 401, "authError", "Request had invalid "
                             "authentication credentials. Expected OAuth 2 "
                             "access token, login cookie or other valid "
                             "authentication credential. See https://"
                             "developers.google.com/identity/sign-in/web/"
                             "devconsole-project.",
                             {"status": "UNAUTHENTICATED"})
    req.auth = label(t["email"])
    if not any(s in SCOPES_OK for s in t["scopes"]):
        return None, dns_err(req, 403, "insufficientPermissions", "Request "
                             "had insufficient authentication scopes.",
                             {"status": "PERMISSION_DENIED"})
    return t["email"], None


def zone_doc(project, z, i):
    name = z["name"]
    if F.CONTROL.get("gcp_bad_zone_name"):  # a hostile answer
        name = "../../../projects/%s/managedZones/%s" % (project, name)
    return {"kind": "dns#managedZone", "name": name,
            "dnsName": z["dnsName"], "description": "",
            "id": str(4410000000000000000 + i),
            "nameServers": ["ns-cloud-a%d.googledomains.com." % k
                            for k in range(1, 5)],
            "creationTime": "2024-01-01T00:00:00.000Z",
            "visibility": z.get("visibility", "public")}


def zones_list(req, project):
    zones = F.CONF["gcp"]["projects"][project]
    want = req.params.get("dnsName")
    if want is not None:
        want = want.lower().rstrip(".") + "."
        zones = [z for z in zones if z["dnsName"].lower() == want]
    per = int(F.CONTROL.get("gcp_page_size", 0) or 0) or \
        int(req.params.get("maxResults", 0) or 0) or 1000
    tok = req.params.get("pageToken")
    start = 0
    if tok:
        m = re.fullmatch(r"CgN6b25l([0-9]+)", tok)
        if not m:
            return dns_err(req, 400, "invalid", "Invalid value for "
                           "'parameters.pageToken': '%s'" % tok)
        start = int(m.group(1))
    doc = {"kind": "dns#managedZonesListResponse",
           "header": {"operationId": secrets.token_hex(8)},
           "managedZones": [zone_doc(project, z, start + i) for i, z in
                            enumerate(zones[start:start + per])]}
    if start + per < len(zones):
        doc["nextPageToken"] = "CgN6b25l%d" % (start + per)
    return 200, json.dumps(doc, indent=2), "application/json", []


def rrsets_list(req, key):
    name, rtype = req.params.get("name"), req.params.get("type")
    if name is not None and not name.endswith("."):
        return dns_err(req, 400, "invalid", "Invalid value for "
                       "'parameters.name': '%s'" % name)
    out = []
    for n, s in sorted(RRSETS[key].items()):
        if (name is None or n == name.lower()) and rtype in (None, "TXT"):
            out.append({"kind": "dns#resourceRecordSet", "name": n,
                        "type": "TXT", "ttl": s["ttl"],
                        "rrdatas": list(s["rrdatas"])})
    return 200, json.dumps({"kind": "dns#resourceRecordSetsListResponse",
                            "rrsets": out}, indent=2), "application/json", []


def rrset_of(doc, where):
    """(name, ttl, rrdatas) of a change's record set, or an error text."""
    if not isinstance(doc, dict) or doc.get("type") != "TXT" or \
            not isinstance(doc.get("name"), str) or \
            not doc["name"].endswith(".") or \
            not isinstance(doc.get("ttl", 0), int) or \
            not isinstance(doc.get("rrdatas"), list) or \
            not doc["rrdatas"] or \
            not all(isinstance(r, str) and r for r in doc["rrdatas"]):
        return None, "Invalid value for '%s'" % where
    return (doc["name"].lower(), doc.get("ttl", 0), doc["rrdatas"]), None


def interlope(key, names):
    """Someone else adds a value at each of NAMES (gcp_interloper)."""
    ops = []
    INTERLOPERS[0] += 1
    v = '"interloper-%d"' % INTERLOPERS[0]
    for n in names:
        s = RRSETS[key].setdefault(n, {"ttl": 300, "rrdatas": []})
        s["rrdatas"].append(v)
        ops.append(("add", n, s["ttl"], v))
    return ops


def change_apply(req, key, dels, adds):
    """Apply a checked change atomically; an error answer or None, and
    the BIND9 operations."""
    sets = RRSETS[key]
    for i, (n, ttl, rr) in enumerate(dels):
        cur = sets.get(n)
        if cur is None:
            return dns_err(req, 404, "notFound", "The 'entity.change."
                           "deletions[%d]' resource named '%s (TXT)' does "
                           "not exist." % (i, n)), []
        if cur["ttl"] != ttl or sorted(cur["rrdatas"]) != sorted(rr):
            return dns_err(req, 412, "conditionNotMet", "Precondition not "
                           "met for 'entity.change.deletions[%d]'" % i), []
    deleted = {n for n, _, _ in dels}
    for i, (n, ttl, rr) in enumerate(adds):
        if n in sets and n not in deleted:
            return dns_err(req, 409, "alreadyExists", "The resource "
                           "'entity.change.additions[%d]' named '%s (TXT)' "
                           "already exists" % (i, n)), []
    ops = []
    for n, _, rr in dels:
        old = sets.pop(n)["rrdatas"]
        new = next((a[2] for a in adds if a[0] == n), [])
        ops += [("del", n, 0, v) for v in old if v not in new]
    for n, ttl, rr in adds:
        old = [] if n not in deleted else \
            next(d[2] for d in dels if d[0] == n)
        sets[n] = {"ttl": ttl, "rrdatas": list(rr)}
        ops += [("add", n, ttl or 60, v) for v in rr if v not in old]
    return None, ops


def change_post(req, key, zone, zvis):
    try:
        doc = json.loads(req.body or b"{}")
    except ValueError:
        return dns_err(req, 400, "parseError", "Parse Error")
    parsed = {}
    for part in ("deletions", "additions"):
        parsed[part] = []
        for i, d in enumerate(doc.get(part) or []):
            rs, err = rrset_of(d, "entity.change.%s[%d]" % (part, i))
            if err:
                return dns_err(req, 400, "invalid", err)
            if not (rs[0] == zone or rs[0].endswith("." + zone)):
                return dns_err(req, 400, "invalid", "The resource 'entity."
                               "change.%s[%d]' named '%s (TXT)' is not in "
                               "the zone %s" % (part, i, rs[0], zone))
            parsed[part].append(rs)
    if not parsed["deletions"] and not parsed["additions"]:
        return dns_err(req, 400, "required", "The 'entity.change' "
                       "parameter is required but was missing.")
    with F.LOCK:
        ops = []
        if not F.CONTROL.take("gcp_interloper_skip") and \
                F.CONTROL.take("gcp_interloper"):
            ops = interlope(key, sorted({rs[0] for p in parsed.values()
                                         for rs in p}))
        err, more = change_apply(req, key, parsed["deletions"],
                                 parsed["additions"])
        ops += more
        cid = str(SEQ[key])
        SEQ[key] += 1
        if F.CONTROL.get("gcp_bad_change_id"):  # a hostile answer
            cid = "../../../../" + cid
        change = {"kind": "dns#change", "id": cid, "status": "pending",
                  "startTime": F.iso(F.now(), True),
                  "additions": doc.get("additions") or [],
                  "deletions": doc.get("deletions") or []}
        if err is None:
            CHANGES[key][cid] = {"doc": change, "polls": int(
                F.CONTROL.get("gcp_pending_polls", 1))}
    if ops and zvis != "private":  # only public zones reach BIND9
        F.bind_update([(op, n.rstrip("."), ttl, F.txt_data(v))
                       for op, n, ttl, v in ops])
    if err:
        return err
    return 200, json.dumps(change, indent=2), "application/json", []


def change_get(req, key, cid):
    with F.LOCK:
        c = CHANGES[key].get(cid)
        if c is None:
            return dns_err(req, 404, "notFound", "The 'parameters.changeId' "
                           "resource named '%s' does not exist." % cid)
        if c["polls"] > 0:
            c["polls"] -= 1
        else:
            c["doc"]["status"] = "done"
        doc = dict(c["doc"])
    return 200, json.dumps(doc, indent=2), "application/json", []


def clouddns(req):
    email, err = dns_auth(req)
    if err:
        return err
    if F.CONTROL.take("gcp_429"):
        return dns_err(req, 429, "rateLimitExceeded", "Rate Limit Exceeded")
    m = re.fullmatch(r"/dns/v1/projects/([^/]+)/managedZones(?:/([^/]+)"
                     r"(?:/(rrsets|changes)(?:/([^/]+))?)?)?", req.path)
    if not m:
        return 404, "Not Found\n", "text/html", []
    project, zone, what, cid = m.groups()
    acct = F.CONF["gcp"]["accounts"][email]
    if project not in F.CONF["gcp"]["projects"] or \
            project not in acct.get("projects", []):
        return dns_err(req, 403, "forbidden", "Forbidden")
    if zone is None:
        if req.method != "GET":
            return dns_err(req, 400, "invalid", "Invalid request")
        return zones_list(req, project)
    zdoc = next((z for z in F.CONF["gcp"]["projects"][project]
                 if z["name"] == zone), None)
    if zdoc is None:
        return dns_err(req, 404, "notFound", "The 'parameters.managedZone' "
                       "resource named '%s' does not exist." % zone)
    key = (project, zone)
    if what is None and req.method == "GET":  # managedZones.get
        i = F.CONF["gcp"]["projects"][project].index(zdoc)
        return 200, json.dumps(zone_doc(project, zdoc, i), indent=2), \
            "application/json", []
    if what == "rrsets" and cid is None and req.method == "GET":
        return rrsets_list(req, key)
    if what == "changes" and cid is None and req.method == "POST":
        return change_post(req, key, zdoc["dnsName"].lower(),
                           zdoc.get("visibility", "public"))
    if what == "changes" and cid is not None and req.method == "GET":
        return change_get(req, key, cid)
    return 404, "Not Found\n", "text/html", []


def google(req, host):
    if host == "oauth2.googleapis.com":
        return token(req)
    return clouddns(req)


# RFC 7515 appendix A.2: the RSA key's modulus and exponent, the JWS
# signing input and its RS256 signature.
A2_N = ("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-"
        "Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6"
        "b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-"
        "KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I"
        "5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb"
        "54h4FRWyuXpoQ")
A2_INPUT = ("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsD"
            "QogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ")
A2_SIG = ("cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
          "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
          "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
          "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
          "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
          "p0igcN_IoypGlUPQGe77Rw")


def selftest():
    key = (int.from_bytes(b64url(A2_N), "big"), 65537)
    sig = b64url(A2_SIG)
    bad = bytes([sig[0] ^ 1]) + sig[1:]
    cases = [("rfc7515-a2", rs256_ok(key, A2_INPUT.encode(), sig)),
             ("changed-input-refused",
              not rs256_ok(key, A2_INPUT.encode() + b"x", sig)),
             ("changed-signature-refused",
              not rs256_ok(key, A2_INPUT.encode(), bad)),
             ("short-signature-refused",
              not rs256_ok(key, A2_INPUT.encode(), sig[1:])),
             ("other-key-refused",
              not rs256_ok((key[0] - 2, 65537), A2_INPUT.encode(), sig))]
    for name, ok in cases:
        print("%s rs256/%s" % ("PASS" if ok else "FAIL", name))
    return 0 if all(ok for _, ok in cases) else 1


if __name__ == "__main__":
    if sys.argv[1:] != ["--selftest"]:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(selftest())
