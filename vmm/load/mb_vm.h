/* SPDX-License-Identifier: MIT */
/* Booting a Multiboot 1 kernel (mode = multiboot). */
#ifndef SHALE_VMM_LOAD_MB_VM_H
#define SHALE_VMM_LOAD_MB_VM_H

#include "vmm/boot_info.h"
#include "vmm/vm.h"

/* Check the image, place its segments, the boot information and the
 * modules (the guest's `modules`, found by file name with find) in guest
 * memory, and set the vCPU's start state. Returns 0, or -1 with the file
 * and the reason logged. */
int mb_vm_load(struct vm *vm, const struct boot_module *kernel,
	       const struct boot_module *(*find)(const char *name));

#endif
