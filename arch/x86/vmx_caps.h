/* SPDX-License-Identifier: MIT */
/*
 * What this processor's VMX can do, read once from the capability MSRs, and
 * the check that tells a person, one sentence per missing thing, why Shale
 * cannot run here.
 */
#ifndef SHALE_ARCH_X86_VMX_CAPS_H
#define SHALE_ARCH_X86_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

struct vmx_caps {
	uint64_t basic;
	uint64_t pinbased;   /* the TRUE_* MSR when IA32_VMX_BASIC bit 55 says so */
	uint64_t procbased;
	uint64_t procbased2; /* 0 when secondary controls are not offered */
	uint64_t exit;
	uint64_t entry;
	uint64_t misc;
	uint64_t ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1;
	uint64_t cr4_fixed0, cr4_fixed1;
	bool true_ctls;
};

/* Reads CPUID and the VMX MSRs, enables and locks IA32_FEATURE_CONTROL if
 * the firmware left it unlocked, and checks for everything Shale needs.
 * Logs one sentence per problem. Returns the number of problems (0 = Shale
 * can run); *caps is filled as far as the checks got. */
int vmx_check_support(struct vmx_caps *caps);

/* On an AP: VMX there, IA32_FEATURE_CONTROL enabled (and locked, as for
 * CPU 0), and every capability MSR Shale acts on the same as CPU 0's.
 * NULL, or what is wrong, as a phrase for "[smp] CPU n ...: PHRASE". */
const char *vmx_check_ap(const struct vmx_caps *bsp);

#endif
