/* SPDX-License-Identifier: MIT */
/*
 * Reaching guest memory by guest-linear address: a walk of the guest's own
 * page tables (no paging, 32-bit, PAE and 4-level, Intel SDM Vol. 3A,
 * chapter 4), then guest-physical to host through vm_gpa_to_hva().
 */
#ifndef SHALE_VMM_GUEST_MEM_H
#define SHALE_VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu.h"

/* Translate a guest-linear address. Returns 0, or -1 when it is not mapped
 * (or its page tables are not in guest RAM). */
int guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa);

/* Copy len bytes at a guest-linear address, page by page. Returns the
 * number of bytes copied (less than len where the mapping ends). */
uint64_t guest_read_linear(struct vcpu *v, uint64_t gla, void *buf,
			   uint64_t len);

#endif
