#!/usr/bin/env python3
"""p2_copies.py STATEDIR N: make Certificates c1..c(N-1) of P2 copies of c0.

c0's Secret directory (symbolic links and revision kept as fs_publish
wrote them) becomes secrets/cI-tls and its status status/default/cI.json,
in one process: a cp per file took minutes for 10,000 certificates."""
import os
import shutil
import sys

top, n = sys.argv[1], int(sys.argv[2])
secrets = os.path.join(top, "secrets")
status = os.path.join(top, "status", "default")
src = os.path.join(secrets, "c0-tls")
with open(os.path.join(status, "c0.json"), "rb") as f:
    st = f.read()
for i in range(1, n):
    dst = os.path.join(secrets, "c%d-tls" % i)
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)
    path = os.path.join(status, "c%d.json" % i)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(st)
