"""fake_dns_aws: the AWS half of fake_dns_api.py (a TEST TOOL): Route 53
(REST-XML, API version 2013-04-01) and STS (query API, 2011-06-15), both
behind AWS Signature Version 4 (sigv4.py).

Shapes, URIs, defaults and error codes from botocore's service models
(data/route53/2013-04-01/service-2.json, data/sts/2011-06-15/
service-2.json) and the API references; error words as Route 53 and STS
send them (quoted in public bug reports: boto/boto#2887 for the
ErrorResponse body and "Tried to delete resource record set ... but it was
not found", libdns/route53#284 for "Invalid XML ; ...").

Route 53 keeps one RRset per name, type and SetIdentifier: a simple set
(no SetIdentifier) holds every value at its name, while multivalue answer
sets (MultiValueAnswer true, one SetIdentifier each, as cert-manager
writes one per challenge value) coexist at one name but never beside a
simple set.  A DELETE must name the set exactly (same TTL and values, in
any order) or fail, and a change batch is applied whole or not at all.
Only TXT values are written to BIND9, value by value (the union of the
sets at a name), so records BIND holds from elsewhere are never touched.  The extra control-file modes
"credential_lifetime": S makes STS and IMDS credentials expire after S
seconds.
"""
import base64
import hashlib
import secrets
import string
import threading
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import fake_dns_api as core
import sigv4

R53_NS = "https://route53.amazonaws.com/doc/2013-04-01/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
CONF = {}
ZONES = {}      # id -> {"name": "acmec.test.", "foreign", "sets"}
CHANGES = {}    # id -> {"submitted", "polls", "done": Event}
TEMP = {}       # temporary access key -> credential dict
UPPER = string.ascii_uppercase + string.digits


def rand(n, alphabet=UPPER):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def fqdn(name):
    name = (name or "").strip().lower().replace("\\052", "*")
    return name if name.endswith(".") else name + "."


def revkey(name):
    return list(reversed(fqdn(name).rstrip(".").split(".")))


def setup(conf):
    CONF.update(conf.get("aws", {}))
    for foreign, key in ((False, "zones"), (True, "foreign_zones")):
        for name in CONF.get(key, []):
            zid = "Z" + base64.b32encode(hashlib.sha1(
                name.encode()).digest()).decode()[:13]
            z = fqdn(name)
            ZONES[zid] = {"name": z, "foreign": foreign, "sets": {
                (z, "SOA", None): {"ttl": 900, "values": [
                    "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. "
                    "1 7200 900 1209600 86400"]},
                (z, "NS", None): {"ttl": 172800, "values": [
                    "ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk.",
                    "ns-3.awsdns-03.com.", "ns-4.awsdns-04.net."]}}}


# ------------------------------------------------------ credentials

def issue(role_arn, session, duration):
    """New temporary credentials for ROLE_ARN (STS and IMDS)."""
    life = core.CONTROL.get("credential_lifetime")
    secs = int(life) if life else duration
    cred = {"access": "ASIA" + rand(16),
            "secret": rand(40, string.ascii_letters + string.digits + "/+"),
            "token": base64.b64encode(secrets.token_bytes(180)).decode(),
            "expires": core.now() + core.datetime.timedelta(seconds=secs),
            "role": role_arn, "session": session}
    with core.LOCK:
        TEMP[cred["access"]] = cred
    return cred


def identity(access):
    """label, ARN and zone scope of a known access key."""
    acct = CONF.get("account", "123456789012")
    user = CONF.get("users", {}).get(access)
    if user is not None:
        return {"label": "user:" + user["name"], "zones": user.get(
            "zones", "*"), "arn": "arn:aws:iam::%s:user/%s" % (
            acct, user["name"]), "user": user["name"]}
    cred = TEMP[access]
    role = cred["role"].rsplit("/", 1)[-1]
    return {"label": "role:%s/%s" % (role, cred["session"]),
            "zones": CONF.get("roles", {}).get(cred["role"], {}).get(
                "zones", "*"),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (
                acct, role, cred["session"]), "user": None}


