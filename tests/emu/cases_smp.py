# SPDX-License-Identifier: MIT
"""Several host CPUs: Shale reads them from the MADT, brings each AP into
VMX root operation (idle, for now: guests run on CPU 0), names each in the
boot log and in the shell's `cpus`, leaves out those [hypervisor] cpus does
not name, and stops them all when one panics. Bochs runs N CPUs in turn,
so these cases keep their guests short."""

from cases import HV, guest

CASES = [
    # Two CPUs: the AP comes up, and a guest still runs to its end on CPU 0.
    dict(name="smp-2", cpus=2, guests=["cpuid"], config=HV + guest("cpuid"),
         expect=[r"\[smp\] CPU 0 \(APIC ID 0\) boots; (the MADT|UEFI MP Services \(no MADT\)) names 2 CPUs",
                 r"\[smp\] CPU 1 \(APIC ID 1\) is in VMX root operation, idle",
                 r"\[smp\] 2 of 2 CPUs in VMX root operation"],
         reject=[r"going on without it", r"left out"]),
]
