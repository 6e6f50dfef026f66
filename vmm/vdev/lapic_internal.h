/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files of the local APIC model (lapic.c, lapic_timer.c,
 * lapic_virt.c) and nothing else: access to the register page, the
 * 256-bit vector sets in it, and the hooks between registers and timer.
 */
#ifndef SHALE_VMM_VDEV_LAPIC_INTERNAL_H
#define SHALE_VMM_VDEV_LAPIC_INTERNAL_H

#include "vmm/vdev/lapic.h"

#define LVT_DELIVERY_STATUS (1u << 12)
#define LVT_POLARITY_LOW (1u << 13)
#define LVT_REMOTE_IRR (1u << 14)
#define LVT_LEVEL (1u << 15)

/* One register of the page, by its xAPIC offset. */
static inline uint32_t reg_get(const struct lapic *l, uint32_t off)
{
	return l->page[off >> 2];
}

static inline void reg_set(struct lapic *l, uint32_t off, uint32_t val)
{
	l->page[off >> 2] = val;
}

/* ISR, TMR and IRR are 256-bit sets stored as eight 32-bit registers, one
 * per 16 bytes from base (vectors 32i..32i+31 in the i-th). */
static inline uint32_t *vec_word(struct lapic *l, uint32_t base, unsigned v)
{
	return &l->page[(base >> 2) + (v >> 5) * 4];
}

static inline bool vec_test(const struct lapic *l, uint32_t base, unsigned v)
{
	return (l->page[(base >> 2) + (v >> 5) * 4] >> (v & 31)) & 1;
}

static inline void vec_set(struct lapic *l, uint32_t base, unsigned v)
{
	/* Atomic: with APIC virtualization the CPU running the vCPU updates
	 * the same page while another vCPU's IPI sets a bit here. */
	__atomic_fetch_or(vec_word(l, base, v), 1u << (v & 31), __ATOMIC_SEQ_CST);
}

static inline void vec_clear(struct lapic *l, uint32_t base, unsigned v)
{
	__atomic_fetch_and(vec_word(l, base, v), ~(1u << (v & 31)), __ATOMIC_SEQ_CST);
}

/* The highest vector in the set at base, or -1. */
static inline int vec_highest(const struct lapic *l, uint32_t base)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = l->page[(base >> 2) + i * 4];

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static inline uint64_t lapic_now(const struct lapic *l)
{
	return l->plat->now(l->plat->ctx);
}

/* lapic.c: tell the integrator that something may be deliverable now
 * (lapic_ops.kick). */
void lapic_kick(struct lapic *l);
/* lapic.c: the retirement of vector's EOI after its ISR bit is gone. */
void lapic_eoi_notify(struct lapic *l, uint8_t vector);
/* lapic.c: write one register as the xAPIC page does. */
enum lapic_reg_result { LAPIC_REG_OK, LAPIC_REG_READ_ONLY, LAPIC_REG_NONE };
enum lapic_reg_result lapic_reg_write(struct lapic *l, uint32_t off,
				     uint32_t val);

/* lapic_timer.c, for the register side. */
void lapic_timer_init(struct lapic *l);
void lapic_timer_reset(struct lapic *l);
/* The LVT timer entry now holds lvt: follow a change of mode. */
void lapic_timer_lvt_written(struct lapic *l, uint32_t lvt);
/* Initial Count written (ignored in TSC-deadline mode, where it reads 0). */
void lapic_timer_load(struct lapic *l, uint32_t count);
/* What the Current Count register reads now. */
uint32_t lapic_timer_current(const struct lapic *l);

#endif