def aws_auth(req, region, service, ns):
    """The caller's identity, or an error answer."""
    def lookup(access):
        user = CONF.get("users", {}).get(access)
        if user is not None:
            return user["secret"]
        cred = TEMP.get(access)
        if cred is None:
            return None
        tok = req.header("X-Amz-Security-Token")
        if tok is None or not secrets.compare_digest(tok, cred["token"]):
            return None
        if cred["expires"] <= core.now():
            raise sigv4.Failure("ExpiredToken", "The security token "
                                "included in the request is expired")
        return cred["secret"]
    try:
        auth = sigv4.verify(req.method, req.path, req.query, req.headers,
                            req.body, lookup, region, service, core.now())
    except sigv4.Failure as f:
        req.auth = f.code
        return None, err(f.status, f.code, f.message, ns)
    ident = identity(auth["access"])
    req.auth = ident["label"]
    return ident, None


def err(status, code, message, ns):
    rid = str(uuid.uuid4())
    body = ('<?xml version="1.0"?>\n<ErrorResponse xmlns="%s"><Error>'
            '<Type>Sender</Type><Code>%s</Code><Message>%s</Message>'
            '</Error><RequestId>%s</RequestId></ErrorResponse>' %
            (ns, code, escape(message), rid))
    return status, body, "text/xml", [("x-amzn-RequestId", rid)]


def ok(root, inner, ns=R53_NS):
    rid = str(uuid.uuid4())
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="%s">%s</%s>' \
        % (root, ns, inner, root)
    return 200, body, "text/xml", [("x-amzn-RequestId", rid)]


def r53_err(status, code, message):
    return err(status, code, message, R53_NS)


# ------------------------------------------------------------ Route 53

def zone_xml(zid):
    z = ZONES[zid]
    return ("<HostedZone><Id>/hostedzone/%s</Id><Name>%s</Name>"
            "<CallerReference>acmec-test-%s</CallerReference><Config>"
            "<PrivateZone>false</PrivateZone></Config>"
            "<ResourceRecordSetCount>%d</ResourceRecordSetCount>"
            "</HostedZone>" % (zid, escape(z["name"]), zid,
                               len(z["sets"])))


def max_items(req, default):
    raw = req.params.get("maxitems", str(default))
    if not raw.isdigit() or int(raw) < 1:
        return None
    return min(int(raw), default)


def list_by_name(req):
    mx = max_items(req, 100)
    dns, zid0 = req.params.get("dnsname"), req.params.get("hostedzoneid")
    if mx is None or (zid0 is not None and dns is None):
        return r53_err(400, "InvalidInput", "Invalid input")
    zones = sorted((z for z in ZONES if not ZONES[z]["foreign"]),
                   key=lambda z: (revkey(ZONES[z]["name"]), z))
    start = 0
    if dns is not None:
        want = (revkey(dns), zid0 or "")
        while start < len(zones) and \
                (revkey(ZONES[zones[start]]["name"]), zones[start]) < want:
            start += 1
    page, rest = zones[start:start + mx], zones[start + mx:]
    inner = "<HostedZones>%s</HostedZones>" % "".join(map(zone_xml, page))
    if dns is not None:
        inner += "<DNSName>%s</DNSName>" % escape(fqdn(dns))
    if zid0 is not None:
        inner += "<HostedZoneId>%s</HostedZoneId>" % escape(zid0)
    inner += "<IsTruncated>%s</IsTruncated>" % ("true" if rest else "false")
    if rest:
        inner += "<NextDNSName>%s</NextDNSName><NextHostedZoneId>%s" \
            "</NextHostedZoneId>" % (escape(ZONES[rest[0]]["name"]), rest[0])
    inner += "<MaxItems>%d</MaxItems>" % mx
    if core.CONTROL.get("route53_bad_zone_id"):
        inner = inner.replace("<Id>/hostedzone/", "<Id>/hostedzone/../../",
                              1)
    return ok("ListHostedZonesByNameResponse", inner)


