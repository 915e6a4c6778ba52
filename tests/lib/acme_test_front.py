#!/usr/bin/env python3
"""acme_test_front: a TEST TOOL, not part of acmec.

A small HTTPS front that sits before Pebble on loopback and adds what
Pebble 2.4.0 lacks, so the suite can test acmec against it:

  * "renewalInfo" (RFC 9773 ARI) and "meta.profiles" in the directory;
  * answers to ARI requests, GET /renewal-info/<certID>, with the window
    and Retry-After written in a control file the test chooses;
  * a log of every request, with the "replaces" and "profile" members of
    each newOrder, for the test to check.

  * faults, injected by rules in the control file (see FAULTS below), for
    the reliability tests.

Everything else is passed to Pebble unchanged; the Host header goes along,
so Pebble's URLs (and the JWS "url" it checks) name the front.

usage: acme_test_front.py LISTEN_PORT PEBBLE_URL CERT KEY CA CONTROL LOG
CONTROL is a JSON file, read at every request:
  {"profiles": {"name": "description"},
   "windows": {"<certID>" or "*": {"start": RFC3339, "end": RFC3339}},
   "retryAfter": seconds,
   "parallel": "reset" | "503",
   "paths": {"/directory": "/dir"},
   "faults": [RULE, ...]}

PATHS: a GET of a path named there asks Pebble for the path it maps to,
so that the front can stand in for a CA whose directory URL is not
Pebble's /dir (a staging server's, with /etc/hosts pointing its name at
the front).

PARALLEL: with "parallel" set the front imitates a CA that will not serve
two requests at once: each request is held 0.2 s, and one that arrives
while another is held is refused, by closing its connection unanswered
("reset") or with 503 serverInternal ("503"), and logged "PARALLEL".

FAULTS: a RULE is {"match": substring of the path, "method": "GET"|"POST"
(optional), "times": how many requests it applies to (default: all),
"action": ...} with action one of
  status      answer "code" with a problem of type "problem" (and a
              "retryAfter" header if given) instead of asking Pebble
  header      pass through, then set header "name" to "value" (or remove
              it when "value" is null)
  reset       send half a response, then drop the connection
  stall       accept and send nothing for "seconds" (default 600)
  huge        answer 200 with "mib" MiB (default 100) of JSON-ish bytes
  body        pass through, then replace the body with "body"
              (and the Content-Type with "ctype" if given)
  redirect    answer 302 to "location"
  append      pass through, then append "text" to the body
  replace     pass through, then replace "old" with "new" in the body
The front counts each rule's uses in the log as "FAULT <action> <path>".

STEP-CA MODES: two more actions imitate step-ca, which bends RFC 8555
(DESIGN.md section 5).  Give them "match": "/chalZ/" (the challenge URLs,
POSTed to start a validation).  The POST is not passed to Pebble, so Pebble
never validates and the authorization and the order stay pending, as step-ca
leaves them; the answer is the challenge (as the front last saw it in an
authorization) with "status" and "error" rewritten, the error being a problem
of type "problem" (default "connection") with "detail".  From then on every
authorization answer shows that challenge with the same status and error,
until a POST to it is passed on to Pebble (when the rule's "times" are used
up).
  challenge-invalid        "status": "invalid": step-ca validating inside
                           the challenge POST and failing, while the
                           authorization and the order stay pending forever.
  challenge-pending-error  "status": "pending" (or "processing" if the rule
                           says "status": "processing"): step-ca after a
                           connection failure, expecting the client to POST
                           the challenge again.  With "times": N the first N
                           POSTs are answered so; the next one reaches Pebble.
"""
import base64
import http.client
import http.server
import json
import ssl
import sys
import threading
import time
import urllib.parse

PORT, PEBBLE, CERT, KEY, CA, CONTROL, LOG = sys.argv[1:8]
PEBBLE_HOST = urllib.parse.urlsplit(PEBBLE).netloc
LOCK = threading.Lock()


def log(line):
    with LOCK, open(LOG, "a") as f:
        f.write(line + "\n")


def control():
    try:
        with open(CONTROL) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


