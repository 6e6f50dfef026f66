# SPDX-License-Identifier: MIT
"""Running a Shale disk image in Bochs (VT-x with EPT) or QEMU TCG (no VT-x).

Both write the guest-visible COM1 to a file; the run ends when a marker line
appears, when the emulator exits, or at the wall-clock timeout, whichever
comes first. Facts about the emulators: shared/EMULATORS.md.

A run needs nothing from the host that it does not ask for: the sound
driver is Bochs' dummy (Debian's Bochs aborts at power-on where ALSA finds
no device), the display is a VNC server nobody connects to, every path is
absolute, and the TCP ports for COM1/COM2 sockets are picked free (a clash
retries). An emulator that dies is reported in one line, with its status
and its own last words, never as a traceback: see EmulatorExit.
"""
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time

OVMF = "/usr/share/ovmf/OVMF.fd"

# SHALE_EMU=kvm runs the Bochs cases under QEMU with KVM instead, on an
# Intel host with nested VMX (docs/testing.md, "With KVM"): the same disk,
# COM1 (and COM2 for gdb) as a file or a socket as in Bochs. SHALE_EMU=tcg
# runs that command line on QEMU's own CPU, which has no VMX: it checks the
# plumbing on a machine without KVM, where every case stops at "no VT-x".
EMU = os.environ.get("SHALE_EMU", "bochs")
RUN_KVM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "tools", "run-kvm.sh")
_kvm_verdict = []


def kvm_problem():
    """tools/run-kvm.sh --check's sentence, or None where KVM can run
    Shale; asked once."""
    if not _kvm_verdict:
        p = subprocess.run([RUN_KVM, "--check"], capture_output=True, text=True)
        _kvm_verdict.append(None if p.returncode == 0 else
                            (p.stderr.strip() or "run-kvm.sh --check failed"))
    return _kvm_verdict[0]


def qemu_for_bochs_case(disk, megs, cpus, serial, port, com2_port):
    """The QEMU command line that stands in for Bochs under SHALE_EMU."""
    accel = (["-enable-kvm", "-cpu", "host"] if EMU == "kvm"
             else ["-accel", "tcg", "-cpu", "max"])
    com1 = ("tcp:127.0.0.1:%d,server=on,wait=on" % port) if port else "file:" + serial
    cmd = (["qemu-system-x86_64", "-nodefaults", "-machine", "q35",
            "-m", str(megs), "-smp", str(int(cpus))] + accel +
           ["-bios", OVMF, "-drive", "file=%s,format=raw,if=ide" % os.path.abspath(disk),
            "-serial", com1])
    if com2_port:
        cmd += ["-serial", "tcp:127.0.0.1:%d,server=on,wait=on" % com2_port]
    return cmd + ["-display", "none", "-no-reboot",
                  "-device", "isa-debug-exit,iobase=0xf4,iosize=1"]
VGABIOS = "/usr/share/vgabios/vgabios.bin"

BOCHSRC = """\
{memory}
romimage: file="{ovmf}", address=0xffe00000, options=none
vgaromimage: file="{vgabios}"
vga: extension=vbe
pci: enabled=1, chipset=i440fx
cpu: count={cpus}, ips=200000000, model=corei7_icelake_u, reset_on_triple_fault=0, ignore_bad_msrs=1
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
ata0: enabled=true, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path="{disk}", mode=flat
boot: disk
sound: driver=dummy
speaker: enabled=0
com1: enabled=true, mode={com1_mode}, dev="{com1_dev}"
{com2}
port_e9_hack: enabled=1
log: {log}
info: action=ignore
error: action=ignore
panic: action=fatal
"""


# Bochs 2.7 refuses `megs:` (which sets the host allocation too) above
# 2048: "numerical parameter 'host_size' was set to 4608, which is out of
# range 1 to 2048". `memory: guest=N, host=2048` gives the machine N MiB
# while Bochs holds at most 2048 MiB of it in host RAM at a time (the rest
# waits in a swap file). OVMF then reports RAM up to 0xC0000000 and from
# 4 GiB: N - 4096 MiB there.
BOCHS_HOST_MEGS_MAX = 2048


def memory_line(megs):
    """The bochsrc line that gives the machine megs MiB of RAM."""
    if megs <= BOCHS_HOST_MEGS_MAX:
        return "megs: %d" % megs
    return "memory: guest=%d, host=%d" % (megs, BOCHS_HOST_MEGS_MAX)


