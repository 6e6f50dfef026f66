#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed programs of fuzz_vdev into tests/fuzz/corpus/vdev/.

  mkcorpus_vdev.py [DIR]

Each seed is a short guest program in the encoding documented above
run_op() in tests/fuzz/fuzz_vdev.c, one per device model, doing what a
kernel's driver does with it, so that the fuzzer starts with every model's
registers reached. Run it again after changing the encoding.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Kinds (low 5 bits of the op byte); the modifier is the high 3 bits.
OUT, IN, DEVOUT, DEVIN, MMIOW, MMIOR, ADVANCE, TIMERS, INTR, EOI, LINE, \
    LINT, RX, MSRW, MSRR, APICW, APICV, RESET, VIRTIO, RAMW, VCONS, CONSIN = range(22)
SIZE = {1: 0, 2: 1, 4: 2, 8: 3}
LAPIC, IOAPIC, TESTDEV = 0, 1, 2


class Prog:
    def __init__(self, hz=0):
        self.b = bytearray([hz])

    def op(self, kind, m=0, fmt="", *args):
        self.b += bytes([kind | (m << 5)]) + struct.pack("<" + fmt, *args)
        return self

    def outb(self, port, val, size=1):
        return self.op(OUT, SIZE[size], "HI", port, val)

    def inb(self, port, size=1):
        return self.op(IN, SIZE[size], "H", port)

    def mmw(self, region, off, val, size=4):
        return self.op(MMIOW, SIZE[size], "BHQ", region, off, val)

    def mmr(self, region, off, size=4):
        return self.op(MMIOR, SIZE[size], "BH", region, off)

    def advance(self, n, shift=0):
        return self.op(ADVANCE, shift, "I", n)

    def timers(self):
        return self.op(TIMERS)

    def intr(self, cpu=False):
        return self.op(INTR, 1 if cpu else 0)

    def eoi(self, how=0, vec=0):
        return self.op(EOI, how, "B", vec)

    def line(self, gsi, level=True, pulse=False):
        return self.op(LINE, (1 if level else 0) | (2 if pulse else 0), "B", gsi)


def pic():
    p = Prog()
    # Linux's init_8259A: ICW1-4 on both chips, then the masks.
    for cmd, data, base, icw3 in ((0x20, 0x21, 0x30, 0x04), (0xa0, 0xa1, 0x38, 0x02)):
        p.outb(cmd, 0x11).outb(data, base).outb(data, icw3).outb(data, 0x01)
    p.outb(0x21, 0xf8).outb(0xa1, 0xee)
    p.outb(0x4d0, 0x00).outb(0x4d1, 0x0e)  # IRQ 9-11 level
    p.line(1, pulse=True).line(9, level=True).line(12, pulse=True)
    p.intr().intr().outb(0x20, 0x0b).inb(0x20).outb(0x20, 0x0a).inb(0x20)
    p.outb(0xa0, 0x20).outb(0x20, 0x20).outb(0x20, 0x0c).inb(0x20)
    p.outb(0x20, 0xc7).outb(0x20, 0x68).outb(0x20, 0x61).outb(0x20, 0xa0)
    p.inb(0x4d0, 2).inb(0x21, 4).line(9, level=False)
    return p


def pit():
    p = Prog()
    p.outb(0x43, 0x34).outb(0x40, 0x9c).outb(0x40, 0x2e)  # mode 2, 11932
    p.advance(25000000).timers().intr()
    p.outb(0x43, 0x00).inb(0x40).inb(0x40).outb(0x43, 0xc2).inb(0x40).inb(0x40)
    p.outb(0x61, 0x01).outb(0x43, 0xb0).outb(0x42, 0xff).outb(0x42, 0xff)
    p.inb(0x61).advance(1 << 20, 2).inb(0x61).outb(0x61, 0x00)
    p.outb(0x43, 0x36).outb(0x40, 0x00).outb(0x40, 0x00).advance(1 << 24, 1)
    p.timers().outb(0x43, 0x38).outb(0x40, 0x10).outb(0x40, 0x00)
    p.advance(1 << 20).timers().outb(0x43, 0x13).outb(0x40, 0x99)
    return p


