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