# Lines that end a run: Shale's own, so each must start a line (a guest's
# lines all start with "[guest NAME] ", and a guest cannot forge one of
# these by printing it). Regular expressions, matched per line.
END_SHALE = [r"^\[shale\] all guests have stopped", r"^\[panic\]",
             r"^\[shale\] error: returning to the firmware"]
# Escape sequences the firmware's console writes around its text.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def marker_hit(markers, text):
    """The first of markers (regular expressions, ^ = start of a line) found
    in text, or None. A callable decides for itself."""
    if callable(markers):
        return "all end markers" if markers(text) else None
    clean = _ANSI.sub("", text.replace("\r", ""))
    return next((m for m in markers if re.search(m, clean, re.M)), None)


class Run:
    """The outcome of one emulator run. ended_by says why it ended: the end
    marker, "timeout", or the emulator's own end (then exited is True and
    ended_by is the one-line report of how it died)."""

    def __init__(self, output, seconds, timed_out, ended_by, exited=False):
        self.output = output
        self.seconds = seconds
        self.timed_out = timed_out
        self.ended_by = ended_by
        self.exited = exited


class EmulatorExit(Exception):
    """The emulator ended before the run did; str() is the one-line report."""


def _signal_name(rc):
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return "signal %d" % -rc


def _last_words(workdir):
    """What the emulator last said about itself: a PANIC line of Bochs' log
    (a missing disk, a bad option), else the last line it printed that is
    not the debugger's (glibc's '*** buffer overflow detected ***')."""
    log = os.path.join(workdir, "bochs.log")
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            panics = [l.split(">>PANIC<<", 1)[1].strip() for l in f
                      if ">>PANIC<<" in l and "Shutdown port" not in l]
        if panics:
            return panics[-1]
    for name in ("bochs.stdout", "qemu.stdout"):
        path = os.path.join(workdir, name)
        if not os.path.exists(path):
            continue
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f.read().splitlines()]
        noise = re.compile(r"^(\(\d+\)|<bochs:|Next at t=|=+$|Bochs x86 Emulator|Built from|"
                           r"Timestamp:|ALSA lib)")
        words = [l for l in lines if l and not noise.match(l)]
        if words:
            return words[-1]
    return "no message"


def exit_report(name, rc, output, workdir):
    """One line: how the emulator ended and its last words, e.g.
    'Bochs exited at start (SIGABRT): *** buffer overflow detected ***'."""
    when = "mid-run" if "[shale]" in output else "at start"
    how = _signal_name(rc) if rc < 0 else "status %d" % rc
    if rc == -signal.SIGKILL:  # from outside: nothing it said explains it
        return "%s was killed %s (%s)" % (name, when, how)
    return "%s exited %s (%s): %s" % (name, when, how, _last_words(workdir))


