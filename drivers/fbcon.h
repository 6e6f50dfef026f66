/* SPDX-License-Identifier: MIT */
/*
 * The screen console: Shale's log drawn on the UEFI framebuffer with the
 * built-in font (drivers/font.c), for machines without a serial port. It
 * gets exactly what the serial console gets (lib/log.c calls it as a
 * second sink, under the log's lock), prefixes included.
 *
 * A grid of text cells in RAM is the truth; the pixels follow it. Only a
 * cell whose character changed is drawn again. When the cursor passes the
 * bottom row the text moves up by half a screen at once, so that a
 * scroll, which redraws most of the screen, comes every rows/2 lines and
 * not at every line.
 */
#ifndef SHALE_DRIVERS_FBCON_H
#define SHALE_DRIVERS_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/fb.h"

struct fbcon {
	uint32_t *pixels;      /* the framebuffer */
	uint32_t stride;       /* pixels a row */
	uint32_t fg, bg;       /* light grey on black, in the screen's layout */
	uint64_t pairs[4];     /* two pixels at once (drivers/fbcon.c, draw_cell()) */
	bool pairs_ok;         /* the framebuffer is aligned for them */
	unsigned cols, rows;
	unsigned col, row;     /* where the next character goes */
	char *text;            /* rows * cols: what should be on the screen */
	char *shown;           /* rows * cols: what the pixels show */
	unsigned esc;          /* inside an escape sequence: 1 after ESC, 2 after ESC [ */
	uint64_t lines, scrolls, cells_drawn; /* for the cost report */
};

/* Bytes of cell memory fbcon_init() needs for this screen. */
size_t fbcon_cells_size(const struct fb_info *fb);

/* Start on fb with cells (fbcon_cells_size() bytes) and clear the screen.
 * Returns false, drawing nothing, if the screen is too small for a line. */
bool fbcon_init(struct fbcon *con, const struct fb_info *fb, void *cells);

/* Text as the serial console gets it: \n, \r, \t, \b, and ESC [ ... K
 * (erase to the end of the line, the shell's) are obeyed, other escape
 * sequences skipped, a byte outside printable ASCII shows as a box. A line
 * longer than the screen wraps. */
void fbcon_write(struct fbcon *con, const char *s, size_t len);

/* Read the pixels back and decode each cell with the font into out
 * (rows * cols bytes, '?' where no glyph matches). Returns how many cells
 * disagree with the text grid: 0 when the screen shows what was written. */
unsigned fbcon_read_back(const struct fbcon *con, char *out);

/* Pixel line y (0 .. rows * FONT_H - 1) of the text area as bits, a byte a
 * cell (cols bytes), bit 7 the leftmost pixel, set where it has the text's
 * colour: for a test to decode with the font on its own. */
void fbcon_pixel_bits(const struct fbcon *con, unsigned y, uint8_t *out);

/* Shale's own screen console, on the firmware's framebuffer: started after
 * ExitBootServices; cells from memory the firmware gave (boot/gop.c). */
bool screen_start(const struct fb_info *fb, void *cells);
/* Its cost; with log = debug also the pixels read back and decoded, each
 * row up to the cursor logged as "[screen] row N: TEXT", and the raw pixels
 * of the last three rows before the cursor as "[screen] pixels N: HEX", a
 * line of them each, for a test to compare with the serial log. At the end
 * of a run: it is long. */
void screen_report(void);

#endif
