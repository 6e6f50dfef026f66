# SPDX-License-Identifier: MIT
"""mode = multiboot: the Multiboot 1 test kernels of tests/guests/mb/ check
the machine state and boot information Shale hands them, and a bad image is
refused with its reason while the other guests run."""

import os
import re

from cases import HV

MB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guests", "mb")
CHECK = re.compile(r'^\s*(?:PASS|CHECK)\s+"([a-z0-9]+(?:-[a-z0-9]+)+)"', re.M)
LINE = re.compile(r'"PASS ([a-z0-9-]+)\\n"|db "PASS ([a-z0-9-]+)", 10')


def mb_checks(kernel):
    """Every check name a test kernel's source can print as PASS."""
    with open(os.path.join(MB_DIR, kernel + ".asm")) as f:
        src = f.read()
    names = [m.group(1) for m in CHECK.finditer(src)]
    names += [a or b for a, b in LINE.findall(src)]
    return list(dict.fromkeys(names))


def mb_passes(name, kernel, status=0):
    """A check for the runner: each PASS of the kernel, no FAIL, the status."""
    def check(out):
        problems = re.findall(r"\[guest %s\] (FAIL .*)" % name, out)
        for c in mb_checks(kernel):
            if "[guest %s] PASS %s\n" % (name, c) not in out:
                problems.append("%s: no PASS %s" % (name, c))
        if not re.search(r'^\[vm\] guest "%s" exited with status %d$' % (name, status),
                         out, re.M):
            problems.append('%s: no "exited with status %d"' % (name, status))
        return problems
    return check


def mb_guest(name, kernel, extra=""):
    return ("[guest]\nname = %s\nmode = multiboot\nkernel = %s\nmemory = 16M\n%s\n"
            % (name, kernel, extra))


MB_FILES = {"mbtest.elf": "build/guests/mb/mbtest.elf",
            "mblong.elf": "build/guests/mb/mblong.elf",
            "mbraw.bin": "build/guests/mb/mbraw.bin",
            "mb64.elf": "build/guests/mb/mb64.elf",
            "mod1.txt": "tests/guests/mb/mod1.txt",
            "mod2.txt": "tests/guests/mb/mod2.txt"}

CASES = [
    # ELF32 with two modules, a command line and memory information.
    dict(name="multiboot-elf32", guests=[], files=MB_FILES,
         config=HV + mb_guest("mbtest", "mbtest.elf",
                              'cmdline = "hello=1 world"\n'
                              "modules = mod1.txt alpha beta, mod2.txt"),
         checks=[mb_passes("mbtest", "mbtest")],
         expect=[r'\[load\] guest "mbtest": Multiboot kernel \(ELF32, 1 segment\(s\)\)']),
    # An ELF32 kernel that enters long mode by itself; a raw image placed
    # by its header's address fields (flag 16); an ELF64 file of 32-bit
    # code. All in one boot.
    dict(name="multiboot-long-raw", guests=[], files=MB_FILES,
         config=HV + mb_guest("mblong", "mblong.elf", 'cmdline = "long"')
         + mb_guest("mbraw", "mbraw.bin") + mb_guest("mb64", "mb64.elf"),
         checks=[mb_passes("mblong", "mblong"), mb_passes("mbraw", "mbraw"),
                 mb_passes("mb64", "mb64")],
         expect=[r'guest "mbraw": Multiboot kernel \(address fields, 1 segment\(s\)\)',
                 r'guest "mb64": Multiboot kernel \(ELF64, ']),
    # A kernel cut short inside its segment is refused with the file and
    # the reason; the guest after it still runs.
    dict(name="multiboot-bad-image", guests=["cpuid"], files={
             "cut.elf": ("build/guests/mb/mbtest.elf", 0x1100),
             "nohdr.bin": ("build/guests/cpuid.bin", 4096)},
         config=HV + mb_guest("cut", "cut.elf") + mb_guest("nohdr", "nohdr.bin")
         + "[guest]\nname = cpuid\nkernel = cpuid.bin\nmemory = 16M\n",
         expect=[r'\[load\] error: guest "cut": kernel "cut.elf": truncated: the segment '
                 r'for 0x100000 needs file bytes 0x1000-0x1[0-9a-f]{3} but the file has 4352',
                 r'\[load\] error: guest "nohdr": kernel "nohdr.bin": not a Multiboot kernel: '
                 r'no header \(magic 0x1BADB002\) in the first 8K']),
]
