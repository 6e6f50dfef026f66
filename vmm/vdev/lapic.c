/* SPDX-License-Identifier: MIT */
/*
 * A guest's local APIC. Register layout and behaviour: Intel SDM Vol. 3A,
 * chapter 11 "Advanced Programmable Interrupt Controller (APIC)" (Table
 * 11-1 for the xAPIC page, 11.5 for the LVT and timer, 11.6 for the ICR,
 * 11.8 for IRR/ISR/TMR, TPR and PPR, 11.12 for the x2APIC MSRs).
 *
 * Delivery is instantaneous: the ICR and LVT "delivery status" bits always
 * read idle. Lowest-priority IPIs are treated as fixed. The registers live
 * in a page of the xAPIC layout (lapic_internal.h); the timer is in
 * lapic_timer.c, what VMX APIC virtualization needs in lapic_virt.c.
 */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/lapic_internal.h"

#define ICR_LOW_WRITABLE 0x000ccfffu /* all but delivery status, reserved */
#define ICR_LOGICAL (1u << 11)
#define ICR_SHORTHAND(lo) (((lo) >> 18) & 3)
#define ICR_SH_NONE 0
#define ICR_SH_SELF 1
#define ICR_SH_OTHERS 3

#define DFR_MODEL_FLAT 0xfu

/* Writable bits of each LVT entry (SDM Figure 11-8). */
static const uint32_t lvt_writable[LAPIC_LVT_COUNT] = {
	[LAPIC_LVT_IDX_CMCI] = 0x107ff,
	[LAPIC_LVT_IDX_TIMER] = 0x700ff,
	[LAPIC_LVT_IDX_THERMAL] = 0x107ff,
	[LAPIC_LVT_IDX_PMC] = 0x107ff,
	[LAPIC_LVT_IDX_LINT0] = 0x1a7ff,
	[LAPIC_LVT_IDX_LINT1] = 0x1a7ff,
	[LAPIC_LVT_IDX_ERROR] = 0x100ff,
};

/* --- priority and delivery ------------------------------------------------ */

bool lapic_enabled(const struct lapic *l)
{
	return (l->apic_base & APIC_BASE_EN) &&
	       (reg_get(l, LAPIC_SVR) & LAPIC_SVR_ENABLE);
}

/* SDM 11.8.3.1: PPR is TPR unless the in-service class is higher. */
static uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l, LAPIC_ISR);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	uint32_t tpr = reg_get(l, LAPIC_TPR);

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

void lapic_kick(struct lapic *l)
{
	if (l->ops.kick)
		l->ops.kick(l->ops.ctx);
}

/* After a write that can only lower PPR (EOI, TPR, SVR): a vector that
 * waited below it may be deliverable now. */
static void kick_if_deliverable(struct lapic *l)
{
	if (lapic_pending_vector(l) >= 0)
		lapic_kick(l);
}

static void lapic_error(struct lapic *l, uint32_t bits)
{
	uint32_t lvt = reg_get(l, LAPIC_LVT_ERROR);
	uint32_t vector = lvt & LAPIC_LVT_VECTOR;

	l->esr_pending |= bits;
	/* An illegal error vector is not reported again: no error loop. */
	if (!(lvt & LAPIC_LVT_MASKED) && lapic_enabled(l) && vector >= 16) {
		vec_set(l, LAPIC_IRR, vector);
		vec_clear(l, LAPIC_TMR, vector);
		lapic_kick(l);
	}
}

