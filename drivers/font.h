/* SPDX-License-Identifier: MIT */
/*
 * Shale's built-in font: 8x16 pixel cells for printable ASCII, drawn for
 * Shale (drivers/font.c), for the screen console (drivers/fbcon.c).
 */
#ifndef SHALE_DRIVERS_FONT_H
#define SHALE_DRIVERS_FONT_H

#include <stdint.h>

#define FONT_W 8
#define FONT_H 16

/* The 16 rows of c's glyph, bit 7 the leftmost pixel. A byte outside
 * printable ASCII gets a hollow box, so that it shows as "something". */
const uint8_t *font_glyph(unsigned char c);

#endif
