/* SPDX-License-Identifier: MIT */
/*
 * Computing a VMX control word from a capability MSR (Intel SDM Vol. 3C,
 * Appendix A.3-A.5): bits 31:0 are the allowed-0 settings (a 1 there means
 * the control must be 1), bits 63:32 the allowed-1 settings (a 0 there means
 * the control must be 0). Pure logic, unit-tested.
 */
#ifndef SHALE_ARCH_X86_VMX_CONTROLS_H
#define SHALE_ARCH_X86_VMX_CONTROLS_H

#include <stdint.h>

enum vmx_ctl_kind {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
};

struct vmx_ctl_result {
	uint32_t value;   /* the word to write into the VMCS */
	uint32_t missing; /* required controls the CPU cannot set */
	uint32_t dropped; /* optional controls the CPU cannot set */
};

/* required: Shale cannot run without them; optional: used when offered.
 * Controls the CPU forces to 1 are set whatever was asked. */
struct vmx_ctl_result vmx_adjust_controls(uint64_t cap, uint32_t required,
					  uint32_t optional);

/* The SDM's name of one control bit, e.g. "HLT exiting", or NULL. */
const char *vmx_control_name(enum vmx_ctl_kind kind, unsigned bit);

/* CR0/CR4 under VMX: bits set in FIXED0 must be 1, bits clear in FIXED1
 * must be 0 (Appendix A.7, A.8). */
static inline uint64_t vmx_fix_cr(uint64_t value, uint64_t fixed0,
				  uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

#endif