def _wait(proc, serial, end_markers, timeout, echo=None, kill_after=None, name="Bochs"):
    start = time.time()
    try:
        return _poll(proc, serial, end_markers, timeout, echo, start, kill_after, name)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _poll(proc, serial, end_markers, timeout, echo, start, kill_after, name):
    ended_by = None
    exited = False
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
        if kill_after and re.search(kill_after, text) and proc.poll() is None:
            # The harness's own test: the emulator dies under a run, as
            # when the OOM killer or a person ends it.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kill_after = None
        hit = marker_hit(end_markers, text)
        if hit:
            # Let the last lines drain before stopping the emulator: until
            # the output has not grown for a second (a panic report on a
            # loaded machine takes more than a fixed half second), at most
            # 15 seconds.
            quiet, waited = 0.0, 0.0
            while quiet < 1.0 and waited < 15.0 and proc.poll() is None:
                time.sleep(0.25)
                waited += 0.25
                with open(serial, "rb") as f:
                    now = f.read().decode("utf-8", "replace")
                quiet = quiet + 0.25 if len(now) == len(text) else 0.0
                text = now
            with open(serial, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            ended_by = hit
            if echo and len(text) > shown:
                echo.write(text[shown:].replace("\r", ""))
            break
        if proc.poll() is not None:
            exited = True
            ended_by = exit_report(name, proc.returncode, text,
                                   os.path.dirname(serial))
            break
        if time.time() - start > timeout:
            ended_by = "timeout"
            break
    return Run(text.replace("\r", ""), time.time() - start,
               ended_by == "timeout", ended_by, exited)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SerialLink:
    """COM1 of a Bochs run as a TCP socket: what arrives is appended to the
    serial log (and echoed), what is typed or scripted is sent."""

    def __init__(self, port, log_path, echo=None, raw=False, proc=None):
        self.log = open(log_path, "wb")
        self.echo = echo
        self.raw = raw
        self.text = ""
        self.lock = threading.Lock()
        self.sock = None
        for _ in range(300):  # Bochs opens the port once it has started
            if proc and proc.poll() is not None:
                break  # it died first: the caller reports how
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                time.sleep(0.1)
        if not self.sock:
            self.log.close()
            raise EmulatorExit("cannot connect to Bochs' COM1 on port %d" % port)
        self.sock.settimeout(None)  # reads block; silence is not an error
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            self.log.write(data)
            self.log.flush()
            with self.lock:
                self.text += data.decode("utf-8", "replace")
            if self.echo:
                # A raw terminal needs the CRs; a log does not want them.
                text = data.decode("utf-8", "replace")
                self.echo.write(text if self.raw else text.replace("\r", ""))
                self.echo.flush()

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.log.close()


class GdbBridge:
    """COM2 of a Bochs run (the GDB stub's line) offered to gdb as a TCP
    port of its own. Bochs' socket-server waits for a client as it starts,
    long before gdb should connect, so this process is that client and
    passes bytes through once gdb has connected."""

    def __init__(self, bochs_port):
        self.bochs_port = bochs_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.bochs = None
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        for _ in range(600):
            try:
                self.bochs = socket.create_connection(("127.0.0.1", self.bochs_port), 1)
                break
            except OSError:
                time.sleep(0.1)
        if not self.bochs:
            return
        self.bochs.settimeout(None)
        # What the firmware writes to COM2 before gdb connects is not
        # for gdb: drop it.
        while True:
            try:
                r, _, _ = select.select([self.listener, self.bochs], [], [])
                if self.bochs in r and not self.bochs.recv(4096):
                    return
                if self.listener in r:
                    gdb, _ = self.listener.accept()
                    break
            except OSError:
                return
        socks = [self.bochs, gdb]
        while True:
            r, _, _ = select.select(socks, [], [])
            for s in r:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    gdb.close()
                    return
                (gdb if s is self.bochs else self.bochs).sendall(data)

    def close(self):
        for s in (self.listener, self.bochs):
            try:
                if s:
                    s.close()
            except OSError:
                pass


def _gdb_thread(spec, bridge, text_fn, workdir, stop, result):
    """Once spec["after"] appears on the console, run gdb in batch mode with
    spec["commands"] ({port} filled in); its output goes to result."""
    while not stop.is_set() and not re.search(spec["after"], text_fn()):
        time.sleep(0.2)
    if stop.is_set():
        return
    script = os.path.join(workdir, "gdb.cmd")
    with open(script, "w") as f:
        f.write("\n".join(spec["commands"]).format(port=bridge.port) + "\n")
    # Ctrl-C the way a person does it: SIGINT to gdb while the guest runs,
    # a few seconds after gdb printed spec["interrupt_after"].
    p = subprocess.Popen(["gdb", "-nx", "-batch", "-x", script],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = []
    timer = threading.Timer(spec.get("timeout", 180), p.kill)
    timer.start()
    pending = spec.get("interrupt_after")
    for raw in iter(p.stdout.readline, b""):
        line = raw.decode("utf-8", "replace")
        out.append(line)
        if pending and re.search(pending, line):
            pending = None
            threading.Timer(3, lambda: p.poll() is None and p.send_signal(signal.SIGINT)).start()
    p.wait()
    timer.cancel()
    if p.returncode == -signal.SIGKILL:
        out.append("\n[gdb timed out]\n")
    result.append("".join(out))
    with open(os.path.join(workdir, "gdb.out"), "w") as f:
        f.write(result[-1])


def _script_thread(link, script, stop):
    """Type each step's bytes once its regular expression has appeared in
    the output after the previous step."""
    pos = 0
    for pattern, data in script:
        while not stop.is_set():
            with link.lock:
                m = re.compile(pattern).search(link.text, pos)
            if m:
                pos = m.end()
                break
            time.sleep(0.2)
        if stop.is_set():
            return
        time.sleep(0.3)
        # Slowly, as a person types: the guest's UART FIFO holds 16 bytes.
        for b in data:
            link.send(bytes([b]))
            time.sleep(0.02)


def run_bochs(disk, workdir, end_markers, timeout, megs=512, echo=None,
              script=None, interactive=False, gdb=None, env=None, kill_after=None,
              cpus=1, ips=None):
    """Boot disk in Bochs with VMX; returns a Run. With a script (a list of
    (regex, bytes)) or interactive (the terminal's keys), COM1 is a socket
    that this process types into. With gdb (dict: after, commands), COM2 is
    a socket and gdb runs against it; its output is Run.gdb_output. env adds
    to Bochs' environment; kill_after (a regex) kills Bochs once it appears
    on the console, to test the harness; cpus is the machine's CPU count
    (Bochs runs them in turn on one thread: N CPUs take about N times as
    long); ips, when given, replaces the tests' 200 M instructions a
    second (the TSC's rate, with clock: sync=none). A TCP port taken by someone else
    between the pick and Bochs' bind is retried with new ports."""
    workdir = os.path.abspath(workdir)
    for attempt in range(3):
        run = _run_bochs_once(disk, workdir, end_markers, timeout, megs, echo, script,
                              interactive, gdb, env, kill_after, cpus, ips)
        clash = run.exited and "bind() or listen() failed" in run.ended_by
        if not clash or attempt == 2:
            return run


def _run_bochs_once(disk, workdir, end_markers, timeout, megs, echo, script,
                    interactive, gdb, env, kill_after, cpus=1, ips=None):
    os.makedirs(workdir, exist_ok=True)
    serial = os.path.join(workdir, "serial.out")
    for old in ("serial.out", "bochs.log", "bochs.stdout"):
        if os.path.exists(os.path.join(workdir, old)):
            os.remove(os.path.join(workdir, old))  # or its words are taken for this run's
    port = _free_port() if (script or interactive) else None
    com2_port = _free_port() if gdb else None
    rc = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(memory=memory_line(megs), ovmf=OVMF, vgabios=VGABIOS, cpus=int(cpus),
                               disk=os.path.abspath(disk),
                               com1_mode="socket-server" if port else "file",
                               com1_dev="localhost:%d" % port if port else serial,
                               com2=('com2: enabled=true, mode=socket-server, dev="localhost:%d"'
                                     % com2_port) if gdb else "",
                               log=os.path.join(workdir, "bochs.log"))
                .replace("ips=200000000", "ips=%d" % (ips or 200000000)))
    cmds = os.path.join(workdir, "bochs.cmd")
    with open(cmds, "w") as f:
        f.write("c\n")
    command = ["bochs", "-q", "-unlock", "-rc", cmds, "-f", rc]
    if EMU in ("kvm", "tcg"):
        if EMU == "kvm" and kvm_problem():
            return Run("", 0, False, kvm_problem(), True)
        command = qemu_for_bochs_case(disk, megs, cpus, serial, port, com2_port)
    with open(os.path.join(workdir, "bochs.stdout"), "wb") as out:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=workdir, start_new_session=True,
            env=dict(os.environ, **env) if env else None)
        link = None
        stop = threading.Event()
        bridge = None
        gdb_result = []
        try:
            if gdb:
                bridge = GdbBridge(com2_port)
            if port:
                try:
                    link = SerialLink(port, serial, echo, raw=interactive, proc=proc)
                except EmulatorExit as e:
                    if proc.poll() is None:
                        raise
                    return Run("", 0, False, exit_report("Bochs", proc.returncode, "",
                                                         workdir), True)
            if gdb:
                text_fn = ((lambda: link.text) if link else
                           (lambda: open(serial, "rb").read().decode("utf-8", "replace")
                            if os.path.exists(serial) else ""))
                threading.Thread(target=_gdb_thread, daemon=True,
                                 args=(gdb, bridge, text_fn, workdir, stop,
                                       gdb_result)).start()
            if script:
                threading.Thread(target=_script_thread,
                                 args=(link, script, stop), daemon=True).start()
            if interactive:
                return _interactive(proc, link, serial, end_markers, timeout)
            run = _wait(proc, serial, end_markers, timeout, None if port else echo,
                        kill_after)
            for _ in range(50):  # gdb's last words, after the guest ended
                if gdb_result or not gdb:
                    break
                time.sleep(0.2)
            run.gdb_output = gdb_result[-1] if gdb_result else ""
            return run
        finally:
            stop.set()
            if bridge:
                bridge.close()
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if link:
                link.close()


