/* SPDX-License-Identifier: MIT */
/*
 * A guest's timers are TSC deadlines on a short list. They run on the
 * physical CPU's time: the scheduler fires them between guest runs, and a
 * running vCPU is made to exit in time through the VMX-preemption timer
 * (the next entry recomputes its deadline whenever a timer changes).
 */
#include "arch/x86/include/cpu.h"
#include "vmm/irq.h"
#include "vmm/platform.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

static uint64_t plat_now(void *ctx)
{
	(void)ctx;
	return rdtsc();
}

static void plat_set_irq(void *ctx, unsigned gsi, bool level)
{
	struct vm_platform *p = ctx;

	irq_set_line(p->vm, gsi, level);
}

static void unlink(struct vm_platform *p, struct vdev_timer *t)
{
	for (struct vdev_timer **pp = &p->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			return;
		}
	}
}

static void plat_timer_arm(void *ctx, struct vdev_timer *t, uint64_t deadline)
{
	struct vm_platform *p = ctx;

	if (!t->armed) {
		t->next = p->timers;
		p->timers = t;
	}
	struct vcpu *cur = sched_current();

	t->armed = true;
	t->deadline = deadline;
	/* The running vCPU's exit deadline may now be too late. */
	p->vm->vcpu[0].entry_work = 1;
	if (cur && cur->vm == p->vm)
		cur->entry_work = 1;
}

static void plat_timer_cancel(void *ctx, struct vdev_timer *t)
{
	struct vm_platform *p = ctx;

	if (t->armed)
		unlink(p, t);
	t->armed = false;
}

void platform_init(struct vm_platform *p, struct vm *vm, uint64_t hz)
{
	p->vm = vm;
	p->timers = NULL;
	p->ops = (struct vdev_platform){
		.ctx = p,
		.hz = hz,
		.now = plat_now,
		.set_irq = plat_set_irq,
		.timer_arm = plat_timer_arm,
		.timer_cancel = plat_timer_cancel,
	};
}

uint64_t platform_run_timers(struct vm_platform *p, uint64_t now)
{
	/* A callback may arm or cancel timers, this one included: restart the
	 * walk after every firing. The list is short. */
	for (;;) {
		struct vdev_timer *due = NULL;

		for (struct vdev_timer *t = p->timers; t; t = t->next)
			if (t->deadline <= now && (!due || t->deadline < due->deadline))
				due = t;
		if (!due)
			break;
		unlink(p, due);
		due->armed = false;
		due->fn(due, now);
	}
	return platform_next_deadline(p);
}

uint64_t platform_next_deadline(const struct vm_platform *p)
{
	uint64_t next = UINT64_MAX;

	for (const struct vdev_timer *t = p->timers; t; t = t->next)
		if (t->deadline < next)
			next = t->deadline;
	return next;
}
