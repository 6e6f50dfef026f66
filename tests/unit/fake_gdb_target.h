/* SPDX-License-Identifier: MIT */
/*
 * A pretend guest for the GDB stub's tests and fuzzer: n_cpus vCPUs
 * (1 when left at 0) with their registers, 64 KiB of memory they share,
 * seen at guest-virtual FAKE_VIRT and guest-physical FAKE_PHYS, and a
 * record of what the stub asked of them.
 */
#ifndef SHALE_TESTS_FAKE_GDB_TARGET_H
#define SHALE_TESTS_FAKE_GDB_TARGET_H

#include <stdio.h>
#include <string.h>

#include "vmm/gdb/gdbstub.h"

#define FAKE_VIRT 0xffff800000010000ull
#define FAKE_PHYS 0x10000ull
#define FAKE_SIZE 0x10000u
#define FAKE_CPUS 4

struct fake_target {
	unsigned n_cpus;
	struct gdb_regs regs;            /* vCPU 0 */
	struct gdb_regs more[FAKE_CPUS]; /* vCPU k > 0: more[k] */
	uint8_t mem[FAKE_SIZE];
	struct gdb_debug_setup debug;    /* as set on vCPU 0 */
	bool step[FAKE_CPUS];            /* each vCPU's step flag */
	struct gdb_hw_bp hw[GDB_HW_SLOTS];
	bool held;
	bool cpu_held[FAKE_CPUS];
	unsigned last_resume;            /* the cpu argument of the last resume */
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

static unsigned fake_threads(void *t)
{
	struct fake_target *f = t;

	return f->n_cpus ? f->n_cpus : 1;
}

static void fake_describe(void *t, unsigned cpu, char *buf, size_t size)
{
	snprintf(buf, size, "vCPU %u%s", cpu,
		 ((struct fake_target *)t)->cpu_held[cpu % FAKE_CPUS] ? ", held" : "");
}

static struct gdb_regs *fake_regs(void *t, unsigned cpu)
{
	struct fake_target *f = t;

	return cpu && cpu < FAKE_CPUS ? &f->more[cpu] : &f->regs;
}

static void fake_get_regs(void *t, unsigned cpu, struct gdb_regs *r)
{
	*r = *fake_regs(t, cpu);
}

static void fake_set_regs(void *t, unsigned cpu, const struct gdb_regs *r)
{
	*fake_regs(t, cpu) = *r;
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

static size_t fake_read_mem(void *t, unsigned cpu, uint64_t addr, void *buf,
			    size_t len, bool phys)
{
	(void)cpu;
	return fake_copy(t, addr, buf, len, phys, false);
}

static size_t fake_write_mem(void *t, unsigned cpu, uint64_t addr, const void *buf,
			     size_t len, bool phys)
{
	(void)cpu;
	return fake_copy(t, addr, (void *)buf, len, phys, true);
}

static void fake_set_debug(void *t, unsigned cpu, const struct gdb_debug_setup *d)
{
	struct fake_target *f = t;

	if (cpu < FAKE_CPUS)
		f->step[cpu] = d->step;
	if (cpu)
		return;
	f->debug = *d;
	memcpy(f->hw, d->hw, sizeof(f->hw));
	f->debug.hw = f->hw;
}

static void fake_stop(void *t, unsigned cpu)
{
	(void)cpu;
	struct fake_target *f = t;

	f->held = true;
	for (unsigned k = 0; k < FAKE_CPUS; k++)
		f->cpu_held[k] = true;
	f->stops++;
}

static void fake_resume(void *t, unsigned cpu)
{
	struct fake_target *f = t;

	for (unsigned k = 0; k < FAKE_CPUS; k++)
		if (cpu == GDB_ALL || k == cpu)
			f->cpu_held[k] = false;
	f->held = f->cpu_held[0];
	f->last_resume = cpu;
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
	.threads = fake_threads,
	.describe = fake_describe,
	.get_regs = fake_get_regs,
	.set_regs = fake_set_regs,
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.set_debug = fake_set_debug,
	.stop = fake_stop,
	.resume = fake_resume,
};

#endif
