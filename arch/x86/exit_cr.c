/* SPDX-License-Identifier: MIT */
/*
 * Control-register accesses and XSETBV. The guest owns CR0 and CR4 except
 * the bits VMX fixes and CR4.VMXE: writes that touch those exit here, are
 * checked as the processor would check them (Intel SDM Vol. 3A, 2.5 and
 * the MOV CR entries in Vol. 2B), and land in the real register and the
 * read shadow. CR4.VMXE stays hidden: setting it is refused with #GP, as on
 * a processor without VMX.
 */
#include "arch/x86/exit.h"
#include "arch/x86/exit_qual.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "vmm/vm.h"

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

static bool guest_write_cr4(struct vcpu *v, uint64_t val)
{
	const struct vmx_caps *c = &vmx_cpu.caps;

	/* VMXE is fixed to 1 underneath, yet the guest must see a CPU
	 * without VMX; any other bit the CPU cannot hold is reserved. */
	if (val & CR4_VMXE)
		return false;
	if (val & ~(c->cr4_fixed1 | CR4_VMXE))
		return false;
	if (!(val & CR4_PAE) && (vmread(GUEST_IA32_EFER) & EFER_LMA))
		return false;
	vcpu_set_state(v, VREG_CR4, val);
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
			vmwrite(GUEST_CR3, read_gpr(v, q.gpr));
		/* CR8 (TPR): no local APIC model yet, writes are dropped */
		break;
	case CR_MOV_FROM_CR:
		if (q.cr == 3)
			write_gpr(v, q.gpr, vmread(GUEST_CR3));
		else if (q.cr == 8)
			write_gpr(v, q.gpr, 0);
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

/* XCR0 rules (Intel SDM Vol. 1, 13.3 "Enabling the XSAVE feature set"). */
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_BNDREGS (1ull << 3)
#define XCR0_BNDCSR (1ull << 4)
#define XCR0_AVX512 (7ull << 5)

enum exit_result exit_xsetbv(struct vcpu *v)
{
	uint32_t index = v->regs.gpr[GPR_RCX];
	uint64_t val = (v->regs.gpr[GPR_RDX] << 32) | (uint32_t)v->regs.gpr[GPR_RAX];
	struct cpuid_regs r;
	uint64_t supported;

	if (!(vcpu_get_state(v, VREG_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return EXIT_RESUME;
	}
	cpuid_count(0xd, 0, &r);
	supported = ((uint64_t)r.edx << 32) | r.eax;
	if (vcpu_cpl(v) || index != 0 || !(val & XCR0_X87) ||
	    (val & ~supported) || ((val & XCR0_AVX) && !(val & XCR0_SSE)) ||
	    !!(val & XCR0_BNDREGS) != !!(val & XCR0_BNDCSR) ||
	    ((val & XCR0_AVX512) && (val & XCR0_AVX512) != XCR0_AVX512) ||
	    ((val & XCR0_AVX512) && !(val & XCR0_AVX))) {
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
