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

    # The emulator tests print their own tally last; add it to ours.
    p = subprocess.Popen([sys.executable, "tests/emu/run.py"], text=True,
                         stdout=subprocess.PIPE)
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
        passed += int(m.group(1))
        failed += int(m.group(2))
    else:
        print("FAIL emu: the emulator test runner ended without a tally")
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