def list_zones(req):
    mx = max_items(req, 100)
    if mx is None:
        return r53_err(400, "InvalidInput", "Invalid input")
    zones = sorted(z for z in ZONES if not ZONES[z]["foreign"])
    marker = req.params.get("marker")
    start = 0
    if marker is not None:
        if marker not in zones:
            return r53_err(400, "InvalidInput", "Invalid marker")
        start = zones.index(marker)
    page, rest = zones[start:start + mx], zones[start + mx:]
    inner = "<HostedZones>%s</HostedZones><Marker>%s</Marker>" \
        "<IsTruncated>%s</IsTruncated>" % (
            "".join(map(zone_xml, page)), escape(marker or ""),
            "true" if rest else "false")
    if rest:
        inner += "<NextMarker>%s</NextMarker>" % rest[0]
    return ok("ListHostedZonesResponse", inner + "<MaxItems>%d</MaxItems>"
              % mx)


def zone_access(ident, zid, action):
    """None if IDENT may run ACTION on zone ZID, else an error answer."""
    z = ZONES.get(zid)
    if z is None:
        return r53_err(404, "NoSuchHostedZone",
                       "No hosted zone found with ID: " + zid)
    scope = ident["zones"]
    if z["foreign"] or (scope != "*" and z["name"].rstrip(".") not in
                        scope):
        return r53_err(403, "AccessDenied", "User: %s is not authorized "
                       "to perform: route53:%s on resource: "
                       "arn:aws:route53:::hostedzone/%s because no "
                       "identity-based policy allows the route53:%s action"
                       % (ident["arn"], action, zid, action))
    return None


def get_zone(zid):
    ns = ZONES[zid]["sets"][(ZONES[zid]["name"], "NS", None)]["values"]
    return ok("GetHostedZoneResponse", zone_xml(zid) +
              "<DelegationSet><NameServers>%s</NameServers></DelegationSet>"
              % "".join("<NameServer>%s</NameServer>" % n.rstrip(".")
                        for n in ns))


def set_xml(key, rrset):
    multi = "" if key[2] is None else (
        "<SetIdentifier>%s</SetIdentifier><MultiValueAnswer>true"
        "</MultiValueAnswer>" % escape(key[2]))
    return ("<ResourceRecordSet><Name>%s</Name><Type>%s</Type>%s<TTL>%d</TTL>"
            "<ResourceRecords>%s</ResourceRecords></ResourceRecordSet>" % (
                escape(key[0].replace("*", "\\052")), key[1], multi,
                rrset["ttl"],
                "".join("<ResourceRecord><Value>%s</Value></ResourceRecord>"
                        % escape(v) for v in rrset["values"])))


def list_rrsets(req, zid):
    mx = max_items(req, 300)
    name, rtype = req.params.get("name"), req.params.get("type")
    if mx is None or (rtype is not None and name is None):
        return r53_err(400, "InvalidInput", "Invalid input")
    with core.LOCK:
        sets = dict(ZONES[zid]["sets"])
    keys = sorted(sets, key=lambda k: (revkey(k[0]), k[1], k[2] or ""))
    start = 0
    if name is not None:
        want = (revkey(name), (rtype or "").upper())
        while start < len(keys) and \
                (revkey(keys[start][0]), keys[start][1]) < want:
            start += 1
    page, rest = keys[start:start + mx], keys[start + mx:]
    inner = "<ResourceRecordSets>%s</ResourceRecordSets>" % "".join(
        set_xml(k, sets[k]) for k in page)
    inner += "<IsTruncated>%s</IsTruncated>" % ("true" if rest else "false")
    if rest:
        inner += "<NextRecordName>%s</NextRecordName><NextRecordType>%s" \
            "</NextRecordType>" % (escape(rest[0][0]), rest[0][1])
    return ok("ListResourceRecordSetsResponse",
              inner + "<MaxItems>%d</MaxItems>" % mx)


