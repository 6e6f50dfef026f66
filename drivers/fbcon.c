/* SPDX-License-Identifier: MIT */
/* The screen console's text grid and its drawing; see drivers/fbcon.h. */
#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "lib/string.h"

/* A colour at num/den of full strength in the channel `mask`. */
static uint32_t channel(uint32_t mask, unsigned num, unsigned den)
{
	unsigned shift = 0;

	if (!mask)
		return 0;
	while (!(mask & (1u << shift)))
		shift++;
	return (uint32_t)((uint64_t)(mask >> shift) * num / den << shift) & mask;
}

size_t fbcon_cells_size(const struct fb_info *fb)
{
	return 2 * (size_t)(fb->width / FONT_W) * (fb->height / FONT_H);
}

bool fbcon_init(struct fbcon *con, const struct fb_info *fb, void *cells)
{
	unsigned cols = fb->width / FONT_W, rows = fb->height / FONT_H;

	if (cols < 2 || rows < 2 || !cells)
		return false;
	memset(con, 0, sizeof(*con));
	con->pixels = (uint32_t *)fb->base;
	con->stride = fb->stride;
	con->fg = channel(fb->red_mask, 3, 4) | channel(fb->green_mask, 3, 4) |
		  channel(fb->blue_mask, 3, 4);
	con->bg = 0;
	for (int b = 0; b < 4; b++)
		con->pairs[b] = ((b & 2) ? con->fg : con->bg) |
				(uint64_t)((b & 1) ? con->fg : con->bg) << 32;
	/* Every cell starts 8-byte aligned when the base and the row are. */
	con->pairs_ok = !(fb->base & 7) && !(fb->stride & 1);
	con->cols = cols;
	con->rows = rows;
	con->text = cells;
	con->shown = con->text + (size_t)cols * rows;
	memset(con->text, ' ', (size_t)cols * rows);
	memset(con->shown, ' ', (size_t)cols * rows);
	/* The whole screen, margins included: what the firmware drew goes.
	 * Two pixels a store where the rows allow it, as in draw_cell(). */
	for (uint32_t y = 0; y < fb->height; y++) {
		uint32_t *row = con->pixels + (size_t)y * con->stride;
		uint32_t x = 0;

		if (con->pairs_ok)
			for (; x + 1 < fb->width; x += 2)
				*(uint64_t *)(row + x) = con->pairs[0];
		for (; x < fb->width; x++)
			row[x] = con->bg;
	}
	return true;
}

/* A glyph row is written two pixels at a time, as 64-bit stores: half
 * the writes, which counts where the framebuffer is uncached (the usual
 * case, by the firmware's MTRRs). pairs[b] is the two pixels of the bit
 * pair b, left pixel in bit 1, at the lower address (little-endian). */
static void draw_cell(struct fbcon *con, unsigned row, unsigned col)
{
	size_t i = (size_t)row * con->cols + col;
	const uint8_t *g = font_glyph((unsigned char)con->text[i]);
	uint32_t *p = con->pixels + (size_t)row * FONT_H * con->stride + col * FONT_W;

	for (int y = 0; y < FONT_H; y++, p += con->stride) {
		uint64_t *q = (uint64_t *)p;

		if (con->pairs_ok)
			for (int x = 0; x < FONT_W / 2; x++)
				q[x] = con->pairs[(g[y] >> (6 - 2 * x)) & 3];
		else
			for (int x = 0; x < FONT_W; x++)
				p[x] = (g[y] & (0x80 >> x)) ? con->fg : con->bg;
	}
	con->shown[i] = con->text[i];
	con->cells_drawn++;
}

/* Draw the cells of a row that differ from what the pixels show. */
static void sync_row(struct fbcon *con, unsigned row)
{
	size_t base = (size_t)row * con->cols;

	for (unsigned c = 0; c < con->cols; c++)
		if (con->text[base + c] != con->shown[base + c])
			draw_cell(con, row, c);
}