USES = {}
# step-ca modes: the challenges the front has seen in authorizations (by
# URL path), and the ones it answered for, with the status and error shown.
CHALLENGES = {}
QUIRKED = {}


def fault(method, path):
    """The first rule of the control file that applies, or None."""
    for i, rule in enumerate(control().get("faults", [])):
        if rule.get("match", "") not in path:
            continue
        if rule.get("method") and rule["method"] != method:
            continue
        # Counted per rule as written: a new control file starts afresh.
        key = (i, json.dumps(rule, sort_keys=True))
        with LOCK:
            n = USES.get(key, 0)
            if "times" in rule and n >= rule["times"]:
                continue
            USES[key] = n + 1
        log("FAULT %s %s" % (rule["action"], path))
        return rule
    return None


INFLIGHT = [0]


def one_at_a_time(handler):
    """Refuse a request while another is in progress (see PARALLEL)."""
    def run(self):
        mode = control().get("parallel")
        if not mode:
            return handler(self)
        with LOCK:
            INFLIGHT[0] += 1
            busy = INFLIGHT[0] > 1
        try:
            if busy:
                log("PARALLEL %s %s" % (self.command, self.path))
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.close_connection = True
                if mode == "503":
                    self.reply(503, json.dumps({
                        "type": "urn:ietf:params:acme:error:serverInternal",
                        "detail": "one request at a time"}),
                        "application/problem+json")
                return None
            time.sleep(0.2)
            return handler(self)
        finally:
            with LOCK:
                INFLIGHT[0] -= 1
    return run


