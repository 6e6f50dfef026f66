# SPDX-License-Identifier: MIT
"""x2APIC for guests (tests/guests/x2apic.asm): CPUID offers it to a guest
with the PC's local APICs; IA32_APIC_BASE takes the SDM's mode transitions
and refuses the others with #GP; in x2APIC mode the registers are MSRs
(virtualized by VMX where the CPU has "virtualize x2APIC mode", as
Bochs does, trapped and served by the local APIC model otherwise), IPIs carry 32-bit
destinations (physical, cluster, shorthand) between two vCPUs on two host
CPUs, and a destination nobody has reaches nobody. The guest checks each
step itself; every PASS line below is one of them."""

from cases import HV, guest

CHECKS = ["cpuid", "base-reset", "msr-in-xapic-mode", "invalid-state", "enter",
          "base-x2", "id", "ldr", "version", "to-xapic", "ldr-write", "eoi-read",
          "eoi-nonzero", "self-ipi", "eoi-retired", "ap-ipi", "nobody", "ipis",
          "leave", "reset-by-disable", "msr-after-leave", "from-disabled"]

CASES = [
    dict(name="x2apic", cpus=2, guests=["x2apic"],
         config=HV + guest("x2apic", "devices = pc\nvcpus = 2"),
         expect=[r"\[guest x2apic\] PASS x2apic-%s\b" % c for c in CHECKS]
         + [r'guest "x2apic" vCPU %d: local APIC in x2APIC mode, its MSRs virtualized by VMX' % k
            for k in (0, 1)]
         + [r'guest "x2apic" vCPU 0: local APIC out of x2APIC mode']),
]
