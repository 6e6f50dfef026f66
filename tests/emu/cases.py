# SPDX-License-Identifier: MIT
"""The integration tests: each boots the real shale.efi from a real GPT disk
in an emulator and asserts what appears on the serial console.

A guest test expects every check its guest's source names (see
tests/guests/README.md) to print PASS, no FAIL line, and the exit status the
case gives. Other cases list the lines they expect and those they must not
see, as regular expressions.
"""

import bisect
import datetime
import os
import re
import subprocess

from emulator import END_SHALE  # noqa: E402

# Lines that end a run early: Shale halts (Bochs) or returns to the
# firmware, which then starts its shell (QEMU). Regular expressions; ^ is
# the start of a line, so only Shale's own lines count (tests/emu/emulator.py).
END_BOCHS = END_SHALE
END_QEMU = [r"UEFI Interactive Shell", r"^\[shale\] firmware exited; Shale owns the machine"]


def guest(name, extra="", memory="16M", image=None):
    """One [guest] section for a test guest image NAME.bin (or IMAGE.bin)."""
    return "[guest]\nname = %s\nkernel = %s.bin\nmemory = %s\n%s\n" % (
        name, image or name, memory, extra)


HV = "[hypervisor]\nlog = info\n\n"

LINUX_FILES = {"vmlinuz": "build/linux/vmlinuz", "initrd.gz": "build/linux/initrd.gz"}

# Debian's kernel believes what it is told: with ARCH_CAPABILITIES offered
# (Bochs says RDCL_NO, SSB_NO) it needs no page-table isolation, and it
# finds the speculation controls it can use (vmm/cpuid.c, arch/x86/
# spec_ctrl.c). Checked in the linux-shell boot, from its shell.
LINUX_SPEC_EXPECT = [r'\[guest linux\] meltdown:Not affected',
                     r'\[guest linux\] l1tf:Not affected',
                     r'\[guest linux\] spec_store_bypass:Not affected',
                     r'\[guest linux\] spectre_v2:.*IBPB: conditional']
LINUX_SPEC_REJECT = [r'page tables isolation: enabled', r"(?m)^\[spec\] error"]


def linux_guest(name, test, memory="128M", extra=""):
    """A mode = linux guest with the test kernel and initramfs."""
    return ("[guest]\nname = %s\nmode = linux\nkernel = vmlinuz\ninitrd = initrd.gz\n"
            "cmdline = \"console=ttyS0 %s\"\nmemory = %s\n%s\n" % (name, test, memory, extra))


# The guest's clock comes from the host's RTC, which Bochs sets from the
# host's clock at start: today, or yesterday/tomorrow around midnight.
_today = datetime.date.today()
DATES = [str(_today + datetime.timedelta(days=d)) for d in (-1, 0, 1)]

def nm_functions():
    """{offset: [names]} of the functions in build/shale.so, whose symbol
    values are offsets into the image (linker.ld links it at 0)."""
    elf = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "build", "shale.so")
    out = subprocess.run(["nm", elf], capture_output=True, text=True,
                         check=True).stdout
    funcs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT" and parts[2] not in ("_text", "_etext"):
            funcs.setdefault(int(parts[0], 16), []).append(parts[2])
    return funcs


HOST_ADDRESS = re.compile(r"^  (at|#\d+)  0x([0-9a-f]{16})  (\S+)\+0x([0-9a-f]+)"
                          r"  \(image offset 0x([0-9a-f]+)\)$", re.M)


def host_addresses(out):
    """Every host address Shale named in out, checked against nm of the
    build, not against Shale's own table: its image offset is the address
    minus the image base Shale logged at start, and function + delta is
    the function nm puts there (a return address, in a backtrace, by the
    call before it). Returns a list of problems."""
    base = re.search(r"image at 0x([0-9a-f]+)", out)
    lines = HOST_ADDRESS.findall(out)
    if not base or not lines:
        return ["no image base or no named host address"]
    funcs = nm_functions()
    starts = sorted(funcs)
    problems = []
    for kind, addr, name, delta, off in lines:
        addr, delta, off = int(addr, 16), int(delta, 16), int(off, 16)
        back = 0 if kind == "at" else 1
        i = bisect.bisect_right(starts, off - back) - 1
        if off != addr - int(base.group(1), 16):
            problems.append("%s: image offset 0x%x is not address - base" % (kind, off))
        elif i < 0 or name not in funcs[starts[i]] or starts[i] + delta != off:
            problems.append("%s: %s+0x%x, but nm puts %s+0x%x at 0x%x" % (
                kind, name, delta, "/".join(funcs[starts[i]]) if i >= 0 else "nothing",
                off - starts[i] if i >= 0 else 0, off))
    return problems


GPR_NAMES = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
             "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"]


