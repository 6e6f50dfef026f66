/* SPDX-License-Identifier: MIT */
/*
 * Control-register accesses and XSETBV. The guest owns CR0 and CR4 except
 * the bits VMX fixes and CR4.VMXE: writes that touch those exit here, are
 * checked as the processor would check them (Intel SDM Vol. 3A, 2.5 and
 * the MOV CR entries in Vol. 2B), and land in the real register and the
 * read shadow. CR4.VMXE stays hidden: setting it is refused with #GP, as on
 * a processor without VMX.
 *
 * CR8 is the task-priority register (SDM Vol. 3A, 11.8.6). A vCPU with the
 * VMX TPR shadow has it served by the CPU from the virtual-APIC page; every
 * other vCPU exits on each MOV to or from CR8 (arch/x86/vmcs.c), because
 * the physical TPR is shared by all guests and by Shale.
 */
#include "arch/x86/exit.h"
#include "arch/x86/exit_qual.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "arch/x86/xcr0.h"
#include "arch/x86/xstate.h"
#include "vmm/irq.h"
#include "vmm/vdev/lapic.h"
#include "vmm/vm.h"

/* SDM Vol. 3A, 2.5; kept here, next to its only user. */
#define CR4_LA57 (1ull << 12)

static uint64_t read_gpr(struct vcpu *v, unsigned gpr)
{
	return gpr == GPR_RSP ? vmread(GUEST_RSP) : v->regs.gpr[gpr];
}

static void write_gpr(struct vcpu *v, unsigned gpr, uint64_t val)
{
	if (gpr == GPR_RSP)
		vmwrite(GUEST_RSP, val);
	else
		v->regs.gpr[gpr] = val;
}

static bool guest_write_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t old = vcpu_get_state(v, VREG_CR0);
	uint64_t efer = vmread(GUEST_IA32_EFER);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	/* IA-32e mode is left from compatibility mode only: clearing PG
	 * while CS.L = 1 is #GP(0) (SDM Vol. 2B, MOV CR; Vol. 3A, 10.8.5).
	 * PG is the guest's own bit, so only a write that also changes a
	 * bit Shale owns (CD, NW) comes here. */
	if (!(val & CR0_PG) && (efer & EFER_LMA) && (vmread(GUEST_CS_AR_BYTES) & AR_L))
		return false;
	if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
		/* Turning paging on with LME set enters IA-32e mode. */
		if (!(vcpu_get_state(v, VREG_CR4) & CR4_PAE))
			return false;
		vmwrite(GUEST_IA32_EFER, efer | EFER_LMA);
		v->entry_ctls |= VM_ENTRY_IA32E_MODE;
		vmwrite(VM_ENTRY_CONTROLS, v->entry_ctls);
	} else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
		vmwrite(GUEST_IA32_EFER, efer & ~EFER_LMA);
		v->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
		vmwrite(VM_ENTRY_CONTROLS, v->entry_ctls);
	}
	vcpu_set_state(v, VREG_CR0, val);
	return true;
}

/* MOV to CR3 (SDM Vol. 2B; Vol. 3A, 4.10.4.1): bits at and above MAXPHYADDR
 * are reserved (#GP), and with CR4.PCIDE bit 63 only says "do not flush
 * this PCID": it is not stored. Either would fail the next VM entry. */
static bool guest_write_cr3(struct vcpu *v, uint64_t val)
{
	unsigned maxphy = cpu_phys_bits();

	if (vcpu_get_state(v, VREG_CR4) & CR4_PCIDE)
		val &= ~(1ull << 63);
	if (maxphy < 64 && (val >> maxphy))
		return false;
	vmwrite(GUEST_CR3, val);
	return true;
}

static bool guest_write_cr4(struct vcpu *v, uint64_t val)
{
	const struct vmx_caps *c = &vmx_cpu.caps;

	/* VMXE is fixed to 1 underneath, yet the guest must see a CPU
	 * without VMX; any other bit the CPU cannot hold is reserved. */
	if (val & CR4_VMXE)
		return false;
	/* CPUID hides LA57 (vmm/cpuid.c): Shale's walk of the guest's page
	 * tables (vmm/guest_mem.c) knows 4 levels only. */
	if (val & CR4_LA57)
		return false;
	if (val & ~(c->cr4_fixed1 | CR4_VMXE))
		return false;
	if (!(val & CR4_PAE) && (vmread(GUEST_IA32_EFER) & EFER_LMA))
		return false;
	/* PCIDE: only in IA-32e mode, and set only with PCID 0 in CR3
	 * (SDM Vol. 2B, MOV to CR4). */
	if ((val & CR4_PCIDE) && !(vcpu_get_state(v, VREG_CR4) & CR4_PCIDE) &&
	    (!(vmread(GUEST_IA32_EFER) & EFER_LMA) || (vmread(GUEST_CR3) & 0xfff)))
		return false;
	vcpu_set_state(v, VREG_CR4, val);
	return true;
}

