# SPDX-License-Identifier: MIT
"""Isolation of per-guest CPU state: what the VMCS does not switch must
still be each guest's own while guests share the CPU. Two guests each, with
a 1 ms slice so that they are preempted many times while they check."""

from cases import HV, guest  # noqa: F401

# [hypervisor] with a short slice: many switches in a short run.
HV_1MS = HV.replace("log = info\n", "log = info\ntimeslice = 1ms\n")

CASES = [
    # x87, MXCSR, XMM/YMM/ZMM, opmask and PKRU: each guest starts from the
    # init state and finds its own values after every preemption. xstate1
    # enables AVX (and AVX-512) with XSETBV, xstate2 keeps XCR0 = 1 and
    # uses SSE through CR4.OSFXSR alone, so neither the state of a
    # component the incoming guest has not enabled nor legacy SSE may leak.
    dict(name="xstate-isolation", guests=["xstate1", "xstate2"],
         config=HV_1MS + guest("xstate1") + guest("xstate2"),
         expect=[r"\[guest xstate1\] note: YMM upper halves checked"]),
    # CR8 is each guest's own (CR8-load/store exiting, no TPR shadow):
    # cr8a holds 0xF, cr8b reads 0 and later 7; reserved bits give #GP.
    dict(name="cr8-isolation", guests=["cr8a", "cr8b"],
         config=HV_1MS + guest("cr8a") + guest("cr8b")),
]
