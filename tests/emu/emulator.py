# SPDX-License-Identifier: MIT
"""Running a Shale disk image in Bochs (VT-x with EPT) or QEMU TCG (no VT-x).

Both write the guest-visible COM1 to a file; the run ends when a marker line
appears, when the emulator exits, or at the wall-clock timeout, whichever
comes first. Facts about the emulators: shared/EMULATORS.md.
"""
import os
import signal
import subprocess
import time

OVMF = "/usr/share/ovmf/OVMF.fd"
VGABIOS = "/usr/share/vgabios/vgabios.bin"

BOCHSRC = """\
megs: {megs}
romimage: file="{ovmf}", address=0xffe00000, options=none
vgaromimage: file="{vgabios}"
vga: extension=vbe
pci: enabled=1, chipset=i440fx
cpu: count=1, ips=200000000, model=corei7_icelake_u, reset_on_triple_fault=0, ignore_bad_msrs=1
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
ata0: enabled=true, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path="{disk}", mode=flat
boot: disk
com1: enabled=true, mode={com1_mode}, dev="{com1_dev}"
port_e9_hack: enabled=1
log: {log}
info: action=ignore
error: action=ignore
panic: action=fatal
"""


class Run:
    """The outcome of one emulator run."""

    def __init__(self, output, seconds, timed_out, ended_by):
        self.output = output
        self.seconds = seconds
        self.timed_out = timed_out
        self.ended_by = ended_by


def _wait(proc, serial, end_markers, timeout, echo=None):
    start = time.time()
    try:
        return _poll(proc, serial, end_markers, timeout, echo, start)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _poll(proc, serial, end_markers, timeout, echo, start):
    ended_by = None
    shown = 0
    while True:
        time.sleep(0.2)
        text = ""
        if os.path.exists(serial):
            with open(serial, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        if echo and len(text) > shown:
            echo.write(text[shown:].replace("\r", ""))
            echo.flush()
            shown = len(text)
        if callable(end_markers):
            hit = "all end markers" if end_markers(text) else None
        else:
            hit = next((m for m in end_markers if m in text), None)
        if hit:
            # Let the last lines drain before stopping the emulator.
            time.sleep(0.5)
            with open(serial, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            ended_by = hit
            if echo and len(text) > shown:
                echo.write(text[shown:].replace("\r", ""))
            break
        if proc.poll() is not None:
            ended_by = "emulator exited (%d)" % proc.returncode
            break
        if time.time() - start > timeout:
            ended_by = "timeout"
            break
    return Run(text.replace("\r", ""), time.time() - start,
               ended_by == "timeout", ended_by)


def run_bochs(disk, workdir, end_markers, timeout, megs=512, echo=None):
    """Boot disk in Bochs with VMX; returns a Run."""
    os.makedirs(workdir, exist_ok=True)
    serial = os.path.join(workdir, "serial.out")
    if os.path.exists(serial):
        os.remove(serial)
    rc = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(megs=megs, ovmf=OVMF, vgabios=VGABIOS,
                               disk=os.path.abspath(disk),
                               com1_mode="file", com1_dev=serial,
                               log=os.path.join(workdir, "bochs.log")))
    cmds = os.path.join(workdir, "bochs.cmd")
    with open(cmds, "w") as f:
        f.write("c\n")
    with open(os.path.join(workdir, "bochs.stdout"), "wb") as out:
        proc = subprocess.Popen(
            ["bochs", "-q", "-unlock", "-rc", cmds, "-f", rc],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=workdir, start_new_session=True)
        return _wait(proc, serial, end_markers, timeout, echo)


def run_qemu(disk, workdir, end_markers, timeout, cpu=None):
    """Boot disk in QEMU TCG (no VT-x); returns a Run."""
    os.makedirs(workdir, exist_ok=True)
    serial = os.path.join(workdir, "serial.out")
    if os.path.exists(serial):
        os.remove(serial)
    with open(os.path.join(workdir, "qemu.stdout"), "wb") as out:
        proc = subprocess.Popen(
            ["qemu-system-x86_64", "-nodefaults", "-machine", "q35", "-m", "256"]
            + (["-cpu", cpu] if cpu else []) + [
             "-bios", OVMF, "-drive",
             "file=%s,format=raw,if=ide" % os.path.abspath(disk),
             "-serial", "file:" + serial, "-display", "none",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=1"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=workdir, start_new_session=True)
        return _wait(proc, serial, end_markers, timeout)
