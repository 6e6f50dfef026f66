/* SPDX-License-Identifier: MIT */
/*
 * The harness of the local APIC model's unit tests (test_lapic.c,
 * test_lapic_timer.c): the model over a fake platform whose clock moves
 * only when a test moves it, with its EOI, IPI and kick callbacks recorded,
 * and its registers read and written at their MMIO offsets.
 */
#ifndef SHALE_TESTS_LAPIC_HARNESS_H
#define SHALE_TESTS_LAPIC_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/string.h"
#include "tests/unit/fake_platform.h"
#include "vmm/vdev/lapic.h"

/* --- fake platform: a clock moved by hand, timers fired by hand ------- */

struct fake {
	struct fake_clock clock; /* first: the platform's ctx */
	struct vdev_platform plat;
	/* ops recorder */
	unsigned eois, ipis;
	unsigned kicks; /* "look before the next VM entry" requests */
	uint8_t eoi_vector;
	uint32_t ipi_lo, ipi_hi;
};

static struct fake F;
static struct lapic L;
static uint32_t page[LAPIC_SIZE / 4] __attribute__((aligned(4096)));

static inline void advance_to(uint64_t to)
{
	fake_advance_to(&F.clock, to);
}

static inline void op_eoi(void *ctx, uint8_t vector)
{
	struct fake *f = ctx;

	f->eois++;
	f->eoi_vector = vector;
}

static inline void op_ipi(void *ctx, uint32_t lo, uint32_t hi)
{
	struct fake *f = ctx;

	f->ipis++;
	f->ipi_lo = lo;
	f->ipi_hi = hi;
}

static inline void op_kick(void *ctx)
{
	struct fake *f = ctx;

	f->kicks++;
}

static const struct lapic_ops ops = { .ctx = &F, .eoi = op_eoi, .ipi = op_ipi,
				      .kick = op_kick };

static inline int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.plat = (struct vdev_platform){ .ctx = &F, .hz = 1000000000,
					 .now = fake_now,
					 .timer_arm = fake_timer_arm,
					 .timer_cancel = fake_timer_cancel };
	F.clock.now = 1000;
	lapic_init(&L, 3, page, &F.plat, &ops);
	return 0;
}

static inline uint32_t rd(uint32_t off)
{
	uint64_t v = 0xdeadbeef;

	lapic_mmio(&L, off, 4, false, &v);
	return (uint32_t)v;
}

static inline void wr(uint32_t off, uint32_t val)
{
	uint64_t v = val;

	lapic_mmio(&L, off, 4, true, &v);
}

static inline void enable(void)
{
	wr(LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
}

/* Take the pending vector as the CPU would, checking which it is. */
static inline void take(int vector)
{
	assert_int_equal(lapic_pending_vector(&L), vector);
	lapic_acknowledge(&L, (uint8_t)vector);
}

static bool bit(uint32_t base, unsigned v)
{
	return (rd(base + (v / 32) * 16) >> (v % 32)) & 1;
}

#endif
