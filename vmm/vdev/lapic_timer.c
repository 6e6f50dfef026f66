/* SPDX-License-Identifier: MIT */
/*
 * The local APIC timer (Intel SDM Vol. 3A, 11.5.4): one-shot and periodic
 * modes counting the Initial Count down at the TSC rate divided by the
 * Divide Configuration, and TSC-deadline mode (11.5.4.1) driven by
 * IA32_TSC_DEADLINE. Expiry is a platform timer at the TSC deadline, so
 * nothing counts while nobody looks: Current Count is computed when read.
 *
 * Platform timers are in the host's TSC; IA32_TSC_DEADLINE holds a value
 * of the guest's, which is the host's plus l->tsc_offset (the VMCS TSC
 * offset). The conversion is made when the deadline is armed, and again
 * when the offset changes under it.
 */
#include "vmm/vdev/lapic_internal.h"

static uint32_t dcr_divider(uint32_t dcr)
{
	unsigned v = (dcr & 3) | ((dcr >> 1) & 4);

	return 1u << ((v + 1) & 7); /* 000 -> 2 ... 110 -> 128, 111 -> 1 */
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
	uint32_t lvt = reg_get(l, LAPIC_LVT_TIMER);

	if (lvt & LAPIC_LVT_MASKED)
		return;
	if (l->ops.timer)
		l->ops.timer(l->ops.ctx, lvt & LAPIC_LVT_VECTOR);
	else
		lapic_accept(l, lvt & LAPIC_LVT_VECTOR, false);
}

static uint64_t timer_period(const struct lapic *l)
{
	return (uint64_t)reg_get(l, LAPIC_TIMER_ICR) * l->timer_div;
}

/*
 * The shortest interval at which a periodic timer re-arms Shale's timer:
 * LAPIC_TIMER_MIN_US, 100 us. Every expiry costs the guest a VM exit (the
 * preemption timer) and an entry; with a count of 1 the next deadline
 * would always be due, the preemption timer 0, and the vCPU would exit
 * before running a single instruction, IF = 0 or not. The CPU itself
 * keeps one IRR bit however many periods pass before the guest takes
 * it, so periods shorter than the minimum coalesce into one delivery per
 * minimum interval at most: 10,000 a second, ten times the fastest tick
 * a kernel programs in periodic mode (HZ = 1000), few enough that the
 * exits stay a small share of a CPU.
 */
static uint64_t timer_min_interval(const struct lapic *l)
{
	uint64_t t = l->plat->hz / (1000000 / LAPIC_TIMER_MIN_US);

	return t ? t : 1;
}

static void timer_expired(struct vdev_timer *t, uint64_t when)
{
	struct lapic *l = t->opaque;

	if (!l->timer_running)
		return;
	switch (l->timer_mode) {
	case LAPIC_TIMER_TSC_DEADLINE:
		l->timer_running = false;
		l->tsc_deadline = 0;
		break;
	case LAPIC_TIMER_PERIODIC: {
		/* The next boundary after now: a late run skips the periods it
		 * missed (IRR holds one of them anyway) and never re-arms in
		 * the past, where the platform would fire it again at once. A
		 * period below the minimum skips on to the first boundary at
		 * least the minimum away, keeping its phase. */
		uint64_t period = timer_period(l), from = when;
		uint64_t n;

		if (period < timer_min_interval(l))
			from = when + timer_min_interval(l) - 1;
		n = from > l->timer_start ? (from - l->timer_start) / period : 0;
		timer_arm(l, l->timer_start + (n + 1) * period);
		break;
	}
	default:
		l->timer_running = false;
		break;
	}
	timer_fire(l);
}

