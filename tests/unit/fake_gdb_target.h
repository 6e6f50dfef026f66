/* SPDX-License-Identifier: MIT */
/*
 * A pretend vCPU for the GDB stub's tests and fuzzer: registers, 64 KiB
 * of memory seen at guest-virtual FAKE_VIRT and guest-physical FAKE_PHYS,
 * and a record of what the stub asked of it.
 */
#ifndef SHALE_TESTS_FAKE_GDB_TARGET_H
#define SHALE_TESTS_FAKE_GDB_TARGET_H

#include <string.h>

#include "vmm/gdb/gdbstub.h"

#define FAKE_VIRT 0xffff800000010000ull
#define FAKE_PHYS 0x10000ull
#define FAKE_SIZE 0x10000u

struct fake_target {
	struct gdb_regs regs;
	uint8_t mem[FAKE_SIZE];
	struct gdb_debug_setup debug;
	struct gdb_hw_bp hw[GDB_HW_SLOTS];
	bool held;
	unsigned stops, resumes;
	char out[8192]; /* everything the stub sent */
	size_t out_len;
};

static uint8_t *fake_at(struct fake_target *f, uint64_t addr, bool phys)
{
	uint64_t base = phys ? FAKE_PHYS : FAKE_VIRT;

	if (addr < base || addr - base >= FAKE_SIZE)
		return NULL;
	return &f->mem[addr - base];
}

static void fake_get_regs(void *t, struct gdb_regs *r)
{
	*r = ((struct fake_target *)t)->regs;
}

static void fake_set_regs(void *t, const struct gdb_regs *r)
{
	((struct fake_target *)t)->regs = *r;
}

static size_t fake_copy(struct fake_target *f, uint64_t addr, void *buf, size_t len,
			bool phys, bool write)
{
	size_t n = 0;

	for (; n < len; n++) {
		uint8_t *p = fake_at(f, addr + n, phys);

		if (!p)
			break;
		if (write)
			*p = ((const uint8_t *)buf)[n];
		else
			((uint8_t *)buf)[n] = *p;
	}
	return n;
}

static size_t fake_read_mem(void *t, uint64_t addr, void *buf, size_t len, bool phys)
{
	return fake_copy(t, addr, buf, len, phys, false);
}

static size_t fake_write_mem(void *t, uint64_t addr, const void *buf, size_t len,
			     bool phys)
{
	return fake_copy(t, addr, (void *)buf, len, phys, true);
}

static void fake_set_debug(void *t, const struct gdb_debug_setup *d)
{
	struct fake_target *f = t;

	f->debug = *d;
	memcpy(f->hw, d->hw, sizeof(f->hw));
	f->debug.hw = f->hw;
}

static void fake_stop(void *t)
{
	struct fake_target *f = t;

	f->held = true;
	f->stops++;
}

static void fake_resume(void *t)
{
	struct fake_target *f = t;

	f->held = false;
	f->resumes++;
}

static void fake_put(void *ctx, const char *p, size_t len)
{
	struct fake_target *f = ctx;

	if (f->out_len + len < sizeof(f->out)) {
		memcpy(f->out + f->out_len, p, len);
		f->out_len += len;
		f->out[f->out_len] = '\0';
	}
}

static const struct gdb_target_ops fake_ops = {
	.get_regs = fake_get_regs,
	.set_regs = fake_set_regs,
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.set_debug = fake_set_debug,
	.stop = fake_stop,
	.resume = fake_resume,
};

#endif
