#!/usr/bin/env python3
"""A TEST TOOL: a spoofing DNS proxy for acmec's end-to-end tests.

It stands on LISTEN_ADDR:53 (UDP and TCP) in front of the real BIND9 on
127.0.0.1:UPSTREAM_PORT and relays every query and answer.  Before it relays
the real answer to a CNAME or TXT query or to an UPDATE, it sends a forged
one, as an attacker racing the real server would, in the way named by the
first word of the control file:

  off       no forgery, a plain proxy
  id        the forged answer carries the query's ID plus one
  question  the right ID, but a question for another name
  source    the right ID and question, sent from SPOOF_ADDR:53 (another
            loopback address than the one asked)
  only-id   as id, and the real answer is never relayed (the forger
            instead of the server)

Forged contents: a CNAME to _acme-challenge.hijacked.other.test (for
any _acme-challenge name but that one), TXT
answers holding every value listed in VALUES_FILE (one a line: "the record
is already there"), NOERROR for an UPDATE when the control file's second
word is "noerror", else NOTAUTH.  Each forgery is logged to LOG_FILE as
"forged MODE TYPE NAME".  Over TCP nothing is forged.

usage: dns_spoofer.py LISTEN_ADDR UPSTREAM_PORT SPOOF_ADDR CONTROL_FILE
       VALUES_FILE LOG_FILE
Python standard library only.
"""

import socket
import struct
import sys
import threading

T_CNAME, T_TXT, OP_UPDATE = 5, 16, 5
HIJACK = "_acme-challenge.hijacked.other.test"


def read_words(path):
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        words = []
    return (words + ["off", ""])[:2]


def read_values(path):
    try:
        with open(path) as f:
            return [v for v in f.read().split() if v]
    except OSError:
        return []


def parse_question(msg):
    """(id, flags, qname wire bytes, qname text, qtype, qclass) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    i, labels = 12, []
    while i < len(msg) and msg[i] != 0:
        n = msg[i]
        if n & 0xC0:
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("latin-1"))
        i += 1 + n
    if i + 5 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[i + 1:i + 5])
    return qid, flags, msg[12:i + 1], ".".join(labels), qtype, qclass


def wire_name(text):
    out = b""
    for label in text.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def forge(q, mode, update_rcode, values):
    """The forged answer to query q (parsed), or None if not forged."""
    qid, flags, qname, text, qtype, qclass = q
    opcode = (flags >> 11) & 0xF
    if mode in ("id", "only-id"):
        qid = (qid + 1) & 0xFFFF
    owner = qname
    if mode == "question":
        qname = wire_name("forged." + text)
    rd = flags & 0x0100
    question = qname + struct.pack("!HH", qtype, qclass)
    if opcode == OP_UPDATE:
        hdr = struct.pack("!HHHHHH", qid, 0x8000 | (OP_UPDATE << 11) |
                          update_rcode, 1, 0, 0, 0)
        return hdr + question, "UPDATE"
    answers = []
    if (qtype == T_CNAME and text.startswith("_acme-challenge.") and
            text.lower() != HIJACK):
        rdata = wire_name(HIJACK)
        answers.append(owner + struct.pack("!HHIH", T_CNAME, 1, 60,
                                           len(rdata)) + rdata)
        kind = "CNAME"
    elif qtype == T_TXT and values:
        for v in values:
            rdata = bytes([len(v)]) + v.encode()
            answers.append(owner + struct.pack("!HHIH", T_TXT, 1, 60,
                                               len(rdata)) + rdata)
        kind = "TXT"
    else:
        return None, None
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | rd | 0x80, 1, len(answers),
                      0, 0)
    return hdr + question + b"".join(answers), kind


def ask_upstream(port, msg):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(3)
        s.connect(("127.0.0.1", port))
        s.send(msg)
        return s.recv(65535)
    except OSError:
        return None
    finally:
        s.close()


def serve_udp(sock, spoof, port, control, values_file, log):
    while True:
        msg, peer = sock.recvfrom(65535)
        mode, second = read_words(control)
        q = parse_question(msg)
        forged = None
        if q is not None and mode != "off":
            forged, kind = forge(q, mode, 0 if second == "noerror" else 9,
                                 read_values(values_file))
        if forged is not None:
            (spoof if mode == "source" else sock).sendto(forged, peer)
            with open(log, "a") as f:
                f.write("forged %s %s %s\n" % (mode, kind, q[3]))
            if mode.startswith("only-"):
                continue
        answer = ask_upstream(port, msg)
        if answer is not None:
            sock.sendto(answer, peer)


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def relay_tcp(conn, port):
    up = None
    try:
        up = socket.create_connection(("127.0.0.1", port), timeout=5)
        while True:
            hdr = read_exact(conn, 2)
            if hdr is None:
                return
            msg = read_exact(conn, struct.unpack("!H", hdr)[0])
            if msg is None:
                return
            up.sendall(hdr + msg)
            rhdr = read_exact(up, 2)
            if rhdr is None:
                return
            reply = read_exact(up, struct.unpack("!H", rhdr)[0])
            if reply is None:
                return
            conn.sendall(rhdr + reply)
    except OSError:
        pass
    finally:
        conn.close()
        if up is not None:
            up.close()


def serve_tcp(lsock, port):
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=relay_tcp, args=(conn, port),
                         daemon=True).start()


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    addr, port, spoof_addr, control, values, log = sys.argv[1:]
    port = int(port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 53))
    spoof = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    spoof.bind((spoof_addr, 53))
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, 53))
    lsock.listen(16)
    threading.Thread(target=serve_tcp, args=(lsock, port),
                     daemon=True).start()
    serve_udp(sock, spoof, port, control, values, log)


if __name__ == "__main__":
    main()
