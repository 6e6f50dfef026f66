#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the host-compiled cmocka unit tests and counts their results.

  run_unit.py BINARY...    prints each binary's verdict, then 'N passed, N failed'
"""
import re
import subprocess
import sys


def run(binaries):
    passed = failed = 0
    for b in binaries:
        p = subprocess.run([b], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=300)
        ok = re.search(r"\[  PASSED  \] (\d+) test", p.stdout)
        bad = re.search(r"\[  FAILED  \] (\d+) test", p.stdout)
        n_ok = int(ok.group(1)) if ok else 0
        n_bad = int(bad.group(1)) if bad else 0
        if p.returncode and not n_bad:
            n_bad = 1  # crashed or died before reporting
        passed += n_ok
        failed += n_bad
        name = b.rsplit("/", 1)[-1]
        print("%s unit/%s (%d passed, %d failed)" % (
            "PASS" if not n_bad else "FAIL", name, n_ok, n_bad))
        if n_bad:
            for line in p.stdout.splitlines():
                if "FAILED" in line or "ERROR" in line or "Failure" in line:
                    print("     " + line)
    return passed, failed


if __name__ == "__main__":
    p, f = run(sys.argv[1:])
    print("%d passed, %d failed" % (p, f))
    sys.exit(1 if f else 0)