def parse_changes(body):
    """[(action, name, type, ttl, [values])] or an error message string."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        return "Invalid XML ; %s" % e
    n = "{%s}" % R53_NS
    if root.tag != n + "ChangeResourceRecordSetsRequest":
        return "Invalid XML ; root element %s" % root.tag
    out = []
    for ch in root.iterfind("%sChangeBatch/%sChanges/%sChange" % (n, n, n)):
        action = ch.findtext(n + "Action")
        rs = ch.find(n + "ResourceRecordSet")
        if action not in ("CREATE", "DELETE", "UPSERT") or rs is None:
            return "Invalid XML ; a Change needs Action and " \
                "ResourceRecordSet"
        name, rtype = rs.findtext(n + "Name"), rs.findtext(n + "Type")
        ttl, setid = rs.findtext(n + "TTL"), rs.findtext(n + "SetIdentifier")
        multi = rs.findtext(n + "MultiValueAnswer")
        if (setid is None) != (multi is None) or multi not in (None, "true"):
            return ("Invalid request: MultiValueAnswer and SetIdentifier "
                    "go together in Change with [Action=%s, Name=%s, "
                    "Type=%s, SetIdentifier=%s]" % (action, name, rtype,
                                                    setid))
        values = [v.text or "" for v in rs.iterfind(
            "%sResourceRecords/%sResourceRecord/%sValue" % (n, n, n))]
        if ttl is None or not ttl.isdigit() or not values:
            return ("Invalid request: Expected exactly one of [AliasTarget, "
                    "all of [TTL, and ResourceRecords], or "
                    "TrafficPolicyInstanceId], but found none in Change "
                    "with [Action=%s, Name=%s, Type=%s, SetIdentifier=null]"
                    % (action, name, rtype))
        out.append((action, fqdn(name), (rtype or "").upper(), setid,
                    int(ttl), values))
    if not out:
        return "Invalid XML ; ChangeBatch has no Change"
    return out


def check_change(zone, sets, action, name, rtype, setid, ttl, values):
    """Apply one change to SETS (a working copy); its error or None."""
    what = "resource record set [name='%s', type='%s'%s]" % (
        name.replace("*", "\\052"), rtype, "" if setid is None else
        ", set-identifier='%s'" % setid)
    if name != zone and not name.endswith("." + zone):
        return "RRSet with DNS name %s is not permitted in zone %s" % (
            name, zone)
    if rtype == "TXT":
        for v in values:
            if not (len(v) >= 2 and v[0] == '"' and v[-1] == '"'):
                return ("Invalid Resource Record: 'FATAL problem: "
                        "InvalidCharacterString (Value should be enclosed "
                        "in quotation marks) encountered with '%s''" % v)
    if len(set(values)) != len(values):
        return "Duplicate Resource Record: '%s'" % next(
            v for v in values if values.count(v) > 1)
    cur = sets.get((name, rtype, setid))
    others = [k for k in sets if k[:2] == (name, rtype) and
              (k[2] is None) != (setid is None)]
    if action != "DELETE" and others and setid is not None:
        return ("RRSet with DNS name %s, type %s, SetIdentifier %s cannot be "
                "created as a non-multivalue set exists with the same name "
                "and type." % (name, rtype, setid))
    if action != "DELETE" and others:
        return ("RRSet with DNS name %s, type %s cannot be created as "
                "multivalue sets exist with the same name and type." %
                (name, rtype))
    if action == "CREATE" and cur is not None:
        return "Tried to create %s but it already exists" % what
    if action == "DELETE":
        if cur is None:
            return "Tried to delete %s but it was not found" % what
        if cur["ttl"] != ttl or sorted(cur["values"]) != sorted(values):
            return ("Tried to delete %s but the values provided do not "
                    "match the current values" % what)
        del sets[(name, rtype, setid)]
        return None
    sets[(name, rtype, setid)] = {"ttl": ttl, "values": list(values)}
    return None


def txt_by_name(sets):
    """{name: {value: ttl}} of the TXT sets, every SetIdentifier joined."""
    out = {}
    for key, rrset in sets.items():
        if key[1] == "TXT":
            for v in rrset["values"]:
                out.setdefault(key[0], {})[v] = rrset["ttl"]
    return out


def bind_ops(old, new):
    ops = []
    was_all, now_all = txt_by_name(old), txt_by_name(new)
    for name in set(was_all) | set(now_all):
        was, now = was_all.get(name, {}), now_all.get(name, {})
        ops += [("del", name, 0, v) for v in was if v not in now]
        ops += [("add", name, now[v], v) for v in now if v not in was]
    return ops


def change_rrsets(req, zid):
    if core.CONTROL.take("route53_prior_request"):
        return r53_err(400, "PriorRequestNotComplete", "The request was "
                       "rejected because Route 53 was still processing a "
                       "prior request.")
    changes = parse_changes(req.body)
    if isinstance(changes, str):
        return r53_err(400, "InvalidInput", changes)
    with core.LOCK:
        z = ZONES[zid]
        work = dict(z["sets"])
        msgs = [m for m in (check_change(z["name"], work, *c)
                            for c in changes) if m]
        if not msgs:
            old, z["sets"] = z["sets"], work
    if len(msgs) == 1:
        return r53_err(400, "InvalidChangeBatch", msgs[0])
    if msgs:
        rid = str(uuid.uuid4())
        return 400, ('<?xml version="1.0"?>\n<InvalidChangeBatch xmlns="%s">'
                     '<Messages>%s</Messages><RequestId>%s</RequestId>'
                     '</InvalidChangeBatch>' % (R53_NS, "".join(
                         "<Message>%s</Message>" % escape(m) for m in msgs),
                         rid)), "text/xml", [("x-amzn-RequestId", rid)]
    cid = "C" + rand(13)
    change = {"submitted": core.now(), "polls": 0,
              "done": threading.Event()}
    with core.LOCK:
        CHANGES[cid] = change
    core.bind_update(bind_ops(old, work), change["done"])
    return ok("ChangeResourceRecordSetsResponse", change_xml(cid, "PENDING"))


def change_xml(cid, status):
    return ("<ChangeInfo><Id>/change/%s</Id><Status>%s</Status>"
            "<SubmittedAt>%s</SubmittedAt></ChangeInfo>" % (
                cid, status, core.iso(CHANGES[cid]["submitted"], True)))


def get_change(cid):
    c = CHANGES.get(cid)
    if c is None:
        return r53_err(404, "NoSuchChange", "A change with the specified "
                       "change ID does not exist.")
    with core.LOCK:
        c["polls"] += 1
        polls = c["polls"]
    want = int(core.CONTROL.get("change_pending_polls", 1))
    status = "INSYNC" if polls > want and c["done"].is_set() else "PENDING"
    return ok("GetChangeResponse", change_xml(cid, status))


def route53(req, host):
    ident, error = aws_auth(req, "us-east-1", "route53", R53_NS)
    if error:
        return error
    if core.CONTROL.take("route53_throttle"):
        return r53_err(400, "Throttling", "Rate exceeded")
    p, m = req.path, req.method
    base = "/2013-04-01/"
    if p == base + "hostedzonesbyname" and m == "GET":
        return list_by_name(req)
    if p == base + "hostedzone" and m == "GET":
        return list_zones(req)
    if p.startswith(base + "change/") and m == "GET":
        return get_change(p[len(base + "change/"):])
    parts = p[len(base):].rstrip("/").split("/") if p.startswith(base) \
        else []
    if len(parts) in (2, 3) and parts[0] == "hostedzone":
        zid = parts[1]
        action = {(2, "GET"): "GetHostedZone",
                  (3, "GET"): "ListResourceRecordSets",
                  (3, "POST"): "ChangeResourceRecordSets"}.get(
            (len(parts), m))
        if action is None or (len(parts) == 3 and parts[2] != "rrset"):
            return r53_err(404, "UnknownOperationException",
                           "Unknown operation")
        denied = zone_access(ident, zid, action)
        if denied:
            return denied
        if action == "GetHostedZone":
            return get_zone(zid)
        if action == "ListResourceRecordSets":
            return list_rrsets(req, zid)
        return change_rrsets(req, zid)
    return r53_err(404, "UnknownOperationException", "Unknown operation")


# ----------------------------------------------------------------- STS

def sts_err(status, code, message):
    return err(status, code, message, STS_NS)


def assume_role(ident, q):
    for field in ("RoleArn", "RoleSessionName"):
        if not q.get(field):
            return sts_err(400, "ValidationError", "1 validation error "
                           "detected: Value null at '%s%s' failed to "
                           "satisfy constraint: Member must not be null"
                           % (field[0].lower(), field[1:]))
    arn, session = q["RoleArn"], q["RoleSessionName"]
    dur = q.get("DurationSeconds", "3600")
    if not dur.isdigit() or not 900 <= int(dur) <= 43200:
        return sts_err(400, "ValidationError", "1 validation error "
                       "detected: Value '%s' at 'durationSeconds' failed to "
                       "satisfy constraint: Member must have value greater "
                       "than or equal to 900" % dur)
    role = CONF.get("roles", {}).get(arn)
    if role is None or core.CONTROL.get("sts_deny") or \
            ident["user"] not in role.get("trust", []):
        return sts_err(403, "AccessDenied", "User: %s is not authorized to "
                       "perform: sts:AssumeRole on resource: %s" %
                       (ident["arn"], arn))
    if int(dur) > int(role.get("max_session", 3600)):
        return sts_err(400, "ValidationError", "The requested "
                       "DurationSeconds exceeds the MaxSessionDuration set "
                       "for this role.")
    cred = issue(arn, session, int(dur))
    name = arn.rsplit("/", 1)[-1]
    acct = CONF.get("account", "123456789012")
    inner = ("<AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROA%s:%s"
             "</AssumedRoleId><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>"
             "</AssumedRoleUser><Credentials><AccessKeyId>%s</AccessKeyId>"
             "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s"
             "</SessionToken><Expiration>%s</Expiration></Credentials>"
             "</AssumeRoleResult><ResponseMetadata><RequestId>%s</RequestId>"
             "</ResponseMetadata>" % (
                 hashlib.sha1(arn.encode()).hexdigest()[:17].upper(),
                 escape(session), acct, escape(name), escape(session),
                 cred["access"], escape(cred["secret"]), cred["token"],
                 core.iso(cred["expires"]), uuid.uuid4()))
    return ok("AssumeRoleResponse", inner, STS_NS)


def sts(req, host):
    parts = host.split(".")
    region = parts[1] if len(parts) == 4 else "us-east-1"
    ident, error = aws_auth(req, region, "sts", STS_NS)
    if error:
        return error
    q = dict(req.params)
    if req.method == "POST":
        q.update({k: v[0] for k, v in urllib.parse.parse_qs(
            req.body.decode("utf-8", "replace"),
            keep_blank_values=True).items()})
    action = q.get("Action")
    if q.get("Version") != "2011-06-15":
        return sts_err(400, "InvalidAction", "Could not find operation %s "
                       "for version %s" % (action, q.get("Version")))
    if action == "AssumeRole":
        return assume_role(ident, q)
    if action == "GetCallerIdentity":
        return ok("GetCallerIdentityResponse", (
            "<GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId>"
            "<Account>%s</Account></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
            % (escape(ident["arn"]), escape(ident["label"]),
               CONF.get("account", "123456789012"), uuid.uuid4())), STS_NS)
    return sts_err(400, "InvalidAction", "Could not find operation %s for "
                   "version 2011-06-15" % action)


if __name__ == "__main__":
    raise SystemExit("run fake_dns_api.py")
