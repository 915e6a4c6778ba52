"""fake_dns_azure: the Azure part of fake_dns_api.py (a TEST TOOL): the
Microsoft identity platform's token endpoint, Azure Resource Manager's DNS
record sets (Microsoft.Network/dnsZones, api-version 2018-05-01) and the
managed-identity token path of the Azure instance metadata service.

Written from Microsoft's public references and the SDKs:
- The client-credentials grant (learn.microsoft.com, "OAuth 2.0 client
  credentials flow"): POST https://LOGIN/{tenant}/oauth2/v2.0/token, a
  form with client_id, client_secret, grant_type=client_credentials and
  scope=<resource>/.default; answers {"token_type": "Bearer",
  "expires_in", "ext_expires_in", "access_token"}; errors {"error",
  "error_description" (AADSTS text, then "\\r\\nTrace ID: ..."),
  "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}:
  401 invalid_client AADSTS7000215 for a bad secret (words as quoted in
  Azure/sap-automation#418), 400 unauthorized_client AADSTS700016 for an
  unknown application, 400 invalid_request AADSTS90002 for an unknown
  tenant.  Azure Workload Identity (azidentity's
  WorkloadIdentityCredential) proves the application with a federated
  token instead: client_assertion_type=urn:ietf:params:oauth:client-
  assertion-type:jwt-bearer and client_assertion (400 invalid_request
  AADSTS70021 when no federated credential matches).  The LOGIN host of
  each cloud, and its Resource Manager host,
  from the SDKs' cloud tables (azcore/cloud, go-autorest environments.go).
- Record sets (azure-rest-api-specs, dns 2018-05-01): /subscriptions/{sub}
  /resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}/TXT/
  {relativeRecordSetName} ("@" is the apex); GET, PUT (201 new, 200
  updated) and DELETE (200, 204 if there was none), with If-Match (the
  set's etag) and If-None-Match: * (create only), 412 PreconditionFailed
  otherwise.  A set is {"id", "name", "type", "etag", "properties":
  {"metadata", "TTL", "fqdn", "provisioningState", "targetResource",
  "TXTRecords": [{"value": [strings]}]}}.  ARM's errors are {"error":
  {"code", "message"}}: 401 AuthenticationFailed / InvalidAuthentication-
  Token(Audience), 403 AuthorizationFailed (words as in
  cert-manager/cert-manager#7927), 404 SubscriptionNotFound,
  ResourceGroupNotFound, ResourceNotFound, ParentResourceNotFound and
  NotFound, 400 MissingApiVersionParameter, 429 TooManyRequests with
  Retry-After.
- IMDS (learn.microsoft.com, "How to use managed identities ... on a VM
  to acquire an access token"): GET /metadata/identity/oauth2/token
  ?api-version=2018-02-01&resource=... with "Metadata: true" (400
  bad_request_102 "Required metadata header not specified" without it),
  optional client_id, object_id or msi_res_id of a user-assigned identity
  (400 "Identity not found"); a request with X-Forwarded-For is refused.
  The SDKs reach it at $AZURE_POD_IDENTITY_AUTHORITY_HOST when set
  (azure-identity's imds.py, msal-go's managedidentity).

Configuration, under "azure" in the fake's CONFIG:
  {"tenants": {ID: {"domain": NAME}},
   "principals": {CLIENT_ID: {"tenant", "secret" and/or "assertion" (the
                  federated token it accepts), "label", "scopes"}},
   "identities": {"system": {"label", "scopes"}, CLIENT_ID: {"label",
                  "resource_id", "scopes"}},
   "subscriptions": {SUB: {RG: [zone names]}},
   "preset": {ZONE: {RELATIVE NAME: [TXT values]}}}
A scope is an ARM resource id prefix ("/subscriptions/S/resourceGroups/R").

Azure Private DNS (zoneType AzurePrivateZone in cert-manager; the SDK's
armprivatedns, API version 2024-06-01) keeps record sets under
.../providers/Microsoft.Network/privateDnsZones/{zone}/TXT/{name}, spelt
{"properties": {"ttl", "txtRecords", "isAutoRegistered", ...}}; its zones
are listed under "private" ({SUB: {RG: [zones]}}) in the configuration.

Control-file modes: "azure_429": N (the next N ARM requests, Retry-After
"retry_after"), "azure_race": N (before each of the next N guarded
writes someone else adds a value "race-K" to the set), "azure_bad_etag"
(record sets answer an ETag carrying a header), "azure_bad_token" (token
endpoints answer a token carrying a header), "azure_big" (record sets
answer more than 1 MiB).
"""
import base64
import json
import re
import secrets
import time
import urllib.parse
import uuid

