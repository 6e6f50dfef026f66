/* SPDX-License-Identifier: MIT */
/* What CPUID tells a guest: the host's answer, filtered (docs/cpuid.md). */
#ifndef SHALE_VMM_CPUID_H
#define SHALE_VMM_CPUID_H

#include "arch/x86/include/cpu.h"
#include "vmm/vcpu.h"

#define SHALE_CPUID_BASE 0x40000000u
#define SHALE_CPUID_MAX 0x40000010u

/* The guest's view of one leaf. */
void cpuid_guest(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		 struct cpuid_regs *r);
/* Execute the guest's CPUID: leaf and subleaf from EAX/ECX, the answer
 * into EAX, EBX, ECX, EDX (upper halves cleared, as the CPU does). */
void cpuid_emulate(struct vcpu *v);

#endif