class Front(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body=None):
        ctx = ssl.create_default_context(cafile=CA)
        conn = http.client.HTTPSConnection(PEBBLE_HOST, context=ctx,
                                           timeout=30)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "keep-alive",
                                        "accept-encoding")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        hdrs = [(k, v) for k, v in resp.getheaders()
                if k.lower() not in ("content-length", "connection",
                                     "transfer-encoding", "content-type")]
        ctype = resp.getheader("Content-Type", "application/octet-stream")
        conn.close()
        return resp.status, data, ctype, hdrs

    def injected(self, rule):
        """Answer instead of Pebble for rules that do; True if done."""
        a = rule["action"]
        if a == "status":
            hdrs = []
            if "retryAfter" in rule:
                hdrs.append(("Retry-After", str(rule["retryAfter"])))
            self.reply(rule.get("code", 500), json.dumps({
                "type": "urn:ietf:params:acme:error:" +
                rule.get("problem", "serverInternal"),
                "detail": rule.get("detail", "injected by the test front"),
                "status": rule.get("code", 500)}),
                "application/problem+json", hdrs)
            return True
        if a == "reset":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n"
                             b"Content-Type: application/json\r\n\r\n{\"a")
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        if a == "stall":
            import time
            time.sleep(rule.get("seconds", 600))
            self.close_connection = True
            return True
        if a == "huge":
            chunk = b"x" * (1 << 20)
            mib = rule.get("mib", 100)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(mib << 20))
            self.end_headers()
            try:
                for _ in range(mib):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return True
        if a == "redirect":
            self.reply(302, "", "text/plain",
                       [("Location", rule["location"])])
            return True
        return False

    def stepca(self, rule):
        """Answer a challenge POST as step-ca does (see STEP-CA MODES)."""
        path = urllib.parse.urlsplit(self.path).path
        if rule["action"] == "challenge-invalid":
            st = "invalid"
        else:
            st = rule.get("status", "pending")
        err = {"type": "urn:ietf:params:acme:error:" +
               rule.get("problem", "connection"),
               "detail": rule.get("detail", "injected by the test front"),
               "status": 400}
        with LOCK:
            QUIRKED[path] = (st, err)
            ch = dict(CHALLENGES.get(path, {}))
        ch.setdefault("type", "http-01")
        ch["url"] = "https://%s%s" % (self.headers.get("Host"), path)
        ch["status"] = st
        ch["error"] = err
        self.reply(200, json.dumps(ch), headers=[
            ("Link", '<https://%s/authZ/>;rel="up"' %
             self.headers.get("Host"))])

    def authz_seen(self, data):
        """Remember an authorization's challenges; show the quirked ones."""
        try:
            d = json.loads(data)
        except ValueError:
            return data
        if not isinstance(d, dict) or not isinstance(d.get("challenges"),
                                                     list):
            return data
        changed = False
        with LOCK:
            for ch in d["challenges"]:
                if not isinstance(ch, dict) or "url" not in ch:
                    continue
                path = urllib.parse.urlsplit(ch["url"]).path
                CHALLENGES[path] = dict(ch)
                if path in QUIRKED:
                    ch["status"], ch["error"] = QUIRKED[path]
                    changed = True
        return json.dumps(d).encode() if changed else data

    def rewrite(self, rule, status, data, ctype, hdrs):
        a = rule["action"] if rule else None
        if a == "header":
            hdrs = [(k, v) for k, v in hdrs if k.lower() != rule["name"].lower()]
            if rule.get("value") is not None:
                hdrs.append((rule["name"], str(rule["value"])))
        elif a == "body":
            data = rule["body"].encode()
            ctype = rule.get("ctype", ctype)
        elif a == "append":
            data = data + rule["text"].encode()
        elif a == "replace":
            data = data.replace(rule["old"].encode(), rule["new"].encode())
        return status, data, ctype, hdrs

    @one_at_a_time
    def do_HEAD(self):
        log("HEAD " + self.path)
        rule = fault("HEAD", self.path)
        if rule and rule["action"] == "status":
            self.send_response(rule.get("code", 500))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, _, ctype, hdrs = self.forward()
        status, _, ctype, hdrs = self.rewrite(rule, status, b"", ctype, hdrs)
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    @one_at_a_time
    def do_GET(self):
        log("GET " + self.path)
        host = self.headers.get("Host")
        if self.path.startswith("/renewal-info/"):
            cert_id = self.path[len("/renewal-info/"):]
            c = control()
            win = c.get("windows", {}).get(cert_id) or \
                c.get("windows", {}).get("*")
            log("ARI " + cert_id)
            if win is None:
                self.reply(404, json.dumps({
                    "type": "urn:ietf:params:acme:error:malformed",
                    "detail": "no renewal information for " + cert_id}),
                    "application/problem+json")
                return
            hdrs = []
            if "retryAfter" in c:
                hdrs.append(("Retry-After", str(c["retryAfter"])))
            self.reply(200, json.dumps({"suggestedWindow": win}),
                       headers=hdrs)
            return
        rule = fault("GET", self.path)
        if rule and self.injected(rule):
            return
        self.path = control().get("paths", {}).get(self.path, self.path)
        status, data, ctype, hdrs = self.forward()
        if self.path == "/dir" and status == 200:
            d = json.loads(data)
            d["renewalInfo"] = "https://%s/renewal-info" % host
            profiles = control().get("profiles")
            if profiles:
                d.setdefault("meta", {})["profiles"] = profiles
            data = json.dumps(d).encode()
        self.reply(*self.rewrite(rule, status, data, ctype, hdrs))

    @one_at_a_time
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        line = "POST " + self.path
        if self.path.startswith("/order-plz"):
            try:
                payload = json.loads(b64d(json.loads(body)["payload"]))
                line += " replaces=%s profile=%s" % (
                    payload.get("replaces", "-"), payload.get("profile", "-"))
            except (ValueError, KeyError):
                line += " (unreadable)"
        log(line)
        rule = fault("POST", self.path)
        if rule and self.injected(rule):
            return
        if rule and rule["action"] in ("challenge-invalid",
                                       "challenge-pending-error"):
            self.stepca(rule)
            return
        with LOCK:
            QUIRKED.pop(urllib.parse.urlsplit(self.path).path, None)
        status, data, ctype, hdrs = self.forward(body)
        if status == 200 and ctype.startswith("application/json"):
            data = self.authz_seen(data)
        self.reply(*self.rewrite(rule, status, data, ctype, hdrs))


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Front)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    ctx.set_alpn_protocols(["http/1.1"])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    log("READY")
    srv.serve_forever()


if __name__ == "__main__":
    main()
