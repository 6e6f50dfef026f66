/* SPDX-License-Identifier: MIT */
/*
 * A guest's local APIC. Register layout and behaviour: Intel SDM Vol. 3A,
 * chapter 11 "Advanced Programmable Interrupt Controller (APIC)" (Table
 * 11-1 for the xAPIC page, 11.5 for the LVT and timer, 11.6 for the ICR,
 * 11.8 for IRR/ISR/TMR, TPR and PPR, 11.12 for the x2APIC MSRs).
 *
 * Delivery is instantaneous: the ICR and LVT "delivery status" bits always
 * read idle. Lowest-priority IPIs are treated as fixed.
 */
#include <stddef.h>

#include "lib/string.h"
#include "vmm/vdev/lapic.h"

#define LVT_DELIVERY_STATUS (1u << 12)
#define LVT_POLARITY_LOW (1u << 13)
#define LVT_REMOTE_IRR (1u << 14)
#define LVT_LEVEL (1u << 15)

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

/* --- 256-bit vector sets ------------------------------------------------ */

static bool vec_test(const uint32_t *set, unsigned v)
{
	return (set[v >> 5] >> (v & 31)) & 1;
}

static void vec_set(uint32_t *set, unsigned v)
{
	set[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(uint32_t *set, unsigned v)
{
	set[v >> 5] &= ~(1u << (v & 31));
}

static int vec_highest(const uint32_t *set)
{
	for (int i = 7; i >= 0; i--)
		if (set[i])
			return i * 32 + 31 - __builtin_clz(set[i]);
	return -1;
}

/* --- priority and delivery ------------------------------------------------ */

static uint64_t now(const struct lapic *l)
{
	return l->plat->now(l->plat->ctx);
}

bool lapic_enabled(const struct lapic *l)
{
	return l->svr & LAPIC_SVR_ENABLE;
}

/* SDM 11.8.3.1: PPR is TPR unless the in-service class is higher. */
static uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

static void lapic_error(struct lapic *l, uint32_t bits)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_IDX_ERROR];
	uint32_t vector = lvt & LAPIC_LVT_VECTOR;

	l->esr_pending |= bits;
	/* An illegal error vector is not reported again: no error loop. */
	if (!(lvt & LAPIC_LVT_MASKED) && lapic_enabled(l) && vector >= 16) {
		vec_set(l->irr, vector);
		vec_clear(l->tmr, vector);
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
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
}

int lapic_pending_vector(const struct lapic *l)
{
	int v = vec_highest(l->irr);

	if (!lapic_enabled(l) || v < 0)
		return -1;
	if (((uint32_t)v & 0xf0) <= (lapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

void lapic_acknowledge(struct lapic *l, uint8_t vector)
{
	if (!vec_test(l->irr, vector))
		return;
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

/* --- LINT0 / LINT1 ------------------------------------------------------ */

static bool lint_active(uint32_t lvt, bool level)
{
	return (lvt & LVT_POLARITY_LOW) ? !level : level;
}

/* Deliver what LINT n asks for now; rising says the active edge just
 * happened (a level-triggered entry only needs the line held). */
static void lint_eval(struct lapic *l, unsigned n, bool rising)
{
	uint32_t *lvt = &l->lvt[LAPIC_LVT_IDX_LINT0 + n];
	bool active = lint_active(*lvt, l->lint_level[n]);

	if ((*lvt & LAPIC_LVT_MASKED) || !lapic_enabled(l))
		return;
	switch (LAPIC_LVT_DELIVERY(*lvt)) {
	case LAPIC_DM_FIXED:
		if ((*lvt & LVT_LEVEL) && active && !(*lvt & LVT_REMOTE_IRR)) {
			*lvt |= LVT_REMOTE_IRR;
			lapic_accept(l, *lvt & LAPIC_LVT_VECTOR, true);
		} else if (!(*lvt & LVT_LEVEL) && rising) {
			lapic_accept(l, *lvt & LAPIC_LVT_VECTOR, false);
		}
		break;
	case LAPIC_DM_NMI:
		if (rising)
			l->nmi_pending = true;
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
	lvt = l->lvt[LAPIC_LVT_IDX_LINT0 + n];
	was = lint_active(lvt, l->lint_level[n]);
	l->lint_level[n] = level;
	lint_eval(l, n, !was && lint_active(lvt, level));
}

bool lapic_take_nmi(struct lapic *l)
{
	bool nmi = l->nmi_pending;

	l->nmi_pending = false;
	return nmi;
}

bool lapic_lint0_is_extint(const struct lapic *l)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_IDX_LINT0];

	return lapic_enabled(l) && !(lvt & LAPIC_LVT_MASKED) &&
	       LAPIC_LVT_DELIVERY(lvt) == LAPIC_DM_EXTINT;
}

/* SDM 11.8.5: EOI retires the highest in-service vector. */
static void eoi_write(struct lapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (unsigned)v);
	for (unsigned n = 0; n < 2; n++) {
		uint32_t *lvt = &l->lvt[LAPIC_LVT_IDX_LINT0 + n];

		if ((*lvt & LVT_REMOTE_IRR) &&
		    (*lvt & LAPIC_LVT_VECTOR) == (uint32_t)v) {
			*lvt &= ~LVT_REMOTE_IRR;
			lint_eval(l, n, false);
		}
	}
	if (vec_test(l->tmr, (unsigned)v) && l->ops.eoi)
		l->ops.eoi(l->ops.ctx, (uint8_t)v);
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
	if (x2apic)
		return (dest >> 16) == (x2apic_ldr(l) >> 16) &&
		       (dest & x2apic_ldr(l) & 0xffff);
	dest &= 0xff;
	if ((l->dfr >> 28) == DFR_MODEL_FLAT)
		return dest & (l->ldr >> 24);
	/* Cluster model: cluster in bits 7:4, member bitmap in bits 3:0. */
	return (dest >> 4) == (l->ldr >> 28) && (dest & (l->ldr >> 24) & 15);
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
	if ((others || (self && !fixed)) && l->ops.ipi)
		l->ops.ipi(l->ops.ctx, lo, hi);
}

/* --- timer (SDM 11.5.4) ----------------------------------------------- */

static uint32_t dcr_divider(uint32_t dcr)
{
	unsigned v = (dcr & 3) | ((dcr >> 1) & 4);

	return 1u << ((v + 1) & 7); /* 000 -> 2 ... 110 -> 128, 111 -> 1 */
}

static unsigned timer_mode(const struct lapic *l)
{
	return LAPIC_TIMER_MODE(l->lvt[LAPIC_LVT_IDX_TIMER]);
}

static void timer_stop(struct lapic *l)
{
	l->timer_running = false;
	l->plat->timer_cancel(l->plat->ctx, &l->timer);
}

static void timer_arm(struct lapic *l, uint64_t deadline)
{
	l->timer_running = true;
	l->timer.deadline = deadline;
	l->plat->timer_arm(l->plat->ctx, &l->timer, deadline);
}

static void timer_fire(struct lapic *l)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_IDX_TIMER];

	if (!(lvt & LAPIC_LVT_MASKED))
		lapic_accept(l, lvt & LAPIC_LVT_VECTOR, false);
}

static uint64_t timer_period(const struct lapic *l)
{
	return (uint64_t)l->timer_icr * l->timer_div;
}

static void timer_expired(struct vdev_timer *t, uint64_t when)
{
	struct lapic *l = t->opaque;

	if (!l->timer_running)
		return;
	switch (timer_mode(l)) {
	case LAPIC_TIMER_TSC_DEADLINE:
		l->timer_running = false;
		l->tsc_deadline = 0;
		break;
	case LAPIC_TIMER_PERIODIC: {
		/* The next boundary after now: a late run skips the periods it
		 * missed (IRR holds one of them anyway) and never re-arms in
		 * the past, where the platform would fire it again at once. */
		uint64_t period = timer_period(l);
		uint64_t n = when > l->timer_start ?
				     (when - l->timer_start) / period : 0;

		timer_arm(l, l->timer_start + (n + 1) * period);
		break;
	}
	default:
		l->timer_running = false;
		break;
	}
	timer_fire(l);
}

static void timer_load(struct lapic *l, uint32_t count)
{
	if (timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
		return; /* the initial count is ignored in this mode */
	timer_stop(l);
	l->timer_icr = count;
	if (!count)
		return;
	l->timer_div = dcr_divider(l->timer_dcr);
	l->timer_start = now(l);
	timer_arm(l, l->timer_start + timer_period(l));
}

static uint32_t timer_current(const struct lapic *l)
{
	uint64_t t = now(l), ticks;

	if (!l->timer_running || timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
		return 0;
	ticks = t > l->timer_start ? (t - l->timer_start) / l->timer_div : 0;
	if (timer_mode(l) == LAPIC_TIMER_PERIODIC)
		return l->timer_icr - (uint32_t)(ticks % l->timer_icr);
	return ticks >= l->timer_icr ? 0 : l->timer_icr - (uint32_t)ticks;
}

void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc)
{
	if (timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE)
		return;
	timer_stop(l);
	l->tsc_deadline = tsc;
	if (!tsc)
		return;
	if (tsc <= now(l)) {
		l->tsc_deadline = 0;
		timer_fire(l);
		return;
	}
	timer_arm(l, tsc);
}

uint64_t lapic_get_tsc_deadline(const struct lapic *l)
{
	return timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

/* --- register access --------------------------------------------------- */

static void lvt_write(struct lapic *l, unsigned idx, uint32_t val)
{
	uint32_t old = l->lvt[idx];
	uint32_t lvt = val & lvt_writable[idx];

	if (!lapic_enabled(l))
		lvt |= LAPIC_LVT_MASKED; /* SDM 11.4.7.2: stays masked */
	if (idx == LAPIC_LVT_IDX_LINT0 || idx == LAPIC_LVT_IDX_LINT1) {
		if (lvt & LVT_LEVEL)
			lvt |= old & LVT_REMOTE_IRR;
		l->lvt[idx] = lvt;
		lint_eval(l, idx - LAPIC_LVT_IDX_LINT0, false);
		return;
	}
	l->lvt[idx] = lvt;
	if (idx != LAPIC_LVT_IDX_TIMER ||
	    LAPIC_TIMER_MODE(old) == LAPIC_TIMER_MODE(lvt))
		return;
	if (LAPIC_TIMER_MODE(old) == LAPIC_TIMER_TSC_DEADLINE ||
	    LAPIC_TIMER_MODE(lvt) == LAPIC_TIMER_TSC_DEADLINE) {
		/* SDM 11.5.4.1: a switch to or from TSC-deadline disarms. */
		timer_stop(l);
		l->timer_icr = 0;
		l->tsc_deadline = 0;
	} else if (LAPIC_TIMER_MODE(old) == LAPIC_TIMER_PERIODIC &&
		   l->timer_running) {
		/* Periodic -> one-shot: finish the period under way. */
		uint64_t t = now(l), period = timer_period(l);

		if (t > l->timer_start)
			l->timer_start += (t - l->timer_start) / period * period;
	}
}

static void svr_write(struct lapic *l, uint32_t val)
{
	l->svr = val & 0x1ff;
	if (!lapic_enabled(l))
		for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
			l->lvt[i] |= LAPIC_LVT_MASKED;
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
	int lvt = lvt_index(off);
	unsigned i = ((off - LAPIC_ISR) >> 4) & 7;

	if (lvt >= 0)
		*val = l->lvt[lvt];
	else if (off >= LAPIC_ISR && off < LAPIC_TMR)
		*val = l->isr[i];
	else if (off >= LAPIC_TMR && off < LAPIC_IRR)
		*val = l->tmr[i];
	else if (off >= LAPIC_IRR && off < LAPIC_ESR)
		*val = l->irr[i];
	else if (off == LAPIC_ID)
		*val = (l->apic_id & 0xff) << 24;
	else if (off == LAPIC_VERSION)
		*val = LAPIC_VERSION_VALUE;
	else if (off == LAPIC_TPR)
		*val = l->tpr;
	else if (off == LAPIC_PPR)
		*val = lapic_ppr(l);
	else if (off == LAPIC_APR || off == LAPIC_EOI || off == LAPIC_RRD)
		*val = 0; /* arbitration priority is not modelled */
	else if (off == LAPIC_LDR)
		*val = l->ldr;
	else if (off == LAPIC_DFR)
		*val = l->dfr;
	else if (off == LAPIC_SVR)
		*val = l->svr;
	else if (off == LAPIC_ESR)
		*val = l->esr;
	else if (off == LAPIC_ICR_LOW)
		*val = l->icr_lo;
	else if (off == LAPIC_ICR_HIGH)
		*val = l->icr_hi;
	else if (off == LAPIC_TIMER_ICR)
		*val = timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE ? 0 : l->timer_icr;
	else if (off == LAPIC_TIMER_CCR)
		*val = timer_current(l);
	else if (off == LAPIC_TIMER_DCR)
		*val = l->timer_dcr;
	else
		return false;
	return true;
}

enum reg_result { REG_OK, REG_READ_ONLY, REG_NONE };

/* Write one register as the xAPIC page does. */
static enum reg_result reg_write(struct lapic *l, uint32_t off, uint32_t val)
{
	int lvt = lvt_index(off);
	uint32_t unused;

	if (lvt >= 0) {
		lvt_write(l, (unsigned)lvt, val);
	} else if (off == LAPIC_TPR) {
		l->tpr = val & 0xff;
	} else if (off == LAPIC_EOI) {
		eoi_write(l);
	} else if (off == LAPIC_LDR) {
		l->ldr = val & 0xff000000u;
	} else if (off == LAPIC_DFR) {
		l->dfr = val | 0x0fffffffu;
	} else if (off == LAPIC_SVR) {
		svr_write(l, val);
	} else if (off == LAPIC_ESR) {
		/* SDM 11.5.3: a write latches the errors seen since the last. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
	} else if (off == LAPIC_ICR_LOW) {
		l->icr_lo = val & ICR_LOW_WRITABLE;
		send_ipi(l, l->icr_lo, l->icr_hi, false);
	} else if (off == LAPIC_ICR_HIGH) {
		l->icr_hi = val & 0xff000000u;
	} else if (off == LAPIC_TIMER_ICR) {
		timer_load(l, val);
	} else if (off == LAPIC_TIMER_DCR) {
		l->timer_dcr = val & 0xb;
	} else {
		/* ID is read-only here too: the integrator assigns IDs. */
		return reg_read(l, off, &unused) ? REG_READ_ONLY : REG_NONE;
	}
	return REG_OK;
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
	if (write) {
		if (reg_write(l, (uint32_t)offset, (uint32_t)*val) == REG_NONE)
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
		*val = ((uint64_t)l->icr_hi << 32) | l->icr_lo;
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
		l->icr_lo = (uint32_t)val & ICR_LOW_WRITABLE;
		l->icr_hi = (uint32_t)(val >> 32);
		send_ipi(l, l->icr_lo, l->icr_hi, true);
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
	return reg_write(l, off, (uint32_t)val) == REG_OK ? 0 : -1;
}

/* --- life cycle ------------------------------------------------------- */

void lapic_reset(struct lapic *l)
{
	timer_stop(l);
	l->tsc_deadline = 0;
	l->timer_icr = 0;
	l->timer_dcr = 0;
	l->timer_div = dcr_divider(0);
	l->timer_start = 0;
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = 0;
	l->esr_pending = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	l->nmi_pending = false;
}

void lapic_init(struct lapic *l, uint32_t apic_id,
		const struct vdev_platform *plat, const struct lapic_ops *ops)
{
	memset(l, 0, sizeof(*l));
	l->plat = plat;
	if (ops)
		l->ops = *ops;
	l->apic_id = apic_id;
	l->timer.fn = timer_expired;
	l->timer.opaque = l;
	lapic_reset(l);
}

void lapic_virtual_wire(struct lapic *l)
{
	svr_write(l, LAPIC_SVR_ENABLE | 0xff);
	lvt_write(l, LAPIC_LVT_IDX_LINT0, LAPIC_DM_EXTINT << 8);
	lvt_write(l, LAPIC_LVT_IDX_LINT1, LAPIC_DM_NMI << 8);
}
