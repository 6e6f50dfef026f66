# SPDX-License-Identifier: MIT
"""Finding lines of text in a screendump without knowing the font.

The firmware draws its console with its own font, in cells of 8x19 pixels
(the UEFI spec's narrow glyph, EFI_GLYPH_WIDTH x EFI_GLYPH_HEIGHT). A line
of known text is on the screen where a row of cells reads as that text
under one consistent code: each character always the same picture, two
different characters never the same picture, a space always blank. With a
sentence's repeated letters that is a strict test: a wrong place, a wrong
line or other text fails at once. No OCR, no copy of anyone's font."""

CELL_W, CELL_H = 8, 19


def read_ppm(path):
    """(width, height, rows): rows[y] is bytes, 1 where the pixel is lit."""
    with open(path, "rb") as f:
        data = f.read()
    fields, i = [], 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] not in (b"\n", b""):
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("%s: not an 8-bit binary PPM (P6)" % path)
    w, h = int(fields[1]), int(fields[2])
    px = data[i + 1:i + 1 + 3 * w * h]
    if len(px) != 3 * w * h:
        raise ValueError("%s: %d bytes of pixels, expected %d" % (path, len(px), 3 * w * h))
    rows = []
    for y in range(h):
        line = px[3 * w * y:3 * w * (y + 1)]
        rows.append(bytes(1 if max(line[3 * x:3 * x + 3]) > 96 else 0 for x in range(w)))
    return w, h, rows


def lit_box(rows):
    """The smallest box (x0, y0, x1, y1) holding every lit pixel, or None."""
    ys = [y for y, r in enumerate(rows) if 1 in r]
    if not ys:
        return None
    xs = [r.index(1) for r in rows if 1 in r]
    xe = [len(r) - r[::-1].index(1) for r in rows if 1 in r]
    return min(xs), ys[0], max(xe), ys[-1] + 1


def _cell(rows, x, y):
    return tuple(rows[y + j][x:x + CELL_W] for j in range(CELL_H))


def _reads_as(rows, x, y, text, code, last=False):
    """Does the row of cells at (x, y) read as text under code (a dict,
    extended in place on success)? Cells outside the picture fail. The
    cell after the text must be blank, so that a line's beginning does not
    pass for the line; after the last line it need only not be a character
    of the code (the firmware's logo may touch the lowest line)."""
    trial = dict(code)
    pictures = {v: k for k, v in trial.items()}
    blank = bytes(CELL_W)
    for n, ch in enumerate(text):
        cx = x + n * CELL_W
        if y + CELL_H > len(rows) or cx + CELL_W > len(rows[0]):
            return False
        pic = _cell(rows, cx, y)
        is_blank = all(r == blank for r in pic)
        if ch == " ":
            if not is_blank:
                return False
            continue
        if is_blank or trial.get(ch, pic) != pic or pictures.get(pic, ch) != ch:
            return False
        trial[ch] = pic
        pictures[pic] = ch
    after = x + len(text) * CELL_W
    if after + CELL_W <= len(rows[0]):
        pic = _cell(rows, after, y)
        if pic in pictures or (not last and any(r != blank for r in pic)):
            return False
    code.update(trial)
    return True


def find_lines(rows, lines):
    """Where the lines are, one under the other, each starting at the left
    edge of the text: [(x, y), ...] for the first grid placement where all
    of them read as their text under one code, or None."""
    box = lit_box(rows)
    if not box:
        return None
    x0, y0, _, y1 = box
    # The text's left edge is within a cell of the leftmost lit pixel;
    # rows of cells every CELL_H pixels from some offset.
    for x in range(max(0, x0 - CELL_W + 1), x0 + 1):
        for oy in range(CELL_H):
            for y in range(y0 - CELL_H + 1 + oy, y1, CELL_H):
                if y < 0:
                    continue
                code = {}
                if not _reads_as(rows, x, y, lines[0], code, len(lines) == 1):
                    continue
                found = [(x, y)]
                for n, line in enumerate(lines[1:], 2):
                    yy = found[-1][1] + CELL_H
                    while yy < y1 and not _reads_as(rows, x, yy, line, code,
                                                    n == len(lines)):
                        yy += CELL_H
                    if yy >= y1:
                        break
                    found.append((x, yy))
                if len(found) == len(lines):
                    return found
    return None
