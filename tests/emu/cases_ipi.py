# SPDX-License-Identifier: MIT
"""IPI round trips between the two vCPUs of one guest (tests/guests/
ipirtt.asm), each pinned by the guest's own `cpus` to a host CPU of its
own: vCPU 0 sends a fixed IPI, vCPU 1's handler answers with one, 2 x 272
times, waiting in HLT and spinning. The case checks that every IPI came
and came once (the guest counts them on both sides) and that the vCPUs ran
on different host CPUs; the figures it prints are `make bench`'s (tests/
emu/bench.py), not checked here."""

from cases import HV, guest

CASES = [
    dict(name="ipi-rtt", cpus=2, guests=["ipirtt"],
         config=HV + guest("ipirtt", "devices = pc\nvcpus = 2\ncpus = 0-1"),
         expect=[r"\[guest ipirtt\] BENCH ipirtt-hlt min \d+ median \d+",
                 r"\[guest ipirtt\] BENCH ipirtt-spin min \d+ median \d+",
                 r"  vCPU 0: on CPU 0, moved between CPUs 0 times",
                 r"  vCPU 1: on CPU 1, moved between CPUs 0 times"]),
]
