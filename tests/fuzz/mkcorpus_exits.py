#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz_exits (tests/fuzz/fuzz_exits.c): one per exit
reason the dispatch table handles, plus an unknown one, each a 64-bit
guest at CPL 0 whose registers and memory make that exit do its usual
work. The input format is the one described at the top of fuzz_exits.c.

  mkcorpus_exits.py [DIR]   (default tests/fuzz/corpus/exits)
"""
import os
import struct
import sys

# The order of handled[] in fuzz_exits.c.
HANDLED = [
    "exception_nmi", "external_interrupt", "triple_fault", "init_signal",
    "sipi", "interrupt_window", "nmi_window", "cpuid", "getsec", "hlt",
    "invd", "rdpmc", "vmcall", "vmclear", "vmlaunch", "vmptrld", "vmptrst",
    "vmread", "vmresume", "vmwrite", "vmxoff", "vmxon", "cr_access",
    "dr_access", "io_instruction", "msr_read", "msr_write", "mwait",
    "monitor", "ept_violation", "ept_misconfig", "invept",
    "preemption_timer", "invvpid", "wbinvd", "xsetbv", "apic_access",
    "eoi_induced", "apic_write", "vmfunc",
]
RAW = len(HANDLED)   # reason byte = RAW (mod len + 1): a raw reason byte / 2

MSRS = [
    (0xC0000080, 0xD01), (0x277, 0x0007040600070406), (0x174, 0x10),
    (0x175, 0xFFFF800000001000), (0x176, 0xFFFF800000002000),
    (0xC0000100, 0x7F0000000000), (0xC0000101, 0xFFFF888000000000),
    (0x10, 0x123456789), (0x3B, 0x1000), (0x3A, 0), (0x1B, 0xFEE00900),
    (0x1A0, 1), (0x6E0, 0x100000000), (0xDA0, 0), (0x48, 1), (0x10A, 0),
    (0x49, 1), (0x10B, 1), (0x17, 0), (0x8B, 0), (0xFE, 0), (0x2FF, 6),
    (0x179, 0), (0x17A, 0), (0x1D9, 0),
]
CFG_PC, CFG_APICV, CFG_SIPI, CFG_DEBUGGER = 1, 2, 4, 8
RIP = 0x100000       # identity-mapped by the harness's page tables
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)


def seed(reason, config=CFG_PC, mode=0, qual=0, length=2, insn_info=0,
         intr=0, idt=0, err=0, gpa=0, regs=None, rflags=0x202,
         cr4_flip=0, code=b"", patches=()):
    gpr = [0] * 16
    for i, v in (regs or {}).items():
        gpr[i] = v
    idx = HANDLED.index(reason) if isinstance(reason, str) else reason
    out = struct.pack("<BBBB", config, mode, 0, 0)
    out += struct.pack("<QQQQQ", RIP, 0x80000, rflags, 0, cr4_flip)
    out += struct.pack("<16Q", *gpr)
    out += struct.pack("<BQBIBBHQBQ", idx, qual, length - 1, insn_info,
                       intr, idt, err, gpa, 0xff, 0)
    for where, data in ([(RIP, code)] if code else []) + list(patches):
        out += struct.pack("<IB", where, len(data)) + data
    return out


def seeds():
    yield "exception_nmi", seed("exception_nmi", config=CFG_PC | CFG_DEBUGGER,
                                intr=4, length=1, code=b"\xcc")
    yield "external_interrupt", seed("external_interrupt", intr=0x10)
    yield "triple_fault", seed("triple_fault")
    yield "init_signal", seed("init_signal", config=CFG_PC | CFG_SIPI)
    yield "sipi", seed("sipi", config=CFG_PC | CFG_SIPI, qual=0x10)
    yield "interrupt_window", seed("interrupt_window")
    yield "nmi_window", seed("nmi_window")
    yield "cpuid", seed("cpuid", regs={RAX: 1}, code=b"\x0f\xa2")
    yield "getsec", seed("getsec", code=b"\x0f\x37")
    yield "hlt", seed("hlt", length=1, code=b"\xf4")
    yield "invd", seed("invd", code=b"\x0f\x08")
    yield "rdpmc", seed("rdpmc", code=b"\x0f\x33")
    # SHALE_HC_CONSOLE_WRITE of 5 bytes at guest-physical 0x200000 - 5.
    yield "vmcall", seed("vmcall", length=3, code=b"\x0f\x01\xc1",
                         regs={RAX: 1, RDI: 0x200000 - 5, RSI: 5},
                         patches=[(0x200000 - 5, b"hello")])
    for name in ("vmclear", "vmlaunch", "vmptrld", "vmptrst", "vmread",
                 "vmresume", "vmwrite", "vmxoff", "vmxon", "invept",
                 "invvpid", "vmfunc", "mwait", "monitor"):
        yield name, seed(name, length=3)
    # MOV CR4, RAX setting OSXSAVE: qualification CR 4, type 0, GPR 0.
    yield "cr_access", seed("cr_access", qual=4, length=3,
                            regs={RAX: 0x40020}, code=b"\x0f\x22\xe0")
    # MOV DR7, RAX with the debugger's breakpoints loaded.
    yield "dr_access", seed("dr_access", config=CFG_PC | CFG_DEBUGGER,
                            qual=7, length=3, regs={RAX: 0x401},
                            code=b"\x0f\x23\xf8")
    # OUT DX, AL to COM1; REP OUTSB from DS:RSI (64-bit addresses).
    yield "io_instruction", seed("io_instruction", qual=0x3f8 << 16, length=1,
                                 regs={RAX: 0x41, RDX: 0x3f8}, code=b"\xee")
    yield "io_string", seed("io_instruction", qual=(0x3f8 << 16) | 0x30,
                            length=2, insn_info=(2 << 7) | (3 << 15),
                            regs={RSI: 0x100100, RCX: 8, RDX: 0x3f8},
                            code=b"\xf3\x6e",
                            patches=[(0x100100, b"ABCDEFGH")])
    yield "msr_read", seed("msr_read", regs={RCX: 0xC0000080},
                           code=b"\x0f\x32")
    yield "msr_write", seed("msr_write", regs={RCX: 0x277, RAX: 0x00070406,
                                                RDX: 0x00070406},
                            code=b"\x0f\x30")
    # Every MSR vmm/msr.c emulates, read and written, on a host with the
    # speculation controls (mode bit 7) and a guest with XSAVES (0x40).
    for msr, val in MSRS:
        for kind, code in (("msr_read", b"\x0f\x32"), ("msr_write", b"\x0f\x30")):
            yield "%s_%x" % (kind, msr), seed(
                kind, config=CFG_PC | 0x40, mode=0x84, code=code,
                regs={RCX: msr, RAX: val & 0xffffffff, RDX: val >> 32})
    # mov eax, [rbx] on the local APIC's version register.
    yield "ept_violation", seed("ept_violation", qual=1, gpa=0xFEE00030,
                                regs={RBX: 0xFEE00030}, code=b"\x8b\x03")
    yield "ept_misconfig", seed("ept_misconfig", gpa=0x12345000)
    yield "preemption_timer", seed("preemption_timer")
    yield "wbinvd", seed("wbinvd", code=b"\x0f\x09")
    # XSETBV of x87|SSE|AVX with CR4.OSXSAVE, on a CPU with those three.
    yield "xsetbv", seed("xsetbv", mode=0x20, cr4_flip=1 << 18, length=3,
                         regs={RAX: 7}, code=b"\x0f\x01\xd1")
    # A read of the timer's current count: linear read at offset 0x390.
    yield "apic_access", seed("apic_access", config=CFG_PC | CFG_APICV,
                              qual=0x390, regs={RBX: 0xFEE00390},
                              code=b"\x8b\x03")
    yield "eoi_induced", seed("eoi_induced", config=CFG_PC | CFG_APICV,
                              qual=0x30)
    yield "apic_write", seed("apic_write", config=CFG_PC | CFG_APICV,
                             qual=0x300)
    # Basic reason 40 (PAUSE): no handler, the unexpected-exit path.
    yield "unknown", seed(RAW + (len(HANDLED) + 1) * 1, qual=0)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "exits")
    os.makedirs(out, exist_ok=True)
    names = set()
    for name, data in seeds():
        names.add(name)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    missing = set(HANDLED) - names
    if missing:
        sys.exit("no seed for: " + ", ".join(sorted(missing)))
    print("%d seeds in %s" % (len(names), out))


if __name__ == "__main__":
    main()
