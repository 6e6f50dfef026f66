/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a guest sees: the host's values with what Shale does not
 * virtualize taken out, the hypervisor-present bit set, and Shale's own
 * leaves at 0x40000000. Each rule is listed in docs/cpuid.md. Bit
 * positions: Intel SDM Vol. 2A, CPUID.
 */
#include "arch/x86/include/msr.h"
#include "arch/x86/spec_ctrl.h"
#include "arch/x86/vmx.h"
#include "lib/string.h"
#include "vmm/cpuid.h"
#include "vmm/version.h"
#include "vmm/pc.h"
#include "vmm/vm.h"

#define BIT(n) (1u << (n))

/* CPUID.1:ECX */
#define L1_ECX_HIDE (BIT(3) /* MONITOR */ | BIT(4) /* DS-CPL */ | \
		     BIT(5) /* VMX */ | BIT(6) /* SMX */ | BIT(7) /* EST */ | \
		     BIT(8) /* TM2 */ | BIT(11) /* SDBG */ | BIT(15) /* PDCM */ | \
		     BIT(18) /* DCA */ | BIT(21) /* x2APIC */ | \
		     BIT(24) /* TSC-deadline */ | BIT(27) /* OSXSAVE, recomputed */)
/* CPUID.1:EDX */
#define L1_EDX_HIDE (BIT(21) /* DS */ | BIT(22) /* ACPI thermal */ | \
		     BIT(29) /* TM */ | BIT(31) /* PBE */)
/* The local APIC (CPUID.1:EDX) and x2APIC (CPUID.1:ECX): only a guest
 * with a local APIC model (the PC devices) has them, whatever the host. */
#define L1_EDX_APIC BIT(9)
#define L1_ECX_X2APIC BIT(21)
/* CPUID.(7,0). Also hidden: features whose MSRs Shale does not emulate
 * (a bit shown promises its MSRs): RDT monitoring and allocation
 * (IA32_PQR_ASSOC, ...), CET (IA32_U_CET, IA32_S_CET, the SSP MSRs), TME
 * (IA32_TME_ACTIVATE), SRBDS control (IA32_MCU_OPT_CTRL), TSX force-abort
 * (MSR_TSX_FORCE_ABORT), architectural LBRs (IA32_LBR_*). */
#define L7_EBX_HIDE (BIT(2) /* SGX */ | BIT(12) /* RDT-M */ | BIT(14) /* MPX */ | \
		     BIT(15) /* RDT-A */ | BIT(25) /* Intel PT */)
#define L7_ECX_HIDE (BIT(5) /* WAITPKG */ | BIT(7) /* CET_SS */ | BIT(13) /* TME */ | \
		     BIT(16) /* LA57: Shale walks 4-level tables only */ | \
		     BIT(30) /* SGX-LC */)
#define L7_EDX_FSRM BIT(4)
/* The speculation-control bits (MD_CLEAR and 26-31) are the policy's
 * (arch/x86/spec_ctrl.c): each shown only with the MSR it announces. */
#define L7_EDX_HIDE (BIT(9) /* SRBDS_CTRL */ | BIT(13) /* TSX_FORCE_ABORT */ | \
		     BIT(19) /* Arch LBR */ | BIT(20) /* CET_IBT */)
/* CPUID.(0DH,1):EAX */
#define LD1_EAX_XSAVES BIT(3)
#define LD1_EAX_XFD BIT(4) /* IA32_XFD, IA32_XFD_ERR: not emulated */
#define L7_EBX_ERMS BIT(9)
#define L7_EBX_INVPCID BIT(10)

/* Four ASCII characters as CPUID returns them in a register. */
#define SIG(a, b, c, d) ((a) | (b) << 8 | (c) << 16 | (uint32_t)(d) << 24)

static inline void shale_leaves(uint32_t leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	switch (leaf) {
	case SHALE_CPUID_BASE:
		/* "ShaleVMM\0\0\0\0" in EBX, ECX, EDX, as KVM and Xen sign. */
		r->eax = SHALE_CPUID_MAX;
		r->ebx = SIG('S', 'h', 'a', 'l');
		r->ecx = SIG('e', 'V', 'M', 'M');
		break;
	case SHALE_CPUID_BASE + 1:
		r->eax = (SHALE_VERSION_MAJOR << 16) | SHALE_VERSION_MINOR;
		break;
	case SHALE_CPUID_BASE + 0x10:
		/* TSC frequency in kHz, as VMware and KVM define this leaf. */
		r->eax = vmx_cpu.tsc_hz / 1000;
		break;
	}
}

/* A leaf of the host's CPUID, filtered. Kept out of line so the Shale
 * leaves above, which benchmarks and guests probe most, stay cheap. */
