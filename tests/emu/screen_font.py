# SPDX-License-Identifier: MIT
"""Shale's screen font as the tests see it: read from the pictures in
drivers/font.c and turned into 8x16 bitmaps here, by the rule that file's
comment states (a grid square is one pixel across, two down, one pixel in
from the left), without using Shale's C code. Decoding pixels with it
checks Shale's drawing against the font's source."""

import os
import re

FONT_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                      "drivers", "font.c")
CELL_W, CELL_H = 8, 16


def glyphs():
    """{char: 16 bytes}, bit 7 of each byte the leftmost pixel."""
    with open(FONT_C) as f:
        src = f.read()
    out = {}
    for code, rows in re.findall(r'/\* 0x([0-9a-f]{2}) . \*/ ((?:"[.#]{5}" ?){8}),', src):
        grid = re.findall(r'"([.#]{5})"', rows)
        bitmap = bytearray()
        for row in grid:
            bits = sum(0x80 >> (x + 1) for x, ch in enumerate(row) if ch == "#")
            bitmap += bytes([bits, bits])
        out[chr(int(code, 16))] = bytes(bitmap)
    if sorted(out) != [chr(c) for c in range(0x20, 0x7f)]:
        raise ValueError("%s: expected the pictures of 0x20..0x7e, found %d" % (FONT_C, len(out)))
    return out


def decode(pixel_lines, cols):
    """Text rows from pixel lines (a row of the screen is CELL_H lines,
    each `cols` bytes); '?' where a cell is no glyph of the font."""
    by_bitmap = {v: k for k, v in glyphs().items()}
    rows = []
    for top in range(0, len(pixel_lines) - CELL_H + 1, CELL_H):
        band = pixel_lines[top:top + CELL_H]
        rows.append("".join(by_bitmap.get(bytes(line[c] for line in band), "?")
                            for c in range(cols)).rstrip())
    return rows
