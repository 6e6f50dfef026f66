# SPDX-License-Identifier: MIT
"""The hostile-guest suite: each attack runs beside the canary guest
(tests/guests/canary.asm), which must keep at least half the CPU and every
byte of its memory, and the attacker must be contained: it finishes its
attack alive (a sweep that Shale answers correctly), or is stopped with the
right report. The attacks with their own architectural checks are in
cases_hostile.py, cases_xstate.py and cases_console.py."""

from cases import HV, guest

# The canary first, so that its window starts before the attack; it weighs
# three times the attacker, so it is owed three quarters of the CPU.
CANARY = guest("canary", "weight = 768")


def attack(name, image, extra="", **kw):
    d = dict(name="attack-" + name, guests=["canary", image],
             config=HV + CANARY + guest(image, "weight = 256\n" + extra), **kw)
    d.setdefault("expect", []).append(r"\[guest canary\] canary share \d+%")
    return d


CASES = [
    # Every port, every width, read and written back.
    attack("port-sweep", "portsweep", "devices = testdev"),
    # Every MSR of four ranges read, and written back where readable.
    attack("msr-sweep", "msrsweep", expect=[r"\[guest msrsweep\] msrsweep readable \d+ rewritable \d+"]),
    # Every hypercall number with arguments at every edge.
    attack("hypercall-sweep", "hcsweep"),
    # Every CPUID leaf and subleaf around the ranges.
    attack("cpuid-sweep", "cpuidsweep"),
    # 50000 timer interrupts as fast as they come.
    attack("timer-storm", "timerstorm"),
    # A guest with two vCPUs starts its second one again and again, then
    # floods it and nobody with fixed, NMI, INIT and start-up IPIs.
    attack("ipi-storm", "ipistorm", "devices = pc\nvcpus = 2"),
    # Reads beyond its memory: stopped, with the report.
    dict(name="attack-memory-probe", guests=["canary"], images=["outside"],
         config=HV + CANARY + guest("outside"),
         expect=[r'guest "outside" crashed: read at guest-physical 0x80000000, outside its memory',
                 r"\[guest canary\] canary share \d+%"]),
]
