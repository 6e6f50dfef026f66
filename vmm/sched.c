/* SPDX-License-Identifier: MIT */
/*
 * Running a guest's vCPU. For now one guest runs at a time, to completion;
 * a halted vCPU waits here for its timer, since there is nothing else to
 * run on this CPU.
 */
#include "arch/x86/exit.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "lib/log.h"
#include "vmm/vmm.h"

static void switch_in(struct vcpu *v)
{
	vmcs_load(v);
	if (read_cr4() & CR4_OSXSAVE)
		xsetbv(0, v->xcr0);
}

void sched_run(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;

	v->xcr0 = 1; /* x87 only: the value at reset */
	switch_in(v);
	while (vm->stop_reason == VM_STOP_NONE) {
		if (v->state == VCPU_HALTED) {
			if (!v->timer_armed) {
				vm_stop(vm, VM_STOP_HALTED,
					"halted with no timer or interrupt to wake it");
				break;
			}
			while (rdtsc() < v->timer_deadline)
				cpu_relax();
			v->timer_armed = false;
			vcpu_raise_irq(v, v->timer_vector);
		}
		vmx_run(v);
	}
}

void vm_report_stats(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;

	log_rawf("[vm] guest \"%s\": %lu VM exits\n", vm->name,
		 (unsigned long)vcpu_exit_count(v));
	log_rawf("  %-34s %10s %14s %10s\n", "exit reason", "count", "cycles",
		 "avg");
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		const struct exit_stat *s = &v->stats[r];

		if (!s->count)
			continue;
		log_rawf("  %-34.34s %10lu %14lu %10lu\n", exit_reason_name(r),
			 (unsigned long)s->count, (unsigned long)s->cycles,
			 (unsigned long)(s->cycles / s->count));
	}
	if (vm->io.unclaimed)
		log_rawf("  unclaimed I/O port accesses: %lu\n",
			 (unsigned long)vm->io.unclaimed);
}
