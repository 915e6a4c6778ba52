#!/usr/bin/env python3
"""slow_clients: a TEST TOOL, not part of acmec.

The attack on acmec's challenge listeners (http-01 standalone and the
tls-alpn-01 responder) that tests/e2e/listener_attack.sh runs while an
order is pending: connections that send nothing, and clients that drip a
byte every few seconds so that a server with a per-recv timeout never
times them out.  Loopback only: every address must be in 127.0.0.0/8.

usage: slow_clients.py HOST HTTP_PORT TLS_PORT READY_FILE STATS_FILE
           [--idle N] [--idle-sources K] [--drip-http N] [--drip-tls N]
           [--drip-source ADDR] [--interval S] [--duration S]

  --idle N          N idle connections to each port from HOST's own
                    address (the one the CA validates from, in the tests)
  --idle-sources K  and 10 more idle connections to each port from each of
                    K other loopback addresses (127.0.0.2, ...), to fill a
                    listener's total cap without any one source's cap
  --drip-http N     N clients sending an HTTP request a byte at a time
  --drip-tls N      N clients sending a TLS record header, then a byte at a
                    time
  --drip-source A   the drippers' source address (default: HOST's own)
  --interval S      seconds between the drippers' bytes (default 2)
  --duration S      stop after S seconds (default 60) or at SIGTERM

A connection the server closes is opened again after 0.2 s, so the
pressure lasts.  READY_FILE is created once every first connection is
established; STATS_FILE gets "opened N closed-by-server N" at the end.
"""
import argparse
import ipaddress
import signal
import socket
import sys
import threading
import time

p = argparse.ArgumentParser()
p.add_argument("host")
p.add_argument("http_port", type=int)
p.add_argument("tls_port", type=int)
p.add_argument("ready")
p.add_argument("stats")
p.add_argument("--idle", type=int, default=50)
p.add_argument("--idle-sources", type=int, default=0)
p.add_argument("--drip-http", type=int, default=5)
p.add_argument("--drip-tls", type=int, default=5)
p.add_argument("--drip-source")
p.add_argument("--interval", type=float, default=2.0)
p.add_argument("--duration", type=float, default=60.0)
a = p.parse_args()
a.drip_source = a.drip_source or a.host
if not all(ipaddress.ip_address(x).is_loopback
           for x in (a.host, a.drip_source)):
    sys.exit("slow_clients: loopback addresses only")

STOP = threading.Event()
LOCK = threading.Lock()
COUNT = {"opened": 0, "closed": 0}
signal.signal(signal.SIGTERM, lambda *_: STOP.set())
signal.signal(signal.SIGINT, lambda *_: STOP.set())

HTTP_REQ = (b"GET /.well-known/acme-challenge/slowly HTTP/1.1\r\n"
            b"Host: attacker\r\n" + b"X-Pad: " + b"a" * 200 + b"\r\n\r\n")
# A TLS handshake record header announcing 512 bytes that never come
# (but one at a time).
TLS_HEAD = b"\x16\x03\x01\x02\x00"


def connect(port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(5)
    s.connect((a.host, port))
    with LOCK:
        COUNT["opened"] += 1
    return s


def closed_by_server(s):
    """True if the server closed s (EOF, reset, or refusal to take more)."""
    s.setblocking(False)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


def idle(port, source, ready):
    """One connection that never sends; reopened when the server drops it."""
    s = None
    while not STOP.is_set():
        try:
            if s is None:
                s = connect(port, source)
                ready.release()
                ready = NOREADY
            if closed_by_server(s):
                with LOCK:
                    COUNT["closed"] += 1
                s.close()
                s = None
                STOP.wait(0.2)
                continue
        except OSError:
            s = None
            STOP.wait(0.2)
            continue
        STOP.wait(0.2)
    if s is not None:
        s.close()


def drip(port, data, ready):
    """Send data one byte every interval; reopen when the server drops it."""
    while not STOP.is_set():
        try:
            s = connect(port, a.drip_source)
        except OSError:
            STOP.wait(0.2)
            continue
        ready.release()
        ready = NOREADY
        try:
            for i in range(len(data)):
                s.sendall(data[i:i + 1])
                if STOP.wait(a.interval) or closed_by_server(s):
                    break
        except OSError:
            pass
        if not STOP.is_set():
            with LOCK:
                COUNT["closed"] += 1
        s.close()
        STOP.wait(0.2)


class NoReady:
    def release(self):
        pass


NOREADY = NoReady()
jobs = []
for port in (a.http_port, a.tls_port):
    for _ in range(a.idle):
        jobs.append((idle, (port, a.host)))
    for k in range(a.idle_sources):
        src = str(ipaddress.ip_address(a.host) + 1 + k)
        for _ in range(10):
            jobs.append((idle, (port, src)))
for _ in range(a.drip_http):
    jobs.append((drip, (a.http_port, HTTP_REQ)))
for _ in range(a.drip_tls):
    jobs.append((drip, (a.tls_port, TLS_HEAD + b"\x01" * 512)))

ready = threading.Semaphore(0)
threads = [threading.Thread(target=f, args=args + (ready,), daemon=True)
           for f, args in jobs]
for t in threads:
    t.start()
deadline = time.monotonic() + 20
for _ in threads:
    if not ready.acquire(timeout=max(0.0, deadline - time.monotonic())):
        # A server that takes one connection at a time never lets them
        # all in: attack with what is open.
        print("slow_clients: not every connection opened", file=sys.stderr)
        break
open(a.ready, "w").close()
STOP.wait(a.duration)
STOP.set()
for t in threads:
    t.join(timeout=a.interval + 6)
with open(a.stats, "w") as f:
    f.write("opened %d closed-by-server %d\n" %
            (COUNT["opened"], COUNT["closed"]))
