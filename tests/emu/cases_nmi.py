# SPDX-License-Identifier: MIT
"""NMIs end to end in a flat guest with the PC devices (devices = pc):
tests/guests/nmi.asm, once with the local APIC virtualized by VMX and once
with it trapped, and an NMI storm beside the canary."""

from cases import HV, guest
from cases_attacks import attack

NMI_DEVICES = "devices = pc, testdev\n"

CASES = [
    dict(name="nmi-apicv", guests=["nmi"],
         config=HV + guest("nmi", NMI_DEVICES + "apicv = on"),
         expect=[r'guest "nmi": local APIC virtualized by VMX']),
    dict(name="nmi-trapped", guests=["nmi"],
         config=HV + guest("nmi", NMI_DEVICES + "apicv = off", image="nmi"),
         expect=[r'guest "nmi": local APIC emulated by trapping its page \(apicv = off\)']),
]

# The storm beside the canary (tests/emu/cases_attacks.py): NMI, INIT and
# SIPI IPIs to itself, to nobody and to "all excluding self", then the PIT
# at its fastest as NMIs through the I/O APIC; with the local APIC
# virtualized and trapped.
CASES += [
    attack("nmi-storm", "nmistorm", NMI_DEVICES + "apicv = on"),
    attack("nmi-storm-trapped", "nmistorm", NMI_DEVICES + "apicv = off"),
]

# An image that runs into the PC's ACPI tables is refused at load, with the
# reason; the next guest starts.
CASES += [
    dict(name="pc-image-over-acpi", guests=["after"], images=["nmi"],
         config=HV + guest("nmi", "devices = pc\nload = 0xdf000") + guest("after"),
         expect=[r'guest "nmi": image of \d+ bytes at 0xdf000 overlaps the PC\'s ACPI '
                 r'tables at 0xe0000-0xe0fff',
                 r'guest "nmi" could not be created; going on with the others'],
         reject=[r'guest "nmi" started']),
]

# Host NMIs (arch/x86/host_nmi.c), sent with the shell's nmi command on a
# two-CPU machine: one to CPU 1 while the spinner runs there (an NMI exit:
# counted, and the spinner goes on), one to CPU 0 itself in root mode, and
# one more to CPU 1 once it is idle. That last one arrives only if the NMI
# exit's NMI blocking was ended: an idle CPU 1 sleeps, and nothing else
# would run an IRET there.
HOST_NMI_SCRIPT = [
    (r'\[guest spin\] P', b"\x01:"),
    (r'shale> ', b"nmi 1\r"),
    (r'CPU 1: 1 host NMIs so far, 1 of them while a guest ran; Shale goes on', b"nmi 0\r"),
    (r'CPU 0: 1 host NMIs so far, 0 of them while a guest ran, the last in the '
     r'hypervisor at RIP 0x[0-9a-f]+; Shale goes on', b"nmi 7\r"),
    (r'no CPU "7": CPUs are 0 to 1', b""),
    (r'guest "spin" exited with status 0', b"nmi 1\r"),
    (r'CPU 1: 2 host NMIs so far, 1 of them while a guest ran, the last in the '
     r'hypervisor at RIP 0x[0-9a-f]+; Shale goes on', b"exit\r"),
    (r'shell closed', b"quit\r"),
]

CASES += [
    dict(name="host-nmi", cpus=2, guests=[], images=["spinner", "echo"],
         config=HV + guest("e1", "cpus = 0", image="echo")
         + guest("spin", "cpus = 1", image="spinner"),
         script=HOST_NMI_SCRIPT,
         expect=[r'guest "spin" exited with status 0',
                 r'guest "spin": \d+ VM exits(.*\n)*?  exception or NMI +1 ',
                 r'  host NMIs while it ran: 1 ',
                 r'CPU 1: 2 host NMIs so far',
                 r'guest "e1" exited with status 0'],
         reject=[r'\[panic\]']),
]

# A machine check while a guest runs (arch/x86/mce.c), through the test
# device's fault port: no emulator raises one, so the bank values are made
# up (an uncorrected error that requires action, SRAR, at an address in
# the guest's memory); from there on the path is the real one. The guest
# stops with a report that names the bank, the error class and whose
# memory the address is; the canary beside it keeps its pace.
CASES += [
    dict(name="mce-guest", guests=["canary"], images=["mcefault"],
         config=HV.replace("log = info\n", "log = info\nselftest = on\n")
         + guest("canary", "weight = 768") + guest("mcefault", "devices = testdev\nweight = 256"),
         expect=[r'\[mce\] error: machine check on CPU 0 while guest "mcefault" ran: bank 1, '
                 r'uncorrected, action required \(SRAR\), status 0xbd80000000000134, '
                 r'address 0x[0-9a-f]+ \(guest "mcefault", guest-physical 0x1000\)',
                 r'the guest that ran stops; Shale and the other guests go on',
                 r'guest "mcefault" crashed: machine check',
                 r'\[guest canary\] canary share \d+%'],
         reject=[r'\[guest mcefault\] FAIL', r'\[panic\]', r'bank 0']),
]
