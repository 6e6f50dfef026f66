# SPDX-License-Identifier: MIT
"""The screen.

In Bochs, the screen console (drivers/fbcon.c) through a whole run, on the
stand-in screen in RAM that selftest = on gives where the firmware has no
framebuffer (boot/gop.c; Bochs' OVMF offers none Shale can use, see
docs/console.md): every log line and guest line drawn, then read back from
the pixels with the font and compared with the serial log.

In QEMU TCG (no VT-x), the firmware's framebuffer found through GOP, and
the lines saying why Shale cannot run found on QEMU's screendump while
Shale waits before returning to the firmware (tests/emu/screen_picture.py).
"""

import os
import re

from cases import HV, guest
import screen_font
import screen_picture

SHOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                    "emu", "screen-no-vtx-qemu", "screen.ppm")


def wrapped_rows(text, cols):
    """The serial log as a screen of `cols` columns shows it, row by row."""
    rows = []
    for line in text.split("\n"):
        # A full row followed by a newline takes no second row.
        rows += [line[i:i + cols] for i in range(0, max(len(line), 1), cols)]
    return [r.rstrip() for r in rows]


def screen_matches_serial(out):
    """The rows decoded from the pixels are the serial log's last rows."""
    m = re.search(r"^\[screen\] read back (\d+) rows of (\d+) cells from the framebuffer: "
                  r"(\d+) cells differ from the text$", out, re.M)
    if not m:
        return ["no read-back report"]
    problems = []
    if m.group(3) != "0":
        problems.append("%s cells of the screen do not decode to their text" % m.group(3))
    cols = int(m.group(2))
    got = re.findall(r"^\[screen\] row \d+: (.*)$", out, re.M)
    if len(got) < 10:
        problems.append("only %d rows read back" % len(got))
    # The screen holds the log up to the report's own first line; its
    # last row is the unfinished one, empty.
    want = wrapped_rows(out[:m.start()], cols)[-len(got):]
    if got != want:
        bad = next(i for i in range(len(got)) if got[i] != want[i])
        problems.append("screen row %d reads %r, the serial log has %r" %
                        (bad, got[bad], want[bad]))
    # The raw pixels of the last rows, decoded here with the font's source
    # (tests/emu/screen_font.py), not with Shale's decoder.
    pix = re.findall(r"^\[screen\] pixels (\d+): ([0-9a-f]+)$", out, re.M)
    if len(pix) < 3 * screen_font.CELL_H:
        return problems + ["only %d pixel lines dumped" % len(pix)]
    first = int(pix[0][0])
    if [int(y) for y, _ in pix] != list(range(first, first + len(pix))) or \
            first % screen_font.CELL_H or any(len(h) != 2 * cols for _, h in pix):
        return problems + ["the pixel lines are not whole rows of %d cells" % cols]
    mine = screen_font.decode([bytes.fromhex(h) for _, h in pix], cols)
    row0 = first // screen_font.CELL_H
    if mine != got[row0:row0 + len(mine)]:
        problems.append("the pixels of rows %d.. decode with the font's source to %r, "
                        "Shale read %r" % (row0, mine, got[row0:row0 + len(mine)]))
    if not any(r.strip() for r in mine):
        problems.append("the dumped rows are blank")
    return problems


CASES = [
    dict(name="screen-bochs", guests=["after"], images=["chatter"],
         config=HV.replace("log = info", "log = debug\nselftest = on")
         + guest("chat", image="chatter") + guest("after"),
         expect=[r"\[screen\] selftest = on and no framebuffer: a 640x480 screen in RAM",
                 r"\[screen\] the log is on the screen too: 80x30 characters",
                 r"\[screen\] \d+ lines drawn, [1-9]\d* scrolls, \d+ characters; \d+ ticks a line"],
         checks=[screen_matches_serial]),
]

NO_VTX_LINES = ['[config] error: shale.cfg:12: guest "bad": unknown key "memroy" (did you mean "memory"?)',
                "[shale] error: Shale cannot run on this machine",
                "[shale] error: returning to the firmware",
                "[shale] back to the firmware in 10 seconds, or at a key press"]


def no_vtx_on_screen(out):
    """Shale's last lines, one under the other, on the screendump."""
    if not os.path.exists(SHOT):
        return ["no screendump (%s)" % SHOT]
    _, _, rows = screen_picture.read_ppm(SHOT)
    problems = []
    if not screen_picture.find_lines(rows, NO_VTX_LINES):
        problems.append("the screendump does not show: %s" % " / ".join(NO_VTX_LINES))
    # The finder can fail: a sentence that is not there, the right lines
    # in the wrong order, one wrong letter, a line cut short.
    for wrong in (["[shale] error: Shale can run on this machine"],
                  NO_VTX_LINES[1:3][::-1],
                  ["[shale] error: returning to the firmwarf"],
                  [NO_VTX_LINES[0][:-1], NO_VTX_LINES[1]]):
        if screen_picture.find_lines(rows, wrong):
            problems.append("the picture test found what is not there: %s" % " / ".join(wrong))
    return problems


# QEMU TCG has no VT-x: Shale finds the GOP framebuffer, says why it cannot
# run (and a mistake in shale.cfg), and waits before returning to the
# firmware, whose console (its own font, not Shale's) shows the lines on
# the screen meanwhile.
CASES += [
    dict(name="screen-no-vtx-qemu", guests=["after"], emulator="qemu",
         config=HV + guest("after") + "[guest]\nname = bad\nkernel = after.bin\nmemroy = 16M\n",
         status={},
         screendump=(r"back to the firmware in \d+ seconds", "screen.ppm"),
         expect=[r"\[screen\] framebuffer \d+x\d+ at 0x[0-9a-f]+, \d+ pixels a row, (BGR|RGB)",
                 r"\[vmx\] error: this is an AMD processor",
                 r"\[shale\] back to the firmware in 10 seconds, or at a key press",
                 r"BdsDxe: starting Boot0002"],
         checks=[no_vtx_on_screen],
         reject=[r"Shale owns the machine"]),
]
