/* SPDX-License-Identifier: MIT */
/*
 * A device that only tests use: a scratch register that returns what was
 * written, an ID register, and an access counter, behind 12 I/O ports and
 * one MMIO page. It exercises the whole exit path without a real device
 * model's side effects. Its fault-injection port lets a test guest break
 * the hypervisor on purpose, so the tests can check how Shale reports an
 * exception of its own or a failed VM entry. That port only works with
 * [hypervisor] selftest = on; otherwise a request is refused, said once,
 * and the guest goes on.
 */
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/vdev/testdev.h"

/* In the MMIO hole (vmm/guest_ram.h): no guest RAM hides the page. */
_Static_assert(TESTDEV_MMIO >= GUEST_LOW_RAM_TOP && TESTDEV_MMIO < GUEST_HIGH_RAM_BASE,
	       "the test device page must be in the MMIO hole");

struct testdev {
	struct vm *vm;
	uint32_t port_scratch;
	uint64_t mmio_scratch;
	uint64_t mmio_count;
	bool fault_refused; /* said so once */
};

static struct testdev devices[CONFIG_MAX_GUESTS];

/* Out of line: the scratch port's path, which the benchmark times, should
 * not pay for this one's call and its saved registers. */
static __attribute__((noinline)) void fault_port(struct testdev *d, unsigned size,
						  bool write, uint32_t *val)
{
	if (write && size == 4 && selftest_enabled()) {
		selftest_inject_fault(&d->vm->vcpu[0], *val);
	} else if (write && size == 4 && !d->fault_refused) {
		d->fault_refused = true;
		log_warn("testdev", "guest \"%s\" asked the test device to break Shale "
			 "(request %u): refused, selftest is off", d->vm->name, *val);
	} else if (!write) {
		*val = 0;
	}
}

static void port_access(void *opaque, uint16_t port, unsigned size,
			bool write, uint32_t *val)
{
	struct testdev *d = opaque;
	unsigned off = port - TESTDEV_PORT;
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	if (off < 4) {
		unsigned shift = off * 8;

		if (write)
			d->port_scratch = (d->port_scratch & ~(mask << shift)) |
					  ((*val & mask) << shift);
		else
			*val = (d->port_scratch >> shift) & mask;
	} else if (port == TESTDEV_PORT_FAULT) {
		fault_port(d, size, write, val);
	} else if (!write) {
		/* 64-bit, so that the ports past the ID read as zeros
		 * rather than shift a 32-bit value by 32 bits or more. */
		*val = ((uint64_t)TESTDEV_ID >> ((off - 4) * 8)) & mask;
	}
}

static void mmio_access(void *opaque, uint64_t off, unsigned size, bool write,
			uint64_t *val)
{
	struct testdev *d = opaque;
	uint64_t mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;

	d->mmio_count++;
	if (off < 8) {
		unsigned shift = off * 8;

		if (write)
			d->mmio_scratch = (d->mmio_scratch & ~(mask << shift)) |
					  ((*val & mask) << shift);
		else
			*val = (d->mmio_scratch >> shift) & mask;
	} else if (off >= 8 && off < 0x10) {
		if (!write)
			*val = ((uint64_t)TESTDEV_ID >> ((off - 8) * 8)) & mask;
	} else if (off >= 0x10 && off < 0x18) {
		if (!write)
			*val = (d->mmio_count >> ((off - 0x10) * 8)) & mask;
	} else if (!write) {
		*val = 0;
	}
}

int testdev_attach(struct vm *vm)
{
	struct testdev *d = &devices[vm->id % CONFIG_MAX_GUESTS];

	memset(d, 0, sizeof(*d));
	d->vm = vm;
	vm->testdev = d;
	if (io_register(&vm->io, TESTDEV_PORT, 12, port_access, d, "testdev"))
		return -1;
	return mmio_register(&vm->mmio, TESTDEV_MMIO, 4096, mmio_access, d,
			     "testdev");
}
