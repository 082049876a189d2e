#!/usr/bin/env python3
"""Run a pipeline and interrupt it as a terminal does.

Usage: interrupt.py [options] -- CMD ARG... '|' CMD ARG... ['|' ...]

The stages run in a process group of their own, joined by pipes, with
every signal at its default disposition: a background job of a script
inherits SIGINT ignored, which would hide what a real Ctrl-C does.  At the
moment the options name, the signal goes to the whole group at once, as the
terminal sends it.  Before sending it, the harness checks that no stage
ignores the signal (exit 99 if one does).

Prints each stage's status on one line, as $PIPESTATUS would (128 + N for a
stage killed by signal N).  The stages' stderr goes to this stderr.

Options:
  --after S          send the signal S seconds after the start (default 0)
  --requests N       ...or once the test server ($BASE) has logged N requests
  --file PATH        ...or once PATH exists
  --exited K         ...or once stage K (0-based) has exited (repeatable:
                     once every stage named has)
  --stop K           keep stage K stopped (SIGSTOP) until the signal is sent,
                     so data waits in the pipe before it (repeatable)
  --ready K          first wait until stage K catches the signal (repeatable)
  --signal NAME      INT (default), TERM, HUP or KILL
  --alone            send it to the first stage's process alone, as a
                     service manager does (systemd, docker stop, Kubernetes)
  --descend N        with --alone, to the first stage's child N levels down
                     (1: the child of unshare --fork)
  --twice            send the signal a second time, 0.2 s after the first
  --timeout S        kill the group after S seconds (default 60); exit 124
  --elapsed          print after the statuses the seconds from the signal
                     to the end of the last stage
  --leftover         then list on stderr, and exit 98, if any process of
                     the group named rest-* still runs (with KILL, 0.3 s
                     later: the kernel kills the orphans after;
                     a zombie, dead, is left for init to reap)
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

DEFAULTS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP,
            signal.SIGPIPE, signal.SIGXFSZ, signal.SIGTSTP, signal.SIGTTOU,
            signal.SIGTTIN)


def stages(argv):
    out, cur = [], []
    for arg in argv:
        if arg == "|":
            out.append(cur)
            cur = []
        else:
            cur.append(arg)
    out.append(cur)
    if any(not s for s in out):
        sys.exit("interrupt.py: an empty stage")
    return out


def requests():
    url = os.environ["BASE"] + "/_stats"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as f:
        return json.load(f)["requests"]


def ignored(pid, sig):
    """Whether process pid ignores sig, from /proc; None once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        return None
    return None


def started(p, name, deadline):
    """Wait until process p runs name: a test shim execs the program."""
    want = os.path.basename(name)[:15]
    while time.monotonic() < deadline and p.poll() is None:
        try:
            with open("/proc/%d/comm" % p.pid) as f:
                if f.read().strip() == want:
                    return
        except OSError:
            return
        time.sleep(0.001)


def catches(pid, sig):
    """Whether process pid has a handler for sig, from /proc."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        pass
    return False


def child_of(pid):
    """The first child of pid, from /proc; None if it has none."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def leftover(pgid):
    """The processes of group pgid whose name starts with rest-."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        # A zombie is dead, its parent gone: init reaps it in its time.
        if int(fields[2]) == pgid and comm.startswith("rest-") and \
                fields[0] != "Z":
            found.append("%s %s %s" % (p, comm, fields[0]))
    return found


def main():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--after", type=float, default=0)
    ap.add_argument("--requests", type=int)
    ap.add_argument("--exited", type=int, action="append")
    ap.add_argument("--file")
    ap.add_argument("--stop", type=int, action="append", default=[])
    ap.add_argument("--ready", type=int, action="append", default=[])
    ap.add_argument("--signal", default="INT",
                    choices=("INT", "TERM", "HUP", "KILL"))
    ap.add_argument("--alone", action="store_true")
    ap.add_argument("--descend", type=int, default=0)
    ap.add_argument("--twice", action="store_true")
    ap.add_argument("--elapsed", action="store_true")
    ap.add_argument("--leftover", action="store_true")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    cmd = opts.cmd[1:] if opts.cmd[:1] == ["--"] else opts.cmd
    sig = getattr(signal, "SIG" + opts.signal)

    pgid = 0
    procs = []

    def child():
        for s in DEFAULTS:
            signal.signal(s, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.setpgid(0, pgid)

    prev = None
    argvs = stages(cmd)
    deadline = time.monotonic() + opts.timeout
    for i, argv in enumerate(argvs):
        last = i == len(argvs) - 1
        p = subprocess.Popen(argv, stdin=prev if prev is not None else
                             subprocess.DEVNULL,
                             stdout=None if last else subprocess.PIPE,
                             preexec_fn=child)
        if pgid == 0:
            pgid = p.pid
        if prev is not None:
            prev.close()
        prev = p.stdout
        procs.append(p)

    # As a shell starts a pipeline: every stage at once, then each one
    # runs its program; a stage to stop first catches the signal.
    for i, p in enumerate(procs):
        started(p, argvs[i][0], deadline)
        if i in opts.stop or i in opts.ready:
            limit = time.monotonic() + 5
            while not catches(p.pid, sig) and time.monotonic() < limit:
                time.sleep(0.001)
        if i in opts.stop:
            os.kill(p.pid, signal.SIGSTOP)

    start = time.monotonic()

    def due():
        if opts.requests is not None:
            return requests() >= opts.requests
        if opts.file is not None:
            return os.path.exists(opts.file)
        if opts.exited:
            return all(procs[k].poll() is not None for k in opts.exited)
        return time.monotonic() - start >= opts.after

    while not due():
        if time.monotonic() > deadline or all(p.poll() is not None
                                              for p in procs):
            break
        time.sleep(0.005)

    target = procs[0].pid
    for _ in range(opts.descend):
        target = child_of(target) or target
    for p in procs:
        pid = target if opts.alone and p is procs[0] else p.pid
        if p.poll() is None and sig != signal.SIGKILL and ignored(pid, sig):
            os.killpg(pgid, signal.SIGKILL)
            sys.exit("interrupt.py: %s ignores SIG%s" % (p.args[0],
                                                         opts.signal))
    sent = time.monotonic()
    try:
        if opts.alone:
            os.kill(target, sig)
        else:
            os.killpg(pgid, sig)
        for i in opts.stop:
            if procs[i].poll() is None:
                os.kill(procs[i].pid, signal.SIGCONT)
        if opts.twice:
            time.sleep(0.2)
            if opts.alone:
                os.kill(target, sig)
            else:
                os.killpg(pgid, sig)
    except ProcessLookupError:
        pass

    status = []
    for p in procs:
        try:
            rc = p.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            sys.exit(124)
        status.append(128 - rc if rc < 0 else rc)
    if opts.elapsed:
        status.append("%.2f" % (time.monotonic() - sent))
    print(" ".join(str(s) for s in status))
    if opts.leftover:
        limit = time.monotonic() + (0.3 if sig == signal.SIGKILL else 0)
        while leftover(pgid) and time.monotonic() < limit:
            time.sleep(0.01)
        left = leftover(pgid)
        if left:
            sys.stderr.write("interrupt.py: left in the group: %s\n" %
                             ", ".join(left))
            sys.exit(98)


if __name__ == "__main__":
    main()
