/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the screen console (drivers/fbcon.c). It draws
 * whatever the log and the guests write, escape sequences and stray bytes
 * included. Whatever the bytes: the cursor stays on the screen, nothing is
 * written outside it, after each write the pixels show exactly the text
 * grid (every cell decodes back to its character), and what the console
 * believes is shown is what it wrote.
 */
#include <stdint.h>
#include <string.h>

#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "tests/fuzz/fuzz_check.h"

#define CANARY 0xa5a5a5a5u
#define MAX_COLS 17
#define MAX_ROWS 9
#define MAX_PAD 3

static uint32_t pixels[(MAX_COLS * FONT_W + MAX_PAD) * MAX_ROWS * FONT_H + 64]
	__attribute__((aligned(8)));
static char cells[2 * MAX_COLS * MAX_ROWS];
static char decoded[MAX_COLS * MAX_ROWS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fbcon con;
	struct fb_info fb = { .red_mask = 0xff0000, .green_mask = 0xff00, .blue_mask = 0xff };
	size_t npix = sizeof(pixels) / sizeof(pixels[0]);

	if (size < 2)
		return 0;
	/* The first two bytes: the screen's shape, and how the text is cut
	 * into writes (a log line arrives whole, a guest's byte by byte). */
	unsigned cols = 2 + data[0] % (MAX_COLS - 1), rows = 2 + (data[0] >> 4) % (MAX_ROWS - 1);
	unsigned pad = data[1] % (MAX_PAD + 1), chunk = 1 + (data[1] >> 2);

	fb.width = cols * FONT_W;
	fb.height = rows * FONT_H;
	fb.stride = fb.width + pad;
	fb.base = (uint64_t)(uintptr_t)pixels;
	fb.size = (uint64_t)fb.stride * fb.height * 4;
	for (size_t i = 0; i < npix; i++)
		pixels[i] = CANARY;
	CHECK(fbcon_init(&con, &fb, cells));
	data += 2;
	size -= 2;
	while (size) {
		size_t n = size < chunk ? size : chunk;

		fbcon_write(&con, (const char *)data, n);
		data += n;
		size -= n;
		CHECK(con.row < con.rows && con.col <= con.cols && con.esc <= 2);
		CHECK(!memcmp(con.text, con.shown, (size_t)cols * rows));
		CHECK(fbcon_read_back(&con, decoded) == 0);
	}
	for (size_t y = 0; y < fb.height; y++)
		for (size_t x = fb.width; x < fb.stride; x++)
			CHECK(pixels[y * fb.stride + x] == CANARY);
	for (size_t i = (size_t)fb.stride * fb.height; i < npix; i++)
		CHECK(pixels[i] == CANARY);
	return 0;
}
