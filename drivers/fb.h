/* SPDX-License-Identifier: MIT */
/*
 * A linear framebuffer as the firmware's Graphics Output Protocol leaves it
 * (boot/gop.c): 32-bit pixels, a row every `stride` pixels. Plain data, so
 * that boot_info can carry it past ExitBootServices.
 */
#ifndef SHALE_DRIVERS_FB_H
#define SHALE_DRIVERS_FB_H

#include <stdint.h>

struct fb_info {
	uint64_t base;          /* host-physical; 0: no screen Shale can draw on */
	uint64_t size;          /* bytes */
	uint32_t width, height; /* visible pixels */
	uint32_t stride;        /* pixels from one row to the next */
	/* Where red, green and blue sit in a pixel (UEFI spec 12.9,
	 * EFI_PIXEL_BITMASK; the two 8-bit formats turned into masks). */
	uint32_t red_mask, green_mask, blue_mask;
};

#endif
