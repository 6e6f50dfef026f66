/* SPDX-License-Identifier: MIT */
/*
 * Entering VMX operation (Intel SDM Vol. 3C, 24.7 and 24.8) and what every
 * VMCS on this CPU shares: the MSR and I/O bitmaps.
 */
#include "arch/x86/host.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/include/msr.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_controls.h"
#include "arch/x86/vmx_ops.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/msr.h"

#define SRC "vmx"

struct vmx_cpu vmx_cpu;

static const char *const instruction_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_instruction_error_str(uint32_t err)
{
	if (err < sizeof(instruction_errors) / sizeof(instruction_errors[0]) &&
	    instruction_errors[err])
		return instruction_errors[err];
	return "unknown VM-instruction error";
}

void vmx_op_failed(const char *op, uint64_t field, void *caller)
{
	uint64_t err = 0;
	bool invalid;
	char in[80], from[80];

	/* If even this read fails, there is no current VMCS (VMfailInvalid). */
	asm volatile("vmread %2, %0; setc %1"
		     : "=r"(err), "=qm"(invalid)
		     : "r"((uint64_t)VM_INSTRUCTION_ERROR)
		     : "cc");
	/* vmread() and vmwrite() are inline: the function that executed the
	 * failed instruction is the one that called here. */
	host_panic("%s of field 0x%lx failed: %s (VM-instruction error %lu), in %s, called from %s",
		   op, (unsigned long)field,
		   invalid ? "no current VMCS" : vmx_instruction_error_str(err),
		   invalid ? 0ul : (unsigned long)err,
		   host_addr_name(in, sizeof(in),
				  (uint64_t)__builtin_return_address(0),
				  HOST_ADDR_RETURN),
		   host_addr_name(from, sizeof(from), (uint64_t)caller,
				  HOST_ADDR_RETURN));
}

static uint64_t zeroed_page(struct page_allocator *pa)
{
	uint64_t p = page_alloc_page(pa);

	if (p)
		memset((void *)p, 0, PAGE_SIZE);
	return p;
}

int vmx_cpu_enable(struct page_allocator *pa, const struct vmx_caps *caps)
{
	uint32_t revision = caps->basic & VMX_BASIC_REVISION_MASK;
	int err;

	vmx_cpu.caps = *caps;
	vmx_cpu.preempt_shift = caps->misc & VMX_MISC_PREEMPTION_RATE_MASK;
	vmx_cpu.tsc_hz = tsc_calibrate();

	/* CR0 and CR4 must satisfy the VMX fixed bits before VMXON. A
	 * machine check is reported, not a shutdown, where the CPU has
	 * them (CPUID.01H:EDX.MCE): arch/x86/mce.c. The APs copy this CR4. */
	write_cr0(vmx_fix_cr(read_cr0(), caps->cr0_fixed0, caps->cr0_fixed1));
	write_cr4(vmx_fix_cr(read_cr4() | CR4_VMXE | (cpu_has_mce() ? CR4_MCE : 0),
			     caps->cr4_fixed0, caps->cr4_fixed1));

	vmx_cpu.vmxon_region = zeroed_page(pa);
	vmx_cpu.msr_bitmap = zeroed_page(pa);
	vmx_cpu.io_bitmap_a = zeroed_page(pa);
	vmx_cpu.io_bitmap_b = zeroed_page(pa);
	if (!vmx_cpu.vmxon_region || !vmx_cpu.msr_bitmap ||
	    !vmx_cpu.io_bitmap_a || !vmx_cpu.io_bitmap_b) {
		log_err(SRC, "out of memory for the VMXON region and bitmaps");
		return -1;
	}
	*(uint32_t *)vmx_cpu.vmxon_region = revision;
	memset((void *)vmx_cpu.io_bitmap_a, 0xff, PAGE_SIZE);
	memset((void *)vmx_cpu.io_bitmap_b, 0xff, PAGE_SIZE);
	msr_build_bitmap((uint8_t *)vmx_cpu.msr_bitmap);

	err = vmxon(vmx_cpu.vmxon_region);
	if (err) {
		log_err(SRC, "VMXON failed on cpu0 (%s)",
			err == -1 ? "VMfailInvalid: bad VMXON region"
				  : "VMfailValid: already in VMX operation");
		return -1;
	}
	/* Guests get fresh TLB tags; nothing from the firmware may linger. */
	if (caps->ept_vpid & VMX_EPT_INVEPT_ALL)
		invept(INVEPT_ALL_CONTEXT, 0);
	log_info(SRC, "VMXON ok on cpu0 (VMCS revision %u)", revision);
	return 0;
}

const char *vmx_cpu_enable_ap(uint64_t vmxon_region)
{
	const struct vmx_caps *caps = &vmx_cpu.caps;
	const char *why = vmx_check_ap(caps);

	if (why)
		return why;
	write_cr0(vmx_fix_cr(read_cr0(), caps->cr0_fixed0, caps->cr0_fixed1));
	write_cr4(vmx_fix_cr(read_cr4() | CR4_VMXE, caps->cr4_fixed0,
			     caps->cr4_fixed1));
	memset((void *)vmxon_region, 0, PAGE_SIZE);
	*(uint32_t *)vmxon_region = caps->basic & VMX_BASIC_REVISION_MASK;
	if (vmxon(vmxon_region))
		return "VMXON failed on it";
	if (caps->ept_vpid & VMX_EPT_INVEPT_ALL)
		invept(INVEPT_ALL_CONTEXT, 0);
	return NULL;
}
