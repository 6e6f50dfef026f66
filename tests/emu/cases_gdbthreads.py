# SPDX-License-Identifier: MIT
"""The GDB stub's threads (tests/guests/gdbthreads.asm): a guest with two
vCPUs on a machine with two CPUs, each vCPU with its own RBX. Debian's gdb
lists both as threads, reads each one's registers after `thread N`, stops
all of them at a breakpoint only vCPU 1 reaches and is told it was
Thread 2 (vCPU 0, on the other CPU, stops counting while held, and counts
again after), continues past it (gdb steps vCPU 1 over the breakpoint while
vCPU 0 stays held) to the next hit, steps vCPU 1 alone, stops at a
hardware breakpoint of vCPU 1 and a watchpoint of vCPU 0 (Thread 1), and
detaches: the guest goes on."""

from cases import guest

CASES = [
    dict(name="gdb-threads", cpus=2, guests=["gdbthreads"], timeout=240,
         config="[hypervisor]\nlog = info\ngdb = gdbthreads\n\n"
         + guest("gdbthreads", "vcpus = 2\ndevices = pc"),
         gdb=dict(after=r'gdbthreads: waiting for gdb', commands=[
             "set pagination off", "set confirm off",
             "set architecture i386:x86-64",
             "set remotetimeout 30",
             "target remote localhost:{port}",
             "info threads",
             "thread 2", "info registers rbx",
             "thread 1", "info registers rbx",
             "thread 2", "break *0x20", "continue",
             "p $pc",
             "info threads",
             # vCPU 0 is held while vCPU 1 is stopped: its counter stays.
             "set $held = *(long *)0x100208", "shell sleep 3",
             "p *(long *)0x100208 - $held",
             "continue",
             "p *(long *)0x100208 - $held > 0",
             # stepi moves vCPU 1 alone (over breakpoint 1, at its PC).
             "set $held = *(long *)0x100208", "stepi", "p $pc",
             "p *(long *)0x100208 - $held",
             "delete",
             # A hardware breakpoint and a watchpoint are in every vCPU's
             # debug registers: the watchpoint fires on vCPU 0, Thread 1,
             # though GDB set it with Thread 2 selected.
             "hbreak *0x24", "continue", "delete",
             "watch *(long *)0x100208", "continue", "delete",
             "thread 1", "set var *(long *)0x100200 = 1",
             "detach"]),
         gdb_expect=[r'\* 1 +Thread 1 \(vCPU 0, CPU \d+, [a-z ]+, held\)',
                     r'\n  2 +Thread 2 \(vCPU 1, CPU \d+, [a-z ]+, held\)',
                     r'\[Switching to thread 2 \(Thread 2\)\]',
                     r'rbx +0x22222222 +572662306\n',
                     r'\[Switching to thread 1 \(Thread 1\)\]',
                     r'rbx +0x1111111111111111 +1229782938247303441\n',
                     r'Breakpoint 1 at 0x20',
                     r'Thread 2 hit Breakpoint 1, 0x0+20 in \?\? \(\)',
                     r'\$1 = \(void \(\*\)\(\)\) 0x20',
                     # All-stop: the other vCPU is held too.
                     r'(?s)\$1 = .*  1 +Thread 1 \(vCPU 0, CPU \d+, [a-z ]+, held\)',
                     r'\$2 = 0\n',
                     r'(?s)Thread 2 hit Breakpoint 1.*Thread 2 hit Breakpoint 1',
                     r'\$3 = 1\n',
                     r'\$4 = \(void \(\*\)\(\)\) 0x22\n',
                     r'\$5 = 0\n',
                     r'Thread 2 hit Breakpoint 2, 0x0+24 in \?\? \(\)',
                     r'Thread 1 hit Hardware watchpoint 3: \*\(long \*\)0x100208',
                     r'\[Inferior 1 \(.*\) detached\]'],
         expect=[r'\[gdb\] guest "gdbthreads" can be debugged with GDB on COM2',
                 r'PASS gdbthreads-ap',
                 r'held by the debugger at RIP 0x20 \(vCPU 1 of 2\)',
                 r'\[guest gdbthreads\] gdbthreads: released by the debugger',
                 r'PASS gdbthreads-released']),
]
