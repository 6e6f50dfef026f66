/* SPDX-License-Identifier: MIT */
/*
 * isa-debug-exit and debugcon (vmm/vdev/debugport.h).
 */
#include "vmm/vdev/debugport.h"

static uint32_t width_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static void exit_access(void *opaque, uint16_t port, unsigned size,
			bool write, uint32_t *val)
{
	struct debug_exit *d = opaque;

	(void)port;
	if (!write) {
		*val = 0;
		return;
	}
	/* QEMU computes the status from the value as written, in a wider
	 * type: a 32-bit write of 0xffffffff gives 0x1ffffffff. */
	d->exit(d->ctx, ((uint64_t)(*val & width_mask(size)) << 1) | 1);
}

static void con_access(void *opaque, uint16_t port, unsigned size,
		       bool write, uint32_t *val)
{
	struct debugcon *d = opaque;

	(void)port;
	if (!write) {
		*val = DEBUGCON_READBACK & width_mask(size);
		return;
	}
	/* Only the low byte goes out, whatever the width (as in QEMU). */
	d->put(d->ctx, (uint8_t)*val);
}

int debug_exit_attach(struct debug_exit *d, struct io_bus *bus, uint16_t base)
{
	if ((uint32_t)base + DEBUG_EXIT_PORTS > 0x10000)
		return -1;
	return io_register(bus, base, DEBUG_EXIT_PORTS, exit_access, d,
			   "isa-debug-exit");
}

int debugcon_attach(struct debugcon *d, struct io_bus *bus)
{
	return io_register(bus, DEBUGCON_PORT, 1, con_access, d, "debugcon");
}
