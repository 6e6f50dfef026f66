/* SPDX-License-Identifier: MIT */
/*
 * The per-guest MMIO registry: guest-physical ranges that are not RAM but a
 * device. They are left out of the guest's EPT, so every access is an EPT
 * violation that Shale decodes and hands to the device here.
 */
#ifndef SHALE_VMM_MMIO_H
#define SHALE_VMM_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#define MMIO_MAX_RANGES 16

/* offset is from the range's base; size is 1, 2, 4 or 8. */
typedef void (*mmio_handler_fn)(void *opaque, uint64_t offset, unsigned size,
				bool write, uint64_t *val);

struct mmio_range {
	uint64_t base;
	uint64_t size;
	mmio_handler_fn fn;
	void *opaque;
	const char *name;
};

struct mmio_bus {
	struct mmio_range range[MMIO_MAX_RANGES];
	unsigned n;
};

int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size,
		  mmio_handler_fn fn, void *opaque, const char *name);
/* Move the range registered with `opaque` to new_base (a PCI BAR the
 * guest reprogrammed). Returns 0, or -1 when there is no such range or
 * the new place overlaps another; the range then stays where it was. */
int mmio_move(struct mmio_bus *bus, void *opaque, uint64_t new_base);
/* The range that holds gpa, or NULL. */
const struct mmio_range *mmio_find(const struct mmio_bus *bus, uint64_t gpa);

#endif
