/* SPDX-License-Identifier: MIT */
/* Booting a Linux bzImage through the 64-bit boot protocol (mode = linux). */
#ifndef SHALE_VMM_LOAD_LINUX_H
#define SHALE_VMM_LOAD_LINUX_H

#include "vmm/boot_info.h"
#include "vmm/vm.h"

/* Check the image, lay out kernel, initrd, command line, boot_params and
 * ACPI tables in guest memory, build the PC devices, and set the vCPU's
 * start state. Returns 0, or -1 with the file and the reason logged. */
int linux_load(struct vm *vm, const struct boot_module *kernel,
	       const struct boot_module *initrd);

#endif
