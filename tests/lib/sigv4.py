#!/usr/bin/env python3
"""sigv4: AWS Signature Version 4 for the fake DNS APIs (a TEST TOOL).

Written from AWS's description of the algorithm ("Create a signed AWS API
request": canonical request, string to sign, signing key, signature), not
from any SDK's code.  The fake (fake_dns_api.py) verifies every Route 53
and STS request with verify(); the e2e test signs its curl requests with
`sigv4.py sign`.

  sigv4.py --selftest
      checks canonical_request(), string_to_sign(), the signature and
      verify() against AWS's published SigV4 test suite, kept in
      tests/data/aws4_testsuite (see its README for where it comes from).
  sigv4.py sign ACCESS SECRET REGION SERVICE METHOD URL [BODYFILE]
      prints the headers to send (X-Amz-Date, X-Amz-Security-Token when
      $AWS_SESSION_TOKEN is set, Authorization), one per line, for
      `curl -H @FILE`.  The Host header signed is the URL's netloc; the
      time is now, or $SIGV4_TIME (YYYYMMDDTHHMMSSZ).

Non-S3 rules, as the test suite shows them: the path is normalized (dot
segments removed, repeated slashes collapsed) and URI-encoded as it stands
(so a path already percent-encoded on the wire is encoded twice, as the
SDKs do for every service but S3); query parameters are decoded, encoded
again and sorted; header values are trimmed with inner runs of blanks
folded to one space, and repeated headers joined with ",".
"""
import datetime
import hashlib
import hmac
import os
import sys
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       b"0123456789-_.~")


def uri_encode(text, keep_slash=False):
    out = []
    for b in text.encode("utf-8"):
        if b in UNRESERVED or (keep_slash and b == 0x2F):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def canonical_uri(path):
    stack = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if stack:
                stack.pop()
            continue
        stack.append(seg)
    trailing = path.endswith(("/", "/.", "/.."))
    norm = "/" + "/".join(stack) + ("/" if trailing and stack else "")
    return uri_encode(norm, keep_slash=True)


def canonical_query(query):
    pairs = []
    for part in query.split("&") if query else []:
        if part == "":
            continue
        k, _, v = part.partition("=")
        pairs.append((uri_encode(urllib.parse.unquote(k)),
                      uri_encode(urllib.parse.unquote(v))))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def fold(value):
    return " ".join(value.split())


def canonical_request(method, path, query, headers, signed, body):
    """headers: a list of (name, value) as received, in order."""
    lines = []
    for name in signed:
        vals = [fold(v) for n, v in headers if n.lower() == name]
        lines.append("%s:%s\n" % (name, ",".join(vals)))
    return "\n".join([method, canonical_uri(path), canonical_query(query),
                      "".join(lines), ";".join(signed),
                      hashlib.sha256(body).hexdigest()])


def string_to_sign(amzdate, scope, creq):
    return "\n".join([ALGORITHM, amzdate, scope,
                      hashlib.sha256(creq.encode("utf-8")).hexdigest()])


