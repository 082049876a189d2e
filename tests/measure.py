#!/usr/bin/env python3
"""Time a command the same way for every contender of a benchmark.

    measure.py [-n REPS] [-i INPUT] [-o OUTPUT] [-r RESULT] [-s SETUP]
               [--] COMMAND [ARG...]

Run COMMAND REPS times (3, or $BENCH_REPS), each with its standard input
from INPUT (else /dev/null) and its standard output to OUTPUT (else
/dev/null), each after the shell command SETUP, which is not timed.
Print "WALL CPU KIB" for the repetition with the best wall time: its wall
seconds, its CPU seconds (user and system, of the command and all its
children) and its peak resident memory: all three of that one run.

The peak is the largest process's, as GNU time(1) reports it.  Without
/usr/bin/time it comes from wait4(2) and includes what python had
resident when it forked, which a note on standard error says.

A repetition that exits non-zero fails the measure, and so does one that
leaves RESULT (by default OUTPUT) different from what the first left: a
benchmark compares the same work every time.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_once(cmd, inp, out, rss_file):
    """(wall, cpu, kib, status) of one run of cmd."""
    if rss_file is not None:
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file] + cmd
    with open(inp or os.devnull, "rb") as i, \
            open(out or os.devnull, "wb") as o:
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdin=i, stdout=o)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    kib = usage.ru_maxrss
    if rss_file is not None and p.returncode == 0:
        with open(rss_file) as f:
            kib = int(f.read().split()[-1])
    return wall, cpu, kib, p.returncode


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1])
    ap.add_argument("-n", type=int,
                    default=int(os.environ.get("BENCH_REPS", "3")))
    ap.add_argument("-i")
    ap.add_argument("-o")
    ap.add_argument("-r")
    ap.add_argument("-s")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd or a.n < 1:
        ap.error("a command and -n 1 or more are needed")
    result = a.r or a.o
    gnu = os.access(GNU_TIME, os.X_OK)
    if not gnu:
        print("measure.py: no %s: the peak RSS includes python's"
              % GNU_TIME, file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = os.path.join(tmp, "rss") if gnu else None
        best, first = None, None
        for rep in range(a.n):
            if a.s is not None and subprocess.call(["sh", "-c", a.s]) != 0:
                sys.exit("measure.py: setup failed: " + a.s)
            wall, cpu, kib, status = run_once(cmd, a.i, a.o, rss_file)
            if status != 0:
                sys.exit("measure.py: %s: exit %d" % (" ".join(cmd), status))
            if result is not None:
                d = digest(result)
                if first is None:
                    first = d
                elif d != first:
                    sys.exit("measure.py: %s: repetition %d left a "
                             "different %s" % (" ".join(cmd), rep + 1,
                                               result))
            if best is None or wall < best[0]:
                best = (wall, cpu, kib)
    print("%.4f %.4f %d" % best)


if __name__ == "__main__":
    main()
