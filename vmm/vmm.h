/* SPDX-License-Identifier: MIT */
/* Hypervisor-wide state and the guest lifecycle (vmm/main.c, vm.c, sched.c). */
#ifndef SHALE_VMM_VMM_H
#define SHALE_VMM_VMM_H

#include "vmm/boot_info.h"
#include "vmm/page_alloc.h"
#include "vmm/vm.h"

extern struct page_allocator vmm_pages;

int vm_create(struct vm *vm, const struct guest_config *g, unsigned id,
	      const struct boot_module *kernel);
void vm_destroy(struct vm *vm);

/* Run the guest's vCPU until the guest stops. */
void sched_run(struct vm *vm);

/* Print the guest's exit statistics (count and TSC cycles per reason). */
void vm_report_stats(struct vm *vm);

#endif
