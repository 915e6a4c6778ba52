#!/usr/bin/env python3
"""measure.py CMD...: run CMD, print "wall_ms cpu_ms maxrss_kib status".

CPU is user + system time of CMD and everything it waited for; peak RSS is
the largest of them (getrusage RUSAGE_CHILDREN, in a fresh process so that
nothing else is counted).  CMD's own output goes to /dev/null unless
MEASURE_LOG names a file for its stderr."""
import os
import resource
import subprocess
import sys
import time

log = os.environ.get("MEASURE_LOG")
err = open(log, "ab") if log else subprocess.DEVNULL
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=err)
wall = (time.monotonic() - t0) * 1000
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%d %d %d %d" % (wall, (ru.ru_utime + ru.ru_stime) * 1000,
                       ru.ru_maxrss, rc))
