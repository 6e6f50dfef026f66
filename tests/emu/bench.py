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
import gzip
import lzma
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import emulator  # noqa: E402
import run  # noqa: E402

def boot(case, workdir_name, timeout, **kw):
    """case's disk booted in Bochs in build/emu/WORKDIR_NAME (run_bochs'
    keyword arguments pass through); returns (Run, workdir)."""
    workdir = os.path.join(run.BUILD, "emu", workdir_name)
    os.makedirs(workdir, exist_ok=True)
    r = emulator.run_bochs(run.make_disk(case, workdir), workdir, run.cases.END_BOCHS,
                           timeout, **kw)
    return r, workdir


def put_block(text, name, body):
    """text with what stands between <!-- NAME:begin --> and <!-- NAME:end -->
    replaced by body (docs/benchmarks.md's generated tables)."""
    block = "<!-- %s:begin -->\n%s\n<!-- %s:end -->" % (name, body, name)
    return re.sub(r"<!-- %s:begin -->[\s\S]*?<!-- %s:end -->" % (name, name),
                  lambda m: block, text)


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


def bench_guest(case, workdir_name, guest_name):
    """case booted in Bochs in build/emu/WORKDIR_NAME, for the BENCH lines of
    its guest guest_name. Returns (Run, {name: ticks}, disk, workdir); the
    disk stays for a profile of the same boot."""
    workdir = os.path.join(run.BUILD, "emu", workdir_name)
    os.makedirs(workdir, exist_ok=True)
    disk = run.make_disk(case, workdir)
    r = emulator.run_bochs(disk, workdir, run.cases.END_BOCHS, 300)
    got = dict((m.group(1), int(m.group(2))) for m in
               re.finditer(r"\[guest %s\] BENCH (\S+) (\d+)" % guest_name, r.output))
    return r, got, disk, workdir


