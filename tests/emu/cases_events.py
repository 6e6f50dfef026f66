# SPDX-License-Identifier: MIT
"""Event injection as the SDM allows it and the CPU would do it: an
exception injected into a real-mode guest carries no error code; HLT with
IF = 0 is not ended by a maskable interrupt. (NMIs, in a guest with the
PC devices: cases_nmi.py.)"""

from cases import HV, guest

REALGP_CHECKS = ["realgp-rdmsr-gp", "realgp-rdmsr-frame",
                 "realgp-wrmsr-gp", "realgp-wrmsr-frame"]

CASES = [
    # #GP(0) from RDMSR/WRMSR of a refused MSR, injected into a guest with
    # CR0.PE = 0: delivered through its IVT, not a failed VM entry.
    dict(name="realmode-gp", guests=["realgp"],
         config=HV + guest("realgp", "mode = real\nload = 0x10000"),
         expect=[r'\[guest realgp\] PASS %s\n' % c for c in REALGP_CHECKS],
         reject=[r'VM entry failed', r'guest "realgp" crashed']),
    # HLT with IF = 0 and the timer's interrupt pending: the guest stays
    # halted (Shale stops it: nothing but an NMI could end it, and it has
    # no source of NMIs), never runs past the HLT; the other guest, whose
    # STI; HLT the same timer must end, finishes.
    dict(name="hlt-masked", guests=["hltcli", "hlt"],
         config=HV + guest("hltcli") + guest("hlt"),
         status={"hltcli": None, "hlt": 0},
         end_all=[r'guest "hltcli" halted', r'guest "hlt" exited'],
         expect=[r'\[guest hltcli\] PASS hltcli-timer-call\n',
                 r'\[guest hltcli\] PASS hltcli-masked\n',
                 r'guest "hltcli" halted: halted with interrupts disabled at RIP 0x'],
         reject=[r'\[guest hltcli\] FAIL', r'guest "hltcli" (exited|crashed)']),
]
