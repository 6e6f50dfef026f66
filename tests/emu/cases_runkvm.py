# SPDX-License-Identifier: MIT
"""tools/run-kvm.sh: on this machine (no VT-x for KVM) it gives its one
sentence and starts nothing; on made-up machines (a fake /proc/cpuinfo,
/sys/module and /dev/kvm) each other sentence, and on one that can run
Shale nested, the QEMU command line it would start; with --tcg, the same
command line on QEMU's own CPU boots the disk up to Shale's own "no VT-x"
message."""

import os
import re
import signal
import subprocess
import time

import emulator
from cases import HV, guest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT = os.path.join(ROOT, "tools", "run-kvm.sh")
TCG_TIMEOUT = 120

# What the script must say here, worked out from the machine itself, apart
# from the script's own checks.
def expected_here():
    info = open("/proc/cpuinfo").read()
    vendor = re.search(r"^vendor_id\s*:\s*(\S+)", info, re.M)
    vendor = vendor.group(1) if vendor else ""
    if vendor in ("AuthenticAMD", "HygonGenuine"):
        return r"this CPU is AMD \(%s\): nested VMX needs an Intel host\." % vendor
    if vendor != "GenuineIntel":
        return r"this CPU is not an Intel one"
    if not re.search(r"^flags.*\bvmx\b", info, re.M):
        return r"this Intel CPU shows no VMX"
    if not os.path.exists("/dev/kvm"):
        return r"/dev/kvm missing"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return r"/dev/kvm is not usable"
    nested = "/sys/module/kvm_intel/parameters/nested"
    if not os.path.exists(nested) or open(nested).read().strip() not in ("Y", "y", "1"):
        return r"KVM without nested VMX|kvm_intel is not loaded"
    return None  # KVM can run Shale here: the case then boots it for real


INTEL_FLAGS = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic vmx ept\n"


def fake_machine(workdir, name, vendor="GenuineIntel", flags=INTEL_FLAGS,
                 kvm_dev="/dev/null", nested="Y", kvm_intel=True):
    """A directory with a cpuinfo and a /sys/module for one made-up
    machine; returns the environment that points the script at it."""
    d = os.path.join(workdir, "fake-" + name)
    os.makedirs(os.path.join(d, "sys"), exist_ok=True)
    with open(os.path.join(d, "cpuinfo"), "w") as f:
        f.write("processor\t: 0\nvendor_id\t: %s\n%s" % (vendor, flags))
    if kvm_intel:
        os.makedirs(os.path.join(d, "sys", "kvm_intel", "parameters"), exist_ok=True)
        with open(os.path.join(d, "sys", "kvm_intel", "parameters", "nested"), "w") as f:
            f.write(nested + "\n")
    # A QEMU that prints the command line it was given and stops.
    qemu = os.path.join(d, "qemu")
    with open(qemu, "w") as f:
        f.write('#!/bin/sh\necho "qemu $*"\n')
    os.chmod(qemu, 0o755)
    env = dict(os.environ, RUN_KVM_CPUINFO=os.path.join(d, "cpuinfo"),
               RUN_KVM_SYSMODULE=os.path.join(d, "sys"), RUN_KVM_DEV=kvm_dev,
               RUN_KVM_QEMU=qemu)
    return env