def rtc():
    p = Prog()
    p.outb(0x70, 0x0a).inb(0x71).outb(0x70, 0x0b).outb(0x71, 0x12)
    p.advance(3000000000).timers().outb(0x70, 0x0c).inb(0x71)
    p.outb(0x70, 0x0b).outb(0x71, 0x86)  # SET, binary, 24 h
    for reg, val in ((0, 30), (2, 59), (4, 23), (7, 31), (8, 12), (9, 99)):
        p.outb(0x70, reg).outb(0x71, val)
    p.outb(0x70, 0x0b).outb(0x71, 0x26)  # alarm interrupts
    p.outb(0x70, 0x01).outb(0x71, 0xc0).outb(0x70, 0x03).outb(0x71, 0xc0)
    p.advance(1 << 30, 1).timers().outb(0x70, 0x0c).inb(0x71)
    p.outb(0x70, 0x8f).inb(0x70).outb(0x70, 0x40).outb(0x71, 0x55).inb(0x71)
    p.outb(0x70, 0x00).inb(0x71).outb(0x70, 0x04).inb(0x71, 2)
    return p


def uart():
    p = Prog()
    p.outb(0x3fb, 0x80).outb(0x3f8, 0x01).outb(0x3f9, 0x00).outb(0x3fb, 0x03)
    p.outb(0x3fa, 0xc7).outb(0x3fc, 0x0b).outb(0x3f9, 0x0f)
    p.inb(0x3fa).outb(0x3f8, 0x41).outb(0x3f8, 0x42).advance(100000).timers()
    p.inb(0x3fa).op(RX, 0, "B", 5).b += b"hello"
    p.inb(0x3fd).inb(0x3f8).advance(10000000).timers().inb(0x3fa)
    p.op(RX, 1, "B", 20).b += bytes(range(20))
    p.inb(0x3fd).inb(0x3fe).outb(0x3fc, 0x1f).outb(0x3f8, 0x5a).inb(0x3f8)
    p.inb(0x3fe).outb(0x3ff, 0x99).inb(0x3ff).outb(0x3fa, 0x00).inb(0x3fa)
    p.inb(0x3fe, 4).op(RESET, 1)
    return p


def ioapic():
    p = Prog()
    p.mmw(IOAPIC, 0, 0x01).mmr(IOAPIC, 0x10)  # version
    p.mmw(IOAPIC, 0, 0x10 + 2 * 4).mmw(IOAPIC, 0x10, 0x31)  # COM1 pin
    p.mmw(IOAPIC, 0, 0x10 + 2 * 9).mmw(IOAPIC, 0x10, 0xa039)  # SCI level low
    p.mmw(IOAPIC, 0, 0x11 + 2 * 9).mmw(IOAPIC, 0x10, 0xff000000)
    p.mmw(IOAPIC, 0, 0x10 + 2 * 2).mmw(IOAPIC, 0x10, 0x30)  # timer
    p.line(9, level=False).intr().mmw(LAPIC, 0xb0, 0)
    p.line(4, pulse=True).intr().line(0, pulse=True).intr()
    p.mmw(LAPIC, 0xb0, 0).mmw(IOAPIC, 0x40, 0x39).line(9, level=True)
    p.mmw(IOAPIC, 0, 0x10 + 2 * 23).mmw(IOAPIC, 0x10, 0x18040)
    p.mmr(IOAPIC, 0x10).mmw(IOAPIC, 0, 0x00).mmr(IOAPIC, 0x10)
    p.mmw(IOAPIC, 0, 0x02).mmr(IOAPIC, 0x10).op(RESET, 4)
    return p


