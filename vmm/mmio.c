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

int mmio_move(struct mmio_bus *bus, void *opaque, uint64_t new_base)
{
	struct mmio_range *me = NULL;

	for (unsigned i = 0; i < bus->n; i++)
		if (bus->range[i].opaque == opaque)
			me = &bus->range[i];
	if (!me || new_base + me->size < new_base)
		return -1;
	for (unsigned i = 0; i < bus->n; i++) {
		const struct mmio_range *r = &bus->range[i];

		if (r != me && new_base < r->base + r->size && r->base < new_base + me->size)
			return -1;
	}
	me->base = new_base;
	return 0;
}
