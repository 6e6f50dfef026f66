/* SPDX-License-Identifier: MIT */
/* The MSRs a guest may use: an allow list (docs/msr.md). */
#ifndef SHALE_VMM_MSR_H
#define SHALE_VMM_MSR_H

#include <stdint.h>

#include "vmm/vcpu.h"

/* Fill the 4 KiB VMX MSR bitmap: every MSR exits except the ones the guest
 * owns outright (SDM Vol. 3C, 25.6.9 for the layout). */
void msr_build_bitmap(uint8_t *bitmap);
/* Emulate RDMSR/WRMSR. Returns 0, or -1 for "raise #GP". */
int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
