/* SPDX-License-Identifier: MIT */
/*
 * The MCFG table (PCI Firmware Specification 3.2, 4.1.2): where each PCI
 * segment's enhanced configuration space (ECAM) lies. After the 36-byte
 * header and 8 reserved bytes, 16-byte entries from offset 44: base address
 * (8; the address of bus 0 of that segment, ECAM address = base + (bus <<
 * 20 | device << 15 | function << 12 | register)), segment (2), start bus
 * (1), end bus (1), reserved (4).
 */
#ifndef SHALE_ARCH_X86_ACPI_MCFG_H
#define SHALE_ARCH_X86_ACPI_MCFG_H

#include <stddef.h>
#include <stdint.h>

#define MCFG_HEADER_LEN 44
#define MCFG_ENTRY_LEN 16
#define MCFG_MAX_SEGMENTS 16
/* Shale's identity map covers 52-bit physical addresses at most. */
#define MCFG_MAX_ADDR (1ull << 52)

struct mcfg_segment {
	uint64_t base;      /* of bus 0 */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct mcfg_info {
	unsigned n;
	struct mcfg_segment seg[MCFG_MAX_SEGMENTS];
};

/* The first byte of bus `bus`'s window, and the byte after the last bus. */
static inline uint64_t mcfg_window_start(const struct mcfg_segment *s)
{
	return s->base + ((uint64_t)s->bus_start << 20);
}

static inline uint64_t mcfg_window_end(const struct mcfg_segment *s)
{
	return s->base + (((uint64_t)s->bus_end + 1) << 20);
}

/*
 * Parse and check the MCFG at table (avail bytes readable). Returns 0 with
 * *out filled, or -1 with a one-line reason in why: not an MCFG, cut
 * short or with a torn last entry, a wrong checksum, no entry, more than
 * MCFG_MAX_SEGMENTS, a base not 1 MiB aligned or past MCFG_MAX_ADDR, an
 * end bus below the start bus, two windows that overlap in memory, or two
 * entries for the same buses of one segment.
 */
int mcfg_parse(const void *table, size_t avail, struct mcfg_info *out,
	       char *why, size_t size);

/* The ECAM address of a function's configuration register. */
uint64_t mcfg_ecam_addr(const struct mcfg_segment *s, unsigned bus,
			unsigned dev, unsigned fn, unsigned reg);

#endif
