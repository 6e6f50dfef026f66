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
