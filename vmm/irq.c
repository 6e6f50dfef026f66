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
	return v->irq_pending || (v->vm->pc && pc_irq_pending(v->vm->pc));
}

int vcpu_irq_take(struct vcpu *v)
{
	if (v->irq_pending) {
		v->irq_pending = false;
		return v->irq_vector;
	}
	return v->vm->pc ? pc_irq_take(v->vm->pc) : -1;
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
	/* Only a device can send one while the vCPU waits: an I/O APIC pin in
	 * NMI mode. (Nothing drives LINT1 in Shale's PC, and NMI IPIs come
	 * from the vCPU itself.) */
	return v->vm->pc && ioapic_nmi_armed(&v->vm->pc->ioapic);
}

bool vcpu_irq_wakeup(struct vcpu *v)
{
	if (vcpu_nmi_pending(v))
		return true;
	if (v->halt_masked)
		return false;
	return vcpu_irq_pending(v) ||
	       (v->apicv && lapic_pending_vector(&v->vm->pc->lapic) >= 0);
}

struct lapic *vcpu_lapic(struct vcpu *v)
{
	return v->vm->pc ? &v->vm->pc->lapic : NULL;
}
