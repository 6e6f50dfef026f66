/* SPDX-License-Identifier: MIT */
/* What CPUID tells a guest: the host's answer, filtered (docs/cpuid.md). */
#ifndef SHALE_VMM_CPUID_H
#define SHALE_VMM_CPUID_H

#include "arch/x86/include/cpu.h"
#include "vmm/vcpu.h"

#define SHALE_CPUID_BASE 0x40000000u
#define SHALE_CPUID_MAX 0x40000010u

void cpuid_guest(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		 struct cpuid_regs *r);

#endif
