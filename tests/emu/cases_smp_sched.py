# SPDX-License-Identifier: MIT
"""Guests on every CPU: each CPU runs its own scheduler over the vCPUs
homed on it (vmm/sched.c). Pinned guests run at the same time on their own
CPUs; an unpinned one moves to a CPU left idle, and its state comes with
it; a guest pinned to CPUs Shale does not run is refused by its line."""

import re

from cases import HV, guest

HV_1MS = HV.replace("log = info\n", "log = info\ntimeslice = 1ms\n")
WINDOW = re.compile(r"\[guest (\w+)\] canary window from TSC (\d+) for (\d+)\n")
SHARE = re.compile(r"\[guest (\w+)\] canary share (\d+)%")


def parallel(out):
    """Both canaries measured their windows at the same time (the windows
    overlap by most of their length) and each had nearly all of its CPU:
    on one CPU they would have had half each."""
    problems = []
    win = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in WINDOW.finditer(out)}
    share = {m.group(1): int(m.group(2)) for m in SHARE.finditer(out)}
    if set(win) != {"a", "b"} or set(share) != {"a", "b"}:
        return ["expected a window and a share from canaries a and b, got %s and %s"
                % (sorted(win), sorted(share))]
    (sa, la), (sb, lb) = win["a"], win["b"]
    overlap = min(sa + la, sb + lb) - max(sa, sb)
    if overlap < min(la, lb) // 2:
        problems.append("the canaries' windows overlap by %d ticks of %d and %d: "
                        "they did not run at the same time" % (overlap, la, lb))
    for g, pct in sorted(share.items()):
        if pct < 90:
            problems.append("canary %s had %d%% of its CPU, expected at least 90%%" % (g, pct))
    return problems


CASES = [
    # Two canaries pinned to CPUs 0 and 1: both at once, each with its CPU
    # to itself; the shell's cpus shows each on its CPU.
    dict(name="smp-pinned-parallel", cpus=2, guests=[], images=["canary"],
         config=HV + guest("a", "cpus = 0", image="canary")
         + guest("b", "cpus = 1", image="canary"),
         checks=[parallel],
         expect=[r"\[guest %s\] PASS canary-%s\n" % (g, c) for g in "ab" for c in ("share", "memory")]
         + [r'guest "%s" exited with status 0' % g for g in "ab"]
         + [                 r"  on CPU 0, moved between CPUs 0 times",
                 r"  on CPU 1, moved between CPUs 0 times"]),
    # Three guests on two CPUs, 1 ms slices: xstate1 and xstate2 share
    # CPU 0 while burn keeps CPU 1 busy for 40 ms. When it ends, CPU 0 has
    # two runnable vCPUs and CPU 1 none: one of the xstate guests moves,
    # and both keep finding their own x87/SSE/AVX state after every slice
    # (at least 10 of them preempted, while they shared CPU 0), the move
    # included.
    dict(name="smp-move", cpus=2, guests=["xstate1", "burn", "xstate2"],
         config=HV_1MS + guest("xstate1") + guest("burn", "cpus = 1") + guest("xstate2"),
         expect=[r"\[guest xstate1\] note: YMM upper halves checked",
                 r'guest "burn": \d+ VM exits, ran \d+ ms\n(.*\n)*?'
                 r"  on CPU 1, moved between CPUs 0 times",
                 r'guest "xstate[12]": \d+ VM exits, ran \d+ ms\n(.*\n)*?'
                 r"  on CPU 1, moved between CPUs 1 times",
                 r'guest "xstate[12]": \d+ VM exits, ran \d+ ms\n(.*\n)*?'
                 r"  on CPU 0, moved between CPUs 0 times"]),
    # cpus naming only CPUs that do not run guests: that guest is refused
    # by its line, the other runs; a list naming one missing CPU warns.
    dict(name="smp-pin-missing", cpus=2, guests=["cpuid"], status={"cpuid": 0},
         config=HV + guest("cpuid", "cpus = 1,7") + guest("lost", "cpus = 5-6", image="cpuid"),
         expect=[r'\[config\] error: shale\.cfg:\d+: guest "lost": cpus names no CPU that runs guests',
                 r'\[config\] warning: shale\.cfg:\d+: guest "cpuid": cpus names CPU 7, which Shale '
                 r'does not run guests on; going on with the others',
                 r"  on CPU 1, moved between CPUs 0 times",
                 r'guest "cpuid" exited with status 0']),
]

# Debian's kernel with vcpus = 2 on two host CPUs: both CPUs come up,
# nproc says 2, a job per CPU finishes, the CPUs interrupt each other:
# rescheduling IPIs, function calls, and TLB shootdowns from two threads
# unmapping pages on two CPUs (tests/linux/tlb.c); poweroff stops the
# guest though its other vCPU is left halted with interrupts off.
from cases import LINUX_FILES, linux_guest  # noqa: E402

CASES += [
    dict(name="smp-linux-2x2", cpus=2, guests=[], linux=True, files=LINUX_FILES,
         config=HV + linux_guest("linux", "shale.test=smp", extra="vcpus = 2"),
         expect=[r"\[guest linux\] .*smp: Brought up 1 node, 2 CPUs",
                 r"\[guest linux\] SHALE-INIT: nproc 2",
                 r"\[guest linux\] SHALE-INIT: all 2 jobs done",
                 r"\[guest linux\] SHALE-INIT: interrupts +RES: +[1-9]\d* +[1-9]\d* ",
                 r"\[guest linux\] SHALE-TLB: done",
                 r"\[guest linux\] SHALE-INIT: interrupts +CAL: +\d+ +\d+ ",
                 r"\[guest linux\] SHALE-INIT: interrupts +TLB: +[1-9]\d* +[1-9]\d* ",
                 r'\[vm\] guest "linux" powered off \(ACPI S5\)',
                 r"  vCPU 1: on CPU \d, moved between CPUs \d+ times"]),
]

# More vCPUs than host CPUs: vcpus = 4 on two, sharing them by weight;
# then a reboot (on_reboot = restart), after which all four vCPUs come
# back. Its first boot once stopped making progress
# in about one run of four (a guest timer interrupt inside an IPI handler,
# with IF = 0, deadlocked a runqueue lock); a local APIC timer's vector is
# now posted to its vCPU's own CPU like an IPI's (vmm/pc.c), and no run
# has hung since.
CASES += [
    dict(name="smp-linux-4x2", cpus=2, guests=[], linux=True, files=LINUX_FILES, long=True,
         config=HV + linux_guest("linux", "shale.test=smp-reboot", extra="vcpus = 4"),
         end_all=[r"(?s)SHALE-INIT: rebooting.*smp: Brought up 1 node, 4 CPUs"],
         expect=[r"\[guest linux\] .*smp: Brought up 1 node, 4 CPUs",
                 r"\[guest linux\] SHALE-INIT: nproc 4",
                 r"\[guest linux\] SHALE-INIT: all 4 jobs done",
                 r"\[guest linux\] SHALE-TLB: done",
                 r"\[guest linux\] SHALE-INIT: interrupts +RES:( +[1-9]\d*){4} ",
                 r"\[guest linux\] SHALE-INIT: interrupts +CAL:( +[1-9]\d*){4} ",
                 r'\[vm\] guest "linux" reset itself \(reboot\)',
                 r'guest "linux": restarting \(on_reboot = restart, restart 1 of at most 5\)',
                 r"(?s)restarting.*smp: Brought up 1 node, 4 CPUs"]),
]