static __attribute__((noinline)) void host_leaf(struct vcpu *v, uint32_t leaf,
						uint32_t subleaf,
						struct cpuid_regs *r)
{
	cpuid_count(leaf, subleaf, r);
	switch (leaf) {
	case 1:
		r->ecx &= ~L1_ECX_HIDE;
		r->ecx |= CPUID_1_ECX_HYPERVISOR;
		/* A guest with the PC devices has a local APIC model whose
		 * timer takes IA32_TSC_DEADLINE. */
		if (v->vm->pc)
			r->ecx |= BIT(24);
		if (vcpu_get_state(v, VREG_CR4) & CR4_OSXSAVE)
			r->ecx |= CPUID_1_ECX_OSXSAVE;
		r->edx &= ~L1_EDX_HIDE;
		if (!v->vm->pc)
			r->edx &= ~L1_EDX_APIC;
		else
			r->ecx |= L1_ECX_X2APIC; /* trapped MSRs (vmm/msr.c) */
		/* One logical processor, APIC ID = vCPU number. */
		r->ebx = (r->ebx & 0xffff) | (1u << 16) | (v->id << 24);
		break;
	case 5: /* MONITOR/MWAIT: not offered */
	case 6: /* thermal and power management: the host's business */
	case 0xa: /* performance monitoring: not virtualized */
	case 0xf: /* RDT monitoring */
	case 0x10: /* RDT allocation */
	case 0x12: /* SGX */
	case 0x14: /* Intel PT */
	case 0x1c: /* architectural LBRs */
		memset(r, 0, sizeof(*r));
		break;
	case 7:
		if (subleaf == 0) {
			r->ebx &= ~L7_EBX_HIDE;
			if (!(v->proc2_ctls & SECONDARY_EXEC_ENABLE_INVPCID))
				r->ebx &= ~L7_EBX_INVPCID;
			r->ecx &= ~L7_ECX_HIDE;
			r->edx &= ~(L7_EDX_HIDE | CPUID_7_EDX_SPEC_BITS);
			r->edx |= spec_host.guest_cpuid7_edx;
			/* FSRM without ERMS or fast strings confuses kernels
			 * (they then mix the two copy paths): keep it consistent. */
			if (!(r->ebx & L7_EBX_ERMS) ||
			    !(rdmsr(MSR_IA32_MISC_ENABLE) & 1))
				r->edx &= ~L7_EDX_FSRM;
		}
		break;
	case 0x15:
		/* TSC = crystal * EBX / EAX; with a 1:1 ratio, ECX is the TSC
		 * frequency itself, so the guest need not calibrate. */
		r->eax = 1;
		r->ebx = 1;
		r->ecx = vmx_cpu.tsc_hz;
		r->edx = 0;
		break;
	case 0x16:
		r->eax = r->ebx = vmx_cpu.tsc_hz / 1000000;
		r->ecx = 100;
		r->edx = 0;
		break;
	case 0xb:
	case 0x1f:
		r->edx = v->id; /* x2APIC ID of this vCPU */
		break;
	case 0xd:
		if (subleaf != 1)
			break;
		if (!(v->proc2_ctls & SECONDARY_EXEC_ENABLE_XSAVES))
			r->eax &= ~LD1_EAX_XSAVES;
		r->eax &= ~LD1_EAX_XFD;
		/* No supervisor state component is offered: IA32_XSS
		 * (vmm/msr.c) holds 0 only, which XSAVES can use as it is. */
		r->ecx = r->edx = 0;
		break;
	}
}

void cpuid_guest(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		 struct cpuid_regs *r)
{
	if ((leaf & 0xffff0000u) == SHALE_CPUID_BASE)
		shale_leaves(leaf, r);
	else
		host_leaf(v, leaf, subleaf, r);
}

static void set_gprs(struct vcpu *v, const struct cpuid_regs *r)
{
	v->regs.gpr[GPR_RAX] = r->eax;
	v->regs.gpr[GPR_RBX] = r->ebx;
	v->regs.gpr[GPR_RCX] = r->ecx;
	v->regs.gpr[GPR_RDX] = r->edx;
}

/* Reached by a tail call, so that cpuid_emulate() needs no stack frame
 * for r on the path of the Shale leaves, which never touch memory for it. */
static __attribute__((noinline)) void emulate_host_leaf(struct vcpu *v,
							 uint32_t leaf)
{
	struct cpuid_regs r;

	host_leaf(v, leaf, v->regs.gpr[GPR_RCX], &r);
	set_gprs(v, &r);
}

void cpuid_emulate(struct vcpu *v)
{
	uint32_t leaf = v->regs.gpr[GPR_RAX];
	struct cpuid_regs r;

	if ((leaf & 0xffff0000u) != SHALE_CPUID_BASE) {
		emulate_host_leaf(v, leaf);
		return;
	}
	shale_leaves(leaf, &r);
	set_gprs(v, &r);
}
