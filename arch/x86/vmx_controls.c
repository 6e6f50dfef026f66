/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "arch/x86/vmx_controls.h"

struct vmx_ctl_result vmx_adjust_controls(uint64_t cap, uint32_t required,
					  uint32_t optional)
{
	uint32_t must_be_one = (uint32_t)cap;
	uint32_t may_be_one = (uint32_t)(cap >> 32);
	struct vmx_ctl_result r;

	r.missing = required & ~may_be_one;
	r.dropped = optional & ~may_be_one & ~required;
	r.value = ((required | optional) & may_be_one) | must_be_one;
	return r;
}

/* Names from SDM Vol. 3C, tables 25-5 to 25-7, 25-13 and 25-15. */
static const char *const pin_names[32] = {
	[0] = "external-interrupt exiting", [3] = "NMI exiting",
	[5] = "virtual NMIs", [6] = "activate VMX-preemption timer",
	[7] = "process posted interrupts",
};
static const char *const proc_names[32] = {
	[2] = "interrupt-window exiting", [3] = "use TSC offsetting",
	[7] = "HLT exiting", [9] = "INVLPG exiting", [10] = "MWAIT exiting",
	[11] = "RDPMC exiting", [12] = "RDTSC exiting",
	[15] = "CR3-load exiting", [16] = "CR3-store exiting",
	[19] = "CR8-load exiting", [20] = "CR8-store exiting",
	[21] = "use TPR shadow", [22] = "NMI-window exiting",
	[23] = "MOV-DR exiting", [24] = "unconditional I/O exiting",
	[25] = "use I/O bitmaps", [27] = "monitor trap flag",
	[28] = "use MSR bitmaps", [29] = "MONITOR exiting",
	[30] = "PAUSE exiting", [31] = "activate secondary controls",
};
static const char *const proc2_names[32] = {
	[0] = "virtualize APIC accesses", [1] = "enable EPT",
	[2] = "descriptor-table exiting", [3] = "enable RDTSCP",
	[4] = "virtualize x2APIC mode", [5] = "enable VPID",
	[6] = "WBINVD exiting", [7] = "unrestricted guest",
	[8] = "APIC-register virtualization",
	[9] = "virtual-interrupt delivery", [10] = "PAUSE-loop exiting",
	[11] = "RDRAND exiting", [12] = "enable INVPCID",
	[13] = "enable VM functions", [14] = "VMCS shadowing",
	[16] = "RDSEED exiting", [17] = "enable PML",
	[20] = "enable XSAVES/XRSTORS", [25] = "use TSC scaling",
};
static const char *const exit_names[32] = {
	[2] = "save debug controls", [9] = "host address-space size",
	[12] = "load IA32_PERF_GLOBAL_CTRL",
	[15] = "acknowledge interrupt on exit", [18] = "save IA32_PAT",
	[19] = "load IA32_PAT", [20] = "save IA32_EFER",
	[21] = "load IA32_EFER", [22] = "save VMX-preemption timer value",
};
static const char *const entry_names[32] = {
	[2] = "load debug controls", [9] = "IA-32e mode guest",
	[10] = "entry to SMM", [13] = "load IA32_PERF_GLOBAL_CTRL",
	[14] = "load IA32_PAT", [15] = "load IA32_EFER",
};

const char *vmx_control_name(enum vmx_ctl_kind kind, unsigned bit)
{
	static const char *const *const tables[] = {
		[VMX_CTL_PIN] = pin_names,     [VMX_CTL_PROC] = proc_names,
		[VMX_CTL_PROC2] = proc2_names, [VMX_CTL_EXIT] = exit_names,
		[VMX_CTL_ENTRY] = entry_names,
	};

	if ((unsigned)kind > VMX_CTL_ENTRY || bit > 31)
		return NULL;
	return tables[kind][bit];
}
