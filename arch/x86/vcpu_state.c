/* SPDX-License-Identifier: MIT */
/*
 * The vendor-neutral view of a vCPU's architectural state, backed by the
 * current VMCS. vmm/ code reads RIP or EFER through these and never names a
 * VMCS field.
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_controls.h"
#include "arch/x86/vmx_ops.h"
#include "vmm/irq.h"
#include "vmm/vmm.h"
#include "vmm/vcpu.h"

static const uint32_t field_of[VREG_NR] = {
	[VREG_RIP] = GUEST_RIP,
	[VREG_RSP] = GUEST_RSP,
	[VREG_RFLAGS] = GUEST_RFLAGS,
	[VREG_CR0] = GUEST_CR0,
	[VREG_CR3] = GUEST_CR3,
	[VREG_CR4] = GUEST_CR4,
	[VREG_EFER] = GUEST_IA32_EFER,
	[VREG_PAT] = GUEST_IA32_PAT,
	[VREG_SYSENTER_CS] = GUEST_SYSENTER_CS,
	[VREG_SYSENTER_ESP] = GUEST_SYSENTER_ESP,
	[VREG_SYSENTER_EIP] = GUEST_SYSENTER_EIP,
	[VREG_FS_BASE] = GUEST_FS_BASE,
	[VREG_GS_BASE] = GUEST_GS_BASE,
	[VREG_CS_BASE] = GUEST_CS_BASE,
	[VREG_DS_BASE] = GUEST_DS_BASE,
	[VREG_ES_BASE] = GUEST_ES_BASE,
	[VREG_SS_BASE] = GUEST_SS_BASE,
	[VREG_CS_AR] = GUEST_CS_AR_BYTES,
	[VREG_SS_AR] = GUEST_SS_AR_BYTES,
	[VREG_CS_SEL] = GUEST_CS_SELECTOR,
	[VREG_SS_SEL] = GUEST_SS_SELECTOR,
	[VREG_DS_SEL] = GUEST_DS_SELECTOR,
	[VREG_ES_SEL] = GUEST_ES_SELECTOR,
	[VREG_FS_SEL] = GUEST_FS_SELECTOR,
	[VREG_GS_SEL] = GUEST_GS_SELECTOR,
};

/* A CR as the guest believes it is: host-owned bits from the read shadow. */
static uint64_t guest_view(uint32_t reg, uint32_t mask, uint32_t shadow)
{
	uint64_t m = vmread(mask);

	return (vmread(reg) & ~m) | (vmread(shadow) & m);
}

uint64_t vcpu_get_state(struct vcpu *v, enum vcpu_reg r)
{
	(void)v;
	if (r == VREG_CR0)
		return guest_view(GUEST_CR0, CR0_GUEST_HOST_MASK, CR0_READ_SHADOW);
	if (r == VREG_CR4)
		return guest_view(GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW);
	return vmread(field_of[r]);
}

void vcpu_set_state(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	const struct vmx_caps *c = &vmx_cpu.caps;

	(void)v;
	if (r == VREG_CR0) {
		/* Under unrestricted guest, PE and PG are the guest's to clear. */
		vmwrite(CR0_READ_SHADOW, val);
		vmwrite(GUEST_CR0,
			vmx_fix_cr(val & ~(CR0_CD | CR0_NW),
				   c->cr0_fixed0 & ~(CR0_PE | CR0_PG),
				   c->cr0_fixed1));
		return;
	}
	if (r == VREG_CR4) {
		vmwrite(CR4_READ_SHADOW, val);
		vmwrite(GUEST_CR4, vmx_fix_cr(val, c->cr4_fixed0, c->cr4_fixed1));
		return;
	}
	vmwrite(field_of[r], val);
}

unsigned vcpu_cpl(struct vcpu *v)
{
	(void)v;
	return (vmread(GUEST_SS_AR_BYTES) >> AR_DPL_SHIFT) & 3;
}

void vcpu_advance_rip(struct vcpu *v)
{
	(void)v;
	vmx_skip_instruction();
}

/* Canonical for the VM entry's RIP check: bits 63:N identical, N the
 * CPU's linear width (SDM Vol. 3C, 27.3.1.4), whatever the guest's
 * paging. */
static bool entry_canonical(uint64_t la)
{
	unsigned shift = 64 - cpu_linear_bits();

	return (uint64_t)((int64_t)(la << shift) >> shift) == la;
}

void vmx_finish_instruction_slow(uint64_t next, uint64_t rflags)
{
	struct vcpu *v = sched_current();

	if (next >> 32) {
		if (!(vmread(GUEST_CS_AR_BYTES) & AR_L)) {
			/* Outside 64-bit mode RIP wraps at 4 GiB. */
			next &= 0xffffffffull;
		} else if (!entry_canonical(next)) {
			/* The instruction ended at the top of the lower
			 * canonical half: the CPU's next fetch is #GP(0), and
			 * its frame would hold the non-canonical RIP, which no
			 * VM entry takes. So the #GP is reported at the
			 * instruction itself, as for a branch to a
			 * non-canonical target, its effects kept; a
			 * single-step trap, which would come first, is lost. */
			vmx_end_blocking();
			vcpu_inject_exception(v, X86_EXC_GP, true, 0);
			return;
		}
	}
	vmwrite(GUEST_RIP, next);
	vmx_end_blocking();
	if (rflags & RFLAGS_TF)
		vmx_single_step_trap(v);
}

void vmx_single_step_trap(struct vcpu *v)
{
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
		vmread(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
	/* deliver_events() holds interrupts back for it. */
	v->entry_work = 1;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
			   uint32_t error)
{
	v->exc_pending = true;
	v->entry_work = 1;
	v->exc_vector = vector;
	v->exc_has_error = has_error;
	v->exc_error = error;
}

void vcpu_raise_irq(struct vcpu *v, uint8_t vector)
{
	v->irq_pending = true;
	v->entry_work = 1;
	v->irq_vector = vector;
	/* Not a HLT with IF = 0: a maskable interrupt does not end it. */
	if (v->state == VCPU_HALTED && vcpu_irq_wakeup(v))
		v->state = VCPU_RUNNABLE;
}

uint64_t vcpu_exit_count(const struct vcpu *v)
{
	uint64_t n = 0;

	for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
		n += v->stats[r].count;
	return n;
}
