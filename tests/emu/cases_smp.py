# SPDX-License-Identifier: MIT
"""Several host CPUs: Shale finds them (the MADT; under OVMF in Bochs, which
installs no ACPI tables, UEFI's MP Services), brings each AP into VMX root
operation, names each in the boot log
and in the shell's `cpus`, leaves out those [hypervisor] cpus does not
name, and stops them all when one panics. Bochs runs N CPUs in turn, so
these cases keep their guests short."""

from cases import HV, LINUX_FILES, guest, linux_guest

FOUND = r"\[smp\] CPU 0 \(APIC ID 0\) boots; (the MADT|UEFI MP Services \(no MADT\)) names %d CPUs"

CASES = [
    # Two CPUs: the AP comes up, and a guest still runs to its end on CPU 0.
    dict(name="smp-2", cpus=2, guests=["cpuid"], config=HV + guest("cpuid"),
         expect=[FOUND % 2,
                 r"\[smp\] CPU 1 \(APIC ID 1\) is in VMX root operation, idle",
                 r"\[smp\] 2 of 2 CPUs in VMX root operation",
                 r"\[shale\] start-up: \d+ ticks from efi_main"],
         reject=[r"going on without it", r"left out"]),
    # Four CPUs, the same guest: all three APs come up (and the start-up
    # figure beside smp-2's and cpuid's, for docs/benchmarks.md).
    dict(name="smp-4", cpus=4, guests=["cpuid"], config=HV + guest("cpuid"),
         expect=[FOUND % 4]
         + [r"\[smp\] CPU %d \(APIC ID %d\) is in VMX root operation, idle" % (i, i)
            for i in (1, 2, 3)]
         + [r"\[smp\] 4 of 4 CPUs in VMX root operation"],
         reject=[r"going on without it", r"left out"]),
    # Four CPUs, and the shell's cpus: each CPU, its APIC ID and state;
    # the idle ones answer a wake-up IPI; the guest's vCPU is on CPU 0.
    dict(name="smp-4-shell", cpus=4, guests=[], images=["echo"],
         config=HV + guest("e1", image="echo"),
         script=[(r'\[guest e1\] PASS echo-ready', b"\x01:"),
                 (r'shale> ', b"cpus\r"),
                 (r'  3    3        idle; ', b"exit\r"),
                 (r'shell closed', b"quit\r")],
         expect=[FOUND % 4]
         + [r"\[smp\] CPU %d \(APIC ID %d\) is in VMX root operation, idle" % (i, i)
            for i in (1, 2, 3)]
         + [r"\[smp\] 4 of 4 CPUs in VMX root operation",
            r"  cpu  APIC ID  state\n"
            r"  0    0        running guests; vCPUs: e1/0\n"
            r"  1    1        idle; answers a wake-up IPI\n"
            r"  2    2        idle; answers a wake-up IPI\n"
            r"  3    3        idle; answers a wake-up IPI\n",
            r'guest "e1" exited with status 0'],
         reject=[r"going on without it", r"did NOT answer"]),
    # [hypervisor] cpus = 0 (and CPUs this machine lacks): the AP is left
    # alone, never started, and named; the missing ones get a warning.
    dict(name="smp-cpus-0", cpus=2, guests=["cpuid"],
         config="[hypervisor]\nlog = info\ncpus = 0,5-6\n\n" + guest("cpuid"),
         expect=[FOUND % 2,
                 r"\[smp\] warning: shale\.cfg:3: cpus names CPU 5, 6, which this machine "
                 r"does not have; going on with the others",
                 r"\[smp\] CPU 1 \(APIC ID 1\) left out: not in \[hypervisor\] cpus",
                 r"\[smp\] 1 of 2 CPUs in VMX root operation"],
         reject=[r"is in VMX root operation, idle"]),
    # A hypervisor exception on CPU 1 (selftest = on) while CPU 0 runs a
    # guest: CPU 1 reports it, names itself, and CPU 0 is stopped by an
    # NMI, its guest RIP given.
    dict(name="smp-panic-ap", cpus=2, guests=["apfault"], allow_panic=True,
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("apfault", "devices = testdev"),
         status={"apfault": None},
         expect=[r'asked for an exception in the hypervisor on CPU 1',
                 r'\[panic\] hypervisor exception #UD invalid opcode \(vector 6\), error code 0x0',
                 r'  at  0x[0-9a-f]{16}  smp_ap_main\+0x[0-9a-f]+',
                 r'\[panic\] on CPU 1 \(APIC ID 1\); the other CPUs:\n'
                 r'  CPU 0 \(APIC ID 0\): stopped (in a guest at RIP 0x[0-9a-f]+|at RIP 0x[0-9a-f]+ \w+\+0x[0-9a-f]+)\n'
                 r'\[panic\] Shale halted this CPU'],
         reject=[r'apfault-not-stopped', r'guest "apfault" exited']),
    # The same fault on CPU 0: the report names CPU 0, and where CPU 1
    # (idle) stopped.
    dict(name="smp-panic-bsp", cpus=2, guests=["hvfault"], allow_panic=True,
         config="[hypervisor]\nlog = info\nselftest = on\n\n" + guest("hvfault", "devices = testdev"),
         status={"hvfault": None},
         expect=[r'\[panic\] hypervisor exception #UD invalid opcode \(vector 6\), error code 0x0',
                 r'\[panic\] on CPU 0 \(APIC ID 0\); the other CPUs:\n'
                 r'  CPU 1 \(APIC ID 1\): stopped at RIP 0x[0-9a-f]+ smp_ap_main\+0x[0-9a-f]+\n'
                 r'\[panic\] Shale halted this CPU'],
         reject=[r'guest "hvfault" exited']),
]
