/* SPDX-License-Identifier: MIT */
/*
 * Where a guest's RAM lies in its guest-physical space, as a PC lays it
 * out (docs/guest-start.md, "Guest memory"):
 *
 *   0 ........................ RAM, up to 3 GiB (GUEST_LOW_RAM_TOP)
 *   0xC0000000 - 0xFFFFFFFF    the MMIO hole: no RAM; the device pages
 *                              (test device 0xFEB00000, I/O APIC
 *                              0xFEC00000, local APIC 0xFEE00000) are here
 *   0x100000000 .............. the rest of the RAM, if any
 *
 * Why 3 GiB: the hole then starts and ends on 1 GiB boundaries, so both
 * ranges map with 1 GiB EPT pages and the guest's own 1 GiB pages, and a
 * whole GiB stays free below 4 GiB for 32-bit device windows (PCI BARs),
 * as QEMU's i440fx machine leaves it for a guest of 3.5 GiB or more. A
 * guest of 3 GiB or less has one range from 0, as before.
 *
 * guest_ram_layout() is the one place the layout is computed; the EPT
 * mapping, guest-physical to host translation, the e820 map, the CMOS
 * memory size, the loaders' limits, the config checks and the shell all
 * read the ranges it gives. Pure: no struct vm, no allocation, no logging.
 */
#ifndef SHALE_VMM_GUEST_RAM_H
#define SHALE_VMM_GUEST_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_LOW_RAM_TOP 0xc0000000ull    /* RAM below the hole ends here */
#define GUEST_HIGH_RAM_BASE 0x100000000ull /* and goes on from 4 GiB */
#define GUEST_RAM_RANGES_MAX 2

struct guest_ram_range {
	uint64_t gpa;  /* guest-physical base */
	uint64_t size; /* bytes, a multiple of 4 KiB */
	uint64_t hpa;  /* host-physical base behind it; 0 until allocated */
};

struct guest_ram {
	struct guest_ram_range r[GUEST_RAM_RANGES_MAX]; /* ascending gpa */
	unsigned n;
	uint64_t size; /* the configured memory, the sum of r[].size */
};

/* The ranges of a guest with `size` bytes of RAM (hpa left 0). size 0
 * gives no range. */
void guest_ram_layout(uint64_t size, struct guest_ram *ram);

/* RAM below 4 GiB, from guest-physical 0: where flat images, the Linux
 * kernel, initrd, command line and boot tables must go. */
uint64_t guest_ram_low_size(const struct guest_ram *ram);

/* One past the highest guest-physical address of RAM (0 without RAM). */
uint64_t guest_ram_end(const struct guest_ram *ram);

/* The range holding all of [gpa, gpa + len), or NULL: len 0, a wrap past
 * 2^64, any byte in the hole or past the end. */
const struct guest_ram_range *guest_ram_find(const struct guest_ram *ram,
					     uint64_t gpa, uint64_t len);

/* Host-physical address of guest-physical gpa, when all of [gpa, gpa +
 * len) is RAM of one range (see guest_ram_find). Returns false otherwise. */
bool guest_ram_to_host(const struct guest_ram *ram, uint64_t gpa,
		       uint64_t len, uint64_t *hpa);

/* The ranges for messages, e.g. "0-0xbfffffff, 0x100000000-0x107ffffff"
 * (one range: "0-0xffffff"). Returns the length written, as snprintf. */
int guest_ram_describe(const struct guest_ram *ram, char *buf, size_t size);

#endif
