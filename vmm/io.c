/* SPDX-License-Identifier: MIT */
#include "vmm/io.h"

int io_register(struct io_bus *bus, uint16_t base, uint16_t count,
		io_handler_fn fn, void *opaque, const char *name)
{
	uint32_t end = (uint32_t)base + count;

	if (!count || end > 0x10000 || bus->n == IO_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < bus->n; i++) {
		const struct io_range *r = &bus->range[i];

		if (base < r->base + r->count && r->base < end)
			return -1;
	}
	bus->range[bus->n++] = (struct io_range){ base, count, fn, opaque, name };
	return 0;
}

bool io_access(struct io_bus *bus, uint16_t port, unsigned size, bool write,
	       uint32_t *val)
{
	const struct io_range *r = &bus->range[bus->last];

	/* The range of the last access first: a driver talks to one device
	 * for a while (a doorbell, a burst of UART bytes). A hint only: any
	 * index below n is a range, and ranges are never removed. */
	if (bus->n && port >= r->base && port - r->base < r->count) {
		r->fn(r->opaque, port, size, write, val);
		return true;
	}
	for (unsigned i = 0; i < bus->n; i++) {
		r = &bus->range[i];
		/* The device owns the access when its first byte is inside
		 * the range; wider accesses that spill over go to it too. */
		if (port >= r->base && port - r->base < r->count) {
			bus->last = i;
			r->fn(r->opaque, port, size, write, val);
			return true;
		}
	}
	bus->unclaimed++;
	if (!write)
		*val = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
	return false;
}

void io_split_bytes(void *opaque, io_byte_fn fn, uint16_t port, unsigned size,
		    bool write, uint32_t *val)
{
	uint32_t out = 0;

	if (size != 1 && size != 2 && size != 4) {
		if (!write)
			*val = 0xffffffffu;
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = write ? (uint8_t)(*val >> (8 * i)) : 0;

		fn(opaque, (uint16_t)(port + i), write, &b);
		out |= (uint32_t)b << (8 * i);
	}
	if (!write)
		*val = out;
}