import fake_dns_api as F

# Public zones and Azure Private DNS: their resource type, API versions
# and the spelling of a record set's properties.
KINDS = {
    "dnszones": {"type": "dnsZones", "ttl": "TTL", "txt": "TXTRecords",
                 "versions": ("2018-05-01", "2017-10-01", "2016-04-01")},
    "privatednszones": {"type": "privateDnsZones", "ttl": "ttl",
                        "txt": "txtRecords",
                        "versions": ("2024-06-01", "2020-06-01",
                                     "2018-09-01")},
}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOUDS = {  # login host -> Resource Manager host
    "login.microsoftonline.com": "management.azure.com",
    "login.chinacloudapi.cn": "management.chinacloudapi.cn",
    "login.microsoftonline.us": "management.usgovcloudapi.net",
    "login.microsoftonline.de": "management.microsoftazure.de",
}
AZ = {}       # the "azure" configuration
ZONES = {}    # (kind, sub, rg, zone) lower case -> {relname lower: set}
TOKENS = {}   # access token -> {"who", "scopes", "aud", "expires"}
RACES = [0]


def setup(conf):
    AZ.update(conf.get("azure", {}))
    for kind, conf_key in (("dnszones", "subscriptions"),
                           ("privatednszones", "private")):
        for sub, groups in AZ.get(conf_key, {}).items():
            for rg, zones in groups.items():
                for z in zones:
                    ZONES[(kind, sub.lower(), rg.lower(), z.lower())] = {}
    ops = []
    for zone, sets in AZ.get("preset", {}).items():
        key = [k for k in ZONES if k[0] == "dnszones" and
               k[3] == zone.lower()][0]
        for rel, values in sets.items():
            s = new_set(rel, [[v] for v in values])
            ZONES[key][rel.lower()] = s
            ops += [("add", fqdn(rel, zone), 60, txt(r))
                    for r in s["records"]]
    if ops:
        F.bind_update(ops)


def fqdn(rel, zone):
    return zone if rel == "@" else rel + "." + zone


def txt(strings):
    return " ".join(F.txt_data(s) for s in strings)


def new_set(rel, records, ttl=60, metadata=None):
    return {"name": rel, "ttl": ttl, "records": records,
            "metadata": metadata, "etag": str(uuid.uuid4())}


# ------------------------------------------------- identity platform

def aad_err(status, error, code, text):
    now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
    return status, json.dumps({
        "error": error,
        "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation "
        "ID: %s\r\nTimestamp: %s" % (code, text, trace, corr, now),
        "error_codes": [code], "timestamp": now, "trace_id": trace,
        "correlation_id": corr,
        "error_uri": "https://login.microsoftonline.com/error?code=%d" %
        code}), "application/json; charset=utf-8", []


def b64(doc):
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode() \
        .rstrip("=")


def issue(who, scopes, aud, oid):
    """A new access token for WHO, valid at Resource Manager host AUD."""
    tok = ".".join([b64({"typ": "JWT", "alg": "RS256"}),
                    b64({"aud": "https://%s/" % aud, "oid": oid,
                         "iat": int(time.time())}),
                    secrets.token_urlsafe(64)])
    with F.LOCK:
        TOKENS[tok] = {"who": who, "scopes": scopes, "aud": aud,
                       "expires": time.time() + 3600}
    if F.CONTROL.get("azure_bad_token"):  # a hostile answer
        tok += "\r\nX-Injected: 1"
    return tok


def tenant_of(name):
    for tid, t in AZ.get("tenants", {}).items():
        if name.lower() in (tid.lower(), t.get("domain", "").lower()):
            return tid
    return None


