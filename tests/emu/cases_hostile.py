# SPDX-License-Identifier: MIT
"""Hostile guests: each case checks one rule that keeps a guest's values
away from the real registers, or keeps a guest from halting Shale (as Xen's
XTF does: one rule, one test). The guests are tests/guests/hostile*.asm
and the guests they extend (msr, cpuid, vmcall)."""

import re

from cases import HV, guest

GDB_PRELUDE = ["set pagination off", "set confirm off",
               "set architecture i386:x86-64",
               # Bochs emulates the serial line: far slower than a real one.
               "set remotetimeout 30",
               "target remote localhost:{port}"]

def refused_once(out):
    """hostiletestdev asks four times: Shale says so once."""
    n = len(re.findall(r'^\[testdev\] warning: guest "hostiletestdev" asked the test '
                       r'device to break Shale \(request 1\): refused, selftest is off$',
                       out, re.M))
    others = len(re.findall(r'asked the test device to break Shale', out))
    return [] if n == 1 and others == 1 else [
        "expected one refusal line for request 1, got %d (%d in all)" % (n, others)]


CASES = [
    # While gdb holds a hardware breakpoint, MOV DR exits; the guest's
    # DR6/DR7 with bits 63:32 set must be its #GP, never Shale's #GP when
    # the values are loaded (the debugger lets go at the breakpoint).
    dict(name="hostile-dr", guests=["hostiledr"],
         config="[hypervisor]\nlog = info\ngdb = hostiledr\n\n" + guest("hostiledr"),
         gdb=dict(after=r'hostiledr: waiting for gdb', commands=GDB_PRELUDE + [
             "hbreak *0x100008",
             "set var *(long *)0x100010 = 1",
             "continue",
             "p $rip",
             "delete", "continue"]),
         gdb_expect=[r'Hardware assisted breakpoint 1 at 0x100008',
                     r'Breakpoint 1, 0x0+100008 in \?\? \(\)',
                     r'\[Inferior 1 \(.*\) exited normally\]'],
         reject=[r'\[panic\]']),
    # The test device's fault-injection port without [hypervisor]
    # selftest = on: every request refused (said once), no halt, the guest
    # and the next one finish.
    dict(name="hostile-testdev", guests=["hostiletestdev", "after"],
         config=HV + guest("hostiletestdev", "devices = testdev") + guest("after"),
         expect=[r'guest "hostiletestdev" exited with status 0',
                 r'guest "after" exited with status 0'],
         checks=[refused_once],
         reject=[r'\[panic\]', r'selftest = on: any guest', r'VMRESUME failed',
                 r'VM entry failed', r'asked for']),
    # With the switch on, the boot log says what it allows.
    dict(name="hostile-selftest-warning", guests=["after"],
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("after"),
         expect=[r'(?m)^\[selftest\] warning: selftest = on: any guest with the test device '
                 r'\(devices = testdev\) can halt Shale; for Shale\'s own tests only$',
                 r'guest "after" exited with status 0']),
    # RDPMC is the guest's #GP, not a read of the host's counters;
    # WBINVD and INVD complete (as no-ops).
    dict(name="hostile-insn", guests=["hostileinsn"],
         config=HV + guest("hostileinsn")),
    # The vmcall guest judged on its own (the `vmcall` case in cases.py
    # lists it with status={"exit7": 7} only, which leaves its checks
    # unjudged): among them, TIMER_ONESHOT with delay 2^64-1 must not
    # wrap around and fire at once.
    dict(name="hostile-vmcall", guests=["vmcall"], config=HV + guest("vmcall")),
]