def signature(secret, date, region, service, sts):
    k = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(k, sts.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_authorization(value):
    """The parts of an Authorization header, or None if it is not SigV4."""
    if not value or not value.startswith(ALGORITHM + " "):
        return None
    parts = {}
    for item in value[len(ALGORITHM) + 1:].split(","):
        k, _, v = item.strip().partition("=")
        parts[k] = v
    cred = parts.get("Credential", "").split("/")
    if len(cred) != 5 or cred[4] != "aws4_request" or \
            "SignedHeaders" not in parts or "Signature" not in parts:
        return None
    return {"access": cred[0], "date": cred[1], "region": cred[2],
            "service": cred[3], "signed": parts["SignedHeaders"].split(";"),
            "signature": parts["Signature"]}


class Failure(Exception):
    """code, message: the AWS error to answer (HTTP 403 unless status)."""

    def __init__(self, code, message, status=403):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def verify(method, path, query, headers, body, lookup, region, service,
           now=None):
    """Check a request's SigV4 Authorization header.  lookup(access) gives
    the secret of a known access key or None.  Returns the parsed
    Authorization; raises Failure with AWS's code and words otherwise.
    now=None skips the clock check (the test suite is from 2015)."""
    hv = [v.strip() for n, v in headers if n.lower() == "authorization"]
    if not hv:
        raise Failure("MissingAuthenticationToken",
                      "Missing Authentication Token")
    auth = parse_authorization(hv[0])
    if auth is None:
        raise Failure("IncompleteSignature",
                      "Authorization header requires 'Credential', "
                      "'Signature' and 'SignedHeaders' parameters. "
                      "Authorization=" + hv[0].split(" ")[0], 400)
    amz = [v.strip() for n, v in headers if n.lower() == "x-amz-date"]
    if not amz:
        raise Failure("IncompleteSignature",
                      "Authorization header requires existence of either "
                      "a 'X-Amz-Date' or a 'Date' header.", 400)
    secret = lookup(auth["access"])
    if secret is None:
        raise Failure("InvalidClientTokenId",
                      "The security token included in the request is "
                      "invalid.")
    if auth["service"] != service:
        raise Failure("SignatureDoesNotMatch",
                      "Credential should be scoped to correct service: "
                      "'%s'. " % service)
    if auth["region"] != region:
        raise Failure("SignatureDoesNotMatch",
                      "Credential should be scoped to a valid region. ")
    if "host" not in auth["signed"] or auth["date"] != amz[0][:8]:
        raise Failure("SignatureDoesNotMatch",
                      "The request signature we calculated does not match "
                      "the signature you provided.")
    if now is not None:
        try:
            t = datetime.datetime.strptime(amz[0], "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise Failure("IncompleteSignature", "Date must be in ISO-8601 "
                          "'basic format'. Got '%s'." % amz[0], 400)
        t = t.replace(tzinfo=datetime.timezone.utc)
        if abs((now - t).total_seconds()) > 300:
            raise Failure("SignatureDoesNotMatch",
                          "Signature expired: %s is now earlier than %s "
                          "(%s - 5 min.)" % (amz[0],
                                             now.strftime("%Y%m%dT%H%M%SZ"),
                                             now.strftime("%Y%m%dT%H%M%SZ")))
    creq = canonical_request(method, path, query, headers, auth["signed"],
                             body)
    scope = "/".join([auth["date"], region, service, "aws4_request"])
    sts = string_to_sign(amz[0], scope, creq)
    want = signature(secret, auth["date"], region, service, sts)
    if not hmac.compare_digest(want, auth["signature"]):
        # Route 53 and STS add what they computed, which is what a
        # signer's author needs (quoted in chef-boneyard/route53#98).
        raise Failure("SignatureDoesNotMatch",
                      "The request signature we calculated does not match "
                      "the signature you provided. Check your AWS Secret "
                      "Access Key and signing method. Consult the service "
                      "documentation for details.\n\nThe Canonical String "
                      "for this request should have been\n'%s'\n\nThe "
                      "String-to-Sign should have been\n'%s'\n" % (creq, sts))
    return auth


def sign(access, secret, region, service, method, url, body, token=None,
         now=None):
    """The headers (a list of (name, value)) that sign the request."""
    u = urllib.parse.urlsplit(url)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amzdate = now.strftime("%Y%m%dT%H%M%SZ")
    headers = [("Host", u.netloc), ("X-Amz-Date", amzdate)]
    if token:
        headers.append(("X-Amz-Security-Token", token))
    signed = sorted(n.lower() for n, _ in headers)
    creq = canonical_request(method, u.path or "/", u.query, headers, signed,
                             body)
    scope = "/".join([amzdate[:8], region, service, "aws4_request"])
    sig = signature(secret, amzdate[:8], region, service,
                    string_to_sign(amzdate, scope, creq))
    headers.append(("Authorization", "%s Credential=%s/%s, SignedHeaders=%s, "
                    "Signature=%s" % (ALGORITHM, access, scope,
                                      ";".join(signed), sig)))
    return headers[1:]


def parse_sreq(data):
    """A test-suite .sreq file: method, path, query, headers, body."""
    text = data.decode("utf-8")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            n, v = headers[-1]
            headers[-1] = (n, v + " " + line.strip())
            continue
        n, _, v = line.partition(":")
        headers.append((n, v))
    return method, path, query, headers, body.encode("utf-8")


def selftest(top):
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    failed = ran = 0
    for dirpath, _, files in sorted(os.walk(top)):
        for f in sorted(files):
            if not f.endswith(".sreq"):
                continue
            name = f[:-5]
            base = os.path.join(dirpath, name)

            def read(ext, base=base):
                with open(base + ext, "rb") as fh:
                    return fh.read().decode("utf-8")
            method, path, query, headers, body = parse_sreq(
                open(base + ".sreq", "rb").read())
            auth = parse_authorization(read(".authz"))
            # Verify the request as signed by the .authz file: in one case
            # (get-vanilla-with-session-token) the published .sreq carries
            # a different Signature than its .authz, which the .creq and
            # .sts files confirm.
            headers = [(n, v) for n, v in headers
                       if n.lower() != "authorization"]
            headers.append(("Authorization", read(".authz")))
            creq = canonical_request(method, path, query, headers,
                                     auth["signed"], body)
            sts = string_to_sign("20150830T123600Z",
                                 "20150830/us-east-1/service/aws4_request",
                                 creq)
            sig = signature(secret, "20150830", "us-east-1", "service", sts)
            checks = [("creq", creq == read(".creq")),
                      ("sts", sts == read(".sts")),
                      ("signature", sig == auth["signature"])]
            try:
                verify(method, path, query, headers, body,
                       lambda a: secret if a == "AKIDEXAMPLE" else None,
                       "us-east-1", "service")
                checks.append(("verify", True))
            except Failure as e:
                checks.append(("verify", False))
                print("  verify: %s %s" % (e.code, e.message))
            # One flipped hex digit of the signature must be refused.
            bad = [(n, v.replace("Signature=" + sig[:1], "Signature=" +
                                 ("0" if sig[0] != "0" else "1")))
                   if n.lower() == "authorization" else (n, v)
                   for n, v in headers]
            try:
                verify(method, path, query, bad, body, lambda a: secret,
                       "us-east-1", "service")
                checks.append(("tampered-refused", False))
            except Failure as e:
                checks.append(("tampered-refused",
                               e.code == "SignatureDoesNotMatch"))
            for what, ok in checks:
                ran += 1
                failed += not ok
                print("%s sigv4/%s/%s" % ("PASS" if ok else "FAIL", name,
                                           what))
    if ran == 0:
        print("FAIL sigv4/vectors: none found under " + top)
        return 1
    return 1 if failed else 0


def main(argv):
    if argv[1:2] == ["--selftest"]:
        top = argv[2] if len(argv) > 2 else os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "data",
            "aws4_testsuite")
        return selftest(top)
    if argv[1:2] == ["sign"] and len(argv) in (8, 9):
        access, secret, region, service, method, url = argv[2:8]
        body = open(argv[8], "rb").read() if len(argv) == 9 else b""
        at = os.environ.get("SIGV4_TIME")  # e.g. 20150830T123600Z
        if at:
            at = datetime.datetime.strptime(at, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
        for n, v in sign(access, secret, region, service, method, url, body,
                         os.environ.get("AWS_SESSION_TOKEN"), at):
            print("%s: %s" % (n, v))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
