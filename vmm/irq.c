/* SPDX-License-Identifier: MIT */
#include "vmm/irq.h"
#include "vmm/pc.h"
#include "vmm/vm.h"

void irq_set_line(struct vm *vm, unsigned gsi, bool level)
{
	/* A guest without the PC's interrupt controllers has no lines. */
	if (vm->pc)
		pc_set_line(vm->pc, gsi, level);
}

bool vcpu_irq_pending(struct vcpu *v)
{
	return v->irq_pending || (v->vm->pc && pc_irq_pending(v->vm->pc, v->id));
}

int vcpu_irq_take(struct vcpu *v)
{
	if (v->irq_pending) {
		v->irq_pending = false;
		return v->irq_vector;
	}
	return v->vm->pc ? pc_irq_take(v->vm->pc, v->id) : -1;
}

bool vcpu_nmi_pending(struct vcpu *v)
{
	struct lapic *l = vcpu_lapic(v);

	/* A second NMI that comes before the first is injected merges with
	 * it, as one pending NMI does on the CPU. */
	if (l && lapic_take_nmi(l))
		v->nmi_pending = true;
	return v->nmi_pending;
}

bool vcpu_nmi_may_come(struct vcpu *v)
{
	struct vm *vm = v->vm;

	/* A device may send one while the vCPU waits: an I/O APIC pin in NMI
	 * mode (nothing drives LINT1 in Shale's PC). So may another vCPU
	 * that still runs, with an NMI or INIT IPI; one halted with
	 * interrupts off, or waiting for a start-up IPI, never will. */
	if (vm->pc && ioapic_nmi_armed(&vm->pc->ioapic))
		return true;
	for (unsigned k = 0; k < vm->n_vcpus; k++) {
		const struct vcpu *o = &vm->vcpu[k];

		if (o != v && (o->state == VCPU_RUNNABLE ||
			       (o->state == VCPU_HALTED && !o->halt_masked)))
			return true;
	}
	return false;
}

bool vcpu_irq_wakeup(struct vcpu *v)
{
	if (vcpu_nmi_pending(v))
		return true;
	if (v->halt_masked)
		return false;
	return vcpu_irq_pending(v) ||
	       (v->apicv && lapic_pending_vector(vcpu_lapic(v)) >= 0);
}

struct lapic *vcpu_lapic(struct vcpu *v)
{
	return v->vm->pc ? &v->vm->pc->lapic[v->id] : NULL;
}
