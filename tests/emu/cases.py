# SPDX-License-Identifier: MIT
"""The integration tests: each boots the real shale.efi from a real GPT disk
in an emulator and asserts what appears on the serial console.

A guest test expects every check its guest's source names (see
tests/guests/README.md) to print PASS, no FAIL line, and the exit status the
case gives. Other cases list the lines they expect and those they must not
see, as regular expressions.
"""

import datetime

# Lines that end a run early. Shale halts (Bochs) or returns to the firmware,
# which then starts its shell (QEMU).
END_BOCHS = ["all guests have stopped", "[panic]", "returning to the firmware",
             "Shale halted this CPU"]
END_QEMU = ["UEFI Interactive Shell", "Shale owns the machine"]


def guest(name, extra="", memory="16M", image=None):
    """One [guest] section for a test guest image NAME.bin (or IMAGE.bin)."""
    return "[guest]\nname = %s\nkernel = %s.bin\nmemory = %s\n%s\n" % (
        name, image or name, memory, extra)


HV = "[hypervisor]\nlog = info\n\n"

LINUX_FILES = {"vmlinuz": "build/linux/vmlinuz", "initrd.gz": "build/linux/initrd.gz"}


def linux_guest(name, test, memory="128M", extra=""):
    """A mode = linux guest with the test kernel and initramfs."""
    return ("[guest]\nname = %s\nmode = linux\nkernel = vmlinuz\ninitrd = initrd.gz\n"
            "cmdline = \"console=ttyS0 %s\"\nmemory = %s\n%s\n" % (name, test, memory, extra))


# The guest's clock comes from the host's RTC, which Bochs sets from the
# host's clock at start: today, or yesterday/tomorrow around midnight.
_today = datetime.date.today()
DATES = [str(_today + datetime.timedelta(days=d)) for d in (-1, 0, 1)]

