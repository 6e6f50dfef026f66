# SPDX-License-Identifier: MIT
"""virtio-net and the switches inside Shale, with the hand-written driver
of tests/guests/netpeer.asm in six guests, each role chosen by its
address: on switch lan0, ping and pong trade 20 frames, watch must see
ping's broadcast and none of their unicast, and flood sends 500 frames at
pong while pong takes none; on switch lan1, spy must see beacon's frame
and nothing of lan0. Ping also sends a frame with pong's address as its
source, which the switch drops (neither pong nor watch sees it), and one
to its own address, which does not come back.

The shell's `net` then gives each port's counts: ping's spoofed frame,
flood's frames past its share of pong's queue, and none of ping's lost;
spy received one frame.

Two Linux guests on switch lan0 (the two-linux boot, below): lin1 pings
lin2 and sends it a file over TCP with busybox nc, and the MD5 lin2 gets
must be the one lin1 sent; spy, on lan1 beside them, must see beacon's
frame and none of theirs."""

import re

from cases import HV, LINUX_FILES, guest, linux_guest


def peer(name, switch, role):
    return guest(name, "devices = pc\nnet = %s, mac=02:00:00:00:00:%02x" % (switch, role),
                 image="netpeer")


NET_CONFIG = (HV + peer("pong", "lan0", 2) + peer("ping", "lan0", 1) + peer("watch", "lan0", 3)
              + peer("flood", "lan0", 5) + peer("spy", "lan1", 4) + peer("beacon", "lan1", 6))

PORT = r'  %s/eth0 02:00:00:00:00:%02x %s: tx (\d+) frames (\d+) bytes, rx (\d+) frames ' \
       r'(\d+) bytes; dropped: spoofed (\d+), bad size (\d+), over its share (\d+); rx hand-over ' \
       r'\d+ ticks\n'


def check_counts(out):
    """The shell's net table, port by port."""
    problems = []

    def port(name, role, state):
        m = re.search(PORT % (name, role, state), out)
        if not m:
            problems.append("no net line for %s (%s)" % (name, state))
            return None
        return [int(x) for x in m.groups()]

    ping = port("ping", 1, "down")
    flood = port("flood", 5, "down")
    spy = port("spy", 4, "up")
    pong = port("pong", 2, "down")
    if ping and (ping[4] != 1 or ping[6] != 0 or ping[0] != 2 + 20):
        problems.append("ping: sent %d, spoofed %d, over its share %d; expected 22, 1, 0"
                        % (ping[0], ping[4], ping[6]))
    if flood and (flood[0] != 500 or not flood[6] or flood[6] >= 500):
        problems.append("flood: sent %d, over its share %d; expected 500 and some lost"
                        % (flood[0], flood[6]))
    if spy and spy[2] != 1:
        problems.append("spy received %d frames, expected beacon's one" % spy[2])
    if pong and pong[0] != 20:
        problems.append("pong sent %d frames, expected 20" % pong[0])
    return problems


CASES = [
    dict(name="net-switch", guests=[], images=["netpeer"], cpus=2, timeout=900,
         config=NET_CONFIG,
         # The shell once ping, pong and flood are done, in whatever order.
         script=[(r'(?s)' + ''.join(r'(?=.*guest "%s" exited)' % g
                                    for g in ("ping", "pong", "flood")), b"\x01:"),
                 (r'shale> ', b"net\r"),
                 (r'switch "lan1"[^\n]*\n[^\n]*\n[^\n]*\n', b"destroy watch\r"),
                 (r'shale> ', b"destroy spy\r")],
         expect=[r'\[net\] switch "lan0": 4 ports, 128 frames queued for each, 42 of them '
                 r'for one sender',
                 r'\[net\] switch "lan1": 2 ports, 128 frames queued for each, 128 of them '
                 r'for one sender',
                 r'\[vm\] guest "ping": virtio-net eth0 at PCI 00:08\.0, BAR0 0xc0008000, '
                 r'IRQ 3: switch "lan0", 02:00:00:00:00:01',
                 r'\[guest ping\] PASS netpeer-echo\n',
                 r'\[guest pong\] PASS netpeer-pong-hello\n',
                 r'\[guest pong\] PASS netpeer-pong\n',
                 r'\[guest watch\] PASS netpeer-watch-hello\n',
                 r'\[guest spy\] PASS netpeer-spy-beacon\n',
                 r'\[guest flood\] PASS netpeer-flood-sent\n',
                 r'\[guest beacon\] PASS netpeer-beacon-sent\n']
         + [r'guest "%s" exited with status 0' % g for g in ("ping", "pong", "flood", "beacon")],
         checks=[check_counts],
         reject=[r'\[guest \w+\] FAIL', r'device needs reset']),
]


# Beside the Linux pair: a listener on the other switch, which must hear
# beacon alone (it waits in HLT for its receive interrupt).
NET_LAN1_GUESTS = peer("spy", "lan1", 4) + peer("beacon", "lan1", 6)
NET_LINUX_SCRIPT = [(r'(?s)' + ''.join(r'(?=.*guest "%s" powered off)' % g
                                       for g in ("lin1", "lin2")), b"\x01:"),
                    (r'shale> ', b"net\r"),
                    (r'switch "lan1"[^\n]*\n[^\n]*\n[^\n]*\n', b"destroy spy\r")]
