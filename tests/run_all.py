#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make test`: unit tests, the config checker, then the emulator tests.
The last line is the total: 'N passed, N failed'."""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import run_unit  # noqa: E402


def main():
    os.chdir(ROOT)
    unit = sorted(glob.glob("build/unit/test_*"))
    passed, failed = run_unit.run(unit)
    p, f = tally([sys.executable, "tests/run_fuzz.py", "--seconds", "10"]
                 + sorted(glob.glob("build/fuzz/fuzz_*")))
    passed += p
    failed += f
    p, f = tally([sys.executable, "tests/emu/run.py"])
    passed += p
    failed += f
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def tally(cmd):
    """Run a test runner, pass its lines through, add up its last line."""
    p = subprocess.Popen(cmd, text=True, stdout=subprocess.PIPE)
    last = ""
    for line in p.stdout:
        if re.match(r"^\d+ passed, \d+ failed$", line.strip()):
            last = line
            continue
        print(line, end="")
        sys.stdout.flush()
    p.wait()
    m = re.match(r"(\d+) passed, (\d+) failed", last)
    if m:
        return int(m.group(1)), int(m.group(2))
    print("FAIL %s: ended without a tally" % " ".join(cmd[1:2]))
    return 0, 1


if __name__ == "__main__":
    sys.exit(main())
