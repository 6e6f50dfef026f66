# SPDX-License-Identifier: MIT
"""The end of an instruction Shale completes for the guest, as the CPU
ends one: blocking by STI and MOV SS ends with it, RFLAGS.TF makes a
single-step #DB after it, and a next RIP that is not canonical is the
guest's #GP, not a failed VM entry. The guests are tests/guests/shadow.asm,
tfstep.asm and canon.asm."""

from cases import HV, guest

CASES = [
    # STI (and STI; MOV SS) then an MMIO load with the timer's interrupt
    # pending: the interrupt comes right after the load.
    dict(name="events-shadow-mmio", guests=["shadow"],
         config=HV + guest("shadow", "devices = testdev")),
    # TF over CPUID, OUT, an MMIO load, VMCALL and REP OUTSB: one #DB
    # after each (each iteration of the REP), DR6.BS set.
    dict(name="events-tf-step", guests=["tfstep"],
         config=HV + guest("tfstep", "devices = testdev"),
         reject=[r'VM entry failed']),
    # CPUID ending at 0x00007FFFFFFFFFFF: #GP(0) at the CPUID, guest goes on.
    dict(name="events-noncanonical-rip", guests=["canon"],
         config=HV + guest("canon"),
         reject=[r'VM entry failed', r'guest "canon" crashed']),
]
