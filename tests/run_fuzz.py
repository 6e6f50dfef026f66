#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs libFuzzer targets for a fixed time each and counts the verdicts.

  run_fuzz.py [--seconds N] [--corpus DIR] [--artifacts DIR] BINARY...

Builds nothing: BINARY is a target built with -fsanitize=fuzzer (see the
Makefile). A target named fuzz_NAME starts from the seeds in DIR/NAME/
(default tests/fuzz/corpus/NAME/), copied to a temporary directory so that
what the fuzzer adds never lands in the repository. Prints one line per
target, 'PASS fuzz/NAME (N runs)' or 'FAIL fuzz/NAME: <crash summary>',
then 'N passed, N failed'; exits 1 if any failed. A crashing input is kept
under --artifacts (default: a new directory in /tmp) and named in the output.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def summary(log):
    """The one line that says what went wrong, best first."""
    lines = log.splitlines()
    for pat in (r"invariant failed: .*", r"SUMMARY: .*",
                r"ERROR: libFuzzer: .*", r"==\d+==ERROR: .*",
                r"runtime error: .*", r"ALARM: .*"):
        for line in lines:
            m = re.search(pat, line)
            if m:
                return m.group(0).strip()
    tail = [l for l in lines if l.strip()]
    return tail[-1].strip() if tail else "no output"


def run_one(binary, seconds, corpus_root, artifacts):
    base = os.path.basename(binary)
    name = base[len("fuzz_"):] if base.startswith("fuzz_") else base
    seeds = os.path.join(corpus_root, name)
    with tempfile.TemporaryDirectory(prefix="shale-fuzz-%s-" % name) as tmp:
        work = os.path.join(tmp, "corpus")
        if os.path.isdir(seeds):
            shutil.copytree(seeds, work)
        else:
            os.mkdir(work)
        os.makedirs(artifacts, exist_ok=True)
        cmd = [os.path.abspath(binary),
               "-max_total_time=%d" % seconds,
               "-timeout=5",
               "-rss_limit_mb=1024",
               "-print_final_stats=1",
               "-artifact_prefix=%s/%s-" % (artifacts, name),
               work]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               errors="replace", timeout=seconds + 120)
            log, rc = p.stdout, p.returncode
        except subprocess.TimeoutExpired as e:
            log = e.stdout or ""
            if isinstance(log, bytes):
                log = log.decode("utf-8", "replace")
            log += "\nALARM: fuzzer did not stop after %d s" % (seconds + 120)
            rc = -1
        except OSError as e:
            log, rc = "ALARM: cannot run %s: %s" % (binary, e), -1

    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", log) or \
        re.search(r"Done (\d+) runs", log)
    runs = int(m.group(1)) if m else 0
    if rc == 0:
        return True, "PASS fuzz/%s (%d runs)" % (name, runs)
    crash = re.search(r"Test unit written to (\S+)", log)
    where = " [input: %s]" % crash.group(1) if crash else ""
    logfile = os.path.join(artifacts, "%s.log" % name)
    with open(logfile, "w") as f:
        f.write(log)
    return False, "FAIL fuzz/%s: %s%s [log: %s]" % (name, summary(log), where,
                                                     logfile)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10,
                    help="time per target (default 10)")
    ap.add_argument("--corpus", default=os.path.join(HERE, "fuzz", "corpus"),
                    help="seed corpus root (default tests/fuzz/corpus)")
    ap.add_argument("--artifacts", default=None,
                    help="where crashing inputs and logs go")
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    artifacts = a.artifacts or tempfile.mkdtemp(prefix="shale-fuzz-artifacts-")
    artifacts = os.path.abspath(artifacts)

    passed = failed = 0
    for b in a.binaries:
        ok, line = run_one(b, a.seconds, a.corpus, artifacts)
        print(line, flush=True)
        passed += ok
        failed += not ok
    if not failed and not a.artifacts:
        shutil.rmtree(artifacts, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
