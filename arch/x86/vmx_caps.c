/* SPDX-License-Identifier: MIT */
/*
 * The VT-x availability check. Runs before ExitBootServices, so every
 * problem it finds reaches the person in front of the machine, and Shale can
 * still return to the firmware. Facts: Intel SDM Vol. 3C, 24.6 "Discovering
 * support for VMX", 24.7 "Enabling and entering VMX operation", Appendix A.
 */
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/include/vmx_defs.h"
#include "arch/x86/vmx_caps.h"
#include "lib/log.h"
#include "lib/string.h"

#define SRC "vmx"

/* Bits 63:32 of a control capability MSR: the controls that may be 1. */
static bool may_set(uint64_t cap, uint32_t bit)
{
	return (cap >> 32) & bit;
}

static void read_caps(struct vmx_caps *c)
{
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pinbased = rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
					 : MSR_IA32_VMX_PINBASED_CTLS);
	c->procbased = rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
					  : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS
				     : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS
				      : MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if (may_set(c->procbased, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)) {
		c->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		/* EPT/VPID capabilities exist only if EPT or VPID may be enabled. */
		if (may_set(c->procbased2, SECONDARY_EXEC_ENABLE_EPT |
						   SECONDARY_EXEC_ENABLE_VPID))
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

/* The capability MSRs Shale acts on, and how a difference is said. */
static const struct {
	size_t off;
	const char *differs;
} cap_fields[] = {
#define CAP(f, n) { __builtin_offsetof(struct vmx_caps, f), "its " n " differs from CPU 0's" }
	CAP(basic, "IA32_VMX_BASIC"),
	CAP(pinbased, "IA32_VMX_(TRUE_)PINBASED_CTLS"),
	CAP(procbased, "IA32_VMX_(TRUE_)PROCBASED_CTLS"),
	CAP(procbased2, "IA32_VMX_PROCBASED_CTLS2"),
	CAP(exit, "IA32_VMX_(TRUE_)EXIT_CTLS"),
	CAP(entry, "IA32_VMX_(TRUE_)ENTRY_CTLS"),
	CAP(misc, "IA32_VMX_MISC"),
	CAP(ept_vpid, "IA32_VMX_EPT_VPID_CAP"),
	CAP(cr0_fixed0, "IA32_VMX_CR0_FIXED0"),
	CAP(cr0_fixed1, "IA32_VMX_CR0_FIXED1"),
	CAP(cr4_fixed0, "IA32_VMX_CR4_FIXED0"),
	CAP(cr4_fixed1, "IA32_VMX_CR4_FIXED1"),
#undef CAP
};

const char *vmx_check_ap(const struct vmx_caps *bsp)
{
	struct cpuid_regs r;
	struct vmx_caps mine;
	uint64_t fc;

	cpuid_count(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_VMX))
		return "it does not report VMX in CPUID.1:ECX[5]";
	/* IA32_FEATURE_CONTROL is per CPU: the firmware may have locked
	 * it on one and not another. */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return "its IA32_FEATURE_CONTROL is locked with \"VMX outside SMX\" off";
	read_caps(&mine);
	for (unsigned i = 0; i < sizeof(cap_fields) / sizeof(cap_fields[0]); i++) {
		uint64_t a, b;

		memcpy(&a, (const char *)&mine + cap_fields[i].off, sizeof(a));
		memcpy(&b, (const char *)bsp + cap_fields[i].off, sizeof(b));
		if (a != b)
			return cap_fields[i].differs;
	}
	return NULL;
}

/* CPUID says no VMX: say why in the words a person can act on. */
static void explain_no_vmx(void)
{
	struct cpuid_regs r;
	char vendor[13];

	cpuid_count(0, 0, &r);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	cpuid_count(1, 0, &r);
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		log_err(SRC, "this is an AMD processor (%s); Shale needs Intel VT-x, and its AMD SVM backend is not written yet",
			vendor);
	else if (r.ecx & CPUID_1_ECX_HYPERVISOR)
		log_err(SRC, "VT-x is not available: Shale is running inside a virtual machine (%s) that does not expose VMX; give it nested VMX (QEMU/KVM: -enable-kvm -cpu host)",
			vendor);
	else
		log_err(SRC, "VT-x is not available: this processor (%s) does not report VMX in CPUID.1:ECX[5]",
			vendor);
}