/* The row is left: its pixels catch up, then the cursor moves down. */
static void new_line(struct fbcon *con)
{
	sync_row(con, con->row);
	con->col = 0;
	con->lines++;
	if (++con->row < con->rows)
		return;
	/* Half a screen up in the grid, then the pixels follow. */
	unsigned keep = con->rows / 2, drop = con->rows - keep;
	size_t cols = con->cols;

	memmove(con->text, con->text + drop * cols, keep * cols);
	memset(con->text + keep * cols, ' ', drop * cols);
	for (unsigned r = 0; r < con->rows; r++)
		sync_row(con, r);
	con->row = keep;
	con->scrolls++;
}

static void put(struct fbcon *con, char c)
{
	if (con->col == con->cols)
		new_line(con); /* wrap */
	con->text[(size_t)con->row * con->cols + con->col++] = c;
}

/* ESC [ parameters final-byte: ECMA-48 5.4. Only EL (erase in line, K)
 * means anything here; its parameter is taken as 0, to the end. */
static void escape(struct fbcon *con, char c)
{
	if (con->esc == 1) {
		con->esc = c == '[' ? 2 : 0;
		return;
	}
	if (c >= 0x40 && c <= 0x7e) {
		con->esc = 0;
		if (c == 'K')
			memset(con->text + (size_t)con->row * con->cols + con->col, ' ',
			       con->cols - con->col);
	}
}

void fbcon_write(struct fbcon *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (con->esc) {
			escape(con, c);
			continue;
		}
		switch (c) {
		case '\n':
			new_line(con);
			break;
		case '\r':
			con->col = 0;
			break;
		case '\b':
			if (con->col)
				con->col--;
			break;
		case '\t':
			do
				put(con, ' ');
			while (con->col % 8 && con->col < con->cols);
			break;
		case 0x1b:
			con->esc = 1;
			break;
		default:
			if ((unsigned char)c < 0x20)
				break; /* BEL and the like: nothing to show */
			put(con, c);
		}
	}
	/* The row this text left unfinished: a prompt, a guest's half line.
	 * Every row it finished was drawn as it was left (new_line()). */
	sync_row(con, con->row);
}

static bool cell_is(const struct fbcon *con, unsigned row, unsigned col,
		    const uint8_t *g)
{
	const uint32_t *p = con->pixels + (size_t)row * FONT_H * con->stride + col * FONT_W;

	for (int y = 0; y < FONT_H; y++, p += con->stride)
		for (int x = 0; x < FONT_W; x++)
			if ((p[x] == con->fg) != !!(g[y] & (0x80 >> x)) ||
			    (p[x] != con->fg && p[x] != con->bg))
				return false;
	return true;
}

unsigned fbcon_read_back(const struct fbcon *con, char *out)
{
	unsigned wrong = 0;

	for (unsigned r = 0; r < con->rows; r++)
		for (unsigned c = 0; c < con->cols; c++) {
			size_t i = (size_t)r * con->cols + c;
			char got = '?';

			/* The expected glyph first: one compare for most cells. */
			if (cell_is(con, r, c, font_glyph((unsigned char)con->text[i])))
				got = con->text[i];
			else
				for (int ch = 0x20; ch < 0x7f; ch++)
					if (cell_is(con, r, c, font_glyph((unsigned char)ch))) {
						got = (char)ch;
						break;
					}
			out[i] = got;
			wrong += got != con->text[i];
		}
	return wrong;
}

void fbcon_pixel_bits(const struct fbcon *con, unsigned y, uint8_t *out)
{
	const uint32_t *p = con->pixels + (size_t)y * con->stride;

	for (unsigned c = 0; c < con->cols; c++) {
		uint8_t bits = 0;

		for (int x = 0; x < FONT_W; x++)
			if (p[c * FONT_W + x] == con->fg)
				bits |= 0x80 >> x;
		out[c] = bits;
	}
}