void lapic_timer_load(struct lapic *l, uint32_t count)
{
	if (l->timer_mode == LAPIC_TIMER_TSC_DEADLINE) {
		/* Ignored, and reads 0, in this mode: the page may hold what
		 * the guest wrote (APIC-write emulation), so say so again. */
		reg_set(l, LAPIC_TIMER_ICR, 0);
		return;
	}
	timer_stop(l);
	reg_set(l, LAPIC_TIMER_ICR, count);
	if (!count)
		return;
	l->timer_div = dcr_divider(reg_get(l, LAPIC_TIMER_DCR));
	l->timer_start = lapic_now(l);
	timer_arm(l, l->timer_start + timer_period(l));
}

uint32_t lapic_timer_current(const struct lapic *l)
{
	uint32_t icr = reg_get(l, LAPIC_TIMER_ICR);
	uint64_t t = lapic_now(l), ticks;

	if (!l->timer_running || l->timer_mode == LAPIC_TIMER_TSC_DEADLINE)
		return 0;
	ticks = t > l->timer_start ? (t - l->timer_start) / l->timer_div : 0;
	if (l->timer_mode == LAPIC_TIMER_PERIODIC)
		return icr - (uint32_t)(ticks % icr);
	return ticks >= icr ? 0 : icr - (uint32_t)ticks;
}

void lapic_timer_lvt_written(struct lapic *l, uint32_t lvt)
{
	unsigned old = l->timer_mode, mode = LAPIC_TIMER_MODE(lvt);

	l->timer_mode = mode;
	if (old == mode)
		return;
	if (old == LAPIC_TIMER_TSC_DEADLINE || mode == LAPIC_TIMER_TSC_DEADLINE) {
		/* SDM 11.5.4.1: a switch to or from TSC-deadline disarms. */
		timer_stop(l);
		reg_set(l, LAPIC_TIMER_ICR, 0);
		l->tsc_deadline = 0;
	} else if (old == LAPIC_TIMER_PERIODIC && l->timer_running) {
		/* Periodic -> one-shot: finish the period under way. */
		uint64_t t = lapic_now(l), period = timer_period(l);

		if (t > l->timer_start)
			l->timer_start += (t - l->timer_start) / period * period;
	}
}

/* Arm the platform timer for l->tsc_deadline, a guest TSC value, or fire
 * now if the guest's TSC has reached it (SDM 11.5.4.1: the timer fires
 * when the TSC is at or past the deadline). The distance is taken in the
 * guest's TSC and added to the host's, so neither wraps; a deadline
 * beyond the host TSC's range waits for ever. */
static void deadline_arm(struct lapic *l)
{
	uint64_t now = lapic_now(l), guest_now = now + l->tsc_offset;
	uint64_t ahead = l->tsc_deadline - guest_now;

	if (l->tsc_deadline <= guest_now) {
		l->tsc_deadline = 0;
		timer_fire(l);
		return;
	}
	timer_arm(l, ahead > UINT64_MAX - now ? UINT64_MAX : now + ahead);
}

void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc)
{
	if (l->timer_mode != LAPIC_TIMER_TSC_DEADLINE)
		return;
	timer_stop(l);
	l->tsc_deadline = tsc;
	if (tsc)
		deadline_arm(l);
}

uint64_t lapic_get_tsc_deadline(const struct lapic *l)
{
	return l->timer_mode == LAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void lapic_set_tsc_offset(struct lapic *l, uint64_t offset)
{
	l->tsc_offset = offset;
	/* The deadline stays the same guest TSC value, so it falls due at
	 * another host time, or has already. */
	if (l->timer_mode == LAPIC_TIMER_TSC_DEADLINE && l->timer_running) {
		timer_stop(l);
		deadline_arm(l);
	}
}

void lapic_timer_reset(struct lapic *l)
{
	timer_stop(l);
	l->timer_mode = LAPIC_TIMER_ONESHOT;
	l->tsc_deadline = 0;
	l->timer_div = dcr_divider(0);
	l->timer_start = 0;
}

void lapic_timer_init(struct lapic *l)
{
	l->timer.fn = timer_expired;
	l->timer.opaque = l;
}