QUIT_KEY = 0x1d  # Ctrl-]


def _interactive(proc, link, serial, end_markers, timeout):
    """The terminal is the serial console: keys go to COM1 raw, Ctrl-]
    ends the run."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd) if os.isatty(fd) else None
    start = time.time()
    try:
        if old:
            tty.setraw(fd)
        while proc.poll() is None:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                data = os.read(fd, 64)
                if not data or QUIT_KEY in data:
                    break
                link.send(data)
            with link.lock:
                if marker_hit(end_markers, link.text):
                    time.sleep(0.5)
                    break
    finally:
        if old:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
    with link.lock:
        text = link.text
    if proc.poll() is not None:
        return Run(text.replace("\r", ""), time.time() - start, False,
                   exit_report("Bochs", proc.returncode, text, os.path.dirname(serial)), True)
    return Run(text.replace("\r", ""), time.time() - start, False, "interactive")


def run_qemu(disk, workdir, end_markers, timeout, cpu=None, extra=None,
             screendump=None):
    """Boot disk in QEMU TCG (no VT-x); returns a Run. extra: more
    arguments for QEMU. With screendump
    (regex, file name), the machine has a standard VGA, whose framebuffer
    OVMF offers through GOP, and once the regex shows on the serial console
    QEMU's monitor writes the screen to the file (PPM) in workdir; the
    Run's `screendump` is its path, or None if it never came."""
    os.makedirs(workdir, exist_ok=True)
    workdir = os.path.abspath(workdir)
    serial = os.path.join(workdir, "serial.out")
    if os.path.exists(serial):
        os.remove(serial)
    extra = list(extra or [])
    if screendump:
        monitor = os.path.join(workdir, "monitor.sock")
        shot = os.path.join(workdir, screendump[1])
        for old in (monitor, shot):
            if os.path.exists(old):
                os.remove(old)
        extra += ["-device", "VGA", "-monitor", "unix:%s,server=on,wait=off" % monitor]
    with open(os.path.join(workdir, "qemu.stdout"), "wb") as out:
        proc = subprocess.Popen(
            ["qemu-system-x86_64", "-nodefaults", "-machine", "q35", "-m", "256"]
            + (["-cpu", cpu] if cpu else []) + [
             "-bios", OVMF, "-drive",
             "file=%s,format=raw,if=ide" % os.path.abspath(disk),
             "-serial", "file:" + serial, "-display", "none",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=1"] + extra,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=workdir, start_new_session=True)
        stop = threading.Event()
        if screendump:
            threading.Thread(target=_screendump_thread, daemon=True,
                             args=(serial, screendump[0], monitor, shot, stop)).start()
        try:
            run = _wait(proc, serial, end_markers, timeout, name="QEMU")
        finally:
            stop.set()
        if screendump:
            run.screendump = shot if os.path.exists(shot) else None
        return run


def _screendump_thread(serial, marker, monitor, shot, stop):
    """Once marker is on the serial console: QEMU's `screendump`."""
    while not stop.is_set():
        time.sleep(0.2)
        try:
            with open(serial, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if not re.search(marker, text):
            continue
        time.sleep(1)  # the firmware's console draws the last line
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(monitor)
                s.sendall(("screendump %s\n" % shot).encode())
                for _ in range(50):  # the file is whole once QEMU answers
                    time.sleep(0.1)
                    s.settimeout(0.1)
                    try:
                        if b"screendump" in s.recv(4096) and os.path.exists(shot):
                            break
                    except socket.timeout:
                        pass
                time.sleep(0.5)
        except OSError:
            pass
        return


def run_qemu_kernel(workdir, kernel, append, initrd, megs, timeout):
    """Boot a Multiboot kernel the way QEMU itself does (`-kernel`, with
    SeaBIOS, no Shale) in QEMU TCG; returns a Run whose output is what the
    kernel wrote to debugcon (port 0xE9) and whose status is QEMU's exit
    status: (V << 1) | 1 after the kernel wrote V to isa-debug-exit, None
    on a timeout. QEMU runs in workdir and the names are relative, so the
    kernel's command line and module strings read `kernel ARGS` and
    `mod1.txt ARGS` exactly as Shale's do for the same names."""
    workdir = os.path.abspath(workdir)
    out_path = os.path.join(workdir, "debugcon.out")
    if os.path.exists(out_path):
        os.remove(out_path)
    start = time.time()
    with open(os.path.join(workdir, "qemu.stdout"), "wb") as out:
        proc = subprocess.Popen(
            ["qemu-system-x86_64", "-nodefaults", "-machine", "pc", "-m", str(megs),
             "-kernel", kernel, "-append", append, "-initrd", initrd,
             "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
             "-debugcon", "file:" + out_path, "-display", "none"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=workdir, start_new_session=True)
        try:
            status = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            status = None
    text = ""
    if os.path.exists(out_path):
        with open(out_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    ended_by = "timeout" if status is None else "QEMU exited with status %d" % status
    with open(os.path.join(workdir, "qemu.stdout"), errors="replace") as f:
        words = [l.strip() for l in f if l.strip()]
    if words:  # QEMU's own complaint, e.g. an image it refuses
        ended_by += ": " + words[-1]
    run = Run(text, time.time() - start, status is None, ended_by,
              exited=status is not None)
    run.status = status
    return run