void lapic_accept(struct lapic *l, uint8_t vector, bool level)
{
	if (!lapic_enabled(l))
		return;
	if (vector < 16) {
		lapic_error(l, LAPIC_ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	vec_set(l, LAPIC_IRR, vector);
	if (level)
		vec_set(l, LAPIC_TMR, vector);
	else
		vec_clear(l, LAPIC_TMR, vector);
	/* Even a vector PPR blocks: under APIC virtualization RVI must
	 * follow IRR whatever PPR says. */
	lapic_kick(l);
}

int lapic_pending_vector(const struct lapic *l)
{
	int v = vec_highest(l, LAPIC_IRR);

	if (!lapic_enabled(l) || v < 0)
		return -1;
	if (((uint32_t)v & 0xf0) <= (lapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

void lapic_acknowledge(struct lapic *l, uint8_t vector)
{
	if (!vec_test(l, LAPIC_IRR, vector))
		return;
	vec_clear(l, LAPIC_IRR, vector);
	vec_set(l, LAPIC_ISR, vector);
}

/* --- LINT0 / LINT1 ------------------------------------------------------ */

static bool lint_active(uint32_t lvt, bool level)
{
	return (lvt & LVT_POLARITY_LOW) ? !level : level;
}

static uint32_t lint_offset(unsigned n)
{
	return n ? LAPIC_LVT_LINT1 : LAPIC_LVT_LINT0;
}

static void lint_set_remote_irr(struct lapic *l, unsigned n, bool on)
{
	uint32_t lvt = reg_get(l, lint_offset(n));

	l->lint_remote_irr[n] = on;
	reg_set(l, lint_offset(n), on ? lvt | LVT_REMOTE_IRR : lvt & ~LVT_REMOTE_IRR);
}

/* Deliver what LINT n asks for now; rising says the active edge just
 * happened (a level-triggered entry only needs the line held). */
static void lint_eval(struct lapic *l, unsigned n, bool rising)
{
	uint32_t lvt = reg_get(l, lint_offset(n));
	bool active = lint_active(lvt, l->lint_level[n]);

	if ((lvt & LAPIC_LVT_MASKED) || !lapic_enabled(l))
		return;
	switch (LAPIC_LVT_DELIVERY(lvt)) {
	case LAPIC_DM_FIXED:
		if ((lvt & LVT_LEVEL) && active && !l->lint_remote_irr[n]) {
			lint_set_remote_irr(l, n, true);
			lapic_accept(l, lvt & LAPIC_LVT_VECTOR, true);
		} else if (!(lvt & LVT_LEVEL) && rising) {
			lapic_accept(l, lvt & LAPIC_LVT_VECTOR, false);
		}
		break;
	case LAPIC_DM_NMI:
		if (rising)
			lapic_nmi(l);
		break;
	default:
		break; /* ExtINT: the integrator routes the PIC; others unused */
	}
}

void lapic_set_lint(struct lapic *l, unsigned n, bool level)
{
	bool was;
	uint32_t lvt;

	if (n > 1)
		return;
	lvt = reg_get(l, lint_offset(n));
	was = lint_active(lvt, l->lint_level[n]);
	l->lint_level[n] = level;
	lint_eval(l, n, !was && lint_active(lvt, level));
}

/* Latched for the vCPU to take (vmm/irq.c): one NMI pending at most. */
void lapic_nmi(struct lapic *l)
{
	l->nmi_pending = true;
	lapic_kick(l);
}

bool lapic_take_nmi(struct lapic *l)
{
	bool nmi = l->nmi_pending;

	l->nmi_pending = false;
	return nmi;
}

bool lapic_lint0_is_extint(const struct lapic *l)
{
	uint32_t lvt = reg_get(l, LAPIC_LVT_LINT0);

	return lapic_enabled(l) && !(lvt & LAPIC_LVT_MASKED) &&
	       LAPIC_LVT_DELIVERY(lvt) == LAPIC_DM_EXTINT;
}

void lapic_eoi_notify(struct lapic *l, uint8_t v)
{
	for (unsigned n = 0; n < 2; n++) {
		if (l->lint_remote_irr[n] &&
		    (reg_get(l, lint_offset(n)) & LAPIC_LVT_VECTOR) == v) {
			lint_set_remote_irr(l, n, false);
			lint_eval(l, n, false);
		}
	}
	if (vec_test(l, LAPIC_TMR, v) && l->ops.eoi)
		l->ops.eoi(l->ops.ctx, v);
}

/* SDM 11.8.5: EOI retires the highest in-service vector. */
static void eoi_write(struct lapic *l)
{
	int v = vec_highest(l, LAPIC_ISR);

	if (v < 0)
		return;
	vec_clear(l, LAPIC_ISR, (unsigned)v);
	lapic_eoi_notify(l, (uint8_t)v);
}

/* --- IPIs ------------------------------------------------------------- */

/* SDM 11.12.10.2: the x2APIC LDR is derived from the ID: cluster in bits
 * 31:16, a one-hot member bit in 15:0. */
static uint32_t x2apic_ldr(const struct lapic *l)
{
	return ((l->apic_id >> 4) << 16) | (1u << (l->apic_id & 15));
}

static bool logical_match(const struct lapic *l, uint32_t dest, bool x2apic)
{
	uint32_t ldr = reg_get(l, LAPIC_LDR);

	if (x2apic)
		return (dest >> 16) == (x2apic_ldr(l) >> 16) &&
		       (dest & x2apic_ldr(l) & 0xffff);
	dest &= 0xff;
	if ((reg_get(l, LAPIC_DFR) >> 28) == DFR_MODEL_FLAT)
		return dest & (ldr >> 24);
	/* Cluster model: cluster in bits 7:4, member bitmap in bits 3:0. */
	return (dest >> 4) == (ldr >> 28) && (dest & (ldr >> 24) & 15);
}

bool lapic_is_destination(const struct lapic *l, uint32_t dest, bool logical,
			  bool x2apic)
{
	if (logical)
		return logical_match(l, dest, x2apic);
	if (x2apic)
		return dest == l->apic_id || dest == 0xffffffffu;
	dest &= 0xff;
	return dest == (l->apic_id & 0xff) || dest == 0xff;
}

void lapic_x2apic_page_ids(struct lapic *l)
{
	reg_set(l, LAPIC_ID, l->apic_id);
	reg_set(l, LAPIC_LDR, x2apic_ldr(l));
}

/* SDM 11.6.1: decide who the ICR names, take this CPU's fixed share. */
static void send_ipi(struct lapic *l, uint32_t lo, uint32_t hi, bool x2apic)
{
	unsigned dm = LAPIC_LVT_DELIVERY(lo);
	bool fixed = dm == LAPIC_DM_FIXED || dm == LAPIC_DM_LOWEST;
	uint32_t dest = x2apic ? hi : hi >> 24;
	uint32_t own = x2apic ? l->apic_id : (l->apic_id & 0xff);
	uint32_t broadcast = x2apic ? 0xffffffffu : 0xffu;
	bool self, others;

	switch (ICR_SHORTHAND(lo)) {
	case ICR_SH_NONE:
		if (lo & ICR_LOGICAL) {
			self = logical_match(l, dest, x2apic);
			others = true; /* other CPUs' LDRs are not known here */
		} else {
			self = dest == own || dest == broadcast;
			others = dest != own;
		}
		break;
	default:
		self = ICR_SHORTHAND(lo) != ICR_SH_OTHERS;
		others = ICR_SHORTHAND(lo) != ICR_SH_SELF;
		break;
	}
	if (fixed && (lo & LAPIC_LVT_VECTOR) < 16) {
		lapic_error(l, LAPIC_ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	if (fixed && self)
		lapic_accept(l, lo & LAPIC_LVT_VECTOR, false);
	if (self && dm == LAPIC_DM_NMI)
		lapic_nmi(l);
	if ((others || (self && !fixed)) && l->ops.ipi)
		l->ops.ipi(l->ops.ctx, lo, hi);
}

/* --- register access --------------------------------------------------- */

static void lvt_write(struct lapic *l, unsigned idx, uint32_t val)
{
	uint32_t lvt = val & lvt_writable[idx];

	if (!lapic_enabled(l))
		lvt |= LAPIC_LVT_MASKED; /* SDM 11.4.7.2: stays masked */
	if (idx == LAPIC_LVT_IDX_LINT0 || idx == LAPIC_LVT_IDX_LINT1) {
		unsigned n = idx - LAPIC_LVT_IDX_LINT0;

		/* Remote IRR is the APIC's, and undefined for edge entries. */
		if (!(lvt & LVT_LEVEL))
			l->lint_remote_irr[n] = false;
		if (l->lint_remote_irr[n])
			lvt |= LVT_REMOTE_IRR;
		reg_set(l, lint_offset(n), lvt);
		lint_eval(l, n, false);
		return;
	}
	reg_set(l, idx == LAPIC_LVT_IDX_CMCI ? LAPIC_LVT_CMCI :
		LAPIC_LVT_TIMER + ((idx - LAPIC_LVT_IDX_TIMER) << 4), lvt);
	if (idx == LAPIC_LVT_IDX_TIMER)
		lapic_timer_lvt_written(l, lvt);
}

static void svr_write(struct lapic *l, uint32_t val)
{
	reg_set(l, LAPIC_SVR, val & 0x1ff);
	if (lapic_enabled(l))
		return;
	reg_set(l, LAPIC_LVT_CMCI, reg_get(l, LAPIC_LVT_CMCI) | LAPIC_LVT_MASKED);
	for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 16)
		reg_set(l, off, reg_get(l, off) | LAPIC_LVT_MASKED);
}

/* The LVT index of an offset, or -1. */
static int lvt_index(uint32_t off)
{
	if (off == LAPIC_LVT_CMCI)
		return LAPIC_LVT_IDX_CMCI;
	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR)
		return (int)((off - LAPIC_LVT_TIMER) >> 4) + LAPIC_LVT_IDX_TIMER;
	return -1;
}

/* Read one register as the xAPIC page shows it. False: no such register. */
static bool reg_read(const struct lapic *l, uint32_t off, uint32_t *val)
{
	if (off == LAPIC_PPR)
		*val = lapic_ppr(l);
	else if (off == LAPIC_TIMER_CCR)
		*val = lapic_timer_current(l);
	else if (off == LAPIC_APR || off == LAPIC_EOI || off == LAPIC_RRD)
		*val = 0; /* arbitration priority is not modelled */
	else if (lvt_index(off) >= 0 ||
		 (off >= LAPIC_ISR && off < LAPIC_ESR) || /* ISR, TMR, IRR */
		 off == LAPIC_ID || off == LAPIC_VERSION || off == LAPIC_TPR ||
		 off == LAPIC_LDR || off == LAPIC_DFR || off == LAPIC_SVR ||
		 off == LAPIC_ESR || off == LAPIC_ICR_LOW ||
		 off == LAPIC_ICR_HIGH || off == LAPIC_TIMER_ICR ||
		 off == LAPIC_TIMER_DCR)
		*val = reg_get(l, off);
	else
		return false;
	return true;
}

enum lapic_reg_result lapic_reg_write(struct lapic *l, uint32_t off,
				     uint32_t val)
{
	int lvt = lvt_index(off);
	uint32_t unused;

	if (lvt >= 0) {
		lvt_write(l, (unsigned)lvt, val);
	} else if (off == LAPIC_TPR) {
		reg_set(l, LAPIC_TPR, val & 0xff);
		kick_if_deliverable(l);
	} else if (off == LAPIC_EOI) {
		eoi_write(l);
		kick_if_deliverable(l);
	} else if (off == LAPIC_LDR) {
		reg_set(l, LAPIC_LDR, val & 0xff000000u);
	} else if (off == LAPIC_DFR) {
		reg_set(l, LAPIC_DFR, val | 0x0fffffffu);
	} else if (off == LAPIC_SVR) {
		svr_write(l, val);
		kick_if_deliverable(l);
	} else if (off == LAPIC_ESR) {
		/* SDM 11.5.3: a write latches the errors seen since the last. */
		reg_set(l, LAPIC_ESR, l->esr_pending);
		l->esr_pending = 0;
	} else if (off == LAPIC_ICR_LOW) {
		reg_set(l, LAPIC_ICR_LOW, val & ICR_LOW_WRITABLE);
		send_ipi(l, val & ICR_LOW_WRITABLE, reg_get(l, LAPIC_ICR_HIGH),
			 false);
	} else if (off == LAPIC_ICR_HIGH) {
		reg_set(l, LAPIC_ICR_HIGH, val & 0xff000000u);
	} else if (off == LAPIC_TIMER_ICR) {
		lapic_timer_load(l, val);
	} else if (off == LAPIC_TIMER_DCR) {
		reg_set(l, LAPIC_TIMER_DCR, val & 0xb);
	} else if (off == LAPIC_ID) {
		/* Read-only here: the integrator assigns IDs. Written again
		 * for the page an APIC-write exit finds overwritten. */
		reg_set(l, LAPIC_ID, (l->apic_id & 0xff) << 24);
		return LAPIC_REG_READ_ONLY;
	} else {
		return reg_read(l, off, &unused) ? LAPIC_REG_READ_ONLY
						 : LAPIC_REG_NONE;
	}
	return LAPIC_REG_OK;
}

void lapic_mmio(void *opaque, uint64_t offset, unsigned size, bool write,
		uint64_t *val)
{
	struct lapic *l = opaque;
	uint32_t v = 0;

	if (!write)
		*val = 0;
	if (size != 4 || (offset & 0xf) || offset >= LAPIC_SIZE)
		return;
	/* Globally disabled, or in x2APIC mode: the page is not decoded
	 * (SDM Vol. 3A, 11.4.3 and 11.12.2). */
	if (!(l->apic_base & APIC_BASE_EN) || lapic_x2apic_mode(l))
		return;
	if (write) {
		if (lapic_reg_write(l, (uint32_t)offset, (uint32_t)*val) ==
		    LAPIC_REG_NONE)
			lapic_error(l, LAPIC_ESR_ILLEGAL_REG_ADDRESS);
	} else if (reg_read(l, (uint32_t)offset, &v)) {
		*val = v;
	} else {
		lapic_error(l, LAPIC_ESR_ILLEGAL_REG_ADDRESS);
	}
}

int lapic_attach(struct lapic *l, struct mmio_bus *bus)
{
	return mmio_register(bus, LAPIC_BASE, LAPIC_SIZE, lapic_mmio, l,
			     "lapic");
}

/* --- x2APIC MSRs (SDM 11.12.1, Table 11-6) -------------------------------- */

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *val)
{
	uint32_t off, v;

	if (msr < LAPIC_MSR_BASE || msr > LAPIC_MSR_END)
		return -1;
	off = (msr - LAPIC_MSR_BASE) << 4;
	switch (off) {
	case LAPIC_ID:
		*val = l->apic_id;
		return 0;
	case LAPIC_LDR:
		*val = x2apic_ldr(l);
		return 0;
	case LAPIC_ICR_LOW:
		*val = ((uint64_t)reg_get(l, LAPIC_ICR_HIGH) << 32) |
		       reg_get(l, LAPIC_ICR_LOW);
		return 0;
	case LAPIC_APR: /* not in the x2APIC register set */
	case LAPIC_RRD:
	case LAPIC_DFR:
	case LAPIC_ICR_HIGH:
	case LAPIC_EOI: /* write-only */
	case LAPIC_SELF_IPI:
		return -1;
	}
	if (!reg_read(l, off, &v))
		return -1;
	*val = v;
	return 0;
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t val)
{
	uint32_t off;

	if (msr < LAPIC_MSR_BASE || msr > LAPIC_MSR_END)
		return -1;
	off = (msr - LAPIC_MSR_BASE) << 4;
	if (off == LAPIC_ICR_LOW) {
		reg_set(l, LAPIC_ICR_LOW, (uint32_t)val & ICR_LOW_WRITABLE);
		reg_set(l, LAPIC_ICR_HIGH, (uint32_t)(val >> 32));
		send_ipi(l, (uint32_t)val & ICR_LOW_WRITABLE,
			 (uint32_t)(val >> 32), true);
		return 0;
	}
	if (val >> 32)
		return -1;
	switch (off) {
	case LAPIC_LDR: /* read-only in x2APIC mode */
	case LAPIC_DFR: /* not in the x2APIC register set */
	case LAPIC_ICR_HIGH:
		return -1;
	case LAPIC_EOI:
	case LAPIC_ESR:
		if (val)
			return -1;
		break;
	case LAPIC_SELF_IPI:
		if (val > 0xff)
			return -1;
		send_ipi(l, (uint32_t)val | (ICR_SH_SELF << 18), 0, true);
		return 0;
	}
	return lapic_reg_write(l, off, (uint32_t)val) == LAPIC_REG_OK ? 0 : -1;
}

/* --- life cycle ------------------------------------------------------- */

void lapic_reset(struct lapic *l)
{
	lapic_timer_reset(l);
	memset(l->page, 0, LAPIC_SIZE);
	reg_set(l, LAPIC_ID, (l->apic_id & 0xff) << 24);
	reg_set(l, LAPIC_VERSION, LAPIC_VERSION_VALUE);
	reg_set(l, LAPIC_DFR, 0xffffffffu);
	reg_set(l, LAPIC_SVR, 0xff);
	reg_set(l, LAPIC_LVT_CMCI, LAPIC_LVT_MASKED);
	for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 16)
		reg_set(l, off, LAPIC_LVT_MASKED);
	l->esr_pending = 0;
	l->lint_remote_irr[0] = l->lint_remote_irr[1] = false;
	l->nmi_pending = false;
}

void lapic_init(struct lapic *l, uint32_t apic_id, void *page,
		const struct vdev_platform *plat, const struct lapic_ops *ops)
{
	memset(l, 0, sizeof(*l));
	l->page = page;
	l->plat = plat;
	if (ops)
		l->ops = *ops;
	l->apic_id = apic_id;
	l->apic_base = APIC_BASE_EN | (apic_id == 0 ? APIC_BASE_BSP : 0);
	lapic_timer_init(l);
	lapic_reset(l);
}

void lapic_virtual_wire(struct lapic *l)
{
	svr_write(l, LAPIC_SVR_ENABLE | 0xff);
	lvt_write(l, LAPIC_LVT_IDX_LINT0, LAPIC_DM_EXTINT << 8);
	lvt_write(l, LAPIC_LVT_IDX_LINT1, LAPIC_DM_NMI << 8);
}

int lapic_highest_irr(const struct lapic *l)
{
	return vec_highest(l, LAPIC_IRR);
}

int lapic_highest_isr(const struct lapic *l)
{
	return vec_highest(l, LAPIC_ISR);
}

uint32_t lapic_tpr(const struct lapic *l)
{
	return reg_get(l, LAPIC_TPR);
}
