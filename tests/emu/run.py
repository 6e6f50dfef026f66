#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Integration test runner: builds a disk per case, boots it, judges the
serial console. Prints one PASS/FAIL line per case, then 'N passed, N failed'.

  run.py [--jobs N] [--keep] [CASE ...]
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cases  # noqa: E402
import emulator  # noqa: E402

BUILD = os.path.join(ROOT, "build")
EFI = os.path.join(BUILD, "shale.efi")
GUESTS = os.path.join(BUILD, "guests")
TIMEOUT_BOCHS = 240
TIMEOUT_LINUX = 600   # a Linux boot in Bochs takes 1.5-3 minutes
TIMEOUT_QEMU = 90
TIMEOUT_QEMU_KERNEL = 30  # a Multiboot kernel under QEMU ends in about a second

CHECK_MACRO = re.compile(
    r'^\s*(PASS|CHECK_\w+|TRY_CHECK\w*|CHECK_FAULT)\s+"([a-z0-9]+(?:-[a-z0-9]+)+)"',
    re.M)


def expected_checks(guest):
    """The check names a guest's source prints as PASS when all is well."""
    path = os.path.join(ROOT, "tests", "guests", guest + ".asm")
    with open(path) as f:
        src = f.read()
    names = [m.group(2) for m in CHECK_MACRO.finditer(src)]
    return [n for n in dict.fromkeys(names) if n.startswith(guest)]


def make_disk(case, workdir):
    cfgdir = os.path.join(workdir, "config")
    shutil.rmtree(cfgdir, ignore_errors=True)
    os.makedirs(cfgdir)
    with open(os.path.join(cfgdir, "shale.cfg"), "w") as f:
        f.write(case["config"])
    for g in case["guests"]:
        shutil.copy(os.path.join(GUESTS, g + ".bin"), cfgdir)
    for g in case.get("images", []):
        shutil.copy(os.path.join(GUESTS, g + ".bin"), cfgdir)
    for name, what in case.get("files", {}).items():
        dst = os.path.join(cfgdir, name)
        if isinstance(what, int):          # a file of zeros this size
            with open(dst, "wb") as f:
                f.truncate(what)
        elif isinstance(what, tuple):      # the first N bytes of a file
            src, n = what
            with open(os.path.join(ROOT, src), "rb") as f, open(dst, "wb") as g:
                g.write(f.read(n))
        else:                              # a file of the build
            shutil.copy(os.path.join(ROOT, what), dst)
    disk = os.path.join(workdir, "disk.img")
    subprocess.run([os.path.join(ROOT, "tools", "mkdisk.sh"), EFI, cfgdir, disk],
                   check=True, stdout=subprocess.DEVNULL)
    return disk


def judge(case, run):
    """A list of problems; empty means the case passed."""
    out = run.output
    problems = []
    if run.timed_out:
        problems.append("timed out after %.0f s" % run.seconds)
    if run.exited and not case.get("emulator_exits"):
        # A crash, or an exit before the end marker, is never a pass.
        problems.append(run.ended_by)
    status = case.get("status")
    for g in case["guests"]:
        if status is not None and g not in status:
            continue  # the case does not run this guest as a guest test
        want = status.get(g, 0) if status else 0
        fails = re.findall(r"\[guest %s\] (FAIL .*)" % re.escape(g), out)
        problems += fails
        if want is None:
            continue
        optional = set(case.get("optional", []))
        for check in expected_checks(g):
            if check in optional:
                continue
            if "[guest %s] PASS %s\n" % (g, check) not in out:
                problems.append("%s: no PASS %s" % (g, check))
        if not re.search(r'^\[vm\] guest "%s" exited with status %d$' % (re.escape(g), want),
                         out, re.M):
            problems.append('%s: no "exited with status %d"' % (g, want))
    for g, n in case.get("sequence", {}).items():
        # The guest's numbered lines must all be there, in order, each
        # under its own name, whatever the interleaving with the others.
        got = re.findall(r"^\[guest %s\] line (\d+)$" % re.escape(g), out, re.M)
        if [int(x) for x in got] != list(range(1, n + 1)):
            problems.append("%s: lines %s, expected 1..%d in order" % (
                g, ",".join(got[:12]) + ("..." if len(got) > 12 else ""), n))
    for pat in case.get("expect", []):
        if not re.search(pat, out):
            problems.append("missing: " + pat)
    for pat in case.get("gdb_expect", []):
        if not re.search(pat, getattr(run, "gdb_output", "")):
            problems.append("gdb did not print: " + pat)
    for check in case.get("checks", []):
        problems += check(out)
    for check in case.get("side_by_side", []):
        problems += check(out, run.qemu)
    panic = [] if case.get("allow_panic") else [r"(?m)^\[panic\]"]
    for pat in case.get("reject", []) + panic:
        if re.search(pat, out):
            problems.append("unexpected: " + pat)
    return problems


def run_qemu_kernels(case, workdir):
    """The case's qemu_kernels (name: run_qemu_kernel's arguments) under
    QEMU itself, each in a directory of its own that holds the case's
    files under the same names as Shale's config partition."""
    runs = {}
    for name, args in case.get("qemu_kernels", {}).items():
        qdir = os.path.join(workdir, "qemu-" + name)
        shutil.rmtree(qdir, ignore_errors=True)
        os.makedirs(qdir)
        for fname, src in case.get("files", {}).items():
            shutil.copy(os.path.join(ROOT, src), os.path.join(qdir, fname))
        runs[name] = emulator.run_qemu_kernel(qdir, timeout=TIMEOUT_QEMU_KERNEL, **args)
    return runs


