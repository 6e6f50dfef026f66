# SPDX-License-Identifier: MIT
"""QEMU's debug devices for any guest (devices = isa-debug-exit, debugcon,
fw_cfg): tests/guests/qdev.asm, as a kernel written for qemu -kernel uses
them."""

from cases import HV, guest

QDEV = "devices = isa-debug-exit, debugcon, fw_cfg"

CASES = [
    # The exit status is QEMU's (0x10 << 1) | 1; the next guest still runs.
    dict(name="qemu-devices", guests=["qdev", "cpuid"],
         status={"qdev": None, "cpuid": 0},
         config=HV + guest("qdev", QDEV) + guest("cpuid"),
         expect=[r'(?m)^\[guest qdev\] debugcon-hello$',
                 r'(?m)^\[vm\] guest "qdev" exited through isa-debug-exit with status 33$'],
         reject=[r'\[guest qdev\] PASS qdev-exit-returned']),
    # The shell's list shows the status; on_poweroff = preserve applies.
    dict(name="qemu-debug-exit-list", guests=[], images=["qdev", "echo"],
         config=HV + guest("qdev", QDEV + "\non_poweroff = preserve") + guest("e1", image="echo"),
         script=[(r'guest "qdev" preserved', b"\x01:"),
                 (r'shale> ', b"list\r"),
                 (r'2  e1 ', b"exit\r"),
                 (r'shell closed', b"quit\r")],
         expect=[r'(?m)^  1  qdev +preserved +1 +16M +\d+  33$',
                 r'(?m)^  2  e1 +running +1 +16M +\d+  -$']),
    # Another port, as with QEMU's iobase=0x501; 0xF4 is then nobody's.
    dict(name="qemu-debug-exit-port", guests=["exit7"], status={"exit7": 7},
         config=HV + guest("exit7", "devices = isa-debug-exit\ndebug_exit_port = 0x501"),
         expect=[r'guest "exit7" exited with status 7']),
]
