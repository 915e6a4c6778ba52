#!/usr/bin/env python3
"""measure.py CMD...: run CMD, print "wall_ms cpu_ms maxrss_kib status".

CPU is user + system time of CMD and everything it waited for; peak RSS is
the largest of them.  Both come from GNU time (/usr/bin/time), which starts
CMD from its own small process: a process forked from this Python would
carry Python's memory (about 14 MiB) into CMD's peak RSS until CMD's exec.
CMD's own output goes to /dev/null unless MEASURE_LOG names a file for its
stderr."""
import os
import subprocess
import sys
import tempfile
import time

log = os.environ.get("MEASURE_LOG")
err = open(log, "ab") if log else subprocess.DEVNULL
with tempfile.NamedTemporaryFile("r") as out:
    t0 = time.monotonic()
    rc = subprocess.call(["/usr/bin/time", "-q", "-o", out.name, "-f",
                          "%U %S %M"] + sys.argv[1:],
                         stdout=subprocess.DEVNULL, stderr=err)
    wall = (time.monotonic() - t0) * 1000
    user, system, maxrss = out.read().split()[-3:]
print("%d %d %d %d" % (wall, (float(user) + float(system)) * 1000,
                       int(maxrss), rc))
