#!/usr/bin/env python3
"""Run a shell command; print its wall time in seconds and the peak
resident memory in KiB of the largest process it ran, as "SECONDS KIB".
The command's stdout and stderr pass through; a failing command fails."""
import resource
import subprocess
import sys
import time

start = time.monotonic()
status = subprocess.call(["sh", "-c", sys.argv[1]])
wall = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall:.3f} {peak}", file=sys.stderr if len(sys.argv) > 2 else sys.stdout)
sys.exit(status)