def triple_fault_report(out):
    """The crash report of tests/guests/triple.asm, field by field, against
    what the guest printed of its own state and the register values it
    loaded before the triple fault (GPR number n holds n * 0x0101...01).
    Returns a list of problems."""
    problems = []
    state = re.search(r"\[guest triple\] triple-state cr0 0x([0-9a-f]+) cr3 0x([0-9a-f]+)"
                      r" rsp 0x([0-9a-f]+) rip 0x([0-9a-f]+)\n", out)
    start = out.find('[dump] guest "triple" vcpu 0: triple fault\n')
    crashed = re.search(r'\[vm\] error: guest "triple" crashed: triple fault at RIP 0x([0-9a-f]+)\n',
                        out)
    policy = out.find('guest "triple" destroyed; the hypervisor goes on')
    if not state or start < 0 or not crashed:
        return ["triple: no triple-state line, dump or crash line"]
    cr0, cr3, rsp, rip = (int(x, 16) for x in state.groups())
    if not start < crashed.start() < policy:
        problems.append("triple: expected dump, then crash line, then on_crash policy")
    dump = out[start:crashed.start()]

    # The registers, as the guest left them.
    for n, name in enumerate(GPR_NAMES):
        want = rsp if name == "RSP" else n * 0x0101010101010101
        if not re.search(r"  %-3s %016x  " % (name, want) + "|  %-3s %016x\n" % (name, want),
                         dump):
            problems.append("triple: register %s is not %016x" % (name, want))

    # The VMCS, each field by its SDM name.
    f = dict((k, int(v, 16)) for k, v in re.findall(r"\b([A-Z][A-Z0-9_]+) +([0-9a-f]{16})\b", dump))
    mask = f.get("CR0_GUEST_HOST_MASK", 0)
    seen_cr0 = (f.get("GUEST_CR0", -1) & ~mask) | (f.get("CR0_READ_SHADOW", -1) & mask)
    for what, got, want in [("GUEST_RIP", f.get("GUEST_RIP"), rip),
                            ("GUEST_RSP", f.get("GUEST_RSP"), rsp),
                            ("GUEST_CR3", f.get("GUEST_CR3"), cr3),
                            ("CR0 as the guest reads it", seen_cr0, cr0),
                            ("VM_EXIT_REASON", f.get("VM_EXIT_REASON"), 2),
                            # SDM Vol. 3C, 28.2.1: cleared for this exit.
                            ("EXIT_QUALIFICATION", f.get("EXIT_QUALIFICATION"), 0),
                            ("RIP in the crash line", int(crashed.group(1), 16), rip)]:
        if got != want:
            problems.append("triple: %s is %s, expected 0x%x" % (
                what, "missing" if got is None else "0x%x" % got, want))

    # The last exits from the trace ring: as many as it made (at most 16),
    # oldest first, ending with the triple fault itself; tracing was off,
    # so no RIP or qualification.
    trace = re.search(r"  last (\d+) exits, oldest first.*\n  tsc +reason +rip +qualification\n"
                      r"((?:  [0-9a-f]{8}   .*\n)*)", dump)
    total = re.search(r'guest "triple": (\d+) VM exits', out)
    if not trace or not total:
        return problems + ["triple: no trace of the last exits, or no exit count"]
    rows = re.findall(r"  ([0-9a-f]{8})   (\S.*?) +(\S+) +(\S+)\n", trace.group(2))
    want_rows = min(16, int(total.group(1)))
    if int(trace.group(1)) != want_rows or len(rows) != want_rows:
        problems.append("triple: %s exits traced (%d rows), expected %d" % (
            trace.group(1), len(rows), want_rows))
    if not rows or rows[-1][1].strip() != "triple fault":
        problems.append("triple: the last traced exit is not the triple fault")
    if any(r[2:] != ("-", "-") for r in rows):
        problems.append("triple: RIP or qualification shown with tracing off")
    tscs = [int(r[0], 16) for r in rows]
    if tscs != sorted(tscs):
        problems.append("triple: traced exits not oldest first")
    return problems


# The harness itself (tests/emu/emulator.py, run.py). Each would pass, or
# crash the runner, without what it guards.
HARNESS_CASES = [
    # Bochs must not need the host's sound: with an ALSA that has no
    # configuration at all, Debian's Bochs aborts unless its sound driver
    # is the dummy one.
    dict(name="harness-no-alsa", guests=["after"], config=HV + guest("after"),
         env={"ALSA_CONFIG_PATH": "{workdir}/empty-alsa.conf"},
         workfiles={"empty-alsa.conf": ""}),
    # Bochs cannot start (its disk is missing): one line with its status
    # and its own words, and a FAIL. (Bochs' status after such a panic is 1,
    # or SIGSEGV when its tear-down crashes.)
    dict(name="harness-missing-disk", guests=["after"], config=HV + guest("after"),
         disk_missing=True,
         expect_fail=[r"^Bochs exited at start \((status 1|SIGSEGV)\): ata0-0: could not open "
                      r"hard drive image file '.*no-such-disk\.img'"]),
    # Bochs dies under a running guest: a FAIL that says so.
    dict(name="harness-killed", guests=[], images=["spin"], config=HV + guest("spin"),
         kill_after=r"\[guest spin\] PASS spin-started",
         expect_fail=[r"^Bochs was killed mid-run \(SIGKILL\)"]),
    # A guest prints Shale's end and failure lines: they neither end nor
    # fail its run, and its forged exit status does not count.
    dict(name="harness-impostor", guests=["impostor"], config=HV + guest("impostor"),
         status={"impostor": 4},
         expect=[r"\[guest impostor\] \[panic\] Shale halted this CPU\n",
                 r"\[guest impostor\] \[shale\] all guests have stopped"],
         reject=[r'(?m)^\[vm\] guest "impostor" exited with status 0']),
]