def judge_expected_failure(case, run, problems):
    """The harness's own tests: a case with expect_fail passes only when
    the judge failed it, and with the reasons the case names."""
    if not problems:
        return ["the harness passed a run it must fail"]
    said = "; ".join(problems)
    return ["the harness failed it without saying: %s (it said: %s)" % (p, said)
            for p in case["expect_fail"] if not re.search(p, said)]


def run_case(case, keep):
    try:
        return run_case_inner(case, keep)
    except Exception as e:  # a broken case fails alone, with its reason
        return case["name"], emulator.Run("", 0, False, "error"), [
            "could not run: %s" % e]


def run_case_inner(case, keep):
    workdir = os.path.join(BUILD, "emu", case["name"])
    os.makedirs(workdir, exist_ok=True)
    disk = make_disk(case, workdir)
    if case.get("runner"):
        # A case that runs something else on the disk (a tool's test):
        # the runner returns the Run to judge.
        run = case["runner"](disk, workdir)
    elif case.get("emulator", "bochs") == "qemu":
        # Binary files for QEMU (an ACPI table for -acpitable), and
        # arguments that name them through {workdir}.
        for name, data in case.get("qemu_files", {}).items():
            with open(os.path.join(workdir, name), "wb") as f:
                f.write(data)
        extra = [a.format(workdir=os.path.abspath(workdir))
                 for a in case.get("qemu_args", [])]
        run = emulator.run_qemu(disk, workdir, cases.END_QEMU, TIMEOUT_QEMU,
                                cpu=case.get("qemu_cpu"), extra=extra,
                                screendump=case.get("screendump"))
    else:
        end = cases.END_BOCHS
        if case.get("end_all"):
            # Guests that never stop: end once every listed line is there
            # (or on a panic, or when Shale halts).
            want = case["end_all"]
            end = lambda text: (all(re.search(p, text) for p in want) or
                                emulator.marker_hit(cases.END_BOCHS, text))
        for name, text in case.get("workfiles", {}).items():
            with open(os.path.join(workdir, name), "w") as f:
                f.write(text)
        env = dict((k, v.format(workdir=os.path.abspath(workdir)))
                   for k, v in case.get("env", {}).items())
        if case.get("disk_missing"):
            disk = os.path.join(workdir, "no-such-disk.img")
        # The timeout grows with the CPU count: Bochs runs them in turn.
        cpus = case.get("cpus", 1)
        run = emulator.run_bochs(disk, workdir, end,
                                 case.get("timeout") or
                                 (TIMEOUT_LINUX if case.get("linux") else TIMEOUT_BOCHS) * cpus,
                                 megs=case.get("megs", 512),
                                 script=case.get("script"), gdb=case.get("gdb"),
                                 env=env, kill_after=case.get("kill_after"),
                                 cpus=cpus)
    run.qemu = run_qemu_kernels(case, workdir)
    problems = judge(case, run)
    if "expect_fail" in case:
        run.expected_failure = problems
        problems = judge_expected_failure(case, run, problems)
    if not keep and not problems and os.path.exists(disk):
        os.remove(disk)
    return case["name"], run, problems


def demo():
    """`make run`: boot the demo disk with the serial console on this
    terminal: a Linux guest with a busybox shell, and two small guests."""
    workdir = os.path.join(BUILD, "demo")
    case = dict(name="demo", guests=["cpuid", "echo"],
                files={"vmlinuz": "build/linux/vmlinuz",
                       "initrd.gz": "build/linux/initrd.gz"})
    with open(os.path.join(HERE, "demo.cfg")) as f:
        case["config"] = f.read()
    os.makedirs(workdir, exist_ok=True)
    disk = make_disk(case, workdir)
    tty = sys.stdin.isatty()
    # A closed terminal or a kill still stops the emulator (run_bochs's
    # clean-up runs on the way out).
    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(1))
    print("Booting %s in Bochs: OVMF, then Shale, then three guests." % disk)
    print("Linux takes a minute or two to reach its shell (Bochs emulates every")
    print("instruction). Keys: Ctrl-A n / Ctrl-A 1..3 choose the guest you type to,")
    print("Ctrl-A l lists them, Ctrl-] quits." if tty else
          "(stdin is not a terminal: showing the console only)")
    try:
        r = emulator.run_bochs(disk, workdir, cases.END_BOCHS,
                               3600, echo=sys.stdout, interactive=tty,
                               script=None if tty else [])
    except KeyboardInterrupt:
        r = None
    except emulator.EmulatorExit as e:
        print("\r\nmake run: %s" % e)
        return 1
    if r and r.exited:
        print("\r\nmake run: %s (its log: %s/bochs.log)" % (r.ended_by, workdir))
        return 1
    print("\r\nThe disk image stays at %s; tools/mkdisk.sh makes your own." % disk)
    return 0


def main():
    if "--demo" in sys.argv:
        return demo()
    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true",
                    help="keep the disk images of passing cases")
    ap.add_argument("--long", action="store_true",
                    help="the cases kept out of make test (long=True): make test-long")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    todo = [c for c in cases.CASES
            if (c["name"] in args.names if args.names
                else bool(c.get("long")) == args.long)]
    # The long Linux boots first, so the short cases fill in beside them.
    todo.sort(key=lambda c: not c.get("linux"))
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_case, c, args.keep) for c in todo]
        for fut in concurrent.futures.as_completed(futures):
            name, run, problems = fut.result()
            if problems:
                failed += 1
                print("FAIL emu/%s (%.0f s, %s): %s" % (
                    name, run.seconds, run.ended_by, "; ".join(problems[:6])))
                print("     serial log: build/emu/%s/serial.out" % name)
            else:
                passed += 1
                said = getattr(run, "expected_failure", None)
                print("PASS emu/%s (%.0f s)%s" % (
                    name, run.seconds,
                    ", failed as it must: " + "; ".join(said[:2]) if said else ""))
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