CASES = [
    dict(name="cpuid", guests=["cpuid"], config=HV + guest("cpuid")),
    dict(name="msr", guests=["msr"], config=HV + guest("msr")),
    dict(name="io", guests=["io"],
         config=HV + guest("io", "devices = testdev")),
    dict(name="mmio", guests=["mmio"],
         config=HV + guest("mmio", "devices = testdev")),
    dict(name="hlt", guests=["hlt"], config=HV + guest("hlt")),
    dict(name="vmcall", guests=["vmcall", "exit7"],
         config=HV + guest("vmcall") + guest("exit7"),
         status={"exit7": 7}),
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
    # A triple fault stops the guest with a dump of its state.
    dict(name="triple-fault", guests=["triple", "after"],
         config=HV + guest("triple") + guest("after"),
         status={"triple": None},
         expect=[r'\[dump\] guest "triple" vcpu 0: triple fault',
                 r'GUEST_RIP\s+[0-9a-f]{16}',
                 r'VM_EXIT_REASON\s+0000000000000002',
                 r'guest "triple" crashed: triple fault at RIP 0x',
                 r'guest "after" exited with status 0']),
    # An exception in the hypervisor itself: exception, registers, backtrace,
    # then Shale halts (the test device injects it on request).
    dict(name="hypervisor-exception", guests=["hvfault"], allow_panic=True,
         config=HV + guest("hvfault", "devices = testdev"),
         status={"hvfault": None},
         expect=[r'\[panic\] hypervisor exception #UD invalid opcode \(vector 6\), error code 0x0',
                 r'  RIP [0-9a-f]{16}  CS 0008  RFLAGS [0-9a-f]{16}',
                 r'  RSP [0-9a-f]{16}  SS 0010  CR2 [0-9a-f]{16}  CR3 [0-9a-f]{16}',
                 r'  R12 [0-9a-f]{16}',
                 r'  at  0x[0-9a-f]{16}  shale\.efi\+0x[0-9a-f]+\n',
                 r'backtrace:\n  #0  0x[0-9a-f]{16}  shale\.efi\+0x[0-9a-f]+\n  #1  0x[0-9a-f]{16}  shale\.efi\+0x[0-9a-f]+',
                 r'\[panic\] Shale halted this CPU'],
         reject=[r'guest "hvfault" exited']),
    # VMRESUME fails (broken host state): the SDM's text for the error, a
    # dump, the guest stopped, the next guest runs.
    dict(name="vmresume-failure", guests=["hostfault", "after"],
         config=HV + guest("hostfault", "devices = testdev") + guest("after"),
         status={"hostfault": None},
         expect=[r'VMRESUME failed for guest "hostfault": VM entry with invalid host-state field\(s\) \(VM-instruction error 8\)',
                 r'\[dump\] guest "hostfault" vcpu 0: VM entry failed',
                 r'guest "hostfault" crashed: VMRESUME failed',
                 r'guest "after" exited with status 0']),
    # The VM entry fails on guest state: the failed guest-state rule named.
    dict(name="vmentry-failure", guests=["guestfault", "after"],
         config=HV + guest("guestfault", "devices = testdev") + guest("after"),
         status={"guestfault": None},
         expect=[r'VM entry failed for guest "guestfault": VM-entry failure: invalid guest state',
                 r'guest-state check that fails: RFLAGS reserved bits',
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
                 (r'no exits traced for guest "e1"', b"trace e1 on\r"),
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
                 r'last 4 exits, oldest first:\n  tsc +reason +rip +qualification\n(  [0-9a-f]{8}   (VMCALL|HLT|VMX-preemption timer expired|external interrupt) +[0-9a-f]{16}   [0-9a-f]+\n){4}',
                 r'(?s)shale> verx.*sion\nShale 0\.1\n.*shale> version\nShale 0\.1',
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
    # Linux put in TPR, which only the CPU saw being written.
    dict(name="linux-shell", guests=[], linux=True, files=LINUX_FILES,
         config=HV + linux_guest("linux", "iomem=relaxed shale.test=shell"),
         script=[(r'SHALE-INIT: shell on the console', b"echo typed-$((6*7))\r"),
                 (r'typed-42', b"for i in 1 2; do printf '\\001' | dd of=/dev/port bs=1"
                  b" seek=1538 2>/dev/null; sleep 3; done; grep acpi /proc/interrupts;"
                  b" echo sci-done\r"),
                 (r'\] sci-done', b"echo ppr=$(devmem 0xfee000a0 32) ccr=$(devmem 0xfee00390 32)\r"),
                 (r'\] ppr=', b"poweroff -f\r")],
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
                 r'guest "linux" destroyed']),
    # Two Linux guests and two test guests at once from one config: each
    # Linux reaches userspace and powers off, each line under its own name.
    # lin2 keeps its local APIC emulated by trapping (apicv = off), so that
    # path stays tested beside the virtualized one.
    dict(name="two-linux", guests=["cpuid"], images=["chatter"], linux=True,
         files=LINUX_FILES,
         config=HV + linux_guest("lin1", "shale.test=poweroff")
         + linux_guest("lin2", "shale.test=poweroff", extra="apicv = off")
         + guest("c1", image="chatter") + guest("cpuid"),
         sequence={"c1": 40},
         expect=[r'\[apic\] guest "lin1": local APIC virtualized by VMX',
                 r'\[apic\] guest "lin2": local APIC emulated by trapping its page \(apicv = off\)',
                 r'\[guest lin1\] SHALE-INIT: userspace up',
                 r'\[guest lin2\] SHALE-INIT: userspace up',
                 r'\[guest lin1\] SHALE-INIT: interrupts serial +4: +[1-9]',
                 r'\[guest lin2\] SHALE-INIT: interrupts serial +4: +[1-9]',
                 r'\[vm\] guest "lin1" powered off \(ACPI S5\)',
                 r'\[vm\] guest "lin2" powered off \(ACPI S5\)',
                 r'guest "c1" exited with status 0']),
    # reboot: the kernel resets the machine, on_reboot = restart brings the
    # guest back, and its second boot reaches userspace too.
    dict(name="linux-reboot", guests=[], linux=True, files=LINUX_FILES,
         config=HV + linux_guest("linux", "shale.test=reboot"),
         end_all=[r'(?s)SHALE-INIT: userspace up.*SHALE-INIT: userspace up'],
         expect=[r'\[guest linux\] SHALE-INIT: rebooting',
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
         + "[guest]\nname = huge\nkernel = after.bin\nmemory = 64G\n\n"
         + guest("after", "vcpus = 2")
         + "[guest]\nname = after\nkernel = after.bin\nmemory = 16M\n\n"
         + "[guest]\nname = pinned\nkernel = after.bin\nmemory = 16M\ncpus = 0-64\n\n",
         status={"after": 0},
         expect=[r'shale\.cfg:7: guest "typo": unknown key "memroy" \(did you mean "memory"\?\)',
                 r'shale\.cfg:4: guest "typo": missing "memory"',
                 r'shale\.cfg:12: guest "badsize": memory "12Q": expected a size like 256M',
                 r'shale\.cfg:16: guest "missing": kernel "nope\.bin": no such file on the config partition',
                 r'(?m)shale\.cfg:19: guest "huge": memory 64G does not fit: the host has \d+M free for guests$',
                 r'guest "after": vcpus = 2: one vCPU per guest for now; it runs with one',
                 r'shale\.cfg:30: guest "after": name "after" is already used by the guest at line 24',
                 r'shale\.cfg:38: guest "pinned": cpus "0-64": CPU 64 is out of range, allowed 0\.\.63',
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