def profile_round_trip(disk, workdir, image_base, symbol, skip):
    """Instructions of one exit round trip, by function.

    Boots the same disk again under Bochs' debugger, stops at `symbol`
    `skip` times (past the warm-up), then traces until the next stop there:
    exactly one guest loop iteration with its exit. Bochs is deterministic,
    so the image sits at the same address as in the measuring run."""
    syms = symbols()
    addr = dict((n, a) for a, n in syms)[symbol] + image_base
    rc = os.path.join(workdir, "bochsrc")
    cmds = os.path.join(workdir, "trace.cmd")
    with open(cmds, "w") as f:
        f.write("lb 0x%x\n" % addr + "c\n" * skip + "trace on\nc\ntrace off\nquit\n")
    out = subprocess.run(["timeout", "600", "bochs", "-q", "-unlock", "-rc", cmds,
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


def profile_block(prof):
    """A profile as a table, Shale's sum last."""
    shale = sum(n for k, n in prof.items() if k != "(guest)")
    lines = ["| %s | %d |" % (k, n) for k, n in prof.most_common()]
    return ("| function | instructions |\n|---|---|\n%s\n| **Shale, all** | **%d** |"
            % ("\n".join(lines), shale))


# The loops of tests/guests/virtiobench.asm, in the order it prints them.
DOORBELL_WAYS = [
    ("virtio-request", "make a request available, notify through BAR0, read the ISR "
     "(as a driver's interrupt handler does)"),
    ("virtio-request-noirq", "the same with `VIRTQ_AVAIL_F_NO_INTERRUPT`: no interrupt "
     "line moves"),
    ("virtio-request-pio-noirq", "a request without interrupt, notified through the port, "
     "no ISR read"),
    ("virtio-notify-empty", "a notification with nothing available, through BAR0"),
    ("virtio-notify-empty-pio", "a notification with nothing available, through the port"),
    ("virtio-isr", "the ISR read alone (an MMIO read exit to this device)"),
    ("baseline", "the ring update alone"),
]


def doorbell_bench():
    """What a virtio doorbell costs: the case virtio-doorbell's loops, and
    a trace of one empty notification through the notify port (the
    1000 of virtio-request-pio-noirq and 30 of virtio-notify-empty-pio
    stop at notify_io first). Returns ({loop: ticks}, profile) or None."""
    case = [c for c in run.cases.CASES if c["name"] == "virtio-doorbell"][0]
    r, got, disk, workdir = bench_guest(case, "bench-doorbell", "virtiobench")
    base = re.search(r"image at (0x[0-9a-f]+)", r.output)
    if set(got) != set(w for w, _ in DOORBELL_WAYS) or not base:
        print("bench: virtiobench did not report (see %s/serial.out)" % workdir)
        return None
    prof = profile_round_trip(disk, workdir, int(base.group(1), 16), "notify_io", 1030)
    if not prof:
        print("bench: no trace of the doorbell (see %s)" % workdir)
        return None
    return got, prof


def doorbell_block(got):
    ticks, prof = got
    lines = ["| loop body | ticks |", "|---|---|"]
    lines += ["| %s | %d |" % (what, ticks[w]) for w, what in DOORBELL_WAYS]
    return "\n".join(lines) + "\n\nOne empty notification through the port, traced:\n\n" + \
        profile_block(prof)


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
    all progress lines ("P", one per 2^19 loop iterations) printed before
    the first guest finished, when every guest still competed."""
    rows = []
    for weights in SCHED_SETS:
        n = len(weights)
        cfg = "[hypervisor]\nlog = info\ntimeslice = 10ms\n\n" + "".join(
            "[guest]\nname = s%d\nkernel = spinner.bin\nmemory = 2M\nweight = %d\n\n"
            % (i, w) for i, w in enumerate(weights))
        case = dict(name="sched%d" % n, guests=[], images=["spinner"], config=cfg)
        r, _ = boot(case, "bench-sched%d" % n, 600)
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


# (guests, host CPUs) for the scaling bench: the diagonal, then more
# guests than CPUs. Bochs runs its CPUs in turn, so a 4-CPU run takes
# about four times the wall time of a 1-CPU one.
SMP_SETS = [(1, 1), (2, 2), (4, 4), (2, 1), (4, 2)]
WORK = re.compile(r"^\[guest (w\d+)\] work (\d+) blocks of (\d+) from TSC (\d+) for (\d+), "
                  r"first check at (\d+)$", re.M)
STARTUP = re.compile(r"\[shale\] start-up: (\d+) ticks from efi_main, (\d+) without loading "
                     r"images, (\d+) of them before vmm_main, (\d+) starting the other CPUs")


def smp_run(n_guests, cpus):
    """One boot: n_guests copies of tests/guests/work.asm, unpinned, on a
    machine of `cpus` CPUs. Returns the guests' iterations per million
    ticks, the CPU each ended on, how late the last guest began counting, and
    Shale's start-up figures."""
    cfg = "[hypervisor]\nlog = info\n\n" + "".join(
        "[guest]\nname = w%d\nkernel = work.bin\nmemory = 2M\n\n" % i for i in range(n_guests))
    name = "bench-smp-%dg%dc" % (n_guests, cpus)
    case = dict(name=name, guests=[], images=["work"], config=cfg)
    r, _ = boot(case, name, 300 * cpus, cpus=cpus)
    out = r.output
    # guest: (iterations, window start, window length, first check)
    work = {m.group(1): (int(m.group(2)) * int(m.group(3)), int(m.group(4)), int(m.group(5)),
                         int(m.group(6))) for m in WORK.finditer(out)}
    home = dict(re.findall(r'guest "(w\d+)": [^\n]*\n(?:  [^\n]*\n)*?  on CPU (\d+), moved', out))
    moves = [int(m) for m in re.findall(r"  on CPU \d+, moved between CPUs (\d+) times", out)]
    su = STARTUP.search(out)
    if len(work) != n_guests:
        print("bench: %s: %d of %d work lines (see %s/serial.out)"
              % (name, len(work), n_guests, workdir))
        return None
    rates = [work["w%d" % i][0] * 1e6 / work["w%d" % i][2] for i in range(n_guests)]
    starts = set(w[1:3] for w in work.values())
    if len(starts) != 1:
        # Copies that started in different WORK_ALIGN periods: their
        # counts cover different ticks and do not add up.
        print("bench: %s: the guests' windows differ: %s" % (name, sorted(starts)))
        return None
    checks = [w[3] for w in work.values()]
    return dict(guests=n_guests, cpus=cpus, rates=rates,
                # One CPU: the exit report names none.
                homes=[home.get("w%d" % i, "0" if cpus == 1 else "?") for i in range(n_guests)],
                moves=sum(moves), lag=max(checks) - min(starts)[0],
                startup=[int(x) for x in su.groups()] if su else None,
                seconds=r.seconds)


def smp_bench():
    rows = []
    for g, c in SMP_SETS:
        r = smp_run(g, c)
        if r:
            rows.append(r)
            print("%d guests on %d CPUs: %s iterations per M ticks, CPUs %s, %.0f s"
                  % (g, c, " ".join("%.0f" % x for x in r["rates"]),
                     " ".join(r["homes"]), r["seconds"]))
    return rows


def smp_block(rows):
    one = next((r for r in rows if r["guests"] == 1 and r["cpus"] == 1), None)
    lines = ["| guests | host CPUs | each guest, iterations per M ticks | CPU each ran on "
             "| all guests | per CPU | x one CPU | goal 0.95 x CPUs | moves | last guest in (ticks) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        total = sum(r["rates"])
        ratio = total / sum(one["rates"]) if one else float("nan")
        lines.append("| %d | %d | %s | %s | %.0f | %.0f | %.3f | %s | %d | %d |" % (
            r["guests"], r["cpus"], " ".join("%.0f" % x for x in r["rates"]),
            " ".join(r["homes"]), total, total / r["cpus"], ratio,
            "met" if ratio >= 0.95 * min(r["cpus"], r["guests"]) else "NOT met",
            r["moves"], r["lag"]))
    lines += ["", "| host CPUs | from efi_main | without loading images | before vmm_main "
              "| starting the other CPUs | after vmm_main, less the other CPUs |",
              "|---|---|---|---|---|---|"]
    seen = set()
    for r in rows:
        if r["startup"] and r["cpus"] not in seen:
            seen.add(r["cpus"])
            a, b, c, d = r["startup"]
            lines.append("| %d | %d | %d | %d | %d | %d |" % (r["cpus"], a, b, c, d, b - c - d))
    return "\n".join(lines)



# The IPI round trip (tests/guests/ipirtt.asm): the guest's two vCPUs on
# two host CPUs, then both on CPU 0, of a machine of two CPUs.
IPI_SETS = [("0-1", "two host CPUs, one vCPU on each"), ("0", "one host CPU, both vCPUs on it")]
IPI_WAYS = [("hlt", "vCPU 0 waits in HLT"), ("spin", "vCPU 0 spins, interrupts on")]


def ipi_bench():
    """{(pinning, way): (min, median)} of the IPI round trip, or None when
    a run did not report."""
    got = {}
    for pin, _ in IPI_SETS:
        name = "bench-ipirtt-%s" % pin.replace("-", "")
        case = dict(name=name, guests=["ipirtt"],
                    config="[hypervisor]\nlog = info\n\n[guest]\nname = ipirtt\n"
                    "kernel = ipirtt.bin\nmemory = 16M\ndevices = pc\nvcpus = 2\n"
                    "cpus = %s\n" % pin)
        r, workdir = boot(case, name, 600, cpus=2)
        for m in re.finditer(r"\[guest ipirtt\] BENCH ipirtt-(\S+) min (\d+) median (\d+)",
                             r.output):
            got[(pin, m.group(1))] = (int(m.group(2)), int(m.group(3)))
        if not all((pin, w) in got for w, _ in IPI_WAYS):
            print("bench: ipirtt (cpus = %s) did not report (see %s/serial.out)" % (pin, workdir))
            return None
    return got


def ipi_block(got):
    lines = ["| host CPUs | vCPU 0 waits | min ticks | median ticks |", "|---|---|---|---|"]
    for pin, where in IPI_SETS:
        for way, what in IPI_WAYS:
            lo, med = got[(pin, way)]
            lines.append("| %s (`cpus = %s`) | %s | %d | %d |" % (where, pin, what, lo, med))
    return "\n".join(lines)



# Both Linux boots get the same command line: quiet, so that neither spends
# its boot on console output (Bochs' own UART paces the bare kernel's,
# Shale's is instantaneous); nokaslr, so that the kernel runs at its link
# addresses in both (the entry breakpoint below is one); clearcpuid=fsrm,
# which the bare kernel needs on this CPU model and Shale does anyway.
LINUX_CMDLINE = "console=ttyS0 nokaslr quiet clearcpuid=fsrm shale.test=poweroff"
# Instructions per emulated second for the Linux runs: the TSC frequency the
# corei7_icelake_u model's CPUID reports (the bare kernel reads 1500 MHz
# there). Bochs' TSC counts instructions, so with this rate the bare kernel's
# idea of time is right, and Shale, which measures the TSC against the PIT,
# tells its guest the same frequency: both boots wait the same delays and
# take the same timer ticks per instruction.
LINUX_IPS = 1500000000
# Memory: both kernels set up about as much RAM. Bare, the kernel gets
# Bochs' 512 MiB less what OVMF keeps (with 128 MiB the EFI-stub boot
# crashes in Bochs); under Shale the guest gets 512M of a 1 GiB machine.
# /init prints MemTotal for each boot.
LINUX_BARE_MEGS = 512
LINUX_SHALE_MEGS = 1024
LINUX_GUEST_MEMORY = "512M"


def kernel_entry_address(vmlinuz):
    """The first instruction the kernel runs at its own virtual addresses.

    arch/x86/kernel/head_64.S switches from the identity mapping to the
    kernel's with `movq $1f, %rax; jmp *%rax; 1:`, once per boot on the
    boot CPU, after the decompressor and the EFI stub (bare) or Shale's
    loader are done. Found in the image itself (Debian ships no System.map)
    by that pair's bytes, 48 c7 c0 imm32 ff e0, where the sign-extended
    imm32 must be the address right after them: a match checks itself."""
    with open(vmlinuz, "rb") as f:
        img = f.read()
    setup_sects = img[0x1f1] or 4
    payload_offset, payload_length = struct.unpack_from("<II", img, 0x248)
    start = (setup_sects + 1) * 512 + payload_offset
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(
        img[start:start + payload_length])
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    found = []
    for i in range(phnum):
        ptype, pflags, off, vaddr, _, filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if ptype != 1 or not pflags & 1:  # PT_LOAD, executable
            continue
        seg = elf[off:off + filesz]
        for m in re.finditer(rb"\x48\xc7\xc0(....)\xff\xe0", seg, re.S):
            target = struct.unpack("<i", m.group(1))[0] & (2 ** 64 - 1)
            if target == vaddr + m.end():
                found.append(target)
    return found[0] if len(found) == 1 else None


def tsc_program_entry(initrd):
    """The entry address of /bin/shale-tsc (tests/linux/tsc.c), the first
    thing /init runs, from the initramfs's cpio (newc) archive."""
    with open(initrd, "rb") as f:
        cpio = gzip.decompress(f.read())
    pos = 0
    while cpio[pos:pos + 6] == b"070701":
        size = int(cpio[pos + 54:pos + 62], 16)
        namesize = int(cpio[pos + 94:pos + 102], 16)
        name = cpio[pos + 110:pos + 110 + namesize - 1]
        data = (pos + 110 + namesize + 3) & ~3
        if name.lstrip(b"./") == b"bin/shale-tsc":
            return struct.unpack_from("<Q", cpio, data + 0x18)[0]  # e_entry
        pos = (data + size + 3) & ~3
    return None


def bare_linux_disk(workdir):
    """A GPT disk whose EFI system partition holds the kernel, the initramfs
    and a startup.nsh that boots them from OVMF's shell, with no Shale."""
    esp = os.path.join(workdir, "esp.img")
    disk = os.path.join(workdir, "bare.img")
    nsh = os.path.join(workdir, "startup.nsh")
    with open(nsh, "w") as f:
        f.write("fs0:\\vmlinuz initrd=\\initrd.gz %s\r\n" % LINUX_CMDLINE)
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


def boot_with_breakpoints(disk, workdir, end, breaks, megs=512):
    """Boot disk under Bochs' debugger at LINUX_IPS, stopping once at each
    linear address in breaks (in the order they are reached) to read the
    tick count. Returns ([ticks at each stop], serial output)."""
    serial = os.path.join(workdir, "serial.out")
    if os.path.exists(serial):
        os.remove(serial)  # or the last run's end marker ends this one
    rc = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(emulator.BOCHSRC.format(memory=emulator.memory_line(megs),
                                        ovmf=emulator.OVMF,
                                        vgabios=emulator.VGABIOS,
                                        disk=os.path.abspath(disk), com1_mode="file",
                                        com1_dev=serial, com2="",
                                        log=os.path.join(workdir, "bochs.log"))
                .replace("ips=200000000", "ips=%d" % LINUX_IPS))
    cmds = os.path.join(workdir, "entry.cmd")
    with open(cmds, "w") as f:
        f.write("".join("lb 0x%x\n" % a for a in breaks) + "c\nptime\n" * len(breaks)
                + "".join("d %d\n" % (i + 1) for i in range(len(breaks))) + "c\n")
    out_path = os.path.join(workdir, "bochs.stdout")
    with open(out_path, "w") as out:
        # Line-buffered, so the debugger's answer is in the file even
        # though the run ends with a kill.
        proc = subprocess.Popen(["stdbuf", "-oL", "bochs", "-q", "-unlock", "-rc", cmds, "-f", rc],
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=workdir,
                                start_new_session=True)
        r = emulator._wait(proc, serial, end, 1800)
    with open(out_path) as f:
        ticks = [int(t) for t in re.findall(r"ptime: (\d+)", f.read())]
    return ticks, r.output


def shale_linux_run(entry, init, apicv):
    """One boot under Shale: ticks at the kernel's virtual entry and at
    /init's first program, and the VM exits by reason."""
    name = "bench-linux" + ("" if apicv else "-trap")
    cfg = ("[hypervisor]\nlog = info\n\n[guest]\nname = linux\nmode = linux\n"
           "kernel = vmlinuz\ninitrd = initrd.gz\nmemory = %s\napicv = %s\n"
           "cmdline = \"%s\"\n" % (LINUX_GUEST_MEMORY, "on" if apicv else "off",
                                     LINUX_CMDLINE))
    case = dict(name=name, guests=[], config=cfg,
                files={"vmlinuz": "build/linux/vmlinuz", "initrd.gz": "build/linux/initrd.gz"})
    wd = os.path.join(run.BUILD, "emu", name)
    os.makedirs(wd, exist_ok=True)
    ticks, out = boot_with_breakpoints(run.make_disk(case, wd), wd,
                                       run.cases.END_BOCHS,
                                       [entry, init], megs=LINUX_SHALE_MEGS)
    r = linux_run(ticks, out)
    r.update(exits=re.findall(r"^  (\S[^\n]*?)\s{2,}(\d+)\s+(\d+)\s+(\d+)$",
                              out.split('guest "linux": ')[-1], re.M))
    return r


def linux_run(ticks, out):
    t = re.search(r"SHALE-TSC (\d+)", out)
    mhz = re.search(r"SHALE-INIT: cpu MHz\s*: ([0-9.]+)", out)
    mem = re.search(r"SHALE-INIT: MemTotal:\s*(\d+ kB)", out)
    return dict(entry=ticks[0] if len(ticks) > 0 else None,
                init=ticks[1] if len(ticks) > 1 else None,
                tsc=int(t.group(1)) if t else None,
                mhz=mhz.group(1) if mhz else None,
                mem=mem.group(1) if mem else None)


def vcpu_boot_bench(counts=(1, 2, 4)):
    """The Linux boot with 1, 2 and 4 vCPUs, each on as many host CPUs:
    the kernel's own clock from its start to "Run /init" (its log, which
    /init prints; kept even with quiet), at the tests' ips. Returns
    [(vcpus, seconds, ticks at 200 M a second, "Brought up" line)]."""
    rows = []
    for n in counts:
        name = "bench-boot-%dvcpu" % n
        case = dict(name=name, guests=[], files=run.cases.LINUX_FILES,
                    config="[hypervisor]\nlog = info\n\n[guest]\nname = linux\nmode = linux\n"
                    "kernel = vmlinuz\ninitrd = initrd.gz\n"
                    "cmdline = \"console=ttyS0 quiet shale.test=poweroff\"\nmemory = 128M\n"
                    "vcpus = %d\n" % n)
        r, workdir = boot(case, name, 600 * n, megs=1024, cpus=n)
        up = re.search(r"SHALE-INIT: kernel \[ *[\d.]+\] (smp: Brought up .*)", r.output)
        t = re.search(r"SHALE-INIT: kernel \[ *([\d.]+)\] Run /init as init process", r.output)
        if not up or not t:
            print("bench: the %d-vCPU boot did not report (see %s/serial.out)" % (n, workdir))
            return None
        rows.append((n, float(t.group(1)), int(float(t.group(1)) * 200e6), up.group(1).strip()))
    return rows


def vcpu_boot_block(rows):
    lines = ["| vCPUs (host CPUs) | kernel start to /init, its clock | ticks (200 M a second) | the kernel says |",
             "|---|---|---|---|"]
    for n, sec, ticks, up in rows:
        lines.append("| %d (%d) | %.3f s | %d | %s |" % (n, n, sec, ticks, up))
    return "\n".join(lines)



def linux_bench():
    """The Linux boot under Shale (local APIC virtualized, and trapped)
    against the same kernel and initramfs booted bare in the same Bochs."""
    entry = kernel_entry_address(os.path.join(run.BUILD, "linux", "vmlinuz"))
    init = tsc_program_entry(os.path.join(run.BUILD, "linux", "initrd.gz"))
    if None in (entry, init):
        return None
    runs = dict(entry_address=entry, init_address=init)
    runs["apicv"] = shale_linux_run(entry, init, True)
    runs["trap"] = shale_linux_run(entry, init, False)
    bwd = os.path.join(run.BUILD, "emu", "bench-linux-bare")
    os.makedirs(bwd, exist_ok=True)
    # OVMF in Bochs gives the bare kernel no ACPI: poweroff only halts.
    ticks, out = boot_with_breakpoints(bare_linux_disk(bwd), bwd,
                                       ["Power down", "System halted"], [entry, init],
                                       megs=LINUX_BARE_MEGS)
    runs["bare"] = linux_run(ticks, out)
    return runs


def linux_block(runs):
    """The docs/benchmarks.md block for linux_bench()'s figures."""
    if runs is None:
        return "No figures: the kernel's entry or /bin/shale-tsc was not found."
    bare, rows = runs["bare"], []
    missing = [k for k in ("bare", "apicv", "trap")
               if None in (runs[k]["entry"], runs[k]["init"])]
    rows.append("Breakpoints: kernel entry 0x%x, /bin/shale-tsc 0x%x. Command line: `%s`. "
                "Bochs at ips=%d with %d MiB for the bare boot, %d MiB for Shale's "
                "(guest memory %s)." % (runs["entry_address"], runs["init_address"],
                                        LINUX_CMDLINE, LINUX_IPS, LINUX_BARE_MEGS,
                                        LINUX_SHALE_MEGS, LINUX_GUEST_MEMORY))
    rows.append("")
    rows.append("| boot | kernel entry (tick) | /init's first program (tick) | entry to /init "
                "| ratio to bare | SHALE-TSC minus that tick | cpu MHz | MemTotal |")
    rows.append("|---|---|---|---|---|---|---|---|")
    for key, what in (("bare", "bare (OVMF, EFI stub)"),
                      ("apicv", "under Shale, local APIC virtualized"),
                      ("trap", "under Shale, local APIC trapped (`apicv = off`)")):
        r = runs[key]
        ok = key not in missing
        span = r["init"] - r["entry"] if ok else None
        ratio = ("%.4fx" % (span / (bare["init"] - bare["entry"]))
                 if ok and "bare" not in missing and key != "bare" else "")
        tsc = r["tsc"] - r["init"] if ok and r["tsc"] is not None else None
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            what, r["entry"], r["init"], span, ratio, tsc, r["mhz"], r["mem"]))
    if missing:
        rows += ["", "A tick count is missing for: %s." % ", ".join(missing)]
    for key, what in (("apicv", "local APIC virtualized"), ("trap", "local APIC trapped")):
        rows += ["", "| VM exits, whole boot to poweroff, %s | count | cycles in Shale | average |" % what,
                 "|---|---|---|---|"]
        rows += ["| %s | %s | %s | %s |" % e for e in runs[key]["exits"]]
    return "\n".join(rows)



CONSOLE_WAYS = [("16550", "COM1, one OUT a byte"),
                ("virtio-16", "virtio-console, 16-byte chains (Linux's hvc console for kernel messages)"),
                ("virtio-64", "virtio-console, 64-byte chains (a line per write)"),
                ("virtio-4096", "virtio-console, 4096-byte chains (a tty's burst)"),
                ("virtio-msix-16", "virtio-console with MSI-X, 16-byte chains"),
                ("virtio-msix-64", "virtio-console with MSI-X, 64-byte chains"),
                ("virtio-msix-4096", "virtio-console with MSI-X, 4096-byte chains")]


def console_bench():
    """VM exits per KiB of the same console text through COM1 and through
    virtio-console (tests/guests/consbench.asm). Returns {way: (exits,
    bytes)}, or None when the guest did not report."""
    case = dict(name="consbench", guests=["consbench"],
                config="[hypervisor]\nlog = info\n\n[guest]\nname = consbench\n"
                "kernel = consbench.bin\nmemory = 16M\ndevices = pc, virtio-console\n")
    r, workdir = boot(case, "bench-console", 300)
    got = dict((m.group(1), (int(m.group(2)), int(m.group(3)))) for m in
               re.finditer(r"\[guest consbench\] BENCH console-(\S+) (\d+) (\d+)", r.output))
    if set(got) != set(w for w, _ in CONSOLE_WAYS):
        print("bench: consbench did not report (see %s/serial.out)" % workdir)
        return None
    return got


def console_block(got):
    base = got["16550"][0] * 1024.0 / got["16550"][1]
    lines = ["| path | bytes | VM exits | exits per KiB | fewer than the 16550 |",
             "|---|---|---|---|---|"]
    for way, what in CONSOLE_WAYS:
        exits, size = got[way]
        per = exits * 1024.0 / size
        lines.append("| %s | %d | %d | %.2f | %s |" % (
            what, size, exits, per, "%.0fx" % (base / per) if per else "-"))
    return "\n".join(lines)


BLK_WAYS = [("write-4k", "write, 4 KiB requests, INTx"), ("read-4k", "read, 4 KiB requests, INTx"),
            ("write-64k", "write, 64 KiB requests, INTx"), ("read-64k", "read, 64 KiB requests, INTx"),
            ("msix-write-4k", "write, 4 KiB requests, MSI-X"),
            ("msix-read-4k", "read, 4 KiB requests, MSI-X"),
            ("msix-write-64k", "write, 64 KiB requests, MSI-X"),
            ("msix-read-64k", "read, 64 KiB requests, MSI-X")]


def blk_bench():
    """VM exits and ticks per virtio-blk request (tests/guests/blkbench.asm).
    Returns {way: (exits, ticks, bytes, requests)}, or None."""
    case = dict(name="blkbench", guests=["blkbench"], files={"bench.img": 1 << 20},
                config="[hypervisor]\nlog = info\n\n[guest]\nname = blkbench\n"
                "kernel = blkbench.bin\nmemory = 16M\ndevices = pc\ndisk = bench.img, rw\n")
    r, workdir = boot(case, "bench-blk", 300)
    got = dict((m.group(1), tuple(int(m.group(i)) for i in range(2, 6))) for m in
               re.finditer(r"\[guest blkbench\] BENCH blk-(\S+) (\d+) (\d+) (\d+) (\d+)",
                           r.output))
    if set(got) != set(w for w, _ in BLK_WAYS):
        print("bench: blkbench did not report (see %s/serial.out)" % workdir)
        return None
    return got


def blk_block(got):
    lines = ["| way (1 MiB each) | requests | VM exits | exits per request | exits per KiB | ticks per KiB |",
             "|---|---|---|---|---|---|"]
    for way, what in BLK_WAYS:
        exits, ticks, size, reqs = got[way]
        lines.append("| %s | %d | %d | %.2f | %.3f | %.0f |" % (
            what, reqs, exits, exits / reqs, exits * 1024.0 / size, ticks * 1024.0 / size))
    return "\n".join(lines)



# The clocks of the hvc0 boot: the tests' ips, at which the kernel takes
# itself for a 200 MHz CPU, and the CPU model's own 1.5 GHz (LINUX_IPS).
HVC_IPS = (200000000, LINUX_IPS)
HVC_CONSOLES = ("ttyS0", "hvc0")


def hvc_boot_bench():
    """The Linux boot's VM exits to poweroff with its console on ttyS0 and on
    hvc0 (devices = virtio-console, not quiet), at each clock of HVC_IPS.
    Returns {(console, ips): (total, {reason: count}, uptime, timer
    interrupts)}, or None."""
    runs = {}
    for ips in HVC_IPS:
        for console in HVC_CONSOLES:
            name = "bench-boot-%s-%dM" % (console, ips // 1000000)
            case = dict(name=name, guests=[], files=run.cases.LINUX_FILES,
                        config="[hypervisor]\nlog = info\n\n[guest]\nname = linux\n"
                        "mode = linux\nkernel = vmlinuz\ninitrd = initrd.gz\n"
                        "cmdline = \"console=%s shale.test=poweroff\"\nmemory = 128M\n"
                        "devices = virtio-console\n" % console)
            r, workdir = boot(case, name, 900, ips=ips)
            m = re.search(r'guest "linux": (\d+) VM exits, ran \d+ ms\n.*\n((?:  \S.*\n)+)',
                          r.output)
            up = re.search(r"SHALE-INIT: uptime ([0-9.]+)", r.output)
            loc = re.search(r"SHALE-INIT: interrupts local timer (\d+)", r.output)
            if not m or not up or not loc:
                print("bench: no exit report from the %s boot (see %s/serial.out)"
                      % (console, workdir))
                return None
            reasons = dict((x.group(1).strip(), int(x.group(2))) for x in
                           re.finditer(r"^  (\S[^\n]*?) +(\d+) +\d+ +\d+$", m.group(2), re.M))
            runs[(console, ips)] = (int(m.group(1)), reasons, float(up.group(1)),
                                    int(loc.group(1)))
    return runs


def hvc_block(runs):
    keys = [(c, i) for i in HVC_IPS for c in HVC_CONSOLES]
    names = sorted(set(n for k in keys for n in runs[k][1]))
    lines = ["| exit reason | " + " | ".join("console=%s, %d MHz" % (c, i // 1000000)
                                            for c, i in keys) + " |",
             "|---" * (len(keys) + 1) + "|"]
    for n in names:
        lines.append("| %s | %s |" % (n, " | ".join(str(runs[k][1].get(n, 0)) for k in keys)))
    lines.append("| **all** | %s |" % " | ".join("**%d**" % runs[k][0] for k in keys))
    lines.append("| the guest's uptime at /init's end | %s |"
                 % " | ".join("%.2f s" % runs[k][2] for k in keys))
    lines.append("| its local timer interrupts by then | %s |"
                 % " | ".join(str(runs[k][3]) for k in keys))
    lines.append("| ttyS0's exits over hvc0's | %s |" % " | ".join(
        "%.1f" % (runs[("ttyS0", i)][0] / runs[(c, i)][0]) if c == "hvc0" else ""
        for c, i in keys))
    return "\n".join(lines)




def net_bench():
    """Two Linux guests on one switch (tests/linux/init's net-bench and
    net-recv): 20 pings, then 1 MiB over TCP, lin1 to lin2. Before and
    after each, the shell's exits for both guests and net (the receive
    hand-over outside exits). Returns {"ping": (...), "tcp": (...)} of
    (exits, Shale ticks, units) with the guest's ping lines, or None."""
    shell = [(r'shale> ', b"exits lin1\r"), (r'shale> ', b"exits lin2\r"),
             (r'shale> ', b"net\r"), (r'shale> ', b"exit\r"), (r'shell closed', b"go\r")]
    script = []
    for mark in ("bench ping ready", "bench tcp ready", "bench tcp done"):
        script += [(r'SHALE-INIT: ' + mark, b"\x01:")] + shell
    case = dict(name="bench-net", guests=[], files=run.cases.LINUX_FILES,
                config="[hypervisor]\nlog = info\n\n"
                + run.cases.linux_guest("lin1", "shale.test=net-bench shale.ip=10.0.0.1 "
                                        "shale.peer=10.0.0.2", extra="net = lan0")
                + run.cases.linux_guest("lin2", "shale.test=net-recv shale.ip=10.0.0.2",
                                        extra="net = lan0"))
    r, workdir = boot(case, "bench-net", 1800, script=script, cpus=2)
    got = net_parse(r.output)
    if got is None:
        print("bench: the network bench did not finish (see %s/serial.out)" % workdir)
    return got


def net_parse(out):
    """net_bench's figures from the serial log, or None."""
    out = out.replace("\r", "")
    snaps = [[0, 0] for _ in range(3)]
    for name in ("lin1", "lin2"):
        blocks = re.findall(r'\[vm\] guest "%s": \d+ VM exits, ran \d+ ms\n  exit reason[^\n]*\n'
                            r'((?:  [^\n]*\n)+)' % name, out)
        if len(blocks) < 3:
            return None
        for i in range(3):
            for x in re.finditer(r"^  \S[^\n]*? +(\d+) +(\d+) +\d+$", blocks[i], re.M):
                snaps[i][0] += int(x.group(1))
                snaps[i][1] += int(x.group(2))
    handover = [int(x) for x in re.findall(r"  lin[12]/eth0 .*rx hand-over (\d+) ticks\n", out)]
    if len(handover) < 6:
        return None
    for i in range(3):
        snaps[i][1] += handover[2 * i] + handover[2 * i + 1]
    ping = re.findall(r"SHALE-INIT: bench ping (\d+ packets .*|round-trip .*)", out)
    done = re.search(r"SHALE-INIT: bench tcp done (\d+) bytes", out)
    got = re.search(r"\[guest lin2\] SHALE-INIT: net received [0-9a-f]{32} (\d+) bytes", out)
    if len(ping) != 2 or not done or not got or got.group(1) != done.group(1):
        return None
    return {"ping": (snaps[1][0] - snaps[0][0], snaps[1][1] - snaps[0][1], 20, ping),
            "tcp": (snaps[2][0] - snaps[1][0], snaps[2][1] - snaps[1][1],
                    int(done.group(1)) // 1024)}


def net_block(got):
    exits, ticks, n, ping = got["ping"]
    texits, tticks, kib = got["tcp"]
    return "\n".join([
        "| what | VM exits (both guests) | Shale ticks | per unit |",
        "|---|---|---|---|",
        "| 20 pings, lin1 to lin2 | %d | %d | %.1f exits, %d ticks a round trip |"
        % (exits, ticks, exits / n, ticks // n),
        "| %d KiB over TCP (busybox nc) | %d | %d | %.2f exits, %d ticks a KiB |"
        % (kib, texits, tticks, texits / kib, tticks // kib),
        "",
        "The guest's own ping figures (its clock: 200 MHz of Bochs ticks): %s."
        % "; ".join(ping)])


def sched_block(rows):
    lines = ["| guests | weights | progress lines while all ran | worst share error | ticks per switch | switches |",
             "|---|---|---|---|---|---|"]
    for n, weights, counts, total, worst, ticks, sw in rows:
        lines.append("| %d | %s | %s | %.1f%% | %d | %d |" % (
            n, " ".join(map(str, weights)), " ".join(map(str, counts)),
            worst * 100, ticks, sw))
    return "\n".join(lines)


# make bench BENCH=FLAG: one part alone, written into its table.
# (flag, run it, its table, the table's name in docs/benchmarks.md, what)
ONLY = [("--linux-only", linux_bench, linux_block, "linux", "Linux boot only"),
        ("--smp-only", smp_bench, smp_block, "smp",
         "SMP scaling and start-up only"),
        ("--ipi-only", ipi_bench, ipi_block, "ipi", "IPI round trip only"),
        ("--console-only", console_bench, console_block, "console",
         "console exits only"),
        ("--vcpu-boot-only", vcpu_boot_bench, vcpu_boot_block, "vcpuboot",
         "Linux boot by vCPUs only"),
        ("--hvc-only", hvc_boot_bench, hvc_block, "hvc", "hvc0 boot only"),
        ("--blk-only", blk_bench, blk_block, "blk", "block exits only"),
        ("--net-only", net_bench, net_block, "net", "network only"),
        ("--doorbell-only", doorbell_bench, doorbell_block, "doorbell", "virtio doorbell only"),
        ("--sched-only", sched_bench, sched_block, "sched",
         "scheduler only")]
# The whole bench, after the exit costs: (run it, its table, its name), in
# this order; --exits-only stops between the two lists.
FULL_BEFORE_EXITS_ONLY = [(doorbell_bench, doorbell_block, "doorbell"),
                          (console_bench, console_block, "console"),
                          (blk_bench, blk_block, "blk")]
FULL_AFTER = [(vcpu_boot_bench, vcpu_boot_block, "vcpuboot"),
              (hvc_boot_bench, hvc_block, "hvc"),
              (net_bench, net_block, "net"),
              (linux_bench, linux_block, "linux"),
              (sched_bench, sched_block, "sched"),
              (smp_bench, smp_block, "smp"),
              (ipi_bench, ipi_block, "ipi")]


def add_block(text, bench, block, name):
    """Run one part of the bench; its table into text when it reported."""
    got = bench()
    if got is None:
        return text
    print(block(got))
    return put_block(text, name, block(got))


def main():
    doc = os.path.join(run.ROOT, "docs", "benchmarks.md")
    for flag, bench, block, name, what in ONLY:
        if flag not in sys.argv:
            continue
        got = bench()
        if got is None:
            return 1
        print(block(got))
        with open(doc) as f:
            text = f.read()
        with open(doc, "w") as f:
            f.write(put_block(text, name, block(got)))
        print("wrote docs/benchmarks.md (%s)" % what)
        return 0
    if "--startup-only" in sys.argv:
        # The start-up figures alone: the diagonal boots of the SMP bench.
        rows = [r for r in (smp_run(g, c) for g, c in SMP_SETS if g == c) if r]
        for r in rows:
            print("%d CPUs: start-up %s" % (r["cpus"], r["startup"]))
        return 0
    case = dict(name="bench", guests=["bench"],
                config="[hypervisor]\nlog = info\n\n[guest]\nname = bench\n"
                "kernel = bench.bin\nmemory = 16M\ndevices = testdev\n")
    r, got, disk, workdir = bench_guest(case, "bench", "bench")
    if "baseline" not in got or len(got) < len(OPS) + 1:
        print("bench: the bench guest did not report%s (see %s/serial.out)" % (
            ": " + r.ended_by if r.exited or r.timed_out else "", workdir))
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

    with open(doc) as f:
        text = f.read()
    text = put_block(text, "bench", "| operation | path through Shale | ticks per operation | "
                     "minus the empty loop (%d) |\n|---|---|---|---|\n%s\n\n`shale.efi`: %d bytes."
                     % (base, table, size))
    base = re.search(r"image at (0x[0-9a-f]+)", r.output)
    prof = (profile_round_trip(disk, workdir, int(base.group(1), 16), "exit_cpuid", 30)
            if base else None)
    if prof:
        text = put_block(text, "profile", profile_block(prof))
        print("CPUID round trip: %d instructions in Shale"
              % sum(n for k, n in prof.items() if k != "(guest)"))
    for bench, block, name in FULL_BEFORE_EXITS_ONLY:
        text = add_block(text, bench, block, name)
    if "--exits-only" in sys.argv:
        with open(doc, "w") as f:
            f.write(text)
        print("wrote docs/benchmarks.md (exit costs only)")
        return 0
    for bench, block, name in FULL_AFTER:
        text = add_block(text, bench, block, name)
    with open(doc, "w") as f:
        f.write(text)
    print("wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
