/* SPDX-License-Identifier: MIT */
/*
 * Shale's one screen console: the framebuffer the firmware left
 * (boot/gop.c) as the log's screen sink. Called under the log's lock
 * (lib/log.c), like the serial sink: one CPU draws at a time, whole lines.
 */
#include "arch/x86/include/cpu.h"
#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "lib/log.h"

#define SRC "screen"

static struct fbcon screen;
static uint64_t ticks; /* the cost of drawing, for screen_report() */

static bool drawing;

static void screen_sink(const char *s, size_t len)
{
	uint64_t t = rdtsc();

	/* Here again while drawing, on this CPU (the console lock lets its
	 * holder in): an NMI's note, or the report of an exception in the
	 * drawing itself. The grid is half updated: that text goes to the
	 * serial port alone rather than risk a second fault. */
	if (drawing)
		return;
	drawing = true;
	fbcon_write(&screen, s, len);
	drawing = false;
	ticks += rdtsc() - t;
}

bool screen_start(const struct fb_info *fb, void *cells)
{
	char replay[4096];
	size_t n, skip;

	if (!fb->base || !fbcon_init(&screen, fb, cells))
		return false;
	/* The log so far, as far as it fits: the screen shows what led here
	 * in Shale's font, not half in the firmware's. */
	n = log_ring_copy(replay, sizeof(replay));
	skip = 0;
	if (n == sizeof(replay)) /* cut: from the first whole line */
		while (skip < n && replay[skip++] != '\n')
			;
	fbcon_write(&screen, replay + skip, n - skip);
	log_set_screen_sink(screen_sink);
	log_info(SRC, "the log is on the screen too: %ux%u characters", screen.cols,
		 screen.rows);
	return true;
}

/* The last three rows before the cursor, pixel line by pixel line. */
static void pixel_dump(void)
{
	uint8_t bits[200]; /* a log line holds 2 * 200 hex digits */
	char hex[2 * sizeof(bits) + 1];
	unsigned first = screen.row >= 3 ? screen.row - 3 : 0;

	if (screen.cols > sizeof(bits))
		return;
	for (unsigned y = first * FONT_H; y < screen.row * FONT_H; y++) {
		fbcon_pixel_bits(&screen, y, bits);
		for (unsigned c = 0; c < screen.cols; c++) {
			hex[2 * c] = "0123456789abcdef"[bits[c] >> 4];
			hex[2 * c + 1] = "0123456789abcdef"[bits[c] & 15];
		}
		log_rawf("[screen] pixels %u: %.*s\n", y, (int)(2 * screen.cols), hex);
	}
}

void screen_report(void)
{
	bool check = log_get_level() >= LVL_DEBUG;
	unsigned wrong, cols = screen.cols;

	if (!screen.text)
		return;
	log_info(SRC, "%lu lines drawn, %lu scrolls, %lu characters; %lu ticks a line",
		 (unsigned long)screen.lines, (unsigned long)screen.scrolls,
		 (unsigned long)screen.cells_drawn,
		 (unsigned long)(screen.lines ? ticks / screen.lines : 0));
	if (!check)
		return;
	/* What the pixels say, decoded with the font into the grid of what
	 * the pixels show (it is just that), before any of it is logged,
	 * which changes the screen. A test compares each row with the serial
	 * log. The screen is left out meanwhile, then catches up. */
	wrong = fbcon_read_back(&screen, screen.shown);
	log_set_screen_sink(NULL);
	log_info(SRC, "read back %u rows of %u cells from the framebuffer: %u cells differ from the text",
		 screen.rows, cols, wrong);
	for (unsigned r = 0; r <= screen.row; r++) {
		const char *line = screen.shown + (size_t)r * cols;
		unsigned c = cols;

		while (c > 0 && line[c - 1] == ' ')
			c--;
		log_rawf("[screen] row %u: %.*s\n", r, (int)c, line);
	}
	pixel_dump();
	log_set_screen_sink(screen_sink);
}
