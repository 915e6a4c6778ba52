#!/usr/bin/env python3
"""aws_seed: a TEST TOOL.  Put a TXT record set into the Route 53 fake the
way another client would (a signed ChangeResourceRecordSets), so a test
can show acmec keeps what is not its own.

usage: aws_seed.py CA ACCESS SECRET ZONE NAME VALUE [SETID]
Without SETID the set is a simple one (no multivalue answer).
"""
import base64
import hashlib
import http.client
import ssl
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import sigv4  # noqa: E402


def main(argv):
    ca, access, secret, zone, name, value = argv[1:7]
    setid = argv[7] if len(argv) > 7 else None
    zid = "Z" + base64.b32encode(hashlib.sha1(
        zone.encode()).digest()).decode()[:13]
    multi = "" if setid is None else (
        "<SetIdentifier>%s</SetIdentifier><MultiValueAnswer>true"
        "</MultiValueAnswer>" % setid)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ChangeResourceRecordSetsRequest xmlns="https://route53.'
            'amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change>'
            '<Action>CREATE</Action><ResourceRecordSet><Name>%s.</Name>'
            '<Type>TXT</Type>%s<TTL>60</TTL><ResourceRecords>'
            '<ResourceRecord><Value>"%s"</Value></ResourceRecord>'
            '</ResourceRecords></ResourceRecordSet></Change></Changes>'
            '</ChangeBatch></ChangeResourceRecordSetsRequest>' % (
                name, multi, value)).encode()
    path = "/2013-04-01/hostedzone/%s/rrset/" % zid
    host = "route53.amazonaws.com"
    headers = sigv4.sign(access, secret, "us-east-1", "route53", "POST",
                         "https://%s%s" % (host, path), body)
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", 443, context=ctx)
    conn.sock = ctx.wrap_socket(
        __import__("socket").create_connection(("127.0.0.1", 443)),
        server_hostname=host)
    conn.putrequest("POST", path, skip_host=True)
    conn.putheader("Host", host)
    for k, v in headers:
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    r = conn.getresponse()
    out = r.read().decode()
    if r.status != 200:
        sys.stderr.write("aws_seed: HTTP %d: %s\n" % (r.status, out))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
