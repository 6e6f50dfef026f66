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
import bisect
import collections
import os
import re
import subprocess
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


def symbols():
    """(address, name) of every function in build/shale.so, sorted."""
    out = subprocess.run(["nm", "-n", os.path.join(run.BUILD, "shale.so")],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def profile_cpuid_exit(disk, workdir, image_base):
    """Instructions of one CPUID round trip, by function.

    Boots the same disk again under Bochs' debugger, stops at exit_cpuid
    30 times (past the warm-up), then traces until the next exit_cpuid:
    exactly one guest loop iteration with its exit. Bochs is deterministic,
    so the image sits at the same address as in the measuring run."""
    syms = symbols()
    addr = dict((n, a) for a, n in syms)["exit_cpuid"] + image_base
    rc = os.path.join(workdir, "bochsrc")
    cmds = os.path.join(workdir, "trace.cmd")
    with open(cmds, "w") as f:
        f.write("lb 0x%x\n" % addr + "c\n" * 30 + "trace on\nc\ntrace off\nquit\n")
    out = subprocess.run(["timeout", "300", "bochs", "-q", "-unlock", "-rc", cmds,
                          "-f", rc], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, cwd=workdir).stdout
    starts = [a for a, _ in syms]
    count = collections.Counter()
    for m in re.finditer(r"^\(0\)\.\[\d+\] \[0x([0-9a-f]+)\]", out, re.M):
        off = int(m.group(1), 16) - image_base
        if 0 <= off < 0x100000:
            count[syms[bisect.bisect_right(starts, off) - 1][1]] += 1
        else:
            count["(guest)"] += 1
    return count


SCHED_SETS = [
    [256],
    [256, 512],
    [128, 256, 384, 512],
    [128, 128, 256, 256, 384, 384, 512, 512],
    [128] * 4 + [256] * 4 + [384] * 4 + [512] * 4,
]


def sched_bench():
    """N CPU-bound guests on one CPU: each guest's share of the CPU against
    its weight, and the cost of a guest switch. A share is the fraction of
    all progress lines ("P", one per 2^20 loop iterations) printed before
    the first guest finished, when every guest still competed."""
    rows = []
    for weights in SCHED_SETS:
        n = len(weights)
        cfg = "[hypervisor]\nlog = info\ntimeslice = 10ms\n\n" + "".join(
            "[guest]\nname = s%d\nkernel = spinner.bin\nmemory = 2M\nweight = %d\n\n"
            % (i, w) for i, w in enumerate(weights))
        case = dict(name="sched%d" % n, guests=[], images=["spinner"], config=cfg)
        workdir = os.path.join(run.BUILD, "emu", "bench-sched%d" % n)
        os.makedirs(workdir, exist_ok=True)
        disk = run.make_disk(case, workdir)
        r = emulator.run_bochs(disk, workdir, ["all guests have stopped", "[panic]"], 600)
        out = r.output
        first_exit = re.search(r'guest "s\d+" exited', out)
        window = out[:first_exit.start()] if first_exit else out
        counts = [len(re.findall(r"^\[guest s%d\] P$" % i, window, re.M)) for i in range(n)]
        total = sum(counts)
        sw = re.search(r"\[sched\] (\d+) guest switches, (\d+) TSC ticks", out)
        worst = 0.0
        for c, w in zip(counts, weights):
            if total:
                want = w / sum(weights)
                got = c / total
                worst = max(worst, abs(got - want) / want)
        rows.append((n, weights, counts, total, worst,
                     int(sw.group(2)) if sw else -1, int(sw.group(1)) if sw else -1))
        print("%2d guests: lines %s of %d, worst share error %.1f%%, %s ticks per switch"
              % (n, counts, total, worst * 100, rows[-1][5]))
    return rows


def bare_linux_disk(workdir):
    """A GPT disk whose EFI system partition holds the kernel, the initramfs
    and a startup.nsh that boots them from OVMF's shell, with no Shale."""
    esp = os.path.join(workdir, "esp.img")
    disk = os.path.join(workdir, "bare.img")
    nsh = os.path.join(workdir, "startup.nsh")
    with open(nsh, "w") as f:
        f.write("fs0:\\vmlinuz initrd=\\initrd.gz console=ttyS0 nokaslr clearcpuid=fsrm shale.test=poweroff\r\n")
    subprocess.run(["rm", "-f", esp, disk], check=True)
    subprocess.run(["mkfs.fat", "-C", "-n", "BARE", esp, str(32 * 1024)], check=True,
                   stdout=subprocess.DEVNULL)
    for f in (os.path.join(run.BUILD, "linux", "vmlinuz"),
              os.path.join(run.BUILD, "linux", "initrd.gz"), nsh):
        subprocess.run(["mcopy", "-i", esp, f, "::/"], check=True)
    subprocess.run(["truncate", "-s", "34M", disk], check=True)
    subprocess.run(["sgdisk", "-o", "-n", "1:2048:+32M", "-t", "1:ef00", disk],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["dd", "if=" + esp, "of=" + disk, "bs=1M", "seek=1",
                    "conv=notrunc", "status=none"], check=True)
    return disk


def entry_to_init(disk, workdir, end):
    """Boot disk under Bochs' debugger, stopping once at the kernel's 64-bit
    entry (0x1000200: the kernel at its preferred 16 MiB, entry + 0x200)
    to read the tick count; returns (entry ticks, /init's TSC, output)."""
    serial = os.path.join(workdir, "serial.out")
    if os.path.exists(serial):
        os.remove(serial)  # or the last run's end marker ends this one
    rc = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(emulator.BOCHSRC.format(megs=512, ovmf=emulator.OVMF,
                                        vgabios=emulator.VGABIOS,
                                        disk=os.path.abspath(disk), com1_mode="file",
                                        com1_dev=serial, com2="",
                                        log=os.path.join(workdir, "bochs.log")))
    cmds = os.path.join(workdir, "entry.cmd")
    with open(cmds, "w") as f:
        f.write("lb 0x1000200\nc\nptime\nd 1\nc\n")
    out_path = os.path.join(workdir, "bochs.stdout")
    with open(out_path, "w") as out:
        # Line-buffered, so the debugger's answer is in the file even
        # though the run ends with a kill.
        proc = subprocess.Popen(["stdbuf", "-oL", "bochs", "-q", "-unlock", "-rc", cmds, "-f", rc],
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=workdir,
                                start_new_session=True)
        r = emulator._wait(proc, serial, end, 900)
    with open(out_path) as f:
        dbg = f.read()
    m = re.search(r"ptime: (\d+)", dbg)
    t = re.search(r"SHALE-TSC (\d+)", r.output)
    return (int(m.group(1)) if m else None, int(t.group(1)) if t else None, r.output)


def linux_bench():
    """The Linux boot's cost under Shale against the same kernel and
    initramfs booted bare, and its VM exits by reason."""
    cfg = ("[hypervisor]\nlog = info\n\n[guest]\nname = linux\nmode = linux\n"
           "kernel = vmlinuz\ninitrd = initrd.gz\nmemory = 128M\n"
           "cmdline = \"console=ttyS0 nokaslr shale.test=poweroff\"\n")
    case = dict(name="bench-linux", guests=[], config=cfg,
                files={"vmlinuz": "build/linux/vmlinuz", "initrd.gz": "build/linux/initrd.gz"})
    wd = os.path.join(run.BUILD, "emu", "bench-linux")
    os.makedirs(wd, exist_ok=True)
    shale_entry, shale_init, out = entry_to_init(
        run.make_disk(case, wd), wd, ["all guests have stopped", "[panic]"])
    first = re.search(r'guest "linux": first entry at TSC (\d+)', out)
    if first:  # Shale's own log of the kernel's first instruction
        shale_entry = int(first.group(1))
    exits = re.findall(r"^  (\S[^\n]*?)\s{2,}(\d+)\s+(\d+)\s+(\d+)$",
                       out.split('guest "linux": ')[-1], re.M)
    bwd = os.path.join(run.BUILD, "emu", "bench-linux-bare")
    os.makedirs(bwd, exist_ok=True)
    bare_entry, bare_init, _ = entry_to_init(
        # OVMF in Bochs gives the bare kernel no ACPI: poweroff only halts.
        bare_linux_disk(bwd), bwd, ["Power down", "System halted"])
    return shale_entry, shale_init, bare_entry, bare_init, exits


def main():
    if "--linux-only" in sys.argv:
        print(linux_bench()[:4])
        return 0
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
    base = re.search(r"image at (0x[0-9a-f]+)", r.output)
    prof = profile_cpuid_exit(disk, workdir, int(base.group(1), 16)) if base else None
    if prof:
        shale = sum(n for k, n in prof.items() if k != "(guest)")
        lines = ["| %s | %d |" % (k, n) for k, n in prof.most_common()]
        pblock = ("%s\n| function | instructions |\n|---|---|\n%s\n| **Shale, all** | **%d** |\n%s" % (
            "<!-- profile:begin -->", "\n".join(lines), shale, "<!-- profile:end -->"))
        text = re.sub(r"<!-- profile:begin -->[\s\S]*?<!-- profile:end -->", pblock, text)
        print("CPUID round trip: %d instructions in Shale" % shale)
    if "--exits-only" in sys.argv:
        with open(doc, "w") as f:
            f.write(text)
        print("wrote docs/benchmarks.md (exit costs only)")
        return 0
    se, si, be, bi, exits = linux_bench()
    if None in (se, si, be, bi):
        print("linux bench: a tick count is missing (shale %s %s, bare %s %s)" % (se, si, be, bi))
        rows_l = ["No overhead ratio from this run: a tick count is missing "
                  "(under Shale: entry %s, /init %s; bare: entry %s, /init %s)." % (se, si, be, bi),
                  "", "| VM exit reason, whole boot to poweroff | count | cycles | average |",
                  "|---|---|---|---|"]
        rows_l += ["| %s | %s | %s | %s |" % e for e in exits]
        lblock = "<!-- linux:begin -->\n%s\n<!-- linux:end -->" % "\n".join(rows_l)
    else:
        ratio = (si - se) / (bi - be)
        print("Linux boot, kernel entry to /init: %d ticks under Shale, %d bare: %.3fx"
              % (si - se, bi - be, ratio))
        rows_l = ["| | kernel entry (ticks) | /init runs (ticks) | entry to /init |",
                  "|---|---|---|---|",
                  "| bare (OVMF, EFI stub) | %d | %d | %d |" % (be, bi, bi - be),
                  "| under Shale | %d | %d | %d |" % (se, si, si - se),
                  "", "Overhead: **%.3fx**." % ratio, "",
                  "| VM exit reason, whole boot to poweroff | count | cycles | average |",
                  "|---|---|---|---|"]
        rows_l += ["| %s | %s | %s | %s |" % e for e in exits]
        lblock = "<!-- linux:begin -->\n%s\n<!-- linux:end -->" % "\n".join(rows_l)
    text = re.sub(r"<!-- linux:begin -->[\s\S]*?<!-- linux:end -->", lblock, text)
    rows = sched_bench()
    lines = ["| guests | weights | progress lines while all ran | worst share error | ticks per switch | switches |",
             "|---|---|---|---|---|---|"]
    for n, weights, counts, total, worst, ticks, sw in rows:
        lines.append("| %d | %s | %s | %.1f%% | %d | %d |" % (
            n, " ".join(map(str, weights)), " ".join(map(str, counts)),
            worst * 100, ticks, sw))
    sblock = "<!-- sched:begin -->\n%s\n<!-- sched:end -->" % "\n".join(lines)
    text = re.sub(r"<!-- sched:begin -->[\s\S]*?<!-- sched:end -->", sblock, text)
    with open(doc, "w") as f:
        f.write(text)
    print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
