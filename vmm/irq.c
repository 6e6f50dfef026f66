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

void vcpu_post_irq(struct vcpu *v, uint8_t vector, bool level)
{
	uint64_t bit = 1ull << (vector & 63);

	if (level)
		__atomic_fetch_or(&v->posted_level[vector >> 6], bit, __ATOMIC_RELEASE);
	__atomic_fetch_or(&v->posted[vector >> 6], bit, __ATOMIC_RELEASE);
}

void vcpu_take_posted(struct vcpu *v)
{
	struct lapic *l = vcpu_lapic(v);

	for (unsigned i = 0; l && i < 4; i++) {
		uint64_t vec, lvl;

		if (!__atomic_load_n(&v->posted[i], __ATOMIC_RELAXED))
			continue;
		vec = __atomic_exchange_n(&v->posted[i], 0, __ATOMIC_ACQUIRE);
		lvl = __atomic_exchange_n(&v->posted_level[i], 0, __ATOMIC_ACQUIRE);
		if (lvl & ~vec) /* its vector is on its way: keep the bit */
			__atomic_fetch_or(&v->posted_level[i], lvl & ~vec, __ATOMIC_RELAXED);
		while (vec) {
			unsigned b = (unsigned)__builtin_ctzll(vec);

			vec &= vec - 1;
			lapic_accept(l, (uint8_t)(i * 64 + b), (lvl >> b) & 1);
		}
	}
}

void vcpu_lapic_init_reset(struct vcpu *v)
{
	if (vcpu_lapic(v))
		lapic_reset(vcpu_lapic(v));
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
	vcpu_take_posted(v);
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