def section(title, args, env=None):
    p = subprocess.run([SCRIPT] + args, env=env, capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    return "=== %s\n%s%sexit status %d\n" % (title, p.stdout, p.stderr, p.returncode)


def tcg_boot(disk, workdir):
    """--tcg, until Shale has said why it cannot run (then QEMU is
    stopped: the firmware would go on to its shell)."""
    log = os.path.join(workdir, "run-kvm-tcg.out")
    with open(log, "wb") as out:
        p = subprocess.Popen([SCRIPT, "--tcg", disk], stdout=out,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        start = time.time()
        text = ""
        while time.time() - start < TCG_TIMEOUT and p.poll() is None:
            time.sleep(0.5)
            text = open(log, "rb").read().decode("utf-8", "replace")
            if re.search(r"\[shale\] error: returning to the firmware", text):
                break
        timed_out = p.poll() is None and time.time() - start >= TCG_TIMEOUT
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    text = open(log, "rb").read().decode("utf-8", "replace").replace("\r", "")
    return "=== run-kvm.sh --tcg DISK\n" + text, timed_out


def run_script(disk, workdir):
    start = time.time()
    disk = os.path.abspath(disk)
    out = section("run-kvm.sh DISK (this machine)", [disk])
    out += section("run-kvm.sh with no disk", [])
    out += section("run-kvm.sh on a missing disk", [os.path.join(workdir, "nope.img")])
    for name, kw in [
            ("amd", dict(vendor="AuthenticAMD", flags="flags\t\t: fpu svm\n")),
            ("no-vmx", dict(flags="flags\t\t: fpu vme de pse\n")),
            ("no-dev", dict(kvm_dev=os.path.join(workdir, "no-such-kvm"))),
            ("not-char", dict(kvm_dev=SCRIPT)),
            ("no-module", dict(kvm_intel=False)),
            ("no-nested", dict(nested="N")),
            ("nested", dict())]:
        env = fake_machine(workdir, name, **kw)
        out += section("fake machine: " + name, [disk], env)
        out += section("fake machine: %s, --check" % name, ["--check"], env)
        if name == "nested":
            out += section("fake machine: nested, --tcg", ["--tcg", disk], env)
    tcg, timed_out = tcg_boot(disk, workdir)
    return emulator.Run(out + tcg, time.time() - start, timed_out,
                        "timeout" if timed_out else "marker")


HERE = expected_here()
QEMU_LINE = (r"-nodefaults -machine q35 -m 2048 -smp 2 %s -bios \S+OVMF\.fd "
             r"-drive file=\S+disk\.img,format=raw,if=ide -serial mon:stdio "
             r"-display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=1\n")

CASES = [
    dict(name="run-kvm", guests=["after"], config=HV + guest("after"), status={},
         runner=run_script,
         expect=([r"=== run-kvm.sh DISK \(this machine\)\nrun-kvm: (%s)[^\n]*\nexit status 1\n" % HERE]
                 if HERE else []) + [
             r"=== run-kvm.sh with no disk\nusage: tools/run-kvm.sh \[--tcg\] DISK \[QEMU-ARG\.\.\.\] \| --check\nexit status 2\n",
             r"=== run-kvm.sh on a missing disk\nrun-kvm: \S+nope\.img: no such disk image .*\nexit status 2\n",
             r"fake machine: amd\nrun-kvm: this CPU is AMD \(AuthenticAMD\): nested VMX needs an Intel host\.\nexit status 1\n",
             r"fake machine: no-vmx\nrun-kvm: this Intel CPU shows no VMX: enable VT-x in the firmware setup .*\nexit status 1\n",
             r"fake machine: no-dev\nrun-kvm: \S+no-such-kvm missing: load kvm_intel \(modprobe kvm_intel nested=1\)\.\nexit status 1\n",
             r"fake machine: not-char\nrun-kvm: \S+run-kvm\.sh is not usable: it is not a character device\.\nexit status 1\n",
             r"fake machine: no-module\nrun-kvm: /dev/null is there but kvm_intel is not loaded: modprobe kvm_intel nested=1\.\nexit status 1\n",
             r"fake machine: no-nested\nrun-kvm: KVM without nested VMX: load kvm_intel with nested=1 .*\nexit status 1\n",
             # --check says the same, or nothing where KVM can.
             r"fake machine: no-nested, --check\nrun-kvm: KVM without nested VMX: load kvm_intel with nested=1 .*\nexit status 1\n",
             r"fake machine: amd, --check\nrun-kvm: this CPU is AMD \(AuthenticAMD\): nested VMX needs an Intel host\.\nexit status 1\n",
             r"fake machine: nested, --check\nexit status 0\n",
             # Where KVM can: the command line, the same as --tcg's but
             # for the accelerator and CPU.
             r"fake machine: nested\nqemu " + QEMU_LINE % r"-enable-kvm -cpu host" + r"exit status 0\n",
             r"fake machine: nested, --tcg\nqemu " + QEMU_LINE % r"-accel tcg -cpu max" + r"exit status 0\n",
             # And that line, on TCG, boots Shale up to its own sentence.
             r"=== run-kvm.sh --tcg DISK\n[\s\S]*\[vmx\] error: (this is an AMD processor|VT-x is not available)[^\n]*\n"
             r"[\s\S]*\[shale\] error: Shale cannot run on this machine\n"
             r"[\s\S]*\[shale\] error: returning to the firmware"],
         reject=[r"Shale owns the machine"]),
]