def proof(req, form, sp, cid):
    """An error answer unless the form proves the application: its client
    secret, or a federated token (Workload Identity) as its assertion."""
    if "client_assertion" in form:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            req.auth = "50027"
            return aad_err(400, "invalid_request", 50027, "Invalid JWT "
                           "token. The client_assertion_type is not "
                           "supported.")
        if not sp.get("assertion") or not secrets.compare_digest(
                form["client_assertion"].encode(), sp["assertion"].encode()):
            req.auth = "70021"
            return aad_err(400, "invalid_request", 70021, "No matching "
                           "federated identity record found for presented "
                           "assertion.")
        return None
    if "client_secret" not in form:
        req.auth = "7000218"
        return aad_err(401, "invalid_client", 7000218, "The request body "
                       "must contain the following parameter: "
                       "'client_assertion' or 'client_secret'.")
    if not sp.get("secret") or not secrets.compare_digest(
            form["client_secret"].encode(), sp["secret"].encode()):
        req.auth = "7000215"
        return aad_err(401, "invalid_client", 7000215, "Invalid client "
                       "secret provided. Ensure the secret being sent in "
                       "the request is the client secret value, not the "
                       "client secret ID, for a secret added to app "
                       "'%s'." % cid)
    return None


def login(req, host):
    m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", req.path)
    if not m or req.method != "POST":
        return 404, "", "text/html", []
    form = {k: v[0] for k, v in urllib.parse.parse_qs(
        req.body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    tenant = tenant_of(m.group(1))
    if (req.header("Content-Type") or "").split(";")[0].strip() != \
            "application/x-www-form-urlencoded" or \
            form.get("grant_type") != "client_credentials":
        req.auth = "900144"
        return aad_err(400, "invalid_request", 900144, "The request body "
                       "must contain the following parameter: "
                       "'grant_type'.")
    if tenant is None:
        req.auth = "90002"
        return aad_err(400, "invalid_request", 90002, "Tenant '%s' not "
                       "found. Check to make sure you have the correct "
                       "tenant ID and are signing into the correct cloud."
                       % m.group(1))
    cid = form.get("client_id", "")
    sp = AZ.get("principals", {}).get(cid)
    if sp is None or sp["tenant"] != tenant:
        req.auth = "700016"
        return aad_err(400, "unauthorized_client", 700016, "Application "
                       "with identifier '%s' was not found in the "
                       "directory '%s'. This can happen if the application "
                       "has not been installed by the administrator of the "
                       "tenant or consented to by any user in the tenant. "
                       "You may have sent your authentication request to "
                       "the wrong tenant." % (cid, m.group(1)))
    err = proof(req, form, sp, cid)
    if err:
        return err
    arm = CLOUDS[host]
    if form.get("scope") not in ("https://%s/.default" % arm,
                                 "https://%s//.default" % arm):
        req.auth = "1002012"
        return aad_err(400, "invalid_scope", 1002012, "The provided value "
                       "for scope %s is not valid. Client credential flows "
                       "must have a scope value with /.default suffixed to "
                       "the resource identifier (application ID URI)." %
                       form.get("scope"))
    req.auth = ("wi:" if "client_assertion" in form else "sp:") + \
        sp["label"]
    tok = issue(sp["label"], sp.get("scopes", []), arm, cid)
    return 200, json.dumps({"token_type": "Bearer", "expires_in": 3599,
                            "ext_expires_in": 3599, "access_token": tok}), \
        "application/json; charset=utf-8", []


# ------------------------------------------------------------- IMDS

def imds_err(error, text):
    return 400, json.dumps({"error": error, "error_description": text}), \
        "application/json; charset=utf-8", []


def imds(req):
    """The managed-identity token path of the instance metadata service."""
    if req.path != "/metadata/identity/oauth2/token" or req.method != "GET":
        return 404, "", "text/plain", []
    if req.header("X-Forwarded-For") is not None:
        req.auth = "forwarded"
        return imds_err("bad_request", "Request cannot contain "
                        "X-Forwarded-For header")
    if req.header("Metadata") != "true":
        req.auth = "no-metadata-header"
        return imds_err("bad_request_102", "Required metadata header not "
                        "specified")
    if req.params.get("api-version") != "2018-02-01":
        return imds_err("invalid_request", "Missing or invalid api-version")
    res = req.params.get("resource", "").rstrip("/")
    arms = ["https://" + a for a in CLOUDS.values()]
    if res not in arms:
        return imds_err("invalid_resource", "AADSTS500011: The resource "
                        "principal named %s was not found in the tenant" %
                        res)
    ids = AZ.get("identities", {})
    picks = [k for k in ("client_id", "object_id", "msi_res_id")
             if k in req.params]
    if len(picks) > 1:
        return imds_err("invalid_request", "Only one of client_id, "
                        "object_id or msi_res_id may be given")
    if not picks:
        ident = ids.get("system")
    elif picks[0] == "client_id":
        ident = ids.get(req.params["client_id"])
    else:
        want = req.params[picks[0]]
        ident = next((i for i in ids.values() if want in
                      (i.get("resource_id"), i.get("object_id"))), None)
    if ident is None:
        req.auth = "identity-not-found"
        return imds_err("invalid_request", "Identity not found")
    req.auth = "mi:" + ident["label"]
    now = int(time.time())
    tok = issue(ident["label"], ident.get("scopes", []),
                res[len("https://"):], ident["label"])
    return 200, json.dumps({
        "access_token": tok, "client_id": str(uuid.uuid4()),
        "expires_in": "86399", "expires_on": str(now + 86399),
        "ext_expires_in": "86399", "not_before": str(now),
        "resource": req.params["resource"], "token_type": "Bearer"}), \
        "application/json; charset=utf-8", []


# -------------------------------------------------- Resource Manager

def arm_err(status, code, message, headers=()):
    return status, json.dumps({"error": {"code": code,
                                         "message": message}}), \
        "application/json; charset=utf-8", list(headers)


def arm_auth(req, host):
    """The token's grant, or an error answer."""
    authz = req.header("Authorization")
    if authz is None:
        req.auth = "AuthenticationFailed"
        return None, arm_err(401, "AuthenticationFailed", "Authentication "
                             "failed. The 'Authorization' header is "
                             "missing.")
    m = re.fullmatch(r"Bearer ([A-Za-z0-9._~+/=-]+)", authz)
    if not m:
        req.auth = "AuthenticationFailed"
        return None, arm_err(401, "AuthenticationFailed", "Authentication "
                             "failed. The 'Authorization' header is "
                             "provided in an invalid format.")
    grant = TOKENS.get(m.group(1))
    if grant is None or grant["expires"] < time.time():
        req.auth = "InvalidAuthenticationToken"
        return None, arm_err(401, "InvalidAuthenticationToken", "The "
                             "access token is invalid.")
    if grant["aud"] != host:
        req.auth = "InvalidAuthenticationTokenAudience"
        return None, arm_err(401, "InvalidAuthenticationTokenAudience",
                             "The access token has been obtained for wrong "
                             "audience or resource 'https://%s/'. It should "
                             "exactly match with one of the allowed "
                             "audiences 'https://%s/'." % (grant["aud"],
                                                           host))
    req.auth = grant["who"]
    return grant, None


def set_doc(key, s):
    kind, sub, rg, zone = key
    k = KINDS[kind]
    rid = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/" \
        "%s/%s/TXT/%s" % (sub, rg, kind, zone, s["name"])
    props = {"metadata": s["metadata"], k["ttl"]: s["ttl"],
             "fqdn": fqdn(s["name"], zone) + ".",
             k["txt"]: [{"value": r} for r in s["records"]]}
    if kind == "dnszones":
        props.update({"provisioningState": "Succeeded",
                      "targetResource": {}})
    else:
        props["isAutoRegistered"] = False
    doc = {"id": rid, "name": s["name"],
           "type": "Microsoft.Network/%s/TXT" % kind, "etag": s["etag"],
           "properties": props}
    if F.CONTROL.get("azure_bad_etag"):  # a hostile answer
        doc["etag"] = s["etag"] + "\r\nX-Injected: 1"
    if F.CONTROL.get("azure_big"):
        doc["properties"]["metadata"] = {"pad": "x" * (2 << 20)}
    return doc


def zone_doc(key, sets):
    kind, sub, rg, zone = key
    return {"id": "/subscriptions/%s/resourceGroups/%s/providers/"
            "Microsoft.Network/%s/%s" % (sub, rg, kind, zone),
            "name": zone, "type": "Microsoft.Network/%s" % kind,
            "etag": "00000002-0000-0000-" + uuid.uuid4().hex[:4] + "-" +
            uuid.uuid4().hex[:12], "location": "global", "tags": {},
            "properties": {"maxNumberOfRecordSets": 10000,
                           "maxNumberOfRecordsPerRecordSet": None,
                           "numberOfRecordSets": len(sets) + 2,
                           "nameServers": ["ns1-01.azure-dns.com.",
                                           "ns2-01.azure-dns.net.",
                                           "ns3-01.azure-dns.org.",
                                           "ns4-01.azure-dns.info."],
                           "zoneType": "Public" if kind == "dnszones" else
                           "Private"}}


def parse_records(kind, body):
    """(ttl, records, metadata) of a PUT body, or None; the other kind's
    spelling of the properties is refused (the real service would ignore
    it and write an empty set)."""
    k = KINDS[kind]
    other = [v for n, v in KINDS.items() if n != kind][0]
    try:
        props = json.loads(body or b"{}").get("properties")
        ttl = props.get(k["ttl"], 3600)
        recs = [r["value"] for r in props.get(k["txt"], [])]
        if other["txt"] in props or other["ttl"] in props:
            return None
    except (ValueError, AttributeError, KeyError, TypeError):
        return None
    if not isinstance(ttl, int) or not 0 <= ttl <= 2147483647 or \
            any(not isinstance(v, list) or not v or
                any(not isinstance(s, str) or len(s) > 1024 for s in v)
                for v in recs):
        return None
    return ttl, recs, props.get("metadata")


def race(zone, s):
    """Someone else changes the set before a guarded write."""
    RACES[0] += 1
    v = "race-%d" % RACES[0]
    s["records"].append([v])
    s["etag"] = str(uuid.uuid4())
    F.bind_update([("add", fqdn(s["name"], zone), s["ttl"], txt([v]))])


def put_set(req, key, rel, sets):
    zone = key[3]
    parsed = parse_records(key[0], req.body)
    if parsed is None:
        return arm_err(400, "BadRequest", "The request body is not a valid "
                       "TXT record set.")
    s = sets.get(rel.lower())
    if s is not None and req.header("If-Match") is not None and \
            F.CONTROL.take("azure_race"):
        race(zone, s)
    if req.header("If-None-Match") == "*" and s is not None:
        return arm_err(412, "PreconditionFailed", "The Record set %s "
                       "exists already and hence cannot be created again."
                       % rel)
    match = req.header("If-Match")
    if match is not None and (s is None or match != s["etag"]):
        return arm_err(412, "PreconditionFailed", "The condition '%s' in "
                       "the If-Match header was not satisfied. The current "
                       "was '%s'." % (match, s["etag"] if s else "n/a"))
    ttl, recs, meta = parsed
    old = s["records"] if s else []
    new = new_set(s["name"] if s else rel, recs, ttl, meta)
    sets[rel.lower()] = new
    name = fqdn(new["name"], zone)
    F.bind_update([("del", name, 0, txt(r)) for r in old if r not in recs] +
                  [("add", name, ttl, txt(r)) for r in recs if r not in old])
    return 201 if s is None else 200, json.dumps(set_doc(key, new)), \
        "application/json; charset=utf-8", [("ETag", new["etag"])]


def delete_set(req, key, rel, sets):
    zone = key[3]
    s = sets.get(rel.lower())
    if s is None:
        return 204, "", "application/json", []
    if req.header("If-Match") is not None and F.CONTROL.take("azure_race"):
        race(zone, s)
    match = req.header("If-Match")
    if match is not None and match != s["etag"]:
        return arm_err(412, "PreconditionFailed", "The condition '%s' in "
                       "the If-Match header was not satisfied. The current "
                       "was '%s'." % (match, s["etag"]))
    del sets[rel.lower()]
    F.bind_update([("del", fqdn(s["name"], zone), 0, txt(r))
                   for r in s["records"]])
    return 200, "", "application/json", []


ACTIONS = {"GET": "read", "PUT": "write", "DELETE": "delete"}


def locate(req, grant, m):
    """The zone's key and record sets, or an error answer."""
    sub, rg, kind, zone, rel = m.groups()
    kind = kind.lower()
    action = "Microsoft.Network/%s/%s%s" % (
        KINDS[kind]["type"], "TXT/" if rel else "",
        ACTIONS.get(req.method, "read"))
    scope = req.path
    if not any(scope.lower().startswith(p.lower() + "/") for p in
               grant["scopes"]):
        return None, None, arm_err(
            403, "AuthorizationFailed", "The client '%s' with object id "
            "'%s' does not have authorization to perform action '%s' over "
            "scope '%s' or the scope is invalid. If access was recently "
            "granted, please refresh your credentials." %
            (grant["who"], grant["who"], action, scope))
    subs = {s.lower() for s in AZ.get("subscriptions", {})}
    if sub.lower() not in subs:
        return None, None, arm_err(404, "SubscriptionNotFound", "The "
                                   "subscription '%s' could not be found."
                                   % sub)
    if not any(k[1:3] == (sub.lower(), rg.lower()) for k in ZONES) and \
            rg not in AZ["subscriptions"].get(sub, {}):
        return None, None, arm_err(404, "ResourceGroupNotFound", "Resource "
                                   "group '%s' could not be found." % rg)
    key = (kind, sub.lower(), rg.lower(), zone.lower().rstrip("."))
    if key not in ZONES:
        if rel:
            return None, None, arm_err(
                404, "ParentResourceNotFound", "Can not perform requested "
                "operation on nested resource. Parent resource '%s' not "
                "found." % zone)
        return None, None, arm_err(
            404, "ResourceNotFound", "The Resource 'Microsoft.Network/"
            "%s/%s' under resource group '%s' was not found. For more "
            "details please go to https://aka.ms/ARMResourceNotFoundFix"
            % (kind, zone, rg))
    return key, ZONES[key], None


ARM_PATH = re.compile(r"/subscriptions/([^/]+)/resourceGroups/([^/]+)/"
                      r"providers/Microsoft\.Network/(dnsZones|"
                      r"privateDnsZones)/([^/]+)"
                      r"(?:/TXT/([^/]+))?", re.I)


def arm(req, host):
    grant, err = arm_auth(req, host)
    if err:
        return err
    if F.CONTROL.take("azure_429"):
        return arm_err(429, "TooManyRequests", "The request is being "
                       "throttled as the limit has been reached for "
                       "operation type - Read_ObservationWindow_00:05:00. "
                       "For more information, see - https://aka.ms/"
                       "srpthrottlinglimits",
                       [("Retry-After", str(F.CONTROL.get("retry_after",
                                                          1)))])
    if "api-version" not in req.params:
        return arm_err(400, "MissingApiVersionParameter", "The api-version "
                       "query parameter (?api-version=) is required for all "
                       "requests.")
    m = ARM_PATH.fullmatch(urllib.parse.unquote(req.path))
    if not m:
        return arm_err(404, "InvalidResourceType", "The resource type could "
                       "not be found in the namespace.")
    versions = KINDS[m.group(3).lower()]["versions"]
    if req.params["api-version"] not in versions:
        return arm_err(400, "InvalidApiVersionParameter", "The api-version "
                       "'%s' is invalid. The supported versions are '%s'." %
                       (req.params["api-version"], "','".join(versions)))
    req.path = urllib.parse.unquote(req.path)
    key, sets, err = locate(req, grant, m)
    if err:
        return err
    rel = m.group(5)
    with F.LOCK:
        if rel is None and req.method == "GET":
            return 200, json.dumps(zone_doc(key, sets)), \
                "application/json; charset=utf-8", []
        if rel is not None and req.method == "GET":
            s = sets.get(rel.lower())
            if s is None:
                return arm_err(404, "NotFound", "The resource record '%s' "
                               "does not exist in resource group '%s' of "
                               "subscription '%s'." % (rel, m.group(2),
                                                       m.group(1)))
            return 200, json.dumps(set_doc(key, s)), \
                "application/json; charset=utf-8", [("ETag", s["etag"])]
        if rel is not None and req.method == "PUT":
            return put_set(req, key, rel, sets)
        if rel is not None and req.method == "DELETE":
            return delete_set(req, key, rel, sets)
    return arm_err(405, "MethodNotAllowed", "The requested resource does "
                   "not support http method '%s'." % req.method)


def azure(req, host):
    if host in CLOUDS:
        return login(req, host)
    if host in CLOUDS.values():
        return arm(req, host)
    return 404, "unknown host\n", "text/plain", []
