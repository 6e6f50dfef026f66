// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the screen console (drivers/fbcon.c, drivers/font.c)
 * on a framebuffer in host memory: the cell-to-pixel drawing, wrapping,
 * scrolling, the escape sequences the shell sends, the read-back that the
 * Bochs case relies on, and the log's lines arriving with their prefixes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "lib/log.h"

#define CANARY 0x5a5a5a5au

static uint32_t pixels[64 * 1024] __attribute__((aligned(8)));
static char cells[8192];
static struct fbcon con;

/* A screen of cols x rows cells, plus `extra` pixels of margin right
 * and below, and `pad` pixels a row beyond the width (the stride). */
static void screen(unsigned cols, unsigned rows, unsigned extra, unsigned pad,
		   uint32_t r, uint32_t g, uint32_t b)
{
	struct fb_info fb = {
		.base = (uint64_t)(uintptr_t)pixels, .size = sizeof(pixels),
		.width = cols * FONT_W + extra, .height = rows * FONT_H + extra,
		.red_mask = r, .green_mask = g, .blue_mask = b,
	};

	fb.stride = fb.width + pad;
	assert_true((size_t)fb.stride * fb.height <= sizeof(pixels) / sizeof(pixels[0]));
	assert_true(fbcon_cells_size(&fb) <= sizeof(cells));
	for (size_t i = 0; i < sizeof(pixels) / sizeof(pixels[0]); i++)
		pixels[i] = CANARY;
	assert_true(fbcon_init(&con, &fb, cells));
	assert_int_equal(con.cols, cols);
	assert_int_equal(con.rows, rows);
}

static void put(const char *s)
{
	fbcon_write(&con, s, strlen(s));
}

/* Row r of the text grid, trailing blanks cut. */
static const char *row(unsigned r)
{
	static char buf[256];
	unsigned n = con.cols;

	memcpy(buf, con.text + (size_t)r * con.cols, n);
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	return buf;
}

/* Every cell's pixels decode to the text grid. */
static void assert_screen_matches(void)
{
	static char out[8192];

	assert_int_equal(fbcon_read_back(&con, out), 0);
	assert_memory_equal(out, con.text, (size_t)con.cols * con.rows);
}

static void test_init_clears_all_and_picks_grey(void **state)
{
	(void)state;
	screen(10, 4, 5, 3, 0xff0000, 0x00ff00, 0x0000ff);
	assert_int_equal(con.fg, 0xbfbfbf);
	/* Margins too; the stride padding is not the screen's. */
	for (unsigned y = 0; y < 4 * FONT_H + 5; y++)
		for (unsigned x = 0; x < 10 * FONT_W + 5 + 3; x++)
			assert_int_equal(pixels[y * (10 * FONT_W + 8) + x],
					 x < 10 * FONT_W + 5 ? 0 : CANARY);
	/* A 10-bit-a-colour layout from bit masks: grey at 3/4 in each. */
	screen(10, 4, 0, 0, 0x3ff00000, 0x000ffc00, 0x000003ff);
	assert_int_equal(con.fg, (767u << 20) | (767u << 10) | 767u);
}

static void test_glyph_pixels(void **state)
{
	/* The picture of 'I' in drivers/font.c, ".###." then four "..#..":
	 * one pixel in from the left, each grid row two pixel rows. */
	static const uint8_t want[FONT_H] = { 0x38, 0x38, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
					      0x10, 0x10, 0x10, 0x10, 0x38, 0x38, 0, 0 };

	(void)state;
	assert_memory_equal(font_glyph('I'), want, FONT_H);
	/* An even stride takes two pixels a store, an odd one one. */
	for (unsigned pad = 6; pad >= 5; pad--) {
		unsigned stride = 10 * FONT_W + pad;

		screen(10, 4, 0, pad, 0xff, 0xff00, 0xff0000);
		assert_int_equal(con.pairs_ok, pad == 6);
		put("aI");
		for (int y = 0; y < FONT_H; y++)
			for (int x = 0; x < FONT_W; x++)
				assert_int_equal(pixels[y * stride + FONT_W + x],
						 (want[y] & (0x80 >> x)) ? con.fg : 0);
		/* The same, as the bits a test decodes. */
		for (unsigned y = 0; y < FONT_H; y++) {
			uint8_t bits[10];

			fbcon_pixel_bits(&con, y, bits);
			assert_int_equal(bits[1], want[y]);
			assert_int_equal(bits[0], font_glyph('a')[y]);
			assert_int_equal(bits[2], 0);
		}
		/* Nothing beyond the cells it drew. */
		assert_int_equal(pixels[FONT_H * stride], 0);
		assert_int_equal(pixels[10 * FONT_W], CANARY);
		assert_screen_matches();
	}
}

static void test_font_glyphs_distinct(void **state)
{
	(void)state;
	for (int a = 0x20; a <= 0x7f; a++)
		for (int b = a + 1; b <= 0x7f; b++)
			if (!memcmp(font_glyph(a), font_glyph(b), FONT_H))
				fail_msg("'%c' and '%c' look the same", a, b);
	/* Everything outside printable ASCII is the box. */
	assert_ptr_equal(font_glyph(0x7f), font_glyph(0xc3));
	assert_ptr_equal(font_glyph(0x01), font_glyph(0xff));
}

