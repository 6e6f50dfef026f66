# SPDX-License-Identifier: MIT
"""Guest RAM above 4 GiB (docs/guest-start.md, "Guest memory"): a guest of
more than 3 GiB has RAM below the MMIO hole and the rest from 4 GiB.

Bochs gives the machine more than 4 GiB with `memory: guest=N, host=2048`
(tests/emu/emulator.py, memory_line); OVMF reports RAM below 0xC0000000
and N - 4096 MiB from 4 GiB, and Shale sees it (`[mem] 6395 MiB free`
with N = 7424). Shale backs each range of guest RAM with a run of host
memory of its own: a 4200M guest needs one free run of 3 GiB (only the
host's RAM above 4 GiB has one) and one of 1128M (below).

But Bochs 2.7 cannot run it: once the machine has touched more than the
2048 MiB Bochs holds in host RAM (its maximum `host=`), Shale
double-faults (RIP 0x3005, RSP 0x10, CR2 0xfffffffffffffff8: as if its
stack were gone). It is not the split: in the same 7424M machine a plain
2500M guest (one range, at host 0x200000) runs its checks and then
double-faults the same way when it is destroyed, and so do two 1200M
guests side by side (2400M touched, neither above 2G) when the second is
destroyed; 16M guests in a machine of 8192M run clean. Seen 2026-12-04. A guest above 3 GiB touches more than 3 GiB (Shale zeroes
all of it), so this case waits for a machine that can hold it: QEMU/KVM
with nested VMX or real hardware. It is kept, ready, out of CASES; run it
with `tests/emu/run.py` after moving it in."""

from cases import HV, guest

HIGHMEM_CHECKS = ["highmem-rdi-all-ram", "highmem-rsi-low-ram",
                  "highmem-pattern-errors", "highmem-console-from-high-ram",
                  "highmem-console-into-hole", "highmem-console-past-end",
                  "highmem-testdev-id", "highmem-testdev-scratch",
                  "highmem-reading-hole"]

CASES = []

NEEDS_MORE_THAN_BOCHS = [
    # A 4200M flat guest maps 4-6 GiB itself, writes and reads back a
    # pattern at the edges of both RAM ranges, has Shale read a line from
    # above 4 GiB, finds the test device in the hole, and is stopped when
    # it reads the hole's first byte. Its memory is zeroed at creation and
    # at destruction (vmm/vm.c), which Bochs emulates byte by byte: most of
    # this case's time.
    dict(name="highmem-flat", guests=["highmem"], megs=7424,
         config=HV + guest("highmem", "devices = testdev", memory="4200M"),
         status={"highmem": None},   # it ends stopped, by design
         expect=[r'\[vm\] guest "highmem": RAM at guest-physical 0-0xbfffffff, '
                 r'0x100000000-0x1467fffff; 1128 MiB of it from 0x100000000 at host 0x[0-9a-f]+',
                 r'\[guest highmem\] highmem: this line was read from guest-physical 0x100001000']
         + [r'\[guest highmem\] PASS %s\n' % c for c in HIGHMEM_CHECKS]
         + [r'guest "highmem" crashed: read at guest-physical 0xc0000000, outside its memory '
            r'\(0-0xbfffffff, 0x100000000-0x1467fffff\) and devices'],
         reject=[r'\[guest highmem\] FAIL']),
]
