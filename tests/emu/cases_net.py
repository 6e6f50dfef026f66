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
spy received one frame."""

from cases import HV, guest


def peer(name, switch, role):
    return guest(name, "devices = pc\nnet = %s, mac=02:00:00:00:00:%02x" % (switch, role),
                 image="netpeer")


NET_CONFIG = (HV + peer("pong", "lan0", 2) + peer("ping", "lan0", 1) + peer("watch", "lan0", 3)
              + peer("flood", "lan0", 5) + peer("spy", "lan1", 4) + peer("beacon", "lan1", 6))

PORT = r'  %s/eth0 02:00:00:00:00:%02x %s: tx (\d+) frames (\d+) bytes, rx (\d+) frames ' \
       r'(\d+) bytes; dropped: spoofed (\d+), bad size (\d+), over its share (\d+)\n'


def check_counts(out):
    """The shell's net table, port by port."""
    import re
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