/* CR8[3:0] is TPR[7:4]; TPR[3:0] reads back 0 through CR8 and is cleared
 * by a write. A guest with a local APIC model shares the register with
 * the model (its xAPIC page or x2APIC MSR); one without keeps its own. */
static uint64_t guest_read_cr8(struct vcpu *v)
{
	struct lapic *l = vcpu_lapic(v);
	uint64_t tpr = 0;

	if (!l)
		return v->cr8;
	lapic_mmio(l, LAPIC_TPR, 4, false, &tpr);
	return (tpr >> 4) & 0xf;
}

static bool guest_write_cr8(struct vcpu *v, uint64_t val)
{
	struct lapic *l = vcpu_lapic(v);
	uint64_t tpr = val << 4;

	/* SDM Vol. 2B, MOV to CR8: bits 63:4 are reserved, #GP(0). */
	if (val & ~0xfull)
		return false;
	if (!l) {
		v->cr8 = val;
		return true;
	}
	lapic_mmio(l, LAPIC_TPR, 4, true, &tpr);
	/* A lower priority may let a pending interrupt through: the entry
	 * work looks at the APIC's vectors again before going back in. */
	v->entry_work = 1;
	return true;
}

enum exit_result exit_cr_access(struct vcpu *v)
{
	struct cr_qual q = cr_qual_decode(vmread(EXIT_QUALIFICATION));
	bool ok = true;

	switch (q.type) {
	case CR_MOV_TO_CR:
		if (q.cr == 0)
			ok = guest_write_cr0(v, read_gpr(v, q.gpr));
		else if (q.cr == 4)
			ok = guest_write_cr4(v, read_gpr(v, q.gpr));
		else if (q.cr == 3)
			ok = guest_write_cr3(v, read_gpr(v, q.gpr));
		else if (q.cr == 8)
			ok = guest_write_cr8(v, read_gpr(v, q.gpr));
		break;
	case CR_MOV_FROM_CR:
		if (q.cr == 3)
			write_gpr(v, q.gpr, vmread(GUEST_CR3));
		else if (q.cr == 8)
			write_gpr(v, q.gpr, guest_read_cr8(v));
		else
			write_gpr(v, q.gpr, vcpu_get_state(v, q.cr ? VREG_CR4 : VREG_CR0));
		break;
	case CR_CLTS:
		ok = guest_write_cr0(v, vcpu_get_state(v, VREG_CR0) & ~CR0_TS);
		break;
	case CR_LMSW: {
		/* LMSW writes PE, MP, EM, TS and cannot clear PE. */
		uint64_t cr0 = vcpu_get_state(v, VREG_CR0);

		ok = guest_write_cr0(v, (cr0 & ~0xeull) | (q.lmsw_data & 0xf) | (cr0 & CR0_PE));
		break;
	}
	}
	if (!ok) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	vmx_skip_instruction();
	return EXIT_RESUME;
}

/* XSETBV (SDM Vol. 2D): #UD without CR4.OSXSAVE; #GP(0) outside ring 0,
 * for any XCR but XCR0, and for a value the XCR0 rules refuse (xcr0.c).
 * Only components the CPU supports pass, and the per-vCPU XSAVE area
 * covers all of those (xstate.c), so whatever the guest enables is
 * switched with it. */
enum exit_result exit_xsetbv(struct vcpu *v)
{
	uint32_t index = v->regs.gpr[GPR_RCX];
	uint64_t val = (v->regs.gpr[GPR_RDX] << 32) | (uint32_t)v->regs.gpr[GPR_RAX];

	if (!(vcpu_get_state(v, VREG_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return EXIT_RESUME;
	}
	if (vcpu_cpl(v) || index != 0 ||
	    !xcr0_valid(val, xstate_xcr0_supported())) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	/* Shale itself uses no extended state, so the guest's XCR0 can live
	 * in the real register while it runs. */
	xsetbv(0, val);
	v->xcr0 = val;
	vmx_skip_instruction();
	return EXIT_RESUME;
}
