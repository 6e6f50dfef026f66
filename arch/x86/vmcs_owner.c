/* SPDX-License-Identifier: MIT */
/*
 * Which CPU holds a VMCS. A VMCS is active on at most one logical
 * processor: the CPU may keep part of it in its own storage, and another
 * CPU may use it only after VMCLEAR on the first has written it back to
 * memory (SDM Vol. 3C, 25.1 and 25.11.1). VMCLEAR also clears its launch
 * state, so the next entry is a VMLAUNCH.
 *
 * vcpu.vmcs_cpu says where a vCPU's VMCS is active, -1 when it is only in
 * memory; a CPU takes a free one with a compare-and-swap, and only the
 * holder gives it back. Three users:
 *   - the vCPU's home CPU runs it (vmcs_load, from vmm/sched.c);
 *   - the home gives it up when the vCPU moves, stops, or is claimed;
 *   - another CPU (the shell and the GDB stub on CPU 0) borrows it:
 *     vmcs_make_current() sets vcpu.claimed, kicks the home, which
 *     releases it at its next pass, takes it, and vmcs_restore() gives it
 *     back.
 * A VMCS that comes to a CPU other than the one whose host state it holds
 * gets that CPU's host state; one that ran elsewhere since it last ran
 * here has its EPT and VPID translations flushed on this CPU, which may
 * still hold stale ones (SDM Vol. 3C, 29.4.3.1).
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

static int32_t me(void)
{
	return (int32_t)this_cpu()->index;
}

static bool take(struct vcpu *v)
{
	int32_t free = -1;

	return __atomic_compare_exchange_n(&v->vmcs_cpu, &free, me(), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void ptrld(struct vcpu *v)
{
	if (vmptrld(v->vmcs_hpa))
		vmx_op_failed("VMPTRLD", v->vmcs_hpa, __builtin_return_address(0));
}

bool vmcs_load(struct vcpu *v)
{
	if (v->vmcs_cpu != me() && !take(v))
		return false;
	ptrld(v);
	if (v->host_cpu != (uint32_t)me()) {
		vmcs_setup_host_state();
		v->host_cpu = (uint32_t)me();
	}
	if (v->last_cpu != me()) {
		if (v->vpid)
			invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0);
		invept(INVEPT_SINGLE_CONTEXT, v->vm->eptp);
		v->last_cpu = me();
	}
	return true;
}

void vmcs_release(struct vcpu *v)
{
	if (v->vmcs_cpu != me())
		return;
	if (vmclear(v->vmcs_hpa))
		vmx_op_failed("VMCLEAR", v->vmcs_hpa, __builtin_return_address(0));
	v->launched = false;
	__atomic_store_n(&v->vmcs_cpu, -1, __ATOMIC_RELEASE);
}

void vmcs_seize(struct vcpu *v)
{
	if (v->vmcs_cpu == me())
		return;
	/* Held by its home (or free): ask for it, and wait. The home looks
	 * at every pass, and the kick ends the guest's slice now. */
	__atomic_store_n(&v->claimed, true, __ATOMIC_RELEASE);
	while (!take(v)) {
		sched_kick(v->cpu);
		for (unsigned i = 0; i < 1000 && v->vmcs_cpu != -1; i++)
			cpu_relax();
	}
}

uint64_t vmcs_make_current(struct vcpu *v)
{
	uint64_t prev;

	asm volatile("vmptrst %0" : "=m"(prev));
	if (v->vmcs_cpu == me()) {
		if (v->borrowed)
			v->borrowed++; /* nested, within one borrow */
		if (prev != v->vmcs_hpa)
			ptrld(v);
		return prev;
	}
	vmcs_seize(v);
	v->borrowed = 1;
	ptrld(v);
	return prev;
}

void vmcs_restore(struct vcpu *v, uint64_t prev)
{
	uint64_t now;

	if (v->borrowed && --v->borrowed == 0) {
		/* Back to its home: it must not run on translations this
		 * CPU's work (breakpoints, say) may have made stale there. */
		v->last_cpu = -1;
		vmcs_release(v);
		__atomic_store_n(&v->claimed, false, __ATOMIC_RELEASE);
		sched_kick(v->cpu);
	}
	asm volatile("vmptrst %0" : "=m"(now));
	if (prev != ~0ull && prev != now && prev != v->vmcs_hpa && vmptrld(prev))
		vmx_op_failed("VMPTRLD", prev, __builtin_return_address(0));
	else if (prev == v->vmcs_hpa && v->vmcs_cpu == me() && prev != now)
		ptrld(v);
}