static void test_lines_and_wrap(void **state)
{
	(void)state;
	screen(10, 6, 3, 0, 0xff0000, 0xff00, 0xff);
	put("[vmx] on\nabcdefghijKLMNOPQRSTuv\nend");
	assert_string_equal(row(0), "[vmx] on");
	assert_string_equal(row(1), "abcdefghij");
	assert_string_equal(row(2), "KLMNOPQRST");
	assert_string_equal(row(3), "uv");
	assert_string_equal(row(4), "end");
	assert_int_equal(con.row, 4);
	assert_int_equal(con.col, 3);
	assert_screen_matches();
	/* Exactly the line's width, then a newline: no empty row between. */
	screen(10, 6, 0, 0, 0xff0000, 0xff00, 0xff);
	put("0123456789\nx");
	assert_string_equal(row(0), "0123456789");
	assert_string_equal(row(1), "x");
}

static void test_scroll_half_screen(void **state)
{
	char line[16];

	(void)state;
	screen(12, 6, 0, 2, 0xff0000, 0xff00, 0xff);
	for (int i = 1; i <= 6; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		put(line);
	}
	/* Six lines on six rows: the last newline moved half a screen up. */
	assert_int_equal(con.scrolls, 1);
	assert_string_equal(row(0), "line 4");
	assert_string_equal(row(1), "line 5");
	assert_string_equal(row(2), "line 6");
	assert_string_equal(row(3), "");
	assert_int_equal(con.row, 3);
	assert_screen_matches();
	put("line 7\nline 8\nline 9\nline 10");
	assert_int_equal(con.scrolls, 2);
	assert_string_equal(row(0), "line 7");
	assert_string_equal(row(2), "line 9");
	assert_string_equal(row(3), "line 10");
	assert_screen_matches();
}

static void test_only_changed_cells_drawn(void **state)
{
	(void)state;
	screen(20, 4, 0, 0, 0xff0000, 0xff00, 0xff);
	put("abc\n");
	assert_int_equal(con.cells_drawn, 3);
	put("abc");
	assert_int_equal(con.cells_drawn, 6);
	put("\rabd"); /* the same row written again: only 'd' changed */
	assert_int_equal(con.cells_drawn, 7);
	assert_string_equal(row(1), "abd");
}

static void test_escapes_and_controls(void **state)
{
	(void)state;
	screen(20, 4, 0, 0, 0xff0000, 0xff00, 0xff);
	/* The shell redraws its prompt with CR, ESC [ K; deletes with
	 * backspace, space, backspace. */
	put("shale> lsit\r\x1b[Kshale> lix\b \bst\n");
	assert_string_equal(row(0), "shale> list");
	put("a\tb\x07\x1b[1;31mc\n");
	assert_string_equal(row(1), "a       bc");
	put("caf\xc3\xa9");
	assert_memory_equal(con.text + 2 * 20, "caf\xc3\xa9", 5);
	assert_memory_equal(con.shown + 2 * 20, "caf\xc3\xa9", 5);
	assert_screen_matches();
}

static void test_read_back_sees_damage(void **state)
{
	static char out[8192];

	(void)state;
	screen(10, 3, 0, 0, 0xff0000, 0xff00, 0xff);
	put("ok\n");
	/* One pixel of the 'k' lost: that cell no longer reads as any glyph. */
	pixels[4 * (10 * FONT_W) + FONT_W + 1] ^= con.fg;
	assert_int_equal(fbcon_read_back(&con, out), 1);
	assert_memory_equal(out, "o?", 2);
}

/* The log's lines, level prefix and all, reach the screen as they reach
 * the serial console. */
static char serial[1024];
static size_t serial_len;

static void serial_sink(const char *s, size_t len)
{
	memcpy(serial + serial_len, s, len);
	serial_len += len;
}

static void screen_sink(const char *s, size_t len)
{
	fbcon_write(&con, s, len);
}

static void test_log_lines_prefixed(void **state)
{
	(void)state;
	screen(40, 6, 0, 0, 0xff0000, 0xff00, 0xff);
	serial_len = 0;
	log_set_serial_sink(serial_sink);
	log_set_screen_sink(screen_sink);
	log_info("vmx", "VMXON ok on cpu%d", 0);
	log_err("shale", "no guest");
	log_raw("[guest a] hi\n", 13);
	log_set_screen_sink(NULL);
	log_info("vmx", "not on the screen");
	log_set_serial_sink(NULL);
	assert_string_equal(row(0), "[vmx] VMXON ok on cpu0");
	assert_string_equal(row(1), "[shale] error: no guest");
	assert_string_equal(row(2), "[guest a] hi");
	assert_string_equal(row(3), "");
	serial[serial_len] = 0;
	assert_string_equal(serial, "[vmx] VMXON ok on cpu0\n[shale] error: no guest\n"
				    "[guest a] hi\n[vmx] not on the screen\n");
	assert_screen_matches();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_clears_all_and_picks_grey),
		cmocka_unit_test(test_glyph_pixels),
		cmocka_unit_test(test_font_glyphs_distinct),
		cmocka_unit_test(test_lines_and_wrap),
		cmocka_unit_test(test_scroll_half_screen),
		cmocka_unit_test(test_only_changed_cells_drawn),
		cmocka_unit_test(test_escapes_and_controls),
		cmocka_unit_test(test_read_back_sees_damage),
		cmocka_unit_test(test_log_lines_prefixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