/* IA32_FEATURE_CONTROL gates VMXON. Firmware normally locks it; where it
 * did not (OVMF), enable VMX outside SMX and lock it, as firmware would. */
static int check_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		log_info(SRC, "IA32_FEATURE_CONTROL was unlocked; enabled VMX outside SMX and locked it");
		return 0;
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		log_err(SRC, "VT-x is disabled by the firmware (IA32_FEATURE_CONTROL is locked with \"VMX outside SMX\" off): enable Intel Virtualization Technology in the firmware setup");
		return 1;
	}
	return 0;
}

struct need {
	uint64_t cap;
	uint32_t bit;
	const char *what;
};

int vmx_check_support(struct vmx_caps *caps)
{
	struct cpuid_regs r;
	int problems = 0;

	memset(caps, 0, sizeof(*caps));
	cpuid_count(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_VMX)) {
		explain_no_vmx();
		return 1;
	}
	problems += check_feature_control();
	read_caps(caps);

	if (((caps->basic >> 50) & 0xf) != 6) {
		log_err(SRC, "the VMCS must live in write-back memory, but IA32_VMX_BASIC reports memory type %u",
			(unsigned)((caps->basic >> 50) & 0xf));
		problems++;
	}
	if (((caps->basic >> 32) & 0x1fff) > 4096) {
		log_err(SRC, "the VMCS region is larger than 4 KiB (%u bytes)",
			(unsigned)((caps->basic >> 32) & 0x1fff));
		problems++;
	}

	const struct need needs[] = {
		{ caps->procbased, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
		  "secondary processor-based controls" },
		{ caps->procbased, CPU_BASED_USE_IO_BITMAPS, "I/O bitmaps" },
		{ caps->procbased, CPU_BASED_USE_MSR_BITMAPS, "MSR bitmaps" },
		{ caps->procbased, CPU_BASED_HLT_EXITING, "HLT exiting" },
		{ caps->procbased2, SECONDARY_EXEC_ENABLE_EPT,
		  "EPT (extended page tables)" },
		{ caps->procbased2, SECONDARY_EXEC_UNRESTRICTED_GUEST,
		  "unrestricted guest" },
		{ caps->pinbased, PIN_BASED_VMX_PREEMPTION_TIMER,
		  "the VMX-preemption timer" },
		{ caps->exit, VM_EXIT_HOST_ADDR_SPACE_SIZE,
		  "64-bit host (VM-exit \"host address-space size\")" },
		{ caps->exit, VM_EXIT_LOAD_IA32_EFER, "loading IA32_EFER on VM exit" },
		{ caps->exit, VM_EXIT_SAVE_IA32_EFER, "saving IA32_EFER on VM exit" },
		{ caps->entry, VM_ENTRY_LOAD_IA32_EFER, "loading IA32_EFER on VM entry" },
		{ caps->exit, VM_EXIT_LOAD_IA32_PAT, "loading IA32_PAT on VM exit" },
		{ caps->entry, VM_ENTRY_LOAD_IA32_PAT, "loading IA32_PAT on VM entry" },
	};
	for (unsigned i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		if (!may_set(needs[i].cap, needs[i].bit)) {
			log_err(SRC, "this processor's VT-x lacks %s, which Shale needs",
				needs[i].what);
			problems++;
		}
	}

	if (may_set(caps->procbased2, SECONDARY_EXEC_ENABLE_EPT)) {
		const struct need ept[] = {
			{ caps->ept_vpid, VMX_EPT_PAGE_WALK_4, "4-level EPT page walks" },
			{ caps->ept_vpid, VMX_EPT_MT_WB, "write-back EPT paging structures" },
			{ caps->ept_vpid, VMX_EPT_2MB_PAGE, "2 MiB EPT pages" },
			{ caps->ept_vpid, VMX_EPT_INVEPT, "the INVEPT instruction" },
		};
		for (unsigned i = 0; i < sizeof(ept) / sizeof(ept[0]); i++) {
			if (!(ept[i].cap & ept[i].bit)) {
				log_err(SRC, "this processor's EPT lacks %s, which Shale needs",
					ept[i].what);
				problems++;
			}
		}
	}
	if (!problems && !may_set(caps->procbased2, SECONDARY_EXEC_ENABLE_VPID))
		log_warn(SRC, "no VPID support: every VM exit flushes the TLB, guests will run slower");
	return problems;
}