def exit_budgets(guest_name="bench"):
    """A check: each operation of guest_name's BENCH lines within its
    budget in tests/emu/exit_budgets.txt (the lines after [guest_name];
    the bench guest's come first). The check returns a list of problems."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exit_budgets.txt")
    budgets = {}
    section = "bench"
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].split()
            if len(line) == 1 and line[0].startswith("["):
                section = line[0].strip("[]")
            elif line and section == guest_name:
                budgets[line[0]] = int(line[1])

    def check(out):
        got = dict((m.group(1), int(m.group(2))) for m in
                   re.finditer(r"^\[guest %s\] BENCH (\S+) (\d+)$" % guest_name, out, re.M))
        problems = []
        for op, budget in budgets.items():
            if op not in got:
                problems.append("exit cost of %s: not measured" % op)
            elif got[op] > budget:
                problems.append("exit cost of %s: %d ticks, over its budget of %d "
                                "(tests/emu/exit_budgets.txt)" % (op, got[op], budget))
        return problems
    return check


CASES = HARNESS_CASES + [
    # The exit paths' costs, held to their budgets (deterministic counts).
    dict(name="exit-costs", guests=["bench"],
         config=HV + guest("bench", "devices = testdev"), checks=[exit_budgets()]),
    dict(name="cpuid", guests=["cpuid"], config=HV + guest("cpuid")),
    dict(name="msr", guests=["msr"], config=HV + guest("msr")),
    dict(name="io", guests=["io"],
         config=HV + guest("io", "devices = testdev")),
    dict(name="mmio", guests=["mmio"],
         config=HV + guest("mmio", "devices = testdev")),
    dict(name="hlt", guests=["hlt"], config=HV + guest("hlt")),
    dict(name="vmcall", guests=["vmcall", "exit7"],
         config=HV + guest("vmcall") + guest("exit7"),
         status={"vmcall": 0, "exit7": 7}),
    dict(name="vmxon", guests=["vmxon"], config=HV + guest("vmxon")),
    dict(name="cr", guests=["cr"], config=HV + guest("cr"),
         optional=["cr-xsetbv-skipped", "cr-cr4-osxsave", "cr-xsetbv-valid",
                   "cr-xsetbv-readback", "cr-xsetbv-invalid",
                   "cr-xsetbv-reserved-bit", "cr-xsetbv-bad-index",
                   "cr-xsetbv-avx-without-sse"]),
    dict(name="realmode", guests=["realmode"],
         config=HV + guest("realmode", "mode = real\nload = 0x10000")),
    # A guest that reads outside its memory is stopped with a report, and
    # the hypervisor goes on to run the next guest.
    dict(name="outside-memory", guests=["outside", "after"],
         config=HV + guest("outside") + guest("after"),
         status={"outside": None},
         expect=[r'\[vm\] error: guest "outside" crashed: read at guest-physical '
                 r'0x80000000, outside its memory \(0-0xffffff\) and devices',
                 r'guest "outside" destroyed; the hypervisor goes on',
                 r'\[guest after\] PASS after-ran',
                 r'guest "after" exited with status 0']),
    # A triple fault stops the guest with a report of its state: registers,
    # VMCS, the last exits, then its on_crash policy (destroy).
    dict(name="triple-fault", guests=["triple", "after"],
         config=HV + guest("triple") + guest("after"),
         status={"triple": None},
         expect=[r'\[dump\] guest "triple" vcpu 0: triple fault',
                 r'  -- guest state\n', r'  -- exit information\n',
                 r'guest "triple" crashed: triple fault at RIP 0x',
                 r'guest "after" exited with status 0'],
         checks=[triple_fault_report]),
    # An exception in the hypervisor itself: exception, registers, backtrace,
    # then Shale halts (the test device injects it on request).
    dict(name="hypervisor-exception", guests=["hvfault"], allow_panic=True,
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("hvfault", "devices = testdev"),
         status={"hvfault": None},
         expect=[r'\[panic\] hypervisor exception #UD invalid opcode \(vector 6\), error code 0x0',
                 r'  RIP [0-9a-f]{16}  CS 0008  RFLAGS [0-9a-f]{16}',
                 r'  RSP [0-9a-f]{16}  SS 0010  CR2 [0-9a-f]{16}  CR3 [0-9a-f]{16}',
                 r'  R12 [0-9a-f]{16}',
                 # The ud2 is in selftest_inject_fault; the exit that led
                 # there went through exit_io and vmx_run.
                 r'  at  0x[0-9a-f]{16}  selftest_inject_fault\+0x[0-9a-f]+  \(image offset 0x[0-9a-f]+\)\n',
                 r'backtrace:\n  #0  0x[0-9a-f]{16}  \w+\+0x[0-9a-f]+  \(image offset 0x[0-9a-f]+\)\n'
                 r'(  #\d+  .*\n)*  #\d+  0x[0-9a-f]{16}  exit_io\+0x[0-9a-f]+  .*\n'
                 r'(  #\d+  .*\n)*  #\d+  0x[0-9a-f]{16}  vmx_run\+0x[0-9a-f]+  .*\n',
                 r'\[panic\] Shale halted this CPU'],
         checks=[host_addresses],
         reject=[r'guest "hvfault" exited']),
    # A VMREAD in the hypervisor fails: the field, the SDM's text for the
    # error, the caller by name, a backtrace, then Shale halts.
    dict(name="vmread-failure", guests=["vmreadfault"], allow_panic=True,
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("vmreadfault", "devices = testdev"),
         status={"vmreadfault": None},
         expect=[r'\[panic\] VMREAD of field 0x6bfe failed: VMREAD/VMWRITE from/to unsupported VMCS component'
                 r' \(VM-instruction error 12\), in selftest_inject_fault\+0x[0-9a-f]+, called from \w+\+0x[0-9a-f]+\n'
                 r'backtrace:\n  #0  0x[0-9a-f]{16}  vmx_op_failed\+0x[0-9a-f]+  .*\n'
                 r'  #1  0x[0-9a-f]{16}  selftest_inject_fault\+0x[0-9a-f]+  .*\n',
                 r'\[panic\] Shale halted this CPU'],
         checks=[host_addresses],
         reject=[r'guest "vmreadfault" exited']),
    # VMRESUME fails (broken host state): the SDM's text for the error, a
    # dump, the guest stopped, the next guest runs.
    dict(name="vmresume-failure", guests=["hostfault", "after"],
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("hostfault", "devices = testdev") + guest("after"),
         status={"hostfault": None},
         expect=[r'VMRESUME failed for guest "hostfault": VM entry with invalid host-state field\(s\) \(VM-instruction error 8\)',
                 r'\[dump\] guest "hostfault" vcpu 0: VM entry failed',
                 r'guest "hostfault" crashed: VMRESUME failed',
                 r'guest "after" exited with status 0']),
    # The VM entry fails on guest state: the failed guest-state rule named.
    dict(name="vmentry-failure", guests=["guestfault", "after"],
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("guestfault", "devices = testdev") + guest("after"),
         status={"guestfault": None},
         expect=[r'VM entry failed for guest "guestfault": VM-entry failure: invalid guest state',
                 r'guest-state check that fails: RFLAGS reserved bits',
                 # The failed entry is the last exit in the report.
                 r'  [0-9a-f]{8}   VM-entry failure: invalid guest state +- +-\n[^ ]',
                 r'guest "guestfault" crashed: VM entry failed',
                 r'guest "after" exited with status 0']),
    # Several guests at once: three copies of one chatty guest and three
    # test guests. Each copy's lines must arrive whole, in order, under its
    # own name; every guest finishes.
    dict(name="many-guests", guests=["cpuid", "mmio", "hlt"], images=["chatter"],
         config=HV + guest("c1", image="chatter") + guest("c2", image="chatter")
         + guest("c3", image="chatter") + guest("cpuid")
         + guest("mmio", "devices = testdev") + guest("hlt"),
         sequence={"c1": 40, "c2": 40, "c3": 40},
         expect=[r'guest "c%d" exited with status 0' % i for i in (1, 2, 3)]
         + [r'\[guest c1\] PASS chatter-done']),
    # A guest spinning forever with interrupts off does not stop the others.
    dict(name="spinning-guest", guests=["spin", "hlt", "cpuid"],
         config=HV + guest("spin") + guest("hlt") + guest("cpuid"),
         status={"hlt": 0, "cpuid": 0},
         end_all=[r'guest "hlt" exited', r'guest "cpuid" exited'],
         expect=[r'\[guest spin\] PASS spin-started'],
         reject=[r'guest "spin" (exited|crashed)']),
    # A guest that floods the console loses its own excess, and says so;
    # the other guest's output arrives complete.
    dict(name="console-flood", guests=[], images=["flood", "chatter"],
         config=HV + guest("flood") + guest("c1", image="chatter"),
         sequence={"c1": 40},
         expect=[r'\[guest flood\] PASS flood-started',
                 r'\[guest flood\] \.\.\. \d+ bytes of output dropped',
                 r'guest "flood" exited with status 0',
                 r'guest "c1" exited with status 0']),
    # Isolation: each of two guests sees only its own memory, and is
    # stopped at its edge.
    dict(name="isolation-scan", guests=[], images=["scan"],
         config=HV + guest("s16", image="scan", memory="16M")
         + guest("s18", image="scan", memory="18M"),
         expect=[r'\[guest s16\] PASS scan-other-guest-invisible',
                 r'\[guest s18\] PASS scan-other-guest-invisible',
                 r'guest "s16" crashed: read at guest-physical 0x1000000, outside its memory \(0-0xffffff\)',
                 r'guest "s18" crashed: read at guest-physical 0x1200000, outside its memory \(0-0x11fffff\)'],
         reject=[r'FAIL scan']),
    # on_crash = restart: the crashing guest comes back, up to the limit,
    # while the others go on.
    dict(name="restart-policy", guests=["triple", "hlt"],
         config=HV + guest("triple", "on_crash = restart") + guest("hlt"),
         status={"hlt": 0},
         expect=[r'guest "triple": restarting \(on_crash = restart, restart 1 of at most 5\)',
                 r'guest "triple": restarting \(on_crash = restart, restart 5 of at most 5\)',
                 r'guest "triple": restarted 5 times already; destroying it instead',
                 r'(?s)(\[guest triple\] PASS triple-started.*){6}']),
    # on_crash = preserve: stopped, memory kept.
    dict(name="preserve-policy", guests=["triple", "after"],
         config=HV + guest("triple", "on_crash = preserve") + guest("after"),
         status={"after": 0},
         end_all=[r'guest "triple" preserved', r'guest "after" exited'],
         expect=[r'guest "triple" preserved: its memory and registers stay for inspection'],
         reject=[r'guest "triple" destroyed']),
    # Typed input goes to the focused guest; Ctrl-A n moves the focus; when
    # a guest stops, the focus moves on. Each echo guest must get only what
    # was typed while it had the focus.
    dict(name="console-focus", guests=[], images=["echo"],
         config=HV + guest("e1", image="echo") + guest("e2", image="echo"),
         script=[(r'\[guest e2\] PASS echo-ready', b"hello\r"),
                 (r'\[guest e1\] got: hello', b"\x01n"),
                 (r'input goes to guest "e2"', b"world\r"),
                 (r'\[guest e2\] got: world', b"\x01l"),
                 (r'console: \* 2 e2 \(running\)', b"quit\r"),
                 (r'guest "e2" exited', b""),
                 (r'input goes to guest "e1"', b"again\rquit\r")],
         expect=[r'\[guest e1\] got: hello\n', r'\[guest e2\] got: world\n',
                 r'\[guest e1\] got: again\n',
                 r'\[shale\] console:   1 e1 \(running\)',
                 r'guest "e1" exited with status 0', r'guest "e2" exited with status 0'],
         reject=[r'\[guest e2\] got: hello', r'\[guest e1\] got: world']),
    # The shell: every command, typed at the console, with bad input too;
    # line editing (backspace) and history (Ctrl-P).
    dict(name="shell", guests=[], images=["echo", "triple"],
         config=HV + guest("e1", image="echo")
         + guest("triple", "on_crash = preserve"),
         script=[(r'guest "triple" preserved', b"\x01:"),
                 (r'shale> ', b"help\r"),
                 (r'exit +leave the shell', b"list\r"),
                 (r'2  triple +preserved', b"info e1\r"),
                 (r'guest "e1": running', b"regs triple\r"),
                 (r'vCPU state stopped', b"mem triple 0x100000 32\r"),
                 (r'0000000000100010  ', b"mem triple 0x8000000 16\r"),
                 (r'is not inside guest', b"exits e1\r"),
                 (r'\[vm\] guest "e1": \d+ VM exits', b"bogus\r"),
                 (r'unknown command "bogus"', b"mem e1\r"),
                 (r'usage: mem GUEST', b"regs nosuch\r"),
                 (r'no guest "nosuch"', b"stop e1\r"),
                 (r'guest "e1" paused', b"list\r"),
                 (r'1  e1 +paused', b"start e1\r"),
                 (r'guest "e1" resumed', b"log debug\r"),
                 (r'log level debug', b"cpus\r"),
                 (r'cpu0: GenuineIntel', b"memmap\r"),
                 (r'now free: \d+ MiB', b"trace e1\r"),
                 (r'last \d+ exits, oldest first', b"trace e1 on\r"),
                 (r'tracing guest "e1"', b"trace e1 x\r"),
                 (r'trace GUEST \[N \| on \| off\]', b"trace e1 4\r"),
                 (r'last 4 exits, oldest first', b"verx\x7fsion\r"),
                 (r'Shale 0\.1', b"\x10\r"),
                 (r'Shale 0\.1', b"destroy triple\r"),
                 (r'guest "triple" destroyed', b"exit\r"),
                 (r'shell closed', b"quit\r")],
         expect=[r'  list +the guests: state, vCPUs, memory, exits',
                 r'  1  e1 +running +1 +16M',
                 r'guest "e1": running, mode long, kernel echo\.bin',
                 r'  RIP [0-9a-f]{16}  RFLAGS [0-9a-f]{16}  CS 0008',
                 r'0000000000100000  ([0-9a-f]{2} ){16} ',
                 r'0x8000000\+0x10 is not inside guest "triple"\'s memory \(0-0xffffff\)',
                 r'  VMCALL +\d+',
                 r'usage: mem GUEST ADDR LEN',
                 r'1  e1 +paused',
                 r'  VMX: EPT 1G 2M, unrestricted guest',
                 r'  [0-9a-f]{16}-[0-9a-f]{16} guest "e1"',
                 # Before "trace e1 on": TSC and reason only; after: RIP
                 # and qualification too.
                 r'trace e1\n  last \d+ exits, oldest first \(rip and qualification only while tracing is on\):\n  tsc +reason +rip +qualification\n(  [0-9a-f]{8}   (VMCALL|HLT|VMX-preemption timer expired|external interrupt) +- +-\n)+shale> ',
                 r'last 4 exits, oldest first \(.*\):\n  tsc +reason +rip +qualification\n(  [0-9a-f]{8}   (VMCALL|HLT|VMX-preemption timer expired|external interrupt) +[0-9a-f]{16}   [0-9a-f]+\n){4}',
                 r'(?s)shale> verx.*sion\nShale 0\.1\n.*shale> version\nShale 0\.1',
                 r'guest "e1" exited with status 0']),
    # The GDB stub on COM2: Debian's gdb connects, breaks, reads registers
    # and memory, steps, watches, writes memory, uses a hardware breakpoint,
    # interrupts with Ctrl-C and lets the guest finish. The echo guest
    # answers typed input while gdbtarget is held: the others keep running.
    dict(name="gdb", guests=["gdbtarget"], images=["echo"],
         config="[hypervisor]\nlog = info\ngdb = gdbtarget\n\n"
         + guest("e1", image="echo") + guest("gdbtarget"),
         script=[(r'held by the debugger at RIP 0x100108', b"hello\r"),
                 (r'gdbtarget: released by the debugger', b"quit\r")],
         gdb=dict(after=r'gdbtarget: waiting for gdb', commands=[
             "set pagination off", "set confirm off",
             "set architecture i386:x86-64",
             # Bochs emulates the serial line: far slower than a real one.
             "set remotetimeout 30",
             "target remote localhost:{port}",
             "break *0x100108", "continue",
             "p/x $rax", "p $rip", "stepi", "p $rip", "p $rcx == $rbx",
             "x/3xb 0x100108",
             "shell sleep 4",
             "delete",
             "watch *(long *)0x100208", "continue", "delete",
             "echo running-until-ctrl-c\\n", "continue",
             "p/x $rax",
             "set var *(long *)0x100200 = 1",
             "x/1xg 0x100200",
             "monitor phys", "x/1xg 0x100200", "monitor virt",
             "hbreak *0x100180", "continue", "p $rip",
             "delete", "continue"], interrupt_after=r'running-until-ctrl-c'),
         gdb_expect=[r'Breakpoint 1 at 0x100108',
                     r'Breakpoint 1, 0x0+100108 in \?\? \(\)',
                     r'\$1 = 0x1234abcd',
                     r'\$2 = \(void \(\*\)\(\)\) 0x100108',
                     r'0x0+10010b in \?\? \(\)',
                     r'\$3 = \(void \(\*\)\(\)\) 0x10010b',
                     r'\$4 = 1',
                     r'0x100108:\s+0x48\s+0x89\s+0xd9',
                     r'Hardware watchpoint 2: \*\(long \*\)0x100208\s+Old value = (\d+)\s+New value = \d+',
                     r'(Program|Thread \d+) received signal SIGINT',
                     r'0x100200:\s+0x0+1\n',
                     r'memory addresses are guest-physical',
                     r'Hardware assisted breakpoint 3 at 0x100180',
                     r'Breakpoint 3, 0x0+100180 in \?\? \(\)',
                     r'\[Inferior 1 \(.*\) exited normally\]'],
         expect=[r'\[gdb\] guest "gdbtarget" can be debugged with GDB on COM2',
                 r'(?s)held by the debugger at RIP 0x100108.*\[guest e1\] got: hello.*'
                 r'\[guest gdbtarget\] gdbtarget: released by the debugger',
                 r'guest "e1" exited with status 0']),
    # Debian's own kernel with a busybox initramfs (tests/linux/): the boot
    # on the emulated UART, what /init finds, a command typed at its shell
    # (interrupt-driven receive), then ACPI poweroff from the shell.
    # Its local APIC is virtualized by VMX (the CPU delivers its interrupts
    # through RVI). Twice the shell turns on the ACPI PM timer's overflow
    # event, whose SCI (IRQ 9) is level-triggered; Linux, with no handler
    # for it, turns it off again each time. The second SCI only arrives if
    # the EOI of the first came back through a virtualized-EOI exit to the
    # I/O APIC and cleared its Remote IRR. Then it reads PPR and the timer's
    # current count through /dev/mem (iomem=relaxed lets it): registers the
    # CPU does not virtualize, so APIC-access exits; PPR must be the 0x10
    # Linux put in TPR, which only the CPU saw being written. Last, what the
    # kernel concluded about speculation (LINUX_SPEC_EXPECT).
    dict(name="linux-shell", guests=[], linux=True, files=LINUX_FILES,
         config=HV + linux_guest("linux", "iomem=relaxed shale.test=shell"),
         script=[(r'SHALE-INIT: shell on the console', b"echo typed-$((6*7))\r"),
                 (r'typed-42', b"for i in 1 2; do printf '\\001' | dd of=/dev/port bs=1"
                  b" seek=1538 2>/dev/null; sleep 3; done; grep acpi /proc/interrupts;"
                  b" echo sci-done\r"),
                 (r'\] sci-done', b"echo ppr=$(devmem 0xfee000a0 32) ccr=$(devmem 0xfee00390 32)\r"),
                 (r'\] ppr=', b"cd /sys/devices/system/cpu/vulnerabilities && grep . meltdown"
                  b" spec_store_bypass spectre_v2 l1tf; echo spec-done\r"),
                 (r'\] spec-done', b"poweroff -f\r")],
         expect=[r'\[apic\] guest "linux": local APIC virtualized by VMX',
                 r'\[guest linux\] +9: +2 +IO-APIC +9-fasteoi +acpi',
                 r'  APIC write +[1-9]',
                 r'\[guest linux\] ppr=0x00000010 ccr=0x[0-9A-F]{8}\n',
                 r'  APIC access +[1-9]',
                 r'\[guest linux\] typed-42',r'\[guest linux\] \[ +0\.000000\] Linux version 6\.',
                 r'\[guest linux\] \[ *[0-9.]+\] serial8250: ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A',
                 r'\[guest linux\] SHALE-INIT: userspace up',
                 r'\[guest linux\] SHALE-INIT: cpuinfo has the hypervisor flag',
                 r'\[guest linux\] SHALE-INIT: interrupts timer LOC: +[1-9][0-9]* +Local timer interrupts',
                 r'\[guest linux\] SHALE-INIT: interrupts serial +4: +[1-9][0-9]* +IO-APIC +4-edge +ttyS0',
                 r'\[guest linux\] SHALE-INIT: date (%s)' % "|".join(DATES),
                 r'\[guest linux\] SHALE-INIT: rtc (%s)' % "|".join(DATES),
                 r'\[vm\] guest "linux" powered off \(ACPI S5\)',
                 r'guest "linux" destroyed'] + LINUX_SPEC_EXPECT,
         reject=LINUX_SPEC_REJECT),
    # reboot: the kernel resets the machine, on_reboot = restart brings the
    # guest back, and its second boot reaches userspace too. Two vCPUs on
    # one host CPU: both come back after the reboot.
    dict(name="linux-reboot", guests=[], linux=True, files=LINUX_FILES,
         config=HV + linux_guest("linux", "shale.test=reboot", extra="vcpus = 2"),
         end_all=[r'(?s)SHALE-INIT: userspace up.*SHALE-INIT: userspace up'],
         expect=[r'(?s)smp: Brought up 1 node, 2 CPUs.*SHALE-INIT: rebooting.*'
                 r'smp: Brought up 1 node, 2 CPUs.*SHALE-INIT: userspace up',
                 r'\[guest linux\] SHALE-INIT: rebooting',
                 r'\[vm\] guest "linux" reset itself \(reboot\)',
                 r'guest "linux": restarting \(on_reboot = restart, restart 1 of at most 5\)',
                 r'(?s)SHALE-INIT: rebooting.*restarting.*Linux version.*SHALE-INIT: userspace up']),
    # Bad Linux images: each refused with the file and the reason; the
    # other guest runs.
    dict(name="linux-bad-images", guests=["after"], files={
            "trunc.img": ("build/linux/vmlinuz", 1 << 20),
            "bigrd.img": 160 << 20, "vmlinuz": "build/linux/vmlinuz"},
         images=["cpuid"],
         config=HV + "[guest]\nname = trunc\nmode = linux\nkernel = trunc.img\nmemory = 128M\n\n"
         + "[guest]\nname = notkernel\nmode = linux\nkernel = cpuid.bin\nmemory = 128M\n\n"
         + "[guest]\nname = bigrd\nmode = linux\nkernel = vmlinuz\ninitrd = bigrd.img\nmemory = 128M\n\n"
         + "[guest]\nname = tight\nmode = linux\nkernel = vmlinuz\nmemory = 64M\n\n"
         + guest("after"),
         status={"after": 0},
         expect=[r'guest "trunc": kernel "trunc\.img": truncated',
                 r'guest "notkernel": kernel "cpuid\.bin": not a Linux kernel',
                 r'shale\.cfg:\d+: guest "bigrd": initrd "bigrd\.img" \(160M\) is larger than the guest.s memory \(128M\)',
                 r'guest "tight": kernel "vmlinuz": the kernel needs [0-9.]+M of memory',
                 r'guest "after" exited with status 0']),
    # Bad input: errors in shale.cfg, a missing image, a guest larger than
    # the host: each named with file and line, and the good guest still runs.
    dict(name="bad-config", guests=["after"],
         config=HV + "[guest]\nname = typo\nkernel = after.bin\nmemroy = 16M\n\n"
         + "[guest]\nname = badsize\nkernel = after.bin\nmemory = 12Q\n\n"
         + "[guest]\nname = missing\nkernel = nope.bin\nmemory = 16M\n\n"
         + "[guest]\nname = huge\nkernel = after.bin\nmemory = 3G\n\n"
         + guest("after", "vcpus = 2\ndevices = pc")
         + "[guest]\nname = after\nkernel = after.bin\nmemory = 16M\n\n"
         + "[guest]\nname = pinned\nkernel = after.bin\nmemory = 16M\ncpus = 0-64\n\n"
         + "[guest]\nname = over\nkernel = after.bin\nmemory = 4076M\n\n"
         + "[guest]\nname = noapic\nkernel = after.bin\nmemory = 16M\nvcpus = 2\n\n",
         status={"after": 0},
         expect=[r'shale\.cfg:7: guest "typo": unknown key "memroy" \(did you mean "memory"\?\)',
                 r'shale\.cfg:4: guest "typo": missing "memory"',
                 r'shale\.cfg:12: guest "badsize": memory "12Q": expected a size like 256M',
                 r'shale\.cfg:16: guest "missing": kernel "nope\.bin": no such file on the config partition',
                 r'(?m)shale\.cfg:19: guest "huge": memory 3G does not fit: the host has \d+M free for guests$',
                 # Past the old 4075M limit: RAM above 4 GiB is fine, but
                 # not more than the host has.
                 r'(?m)shale\.cfg:\d+: guest "over": memory 4076M does not fit: the host has \d+M free for guests and the guests before it take \d+M$',
                 # Several vCPUs need local APICs, to start the others.
                 r'guest "noapic": vcpus = 2 needs local APICs to start the others: mode = linux, or devices = pc',
                 r'shale\.cfg:31: guest "after": name "after" is already used by the guest at line 24',
                 r'shale\.cfg:39: guest "pinned": cpus "0-64": CPU 64 is out of range, allowed 0\.\.63',
                 r'\[guest after\] PASS after-ran']),
    # A guest image larger than the guest's memory.
    dict(name="image-too-large", guests=[], emulator="qemu",
         files={"big.bin": 1536 << 10, "huge.bin": 3 << 20},
         config=HV + "[guest]\nname = big\nkernel = big.bin\nmemory = 2M\n\n"
         + "[guest]\nname = huge\nkernel = huge.bin\nmemory = 2M\n",
         status={},
         expect=[r'shale\.cfg:6: guest "big": kernel "big\.bin" \(1536K\) does not fit in guest memory 2M at load address 0x100000',
                 r'shale\.cfg:11: guest "huge": kernel "huge\.bin" \(3M\) is larger than the guest.s memory \(2M\)',
                 r'no guest can be started\n[\s\S]*returning to the firmware']),
    # No VT-x: one clear sentence, back to the firmware, which goes on.
    dict(name="no-vtx-amd", guests=["after"], emulator="qemu",
         config=HV + guest("after"), status={},
         expect=[r"\[vmx\] error: this is an AMD processor \(AuthenticAMD\); Shale needs Intel VT-x",
                 r"Shale cannot run on this machine\n[\s\S]*returning to the firmware",
                 r"BdsDxe: failed to start Boot0001 .*: Unsupported",
                 r"BdsDxe: starting Boot0002"],
         reject=[r"Shale owns the machine"]),
    dict(name="no-vtx-intel", guests=["after"], emulator="qemu",
         qemu_cpu="Haswell-noTSX,-vmx",
         config=HV + guest("after"), status={},
         expect=[r"\[vmx\] error: VT-x is not available: Shale is running inside a virtual machine \(GenuineIntel\) that does not expose VMX",
                 r"Shale cannot run on this machine\n[\s\S]*returning to the firmware",
                 r"BdsDxe: starting Boot0002"],
         reject=[r"Shale owns the machine"]),
]


def _more_cases():
    """Cases kept in files of their own, tests/emu/cases_*.py (each with a
    CASES list): one file per subject, so that they grow apart."""
    import glob
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    more = []
    for path in sorted(glob.glob(os.path.join(here, "cases_*.py"))):
        more += importlib.import_module(os.path.basename(path)[:-3]).CASES
    return more


CASES += _more_cases()