NET_LINUX_EXPECT = [
    r'\[guest lin1\] SHALE-INIT: eth0 52:54:00:[0-9a-f:]{8} 10\.0\.0\.1\n',
    r'\[guest lin2\] SHALE-INIT: eth0 52:54:00:[0-9a-f:]{8} 10\.0\.0\.2\n',
    r'\[guest lin1\] SHALE-INIT: ping 4 packets transmitted, 4 packets received, 0% packet loss',
    r'\[guest lin1\] SHALE-INIT: ping round-trip min/avg/max = ',
    r'\[guest lin1\] SHALE-INIT: net sent',
    r'\[guest lin1\] SHALE-INIT: interrupts net +\d+: +[1-9]\d* +PCI-MSI +\d+-edge +virtio0-input\.0',
    r'\[guest spy\] PASS netpeer-spy-beacon\n',
    r'guest "beacon" exited with status 0']
NET_LINUX_REJECT = [r'\[guest (spy|beacon)\] FAIL', r'device needs reset']
NET_LINE = re.compile(r'  (\w+)/eth0 ([0-9a-f:]{17}) (up|down): tx (\d+) frames (\d+) bytes, '
                      r'rx (\d+) frames (\d+) bytes; dropped: spoofed (\d+), bad size (\d+), '
                      r'over its share (\d+); rx hand-over (\d+) ticks\n')


def check_linux_net(out):
    """What lin1 sent is what lin2 got; the switches' counts agree."""
    problems = []
    sent = re.search(r'\[guest lin1\] SHALE-INIT: net sending ([0-9a-f]{32}) (\d+) bytes', out)
    got = re.search(r'\[guest lin2\] SHALE-INIT: net received ([0-9a-f]*) (\d+) bytes', out)
    if not sent or not got:
        problems.append("no net sending/received lines from lin1 and lin2")
    elif sent.groups() != got.groups():
        problems.append("lin2 received %s (%s bytes), lin1 sent %s (%s bytes)"
                        % (got.group(1), got.group(2), sent.group(1), sent.group(2)))
    ports = {m.group(1): [int(x) for x in m.groups()[3:]] for m in NET_LINE.finditer(out)}
    for name in ("lin1", "lin2", "spy"):
        if name not in ports:
            problems.append("no net line for %s" % name)
    if problems:
        return problems
    for name in ("lin1", "lin2"):
        tx, txb, rx, rxb, spoofed, bad, excess, handover = ports[name]
        if not tx or not rx or spoofed or bad:
            problems.append("%s: tx %d rx %d frames, spoofed %d, bad size %d"
                            % (name, tx, rx, spoofed, bad))
    # The file, 256 KiB, in frames of at most 1514 bytes: lin1 to lin2.
    if ports["lin1"][1] < 262144 or ports["lin2"][3] < 262144:
        problems.append("lin1 sent %d bytes, lin2 received %d: less than the file"
                        % (ports["lin1"][1], ports["lin2"][3]))
    if ports["spy"][2] != 1:
        problems.append("spy received %d frames, expected beacon's one" % ports["spy"][2])
    return problems


CASES += [
    # Two Linux guests and two test guests at once from one config: each
    # Linux reaches userspace and powers off, each line under its own name.
    # lin2 keeps its local APIC emulated by trapping (apicv = off), so that
    # path stays tested beside the virtualized one. The two are on switch
    # lan0 (virtio-net): lin1 pings lin2 and sends it a file over TCP
    # (busybox nc), whose MD5s are compared; tests/emu/cases_net.py has
    # the rest of it (NET_*), with a netpeer guest on switch lan1 that must
    # see none of their traffic.
    dict(name="two-linux", guests=["cpuid"], images=["chatter", "netpeer"], linux=True,
         files=LINUX_FILES, cpus=2,
         config=HV + linux_guest("lin1", "shale.test=net-send shale.ip=10.0.0.1 "
                                 "shale.peer=10.0.0.2", extra="net = lan0")
         + linux_guest("lin2", "shale.test=net-recv shale.ip=10.0.0.2",
                       extra="apicv = off\nnet = lan0")
         + guest("c1", image="chatter") + guest("cpuid") + NET_LAN1_GUESTS,
         sequence={"c1": 40},
         script=NET_LINUX_SCRIPT,
         checks=[check_linux_net],
         reject=NET_LINUX_REJECT,
         expect=NET_LINUX_EXPECT + [
                 r'\[apic\] guest "lin1": local APIC virtualized by VMX',
                 r'\[apic\] guest "lin2": local APIC emulated by trapping its page \(apicv = off\)',
                 r'\[guest lin1\] SHALE-INIT: userspace up',
                 r'\[guest lin2\] SHALE-INIT: userspace up',
                 r'\[guest lin1\] SHALE-INIT: interrupts serial +4: +[1-9]',
                 r'\[guest lin2\] SHALE-INIT: interrupts serial +4: +[1-9]',
                 r'\[vm\] guest "lin1" powered off \(ACPI S5\)',
                 r'\[vm\] guest "lin2" powered off \(ACPI S5\)',
                 r'guest "c1" exited with status 0'])
]
