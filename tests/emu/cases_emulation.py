# SPDX-License-Identifier: MIT
"""Emulation a hostile or unusual guest can reach, held to what the CPU
does: string I/O through the guest's page tables (rights, #PF error code
and CR2, segments, address size), MMIO with RSP, the guest's own page walk
touching device memory, LA57 hidden, and CR0.PG in 64-bit mode. The guests
are tests/guests/strio.asm, mmiorsp.asm, ptmmio.asm and crmode.asm."""

from cases import HV, guest

CASES = [
    # INS/OUTS: U/S and R/W of the guest's page tables give #PF with the
    # SDM's error code and CR2; REP stops at the faulting element; no ES
    # base in 64-bit mode; non-canonical -> #GP / #SS; a32 uses ECX/EDI.
    dict(name="emu-string-io", guests=["strio"],
         config=HV + guest("strio", "devices = testdev")),
    # The guest's own page walk reads a paging-structure entry from the
    # test device's MMIO page (EPT exit qualification bit 7 set, bit 8
    # clear): the guest is stopped with a report, not its MOV emulated
    # against the device; the next guest runs.
    dict(name="emu-walk-mmio", guests=["ptmmio", "after"],
         config=HV + guest("ptmmio", "devices = testdev") + guest("after"),
         status={"ptmmio": None},
         expect=[r'\[guest ptmmio\] PASS ptmmio-started',
                 r'\[vm\] error: guest "ptmmio" crashed: page walk for linear '
                 r'0x8000000000 at RIP 0x[0-9a-f]+ read a paging-structure entry from '
                 r'device memory \(testdev\) at guest-physical 0xfeb00000',
                 r'guest "ptmmio" destroyed; the hypervisor goes on',
                 r'\[guest after\] PASS after-ran',
                 r'guest "after" exited with status 0'],
         reject=[r'ptmmio-not-stopped']),
    # LA57 hidden and CR4.LA57 refused; in 64-bit mode, a MOV CR0 that
    # clears PG (and sets CD, so it exits) is #GP(0) and the guest goes on.
    dict(name="emu-cr-mode", guests=["crmode"], config=HV + guest("crmode"),
         reject=[r'\[panic\]', r'VM entry failed']),
    # MOV between RSP and MMIO: RSP is in the VMCS (GUEST_RSP), not in
    # the register area the exit stub fills.
    dict(name="emu-mmio-rsp", guests=["mmiorsp"],
         config=HV + guest("mmiorsp", "devices = testdev")),
]
