# SPDX-License-Identifier: MIT
"""Speculation controls (docs/security.md, "Speculation controls"): the
CPUID bits guests see against the MSRs they get, and each guest's own
IA32_SPEC_CTRL. The guests are tests/guests/spec*.asm."""

import re

from cases import HV, guest

HV_1MS = "[hypervisor]\nlog = info\ntimeslice = 1ms\n\n"

# CPUID.(7,0):EDX bits the policy decides about (arch/x86/spec_ctrl.h):
# MD_CLEAR, IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD (not
# CORE_CAPABILITIES, bit 30, whose MSR Shale lacks).
SHOWN = (1 << 10) | (1 << 26) | (1 << 27) | (1 << 28) | (1 << 29) | (1 << 31)
ARCH_CAP_GUEST = sum(1 << b for b in (0, 1, 2, 3, 4, 5, 6, 8, 13, 14, 15, 17,
                                      19, 20, 24, 26, 27, 28))


def spec_matches_host(out):
    """What the spec guest saw, against what Shale logged of the host: every
    speculation-control bit the host has is shown, no other; the
    ARCH_CAPABILITIES value is the host's, masked."""
    host = re.search(r"^\[spec\] CPUID\.7:EDX 0x([0-9a-f]+), ARCH_CAPABILITIES 0x([0-9a-f]+): "
                     r"IBPB on guest switch (on|off), L1D flush on entry (on|off), "
                     r"VERW on entry (on|off), root IBRS (enhanced|at every exit|unavailable), "
                     r"RSB at exit (filled|one call|as is); guests get", out, re.M)
    seen = re.search(r"^\[guest spec\] note: CPUID\.7:EDX 0x([0-9a-f]+)$", out, re.M)
    if not host or not seen:
        return ["no [spec] boot line or no CPUID line from the guest"]
    h_edx, h_cap = int(host.group(1), 16), int(host.group(2), 16)
    g_edx = int(seen.group(1), 16)
    problems = []
    if g_edx & SHOWN != h_edx & SHOWN:
        problems.append("guest sees speculation bits 0x%x, host has 0x%x" % (
            g_edx & SHOWN, h_edx & SHOWN))
    if g_edx & (1 << 30):
        problems.append("CORE_CAPABILITIES shown")
    if host.group(3) != ("on" if h_edx & (1 << 26) else "off"):
        problems.append("IBPB on switch does not follow CPUID IBRS/IBPB")
    ibrs = h_edx & (1 << 26)
    enhanced = ibrs and h_edx & (1 << 29) and h_cap & (1 << 1)
    want = "enhanced" if enhanced else "at every exit" if ibrs else "unavailable"
    if host.group(6) != want:
        problems.append("root IBRS %s, the CPU calls for %s" % (host.group(6), want))
    want = ("as is" if h_cap & (1 << 24) else "one call") if enhanced else "filled"
    if host.group(7) != want:
        problems.append("RSB at exit %s, the CPU calls for %s" % (host.group(7), want))
    cap = re.search(r"^\[guest spec\] note: ARCH_CAPABILITIES 0x([0-9a-f]+)$", out, re.M)
    if h_edx & (1 << 29):
        if not cap:
            problems.append("guest printed no ARCH_CAPABILITIES")
        elif int(cap.group(1), 16) != h_cap & ARCH_CAP_GUEST:
            problems.append("guest reads ARCH_CAPABILITIES 0x%s, host 0x%x masked is 0x%x" % (
                cap.group(1), h_cap, h_cap & ARCH_CAP_GUEST))
    return problems


CASES = [
    # Each speculation-control MSR works iff its CPUID bit is shown, with
    # the SDM's #GP for reserved bits, reads of write-only MSRs and writes
    # of ARCH_CAPABILITIES; and the bits shown are the host's.
    dict(name="spec-msrs", guests=["spec"], config=HV + guest("spec"),
         checks=[spec_matches_host],
         reject=[r"(?m)^\[spec\] error"]),
    # IA32_SPEC_CTRL is per guest: speca holds SSBD across preemptions
    # while specb reads 0, then its own value.
    dict(name="spec-ctrl-isolation", guests=["speca", "specb"],
         config=HV_1MS + guest("speca") + guest("specb"),
         reject=[r"(?m)^\[spec\] error"]),
]

# What Debian's kernel concludes about speculation is checked in the
# linux-shell boot (LINUX_SPEC_EXPECT in cases.py), which shares it.
