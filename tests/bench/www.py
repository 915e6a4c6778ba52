#!/usr/bin/env python3
"""www.py: the benchmarks' static web server (a TEST TOOL, not acmec).

usage: www.py PORT DIRECTORY

python3 -m http.server, but with a listen backlog of 1024: a CA that
validates 100 challenges at once connects 100 times at once, and the
module's backlog of 5 would drop most of those connections, so the
benchmark would measure SYN retries instead of the clients.
"""
import functools
import http.server
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(Quiet, directory=root)
    Server(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main()
