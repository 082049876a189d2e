#!/usr/bin/env python3
"""make mutants: each one-line mutation of tests/mutants/list must make
`make check` fail.

Usage: mutants.py [-k SUBSTRING] [--check]

For each mutant, a copy of the working tree gets the change, is built, and
runs the unit layer, then the bats suite until its first failing test (then
the run stops: one failure is enough).  A mutant the suite does not catch SURVIVES, and the
script exits 1.  The list holds one mutant per entry, four lines each:

    file: lib/base/atomic.c
    from: || fsync(fileno(fp)) == -1
    to:
    why: no fsync before the rename: a crash can lose the new table

`from` must occur exactly once in the file; `to` replaces it (empty
deletes it).  Entries are separated by blank lines; '#' starts a comment.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def load(path):
    mutants, cur = [], {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                mutants.append(cur)
            cur = {}
            continue
        m = re.match(r"(file|from|to|why):(?: (.*))?$", line)
        if not m:
            sys.exit("%s:%d: expected file:, from:, to: or why:" % (path, n))
        cur[m.group(1)] = m.group(2) or ""
        cur.setdefault("line", n)
    if cur:
        mutants.append(cur)
    for m in mutants:
        for key in ("file", "from", "to", "why"):
            if key not in m:
                sys.exit("%s:%d: mutant without %s:" % (path, m["line"], key))
    return mutants


def tree_copy(dest):
    """The tracked and new files of the working tree, without build output."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=TOP, check=True,
                           capture_output=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = os.path.join(TOP.encode(), f)
        if not os.path.isfile(src):
            continue
        dst = os.path.join(dest.encode(), f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)


def mutate(tree, m):
    path = os.path.join(tree, m["file"])
    text = open(path, encoding="utf-8").read()
    count = text.count(m["from"])
    if count != 1:
        return "the pattern occurs %d times in %s" % (count, m["file"])
    open(path, "w", encoding="utf-8").write(text.replace(m["from"], m["to"]))
    return None


def run_suite(tree):
    """Build and run the suite until the first failure: (caught, detail)."""
    build = subprocess.run(["make", "-s", "all"], cwd=tree,
                           capture_output=True, text=True)
    if build.returncode != 0:
        return True, "does not build"
    unit = subprocess.run(["make", "-s", "unit"], cwd=tree,
                          capture_output=True, text=True)
    if unit.returncode != 0:
        failed = [l for l in unit.stdout.splitlines()
                  if l.startswith("not ok")]
        return True, "unit: " + (failed[0] if failed else "failed")
    # RESTPIPE_MUTANT: the list no longer applies to this tree, by design;
    # build.bats does not check it here.
    env = dict(os.environ, PATH=os.path.join(tree, "bin") + ":" +
               os.environ["PATH"], RESTPIPE_MUTANT="1")
    p = subprocess.Popen(["bash", "tests/run.sh"], cwd=tree, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, start_new_session=True)
    caught = None
    for line in p.stdout:
        if line.startswith("not ok "):
            caught = line[len("not ok "):].strip()
            break
    if caught is not None:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    p.stdout.close()
    if caught is None and p.returncode != 0:
        caught = "the suite failed (exit %d)" % p.returncode
    return caught is not None, caught


def main():
    ap = argparse.ArgumentParser(description="make mutants")
    ap.add_argument("-k", default="", help="only mutants whose file or "
                    "reason holds this text")
    ap.add_argument("--check", action="store_true", help="only check that "
                    "each mutant applies to exactly one place")
    opts = ap.parse_args()
    mutants = [m for m in load(os.path.join(HERE, "mutants", "list"))
               if opts.k in m["file"] or opts.k in m["why"]]
    if opts.check:
        bad = 0
        for m in mutants:
            text = open(os.path.join(TOP, m["file"]), encoding="utf-8").read()
            if text.count(m["from"]) != 1:
                print("mutants:%d: %s: the pattern occurs %d times" % (
                    m["line"], m["file"], text.count(m["from"])))
                bad += 1
        print("mutants: %d of %d apply" % (len(mutants) - bad, len(mutants)))
        sys.exit(1 if bad else 0)
    survived = 0
    for i, m in enumerate(mutants, 1):
        start = time.monotonic()
        with tempfile.TemporaryDirectory() as tree:
            tree_copy(tree)
            err = mutate(tree, m)
            if err:
                print("mutant %d (%s): %s" % (i, m["file"], err))
                survived += 1
                continue
            caught, detail = run_suite(tree)
        secs = time.monotonic() - start
        word = "caught" if caught else "SURVIVED"
        print("mutant %d/%d %s in %.0f s: %s: %s" % (
            i, len(mutants), word, secs, m["file"], m["why"]), flush=True)
        if caught:
            print("    by: %s" % detail, flush=True)
        else:
            survived += 1
    print("mutants: %d of %d caught" % (len(mutants) - survived,
                                        len(mutants)))
    sys.exit(1 if survived else 0)


if __name__ == "__main__":
    main()
