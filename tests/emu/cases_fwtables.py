# SPDX-License-Identifier: MIT
"""The firmware's SPCR and MCFG at boot, in QEMU TCG (q35 + OVMF, which has
an MCFG; QEMU adds the SPCR given with -acpitable). Shale reads them before
it finds that there is no VT-x, so one quick boot shows both: the console
the SPCR names, or shale.cfg's when it has `console =`, and one MCFG line
per PCI segment, checked against the configuration ports. And in Bochs,
which TSC source Shale takes there."""

import struct

from cases import HV, guest


def spcr(port, baud_code, revision=2):
    """An 80-byte SPCR for a full 16550 at an I/O port, laid out as
    Hyper-V's (tests/unit/test_spcr.c): byte access, PC-AT IRQ 3."""
    body = bytearray(80)
    body[0:4] = b"SPCR"
    struct.pack_into("<I", body, 4, 80)
    body[8] = revision
    body[10:16] = b"SHALE "
    body[16:24] = b"SPCRTEST"
    body[36] = 0x00                                   # full 16550
    body[40:44] = bytes([1, 8, 0, 1])                 # I/O, 8 bits, byte access
    struct.pack_into("<Q", body, 44, port)
    body[52] = 1                                      # PC-AT IRQ
    body[53] = 3
    body[58] = baud_code
    body[60] = 1                                      # one stop bit
    struct.pack_into("<HH", body, 64, 0xffff, 0xffff) # not a PCI device
    body[9] = (-sum(body)) & 0xff
    return bytes(body)


MCFG_LINES = [
    # q35's ECAM: 256 buses at 0xb0000000, and the host bridge (8086:29c0)
    # reads the same through it as through port 0xcf8.
    r"\[acpi\] MCFG: PCI segment 0, buses 0-255, ECAM at 0xb0000000-0xbfffffff",
    r"\[acpi\] MCFG checked: 00:00\.0 reads 8086:29c0 through ECAM and port 0xcf8 alike",
]

CASES = [
    dict(name="spcr-console", guests=["after"], emulator="qemu",
         config=HV + guest("after"), status={},
         qemu_files={"spcr.bin": spcr(0x2f8, 6)},
         qemu_args=["-acpitable", "file={workdir}/spcr.bin"],
         expect=[r"\[acpi\] SPCR: the console goes to the SPCR's I/O port 0x2f8, 57600 baud"]
         + MCFG_LINES + [r"returning to the firmware"],
         reject=[r"SPCR ignored", r"MCFG ignored"]),
    dict(name="spcr-console-explicit", guests=["after"], emulator="qemu",
         config="[hypervisor]\nlog = info\nconsole = 0x3f8, 115200\n\n" + guest("after"),
         status={},
         qemu_files={"spcr.bin": spcr(0x2f8, 7)},
         qemu_args=["-acpitable", "file={workdir}/spcr.bin"],
         expect=[r"\[acpi\] SPCR: the console stays where shale\.cfg's `console =` puts it, "
                 r"not on the SPCR's I/O port 0x2f8, 115200 baud"] + MCFG_LINES,
         reject=[r"console goes to the SPCR"]),
]

# Bochs' corei7_icelake_u reports a real Ice Lake's CPUID 0x15 (38.4 MHz x
# 78/2 = 1497.6 MHz) while its TSC counts at `ips` (200 MHz): the PIT, which
# counts emulated time too, disagrees by far more than 10 % and wins, and
# the log says so. Bochs' OVMF has no ACPI tables: no SPCR or MCFG line.
CASES += [
    dict(name="tsc-source-bochs", guests=["after"], config=HV + guest("after"),
         # 200 MHz within 0.1 MHz: the PIT measurement spans ExitBootServices
         # (arch/x86/tsc.c) and its two ends fall within a PIT clock each;
         # Bochs gives 199.9 (0.05 % low, the one decimal truncated).
         expect=[r"(?m)^\[tsc\] (199\.9|200\.0|200\.1) MHz from the PIT \(CPUID says 1497\.6 MHz, "
                 r"which is not this TSC's rate: an emulator\?\)$"],
         reject=[r"\[acpi\]"]),
]