def lapic():
    p = Prog()
    p.mmw(LAPIC, 0xf0, 0x1ff).mmw(LAPIC, 0x3e0, 0x3).mmw(LAPIC, 0x320, 0x200ec)
    p.mmw(LAPIC, 0x380, 10000).advance(200000).timers().intr()
    p.mmr(LAPIC, 0x390).mmr(LAPIC, 0x100).mmw(LAPIC, 0xb0, 0)
    p.mmw(LAPIC, 0x80, 0x20).mmr(LAPIC, 0xa0).mmw(LAPIC, 0x300, 0x40041)
    p.intr().mmw(LAPIC, 0x300, 0x4000f).mmw(LAPIC, 0x280, 0).mmr(LAPIC, 0x280)
    p.mmw(LAPIC, 0x320, 0x400ef).op(MSRW, 1, "BQ", 0, (1 << 40))
    p.advance(1 << 30, 2).timers().intr().op(MSRR, 1, "B", 0)
    p.op(MSRW, 0, "BQ", 0x08, 0x10).op(MSRW, 0, "BQ", 0x3f, 0x55)
    p.op(MSRW, 0, "BQ", 0x30, 0x4500).op(MSRR, 0, "B", 0x0d)
    p.op(LINT, 1, "B", 1).op(LINT, 0, "B", 1).intr()
    p.mmw(LAPIC, 0x350, 0x0a0e0).op(LINT, 1, "B", 0).intr().mmw(LAPIC, 0xb0, 0)
    p.mmr(LAPIC, 0x30, 8).mmw(LAPIC, 0x23, 1, 1).op(RESET, 3).op(RESET, 6)
    return p


def apicv():
    p = Prog()
    p.op(APICV, 1)
    p.op(APICW, 0, "HI", 0xf0, 0x1ff).op(APICW, 0, "HI", 0x320, 0x200ec)
    p.op(APICW, 0, "HI", 0x3e0, 0xb).op(APICW, 0, "HI", 0x380, 5000)
    p.advance(100000).timers().intr(cpu=True).eoi(1)
    p.op(APICW, 2, "HI", 0, 0x61).intr(cpu=True).op(APICW, 1, "HI", 0x80, 0x70)
    p.mmw(IOAPIC, 0, 0x10 + 2 * 9).mmw(IOAPIC, 0x10, 0x8051).line(9, True)
    p.intr(cpu=True).eoi(1).eoi(2, 0x51).line(9, False)
    p.op(APICW, 0, "HI", 0x20, 0x7000000).op(APICW, 0, "HI", 0x280, 0)
    p.op(APICW, 0, "HI", 0x300, 0x44000).op(APICW, 0, "HI", 0x350, 0x8051)
    p.op(APICV, 0)
    return p


def acpi():
    p = Prog()
    p.outb(0x602, 0x0001, 2).advance(1 << 22, 1).timers().inb(0x600, 2)
    p.outb(0x600, 0x0001, 2).inb(0x608, 4).op(RESET, 0).inb(0x600, 4)
    p.outb(0x602, 0x0100, 2).outb(0x600, 0xffff, 2).inb(0x604, 2)
    p.outb(0x604, 0x0c00, 2).outb(0x605, 0x2c).inb(0x600, 2)
    p.inb(0xcf9).inb(0x92, 2).inb(0x64).outb(0x92, 0x02)
    p.outb(0x604, (5 << 10) | (1 << 13), 2)  # S5: power off
    p.outb(0xcf9, 0x06)
    p.outb(0x64, 0xfe)
    return p


def pci():
    p = Prog()
    p.outb(0xcf8, 0x80000000, 4).inb(0xcfc, 4).inb(0xcfe, 2).inb(0xcff)
    p.outb(0xcf8, 0x80000008, 4).inb(0xcfc, 4).inb(0xcf8, 4)
    p.outb(0xcf8, 0x80000800, 4).inb(0xcfc, 4).inb(0xcf8, 1)
    p.outb(0xcfc, 0x1234, 4).outb(0xcf8, 0x7f, 1)
    return p


def testdev():
    p = Prog()
    p.outb(0x5000, 0xdeadbeef, 4).inb(0x5000, 4).inb(0x5002, 2).inb(0x5004, 4)
    p.inb(0x5008, 4).mmw(TESTDEV, 0, 0x1122334455667788, 8)
    p.mmr(TESTDEV, 0, 8).mmr(TESTDEV, 8, 4).mmr(TESTDEV, 0x10, 8)
    p.mmr(TESTDEV, 0xffc, 8).mmw(TESTDEV, 7, 0xff, 1)
    return p


