#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: exit-path costs measured inside Bochs.

With `clock: sync=none`, Bochs advances the TSC with executed instructions,
so an RDTSC delta taken by the guest is a repeatable count of what ran:
the guest's instruction, the VM exit, Shale's handler, the VM entry.
The bench guest (tests/guests/bench.asm) times 1000 iterations of each
operation after 10 warm-up ones and prints ticks per operation; an empty
loop of the same shape is the baseline subtracted here.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import emulator  # noqa: E402
import run  # noqa: E402

OPS = [
    ("cpuid", "CPUID leaf 0x40000000", "CPUID exit, filtered in vmm/cpuid.c"),
    ("vmcall", "VMCALL SHALE_HC_VERSION", "hypercall dispatch"),
    ("io-out", "OUT DX, AL to the test device", "I/O exit to a device model"),
    ("io-in", "IN AL, DX from the test device", "I/O exit to a device model"),
    ("msr-read", "RDMSR IA32_PAT", "MSR exit, emulated from the VMCS"),
    ("mmio-write", "MOV [testdev], EAX", "EPT violation, decoder, device"),
    ("mmio-read", "MOV EAX, [testdev]", "EPT violation, decoder, device"),
]


def main():
    case = dict(name="bench", guests=["bench"],
                config="[hypervisor]\nlog = info\n\n[guest]\nname = bench\n"
                "kernel = bench.bin\nmemory = 16M\ndevices = testdev\n")
    workdir = os.path.join(run.BUILD, "emu", "bench")
    os.makedirs(workdir, exist_ok=True)
    disk = run.make_disk(case, workdir)
    r = emulator.run_bochs(disk, workdir, ["all guests have stopped", "[panic]"], 300)
    got = dict((m.group(1), int(m.group(2))) for m in
               re.finditer(r"\[guest bench\] BENCH (\S+) (\d+)", r.output))
    if "baseline" not in got or len(got) < len(OPS) + 1:
        print("bench: the bench guest did not report (see %s/serial.out)" % workdir)
        return 1
    base = got["baseline"]
    size = os.path.getsize(run.EFI)
    rows = []
    for key, what, path in OPS:
        rows.append("| %s | %s | %d | %d |" % (what, path, got[key], got[key] - base))
    table = "\n".join(rows)
    print("operation | path | ticks per op | minus loop")
    print(table)
    print("shale.efi: %d bytes" % size)

    doc = os.path.join(run.ROOT, "docs", "benchmarks.md")
    with open(doc) as f:
        text = f.read()
    start, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    block = "%s\n| operation | path through Shale | ticks per operation | minus the empty loop (%d) |\n|---|---|---|---|\n%s\n\n`shale.efi`: %d bytes.\n%s" % (
        start, base, table, size, end)
    text = re.sub(re.escape(start) + r"[\s\S]*?" + re.escape(end), block, text)
    with open(doc, "w") as f:
        f.write(text)
    print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
