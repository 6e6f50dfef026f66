/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "vmm/mmio.h"

int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size,
		  mmio_handler_fn fn, void *opaque, const char *name)
{
	if (!size || base + size < base || bus->n == MMIO_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < bus->n; i++) {
		const struct mmio_range *r = &bus->range[i];

		if (base < r->base + r->size && r->base < base + size)
			return -1;
	}
	bus->range[bus->n++] = (struct mmio_range){ base, size, fn, opaque, name };
	return 0;
}

const struct mmio_range *mmio_find(const struct mmio_bus *bus, uint64_t gpa)
{
	for (unsigned i = 0; i < bus->n; i++)
		if (gpa - bus->range[i].base < bus->range[i].size)
			return &bus->range[i];
	return NULL;
}