def virtio_rng():
    """What virtio_pci and virtio_rng do: memory space on, the handshake,
    queue 0 in guest RAM, one 16-byte request, the doorbell, the ISR."""
    p = Prog()
    p.outb(0xcf8, 0x80000804, 4).outb(0xcfc, 0x0006, 2)  # 00:01.0 command

    def vw(off, val, size):
        p.op(VIRTIO, 4 | SIZE[size], "HQ", off, val)
    for off, val, size in ((0x14, 3, 1), (0x08, 1, 4), (0x0c, 1, 4), (0x14, 0xb, 1),
                           (0x18, 8, 2), (0x20, 0x1000, 4), (0x28, 0x2000, 4),
                           (0x30, 0x3000, 4), (0x1c, 1, 2), (0x14, 0xf, 1)):
        vw(off, val, size)
    p.op(RAMW, 0, "HQ", 0x1000, 0x800)                 # desc 0: addr
    p.op(RAMW, 0, "HQ", 0x1008, 16 | 2 << 32)          # len 16, WRITE
    p.op(RAMW, 0, "HQ", 0x2000, 1 << 16)               # avail idx 1, ring[0] 0
    vw(0x300, 0, 2)
    p.op(VIRTIO, SIZE[1], "H", 0x100)                  # ISR
    p.intr()
    return p


def virtio_console():
    """virtio-console (00:03.0): both queues set up, a receive buffer
    posted, input typed, and a transmit chain sent."""
    p = Prog()
    p.outb(0xcf8, 0x80001804, 4).outb(0xcfc, 0x0006, 2)  # 00:03.0 command

    def vw(off, val, size):
        p.op(VCONS, 4 | SIZE[size], "HQ", off, val)
    for off, val, size in ((0x14, 3, 1), (0x08, 1, 4), (0x0c, 1, 4), (0x14, 0xb, 1),
                           (0x16, 0, 2), (0x18, 8, 2), (0x20, 0x3800, 4),
                           (0x28, 0x3900, 4), (0x30, 0x3a00, 4), (0x1c, 1, 2),
                           (0x16, 1, 2), (0x18, 8, 2), (0x20, 0x3b00, 4),
                           (0x28, 0x3c00, 4), (0x30, 0x3d00, 4), (0x1c, 1, 2),
                           (0x14, 0xf, 1)):
        vw(off, val, size)
    p.op(RAMW, 0, "HQ", 0x3800, 0xc00)                 # rx desc 0: addr
    p.op(RAMW, 0, "HQ", 0x3808, 16 | 2 << 32)          # len 16, WRITE
    p.op(RAMW, 0, "HQ", 0x3900, 1 << 16)               # avail idx 1
    vw(0x300, 0, 2)
    p.op(CONSIN, 1, "B5s", 5, b"hello")                # typed, then served
    p.op(RAMW, 0, "HQ", 0x0d00, 0x0a6b6f)              # "ok\n"
    p.op(RAMW, 0, "HQ", 0x3b00, 0xd00)                 # tx desc 0: addr
    p.op(RAMW, 0, "HQ", 0x3b08, 3)                     # len 3, readable
    p.op(RAMW, 0, "HQ", 0x3c00, 1 << 16)
    vw(0x304, 1, 2)
    p.op(VCONS, SIZE[1], "H", 0x100)                   # ISR
    p.intr()
    return p


def misc():
    p = Prog(1)
    p.inb(0x80).outb(0x80, 0).inb(0xffff, 4).op(MMIOR, SIZE[4], "BQ", 3, 0xfee00020)
    p.op(MMIOR, SIZE[8], "BQ", 3, 0xfffffffffffffff8)
    p.op(DEVIN, SIZE[2], "BB", 6, 7).op(DEVOUT, SIZE[4], "BBI", 7, 10, 0xffffffff)
    p.op(RESET, 5).advance(0xffffffff, 7).timers()
    return p


SEEDS = {"pic": pic, "pit": pit, "rtc": rtc, "uart": uart, "ioapic": ioapic,
         "lapic": lapic, "apicv": apicv, "acpi": acpi, "pci": pci,
         "testdev": testdev, "misc": misc, "virtio_rng": virtio_rng,
         "virtio_console": virtio_console}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus", "vdev")
    os.makedirs(out, exist_ok=True)
    for name, make in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes(make().b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
